//! The store: every runtime object (functions, memories, tables, globals, instances),
//! owned in one place and named by index ("address"), as in the WebAssembly spec.
//!
//! Instances do not own their memory, tables or globals: an instance holds the store
//! addresses of everything in its index spaces (imports first), so two instances can
//! share a memory, a table or a mutable global, and a table may hold functions of
//! several instances. A function reference (a table element, a `funcref` value) is a
//! store function address. A call into another instance's function is an ordinary
//! frame push of the interpreter (frames record their instance): never native recursion.
//!
//! Instantiation follows WebAssembly 2.0: imports are checked against their declared
//! types first (nothing is allocated if one does not match); then functions, tables,
//! the memory and globals are allocated; active element segments, then active data
//! segments, are applied in module order; the start function runs last. A trap in a
//! segment or the start function fails the instantiation, but what it already allocated
//! and wrote stays in the store (the spec's semantics, observable through shared tables
//! and memories); the failed instance's functions stay callable through such tables.
//!
//! Determinism: every collection here is a `Vec` indexed by address, allocated in
//! module order; nothing iterates a hash map.

use core::fmt;

use crate::exec::{self, Stacks};
use crate::host::Host;
use crate::instance::InstantiationError;
use crate::memory::Memory;
use crate::meter::GasMeter;
use crate::module::{ConstExpr, DataMode, ElementMode, FuncKind, Module, ModuleInner};
use crate::table::Table;
use crate::trap::{Trap, TrapKind};
use crate::types::{ExternKind, FuncType, ValType};
use crate::value::{Value, NULL_REF};
use crate::{Config, Limits};

/// An instance in a [`Store`] (its index in the store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(pub(crate) u32);

/// A runtime object of a [`Store`], by address: what imports are satisfied with and
/// what exports resolve to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Extern {
    /// A function address (also the payload of `Value::FuncRef`).
    Func(u32),
    /// A table address.
    Table(u32),
    /// A memory address.
    Memory(u32),
    /// A global address.
    Global(u32),
}

impl Extern {
    /// The kind of object.
    pub fn kind(&self) -> ExternKind {
        match self {
            Extern::Func(_) => ExternKind::Func,
            Extern::Table(_) => ExternKind::Table,
            Extern::Memory(_) => ExternKind::Memory,
            Extern::Global(_) => ExternKind::Global,
        }
    }
}

/// A function of the store.
#[derive(Debug)]
pub(crate) enum FuncInst {
    /// Defined function `index` of instance `instance` (always a compiled function).
    Wasm {
        /// Owning instance.
        instance: u32,
        /// Function index in that instance's module.
        index: u32,
    },
    /// A host function, run through [`Host::call`] with `id`.
    Host {
        /// The id the host gave at link time.
        id: u32,
        /// Its type.
        ty: FuncType,
    },
}

/// The type of a global: value type and mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// `mut`?
    pub mutable: bool,
}

/// What an instance resolved its index spaces to (immutable after instantiation).
#[derive(Debug)]
pub(crate) struct InstanceData {
    /// The module.
    pub module: Module,
    /// Store function address of each function index.
    pub funcs: Box<[u32]>,
    /// Store table address of each table index.
    pub tables: Box<[u32]>,
    /// Store memory address of memory 0 (a private zero-page memory if there is none).
    pub memory: u32,
    /// Whether the module has a memory (declared or imported).
    pub has_memory: bool,
    /// Store global address of each global index.
    pub globals: Box<[u32]>,
}

/// The mutable segment state of an instance.
#[derive(Debug, Default)]
pub(crate) struct Segments {
    /// Element segments, evaluated to cells (store function addresses or null);
    /// dropped segments are empty.
    pub elems: Vec<Box<[u64]>>,
    /// Data segment dropped flags (the bytes stay in the shared module).
    pub data_dropped: Vec<bool>,
}

/// Owns all runtime objects of a group of instances that may link to each other.
///
/// Not shared between threads while running; one store per execution context.
pub struct Store {
    pub(crate) funcs: Vec<FuncInst>,
    pub(crate) memories: Vec<Memory>,
    pub(crate) tables: Vec<Table>,
    /// Global values as cells, by global address.
    pub(crate) globals: Vec<u64>,
    /// Global types, by global address.
    pub(crate) global_types: Vec<GlobalType>,
    pub(crate) instances: Vec<InstanceData>,
    /// Segment state, by instance (parallel to `instances`).
    pub(crate) segments: Vec<Segments>,
    pub(crate) stacks: Stacks,
    /// Limits for objects created directly in the store ([`Store::new_memory`], ...).
    pub(crate) limits: Limits,
    /// Call depth limit (frames).
    pub(crate) max_call_depth: u32,
    /// Value-stack limit in slots.
    pub(crate) max_stack_slots: u32,
    /// Work done so far by instantiations and calls in this store (`Store::cost`).
    #[cfg(feature = "cost-counters")]
    pub(crate) cost: crate::cost::Counters,
    /// The call profile, when switched on ([`Store::enable_call_profile`]).
    pub(crate) profile: Option<Box<crate::profile::CallProfile>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("funcs", &self.funcs.len())
            .field("memories", &self.memories.len())
            .field("tables", &self.tables.len())
            .field("globals", &self.globals.len())
            .field("instances", &self.instances.len())
            .finish()
    }
}

/// An `IncompatibleImport` error for import `i` of `m`.
fn incompatible(m: &ModuleInner, i: usize, reason: String) -> InstantiationError {
    let imp = &m.imports[i];
    InstantiationError::IncompatibleImport {
        module: imp.name.module.clone(),
        name: imp.name.name.clone(),
        kind: imp.kind,
        reason,
    }
}

/// Limits subtyping (spec "import matching"): `actual` (current size, declared max)
/// matches `expected` (declared min, declared max).
fn limits_match(actual: (u32, Option<u32>), expected: (u32, Option<u32>)) -> bool {
    actual.0 >= expected.0
        && match (actual.1, expected.1) {
            (_, None) => true,
            (Some(a), Some(e)) => a <= e,
            (None, Some(_)) => false,
        }
}

impl Store {
    /// An empty store whose calls obey `config`'s call depth and stack limits, and whose
    /// directly created objects obey `config.limits`.
    pub fn new(config: &Config) -> Store {
        Store {
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            global_types: Vec::new(),
            instances: Vec::new(),
            segments: Vec::new(),
            stacks: Stacks::default(),
            limits: config.limits.clone(),
            max_call_depth: config.max_call_depth,
            max_stack_slots: config.max_stack_slots,
            #[cfg(feature = "cost-counters")]
            cost: crate::cost::Counters::default(),
            profile: None,
        }
    }

    /// Switches on the call profile (gas by function and call path, see
    /// [`crate::profile`]) for the calls made from now on, starting an empty one. Calls
    /// then run slower (every call and return goes through the interpreter loop); gas,
    /// results and traps are the same.
    pub fn enable_call_profile(&mut self) {
        self.profile = Some(Box::default());
    }

    /// The call profile collected since [`Store::enable_call_profile`], which switches
    /// it off; `None` if it was not on.
    pub fn take_call_profile(&mut self) -> Option<crate::profile::CallProfile> {
        self.profile.take().map(|p| *p)
    }

    /// The work counted since this store was created or [`Store::reset_cost`] was
    /// last called: instantiations (objects allocated, segments applied, the start
    /// function) and calls (feature `cost-counters`, see [`crate::cost`]).
    #[cfg(feature = "cost-counters")]
    pub fn cost(&self) -> crate::cost::Counters {
        self.cost
    }

    /// Sets the work counters of [`Store::cost`] to zero.
    #[cfg(feature = "cost-counters")]
    pub fn reset_cost(&mut self) {
        self.cost = crate::cost::Counters::default();
    }

    /// The store used by a single [`crate::Instance`] of `module`: the module's limits.
    pub(crate) fn for_module(module: &Module) -> Store {
        let m = &module.inner;
        let mut s = Store::new(&Config::default());
        s.limits = m.limits.clone();
        s.max_call_depth = m.max_call_depth;
        s.max_stack_slots = m.max_stack_slots;
        s
    }

    /// Adds a host function with `id` (passed to [`Host::call`]) and type `ty`.
    pub fn new_host_func(&mut self, id: u32, ty: FuncType) -> Extern {
        self.funcs.push(FuncInst::Host { id, ty });
        Extern::Func(self.funcs.len() as u32 - 1)
    }

    /// Adds a global of type `ty` (`mutable` or not) with value `value`.
    ///
    /// # Errors
    /// `None` when `value` is not of type `ty` or is a function reference that is not in
    /// this store.
    pub fn new_global(&mut self, ty: ValType, mutable: bool, value: Value) -> Option<Extern> {
        if value.ty() != ty || !self.valid_ref(&value) {
            return None;
        }
        self.globals.push(value.to_cell());
        self.global_types.push(GlobalType { ty, mutable });
        Some(Extern::Global(self.globals.len() as u32 - 1))
    }

    /// Adds a table of `min` null elements of type `elem` (a reference type) with
    /// declared maximum `max`; growth is also capped by the store's limits.
    ///
    /// # Errors
    /// `None` when `elem` is not a reference type, `min > max`, `min` exceeds the
    /// limits, or allocation fails.
    pub fn new_table(&mut self, elem: ValType, min: u32, max: Option<u32>) -> Option<Extern> {
        if !elem.is_ref() || min > self.limits.max_table_elements {
            return None;
        }
        let cap = max.map_or(self.limits.max_table_elements, |m| {
            m.min(self.limits.max_table_elements)
        });
        self.tables.push(Table::typed(elem, min, cap, max)?);
        Some(Extern::Table(self.tables.len() as u32 - 1))
    }

    /// Adds a zeroed memory of `min` pages with declared maximum `max`; growth is also
    /// capped by the store's limits.
    ///
    /// # Errors
    /// `None` when `min > max`, `min` exceeds the limits, or allocation fails.
    pub fn new_memory(&mut self, min: u32, max: Option<u32>) -> Option<Extern> {
        if min > self.limits.max_memory_pages {
            return None;
        }
        let cap = max.map_or(self.limits.max_memory_pages, |m| {
            m.min(self.limits.max_memory_pages)
        });
        self.memories.push(Memory::typed(min, cap, max)?);
        Some(Extern::Memory(self.memories.len() as u32 - 1))
    }

    /// Whether `v` is null, not a reference, or a function reference into this store.
    fn valid_ref(&self, v: &Value) -> bool {
        !matches!(v, Value::FuncRef(Some(f)) if *f as usize >= self.funcs.len())
    }

    /// The export `name` of `instance`, as a store object.
    pub fn export(&self, instance: InstanceId, name: &str) -> Option<Extern> {
        let inst = self.instances.get(instance.0 as usize)?;
        let e = inst.module.inner.exports.get(name)?;
        let i = e.index as usize;
        Some(match e.kind {
            ExternKind::Func => Extern::Func(*inst.funcs.get(i)?),
            ExternKind::Table => Extern::Table(*inst.tables.get(i)?),
            ExternKind::Memory => Extern::Memory(inst.memory),
            ExternKind::Global => Extern::Global(*inst.globals.get(i)?),
        })
    }

    /// All exports of `instance` in name order (deterministic).
    pub fn exports(&self, instance: InstanceId) -> Vec<(String, Extern)> {
        let Some(inst) = self.instances.get(instance.0 as usize) else {
            return Vec::new();
        };
        inst.module
            .inner
            .exports
            .keys()
            .filter_map(|n| Some((n.clone(), self.export(instance, n)?)))
            .collect()
    }

    /// The module `instance` was created from.
    pub fn module(&self, instance: InstanceId) -> Option<&Module> {
        Some(&self.instances.get(instance.0 as usize)?.module)
    }

    /// The current value of the global at `global` (an [`Extern::Global`]).
    pub fn global_value(&self, global: Extern) -> Option<Value> {
        let Extern::Global(g) = global else {
            return None;
        };
        let ty = self.global_types.get(g as usize)?;
        Some(Value::from_cell(ty.ty, *self.globals.get(g as usize)?))
    }

    /// The contents of the memory at `memory` (an [`Extern::Memory`]).
    pub fn memory_data(&self, memory: Extern) -> Option<&[u8]> {
        let Extern::Memory(m) = memory else {
            return None;
        };
        Some(self.memories.get(m as usize)?.data())
    }

    /// The contents of memory 0 of `instance`, or `None` without memory.
    pub fn instance_memory(&self, instance: InstanceId) -> Option<&[u8]> {
        let inst = self.instances.get(instance.0 as usize)?;
        inst.has_memory
            .then(|| self.memories[inst.memory as usize].data())
    }

    /// The last `memory.grow` refused by memory 0 of `instance`, if any (diagnostics).
    pub fn instance_memory_refusal(
        &self,
        instance: InstanceId,
    ) -> Option<crate::memory::GrowRefusal> {
        let inst = self.instances.get(instance.0 as usize)?;
        if !inst.has_memory {
            return None;
        }
        self.memories[inst.memory as usize].last_refusal()
    }

    /// The type of the function at store address `func`.
    pub(crate) fn func_type(&self, func: u32) -> Option<&FuncType> {
        match self.funcs.get(func as usize)? {
            FuncInst::Host { ty, .. } => Some(ty),
            FuncInst::Wasm { instance, index } => {
                let m = &self.instances[*instance as usize].module;
                m.func_type(*index)
            }
        }
    }

    /// Checks that `ext` satisfies import `i` of `m` (spec "import matching").
    fn check_import(
        &self,
        m: &ModuleInner,
        i: usize,
        ext: Extern,
    ) -> Result<(), InstantiationError> {
        let imp = &m.imports[i];
        if ext.kind() != imp.kind {
            return Err(incompatible(
                m,
                i,
                format!("expected a {}, found a {}", imp.kind, ext.kind()),
            ));
        }
        Ok(())
    }

    /// Instantiates `module` with `imports` (one store object per import, in module
    /// order), charging the start function to `gas`. Function imports that are host
    /// functions run through `host`.
    ///
    /// # Errors
    /// [`InstantiationError::IncompatibleImport`] when an import has the wrong kind or
    /// type (nothing allocated), [`InstantiationError::Resource`] when an allocation
    /// fails, [`InstantiationError::Trap`] when an active segment is out of bounds or the
    /// start function traps (what was allocated and written so far stays in the store).
    pub fn instantiate<H: Host>(
        &mut self,
        module: &Module,
        imports: &[Extern],
        host: &mut H,
        gas: &mut GasMeter,
    ) -> Result<InstanceId, InstantiationError> {
        let m: &ModuleInner = &module.inner;
        if imports.len() != m.imports.len() {
            return Err(InstantiationError::ImportCount {
                expected: m.imports.len(),
                actual: imports.len(),
            });
        }

        // 1. Match every import before allocating anything.
        let (mut fi, mut ti, mut gi) = (0usize, 0usize, 0usize);
        for (i, &ext) in imports.iter().enumerate() {
            self.check_import(m, i, ext)?;
            match ext {
                Extern::Func(f) => {
                    let expected = module.func_type(fi as u32);
                    fi += 1;
                    match (self.func_type(f), expected) {
                        (Some(a), Some(e)) if a == e => {}
                        (Some(a), Some(e)) => {
                            return Err(incompatible(m, i, format!("expected {e}, found {a}")))
                        }
                        _ => return Err(incompatible(m, i, "no such function".into())),
                    }
                }
                Extern::Table(t) => {
                    let decl = &m.tables[ti];
                    ti += 1;
                    let Some(table) = self.tables.get(t as usize) else {
                        return Err(incompatible(m, i, "no such table".into()));
                    };
                    let (elem, size, max) = table.ty();
                    if elem != decl.elem
                        || !limits_match((size, max), (decl.min, decl.declared_max))
                    {
                        return Err(incompatible(m, i, "table type mismatch".into()));
                    }
                }
                Extern::Memory(mem) => {
                    let Some(decl) = &m.memory else {
                        return Err(incompatible(m, i, "no memory declared".into()));
                    };
                    let Some(memory) = self.memories.get(mem as usize) else {
                        return Err(incompatible(m, i, "no such memory".into()));
                    };
                    if !limits_match(memory.ty(), (decl.min_pages, decl.declared_max)) {
                        return Err(incompatible(m, i, "memory limits mismatch".into()));
                    }
                }
                Extern::Global(g) => {
                    let decl = &m.globals[gi];
                    gi += 1;
                    let Some(ty) = self.global_types.get(g as usize) else {
                        return Err(incompatible(m, i, "no such global".into()));
                    };
                    if ty.ty != decl.ty || ty.mutable != decl.mutable {
                        return Err(incompatible(m, i, "global type mismatch".into()));
                    }
                }
            }
        }

        // 2. Charge the instantiation (schedule version 2: pages, table elements,
        // segment items and bytes, index-space entries), then allocate. Imports first in
        // every index space, then definitions.
        if gas.charge(crate::module::instantiation_gas(m)).is_err() {
            return Err(InstantiationError::Trap(Trap::new(TrapKind::OutOfGas)));
        }
        let id = self.instances.len() as u32;
        let mut funcs = Vec::with_capacity(m.funcs.len());
        let mut tables = Vec::with_capacity(m.tables.len());
        let mut globals = Vec::with_capacity(m.globals.len());
        let mut memory = None;
        for &ext in imports {
            match ext {
                Extern::Func(f) => funcs.push(f),
                Extern::Table(t) => tables.push(t),
                Extern::Memory(x) => memory = Some(x),
                Extern::Global(g) => globals.push(g),
            }
        }
        for (index, f) in m.funcs.iter().enumerate().skip(funcs.len()) {
            debug_assert!(matches!(f.kind, FuncKind::Compiled(_)));
            self.funcs.push(FuncInst::Wasm {
                instance: id,
                index: index as u32,
            });
            funcs.push(self.funcs.len() as u32 - 1);
            #[cfg(feature = "cost-counters")]
            {
                self.cost.alloc_bytes = self.cost.alloc_bytes.saturating_add(8);
            }
        }
        for t in &m.tables[tables.len()..] {
            let table = Table::typed(t.elem, t.min, t.max, t.declared_max)
                .ok_or(InstantiationError::Resource("table"))?;
            #[cfg(feature = "cost-counters")]
            {
                let bytes = 8 * u64::from(t.min);
                self.cost.alloc_bytes = self.cost.alloc_bytes.saturating_add(bytes);
            }
            self.tables.push(table);
            tables.push(self.tables.len() as u32 - 1);
        }
        let has_memory = m.memory.is_some();
        let memory = match (memory, &m.memory) {
            (Some(x), _) => x,
            (None, d) => {
                let mem = match d {
                    Some(d) => Memory::typed(d.min_pages, d.max_pages, d.declared_max),
                    None => Memory::typed(0, 0, Some(0)),
                }
                .ok_or(InstantiationError::Resource("memory"))?;
                #[cfg(feature = "cost-counters")]
                {
                    let bytes = u64::from(mem.size_pages()) * 65_536;
                    self.cost.alloc_bytes = self.cost.alloc_bytes.saturating_add(bytes);
                }
                self.memories.push(mem);
                self.memories.len() as u32 - 1
            }
        };
        for g in &m.globals[globals.len()..] {
            let v = self.eval_const(g.init, &funcs, &globals);
            self.globals.push(v);
            self.global_types.push(GlobalType {
                ty: g.ty,
                mutable: g.mutable,
            });
            globals.push(self.globals.len() as u32 - 1);
            #[cfg(feature = "cost-counters")]
            {
                self.cost.alloc_bytes = self.cost.alloc_bytes.saturating_add(8);
            }
        }
        #[cfg(feature = "cost-counters")]
        {
            let items: u64 = m.elements.iter().map(|seg| seg.items.len() as u64).sum();
            self.cost.alloc_bytes = self.cost.alloc_bytes.saturating_add(8 * items);
        }
        let elems: Vec<Box<[u64]>> = m
            .elements
            .iter()
            .map(|seg| {
                seg.items
                    .iter()
                    .map(|&e| self.eval_const(e, &funcs, &globals))
                    .collect()
            })
            .collect();
        self.instances.push(InstanceData {
            module: module.clone(),
            funcs: funcs.into(),
            tables: tables.into(),
            memory,
            has_memory,
            globals: globals.into(),
        });
        self.segments.push(Segments {
            elems,
            data_dropped: vec![false; m.datas.len()],
        });

        // 3. Active element segments, then active data segments, in order.
        let inst = &self.instances[id as usize];
        let seg = &mut self.segments[id as usize];
        for (i, el) in m.elements.iter().enumerate() {
            match &el.mode {
                ElementMode::Active { table, offset } => {
                    let off = const_cell(*offset, &self.globals, &inst.globals) as u32;
                    let items = core::mem::take(&mut seg.elems[i]);
                    let len = items.len() as u32;
                    inst.tables
                        .get(*table as usize)
                        .and_then(|&t| self.tables.get_mut(t as usize))
                        .ok_or(TrapKind::TableOutOfBounds)
                        .and_then(|t| t.init(off, &items, 0, len))
                        .map_err(Trap::new)?;
                    #[cfg(feature = "cost-counters")]
                    {
                        let bytes = 8 * u64::from(len);
                        self.cost.bulk_bytes = self.cost.bulk_bytes.saturating_add(bytes);
                    }
                }
                ElementMode::Declared => seg.elems[i] = Box::default(),
                ElementMode::Passive => {}
            }
        }
        for (i, d) in m.datas.iter().enumerate() {
            if let DataMode::Active { offset } = &d.mode {
                let off = const_cell(*offset, &self.globals, &inst.globals) as u32;
                self.memories[inst.memory as usize]
                    .init(off, &d.bytes, 0, d.bytes.len() as u32)
                    .map_err(Trap::new)?;
                #[cfg(feature = "cost-counters")]
                {
                    let bytes = d.bytes.len() as u64;
                    self.cost.bulk_bytes = self.cost.bulk_bytes.saturating_add(bytes);
                }
                seg.data_dropped[i] = true;
            }
        }

        // 4. The start function.
        if let Some(start) = m.start {
            let addr = self.instances[id as usize].funcs[start as usize];
            self.stacks.values.clear();
            exec::execute(self, host, gas, id, addr)?;
        }
        Ok(InstanceId(id))
    }

    /// Evaluates a constant expression of a module being instantiated, given its function
    /// and global addresses so far.
    fn eval_const(&self, expr: ConstExpr, funcs: &[u32], globals: &[u32]) -> u64 {
        match expr {
            ConstExpr::RefFunc(f) => funcs.get(f as usize).map_or(NULL_REF, |&a| u64::from(a)),
            other => const_cell(other, &self.globals, globals),
        }
    }

    /// Calls the exported function `export` of `instance` with `args`.
    ///
    /// # Errors
    /// The trap that aborted execution. A missing export, or arguments that do not match
    /// the function's parameter types (or name functions outside this store), yield a
    /// `TrapKind::Host` trap before anything runs. After a trap the store stays usable
    /// (its objects keep the effects made before the trap, as in the spec).
    pub fn invoke<H: Host>(
        &mut self,
        host: &mut H,
        instance: InstanceId,
        export: &str,
        args: &[Value],
        gas: &mut GasMeter,
    ) -> Result<Vec<Value>, Trap> {
        match self.export(instance, export) {
            Some(Extern::Func(f)) => self.call_in(host, instance.0, f, args, gas),
            _ => Err(Trap::host(format!("no exported function `{export}`"))),
        }
    }

    /// Calls the function at store address `func` (an [`Extern::Func`]) with `args`.
    /// A host function called this way sees no memory in its [`crate::Caller`].
    ///
    /// # Errors
    /// As [`Store::invoke`].
    pub fn call<H: Host>(
        &mut self,
        host: &mut H,
        func: Extern,
        args: &[Value],
        gas: &mut GasMeter,
    ) -> Result<Vec<Value>, Trap> {
        let Extern::Func(f) = func else {
            return Err(Trap::host("not a function"));
        };
        let instance = match self.funcs.get(f as usize) {
            Some(FuncInst::Wasm { instance, .. }) => *instance,
            _ => u32::MAX,
        };
        self.call_in(host, instance, f, args, gas)
    }

    /// Calls function address `func` on behalf of `instance` (whose memory a host
    /// function sees; `u32::MAX` for none).
    fn call_in<H: Host>(
        &mut self,
        host: &mut H,
        instance: u32,
        func: u32,
        args: &[Value],
        gas: &mut GasMeter,
    ) -> Result<Vec<Value>, Trap> {
        let Some(ty) = self.func_type(func).cloned() else {
            return Err(Trap::host("no such function"));
        };
        let params = ty.params();
        if args.len() != params.len()
            || args
                .iter()
                .zip(params)
                .any(|(a, &p)| a.ty() != p || !self.valid_ref(a))
        {
            return Err(Trap::host(format!(
                "function has type {ty}, called with {} argument(s) of other types",
                args.len()
            )));
        }
        let need = params.len().max(ty.results().len());
        let values = &mut self.stacks.values;
        if values.len() < need {
            values.resize(need, 0);
        }
        for (cell, a) in values.iter_mut().zip(args) {
            *cell = a.to_cell();
        }
        exec::execute(self, host, gas, instance, func)?;
        Ok(ty
            .results()
            .iter()
            .zip(&self.stacks.values)
            .map(|(&t, &c)| Value::from_cell(t, c))
            .collect())
    }
}

/// Evaluates a constant expression that is not `ref.func` (`global.get` reads the global
/// addresses `gaddrs` of the instance).
fn const_cell(expr: ConstExpr, globals: &[u64], gaddrs: &[u32]) -> u64 {
    match expr {
        ConstExpr::I32(v) => Value::I32(v).to_cell(),
        ConstExpr::I64(v) => Value::I64(v).to_cell(),
        ConstExpr::F32(b) => u64::from(b),
        ConstExpr::F64(b) => b,
        ConstExpr::RefNull(_) => NULL_REF,
        // Only reached for table offsets etc., never for a ref.func (see `eval_const`).
        ConstExpr::RefFunc(f) => u64::from(f),
        // Validation only admits globals that exist (imported or earlier).
        ConstExpr::GlobalGet(g) => gaddrs
            .get(g as usize)
            .and_then(|&a| globals.get(a as usize))
            .copied()
            .unwrap_or(0),
    }
}
