//! Table and reference operators.

use wasmparser::HeapType;

use super::func::FuncTranslator;
use crate::ir::Instr;
use crate::Error;

type R = Result<(), Error>;

impl FuncTranslator<'_> {
    pub(super) fn visit_ref_null(&mut self, _hty: HeapType) -> R {
        // Null references are the constant u64::MAX (see docs/ir.md).
        self.push_const(u64::MAX);
        Ok(())
    }

    pub(super) fn visit_ref_func(&mut self, function_index: u32) -> R {
        let dst = self.push_temp();
        self.emit_producer(Instr::RefFunc {
            dst,
            func: function_index,
        });
        Ok(())
    }

    pub(super) fn visit_table_get(&mut self, table: u32) -> R {
        let index = self.pop();
        let dst = self.push_temp();
        self.emit_producer(Instr::TableGet { table, dst, index });
        Ok(())
    }

    pub(super) fn visit_table_set(&mut self, table: u32) -> R {
        let value = self.pop();
        let index = self.pop();
        self.emit(Instr::TableSet {
            table,
            index,
            value,
        });
        Ok(())
    }

    pub(super) fn visit_table_size(&mut self, table: u32) -> R {
        let dst = self.push_temp();
        self.emit_producer(Instr::TableSize { table, dst });
        Ok(())
    }

    pub(super) fn visit_table_grow(&mut self, table: u32) -> R {
        let args = self.pop_consecutive(2);
        self.push_temp();
        self.emit(Instr::TableGrow { table, args });
        self.barrier();
        Ok(())
    }

    pub(super) fn visit_table_fill(&mut self, table: u32) -> R {
        let args = self.pop_consecutive(3);
        self.emit(Instr::TableFill { table, args });
        Ok(())
    }

    pub(super) fn visit_table_copy(&mut self, dst_table: u32, src_table: u32) -> R {
        let args = self.pop_consecutive(3);
        self.emit(Instr::TableCopy {
            dst_table,
            src_table,
            args,
        });
        Ok(())
    }

    pub(super) fn visit_table_init(&mut self, elem_index: u32, table: u32) -> R {
        let args = self.pop_consecutive(3);
        self.emit(Instr::TableInit {
            elem: elem_index,
            table,
            args,
        });
        Ok(())
    }

    pub(super) fn visit_elem_drop(&mut self, elem_index: u32) -> R {
        self.emit(Instr::ElemDrop { elem: elem_index });
        Ok(())
    }
}
