//! Engines behind one trait ([`DiffEngine`]): Metron, wasmi, and (feature `wasmtime`)
//! Wasmtime. Values are exchanged as [`metron_vm::Value`] (floats as raw bits), traps as
//! [`TrapClass`]. The oracles drive every engine through [`Guarded`], the one place
//! where a reference engine's panic is caught and turned into an [`EnginePanic`].

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

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
///
/// Oracles do not call these methods directly: they go through [`Guarded`], which
/// catches a reference engine's panic.
pub trait DiffEngine {
    /// Short name for reports.
    fn name(&self) -> &'static str;
    /// Whether this is a reference engine (wasmi, Wasmtime): a panic inside it is its
    /// own bug, caught by [`Guarded`] and reported as an [`EnginePanic`]. `false` for
    /// Metron: a panic inside Metron is Metron's bug and unwinds as a test failure (or a
    /// fuzzer crash).
    fn is_reference(&self) -> bool;
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

    fn is_reference(&self) -> bool {
        false
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

/// A reference engine's panic, caught by [`Guarded`]: a bug of that engine, not a
/// divergence of Metron's (`oracle::Divergence::ReferencePanic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnginePanic {
    /// The engine's [`DiffEngine::name`].
    pub engine: &'static str,
    /// The panic message (the payload when it is a string).
    pub message: String,
    /// Whether the engine was running Metron's instrumented module
    /// (`metron_vm::instrument::instrument(wasm, &Config::default())`, the `gas_*`
    /// oracles) rather than the module itself.
    pub instrumented: bool,
}

thread_local! {
    /// The reference engine this thread is inside, if any (read by the panic hook of
    /// [`install_panic_hook`]).
    static IN_REFERENCE: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// An engine as the oracles drive it: the methods of [`DiffEngine`], each run under
/// `catch_unwind` when the engine is a reference engine ([`DiffEngine::is_reference`]),
/// so that a reference engine's panic becomes `Err(EnginePanic)` instead of ending the
/// run. Metron's calls are not wrapped: its panics unwind as before. After a panic the
/// engine's state is unspecified; the oracle stops at the first `Err`.
pub struct Guarded<'a> {
    engine: &'a mut dyn DiffEngine,
    instrumented: bool,
}

impl<'a> Guarded<'a> {
    /// Wraps `engine`.
    pub fn new(engine: &'a mut dyn DiffEngine) -> Self {
        Self {
            engine,
            instrumented: false,
        }
    }

    /// Wraps `engine`, which runs Metron's instrumented module (its panics say so).
    pub fn on_instrumented(engine: &'a mut dyn DiffEngine) -> Self {
        Self {
            engine,
            instrumented: true,
        }
    }

    /// [`DiffEngine::name`].
    pub fn name(&self) -> &'static str {
        self.engine.name()
    }

    /// The one place that catches a reference engine's panic.
    fn run<T>(&mut self, f: impl FnOnce(&mut dyn DiffEngine) -> T) -> Result<T, EnginePanic> {
        if !self.engine.is_reference() {
            return Ok(f(self.engine));
        }
        let name = self.engine.name();
        let outer = IN_REFERENCE.with(|c| c.replace(Some(name)));
        // The engine is not used again after a panic (the oracle returns the
        // `EnginePanic`), so a half-updated engine is never observed.
        let r = panic::catch_unwind(AssertUnwindSafe(|| f(&mut *self.engine)));
        IN_REFERENCE.with(|c| c.set(outer));
        r.map_err(|payload| EnginePanic {
            engine: name,
            message: panic_message(payload.as_ref()),
            instrumented: self.instrumented,
        })
    }

    /// [`DiffEngine::instantiate`].
    ///
    /// # Errors
    /// The engine panicked.
    pub fn instantiate(
        &mut self,
        wasm: &[u8],
    ) -> Result<Result<(), Option<TrapClass>>, EnginePanic> {
        self.run(|e| e.instantiate(wasm))
    }

    /// [`DiffEngine::call`].
    ///
    /// # Errors
    /// The engine panicked.
    pub fn call(&mut self, export: &str, args: &[Value]) -> Result<Outcome, EnginePanic> {
        self.run(|e| e.call(export, args))
    }

    /// [`DiffEngine::global`].
    ///
    /// # Errors
    /// The engine panicked.
    pub fn global(&mut self, export: &str) -> Result<Option<Value>, EnginePanic> {
        self.run(|e| e.global(export))
    }

    /// [`DiffEngine::set_global`].
    ///
    /// # Errors
    /// The engine panicked.
    pub fn set_global(&mut self, export: &str, value: Value) -> Result<bool, EnginePanic> {
        self.run(|e| e.set_global(export, value))
    }

    /// [`DiffEngine::memory`].
    ///
    /// # Errors
    /// The engine panicked.
    pub fn memory(&mut self, export: &str) -> Result<Option<Vec<u8>>, EnginePanic> {
        self.run(|e| e.memory(export))
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic payload that is not a string)".to_string()
    }
}

/// Installs a panic hook for the cargo-fuzz targets (their `init:`). libfuzzer-sys's
/// hook aborts the process on any panic, before unwinding, so [`Guarded`] could never
/// catch a reference engine's panic. This hook prints one line for a panic raised inside
/// a reference engine and lets it unwind to [`Guarded`]; any other panic (Metron's, an
/// oracle's, the target's own `panic!` on a divergence) goes to the previous hook, which
/// aborts: that stays a crash.
pub fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| match IN_REFERENCE.with(Cell::get) {
        Some(engine) => eprintln!(
            "metron-fuzz: reference engine {engine} panicked (caught, not a Metron crash): {info}"
        ),
        None => previous(info),
    }));
}

#[cfg(feature = "engines")]
mod wasmi_engine;
#[cfg(feature = "engines")]
pub use wasmi_engine::Wasmi;

#[cfg(feature = "wasmtime")]
mod wasmtime_engine;
#[cfg(feature = "wasmtime")]
pub use wasmtime_engine::Wasmtime;

#[cfg(test)]
mod tests {
    use super::*;

    /// An engine whose every call panics; `reference` says whose bug that is.
    struct Panicky {
        reference: bool,
    }

    impl DiffEngine for Panicky {
        fn name(&self) -> &'static str {
            "panicky"
        }
        fn is_reference(&self) -> bool {
            self.reference
        }
        fn instantiate(&mut self, _: &[u8]) -> Result<(), Option<TrapClass>> {
            panic!("instantiate {}", 7)
        }
        fn call(&mut self, _: &str, _: &[Value]) -> Outcome {
            panic!("call")
        }
        fn global(&mut self, _: &str) -> Option<Value> {
            None
        }
        fn set_global(&mut self, _: &str, _: Value) -> bool {
            false
        }
        fn memory(&mut self, _: &str) -> Option<Vec<u8>> {
            None
        }
    }

    #[test]
    fn a_reference_engines_panic_is_returned() {
        let mut e = Panicky { reference: true };
        let mut g = Guarded::new(&mut e);
        let p = g.instantiate(&[]).unwrap_err();
        assert_eq!(
            p,
            EnginePanic {
                engine: "panicky",
                message: "instantiate 7".into(),
                instrumented: false,
            }
        );
        assert_eq!(g.call("f", &[]).unwrap_err().message, "call");
        assert_eq!(g.global("g"), Ok(None));
        let mut e = Panicky { reference: true };
        assert!(
            Guarded::on_instrumented(&mut e)
                .call("f", &[])
                .unwrap_err()
                .instrumented
        );
        assert_eq!(IN_REFERENCE.with(Cell::get), None);
    }

    #[test]
    fn metrons_panic_unwinds() {
        let r = panic::catch_unwind(|| {
            let mut e = Panicky { reference: false };
            let _ = Guarded::new(&mut e).call("f", &[]);
        });
        assert_eq!(
            r.unwrap_err().downcast_ref::<&str>(),
            Some(&"call"),
            "a panic of an engine that is not a reference engine must unwind"
        );
    }
}
