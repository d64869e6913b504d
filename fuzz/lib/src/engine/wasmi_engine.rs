//! wasmi 2.x (feature `deterministic`) as a [`DiffEngine`].

use metron_vm::Value;
use wasmi::{Engine, Linker, Store, TrapCode, Val};

use super::{DiffEngine, Outcome, TrapClass};

/// wasmi with WebAssembly 2.0 without SIMD, no fuel (the instrumented module meters
/// itself), and a large native stack limit (a `StackOverflow` trap makes oracles skip).
pub struct Wasmi {
    engine: Engine,
    store: Store<()>,
    instance: Option<wasmi::Instance>,
}

impl Default for Wasmi {
    fn default() -> Self {
        Self::new()
    }
}

impl Wasmi {
    /// A wasmi engine configured to Metron's feature set.
    pub fn new() -> Self {
        let mut c = wasmi::Config::default();
        // SIMD is compiled out (wasmi's `simd` feature is off).
        c.wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_multi_memory(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            .set_max_recursion_depth(100_000);
        let engine = Engine::new(&c);
        let store = Store::new(&engine, ());
        Self {
            engine,
            store,
            instance: None,
        }
    }
}

fn trap_class(e: &wasmi::Error) -> TrapClass {
    match e.as_trap_code() {
        Some(TrapCode::UnreachableCodeReached) => TrapClass::Unreachable,
        Some(TrapCode::MemoryOutOfBounds) => TrapClass::MemoryOutOfBounds,
        Some(TrapCode::TableOutOfBounds) => TrapClass::TableOutOfBounds,
        Some(TrapCode::IndirectCallToNull) => TrapClass::NullReference,
        Some(TrapCode::IntegerDivisionByZero) => TrapClass::IntegerDivideByZero,
        Some(TrapCode::IntegerOverflow) => TrapClass::IntegerOverflow,
        Some(TrapCode::BadConversionToInteger) => TrapClass::InvalidConversionToInteger,
        Some(TrapCode::StackOverflow) => TrapClass::StackExhausted,
        Some(TrapCode::BadSignature) => TrapClass::IndirectCallTypeMismatch,
        Some(TrapCode::OutOfFuel) => TrapClass::OutOfGas,
        _ => TrapClass::Other,
    }
}

fn to_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(b) => Val::F32(wasmi::F32::from_bits(b)),
        Value::F64(b) => Val::F64(wasmi::F64::from_bits(b)),
        Value::FuncRef(_) => Val::default_for_ty(wasmi::ValType::FuncRef),
        Value::ExternRef(_) => Val::default_for_ty(wasmi::ValType::ExternRef),
    }
}

fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(x.to_bits()),
        Val::F64(x) => Value::F64(x.to_bits()),
        // References compare by null-ness only.
        Val::FuncRef(r) => Value::FuncRef((!r.is_null()).then_some(0)),
        Val::ExternRef(r) => Value::ExternRef((!r.is_null()).then_some(0)),
        Val::V128(_) => Value::I32(-1),
    }
}

impl DiffEngine for Wasmi {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn is_reference(&self) -> bool {
        true
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<(), Option<TrapClass>> {
        self.instance = None;
        self.store = Store::new(&self.engine, ());
        let module = wasmi::Module::new(&self.engine, wasm).map_err(|_| None)?;
        let linker = Linker::<()>::new(&self.engine);
        match linker.instantiate_and_start(&mut self.store, &module) {
            Ok(i) => {
                self.instance = Some(i);
                Ok(())
            }
            Err(e) => Err(Some(trap_class(&e))),
        }
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let Some(f) = self.instance.and_then(|i| i.get_func(&self.store, export)) else {
            return Err(TrapClass::Other);
        };
        let ty = f.ty(&self.store);
        let mut results: Vec<Val> = ty
            .results()
            .iter()
            .map(|t| Val::default_for_ty(*t))
            .collect();
        let args: Vec<Val> = args.iter().map(to_val).collect();
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results.iter().map(from_val).collect()),
            Err(e) => Err(trap_class(&e)),
        }
    }

    fn global(&mut self, export: &str) -> Option<Value> {
        let g = self.instance?.get_global(&self.store, export)?;
        Some(from_val(&g.get(&self.store)))
    }

    fn set_global(&mut self, export: &str, value: Value) -> bool {
        let Some(g) = self
            .instance
            .and_then(|i| i.get_global(&self.store, export))
        else {
            return false;
        };
        g.set(&mut self.store, to_val(&value)).is_ok()
    }

    fn memory(&mut self, export: &str) -> Option<Vec<u8>> {
        let m = self.instance?.get_memory(&self.store, export)?;
        Some(m.data(&self.store).to_vec())
    }
}
