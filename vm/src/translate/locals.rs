//! Locals, globals and parametric operators (`drop`, `select`).
//!
//! `local.get` pushes a local ref (no instruction). `local.set` first copies out the
//! stack entries still referring to the local (its chain), then either retargets the
//! instruction that just produced the value to write the local directly, or copies.

use wasmparser::ValType as WpValType;

use super::func::{Entry, FuncTranslator};
use crate::ir::{Instr, Slot};
use crate::Error;

type R = Result<(), Error>;

impl FuncTranslator<'_> {
    pub(super) fn visit_local_get(&mut self, local_index: u32) -> R {
        self.push_local(local_index);
        Ok(())
    }

    pub(super) fn visit_local_set(&mut self, local_index: u32) -> R {
        self.local_written(local_index);
        if let Entry::Local { index, .. } = self.top() {
            if index == local_index {
                // The local keeps its value (and any constant known for it).
                self.pop();
                return Ok(());
            }
        }
        if let Entry::Const(k) = self.top() {
            let bits = self.a.consts[k as usize];
            if self.known_const(local_index) == Some(bits) {
                // The local already holds this constant on every path here
                // (`known_consts`): nothing to write, no pending read to save.
                self.pop_entry();
                return Ok(());
            }
            // A `const` into the local: the constant need not be in the frame.
            let top = self.height() - 1;
            self.preserve_local(local_index);
            self.emit_copy_of(Slot(local_index), top);
            self.pop_entry();
            self.set_known_const(local_index, bits);
            self.barrier();
            return Ok(());
        }
        self.forget_local(local_index);
        if self.top_is_fresh() {
            self.pop();
            // The producer writes the local itself. Reads of the local still pending on
            // the stack are saved first: their copies go in front of the producer (it
            // is the last instruction), which reads only operands above them on the
            // stack (other temporaries) or the local's old value, as before.
            let mut producer = self
                .a
                .code
                .pop()
                .expect("the producer is the last instruction");
            self.preserve_local(local_index);
            // Every producer's first slot operand is its `dst`.
            let mut first = true;
            producer.for_each_slot_mut(|s| {
                if first {
                    *s = Slot(local_index);
                    first = false;
                }
            });
            self.a.code.push(producer);
            self.barrier();
            return Ok(());
        }
        let src = self.pop();
        self.preserve_local(local_index);
        self.emit(Instr::Copy {
            dst: Slot(local_index),
            src,
        });
        self.barrier();
        Ok(())
    }

    pub(super) fn visit_local_tee(&mut self, local_index: u32) -> R {
        self.visit_local_set(local_index)?;
        self.push_local(local_index);
        Ok(())
    }

    pub(super) fn visit_global_get(&mut self, global_index: u32) -> R {
        let dst = self.push_temp();
        self.emit_producer(Instr::GlobalGet {
            dst,
            global: global_index,
        });
        Ok(())
    }

    pub(super) fn visit_global_set(&mut self, global_index: u32) -> R {
        if self.fuse_global_set(global_index) {
            return Ok(());
        }
        let src = self.pop();
        self.emit(Instr::GlobalSet {
            global: global_index,
            src,
        });
        Ok(())
    }

    /// Fuses `global.set g` into the instruction that computed its value, when that is
    /// the last instruction emitted and no label lies in between (`label_pc`):
    /// - `global.get.i32.sub` of the same global, whose `dst` is the value set (the
    ///   temp it just wrote, or the local a `local.tee` retargeted it to):
    ///   `global.get.i32.sub.set` (the whole shadow-stack prologue, one instruction);
    /// - `i32.add` of a constant (`i32.add.imm`) into the temp being set (nothing else
    ///   reads that temp): `global.set.i32.add` (the epilogue).
    ///
    /// Returns whether it fused (the value is popped then).
    fn fuse_global_set(&mut self, global: u32) -> bool {
        let Some(&top) = self.a.stack.last() else {
            return false;
        };
        let Some(last) = self.pc().checked_sub(1) else {
            return false;
        };
        // A label bound after `last` (a block's end a branch reaches, a loop header):
        // fusing would move the `global.set` before it, and a branch to the label would
        // skip it.
        if self.label_pc == self.pc() {
            return false;
        }
        let fresh = self.top_is_fresh();
        let fused = match (top, self.a.code[last as usize]) {
            (
                Entry::Local { index, .. },
                Instr::GlobalGetI32Sub {
                    dst,
                    global: g,
                    imm,
                },
            ) if g == global && dst == Slot(index) => {
                Instr::GlobalGetI32SubSet { dst, global, imm }
            }
            (
                Entry::Temp,
                Instr::GlobalGetI32Sub {
                    dst,
                    global: g,
                    imm,
                },
            ) if fresh && g == global => Instr::GlobalGetI32SubSet { dst, global, imm },
            (Entry::Temp, Instr::I32AddI { lhs, imm, .. }) if fresh => {
                Instr::GlobalSetI32Add { global, lhs, imm }
            }
            _ => return false,
        };
        self.pop();
        self.a.code[last as usize] = fused;
        self.barrier();
        true
    }

    pub(super) fn visit_drop(&mut self) -> R {
        self.pop_entry();
        Ok(())
    }

    pub(super) fn visit_select(&mut self) -> R {
        let cond = self.pop();
        let if_false = self.pop();
        let if_true = self.pop();
        let dst = self.push_temp();
        self.emit(Instr::Select { dst, cond, if_true });
        self.emit(Instr::Arg { slot: if_false });
        self.barrier();
        Ok(())
    }

    pub(super) fn visit_typed_select(&mut self, _ty: WpValType) -> R {
        self.visit_select()
    }

    pub(super) fn visit_typed_select_multi(&mut self, tys: Vec<WpValType>) -> R {
        if tys.len() != 1 {
            return Err(Error::unsupported("multi-value select", 0));
        }
        self.visit_select()
    }
}
