//! Linear memory: a zero-filled byte vector in 64 KiB pages, with the spec's bounds rules.
//!
//! All bounds checks compute `addr + offset + size` in `u64`, so they cannot wrap.
//! Bulk operations check the WHOLE range before writing anything (WebAssembly 2.0
//! semantics: an out-of-bounds bulk operation has no effect).

use crate::trap::TrapKind;

pub(crate) mod bulk;

/// Bytes per WebAssembly page.
pub const PAGE_SIZE: u32 = 65_536;

/// Hard ceiling of a 32-bit memory, in pages (4 GiB).
pub(crate) const MAX_PAGES_32: u32 = 65_536;

/// A `memory.grow` that returned -1: what was asked and what bounded it. Diagnostics for
/// people (`metron run` explains a trap that follows one); it is not part of any state,
/// result or gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrowRefusal {
    /// Size of the memory when the grow was asked, in pages.
    pub size_pages: u32,
    /// Pages asked for.
    pub delta_pages: u32,
    /// The most the memory may have, in pages: the smaller of its declared maximum and
    /// the configured limit (`Limits::max_memory_pages`).
    pub max_pages: u32,
    /// The maximum its type declares, if any.
    pub declared_max: Option<u32>,
}

impl GrowRefusal {
    /// Whether the configured limit, not the module's own declared maximum, refused it.
    pub fn by_limit(&self) -> bool {
        self.declared_max.is_none_or(|d| d > self.max_pages)
    }
}

/// A linear memory.
#[derive(Clone, Debug)]
pub(crate) struct Memory {
    bytes: Vec<u8>,
    /// Maximum size in pages: the smaller of the declared maximum and the configured limit.
    max_pages: u32,
    /// The maximum of the memory's type as declared (import/export matching only).
    declared_max: Option<u32>,
    /// The last `memory.grow` that was refused (diagnostics only, see [`GrowRefusal`]).
    last_refusal: Option<GrowRefusal>,
}

/// Start of an access of `len` bytes at effective address `addr + offset` (computed in
/// 64 bits, never wrapping: spec 4.4.7 "Memory Instructions") in a linear memory of
/// `mem_len` bytes, or `None` when any byte of it is outside. The one bounds rule of
/// every load, store and host access (the interpreter's handlers use it directly).
#[inline(always)]
pub(crate) fn access_start(addr: u32, offset: u32, len: u64, mem_len: usize) -> Option<usize> {
    let start = u64::from(addr) + u64::from(offset);
    // `start + len < 2^34` for every caller's `len` (at most `u32::MAX`): no overflow.
    if start + len <= mem_len as u64 {
        Some(start as usize)
    } else {
        None
    }
}

/// [`access_start`]'s rule for the accesses of `2^k` bytes (`k` = 0..=3, the loads and
/// stores of the interpreter), as one limit per size for a linear memory of `mem_len`
/// bytes: `mem_len + 1 - 2^k` (0 when `mem_len < 2^k`). An access of `2^k` bytes at
/// effective address `start` (a u64 sum of a u32 address and a u32 offset) is inside
/// exactly when `start < limit`, that is `start + 2^k <= mem_len`. Entry 0 is `mem_len`.
pub(crate) fn access_limits(mem_len: usize) -> [u64; 4] {
    let n = mem_len as u64 + 1;
    [
        n.saturating_sub(1),
        n.saturating_sub(2),
        n.saturating_sub(4),
        n.saturating_sub(8),
    ]
}

/// The index in [`access_limits`] of an access of `n` bytes (1, 2, 4 or 8).
pub(crate) const fn access_class(n: usize) -> usize {
    assert!(n == 1 || n == 2 || n == 4 || n == 8);
    n.trailing_zeros() as usize
}

/// The size in pages of a linear memory of `len` bytes (always a whole number of pages,
/// at most 65536 of them): `memory.size`.
#[inline(always)]
pub(crate) fn pages(len: usize) -> u32 {
    (len / PAGE_SIZE as usize) as u32
}

impl Memory {
    /// A memory of `min_pages` zeroed pages that may grow up to `max_pages`, whose type
    /// declares maximum `Some(max_pages)`.
    ///
    /// Returns `None` if `min_pages > max_pages` (the caller reports a limit error) or
    /// the allocation fails.
    #[cfg(test)]
    pub(crate) fn new(min_pages: u32, max_pages: u32) -> Option<Memory> {
        Memory::typed(min_pages, max_pages, Some(max_pages))
    }

    /// A memory of `min_pages` zeroed pages that may grow up to `max_pages` (already
    /// clamped to the configured limit), with `declared_max` as its type's maximum.
    ///
    /// Returns `None` if `min_pages > max_pages` or the allocation fails (never aborts
    /// the process: the allocation is fallible).
    pub(crate) fn typed(
        min_pages: u32,
        max_pages: u32,
        declared_max: Option<u32>,
    ) -> Option<Memory> {
        let max_pages = max_pages.min(MAX_PAGES_32);
        if min_pages > max_pages {
            return None;
        }
        let len = pages_to_bytes(min_pages)?;
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(len).ok()?;
        bytes.resize(len, 0);
        Some(Memory {
            bytes,
            max_pages,
            declared_max,
            last_refusal: None,
        })
    }

    /// The memory's type as `(current size in pages, declared maximum)`: what an import
    /// of this memory is matched against.
    pub(crate) fn ty(&self) -> (u32, Option<u32>) {
        (self.size_pages(), self.declared_max)
    }

    /// The whole memory.
    #[inline]
    pub(crate) fn data(&self) -> &[u8] {
        &self.bytes
    }

    /// Base pointer and length in bytes of the linear memory, for the interpreter's
    /// handlers (`exec::threaded`), which bounds-check every access against the length.
    /// Valid until the memory grows (`grow` is never called while handlers run).
    #[inline(always)]
    pub(crate) fn raw_parts(&mut self) -> (*mut u8, usize) {
        (self.bytes.as_mut_ptr(), self.bytes.len())
    }

    /// Current size in pages.
    #[inline]
    pub(crate) fn size_pages(&self) -> u32 {
        pages(self.bytes.len())
    }

    /// Grows by `delta` pages (zero-filled); returns the old size in pages, or `None` if
    /// the new size would exceed the maximum (memory unchanged; `memory.grow` yields -1),
    /// which is recorded for [`Memory::last_refusal`].
    pub(crate) fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.size_pages();
        let grown = self.try_grow(old, delta);
        if grown.is_none() {
            self.last_refusal = Some(GrowRefusal {
                size_pages: old,
                delta_pages: delta,
                max_pages: self.max_pages,
                declared_max: self.declared_max,
            });
        }
        grown
    }

    fn try_grow(&mut self, old: u32, delta: u32) -> Option<u32> {
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        let len = pages_to_bytes(new)?;
        // Determinism: `max_pages` comes from the configured limits, which are small enough
        // that allocation never fails on a node that meets the requirements. With larger
        // (non-consensus) limits, e.g. the spec suite's, a failed allocation makes the grow
        // fail (-1, as the spec allows) instead of aborting the process.
        self.bytes.try_reserve_exact(len - self.bytes.len()).ok()?;
        self.bytes.resize(len, 0);
        Some(old)
    }

    /// The last `memory.grow` this memory refused, if any.
    pub(crate) fn last_refusal(&self) -> Option<GrowRefusal> {
        self.last_refusal
    }

    /// The effective address range `[addr + offset, addr + offset + len)`, if in bounds.
    #[inline(always)]
    fn range(&self, addr: u32, offset: u32, len: u64) -> Result<core::ops::Range<usize>, TrapKind> {
        match access_start(addr, offset, len, self.bytes.len()) {
            Some(start) => Ok(start..start + len as usize),
            None => Err(TrapKind::MemoryOutOfBounds),
        }
    }

    /// Loads `N` bytes at `addr + offset`.
    ///
    /// # Errors
    /// `MemoryOutOfBounds` if any byte is outside memory.
    #[cfg(test)]
    pub(crate) fn load<const N: usize>(&self, addr: u32, offset: u32) -> Result<[u8; N], TrapKind> {
        let r = self.range(addr, offset, N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[r]);
        Ok(out)
    }

    /// Stores `N` bytes at `addr + offset`.
    ///
    /// # Errors
    /// `MemoryOutOfBounds` if any byte is outside memory (nothing is written).
    #[cfg(test)]
    pub(crate) fn store<const N: usize>(
        &mut self,
        addr: u32,
        offset: u32,
        bytes: [u8; N],
    ) -> Result<(), TrapKind> {
        let r = self.range(addr, offset, N as u64)?;
        self.bytes[r].copy_from_slice(&bytes);
        Ok(())
    }

    /// Reads `len` bytes at `ptr` (for host functions).
    pub(crate) fn read(&self, ptr: u32, len: u32) -> Result<&[u8], TrapKind> {
        let r = self.range(ptr, 0, u64::from(len))?;
        Ok(&self.bytes[r])
    }

    /// Writes `bytes` at `ptr` (for host functions); nothing is written when out of bounds.
    pub(crate) fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), TrapKind> {
        let r = self.range(ptr, 0, bytes.len() as u64)?;
        self.bytes[r].copy_from_slice(bytes);
        Ok(())
    }

    /// `memory.init` / active data segment: copies `data[src..src+len]` to `dst`.
    ///
    /// # Errors
    /// `MemoryOutOfBounds` if either range is out of bounds (checked before writing).
    pub(crate) fn init(
        &mut self,
        dst: u32,
        data: &[u8],
        src: u32,
        len: u32,
    ) -> Result<(), TrapKind> {
        let s_end = u64::from(src) + u64::from(len);
        if s_end > data.len() as u64 {
            return Err(TrapKind::MemoryOutOfBounds);
        }
        let d = self.range(dst, 0, u64::from(len))?;
        self.bytes[d].copy_from_slice(&data[src as usize..s_end as usize]);
        Ok(())
    }
}

/// `pages * 64 KiB` as `usize`, if it fits.
fn pages_to_bytes(pages: u32) -> Option<usize> {
    usize::try_from(u64::from(pages) * u64::from(PAGE_SIZE)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grow_respects_max() {
        let mut m = Memory::new(1, 3).unwrap();
        assert_eq!(m.size_pages(), 1);
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(2), None);
        assert_eq!(m.size_pages(), 2);
        assert_eq!(m.grow(1), Some(2));
        assert_eq!(m.grow(0), Some(3));
        assert_eq!(m.grow(u32::MAX), None);
        assert_eq!(
            m.last_refusal(),
            Some(GrowRefusal {
                size_pages: 3,
                delta_pages: u32::MAX,
                max_pages: 3,
                declared_max: Some(3),
            })
        );
        assert!(!m.last_refusal().unwrap().by_limit());
        assert!(Memory::new(4, 3).is_none());
    }

    #[test]
    fn load_store_bounds() {
        let mut m = Memory::new(1, 1).unwrap();
        m.store::<4>(0, 65_532, 0xdead_beef_u32.to_le_bytes())
            .unwrap();
        assert_eq!(
            m.load::<4>(65_532, 0).unwrap(),
            0xdead_beef_u32.to_le_bytes()
        );
        assert_eq!(m.load::<4>(65_533, 0), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(
            m.load::<1>(u32::MAX, u32::MAX),
            Err(TrapKind::MemoryOutOfBounds)
        );
        assert_eq!(
            m.store::<8>(65_529, 0, [1; 8]),
            Err(TrapKind::MemoryOutOfBounds)
        );
        assert_eq!(m.load::<1>(65_529, 0).unwrap(), [0]);
    }

    // `memory.fill` and `memory.copy` are interpreter handlers (`exec::threaded`),
    // checked by `tests/it/memory.rs` (`bulk_memory`); their byte loops by
    // `memory::bulk::tests`.
    #[test]
    fn init_bounds_check_before_write() {
        let mut m = Memory::new(1, 1).unwrap();
        assert_eq!(m.init(0, b"abc", 1, 3), Err(TrapKind::MemoryOutOfBounds));
        m.init(10, b"abc", 1, 2).unwrap();
        assert_eq!(&m.data()[10..12], b"bc");
        m.init(65_536, b"abc", 3, 0).unwrap();
    }
}
