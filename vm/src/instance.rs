//! Instances: the single-module API of contracts, over a private [`Store`].
//!
//! [`Instance::new`] links function imports through [`Host::resolve_func`] (a contract
//! cannot import memories, tables or globals), then instantiates as described in
//! [`crate::store`]: globals, memory and tables are allocated, active element segments,
//! then active data segments, are applied in module order, trapping on the first
//! out-of-bounds one; finally the start function runs. Function references seen by the
//! embedder (`Value::FuncRef(Some(i))`) are function indices of the module (the store's
//! addresses coincide with them for a single instance).

use core::fmt;

use crate::host::Host;
use crate::linker::Linker;
use crate::meter::GasMeter;
use crate::module::Module;
use crate::store::{Extern, InstanceId, Store};
use crate::trap::Trap;
use crate::types::{ExternKind, FuncType};
use crate::value::Value;

/// Why instantiation failed.
#[derive(Debug)]
pub enum InstantiationError {
    /// The host did not provide a function import (`Host::resolve_func` returned `None`).
    UnresolvedImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// The import's declared type.
        ty: FuncType,
    },
    /// A table, memory or global import of a module instantiated with
    /// [`Instance::new`] (contracts can only import functions).
    UnsupportedImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What kind of import it is.
        kind: ExternKind,
    },
    /// A [`Linker`] has no definition for a table, memory or global import.
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What kind of import it is.
        kind: ExternKind,
    },
    /// An import was given an object of the wrong kind or type (spec: "incompatible
    /// import type").
    IncompatibleImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What kind of import it is.
        kind: ExternKind,
        /// What does not match (for people).
        reason: String,
    },
    /// [`Store::instantiate`] was given a different number of imports than the module has.
    ImportCount {
        /// The module's number of imports.
        expected: usize,
        /// The number given.
        actual: usize,
    },
    /// The memory or a table cannot be allocated within its maximum.
    Resource(&'static str),
    /// An active segment was out of bounds, or the start function trapped.
    Trap(Trap),
}

impl fmt::Display for InstantiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantiationError::UnresolvedImport { module, name, ty } => {
                write!(f, "unknown import: {module}.{name} {ty}")
            }
            InstantiationError::UnsupportedImport { module, name, kind } => {
                write!(
                    f,
                    "unsupported import: {kind} {module}.{name} (only functions can be imported)"
                )
            }
            InstantiationError::UnknownImport { module, name, kind } => {
                write!(f, "unknown import: {kind} {module}.{name}")
            }
            InstantiationError::IncompatibleImport {
                module,
                name,
                kind,
                reason,
            } => write!(
                f,
                "incompatible import type: {kind} {module}.{name}: {reason}"
            ),
            InstantiationError::ImportCount { expected, actual } => {
                write!(f, "expected {expected} imports, got {actual}")
            }
            InstantiationError::Resource(what) => write!(f, "cannot allocate {what}"),
            InstantiationError::Trap(t) => write!(f, "instantiation trapped: {t}"),
        }
    }
}

impl std::error::Error for InstantiationError {}

impl From<Trap> for InstantiationError {
    fn from(t: Trap) -> Self {
        InstantiationError::Trap(t)
    }
}

/// An instantiated module with its own store: memory, tables, globals and execution
/// buffers.
///
/// Not shared between threads while running; create one per call context.
pub struct Instance {
    store: Store,
    id: InstanceId,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("store", &self.store)
            .finish()
    }
}

impl Instance {
    /// Links imports via `host`, allocates memory/tables/globals, applies active
    /// segments and runs the start function (charging `gas`).
    ///
    /// # Errors
    /// [`InstantiationError::UnresolvedImport`] / [`InstantiationError::UnsupportedImport`]
    /// for imports, [`InstantiationError::Trap`] for an out-of-bounds active segment or a
    /// trapping start function.
    pub fn new<H: Host>(
        module: &Module,
        host: &mut H,
        gas: &mut GasMeter,
    ) -> Result<Instance, InstantiationError> {
        if let Some(imp) = module
            .inner
            .imports
            .iter()
            .find(|i| i.kind != ExternKind::Func)
        {
            return Err(InstantiationError::UnsupportedImport {
                module: imp.name.module.clone(),
                name: imp.name.name.clone(),
                kind: imp.kind,
            });
        }
        let mut store = Store::for_module(module);
        store
            .stacks
            .frames
            .reserve((module.inner.max_call_depth as usize).min(1024));
        let id = Linker::new().instantiate(&mut store, module, host, gas)?;
        Ok(Instance { store, id })
    }

    /// Calls the exported function `export` with `args` and returns its results.
    ///
    /// # Errors
    /// The trap that aborted execution. A missing export or arguments not matching the
    /// function's parameter types yield a `TrapKind::Host` trap with an explanation,
    /// before anything runs. After any error the instance state is unspecified (the chain
    /// discards it).
    pub fn invoke<H: Host>(
        &mut self,
        host: &mut H,
        export: &str,
        args: &[Value],
        gas: &mut GasMeter,
    ) -> Result<Vec<Value>, Trap> {
        self.store.invoke(host, self.id, export, args, gas)
    }

    /// Switches on the call profile for the calls made from now on: gas by function and
    /// call path ([`crate::profile`]). Results, traps and gas are unchanged.
    pub fn enable_call_profile(&mut self) {
        self.store.enable_call_profile();
    }

    /// The call profile collected since [`Instance::enable_call_profile`] (which this
    /// switches off); `None` if it was not on. Function indices are this instance's
    /// module's.
    pub fn take_call_profile(&mut self) -> Option<crate::profile::CallProfile> {
        self.store.take_call_profile()
    }

    /// The contents of memory 0, or `None` if the module has no memory.
    pub fn memory(&self) -> Option<&[u8]> {
        self.store.instance_memory(self.id)
    }

    /// The last `memory.grow` that memory 0 refused (returned -1), if any: diagnostics
    /// for people, not part of any result, state or gas.
    pub fn last_memory_grow_refusal(&self) -> Option<crate::GrowRefusal> {
        self.store.instance_memory_refusal(self.id)
    }

    /// The current value of the exported global `export`.
    pub fn global(&self, export: &str) -> Option<Value> {
        match self.store.export(self.id, export)? {
            g @ Extern::Global(_) => self.store.global_value(g),
            _ => None,
        }
    }

    /// The work counted since the instance was created (its instantiation included) or
    /// [`Instance::reset_cost`] was last called (feature `cost-counters`, see
    /// [`crate::cost`]). Per call: reset, invoke, read.
    #[cfg(feature = "cost-counters")]
    pub fn cost(&self) -> crate::cost::Counters {
        self.store.cost()
    }

    /// Sets the work counters of [`Instance::cost`] to zero.
    #[cfg(feature = "cost-counters")]
    pub fn reset_cost(&mut self) {
        self.store.reset_cost();
    }

    /// The module this instance was created from.
    pub fn module(&self) -> &Module {
        &self.store.instances[self.id.0 as usize].module
    }
}
