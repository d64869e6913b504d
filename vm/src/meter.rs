//! The gas meter: a limit and a used counter, in integer gas units.
//!
//! Determinism: integer arithmetic only (no floats), every addition checked; running out
//! of gas always leaves `used() == limit()` so that the gas used by a failed call does not
//! depend on how far the last charge overshot.

use core::fmt;

/// Error returned by [`GasMeter::charge`] when the limit would be exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfGas;

impl fmt::Display for OutOfGas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("out of gas")
    }
}

impl std::error::Error for OutOfGas {}

/// Counts gas units against a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasMeter {
    limit: u64,
    used: u64,
}

impl GasMeter {
    /// A meter allowing `limit` units.
    pub fn new(limit: u64) -> GasMeter {
        GasMeter { limit, used: 0 }
    }

    /// A meter with limit `u64::MAX` (for tests and tools; never runs out in practice).
    pub fn unlimited() -> GasMeter {
        GasMeter::new(u64::MAX)
    }

    /// Units used so far (`== limit()` after running out).
    #[inline]
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The limit in units.
    #[inline]
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Units still available (`limit - used`).
    #[inline]
    pub fn remaining(&self) -> u64 {
        // `used <= limit` is an invariant; saturate anyway.
        self.limit.saturating_sub(self.used)
    }

    /// Charges `units`.
    ///
    /// # Errors
    /// [`OutOfGas`] if fewer than `units` remain; then `used()` becomes `limit()`.
    #[inline]
    pub fn charge(&mut self, units: u64) -> Result<(), OutOfGas> {
        if units <= self.remaining() {
            self.used += units;
            Ok(())
        } else {
            self.exhaust();
            Err(OutOfGas)
        }
    }

    /// Sets the remaining units (`used = limit - remaining`; `remaining` is clamped to
    /// the limit). Used by the interpreter, which counts down a local copy.
    #[inline]
    pub(crate) fn set_remaining(&mut self, remaining: u64) {
        self.used = self.limit - remaining.min(self.limit);
    }

    /// Marks the meter as fully used (`used = limit`).
    #[cold]
    pub(crate) fn exhaust(&mut self) {
        self.used = self.limit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charge_and_run_out() {
        let mut m = GasMeter::new(100);
        assert_eq!(m.charge(40), Ok(()));
        assert_eq!(m.used(), 40);
        assert_eq!(m.remaining(), 60);
        assert_eq!(m.charge(60), Ok(()));
        assert_eq!(m.remaining(), 0);
        assert_eq!(m.charge(0), Ok(()));
        assert_eq!(m.charge(1), Err(OutOfGas));
        assert_eq!(m.used(), 100);
    }

    #[test]
    fn overshoot_sets_used_to_limit() {
        let mut m = GasMeter::new(10);
        m.charge(3).unwrap();
        assert_eq!(m.charge(u64::MAX), Err(OutOfGas));
        assert_eq!(m.used(), 10);
        assert_eq!(m.remaining(), 0);
    }

    #[test]
    fn unlimited() {
        let mut m = GasMeter::unlimited();
        m.charge(u64::MAX - 1).unwrap();
        assert_eq!(m.remaining(), 1);
    }
}
