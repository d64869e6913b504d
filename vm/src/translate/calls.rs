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
        let func = function_index;
        self.emit(if function_index < self.m.num_imported_funcs {
            Instr::CallImport { func, args }
        } else {
            Instr::Call { func, args }
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
        // The instruction carries both as `u16`. A function type has at most 1000
        // parameters (validated); a table index past `u16` needs a configured
        // `Limits::max_tables` above 65536 and is refused here.
        const MAX: u64 = u16::MAX as u64 + 1;
        let Ok(table) = u16::try_from(table_index) else {
            return Err(Error::limit(
                "max_tables",
                u64::from(table_index) + 1,
                MAX,
                None,
            ));
        };
        let Ok(params) = u16::try_from(p) else {
            return Err(Error::limit("params", u64::from(p), MAX - 1, None));
        };
        let args = self.pop_consecutive(p + 1);
        self.emit(Instr::CallIndirect {
            type_index,
            table,
            params,
            args,
        });
        for _ in 0..r {
            self.push_temp();
        }
        self.barrier();
        Ok(())
    }
}
