//! Example contract: a fungible token (ERC-20-like), per the token ABI in `docs/abi.md`.
//!
//! Encoding: binary little-endian, no framing. Addresses are 32 bytes, amounts are u128
//! (16 bytes LE). Methods:
//!
//! | method | input | output | events |
//! |---|---|---|---|
//! | `init` | supply u128 | - | `Transfer` zero -> caller |
//! | `total_supply` | - | u128 | - |
//! | `balance_of` | addr | u128 | - |
//! | `transfer` | to ++ amount | - | `Transfer` |
//! | `approve` | spender ++ amount | - | `Approval` |
//! | `allowance` | owner ++ spender | u128 | - |
//! | `transfer_from` | from ++ to ++ amount | - | `Transfer` |
//!
//! Event data: `Transfer` = from ++ to ++ amount, `Approval` = owner ++ spender ++ amount.
//! Abort messages: `"bad input"` (wrong input length), `"insufficient balance"`,
//! `"insufficient allowance"`, `"overflow"`, `"corrupt storage"`.
//!
//! Storage: `b"supply"` -> u128, `b"bal" ++ addr` -> u128, `b"allow" ++ owner ++ spender`
//! -> u128. A zero balance or allowance is stored as an absent key (the key is removed),
//! so the state holds no dead entries.
#![cfg_attr(target_arch = "wasm32", no_std)]

use metron_sdk::{self as sdk, Address, ZERO_ADDRESS};

/// Storage key of the total supply.
pub const SUPPLY_KEY: &[u8] = b"supply";
/// Topic of transfer (and mint) events.
pub const TRANSFER_TOPIC: &[u8] = b"Transfer";
/// Topic of approval events.
pub const APPROVAL_TOPIC: &[u8] = b"Approval";

/// Copies the concatenation of `parts` into `out` (stops at whichever ends first).
///
/// Iterator-based so that it cannot panic: with `opt-level = "z"` slice copies keep
/// their length-check panics, which would pull `core::fmt` into the contract.
fn fill(out: &mut [u8], parts: &[&[u8]]) {
    for (dst, src) in out.iter_mut().zip(parts.iter().flat_map(|p| p.iter())) {
        *dst = *src;
    }
}

/// Storage key of `owner`'s balance: `b"bal" ++ owner`.
pub fn balance_key(owner: &Address) -> [u8; 35] {
    let mut key = [0u8; 35];
    fill(&mut key, &[b"bal", owner]);
    key
}

/// Storage key of the amount `spender` may move from `owner`: `b"allow" ++ owner ++ spender`.
pub fn allowance_key(owner: &Address, spender: &Address) -> [u8; 69] {
    let mut key = [0u8; 69];
    fill(&mut key, &[b"allow", owner, spender]);
    key
}

/// Reads a u128 stored under `key`; absent means 0. Aborts on a value that is not 16 bytes.
fn read_amount(key: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    match sdk::storage_read_into(key, &mut buf) {
        None => 0,
        Some(16) => u128::from_le_bytes(buf),
        Some(_) => sdk::abort("corrupt storage"),
    }
}

/// Stores a u128 under `key`; 0 removes the key.
fn write_amount(key: &[u8], amount: u128) {
    if amount == 0 {
        sdk::storage_remove(key);
    } else {
        sdk::storage_write(key, &amount.to_le_bytes());
    }
}

/// The call input, which must be exactly `N` bytes; aborts with "bad input" otherwise.
fn input<const N: usize>() -> [u8; N] {
    sdk::require(sdk::input_array::<N>(), "bad input")
}

/// Splits the first `N` bytes off `rest` (the input length was checked before, so a
/// short `rest` cannot happen; it would abort with "bad input").
fn take<const N: usize>(rest: &mut &[u8]) -> [u8; N] {
    let (head, tail) = sdk::require(rest.split_first_chunk::<N>(), "bad input");
    *rest = tail;
    *head
}

fn take_amount(rest: &mut &[u8]) -> u128 {
    u128::from_le_bytes(take::<16>(rest))
}

/// `a ++ b ++ amount`: the data of `Transfer` and `Approval` events.
fn event_data(a: &Address, b: &Address, amount: u128) -> [u8; 80] {
    let mut data = [0u8; 80];
    fill(&mut data, &[a, b, &amount.to_le_bytes()]);
    data
}

/// Moves `amount` from `from` to `to` and emits `Transfer`.
/// Aborts with "insufficient balance" if `from` holds less than `amount`.
fn move_tokens(from: &Address, to: &Address, amount: u128) {
    let from_key = balance_key(from);
    let from_balance = sdk::require(
        read_amount(&from_key).checked_sub(amount),
        "insufficient balance",
    );
    write_amount(&from_key, from_balance);
    // Read `to` after writing `from`: correct when `from == to`.
    let to_key = balance_key(to);
    let to_balance = sdk::require(read_amount(&to_key).checked_add(amount), "overflow");
    write_amount(&to_key, to_balance);
    sdk::emit_event(TRANSFER_TOPIC, &event_data(from, to, amount));
}

/// Deploy: mints the initial supply (input: u128) to the deployer.
pub fn init() {
    let supply = u128::from_le_bytes(input::<16>());
    let owner = sdk::caller();
    sdk::storage_write(SUPPLY_KEY, &supply.to_le_bytes());
    write_amount(&balance_key(&owner), supply);
    sdk::emit_event(TRANSFER_TOPIC, &event_data(&ZERO_ADDRESS, &owner, supply));
}

/// Returns the total supply (u128). Input is ignored.
pub fn total_supply() {
    sdk::set_return_data(&read_amount(SUPPLY_KEY).to_le_bytes());
}

/// Input: addr(32). Returns its balance (u128).
pub fn balance_of() {
    let owner = input::<32>();
    sdk::set_return_data(&read_amount(&balance_key(&owner)).to_le_bytes());
}

/// Input: to(32) ++ amount(u128). Moves `amount` from the caller to `to`.
pub fn transfer() {
    let buf = input::<48>();
    let rest = &mut &buf[..];
    let (to, amount) = (take::<32>(rest), take_amount(rest));
    move_tokens(&sdk::caller(), &to, amount);
}

/// Input: spender(32) ++ amount(u128). Sets the caller's allowance for `spender`.
pub fn approve() {
    let buf = input::<48>();
    let rest = &mut &buf[..];
    let (spender, amount) = (take::<32>(rest), take_amount(rest));
    let owner = sdk::caller();
    write_amount(&allowance_key(&owner, &spender), amount);
    sdk::emit_event(APPROVAL_TOPIC, &event_data(&owner, &spender, amount));
}

/// Input: owner(32) ++ spender(32). Returns the allowance (u128).
pub fn allowance() {
    let buf = input::<64>();
    let rest = &mut &buf[..];
    let key = allowance_key(&take::<32>(rest), &take::<32>(rest));
    sdk::set_return_data(&read_amount(&key).to_le_bytes());
}

/// Input: from(32) ++ to(32) ++ amount(u128). The caller spends its allowance from `from`.
pub fn transfer_from() {
    let buf = input::<80>();
    let rest = &mut &buf[..];
    let (from, to, amount) = (take::<32>(rest), take::<32>(rest), take_amount(rest));
    let key = allowance_key(&from, &sdk::caller());
    let left = sdk::require(
        read_amount(&key).checked_sub(amount),
        "insufficient allowance",
    );
    write_amount(&key, left);
    move_tokens(&from, &to, amount);
}

/// The wasm exports: one `extern "C" fn()` per method, each a thin wrapper around the
/// plain Rust function of the same name. The plain functions hold the logic so that host
/// unit tests can call them: on the host the mock's `abort` unwinds, and unwinding out of
/// an `extern "C"` function would abort the test process.
pub mod exports {
    /// Export `init`: calls [`super::init`].
    #[no_mangle]
    pub extern "C" fn init() {
        super::init()
    }

    /// Export `total_supply`: calls [`super::total_supply`].
    #[no_mangle]
    pub extern "C" fn total_supply() {
        super::total_supply()
    }

    /// Export `balance_of`: calls [`super::balance_of`].
    #[no_mangle]
    pub extern "C" fn balance_of() {
        super::balance_of()
    }

    /// Export `transfer`: calls [`super::transfer`].
    #[no_mangle]
    pub extern "C" fn transfer() {
        super::transfer()
    }

    /// Export `approve`: calls [`super::approve`].
    #[no_mangle]
    pub extern "C" fn approve() {
        super::approve()
    }

    /// Export `allowance`: calls [`super::allowance`].
    #[no_mangle]
    pub extern "C" fn allowance() {
        super::allowance()
    }

    /// Export `transfer_from`: calls [`super::transfer_from`].
    #[no_mangle]
    pub extern "C" fn transfer_from() {
        super::transfer_from()
    }
}

#[cfg(test)]
mod tests;
