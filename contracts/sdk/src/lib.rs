//! Metron contract SDK: safe wrappers over the contract host ABI (import module
//! `"metron"`, described in `docs/abi.md`).
//!
//! A contract is a `cdylib` compiled for `wasm32-unknown-unknown`. Each method is an
//! exported `extern "C" fn()` taking no arguments: it reads its input with [`input`],
//! reads and writes storage, and sets its output with [`set_return_data`]. A call that
//! ends with [`abort`] (or a panic, or a host error) or [`revert`] is reverted by the
//! chain: no storage write, value move or event survives it. Contracts call each other
//! with [`call_contract`], create contracts with [`instantiate`] and pay with
//! [`transfer`].
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

pub mod abi;
pub mod buf;
#[cfg(not(target_arch = "wasm32"))]
pub mod metadata;
pub mod storage;

pub use abi::{call, emit, instantiate_with, revert_with, CallFailure, Event};
/// The SDK's macros: `#[contract]` (state struct and impl), `#[event]`, `#[error]`,
/// `#[data]`.
pub use metron_sdk_macros::{contract, data, error, event};
#[cfg(not(target_arch = "wasm32"))]
use mock::backend as imp;
/// The SCALE codec (`parity-scale-codec`), for `Encode`/`Decode` in contracts.
pub use parity_scale_codec as scale;
/// `scale-info`, which the macros derive `TypeInfo` with off wasm32 (for the metadata).
#[cfg(not(target_arch = "wasm32"))]
pub use scale_info;

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
/// Maximum return data length in bytes (64 KiB); longer return data (or [`revert`]
/// data) traps.
pub const MAX_RETURN_DATA_LEN: usize = 64 * 1024;
/// Maximum method name length in bytes of a [`call_contract`]; a longer name traps.
pub const MAX_METHOD_LEN: usize = 256;
/// Maximum input length in bytes of a [`call_contract`] or [`instantiate`] (64 KiB); a
/// longer input traps.
pub const MAX_CALL_INPUT_LEN: usize = 64 * 1024;
/// Maximum salt length in bytes of an [`instantiate`]; a longer salt traps.
pub const MAX_SALT_LEN: usize = 64;
/// Deepest nesting of contract calls: the transaction's own call (or deploy) runs at
/// depth 0 and each [`call_contract`] or [`instantiate`] one deeper. One that would run
/// deeper returns [`CallStatus::DepthExceeded`] without running.
pub const MAX_CALL_DEPTH: u32 = 8;
/// Domain separator of [`instance_address`].
pub const INSTANCE_ADDRESS_DOMAIN: &[u8] = b"metron/instance";

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
    /// Extra fixed cost of `call_contract` (plus [`CALL_CONTRACT_PER_BYTE`] per method
    /// and input byte, and [`TRANSFER`] when it sends value); the callee's own gas is
    /// charged on top when it returns.
    pub const CALL_CONTRACT: u64 = 110_000;
    /// Per-byte cost of `call_contract` (method name + input bytes) and of
    /// `instantiate` (salt + input bytes).
    pub const CALL_CONTRACT_PER_BYTE: u64 = 1;
    /// Extra cost of `transfer` (two account reads and two account writes).
    pub const TRANSFER: u64 = 850_000;
    /// Extra fixed cost of `instantiate` (plus [`CALL_CONTRACT_PER_BYTE`] per salt and
    /// input byte); the new contract's code load and `init` are charged on top.
    pub const INSTANTIATE: u64 = 650_000;
}

/// Outcome of a [`call_contract`], [`instantiate`] or [`transfer`]: the host's
/// `call_status` codes (`docs/abi.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallStatus {
    /// 0: the callee returned; its writes, value and events stand.
    Success,
    /// 1: the callee called [`revert`]: its effects are undone, its data is the output.
    Reverted,
    /// 2: the callee trapped (including [`abort`], a panic and host errors): its effects
    /// are undone.
    Trapped,
    /// 3: the callee ran out of its forwarded gas (all of which the caller pays); its
    /// effects are undone.
    OutOfGas,
    /// 4: `call_contract`: no contract at the address.
    NotAContract,
    /// 5: `call_contract`: no exported `() -> ()` method of that name (or a name starting
    /// with `init`, reserved for deploy).
    MethodNotFound,
    /// 6: the calling contract holds less than the value it sends; nothing ran.
    InsufficientBalance,
    /// 7: the call would run deeper than [`MAX_CALL_DEPTH`]; nothing ran.
    DepthExceeded,
    /// 8: `instantiate`: the derived address already holds code.
    AddressCollision,
    /// 9: `instantiate`: no code is stored under the code hash.
    CodeNotFound,
    /// 10: the callee's code failed to instantiate (it imports an unknown host function).
    InvalidCode,
    /// A code this SDK does not know (from a newer host); a failure like the others.
    Other(i32),
}

impl CallStatus {
    /// The status of a host `call_status` code; an unknown code is [`CallStatus::Other`].
    pub const fn from_code(code: i32) -> CallStatus {
        match code {
            0 => CallStatus::Success,
            1 => CallStatus::Reverted,
            2 => CallStatus::Trapped,
            3 => CallStatus::OutOfGas,
            4 => CallStatus::NotAContract,
            5 => CallStatus::MethodNotFound,
            6 => CallStatus::InsufficientBalance,
            7 => CallStatus::DepthExceeded,
            8 => CallStatus::AddressCollision,
            9 => CallStatus::CodeNotFound,
            10 => CallStatus::InvalidCode,
            other => CallStatus::Other(other),
        }
    }

    /// The host's `call_status` code of this status (inverse of [`from_code`](Self::from_code)).
    pub const fn code(self) -> i32 {
        match self {
            CallStatus::Success => 0,
            CallStatus::Reverted => 1,
            CallStatus::Trapped => 2,
            CallStatus::OutOfGas => 3,
            CallStatus::NotAContract => 4,
            CallStatus::MethodNotFound => 5,
            CallStatus::InsufficientBalance => 6,
            CallStatus::DepthExceeded => 7,
            CallStatus::AddressCollision => 8,
            CallStatus::CodeNotFound => 9,
            CallStatus::InvalidCode => 10,
            CallStatus::Other(code) => code,
        }
    }
}

/// A [`call_contract`] or [`instantiate`] that did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    /// Why (never [`CallStatus::Success`] when the host returns it).
    pub status: CallStatus,
    /// The callee's revert data if `status` is [`CallStatus::Reverted`], else empty.
    pub output: Vec<u8>,
}

impl CallError {
    /// A failure with `status` and no output.
    pub const fn new(status: CallStatus) -> CallError {
        CallError {
            status,
            output: Vec::new(),
        }
    }

    /// A [`CallStatus::Reverted`] failure carrying `data`.
    pub fn reverted(data: &[u8]) -> CallError {
        CallError {
            status: CallStatus::Reverted,
            output: data.to_vec(),
        }
    }
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

/// The whole call input in a [`buf::Buf`] (the generated message code decodes it).
///
/// Host calls `input_len` and `input_read`; gas: `2 * HOST_BASE + len`.
pub(crate) fn input_buf() -> buf::Buf {
    let mut b = buf::Buf::zeroed(imp::input_len());
    // SAFETY: `b` is exactly `input_len()` bytes, and the input is fixed for the call.
    unsafe { imp::input_read(b.as_mut_slice()) };
    b
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
    abi::check_writable();
    imp::storage_write(key, value)
}

/// Deletes the value under `key` (no effect if absent).
///
/// Host call `storage_remove`; gas: `HOST_BASE + STORAGE_REMOVE + key len`. Traps if `key` is
/// longer than [`MAX_KEY_LEN`].
pub fn storage_remove(key: &[u8]) {
    abi::check_writable();
    imp::storage_remove(key)
}

/// Address of the account that called this contract: the transaction sender, or the
/// calling contract in a [`call_contract`] or [`instantiate`].
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

/// Calls method `method` of contract `callee` with `input`, sending `value` from this
/// contract, with at most `gas` gas; returns the callee's return data, or why it failed
/// (with its revert data if it reverted).
///
/// `gas` 0 forwards all but a 64th of the gas left (EIP-150: the caller keeps enough to
/// handle a failure); any other amount is capped at the gas left. The callee's
/// `caller()` is this contract's address. A failing callee undoes only its own writes,
/// value and events (and those of its own sub-calls); this call's stand. Reentrancy is
/// allowed: a callee may call back into this contract, which then sees the writes made
/// so far (guard against it as in Ethereum).
///
/// Host call `call_contract`; gas: `HOST_BASE + CALL_CONTRACT + CALL_CONTRACT_PER_BYTE *
/// (method len + input len)`, plus `TRANSFER` if `value` is not 0, plus the gas the callee used (at most what was forwarded;
/// all of it if it ran out). On success or revert the output is then read with
/// `call_output_len` (`HOST_BASE`) and, if not empty, `call_output_read` (`HOST_BASE +
/// len`). Traps if `method` is longer than [`MAX_METHOD_LEN`] or `input` longer than
/// [`MAX_CALL_INPUT_LEN`].
pub fn call_contract(
    callee: &Address,
    method: &str,
    input: &[u8],
    value: u128,
    gas: u64,
) -> Result<Vec<u8>, CallError> {
    call_result(call_contract_raw(callee, method, input, value, gas))
}

/// `call_contract` returning the status only (the output stays with the host).
pub(crate) fn call_contract_raw(
    callee: &Address,
    method: &str,
    input: &[u8],
    value: u128,
    gas: u64,
) -> CallStatus {
    let code = imp::call_contract(callee, method.as_bytes(), input, &value.to_le_bytes(), gas);
    CallStatus::from_code(code)
}

/// The output of the last call in a [`buf::Buf`] (no `Vec`, see `buf`).
pub(crate) fn call_output_buf() -> buf::Buf {
    let len = imp::call_output_len();
    let mut b = buf::Buf::zeroed(len);
    if len > 0 {
        // SAFETY: `b` is exactly `call_output_len()` bytes, and the output only changes
        // with the next call_contract or instantiate.
        unsafe { imp::call_output_read(b.as_mut_slice()) };
    }
    b
}

/// The output of the last [`call_contract`] or [`instantiate`] of this call: the
/// callee's return data after a success, its revert data after a revert, else empty.
/// ([`call_contract`] and [`instantiate`] already return it.)
///
/// Host calls `call_output_len` and, if not empty, `call_output_read`; gas: `HOST_BASE`
/// (+ `HOST_BASE + len` if not empty).
pub fn call_output() -> Vec<u8> {
    let len = imp::call_output_len();
    let mut buf = vec![0u8; len];
    if len > 0 {
        // SAFETY: `buf` is exactly `call_output_len()` bytes, and the output only changes
        // with the next call_contract or instantiate.
        unsafe { imp::call_output_read(&mut buf) };
    }
    buf
}

/// The result of a nested execution that ended with `status`.
fn call_result(status: CallStatus) -> Result<Vec<u8>, CallError> {
    match status {
        CallStatus::Success => Ok(call_output()),
        CallStatus::Reverted => Err(CallError {
            status,
            output: call_output(),
        }),
        // No other status leaves an output.
        _ => Err(CallError::new(status)),
    }
}

/// Ends the call as reverted with `data`. Never returns.
///
/// The call's storage writes, value moves and events are undone (with those of its
/// sub-calls). A calling contract sees [`CallStatus::Reverted`] with `data` as the
/// output; a transaction's receipt gets status `reverted` with `data` as its return
/// data. Unlike [`abort`], the data is part of consensus.
///
/// Host call `revert`; gas: `HOST_BASE + len`. Traps (instead of reverting) if `data`
/// is longer than [`MAX_RETURN_DATA_LEN`].
pub fn revert(data: &[u8]) -> ! {
    imp::revert(data)
}

/// Sends `amount` of this contract's native balance to `to` (an account or a contract:
/// no code runs). `Err(CallStatus::InsufficientBalance)`, and no change, if this
/// contract holds less. Undone if this call later fails.
///
/// Host call `transfer`; gas: `HOST_BASE + TRANSFER`.
pub fn transfer(to: &Address, amount: u128) -> Result<(), CallStatus> {
    match CallStatus::from_code(imp::transfer(to, &amount.to_le_bytes())) {
        CallStatus::Success => Ok(()),
        status => Err(status),
    }
}

/// Creates a contract from code already stored on chain under `code_hash`, at
/// [`instance_address`]`(address(), code_hash, salt)`, sending it `value`, and runs its
/// `init` export (if any) with `input` and at most `gas` gas (0: all but a 64th of the
/// gas left, as for [`call_contract`]). The new contract's `caller()` is this contract.
///
/// Returns the new address (known whatever the outcome) and `init`'s return data, or
/// why it failed: then no contract exists at the address and the value is back
/// ([`CallStatus::CodeNotFound`], [`CallStatus::AddressCollision`] if the address
/// already holds code, or the outcome of `init`).
///
/// Host call `instantiate`; gas: `HOST_BASE + INSTANTIATE + CALL_CONTRACT_PER_BYTE *
/// (salt len + input len)`, plus the gas the new contract used (code load and `init`),
/// plus the output read as for [`call_contract`]. Traps if `salt` is longer than
/// [`MAX_SALT_LEN`] or `input` longer than [`MAX_CALL_INPUT_LEN`].
pub fn instantiate(
    code_hash: &[u8; 32],
    salt: &[u8],
    input: &[u8],
    value: u128,
    gas: u64,
) -> (Address, Result<Vec<u8>, CallError>) {
    let (address, status) = instantiate_raw(code_hash, salt, input, value, gas);
    (address, call_result(status))
}

/// `instantiate` returning the address and the status only.
pub(crate) fn instantiate_raw(
    code_hash: &[u8; 32],
    salt: &[u8],
    input: &[u8],
    value: u128,
    gas: u64,
) -> (Address, CallStatus) {
    let mut address = ZERO_ADDRESS;
    let code = imp::instantiate(
        code_hash,
        salt,
        input,
        &value.to_le_bytes(),
        gas,
        &mut address,
    );
    (address, CallStatus::from_code(code))
}

/// The address at which `deployer` [`instantiate`]s `code_hash` with `salt`:
/// `keccak256("metron/instance" ++ deployer ++ code_hash ++ salt)`.
///
/// Host call `keccak256`; gas: `HOST_BASE + KECCAK256 + KECCAK256_PER_BYTE * (79 + salt
/// len)`.
pub fn instance_address(deployer: &Address, code_hash: &[u8; 32], salt: &[u8]) -> Address {
    let mut preimage = Vec::with_capacity(INSTANCE_ADDRESS_DOMAIN.len() + 64 + salt.len());
    preimage.extend_from_slice(INSTANCE_ADDRESS_DOMAIN);
    preimage.extend_from_slice(deployer);
    preimage.extend_from_slice(code_hash);
    preimage.extend_from_slice(salt);
    keccak256(&preimage)
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
