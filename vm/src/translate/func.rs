//! Per-function translation state: the translation-time operand stack, control frames,
//! instruction emission, gas block accounting, and the validating visitor wrapper.
//!
//! Operand-stack entries are `Temp` (the value lives in the temporary slot of its own
//! stack position), `Const(k)` (constant pool entry, read in place) or `Local(i)` (read
//! in place). Invariants that keep this correct and linear:
//! * Local refs of the same local form a chain through the stack (`prev`), headed by
//!   `local_heads[i]`; before `local.set i` only that chain is copied out.
//! * Every pushed local ref is also recorded in `local_refs`; at each control-flow entry
//!   all still-live local refs are copied to their temporaries (each at most once), since
//!   a copy emitted on one path would not run on another.
//! * Only the top of the stack is ever popped, so a popped local ref is its chain's head.

use wasmparser::{BlockType, FrameKind, FuncValidator, ValidatorResources, VisitOperator};

use crate::exec::{verify, SMALL_INIT};
use crate::gas::{CostClass, Flow, MeteredBlocks, OpClassifier, OpInfo, Step, Targets};
use crate::ir::{Instr, Slot, CHECK_OTHER, FINISH_CHECKS};
use crate::types::FuncType;
use crate::{Error, GasSchedule};

/// Translation-time slot tag for constants (relocated in `finish`).
pub(super) const CONST_TAG: u32 = 1 << 30;

/// At most this many distinct constants per function live in the constant pool (plus
/// the null reference the translator interns for reference locals; the bounds below
/// allow two). Only entries some instruction reads as a slot reach the frame (`finish`).
///
/// The pool is copied into every frame on entry and is not part of the wasm-defined
/// frame cost (`stack_cost`, docs/gas.md) nor of the gas schedule (which is defined on
/// WebAssembly), so it must stay small: with the cap, the value stack a call chain can
/// allocate is bounded by `max_stack_slots` plus `max_call_depth * (MAX_POOLED_CONSTS +
/// 2 + exec::INIT_BLOCK)` cells (the last term: the frame's room for `enter`'s whole
/// blocks), whatever the code, and the copy on call entry costs at most 66 cells, which
/// the call's price covers (`docs/gas.md`: with 256 a call of a function with a full
/// pool cost 5.1 ns per gas unit, 9.5x the workloads' median; with 64, see there).
pub(crate) const MAX_POOLED_CONSTS: usize = 64;
/// Translation-time slot tag for temporaries (relocated in `finish`).
pub(super) const TEMP_TAG: u32 = 1 << 31;

/// Number of declared locals (the first ones) whose definite assignment the translator
/// tracks (`FuncTranslator::assigned`, one `u64`): constant work per control frame
/// whatever the number of locals (compile time stays linear). Every other declared
/// local is zeroed by `enter`.
pub(super) const TRACKED_LOCALS: u32 = 64;

/// How many locals the translator remembers holding a constant
/// (`FuncTranslator::known_consts`): the most recent `local.set`s of a constant. Four
/// cover the repeated initializations we see (one or two locals reset after a
/// `br_if`); a lookup scans them all, on every `local.set` (compile time).
pub(super) const KNOWN_CONSTS: usize = 4;

/// The 32-bit immediate holding cell value `bits`, if one does: for an i32 operation
/// (`wide == false`) the value itself, for an i64 one a value whose sign extension is
/// `bits` (the interpreter's `Imm32`/`Imm64`).
pub(super) fn imm_of(bits: u64, wide: bool) -> Option<u32> {
    let imm = bits as u32;
    let fits = if wide {
        imm as i32 as i64 as u64 == bits
    } else {
        u64::from(imm) == bits
    };
    fits.then_some(imm)
}

/// "No entry" marker for chains and pending-branch lists.
pub(super) const NONE: u32 = u32::MAX;

/// An operand-stack entry at translation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// In the temporary slot of its own stack position.
    Temp,
    /// Constant pool entry `k`.
    Const(u32),
    /// Local `index` read in place; `prev` is the next-lower position referencing it.
    Local { index: u32, prev: u32 },
}

/// Kind of a control frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CtrlKind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

/// A control frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ctrl {
    pub kind: CtrlKind,
    /// Stack height below the frame's params.
    pub height: u32,
    pub num_params: u32,
    pub num_results: u32,
    /// Loop header pc (for `Loop`).
    pub header: u32,
    /// Head of the linked list of forward branches to patch at `end` (through offsets).
    pub pending: u32,
    /// The `if`'s false-branch instruction (patched at `else`/`end`), or `NONE`.
    pub else_branch: u32,
    /// Whether the frame was entered in reachable code (false: a dead frame).
    pub live: bool,
    /// Whether some emitted branch targets this frame's end.
    pub branched_to: bool,
    /// Definite assignment at the end: the intersection over the branches to it
    /// (`FuncTranslator::assigned`; all bits until one is recorded).
    pub assigned_end: u64,
    /// Definite assignment where the frame was entered (an `if`'s false path).
    pub assigned_at_if: u64,
}

impl Ctrl {
    /// Number of values a branch to this frame carries.
    pub fn label_arity(&self) -> u32 {
        if self.kind == CtrlKind::Loop {
            self.num_params
        } else {
            self.num_results
        }
    }
}

/// Module-level facts the function translator needs.
pub(crate) struct ModuleCtx {
    pub types: Vec<FuncType>,
    /// Type index of every function (imports first).
    pub func_types: Vec<u32>,
    /// Number of imported functions (their indices come first).
    pub num_imported_funcs: u32,
    pub schedule: GasSchedule,
    pub metering: bool,
    /// The load limits checked while translating (`max_results`, `max_br_table_arity`).
    pub limits: crate::Limits,
}

/// Buffers reused across functions (no per-function allocation in steady state).
#[derive(Default)]
pub(crate) struct FuncTranslatorAllocations {
    pub stack: Vec<Entry>,
    pub ctrl: Vec<Ctrl>,
    pub code: Vec<Instr>,
    pub consts: Vec<u64>,
    /// Per pool entry: whether some instruction reads it as a slot (`const_slot`).
    /// Constants only ever used as immediates are left out of the frame by `finish`.
    pub const_used: Vec<bool>,
    /// `finish`: pool index to frame constant index (`NONE`: left out).
    pub const_remap: Vec<u32>,
    pub const_index: super::consts::ConstIndex,
    /// Head of each local's chain of stack entries (`NONE`: no entry). Kept all-`NONE`
    /// between functions and only grown, so that a function's set-up does not cost
    /// O(declared locals) (a 3-byte declaration may declare 50,000 locals).
    pub local_heads: Vec<u32>,
    /// Locals whose head was set in this function (reset to `NONE` by `reset`).
    pub touched_locals: Vec<u32>,
    pub local_refs: Vec<u32>,
    pub scratch: Vec<(u32, u32)>,
    /// The metered-block analysis (shared with the instrumenter).
    pub gas: MeteredBlocks,
    /// Declared reference-typed locals as `(first index, count)` ranges.
    pub ref_locals: Vec<(u32, u32)>,
    /// Branch targets of the finished code (`finish`: register forms).
    pub targets: Vec<bool>,
    /// `finish`: the frame slot of each tracked declared local (`NONE`: no cell).
    /// `TRACKED_LOCALS` entries, all `NONE` between functions: `finish` sets only the
    /// entries of accessed locals (`local_slot_set`), and `reset` clears only those, so
    /// a function costs nothing here for the locals it never touches (the max-locals
    /// compile input).
    pub local_slot: Vec<u32>,
    /// Bit `k`: `local_slot[k]` is set.
    pub local_slot_set: u64,
}

impl FuncTranslatorAllocations {
    fn reset(&mut self) {
        self.stack.clear();
        self.ctrl.clear();
        self.code.clear();
        self.consts.clear();
        self.const_used.clear();
        self.const_index.clear();
        for &i in &self.touched_locals {
            self.local_heads[i as usize] = NONE;
        }
        self.touched_locals.clear();
        let mut set = core::mem::take(&mut self.local_slot_set);
        while set != 0 {
            self.local_slot[set.trailing_zeros() as usize] = NONE;
            set &= set - 1;
        }
        self.local_refs.clear();
        self.scratch.clear();
        self.ref_locals.clear();
    }
}

/// The single-pass translator of one function body.
pub(crate) struct FuncTranslator<'m> {
    pub m: &'m ModuleCtx,
    /// Buffers reused across functions, borrowed (moving the struct in and out per
    /// function was a fifth of the compile time of modules with many small functions).
    pub a: &'m mut FuncTranslatorAllocations,
    pub type_index: u32,
    pub num_params: u32,
    /// Params + declared locals.
    pub num_locals: u32,
    pub num_results: u32,
    pub max_height: u32,
    pub reachable: bool,
    /// Index of the open charge's `ConsumeGas`, or `NONE`.
    pub gas_instr: u32,
    /// Index of the last emitted instruction whose `dst` is the temp of the stack top.
    pub producer: u32,
    /// Stack position whose temp the producer wrote.
    pub producer_pos: u32,
    /// The pc of the last label bound (a loop header, an else arm, a block's end):
    /// the instruction before it must not be rewritten to do more, since a branch to
    /// the label would skip the addition ([`FuncTranslator::bind_label`]).
    pub label_pc: u32,
    /// Definite assignment (bit `k`: declared local `P + k`, `k < TRACKED_LOCALS`): the
    /// locals written on every path from the function's entry to this point (all bits
    /// in unreachable code). In structured control flow one forward pass computes it:
    /// a block's end takes the intersection over its fall-through and the branches to
    /// it (`Ctrl::assigned_end`), an `if` without `else` also the condition's false
    /// path (`Ctrl::assigned_at_if`); a loop header keeps its entry's set, as every
    /// path around the loop only adds writes.
    pub assigned: u64,
    /// Tracked locals read somewhere they may be unassigned: `enter` zeroes these.
    pub locals_zeroed: u64,
    /// Tracked locals accessed at all (the others get no frame cell).
    pub locals_seen: u64,
    /// Locals known to hold a constant here, as `(local index, cell bits)`, the first
    /// `known_len` entries: each was set to that constant by a `local.set` on the
    /// straight-line path since the last label a branch can reach (fall-through into a
    /// block, past a `br_if` not taken, into an `if`'s then arm), and not written
    /// since. A `local.set` of the same constant again emits nothing. LLVM repeats
    /// such initializations: `fib`'s `acc = 0` before and after its `br_if`
    /// (`fib_recursive`: one `const` dispatch in six). Forgotten at every label a
    /// branch or the other arm of an `if` can reach (`forget_consts`), and in
    /// unreachable code. Determinism: what the code computes is unchanged, and the
    /// gas charged comes from the wasm operators (`gas::MeteredBlocks`), not from the
    /// instructions emitted.
    pub known_consts: [(u32, u64); KNOWN_CONSTS],
    pub known_len: u32,
}

impl<'m> FuncTranslator<'m> {
    pub fn new(m: &'m ModuleCtx, a: &'m mut FuncTranslatorAllocations, type_index: u32) -> Self {
        a.reset();
        let ty = &m.types[type_index as usize];
        let num_params = ty.params().len() as u32;
        let num_results = ty.results().len() as u32;
        Self {
            m,
            a,
            type_index,
            num_params,
            num_locals: num_params,
            num_results,
            max_height: 0,
            reachable: true,
            gas_instr: NONE,
            producer: NONE,
            producer_pos: NONE,
            label_pc: NONE,
            assigned: 0,
            locals_zeroed: 0,
            locals_seen: 0,
            known_consts: [(0, 0); KNOWN_CONSTS],
            known_len: 0,
        }
    }

    /// Declares `count` more locals of type `ty` (already limit-checked by the caller).
    pub fn add_locals(&mut self, count: u32, ty: crate::types::ValType) {
        if matches!(
            ty,
            crate::types::ValType::FuncRef | crate::types::ValType::ExternRef
        ) && count > 0
        {
            self.a.ref_locals.push((self.num_locals, count));
        }
        self.num_locals += count;
    }

    /// Called after locals are declared, before the first operator.
    pub fn start(&mut self) {
        if self.a.local_heads.len() < self.num_locals as usize {
            self.a.local_heads.resize(self.num_locals as usize, NONE);
        }
        self.a.ctrl.push(Ctrl {
            kind: CtrlKind::Func,
            height: 0,
            num_params: 0,
            num_results: self.num_results,
            header: 0,
            pending: NONE,
            else_branch: NONE,
            live: true,
            branched_to: false,
            assigned_end: u64::MAX,
            assigned_at_if: 0,
        });
        let declared = self.num_locals - self.num_params;
        self.a
            .gas
            .start(&self.m.schedule, declared, self.num_results);
        // The interpreter zeroes declared locals on entry; a reference local must start
        // as null, whose cell is `NULL_REF`, not 0. Each run of reference locals is
        // filled by one `fill_null` for its tracked part (the first
        // `TRACKED_LOCALS`, which `finish` relocates) and one for its untracked part:
        // at most two instructions per run, so the IR stays bounded per byte of the
        // locals declaration however many locals it declares.
        let ranges = core::mem::take(&mut self.a.ref_locals);
        if !ranges.is_empty() {
            let tracked_end = self.num_params + TRACKED_LOCALS;
            for &(first, count) in &ranges {
                let end = first + count;
                let split = end.min(tracked_end).max(first);
                // At the top, before any other access: definitely assigned, so
                // `finish` places the run's tracked part among the written-first
                // locals, in index order: consecutive cells too.
                self.locals_written(first, split);
                self.fill_null(first, split - first);
                self.fill_null(split, end - split);
            }
        }
        self.a.ref_locals = ranges;
        if self.m.metering {
            self.gas_instr = self.emit(Instr::ConsumeGas { amount: 0 });
        }
    }

    /// Sets locals `first .. first + count` (consecutive cells) to the null reference
    /// with one `fill_null`.
    fn fill_null(&mut self, first: u32, count: u32) {
        if count != 0 {
            self.emit(Instr::FillNull {
                dst: Slot(first),
                len: count,
            });
        }
    }

    // ---- slots -------------------------------------------------------------------

    pub fn temp(pos: u32) -> Slot {
        Slot(TEMP_TAG | pos)
    }

    /// The slot of pool entry `k`, which is then kept in the frame (the only way a
    /// constant slot is made: a constant no instruction reads as a slot is left out).
    pub fn const_slot(&mut self, k: u32) -> Slot {
        self.a.const_used[k as usize] = true;
        Slot(CONST_TAG | k)
    }

    pub fn height(&self) -> u32 {
        self.a.stack.len() as u32
    }

    fn entry_slot(&mut self, e: Entry, pos: u32) -> Slot {
        match e {
            Entry::Temp => Self::temp(pos),
            Entry::Const(k) => self.const_slot(k),
            Entry::Local { index, .. } => Slot(index),
        }
    }

    /// Slot of the entry at `pos` (no change to the stack).
    pub fn slot_at(&mut self, pos: u32) -> Slot {
        self.entry_slot(self.a.stack[pos as usize], pos)
    }

    /// The constant at stack position `pos` as an immediate operand, if it is a pooled
    /// constant that fits: any i32 (`wide == false`), or an i64 equal to its low 32
    /// bits sign-extended (`wide == true`; the interpreter's `Imm64`).
    pub fn const_imm(&self, pos: u32, wide: bool) -> Option<u32> {
        let Entry::Const(k) = self.a.stack[pos as usize] else {
            return None;
        };
        imm_of(self.a.consts[k as usize], wide)
    }

    /// Emits `dst = <the entry at pos>`: a `const` for a pooled constant (which then
    /// need not be in the frame), a `copy` otherwise.
    pub fn emit_copy_of(&mut self, dst: Slot, pos: u32) {
        if let Entry::Const(k) = self.a.stack[pos as usize] {
            let bits = self.a.consts[k as usize];
            self.emit(Instr::Const {
                dst,
                lo: bits as u32,
                hi: (bits >> 32) as u32,
            });
        } else {
            let src = self.slot_at(pos);
            self.emit(Instr::Copy { dst, src });
        }
    }

    // ---- stack -------------------------------------------------------------------

    /// Pushes a temporary and returns its slot.
    pub fn push_temp(&mut self) -> Slot {
        let pos = self.height();
        self.a.stack.push(Entry::Temp);
        if pos + 1 > self.max_height {
            self.max_height = pos + 1;
        }
        Self::temp(pos)
    }

    /// Pushes a constant (raw 64-bit cell), interning it in the constant pool; once the
    /// pool holds `MAX_POOLED_CONSTS` values, a new value is materialized into its
    /// temporary by a `Const` instruction instead.
    pub fn push_const(&mut self, bits: u64) {
        if self.a.consts.len() >= MAX_POOLED_CONSTS && self.a.const_index.get(bits).is_none() {
            let dst = self.push_temp();
            self.emit(Instr::Const {
                dst,
                lo: bits as u32,
                hi: (bits >> 32) as u32,
            });
            self.barrier();
            return;
        }
        let k = self.intern(bits);
        self.a.stack.push(Entry::Const(k));
        let h = self.height();
        if h > self.max_height {
            self.max_height = h;
        }
    }

    fn intern(&mut self, bits: u64) -> u32 {
        let next = self.a.consts.len() as u32;
        let k = self.a.const_index.get_or_insert(bits, next);
        if k == next {
            self.a.consts.push(bits);
            self.a.const_used.push(false);
        }
        k
    }

    /// The definite-assignment bit of declared local `index`, if it is tracked (the
    /// first [`TRACKED_LOCALS`] declared locals; params are always assigned).
    #[inline(always)]
    fn tracked_bit(&self, index: u32) -> u64 {
        let k = index.wrapping_sub(self.num_params);
        if k < TRACKED_LOCALS {
            1 << k
        } else {
            0
        }
    }

    /// A read of local `index` (reachable code): if the local may be unassigned here,
    /// `enter` must zero it.
    #[inline(always)]
    fn local_read(&mut self, index: u32) {
        let bit = self.tracked_bit(index);
        self.locals_seen |= bit;
        self.locals_zeroed |= bit & !self.assigned;
    }

    /// A write of local `index` (reachable code): definitely assigned from here on.
    #[inline(always)]
    pub fn local_written(&mut self, index: u32) {
        let bit = self.tracked_bit(index);
        self.locals_seen |= bit;
        self.assigned |= bit;
    }

    /// [`Self::local_written`] for the tracked locals `first..end` at once (`end` at
    /// most `num_params + TRACKED_LOCALS`).
    fn locals_written(&mut self, first: u32, end: u32) {
        if end <= first {
            return;
        }
        let (k0, k1) = (first - self.num_params, end - self.num_params);
        debug_assert!(k1 <= TRACKED_LOCALS && TRACKED_LOCALS <= 64);
        let width = k1 - k0;
        let ones = if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        let bits = ones << k0;
        self.locals_seen |= bits;
        self.assigned |= bits;
    }

    /// The code after an unconditional branch, `return` or `unreachable`: not emitted,
    /// and every local is (vacuously) assigned there, as no execution gets there.
    #[inline(always)]
    pub fn set_unreachable(&mut self) {
        self.reachable = false;
        self.assigned = u64::MAX;
        self.forget_consts();
    }

    /// The constant local `index` is known to hold here (`known_consts`), if any.
    #[inline]
    pub fn known_const(&self, index: u32) -> Option<u64> {
        self.known_consts[..self.known_len as usize]
            .iter()
            .find(|&&(l, _)| l == index)
            .map(|&(_, bits)| bits)
    }

    /// Local `index` now holds `bits` (a `local.set` of a constant was emitted): its
    /// entry is updated, or added, the oldest one dropped when all are taken.
    pub fn set_known_const(&mut self, index: u32, bits: u64) {
        let len = self.known_len as usize;
        if let Some(e) = self.known_consts[..len].iter_mut().find(|e| e.0 == index) {
            e.1 = bits;
        } else if len == KNOWN_CONSTS {
            self.known_consts.copy_within(1.., 0);
            self.known_consts[KNOWN_CONSTS - 1] = (index, bits);
        } else {
            self.known_consts[len] = (index, bits);
            self.known_len += 1;
        }
    }

    /// Local `index` was written with a value not known here.
    #[inline]
    pub fn forget_local(&mut self, index: u32) {
        let len = self.known_len as usize;
        if len == 0 {
            return;
        }
        if let Some(i) = self.known_consts[..len]
            .iter()
            .position(|&(l, _)| l == index)
        {
            self.known_consts.copy_within(i + 1..len, i);
            self.known_len -= 1;
        }
    }

    /// A label that a branch or an `if`'s other arm can reach: nothing is known there.
    #[inline]
    pub fn forget_consts(&mut self) {
        self.known_len = 0;
    }

    /// Pushes a reference to local `index` (read in place). Inlined into `local.get`'s
    /// visitor, the most frequent operator (compile time).
    #[inline]
    pub fn push_local(&mut self, index: u32) {
        self.local_read(index);
        let pos = self.height();
        let a = &mut *self.a;
        let prev = core::mem::replace(&mut a.local_heads[index as usize], pos);
        if prev == NONE {
            a.touched_locals.push(index);
        }
        a.stack.push(Entry::Local { index, prev });
        a.local_refs.push(pos);
        if pos + 1 > self.max_height {
            self.max_height = pos + 1;
        }
    }

    /// Pops the top entry, returning its slot (valid until something overwrites it).
    pub fn pop(&mut self) -> Slot {
        let pos = self.height() - 1;
        let e = self.pop_entry();
        self.entry_slot(e, pos)
    }

    /// Pops the top entry without making a slot of it: a constant popped this way (an
    /// immediate, a dropped value, one a `const` instruction copied) is not kept in the
    /// frame on its account.
    pub fn pop_entry(&mut self) -> Entry {
        let e = self
            .a
            .stack
            .pop()
            .expect("validated: operand stack not empty");
        if let Entry::Local { index, prev } = e {
            self.a.local_heads[index as usize] = prev;
        }
        e
    }

    pub fn top(&self) -> Entry {
        *self
            .a
            .stack
            .last()
            .expect("validated: operand stack not empty")
    }

    /// Pops the top `n` entries into consecutive temporaries (their own positions),
    /// copying locals/constants there; returns the first slot.
    pub fn pop_consecutive(&mut self, n: u32) -> Slot {
        let base = self.height() - n;
        for pos in (base..base + n).rev() {
            if self.a.stack[pos as usize] != Entry::Temp {
                self.emit_copy_of(Self::temp(pos), pos);
            }
            self.pop_entry();
        }
        Self::temp(base)
    }

    /// Truncates the stack to `height` (popping, so local chains stay consistent).
    pub fn truncate(&mut self, height: u32) {
        while self.height() > height {
            self.pop_entry();
        }
    }

    /// Copies every live local ref on the stack to its temporary (control-flow entry).
    pub fn materialize_locals(&mut self) {
        let refs = core::mem::take(&mut self.a.local_refs);
        for &pos in &refs {
            if let Some(&Entry::Local { index, .. }) = self.a.stack.get(pos as usize) {
                self.emit(Instr::Copy {
                    dst: Self::temp(pos),
                    src: Slot(index),
                });
                self.a.stack[pos as usize] = Entry::Temp;
                self.a.local_heads[index as usize] = NONE;
            }
        }
        let mut refs = refs;
        refs.clear();
        self.a.local_refs = refs;
    }

    /// Copies the stack entries referencing local `index` to their temporaries.
    pub fn preserve_local(&mut self, index: u32) {
        let mut pos = self.a.local_heads[index as usize];
        while pos != NONE {
            let Entry::Local { prev, .. } = self.a.stack[pos as usize] else {
                unreachable!("local chain points at a non-local entry")
            };
            self.emit(Instr::Copy {
                dst: Self::temp(pos),
                src: Slot(index),
            });
            self.a.stack[pos as usize] = Entry::Temp;
            pos = prev;
        }
        self.a.local_heads[index as usize] = NONE;
    }

    /// Turns the top `n` entries into `Temp` in place (after `materialize_locals`, only
    /// constants remain to copy).
    pub fn materialize_top(&mut self, n: u32) {
        let h = self.height();
        for pos in h - n..h {
            match self.a.stack[pos as usize] {
                Entry::Temp => {}
                Entry::Const(_) => {
                    self.emit_copy_of(Self::temp(pos), pos);
                    self.a.stack[pos as usize] = Entry::Temp;
                }
                Entry::Local { .. } => unreachable!("locals materialized before"),
            }
        }
    }

    // ---- emission ----------------------------------------------------------------

    pub fn pc(&self) -> u32 {
        self.a.code.len() as u32
    }

    pub fn emit(&mut self, i: Instr) -> u32 {
        let pc = self.pc();
        self.a.code.push(i);
        pc
    }

    /// Emits an instruction whose `dst` is a freshly pushed temp (a "producer").
    pub fn emit_producer(&mut self, i: Instr) {
        let pc = self.emit(i);
        self.producer = pc;
        self.producer_pos = self.height() - 1;
    }

    /// True when the stack top is a temp written by the last emitted instruction.
    pub fn top_is_fresh(&self) -> bool {
        self.producer != NONE
            && self.producer + 1 == self.pc()
            && self.producer_pos + 1 == self.height()
            && self.a.stack.last() == Some(&Entry::Temp)
    }

    /// Marks a control-flow merge point: no instruction may be rewritten across it.
    pub fn barrier(&mut self) {
        self.producer = NONE;
    }

    // ---- gas ---------------------------------------------------------------------
    // Amounts and block boundaries come from the shared analysis (`gas::MeteredBlocks`);
    // the translator only places and patches `ConsumeGas` instructions.

    /// True when the open charge is empty and its `ConsumeGas` is the last instruction:
    /// a block starting here can reuse it (never changes the amounts charged).
    fn gas_block_empty(&self) -> bool {
        self.m.metering
            && self.gas_instr != NONE
            && self.gas_instr + 1 == self.pc()
            && self.a.gas.open_cost() == 0
    }

    /// The pc a label bound here should target: the current (empty) block's
    /// `ConsumeGas` when it will be reused by the block starting here, else `pc`.
    pub fn label_pos(&self) -> u32 {
        if self.gas_block_empty() {
            self.gas_instr
        } else {
            self.pc()
        }
    }

    /// The pc a label bound here targets ([`FuncTranslator::label_pos`]); records that a
    /// label lies at the current pc and places a barrier, so no later rewrite of the
    /// instruction before it (a fused `global.set`, a `local.set` retargeting a
    /// producer) moves work across the label: with metering off no `consume_gas`
    /// separates them, and a branch to the label would skip that work.
    pub fn bind_label(&mut self) -> u32 {
        self.label_pc = self.pc();
        self.barrier();
        self.label_pos()
    }

    /// Feeds an operator to the analysis; emits the split charges it asks for (before
    /// the operator's code).
    #[inline(always)]
    pub fn gas_step(&mut self, class: CostClass, flow: Flow, targets: Targets<'_, '_>) -> Step {
        let step = self.a.gas.op(&self.m.schedule, class, flow, targets);
        for _ in 0..step.splits {
            self.patch_gas(u32::MAX);
            if self.m.metering {
                self.gas_instr = self.emit(Instr::ConsumeGas { amount: 0 });
            }
            self.barrier();
        }
        step
    }

    /// Starts the metered block that the analysis opened after the last operator: closes
    /// the open charge (patching its amount) and emits the new block's `ConsumeGas`
    /// (reusing the current one if its block is empty; see `label_pos`).
    pub fn start_gas_block(&mut self) {
        self.barrier();
        let empty = self.gas_block_empty();
        let closed = self.a.gas.new_block();
        if !self.m.metering || empty {
            return;
        }
        self.patch_gas(closed as u32); // <= u32::MAX: split rule of the analysis
        self.gas_instr = self.emit(Instr::ConsumeGas { amount: 0 });
    }

    /// Writes `amount` into the open charge's `ConsumeGas`.
    fn patch_gas(&mut self, amount: u32) {
        if self.gas_instr != NONE {
            self.a.code[self.gas_instr as usize] = Instr::ConsumeGas { amount };
        }
    }

    // ---- branches ----------------------------------------------------------------

    /// Sets the relative offset of the branch at `at` to jump to `target`.
    pub fn patch(&mut self, at: u32, target: u32) {
        let off = target as i64 - at as i64;
        let off = i32::try_from(off).expect("code size bounded by limits");
        *self.a.code[at as usize]
            .branch_offset_mut()
            .expect("patching a branch") = off;
    }

    /// Records the branch at `at` as pending on frame `depth` (relative), chaining through
    /// its offset field.
    pub fn add_pending(&mut self, at: u32, depth: u32) {
        let idx = self.a.ctrl.len() - 1 - depth as usize;
        let frame = &mut self.a.ctrl[idx];
        let prev = frame.pending;
        frame.pending = at;
        frame.branched_to = true;
        // A branch to the frame's end: what is assigned there is assigned on this path.
        frame.assigned_end &= self.assigned;
        *self.a.code[at as usize]
            .branch_offset_mut()
            .expect("pending branch") = prev as i32;
    }

    /// Patches every pending branch of `frame` to `target`.
    pub fn patch_pending(&mut self, mut at: u32, target: u32) {
        while at != NONE {
            let prev = self.a.code[at as usize]
                .branch_offset()
                .expect("pending branch") as u32;
            self.patch(at, target);
            at = prev;
        }
    }

    pub fn frame(&self, depth: u32) -> Ctrl {
        self.a.ctrl[self.a.ctrl.len() - 1 - depth as usize]
    }

    /// Emits an unconditional jump `instr` (a `Br`-like with an offset) to frame `depth`.
    pub fn jump_to(&mut self, instr: Instr, depth: u32) {
        let f = self.frame(depth);
        let at = self.emit(instr);
        if f.kind == CtrlKind::Loop {
            self.patch(at, f.header);
        } else {
            self.add_pending(at, depth);
        }
    }

    /// Block type arity `(params, results)`.
    pub fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let ty = &self.m.types[t as usize];
                (ty.params().len() as u32, ty.results().len() as u32)
            }
        }
    }

    // ---- finish ------------------------------------------------------------------

    /// Relocates tagged slots and returns the compiled function; hands back allocations.
    ///
    /// # Errors
    /// An internal error if an instruction addresses a slot outside the frame (a
    /// translator bug; the interpreter's unchecked slot access relies on this check,
    /// see `exec::verify`).
    /// Finishes the function: relocation, verification, gas fusion, register forms; its
    /// code and constants are appended to the module's arenas.
    pub fn finish(
        mut self,
        code_arena: &mut Vec<crate::exec::threaded::Op>,
        consts_arena: &mut Vec<u64>,
    ) -> Result<crate::module::CompiledFunc, String> {
        let last = self.a.gas.finish();
        self.patch_gas(last as u32); // <= u32::MAX: split rule of the analysis
        let p = self.num_params;
        // Declared locals (`assigned`): `l` zeroed by `enter` (the tracked ones some
        // read may find unassigned, then every untracked one), `w` tracked ones written
        // before any read; a tracked local never accessed has no cell.
        // (Bits are set only for validated local indices: none past the declared ones.)
        let declared = self.num_locals - p;
        let zeroed = self.locals_zeroed;
        let written = self.locals_seen & !zeroed;
        let zeroed_tracked = zeroed.count_ones();
        let l = zeroed_tracked + declared.saturating_sub(TRACKED_LOCALS);
        let w = written.count_ones();
        // The frame holds the pool entries some instruction reads as a slot, in pool
        // order; a constant used only as an immediate costs no frame cell and no copy
        // on entry.
        let remap = &mut self.a.const_remap;
        remap.clear();
        let mut c = 0u32;
        for &used in &self.a.const_used {
            remap.push(if used { c } else { NONE });
            c += u32::from(used);
        }
        // Frame: [params][zeroed locals][constants][written-first locals][temporaries]
        // (`enter` initializes one contiguous run; its whole blocks may spill into the
        // written-first locals, which the code writes before it reads them).
        let const_base = p + l;
        let written_base = const_base + c;
        let temp_base = written_base + w;
        let mut frame_size = temp_base + self.max_height;
        // Where each tracked local lives (`NONE`: no cell); an untracked local `k`
        // (`k >= TRACKED_LOCALS`) lives at `p + zeroed_tracked + k - TRACKED_LOCALS`.
        let local_slot = &mut self.a.local_slot;
        if local_slot.is_empty() {
            local_slot.resize(TRACKED_LOCALS as usize, NONE);
        }
        for (mut bits, mut next) in [(zeroed, p), (written, written_base)] {
            // In index order, one entry per accessed local.
            while bits != 0 {
                local_slot[bits.trailing_zeros() as usize] = next;
                next += 1;
                bits &= bits - 1;
            }
        }
        self.a.local_slot_set = zeroed | written;
        let untracked_base = p + zeroed_tracked;
        // Zeroed locals and pooled constants that fit in `SMALL_INIT` cells together are
        // set up by `enter_small`, which copies a fixed image (u64: no overflow).
        let small = l + c > 0 && u64::from(l) + u64::from(c) <= u64::from(SMALL_INIT);
        if l + c > 0 {
            // Room for the whole blocks `enter` writes (`exec::zero_locals`): at most
            // `INIT_BLOCK - 1` cells more; for `enter_small`, `SMALL_INIT` cells from the
            // first local (u64: no overflow; a frame past u32 fails below).
            let span = |n| crate::exec::init_span(n);
            let need = if small {
                u64::from(p) + u64::from(SMALL_INIT)
            } else {
                (u64::from(p) + span(l)).max(u64::from(const_base) + span(c))
            };
            frame_size = u32::try_from(need.max(u64::from(frame_size)))
                .map_err(|_| "internal VM error: frame too large".to_string())?;
        }
        let mut code = core::mem::take(&mut self.a.code);
        // A function whose end is unreachable may end in a non-terminator (the code after
        // an `unreachable` or `br` is not emitted); the interpreter advances without
        // bounds checks, so the code must end in a terminator (`verify::control_ok`).
        if !code.last().is_some_and(Instr::is_terminator) {
            code.push(Instr::Unreachable {});
        }
        // Branch offsets become byte offsets below (`threaded::to_byte_offset`); a function
        // body within the module limits yields far fewer instructions than this (one more
        // may be inserted: `enter`).
        if code.len() >= crate::exec::threaded::MAX_CODE_LEN {
            return Err(code_too_long());
        }
        let mut bad: Option<usize> = None;
        let n = code.len();
        let local_slot = &self.a.local_slot;
        let targets = &mut self.a.targets;
        targets.clear();
        targets.resize(n, false);
        for pc in 0..n {
            // Control flow (`verify::control_ok`: branch targets inside the code, ...),
            // then the fusion of a branch with the charge of the metered block it jumps
            // into (`Instr::fuse_target_gas`: one dispatch fewer per taken branch, e.g.
            // per loop iteration; the new target, one past a `consume_gas`, is inside the
            // code because a `consume_gas` never ends it). In place: a copy of the
            // 16-byte instruction edited field by field and stored back stalls on store
            // forwarding.
            // The checks beyond the slot operands' frame check, skipped (one table load)
            // for the instructions that need none (`ir::FINISH_CHECKS`).
            let checks = FINISH_CHECKS[code[pc].raw_tag() as usize];
            if checks != 0 {
                // The `call` handler enters the callee's code without testing for an
                // import (`call_import` is for those): a `call` of one would jump
                // outside the arena.
                if let Instr::Call { func, .. } = code[pc] {
                    if func < self.m.num_imported_funcs {
                        return Err(calls_import(pc, &code[pc]));
                    }
                }
                let branch = code[pc].branch_offset();
                if !verify::control_ok_at(&code, pc, branch) {
                    return Err(verify::describe_control(pc, &code));
                }
                if let Some(offset) = branch {
                    finish_branch(&mut code, targets, pc, offset);
                }
            }
            let instr = &mut code[pc];
            // Relocation, and the frame-slot check of `exec::verify` on the final slot.
            let runs = checks & CHECK_OTHER != 0 && verify::has_slot_runs(instr);
            let mut inside = true;
            instr.for_each_slot_mut(|s| {
                if s.0 & TEMP_TAG != 0 {
                    s.0 = temp_base + (s.0 & !TEMP_TAG);
                } else if s.0 & CONST_TAG != 0 {
                    // A constant left out (`NONE`, never: `const_slot` marks every
                    // constant slot made) lands outside the frame and fails the check.
                    let k = remap.get((s.0 & !CONST_TAG) as usize).copied();
                    s.0 = const_base.saturating_add(k.unwrap_or(NONE));
                } else if s.0 >= p {
                    // A declared local (one never accessed has `NONE`, never: it lands
                    // outside the frame and fails the check).
                    let k = s.0 - p;
                    s.0 = if k < TRACKED_LOCALS {
                        local_slot[k as usize]
                    } else if k < declared {
                        untracked_base + (k - TRACKED_LOCALS)
                    } else {
                        NONE
                    };
                }
                inside &= runs || s.0 < frame_size;
            });
            let implicit_ok = checks & CHECK_OTHER == 0
                || verify::implicit_slots(instr, frame_size, &self.m.types);
            if !(inside && implicit_ok) && bad.is_none() {
                bad = Some(pc);
            }
        }
        if let Some(pc) = bad {
            // Its branch offset, if it has one, is in bytes by now.
            let instr = crate::exec::threaded::in_instructions(code[pc]);
            return Err(verify::describe(pc, &instr, frame_size));
        }
        let consts_start = consts_arena.len() as u32;
        if small {
            // The image `enter_small` copies: the zeroed locals, then the constants.
            consts_arena.extend(core::iter::repeat_n(0, l as usize));
        }
        // Frame set-up in the callee: a function with declared locals or pooled
        // constants starts with `enter` (zero the locals, copy the pool in) or, when they
        // fit in `SMALL_INIT` cells, `enter_small` (copy the image in), which takes
        // the entry block's charge when that is the first instruction and no branch
        // targets it; else `enter` goes in front (relative offsets are unchanged, and
        // no branch can target it). The call path then only pushes the frame.
        if l + c > 0 {
            // `params` fits: wasm types have at most 1000 parameters (validated).
            let (Ok(params), Ok(consts)) = (u16::try_from(p), u16::try_from(c)) else {
                return Err("internal VM error: frame too large for `enter`".into());
            };
            let gas = match code[0] {
                Instr::ConsumeGas { amount } if !targets[0] => u16::try_from(amount).ok(),
                _ => None,
            };
            let enter = if small {
                Instr::EnterSmall {
                    params,
                    gas: gas.unwrap_or(0),
                    pool: consts_start,
                }
            } else {
                Instr::Enter {
                    params,
                    consts,
                    gas: gas.unwrap_or(0),
                    locals: l,
                    pool: consts_start,
                }
            };
            if gas.is_some() {
                code[0] = enter;
            } else {
                code.insert(0, enter);
                targets.insert(0, false);
            }
            // The frame check of every instruction (above) for the one added here.
            if !verify::implicit_slots(&code[0], frame_size, &self.m.types) {
                return Err(verify::describe(0, &code[0], frame_size));
            }
        }
        // Register forms (`Instr::use_register`), while the code goes to the module's
        // arena with its handlers: an operand that the instruction right before wrote
        // with a register-passing handler is read from the register (no store-to-load
        // round trip on dependent chains). Never at a branch target (marked above, inside
        // the code by `control_ok`), where another predecessor may have left something
        // else in the register.
        let code_start = code_arena.len() as u32;
        code_arena.reserve(code.len());
        // Pairs (`Instr::make_pair_head`, docs/ir.md "Pairs"): the instruction before
        // becomes the head of a pair with this one; a partner is never a head itself.
        let mut previous: Option<Slot> = None;
        let mut previous_float = false;
        // The instruction pushed last, while it may still head a pair (not a partner).
        let mut last: Option<Instr> = None;
        // Whether the instruction pushed last is the partner of a pair that some triple
        // extends: the one at hand may then make the pair, whose head is two back, a
        // triple (`Instr::make_triple_head`). Tested only when `last` is empty, as it is
        // after a pair: on the common path the test cost 1.3% of compiling the regex
        // build.
        let mut after_pair = false;
        for (pc, &instr) in code.iter().enumerate() {
            let mut instr = instr;
            if let Some(s) = previous.filter(|_| !self.a.targets[pc]) {
                instr.use_register(s, previous_float);
            }
            previous = instr.register_result();
            previous_float = instr.float_result();
            if let Some(mut first) = last {
                // (A head of `ir::TEMP_FIRST` leaves its first result uncanonicalized:
                // only when that result is a temporary, which the partner pops.)
                if first.make_pair_head(&instr, temp_base) {
                    if let Some(op) = code_arena.last_mut() {
                        *op = crate::exec::threaded::Op::new(first);
                    }
                    code_arena.push(crate::exec::threaded::Op::new(instr));
                    after_pair = first.starts_triple();
                    last = None;
                    continue;
                }
            } else if after_pair {
                after_pair = false;
                if finish_triple(code_arena, instr) {
                    // The third keeps its tag: it heads nothing (`last` stays empty).
                    continue;
                }
            }
            last = Some(instr);
            code_arena.push(crate::exec::threaded::Op::new(instr));
        }
        consts_arena.extend(
            self.a
                .consts
                .iter()
                .zip(&self.a.const_used)
                .filter(|&(_, &used)| used)
                .map(|(&bits, _)| bits),
        );
        let func = crate::module::CompiledFunc {
            type_index: self.type_index,
            frame: crate::module::FrameShape {
                num_params: p,
                num_locals: l,
                num_consts: c,
                frame_size,
                stack_cost: self.num_locals.saturating_add(self.a.gas.max_height()),
                entry_gas: crate::module::CompiledFunc::entry_gas_of(&code),
            },
            num_results: self.num_results,
            num_written: w,
            code_start,
            code_len: code.len() as u32,
        };
        code.clear();
        self.a.code = code;
        Ok(func)
    }
}

/// The error of a `call` (instruction `pc`) of an imported function.
#[cold]
#[inline(never)]
fn calls_import(pc: usize, instr: &Instr) -> String {
    format!("internal VM error: instruction {pc} ({instr}) calls an imported function")
}

/// The error of a function whose code exceeds `threaded::MAX_CODE_LEN` instructions.
/// Built out of line, as `calls_import`'s: built inline in `finish`, the `String` made
/// LLVM compile the per-instruction loop differently (the slot relocation's closure
/// became a call; compiling the regex build took 296.7 M instructions, 287.3 M with this
/// out of line, 286.5 M with both).
#[cold]
#[inline(never)]
fn code_too_long() -> String {
    "internal VM error: function code too long".into()
}

/// The branch at `pc` (branch offset `offset`, its target inside `code`: checked) as
/// `FuncTranslator::finish` leaves it: fused with the charge of the metered block it
/// jumps into, its final target marked in `targets`, its offset in bytes. Out of line,
/// to keep the loop `finish` runs for every instruction small: inlined, it made compiling
/// the benchmarks' regex module about 0.5% slower (callgrind instruction counts). The
/// error texts are out of line for the same reason (`code_too_long`).
#[inline(never)]
fn finish_branch(code: &mut [Instr], targets: &mut [bool], pc: usize, offset: i32) {
    let target = (pc as i64 + i64::from(offset)) as usize;
    if let Instr::ConsumeGas { amount } = code[target] {
        code[pc].fuse_target_gas(amount);
    }
    // The final target (after the fusion), for the register forms.
    let offset = code[pc].branch_offset().unwrap_or(offset);
    targets[(pc as i64 + i64::from(offset)) as usize] = true;
    // In bytes from here on, as the handlers read it (the code's length was checked
    // against `MAX_CODE_LEN`).
    code[pc].set_branch_offset(crate::exec::threaded::to_byte_offset(offset));
}

/// Makes the pair whose partner `code_arena` ends with a triple with `third`
/// (`Instr::make_triple_head`), pushing `third`, if `ir::TRIPLES` has one; returns
/// whether it did. Out of line: inlined into `finish`'s loop over every instruction,
/// the rare path cost 0.9% of compiling the regex build.
#[inline(never)]
fn finish_triple(code_arena: &mut Vec<crate::exec::threaded::Op>, third: Instr) -> bool {
    let at = code_arena.len() - 2;
    let mut head = code_arena[at].instr;
    if !head.make_triple_head(&third) {
        return false;
    }
    code_arena[at] = crate::exec::threaded::Op::new(head);
    code_arena.push(crate::exec::threaded::Op::new(third));
    true
}

/// Validation as a wrapper: each operator goes to the validator first, then (if it
/// validated) its gas cost is accounted and the translator emits IR.
pub(super) struct Validating<'t, 'm> {
    pub v: &'t mut FuncValidator<ValidatorResources>,
    pub t: &'t mut FuncTranslator<'m>,
    pub offset: usize,
}

impl wasmparser::FrameStack for Validating<'_, '_> {
    fn current_frame(&self) -> Option<FrameKind> {
        self.v.get_control_frame(0).map(|f| f.kind)
    }
}

/// Branch targets of an operator for the gas analysis (`br`, `br_if`, `br_table`), and
/// the block type's arity for the operators that open a frame (`$t`: the translator).
macro_rules! branch_targets {
    ($t:expr; visit_br $depth:ident) => {
        Targets::Depth($depth)
    };
    ($t:expr; visit_br_if $depth:ident) => {
        Targets::Depth($depth)
    };
    ($t:expr; visit_br_table $targets:ident) => {
        Targets::Table(&$targets)
    };
    ($t:expr; visit_block $bt:ident) => {{
        let (params, results) = $t.block_arity($bt);
        Targets::Opens(params, results)
    }};
    ($t:expr; visit_loop $bt:ident) => {{
        let (params, results) = $t.block_arity($bt);
        Targets::Opens(params, results)
    }};
    ($t:expr; visit_if $bt:ident) => {{
        let (params, results) = $t.block_arity($bt);
        Targets::Opens(params, results)
    }};
    // Every other operator targets no label (its `Flow` says whether it jumps).
    ($t:expr; $visit:ident $($arg:ident)*) => {
        Targets::None
    };
}

/// Checks that must run before wasmparser validates the operator, because validating
/// it would already cost more than its bytes pay for.
macro_rules! precheck {
    ($s:expr; visit_br_table $targets:ident) => {
        $s.check_br_table(&$targets)?
    };
    ($s:expr; $visit:ident $($arg:ident)*) => {};
}

macro_rules! define_validating {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $( define_validating!(@one $proposal $visit $($($arg: $argty),*)?); )*
    };
    (@one mvp $($rest:tt)*) => { define_validating!(@ok $($rest)*); };
    (@one sign_extension $($rest:tt)*) => { define_validating!(@ok $($rest)*); };
    (@one saturating_float_to_int $($rest:tt)*) => { define_validating!(@ok $($rest)*); };
    (@one bulk_memory $($rest:tt)*) => { define_validating!(@ok $($rest)*); };
    (@one reference_types $($rest:tt)*) => { define_validating!(@ok $($rest)*); };
    // Every other proposal is rejected (gas.rs names each one exhaustively).
    (@one $proposal:ident $visit:ident $($arg:ident: $argty:ty),*) => {
        fn $visit(&mut self $(, $arg: $argty)*) -> Self::Output {
            match OpClassifier.$visit($($arg),*) {
                OpInfo::Unsupported(name) => Err(Error::unsupported(name, self.offset)),
                OpInfo::Op(..) => Err(Error::unsupported("this proposal", self.offset)),
            }
        }
    };
    (@ok $visit:ident $($arg:ident: $argty:ty),*) => {
        fn $visit(&mut self $(, $arg: $argty)*) -> Self::Output {
            let (class, flow) = match OpClassifier.$visit($($arg.clone()),*) {
                OpInfo::Op(class, flow) => (class, flow),
                OpInfo::Unsupported(name) => return Err(Error::unsupported(name, self.offset)),
            };
            precheck!(self; $visit $($arg)*);
            self.v.visitor(self.offset).$visit($($arg.clone()),*).map_err(Error::from_wasmparser)?;
            let step = self.t.gas_step(class, flow, branch_targets!(self.t; $visit $($arg)*));
            if step.reachable || !matches!(flow, Flow::Straight | Flow::Jump | Flow::BrIf) {
                self.t.$visit($($arg),*)?;
            }
            debug_assert_eq!(self.t.reachable, self.t.a.gas.is_reachable(), "reachability");
            if step.starts_block {
                self.t.start_gas_block();
            }
            self.t.a.gas.observe_height(self.v.operand_stack_height());
            Ok(())
        }
    };
}

impl Validating<'_, '_> {
    /// Rejects a `br_table` whose label arity exceeds `Limits::max_br_table_arity`
    /// (validation checks every target's label types: (targets + 1) x arity). An
    /// invalid depth is left to the validator's own error.
    #[cold]
    #[inline(never)]
    fn check_br_table_slow(&self, arity: u32) -> Result<(), Error> {
        Err(Error::limit(
            "max_br_table_arity",
            u64::from(arity),
            u64::from(self.t.m.limits.max_br_table_arity),
            Some(self.offset),
        ))
    }

    #[inline]
    fn check_br_table(&self, targets: &wasmparser::BrTable<'_>) -> Result<(), Error> {
        let Some(frame) = self.v.get_control_frame(targets.default() as usize) else {
            return Ok(());
        };
        let (params, results) = self.t.block_arity(frame.block_type);
        let arity = if frame.kind == FrameKind::Loop {
            params
        } else {
            results
        };
        if arity > self.t.m.limits.max_br_table_arity {
            return self.check_br_table_slow(arity);
        }
        Ok(())
    }
}

#[allow(clippy::clone_on_copy, clippy::redundant_clone)]
impl<'a> VisitOperator<'a> for Validating<'_, '_> {
    type Output = Result<(), Error>;
    wasmparser::for_each_visit_operator!(define_validating);
}
