//! Engines behind one trait ([`DiffEngine`]): Metron, wasmi, and (feature `wasmtime`)
//! Wasmtime. Values are exchanged as [`metron_vm::Value`] (floats as raw bits), traps as
//! [`TrapClass`].

use metron_vm::{Config, GasMeter, Instance, Module, NoHost, TrapKind, ValType, Value};

/// A trap, engine-independently. References are compared by null-ness only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapClass {
    /// `unreachable` (also how the instrumented module stops; see `Outcome`).
    Unreachable,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Integer overflow (`i32.div_s` of MIN by -1, trapping float-to-int out of range).
    IntegerOverflow,
    /// Float-to-int of NaN.
    InvalidConversionToInteger,
    /// Out-of-bounds memory access.
    MemoryOutOfBounds,
    /// Out-of-bounds table access (including "undefined element").
    TableOutOfBounds,
    /// `call_indirect` signature mismatch.
    IndirectCallTypeMismatch,
    /// Null reference (`call_indirect` of a null element).
    NullReference,
    /// The engine's call stack limit: Metron's deterministic one, or a reference
    /// engine's native one (which makes the input skipped).
    StackExhausted,
    /// Out of gas (Metron's meter, or the instrumented module's gas global).
    OutOfGas,
    /// Anything else (host errors, engine resource limits).
    Other,
}

impl TrapClass {
    /// Maps Metron's trap kinds. `UninitializedElement` is a null-reference trap in the
    /// other engines.
    pub fn from_metron(k: TrapKind) -> Self {
        match k {
            TrapKind::Unreachable => Self::Unreachable,
            TrapKind::IntegerDivideByZero => Self::IntegerDivideByZero,
            TrapKind::IntegerOverflow => Self::IntegerOverflow,
            TrapKind::InvalidConversionToInteger => Self::InvalidConversionToInteger,
            TrapKind::MemoryOutOfBounds => Self::MemoryOutOfBounds,
            TrapKind::TableOutOfBounds => Self::TableOutOfBounds,
            TrapKind::IndirectCallTypeMismatch => Self::IndirectCallTypeMismatch,
            TrapKind::NullReference | TrapKind::UninitializedElement => Self::NullReference,
            TrapKind::CallStackExhausted => Self::StackExhausted,
            TrapKind::OutOfGas => Self::OutOfGas,
            TrapKind::Host => Self::Other,
        }
    }
}

/// References compare by null-ness only (function indices differ between engines).
pub fn normalize(v: Value) -> Value {
    match v {
        Value::FuncRef(r) => Value::FuncRef(r.map(|_| 0)),
        Value::ExternRef(r) => Value::ExternRef(r.map(|_| 0)),
        other => other,
    }
}

/// Result of one call (or of instantiation: no values).
pub type Outcome = Result<Vec<Value>, TrapClass>;

/// An engine under differential test. Each `instantiate` starts a fresh instance.
pub trait DiffEngine {
    /// Short name for reports.
    fn name(&self) -> &'static str;
    /// Compiles and instantiates `wasm` (running its start function).
    /// `Err(None)`: the engine rejects the module; `Err(Some(trap))`: the start
    /// function trapped.
    fn instantiate(&mut self, wasm: &[u8]) -> Result<(), Option<TrapClass>>;
    /// Calls an exported function.
    fn call(&mut self, export: &str, args: &[Value]) -> Outcome;
    /// Reads an exported global.
    fn global(&mut self, export: &str) -> Option<Value>;
    /// Writes an exported mutable global (harnesses reset the instrumentation globals).
    fn set_global(&mut self, export: &str, value: Value) -> bool;
    /// A copy of the exported memory `export`, if any.
    fn memory(&mut self, export: &str) -> Option<Vec<u8>>;
}

/// Metron, with a configurable VM config and gas limit per call.
pub struct Metron {
    /// VM configuration (metering, limits, schedule).
    pub config: Config,
    /// Gas limit of each call and of instantiation.
    pub gas_limit: u64,
    /// Gas left after the last call or instantiation.
    pub gas_left: u64,
    instance: Option<Instance>,
}

impl Metron {
    /// Metron with `config` and a per-call gas limit.
    pub fn new(config: Config, gas_limit: u64) -> Self {
        Self {
            config,
            gas_limit,
            gas_left: gas_limit,
            instance: None,
        }
    }
}

impl DiffEngine for Metron {
    fn name(&self) -> &'static str {
        "metron"
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<(), Option<TrapClass>> {
        self.instance = None;
        let m = Module::new(&self.config, wasm).map_err(|_| None)?;
        let mut gas = GasMeter::new(self.gas_limit);
        let r = Instance::new(&m, &mut NoHost, &mut gas);
        self.gas_left = gas.remaining();
        match r {
            Ok(i) => {
                self.instance = Some(i);
                Ok(())
            }
            Err(metron_vm::InstantiationError::Trap(t)) => {
                Err(Some(TrapClass::from_metron(t.kind())))
            }
            Err(_) => Err(Some(TrapClass::Other)),
        }
    }

    fn call(&mut self, export: &str, args: &[Value]) -> Outcome {
        let Some(i) = self.instance.as_mut() else {
            return Err(TrapClass::Other);
        };
        let mut gas = GasMeter::new(self.gas_limit);
        let r = i.invoke(&mut NoHost, export, args, &mut gas);
        self.gas_left = gas.remaining();
        r.map(|vs| vs.into_iter().map(normalize).collect())
            .map_err(|t| TrapClass::from_metron(t.kind()))
    }

    fn global(&mut self, export: &str) -> Option<Value> {
        self.instance.as_ref()?.global(export).map(normalize)
    }

    fn set_global(&mut self, _export: &str, _value: Value) -> bool {
        false
    }

    fn memory(&mut self, export: &str) -> Option<Vec<u8>> {
        let _ = export;
        self.instance.as_ref()?.memory().map(<[u8]>::to_vec)
    }
}

/// Exported function names and types of a module, in export order (from Metron's view of
/// the module; every engine under test accepted it).
pub fn exported_funcs(wasm: &[u8]) -> Vec<(String, Vec<ValType>, Vec<ValType>)> {
    let config = Config {
        limits: permissive_limits(),
        ..Config::default()
    };
    let Ok(m) = Module::new(&config, wasm) else {
        return Vec::new();
    };
    m.exports()
        .filter(|(_, k)| *k == metron_vm::ExternKind::Func)
        .filter_map(|(n, _)| {
            let t = m.export_func_type(n)?;
            Some((n.to_string(), t.params().to_vec(), t.results().to_vec()))
        })
        .collect()
}

/// Limits large enough for instrumented modules (extra locals, globals and code).
pub fn permissive_limits() -> metron_vm::Limits {
    metron_vm::Limits {
        max_locals: 1 << 16,
        max_function_body_size: 1 << 24,
        max_code_size: 1 << 26,
        max_globals: 1 << 16,
        max_exports: 1 << 16,
        max_types: 1 << 16,
        max_functions: 1 << 16,
        ..metron_vm::Limits::default()
    }
}

mod wasmi_engine;
pub use wasmi_engine::Wasmi;

#[cfg(feature = "wasmtime")]
mod wasmtime_engine;
#[cfg(feature = "wasmtime")]
pub use wasmtime_engine::Wasmtime;
