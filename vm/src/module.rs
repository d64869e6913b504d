//! Compiled modules: the public [`Module`] handle and the data the interpreter reads.
//!
//! A [`Module`] is validated, limit-checked and fully translated to Metron IR at
//! construction (eagerly: lazy compilation would make gas depend on call history).
//! It is immutable and cheap to clone (`Arc` inside).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::exec::threaded::Op;
use crate::ir::{Instr, Operand, Slot};
use crate::types::{ExternKind, FuncType, ValType};
use crate::{Config, Error, GasSchedule, Limits};

/// A constant expression (global initializers, segment offsets and items).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConstExpr {
    /// `i32.const`.
    I32(i32),
    /// `i64.const`.
    I64(i64),
    /// `f32.const` (raw bits).
    F32(u32),
    /// `f64.const` (raw bits).
    F64(u64),
    /// `ref.null t`.
    RefNull(ValType),
    /// `ref.func f`.
    RefFunc(u32),
    /// `global.get g` (an earlier / imported immutable global).
    GlobalGet(u32),
}

/// `(module, name)` of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImportName {
    /// Import module name.
    pub module: String,
    /// Import field name.
    pub name: String,
}

/// One function: imported (host) or compiled.
#[derive(Debug)]
pub(crate) struct FuncDecl {
    /// Index into `ModuleInner::types`.
    pub type_index: u32,
    /// Import name or compiled body.
    pub kind: FuncKind,
}

/// Body of a [`FuncDecl`].
#[derive(Debug)]
pub(crate) enum FuncKind {
    /// An imported function, linked at instantiation (by a `Linker` definition or
    /// `Host::resolve_func`); the name is kept for people and tools.
    Import(#[allow(dead_code)] ImportName),
    /// A function defined in the module, translated to IR.
    Compiled(CompiledFunc),
}

/// A function's frame: its layout `[params P] [locals L] [consts C] [temporaries]`
/// (`frame_size` slots in all), its consensus stack cost and the entry charge a call
/// takes. Entering it (`exec::enter`) charges the stack cost and sizes the value stack;
/// the function's `enter` instruction zeroes the locals and copies its pool in (where
/// the pool is lives in that instruction). Shared by [`CompiledFunc`] and the call
/// path's [`CallTarget`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FrameShape {
    /// Number of parameters (P).
    pub num_params: u32,
    /// Number of declared locals `enter` zeroes (L, slots `P ..`): every declared local
    /// but those written before any read (`CompiledFunc::num_written`, after the
    /// constants) and those never accessed (no cell).
    pub num_locals: u32,
    /// Number of pooled constants (C), copied to slots `P + L ..` by `enter`.
    pub num_consts: u32,
    /// Total frame size in slots: `P + L + C + W + max temporaries` (W:
    /// `CompiledFunc::num_written`), plus room for `enter`'s whole blocks.
    pub frame_size: u32,
    /// Frame cost for the consensus stack limit, defined on WebAssembly (not on IR):
    /// params + declared locals + maximum operand-stack height (`gas::MeteredBlocks`).
    pub stack_cost: u32,
    /// The charge of the function's entry block when `code[0]` is its `consume_gas`
    /// (else 0): a call charges it itself and starts at `code[1]`, one dispatch fewer
    /// per call. Same charge at the same point (right after the frame is entered).
    pub entry_gas: u32,
}

/// A translated function body.
#[derive(Debug)]
pub(crate) struct CompiledFunc {
    /// Index into `ModuleInner::types`.
    #[allow(dead_code)] // contract field (docs/ir.md); not every consumer reads it
    pub type_index: u32,
    /// Its frame.
    pub frame: FrameShape,
    /// Number of results.
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub num_results: u32,
    /// Number of declared locals written before any read (`docs/ir.md`, "Values and
    /// frames"): after the constants, not zeroed by `enter`, so not in the frame shape
    /// the call path reads (their cells are inside `frame_size`).
    pub num_written: u32,
    /// The IR, each instruction with its interpreter handler (`exec::threaded::Op`):
    /// `ModuleInner::code[code_start .. code_start + code_len]`. One arena per module
    /// instead of a boxed slice per function: two allocations fewer per function at
    /// compile time (measured on the 10k-functions input, `docs/changelog.md`).
    pub code_start: u32,
    /// Number of instructions.
    pub code_len: u32,
}

/// What a call needs to know about its callee: one record per function index (imports
/// too), derived from the [`CompiledFunc`]s by [`ModuleInner::call_targets_of`] when the
/// module is built. The interpreter's call path reads this one dense, fixed-size record
/// instead of the function declaration (no enum to match, no slice bounds to check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CallTarget {
    /// Index in `ModuleInner::code` of the first instruction a call runs
    /// (`code_start + entry_pc`); [`CallTarget::IMPORT`] for an imported function, which
    /// the loop in `exec::run` calls.
    pub entry: u32,
    /// Index into `ModuleInner::types`.
    pub type_index: u32,
    /// The callee's frame (all zero for an import).
    pub frame: FrameShape,
}

impl CallTarget {
    /// `entry` of an imported function.
    pub const IMPORT: u32 = u32::MAX;

    /// The record of compiled function `f`.
    fn of(f: &CompiledFunc) -> CallTarget {
        CallTarget {
            entry: f.code_start + f.entry_pc() as u32,
            type_index: f.type_index,
            frame: f.frame,
        }
    }

    /// The record of an imported function of type `type_index`.
    fn import(type_index: u32) -> CallTarget {
        CallTarget {
            entry: CallTarget::IMPORT,
            type_index,
            frame: FrameShape::default(),
        }
    }
}

impl CompiledFunc {
    /// The entry-block charge of `code` (see [`FrameShape::entry_gas`]).
    pub(crate) fn entry_gas_of(code: &[Instr]) -> u32 {
        match code.first() {
            Some(&Instr::ConsumeGas { amount }) => amount,
            _ => 0,
        }
    }

    /// Index of the instruction a call starts at: 1 when the call charges the entry
    /// block (`entry_gas != 0`; `code[0]` is then a `consume_gas`, never the last
    /// instruction), else 0.
    #[inline(always)]
    pub(crate) fn entry_pc(&self) -> usize {
        usize::from(self.frame.entry_gas != 0)
    }

    /// The function's code in `module`'s arena.
    #[inline(always)]
    pub(crate) fn code<'m>(&self, module: &'m ModuleInner) -> &'m [Op] {
        let start = self.code_start as usize;
        &module.code[start..start + self.code_len as usize]
    }

    /// Human name of a slot: `p0` param, `l0` declared local zeroed on entry, `c0`
    /// constant, `w0` declared local written before any read, `t0` temporary.
    fn slot_name(&self, s: Slot) -> String {
        let p = self.frame.num_params;
        let l = p + self.frame.num_locals;
        let c = l + self.frame.num_consts;
        let w = c + self.num_written;
        match s.0 {
            x if x < p => format!("p{x}"),
            x if x < l => format!("l{}", x - p),
            x if x < c => format!("c{}", x - l),
            x if x < w => format!("w{}", x - c),
            x => format!("t{}", x - w),
        }
    }

    /// Disassembly, one instruction per line: `pc: mnemonic field=value ...`; branch
    /// offsets are shown as absolute targets (`->pc`), constants with their value.
    pub(crate) fn disassemble(&self, module: &ModuleInner) -> String {
        let mut out = String::new();
        for (pc, instr) in self.code(module).iter().map(Op::instr).enumerate() {
            let _ = write!(out, "{pc:>4}: {}", instr.mnemonic());
            instr.for_each_operand(|name, op| {
                let _ = match op {
                    // A branch without a fused block charge (see `Instr::fuse_target_gas`).
                    Operand::U32(0) if name == "gas" => Ok(()),
                    Operand::Slot(s) => write!(out, " {name}={}", self.slot_name(s)),
                    Operand::U32(v) => write!(out, " {name}={v}"),
                    Operand::I32(o) if name == "offset" => {
                        write!(out, " ->{}", pc as i64 + i64::from(o))
                    }
                    Operand::I32(v) => write!(out, " {name}={v}"),
                };
            });
            out.push('\n');
        }
        out
    }
}

/// A table declaration. `max` is already clamped to `Limits::max_table_elements`.
#[derive(Clone, Debug)]
pub(crate) struct TableDecl {
    /// Element type (funcref or externref).
    pub elem: ValType,
    /// Initial size in elements.
    pub min: u32,
    /// Maximum size in elements (clamped).
    pub max: u32,
    /// The maximum as declared by the module (unclamped; import/export type matching).
    pub declared_max: Option<u32>,
    /// Set when the table is imported (not linkable in this version).
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub import: Option<ImportName>,
}

/// The (single) linear memory. `max_pages` is clamped to `Limits::max_memory_pages`:
/// `memory.grow` beyond it returns -1.
#[derive(Clone, Debug)]
pub(crate) struct MemoryDecl {
    /// Initial size in 64 KiB pages.
    pub min_pages: u32,
    /// Maximum size in pages (clamped).
    pub max_pages: u32,
    /// The maximum as declared by the module (unclamped; import/export type matching).
    pub declared_max: Option<u32>,
    /// Set when the memory is imported (not linkable in this version).
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub import: Option<ImportName>,
}

/// A global declaration.
#[derive(Clone, Debug)]
pub(crate) struct GlobalDecl {
    /// Value type.
    pub ty: ValType,
    /// `mut`?
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub mutable: bool,
    /// Initializer (for imported globals: the type's zero, unused).
    pub init: ConstExpr,
    /// Set when the global is imported (not linkable in this version).
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub import: Option<ImportName>,
}

/// An export entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Export {
    /// What is exported.
    pub kind: ExternKind,
    /// Index in the corresponding index space.
    pub index: u32,
}

/// An import entry, in module order (for [`Module::imports`]).
#[derive(Clone, Debug)]
pub(crate) struct ImportDecl {
    /// Module and field name.
    pub name: ImportName,
    /// What is imported.
    pub kind: ExternKind,
}

/// Element segment mode.
#[derive(Clone, Debug)]
pub(crate) enum ElementMode {
    /// Used by `table.init`.
    Passive,
    /// Declarative (only makes `ref.func` legal); dropped at instantiation.
    Declared,
    /// Copied into `table` at `offset` at instantiation, then dropped.
    Active {
        /// Table index.
        table: u32,
        /// Offset (i32 constant expression).
        offset: ConstExpr,
    },
}

/// An element segment.
#[derive(Clone, Debug)]
pub(crate) struct ElementSegment {
    /// Mode.
    pub mode: ElementMode,
    /// Element type.
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub ty: ValType,
    /// Items (`RefFunc`, `RefNull` or `GlobalGet`).
    pub items: Vec<ConstExpr>,
}

/// Data segment mode.
#[derive(Clone, Debug)]
pub(crate) enum DataMode {
    /// Used by `memory.init`.
    Passive,
    /// Copied into memory 0 at `offset` at instantiation, then dropped.
    Active {
        /// Offset (i32 constant expression).
        offset: ConstExpr,
    },
}

/// A data segment.
#[derive(Clone, Debug)]
pub(crate) struct DataSegment {
    /// Mode.
    pub mode: DataMode,
    /// Bytes.
    pub bytes: Box<[u8]>,
}

/// Everything the interpreter needs from a compiled module.
#[derive(Debug)]
pub(crate) struct ModuleInner {
    /// Type section.
    pub types: Vec<FuncType>,
    /// Function index space: imports first.
    pub funcs: Vec<FuncDecl>,
    /// Number of imported functions (their indices are `0..num_imported_funcs`).
    pub num_imported_funcs: u32,
    /// Table index space (imports first).
    pub tables: Vec<TableDecl>,
    /// Memory 0, if any.
    pub memory: Option<MemoryDecl>,
    /// Global index space (imports first).
    pub globals: Vec<GlobalDecl>,
    /// Exports by name (BTreeMap: deterministic iteration order).
    pub exports: BTreeMap<String, Export>,
    /// Imports in module order.
    pub imports: Vec<ImportDecl>,
    /// Start function.
    pub start: Option<u32>,
    /// Element segments.
    pub elements: Vec<ElementSegment>,
    /// Data segments.
    pub datas: Vec<DataSegment>,
    /// Gas schedule (dynamic costs are charged with it at runtime).
    pub schedule: GasSchedule,
    /// Whether `ConsumeGas` was emitted (and dynamic costs must be charged).
    pub metering: bool,
    /// Limits the module was loaded with.
    #[allow(dead_code)] // contract field (docs/ir.md)
    pub limits: Limits,
    /// Call depth limit (from `Config`).
    pub max_call_depth: u32,
    /// Value-stack limit in slots (from `Config`).
    pub max_stack_slots: u32,
    /// The code of every compiled function (`CompiledFunc::code`).
    pub code: Vec<Op>,
    /// The constant pools of every compiled function (each `enter`'s `pool`), followed
    /// by `exec::INIT_BLOCK - 1` zeros (`copy_consts` reads whole blocks).
    pub consts: Box<[u64]>,
    /// Per function index, what a call needs ([`CallTarget`]; derived from `funcs` by
    /// [`ModuleInner::call_targets_of`]).
    pub call_targets: Box<[CallTarget]>,
}

impl ModuleInner {
    /// The [`CallTarget`] of every function in `funcs`, in index order.
    pub(crate) fn call_targets_of(funcs: &[FuncDecl]) -> Box<[CallTarget]> {
        funcs
            .iter()
            .map(|d| match &d.kind {
                FuncKind::Compiled(f) => CallTarget::of(f),
                FuncKind::Import(_) => CallTarget::import(d.type_index),
            })
            .collect()
    }
}

/// A compiled module: validated, limit-checked, translated. Immutable, `Clone` (shared).
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

/// See [`Module::instantiation_gas`].
pub(crate) fn instantiation_gas(m: &ModuleInner) -> u64 {
    if !m.metering {
        return 0;
    }
    let s = &m.schedule;
    let per = |n: u64, price: u64| n.saturating_mul(price);
    let pages = m
        .memory
        .as_ref()
        .filter(|d| d.import.is_none())
        .map_or(0, |d| u64::from(d.min_pages));
    let table_elements: u64 = m
        .tables
        .iter()
        .filter(|t| t.import.is_none())
        .map(|t| u64::from(t.min))
        .sum();
    let items: u64 = m.elements.iter().map(|e| e.items.len() as u64).sum();
    let data_words: u64 = m
        .datas
        .iter()
        .filter(|d| matches!(d.mode, DataMode::Active { .. }))
        .map(|d| (d.bytes.len() as u64).div_ceil(8))
        .sum();
    let defined_funcs = m.funcs.len() as u64 - u64::from(m.num_imported_funcs);
    let entries = defined_funcs + (m.globals.len() + m.elements.len() + m.datas.len()) as u64;
    s.instance_base
        .saturating_add(per(pages, s.instance_page))
        .saturating_add(per(table_elements, s.instance_table_element))
        .saturating_add(per(items, s.instance_element_item))
        .saturating_add(per(data_words, s.instance_data_word))
        .saturating_add(per(entries, s.instance_entry))
}

impl Module {
    /// Parses, validates, checks limits and translates `wasm` with `config`.
    ///
    /// # Errors
    /// An [`Error`] (Display like `type mismatch (at offset 0x1a)`) for malformed or
    /// invalid modules, unsupported features (`SIMD is not supported (at offset ..)`) and
    /// exceeded [`Limits`].
    pub fn new(config: &Config, wasm: &[u8]) -> Result<Module, Error> {
        let inner = crate::translate::compile_module(config, wasm)?;
        Ok(Module {
            inner: Arc::new(inner),
        })
    }

    /// Gas charged for each instantiation of this module (schedule version 2; 0 with
    /// metering off), before anything is allocated: [`GasSchedule::instance_base`] plus,
    /// for what this module defines (not imports), per initial memory page, initial
    /// table element, element-segment item (every segment: all are evaluated), started
    /// 8-byte word of active data bytes, and per function, global and segment entry of
    /// the instance. Defined on the module's declarations (wasm), so every node charges
    /// the same; saturating `u64` arithmetic. See `docs/gas.md`.
    pub fn instantiation_gas(&self) -> u64 {
        instantiation_gas(&self.inner)
    }

    /// Approximate heap bytes this compiled module holds: its IR, constant arena, call
    /// records, functions, types and segments (bytes). For sizing caches of compiled
    /// modules; not part of consensus.
    pub fn compiled_bytes(&self) -> usize {
        use core::mem::size_of;
        let m = &self.inner;
        let segments: usize = m.datas.iter().map(|d| d.bytes.len()).sum::<usize>()
            + m.elements
                .iter()
                .map(|e| e.items.len() * size_of::<ConstExpr>())
                .sum::<usize>();
        size_of::<ModuleInner>()
            + m.code.len() * size_of::<Op>()
            + m.consts.len() * size_of::<u64>()
            + m.call_targets.len() * size_of::<CallTarget>()
            + m.funcs.len() * size_of::<FuncDecl>()
            + m.types.len() * (size_of::<FuncType>() + 8 * size_of::<ValType>())
            + m.exports.len() * (size_of::<Export>() + 32)
            + segments
    }

    /// Exports in name order (deterministic) with their kinds.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternKind)> {
        self.inner.exports.iter().map(|(n, e)| (n.as_str(), e.kind))
    }

    /// The type of the exported function `name`, if `name` exports a function.
    pub fn export_func_type(&self, name: &str) -> Option<&FuncType> {
        let e = self.inner.exports.get(name)?;
        if e.kind != ExternKind::Func {
            return None;
        }
        self.func_type(e.index)
    }

    /// Imports in module order: `(module, name, kind)`.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, ExternKind)> {
        self.inner
            .imports
            .iter()
            .map(|i| (i.name.module.as_str(), i.name.name.as_str(), i.kind))
    }

    /// The type of function `func_index` (imports first).
    pub fn func_type(&self, func_index: u32) -> Option<&FuncType> {
        let f = self.inner.funcs.get(func_index as usize)?;
        self.inner.types.get(f.type_index as usize)
    }

    /// IR disassembly of defined function `func_index` (None for imports / out of range).
    /// For people and golden tests; the format is not stable.
    pub fn disassemble(&self, func_index: u32) -> Option<String> {
        match &self.inner.funcs.get(func_index as usize)?.kind {
            FuncKind::Compiled(c) => Some(c.disassemble(&self.inner)),
            FuncKind::Import(_) => None,
        }
    }
}
