//! Metron IR: the register-based instruction set executed by the interpreter.
//!
//! Defined once, in [`for_each_instr!`]; the enum, its disassembly and slot relocation
//! are derived from that table. Contract with the interpreter: `docs/ir.md`.
//!
//! * Operands are frame-relative [`Slot`]s (64-bit cells). Frame layout:
//!   `[params][declared locals][constants][temporaries]`. Locals and constants are read
//!   in place; results go to temporaries (or directly to a local).
//! * Branch `offset`s are relative to the branching instruction: `target = pc + offset`.
//! * `size_of::<Instr>() <= 16`; instructions needing more operands either take a run of
//!   consecutive slots (`args`) or are followed by one [`Instr::Arg`] word.
//!
//! Changes after the first commit are listed here:
//! * Every branch carries `gas`, the charge of the metered block it jumps into
//!   (`Instr::fuse_target_gas`); fused compares carry it as `u16`.
//! * Fused float compare-and-branch (`br.f32.*`, `br.f64.*`).
//! * A function's code always ends in a terminator (`Instr::is_terminator`).

use core::fmt;

/// A frame-relative slot index (a 64-bit value cell): `frame_base + slot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot(pub u32);

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

/// One operand of an instruction, for generic inspection (disassembly, tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A slot operand.
    Slot(Slot),
    /// An unsigned immediate (index, count, memory offset, gas amount).
    U32(u32),
    /// A signed immediate (branch offset).
    I32(i32),
}

/// Field types that may appear in an [`Instr`] (implementation detail of the table).
pub(crate) trait IrField: Copy {
    fn operand(self) -> Operand;
    fn slot_mut(&mut self) -> Option<&mut Slot>;
}
impl IrField for Slot {
    fn operand(self) -> Operand {
        Operand::Slot(self)
    }
    fn slot_mut(&mut self) -> Option<&mut Slot> {
        Some(self)
    }
}
impl IrField for u32 {
    fn operand(self) -> Operand {
        Operand::U32(self)
    }
    fn slot_mut(&mut self) -> Option<&mut Slot> {
        None
    }
}
impl IrField for u16 {
    fn operand(self) -> Operand {
        Operand::U32(u32::from(self))
    }
    fn slot_mut(&mut self) -> Option<&mut Slot> {
        None
    }
}
impl IrField for i32 {
    fn operand(self) -> Operand {
        Operand::I32(self)
    }
    fn slot_mut(&mut self) -> Option<&mut Slot> {
        None
    }
}

/// The single table of Metron IR instructions. Invokes `$mac!` with sections:
/// `[other]` (fully spelled out), `[binary]` (`{dst, lhs, rhs}`), `[unary]` (`{dst, src}`),
/// `[load]` (`{dst, ptr, offset}`), `[store]` (`{ptr, value, offset}`) and `[br_cmp]`
/// (`{lhs, rhs, offset}`: branch when the comparison holds).
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_instr {
    ($mac:ident) => {
        $mac! {
            [other]
            /// Extra operand word of the preceding instruction (`select`'s false value).
            /// Never executed: the owner reads it and skips it.
            Arg { slot: Slot } = "arg",
            /// Charge `amount` gas for the metered block starting here; if remaining gas
            /// is lower: used = limit and trap `OutOfGas`.
            ConsumeGas { amount: u32 } = "consume_gas",
            /// `dst = src`.
            Copy { dst: Slot, src: Slot } = "copy",
            /// `dst = (hi << 32) | lo`: a constant materialized by an instruction, used
            /// once a function's constant pool is full (`MAX_POOLED_CONSTS`).
            Const { dst: Slot, lo: u32, hi: u32 } = "const",
            /// Copy `len` consecutive slots `src..src+len` to `dst..dst+len`, ascending
            /// (the translator guarantees `dst <= src` or disjoint ranges).
            CopySpan { dst: Slot, src: Slot, len: u32 } = "copy_span",
            /// `dst = if cond != 0 { if_true } else { <Arg slot> }`; followed by one `Arg`
            /// (the false value); advances pc by 2.
            Select { dst: Slot, cond: Slot, if_true: Slot } = "select",
            /// Trap `Unreachable`.
            Unreachable {} = "unreachable",
            /// Unconditional jump: `pc += offset`. Every branch carries `gas`: the charge of
            /// the metered block it jumps into, taken on the jump (see [`Instr::fuse_target_gas`]).
            Br { offset: i32, gas: u32 } = "br",
            /// Jump when the i32 in `cond` is non-zero (charging `gas` when taken).
            BrIfNez { cond: Slot, offset: i32, gas: u32 } = "br_if_nez",
            /// Jump when the i32 in `cond` is zero (charging `gas` when taken).
            BrIfEqz { cond: Slot, offset: i32, gas: u32 } = "br_if_eqz",
            /// Followed by `len + 1` `Br` instructions (the last is the default); jump to
            /// `pc + 1 + min(index as u32, len)` (which then executes that `Br`).
            BrTable { index: Slot, len: u32 } = "br_table",
            /// Copy `count` slots from `values..` to slots `0..count` of the frame (ascending)
            /// and return to the caller.
            Return { values: Slot, count: u32 } = "return",
            /// Return one value: slot 0 = `src`, then return.
            ReturnOne { src: Slot } = "return_one",
            /// Call function `func` (imported host functions are `< num_imported_funcs`).
            /// Arguments are in `args..args+P`; the callee frame starts at `args`; results
            /// come back in `args..args+R`.
            Call { func: u32, args: Slot } = "call",
            /// Indirect call through `table` with expected type `type_index`. Arguments in
            /// `args..args+P`, the i32 table index in slot `args + P`. Null element traps
            /// `UninitializedElement`, out of range `TableOutOfBounds`, wrong type
            /// `IndirectCallTypeMismatch`. Results in `args..args+R`.
            CallIndirect { type_index: u32, table: u32, args: Slot } = "call_indirect",
            /// `dst = globals[global]`.
            GlobalGet { dst: Slot, global: u32 } = "global.get",
            /// `globals[global] = src`.
            GlobalSet { global: u32, src: Slot } = "global.set",
            /// `dst = memory size in pages` (i32).
            MemorySize { dst: Slot } = "memory.size",
            /// Grow memory by `delta` pages (i32); `dst` = old size or -1 (as u32). Charges
            /// `schedule.memory_grow_dynamic(delta)` before growing.
            MemoryGrow { dst: Slot, delta: Slot } = "memory.grow",
            /// `memory.fill(dst, value, len)`; charges `bulk_memory_dynamic(len)` first.
            MemoryFill { dst: Slot, value: Slot, len: Slot } = "memory.fill",
            /// `memory.copy(dst, src, len)`; charges `bulk_memory_dynamic(len)` first.
            MemoryCopy { dst: Slot, src: Slot, len: Slot } = "memory.copy",
            /// `memory.init(data)` with operands `args` = dst, `args+1` = src offset,
            /// `args+2` = len; charges `bulk_memory_dynamic(len)` first.
            MemoryInit { data: u32, args: Slot } = "memory.init",
            /// Drop data segment `data`.
            DataDrop { data: u32 } = "data.drop",
            /// `dst = table[index]` (trap `TableOutOfBounds`).
            TableGet { table: u32, dst: Slot, index: Slot } = "table.get",
            /// `table[index] = value` (trap `TableOutOfBounds`).
            TableSet { table: u32, index: Slot, value: Slot } = "table.set",
            /// `dst = table size` (i32).
            TableSize { table: u32, dst: Slot } = "table.size",
            /// `table.grow`: operands `args` = init value, `args+1` = delta; result (old
            /// size or -1) written to `args`. Charges `table_dynamic(delta)` first.
            TableGrow { table: u32, args: Slot } = "table.grow",
            /// `table.fill`: `args` = start, `args+1` = value, `args+2` = len. Charges
            /// `table_dynamic(len)` first.
            TableFill { table: u32, args: Slot } = "table.fill",
            /// `table.copy`: `args` = dst, `args+1` = src, `args+2` = len. Charges
            /// `table_dynamic(len)` first.
            TableCopy { dst_table: u32, src_table: u32, args: Slot } = "table.copy",
            /// `table.init(elem)` into `table`: `args` = dst, `args+1` = src, `args+2` = len.
            /// Charges `table_dynamic(len)` first.
            TableInit { elem: u32, table: u32, args: Slot } = "table.init",
            /// Drop element segment `elem`.
            ElemDrop { elem: u32 } = "elem.drop",
            /// `dst = (src == null) as i32` (null is `u64::MAX`).
            RefIsNull { dst: Slot, src: Slot } = "ref.is_null",
            /// `dst = funcref to function func`.
            RefFunc { dst: Slot, func: u32 } = "ref.func",

            [binary]
            I32Add = "i32.add", I32Sub = "i32.sub", I32Mul = "i32.mul",
            I32DivS = "i32.div_s", I32DivU = "i32.div_u", I32RemS = "i32.rem_s", I32RemU = "i32.rem_u",
            I32And = "i32.and", I32Or = "i32.or", I32Xor = "i32.xor",
            I32Shl = "i32.shl", I32ShrS = "i32.shr_s", I32ShrU = "i32.shr_u",
            I32Rotl = "i32.rotl", I32Rotr = "i32.rotr",
            I32Eq = "i32.eq", I32Ne = "i32.ne", I32LtS = "i32.lt_s", I32LtU = "i32.lt_u",
            I32GtS = "i32.gt_s", I32GtU = "i32.gt_u", I32LeS = "i32.le_s", I32LeU = "i32.le_u",
            I32GeS = "i32.ge_s", I32GeU = "i32.ge_u",
            I64Add = "i64.add", I64Sub = "i64.sub", I64Mul = "i64.mul",
            I64DivS = "i64.div_s", I64DivU = "i64.div_u", I64RemS = "i64.rem_s", I64RemU = "i64.rem_u",
            I64And = "i64.and", I64Or = "i64.or", I64Xor = "i64.xor",
            I64Shl = "i64.shl", I64ShrS = "i64.shr_s", I64ShrU = "i64.shr_u",
            I64Rotl = "i64.rotl", I64Rotr = "i64.rotr",
            I64Eq = "i64.eq", I64Ne = "i64.ne", I64LtS = "i64.lt_s", I64LtU = "i64.lt_u",
            I64GtS = "i64.gt_s", I64GtU = "i64.gt_u", I64LeS = "i64.le_s", I64LeU = "i64.le_u",
            I64GeS = "i64.ge_s", I64GeU = "i64.ge_u",
            F32Add = "f32.add", F32Sub = "f32.sub", F32Mul = "f32.mul", F32Div = "f32.div",
            F32Min = "f32.min", F32Max = "f32.max", F32Copysign = "f32.copysign",
            F32Eq = "f32.eq", F32Ne = "f32.ne", F32Lt = "f32.lt", F32Gt = "f32.gt",
            F32Le = "f32.le", F32Ge = "f32.ge",
            F64Add = "f64.add", F64Sub = "f64.sub", F64Mul = "f64.mul", F64Div = "f64.div",
            F64Min = "f64.min", F64Max = "f64.max", F64Copysign = "f64.copysign",
            F64Eq = "f64.eq", F64Ne = "f64.ne", F64Lt = "f64.lt", F64Gt = "f64.gt",
            F64Le = "f64.le", F64Ge = "f64.ge",

            [unary]
            I32Eqz = "i32.eqz", I32Clz = "i32.clz", I32Ctz = "i32.ctz", I32Popcnt = "i32.popcnt",
            I32Extend8S = "i32.extend8_s", I32Extend16S = "i32.extend16_s",
            I64Eqz = "i64.eqz", I64Clz = "i64.clz", I64Ctz = "i64.ctz", I64Popcnt = "i64.popcnt",
            I64Extend8S = "i64.extend8_s", I64Extend16S = "i64.extend16_s",
            I64Extend32S = "i64.extend32_s",
            F32Abs = "f32.abs", F32Neg = "f32.neg", F32Ceil = "f32.ceil", F32Floor = "f32.floor",
            F32Trunc = "f32.trunc", F32Nearest = "f32.nearest", F32Sqrt = "f32.sqrt",
            F64Abs = "f64.abs", F64Neg = "f64.neg", F64Ceil = "f64.ceil", F64Floor = "f64.floor",
            F64Trunc = "f64.trunc", F64Nearest = "f64.nearest", F64Sqrt = "f64.sqrt",
            I32WrapI64 = "i32.wrap_i64",
            I32TruncF32S = "i32.trunc_f32_s", I32TruncF32U = "i32.trunc_f32_u",
            I32TruncF64S = "i32.trunc_f64_s", I32TruncF64U = "i32.trunc_f64_u",
            I64ExtendI32S = "i64.extend_i32_s", I64ExtendI32U = "i64.extend_i32_u",
            I64TruncF32S = "i64.trunc_f32_s", I64TruncF32U = "i64.trunc_f32_u",
            I64TruncF64S = "i64.trunc_f64_s", I64TruncF64U = "i64.trunc_f64_u",
            F32ConvertI32S = "f32.convert_i32_s", F32ConvertI32U = "f32.convert_i32_u",
            F32ConvertI64S = "f32.convert_i64_s", F32ConvertI64U = "f32.convert_i64_u",
            F32DemoteF64 = "f32.demote_f64",
            F64ConvertI32S = "f64.convert_i32_s", F64ConvertI32U = "f64.convert_i32_u",
            F64ConvertI64S = "f64.convert_i64_s", F64ConvertI64U = "f64.convert_i64_u",
            F64PromoteF32 = "f64.promote_f32",
            I32TruncSatF32S = "i32.trunc_sat_f32_s", I32TruncSatF32U = "i32.trunc_sat_f32_u",
            I32TruncSatF64S = "i32.trunc_sat_f64_s", I32TruncSatF64U = "i32.trunc_sat_f64_u",
            I64TruncSatF32S = "i64.trunc_sat_f32_s", I64TruncSatF32U = "i64.trunc_sat_f32_u",
            I64TruncSatF64S = "i64.trunc_sat_f64_s", I64TruncSatF64U = "i64.trunc_sat_f64_u",

            [load]
            I32Load = "i32.load", I64Load = "i64.load", F32Load = "f32.load", F64Load = "f64.load",
            I32Load8S = "i32.load8_s", I32Load8U = "i32.load8_u",
            I32Load16S = "i32.load16_s", I32Load16U = "i32.load16_u",
            I64Load8S = "i64.load8_s", I64Load8U = "i64.load8_u",
            I64Load16S = "i64.load16_s", I64Load16U = "i64.load16_u",
            I64Load32S = "i64.load32_s", I64Load32U = "i64.load32_u",

            [store]
            I32Store = "i32.store", I64Store = "i64.store", F32Store = "f32.store",
            F64Store = "f64.store", I32Store8 = "i32.store8", I32Store16 = "i32.store16",
            I64Store8 = "i64.store8", I64Store16 = "i64.store16", I64Store32 = "i64.store32",

            [br_cmp]
            BrI32Eq = "br.i32.eq", BrI32Ne = "br.i32.ne", BrI32LtS = "br.i32.lt_s",
            BrI32LtU = "br.i32.lt_u", BrI32GtS = "br.i32.gt_s", BrI32GtU = "br.i32.gt_u",
            BrI32LeS = "br.i32.le_s", BrI32LeU = "br.i32.le_u", BrI32GeS = "br.i32.ge_s",
            BrI32GeU = "br.i32.ge_u",
            BrI64Eq = "br.i64.eq", BrI64Ne = "br.i64.ne", BrI64LtS = "br.i64.lt_s",
            BrI64LtU = "br.i64.lt_u", BrI64GtS = "br.i64.gt_s", BrI64GtU = "br.i64.gt_u",
            BrI64LeS = "br.i64.le_s", BrI64LeU = "br.i64.le_u", BrI64GeS = "br.i64.ge_s",
            BrI64GeU = "br.i64.ge_u",
            BrF32Eq = "br.f32.eq", BrF32Ne = "br.f32.ne", BrF32Lt = "br.f32.lt",
            BrF32Gt = "br.f32.gt", BrF32Le = "br.f32.le", BrF32Ge = "br.f32.ge",
            BrF64Eq = "br.f64.eq", BrF64Ne = "br.f64.ne", BrF64Lt = "br.f64.lt",
            BrF64Gt = "br.f64.gt", BrF64Le = "br.f64.le", BrF64Ge = "br.f64.ge",
        }
    };
}

macro_rules! define_instr {
    (
        [other]
        $( $(#[doc = $doc:literal])+ $name:ident { $($field:ident : $ty:ident),* } = $m:literal, )*
        [binary] $( $bname:ident = $bm:literal, )*
        [unary] $( $uname:ident = $um:literal, )*
        [load] $( $lname:ident = $lm:literal, )*
        [store] $( $sname:ident = $sm:literal, )*
        [br_cmp] $( $cname:ident = $cm:literal, )*
    ) => {
        /// One Metron IR instruction. See the module docs and [`for_each_instr!`].
        ///
        /// `repr(u16)`: the tag is the first 16 bits and equals the variant's index in
        /// declaration order ([`Tag`]), so the interpreter's handler lookup is one load
        /// (`exec::threaded`); each variant's fields follow in declaration order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Instr {
            $( $(#[doc = $doc])+ $name { $(
                #[allow(missing_docs)]
                $field: $ty
            ),* }, )*
            $(
                #[doc = concat!("`", $bm, "`: `dst = lhs op rhs`.")]
                $bname {
                    /// Result slot.
                    dst: Slot,
                    /// Left operand.
                    lhs: Slot,
                    /// Right operand.
                    rhs: Slot,
                },
            )*
            $(
                #[doc = concat!("`", $um, "`: `dst = op(src)`.")]
                $uname {
                    /// Result slot.
                    dst: Slot,
                    /// Operand.
                    src: Slot,
                },
            )*
            $(
                #[doc = concat!("`", $lm, "`: `dst = load(ptr as u32 + offset)` (u64 effective address; trap `MemoryOutOfBounds`).")]
                $lname {
                    /// Result slot.
                    dst: Slot,
                    /// i32 base address.
                    ptr: Slot,
                    /// Static offset (memarg).
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("`", $sm, "`: `store(ptr as u32 + offset, value)` (trap `MemoryOutOfBounds`).")]
                $sname {
                    /// i32 base address.
                    ptr: Slot,
                    /// Value to store.
                    value: Slot,
                    /// Static offset (memarg).
                    offset: u32,
                },
            )*
            $(
                #[doc = concat!("Fused compare and branch: jump by `offset` when `", $cm, "` of `lhs`, `rhs` holds (charging `gas` when taken).")]
                $cname {
                    /// Gas of the target's metered block, charged when the branch is taken
                    /// (declared first: with `repr(u16)` it fills the two bytes after the tag).
                    gas: u16,
                    /// Left operand.
                    lhs: Slot,
                    /// Right operand.
                    rhs: Slot,
                    /// Relative branch offset.
                    offset: i32,
                },
            )*
        }

        /// The variant of an [`Instr`] without its fields, in declaration order: indexes
        /// the interpreter's handler table (`exec::threaded`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        #[allow(dead_code)] // every variant is constructed through `Instr::tag` only
        pub(crate) enum Tag {
            $( $name, )*
            $( $bname, )*
            $( $uname, )*
            $( $lname, )*
            $( $sname, )*
            $( $cname, )*
        }

        /// Number of [`Instr`] variants (the size of a table indexed by [`Tag`]).
        pub(crate) const NUM_TAGS: usize = [
            $( stringify!($name), )*
            $( stringify!($bname), )*
            $( stringify!($uname), )*
            $( stringify!($lname), )*
            $( stringify!($sname), )*
            $( stringify!($cname), )*
        ].len();

        impl Instr {
            /// The variant of this instruction.
            #[inline(always)]
            pub(crate) fn tag(&self) -> Tag {
                match self {
                    $( Instr::$name { .. } => Tag::$name, )*
                    $( Instr::$bname { .. } => Tag::$bname, )*
                    $( Instr::$uname { .. } => Tag::$uname, )*
                    $( Instr::$lname { .. } => Tag::$lname, )*
                    $( Instr::$sname { .. } => Tag::$sname, )*
                    $( Instr::$cname { .. } => Tag::$cname, )*
                }
            }

            /// The disassembly mnemonic.
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $( Instr::$name { .. } => $m, )*
                    $( Instr::$bname { .. } => $bm, )*
                    $( Instr::$uname { .. } => $um, )*
                    $( Instr::$lname { .. } => $lm, )*
                    $( Instr::$sname { .. } => $sm, )*
                    $( Instr::$cname { .. } => $cm, )*
                }
            }

            /// Calls `f(field_name, operand)` for each field, in declaration order.
            pub fn for_each_operand(&self, mut f: impl FnMut(&'static str, Operand)) {
                match *self {
                    $( Instr::$name { $($field),* } => { $( f(stringify!($field), IrField::operand($field)); )* } )*
                    $( Instr::$bname { dst, lhs, rhs } => { f("dst", dst.operand()); f("lhs", lhs.operand()); f("rhs", rhs.operand()); } )*
                    $( Instr::$uname { dst, src } => { f("dst", dst.operand()); f("src", src.operand()); } )*
                    $( Instr::$lname { dst, ptr, offset } => { f("dst", dst.operand()); f("ptr", ptr.operand()); f("offset", offset.operand()); } )*
                    $( Instr::$sname { ptr, value, offset } => { f("ptr", ptr.operand()); f("value", value.operand()); f("offset", offset.operand()); } )*
                    $( Instr::$cname { lhs, rhs, offset, gas } => { f("lhs", lhs.operand()); f("rhs", rhs.operand()); f("offset", offset.operand()); f("gas", gas.operand()); } )*
                }
            }

            /// Moves the charge of a metered block into a branch that jumps to it: when
            /// this branch targets `consume_gas amount` (and has no fused charge yet),
            /// the branch charges `amount` itself when taken and jumps past the
            /// `consume_gas`. Same charge, at the same point of execution (nothing runs
            /// between the jump and the block's charge), one dispatch fewer per taken
            /// branch. Returns whether it applied (`amount` must fit the field: `u16` for
            /// fused compares).
            #[inline]
            pub(crate) fn fuse_target_gas(&mut self, amount: u32) -> bool {
                match self {
                    Instr::Br { offset, gas }
                    | Instr::BrIfNez { offset, gas, .. }
                    | Instr::BrIfEqz { offset, gas, .. } if *gas == 0 && amount != 0 => {
                        *gas = amount;
                        *offset += 1;
                        true
                    }
                    $( Instr::$cname { offset, gas, .. } if *gas == 0 && amount != 0 => match u16::try_from(amount) {
                        Ok(a) => {
                            *gas = a;
                            *offset += 1;
                            true
                        }
                        Err(_) => false,
                    }, )*
                    _ => false,
                }
            }

            /// The branch offset field of a branch instruction (`Br`, `BrIf*`, fused).
            #[inline(always)]
            pub(crate) fn branch_offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    Instr::Br { offset, .. }
                    | Instr::BrIfNez { offset, .. }
                    | Instr::BrIfEqz { offset, .. } => Some(offset),
                    $( Instr::$cname { offset, .. } => Some(offset), )*
                    _ => None,
                }
            }

            /// Calls `f` on every slot operand (used to relocate translation-time slots).
            #[inline]
            pub(crate) fn for_each_slot_mut(&mut self, mut f: impl FnMut(&mut Slot)) {
                match self {
                    $( Instr::$name { $($field),* } => { $( if let Some(s) = IrField::slot_mut($field) { f(s) } )* } )*
                    $( Instr::$bname { dst, lhs, rhs } => { f(dst); f(lhs); f(rhs); } )*
                    $( Instr::$uname { dst, src } => { f(dst); f(src); } )*
                    $( Instr::$lname { dst, ptr, .. } => { f(dst); f(ptr); } )*
                    $( Instr::$sname { ptr, value, .. } => { f(ptr); f(value); } )*
                    $( Instr::$cname { lhs, rhs, .. } => { f(lhs); f(rhs); } )*
                }
            }
        }
    };
}

for_each_instr!(define_instr);

impl Instr {
    /// The relative branch offset of a branch instruction, if any.
    #[inline]
    pub fn branch_offset(&self) -> Option<i32> {
        let mut copy = *self;
        copy.branch_offset_mut().copied()
    }

    /// Whether execution never continues at the next instruction (`br`, `return`,
    /// `return_one`, `unreachable`): what a function's code must end with.
    #[inline]
    pub fn is_terminator(&self) -> bool {
        matches!(
            self,
            Instr::Br { .. }
                | Instr::Return { .. }
                | Instr::ReturnOne { .. }
                | Instr::Unreachable {}
        )
    }
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mnemonic())?;
        let mut res = Ok(());
        self.for_each_operand(|name, op| {
            if res.is_ok() && !(name == "gas" && op == Operand::U32(0)) {
                res = match op {
                    Operand::Slot(s) => write!(f, " {name}={s}"),
                    Operand::U32(v) => write!(f, " {name}={v}"),
                    Operand::I32(v) => write!(f, " {name}={v:+}"),
                };
            }
        });
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instr_is_at_most_16_bytes() {
        assert!(
            core::mem::size_of::<Instr>() <= 16,
            "{}",
            core::mem::size_of::<Instr>()
        );
    }

    #[test]
    fn display_and_relocate() {
        let mut i = Instr::I32Add {
            dst: Slot(4),
            lhs: Slot(0),
            rhs: Slot(1),
        };
        assert_eq!(i.to_string(), "i32.add dst=s4 lhs=s0 rhs=s1");
        i.for_each_slot_mut(|s| s.0 += 10);
        assert_eq!(
            i,
            Instr::I32Add {
                dst: Slot(14),
                lhs: Slot(10),
                rhs: Slot(11)
            }
        );
        let mut b = Instr::BrIfEqz {
            cond: Slot(2),
            offset: -3,
            gas: 0,
        };
        assert_eq!(b.to_string(), "br_if_eqz cond=s2 offset=-3");
        assert_eq!(b.branch_offset(), Some(-3));
        // The target block's charge moves into the branch, which then skips it.
        assert!(b.fuse_target_gas(7));
        assert_eq!(b.to_string(), "br_if_eqz cond=s2 offset=-2 gas=7");
        assert!(!b.fuse_target_gas(7), "fused once only");
    }

    #[test]
    fn fused_compare_gas_fits_u16() {
        let c = Instr::BrI32LtU {
            lhs: Slot(0),
            rhs: Slot(1),
            offset: 4,
            gas: 0,
        };
        let mut big = c;
        assert!(!big.fuse_target_gas(70_000));
        assert_eq!(big, c, "unchanged when the charge does not fit");
        let mut zero = c;
        assert!(!zero.fuse_target_gas(0));
        let mut ok = c;
        assert!(ok.fuse_target_gas(65_535));
        assert_eq!(ok.branch_offset(), Some(5));
        assert!(!Instr::ReturnOne { src: Slot(0) }.fuse_target_gas(1));
    }
}
