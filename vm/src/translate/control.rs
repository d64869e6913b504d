//! Control operators: blocks, loops, if/else, branches, `br_table`, `return`, `unreachable`.
//!
//! Values carried by branches are moved with explicit copies before the jump (ascending
//! order; safe because destinations are never above their sources). Forward branches
//! are chained through their offset fields and patched at the frame's `end`.

use wasmparser::{BlockType, BrTable};

use super::func::{Ctrl, CtrlKind, Entry, FuncTranslator, NONE};
use crate::ir::{Instr, Slot};
use crate::Error;

/// Branches carrying at least this many values move them with one `copy_span` (after
/// `FuncTranslator::materialize_carried`); fewer are moved by one `copy` each, which
/// stays in the threaded dispatch.
const SPAN_MIN: u32 = 4;

type R = Result<(), Error>;

/// A branch condition: a slot holding an i32, or a just-emitted compare to fuse.
pub(super) enum Cond {
    Slot(Slot),
    Cmp(Instr),
}

/// The fused compare-and-branch that branches when `cmp`'s result is `when`, if there is
/// one. Integer compares have one for both polarities (the negated compare); float
/// compares only for `when == true`, and `eq`/`ne` for both: with a NaN operand
/// `!(a < b)` is not `a >= b`, so a negated float compare is never substituted.
fn fused(cmp: Instr, when: bool) -> Option<Instr> {
    macro_rules! pairs {
        ($($cmp:ident => $t:ident / $f:ident),* ; $($fcmp:ident => $ft:ident),* ; $($icmp:ident => $it:ident / $if:ident),* $(,)?) => {
            match cmp {
                $( Instr::$cmp { lhs, rhs, .. } => Some(if when {
                    Instr::$t { lhs, rhs, offset: 0, gas: 0 }
                } else {
                    Instr::$f { lhs, rhs, offset: 0, gas: 0 }
                }), )*
                $( Instr::$icmp { lhs, imm, .. } => Some(if when {
                    Instr::$it { lhs, imm, offset: 0, gas: 0 }
                } else {
                    Instr::$if { lhs, imm, offset: 0, gas: 0 }
                }), )*
                $( Instr::$fcmp { lhs, rhs, .. } if when => {
                    Some(Instr::$ft { lhs, rhs, offset: 0, gas: 0 })
                } )*
                Instr::I32Eqz { src, .. } => Some(if when {
                    Instr::BrIfEqz { cond: src, offset: 0, gas: 0 }
                } else {
                    Instr::BrIfNez { cond: src, offset: 0, gas: 0 }
                }),
                Instr::I64Eqz { src, .. } => Some(if when {
                    Instr::BrI64EqI { lhs: src, imm: 0, offset: 0, gas: 0 }
                } else {
                    Instr::BrI64NeI { lhs: src, imm: 0, offset: 0, gas: 0 }
                }),
                _ => None,
            }
        };
    }
    pairs! {
        I32Eq => BrI32Eq / BrI32Ne, I32Ne => BrI32Ne / BrI32Eq,
        I32LtS => BrI32LtS / BrI32GeS, I32LtU => BrI32LtU / BrI32GeU,
        I32GtS => BrI32GtS / BrI32LeS, I32GtU => BrI32GtU / BrI32LeU,
        I32LeS => BrI32LeS / BrI32GtS, I32LeU => BrI32LeU / BrI32GtU,
        I32GeS => BrI32GeS / BrI32LtS, I32GeU => BrI32GeU / BrI32LtU,
        I64Eq => BrI64Eq / BrI64Ne, I64Ne => BrI64Ne / BrI64Eq,
        I64LtS => BrI64LtS / BrI64GeS, I64LtU => BrI64LtU / BrI64GeU,
        I64GtS => BrI64GtS / BrI64LeS, I64GtU => BrI64GtU / BrI64LeU,
        I64LeS => BrI64LeS / BrI64GtS, I64LeU => BrI64LeU / BrI64GtU,
        I64GeS => BrI64GeS / BrI64LtS, I64GeU => BrI64GeU / BrI64LtU,
        F32Eq => BrF32Eq / BrF32Ne, F32Ne => BrF32Ne / BrF32Eq,
        F64Eq => BrF64Eq / BrF64Ne, F64Ne => BrF64Ne / BrF64Eq;
        F32Lt => BrF32Lt, F32Gt => BrF32Gt, F32Le => BrF32Le, F32Ge => BrF32Ge,
        F64Lt => BrF64Lt, F64Gt => BrF64Gt, F64Le => BrF64Le, F64Ge => BrF64Ge;
        I32EqI => BrI32EqI / BrI32NeI, I32NeI => BrI32NeI / BrI32EqI,
        I32LtSI => BrI32LtSI / BrI32GeSI, I32LtUI => BrI32LtUI / BrI32GeUI,
        I32GtSI => BrI32GtSI / BrI32LeSI, I32GtUI => BrI32GtUI / BrI32LeUI,
        I32LeSI => BrI32LeSI / BrI32GtSI, I32LeUI => BrI32LeUI / BrI32GtUI,
        I32GeSI => BrI32GeSI / BrI32LtSI, I32GeUI => BrI32GeUI / BrI32LtUI,
        I64EqI => BrI64EqI / BrI64NeI, I64NeI => BrI64NeI / BrI64EqI,
        I64LtSI => BrI64LtSI / BrI64GeSI, I64LtUI => BrI64LtUI / BrI64GeUI,
        I64GtSI => BrI64GtSI / BrI64LeSI, I64GtUI => BrI64GtUI / BrI64LeUI,
        I64LeSI => BrI64LeSI / BrI64GtSI, I64LeUI => BrI64LeUI / BrI64GtUI,
        I64GeSI => BrI64GeSI / BrI64LtSI, I64GeUI => BrI64GeUI / BrI64LtUI,
    }
}

/// Whether `i` is a compare that can be fused into a branch (for at least one polarity).
fn is_fusable(i: &Instr) -> bool {
    fused(*i, true).is_some()
}

/// The result slot of a fusable compare (its `dst`).
fn compare_dst(i: &Instr) -> Option<Slot> {
    let mut dst = None;
    i.for_each_operand(|name, op| {
        if let ("dst", crate::ir::Operand::Slot(s)) = (name, op) {
            dst = Some(s);
        }
    });
    dst
}

impl FuncTranslator<'_> {
    /// Pops a branch condition, taking the just-emitted compare out of the code when
    /// it can be fused into the branch.
    pub(super) fn take_cond(&mut self) -> Cond {
        if self.top_is_fresh() && is_fusable(&self.a.code[self.producer as usize]) {
            let cmp = self.a.code.pop().expect("producer exists");
            self.a.stack.pop();
            self.barrier();
            return Cond::Cmp(cmp);
        }
        Cond::Slot(self.pop())
    }

    /// Emits a conditional branch taken when the condition is `when` (offset unpatched).
    pub(super) fn cond_branch(&mut self, cond: Cond, when: bool) -> u32 {
        let instr = match cond {
            Cond::Slot(s) if when => Instr::BrIfNez {
                cond: s,
                offset: 0,
                gas: 0,
            },
            Cond::Slot(s) => Instr::BrIfEqz {
                cond: s,
                offset: 0,
                gas: 0,
            },
            Cond::Cmp(cmp) => {
                match fused(cmp, when) {
                    Some(branch) => branch,
                    None => {
                        // A float compare branched on when false: put the compare back
                        // (its result temp is still free: nothing was pushed since it
                        // was popped) and branch on its result.
                        let cond = compare_dst(&cmp).expect("a fusable compare has a dst");
                        self.emit(cmp);
                        if when {
                            Instr::BrIfNez {
                                cond,
                                offset: 0,
                                gas: 0,
                            }
                        } else {
                            Instr::BrIfEqz {
                                cond,
                                offset: 0,
                                gas: 0,
                            }
                        }
                    }
                }
            }
        };
        self.emit(instr)
    }

    fn push_frame(&mut self, kind: CtrlKind, params: u32, results: u32, live: bool) {
        let height = if live { self.height() - params } else { 0 };
        self.a.ctrl.push(Ctrl {
            kind,
            height,
            num_params: params,
            num_results: results,
            header: NONE,
            pending: NONE,
            else_branch: NONE,
            live,
            branched_to: false,
            assigned_end: u64::MAX,
            assigned_at_if: self.assigned,
        });
    }

    pub(super) fn visit_unreachable(&mut self) -> R {
        self.emit(Instr::Unreachable {});
        self.set_unreachable();
        Ok(())
    }

    pub(super) fn visit_nop(&mut self) -> R {
        Ok(())
    }

    pub(super) fn visit_block(&mut self, bt: BlockType) -> R {
        let (p, r) = self.block_arity(bt);
        self.check_block_params(p)?;
        if !self.reachable {
            self.push_frame(CtrlKind::Block, p, r, false);
            return Ok(());
        }
        self.materialize_locals();
        self.push_frame(CtrlKind::Block, p, r, true);
        Ok(())
    }

    pub(super) fn visit_loop(&mut self, bt: BlockType) -> R {
        let (p, r) = self.block_arity(bt);
        self.check_block_params(p)?;
        if !self.reachable {
            self.push_frame(CtrlKind::Loop, p, r, false);
            return Ok(());
        }
        self.materialize_locals();
        self.materialize_top(p);
        // The header is a branch target (`known_consts`).
        self.forget_consts();
        self.push_frame(CtrlKind::Loop, p, r, true);
        let header = self.bind_label();
        self.a.ctrl.last_mut().expect("frame").header = header;
        Ok(())
    }

    pub(super) fn visit_if(&mut self, bt: BlockType) -> R {
        let (p, r) = self.block_arity(bt);
        self.check_block_params(p)?;
        if !self.reachable {
            self.push_frame(CtrlKind::If, p, r, false);
            return Ok(());
        }
        let cond = self.take_cond();
        self.materialize_locals();
        self.materialize_top(p);
        let at = self.cond_branch(cond, false);
        self.push_frame(CtrlKind::If, p, r, true);
        self.a.ctrl.last_mut().expect("frame").else_branch = at;
        Ok(())
    }

    pub(super) fn visit_else(&mut self) -> R {
        let f = *self.a.ctrl.last().expect("validated: in if");
        if !f.live {
            self.a.ctrl.last_mut().expect("frame").kind = CtrlKind::Else;
            return Ok(());
        }
        if self.reachable {
            self.pop_consecutive(f.num_results);
            self.jump_to(Instr::Br { offset: 0, gas: 0 }, 0);
        }
        self.truncate(f.height);
        let here = self.bind_label();
        self.patch(f.else_branch, here);
        {
            let fm = self.a.ctrl.last_mut().expect("frame");
            fm.else_branch = NONE;
            fm.kind = CtrlKind::Else;
        }
        // The params were materialized into their own temporaries at `if`, and the
        // else arm is only entered from the `if` itself, so they are still there.
        for _ in 0..f.num_params {
            self.push_temp();
        }
        self.reachable = true;
        // Not after the then arm's code (`known_consts`).
        self.forget_consts();
        // The else arm starts from the `if` (the then arm's end went to `end`'s set
        // with its branch, `add_pending`).
        self.assigned = f.assigned_at_if;
        Ok(())
    }

    pub(super) fn visit_end(&mut self) -> R {
        let f = self.a.ctrl.pop().expect("validated: frame to end");
        if !f.live {
            return Ok(());
        }
        if f.kind == CtrlKind::Func {
            if self.reachable {
                self.emit_return();
            }
            self.set_unreachable();
            return Ok(());
        }
        if self.reachable {
            self.pop_consecutive(f.num_results);
        }
        self.truncate(f.height);
        let end = self.bind_label();
        if f.else_branch != NONE {
            self.patch(f.else_branch, end);
        }
        self.patch_pending(f.pending, end);
        let after = self.reachable || f.branched_to || f.kind == CtrlKind::If;
        for _ in 0..f.num_results {
            self.push_temp();
        }
        self.reachable = after;
        // Only a block's end that no branch reaches is entered by falling through alone
        // (`known_consts`); a loop's branches go to its header.
        if f.branched_to || matches!(f.kind, CtrlKind::If | CtrlKind::Else) {
            self.forget_consts();
        }
        // Definite assignment after the end: the fall-through (all bits if there is
        // none), the branches to the end, and an `if`'s false path when it has no else.
        let false_path = if f.kind == CtrlKind::If {
            f.assigned_at_if
        } else {
            u64::MAX
        };
        self.assigned &= f.assigned_end & false_path;
        self.barrier();
        Ok(())
    }

    /// Emits the copies moving the top `label_arity` values to frame `depth`'s slots.
    fn branch_copies(&mut self, f: &Ctrl) {
        let k = f.label_arity();
        let h = self.height();
        if k >= SPAN_MIN {
            // `materialize_carried` ran first: the values are temporaries at their own
            // positions, one move for all (the label is an enclosing frame: `dst <= src`).
            self.emit(Instr::CopySpan {
                dst: Self::temp(f.height),
                src: Self::temp(h - k),
                len: k,
            });
            return;
        }
        for i in 0..k {
            let pos = h - k + i;
            let dst = f.height + i;
            if !(pos == dst && self.a.stack[pos as usize] == Entry::Temp) {
                self.emit_copy_of(Self::temp(dst), pos);
            }
        }
    }

    /// A block type's params are a loop's label arity: bounded like results
    /// (`Limits::max_results`, which the type section already checked for results).
    fn check_block_params(&self, params: u32) -> R {
        let max = self.m.limits.max_results;
        if params > max {
            return Err(Error::limit(
                "max_results",
                u64::from(params),
                u64::from(max),
                None,
            ));
        }
        Ok(())
    }

    /// Before a branch carrying `k >= SPAN_MIN` values: turns the top `k` entries into
    /// temporaries at their own positions (copying each local or constant once), so the
    /// branch moves them with one `copy_span` instead of `k` copies, and a later branch
    /// carrying the same values (`br_if` keeps them) copies nothing more. This keeps the
    /// IR a branch emits bounded, whatever the arity. Emitted before the branch
    /// instruction, on the path both directions share.
    fn materialize_carried(&mut self, k: u32) {
        if k >= SPAN_MIN {
            self.materialize_locals();
            self.materialize_top(k);
        }
    }

    fn needs_copies(&self, f: &Ctrl) -> bool {
        let k = f.label_arity();
        let h = self.height();
        (0..k).any(|i| {
            let pos = h - k + i;
            !(pos == f.height + i && self.a.stack[pos as usize] == Entry::Temp)
        })
    }

    /// Emits a return of the function's results from the stack top (popping them).
    pub(super) fn emit_return(&mut self) {
        let k = self.num_results;
        match k {
            0 => {
                self.emit(Instr::ReturnNone {});
            }
            1 => {
                let src = self.pop();
                self.emit(Instr::ReturnOne { src });
            }
            _ => {
                let values = self.pop_consecutive(k);
                self.emit(Instr::Return { values, count: k });
            }
        }
    }

    /// Emits a return of the top results without changing the stack (for `br_if`).
    fn emit_return_keep(&mut self) {
        let k = self.num_results;
        let h = self.height();
        match k {
            0 => {
                self.emit(Instr::ReturnNone {});
            }
            1 => {
                let src = self.slot_at(h - 1);
                self.emit(Instr::ReturnOne { src });
            }
            _ => {
                // With `k >= SPAN_MIN`, `materialize_carried` made them temporaries.
                let in_place = (h - k..h).all(|p| self.a.stack[p as usize] == Entry::Temp);
                let values = if in_place {
                    Self::temp(h - k)
                } else {
                    // Copy to fresh temporaries above the stack (entries stay untouched).
                    for i in 0..k {
                        self.emit_copy_of(Self::temp(h + i), h - k + i);
                    }
                    self.max_height = self.max_height.max(h + k);
                    Self::temp(h)
                };
                self.emit(Instr::Return { values, count: k });
            }
        }
    }

    pub(super) fn visit_br(&mut self, depth: u32) -> R {
        let f = self.frame(depth);
        if f.kind == CtrlKind::Func {
            self.emit_return();
        } else {
            self.materialize_carried(f.label_arity());
            self.branch_copies(&f);
            self.jump_to(Instr::Br { offset: 0, gas: 0 }, depth);
        }
        self.set_unreachable();
        Ok(())
    }

    pub(super) fn visit_br_if(&mut self, depth: u32) -> R {
        let cond = self.take_cond();
        let f = self.frame(depth);
        // Both paths continue with the entries as materialized here: before the branch.
        // (The condition was popped: its slot is above the carried values, or a local,
        // and a fused compare reads only operands above them; copies below leave both.)
        // The function's frame carries its results (`label_arity`).
        self.materialize_carried(f.label_arity());
        if f.kind == CtrlKind::Func {
            let skip = self.cond_branch(cond, false);
            self.emit_return_keep();
            let here = self.pc();
            self.patch(skip, here);
        } else if !self.needs_copies(&f) {
            let at = self.cond_branch(cond, true);
            if f.kind == CtrlKind::Loop {
                self.patch(at, f.header);
            } else {
                self.add_pending(at, depth);
            }
        } else {
            let skip = self.cond_branch(cond, false);
            self.branch_copies(&f);
            self.jump_to(Instr::Br { offset: 0, gas: 0 }, depth);
            let here = self.pc();
            self.patch(skip, here);
        }
        Ok(())
    }

    pub(super) fn visit_br_table(&mut self, targets: BrTable<'_>) -> R {
        let index = self.pop();
        let default = targets.default();
        let k = self.frame(default).label_arity();
        let s = self.height() - k;
        if k > 0 {
            self.pop_consecutive(k);
        }
        let n = targets.len();
        self.emit(Instr::BrTable { index, len: n });
        let mut tramp = core::mem::take(&mut self.a.scratch);
        tramp.clear();
        let all = targets.targets().chain(core::iter::once(Ok(default)));
        for t in all {
            let t = t.map_err(Error::from_wasmparser)?;
            let f = self.frame(t);
            if f.kind == CtrlKind::Func || (k > 0 && f.height != s) {
                let at = self.emit(Instr::Br { offset: 0, gas: 0 });
                tramp.push((at, t));
            } else {
                self.jump_to(Instr::Br { offset: 0, gas: 0 }, t);
            }
        }
        // Trampolines: move the carried values (already consecutive at `s`), then jump.
        for &(at, t) in &tramp {
            let here = self.pc();
            self.patch(at, here);
            let f = self.frame(t);
            if f.kind == CtrlKind::Func {
                match k {
                    0 => self.emit(Instr::ReturnNone {}),
                    1 => self.emit(Instr::ReturnOne { src: Self::temp(s) }),
                    _ => self.emit(Instr::Return {
                        values: Self::temp(s),
                        count: k,
                    }),
                };
            } else {
                self.emit(Instr::CopySpan {
                    dst: Self::temp(f.height),
                    src: Self::temp(s),
                    len: k,
                });
                self.jump_to(Instr::Br { offset: 0, gas: 0 }, t);
            }
        }
        tramp.clear();
        self.a.scratch = tramp;
        self.set_unreachable();
        Ok(())
    }

    pub(super) fn visit_return(&mut self) -> R {
        self.emit_return();
        self.set_unreachable();
        Ok(())
    }
}
