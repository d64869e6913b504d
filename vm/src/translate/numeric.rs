//! Numeric operators: constants, unary and binary arithmetic, comparisons, conversions.
//!
//! Constants are interned in the frame's constant pool and used in place; an integer
//! operation whose right operand (or, when it commutes or mirrors, its left) is a
//! constant that fits 32 bits takes it as an immediate (`[binary_imm]` in `ir.rs`), so
//! that constant need not be in the frame. Reinterpret casts emit nothing (slots hold
//! raw bits; i32/f32 zero-extended).

use wasmparser::{Ieee32, Ieee64};

use super::func::{imm_of, Entry, FuncTranslator, NONE};
use crate::ir::{Instr, Slot};
use crate::Error;

type R = Result<(), Error>;

impl FuncTranslator<'_> {
    #[inline(always)] // per operator: a call per binary operator is measurable in compile time
    fn binary(&mut self, make: fn(Slot, Slot, Slot) -> Instr) -> R {
        let rhs = self.pop();
        let lhs = self.pop();
        let dst = self.push_temp();
        self.emit_producer(make(dst, lhs, rhs));
        Ok(())
    }

    /// `i32.sub`, or `global.get g; i32.const c; i32.sub` as one `global.get.i32.sub`
    /// (the first half of a compiled Rust function's shadow-stack prologue) when the
    /// left operand is the temp the last instruction (a `global.get`) wrote and the
    /// right one a constant (an immediate, so nothing ran in between). The `global.get`
    /// is rewritten in place to produce the difference into the same temp (the only
    /// reader of its value was this `i32.sub`) and stays the producer (a `local.tee` may
    /// retarget it).
    pub(super) fn visit_i32_sub(&mut self) -> R {
        let h = self.height() as usize;
        let fusable = h >= 2
            && self.producer != NONE
            && self.producer + 1 == self.pc()
            && self.producer_pos as usize + 2 == h
            && self.a.stack[h - 2] == Entry::Temp;
        let at = self.producer as usize;
        let imm = if fusable {
            self.const_imm(h as u32 - 1, false)
        } else {
            None
        };
        match (self.a.code.get(at), imm) {
            (Some(&Instr::GlobalGet { global, .. }), Some(imm)) => {
                self.pop_entry();
                self.pop();
                let dst = self.push_temp();
                self.a.code[at] = Instr::GlobalGetI32Sub { dst, global, imm };
                self.producer_pos = self.height() - 1;
                Ok(())
            }
            _ => self.sub_imm(
                |dst, lhs, rhs| Instr::I32Sub { dst, lhs, rhs },
                |dst, lhs, imm| Instr::I32AddI { dst, lhs, imm },
                false,
            ),
        }
    }

    /// A binary integer operation, in its immediate form `imm_form` when the right
    /// operand is a constant that fits (`FuncTranslator::const_imm`), or in `mirror`
    /// (the same result with the operands swapped: the operation itself when it
    /// commutes, `gt` for `lt`, ...) when the left one is; `make` otherwise.
    #[inline(always)] // per operator: a call per binary operator is measurable in compile time
    fn binary_imm(
        &mut self,
        make: fn(Slot, Slot, Slot) -> Instr,
        imm_form: fn(Slot, Slot, u32) -> Instr,
        mirror: Option<fn(Slot, Slot, u32) -> Instr>,
        wide: bool,
    ) -> R {
        let h = self.height();
        if let Some(imm) = self.const_imm(h - 1, wide) {
            return self.with_imm_rhs(imm_form, imm);
        }
        if let (Some(mirror), Some(imm)) = (mirror, self.const_imm(h - 2, wide)) {
            let rhs = self.pop();
            self.pop_entry();
            let dst = self.push_temp();
            self.emit_producer(mirror(dst, rhs, imm));
            return Ok(());
        }
        self.binary(make)
    }

    /// `sub` with a constant right operand `c` as an `add` of the immediate `-c`
    /// (wrapping: the same result), when `-c` fits; `make` otherwise.
    #[inline(always)] // per operator: a call per binary operator is measurable in compile time
    fn sub_imm(
        &mut self,
        make: fn(Slot, Slot, Slot) -> Instr,
        add_imm: fn(Slot, Slot, u32) -> Instr,
        wide: bool,
    ) -> R {
        let top = self.height() - 1;
        if let Entry::Const(k) = self.a.stack[top as usize] {
            let bits = self.a.consts[k as usize];
            let neg = if wide {
                bits.wrapping_neg()
            } else {
                u64::from((bits as u32).wrapping_neg())
            };
            if let Some(imm) = imm_of(neg, wide) {
                return self.with_imm_rhs(add_imm, imm);
            }
        }
        self.binary(make)
    }

    /// Emits `form(dst, lhs, imm)` for the two top entries, the right one the constant
    /// `imm` stands for (popped without a slot: it need not be in the frame).
    #[inline(always)] // per operator, as `binary_imm`
    fn with_imm_rhs(&mut self, form: fn(Slot, Slot, u32) -> Instr, imm: u32) -> R {
        self.pop_entry();
        let lhs = self.pop();
        let dst = self.push_temp();
        self.emit_producer(form(dst, lhs, imm));
        Ok(())
    }

    pub(super) fn visit_i64_sub(&mut self) -> R {
        self.sub_imm(
            |dst, lhs, rhs| Instr::I64Sub { dst, lhs, rhs },
            |dst, lhs, imm| Instr::I64AddI { dst, lhs, imm },
            true,
        )
    }

    fn unary(&mut self, make: fn(Slot, Slot) -> Instr) -> R {
        let src = self.pop();
        let dst = self.push_temp();
        self.emit_producer(make(dst, src));
        Ok(())
    }

    pub(super) fn visit_i32_const(&mut self, value: i32) -> R {
        self.push_const(u64::from(value as u32));
        Ok(())
    }

    pub(super) fn visit_i64_const(&mut self, value: i64) -> R {
        self.push_const(value as u64);
        Ok(())
    }

    pub(super) fn visit_f32_const(&mut self, value: Ieee32) -> R {
        self.push_const(u64::from(value.bits()));
        Ok(())
    }

    pub(super) fn visit_f64_const(&mut self, value: Ieee64) -> R {
        self.push_const(value.bits());
        Ok(())
    }

    /// Bit-preserving casts: the slot already holds the right bits.
    fn nop_cast(&mut self) -> R {
        Ok(())
    }

    pub(super) fn visit_i32_reinterpret_f32(&mut self) -> R {
        self.nop_cast()
    }
    pub(super) fn visit_i64_reinterpret_f64(&mut self) -> R {
        self.nop_cast()
    }
    pub(super) fn visit_f32_reinterpret_i32(&mut self) -> R {
        self.nop_cast()
    }
    pub(super) fn visit_f64_reinterpret_i64(&mut self) -> R {
        self.nop_cast()
    }
}

macro_rules! binary_ops {
    ($($visit:ident => $instr:ident),* $(,)?) => {
        impl FuncTranslator<'_> {
            $(
                pub(super) fn $visit(&mut self) -> R {
                    self.binary(|dst, lhs, rhs| Instr::$instr { dst, lhs, rhs })
                }
            )*
        }
    };
}

/// Integer operations with immediate forms: `visit => Instr, ImmForm, mirror, wide`
/// (`mirror`: the immediate form computing the same with the operands swapped, or
/// `none`; `wide`: an i64 operation).
macro_rules! imm_ops {
    ($($visit:ident => $instr:ident, $imm:ident, $mirror:tt, $wide:literal),* $(,)?) => {
        impl FuncTranslator<'_> {
            $(
                pub(super) fn $visit(&mut self) -> R {
                    self.binary_imm(
                        |dst, lhs, rhs| Instr::$instr { dst, lhs, rhs },
                        |dst, lhs, imm| Instr::$imm { dst, lhs, imm },
                        imm_ops!(@mirror $mirror),
                        $wide,
                    )
                }
            )*
        }
    };
    (@mirror none) => { None };
    (@mirror $m:ident) => { Some(|dst, lhs, imm| Instr::$m { dst, lhs, imm }) };
}

macro_rules! unary_ops {
    ($($visit:ident => $instr:ident),* $(,)?) => {
        impl FuncTranslator<'_> {
            $(
                pub(super) fn $visit(&mut self) -> R {
                    self.unary(|dst, src| Instr::$instr { dst, src })
                }
            )*
        }
    };
}

imm_ops! {
    visit_i32_add => I32Add, I32AddI, I32AddI, false,
    visit_i32_mul => I32Mul, I32MulI, I32MulI, false,
    visit_i32_and => I32And, I32AndI, I32AndI, false,
    visit_i32_or => I32Or, I32OrI, I32OrI, false,
    visit_i32_xor => I32Xor, I32XorI, I32XorI, false,
    visit_i32_shl => I32Shl, I32ShlI, none, false,
    visit_i32_shr_s => I32ShrS, I32ShrSI, none, false,
    visit_i32_shr_u => I32ShrU, I32ShrUI, none, false,
    visit_i32_rotl => I32Rotl, I32RotlI, none, false,
    visit_i32_rotr => I32Rotr, I32RotrI, none, false,
    visit_i32_eq => I32Eq, I32EqI, I32EqI, false,
    visit_i32_ne => I32Ne, I32NeI, I32NeI, false,
    visit_i32_lt_s => I32LtS, I32LtSI, I32GtSI, false,
    visit_i32_lt_u => I32LtU, I32LtUI, I32GtUI, false,
    visit_i32_gt_s => I32GtS, I32GtSI, I32LtSI, false,
    visit_i32_gt_u => I32GtU, I32GtUI, I32LtUI, false,
    visit_i32_le_s => I32LeS, I32LeSI, I32GeSI, false,
    visit_i32_le_u => I32LeU, I32LeUI, I32GeUI, false,
    visit_i32_ge_s => I32GeS, I32GeSI, I32LeSI, false,
    visit_i32_ge_u => I32GeU, I32GeUI, I32LeUI, false,
    visit_i64_add => I64Add, I64AddI, I64AddI, true,
    visit_i64_mul => I64Mul, I64MulI, I64MulI, true,
    visit_i64_and => I64And, I64AndI, I64AndI, true,
    visit_i64_or => I64Or, I64OrI, I64OrI, true,
    visit_i64_xor => I64Xor, I64XorI, I64XorI, true,
    visit_i64_shl => I64Shl, I64ShlI, none, true,
    visit_i64_shr_s => I64ShrS, I64ShrSI, none, true,
    visit_i64_shr_u => I64ShrU, I64ShrUI, none, true,
    visit_i64_rotl => I64Rotl, I64RotlI, none, true,
    visit_i64_rotr => I64Rotr, I64RotrI, none, true,
    visit_i64_eq => I64Eq, I64EqI, I64EqI, true,
    visit_i64_ne => I64Ne, I64NeI, I64NeI, true,
    visit_i64_lt_s => I64LtS, I64LtSI, I64GtSI, true,
    visit_i64_lt_u => I64LtU, I64LtUI, I64GtUI, true,
    visit_i64_gt_s => I64GtS, I64GtSI, I64LtSI, true,
    visit_i64_gt_u => I64GtU, I64GtUI, I64LtUI, true,
    visit_i64_le_s => I64LeS, I64LeSI, I64GeSI, true,
    visit_i64_le_u => I64LeU, I64LeUI, I64GeUI, true,
    visit_i64_ge_s => I64GeS, I64GeSI, I64LeSI, true,
    visit_i64_ge_u => I64GeU, I64GeUI, I64LeUI, true,
}

binary_ops! {
    visit_i32_div_s => I32DivS, visit_i32_div_u => I32DivU,
    visit_i32_rem_s => I32RemS, visit_i32_rem_u => I32RemU,
    visit_i64_div_s => I64DivS, visit_i64_div_u => I64DivU,
    visit_i64_rem_s => I64RemS, visit_i64_rem_u => I64RemU,
    visit_f32_add => F32Add, visit_f32_sub => F32Sub, visit_f32_mul => F32Mul,
    visit_f32_div => F32Div, visit_f32_min => F32Min, visit_f32_max => F32Max,
    visit_f32_copysign => F32Copysign,
    visit_f32_eq => F32Eq, visit_f32_ne => F32Ne, visit_f32_lt => F32Lt,
    visit_f32_gt => F32Gt, visit_f32_le => F32Le, visit_f32_ge => F32Ge,
    visit_f64_add => F64Add, visit_f64_sub => F64Sub, visit_f64_mul => F64Mul,
    visit_f64_div => F64Div, visit_f64_min => F64Min, visit_f64_max => F64Max,
    visit_f64_copysign => F64Copysign,
    visit_f64_eq => F64Eq, visit_f64_ne => F64Ne, visit_f64_lt => F64Lt,
    visit_f64_gt => F64Gt, visit_f64_le => F64Le, visit_f64_ge => F64Ge,
}

unary_ops! {
    visit_i32_eqz => I32Eqz, visit_i32_clz => I32Clz, visit_i32_ctz => I32Ctz,
    visit_i32_popcnt => I32Popcnt,
    visit_i32_extend8_s => I32Extend8S, visit_i32_extend16_s => I32Extend16S,
    visit_i64_eqz => I64Eqz, visit_i64_clz => I64Clz, visit_i64_ctz => I64Ctz,
    visit_i64_popcnt => I64Popcnt,
    visit_i64_extend8_s => I64Extend8S, visit_i64_extend16_s => I64Extend16S,
    visit_i64_extend32_s => I64Extend32S,
    visit_f32_abs => F32Abs, visit_f32_neg => F32Neg, visit_f32_ceil => F32Ceil,
    visit_f32_floor => F32Floor, visit_f32_trunc => F32Trunc,
    visit_f32_nearest => F32Nearest, visit_f32_sqrt => F32Sqrt,
    visit_f64_abs => F64Abs, visit_f64_neg => F64Neg, visit_f64_ceil => F64Ceil,
    visit_f64_floor => F64Floor, visit_f64_trunc => F64Trunc,
    visit_f64_nearest => F64Nearest, visit_f64_sqrt => F64Sqrt,
    visit_i32_wrap_i64 => I32WrapI64,
    visit_i32_trunc_f32_s => I32TruncF32S, visit_i32_trunc_f32_u => I32TruncF32U,
    visit_i32_trunc_f64_s => I32TruncF64S, visit_i32_trunc_f64_u => I32TruncF64U,
    visit_i64_extend_i32_s => I64ExtendI32S, visit_i64_extend_i32_u => I64ExtendI32U,
    visit_i64_trunc_f32_s => I64TruncF32S, visit_i64_trunc_f32_u => I64TruncF32U,
    visit_i64_trunc_f64_s => I64TruncF64S, visit_i64_trunc_f64_u => I64TruncF64U,
    visit_f32_convert_i32_s => F32ConvertI32S, visit_f32_convert_i32_u => F32ConvertI32U,
    visit_f32_convert_i64_s => F32ConvertI64S, visit_f32_convert_i64_u => F32ConvertI64U,
    visit_f32_demote_f64 => F32DemoteF64,
    visit_f64_convert_i32_s => F64ConvertI32S, visit_f64_convert_i32_u => F64ConvertI32U,
    visit_f64_convert_i64_s => F64ConvertI64S, visit_f64_convert_i64_u => F64ConvertI64U,
    visit_f64_promote_f32 => F64PromoteF32,
    visit_i32_trunc_sat_f32_s => I32TruncSatF32S, visit_i32_trunc_sat_f32_u => I32TruncSatF32U,
    visit_i32_trunc_sat_f64_s => I32TruncSatF64S, visit_i32_trunc_sat_f64_u => I32TruncSatF64U,
    visit_i64_trunc_sat_f32_s => I64TruncSatF32S, visit_i64_trunc_sat_f32_u => I64TruncSatF32U,
    visit_i64_trunc_sat_f64_s => I64TruncSatF64S, visit_i64_trunc_sat_f64_u => I64TruncSatF64U,
    visit_ref_is_null => RefIsNull,
}
