//! Metron contract SDK: safe wrappers over the contract host ABI (import module
//! `"metron"`, described in `docs/abi.md`).
//!
//! A contract is a `cdylib` compiled for `wasm32-unknown-unknown`. Each method is an
//! exported `extern "C" fn()` taking no arguments: it reads its input with [`input`],
//! reads and writes storage, and sets its output with [`set_return_data`]. A call that
//! ends with [`abort`] (or a panic, or a host error) is reverted by the chain: no storage
//! write and no event survives it.
//!
//! ```ignore
//! #![cfg_attr(target_arch = "wasm32", no_std)]
//! use metron_sdk as sdk;
//!
//! /// Method `echo`: returns its input. Plain Rust, so host tests can call it.
//! pub fn echo() {
//!     sdk::set_return_data(&sdk::input());
//! }
//!
//! /// The wasm exports: thin `extern "C"` wrappers named like the methods.
//! pub mod exports {
//!     #[no_mangle]
//!     pub extern "C" fn echo() {
//!         super::echo()
//!     }
//! }
//! ```
//!
//! Keep the logic in plain functions: on the host the mock's [`abort`] unwinds, and
//! unwinding out of an `extern "C"` function aborts the test process.
//!
//! Backends: on `wasm32` the functions call the host imports; on any other target they
//! run against the in-process `mock` host (thread-local state), so contract logic can
//! be unit-tested with `cargo test`.
//!
//! Gas: every host call costs [`gas::HOST_BASE`] plus the per-item cost documented on each
//! function, charged before the effect; running out of gas traps the call with no effect.
//! Host errors (out-of-bounds pointers, limits exceeded) trap the call.
//!
//! Features (default on, effective on `wasm32` only): `allocator` installs
//! `BumpAllocator` as the global allocator; `panic-handler` installs a panic handler
//! that aborts the call with the message `"panic"`.
#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

#[cfg(target_arch = "wasm32")]
mod bump;
#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
use wasm as imp;

#[cfg(not(target_arch = "wasm32"))]
pub mod mock;
#[cfg(not(target_arch = "wasm32"))]
use mock::backend as imp;

#[cfg(target_arch = "wasm32")]
pub use bump::BumpAllocator;

#[cfg(all(target_arch = "wasm32", feature = "allocator"))]
#[global_allocator]
static ALLOCATOR: BumpAllocator = BumpAllocator::new();

#[cfg(all(target_arch = "wasm32", feature = "panic-handler"))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // A fixed message: formatting the panic payload would pull `core::fmt` into every
    // contract and multiply its size.
    abort("panic")
}

/// A 32-byte account or contract address.
pub type Address = [u8; 32];

/// The all-zero address (the `from` of a token mint event).
pub const ZERO_ADDRESS: Address = [0; 32];

/// Maximum storage key length in bytes; longer keys trap.
pub const MAX_KEY_LEN: usize = 256;
/// Maximum storage value length in bytes (64 KiB); longer values trap.
pub const MAX_VALUE_LEN: usize = 64 * 1024;
/// Maximum event topic length in bytes; longer topics trap.
pub const MAX_TOPIC_LEN: usize = 64;
/// Maximum event data length in bytes (64 KiB); longer data traps.
pub const MAX_EVENT_DATA_LEN: usize = 64 * 1024;
/// Maximum return data length in bytes (64 KiB); longer return data traps.
pub const MAX_RETURN_DATA_LEN: usize = 64 * 1024;

/// Host-function gas costs (gas schedule version 2; unchanged since version 1), in gas units.
///
/// Each host call costs [`HOST_BASE`](crate::gas::HOST_BASE) plus the extra cost listed
/// on the function.
pub mod gas {
    /// Base cost of every host call.
    pub const HOST_BASE: u64 = 50;
    /// Extra fixed cost of `storage_read` (plus 1 per key byte and
    /// [`STORAGE_READ_PER_BYTE`] per byte of the stored value).
    pub const STORAGE_READ: u64 = 50_000;
    /// Per-byte cost of `storage_read`, on the whole stored value (copied or not).
    pub const STORAGE_READ_PER_BYTE: u64 = 3;
    /// Extra fixed cost of `storage_write` (plus [`STORAGE_WRITE_PER_BYTE`] per key and
    /// value byte).
    pub const STORAGE_WRITE: u64 = 110_000;
    /// Per-byte cost of `storage_write` (key + value bytes).
    pub const STORAGE_WRITE_PER_BYTE: u64 = 15;
    /// Extra fixed cost of `storage_remove` (plus 1 per key byte).
    pub const STORAGE_REMOVE: u64 = 110_000;
    /// Extra cost of `balance`.
    pub const BALANCE: u64 = 50_000;
    /// Extra fixed cost of `emit_event` (plus [`EMIT_EVENT_PER_BYTE`] per topic and data
    /// byte).
    pub const EMIT_EVENT: u64 = 300;
    /// Per-byte cost of `emit_event` (topic + data bytes).
    pub const EMIT_EVENT_PER_BYTE: u64 = 8;
    /// Extra fixed cost of `keccak256` (plus [`KECCAK256_PER_BYTE`] per input byte).
    pub const KECCAK256: u64 = 1_600;
    /// Per-byte cost of `keccak256`.
    pub const KECCAK256_PER_BYTE: u64 = 10;
    /// Extra fixed cost of `sha256` (plus [`SHA256_PER_BYTE`] per input byte).
    pub const SHA256: u64 = 600;
    /// Per-byte cost of `sha256`.
    pub const SHA256_PER_BYTE: u64 = 10;
    /// Extra fixed cost of `blake2b_256` (plus [`BLAKE2B_256_PER_BYTE`] per input byte).
    pub const BLAKE2B_256: u64 = 700;
    /// Per-byte cost of `blake2b_256`.
    pub const BLAKE2B_256_PER_BYTE: u64 = 4;
    /// Extra fixed cost of `ed25519_verify` (plus [`ED25519_VERIFY_PER_BYTE`] per message
    /// byte), valid or not.
    pub const ED25519_VERIFY: u64 = 170_000;
    /// Per-byte cost of `ed25519_verify` (message bytes).
    pub const ED25519_VERIFY_PER_BYTE: u64 = 7;
}

/// Initial buffer size of [`storage_read`]: values up to this size take one host call.
const STORAGE_READ_GUESS: usize = 64;

/// Length of the call input in bytes.
///
/// Host call `input_len`; gas: `HOST_BASE`.
pub fn input_len() -> usize {
    imp::input_len()
}

/// The whole call input.
///
/// Host calls `input_len` and `input_read`; gas: `2 * HOST_BASE + len`.
pub fn input() -> Vec<u8> {
    let mut buf = vec![0u8; imp::input_len()];
    // SAFETY: `buf` is exactly `input_len()` bytes, and the input is fixed for the call.
    unsafe { imp::input_read(&mut buf) };
    buf
}

/// The call input if it is exactly `N` bytes long, else `None` (no allocation).
///
/// Host calls `input_len`, and `input_read` if the length matches; gas:
/// `HOST_BASE` (+ `HOST_BASE + N` if the length matches).
pub fn input_array<const N: usize>() -> Option<[u8; N]> {
    if imp::input_len() != N {
        return None;
    }
    let mut buf = [0u8; N];
    // SAFETY: `buf` is exactly `input_len()` bytes, and the input is fixed for the call.
    unsafe { imp::input_read(&mut buf) };
    Some(buf)
}

/// Sets the call's return data (the last call wins).
///
/// Host call `return_data`; gas: `HOST_BASE + len`. Traps if `data` is longer than
/// [`MAX_RETURN_DATA_LEN`].
pub fn set_return_data(data: &[u8]) {
    imp::return_data(data)
}

/// Reads the value stored under `key`, or `None` if absent.
///
/// Host call `storage_read` (twice if the value is longer than 64 bytes); gas per call:
/// `HOST_BASE + STORAGE_READ + key len + STORAGE_READ_PER_BYTE * value len` (see [`gas`]). Traps if `key` is longer than
/// [`MAX_KEY_LEN`].
pub fn storage_read(key: &[u8]) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; STORAGE_READ_GUESS];
    let len = imp::storage_read(key, &mut buf)?;
    if len <= buf.len() {
        buf.truncate(len);
    } else {
        buf.resize(len, 0);
        // The value cannot change between the two reads (a call runs alone).
        imp::storage_read(key, &mut buf)?;
    }
    Some(buf)
}

/// Reads the value stored under `key` into `out`: copies `min(len, out.len())` bytes and
/// returns the full length of the value, or `None` if absent (no allocation).
///
/// Host call `storage_read`; gas: `HOST_BASE + STORAGE_READ + key len +
/// STORAGE_READ_PER_BYTE * value len` (the whole stored value, however much is copied).
/// Traps if `key` is longer than [`MAX_KEY_LEN`].
pub fn storage_read_into(key: &[u8], out: &mut [u8]) -> Option<usize> {
    imp::storage_read(key, out)
}

/// Stores `value` under `key`, replacing any previous value.
///
/// Host call `storage_write`; gas: `HOST_BASE + STORAGE_WRITE + STORAGE_WRITE_PER_BYTE *
/// (key len + value len)`.
/// Traps if `key` is longer than [`MAX_KEY_LEN`] or `value` longer than
/// [`MAX_VALUE_LEN`].
pub fn storage_write(key: &[u8], value: &[u8]) {
    imp::storage_write(key, value)
}

/// Deletes the value under `key` (no effect if absent).
///
/// Host call `storage_remove`; gas: `HOST_BASE + STORAGE_REMOVE + key len`. Traps if `key` is
/// longer than [`MAX_KEY_LEN`].
pub fn storage_remove(key: &[u8]) {
    imp::storage_remove(key)
}

/// Address of the account that called this contract (the transaction sender).
///
/// Host call `caller`; gas: `HOST_BASE + 32`.
pub fn caller() -> Address {
    imp::caller()
}

/// This contract's own address.
///
/// Host call `address`; gas: `HOST_BASE + 32`.
pub fn address() -> Address {
    imp::address()
}

/// Native amount transferred to the contract with this call.
///
/// Host call `value`; gas: `HOST_BASE + 16`.
pub fn value() -> u128 {
    u128::from_le_bytes(imp::value())
}

/// Native balance of `addr` (0 for an unknown account).
///
/// Host call `balance`; gas: `HOST_BASE + BALANCE`.
pub fn balance(addr: &Address) -> u128 {
    u128::from_le_bytes(imp::balance(addr))
}

/// Height of the block this call executes in.
///
/// Host call `block_height`; gas: `HOST_BASE`.
pub fn block_height() -> u64 {
    imp::block_height()
}

/// Timestamp of the block this call executes in, in milliseconds since the Unix epoch.
///
/// Host call `block_timestamp`; gas: `HOST_BASE`.
pub fn block_timestamp() -> u64 {
    imp::block_timestamp()
}

/// Appends the event `{contract: own address, topic, data}` to the call's receipt
/// (dropped if the call reverts).
///
/// Host call `emit_event`; gas: `HOST_BASE + EMIT_EVENT + EMIT_EVENT_PER_BYTE *
/// (topic len + data len)`. Traps if
/// `topic` is longer than [`MAX_TOPIC_LEN`] or `data` longer than [`MAX_EVENT_DATA_LEN`].
pub fn emit_event(topic: &[u8], data: &[u8]) {
    imp::emit_event(topic, data)
}

/// Keccak-256 (the original Keccak padding, as Ethereum uses) of `data`.
///
/// Host call `keccak256`; gas: `HOST_BASE + KECCAK256 + KECCAK256_PER_BYTE * len`.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    imp::keccak256(data)
}

/// SHA-256 (FIPS 180-4) of `data`.
///
/// Host call `sha256`; gas: `HOST_BASE + SHA256 + SHA256_PER_BYTE * len`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    imp::sha256(data)
}

/// BLAKE2b with a 32-byte digest (RFC 7693, no key) of `data`.
///
/// Host call `blake2b_256`; gas: `HOST_BASE + BLAKE2B_256 + BLAKE2B_256_PER_BYTE * len`.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    imp::blake2b_256(data)
}

/// Whether `signature` is a valid ed25519 signature of `message` by `public_key`
/// (RFC 8032, strict: canonical encodings required, small-order keys refused; the rule
/// transaction signatures follow). A public key that is not a curve point gives `false`.
///
/// Host call `ed25519_verify`; gas: `HOST_BASE + ED25519_VERIFY +
/// ED25519_VERIFY_PER_BYTE * message len`, whatever the answer.
pub fn ed25519_verify(signature: &[u8; 64], public_key: &[u8; 32], message: &[u8]) -> bool {
    imp::ed25519_verify(signature, public_key, message)
}

/// Reverts the call with a UTF-8 message. Never returns.
///
/// Host call `abort`; gas: `HOST_BASE`. The call's outcome is a trap of kind `Host`;
/// the message is kept for people (receipts' `error`) and is not part of consensus.
pub fn abort(msg: &str) -> ! {
    imp::abort(msg.as_bytes())
}

/// Unwraps `opt`, or aborts the call with `msg` if it is `None`.
///
/// Handy with checked arithmetic: `require(a.checked_add(b), "overflow")`.
pub fn require<T>(opt: Option<T>, msg: &str) -> T {
    match opt {
        Some(v) => v,
        None => abort(msg),
    }
}

#[cfg(test)]
mod tests;
