//! Byte buffers for SCALE encoding and decoding that cannot panic.
//!
//! `alloc::vec::Vec` and `&[u8]` as a codec input both keep panic paths that format
//! numbers (capacity overflow, allocation failure with its size, `copy_from_slice` length
//! mismatch). Formatting pulls `core::fmt`, about 3 KB of wasm, into every contract that
//! uses them. [`Buf`] and [`Reader`] are what the storage primitives and the generated
//! message code encode into and decode from instead: their failure paths abort the call
//! with a fixed message.

use core::alloc::Layout;
use core::ptr::NonNull;

use parity_scale_codec::{Decode, Encode, Error, Input, Output};

/// A growable byte buffer on the global allocator. Allocation failure aborts the call
/// with `"out of memory"`.
pub struct Buf {
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
}

impl Buf {
    /// An empty buffer with room for `cap` bytes.
    pub fn with_capacity(cap: usize) -> Buf {
        let mut b = Buf {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        };
        b.reserve(cap);
        b
    }

    /// A buffer of `len` zero bytes.
    pub fn zeroed(len: usize) -> Buf {
        let mut b = Buf::with_capacity(len);
        // SAFETY: `reserve` made room for `len` bytes at `ptr`.
        unsafe { core::ptr::write_bytes(b.ptr.as_ptr(), 0, len) };
        b.len = len;
        b
    }

    /// `value`'s SCALE encoding.
    pub fn encode<T: Encode + ?Sized>(value: &T) -> Buf {
        let mut b = Buf::with_capacity(value.size_hint());
        value.encode_to(&mut b);
        b
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` is valid for `len` initialized bytes (dangling only when 0).
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The bytes, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`, and `self` is borrowed mutably.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Shortens the buffer to `len` bytes (no effect if it is not longer).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Appends `bytes`. Never inlined: every encoded field calls it, and one shared copy
    /// keeps contracts small.
    #[inline(never)]
    pub fn extend(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        // SAFETY: `reserve` made room for `bytes.len()` more bytes; a `&[u8]` cannot
        // alias the buffer's own allocation while `self` is borrowed mutably.
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.ptr.as_ptr().add(self.len),
                bytes.len(),
            )
        };
        self.len += bytes.len();
    }

    /// Makes room for `more` bytes past the length.
    fn reserve(&mut self, more: usize) {
        let Some(need) = self.len.checked_add(more) else {
            out_of_memory()
        };
        if need <= self.cap {
            return;
        }
        let new_cap = need.max(self.cap.saturating_mul(2)).max(16);
        let Ok(new_layout) = Layout::from_size_align(new_cap, 1) else {
            out_of_memory()
        };
        let ptr = if self.cap == 0 {
            // SAFETY: `new_cap >= 16`, a non-zero size.
            unsafe { alloc::alloc::alloc(new_layout) }
        } else {
            // SAFETY: `ptr` was allocated with the layout of `cap` bytes, align 1, and
            // `new_cap` does not overflow `isize` (checked by `from_size_align`).
            unsafe {
                alloc::alloc::realloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.cap, 1),
                    new_cap,
                )
            }
        };
        let Some(ptr) = NonNull::new(ptr) else {
            out_of_memory()
        };
        self.ptr = ptr;
        self.cap = new_cap;
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        if self.cap != 0 {
            // SAFETY: allocated with this layout by `reserve`.
            unsafe {
                alloc::alloc::dealloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.cap, 1),
                )
            }
        }
    }
}

impl Output for Buf {
    fn write(&mut self, bytes: &[u8]) {
        self.extend(bytes)
    }
}

#[cold]
fn out_of_memory() -> ! {
    crate::abort("out of memory")
}

/// A codec input over a byte slice whose reads cannot panic.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The number of bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }
}

impl Input for Reader<'_> {
    fn remaining_len(&mut self) -> Result<Option<usize>, Error> {
        Ok(Some(self.rest.len()))
    }

    // Never inlined: every decoded field calls it, and one shared copy keeps contracts
    // small.
    #[inline(never)]
    fn read(&mut self, into: &mut [u8]) -> Result<(), Error> {
        let Some((head, tail)) = self.rest.split_at_checked(into.len()) else {
            return Err("not enough data".into());
        };
        // Byte by byte: `copy_from_slice` keeps a length-mismatch panic that formats.
        for (d, s) in into.iter_mut().zip(head) {
            *d = *s;
        }
        self.rest = tail;
        Ok(())
    }

    fn read_byte(&mut self) -> Result<u8, Error> {
        let Some((b, tail)) = self.rest.split_first() else {
            return Err("not enough data".into());
        };
        self.rest = tail;
        Ok(*b)
    }
}

/// Decodes all of `bytes` as `T`; `None` if they do not decode or bytes are left over.
pub fn decode_exact<T: Decode>(bytes: &[u8]) -> Option<T> {
    let mut r = Reader::new(bytes);
    let v = T::decode(&mut r).ok()?;
    r.is_empty().then_some(v)
}
