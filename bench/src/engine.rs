//! The two engines behind one small interface: configuration (metering on or off,
//! eager compilation) and a [`Runner`] that calls one exported `(i32) -> i64` workload.

use metron_vm::{Config, GasMeter, Instance, Limits, Module, NoHost, Value};

/// One prepared benchmark case on one engine: compiled, instantiated, ready to call.
pub trait Runner {
    /// Runs the case with size parameter `n` and returns its checksum.
    ///
    /// # Errors
    /// A trap or host error, as text.
    fn run(&mut self, n: i32) -> Result<i64, String>;

    /// Metron gas used by the last run (`None` on wasmi).
    fn gas_used(&self) -> Option<u64>;
}

/// Which engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// Metron (this repository's VM).
    Metron,
    /// wasmi 2.x, eager compilation.
    Wasmi,
}

impl EngineKind {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Metron => "metron",
            EngineKind::Wasmi => "wasmi",
        }
    }
}

/// Metron's configuration for benchmarks: the default (consensus) configuration with
/// `metering` as given and the module-size limits raised so that the large workload
/// modules (the `regex` build is over 1 MiB) load. Execution semantics and gas are those
/// of the default configuration.
pub fn metron_config(metering: bool) -> Config {
    Config {
        metering,
        limits: Limits {
            max_code_size: 64 << 20,
            max_function_body_size: 8 << 20,
            max_functions: 1 << 20,
            max_memory_pages: 1024,
            ..Limits::default()
        },
        ..Config::default()
    }
}

/// A wasmi engine: eager compilation (validation and translation at `Module::new`, like
/// Metron), fuel metering as given, everything else default.
pub fn wasmi_engine(metering: bool) -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    config
        .consume_fuel(metering)
        .compilation_mode(wasmi::CompilationMode::Eager);
    wasmi::Engine::new(&config)
}

/// A workload export on Metron.
pub struct MetronRunner {
    instance: Instance,
    export: &'static str,
    last_gas: u64,
}

impl MetronRunner {
    /// Compiles `wasm` and instantiates it (the workloads import nothing).
    ///
    /// # Errors
    /// A compile or instantiation error, as text.
    pub fn new(wasm: &[u8], export: &'static str, metering: bool) -> Result<Self, String> {
        let module = Module::new(&metron_config(metering), wasm)
            .map_err(|e| format!("metron: compile: {e}"))?;
        let instance = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited())
            .map_err(|e| format!("metron: instantiate: {e}"))?;
        Ok(MetronRunner {
            instance,
            export,
            last_gas: 0,
        })
    }
}

impl Runner for MetronRunner {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        let mut gas = GasMeter::unlimited();
        let r = self
            .instance
            .invoke(&mut NoHost, self.export, &[Value::I32(n)], &mut gas)
            .map_err(|e| format!("metron: {}: {e}", self.export))?;
        self.last_gas = gas.used();
        match r.as_slice() {
            [Value::I64(v)] => Ok(*v),
            other => Err(format!(
                "metron: {}: unexpected results {other:?}",
                self.export
            )),
        }
    }

    fn gas_used(&self) -> Option<u64> {
        Some(self.last_gas)
    }
}

/// A workload export on wasmi.
pub struct WasmiRunner {
    store: wasmi::Store<()>,
    func: wasmi::TypedFunc<i32, i64>,
    export: &'static str,
    metering: bool,
}

impl WasmiRunner {
    /// Compiles `wasm` eagerly and instantiates it.
    ///
    /// # Errors
    /// A compile or instantiation error, as text.
    pub fn new(wasm: &[u8], export: &'static str, metering: bool) -> Result<Self, String> {
        let engine = wasmi_engine(metering);
        let module =
            wasmi::Module::new(&engine, wasm).map_err(|e| format!("wasmi: compile: {e}"))?;
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| format!("wasmi: instantiate: {e}"))?;
        let func = instance
            .get_typed_func::<i32, i64>(&store, export)
            .map_err(|e| format!("wasmi: {export}: {e}"))?;
        Ok(WasmiRunner {
            store,
            func,
            export,
            metering,
        })
    }
}

impl Runner for WasmiRunner {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        if self.metering {
            self.store
                .set_fuel(1 << 60)
                .map_err(|e| format!("wasmi: fuel: {e}"))?;
        }
        self.func
            .call(&mut self.store, n)
            .map_err(|e| format!("wasmi: {}: {e}", self.export))
    }

    fn gas_used(&self) -> Option<u64> {
        None
    }
}
