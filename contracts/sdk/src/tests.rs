//! Unit tests of the SDK against the mock host: results, limits and host gas of the host ABI (`docs/abi.md`).

use alloc::vec;

use crate::mock::{self, Revert};
use crate::*;

const ALICE: Address = [1; 32];

#[test]
fn input_and_return_data() {
    mock::reset();
    let out = mock::call(ALICE, b"hello", || {
        assert_eq!(input_len(), 5);
        let i = input();
        set_return_data(b"first");
        set_return_data(&i);
    });
    assert_eq!(out, Ok(b"hello".to_vec()));
    // input_len (50) + input_len (50) + input_read (50 + 5) + 2 return_data (50 + 5 each).
    assert_eq!(mock::gas_used(), 50 + 50 + 55 + 55 + 55);
}

#[test]
fn input_array_checks_length() {
    mock::reset();
    mock::set_input(&[1, 2, 3]);
    assert_eq!(input_array::<3>(), Some([1, 2, 3]));
    assert_eq!(input_array::<4>(), None);
    assert_eq!(input_array::<2>(), None);
}

#[test]
fn storage_roundtrip_and_gas() {
    mock::reset();
    assert_eq!(storage_read(b"k"), None);
    let miss = 50 + gas::STORAGE_READ + 1;
    assert_eq!(mock::gas_used(), miss);
    storage_write(b"k", b"value");
    assert_eq!(
        mock::gas_used(),
        miss + 50 + gas::STORAGE_WRITE + gas::STORAGE_WRITE_PER_BYTE * 6
    );
    assert_eq!(storage_read(b"k"), Some(b"value".to_vec()));
    let mut small = [0u8; 2];
    assert_eq!(storage_read_into(b"k", &mut small), Some(5));
    assert_eq!(&small, b"va");
    storage_remove(b"k");
    assert_eq!(storage_read(b"k"), None);
    assert_eq!(mock::storage(b"k"), None);
}

#[test]
fn storage_read_long_value_takes_two_reads() {
    mock::reset();
    let long = vec![7u8; 1000];
    storage_write(b"long", &long);
    let before = mock::gas_used();
    assert_eq!(storage_read(b"long"), Some(long));
    // Both reads pay for the whole stored value (the first copies 64 bytes of it).
    let read = 50 + gas::STORAGE_READ + 4 + gas::STORAGE_READ_PER_BYTE * 1000;
    assert_eq!(mock::gas_used() - before, 2 * read);
    // Exactly 64 bytes: one read.
    storage_write(b"x", &[1; 64]);
    let before = mock::gas_used();
    assert_eq!(storage_read(b"x").map(|v| v.len()), Some(64));
    assert_eq!(
        mock::gas_used() - before,
        50 + gas::STORAGE_READ + 1 + gas::STORAGE_READ_PER_BYTE * 64
    );
}

#[test]
fn context_functions() {
    mock::reset();
    mock::set_address([9; 32]);
    mock::set_value(12345);
    mock::set_balance(ALICE, u128::MAX);
    mock::set_block(42, 1_700_000_000_000);
    let out = mock::call(ALICE, &[], || {
        assert_eq!(caller(), ALICE);
        assert_eq!(address(), [9; 32]);
        assert_eq!(value(), 12345);
        assert_eq!(balance(&ALICE), u128::MAX);
        assert_eq!(balance(&[3; 32]), 0);
        assert_eq!(block_height(), 42);
        assert_eq!(block_timestamp(), 1_700_000_000_000);
    });
    assert_eq!(out, Ok(vec![]));
    let balance = 50 + gas::BALANCE;
    assert_eq!(mock::gas_used(), 82 + 82 + 66 + 2 * balance + 50 + 50);
}

#[test]
fn abort_reverts_storage_and_events() {
    mock::reset();
    mock::set_address([9; 32]);
    storage_write(b"a", b"1");
    let out = mock::call(ALICE, &[], || {
        storage_write(b"a", b"2");
        storage_write(b"b", b"3");
        emit_event(b"T", b"data");
        set_return_data(b"lost");
        abort("nope");
    });
    assert_eq!(out, Err(Revert::Abort("nope".into())));
    assert_eq!(mock::storage(b"a"), Some(b"1".to_vec()));
    assert_eq!(mock::storage(b"b"), None);
    assert!(mock::events().is_empty());
    assert!(mock::return_data().is_empty());
}

#[test]
fn events_are_recorded_with_gas() {
    mock::reset();
    mock::set_address([9; 32]);
    let out = mock::call(ALICE, &[], || emit_event(b"Topic", b"abc"));
    assert_eq!(out, Ok(vec![]));
    assert_eq!(
        mock::gas_used(),
        50 + gas::EMIT_EVENT + gas::EMIT_EVENT_PER_BYTE * 8
    );
    let events = mock::take_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].contract, [9; 32]);
    assert_eq!(events[0].topic, b"Topic");
    assert_eq!(events[0].data, b"abc");
    assert!(mock::events().is_empty());
}

#[test]
fn limits_are_host_errors() {
    mock::reset();
    let key = [0u8; MAX_KEY_LEN + 1];
    let r = mock::call(ALICE, &[], || storage_write(&key, b"v"));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || {
        let _ = storage_read(&key);
    });
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || storage_remove(&key));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || emit_event(&[0; MAX_TOPIC_LEN + 1], b""));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let big = vec![0u8; MAX_VALUE_LEN + 1];
    let r = mock::call(ALICE, &[], || storage_write(b"k", &big));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || emit_event(b"t", &big));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || set_return_data(&big));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    // Exactly at the limits is fine.
    let ok = vec![0u8; MAX_VALUE_LEN];
    let r = mock::call(ALICE, &[], || {
        storage_write(&[1; MAX_KEY_LEN], &ok);
        emit_event(&[1; MAX_TOPIC_LEN], &ok);
        set_return_data(&ok);
    });
    assert_eq!(r.map(|d| d.len()), Ok(MAX_RETURN_DATA_LEN));
}

#[test]
fn require_aborts_and_panics_revert() {
    mock::reset();
    let r = mock::call(ALICE, &[], || {
        storage_write(b"k", b"v");
        let v: Option<u8> = None;
        let _ = require(v, "missing");
    });
    assert_eq!(r, Err(Revert::Abort("missing".into())));
    assert_eq!(mock::storage(b"k"), None);
    let r = mock::call(ALICE, &[], || {
        storage_write(b"k", b"v");
        panic!("boom");
    });
    assert_eq!(r, Err(Revert::Panic("boom".into())));
    assert_eq!(mock::storage(b"k"), None);
}

#[test]
fn hashes_and_signatures_compute_and_charge() {
    mock::reset();
    let before = mock::gas_used();
    let d = keccak256(b"");
    assert_eq!(d[..4], [0xc5, 0xd2, 0x46, 0x01]);
    assert_eq!(mock::gas_used() - before, gas::HOST_BASE + gas::KECCAK256);
    let before = mock::gas_used();
    let d = sha256(b"abc");
    assert_eq!(d[..4], [0xba, 0x78, 0x16, 0xbf]);
    assert_eq!(
        mock::gas_used() - before,
        gas::HOST_BASE + gas::SHA256 + 3 * gas::SHA256_PER_BYTE
    );
    let before = mock::gas_used();
    let _ = blake2b_256(&[1; 10]);
    assert_eq!(
        mock::gas_used() - before,
        gas::HOST_BASE + gas::BLAKE2B_256 + 10 * gas::BLAKE2B_256_PER_BYTE
    );
    // A signature that does not verify (all zero key and signature) costs the same.
    let before = mock::gas_used();
    assert!(!ed25519_verify(&[0; 64], &[0; 32], b"msg"));
    assert_eq!(
        mock::gas_used() - before,
        gas::HOST_BASE + gas::ED25519_VERIFY + 3 * gas::ED25519_VERIFY_PER_BYTE
    );
}

// ---- Contract calls, revert, transfer and instantiate ----

const A: Address = [0xA; 32];
const B: Address = [0xB; 32];
const CODE: [u8; 32] = [0xC; 32];

#[test]
fn call_status_codes_round_trip() {
    for code in -1..12 {
        assert_eq!(CallStatus::from_code(code).code(), code);
    }
    assert_eq!(CallStatus::from_code(0), CallStatus::Success);
    assert_eq!(CallStatus::from_code(1), CallStatus::Reverted);
    assert_eq!(CallStatus::from_code(10), CallStatus::InvalidCode);
    assert_eq!(CallStatus::from_code(11), CallStatus::Other(11));
}

/// B's `write`: stores its input under `k`, emits `T`, returns caller ++ value ++ input.
/// `revert`: writes, emits, then reverts with its input. `abort`: writes, then aborts.
/// `fail`: returns an error status. `get`: returns the value under `k`.
fn register_b() {
    mock::register_contract(B, |method, input, value| {
        assert_eq!(address(), B);
        assert_eq!(crate::input(), input);
        assert_eq!(crate::value(), value);
        match method {
            "write" => {
                storage_write(b"k", input);
                emit_event(b"T", input);
                let mut out = caller().to_vec();
                out.extend_from_slice(&value.to_le_bytes());
                out.extend_from_slice(input);
                Ok(out)
            }
            "revert" => {
                storage_write(b"k", b"reverted");
                emit_event(b"T", b"reverted");
                revert(input)
            }
            "abort" => {
                storage_write(b"k", b"aborted");
                abort("no")
            }
            "fail" => Err(CallError::new(CallStatus::OutOfGas)),
            "get" => Ok(storage_read(b"k").unwrap_or_default()),
            _ => Err(CallError::new(CallStatus::MethodNotFound)),
        }
    });
}

#[test]
fn a_call_runs_the_callee_as_itself_and_keeps_its_effects() {
    mock::reset();
    mock::set_address(A);
    mock::set_balance(A, 1_000);
    register_b();
    let out = mock::call(ALICE, b"", || {
        storage_write(b"k", b"caller's");
        let out = call_contract(&B, "write", b"x", 400, 0).expect("success");
        let mut expected = A.to_vec();
        expected.extend_from_slice(&400u128.to_le_bytes());
        expected.push(b'x');
        assert_eq!(out, expected);
        // The caller's own context is back.
        assert_eq!((caller(), address(), crate::input()), (ALICE, A, vec![]));
        assert_eq!(call_output(), expected);
        emit_event(b"after", b"");
        set_return_data(b"done");
    });
    assert_eq!(out, Ok(b"done".to_vec()));
    assert_eq!(mock::storage(b"k"), Some(b"caller's".to_vec()));
    assert_eq!(mock::storage_of(B, b"k"), Some(b"x".to_vec()));
    assert_eq!((mock::balance_of(A), mock::balance_of(B)), (600, 400));
    let events: Vec<_> = mock::events()
        .into_iter()
        .map(|e| (e.contract, e.topic))
        .collect();
    assert_eq!(events, [(B, b"T".to_vec()), (A, b"after".to_vec())]);
}

#[test]
fn call_gas_is_the_host_price_plus_the_callee_and_the_output_read() {
    mock::reset();
    mock::set_address(A);
    mock::register_contract(B, |_, _, _| Ok(b"out".to_vec()));
    mock::register_contract([0xD; 32], |_, _, _| {
        storage_write(b"k", b"v");
        Ok(Vec::new())
    });
    mock::call(ALICE, b"", || {
        assert_eq!(call_contract(&B, "m", b"in", 0, 0), Ok(b"out".to_vec()));
    })
    .expect("runs");
    let call = gas::HOST_BASE + gas::CALL_CONTRACT + 3 * gas::CALL_CONTRACT_PER_BYTE;
    assert_eq!(mock::gas_used(), call + gas::HOST_BASE + gas::HOST_BASE + 3);
    // The callee's host gas is the caller's; an empty output is not read.
    mock::call(ALICE, b"", || {
        assert_eq!(call_contract(&[0xD; 32], "m", b"", 0, 0), Ok(vec![]));
    })
    .expect("runs");
    let write = gas::HOST_BASE + gas::STORAGE_WRITE + 2 * gas::STORAGE_WRITE_PER_BYTE;
    let call = gas::HOST_BASE + gas::CALL_CONTRACT + gas::CALL_CONTRACT_PER_BYTE;
    assert_eq!(mock::gas_used(), call + write + gas::HOST_BASE);
}

#[test]
fn a_failing_callee_undoes_only_its_own_effects() {
    mock::reset();
    mock::set_address(A);
    mock::set_balance(A, 1_000);
    register_b();
    mock::call(ALICE, b"", || {
        storage_write(b"mine", b"1");
        let e = call_contract(&B, "revert", b"why", 100, 0).expect_err("reverts");
        assert_eq!(e, CallError::reverted(b"why"));
        assert_eq!(call_output(), b"why");
        let e = call_contract(&B, "abort", b"", 100, 0).expect_err("traps");
        assert_eq!(e, CallError::new(CallStatus::Trapped));
        assert!(call_output().is_empty());
        let e = call_contract(&B, "fail", b"", 100, 0).expect_err("fails");
        assert_eq!(e, CallError::new(CallStatus::OutOfGas));
        let e = call_contract(&B, "nope", b"", 100, 0).expect_err("fails");
        assert_eq!(e.status, CallStatus::MethodNotFound);
        assert_eq!(balance(&A), 1_000);
    })
    .expect("the caller goes on");
    assert_eq!(mock::storage(b"mine"), Some(b"1".to_vec()));
    assert_eq!(mock::storage_of(B, b"k"), None);
    assert!(mock::events().is_empty());
    assert_eq!((mock::balance_of(A), mock::balance_of(B)), (1_000, 0));
}

#[test]
fn a_panicking_callee_is_trapped() {
    mock::reset();
    mock::register_contract(B, |_, _, _| panic!("callee panic"));
    mock::call(ALICE, b"", || {
        assert_eq!(
            call_contract(&B, "m", b"", 0, 0),
            Err(CallError::new(CallStatus::Trapped))
        );
    })
    .expect("the caller goes on");
}

#[test]
fn calls_that_cannot_run_leave_no_trace() {
    mock::reset();
    mock::set_address(A);
    mock::set_balance(A, 10);
    let ran = alloc::rc::Rc::new(core::cell::Cell::new(false));
    let seen = ran.clone();
    mock::register_contract(B, move |_, _, _| {
        seen.set(true);
        Ok(Vec::new())
    });
    mock::call(ALICE, b"", || {
        let status = |r: Result<Vec<u8>, CallError>| r.expect_err("fails").status;
        assert_eq!(
            status(call_contract(&[0xE; 32], "m", b"", 0, 0)),
            CallStatus::NotAContract
        );
        assert_eq!(
            status(call_contract(&B, "init", b"", 0, 0)),
            CallStatus::MethodNotFound
        );
        assert_eq!(
            status(call_contract(&B, "m", b"", 11, 0)),
            CallStatus::InsufficientBalance
        );
    })
    .expect("runs");
    assert!(!ran.get());
    assert_eq!(mock::balance_of(A), 10);
}

#[test]
fn reentrancy_sees_the_writes_made_so_far() {
    mock::reset();
    mock::set_address(A);
    // A's `peek` returns its `state`; B calls it back.
    mock::register_contract(A, |method, _, _| match method {
        "peek" => Ok(storage_read(b"state").unwrap_or_default()),
        _ => Err(CallError::new(CallStatus::MethodNotFound)),
    });
    mock::register_contract(B, |_, _, _| {
        assert_eq!(caller(), A);
        call_contract(&A, "peek", b"", 0, 0)
    });
    mock::call(ALICE, b"", || {
        storage_write(b"state", b"half-way");
        assert_eq!(call_contract(&B, "m", b"", 0, 0), Ok(b"half-way".to_vec()));
    })
    .expect("runs");
}

#[test]
fn calls_nest_to_the_depth_limit() {
    mock::reset();
    mock::set_address(A);
    // B calls itself until refused; returns the depths it reached.
    mock::register_contract(B, |_, input, _| {
        let depth = input[0];
        match call_contract(&B, "m", &[depth + 1], 0, 0) {
            Ok(deepest) => Ok(deepest),
            Err(e) => {
                assert_eq!(e.status, CallStatus::DepthExceeded);
                Ok(vec![depth])
            }
        }
    });
    let out = mock::call(ALICE, b"", || {
        set_return_data(&call_contract(&B, "m", &[1], 0, 0).expect("runs"));
    });
    assert_eq!(out, Ok(vec![MAX_CALL_DEPTH as u8]));
}

#[test]
fn forwarded_gas_bounds_the_callee() {
    mock::reset();
    mock::set_address(A);
    // Writes until it runs out.
    mock::register_contract(B, |_, _, _| loop {
        storage_write(b"k", b"v");
    });
    let write = gas::HOST_BASE + gas::STORAGE_WRITE + 2 * gas::STORAGE_WRITE_PER_BYTE;
    // Method "m": one byte.
    let call = gas::HOST_BASE + gas::CALL_CONTRACT + gas::CALL_CONTRACT_PER_BYTE;
    mock::call(ALICE, b"", || {
        let e = call_contract(&B, "m", b"", 0, 3 * write).expect_err("out of gas");
        assert_eq!(e, CallError::new(CallStatus::OutOfGas));
    })
    .expect("the caller goes on");
    // The callee used all it was given, and its writes are undone.
    assert_eq!(mock::gas_used(), call + 3 * write);
    assert_eq!(mock::storage_of(B, b"k"), None);
    // Nested: gas 0 under a limited caller forwards all but a 64th of what is left.
    mock::register_contract([0xD; 32], |_, _, _| {
        let e = call_contract(&B, "m", b"", 0, 0).expect_err("out of gas");
        assert_eq!(e.status, CallStatus::OutOfGas);
        Ok(Vec::new())
    });
    let budget = 64 * write;
    mock::call(ALICE, b"", || {
        call_contract(&[0xD; 32], "m", b"", 0, budget).expect("keeps a 64th");
    })
    .expect("runs");
    // D's output (empty) is then looked at once.
    let left = budget - call;
    assert_eq!(
        mock::gas_used(),
        call + call + (left - left / 64) + gas::HOST_BASE
    );
}

#[test]
fn revert_ends_a_top_level_call_with_its_data() {
    mock::reset();
    storage_write(b"k", b"1");
    let r = mock::call(ALICE, b"", || {
        storage_write(b"k", b"2");
        set_return_data(b"lost");
        revert(b"data");
    });
    assert_eq!(r, Err(Revert::Reverted(b"data".to_vec())));
    assert_eq!(mock::gas_used(), 50 + gas::STORAGE_WRITE + 2 * 15 + 54 + 54);
    assert_eq!(mock::storage(b"k"), Some(b"1".to_vec()));
    assert!(mock::return_data().is_empty());
    let big = vec![0u8; MAX_RETURN_DATA_LEN + 1];
    let r = mock::call(ALICE, b"", || revert(&big));
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
}

#[test]
fn transfer_moves_balances_and_fails_softly() {
    mock::reset();
    mock::set_address(A);
    mock::set_balance(A, 100);
    mock::call(ALICE, b"", || {
        assert_eq!(transfer(&B, 60), Ok(()));
        assert_eq!(transfer(&B, 41), Err(CallStatus::InsufficientBalance));
        assert_eq!(transfer(&B, 0), Ok(()));
    })
    .expect("runs");
    assert_eq!(mock::gas_used(), 3 * (gas::HOST_BASE + gas::TRANSFER));
    assert_eq!((mock::balance_of(A), mock::balance_of(B)), (40, 60));
    // Undone with a call that fails afterwards.
    let r = mock::call(ALICE, b"", || {
        transfer(&B, 40).expect("moves");
        abort("after all");
    });
    assert_eq!(r, Err(Revert::Abort("after all".into())));
    assert_eq!((mock::balance_of(A), mock::balance_of(B)), (40, 60));
}

/// CODE's `init` stores its input under `init` (aborting on "trap") and returns "made";
/// `get` returns it.
fn register_code() {
    mock::register_code(CODE, |method, input, _| match method {
        "init" => {
            if input == b"trap" {
                storage_write(b"init", input);
                abort("trap");
            }
            storage_write(b"init", input);
            storage_write(b"deployer", &caller());
            Ok(b"made".to_vec())
        }
        "get" => Ok(storage_read(b"init").unwrap_or_default()),
        _ => Err(CallError::new(CallStatus::MethodNotFound)),
    });
}

#[test]
fn instantiate_creates_a_contract_at_the_derived_address() {
    mock::reset();
    mock::set_address(A);
    mock::set_balance(A, 100);
    register_code();
    mock::call(ALICE, b"", || {
        let expected = instance_address(&A, &CODE, b"one");
        let (child, out) = instantiate(&CODE, b"one", b"hello", 30, 0);
        assert_eq!(child, expected);
        assert_eq!(out, Ok(b"made".to_vec()));
        assert_eq!(
            call_contract(&child, "get", b"", 0, 0),
            Ok(b"hello".to_vec())
        );
        // The same salt again: taken. The value comes back.
        let (again, out) = instantiate(&CODE, b"one", b"", 10, 0);
        assert_eq!(again, child);
        assert_eq!(out, Err(CallError::new(CallStatus::AddressCollision)));
        // A failing init leaves nothing behind.
        let (failed, out) = instantiate(&CODE, b"two", b"trap", 10, 0);
        assert_eq!(out, Err(CallError::new(CallStatus::Trapped)));
        assert_eq!(
            call_contract(&failed, "get", b"", 0, 0)
                .expect_err("gone")
                .status,
            CallStatus::NotAContract
        );
        let (_, out) = instantiate(&[1; 32], b"", b"", 0, 0);
        assert_eq!(out.expect_err("unknown").status, CallStatus::CodeNotFound);
        let (_, out) = instantiate(&CODE, b"three", b"", 101, 0);
        assert_eq!(
            out.expect_err("too much").status,
            CallStatus::InsufficientBalance
        );
    })
    .expect("runs");
    let child = instance_address(&A, &CODE, b"one");
    assert!(mock::is_contract(child));
    assert!(!mock::is_contract(instance_address(&A, &CODE, b"two")));
    assert_eq!(mock::storage_of(child, b"deployer"), Some(A.to_vec()));
    assert_eq!((mock::balance_of(A), mock::balance_of(child)), (70, 30));
}

#[test]
fn instantiate_gas_and_address() {
    mock::reset();
    mock::set_address(A);
    mock::register_code(CODE, |_, _, _| Ok(Vec::new()));
    mock::call(ALICE, b"", || {
        let _ = instantiate(&CODE, b"salt", b"in", 0, 0);
    })
    .expect("runs");
    // No output to read.
    assert_eq!(
        mock::gas_used(),
        gas::HOST_BASE + gas::INSTANTIATE + 6 * gas::CALL_CONTRACT_PER_BYTE + gas::HOST_BASE
    );
    let before = mock::gas_used();
    let _ = instance_address(&A, &CODE, b"salt");
    assert_eq!(
        mock::gas_used() - before,
        gas::HOST_BASE + gas::KECCAK256 + (15 + 64 + 4) * gas::KECCAK256_PER_BYTE
    );
}

#[test]
fn call_limits_are_host_errors() {
    mock::reset();
    register_b();
    register_code();
    let long_method = "m".repeat(MAX_METHOD_LEN + 1);
    let r = mock::call(ALICE, &[], || {
        let _ = call_contract(&B, &long_method, b"", 0, 0);
    });
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let big = vec![0u8; MAX_CALL_INPUT_LEN + 1];
    let r = mock::call(ALICE, &[], || {
        let _ = call_contract(&B, "write", &big, 0, 0);
    });
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || {
        let _ = instantiate(&CODE, &[0; MAX_SALT_LEN + 1], b"", 0, 0);
    });
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    let r = mock::call(ALICE, &[], || {
        let _ = instantiate(&CODE, b"", &big, 0, 0);
    });
    assert!(matches!(r, Err(Revert::HostError(_))), "{r:?}");
    // At the limits: fine.
    let method = "m".repeat(MAX_METHOD_LEN);
    let r = mock::call(ALICE, &[], || {
        let _ = call_contract(&B, &method, &big[1..], 0, 0);
        let _ = instantiate(&CODE, &[0; MAX_SALT_LEN], &big[1..], 0, 0);
    });
    assert_eq!(r, Ok(vec![]));
}
