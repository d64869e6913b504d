//! Memory operators: loads, stores, `memory.size`/`grow` and bulk memory.

use wasmparser::MemArg;

use super::func::{imm_of, Entry, FuncTranslator};
use crate::ir::{Instr, Slot};
use crate::Error;

type R = Result<(), Error>;

/// The memarg offset as u32 (32-bit memories only; memory64 is rejected earlier).
fn offset_of(m: &MemArg) -> Result<u32, Error> {
    u32::try_from(m.offset).map_err(|_| Error::unsupported("memory64", 0))
}

impl FuncTranslator<'_> {
    fn load(&mut self, m: MemArg, make: fn(Slot, Slot, u32) -> Instr) -> R {
        let offset = offset_of(&m)?;
        let ptr = self.pop();
        let dst = self.push_temp();
        self.emit_producer(make(dst, ptr, offset));
        Ok(())
    }

    /// A store; of a constant that fits (`imm_form`, `wide`: an 8-byte store, whose
    /// immediate is sign-extended), the immediate form, so the constant need not be in
    /// the frame.
    #[inline(always)] // per operator, as `binary_imm`
    fn store(
        &mut self,
        m: MemArg,
        make: fn(Slot, Slot, u32) -> Instr,
        imm_form: fn(Slot, u32, u32) -> Instr,
        wide: bool,
    ) -> R {
        let offset = offset_of(&m)?;
        // A narrower store keeps the low bytes of its value: any constant's low 32 bits.
        let imm = match self.top() {
            Entry::Const(k) if !wide => Some(self.a.consts[k as usize] as u32),
            Entry::Const(k) => imm_of(self.a.consts[k as usize], true),
            _ => None,
        };
        if let Some(imm) = imm {
            self.pop_entry();
            let ptr = self.pop();
            self.emit(imm_form(ptr, imm, offset));
            return Ok(());
        }
        let value = self.pop();
        let ptr = self.pop();
        self.emit(make(ptr, value, offset));
        Ok(())
    }

    pub(super) fn visit_memory_size(&mut self, _mem: u32) -> R {
        let dst = self.push_temp();
        self.emit_producer(Instr::MemorySize { dst });
        Ok(())
    }

    pub(super) fn visit_memory_grow(&mut self, _mem: u32) -> R {
        let delta = self.pop();
        let dst = self.push_temp();
        self.emit_producer(Instr::MemoryGrow { dst, delta });
        Ok(())
    }

    pub(super) fn visit_memory_fill(&mut self, _mem: u32) -> R {
        let len = self.pop();
        let value = self.pop();
        let dst = self.pop();
        self.emit(Instr::MemoryFill { dst, value, len });
        Ok(())
    }

    pub(super) fn visit_memory_copy(&mut self, _dst_mem: u32, _src_mem: u32) -> R {
        let len = self.pop();
        let src = self.pop();
        let dst = self.pop();
        self.emit(Instr::MemoryCopy { dst, src, len });
        Ok(())
    }

    pub(super) fn visit_memory_init(&mut self, data_index: u32, _mem: u32) -> R {
        let args = self.pop_consecutive(3);
        self.emit(Instr::MemoryInit {
            data: data_index,
            args,
        });
        Ok(())
    }

    pub(super) fn visit_data_drop(&mut self, data_index: u32) -> R {
        self.emit(Instr::DataDrop { data: data_index });
        Ok(())
    }
}

macro_rules! loads {
    ($($visit:ident => $instr:ident),* $(,)?) => {
        impl FuncTranslator<'_> {
            $( pub(super) fn $visit(&mut self, memarg: MemArg) -> R {
                self.load(memarg, |dst, ptr, offset| Instr::$instr { dst, ptr, offset })
            } )*
        }
    };
}

macro_rules! stores {
    ($($visit:ident => $instr:ident, $imm:ident, $wide:literal),* $(,)?) => {
        impl FuncTranslator<'_> {
            $( pub(super) fn $visit(&mut self, memarg: MemArg) -> R {
                self.store(
                    memarg,
                    |ptr, value, offset| Instr::$instr { ptr, value, offset },
                    |ptr, imm, offset| Instr::$imm { ptr, imm, offset },
                    $wide,
                )
            } )*
        }
    };
}

loads! {
    visit_i32_load => I32Load, visit_i64_load => I64Load,
    visit_f32_load => F32Load, visit_f64_load => F64Load,
    visit_i32_load8_s => I32Load8S, visit_i32_load8_u => I32Load8U,
    visit_i32_load16_s => I32Load16S, visit_i32_load16_u => I32Load16U,
    visit_i64_load8_s => I64Load8S, visit_i64_load8_u => I64Load8U,
    visit_i64_load16_s => I64Load16S, visit_i64_load16_u => I64Load16U,
    visit_i64_load32_s => I64Load32S, visit_i64_load32_u => I64Load32U,
}

stores! {
    visit_i32_store => I32Store, I32StoreI, false,
    visit_i64_store => I64Store, I64StoreI, true,
    visit_f32_store => F32Store, F32StoreI, false,
    visit_f64_store => F64Store, F64StoreI, true,
    visit_i32_store8 => I32Store8, I32Store8I, false,
    visit_i32_store16 => I32Store16, I32Store16I, false,
    visit_i64_store8 => I64Store8, I64Store8I, false,
    visit_i64_store16 => I64Store16, I64Store16I, false,
    visit_i64_store32 => I64Store32, I64Store32I, false,
}
