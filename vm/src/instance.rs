//! Instances: linking, allocation, segment initialization, start function, invocation.
//!
//! REQUEST TO VM-A (lib.rs is yours): please re-export
//! `pub use instance::{Instance, InstantiationError};` and `pub use host::NoHost;`.
//!
//! Instantiation follows WebAssembly 2.0: imports are linked (function imports only,
//! through [`Host::resolve_func`]); globals, the memory and tables are allocated; active
//! element segments, then active data segments, are applied in module order, trapping on
//! the first out-of-bounds one (earlier writes stay, the instance is discarded anyway);
//! active and declared segments are then dropped; finally the start function runs.

use core::fmt;

use crate::exec::{self, Stacks};
use crate::host::Host;
use crate::memory::Memory;
use crate::meter::GasMeter;
use crate::module::{ConstExpr, DataMode, ElementMode, FuncKind, Module, ModuleInner};
use crate::table::Table;
use crate::trap::{Trap, TrapKind};
use crate::types::{ExternKind, FuncType};
use crate::value::{default_cell, Value, NULL_REF};

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
    /// A table, memory or global import (not linkable in this version).
    UnsupportedImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What kind of import it is.
        kind: ExternKind,
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

/// The mutable state of an instance, as the interpreter sees it.
#[derive(Debug)]
pub(crate) struct Store {
    /// Memory 0 (a zero-page memory that cannot grow when the module has none, so that
    /// loads need no `Option` check; validation forbids memory ops without memory).
    pub memory: Memory,
    /// Whether the module declares a memory.
    pub has_memory: bool,
    /// Tables (index space order).
    pub tables: Vec<Table>,
    /// Global values as cells.
    pub globals: Vec<u64>,
    /// Element segments, evaluated to cells; dropped segments are empty.
    pub elems: Vec<Box<[u64]>>,
    /// Data segment dropped flags (the bytes stay in the shared module).
    pub data_dropped: Vec<bool>,
    /// Host id of each imported function, by function index.
    pub host_ids: Vec<u32>,
}

/// An instantiated module: memory, tables, globals and execution buffers.
///
/// Not shared between threads while running; create one per call context.
pub struct Instance {
    module: Module,
    store: Store,
    stacks: Stacks,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("memory_pages", &self.store.memory.size_pages())
            .field("tables", &self.store.tables.len())
            .field("globals", &self.store.globals.len())
            .finish()
    }
}

/// Evaluates a constant expression over the globals computed so far.
fn eval_const(expr: ConstExpr, globals: &[u64]) -> u64 {
    match expr {
        ConstExpr::I32(v) => Value::I32(v).to_cell(),
        ConstExpr::I64(v) => Value::I64(v).to_cell(),
        ConstExpr::F32(b) => u64::from(b),
        ConstExpr::F64(b) => b,
        ConstExpr::RefNull(_) => NULL_REF,
        ConstExpr::RefFunc(f) => u64::from(f),
        // Validation only admits earlier (imported) globals; imports are unsupported, so
        // an out-of-range index cannot occur. Null/zero keeps this total without a panic.
        ConstExpr::GlobalGet(g) => globals.get(g as usize).copied().unwrap_or(0),
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
        let m: &ModuleInner = &module.inner;

        // Imports: only functions link.
        for imp in &m.imports {
            if imp.kind != ExternKind::Func {
                return Err(InstantiationError::UnsupportedImport {
                    module: imp.name.module.clone(),
                    name: imp.name.name.clone(),
                    kind: imp.kind,
                });
            }
        }
        let mut host_ids = Vec::with_capacity(m.num_imported_funcs as usize);
        for decl in &m.funcs[..m.num_imported_funcs as usize] {
            let FuncKind::Import(name) = &decl.kind else {
                break;
            };
            let ty = &m.types[decl.type_index as usize];
            match host.resolve_func(&name.module, &name.name, ty) {
                Some(id) => host_ids.push(id),
                None => {
                    return Err(InstantiationError::UnresolvedImport {
                        module: name.module.clone(),
                        name: name.name.clone(),
                        ty: ty.clone(),
                    })
                }
            }
        }

        // Globals, in order (an initializer may read earlier globals).
        let mut globals = Vec::with_capacity(m.globals.len());
        for g in &m.globals {
            let v = eval_const(g.init, &globals);
            globals.push(v);
        }

        // Memory and tables.
        let (memory, has_memory) = match &m.memory {
            Some(d) => (
                Memory::new(d.min_pages, d.max_pages)
                    .ok_or(InstantiationError::Resource("memory"))?,
                true,
            ),
            None => (
                Memory::new(0, 0).ok_or(InstantiationError::Resource("memory"))?,
                false,
            ),
        };
        let mut tables = Vec::with_capacity(m.tables.len());
        for t in &m.tables {
            tables.push(
                Table::new(t.min, t.max, default_cell(t.elem))
                    .ok_or(InstantiationError::Resource("table"))?,
            );
        }

        // Element segments, evaluated once.
        let elems: Vec<Box<[u64]>> = m
            .elements
            .iter()
            .map(|seg| seg.items.iter().map(|&e| eval_const(e, &globals)).collect())
            .collect();

        let mut store = Store {
            memory,
            has_memory,
            tables,
            globals,
            elems,
            data_dropped: vec![false; m.datas.len()],
            host_ids,
        };

        // Active element segments, then active data segments, in order.
        for (i, seg) in m.elements.iter().enumerate() {
            match &seg.mode {
                ElementMode::Active { table, offset } => {
                    let off = eval_const(*offset, &store.globals) as u32;
                    let items = core::mem::take(&mut store.elems[i]);
                    let len = items.len() as u32;
                    store
                        .tables
                        .get_mut(*table as usize)
                        .ok_or(TrapKind::TableOutOfBounds)
                        .and_then(|t| t.init(off, &items, 0, len))
                        .map_err(Trap::new)?;
                }
                ElementMode::Declared => store.elems[i] = Box::default(),
                ElementMode::Passive => {}
            }
        }
        for (i, seg) in m.datas.iter().enumerate() {
            if let DataMode::Active { offset } = &seg.mode {
                let off = eval_const(*offset, &store.globals) as u32;
                store
                    .memory
                    .init(off, &seg.bytes, 0, seg.bytes.len() as u32)
                    .map_err(Trap::new)?;
                store.data_dropped[i] = true;
            }
        }

        let mut stacks = Stacks::default();
        stacks.frames.reserve((m.max_call_depth as usize).min(1024));
        let mut instance = Instance {
            module: module.clone(),
            store,
            stacks,
        };
        if let Some(start) = m.start {
            instance.run(host, start, gas)?;
        }
        Ok(instance)
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
        let Instance {
            module,
            store,
            stacks,
        } = self;
        let m: &ModuleInner = &module.inner;
        let func = match m.exports.get(export) {
            Some(e) if e.kind == ExternKind::Func => e.index,
            _ => return Err(Trap::host(format!("no exported function `{export}`"))),
        };
        let ty = &m.types[m.funcs[func as usize].type_index as usize];
        let params = ty.params();
        // A funcref argument must name a function of this module (or be null).
        let bad_ref =
            |a: &Value| matches!(a, Value::FuncRef(Some(f)) if *f as usize >= m.funcs.len());
        if args.len() != params.len()
            || args
                .iter()
                .zip(params)
                .any(|(a, &p)| a.ty() != p || bad_ref(a))
        {
            return Err(Trap::host(format!(
                "`{export}` has type {ty}, called with {} argument(s) of other types",
                args.len()
            )));
        }
        let need = params.len().max(ty.results().len());
        if stacks.values.len() < need {
            stacks.values.resize(need, 0);
        }
        for (cell, a) in stacks.values.iter_mut().zip(args) {
            *cell = a.to_cell();
        }
        exec::execute(m, store, stacks, host, gas, func)?;
        Ok(ty
            .results()
            .iter()
            .zip(&stacks.values)
            .map(|(&t, &c)| Value::from_cell(t, c))
            .collect())
    }

    /// Runs function `func` (no arguments: the start function).
    fn run<H: Host>(&mut self, host: &mut H, func: u32, gas: &mut GasMeter) -> Result<(), Trap> {
        let module = self.module.clone();
        exec::execute(
            &module.inner,
            &mut self.store,
            &mut self.stacks,
            host,
            gas,
            func,
        )
    }

    /// The contents of memory 0, or `None` if the module has no memory.
    pub fn memory(&self) -> Option<&[u8]> {
        self.store.has_memory.then(|| self.store.memory.data())
    }

    /// The current value of the exported global `export`.
    pub fn global(&self, export: &str) -> Option<Value> {
        let m: &ModuleInner = &self.module.inner;
        let e = m.exports.get(export)?;
        if e.kind != ExternKind::Global {
            return None;
        }
        let decl = m.globals.get(e.index as usize)?;
        let cell = *self.store.globals.get(e.index as usize)?;
        Some(Value::from_cell(decl.ty, cell))
    }

    /// The module this instance was created from.
    pub fn module(&self) -> &Module {
        &self.module
    }
}
