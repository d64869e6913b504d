//! Example contract: a counter, per the counter ABI in `docs/abi.md`.
//!
//! Encoding: u64 little-endian (8 bytes), no framing. Methods:
//!
//! | method | input | output |
//! |---|---|---|
//! | `init` | empty (start at 0) or start u64 | - |
//! | `increment` | - | new value u64 |
//! | `get` | - | value u64 |
//! | `add` | n u64 | new value u64 |
//!
//! Abort messages: `"bad input"` (wrong input length), `"overflow"` (the count would
//! exceed `u64::MAX`), `"corrupt storage"`.
//!
//! Storage: `b"count"` -> u64 LE (absent means 0).
#![cfg_attr(target_arch = "wasm32", no_std)]

use metron_sdk as sdk;

/// Storage key of the counter value.
pub const COUNT_KEY: &[u8] = b"count";

/// Reads the counter (absent means 0). Aborts on a value that is not 8 bytes.
fn load() -> u64 {
    let mut buf = [0u8; 8];
    match sdk::storage_read_into(COUNT_KEY, &mut buf) {
        None => 0,
        Some(8) => u64::from_le_bytes(buf),
        Some(_) => sdk::abort("corrupt storage"),
    }
}

/// Stores the counter and returns it as the call's return data.
fn store_and_return(value: u64) {
    let bytes = value.to_le_bytes();
    sdk::storage_write(COUNT_KEY, &bytes);
    sdk::set_return_data(&bytes);
}

/// The input as a u64 LE; aborts with "bad input" unless it is exactly 8 bytes.
fn input_u64() -> u64 {
    u64::from_le_bytes(sdk::require(sdk::input_array::<8>(), "bad input"))
}

/// Deploy: starts the counter at the input u64 (empty input: 0).
pub fn init() {
    let start = if sdk::input_len() == 0 {
        0
    } else {
        input_u64()
    };
    sdk::storage_write(COUNT_KEY, &start.to_le_bytes());
}

/// Adds 1 and returns the new value (u64).
pub fn increment() {
    store_and_return(sdk::require(load().checked_add(1), "overflow"));
}

/// Returns the current value (u64). Input is ignored.
pub fn get() {
    sdk::set_return_data(&load().to_le_bytes());
}

/// Input: n (u64). Adds n and returns the new value (u64).
pub fn add() {
    let n = input_u64();
    store_and_return(sdk::require(load().checked_add(n), "overflow"));
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

    /// Export `increment`: calls [`super::increment`].
    #[no_mangle]
    pub extern "C" fn increment() {
        super::increment()
    }

    /// Export `get`: calls [`super::get`].
    #[no_mangle]
    pub extern "C" fn get() {
        super::get()
    }

    /// Export `add`: calls [`super::add`].
    #[no_mangle]
    pub extern "C" fn add() {
        super::add()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use metron_sdk::mock::{self, Revert};

    const ALICE: [u8; 32] = [1; 32];

    fn call(method: fn(), input: &[u8]) -> Result<Vec<u8>, Revert> {
        mock::call(ALICE, input, method)
    }

    fn value(out: Result<Vec<u8>, Revert>) -> u64 {
        u64::from_le_bytes(out.unwrap().try_into().unwrap())
    }

    #[test]
    fn init_default_and_with_start() {
        mock::reset();
        call(init, &[]).unwrap();
        assert_eq!(value(call(get, &[])), 0);
        mock::reset();
        call(init, &41u64.to_le_bytes()).unwrap();
        assert_eq!(value(call(get, &[])), 41);
        assert_eq!(mock::storage(b"count"), Some(41u64.to_le_bytes().to_vec()));
    }

    #[test]
    fn init_rejects_bad_input() {
        mock::reset();
        assert_eq!(
            call(init, &[1, 2, 3]),
            Err(Revert::Abort("bad input".into()))
        );
        assert_eq!(mock::storage(b"count"), None);
    }

    #[test]
    fn increment_and_add() {
        mock::reset();
        call(init, &[]).unwrap();
        assert_eq!(value(call(increment, &[])), 1);
        assert_eq!(value(call(increment, &[])), 2);
        assert_eq!(value(call(add, &40u64.to_le_bytes())), 42);
        assert_eq!(value(call(get, &[])), 42);
    }

    #[test]
    fn get_without_init_is_zero() {
        mock::reset();
        assert_eq!(value(call(get, &[])), 0);
    }

    #[test]
    fn add_rejects_bad_input() {
        mock::reset();
        call(init, &[]).unwrap();
        assert_eq!(call(add, &[]), Err(Revert::Abort("bad input".into())));
        assert_eq!(call(add, &[0; 9]), Err(Revert::Abort("bad input".into())));
    }

    #[test]
    fn overflow_aborts_and_reverts() {
        mock::reset();
        call(init, &(u64::MAX - 1).to_le_bytes()).unwrap();
        assert_eq!(value(call(increment, &[])), u64::MAX);
        assert_eq!(call(increment, &[]), Err(Revert::Abort("overflow".into())));
        assert_eq!(
            call(add, &1u64.to_le_bytes()),
            Err(Revert::Abort("overflow".into()))
        );
        assert_eq!(value(call(get, &[])), u64::MAX);
    }

    #[test]
    fn corrupt_storage_aborts() {
        mock::reset();
        sdk::storage_write(COUNT_KEY, &[1]);
        assert_eq!(call(get, &[]), Err(Revert::Abort("corrupt storage".into())));
    }
}
