//! Integer operations with WebAssembly semantics (wrapping arithmetic, trapping
//! division, masked shift counts). Operands and results are raw cells: `u32` for i32,
//! `u64` for i64.

use crate::trap::TrapKind;

/// `i32.div_s`.
#[inline(always)]
pub(crate) fn i32_div_s(a: u32, b: u32) -> Result<u32, TrapKind> {
    let (a, b) = (a as i32, b as i32);
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    if a == i32::MIN && b == -1 {
        return Err(TrapKind::IntegerOverflow);
    }
    Ok((a / b) as u32)
}

/// `i32.div_u`.
#[inline(always)]
pub(crate) fn i32_div_u(a: u32, b: u32) -> Result<u32, TrapKind> {
    a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)
}

/// `i32.rem_s` (`INT_MIN rem -1 == 0`, no trap).
#[inline(always)]
pub(crate) fn i32_rem_s(a: u32, b: u32) -> Result<u32, TrapKind> {
    let (a, b) = (a as i32, b as i32);
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(b) as u32)
}

/// `i32.rem_u`.
#[inline(always)]
pub(crate) fn i32_rem_u(a: u32, b: u32) -> Result<u32, TrapKind> {
    a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)
}

/// `i64.div_s`.
#[inline(always)]
pub(crate) fn i64_div_s(a: u64, b: u64) -> Result<u64, TrapKind> {
    let (a, b) = (a as i64, b as i64);
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    if a == i64::MIN && b == -1 {
        return Err(TrapKind::IntegerOverflow);
    }
    Ok((a / b) as u64)
}

/// `i64.div_u`.
#[inline(always)]
pub(crate) fn i64_div_u(a: u64, b: u64) -> Result<u64, TrapKind> {
    a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)
}

/// `i64.rem_s` (`INT_MIN rem -1 == 0`, no trap).
#[inline(always)]
pub(crate) fn i64_rem_s(a: u64, b: u64) -> Result<u64, TrapKind> {
    let (a, b) = (a as i64, b as i64);
    if b == 0 {
        return Err(TrapKind::IntegerDivideByZero);
    }
    Ok(a.wrapping_rem(b) as u64)
}

/// `i64.rem_u`.
#[inline(always)]
pub(crate) fn i64_rem_u(a: u64, b: u64) -> Result<u64, TrapKind> {
    a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)
}

/// `i32.shl` (count taken modulo 32).
#[inline(always)]
pub(crate) fn i32_shl(a: u32, b: u32) -> u32 {
    a.wrapping_shl(b)
}

/// `i32.shr_s`.
#[inline(always)]
pub(crate) fn i32_shr_s(a: u32, b: u32) -> u32 {
    (a as i32).wrapping_shr(b) as u32
}

/// `i32.shr_u`.
#[inline(always)]
pub(crate) fn i32_shr_u(a: u32, b: u32) -> u32 {
    a.wrapping_shr(b)
}

/// `i32.rotl`.
#[inline(always)]
pub(crate) fn i32_rotl(a: u32, b: u32) -> u32 {
    a.rotate_left(b % 32)
}

/// `i32.rotr`.
#[inline(always)]
pub(crate) fn i32_rotr(a: u32, b: u32) -> u32 {
    a.rotate_right(b % 32)
}

/// `i64.shl` (count taken modulo 64).
#[inline(always)]
pub(crate) fn i64_shl(a: u64, b: u64) -> u64 {
    a.wrapping_shl(b as u32)
}

/// `i64.shr_s`.
#[inline(always)]
pub(crate) fn i64_shr_s(a: u64, b: u64) -> u64 {
    (a as i64).wrapping_shr(b as u32) as u64
}

/// `i64.shr_u`.
#[inline(always)]
pub(crate) fn i64_shr_u(a: u64, b: u64) -> u64 {
    a.wrapping_shr(b as u32)
}

/// `i64.rotl`.
#[inline(always)]
pub(crate) fn i64_rotl(a: u64, b: u64) -> u64 {
    a.rotate_left((b % 64) as u32)
}

/// `i64.rotr`.
#[inline(always)]
pub(crate) fn i64_rotr(a: u64, b: u64) -> u64 {
    a.rotate_right((b % 64) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(
            i32_div_s(i32::MIN as u32, -1i32 as u32),
            Err(TrapKind::IntegerOverflow)
        );
        assert_eq!(i32_rem_s(i32::MIN as u32, -1i32 as u32), Ok(0));
        assert_eq!(i32_div_s(-7i32 as u32, 2), Ok(-3i32 as u32));
        assert_eq!(i32_rem_s(-7i32 as u32, 2), Ok(-1i32 as u32));
        assert_eq!(i32_div_u(-7i32 as u32, 2), Ok(0x7fff_fffc));
        assert_eq!(i64_div_u(1, 0), Err(TrapKind::IntegerDivideByZero));
        assert_eq!(
            i64_div_s(i64::MIN as u64, u64::MAX),
            Err(TrapKind::IntegerOverflow)
        );
        assert_eq!(i64_rem_s(i64::MIN as u64, u64::MAX), Ok(0));
        assert_eq!(i64_rem_u(5, 0), Err(TrapKind::IntegerDivideByZero));
    }

    #[test]
    fn shifts_and_rotates() {
        assert_eq!(i32_shl(1, 33), 2);
        assert_eq!(i32_shr_s(0x8000_0000, 31), u32::MAX);
        assert_eq!(i32_shr_u(0x8000_0000, 63), 1);
        assert_eq!(i32_rotl(0x8000_0001, 1), 3);
        assert_eq!(i32_rotr(3, 33), 0x8000_0001);
        assert_eq!(i64_shl(1, 65), 2);
        assert_eq!(i64_shr_s(1 << 63, 127), u64::MAX);
        assert_eq!(i64_rotl(1 << 63, 65), 1);
        assert_eq!(i64_rotr(1, 64), 1);
    }
}
