//! The seeded tests' inputs (`tests/seeded.rs`, `tests/gas_cost.rs`, `tests/profile.rs`):
//! settings from the environment and a deterministic byte stream, so that a run is
//! reproduced from its seed alone.

/// The environment variable `name` as a number, or `default` when it is unset or not a
/// number.
pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The next `n` pseudo-random bytes of the xorshift64* stream in `state` (no RNG crate:
/// the bytes depend only on the seed).
pub fn bytes(state: &mut u64, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| {
            *state ^= *state >> 12;
            *state ^= *state << 25;
            *state ^= *state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}
