//! An in-process mock of the Metron host, used when the SDK is built for a non-`wasm32`
//! target (unit tests of the SDK and of contracts with plain `cargo test`).
//!
//! The state is thread-local, so tests running in parallel threads do not interfere.
//! The mock follows the host ABI (`docs/abi.md`): the same results, limits and
//! host-function gas (charged before the effect). It does not meter WebAssembly
//! instructions: [`gas_used`] counts host-function gas only. The real host is exercised
//! by the node's end-to-end tests.
//!
//! A host error (a limit exceeded), [`abort`](crate::abort) and
//! [`revert`](crate::revert) unwind with a private payload (through `resume_unwind`, so
//! no panic message is printed); [`call`] catches them, reverts storage, balances and
//! events like the chain does, and reports a [`Revert`].
//!
//! Other contracts are Rust closures: [`register_contract`] puts one at an address
//! (for [`call_contract`](crate::call_contract)), [`register_code`] under a code hash
//! (for [`instantiate`](crate::instantiate)). A closure runs as that contract: inside
//! it the SDK functions see the callee's address, input and value, `caller()` is the
//! calling contract, and storage is the callee's own (the mock keeps storage per
//! address; [`storage`] and [`storage_entries`] show the current [`set_address`]'s).
//! A callee that fails (returns `Err`, reverts, aborts, panics, hits a host error or
//! runs out of its forwarded gas) has its storage writes, balance moves, events and
//! instantiations undone, as on chain; state a closure keeps in its own Rust variables
//! is its own business.
//!
//! Gas: [`gas_used`] counts the host-function gas of the whole call, callees included
//! (the caller pays for them, as on chain). The top-level [`call`] has no gas limit; a
//! nested call with a non-zero `gas` is limited to it (and to its caller's limit), and
//! one with `gas` 0 to all but a 64th of its caller's remaining limit (unlimited under
//! an unlimited caller). A callee that goes over its limit ends with
//! [`CallStatus::OutOfGas`] having used all of it.
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
use std::rc::Rc;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::{gas, Address, CallError, CallStatus};

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
    /// The contract called [`revert`](crate::revert) with this data.
    Reverted(Vec<u8>),
}

/// Unwind payload of a host error, abort or revert (caught by [`call`] and by nested
/// calls).
enum Unwind {
    Revert(Revert),
    /// The innermost gas limit was exceeded.
    OutOfGas,
}

/// A mock contract: `(method, input, value) -> return data or failure`.
type Contract = Rc<dyn Fn(&str, &[u8], u128) -> Result<Vec<u8>, CallError>>;

/// Storage of one contract.
type Storage = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Clone, Default)]
struct State {
    input: Vec<u8>,
    return_data: Vec<u8>,
    /// Storage per contract address.
    storage: BTreeMap<Address, Storage>,
    caller: Address,
    address: Address,
    value: u128,
    balances: BTreeMap<Address, u128>,
    block_height: u64,
    block_timestamp: u64,
    events: Vec<Event>,
    gas_used: u64,
    /// `gas_used` may not exceed this (None: unlimited).
    gas_limit: Option<u64>,
    /// Nesting depth of the running contract (0: the top-level [`call`]).
    depth: u32,
    /// Output of the last `call_contract` or `instantiate`.
    call_output: Vec<u8>,
    /// Contracts callable by address.
    contracts: BTreeMap<Address, Contract>,
    /// Code that `instantiate` can create, by code hash.
    codes: BTreeMap<[u8; 32], Contract>,
}

/// What a failed call undoes.
struct Snapshot {
    storage: BTreeMap<Address, Storage>,
    balances: BTreeMap<Address, u128>,
    contracts: BTreeMap<Address, Contract>,
    events: usize,
}

impl State {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            storage: self.storage.clone(),
            balances: self.balances.clone(),
            contracts: self.contracts.clone(),
            events: self.events.len(),
        }
    }

    fn restore(&mut self, snap: Snapshot) {
        self.storage = snap.storage;
        self.balances = snap.balances;
        self.contracts = snap.contracts;
        self.events.truncate(snap.events);
    }

    /// The running contract's storage.
    fn own_storage(&mut self) -> &mut Storage {
        self.storage.entry(self.address).or_default()
    }

    /// Moves `amount` from the running contract to `to`; `false` (and no change) if it
    /// holds less.
    fn move_value(&mut self, to: &Address, amount: u128) -> bool {
        if amount == 0 {
            return true;
        }
        let from = self.address;
        let held = self.balances.get(&from).copied().unwrap_or(0);
        let Some(left) = held.checked_sub(amount) else {
            return false;
        };
        self.balances.insert(from, left);
        let to_balance = self.balances.entry(*to).or_default();
        *to_balance = to_balance.saturating_add(amount);
        true
    }
}

std::thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Unwinds with a host error (after releasing the state borrow).
fn host_error(msg: &str) -> ! {
    std::panic::resume_unwind(Box::new(Unwind::Revert(Revert::HostError(msg.to_string()))))
}

/// Charges `HOST_BASE + extra` gas (saturating, as gas arithmetic must never wrap); past
/// the gas limit, uses all of it and unwinds out of gas.
fn charge(extra: u64) {
    charge_extra(gas::HOST_BASE.saturating_add(extra))
}

/// Charges `units` of gas (no host-call base).
fn charge_extra(units: u64) {
    let out_of_gas = with(|s| {
        let used = s.gas_used.saturating_add(units);
        match s.gas_limit {
            Some(limit) if used > limit => {
                s.gas_used = limit;
                true
            }
            _ => {
                s.gas_used = used;
                false
            }
        }
    });
    if out_of_gas {
        std::panic::resume_unwind(Box::new(Unwind::OutOfGas))
    }
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
    crate::abi::set_in_view(false);
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

/// The raw storage value under `key` of the current contract ([`set_address`]), if any.
pub fn storage(key: &[u8]) -> Option<Vec<u8>> {
    with(|s| storage_at(s, &s.address, key))
}

/// The raw storage value under `key` of contract `addr`, if any.
pub fn storage_of(addr: Address, key: &[u8]) -> Option<Vec<u8>> {
    with(|s| storage_at(s, &addr, key))
}

fn storage_at(s: &State, addr: &Address, key: &[u8]) -> Option<Vec<u8>> {
    s.storage.get(addr).and_then(|m| m.get(key)).cloned()
}

/// All storage entries of the current contract ([`set_address`]), sorted by key.
pub fn storage_entries() -> Vec<(Vec<u8>, Vec<u8>)> {
    with(|s| {
        s.storage.get(&s.address).map_or_else(Vec::new, |m| {
            m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        })
    })
}

/// The native balance of `addr` (0 if never set).
pub fn balance_of(addr: Address) -> u128 {
    with(|s| s.balances.get(&addr).copied().unwrap_or(0))
}

/// Puts a contract at `addr` for [`call_contract`](crate::call_contract) (replacing any
/// there): `f(method, input, value)` returns the return data, or a failure (an `Err`
/// with status `Success` counts as `Trapped`; the output is kept only for `Reverted`).
///
/// `f` runs as the contract at `addr` (see the module docs): it may use every SDK
/// function, including [`revert`](crate::revert), [`abort`](crate::abort) and nested
/// calls. The return data is `f`'s `Ok` value (a `set_return_data` inside `f` is
/// ignored). Methods whose names start with `init` are refused with `MethodNotFound`
/// before `f` runs, as on chain; for an unknown method `f` should return
/// `Err(CallError::new(CallStatus::MethodNotFound))`.
pub fn register_contract(
    addr: Address,
    f: impl Fn(&str, &[u8], u128) -> Result<Vec<u8>, CallError> + 'static,
) {
    with(|s| {
        s.contracts.insert(addr, Rc::new(f));
    });
}

/// Stores code under `code_hash` for [`instantiate`](crate::instantiate): the
/// instantiation puts `f` at the new address (as [`register_contract`] does) and runs
/// it as the constructor with method `"init"` (code without an `init` should return
/// `Ok(Vec::new())` for it); if that fails, no contract is left at the address.
pub fn register_code(
    code_hash: [u8; 32],
    f: impl Fn(&str, &[u8], u128) -> Result<Vec<u8>, CallError> + 'static,
) {
    with(|s| {
        s.codes.insert(code_hash, Rc::new(f));
    });
}

/// Whether a contract (registered or instantiated) is at `addr`.
pub fn is_contract(addr: Address) -> bool {
    with(|s| s.contracts.contains_key(&addr))
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
/// counter, runs `f`, and returns the return data. If `f` aborts, reverts, hits a host
/// error or panics, storage, balances, events and instantiated contracts are reverted to
/// their state before the call (as on chain) and the reason is returned.
pub fn call(caller: Address, input: &[u8], f: impl FnOnce()) -> Result<Vec<u8>, Revert> {
    crate::abi::set_in_view(false);
    let snapshot = with(|s| {
        s.caller = caller;
        s.input = input.to_vec();
        s.return_data.clear();
        s.call_output.clear();
        s.gas_used = 0;
        s.gas_limit = None;
        s.depth = 0;
        s.snapshot()
    });
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(()) => Ok(return_data()),
        Err(payload) => {
            with(|s| {
                s.restore(snapshot);
                s.return_data.clear();
            });
            Err(match unwind_reason(payload) {
                Unwind::Revert(r) => r,
                // Unreachable: the top-level call has no gas limit.
                Unwind::OutOfGas => Revert::HostError("out of gas".to_string()),
            })
        }
    }
}

/// Why a contract unwound.
fn unwind_reason(payload: Box<dyn core::any::Any + Send>) -> Unwind {
    match payload.downcast::<Unwind>() {
        Ok(u) => *u,
        Err(payload) => Unwind::Revert(Revert::Panic(
            payload
                .downcast_ref::<&str>()
                .map(|m| (*m).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string()),
        )),
    }
}

/// The context of the running contract, saved around a nested call.
struct Frame {
    input: Vec<u8>,
    return_data: Vec<u8>,
    caller: Address,
    address: Address,
    value: u128,
    gas_limit: Option<u64>,
    depth: u32,
}

/// Runs contract `f` at `callee` (method `method`) as a nested call of the running
/// contract, whose state before the call (and before moving `value`) is `snapshot`;
/// keeps or undoes its effects, sets the call output and returns the status code.
fn run_nested(
    f: Contract,
    callee: Address,
    method: &str,
    input: &[u8],
    value: u128,
    gas: u64,
    snapshot: Snapshot,
) -> i32 {
    let saved = with(|s| {
        let limit = match (gas, s.gas_limit) {
            (0, None) => None,
            (0, Some(limit)) => {
                let left = limit.saturating_sub(s.gas_used);
                Some(s.gas_used + (left - left / 64))
            }
            (g, None) => Some(s.gas_used.saturating_add(g)),
            (g, Some(limit)) => Some(s.gas_used.saturating_add(g).min(limit)),
        };
        let saved = Frame {
            input: core::mem::replace(&mut s.input, input.to_vec()),
            return_data: core::mem::take(&mut s.return_data),
            caller: core::mem::replace(&mut s.caller, s.address),
            address: core::mem::replace(&mut s.address, callee),
            value: core::mem::replace(&mut s.value, value),
            gas_limit: core::mem::replace(&mut s.gas_limit, limit),
            depth: s.depth,
        };
        s.depth += 1;
        s.call_output.clear();
        saved
    });
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(method, input, value)));
    let (status, output) = match outcome {
        Ok(Ok(data)) if data.len() <= crate::MAX_RETURN_DATA_LEN => (CallStatus::Success, data),
        // Return data over the limit: the host's `return_data` would have trapped.
        Ok(Ok(_)) => (CallStatus::Trapped, Vec::new()),
        Ok(Err(e)) => match e.status {
            CallStatus::Success => (CallStatus::Trapped, Vec::new()),
            CallStatus::Reverted => (CallStatus::Reverted, e.output),
            status => (status, Vec::new()),
        },
        Err(payload) => match unwind_reason(payload) {
            Unwind::Revert(Revert::Reverted(data)) => (CallStatus::Reverted, data),
            Unwind::Revert(_) => (CallStatus::Trapped, Vec::new()),
            Unwind::OutOfGas => (CallStatus::OutOfGas, Vec::new()),
        },
    };
    with(|s| {
        s.input = saved.input;
        s.return_data = saved.return_data;
        s.caller = saved.caller;
        s.address = saved.address;
        s.value = saved.value;
        s.gas_limit = saved.gas_limit;
        s.depth = saved.depth;
        if status != CallStatus::Success {
            s.restore(snapshot);
        }
        s.call_output = output;
    });
    status.code()
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
        let value = with(|s| s.own_storage().get(key).cloned());
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
            s.own_storage().insert(key.to_vec(), value.to_vec());
        });
    }

    pub(crate) fn storage_remove(key: &[u8]) {
        charge(gas::STORAGE_REMOVE.saturating_add(len64(key.len())));
        check_len(key.len(), crate::MAX_KEY_LEN, "storage key too long");
        with(|s| {
            s.own_storage().remove(key);
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
        std::panic::resume_unwind(Box::new(Unwind::Revert(Revert::Abort(msg))))
    }

    pub(crate) fn call_contract(
        callee: &Address,
        method: &[u8],
        input: &[u8],
        value: &[u8; 16],
        gas: u64,
    ) -> i32 {
        check_len(method.len(), crate::MAX_METHOD_LEN, "method name too long");
        check_len(
            input.len(),
            crate::MAX_CALL_INPUT_LEN,
            "call input too long",
        );
        let bytes = len64(method.len()).saturating_add(len64(input.len()));
        charge(
            gas::CALL_CONTRACT.saturating_add(bytes.saturating_mul(gas::CALL_CONTRACT_PER_BYTE)),
        );
        let value = u128::from_le_bytes(*value);
        if value != 0 {
            charge_extra(gas::TRANSFER);
        }
        let prepared = with(|s| {
            s.call_output.clear();
            if s.depth >= crate::MAX_CALL_DEPTH {
                return Err(CallStatus::DepthExceeded);
            }
            let Ok(method) = core::str::from_utf8(method) else {
                return Err(CallStatus::MethodNotFound);
            };
            if s.balances.get(&s.address).copied().unwrap_or(0) < value {
                return Err(CallStatus::InsufficientBalance);
            }
            let Some(f) = s.contracts.get(callee).cloned() else {
                return Err(CallStatus::NotAContract);
            };
            if method.starts_with("init") {
                return Err(CallStatus::MethodNotFound);
            }
            let snapshot = s.snapshot();
            s.move_value(callee, value);
            Ok((f, method.to_string(), snapshot))
        });
        match prepared {
            Ok((f, method, snapshot)) => {
                run_nested(f, *callee, &method, input, value, gas, snapshot)
            }
            Err(status) => status.code(),
        }
    }

    pub(crate) fn call_output_len() -> usize {
        charge(0);
        with(|s| s.call_output.len())
    }

    /// Mock of `call_output_read`; checks the buffer size the real backend relies on.
    ///
    /// # Safety
    ///
    /// Safe in the mock; `unsafe` only to share the real backend's signature.
    pub(crate) unsafe fn call_output_read(buf: &mut [u8]) {
        let output = with(|s| s.call_output.clone());
        charge(len64(output.len()));
        if buf.len() != output.len() {
            host_error("out of bounds: call output buffer size mismatch");
        }
        buf.copy_from_slice(&output);
    }

    pub(crate) fn revert(data: &[u8]) -> ! {
        check_len(
            data.len(),
            crate::MAX_RETURN_DATA_LEN,
            "revert data too long",
        );
        charge(len64(data.len()));
        std::panic::resume_unwind(Box::new(Unwind::Revert(Revert::Reverted(data.to_vec()))))
    }

    pub(crate) fn transfer(to: &Address, amount: &[u8; 16]) -> i32 {
        charge(gas::TRANSFER);
        let amount = u128::from_le_bytes(*amount);
        if with(|s| s.move_value(to, amount)) {
            CallStatus::Success.code()
        } else {
            CallStatus::InsufficientBalance.code()
        }
    }

    pub(crate) fn instantiate(
        code_hash: &[u8; 32],
        salt: &[u8],
        input: &[u8],
        value: &[u8; 16],
        gas: u64,
        out: &mut Address,
    ) -> i32 {
        use sha3::Digest as _;
        check_len(salt.len(), crate::MAX_SALT_LEN, "salt too long");
        check_len(
            input.len(),
            crate::MAX_CALL_INPUT_LEN,
            "call input too long",
        );
        let bytes = len64(salt.len()).saturating_add(len64(input.len()));
        charge(gas::INSTANTIATE.saturating_add(bytes.saturating_mul(gas::CALL_CONTRACT_PER_BYTE)));
        let value = u128::from_le_bytes(*value);
        let deployer = with(|s| s.address);
        // Computed by the host inside the INSTANTIATE price (no keccak256 charge).
        let mut hasher = sha3::Keccak256::new();
        hasher.update(crate::INSTANCE_ADDRESS_DOMAIN);
        hasher.update(deployer);
        hasher.update(code_hash);
        hasher.update(salt);
        let address: Address = hasher.finalize().into();
        *out = address;
        let prepared = with(|s| {
            s.call_output.clear();
            if s.depth >= crate::MAX_CALL_DEPTH {
                return Err(CallStatus::DepthExceeded);
            }
            let Some(f) = s.codes.get(code_hash).cloned() else {
                return Err(CallStatus::CodeNotFound);
            };
            let snapshot = s.snapshot();
            if !s.move_value(&address, value) {
                return Err(CallStatus::InsufficientBalance);
            }
            if s.contracts.contains_key(&address) {
                s.restore(snapshot);
                return Err(CallStatus::AddressCollision);
            }
            s.contracts.insert(address, f.clone());
            Ok((f, snapshot))
        });
        match prepared {
            Ok((f, snapshot)) => run_nested(f, address, "init", input, value, gas, snapshot),
            Err(status) => status.code(),
        }
    }
}
