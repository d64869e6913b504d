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
//! * Every branch carries `gas`, the charge of the metered block it jumps into
//!   (`Instr::fuse_target_gas`); fused compares carry it as `u16`.
//! * Compares fuse with the branch on their result, floats included (`br.f32.*`,
//!   `br.f64.*`).
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
/// `[load]` (`{dst, ptr, offset}`), `[store]` (`{ptr, value, offset}`), `[br_cmp]`
/// (`{lhs, rhs, offset}`: branch when the comparison holds), and the immediate forms
/// `[binary_imm]` (`{dst, lhs, imm}`) and `[br_cmp_imm]` (`{lhs, imm, offset}`): the
/// right operand is the constant `imm` carried by the instruction (i32 operations: the
/// value; i64 operations: `imm` sign-extended from 32 bits), and `[store_imm]`
/// (`{ptr, imm, offset}`: a constant stored value, i64/f64 `store` sign-extend it, the
/// narrower stores keep its low bytes).
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
            /// A function's first instruction when it has more zeroed locals and pooled
            /// constants than `enter_small` takes (below): charge `gas` (the entry
            /// block's charge, fused; trap `OutOfGas` on shortage), then zero the
            /// `locals` slots from `params` and copy the `consts` cells of the module's
            /// constant arena from `pool` to the slots right after them (`FrameShape`).
            /// Never a branch target.
            Enter { params: u16, consts: u16, gas: u16, locals: u32, pool: u32 } = "enter",
            /// `enter` for a frame whose zeroed locals and pooled constants fit in
            /// [`SMALL_INIT`](crate::exec::SMALL_INIT) cells together: charge `gas` as
            /// `enter` does, then copy `SMALL_INIT` cells of the module's constant arena
            /// from `pool` to the slots from `params` (the function's image: its zeroed
            /// locals as zero cells, then its constants; the cells past the image are
            /// written-first locals or temporaries). No loop. Never a branch target.
            EnterSmall { params: u16, gas: u16, pool: u32 } = "enter_small",
            /// `dst = src`.
            Copy { dst: Slot, src: Slot } = "copy",
            /// `dst = (hi << 32) | lo`: a constant materialized by an instruction, used
            /// once a function's constant pool is full (`MAX_POOLED_CONSTS`).
            Const { dst: Slot, lo: u32, hi: u32 } = "const",
            /// Copy `len` consecutive slots `src..src+len` to `dst..dst+len`, ascending
            /// (the translator guarantees `dst <= src` or disjoint ranges).
            CopySpan { dst: Slot, src: Slot, len: u32 } = "copy_span",
            /// Set the `len` consecutive slots `dst..dst+len` to the null reference
            /// (`NULL_REF`): the fill of a frame's reference locals on entry, one
            /// instruction however many locals a run declares, and no constant slot.
            FillNull { dst: Slot, len: u32 } = "fill_null",
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
            /// `copy` reading `src` from the register (see [`Instr::use_register`]).
            CopyS { dst: Slot, src: Slot } = "copy.rs",
            /// `f64.mul` of the float register by itself (`x * x`, with `lhs == rhs` the
            /// slot it holds; see [`Instr::use_register`]): a square computed as soon as
            /// its operand is, without reading the slot back.
            F64MulSq { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.sq",
            /// `br_if_nez` reading `cond` from the register.
            BrIfNezC { cond: Slot, offset: i32, gas: u32 } = "br_if_nez.rc",
            /// `br_if_eqz` reading `cond` from the register.
            BrIfEqzC { cond: Slot, offset: i32, gas: u32 } = "br_if_eqz.rc",
            /// Followed by `len + 1` `Br` instructions (the last is the default); jump to
            /// `pc + 1 + min(index as u32, len)` (which then executes that `Br`).
            BrTable { index: Slot, len: u32 } = "br_table",
            /// Copy `count` slots from `values..` to slots `0..count` of the frame (ascending)
            /// and return to the caller. The translator emits it for two or more results
            /// (`return_one`, `return_none` for one and none).
            Return { values: Slot, count: u32 } = "return",
            /// Return one value: slot 0 = `src`, then return.
            ReturnOne { src: Slot } = "return_one",
            /// Return without values (a function with no results): a `return` with
            /// `count == 0` has nothing to copy, and its handler then needs no loop.
            ReturnNone {} = "return_none",
            /// Call defined function `func` (`>= num_imported_funcs`). Arguments are in
            /// `args..args+P`; the callee frame starts at `args`; results come back in
            /// `args..args+R`.
            Call { func: u32, args: Slot } = "call",
            /// Call imported function `func` (`< num_imported_funcs`: a host function or
            /// another instance's), as `call`. Split from `call` at translation, so that
            /// the `call` handler tests nothing for imports.
            CallImport { func: u32, args: Slot } = "call_import",
            /// Indirect call through `table` with expected type `type_index`, which has
            /// `params` (P) parameters. Arguments in `args..args+P`, the i32 table index in
            /// slot `args + P`. Null element traps `UninitializedElement`, out of range
            /// `TableOutOfBounds`, wrong type `IndirectCallTypeMismatch`. Results in
            /// `args..args+R`.
            CallIndirect { type_index: u32, table: u16, params: u16, args: Slot } = "call_indirect",
            /// `dst = globals[global]`.
            GlobalGet { dst: Slot, global: u32 } = "global.get",
            /// `globals[global] = src`.
            GlobalSet { global: u32, src: Slot } = "global.set",
            /// `dst = globals[global] - imm` (i32, wrapping): a `global.get` fused with the
            /// `i32.sub` of a constant that consumes its value (the translator's peephole,
            /// see `docs/ir.md`: a compiled Rust function's shadow-stack prologue).
            GlobalGetI32Sub { dst: Slot, global: u32, imm: u32 } = "global.get.i32.sub",
            /// `global.get.i32.sub` whose result is also stored back: `dst = globals[global]
            /// - imm; globals[global] = dst` (`global.get g; i32.const; i32.sub; local.tee;
            /// global.set g`).
            GlobalGetI32SubSet { dst: Slot, global: u32, imm: u32 } = "global.get.i32.sub.set",
            /// `globals[global] = lhs + imm` (i32, wrapping): an `i32.add` of a constant
            /// fused with the `global.set` that consumes its result (the shadow-stack
            /// epilogue).
            GlobalSetI32Add { global: u32, lhs: Slot, imm: u32 } = "global.set.i32.add",
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
            /// Pair heads (`docs/ir.md`, "Pairs"; the table `PAIRS`): an instruction
            /// fused with the one after it, its partner, when translation finishes. The head
            /// has the first instruction's fields; its handler does the first instruction's
            /// work, then the partner's (whose fields it reads from the next word, which
            /// stays in place: a branch may still target it), and continues after the
            /// partner. One dispatch for two instructions, same effects in the same order.
            /// `i64.add.rr` then `i64.add.rr` (pair head).
            PairI64AddRI64AddR { dst: Slot, lhs: Slot, rhs: Slot } = "i64.add.rr+i64.add.rr",
            /// `i64.add` then `i64.add.rr` (pair head).
            PairI64AddI64AddR { dst: Slot, lhs: Slot, rhs: Slot } = "i64.add+i64.add.rr",
            /// `i32.add.imm` then `i32.add.imm` (pair head).
            PairI32AddII32AddI { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+i32.add.imm",
            /// `f64.mul.rl` then `f64.add.rr` (pair head).
            PairF64MulLF64AddR { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.rl+f64.add.rr",
            /// `f64.mul.rr` then `f64.add.rr` (pair head).
            PairF64MulRF64AddR { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.rr+f64.add.rr",
            /// `i32.add` then `br.i32.lt_u.rl` (pair head).
            PairI32AddBrI32LtUL { dst: Slot, lhs: Slot, rhs: Slot } = "i32.add+br.i32.lt_u.rl",
            /// `i32.add.imm` then `br.i32.ne.rr` (pair head).
            PairI32AddIBrI32NeR { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+br.i32.ne.rr",
            /// `i32.add.imm` then `br.i32.ne.imm.rl` (pair head).
            PairI32AddIBrI32NeIL { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+br.i32.ne.imm.rl",
            /// `i32.add.imm` then `br_if_nez.rc` (pair head).
            PairI32AddIBrIfNezC { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+br_if_nez.rc",
            /// `f64.add.rr` then `f64.store.rv` (pair head).
            PairF64AddRF64StoreV { dst: Slot, lhs: Slot, rhs: Slot } = "f64.add.rr+f64.store.rv",
            /// `i32.shl.imm` then `i32.add.rr` (pair head).
            PairI32ShlII32AddR { dst: Slot, lhs: Slot, imm: u32 } = "i32.shl.imm+i32.add.rr",
            /// `i32.shl.imm.rl` then `i32.add.rr` (pair head).
            PairI32ShlILI32AddR { dst: Slot, lhs: Slot, imm: u32 } = "i32.shl.imm.rl+i32.add.rr",
            /// `i32.rotl.imm` then `i32.xor.rr` (pair head).
            PairI32RotlII32XorR { dst: Slot, lhs: Slot, imm: u32 } = "i32.rotl.imm+i32.xor.rr",
            /// `i64.xor` then `i64.rotl.imm.rl` (pair head).
            PairI64XorI64RotlIL { dst: Slot, lhs: Slot, rhs: Slot } = "i64.xor+i64.rotl.imm.rl",
            /// `f64.sub` then `f64.add.rr` (pair head).
            PairF64SubF64AddR { dst: Slot, lhs: Slot, rhs: Slot } = "f64.sub+f64.add.rr",
            /// `i32.add.imm` then `f64.load.rp` (pair head).
            PairI32AddIF64LoadP { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+f64.load.rp",
            /// `i32.add` then `i32.load8_u.rp` (pair head).
            PairI32AddI32Load8UP { dst: Slot, lhs: Slot, rhs: Slot } = "i32.add+i32.load8_u.rp",
            /// `i32.store8.imm` then `i32.add` (pair head).
            PairI32Store8II32Add { ptr: Slot, imm: u32, offset: u32 } = "i32.store8.imm+i32.add",
            /// `copy` then `copy` (pair head).
            PairCopyCopy { dst: Slot, src: Slot } = "copy+copy",
            /// `i64.xor.imm` then `i64.and.rr` (pair head).
            PairI64XorII64AndR { dst: Slot, lhs: Slot, imm: u32 } = "i64.xor.imm+i64.and.rr",
            /// `f64.add.rr` then `br.f64.le.rl` (pair head).
            PairF64AddRBrF64LeL { dst: Slot, lhs: Slot, rhs: Slot } = "f64.add.rr+br.f64.le.rl",
            /// `f64.mul` then `f64.mul` (pair head).
            PairF64MulF64Mul { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul+f64.mul",
            /// `f64.mul` then `f64.mul.rr` (pair head).
            PairF64MulF64MulR { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul+f64.mul.rr",
            /// `f64.mul.rl` then `f64.add` (pair head).
            PairF64MulLF64Add { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.rl+f64.add",
            /// `f64.load` then `f64.load` (pair head).
            PairF64LoadF64Load { dst: Slot, ptr: Slot, offset: u32 } = "f64.load+f64.load",
            /// `f64.mul.sq` then `f64.add.rr` (pair head).
            PairF64MulSqF64AddR { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.sq+f64.add.rr",
            /// `f64.mul.sq` then `f64.add` (pair head).
            PairF64MulSqF64Add { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.sq+f64.add",
            /// `i32.load` then `i32.load` (pair head).
            PairI32LoadI32Load { dst: Slot, ptr: Slot, offset: u32 } = "i32.load+i32.load",
            /// `i32.load` then `i32.add.rl` (pair head).
            PairI32LoadI32AddL { dst: Slot, ptr: Slot, offset: u32 } = "i32.load+i32.add.rl",
            /// `i32.load.rp` then `i32.store.rv` (pair head).
            PairI32LoadPI32StoreV { dst: Slot, ptr: Slot, offset: u32 } = "i32.load.rp+i32.store.rv",
            /// `i64.load` then `i64.store.rv` (pair head).
            PairI64LoadI64StoreV { dst: Slot, ptr: Slot, offset: u32 } = "i64.load+i64.store.rv",
            /// `i32.load8_u.rp` then `i32.add.rr` (pair head).
            PairI32Load8UPI32AddR { dst: Slot, ptr: Slot, offset: u32 } = "i32.load8_u.rp+i32.add.rr",
            /// `i32.store` then `i32.store` (pair head).
            PairI32StoreI32Store { ptr: Slot, value: Slot, offset: u32 } = "i32.store+i32.store",
            /// `i32.add.imm` then `i32.store.rv` (pair head).
            PairI32AddII32StoreV { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+i32.store.rv",
            /// `i32.add.imm` then `copy` (pair head).
            PairI32AddICopy { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+copy",
            /// `i32.and.imm` then `i32.add.rr` (pair head).
            PairI32AndII32AddR { dst: Slot, lhs: Slot, imm: u32 } = "i32.and.imm+i32.add.rr",
            /// `copy` then `call` (pair head).
            PairCopyCall { dst: Slot, src: Slot } = "copy+call",
            /// `i32.add.imm` then `call` (pair head).
            PairI32AddICall { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+call",
            /// `copy` then `call_indirect` (pair head).
            PairCopyCallIndirect { dst: Slot, src: Slot } = "copy+call_indirect",
            /// `f64.sub.rr` then `f64.store.rv` (pair head).
            PairF64SubRF64StoreV { dst: Slot, lhs: Slot, rhs: Slot } = "f64.sub.rr+f64.store.rv",
            /// `copy` then `br` (pair head: a value carried to a merge, then the jump).
            PairCopyBr { dst: Slot, src: Slot } = "copy+br",
            /// `const` then `br` (pair head).
            PairConstBr { dst: Slot, lo: u32, hi: u32 } = "const+br",
            /// `i32.load8_u` then `i32.store8.rv` (pair head: a byte copied).
            PairI32Load8UI32Store8V { dst: Slot, ptr: Slot, offset: u32 } = "i32.load8_u+i32.store8.rv",
            /// `i32.add.imm` then `consume_gas` (pair head: a counter bumped before a loop
            /// entered by falling through, whose header charges).
            PairI32AddIConsumeGas { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+consume_gas",
            /// `i64.shr_u.imm` then `i64.xor.rl` (pair head: `x ^= x >> k`, xorshift).
            PairI64ShrUII64XorL { dst: Slot, lhs: Slot, imm: u32 } = "i64.shr_u.imm+i64.xor.rl",
            /// `i64.shr_u.imm.rl` then `i64.xor.rl` (pair head).
            PairI64ShrUILI64XorL { dst: Slot, lhs: Slot, imm: u32 } = "i64.shr_u.imm.rl+i64.xor.rl",
            /// `i64.shl.imm.rl` then `i64.xor.rl` (pair head: `x ^= x << k`).
            PairI64ShlILI64XorL { dst: Slot, lhs: Slot, imm: u32 } = "i64.shl.imm.rl+i64.xor.rl",
            /// `i64.mul.rl` then `i64.shr_u.imm.rl` (pair head: the high half of a
            /// product).
            PairI64MulLI64ShrUIL { dst: Slot, lhs: Slot, rhs: Slot } = "i64.mul.rl+i64.shr_u.imm.rl",
            /// `i64.xor.rr` then `i64.xor.rr` (pair head: a parity chain).
            PairI64XorRI64XorR { dst: Slot, lhs: Slot, rhs: Slot } = "i64.xor.rr+i64.xor.rr",
            /// `i64.xor.imm.rl` then `i64.and.rr` (pair head: `a & !b`).
            PairI64XorILI64AndR { dst: Slot, lhs: Slot, imm: u32 } = "i64.xor.imm.rl+i64.and.rr",
            /// `i32.xor` then `i32.and.rr` (pair head: a choose or majority function).
            PairI32XorI32AndR { dst: Slot, lhs: Slot, rhs: Slot } = "i32.xor+i32.and.rr",
            /// `i32.xor.rr` then `i32.add.rr` (pair head).
            PairI32XorRI32AddR { dst: Slot, lhs: Slot, rhs: Slot } = "i32.xor.rr+i32.add.rr",
            /// `i32.add.rr` then `i32.rotl.imm` (pair head).
            PairI32AddRI32RotlI { dst: Slot, lhs: Slot, rhs: Slot } = "i32.add.rr+i32.rotl.imm",
            /// `i32.shr_u.imm` then `i32.xor.rr` (pair head).
            PairI32ShrUII32XorR { dst: Slot, lhs: Slot, imm: u32 } = "i32.shr_u.imm+i32.xor.rr",
            /// `i32.sub` then `i32.and.imm.rl` (pair head: a masked distance).
            PairI32SubI32AndIL { dst: Slot, lhs: Slot, rhs: Slot } = "i32.sub+i32.and.imm.rl",
            /// `i32.add.imm.rl` then `i32.load16_u.rp` (pair head).
            PairI32AddILI32Load16UP { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm.rl+i32.load16_u.rp",
            /// `i32.add.imm` then `i32.load16_u.rp` (pair head).
            PairI32AddII32Load16UP { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+i32.load16_u.rp",
            /// `i32.lt_u.rl` then `select` (pair head: a branchless minimum).
            PairI32LtULSelect { dst: Slot, lhs: Slot, rhs: Slot } = "i32.lt_u.rl+select",
            /// `i32.lt_u` then `i32.add.rr` (pair head: a count of smaller elements).
            PairI32LtUI32AddR { dst: Slot, lhs: Slot, rhs: Slot } = "i32.lt_u+i32.add.rr",
            /// `i32.add.imm` then `br.i32.lt_u.rl` (pair head: a loop's index bumped and
            /// checked).
            PairI32AddIBrI32LtUL { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+br.i32.lt_u.rl",
            /// `i32.add.imm` then `br.i32.gt_u.imm.rl` (pair head: a count down checked).
            PairI32AddIBrI32GtUIL { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+br.i32.gt_u.imm.rl",
            /// `i32.rotl.imm` then `i32.rotl.imm` (pair head: two rotations of one word).
            PairI32RotlII32RotlI { dst: Slot, lhs: Slot, imm: u32 } = "i32.rotl.imm+i32.rotl.imm",
            /// `i32.add.rr` then `i32.add.imm.rl` (pair head).
            PairI32AddRI32AddIL { dst: Slot, lhs: Slot, rhs: Slot } = "i32.add.rr+i32.add.imm.rl",
            /// `i64.xor.rl` then `copy.rs` (pair head: a result kept in a second local).
            PairI64XorLCopyS { dst: Slot, lhs: Slot, rhs: Slot } = "i64.xor.rl+copy.rs",
            /// `const` then `br.i32.lt_u.imm` (pair head: an accumulator set before a
            /// base-case test).
            PairConstBrI32LtUI { dst: Slot, lo: u32, hi: u32 } = "const+br.i32.lt_u.imm",
            /// `i64.extend_i32_u` then `i64.add.rr` (pair head).
            PairI64ExtendI32UI64AddR { dst: Slot, src: Slot } = "i64.extend_i32_u+i64.add.rr",
            /// `i32.add.imm` then `i32.load.rp` (pair head: a field of a pointer).
            PairI32AddII32LoadP { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+i32.load.rp",
            /// `i32.load` then `br_if_eqz.rc` (pair head: a null or zero test of a loaded
            /// word).
            PairI32LoadBrIfEqzC { dst: Slot, ptr: Slot, offset: u32 } = "i32.load+br_if_eqz.rc",
            /// `i32.and.imm` then `br.i32.eq.rr` (pair head).
            PairI32AndIBrI32EqR { dst: Slot, lhs: Slot, imm: u32 } = "i32.and.imm+br.i32.eq.rr",
            /// `f64.sqrt.rs` then `f64.mul.rr` (pair head: `d * sqrt(d)`, nbody).
            PairF64SqrtSF64MulR { dst: Slot, src: Slot } = "f64.sqrt.rs+f64.mul.rr",
            /// `f64.mul.rl` then `f64.mul.rr` (pair head).
            PairF64MulLF64MulR { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.rl+f64.mul.rr",
            /// `f64.load` then `f64.mul` (pair head: a load beside an independent product).
            PairF64LoadF64Mul { dst: Slot, ptr: Slot, offset: u32 } = "f64.load+f64.mul",
            /// Triple heads (`docs/ir.md`, "Pairs"; the table `TRIPLES`): a pair head
            /// fused with the instruction after its partner, when translation finishes.
            /// The head has the first instruction's fields; its handler does the pair's
            /// work, then the third instruction's (fields read from the word after the
            /// partner, which stays in place with the partner: branches may target
            /// either), and continues after the third. One dispatch for three
            /// instructions, same effects in the same order.
            /// `f64.mul.rr`, `f64.add.rr`, `f64.store.rv` (triple head: `c[j] += a * b[j]`).
            TripleF64MulRF64AddRF64StoreV { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.rr+f64.add.rr+f64.store.rv",
            /// `f64.mul.rl`, `f64.add.rr`, `f64.store.rv` (triple head).
            TripleF64MulLF64AddRF64StoreV { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.rl+f64.add.rr+f64.store.rv",
            /// `f64.mul`, `f64.mul.rr`, `f64.load` (triple head).
            TripleF64MulF64MulRF64Load { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul+f64.mul.rr+f64.load",
            /// `f64.mul.sq`, `f64.add.rr`, `br.f64.le.rl` (triple head: `x*x + y*y <= r`).
            TripleF64MulSqF64AddRBrF64LeL { dst: Slot, lhs: Slot, rhs: Slot } = "f64.mul.sq+f64.add.rr+br.f64.le.rl",
            /// `f64.sub`, `f64.add.rr`, `f64.add` (triple head).
            TripleF64SubF64AddRF64Add { dst: Slot, lhs: Slot, rhs: Slot } = "f64.sub+f64.add.rr+f64.add",
            /// `i32.add.imm`, `copy`, `br` (triple head: a loop's pointer bump, the
            /// value carried to its header, the back edge).
            TripleI32AddICopyBr { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+copy+br",
            /// `i64.mul.rl`, `i64.shr_u.imm.rl`, `i64.store8.rv` (triple head: a random
            /// byte stored).
            TripleI64MulLI64ShrUILI64Store8V { dst: Slot, lhs: Slot, rhs: Slot } = "i64.mul.rl+i64.shr_u.imm.rl+i64.store8.rv",
            /// `i32.sub`, `i32.and.imm.rl`, `br.i32.gt_u.rl` (triple head: a masked
            /// distance checked against a limit, DEFLATE's match search).
            TripleI32SubI32AndILBrI32GtUL { dst: Slot, lhs: Slot, rhs: Slot } = "i32.sub+i32.and.imm.rl+br.i32.gt_u.rl",
            /// `i32.shl.imm`, `i32.add.rr`, `i32.load16_u.rp` (triple head: an indexed
            /// `u16` load).
            TripleI32ShlII32AddRI32Load16UP { dst: Slot, lhs: Slot, imm: u32 } = "i32.shl.imm+i32.add.rr+i32.load16_u.rp",
            /// `i32.add.imm`, `i32.add.imm`, `br.i32.ne.rr` (triple head: two counters
            /// bumped, the loop closed on the second).
            TripleI32AddII32AddIBrI32NeR { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+i32.add.imm+br.i32.ne.rr",
            /// `i32.add`, `i32.load8_u.rp`, `br_if_nez.rc` (triple head: a byte flag
            /// tested, the sieve's outer loop).
            TripleI32AddI32Load8UPBrIfNezC { dst: Slot, lhs: Slot, rhs: Slot } = "i32.add+i32.load8_u.rp+br_if_nez.rc",
            /// `i32.rotl.imm`, `i32.rotl.imm`, `i32.xor.rr` (triple head: SHA-256's sigma).
            TripleI32RotlII32RotlII32XorR { dst: Slot, lhs: Slot, imm: u32 } = "i32.rotl.imm+i32.rotl.imm+i32.xor.rr",
            /// `copy`, `copy`, `call_indirect` (triple head: two arguments moved, then the
            /// call).
            TripleCopyCopyCallIndirect { dst: Slot, src: Slot } = "copy+copy+call_indirect",
            /// `i32.add.imm`, `i32.load.rp`, `i32.store.rv` (triple head: a word copied
            /// from a field).
            TripleI32AddII32LoadPI32StoreV { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+i32.load.rp+i32.store.rv",
            /// `i32.add.imm`, `f64.load.rp`, `f64.sub.rr` (triple head: a coordinate of
            /// another body loaded and subtracted, nbody).
            TripleI32AddIF64LoadPF64SubR { dst: Slot, lhs: Slot, imm: u32 } = "i32.add.imm+f64.load.rp+f64.sub.rr",
            /// `f64.load`, `f64.mul`, `f64.mul.rr` (triple head: a velocity loaded beside
            /// `m * d * mag`, nbody).
            TripleF64LoadF64MulF64MulR { dst: Slot, ptr: Slot, offset: u32 } = "f64.load+f64.mul+f64.mul.rr",

            [binary]
            I32Add, I32AddL, I32AddR = "i32.add", I32Sub, I32SubL, I32SubR = "i32.sub", I32Mul, I32MulL, I32MulR = "i32.mul",
            I32DivS, I32DivSL, I32DivSR = "i32.div_s", I32DivU, I32DivUL, I32DivUR = "i32.div_u", I32RemS, I32RemSL, I32RemSR = "i32.rem_s", I32RemU, I32RemUL, I32RemUR = "i32.rem_u",
            I32And, I32AndL, I32AndR = "i32.and", I32Or, I32OrL, I32OrR = "i32.or", I32Xor, I32XorL, I32XorR = "i32.xor",
            I32Shl, I32ShlL, I32ShlR = "i32.shl", I32ShrS, I32ShrSL, I32ShrSR = "i32.shr_s", I32ShrU, I32ShrUL, I32ShrUR = "i32.shr_u",
            I32Rotl, I32RotlL, I32RotlR = "i32.rotl", I32Rotr, I32RotrL, I32RotrR = "i32.rotr",
            I32Eq, I32EqL, I32EqR = "i32.eq", I32Ne, I32NeL, I32NeR = "i32.ne", I32LtS, I32LtSL, I32LtSR = "i32.lt_s", I32LtU, I32LtUL, I32LtUR = "i32.lt_u",
            I32GtS, I32GtSL, I32GtSR = "i32.gt_s", I32GtU, I32GtUL, I32GtUR = "i32.gt_u", I32LeS, I32LeSL, I32LeSR = "i32.le_s", I32LeU, I32LeUL, I32LeUR = "i32.le_u",
            I32GeS, I32GeSL, I32GeSR = "i32.ge_s", I32GeU, I32GeUL, I32GeUR = "i32.ge_u",
            I64Add, I64AddL, I64AddR = "i64.add", I64Sub, I64SubL, I64SubR = "i64.sub", I64Mul, I64MulL, I64MulR = "i64.mul",
            I64DivS, I64DivSL, I64DivSR = "i64.div_s", I64DivU, I64DivUL, I64DivUR = "i64.div_u", I64RemS, I64RemSL, I64RemSR = "i64.rem_s", I64RemU, I64RemUL, I64RemUR = "i64.rem_u",
            I64And, I64AndL, I64AndR = "i64.and", I64Or, I64OrL, I64OrR = "i64.or", I64Xor, I64XorL, I64XorR = "i64.xor",
            I64Shl, I64ShlL, I64ShlR = "i64.shl", I64ShrS, I64ShrSL, I64ShrSR = "i64.shr_s", I64ShrU, I64ShrUL, I64ShrUR = "i64.shr_u",
            I64Rotl, I64RotlL, I64RotlR = "i64.rotl", I64Rotr, I64RotrL, I64RotrR = "i64.rotr",
            I64Eq, I64EqL, I64EqR = "i64.eq", I64Ne, I64NeL, I64NeR = "i64.ne", I64LtS, I64LtSL, I64LtSR = "i64.lt_s", I64LtU, I64LtUL, I64LtUR = "i64.lt_u",
            I64GtS, I64GtSL, I64GtSR = "i64.gt_s", I64GtU, I64GtUL, I64GtUR = "i64.gt_u", I64LeS, I64LeSL, I64LeSR = "i64.le_s", I64LeU, I64LeUL, I64LeUR = "i64.le_u",
            I64GeS, I64GeSL, I64GeSR = "i64.ge_s", I64GeU, I64GeUL, I64GeUR = "i64.ge_u",
            F32Add, F32AddL, F32AddR = "f32.add", F32Sub, F32SubL, F32SubR = "f32.sub", F32Mul, F32MulL, F32MulR = "f32.mul", F32Div, F32DivL, F32DivR = "f32.div",
            F32Min, F32MinL, F32MinR = "f32.min", F32Max, F32MaxL, F32MaxR = "f32.max", F32Copysign, F32CopysignL, F32CopysignR = "f32.copysign",
            F32Eq, F32EqL, F32EqR = "f32.eq", F32Ne, F32NeL, F32NeR = "f32.ne", F32Lt, F32LtL, F32LtR = "f32.lt", F32Gt, F32GtL, F32GtR = "f32.gt",
            F32Le, F32LeL, F32LeR = "f32.le", F32Ge, F32GeL, F32GeR = "f32.ge",
            F64Add, F64AddL, F64AddR = "f64.add", F64Sub, F64SubL, F64SubR = "f64.sub", F64Mul, F64MulL, F64MulR = "f64.mul", F64Div, F64DivL, F64DivR = "f64.div",
            F64Min, F64MinL, F64MinR = "f64.min", F64Max, F64MaxL, F64MaxR = "f64.max", F64Copysign, F64CopysignL, F64CopysignR = "f64.copysign",
            F64Eq, F64EqL, F64EqR = "f64.eq", F64Ne, F64NeL, F64NeR = "f64.ne", F64Lt, F64LtL, F64LtR = "f64.lt", F64Gt, F64GtL, F64GtR = "f64.gt",
            F64Le, F64LeL, F64LeR = "f64.le", F64Ge, F64GeL, F64GeR = "f64.ge",

            [unary]
            I32Eqz, I32EqzS = "i32.eqz", I32Clz, I32ClzS = "i32.clz", I32Ctz, I32CtzS = "i32.ctz", I32Popcnt, I32PopcntS = "i32.popcnt",
            I32Extend8S, I32Extend8SS = "i32.extend8_s", I32Extend16S, I32Extend16SS = "i32.extend16_s",
            I64Eqz, I64EqzS = "i64.eqz", I64Clz, I64ClzS = "i64.clz", I64Ctz, I64CtzS = "i64.ctz", I64Popcnt, I64PopcntS = "i64.popcnt",
            I64Extend8S, I64Extend8SS = "i64.extend8_s", I64Extend16S, I64Extend16SS = "i64.extend16_s",
            I64Extend32S, I64Extend32SS = "i64.extend32_s",
            F32Abs, F32AbsS = "f32.abs", F32Neg, F32NegS = "f32.neg", F32Ceil, F32CeilS = "f32.ceil", F32Floor, F32FloorS = "f32.floor",
            F32Trunc, F32TruncS = "f32.trunc", F32Nearest, F32NearestS = "f32.nearest", F32Sqrt, F32SqrtS = "f32.sqrt",
            F64Abs, F64AbsS = "f64.abs", F64Neg, F64NegS = "f64.neg", F64Ceil, F64CeilS = "f64.ceil", F64Floor, F64FloorS = "f64.floor",
            F64Trunc, F64TruncS = "f64.trunc", F64Nearest, F64NearestS = "f64.nearest", F64Sqrt, F64SqrtS = "f64.sqrt",
            I32WrapI64, I32WrapI64S = "i32.wrap_i64",
            I32TruncF32S, I32TruncF32SS = "i32.trunc_f32_s", I32TruncF32U, I32TruncF32US = "i32.trunc_f32_u",
            I32TruncF64S, I32TruncF64SS = "i32.trunc_f64_s", I32TruncF64U, I32TruncF64US = "i32.trunc_f64_u",
            I64ExtendI32S, I64ExtendI32SS = "i64.extend_i32_s", I64ExtendI32U, I64ExtendI32US = "i64.extend_i32_u",
            I64TruncF32S, I64TruncF32SS = "i64.trunc_f32_s", I64TruncF32U, I64TruncF32US = "i64.trunc_f32_u",
            I64TruncF64S, I64TruncF64SS = "i64.trunc_f64_s", I64TruncF64U, I64TruncF64US = "i64.trunc_f64_u",
            F32ConvertI32S, F32ConvertI32SS = "f32.convert_i32_s", F32ConvertI32U, F32ConvertI32US = "f32.convert_i32_u",
            F32ConvertI64S, F32ConvertI64SS = "f32.convert_i64_s", F32ConvertI64U, F32ConvertI64US = "f32.convert_i64_u",
            F32DemoteF64, F32DemoteF64S = "f32.demote_f64",
            F64ConvertI32S, F64ConvertI32SS = "f64.convert_i32_s", F64ConvertI32U, F64ConvertI32US = "f64.convert_i32_u",
            F64ConvertI64S, F64ConvertI64SS = "f64.convert_i64_s", F64ConvertI64U, F64ConvertI64US = "f64.convert_i64_u",
            F64PromoteF32, F64PromoteF32S = "f64.promote_f32",
            I32TruncSatF32S, I32TruncSatF32SS = "i32.trunc_sat_f32_s", I32TruncSatF32U, I32TruncSatF32US = "i32.trunc_sat_f32_u",
            I32TruncSatF64S, I32TruncSatF64SS = "i32.trunc_sat_f64_s", I32TruncSatF64U, I32TruncSatF64US = "i32.trunc_sat_f64_u",
            I64TruncSatF32S, I64TruncSatF32SS = "i64.trunc_sat_f32_s", I64TruncSatF32U, I64TruncSatF32US = "i64.trunc_sat_f32_u",
            I64TruncSatF64S, I64TruncSatF64SS = "i64.trunc_sat_f64_s", I64TruncSatF64U, I64TruncSatF64US = "i64.trunc_sat_f64_u",

            [load]
            I32Load, I32LoadP = "i32.load", I64Load, I64LoadP = "i64.load", F32Load, F32LoadP = "f32.load", F64Load, F64LoadP = "f64.load",
            I32Load8S, I32Load8SP = "i32.load8_s", I32Load8U, I32Load8UP = "i32.load8_u",
            I32Load16S, I32Load16SP = "i32.load16_s", I32Load16U, I32Load16UP = "i32.load16_u",
            I64Load8S, I64Load8SP = "i64.load8_s", I64Load8U, I64Load8UP = "i64.load8_u",
            I64Load16S, I64Load16SP = "i64.load16_s", I64Load16U, I64Load16UP = "i64.load16_u",
            I64Load32S, I64Load32SP = "i64.load32_s", I64Load32U, I64Load32UP = "i64.load32_u",

            [store]
            I32Store, I32StoreV, I32StoreP = "i32.store", I64Store, I64StoreV, I64StoreP = "i64.store", F32Store, F32StoreV, F32StoreP = "f32.store",
            F64Store, F64StoreV, F64StoreP = "f64.store", I32Store8, I32Store8V, I32Store8P = "i32.store8", I32Store16, I32Store16V, I32Store16P = "i32.store16",
            I64Store8, I64Store8V, I64Store8P = "i64.store8", I64Store16, I64Store16V, I64Store16P = "i64.store16", I64Store32, I64Store32V, I64Store32P = "i64.store32",

            [br_cmp]
            BrI32Eq, BrI32EqL, BrI32EqR = "br.i32.eq", BrI32Ne, BrI32NeL, BrI32NeR = "br.i32.ne", BrI32LtS, BrI32LtSL, BrI32LtSR = "br.i32.lt_s",
            BrI32LtU, BrI32LtUL, BrI32LtUR = "br.i32.lt_u", BrI32GtS, BrI32GtSL, BrI32GtSR = "br.i32.gt_s", BrI32GtU, BrI32GtUL, BrI32GtUR = "br.i32.gt_u",
            BrI32LeS, BrI32LeSL, BrI32LeSR = "br.i32.le_s", BrI32LeU, BrI32LeUL, BrI32LeUR = "br.i32.le_u", BrI32GeS, BrI32GeSL, BrI32GeSR = "br.i32.ge_s",
            BrI32GeU, BrI32GeUL, BrI32GeUR = "br.i32.ge_u",
            BrI64Eq, BrI64EqL, BrI64EqR = "br.i64.eq", BrI64Ne, BrI64NeL, BrI64NeR = "br.i64.ne", BrI64LtS, BrI64LtSL, BrI64LtSR = "br.i64.lt_s",
            BrI64LtU, BrI64LtUL, BrI64LtUR = "br.i64.lt_u", BrI64GtS, BrI64GtSL, BrI64GtSR = "br.i64.gt_s", BrI64GtU, BrI64GtUL, BrI64GtUR = "br.i64.gt_u",
            BrI64LeS, BrI64LeSL, BrI64LeSR = "br.i64.le_s", BrI64LeU, BrI64LeUL, BrI64LeUR = "br.i64.le_u", BrI64GeS, BrI64GeSL, BrI64GeSR = "br.i64.ge_s",
            BrI64GeU, BrI64GeUL, BrI64GeUR = "br.i64.ge_u",
            BrF32Eq, BrF32EqL, BrF32EqR = "br.f32.eq", BrF32Ne, BrF32NeL, BrF32NeR = "br.f32.ne", BrF32Lt, BrF32LtL, BrF32LtR = "br.f32.lt",
            BrF32Gt, BrF32GtL, BrF32GtR = "br.f32.gt", BrF32Le, BrF32LeL, BrF32LeR = "br.f32.le", BrF32Ge, BrF32GeL, BrF32GeR = "br.f32.ge",
            BrF64Eq, BrF64EqL, BrF64EqR = "br.f64.eq", BrF64Ne, BrF64NeL, BrF64NeR = "br.f64.ne", BrF64Lt, BrF64LtL, BrF64LtR = "br.f64.lt",
            BrF64Gt, BrF64GtL, BrF64GtR = "br.f64.gt", BrF64Le, BrF64LeL, BrF64LeR = "br.f64.le", BrF64Ge, BrF64GeL, BrF64GeR = "br.f64.ge",

            [binary_imm]
            I32AddI, I32AddIL = "i32.add", I32MulI, I32MulIL = "i32.mul", I32AndI, I32AndIL = "i32.and", I32OrI, I32OrIL = "i32.or", I32XorI, I32XorIL = "i32.xor",
            I32ShlI, I32ShlIL = "i32.shl", I32ShrSI, I32ShrSIL = "i32.shr_s", I32ShrUI, I32ShrUIL = "i32.shr_u", I32RotlI, I32RotlIL = "i32.rotl", I32RotrI, I32RotrIL = "i32.rotr",
            I32EqI, I32EqIL = "i32.eq", I32NeI, I32NeIL = "i32.ne", I32LtSI, I32LtSIL = "i32.lt_s", I32LtUI, I32LtUIL = "i32.lt_u", I32GtSI, I32GtSIL = "i32.gt_s",
            I32GtUI, I32GtUIL = "i32.gt_u", I32LeSI, I32LeSIL = "i32.le_s", I32LeUI, I32LeUIL = "i32.le_u", I32GeSI, I32GeSIL = "i32.ge_s", I32GeUI, I32GeUIL = "i32.ge_u",
            I64AddI, I64AddIL = "i64.add", I64MulI, I64MulIL = "i64.mul", I64AndI, I64AndIL = "i64.and", I64OrI, I64OrIL = "i64.or", I64XorI, I64XorIL = "i64.xor",
            I64ShlI, I64ShlIL = "i64.shl", I64ShrSI, I64ShrSIL = "i64.shr_s", I64ShrUI, I64ShrUIL = "i64.shr_u", I64RotlI, I64RotlIL = "i64.rotl", I64RotrI, I64RotrIL = "i64.rotr",
            I64EqI, I64EqIL = "i64.eq", I64NeI, I64NeIL = "i64.ne", I64LtSI, I64LtSIL = "i64.lt_s", I64LtUI, I64LtUIL = "i64.lt_u", I64GtSI, I64GtSIL = "i64.gt_s",
            I64GtUI, I64GtUIL = "i64.gt_u", I64LeSI, I64LeSIL = "i64.le_s", I64LeUI, I64LeUIL = "i64.le_u", I64GeSI, I64GeSIL = "i64.ge_s", I64GeUI, I64GeUIL = "i64.ge_u",

            [br_cmp_imm]
            BrI32EqI, BrI32EqIL = "br.i32.eq", BrI32NeI, BrI32NeIL = "br.i32.ne", BrI32LtSI, BrI32LtSIL = "br.i32.lt_s", BrI32LtUI, BrI32LtUIL = "br.i32.lt_u", BrI32GtSI, BrI32GtSIL = "br.i32.gt_s",
            BrI32GtUI, BrI32GtUIL = "br.i32.gt_u", BrI32LeSI, BrI32LeSIL = "br.i32.le_s", BrI32LeUI, BrI32LeUIL = "br.i32.le_u", BrI32GeSI, BrI32GeSIL = "br.i32.ge_s", BrI32GeUI, BrI32GeUIL = "br.i32.ge_u",
            BrI64EqI, BrI64EqIL = "br.i64.eq", BrI64NeI, BrI64NeIL = "br.i64.ne", BrI64LtSI, BrI64LtSIL = "br.i64.lt_s", BrI64LtUI, BrI64LtUIL = "br.i64.lt_u", BrI64GtSI, BrI64GtSIL = "br.i64.gt_s",
            BrI64GtUI, BrI64GtUIL = "br.i64.gt_u", BrI64LeSI, BrI64LeSIL = "br.i64.le_s", BrI64LeUI, BrI64LeUIL = "br.i64.le_u", BrI64GeSI, BrI64GeSIL = "br.i64.ge_s", BrI64GeUI, BrI64GeUIL = "br.i64.ge_u",

            [store_imm]
            I32StoreI, I32StoreIP = "i32.store", I64StoreI, I64StoreIP = "i64.store", F32StoreI, F32StoreIP = "f32.store",
            F64StoreI, F64StoreIP = "f64.store", I32Store8I, I32Store8IP = "i32.store8", I32Store16I, I32Store16IP = "i32.store16",
            I64Store8I, I64Store8IP = "i64.store8", I64Store16I, I64Store16IP = "i64.store16", I64Store32I, I64Store32IP = "i64.store32",
        }
    };
}

macro_rules! define_instr {
    (
        [other]
        $( $(#[doc = $doc:literal])+ $name:ident { $($field:ident : $ty:ident),* } = $m:literal, )*
        [binary] $( $bname:ident, $bl:ident, $br:ident = $bm:literal, )*
        [unary] $( $uname:ident, $us:ident = $um:literal, )*
        [load] $( $lname:ident, $lp:ident = $lm:literal, )*
        [store] $( $sname:ident, $sv:ident, $sp:ident = $sm:literal, )*
        [br_cmp] $( $cname:ident, $cl:ident, $cr:ident = $cm:literal, )*
        [binary_imm] $( $iname:ident, $il:ident = $im:literal, )*
        [br_cmp_imm] $( $jname:ident, $jl:ident = $jm:literal, )*
        [store_imm] $( $kname:ident, $kp:ident = $km:literal, )*
    ) => {
        /// One Metron IR instruction. See the module docs and [`for_each_instr!`].
        ///
        /// `repr(u16)`: the tag is the first 16 bits and equals the variant's index in
        /// declaration order (`Tag`, which indexes the interpreter's handler table); each
        /// variant's fields follow in declaration order, all within 16 bytes.
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
                #[doc = concat!("`", $bm, "` with `lhs` read from the register ([`Instr::use_register`]).")]
                $bl {
                    /// Result slot.
                    dst: Slot,
                    /// Left operand (its value is in the register).
                    lhs: Slot,
                    /// Right operand.
                    rhs: Slot,
                },
                #[doc = concat!("`", $bm, "` with `rhs` read from the register ([`Instr::use_register`]).")]
                $br {
                    /// Result slot.
                    dst: Slot,
                    /// Left operand.
                    lhs: Slot,
                    /// Right operand (its value is in the register).
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
                #[doc = concat!("`", $um, "` with `src` read from the register ([`Instr::use_register`]).")]
                $us {
                    /// Result slot.
                    dst: Slot,
                    /// Operand (its value is in the register).
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
                #[doc = concat!("`", $lm, "` with `ptr` read from the register ([`Instr::use_register`]).")]
                $lp {
                    /// Result slot.
                    dst: Slot,
                    /// i32 base address (its value is in the register).
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
                #[doc = concat!("`", $sm, "` with `value` read from the register ([`Instr::use_register`]).")]
                $sv {
                    /// i32 base address.
                    ptr: Slot,
                    /// Value to store (its value is in the register).
                    value: Slot,
                    /// Static offset (memarg).
                    offset: u32,
                },
                #[doc = concat!("`", $sm, "` with `ptr` read from the register ([`Instr::use_register`]).")]
                $sp {
                    /// i32 base address (its value is in the register).
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
                #[doc = concat!("`", $cm, "` with `lhs` read from the register ([`Instr::use_register`]).")]
                $cl {
                    /// Gas charged when the branch is taken.
                    gas: u16,
                    /// Left operand (its value is in the register).
                    lhs: Slot,
                    /// Right operand.
                    rhs: Slot,
                    /// Relative branch offset.
                    offset: i32,
                },
                #[doc = concat!("`", $cm, "` with `rhs` read from the register ([`Instr::use_register`]).")]
                $cr {
                    /// Gas charged when the branch is taken.
                    gas: u16,
                    /// Left operand.
                    lhs: Slot,
                    /// Right operand (its value is in the register).
                    rhs: Slot,
                    /// Relative branch offset.
                    offset: i32,
                },
            )*
            $(
                #[doc = concat!("`", $im, "` with a constant right operand: `dst = lhs op imm`.")]
                $iname {
                    /// Result slot.
                    dst: Slot,
                    /// Left operand.
                    lhs: Slot,
                    /// Right operand: the constant (i64 operations sign-extend it).
                    imm: u32,
                },
                #[doc = concat!("`", $im, "` with a constant right operand and `lhs` read from the register ([`Instr::use_register`]).")]
                $il {
                    /// Result slot.
                    dst: Slot,
                    /// Left operand (its value is in the register).
                    lhs: Slot,
                    /// Right operand: the constant (i64 operations sign-extend it).
                    imm: u32,
                },
            )*
            $(
                #[doc = concat!("Fused compare and branch with a constant right operand: jump by `offset` when `", $jm, "` of `lhs`, `imm` holds (charging `gas` when taken).")]
                $jname {
                    /// Gas charged when the branch is taken.
                    gas: u16,
                    /// Left operand.
                    lhs: Slot,
                    /// Right operand: the constant (i64 compares sign-extend it).
                    imm: u32,
                    /// Relative branch offset.
                    offset: i32,
                },
                #[doc = concat!("`", $jm, "` with a constant right operand and `lhs` read from the register ([`Instr::use_register`]).")]
                $jl {
                    /// Gas charged when the branch is taken.
                    gas: u16,
                    /// Left operand (its value is in the register).
                    lhs: Slot,
                    /// Right operand: the constant (i64 compares sign-extend it).
                    imm: u32,
                    /// Relative branch offset.
                    offset: i32,
                },
            )*
            $(
                #[doc = concat!("`", $km, "` of a constant: `store(ptr as u32 + offset, imm)` (trap `MemoryOutOfBounds`).")]
                $kname {
                    /// i32 base address.
                    ptr: Slot,
                    /// The value (`i64.store`/`f64.store`: sign-extended).
                    imm: u32,
                    /// Static offset (memarg).
                    offset: u32,
                },
                #[doc = concat!("`", $km, "` of a constant with `ptr` read from the register ([`Instr::use_register`]).")]
                $kp {
                    /// i32 base address (its value is in the register).
                    ptr: Slot,
                    /// The value (`i64.store`/`f64.store`: sign-extended).
                    imm: u32,
                    /// Static offset (memarg).
                    offset: u32,
                },
            )*
        }

        /// The variant of an [`Instr`] without its fields, in declaration order: indexes
        /// the interpreter's handler table (`exec::threaded`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        #[allow(dead_code)] // variants are used as table indices (`Tag::X as usize`)
        pub(crate) enum Tag {
            $( $name, )*
            $( $bname, $bl, $br, )*
            $( $uname, $us, )*
            $( $lname, $lp, )*
            $( $sname, $sv, $sp, )*
            $( $cname, $cl, $cr, )*
            $( $iname, $il, )*
            $( $jname, $jl, )*
            $( $kname, $kp, )*
        }

        /// Number of [`Instr`] variants (the size of a table indexed by [`Tag`]).
        pub(crate) const NUM_TAGS: usize = [
            $( stringify!($name), )*
            $( stringify!($bname), stringify!($bl), stringify!($br), )*
            $( stringify!($uname), stringify!($us), )*
            $( stringify!($lname), stringify!($lp), )*
            $( stringify!($sname), stringify!($sv), stringify!($sp), )*
            $( stringify!($cname), stringify!($cl), stringify!($cr), )*
            $( stringify!($iname), stringify!($il), )*
            $( stringify!($jname), stringify!($jl), )*
            $( stringify!($kname), stringify!($kp), )*
        ].len();

        /// Per variant: whether its handler passes its result (the slot at byte 4) in the
        /// register, and up to two register forms as (byte offset of the operand slot,
        /// tag of the form reading it from the register), in preference order. Byte
        /// offsets follow from `repr(u16)`: the tag at 0, a `u16` field at 2, `u32`
        /// fields from 4 in declaration order (checked by `ir::tests`).
        const REGISTER_INFO: [RegisterInfo; NUM_TAGS] = {
            let mut t = [RegisterInfo::NONE; NUM_TAGS];
            t[Tag::Copy as usize] = RegisterInfo::produces([(8, Tag::CopyS as u16), RegisterInfo::NO_FORM]);
            t[Tag::CopyS as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::F64MulSq as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::Const as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::Select as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::GlobalGet as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::GlobalGetI32Sub as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::GlobalGetI32SubSet as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::RefIsNull as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            t[Tag::BrIfNez as usize] = RegisterInfo::consumes([(4, Tag::BrIfNezC as u16), RegisterInfo::NO_FORM]);
            t[Tag::BrIfEqz as usize] = RegisterInfo::consumes([(4, Tag::BrIfEqzC as u16), RegisterInfo::NO_FORM]);
            $(
                t[Tag::$bname as usize] = RegisterInfo::produces([(8, Tag::$bl as u16), (12, Tag::$br as u16)]);
                t[Tag::$bl as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
                t[Tag::$br as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            )*
            // Squares in float code (norms, distances, `z * z`): without this form the
            // right operand is read back from its slot while the left one is in the register.
            t[Tag::F64Mul as usize].both = Tag::F64MulSq as u16;
            $(
                t[Tag::$uname as usize] = RegisterInfo::produces([(8, Tag::$us as u16), RegisterInfo::NO_FORM]);
                t[Tag::$us as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            )*
            $(
                t[Tag::$lname as usize] = RegisterInfo::produces([(8, Tag::$lp as u16), RegisterInfo::NO_FORM]);
                t[Tag::$lp as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            )*
            $( t[Tag::$sname as usize] = RegisterInfo::consumes([(8, Tag::$sv as u16), (4, Tag::$sp as u16)]); )*
            $( t[Tag::$cname as usize] = RegisterInfo::consumes([(4, Tag::$cl as u16), (8, Tag::$cr as u16)]); )*
            $(
                t[Tag::$iname as usize] = RegisterInfo::produces([(8, Tag::$il as u16), RegisterInfo::NO_FORM]);
                t[Tag::$il as usize] = RegisterInfo::produces([RegisterInfo::NO_FORM; 2]);
            )*
            $( t[Tag::$jname as usize] = RegisterInfo::consumes([(4, Tag::$jl as u16), RegisterInfo::NO_FORM]); )*
            $( t[Tag::$kname as usize] = RegisterInfo::consumes([(4, Tag::$kp as u16), RegisterInfo::NO_FORM]); )*
            t
        };

        /// Per variant: whether its handler passes its result in the float register
        /// (`f64` results: arithmetic, conversions to `f64`, `f64.load`) instead of the
        /// integer one. Derived from the mnemonics of the table's lines.
        pub(crate) const FLOAT_RESULT: [bool; NUM_TAGS] = {
            let mut t = [false; NUM_TAGS];
            $( let f = f64_result($bm); t[Tag::$bname as usize] = f; t[Tag::$bl as usize] = f; t[Tag::$br as usize] = f; )*
            $( let f = starts_with($um, "f64."); t[Tag::$uname as usize] = f; t[Tag::$us as usize] = f; )*
            $( let f = starts_with($lm, "f64."); t[Tag::$lname as usize] = f; t[Tag::$lp as usize] = f; )*
            t[Tag::F64MulSq as usize] = true;
            // A pair head's register holds its partner's result when there is one (the
            // instruction after the pair may read it); else nothing reads it (`PAIRS`).
            let mut i = 0;
            while i < PAIRS.len() {
                let p = PAIRS[i];
                let from = if REGISTER_INFO[p.partner as usize].produces { p.partner } else { p.first };
                t[p.head as usize] = t[from as usize];
                i += 1;
            }
            // A triple head's: its third's result when there is one, else its pair's.
            let mut i = 0;
            while i < TRIPLES.len() {
                let x = TRIPLES[i];
                let from = if REGISTER_INFO[x.third as usize].produces { x.third } else { x.pair };
                t[x.head as usize] = t[from as usize];
                i += 1;
            }
            t
        };

        /// Per variant: whether it is a register form reading an `f64` from the float
        /// register (`f64` operands of arithmetic, compares and fused compares, an
        /// `f64` source of a unary operation, the value of `f64.store`).
        pub(crate) const FLOAT_OPERAND: [bool; NUM_TAGS] = {
            let mut t = [false; NUM_TAGS];
            $( let f = starts_with($bm, "f64."); t[Tag::$bl as usize] = f; t[Tag::$br as usize] = f; )*
            $( t[Tag::$us as usize] = f64_source($um); )*
            $( t[Tag::$sv as usize] = starts_with($sm, "f64."); )*
            $( let f = starts_with($cm, "br.f64."); t[Tag::$cl as usize] = f; t[Tag::$cr as usize] = f; )*
            t[Tag::F64MulSq as usize] = true;
            // A pair head reads the register only as its first instruction does (the
            // partner gets the first one's result directly, `exec::threaded::Val`).
            let mut i = 0;
            while i < PAIRS.len() {
                t[PAIRS[i].head as usize] = t[PAIRS[i].first as usize];
                i += 1;
            }
            let mut i = 0;
            while i < TRIPLES.len() {
                t[TRIPLES[i].head as usize] = t[TRIPLES[i].pair as usize];
                i += 1;
            }
            t
        };

        /// Per variant: the byte offset of its branch offset field (`repr(u16)`, as
        /// `REGISTER_INFO`), 0 for a variant without one. `Instr::set_branch_offset`
        /// writes it without a `match` (compile time: `finish` sets every branch's;
        /// `ir::tests` checks the table against `Instr::branch_offset_mut`), and
        /// `FINISH_CHECKS` marks the branches from it.
        const BRANCH_OFFSET_AT: [u8; NUM_TAGS] = {
            let mut t = [0u8; NUM_TAGS];
            t[Tag::Br as usize] = 4;
            t[Tag::BrIfNez as usize] = 8;
            t[Tag::BrIfEqz as usize] = 8;
            t[Tag::BrIfNezC as usize] = 8;
            t[Tag::BrIfEqzC as usize] = 8;
            $( t[Tag::$cname as usize] = 12; t[Tag::$cl as usize] = 12; t[Tag::$cr as usize] = 12; )*
            $( t[Tag::$jname as usize] = 12; t[Tag::$jl as usize] = 12; )*
            t
        };

        impl Instr {
            /// Sets the branch offset of a branch (an instruction with
            /// [`Instr::branch_offset`]; nothing for any other).
            #[inline(always)]
            pub(crate) fn set_branch_offset(&mut self, offset: i32) {
                let at = BRANCH_OFFSET_AT[self.raw_tag() as usize];
                if at != 0 {
                    // SAFETY: `Instr` is 16 bytes, 4-aligned, `repr(u16)` with integer
                    // fields; `BRANCH_OFFSET_AT` names the `i32` offset field of the
                    // variant at hand (checked in `ir::tests`), at 4, 8 or 12.
                    unsafe { *((self as *mut Instr as *mut u8).add(at as usize) as *mut i32) = offset };
                }
            }
        }

        /// Per variant: the checks `FuncTranslator::finish` makes beyond the frame check
        /// of each slot operand ([`CHECK_BRANCH`], [`CHECK_OTHER`]). One table load lets
        /// the common instruction skip them all (compile time: four `match`es on every
        /// instruction measured 3% of compiling the regex build); `ir::tests` checks the
        /// table against the checks themselves.
        pub(crate) static FINISH_CHECKS: [u8; NUM_TAGS] = {
            let mut t = [0u8; NUM_TAGS];
            // The branches: the variants with a branch offset field.
            let mut k = 0;
            while k < NUM_TAGS {
                if BRANCH_OFFSET_AT[k] != 0 {
                    t[k] = CHECK_BRANCH;
                }
                k += 1;
            }
            let other = [
                Tag::Call, Tag::CallImport, Tag::CallIndirect, Tag::CopySpan, Tag::FillNull, Tag::Return,
                Tag::MemoryInit, Tag::TableFill, Tag::TableCopy, Tag::TableInit,
                Tag::TableGrow, Tag::Enter, Tag::EnterSmall, Tag::Select, Tag::BrTable,
            ];
            let mut i = 0;
            while i < other.len() {
                t[other[i] as usize] |= CHECK_OTHER;
                i += 1;
            }
            // A head (made after the checks) as both of its instructions.
            let mut i = 0;
            while i < PAIRS.len() {
                t[PAIRS[i].head as usize] = t[PAIRS[i].first as usize] | t[PAIRS[i].partner as usize];
                i += 1;
            }
            // A triple head as its three.
            let mut i = 0;
            while i < TRIPLES.len() {
                t[TRIPLES[i].head as usize] = t[TRIPLES[i].pair as usize] | t[TRIPLES[i].third as usize];
                i += 1;
            }
            t
        };

        impl Instr {
            /// The variant of this instruction (tests: the interpreter and the translator
            /// read the tag directly, [`Instr::raw_tag`]).
            #[cfg(test)]
            pub(crate) fn tag(&self) -> Tag {
                match self {
                    $( Instr::$name { .. } => Tag::$name, )*
                    $( Instr::$bname { .. } => Tag::$bname, Instr::$bl { .. } => Tag::$bl, Instr::$br { .. } => Tag::$br, )*
                    $( Instr::$uname { .. } => Tag::$uname, Instr::$us { .. } => Tag::$us, )*
                    $( Instr::$lname { .. } => Tag::$lname, Instr::$lp { .. } => Tag::$lp, )*
                    $( Instr::$sname { .. } => Tag::$sname, Instr::$sv { .. } => Tag::$sv, Instr::$sp { .. } => Tag::$sp, )*
                    $( Instr::$cname { .. } => Tag::$cname, Instr::$cl { .. } => Tag::$cl, Instr::$cr { .. } => Tag::$cr, )*
                    $( Instr::$iname { .. } => Tag::$iname, Instr::$il { .. } => Tag::$il, )*
                    $( Instr::$jname { .. } => Tag::$jname, Instr::$jl { .. } => Tag::$jl, )*
                    $( Instr::$kname { .. } => Tag::$kname, Instr::$kp { .. } => Tag::$kp, )*
                }
            }

            /// The disassembly mnemonic. Immediate forms end in `.imm`; register forms end
            /// in `.r` and the operand they read from the register (`.rl`, `.rr`, `.rs`,
            /// `.rp`, `.rv`, `.rc`).
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $( Instr::$name { .. } => $m, )*
                    $( Instr::$bname { .. } => $bm, Instr::$bl { .. } => concat!($bm, ".rl"), Instr::$br { .. } => concat!($bm, ".rr"), )*
                    $( Instr::$uname { .. } => $um, Instr::$us { .. } => concat!($um, ".rs"), )*
                    $( Instr::$lname { .. } => $lm, Instr::$lp { .. } => concat!($lm, ".rp"), )*
                    $( Instr::$sname { .. } => $sm, Instr::$sv { .. } => concat!($sm, ".rv"), Instr::$sp { .. } => concat!($sm, ".rp"), )*
                    $( Instr::$cname { .. } => $cm, Instr::$cl { .. } => concat!($cm, ".rl"), Instr::$cr { .. } => concat!($cm, ".rr"), )*
                    $( Instr::$iname { .. } => concat!($im, ".imm"), Instr::$il { .. } => concat!($im, ".imm.rl"), )*
                    $( Instr::$jname { .. } => concat!($jm, ".imm"), Instr::$jl { .. } => concat!($jm, ".imm.rl"), )*
                    $( Instr::$kname { .. } => concat!($km, ".imm"), Instr::$kp { .. } => concat!($km, ".imm.rp"), )*
                }
            }

            /// Calls `f(field_name, operand)` for each field, in declaration order.
            pub fn for_each_operand(&self, mut f: impl FnMut(&'static str, Operand)) {
                match *self {
                    $( Instr::$name { $($field),* } => { $( f(stringify!($field), IrField::operand($field)); )* } )*
                    $( Instr::$bname { dst, lhs, rhs } | Instr::$bl { dst, lhs, rhs } | Instr::$br { dst, lhs, rhs } => { f("dst", dst.operand()); f("lhs", lhs.operand()); f("rhs", rhs.operand()); } )*
                    $( Instr::$uname { dst, src } | Instr::$us { dst, src } => { f("dst", dst.operand()); f("src", src.operand()); } )*
                    $( Instr::$lname { dst, ptr, offset } | Instr::$lp { dst, ptr, offset } => { f("dst", dst.operand()); f("ptr", ptr.operand()); f("offset", offset.operand()); } )*
                    $( Instr::$sname { ptr, value, offset } | Instr::$sv { ptr, value, offset } | Instr::$sp { ptr, value, offset } => { f("ptr", ptr.operand()); f("value", value.operand()); f("offset", offset.operand()); } )*
                    $( Instr::$cname { lhs, rhs, offset, gas } | Instr::$cl { lhs, rhs, offset, gas } | Instr::$cr { lhs, rhs, offset, gas } => { f("lhs", lhs.operand()); f("rhs", rhs.operand()); f("offset", offset.operand()); f("gas", gas.operand()); } )*
                    $( Instr::$iname { dst, lhs, imm } | Instr::$il { dst, lhs, imm } => { f("dst", dst.operand()); f("lhs", lhs.operand()); f("imm", imm.operand()); } )*
                    $( Instr::$jname { lhs, imm, offset, gas } | Instr::$jl { lhs, imm, offset, gas } => { f("lhs", lhs.operand()); f("imm", imm.operand()); f("offset", offset.operand()); f("gas", gas.operand()); } )*
                    $( Instr::$kname { ptr, imm, offset } | Instr::$kp { ptr, imm, offset } => { f("ptr", ptr.operand()); f("imm", imm.operand()); f("offset", offset.operand()); } )*
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
                    | Instr::BrIfEqz { offset, gas, .. }
                    | Instr::BrIfNezC { offset, gas, .. }
                    | Instr::BrIfEqzC { offset, gas, .. } if *gas == 0 && amount != 0 => {
                        *gas = amount;
                        *offset += 1;
                        true
                    }
                    $( Instr::$cname { offset, gas, .. } | Instr::$cl { offset, gas, .. } | Instr::$cr { offset, gas, .. } if *gas == 0 && amount != 0 => match u16::try_from(amount) {
                        Ok(a) => {
                            *gas = a;
                            *offset += 1;
                            true
                        }
                        Err(_) => false,
                    }, )*
                    $( Instr::$jname { offset, gas, .. } | Instr::$jl { offset, gas, .. } if *gas == 0 && amount != 0 => match u16::try_from(amount) {
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
                    | Instr::BrIfEqz { offset, .. }
                    | Instr::BrIfNezC { offset, .. }
                    | Instr::BrIfEqzC { offset, .. } => Some(offset),
                    $( Instr::$cname { offset, .. } | Instr::$cl { offset, .. } | Instr::$cr { offset, .. } => Some(offset), )*
                    $( Instr::$jname { offset, .. } | Instr::$jl { offset, .. } => Some(offset), )*
                    _ => None,
                }
            }

            /// Calls `f` on every slot operand (used to relocate translation-time slots).
            /// Inlined always: `FuncTranslator::finish` calls it for every instruction,
            /// and as a call (which LLVM chose once the table grew) it cost 2% of
            /// compile time.
            #[inline(always)]
            pub(crate) fn for_each_slot_mut(&mut self, mut f: impl FnMut(&mut Slot)) {
                match self {
                    $( Instr::$name { $($field),* } => { $( if let Some(s) = IrField::slot_mut($field) { f(s) } )* } )*
                    $( Instr::$bname { dst, lhs, rhs } | Instr::$bl { dst, lhs, rhs } | Instr::$br { dst, lhs, rhs } => { f(dst); f(lhs); f(rhs); } )*
                    $( Instr::$uname { dst, src } | Instr::$us { dst, src } => { f(dst); f(src); } )*
                    $( Instr::$lname { dst, ptr, .. } | Instr::$lp { dst, ptr, .. } => { f(dst); f(ptr); } )*
                    $( Instr::$sname { ptr, value, .. } | Instr::$sv { ptr, value, .. } | Instr::$sp { ptr, value, .. } => { f(ptr); f(value); } )*
                    $( Instr::$cname { lhs, rhs, .. } | Instr::$cl { lhs, rhs, .. } | Instr::$cr { lhs, rhs, .. } => { f(lhs); f(rhs); } )*
                    $( Instr::$iname { dst, lhs, .. } | Instr::$il { dst, lhs, .. } => { f(dst); f(lhs); } )*
                    $( Instr::$jname { lhs, .. } | Instr::$jl { lhs, .. } => { f(lhs); } )*
                    $( Instr::$kname { ptr, .. } | Instr::$kp { ptr, .. } => { f(ptr); } )*
                }
            }

            /// The slot an instruction writes when its handler also passes the value to
            /// the next instruction in the register (`exec::threaded`): numeric results,
            /// loads, `copy`, `const`, `select`, `global.get` (fused or not), `ref.is_null`. `None` for
            /// everything else, including results written by instructions the loop in
            /// `exec::run` executes (`memory.size`, `table.get`, ...).
            #[cfg(test)]
            pub(crate) fn register_result_by_match(&self) -> Option<Slot> {
                match *self {
                    Instr::Copy { dst, .. }
                    | Instr::CopyS { dst, .. }
                    | Instr::F64MulSq { dst, .. }
                    | Instr::Const { dst, .. }
                    | Instr::Select { dst, .. }
                    | Instr::GlobalGet { dst, .. }
                    | Instr::GlobalGetI32Sub { dst, .. }
                    | Instr::GlobalGetI32SubSet { dst, .. }
                    | Instr::RefIsNull { dst, .. } => Some(dst),
                    $( Instr::$bname { dst, .. } | Instr::$bl { dst, .. } | Instr::$br { dst, .. } => Some(dst), )*
                    $( Instr::$uname { dst, .. } | Instr::$us { dst, .. } => Some(dst), )*
                    $( Instr::$lname { dst, .. } | Instr::$lp { dst, .. } => Some(dst), )*
                    $( Instr::$iname { dst, .. } | Instr::$il { dst, .. } => Some(dst), )*
                    _ => None,
                }
            }

            /// Rewrites this instruction to read slot `s` from the register instead of the
            /// frame, when it has a register form for an operand equal to `s` (the first
            /// such operand: `lhs` before `rhs`, a store's `value` before its `ptr`).
            /// Returns whether it did. Sound only when the instruction right before it
            /// writes `s` with [`Instr::register_result`] and this instruction is not a
            /// branch target (`FuncTranslator::finish` checks both): the register then
            /// holds exactly the value of `s`. The slot is still written by its producer,
            /// so nothing else changes.
            #[cfg(test)]
            pub(crate) fn use_register_by_match(&mut self, s: Slot) -> bool {
                *self = match *self {
                    Instr::Copy { dst, src } if src == s => Instr::CopyS { dst, src },
                    Instr::F64Mul { dst, lhs, rhs } if lhs == s && rhs == s => Instr::F64MulSq { dst, lhs, rhs },
                    Instr::BrIfNez { cond, offset, gas } if cond == s => Instr::BrIfNezC { cond, offset, gas },
                    Instr::BrIfEqz { cond, offset, gas } if cond == s => Instr::BrIfEqzC { cond, offset, gas },
                    $(
                        Instr::$bname { dst, lhs, rhs } if lhs == s => Instr::$bl { dst, lhs, rhs },
                        Instr::$bname { dst, lhs, rhs } if rhs == s => Instr::$br { dst, lhs, rhs },
                    )*
                    $( Instr::$uname { dst, src } if src == s => Instr::$us { dst, src }, )*
                    $( Instr::$lname { dst, ptr, offset } if ptr == s => Instr::$lp { dst, ptr, offset }, )*
                    $(
                        Instr::$sname { ptr, value, offset } if value == s => Instr::$sv { ptr, value, offset },
                        Instr::$sname { ptr, value, offset } if ptr == s => Instr::$sp { ptr, value, offset },
                    )*
                    $(
                        Instr::$cname { lhs, rhs, offset, gas } if lhs == s => Instr::$cl { lhs, rhs, offset, gas },
                        Instr::$cname { lhs, rhs, offset, gas } if rhs == s => Instr::$cr { lhs, rhs, offset, gas },
                    )*
                    $( Instr::$iname { dst, lhs, imm } if lhs == s => Instr::$il { dst, lhs, imm }, )*
                    $( Instr::$jname { lhs, imm, offset, gas } if lhs == s => Instr::$jl { lhs, imm, offset, gas }, )*
                    $( Instr::$kname { ptr, imm, offset } if ptr == s => Instr::$kp { ptr, imm, offset }, )*
                    _ => return false,
                };
                true
            }

            /// The slot whose value a register form reads from the register, if this is
            /// one.
            #[inline]
            pub(crate) fn register_operand(&self) -> Option<Slot> {
                match *self {
                    Instr::CopyS { src, .. } => Some(src),
                    Instr::F64MulSq { lhs, .. } => Some(lhs),
                    Instr::BrIfNezC { cond, .. } | Instr::BrIfEqzC { cond, .. } => Some(cond),
                    $( Instr::$bl { lhs, .. } => Some(lhs), Instr::$br { rhs, .. } => Some(rhs), )*
                    $( Instr::$us { src, .. } => Some(src), )*
                    $( Instr::$lp { ptr, .. } => Some(ptr), )*
                    $( Instr::$sv { value, .. } => Some(value), Instr::$sp { ptr, .. } => Some(ptr), )*
                    $( Instr::$cl { lhs, .. } => Some(lhs), Instr::$cr { rhs, .. } => Some(rhs), )*
                    $( Instr::$il { lhs, .. } => Some(lhs), )*
                    $( Instr::$jl { lhs, .. } => Some(lhs), )*
                    $( Instr::$kp { ptr, .. } => Some(ptr), )*
                    // A pair head reads what its first instruction reads.
                    _ => self.pair_first().and_then(|f| f.register_operand()),
                }
            }
        }
    };
}

for_each_instr!(define_instr);

/// One pair (`docs/ir.md`, "Pairs"): `head` is `first` fused with the `partner` right
/// after it.
#[derive(Clone, Copy)]
pub(crate) struct Pair {
    /// The head's tag.
    pub head: Tag,
    /// The first instruction's tag (the head has its fields).
    pub first: Tag,
    /// The partner's tag: the instruction after the first one, which reads the first
    /// one's result from the register (or is independent of it: `i32.add.imm` twice).
    pub partner: Tag,
}

/// The mnemonic of a variant (tests).
#[cfg(test)]
fn tag_mnemonic(tag: Tag) -> &'static str {
    let mut bytes = [0u8; 16];
    bytes[..2].copy_from_slice(&(tag as u16).to_ne_bytes());
    // SAFETY: 16 bytes (`Instr`'s size) whose first 16 bits are a valid tag
    // (`repr(u16)`) and whose other bytes are zero, a valid value of every field
    // (all integers).
    unsafe { core::mem::transmute::<[u8; 16], Instr>(bytes) }.mnemonic()
}

impl Pair {
    /// The head's mnemonic (tests).
    #[cfg(test)]
    pub(crate) fn head_mnemonic(&self) -> &'static str {
        tag_mnemonic(self.head)
    }
}

/// One triple (`docs/ir.md`, "Pairs"): `head` is the pair head `pair` fused with the
/// `third` instruction, the one right after the pair's partner.
#[derive(Clone, Copy)]
pub(crate) struct Triple {
    /// The head's tag (it has the fields of the pair's first instruction).
    pub head: Tag,
    /// The pair head it extends (`PAIRS`).
    pub pair: Tag,
    /// The third instruction's tag; it keeps its tag and its place.
    pub third: Tag,
}

impl Triple {
    /// The head's mnemonic (tests).
    #[cfg(test)]
    pub(crate) fn head_mnemonic(&self) -> &'static str {
        tag_mnemonic(self.head)
    }
}

const fn triple(head: Tag, pair: Tag, third: Tag) -> Triple {
    Triple { head, pair, third }
}

/// Every triple head, chosen because a dispatch profile of the benchmark workloads
/// shows the three instructions in a row often (`docs/performance.md`, "Reproducing a
/// profile"; the measurements are in `docs/changelog.md`): the multiply-add and its store in matmul's inner loop,
/// nbody's velocity updates and distance terms, mandelbrot's escape test, the latch of a
/// byte-copy loop; a random byte stored, DEFLATE's match search, the sieve's outer loop,
/// SHA-256's sigma, argument moves before `call_indirect`, a word copied from a field.
pub(crate) const TRIPLES: [Triple; 16] = [
    triple(
        Tag::TripleF64MulRF64AddRF64StoreV,
        Tag::PairF64MulRF64AddR,
        Tag::F64StoreV,
    ),
    triple(
        Tag::TripleF64MulLF64AddRF64StoreV,
        Tag::PairF64MulLF64AddR,
        Tag::F64StoreV,
    ),
    triple(
        Tag::TripleF64MulF64MulRF64Load,
        Tag::PairF64MulF64MulR,
        Tag::F64Load,
    ),
    triple(
        Tag::TripleF64MulSqF64AddRBrF64LeL,
        Tag::PairF64MulSqF64AddR,
        Tag::BrF64LeL,
    ),
    triple(
        Tag::TripleF64SubF64AddRF64Add,
        Tag::PairF64SubF64AddR,
        Tag::F64Add,
    ),
    triple(Tag::TripleI32AddICopyBr, Tag::PairI32AddICopy, Tag::Br),
    triple(
        Tag::TripleI64MulLI64ShrUILI64Store8V,
        Tag::PairI64MulLI64ShrUIL,
        Tag::I64Store8V,
    ),
    triple(
        Tag::TripleI32SubI32AndILBrI32GtUL,
        Tag::PairI32SubI32AndIL,
        Tag::BrI32GtUL,
    ),
    triple(
        Tag::TripleI32ShlII32AddRI32Load16UP,
        Tag::PairI32ShlII32AddR,
        Tag::I32Load16UP,
    ),
    triple(
        Tag::TripleI32AddII32AddIBrI32NeR,
        Tag::PairI32AddII32AddI,
        Tag::BrI32NeR,
    ),
    triple(
        Tag::TripleI32AddI32Load8UPBrIfNezC,
        Tag::PairI32AddI32Load8UP,
        Tag::BrIfNezC,
    ),
    triple(
        Tag::TripleI32RotlII32RotlII32XorR,
        Tag::PairI32RotlII32RotlI,
        Tag::I32XorR,
    ),
    triple(
        Tag::TripleCopyCopyCallIndirect,
        Tag::PairCopyCopy,
        Tag::CallIndirect,
    ),
    triple(
        Tag::TripleI32AddII32LoadPI32StoreV,
        Tag::PairI32AddII32LoadP,
        Tag::I32StoreV,
    ),
    triple(
        Tag::TripleI32AddIF64LoadPF64SubR,
        Tag::PairI32AddIF64LoadP,
        Tag::F64SubR,
    ),
    triple(
        Tag::TripleF64LoadF64MulF64MulR,
        Tag::PairF64LoadF64Mul,
        Tag::F64MulR,
    ),
];

/// Per pair head: the index in `TRIPLES + 1` of the triple it starts (0: none; at
/// most one per pair head, checked below).
const TRIPLE_OF_PAIR: [u8; NUM_TAGS] = {
    let mut t = [0u8; NUM_TAGS];
    let mut i = 0;
    while i < TRIPLES.len() {
        assert!(t[TRIPLES[i].pair as usize] == 0);
        t[TRIPLES[i].pair as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

/// Per tag: the index in `TRIPLES + 1` of the triple it heads (0: not a head).
const TRIPLE_OF_HEAD: [u8; NUM_TAGS] = {
    let mut t = [0u8; NUM_TAGS];
    let mut i = 0;
    while i < TRIPLES.len() {
        t[TRIPLES[i].head as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

// Checked at compile time: a triple extends a pair; its head is no pair's or triple's
// instruction; its third instruction heads nothing (it keeps its tag: the head reads
// its fields by variant).
const _: () = {
    let mut i = 0;
    while i < TRIPLES.len() {
        let t = TRIPLES[i];
        assert!(PAIR_OF_HEAD[t.pair as usize] != 0);
        assert!(PAIR_OF_HEAD[t.head as usize] == 0 && PAIR_FIRST[t.head as usize] == 0);
        assert!(PAIR_OF_HEAD[t.third as usize] == 0 && TRIPLE_OF_HEAD[t.third as usize] == 0);
        assert!(TRIPLE_OF_PAIR[t.head as usize] == 0);
        i += 1;
    }
};

const fn pair(head: Tag, first: Tag, partner: Tag) -> Pair {
    Pair {
        head,
        first,
        partner,
    }
}

/// Every pair head, chosen by their share of dispatches over the benchmark suite
/// (`docs/performance.md`, "Reproducing a profile"; the measurements are in
/// `docs/changelog.md`): loop-closing adds with
/// the branch on their result, address arithmetic and the access it feeds, dependent
/// float and integer chains (xorshift, SHA-256, Keccak), branchless compares, moves.
pub(crate) const PAIRS: [Pair; 72] = [
    pair(Tag::PairI64AddRI64AddR, Tag::I64AddR, Tag::I64AddR),
    pair(Tag::PairI64AddI64AddR, Tag::I64Add, Tag::I64AddR),
    pair(Tag::PairI32AddII32AddI, Tag::I32AddI, Tag::I32AddI),
    pair(Tag::PairF64MulLF64AddR, Tag::F64MulL, Tag::F64AddR),
    pair(Tag::PairF64MulRF64AddR, Tag::F64MulR, Tag::F64AddR),
    pair(Tag::PairF64SubF64AddR, Tag::F64Sub, Tag::F64AddR),
    pair(Tag::PairI32AddBrI32LtUL, Tag::I32Add, Tag::BrI32LtUL),
    pair(Tag::PairI32AddIBrI32NeR, Tag::I32AddI, Tag::BrI32NeR),
    pair(Tag::PairI32AddIBrI32NeIL, Tag::I32AddI, Tag::BrI32NeIL),
    pair(Tag::PairI32AddIBrIfNezC, Tag::I32AddI, Tag::BrIfNezC),
    pair(Tag::PairF64AddRF64StoreV, Tag::F64AddR, Tag::F64StoreV),
    pair(Tag::PairI32AddIF64LoadP, Tag::I32AddI, Tag::F64LoadP),
    pair(Tag::PairI32AddI32Load8UP, Tag::I32Add, Tag::I32Load8UP),
    pair(Tag::PairI32Store8II32Add, Tag::I32Store8I, Tag::I32Add),
    pair(Tag::PairCopyCopy, Tag::Copy, Tag::Copy),
    pair(Tag::PairI32ShlII32AddR, Tag::I32ShlI, Tag::I32AddR),
    pair(Tag::PairI32ShlILI32AddR, Tag::I32ShlIL, Tag::I32AddR),
    pair(Tag::PairI32RotlII32XorR, Tag::I32RotlI, Tag::I32XorR),
    pair(Tag::PairI64XorI64RotlIL, Tag::I64Xor, Tag::I64RotlIL),
    pair(Tag::PairI64XorII64AndR, Tag::I64XorI, Tag::I64AndR),
    pair(Tag::PairF64AddRBrF64LeL, Tag::F64AddR, Tag::BrF64LeL),
    pair(Tag::PairF64MulF64Mul, Tag::F64Mul, Tag::F64Mul),
    pair(Tag::PairF64MulF64MulR, Tag::F64Mul, Tag::F64MulR),
    pair(Tag::PairF64MulLF64Add, Tag::F64MulL, Tag::F64Add),
    pair(Tag::PairF64LoadF64Load, Tag::F64Load, Tag::F64Load),
    pair(Tag::PairF64MulSqF64AddR, Tag::F64MulSq, Tag::F64AddR),
    pair(Tag::PairF64MulSqF64Add, Tag::F64MulSq, Tag::F64Add),
    pair(Tag::PairI32LoadI32Load, Tag::I32Load, Tag::I32Load),
    pair(Tag::PairI32LoadI32AddL, Tag::I32Load, Tag::I32AddL),
    pair(Tag::PairI32LoadPI32StoreV, Tag::I32LoadP, Tag::I32StoreV),
    pair(Tag::PairI64LoadI64StoreV, Tag::I64Load, Tag::I64StoreV),
    pair(Tag::PairI32Load8UPI32AddR, Tag::I32Load8UP, Tag::I32AddR),
    pair(Tag::PairI32StoreI32Store, Tag::I32Store, Tag::I32Store),
    pair(Tag::PairI32AddII32StoreV, Tag::I32AddI, Tag::I32StoreV),
    pair(Tag::PairI32AddICopy, Tag::I32AddI, Tag::Copy),
    pair(Tag::PairI32AndII32AddR, Tag::I32AndI, Tag::I32AddR),
    pair(Tag::PairCopyCall, Tag::Copy, Tag::Call),
    pair(Tag::PairI32AddICall, Tag::I32AddI, Tag::Call),
    pair(Tag::PairCopyCallIndirect, Tag::Copy, Tag::CallIndirect),
    pair(Tag::PairF64SubRF64StoreV, Tag::F64SubR, Tag::F64StoreV),
    pair(Tag::PairCopyBr, Tag::Copy, Tag::Br),
    pair(Tag::PairConstBr, Tag::Const, Tag::Br),
    pair(
        Tag::PairI32Load8UI32Store8V,
        Tag::I32Load8U,
        Tag::I32Store8V,
    ),
    pair(Tag::PairI32AddIConsumeGas, Tag::I32AddI, Tag::ConsumeGas),
    pair(Tag::PairI64ShrUII64XorL, Tag::I64ShrUI, Tag::I64XorL),
    pair(Tag::PairI64ShrUILI64XorL, Tag::I64ShrUIL, Tag::I64XorL),
    pair(Tag::PairI64ShlILI64XorL, Tag::I64ShlIL, Tag::I64XorL),
    pair(Tag::PairI64MulLI64ShrUIL, Tag::I64MulL, Tag::I64ShrUIL),
    pair(Tag::PairI64XorRI64XorR, Tag::I64XorR, Tag::I64XorR),
    pair(Tag::PairI64XorILI64AndR, Tag::I64XorIL, Tag::I64AndR),
    pair(Tag::PairI32XorI32AndR, Tag::I32Xor, Tag::I32AndR),
    pair(Tag::PairI32XorRI32AddR, Tag::I32XorR, Tag::I32AddR),
    pair(Tag::PairI32AddRI32RotlI, Tag::I32AddR, Tag::I32RotlI),
    pair(Tag::PairI32ShrUII32XorR, Tag::I32ShrUI, Tag::I32XorR),
    pair(Tag::PairI32SubI32AndIL, Tag::I32Sub, Tag::I32AndIL),
    pair(
        Tag::PairI32AddILI32Load16UP,
        Tag::I32AddIL,
        Tag::I32Load16UP,
    ),
    pair(Tag::PairI32AddII32Load16UP, Tag::I32AddI, Tag::I32Load16UP),
    pair(Tag::PairI32LtULSelect, Tag::I32LtUL, Tag::Select),
    pair(Tag::PairI32LtUI32AddR, Tag::I32LtU, Tag::I32AddR),
    pair(Tag::PairI32AddIBrI32LtUL, Tag::I32AddI, Tag::BrI32LtUL),
    pair(Tag::PairI32AddIBrI32GtUIL, Tag::I32AddI, Tag::BrI32GtUIL),
    pair(Tag::PairI32RotlII32RotlI, Tag::I32RotlI, Tag::I32RotlI),
    pair(Tag::PairI32AddRI32AddIL, Tag::I32AddR, Tag::I32AddIL),
    pair(Tag::PairI64XorLCopyS, Tag::I64XorL, Tag::CopyS),
    pair(Tag::PairConstBrI32LtUI, Tag::Const, Tag::BrI32LtUI),
    pair(
        Tag::PairI64ExtendI32UI64AddR,
        Tag::I64ExtendI32U,
        Tag::I64AddR,
    ),
    pair(Tag::PairI32AddII32LoadP, Tag::I32AddI, Tag::I32LoadP),
    pair(Tag::PairI32LoadBrIfEqzC, Tag::I32Load, Tag::BrIfEqzC),
    pair(Tag::PairI32AndIBrI32EqR, Tag::I32AndI, Tag::BrI32EqR),
    pair(Tag::PairF64SqrtSF64MulR, Tag::F64SqrtS, Tag::F64MulR),
    pair(Tag::PairF64MulLF64MulR, Tag::F64MulL, Tag::F64MulR),
    pair(Tag::PairF64LoadF64Mul, Tag::F64Load, Tag::F64Mul),
];

/// The pair heads whose first result is not canonicalized: the partner consumes it with
/// float arithmetic or a compare. `FuncTranslator::finish` makes them only when that
/// result goes to a temporary, which nothing else reads (`Instr::make_pair_head`,
/// marked in `PAIR_ROWS`); the triples built on them inherit both (`FIRST_RAW`). Two
/// instructions fewer per execution (the NaN test and its branch).
pub(crate) const TEMP_FIRST: [Tag; 5] = [
    Tag::PairF64MulLF64AddR,
    Tag::PairF64MulRF64AddR,
    Tag::PairF64SubF64AddR,
    Tag::PairF64MulF64MulR,
    Tag::PairF64AddRBrF64LeL,
];

/// Per tag: whether its handler leaves its first `f64` result uncanonicalized
/// (`exec::float::f64_add_first`): the heads of `TEMP_FIRST` and the triples built on
/// them. The handlers read this table, so they cannot disagree with the translator's
/// marks (`PAIR_ROWS`), which come from it too.
pub(crate) const FIRST_RAW: [bool; NUM_TAGS] = {
    let mut t = [false; NUM_TAGS];
    let mut i = 0;
    while i < TEMP_FIRST.len() {
        t[TEMP_FIRST[i] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < TRIPLES.len() {
        t[TRIPLES[i].head as usize] = t[TRIPLES[i].pair as usize];
        i += 1;
    }
    t
};

/// Per tag: the index in `PAIRS + 1` of the pair it heads (0: not a head).
const PAIR_OF_HEAD: [u8; NUM_TAGS] = {
    let mut t = [0u8; NUM_TAGS];
    let mut i = 0;
    while i < PAIRS.len() {
        t[PAIRS[i].head as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

/// Per tag: whether some pair starts with it (a quick filter for `Instr::pair_head`).
/// Per tag: its row in `PAIR_ROWS` plus 1 when some pair starts with it (0: none).
const PAIR_FIRST: [u8; NUM_TAGS] = {
    let mut t = [0u8; NUM_TAGS];
    let mut rows = 0u8;
    let mut i = 0;
    while i < PAIRS.len() {
        if t[PAIRS[i].first as usize] == 0 {
            rows += 1;
            t[PAIRS[i].first as usize] = rows;
        }
        i += 1;
    }
    t
};

/// Number of distinct first instructions in `PAIRS`.
const PAIR_FIRSTS: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < NUM_TAGS {
        if PAIR_FIRST[i] as usize > max {
            max = PAIR_FIRST[i] as usize;
        }
        i += 1;
    }
    max
};

/// Per first instruction (its `PAIR_FIRST` row) and partner tag: the head's tag, or 0
/// (no pair; tag 0, `arg`, heads none). Two loads per instruction at the end of
/// translation: a scan of `PAIRS` for the common first instructions (`copy`,
/// `i32.add.imm`) measured 2% of compile time on serde_json.
static PAIR_ROWS: [[u16; NUM_TAGS]; PAIR_FIRSTS] = {
    let mut t = [[0u16; NUM_TAGS]; PAIR_FIRSTS];
    let mut i = 0;
    while i < PAIRS.len() {
        let p = PAIRS[i];
        let mark = if FIRST_RAW[p.head as usize] {
            TEMP_FIRST_MARK
        } else {
            0
        };
        t[PAIR_FIRST[p.first as usize] as usize - 1][p.partner as usize] = p.head as u16 | mark;
        i += 1;
    }
    t
};

/// The bit of a `PAIR_ROWS` entry that marks a head of `TEMP_FIRST` (tags are far
/// below it: checked at compile time).
const TEMP_FIRST_MARK: u16 = 0x8000;
const _: () = assert!(NUM_TAGS < TEMP_FIRST_MARK as usize);

// Checked at compile time: no instruction both heads a pair and is the first
// instruction or the partner of one (a partner keeps its tag).
const _: () = {
    let mut i = 0;
    while i < PAIRS.len() {
        let p = PAIRS[i];
        assert!(PAIR_OF_HEAD[p.first as usize] == 0 && PAIR_OF_HEAD[p.partner as usize] == 0);
        assert!(p.head as u16 != 0);
        i += 1;
    }
};

impl Instr {
    /// Makes this instruction the head of its pair with `partner`, the instruction right
    /// after it, if `PAIRS` has one. Returns whether it did. The head has the same
    /// fields, so only the tag changes. Sound for any two consecutive instructions: the
    /// partner stays in place for branches to it, and the head does exactly what the
    /// two do in order (`exec::threaded`). A partner must keep its tag (its head reads
    /// its fields by variant): it never becomes a head itself (`FuncTranslator::finish`).
    #[inline]
    pub(crate) fn make_pair_head(&mut self, partner: &Instr, temp_base: u32) -> bool {
        let row = PAIR_FIRST[self.raw_tag() as usize];
        if row == 0 {
            return false;
        }
        let mut head = PAIR_ROWS[row as usize - 1][partner.raw_tag() as usize];
        if head == 0 {
            return false;
        }
        // A head of `TEMP_FIRST` (marked in the table) only for a result in a temporary.
        if head & TEMP_FIRST_MARK != 0 {
            if self.register_result().is_none_or(|s| s.0 < temp_base) {
                return false;
            }
            head &= !TEMP_FIRST_MARK;
        }
        // SAFETY: the head has the fields of its first instruction, this one (`PAIRS`,
        // the instruction table: same types in the same order), so the same bytes are a
        // valid value of it; the tag is the first 16 bits (`repr(u16)`).
        unsafe { *(self as *mut Instr as *mut u16) = head };
        true
    }

    /// Makes this pair head (`make_pair_head`) the head of its triple with `third`, the
    /// instruction right after its partner, if `TRIPLES` has one. Returns whether it
    /// did. Only the tag changes (a triple head has the pair head's fields). Sound for
    /// any pair and the instruction after it: partner and third stay in place for
    /// branches to them, and the head does what the three do in order
    /// (`exec::threaded`). The third must keep its tag: it never becomes a head itself
    /// (`FuncTranslator::finish`).
    #[inline]
    pub(crate) fn make_triple_head(&mut self, third: &Instr) -> bool {
        let i = TRIPLE_OF_PAIR[self.raw_tag() as usize];
        if i == 0 || TRIPLES[i as usize - 1].third as u16 != third.raw_tag() {
            return false;
        }
        // SAFETY: a triple head has the fields of its pair head (the instruction table:
        // same types in the same order), so the same bytes are a valid value of it;
        // the tag is the first 16 bits (`repr(u16)`).
        unsafe { *(self as *mut Instr as *mut u16) = TRIPLES[i as usize - 1].head as u16 };
        true
    }

    /// Whether this pair head starts some triple (`TRIPLES`).
    #[inline]
    pub(crate) fn starts_triple(&self) -> bool {
        TRIPLE_OF_PAIR[self.raw_tag() as usize] != 0
    }

    /// For a pair or triple head, its first instruction (same fields, the first one's
    /// tag).
    #[inline]
    pub(crate) fn pair_first(&self) -> Option<Instr> {
        let t = TRIPLE_OF_HEAD[self.raw_tag() as usize];
        let pair_head = if t == 0 {
            self.raw_tag()
        } else {
            TRIPLES[t as usize - 1].pair as u16
        };
        let i = PAIR_OF_HEAD[pair_head as usize];
        if i == 0 {
            return None;
        }
        let mut first = *self;
        // SAFETY: as in `make_pair_head`, the other way.
        unsafe { *(&mut first as *mut Instr as *mut u16) = PAIRS[i as usize - 1].first as u16 };
        Some(first)
    }
}

/// [`FINISH_CHECKS`]: the instruction has a branch offset ([`Instr::branch_offset`]):
/// its target must be inside the code (`verify::control_ok_at`), and it may fuse its
/// target's charge.
pub(crate) const CHECK_BRANCH: u8 = 1;
/// [`FINISH_CHECKS`]: a call (an imported function's index is refused for `call`), slots
/// beyond its slot operands (`verify::implicit_slots`, `verify::has_slot_runs`), or
/// successors to check (`select`'s `arg`, `br_table`'s entries: `verify::control_ok_at`).
pub(crate) const CHECK_OTHER: u8 = 2;

/// See `REGISTER_INFO`.
#[derive(Clone, Copy)]
struct RegisterInfo {
    /// The handler writes the slot at byte 4 and passes the value in the register.
    produces: bool,
    /// Register forms: (byte offset of the operand slot, tag of the form).
    forms: [(u8, u16); 2],
    /// The form reading both operands (`lhs` at byte 8, `rhs` at byte 12) from the
    /// register when both are its slot (`x * x`), preferred to `forms`; 0: none.
    both: u16,
}

impl RegisterInfo {
    const NO_FORM: (u8, u16) = (0, 0);
    const NONE: RegisterInfo = RegisterInfo {
        produces: false,
        forms: [RegisterInfo::NO_FORM; 2],
        both: 0,
    };
    const fn produces(forms: [(u8, u16); 2]) -> RegisterInfo {
        RegisterInfo {
            produces: true,
            forms,
            both: 0,
        }
    }
    const fn consumes(forms: [(u8, u16); 2]) -> RegisterInfo {
        RegisterInfo {
            produces: false,
            forms,
            both: 0,
        }
    }
}

/// `s` starts with `p` (const: the register tables are built at compile time).
const fn starts_with(s: &str, p: &str) -> bool {
    let (s, p) = (s.as_bytes(), p.as_bytes());
    if p.len() > s.len() {
        return false;
    }
    let mut i = 0;
    while i < p.len() {
        if s[i] != p[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `s` contains `p`.
const fn contains(s: &str, p: &str) -> bool {
    let (b, n) = (s.as_bytes(), p.as_bytes());
    let mut at = 0;
    while at + n.len() <= b.len() {
        let mut i = 0;
        while i < n.len() && b[at + i] == n[i] {
            i += 1;
        }
        if i == n.len() {
            return true;
        }
        at += 1;
    }
    false
}

/// `a == b` (const).
const fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && starts_with(a, b)
}

/// A binary operation of mnemonic `m` has an `f64` result: `f64.*` but the compares
/// (`f64.eq` ... `f64.ge`, which produce an i32).
const fn f64_result(m: &str) -> bool {
    starts_with(m, "f64.")
        && !(same(m, "f64.eq")
            || same(m, "f64.ne")
            || same(m, "f64.lt")
            || same(m, "f64.gt")
            || same(m, "f64.le")
            || same(m, "f64.ge"))
}

/// A unary operation of mnemonic `m` reads an `f64`: `f64.abs` ... `f64.sqrt` (no `_`),
/// and the conversions from `f64` (`i32.trunc_f64_s`, `f32.demote_f64`,
/// `i64.reinterpret_f64`, ...).
const fn f64_source(m: &str) -> bool {
    contains(m, "_f64") || (starts_with(m, "f64.") && !contains(m, "_"))
}

impl Instr {
    /// The `u32` field at byte `offset` (4, 8 or 12: `REGISTER_INFO`).
    #[inline(always)]
    fn field_at(&self, offset: u8) -> u32 {
        debug_assert!(matches!(offset, 4 | 8 | 12));
        // SAFETY: `Instr` is 16 bytes, 4-aligned (`instr_is_16_bytes`), `repr(u16)`
        // with integer fields; `REGISTER_INFO` names only offsets of `u32` (or `Slot`)
        // fields of the variant at hand, so the 4 bytes are an initialized field.
        unsafe { *((self as *const Instr as *const u8).add(offset as usize) as *const u32) }
    }

    /// The slot an instruction writes when its handler also passes the value to the
    /// next instruction in the register (`exec::threaded`): numeric results, loads,
    /// `copy`, `const`, `select`, `global.get`, `ref.is_null`. `None` for everything
    /// else, including results written by instructions the loop in `exec::run` executes
    /// (`memory.size`, `table.get`, ...). A table lookup by tag (the translator asks for
    /// every instruction; a `match` measured 7% of compile time on large modules).
    #[inline]
    pub(crate) fn register_result(&self) -> Option<Slot> {
        let info = REGISTER_INFO[self.raw_tag() as usize];
        info.produces.then(|| Slot(self.field_at(4)))
    }

    /// Whether this instruction's handler passes its result in the float register
    /// ([`FLOAT_RESULT`]) rather than the integer one.
    #[inline]
    pub(crate) fn float_result(&self) -> bool {
        FLOAT_RESULT[self.raw_tag() as usize]
    }

    /// Whether this register form reads the float register ([`FLOAT_OPERAND`]).
    #[inline]
    pub(crate) fn float_operand(&self) -> bool {
        FLOAT_OPERAND[self.raw_tag() as usize]
    }

    /// Rewrites this instruction to read slot `s` from the register instead of the
    /// frame, when it has a register form for an operand equal to `s` (the first such
    /// operand: `lhs` before `rhs`, a store's `value` before its `ptr`). Returns whether
    /// it did. Sound only when the instruction right before it writes `s` with
    /// [`Instr::register_result`] and this instruction is not a branch target
    /// (`FuncTranslator::finish` checks both): the register then holds exactly the
    /// value of `s`. The slot is still written by its producer, so nothing else
    /// changes. A register form has the same fields as its base form, so the rewrite
    /// changes the tag only. `float`: the producer passes the value in the float
    /// register ([`Instr::float_result`]); only a form reading that register is chosen.
    #[inline]
    pub(crate) fn use_register(&mut self, s: Slot, float: bool) -> bool {
        let info = REGISTER_INFO[self.raw_tag() as usize];
        // Both operands from the register (`x * x`) before one of them.
        if info.both != 0
            && self.field_at(8) == s.0
            && self.field_at(12) == s.0
            && FLOAT_OPERAND[info.both as usize] == float
        {
            // SAFETY: as below (`both` is a form with `lhs` and `rhs` where the base
            // variant has them: `f64.mul.sq` of `f64.mul`).
            unsafe { *(self as *mut Instr as *mut u16) = info.both };
            return true;
        }
        for (offset, tag) in info.forms {
            // A form reads the register its producer wrote: the float one for an `f64`
            // result (`float`), else the integer one.
            if offset != 0 && self.field_at(offset) == s.0 && FLOAT_OPERAND[tag as usize] == float {
                // SAFETY: `tag` is the register form of this variant (`REGISTER_INFO`),
                // a variant with the same field types in the same order, so the same
                // bytes are a valid value of it; the tag is the first 16 bits
                // (`repr(u16)`).
                unsafe { *(self as *mut Instr as *mut u16) = tag };
                return true;
            }
        }
        false
    }

    /// The tag (`repr(u16)`: the first 16 bits, the variant's `Tag` index).
    #[inline(always)]
    pub(crate) fn raw_tag(&self) -> u16 {
        // SAFETY: the first 16 bits of a `repr(u16)` enum are its (initialized) tag.
        unsafe { *(self as *const Instr as *const u16) }
    }
}

impl Instr {
    /// The relative branch offset of a branch instruction, if any.
    #[inline]
    pub fn branch_offset(&self) -> Option<i32> {
        let mut copy = *self;
        copy.branch_offset_mut().copied()
    }

    /// Whether execution never continues at the next instruction (`br`, `return`,
    /// `return_one`, `return_none`, `unreachable`): what a function's code must end with.
    #[inline]
    pub fn is_terminator(&self) -> bool {
        matches!(
            self,
            Instr::Br { .. }
                | Instr::Return { .. }
                | Instr::ReturnOne { .. }
                | Instr::ReturnNone {}
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

    /// Every variant, with its fields filled from `fill` (all fields are integers, so
    /// any bytes after a valid tag are a valid instruction).
    fn every_variant(fill: [u8; 14]) -> Vec<Instr> {
        (0..NUM_TAGS as u16)
            .map(|tag| {
                let mut b = [0u8; 16];
                b[..2].copy_from_slice(&tag.to_ne_bytes());
                b[2..].copy_from_slice(&fill);
                // SAFETY: a valid tag (below `NUM_TAGS`), integer fields only.
                unsafe { core::mem::transmute::<[u8; 16], Instr>(b) }
            })
            .collect()
    }

    #[test]
    fn register_table_agrees_with_the_instruction_table() {
        // Slots 1, 2, 3 in the three u32 positions; the u16 at byte 2 is 9.
        let fill = [9, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0];
        for instr in every_variant(fill) {
            assert_eq!(instr.raw_tag(), instr.tag() as u16);
            assert_eq!(
                instr.register_result(),
                instr.register_result_by_match(),
                "{instr:?}"
            );
            for s in [Slot(1), Slot(2), Slot(3), Slot(4)] {
                let mut same = every_variant([9, 0, 5, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0])
                    [instr.raw_tag() as usize];
                let mut same_ref = same;
                // Every operand is slot 5: the preferred operand is the same (with the
                // register class of the form the reference picks).
                let r = same_ref.use_register_by_match(Slot(5));
                let float = r && same_ref.float_operand();
                assert_eq!(same.use_register(Slot(5), float), r);
                assert_eq!(same, same_ref, "{instr:?}");
                let (mut fast, mut reference) = (instr, instr);
                let r = reference.use_register_by_match(s);
                let float = r && reference.float_operand();
                assert_eq!(fast.use_register(s, float), r, "{instr:?} {s}");
                assert_eq!(fast, reference, "{instr:?} {s}");
                // From the other register class: never a form reading the wrong one.
                let mut other = instr;
                if other.use_register(s, !float) {
                    assert_eq!(other.float_operand(), !float, "{instr:?} {s}");
                }
            }
        }
    }

    /// A pair head has its first instruction's fields (`Instr::make_pair_head` only
    /// rewrites the tag): the same bytes read as the same named operands either way.
    #[test]
    fn pair_heads_have_their_first_instructions_fields() {
        let operands = |tag: Tag| {
            let mut bytes: [u8; 16] =
                core::array::from_fn(|i| (i as u8).wrapping_mul(17).wrapping_add(3));
            bytes[..2].copy_from_slice(&(tag as u16).to_ne_bytes());
            // SAFETY: a valid tag and integer fields only, so any other bytes are valid.
            let instr = unsafe { core::mem::transmute::<[u8; 16], Instr>(bytes) };
            let mut v = Vec::new();
            instr.for_each_operand(|name, op| v.push((name, op)));
            v
        };
        for p in PAIRS {
            assert_eq!(operands(p.head), operands(p.first), "{}", p.head_mnemonic());
        }
        for t in TRIPLES {
            assert_eq!(operands(t.head), operands(t.pair), "{}", t.head_mnemonic());
        }
    }

    /// `FINISH_CHECKS` against the checks it lets `finish` skip: for every variant not
    /// marked, each check passes whatever its fields (a frame of size 0, a one-instruction
    /// code), and the branch mark is exactly "has a branch offset".
    #[test]
    fn finish_checks_cover_every_check() {
        use crate::exec::verify;
        for (k, &checks) in FINISH_CHECKS.iter().enumerate() {
            for fill in [0u8, 0x5a, 0xff] {
                let mut bytes = [fill; 16];
                bytes[..2].copy_from_slice(&(k as u16).to_ne_bytes());
                // SAFETY: a valid tag and integer fields only, so any other bytes are valid.
                let instr = unsafe { core::mem::transmute::<[u8; 16], Instr>(bytes) };
                let name = instr.mnemonic();
                if PAIR_OF_HEAD[k] == 0 && TRIPLE_OF_HEAD[k] == 0 {
                    assert_eq!(
                        checks & CHECK_BRANCH != 0,
                        instr.branch_offset().is_some(),
                        "{name}"
                    );
                }
                if checks & CHECK_OTHER == 0 {
                    assert!(!matches!(instr, Instr::Call { .. }), "{name}");
                    assert!(!verify::has_slot_runs(&instr), "{name}");
                    assert!(verify::implicit_slots(&instr, 0, &[]), "{name}");
                    assert!(verify::control_ok_at(&[instr], 0, None), "{name}");
                }
            }
        }
    }

    #[test]
    fn float_register_classes() {
        let (d, a, b) = (Slot(1), Slot(2), Slot(3));
        let add = Instr::F64Add {
            dst: d,
            lhs: a,
            rhs: b,
        };
        assert!(add.float_result());
        let (mut from_int, mut from_float) = (add, add);
        assert!(
            !from_int.use_register(a, false),
            "an f64 operand never reads `r`"
        );
        assert!(from_float.use_register(a, true));
        assert!(matches!(from_float, Instr::F64AddL { .. }) && from_float.float_operand());
        // Compares read floats, produce an i32.
        let lt = Instr::F64Lt {
            dst: d,
            lhs: a,
            rhs: b,
        };
        assert!(!lt.float_result());
        // Conversions: the class of the source and of the result.
        let conv = Instr::F64ConvertI32S { dst: d, src: a };
        let trunc = Instr::I32TruncF64S { dst: d, src: a };
        assert!(conv.float_result() && !trunc.float_result());
        let (mut c, mut t) = (conv, trunc);
        assert!(c.use_register(a, false) && !c.float_operand());
        assert!(t.use_register(a, true) && t.float_operand());
        // `f64.store`: the value from the float register, the address from `r`.
        let st = Instr::F64Store {
            ptr: a,
            value: b,
            offset: 0,
        };
        let (mut v, mut p) = (st, st);
        assert!(v.use_register(b, true) && matches!(v, Instr::F64StoreV { .. }));
        assert!(p.use_register(a, false) && matches!(p, Instr::F64StoreP { .. }));
        assert!(Instr::F64Load {
            dst: d,
            ptr: a,
            offset: 0
        }
        .float_result());
        assert!(!Instr::F32Add {
            dst: d,
            lhs: a,
            rhs: b
        }
        .float_result());
    }

    #[test]
    fn branch_offset_table_names_the_offset_field() {
        // Every variant: the offset set through `branch_offset_mut`, then through the
        // table; a wrong position leaves the first value (or writes another field).
        for tag in 0..NUM_TAGS as u16 {
            let mut bytes = [0u8; 16];
            bytes[..2].copy_from_slice(&tag.to_ne_bytes());
            // SAFETY: every bit pattern of the fields is a valid value (integer fields);
            // the tag is a valid variant index (`repr(u16)`).
            let mut instr: Instr = unsafe { core::mem::transmute(bytes) };
            let expected = instr.branch_offset_mut().map(|o| {
                *o = 0x1234_5678;
                -7
            });
            instr.set_branch_offset(-7);
            assert_eq!(instr.branch_offset(), expected, "{instr:?}");
        }
    }

    #[test]
    fn instr_is_16_bytes() {
        // 16 bytes, 4-aligned: `Instr::field_at` reads `u32` fields at 4, 8 and 12.
        assert_eq!(core::mem::size_of::<Instr>(), 16);
        assert_eq!(core::mem::align_of::<Instr>(), 4);
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
