//! Float operations with WebAssembly semantics and NaN canonicalization.
//!
//! Determinism: every operation that may produce a NaN returns the canonical NaN
//! (`0x7fc00000` / `0x7ff8000000000000`), so results never depend on the host CPU's NaN
//! propagation rules. Bit operations (neg, abs, copysign) work on the bits directly and
//! keep payloads. Operands and results are raw bit patterns.

use crate::trap::TrapKind;

/// The canonical f32 NaN.
pub(crate) const CANON_NAN_32: u32 = 0x7fc0_0000;
/// The canonical f64 NaN.
pub(crate) const CANON_NAN_64: u64 = 0x7ff8_0000_0000_0000;

const SIGN_32: u32 = 0x8000_0000;
const SIGN_64: u64 = 0x8000_0000_0000_0000;

/// The canonical f32 NaN, from a function marked cold: the branch that calls it is
/// laid out as unlikely (`core::hint::cold_path` needs a newer Rust than our MSRV).
#[cold]
fn canonical_nan_32() -> u32 {
    CANON_NAN_32
}

/// The canonical f64 NaN (see [`canonical_nan_32`]).
#[cold]
fn canonical_nan_64() -> u64 {
    CANON_NAN_64
}

/// The bits of `x`, with any NaN replaced by the canonical NaN.
///
/// `x` passes through [`opaque32`] before the NaN test. LLVM treats the payload of a NaN
/// that an operation returns as unspecified: after `x = a.sqrt()` it may assume that
/// `x`, if a NaN, already is the canonical one, and fold `if x.is_nan() { CANONICAL }
/// else { x.to_bits() }` into `x.to_bits()`. It did so for `f64.sqrt` on aarch64, whose
/// `fsqrt` returns the input NaN (the spec suite's `f64.wast` 2435-2438 returned
/// `0xfff8000000000000` there). A test on the integer bits (`bits & !SIGN > EXP`) is
/// kept by today's compiler, but only as long as the optimizer does not see through
/// it, and it moves the value between register files. A value out of [`opaque32`] is
/// not the result of a float operation as far as the optimizer knows, so the test on it
/// stays, whatever the target and the compiler version (`docs/determinism.md`).
#[inline(always)]
pub(crate) fn canon32(x: f32) -> u32 {
    let x = opaque32(x);
    if x.is_nan() {
        // A branch predicted not taken, not a conditional move: the NaN test stays off
        // the data path of dependent float chains (the result goes straight on).
        canonical_nan_32()
    } else {
        x.to_bits()
    }
}

/// The bits of `x`, with any NaN replaced by the canonical NaN (see [`canon32`]).
#[inline(always)]
pub(crate) fn canon64(x: f64) -> u64 {
    let x = opaque64(x);
    if x.is_nan() {
        canonical_nan_64()
    } else {
        x.to_bits()
    }
}

/// `opaque64(x)` / `opaque32(x)`: `x`, through an empty `asm!` block that takes and
/// returns it in a float register (`xmm_reg`, `vreg`, `freg`): no instruction, and the value stays in the float domain,
/// but the optimizer can assume nothing about the value it returns, so a NaN test on it
/// is kept. (A general register would cost two moves between register files per float
/// operation: nbody ran 45% slower that way.) `pure, nomem, nostack`: it may still be
/// moved or merged with an identical one. Elsewhere [`core::hint::black_box`] does the
/// same, at the cost of a round trip through memory.
macro_rules! opaque {
    ($name:ident, $ty:ty, $aarch64:literal, $riscv_feature:literal) => {
        #[inline(always)]
        fn $name(mut x: $ty) -> $ty {
            // SAFETY (each `asm!`): an empty template that reads and writes nothing but
            // `x`'s register.
            #[cfg(target_arch = "x86_64")]
            unsafe {
                core::arch::asm!("/* {0} */", inout(xmm_reg) x, options(pure, nomem, nostack, preserves_flags));
            }
            #[cfg(target_arch = "aarch64")]
            unsafe {
                core::arch::asm!($aarch64, inout(vreg) x, options(pure, nomem, nostack, preserves_flags));
            }
            #[cfg(all(target_arch = "riscv64", target_feature = $riscv_feature))]
            unsafe {
                core::arch::asm!("/* {0} */", inout(freg) x, options(pure, nomem, nostack, preserves_flags));
            }
            #[cfg(not(any(
                target_arch = "x86_64",
                target_arch = "aarch64",
                all(target_arch = "riscv64", target_feature = $riscv_feature)
            )))]
            {
                x = core::hint::black_box(x);
            }
            x
        }
    };
}

// The aarch64 template names the register's width (`d` or `s`); riscv64 needs the
// double- or single-precision extension for `freg`.
opaque!(opaque64, f64, "/* {0:d} */", "d");
opaque!(opaque32, f32, "/* {0:s} */", "f");

#[inline(always)]
fn f32_of(b: u32) -> f32 {
    f32::from_bits(b)
}

#[inline(always)]
fn f64_of(b: u64) -> f64 {
    f64::from_bits(b)
}

macro_rules! binops {
    ($($name:ident, $canon:ident, $conv:ident, $ty:ty, $op:tt;)*) => {$(
        #[doc = concat!("`", stringify!($name), "` (canonical NaN).")]
        #[inline(always)]
        pub(crate) fn $name(a: $ty, b: $ty) -> $ty {
            $canon($conv(a) $op $conv(b))
        }
    )*};
}

binops! {
    f32_add, canon32, f32_of, u32, +;
    f32_sub, canon32, f32_of, u32, -;
    f32_mul, canon32, f32_of, u32, *;
    f32_div, canon32, f32_of, u32, /;
    f64_add, canon64, f64_of, u64, +;
    f64_sub, canon64, f64_of, u64, -;
    f64_mul, canon64, f64_of, u64, *;
    f64_div, canon64, f64_of, u64, /;
}

/// A pair head's first `f64` result: canonicalized unless `raw`, which is
/// `ir::FIRST_RAW` of the handler's tag (a constant per handler). `raw` holds only for
/// the heads of `ir::TEMP_FIRST` and the triples built on them, which the translator
/// makes only when that result goes to a temporary the partner pops at once with float
/// arithmetic or a compare; nothing else reads it before it is written again (an
/// operand-stack cell is read once, by the instruction that pops it). Such an operation
/// turns any NaN operand into a NaN (IEEE 754), which the partner canonicalizes, and a
/// compare with a NaN is false whatever its bits: what is observable is the same as with
/// a canonicalized first result (determinism, `docs/ir.md` "Pairs").
#[inline(always)]
fn first_result(x: f64, raw: bool) -> u64 {
    if raw {
        x.to_bits()
    } else {
        canon64(x)
    }
}

/// `a + b` as a pair head's first result ([`first_result`]).
#[inline(always)]
pub(crate) fn f64_add_first(a: u64, b: u64, raw: bool) -> u64 {
    first_result(f64_of(a) + f64_of(b), raw)
}

/// `a - b` as a pair head's first result ([`first_result`]).
#[inline(always)]
pub(crate) fn f64_sub_first(a: u64, b: u64, raw: bool) -> u64 {
    first_result(f64_of(a) - f64_of(b), raw)
}

/// `a * b` as a pair head's first result ([`first_result`]).
#[inline(always)]
pub(crate) fn f64_mul_first(a: u64, b: u64, raw: bool) -> u64 {
    first_result(f64_of(a) * f64_of(b), raw)
}

macro_rules! unops {
    ($($name:ident, $canon:ident, $conv:ident, $ty:ty, $method:ident;)*) => {$(
        #[doc = concat!("`", stringify!($name), "` (canonical NaN).")]
        #[inline(always)]
        pub(crate) fn $name(a: $ty) -> $ty {
            $canon($conv(a).$method())
        }
    )*};
}

unops! {
    f32_sqrt, canon32, f32_of, u32, sqrt;
    f32_ceil, canon32, f32_of, u32, ceil;
    f32_floor, canon32, f32_of, u32, floor;
    f32_trunc, canon32, f32_of, u32, trunc;
    f32_nearest, canon32, f32_of, u32, round_ties_even;
    f64_sqrt, canon64, f64_of, u64, sqrt;
    f64_ceil, canon64, f64_of, u64, ceil;
    f64_floor, canon64, f64_of, u64, floor;
    f64_trunc, canon64, f64_of, u64, trunc;
    f64_nearest, canon64, f64_of, u64, round_ties_even;
}

/// `f32.min`: NaN if either is NaN, `-0 < +0`.
#[inline(always)]
pub(crate) fn f32_min(a: u32, b: u32) -> u32 {
    let (x, y) = (f32_of(a), f32_of(b));
    if x.is_nan() || y.is_nan() {
        CANON_NAN_32
    } else if x == y {
        // Equal values, possibly +0 and -0: the OR keeps a set sign bit (-0 wins).
        a | b
    } else if x < y {
        a
    } else {
        b
    }
}

/// `f32.max`: NaN if either is NaN, `+0 > -0`.
#[inline(always)]
pub(crate) fn f32_max(a: u32, b: u32) -> u32 {
    let (x, y) = (f32_of(a), f32_of(b));
    if x.is_nan() || y.is_nan() {
        CANON_NAN_32
    } else if x == y {
        // Equal values, possibly +0 and -0: the AND clears the sign unless both are -0.
        a & b
    } else if x > y {
        a
    } else {
        b
    }
}

/// `f64.min`: NaN if either is NaN, `-0 < +0`.
#[inline(always)]
pub(crate) fn f64_min(a: u64, b: u64) -> u64 {
    let (x, y) = (f64_of(a), f64_of(b));
    if x.is_nan() || y.is_nan() {
        CANON_NAN_64
    } else if x == y {
        a | b
    } else if x < y {
        a
    } else {
        b
    }
}

/// `f64.max`: NaN if either is NaN, `+0 > -0`.
#[inline(always)]
pub(crate) fn f64_max(a: u64, b: u64) -> u64 {
    let (x, y) = (f64_of(a), f64_of(b));
    if x.is_nan() || y.is_nan() {
        CANON_NAN_64
    } else if x == y {
        a & b
    } else if x > y {
        a
    } else {
        b
    }
}

/// `f32.abs` (bitwise, keeps NaN payload).
#[inline(always)]
pub(crate) fn f32_abs(a: u32) -> u32 {
    a & !SIGN_32
}

/// `f32.neg` (bitwise).
#[inline(always)]
pub(crate) fn f32_neg(a: u32) -> u32 {
    a ^ SIGN_32
}

/// `f32.copysign` (bitwise).
#[inline(always)]
pub(crate) fn f32_copysign(a: u32, b: u32) -> u32 {
    (a & !SIGN_32) | (b & SIGN_32)
}

/// `f64.abs` (bitwise).
#[inline(always)]
pub(crate) fn f64_abs(a: u64) -> u64 {
    a & !SIGN_64
}

/// `f64.neg` (bitwise).
#[inline(always)]
pub(crate) fn f64_neg(a: u64) -> u64 {
    a ^ SIGN_64
}

/// `f64.copysign` (bitwise).
#[inline(always)]
pub(crate) fn f64_copysign(a: u64, b: u64) -> u64 {
    (a & !SIGN_64) | (b & SIGN_64)
}

/// Comparison helpers: results are i32 0/1 (NaN compares unequal / unordered).
macro_rules! cmps {
    ($($name:ident, $conv:ident, $ty:ty, $op:tt;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`.")]
        #[inline(always)]
        pub(crate) fn $name(a: $ty, b: $ty) -> bool {
            $conv(a) $op $conv(b)
        }
    )*};
}

cmps! {
    f32_eq, f32_of, u32, ==;
    f32_ne, f32_of, u32, !=;
    f32_lt, f32_of, u32, <;
    f32_gt, f32_of, u32, >;
    f32_le, f32_of, u32, <=;
    f32_ge, f32_of, u32, >=;
    f64_eq, f64_of, u64, ==;
    f64_ne, f64_of, u64, !=;
    f64_lt, f64_of, u64, <;
    f64_gt, f64_of, u64, >;
    f64_le, f64_of, u64, <=;
    f64_ge, f64_of, u64, >=;
}

/// `f32.demote_f64` (round to nearest even, canonical NaN).
#[inline(always)]
pub(crate) fn f32_demote_f64(a: u64) -> u32 {
    canon32(f64_of(a) as f32)
}

/// `f64.promote_f32` (exact, canonical NaN).
#[inline(always)]
pub(crate) fn f64_promote_f32(a: u32) -> u64 {
    canon64(f64::from(f32_of(a)))
}

// Integer to float conversions: Rust's `as` rounds to nearest, ties to even, like the spec.

/// `f32.convert_i32_s`.
#[inline(always)]
pub(crate) fn f32_convert_i32_s(a: u32) -> u32 {
    (a as i32 as f32).to_bits()
}
/// `f32.convert_i32_u`.
#[inline(always)]
pub(crate) fn f32_convert_i32_u(a: u32) -> u32 {
    (a as f32).to_bits()
}
/// `f32.convert_i64_s`.
#[inline(always)]
pub(crate) fn f32_convert_i64_s(a: u64) -> u32 {
    (a as i64 as f32).to_bits()
}
/// `f32.convert_i64_u`.
#[inline(always)]
pub(crate) fn f32_convert_i64_u(a: u64) -> u32 {
    (a as f32).to_bits()
}
/// `f64.convert_i32_s`.
#[inline(always)]
pub(crate) fn f64_convert_i32_s(a: u32) -> u64 {
    f64::from(a as i32).to_bits()
}
/// `f64.convert_i32_u`.
#[inline(always)]
pub(crate) fn f64_convert_i32_u(a: u32) -> u64 {
    f64::from(a).to_bits()
}
/// `f64.convert_i64_s`.
#[inline(always)]
pub(crate) fn f64_convert_i64_s(a: u64) -> u64 {
    (a as i64 as f64).to_bits()
}
/// `f64.convert_i64_u`.
#[inline(always)]
pub(crate) fn f64_convert_i64_u(a: u64) -> u64 {
    (a as f64).to_bits()
}

// Trapping truncations. A value is in range iff its truncation fits the target type;
// the bounds below are exact in f64 (f32 inputs are widened exactly first):
//   signed N bits:   -2^(N-1) - 1 < x < 2^(N-1)   (for N = 64 the lower bound is
//                    written as x >= -2^63, since -2^63 - 1 is not representable)
//   unsigned N bits: -1 < x < 2^N

const P31: f64 = 2_147_483_648.0;
const P32: f64 = 4_294_967_296.0;
const P63: f64 = 9_223_372_036_854_775_808.0;
const P64: f64 = 18_446_744_073_709_551_616.0;

#[inline(always)]
fn check(x: f64, ok: bool) -> Result<(), TrapKind> {
    if ok {
        Ok(())
    } else if x.is_nan() {
        Err(TrapKind::InvalidConversionToInteger)
    } else {
        Err(TrapKind::IntegerOverflow)
    }
}

/// `i32.trunc_f64_s` (also used for f32 after exact widening).
#[inline(always)]
pub(crate) fn i32_trunc_s(x: f64) -> Result<u32, TrapKind> {
    check(x, x > -P31 - 1.0 && x < P31)?;
    Ok(x as i32 as u32)
}

/// `i32.trunc_f64_u` (also used for f32 after exact widening).
#[inline(always)]
pub(crate) fn i32_trunc_u(x: f64) -> Result<u32, TrapKind> {
    check(x, x > -1.0 && x < P32)?;
    Ok(x as u32)
}

/// `i64.trunc_f64_s` (also used for f32 after exact widening).
#[inline(always)]
pub(crate) fn i64_trunc_s(x: f64) -> Result<u64, TrapKind> {
    check(x, (-P63..P63).contains(&x))?;
    Ok(x as i64 as u64)
}

/// `i64.trunc_f64_u` (also used for f32 after exact widening).
#[inline(always)]
pub(crate) fn i64_trunc_u(x: f64) -> Result<u64, TrapKind> {
    check(x, x > -1.0 && x < P64)?;
    Ok(x as u64)
}

/// Widens f32 bits to an f64 value (exact).
#[inline(always)]
pub(crate) fn widen(a: u32) -> f64 {
    f64::from(f32_of(a))
}

/// The f64 value of raw bits.
#[inline(always)]
pub(crate) fn f64_val(a: u64) -> f64 {
    f64_of(a)
}

// Saturating truncations: Rust's `as` saturates and maps NaN to 0, exactly the spec.

/// `i32.trunc_sat_f64_s` (f32 widened first).
#[inline(always)]
pub(crate) fn i32_trunc_sat_s(x: f64) -> u32 {
    x as i32 as u32
}
/// `i32.trunc_sat_f64_u`.
#[inline(always)]
pub(crate) fn i32_trunc_sat_u(x: f64) -> u32 {
    x as u32
}
/// `i64.trunc_sat_f64_s`.
#[inline(always)]
pub(crate) fn i64_trunc_sat_s(x: f64) -> u64 {
    x as i64 as u64
}
/// `i64.trunc_sat_f64_u`.
#[inline(always)]
pub(crate) fn i64_trunc_sat_u(x: f64) -> u64 {
    x as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b32(x: f32) -> u32 {
        x.to_bits()
    }
    fn b64(x: f64) -> u64 {
        x.to_bits()
    }

    #[test]
    fn canonical_nans() {
        assert_eq!(f32_div(b32(0.0), b32(0.0)), CANON_NAN_32);
        assert_eq!(f32_sqrt(b32(-1.0)), CANON_NAN_32);
        assert_eq!(f64_div(b64(0.0), b64(0.0)), CANON_NAN_64);
        assert_eq!(f64_add(0xfff8_0000_0000_0001, b64(1.0)), CANON_NAN_64);
        assert_eq!(f32_add(0xffc0_0001, b32(1.0)), CANON_NAN_32);
        assert_eq!(f32_ceil(0x7fa0_0000), CANON_NAN_32);
        assert_eq!(f32_demote_f64(0xfff0_0000_0000_0001), CANON_NAN_32);
        assert_eq!(f64_promote_f32(0xff80_0001), CANON_NAN_64);
        assert_eq!(f32_min(0x7fa0_0000, b32(1.0)), CANON_NAN_32);
        assert_eq!(f64_max(b64(1.0), 0x7ff0_0000_0000_0001), CANON_NAN_64);
        // Bit ops keep payloads.
        assert_eq!(f32_neg(0x7fa0_0001), 0xffa0_0001);
        assert_eq!(f32_abs(0xffa0_0001), 0x7fa0_0001);
        assert_eq!(f32_copysign(0x7fa0_0001, b32(-1.0)), 0xffa0_0001);
        assert_eq!(
            f64_copysign(0xfff0_0000_0000_0001, 0),
            0x7ff0_0000_0000_0001
        );
    }

    #[test]
    fn min_max_zeros() {
        assert_eq!(f32_min(b32(0.0), b32(-0.0)), b32(-0.0));
        assert_eq!(f32_min(b32(-0.0), b32(0.0)), b32(-0.0));
        assert_eq!(f32_max(b32(0.0), b32(-0.0)), b32(0.0));
        assert_eq!(f32_max(b32(-0.0), b32(-0.0)), b32(-0.0));
        assert_eq!(f64_min(b64(0.0), b64(-0.0)), b64(-0.0));
        assert_eq!(f64_max(b64(-0.0), b64(0.0)), b64(0.0));
        assert_eq!(f64_min(b64(1.0), b64(2.0)), b64(1.0));
        assert_eq!(f64_max(b64(1.0), b64(2.0)), b64(2.0));
    }

    #[test]
    fn nearest_is_half_even() {
        assert_eq!(f32_nearest(b32(2.5)), b32(2.0));
        assert_eq!(f32_nearest(b32(3.5)), b32(4.0));
        assert_eq!(f64_nearest(b64(-0.5)), b64(-0.0));
        assert_eq!(f64_nearest(b64(-1.5)), b64(-2.0));
    }

    #[test]
    fn truncation_ranges() {
        assert_eq!(i32_trunc_s(2_147_483_647.9), Ok(i32::MAX as u32));
        assert_eq!(i32_trunc_s(-2_147_483_648.9), Ok(i32::MIN as u32));
        assert_eq!(i32_trunc_s(2_147_483_648.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(
            i32_trunc_s(-2_147_483_649.0),
            Err(TrapKind::IntegerOverflow)
        );
        assert_eq!(
            i32_trunc_s(f64::NAN),
            Err(TrapKind::InvalidConversionToInteger)
        );
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_u(-1.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_u(4_294_967_295.9), Ok(u32::MAX));
        assert_eq!(
            i32_trunc_s(widen(b32(-2_147_483_648.0))),
            Ok(i32::MIN as u32)
        );
        assert_eq!(i64_trunc_s(-P63), Ok(i64::MIN as u64));
        assert_eq!(i64_trunc_s(P63), Err(TrapKind::IntegerOverflow));
        assert_eq!(i64_trunc_u(P64), Err(TrapKind::IntegerOverflow));
        assert_eq!(i64_trunc_u(P64 - 2048.0), Ok(u64::MAX - 2047));
        assert_eq!(i64_trunc_u(f64::INFINITY), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_sat_s(f64::NAN), 0);
        assert_eq!(i32_trunc_sat_u(-5.0), 0);
        assert_eq!(i64_trunc_sat_s(f64::NEG_INFINITY), i64::MIN as u64);
        assert_eq!(i64_trunc_sat_u(1e30), u64::MAX);
    }

    #[test]
    fn conversions() {
        assert_eq!(
            f32_convert_i64_u(u64::MAX),
            b32(18_446_744_073_709_551_616.0)
        );
        assert_eq!(f32_convert_i32_s(-1i32 as u32), b32(-1.0));
        assert_eq!(f64_convert_i64_s(i64::MIN as u64), b64(-P63));
        // 2^53 + 1 rounds to even.
        assert_eq!(
            f64_convert_i64_u((1 << 53) + 1),
            b64(9_007_199_254_740_992.0)
        );
    }
}
