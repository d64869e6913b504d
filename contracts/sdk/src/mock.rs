//! An in-process mock of the Metron host, used when the SDK is built for a non-`wasm32`
//! target (unit tests of the SDK and of contracts with plain `cargo test`).
//!
//! The state is thread-local, so tests running in parallel threads do not interfere.
//! The mock follows Seam 2 of the host ABI (`docs/abi.md`): the same results, limits and
//! host-function gas (charged before the effect). It does not meter WebAssembly
//! instructions: [`gas_used`] counts host-function gas only. The real host is exercised
//! by the node's end-to-end tests.
//!
//! A host error (a limit exceeded) and [`abort`](crate::abort) unwind with a private
//! payload (through `resume_unwind`, so no panic message is printed); [`call`] catches them, reverts storage and events like the chain does, and
//! reports a [`Revert`].
//!
//! ```
//! use metron_sdk::mock;
//! mock::reset();
//! let out = mock::call([7; 32], b"hi", || {
//!     let input = metron_sdk::input();
//!     metron_sdk::set_return_data(&input);
//! });
//! assert_eq!(out, Ok(b"hi".to_vec()));
//! ```

extern crate std;

use std::boxed::Box;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::{gas, Address};

/// An event recorded by the mock host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Address of the emitting contract ([`set_address`]).
    pub contract: Address,
    /// Event topic.
    pub topic: Vec<u8>,
    /// Event payload.
    pub data: Vec<u8>,
}

/// Why a [`call`] reverted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revert {
    /// The contract called [`abort`](crate::abort) with this message.
    Abort(String),
    /// A host function failed (e.g. a key longer than 256 bytes).
    HostError(String),
    /// Rust code panicked (on `wasm32` the SDK's panic handler would abort instead).
    Panic(String),
}

/// Unwind payload of a host error or abort (caught by [`call`]).
struct Unwind(Revert);

#[derive(Clone, Default)]
struct State {
    input: Vec<u8>,
    return_data: Vec<u8>,
    storage: BTreeMap<Vec<u8>, Vec<u8>>,
    caller: Address,
    address: Address,
    value: u128,
    balances: BTreeMap<Address, u128>,
    block_height: u64,
    block_timestamp: u64,
    events: Vec<Event>,
    gas_used: u64,
}

std::thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Unwinds with a host error (after releasing the state borrow).
fn host_error(msg: &str) -> ! {
    std::panic::resume_unwind(Box::new(Unwind(Revert::HostError(msg.to_string()))))
}

/// Charges `HOST_BASE + extra` gas (saturating, as gas arithmetic must never wrap).
fn charge(extra: u64) {
    with(|s| {
        s.gas_used = s
            .gas_used
            .saturating_add(gas::HOST_BASE.saturating_add(extra))
    });
}

/// `base + per_byte * data.len()`, saturating.
fn hash_gas(base: u64, per_byte: u64, data: &[u8]) -> u64 {
    base.saturating_add(len64(data.len()).saturating_mul(per_byte))
}

fn check_len(len: usize, max: usize, what: &str) {
    if len > max {
        host_error(what);
    }
}

fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

// ---- Test-facing API ----

/// Resets the whole mock state of this thread (storage, balances, events, gas, context).
pub fn reset() {
    with(|s| *s = State::default());
}

/// Sets the input returned by [`input`](crate::input).
pub fn set_input(input: &[u8]) {
    with(|s| s.input = input.to_vec());
}

/// Sets the address returned by [`caller`](crate::caller).
pub fn set_caller(caller: Address) {
    with(|s| s.caller = caller);
}

/// Sets the contract's own address ([`address`](crate::address)).
pub fn set_address(address: Address) {
    with(|s| s.address = address);
}

/// Sets the value transferred with the call ([`value`](crate::value)).
pub fn set_value(value: u128) {
    with(|s| s.value = value);
}

/// Sets the native balance of `addr` ([`balance`](crate::balance)).
pub fn set_balance(addr: Address, amount: u128) {
    with(|s| {
        s.balances.insert(addr, amount);
    });
}

/// Sets the block height and timestamp (ms since the Unix epoch).
pub fn set_block(height: u64, timestamp_ms: u64) {
    with(|s| {
        s.block_height = height;
        s.block_timestamp = timestamp_ms;
    });
}

/// The return data set by the last call (empty if none).
pub fn return_data() -> Vec<u8> {
    with(|s| s.return_data.clone())
}

/// The raw storage value under `key`, if any.
pub fn storage(key: &[u8]) -> Option<Vec<u8>> {
    with(|s| s.storage.get(key).cloned())
}

/// All storage entries, sorted by key.
pub fn storage_entries() -> Vec<(Vec<u8>, Vec<u8>)> {
    with(|s| {
        s.storage
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    })
}

/// All events emitted so far (reverted calls leave none).
pub fn events() -> Vec<Event> {
    with(|s| s.events.clone())
}

/// Returns and clears the events emitted so far.
pub fn take_events() -> Vec<Event> {
    with(|s| core::mem::take(&mut s.events))
}

/// Host-function gas used since the last [`reset`] or the start of the last [`call`].
pub fn gas_used() -> u64 {
    with(|s| s.gas_used)
}

/// Runs one contract call: sets the caller and input, clears the return data and the gas
/// counter, runs `f`, and returns the return data. If `f` aborts, hits a host error or
/// panics, storage and events are reverted to their state before the call (as on chain)
/// and the reason is returned.
pub fn call(caller: Address, input: &[u8], f: impl FnOnce()) -> Result<Vec<u8>, Revert> {
    let snapshot = with(|s| {
        s.caller = caller;
        s.input = input.to_vec();
        s.return_data.clear();
        s.gas_used = 0;
        (s.storage.clone(), s.events.len())
    });
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(()) => Ok(return_data()),
        Err(payload) => {
            with(|s| {
                s.storage = snapshot.0;
                s.events.truncate(snapshot.1);
                s.return_data.clear();
            });
            let revert = match payload.downcast::<Unwind>() {
                Ok(u) => u.0,
                Err(payload) => Revert::Panic(
                    payload
                        .downcast_ref::<&str>()
                        .map(|m| (*m).to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".to_string()),
                ),
            };
            Err(revert)
        }
    }
}

/// Backend of the SDK's public API on the mock state (same shape as the `wasm32` backend).
pub(crate) mod backend {
    use super::*;

    pub(crate) fn input_len() -> usize {
        charge(0);
        with(|s| s.input.len())
    }

    /// Mock of `input_read`; checks the buffer size the real backend relies on.
    ///
    /// # Safety
    ///
    /// Safe in the mock; `unsafe` only to share the real backend's signature.
    pub(crate) unsafe fn input_read(buf: &mut [u8]) {
        let input = with(|s| s.input.clone());
        charge(len64(input.len()));
        if buf.len() != input.len() {
            host_error("out of bounds: input buffer size mismatch");
        }
        buf.copy_from_slice(&input);
    }

    pub(crate) fn return_data(data: &[u8]) {
        charge(len64(data.len()));
        check_len(
            data.len(),
            crate::MAX_RETURN_DATA_LEN,
            "return data too long",
        );
        with(|s| s.return_data = data.to_vec());
    }

    pub(crate) fn storage_read(key: &[u8], out: &mut [u8]) -> Option<usize> {
        check_len(key.len(), crate::MAX_KEY_LEN, "storage key too long");
        let value = with(|s| s.storage.get(key).cloned());
        let copied = value.as_ref().map_or(0, |v| v.len().min(out.len()));
        let stored = value.as_ref().map_or(0, |v| v.len());
        charge(
            gas::STORAGE_READ
                .saturating_add(len64(key.len()))
                .saturating_add(len64(stored).saturating_mul(gas::STORAGE_READ_PER_BYTE)),
        );
        let value = value?;
        out[..copied].copy_from_slice(&value[..copied]);
        Some(value.len())
    }

    pub(crate) fn storage_write(key: &[u8], value: &[u8]) {
        let bytes = len64(key.len()).saturating_add(len64(value.len()));
        charge(
            gas::STORAGE_WRITE.saturating_add(bytes.saturating_mul(gas::STORAGE_WRITE_PER_BYTE)),
        );
        check_len(key.len(), crate::MAX_KEY_LEN, "storage key too long");
        check_len(value.len(), crate::MAX_VALUE_LEN, "storage value too long");
        with(|s| {
            s.storage.insert(key.to_vec(), value.to_vec());
        });
    }

    pub(crate) fn storage_remove(key: &[u8]) {
        charge(gas::STORAGE_REMOVE.saturating_add(len64(key.len())));
        check_len(key.len(), crate::MAX_KEY_LEN, "storage key too long");
        with(|s| {
            s.storage.remove(key);
        });
    }

    pub(crate) fn caller() -> Address {
        charge(32);
        with(|s| s.caller)
    }

    pub(crate) fn address() -> Address {
        charge(32);
        with(|s| s.address)
    }

    pub(crate) fn value() -> [u8; 16] {
        charge(16);
        with(|s| s.value.to_le_bytes())
    }

    pub(crate) fn balance(addr: &Address) -> [u8; 16] {
        charge(gas::BALANCE);
        with(|s| s.balances.get(addr).copied().unwrap_or(0).to_le_bytes())
    }

    pub(crate) fn block_height() -> u64 {
        charge(0);
        with(|s| s.block_height)
    }

    pub(crate) fn block_timestamp() -> u64 {
        charge(0);
        with(|s| s.block_timestamp)
    }

    pub(crate) fn keccak256(data: &[u8]) -> [u8; 32] {
        use sha3::Digest as _;
        charge(hash_gas(gas::KECCAK256, gas::KECCAK256_PER_BYTE, data));
        sha3::Keccak256::digest(data).into()
    }

    pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
        use sha2::Digest as _;
        charge(hash_gas(gas::SHA256, gas::SHA256_PER_BYTE, data));
        sha2::Sha256::digest(data).into()
    }

    pub(crate) fn blake2b_256(data: &[u8]) -> [u8; 32] {
        use blake2::Digest as _;
        charge(hash_gas(gas::BLAKE2B_256, gas::BLAKE2B_256_PER_BYTE, data));
        <blake2::Blake2b<blake2::digest::consts::U32>>::digest(data).into()
    }

    pub(crate) fn ed25519_verify(sig: &[u8; 64], pk: &[u8; 32], msg: &[u8]) -> bool {
        charge(hash_gas(
            gas::ED25519_VERIFY,
            gas::ED25519_VERIFY_PER_BYTE,
            msg,
        ));
        ed25519_dalek::VerifyingKey::from_bytes(pk).is_ok_and(|key| {
            key.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig))
                .is_ok()
        })
    }

    pub(crate) fn emit_event(topic: &[u8], data: &[u8]) {
        let bytes = len64(topic.len()).saturating_add(len64(data.len()));
        charge(gas::EMIT_EVENT.saturating_add(bytes.saturating_mul(gas::EMIT_EVENT_PER_BYTE)));
        check_len(topic.len(), crate::MAX_TOPIC_LEN, "event topic too long");
        check_len(data.len(), crate::MAX_EVENT_DATA_LEN, "event data too long");
        with(|s| {
            let contract = s.address;
            s.events.push(Event {
                contract,
                topic: topic.to_vec(),
                data: data.to_vec(),
            });
        });
    }

    pub(crate) fn abort(msg: &[u8]) -> ! {
        charge(0);
        let msg = String::from_utf8_lossy(msg).into_owned();
        std::panic::resume_unwind(Box::new(Unwind(Revert::Abort(msg))))
    }
}
