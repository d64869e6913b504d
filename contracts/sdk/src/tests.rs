//! Unit tests of the SDK against the mock host: results, limits and host gas per Seam 2.

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
