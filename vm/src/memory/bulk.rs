//! The byte loops of `memory.copy` and `memory.fill` (WebAssembly 2.0, spec 4.4.7
//! "Memory Instructions"): [`move_bytes`] moves with `memmove` semantics, [`fill_bytes`]
//! sets bytes. The interpreter's handlers call them after their bounds checks.
//!
//! Why not `core::ptr::copy` and `write_bytes` (glibc's `memmove` and `memset`) for
//! every length: from 2 KiB up, glibc 2.36 on x86-64 CPUs that report ERMS/FSRM uses
//! `rep movsb` and `rep stosb`, whose speed on AMD Zen 3 and Zen 4 depends on how the
//! source and destination are aligned. Measured on the Zen 4 machine of
//! `docs/performance.md`, "How performance is measured" (C, 1000 copies of 64 KiB at source offsets 0-4095):
//! `memmove` took 1.7 to 2.9 ms depending on the destination's page offset; the AVX2
//! loop below took 1.6 ms at every offset, and was as fast as `memmove` or faster for
//! every length from 1 KiB to 16 MiB, overlapping or not. `memset`: 36-58 GB/s against
//! 58-86 GB/s for the loop, from 4 KiB to 4 MiB. The slow `rep movsb` on AMD is known
//! (FSRM on Zen 3 with an unaligned destination; later glibc releases stopped using it
//! there). Below [`VECTOR_MIN`] bytes, and without AVX2, the library calls run.
//!
//! Determinism: every path writes the same bytes (the `memmove` and `memset` results);
//! only the speed depends on the CPU. Gas is charged by the caller from the length
//! alone.

/// Length in bytes from which the AVX2 loops run instead of `memmove`/`memset`: where
/// glibc's `rep movsb` threshold lies on such CPUs. Below it both use vector loops of
/// the same kind. Must be at least 64 (the loops' first and last 32 bytes).
pub(crate) const VECTOR_MIN: usize = 2048;
const _: () = assert!(VECTOR_MIN >= 64);

/// Moves `n` bytes from `src` to `dst`. The ranges may overlap: the destination ends up
/// holding the source's bytes as they were before the move (`memmove`, as
/// `memory.copy` specifies).
///
/// # Safety
/// `src..src + n` must be readable and `dst..dst + n` writable.
#[inline]
pub(crate) unsafe fn move_bytes(src: *const u8, dst: *mut u8, n: usize) {
    #[cfg(target_arch = "x86_64")]
    if n >= VECTOR_MIN && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the caller's contract; AVX2 is present (checked); `n >= 64`.
        unsafe { avx2::move_bytes(src, dst, n) };
        return;
    }
    // SAFETY: the caller's contract (`copy` allows overlap).
    unsafe { core::ptr::copy(src, dst, n) }
}

/// Sets `n` bytes from `dst` to `byte`.
///
/// # Safety
/// `dst..dst + n` must be writable.
#[inline]
pub(crate) unsafe fn fill_bytes(dst: *mut u8, byte: u8, n: usize) {
    #[cfg(target_arch = "x86_64")]
    if n >= VECTOR_MIN && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the caller's contract; AVX2 is present (checked); `n >= 64`.
        unsafe { avx2::fill_bytes(dst, byte, n) };
        return;
    }
    // SAFETY: the caller's contract.
    unsafe { core::ptr::write_bytes(dst, byte, n) }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use core::arch::x86_64::{__m256i, _mm256_loadu_si256, _mm256_set1_epi8, _mm256_storeu_si256};

    /// Bytes per vector.
    const V: usize = 32;

    #[inline(always)]
    unsafe fn load(p: *const u8) -> __m256i {
        // SAFETY: the caller reads inside its source range (unaligned load).
        unsafe { _mm256_loadu_si256(p.cast()) }
    }

    #[inline(always)]
    unsafe fn store(p: *mut u8, v: __m256i) {
        // SAFETY: the caller writes inside its destination range (unaligned store).
        unsafe { _mm256_storeu_si256(p.cast(), v) }
    }

    /// Walks the destination `dst..dst + n` forward from its first 32-byte aligned
    /// address after `dst` (offset 1 to 32): `step(i, 4)` for each 128 bytes at offset
    /// `i`, then `step(i, 1)` for each 32 left. The callers' unaligned stores at offsets
    /// 0 and `n - 32` cover the bytes before the first step and after the last (under
    /// 32 each).
    #[inline(always)]
    fn forward_aligned(dst: *mut u8, n: usize, mut step: impl FnMut(usize, usize)) {
        let mut i = V - (dst as usize & (V - 1));
        while i + 4 * V <= n {
            step(i, 4);
            i += 4 * V;
        }
        while i + V <= n {
            step(i, 1);
            i += V;
        }
    }

    /// `memmove` of `n >= 64` bytes in 32-byte vectors, four per step, with the stores
    /// aligned to 32 bytes (a store that crosses a cache line costs twice).
    ///
    /// The first and last 32 bytes of the source are read before anything is written
    /// and stored last, so the loops can start and stop at aligned destination
    /// addresses, overlapping those two stores, whatever the overlap of the ranges.
    /// Every store writes bytes of the source as they were before the move:
    /// * forward (the destination starts before the source, or after its end): a store
    ///   at `dst + i` only reaches source bytes below `src + i`, which were read before;
    /// * backward (the destination starts inside the source): a store at `dst + i` only
    ///   reaches source bytes above `src + i`, which were read before.
    ///
    /// # Safety
    /// AVX2 present; `n >= 64`; `src..src + n` readable, `dst..dst + n` writable.
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    pub(super) unsafe fn move_bytes(src: *const u8, dst: *mut u8, n: usize) {
        debug_assert!(n >= 2 * V);
        // SAFETY (this block): every access is inside `src..src + n` or `dst..dst + n`,
        // as the loop bounds show (`i` between 1 and `n - 1`).
        unsafe {
            let head = load(src);
            let tail = load(src.add(n - V));
            if (dst as usize).wrapping_sub(src as usize) >= n {
                forward_aligned(dst, n, |i, count| {
                    // A step's loads all come before its stores.
                    let mut v = [head; 4];
                    for (k, x) in v.iter_mut().enumerate().take(count) {
                        *x = load(src.add(i + k * V));
                    }
                    for (k, x) in v.iter().enumerate().take(count) {
                        store(dst.add(i + k * V), *x);
                    }
                });
            } else {
                // Last aligned destination address at or before `dst + n` (0 to 31
                // bytes back); the bytes from `i` on are the tail store's.
                let mut i = n - ((dst as usize).wrapping_add(n) & (V - 1));
                while i >= 4 * V + V {
                    let a = load(src.add(i - V));
                    let b = load(src.add(i - 2 * V));
                    let c = load(src.add(i - 3 * V));
                    let d = load(src.add(i - 4 * V));
                    store(dst.add(i - V), a);
                    store(dst.add(i - 2 * V), b);
                    store(dst.add(i - 3 * V), c);
                    store(dst.add(i - 4 * V), d);
                    i -= 4 * V;
                }
                while i > V {
                    store(dst.add(i - V), load(src.add(i - V)));
                    i -= V;
                }
                // `i <= 32`: the head store covers the rest.
            }
            store(dst, head);
            store(dst.add(n - V), tail);
        }
    }

    /// `memset` of `n >= 64` bytes in 32-byte vectors, with the stores of the loop
    /// aligned to 32 bytes and the first and last 32 bytes stored unaligned.
    ///
    /// # Safety
    /// AVX2 present; `n >= 64`; `dst..dst + n` writable.
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    pub(super) unsafe fn fill_bytes(dst: *mut u8, byte: u8, n: usize) {
        debug_assert!(n >= 2 * V);
        let v = _mm256_set1_epi8(byte as i8);
        // SAFETY (this block): every store is inside `dst..dst + n` (loop bounds).
        unsafe {
            store(dst, v);
            forward_aligned(dst, n, |i, count| {
                for k in 0..count {
                    store(dst.add(i + k * V), v);
                }
            });
            store(dst.add(n - V), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of test parameters (xorshift64).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, bound: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % bound as u64) as usize
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Lengths around the threshold and the loops' steps, at every destination
    /// alignment, forward and backward, overlapping by 1 to `n - 1` bytes and not at
    /// all: the result equals `slice::copy_within` (which is `memmove`).
    #[test]
    fn move_bytes_is_memmove() {
        const LEN: usize = 12_288;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut lengths = vec![0, 1, 63, 64, 65, 200, VECTOR_MIN - 1, VECTOR_MIN];
        lengths.extend([
            VECTOR_MIN + 1,
            VECTOR_MIN + 31,
            VECTOR_MIN + 127,
            4096,
            5000,
        ]);
        for &n in &lengths {
            for _ in 0..150 {
                let src = rng.below(LEN - n + 1);
                // Half the cases overlap: the destination within `n` of the source.
                let dst = if rng.below(2) == 0 {
                    let lo = src.saturating_sub(n);
                    let hi = (src + n).min(LEN - n);
                    lo + rng.below(hi - lo + 1)
                } else {
                    rng.below(LEN - n + 1)
                };
                let mut expected = pattern(LEN);
                expected.copy_within(src..src + n, dst);
                let mut got = pattern(LEN);
                let base = got.as_mut_ptr();
                // SAFETY: both ranges are inside `got`.
                unsafe { move_bytes(base.add(src), base.add(dst), n) };
                assert!(got == expected, "n {n}, src {src}, dst {dst}");
            }
        }
    }

    #[test]
    fn fill_bytes_is_memset() {
        const LEN: usize = 12_288;
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for n in [
            0,
            1,
            64,
            VECTOR_MIN - 1,
            VECTOR_MIN,
            VECTOR_MIN + 33,
            4096,
            7777,
        ] {
            for _ in 0..100 {
                let dst = rng.below(LEN - n + 1);
                let byte = rng.below(256) as u8;
                let mut expected = pattern(LEN);
                expected[dst..dst + n].fill(byte);
                let mut got = pattern(LEN);
                // SAFETY: the range is inside `got`.
                unsafe { fill_bytes(got.as_mut_ptr().add(dst), byte, n) };
                assert!(got == expected, "n {n}, dst {dst}, byte {byte}");
            }
        }
    }
}
