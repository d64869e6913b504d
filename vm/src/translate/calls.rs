//! Calls: arguments are placed in consecutive temporaries, the callee's frame starts at
//! the first argument, and results come back in the same slots.

use super::func::FuncTranslator;
use crate::ir::Instr;
use crate::Error;

type R = Result<(), Error>;

impl FuncTranslator<'_> {
    fn call_arity(&self, type_index: u32) -> (u32, u32) {
        let ty = &self.m.types[type_index as usize];
        (ty.params().len() as u32, ty.results().len() as u32)
    }

    pub(super) fn visit_call(&mut self, function_index: u32) -> R {
        let ty = self.m.func_types[function_index as usize];
        let (p, r) = self.call_arity(ty);
        let args = self.pop_consecutive(p);
        self.emit(Instr::Call {
            func: function_index,
            args,
        });
        for _ in 0..r {
            self.push_temp();
        }
        self.barrier();
        Ok(())
    }

    pub(super) fn visit_call_indirect(&mut self, type_index: u32, table_index: u32) -> R {
        let (p, r) = self.call_arity(type_index);
        // Arguments then the table index, consecutive: index at `args + p`.
        let args = self.pop_consecutive(p + 1);
        self.emit(Instr::CallIndirect {
            type_index,
            table: table_index,
            args,
        });
        for _ in 0..r {
            self.push_temp();
        }
        self.barrier();
        Ok(())
    }
}
