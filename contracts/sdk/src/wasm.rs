//! The real host backend on `wasm32`: the raw imports of module `"metron"` (the host
//! ABI, see `docs/abi.md`) and thin slice-based wrappers the public API is built on.
//!
//! Every pointer and length is an `i32` offset/length into the contract's own linear
//! memory. On `wasm32` a pointer and a `usize` are 32 bits wide, so the `as u32` casts
//! below are lossless.

use crate::Address;

/// The raw imports, exactly as the host links them (module `"metron"`).
///
/// Wasm signatures: `u32`/pointer parameters are `i32`, `u64`/`i64` results are `i64`.
mod raw {
    #[link(wasm_import_module = "metron")]
    extern "C" {
        /// `() -> i32`
        pub fn input_len() -> u32;
        /// `(ptr: i32)`
        pub fn input_read(ptr: *mut u8);
        /// `(ptr: i32, len: i32)`
        pub fn return_data(ptr: *const u8, len: u32);
        /// `(key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> i64`
        pub fn storage_read(
            key_ptr: *const u8,
            key_len: u32,
            out_ptr: *mut u8,
            out_cap: u32,
        ) -> i64;
        /// `(key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32)`
        pub fn storage_write(key_ptr: *const u8, key_len: u32, val_ptr: *const u8, val_len: u32);
        /// `(key_ptr: i32, key_len: i32)`
        pub fn storage_remove(key_ptr: *const u8, key_len: u32);
        /// `(out_ptr: i32)`
        pub fn caller(out_ptr: *mut u8);
        /// `(out_ptr: i32)`
        pub fn address(out_ptr: *mut u8);
        /// `(out_ptr: i32)`
        pub fn value(out_ptr: *mut u8);
        /// `(addr_ptr: i32, out_ptr: i32)`
        pub fn balance(addr_ptr: *const u8, out_ptr: *mut u8);
        /// `() -> i64`
        pub fn block_height() -> u64;
        /// `() -> i64`
        pub fn block_timestamp() -> u64;
        /// `(topic_ptr: i32, topic_len: i32, data_ptr: i32, data_len: i32)`
        pub fn emit_event(topic_ptr: *const u8, topic_len: u32, data_ptr: *const u8, data_len: u32);
        /// `(msg_ptr: i32, msg_len: i32)`; never returns (the host traps).
        pub fn abort(msg_ptr: *const u8, msg_len: u32);
        /// `(ptr: i32, len: i32, out_ptr: i32)`: writes 32 bytes at `out_ptr`.
        pub fn keccak256(ptr: *const u8, len: u32, out_ptr: *mut u8);
        /// `(ptr: i32, len: i32, out_ptr: i32)`: writes 32 bytes at `out_ptr`.
        pub fn sha256(ptr: *const u8, len: u32, out_ptr: *mut u8);
        /// `(ptr: i32, len: i32, out_ptr: i32)`: writes 32 bytes at `out_ptr`.
        pub fn blake2b_256(ptr: *const u8, len: u32, out_ptr: *mut u8);
        /// `(sig_ptr: i32, pk_ptr: i32, msg_ptr: i32, msg_len: i32) -> i32` (1 valid, 0 not).
        pub fn ed25519_verify(
            sig_ptr: *const u8,
            pk_ptr: *const u8,
            msg_ptr: *const u8,
            msg_len: u32,
        ) -> i32;
        /// `(addr_ptr: i32, method_ptr: i32, method_len: i32, input_ptr: i32, input_len:
        /// i32, value_ptr: i32, gas: i64) -> i32` (a `call_status` code).
        pub fn call_contract(
            addr_ptr: *const u8,
            method_ptr: *const u8,
            method_len: u32,
            input_ptr: *const u8,
            input_len: u32,
            value_ptr: *const u8,
            gas: u64,
        ) -> i32;
        /// `() -> i32`
        pub fn call_output_len() -> u32;
        /// `(out_ptr: i32)`: writes `call_output_len()` bytes at `out_ptr`.
        pub fn call_output_read(out_ptr: *mut u8);
        /// `(ptr: i32, len: i32)`; never returns (the call ends reverted).
        pub fn revert(ptr: *const u8, len: u32);
        /// `(to_ptr: i32, amount_ptr: i32) -> i32` (a `call_status` code).
        pub fn transfer(to_ptr: *const u8, amount_ptr: *const u8) -> i32;
        /// `(code_hash_ptr: i32, salt_ptr: i32, salt_len: i32, input_ptr: i32, input_len:
        /// i32, value_ptr: i32, gas: i64, out_addr_ptr: i32) -> i32` (a `call_status`
        /// code); writes the 32-byte address at `out_addr_ptr` whatever the outcome.
        #[allow(clippy::too_many_arguments)]
        pub fn instantiate(
            code_hash_ptr: *const u8,
            salt_ptr: *const u8,
            salt_len: u32,
            input_ptr: *const u8,
            input_len: u32,
            value_ptr: *const u8,
            gas: u64,
            out_addr_ptr: *mut u8,
        ) -> i32;
    }
}

pub(crate) fn call_contract(
    callee: &Address,
    method: &[u8],
    input: &[u8],
    value: &[u8; 16],
    gas: u64,
) -> i32 {
    // SAFETY: the host only reads 32 bytes of `callee`, 16 of `value` and the two live
    // slices; the u64 gas travels as the i64 of the same bits.
    unsafe {
        raw::call_contract(
            callee.as_ptr(),
            method.as_ptr(),
            method.len() as u32,
            input.as_ptr(),
            input.len() as u32,
            value.as_ptr(),
            gas,
        )
    }
}

pub(crate) fn call_output_len() -> usize {
    // SAFETY: no arguments; the host only returns a number.
    unsafe { raw::call_output_len() as usize }
}

/// Copies the whole call output into `buf`.
///
/// # Safety
///
/// `buf.len()` must be at least `call_output_len()`: the host writes the whole output
/// without knowing the buffer's size.
pub(crate) unsafe fn call_output_read(buf: &mut [u8]) {
    // SAFETY: the host writes `call_output_len()` bytes; `buf` has room (caller contract).
    unsafe { raw::call_output_read(buf.as_mut_ptr()) }
}

pub(crate) fn revert(data: &[u8]) -> ! {
    // SAFETY: the host only reads the live slice, then ends the call.
    unsafe { raw::revert(data.as_ptr(), data.len() as u32) };
    // A conforming host never returns from `revert`; trap anyway if one does.
    core::arch::wasm32::unreachable()
}

pub(crate) fn transfer(to: &Address, amount: &[u8; 16]) -> i32 {
    // SAFETY: the host only reads 32 bytes of `to` and 16 of `amount`.
    unsafe { raw::transfer(to.as_ptr(), amount.as_ptr()) }
}

pub(crate) fn instantiate(
    code_hash: &[u8; 32],
    salt: &[u8],
    input: &[u8],
    value: &[u8; 16],
    gas: u64,
    out: &mut Address,
) -> i32 {
    // SAFETY: the host reads 32 bytes of `code_hash`, 16 of `value` and the two live
    // slices, and writes exactly 32 bytes into `out`.
    unsafe {
        raw::instantiate(
            code_hash.as_ptr(),
            salt.as_ptr(),
            salt.len() as u32,
            input.as_ptr(),
            input.len() as u32,
            value.as_ptr(),
            gas,
            out.as_mut_ptr(),
        )
    }
}

pub(crate) fn keccak256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: the host reads `data.len()` bytes of a live slice and writes exactly 32.
    unsafe { raw::keccak256(data.as_ptr(), data.len() as u32, out.as_mut_ptr()) };
    out
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: the host reads `data.len()` bytes of a live slice and writes exactly 32.
    unsafe { raw::sha256(data.as_ptr(), data.len() as u32, out.as_mut_ptr()) };
    out
}

pub(crate) fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // SAFETY: the host reads `data.len()` bytes of a live slice and writes exactly 32.
    unsafe { raw::blake2b_256(data.as_ptr(), data.len() as u32, out.as_mut_ptr()) };
    out
}

pub(crate) fn ed25519_verify(sig: &[u8; 64], pk: &[u8; 32], msg: &[u8]) -> bool {
    // SAFETY: the host only reads 64, 32 and `msg.len()` bytes of live buffers.
    unsafe { raw::ed25519_verify(sig.as_ptr(), pk.as_ptr(), msg.as_ptr(), msg.len() as u32) == 1 }
}

pub(crate) fn input_len() -> usize {
    // SAFETY: no arguments; the host only returns a number.
    unsafe { raw::input_len() as usize }
}

/// Copies the whole input into `buf`.
///
/// # Safety
///
/// `buf.len()` must be at least `input_len()`: the host writes the whole input without
/// knowing the buffer's size. (Not re-checked here: that would cost another host call.)
pub(crate) unsafe fn input_read(buf: &mut [u8]) {
    // SAFETY: the host writes `input_len()` bytes at `ptr`; `buf` has room (caller contract).
    unsafe { raw::input_read(buf.as_mut_ptr()) }
}

pub(crate) fn return_data(data: &[u8]) {
    // SAFETY: the host reads `data.len()` bytes from a live slice.
    unsafe { raw::return_data(data.as_ptr(), data.len() as u32) }
}

pub(crate) fn storage_read(key: &[u8], out: &mut [u8]) -> Option<usize> {
    // SAFETY: the host reads `key.len()` bytes of `key` and writes at most `out.len()`
    // bytes into `out`.
    let r = unsafe {
        raw::storage_read(
            key.as_ptr(),
            key.len() as u32,
            out.as_mut_ptr(),
            out.len() as u32,
        )
    };
    // -1 means absent; any other negative value cannot come from a conforming host.
    usize::try_from(r).ok()
}

pub(crate) fn storage_write(key: &[u8], value: &[u8]) {
    // SAFETY: the host only reads both live slices.
    unsafe {
        raw::storage_write(
            key.as_ptr(),
            key.len() as u32,
            value.as_ptr(),
            value.len() as u32,
        )
    }
}

pub(crate) fn storage_remove(key: &[u8]) {
    // SAFETY: the host only reads the live slice.
    unsafe { raw::storage_remove(key.as_ptr(), key.len() as u32) }
}

pub(crate) fn caller() -> Address {
    let mut out = [0u8; 32];
    // SAFETY: the host writes exactly 32 bytes.
    unsafe { raw::caller(out.as_mut_ptr()) };
    out
}

pub(crate) fn address() -> Address {
    let mut out = [0u8; 32];
    // SAFETY: the host writes exactly 32 bytes.
    unsafe { raw::address(out.as_mut_ptr()) };
    out
}

pub(crate) fn value() -> [u8; 16] {
    let mut out = [0u8; 16];
    // SAFETY: the host writes exactly 16 bytes.
    unsafe { raw::value(out.as_mut_ptr()) };
    out
}

pub(crate) fn balance(addr: &Address) -> [u8; 16] {
    let mut out = [0u8; 16];
    // SAFETY: the host reads 32 bytes of `addr` and writes exactly 16 bytes.
    unsafe { raw::balance(addr.as_ptr(), out.as_mut_ptr()) };
    out
}

pub(crate) fn block_height() -> u64 {
    // SAFETY: no arguments.
    unsafe { raw::block_height() }
}

pub(crate) fn block_timestamp() -> u64 {
    // SAFETY: no arguments.
    unsafe { raw::block_timestamp() }
}

pub(crate) fn emit_event(topic: &[u8], data: &[u8]) {
    // SAFETY: the host only reads both live slices.
    unsafe {
        raw::emit_event(
            topic.as_ptr(),
            topic.len() as u32,
            data.as_ptr(),
            data.len() as u32,
        )
    }
}

pub(crate) fn abort(msg: &[u8]) -> ! {
    // SAFETY: the host only reads the live slice, then traps.
    unsafe { raw::abort(msg.as_ptr(), msg.len() as u32) };
    // A conforming host never returns from `abort`; trap anyway if one does.
    core::arch::wasm32::unreachable()
}
