//! Wasmtime (Cranelift, NaN canonicalization) as a [`DiffEngine`] (feature `wasmtime`).

use metron_vm::Value;
use wasmtime::{Engine, Instance, Linker, Store, Trap, Val};

use super::{DiffEngine, Outcome, TrapClass};

/// Wasmtime configured to Metron's feature set, with Cranelift NaN canonicalization.
pub struct Wasmtime {
    engine: Engine,
    store: Store<()>,
    instance: Option<Instance>,
}

impl Default for Wasmtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Wasmtime {
    /// A Wasmtime engine for Metron's feature set.
    ///
    /// # Panics
    /// If Wasmtime rejects the configuration (a build problem, not an input problem).
    pub fn new() -> Self {
        let mut c = wasmtime::Config::new();
        c.cranelift_nan_canonicalization(true)
            .wasm_simd(false)
            .wasm_relaxed_simd(false)
            // Threads: not compiled in (the `threads` cargo feature is off), so rejected.
            .wasm_tail_call(false)
            .wasm_multi_memory(false)
            .wasm_memory64(false)
            .wasm_multi_value(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true);
        let engine = Engine::new(&c).expect("wasmtime config");
        let store = Store::new(&engine, ());
        Self {
            engine,
            store,
            instance: None,
        }
    }
}

fn trap_class(e: &wasmtime::Error) -> TrapClass {
    match e.downcast_ref::<Trap>() {
        Some(Trap::UnreachableCodeReached) => TrapClass::Unreachable,
        Some(Trap::MemoryOutOfBounds) => TrapClass::MemoryOutOfBounds,
        Some(Trap::TableOutOfBounds) => TrapClass::TableOutOfBounds,
        Some(Trap::IndirectCallToNull) => TrapClass::NullReference,
        Some(Trap::IntegerDivisionByZero) => TrapClass::IntegerDivideByZero,
        Some(Trap::IntegerOverflow) => TrapClass::IntegerOverflow,
        Some(Trap::BadConversionToInteger) => TrapClass::InvalidConversionToInteger,
        Some(Trap::StackOverflow) => TrapClass::StackExhausted,
        Some(Trap::BadSignature) => TrapClass::IndirectCallTypeMismatch,
        _ => TrapClass::Other,
    }
}

fn to_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(b) => Val::F32(b),
        Value::F64(b) => Val::F64(b),
        Value::FuncRef(_) => Val::FuncRef(None),
        Value::ExternRef(_) => Val::ExternRef(None),
    }
}

fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(b) => Value::F32(*b),
        Val::F64(b) => Value::F64(*b),
        Val::FuncRef(r) => Value::FuncRef(r.as_ref().map(|_| 0)),
        Val::ExternRef(r) => Value::ExternRef(r.as_ref().map(|_| 0)),
        _ => Value::I32(-1),
    }
}

impl DiffEngine for Wasmtime {
    fn name(&self) -> &'static str {
        "wasmtime"
    }

    fn is_reference(&self) -> bool {
        true
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<(), Option<TrapClass>> {
        self.instance = None;
        self.store = Store::new(&self.engine, ());
        let module = wasmtime::Module::new(&self.engine, wasm).map_err(|_| None)?;
        let linker = Linker::<()>::new(&self.engine);
        match linker.instantiate(&mut self.store, &module) {
            Ok(i) => {
                self.instance = Some(i);
                Ok(())
            }
            Err(e) => Err(Some(trap_class(&e))),
        }
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let Some(f) = self
            .instance
            .and_then(|i| i.get_func(&mut self.store, export))
        else {
            return Err(TrapClass::Other);
        };
        let ty = f.ty(&self.store);
        let mut results: Vec<Val> = ty
            .results()
            .map(|t| Val::default_for_ty(&t).unwrap_or(Val::I32(0)))
            .collect();
        let args: Vec<Val> = args.iter().map(to_val).collect();
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results.iter().map(from_val).collect()),
            Err(e) => Err(trap_class(&e)),
        }
    }

    fn global(&mut self, export: &str) -> Option<Value> {
        let g = self.instance?.get_global(&mut self.store, export)?;
        Some(from_val(&g.get(&mut self.store)))
    }

    fn set_global(&mut self, export: &str, value: Value) -> bool {
        let Some(g) = self
            .instance
            .and_then(|i| i.get_global(&mut self.store, export))
        else {
            return false;
        };
        g.set(&mut self.store, to_val(&value)).is_ok()
    }

    fn memory(&mut self, export: &str) -> Option<Vec<u8>> {
        let m = self.instance?.get_memory(&mut self.store, export)?;
        Some(m.data(&self.store).to_vec())
    }
}
