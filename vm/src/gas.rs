//! Gas schedule (version 2) and the exhaustive classification of every WebAssembly operator.
//!
//! Gas is defined on WebAssembly opcodes, not on Metron IR (see `docs` / DESIGN.md):
//!
//! * Each function body is split into **metered blocks**. A new metered block starts at
//!   function entry and immediately after every `loop`, `if`, `else`, `end` (of a
//!   `block`/`loop`/`if`; not the function's final `end`) and `br_if`.
//! * A metered block's cost is the sum of the static costs ([`GasSchedule::cost`]) of the
//!   operators it contains, charged **at its start**: a trap midway has already paid for
//!   its whole block, deterministically. A call charges the callee's blocks separately.
//! * Operators in unreachable code cost nothing: they never run. Code is unreachable
//!   after `br`, `br_table`, `return` or `unreachable`, up to the `else`/`end` of the
//!   enclosing frame; the code after an `end` is reachable again iff the end was reached
//!   by fall-through, or some (reachable) branch targets that frame, or the frame is an
//!   `if` without `else` entered in reachable code. Frames opened in unreachable code
//!   stay unreachable.
//! * If a block's running sum would exceed `u32::MAX`, the block is charged `u32::MAX`
//!   and a new charge for the rest starts at that operator (deterministic split rule).
//! * Empty metered blocks cost 0 and may share a charge instruction with the next block
//!   (an optimization that never changes the amounts charged).
//! * Dynamic costs are charged by the interpreter before the operation runs, with the
//!   helpers [`GasSchedule::memory_grow_dynamic`], [`GasSchedule::bulk_memory_dynamic`]
//!   and [`GasSchedule::table_dynamic`] (saturating arithmetic, no floats).
//!
//! The classifier below is generated from wasmparser's operator list, with a rule per
//! supported operator and one rule per rejected proposal: a new operator or proposal in
//! wasmparser fails to compile here instead of being silently free.

mod analysis;

pub use analysis::{MeteredBlocks, Step, Targets};

/// The gas cost schedule. `Default` is version 2 (`docs/gas.md` justifies each price
/// with a measured figure). All costs are in gas units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasSchedule {
    /// Schedule version; part of the compiled-module cache key.
    pub version: u32,
    /// `nop`, `block`, `loop`, `else`, `end`: structure only.
    pub free: u64,
    /// Constants, `local.*`, `drop`, `select`, integer add/sub/bitwise/shift/
    /// compare, `eqz`, `clz`/`ctz`/`popcnt`, wrap/extend, sign extension, reinterpret,
    /// `ref.null`, `ref.is_null`, `ref.func`, `unreachable`.
    pub simple: u64,
    /// `global.get`, `global.set` (version 2: separate from `simple`; a local is read
    /// in place, a global is an instruction through the instance's global table).
    pub global: u64,
    /// `i32.mul`, `i64.mul`.
    pub int_mul: u64,
    /// Integer `div`/`rem` (signed and unsigned).
    pub int_div: u64,
    /// Float add/sub/mul, min/max, compare, abs/neg/copysign, int->float conversions,
    /// promote/demote.
    pub float_simple: u64,
    /// Float `div`, `sqrt`, `ceil`/`floor`/`trunc`/`nearest`, float->int truncations
    /// (trapping and saturating).
    pub float_complex: u64,
    /// `br`, `br_if`, `if`.
    pub branch: u64,
    /// `br_table` (constant time at runtime).
    pub br_table: u64,
    /// `return`.
    pub ret: u64,
    /// `call` (direct, including host functions; hosts charge their own work on top).
    pub call: u64,
    /// `call_indirect`.
    pub call_indirect: u64,
    /// Every memory load.
    pub load: u64,
    /// Every memory store.
    pub store: u64,
    /// `memory.size`.
    pub memory_size: u64,
    /// `memory.grow` static part.
    pub memory_grow: u64,
    /// `memory.grow` per page actually requested (dynamic, charged before growing).
    pub memory_grow_per_page: u64,
    /// `memory.fill`/`copy`/`init` static part.
    pub bulk: u64,
    /// `table.fill`/`copy`/`init` static part (version 2: separate from `bulk`; a table
    /// operation leaves the threaded dispatch and resolves the table and segment).
    pub table_bulk: u64,
    /// Bulk memory per started 8-byte word of length (dynamic).
    pub bulk_memory_per_word: u64,
    /// Table bulk ops and `table.grow` per element (dynamic).
    pub table_per_element: u64,
    /// `data.drop`, `elem.drop`.
    pub segment_drop: u64,
    /// `table.get`, `table.set`, `table.size`.
    pub table_access: u64,
    /// `table.grow` static part.
    pub table_grow: u64,
    /// Frame set-up: per declared local (params excluded, every type), added to the
    /// function's entry charge. Pays for zeroing (or null-filling) the locals on each
    /// call. Version 2.
    pub frame_local: u64,
    /// Per value carried by `br`, `br_if`, `br_table` (once, not per target) and
    /// `return` (the label's arity: a loop's params, any other frame's results), added
    /// to the static cost of the branch. Pays for moving the values to the label's
    /// height. Version 2.
    pub value_carried: u64,
    /// Instantiation: fixed part. Version 2.
    pub instance_base: u64,
    /// Instantiation: per initial page of linear memory allocated and zeroed.
    pub instance_page: u64,
    /// Instantiation: per initial table element allocated.
    pub instance_table_element: u64,
    /// Instantiation: per element-segment item evaluated (every segment, active or not).
    pub instance_element_item: u64,
    /// Instantiation: per started 8-byte word of active data segment bytes copied.
    pub instance_data_word: u64,
    /// Instantiation: per function, global and segment (an entry in the instance's index
    /// spaces, allocated on each instantiation).
    pub instance_entry: u64,
}

impl Default for GasSchedule {
    fn default() -> Self {
        Self {
            version: 2,
            free: 0,
            simple: 1,
            global: 3,
            int_mul: 2,
            int_div: 4,
            float_simple: 2,
            float_complex: 4,
            branch: 2,
            br_table: 7,
            ret: 2,
            call: 15,
            call_indirect: 20,
            load: 2,
            store: 2,
            memory_size: 2,
            memory_grow: 100,
            memory_grow_per_page: 10_000,
            bulk: 15,
            table_bulk: 25,
            bulk_memory_per_word: 1,
            table_per_element: 1,
            segment_drop: 5,
            table_access: 3,
            table_grow: 50,
            frame_local: 1,
            value_carried: 1,
            instance_base: 1_000,
            instance_page: 10_000,
            instance_table_element: 1,
            instance_element_item: 4,
            instance_data_word: 1,
            instance_entry: 2,
        }
    }
}

/// Static cost class of an operator. [`GasSchedule::cost`] maps it to gas units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostClass {
    /// See [`GasSchedule::free`].
    Free,
    /// See [`GasSchedule::simple`].
    Simple,
    /// See [`GasSchedule::global`].
    Global,
    /// See [`GasSchedule::int_mul`].
    IntMul,
    /// See [`GasSchedule::int_div`].
    IntDiv,
    /// See [`GasSchedule::float_simple`].
    FloatSimple,
    /// See [`GasSchedule::float_complex`].
    FloatComplex,
    /// See [`GasSchedule::branch`].
    Branch,
    /// See [`GasSchedule::br_table`].
    BrTable,
    /// See [`GasSchedule::ret`].
    Return,
    /// See [`GasSchedule::call`].
    Call,
    /// See [`GasSchedule::call_indirect`].
    CallIndirect,
    /// See [`GasSchedule::load`].
    Load,
    /// See [`GasSchedule::store`].
    Store,
    /// See [`GasSchedule::memory_size`].
    MemorySize,
    /// See [`GasSchedule::memory_grow`].
    MemoryGrow,
    /// See [`GasSchedule::bulk`].
    Bulk,
    /// See [`GasSchedule::table_bulk`].
    TableBulk,
    /// See [`GasSchedule::segment_drop`].
    SegmentDrop,
    /// See [`GasSchedule::table_access`].
    TableAccess,
    /// See [`GasSchedule::table_grow`].
    TableGrow,
}

/// How an operator affects metered-block boundaries and reachability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// No effect on control flow.
    Straight,
    /// `block`: opens a frame; no new metered block.
    Block,
    /// `loop`: opens a frame; a metered block starts after it (the loop header).
    Loop,
    /// `if`: opens a frame; a metered block starts after it (the then arm).
    If,
    /// `else`: a metered block starts after it (the else arm).
    Else,
    /// `end`: closes a frame; a metered block starts after it (except the function's end).
    End,
    /// `br_if`: a metered block starts after it (the fall-through path).
    BrIf,
    /// `br`, `br_table`, `return`, `unreachable`: what follows is unreachable.
    Jump,
}

/// The classification of one operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpInfo {
    /// A supported operator: its static cost class and control-flow effect.
    Op(CostClass, Flow),
    /// An operator of a rejected proposal; the payload names the proposal.
    Unsupported(&'static str),
}

impl GasSchedule {
    /// Static cost of one operator of class `class`.
    #[inline]
    pub fn cost(&self, class: CostClass) -> u64 {
        match class {
            CostClass::Free => self.free,
            CostClass::Simple => self.simple,
            CostClass::Global => self.global,
            CostClass::IntMul => self.int_mul,
            CostClass::IntDiv => self.int_div,
            CostClass::FloatSimple => self.float_simple,
            CostClass::FloatComplex => self.float_complex,
            CostClass::Branch => self.branch,
            CostClass::BrTable => self.br_table,
            CostClass::Return => self.ret,
            CostClass::Call => self.call,
            CostClass::CallIndirect => self.call_indirect,
            CostClass::Load => self.load,
            CostClass::Store => self.store,
            CostClass::MemorySize => self.memory_size,
            CostClass::MemoryGrow => self.memory_grow,
            CostClass::Bulk => self.bulk,
            CostClass::TableBulk => self.table_bulk,
            CostClass::SegmentDrop => self.segment_drop,
            CostClass::TableAccess => self.table_access,
            CostClass::TableGrow => self.table_grow,
        }
    }

    /// Dynamic cost of `memory.grow` by `pages` pages (charged before growing, even if
    /// the grow then fails and returns -1).
    pub fn memory_grow_dynamic(&self, pages: u32) -> u64 {
        u64::from(pages).saturating_mul(self.memory_grow_per_page)
    }

    /// Dynamic cost of a bulk memory operation (`memory.fill`/`copy`/`init`) over `len`
    /// bytes: per started 8-byte word.
    pub fn bulk_memory_dynamic(&self, len: u32) -> u64 {
        u64::from(len)
            .div_ceil(8)
            .saturating_mul(self.bulk_memory_per_word)
    }

    /// Static cost of the values a branch carries: `arity` values.
    #[inline]
    pub fn carried(&self, arity: u32) -> u64 {
        u64::from(arity).saturating_mul(self.value_carried)
    }

    /// Frame set-up cost of a function declaring `locals` locals (params excluded).
    #[inline]
    pub fn frame(&self, locals: u32) -> u64 {
        u64::from(locals).saturating_mul(self.frame_local)
    }

    /// Dynamic cost of a table operation (`table.fill`/`copy`/`init`/`grow`) over
    /// `elements` elements.
    pub fn table_dynamic(&self, elements: u32) -> u64 {
        u64::from(elements).saturating_mul(self.table_per_element)
    }
}

/// Defines `op_info!(Op)`: one macro rule per supported operator (no catch-all rule).
macro_rules! define_op_table {
    ($( $cost:ident / $flow:ident : $($op:ident)* ;)*) => {
        macro_rules! op_info {
            $($( ($op) => { OpInfo::Op(CostClass::$cost, Flow::$flow) }; )*)*
        }
    };
}

define_op_table! {
    Free / Straight: Nop;
    Free / Block: Block;
    Free / Loop: Loop;
    Branch / If: If;
    Free / Else: Else;
    Free / End: End;
    Branch / Jump: Br;
    Branch / BrIf: BrIf;
    BrTable / Jump: BrTable;
    Return / Jump: Return;
    Simple / Jump: Unreachable;
    Call / Straight: Call;
    CallIndirect / Straight: CallIndirect;
    Simple / Straight:
        Drop Select TypedSelect TypedSelectMulti
        LocalGet LocalSet LocalTee
        I32Const I64Const F32Const F64Const
        I32Eqz I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
        I64Eqz I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU
        I32Clz I32Ctz I32Popcnt I32Add I32Sub I32And I32Or I32Xor I32Shl I32ShrS I32ShrU
        I32Rotl I32Rotr
        I64Clz I64Ctz I64Popcnt I64Add I64Sub I64And I64Or I64Xor I64Shl I64ShrS I64ShrU
        I64Rotl I64Rotr
        I32WrapI64 I64ExtendI32S I64ExtendI32U
        I32ReinterpretF32 I64ReinterpretF64 F32ReinterpretI32 F64ReinterpretI64
        I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S
        RefNull RefIsNull RefFunc;
    Global / Straight: GlobalGet GlobalSet;
    IntMul / Straight: I32Mul I64Mul;
    IntDiv / Straight: I32DivS I32DivU I32RemS I32RemU I64DivS I64DivU I64RemS I64RemU;
    FloatSimple / Straight:
        F32Eq F32Ne F32Lt F32Gt F32Le F32Ge F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
        F32Abs F32Neg F32Add F32Sub F32Mul F32Min F32Max F32Copysign
        F64Abs F64Neg F64Add F64Sub F64Mul F64Min F64Max F64Copysign
        F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64
        F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32;
    FloatComplex / Straight:
        F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt F32Div
        F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt F64Div
        I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
        I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
        I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
        I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U;
    Load / Straight:
        I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U
        I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S I64Load32U;
    Store / Straight:
        I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16
        I64Store32;
    MemorySize / Straight: MemorySize;
    MemoryGrow / Straight: MemoryGrow;
    Bulk / Straight: MemoryInit MemoryCopy MemoryFill;
    TableBulk / Straight: TableInit TableCopy TableFill;
    SegmentDrop / Straight: DataDrop ElemDrop;
    TableAccess / Straight: TableGet TableSet TableSize;
    TableGrow / Straight: TableGrow;
}

/// Maps `@proposal Op` to its [`OpInfo`]: supported proposals go through `op_info!`
/// (one rule per operator); each rejected proposal is one rule naming it.
macro_rules! classify {
    (mvp $op:ident) => {
        op_info!($op)
    };
    (sign_extension $op:ident) => {
        op_info!($op)
    };
    (saturating_float_to_int $op:ident) => {
        op_info!($op)
    };
    (bulk_memory $op:ident) => {
        op_info!($op)
    };
    (reference_types $op:ident) => {
        op_info!($op)
    };
    (simd $op:ident) => {
        OpInfo::Unsupported("SIMD")
    };
    (relaxed_simd $op:ident) => {
        OpInfo::Unsupported("relaxed SIMD")
    };
    (threads $op:ident) => {
        OpInfo::Unsupported("threads")
    };
    (shared_everything_threads $op:ident) => {
        OpInfo::Unsupported("shared-everything threads")
    };
    (exceptions $op:ident) => {
        OpInfo::Unsupported("exception handling")
    };
    (legacy_exceptions $op:ident) => {
        OpInfo::Unsupported("exception handling")
    };
    (gc $op:ident) => {
        OpInfo::Unsupported("GC")
    };
    (tail_call $op:ident) => {
        OpInfo::Unsupported("tail calls")
    };
    (function_references $op:ident) => {
        OpInfo::Unsupported("function references")
    };
    (memory_control $op:ident) => {
        OpInfo::Unsupported("memory control")
    };
    (stack_switching $op:ident) => {
        OpInfo::Unsupported("stack switching")
    };
    (wide_arithmetic $op:ident) => {
        OpInfo::Unsupported("wide arithmetic")
    };
    (custom_descriptors $op:ident) => {
        OpInfo::Unsupported("custom descriptors")
    };
}

/// A `VisitOperator` that returns each operator's [`OpInfo`] (used by the translator
/// and usable by the instrumenter).
#[derive(Clone, Copy, Debug, Default)]
pub struct OpClassifier;

macro_rules! define_classifier {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            #[inline(always)]
            fn $visit(&mut self $($(, $arg: $argty)*)?) -> OpInfo {
                $($( let _ = $arg; )*)?
                classify!($proposal $op)
            }
        )*
    };
}

impl<'a> wasmparser::VisitOperator<'a> for OpClassifier {
    type Output = OpInfo;
    wasmparser::for_each_visit_operator!(define_classifier);
}

/// Classifies an [`wasmparser::Operator`] value; SIMD operators (which Metron never
/// visits: its visitors have no SIMD visitor) map to `Unsupported("SIMD")`.
pub fn classify_operator(op: &wasmparser::Operator<'_>) -> OpInfo {
    macro_rules! dispatch {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( wasmparser::Operator::$op { .. } => classify!($proposal $op), )*
                // Only SIMD / relaxed-SIMD operators remain (when wasmparser's `simd`
                // feature is enabled by another crate); `Operator` is non-exhaustive.
                #[allow(unreachable_patterns)]
                _ => OpInfo::Unsupported("SIMD"),
            }
        };
    }
    wasmparser::for_each_visit_operator!(dispatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::VisitOperator;

    #[test]
    fn classifies_supported_and_rejected() {
        let mut c = OpClassifier;
        assert_eq!(
            c.visit_i32_add(),
            OpInfo::Op(CostClass::Simple, Flow::Straight)
        );
        assert_eq!(
            c.visit_loop(wasmparser::BlockType::Empty),
            OpInfo::Op(CostClass::Free, Flow::Loop)
        );
        assert_eq!(c.visit_br_if(0), OpInfo::Op(CostClass::Branch, Flow::BrIf));
        assert_eq!(c.visit_return_call(0), OpInfo::Unsupported("tail calls"));
        assert_eq!(
            classify_operator(&wasmparser::Operator::I64DivU),
            OpInfo::Op(CostClass::IntDiv, Flow::Straight)
        );
        assert_eq!(
            classify_operator(&wasmparser::Operator::AtomicFence),
            OpInfo::Unsupported("threads")
        );
    }

    #[test]
    fn dynamic_costs_saturate() {
        let s = GasSchedule::default();
        assert_eq!(s.bulk_memory_dynamic(0), 0);
        assert_eq!(s.bulk_memory_dynamic(1), 1);
        assert_eq!(s.bulk_memory_dynamic(16), 2);
        assert_eq!(s.bulk_memory_dynamic(17), 3);
        assert_eq!(s.memory_grow_dynamic(3), 30_000);
        let big = GasSchedule {
            memory_grow_per_page: u64::MAX,
            ..GasSchedule::default()
        };
        assert_eq!(big.memory_grow_dynamic(2), u64::MAX);
    }
}
