//! A tiny bump allocator for `wasm32` contracts.
//!
//! A contract call is short-lived: its instance is discarded after the call, so memory is
//! never returned to the host. The allocator hands out memory upward from `__heap_base`
//! (the end of the stack and static data, set by the linker) and grows linear memory with
//! `memory.grow` when needed (the host charges gas per page). `dealloc` only reclaims the
//! most recent allocation, and `realloc` of the most recent allocation grows it in place,
//! which keeps a growing `Vec` from leaving copies behind.
//!
//! When memory cannot be had (the host refuses `memory.grow` at its page limit, or an
//! address would wrap), the allocator aborts the call with `"out of memory"` instead of
//! returning null. With LTO the compiler then sees that allocation never fails and drops
//! the standard library's allocation-error path, whose message formatting would pull
//! `core::fmt` (about 2 KB) into every contract that allocates.
//!
//! Everything here is deterministic: no randomness, no addresses from the environment.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

/// Size of a WebAssembly page in bytes.
const PAGE: usize = 65_536;

extern "C" {
    /// First byte after the stack and static data; provided by `wasm-ld`.
    static __heap_base: u8;
}

/// The bump allocator. Install with `#[global_allocator]` (the SDK does so on `wasm32`
/// unless the `allocator` feature is off).
pub struct BumpAllocator {
    /// Next free byte; 0 until the first allocation.
    next: Cell<usize>,
    /// End of the currently available linear memory.
    end: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature is single-threaded, so the
// cells are never accessed concurrently.
unsafe impl Sync for BumpAllocator {}

impl BumpAllocator {
    /// An allocator that starts at `__heap_base` on first use.
    pub const fn new() -> Self {
        BumpAllocator {
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }

    /// Makes `[.., new_end)` available, growing memory if needed; aborts the call if the
    /// host refuses to grow memory.
    fn ensure(&self, new_end: usize) {
        let end = self.end.get();
        if new_end <= end {
            return;
        }
        let pages = (new_end - end).div_ceil(PAGE);
        if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
            out_of_memory();
        }
        self.end.set(end + pages * PAGE);
    }

    fn init(&self) {
        if self.next.get() == 0 {
            // Only the address of the linker symbol is taken, never its contents.
            let base = core::ptr::addr_of!(__heap_base) as usize;
            self.next.set(base);
            self.end.set(core::arch::wasm32::memory_size(0) * PAGE);
        }
    }
}

/// Ends the call: the allocation cannot be satisfied.
#[cold]
fn out_of_memory() -> ! {
    crate::abort("out of memory")
}

impl Default for BumpAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: returned blocks are aligned, non-overlapping and inside grown linear memory.
unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.init();
        // Alignment is a power of two; all arithmetic is checked against wrap-around.
        let Some(start) = self.next.get().checked_add(layout.align() - 1) else {
            out_of_memory();
        };
        let start = start & !(layout.align() - 1);
        let Some(new_next) = start.checked_add(layout.size()) else {
            out_of_memory();
        };
        self.ensure(new_next);
        self.next.set(new_next);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Reclaim only the most recent allocation.
        if (ptr as usize).wrapping_add(layout.size()) == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let addr = ptr as usize;
        if addr.wrapping_add(layout.size()) == self.next.get() {
            // The most recent allocation: resize in place.
            let Some(new_next) = addr.checked_add(new_size) else {
                out_of_memory();
            };
            self.ensure(new_next);
            self.next.set(new_next);
            return ptr;
        }
        // SAFETY: `new_size` and `layout.align()` form a valid layout per the caller's
        // contract of `GlobalAlloc::realloc`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size (caller contract).
        let new = unsafe { self.alloc(new_layout) };
        // SAFETY: both blocks are valid for the copied length and do not overlap (the new
        // block lies above `next`, the old one below); `alloc` never returns null.
        unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        new
    }
}
