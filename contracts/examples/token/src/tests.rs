//! Unit tests of the token contract against the SDK's mock host.

use super::*;
use metron_sdk::gas;
use metron_sdk::mock::{self, Revert};

const ALICE: Address = [0xA1; 32];
const BOB: Address = [0xB0; 32];
const CAROL: Address = [0xC0; 32];
const TOKEN: Address = [0x70; 32];

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn amount(a: u128) -> [u8; 16] {
    a.to_le_bytes()
}

fn call(caller: Address, method: fn(), input: &[u8]) -> Result<Vec<u8>, Revert> {
    mock::call(caller, input, method)
}

fn deploy(supply: u128) {
    mock::reset();
    mock::set_address(TOKEN);
    call(ALICE, init, &amount(supply)).unwrap();
}

fn balance(of: Address) -> u128 {
    let out = call(CAROL, balance_of, &of).unwrap();
    u128::from_le_bytes(out.try_into().unwrap())
}

fn allowance_of(owner: Address, spender: Address) -> u128 {
    let out = call(CAROL, allowance, &cat(&[&owner, &spender])).unwrap();
    u128::from_le_bytes(out.try_into().unwrap())
}

fn abort(msg: &str) -> Result<Vec<u8>, Revert> {
    Err(Revert::Abort(msg.into()))
}

#[test]
fn init_mints_to_deployer() {
    deploy(1_000);
    assert_eq!(call(BOB, total_supply, &[]), Ok(amount(1_000).to_vec()));
    assert_eq!(balance(ALICE), 1_000);
    assert_eq!(balance(BOB), 0);
    let events = mock::events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].contract, TOKEN);
    assert_eq!(events[0].topic, b"Transfer");
    assert_eq!(
        events[0].data,
        cat(&[&ZERO_ADDRESS, &ALICE, &amount(1_000)])
    );
    assert_eq!(mock::storage(b"supply"), Some(amount(1_000).to_vec()));
    assert_eq!(
        mock::storage(&cat(&[b"bal", &ALICE])),
        Some(amount(1_000).to_vec())
    );
}

#[test]
fn init_rejects_bad_input() {
    mock::reset();
    assert_eq!(call(ALICE, init, &[]), abort("bad input"));
    assert_eq!(call(ALICE, init, &[0; 17]), abort("bad input"));
    assert!(mock::storage_entries().is_empty());
}

#[test]
fn transfer_moves_tokens_and_emits_event() {
    deploy(1_000);
    mock::take_events();
    assert_eq!(
        call(ALICE, transfer, &cat(&[&BOB, &amount(300)])),
        Ok(vec![])
    );
    assert_eq!(balance(ALICE), 700);
    assert_eq!(balance(BOB), 300);
    let events = mock::take_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].topic, b"Transfer");
    assert_eq!(events[0].data, cat(&[&ALICE, &BOB, &amount(300)]));
    // Total supply is unchanged.
    assert_eq!(call(BOB, total_supply, &[]), Ok(amount(1_000).to_vec()));
}

#[test]
fn transfer_all_removes_the_key() {
    deploy(10);
    call(ALICE, transfer, &cat(&[&BOB, &amount(10)])).unwrap();
    assert_eq!(mock::storage(&cat(&[b"bal", &ALICE])), None);
    assert_eq!(balance(ALICE), 0);
    assert_eq!(balance(BOB), 10);
}

#[test]
fn transfer_to_self_keeps_balance() {
    deploy(100);
    call(ALICE, transfer, &cat(&[&ALICE, &amount(60)])).unwrap();
    assert_eq!(balance(ALICE), 100);
}

#[test]
fn transfer_insufficient_balance_reverts() {
    deploy(100);
    mock::take_events();
    assert_eq!(
        call(ALICE, transfer, &cat(&[&BOB, &amount(101)])),
        abort("insufficient balance")
    );
    assert_eq!(
        call(BOB, transfer, &cat(&[&ALICE, &amount(1)])),
        abort("insufficient balance")
    );
    assert_eq!(balance(ALICE), 100);
    assert_eq!(balance(BOB), 0);
    assert!(mock::events().is_empty());
}

#[test]
fn transfer_rejects_bad_input() {
    deploy(100);
    assert_eq!(call(ALICE, transfer, &[0; 47]), abort("bad input"));
    assert_eq!(call(ALICE, transfer, &[0; 49]), abort("bad input"));
    assert_eq!(call(ALICE, balance_of, &[0; 31]), abort("bad input"));
    assert_eq!(call(ALICE, approve, &[]), abort("bad input"));
    assert_eq!(call(ALICE, allowance, &[0; 63]), abort("bad input"));
    assert_eq!(call(ALICE, transfer_from, &[0; 81]), abort("bad input"));
}

#[test]
fn approve_and_transfer_from() {
    deploy(1_000);
    mock::take_events();
    call(ALICE, approve, &cat(&[&BOB, &amount(500)])).unwrap();
    let events = mock::take_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].topic, b"Approval");
    assert_eq!(events[0].data, cat(&[&ALICE, &BOB, &amount(500)]));
    assert_eq!(allowance_of(ALICE, BOB), 500);
    assert_eq!(allowance_of(BOB, ALICE), 0);

    // Bob moves 200 of Alice's tokens to Carol.
    call(BOB, transfer_from, &cat(&[&ALICE, &CAROL, &amount(200)])).unwrap();
    assert_eq!(balance(ALICE), 800);
    assert_eq!(balance(CAROL), 200);
    assert_eq!(allowance_of(ALICE, BOB), 300);
    let events = mock::take_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].topic, b"Transfer");
    assert_eq!(events[0].data, cat(&[&ALICE, &CAROL, &amount(200)]));

    // More than the allowance.
    assert_eq!(
        call(BOB, transfer_from, &cat(&[&ALICE, &CAROL, &amount(301)])),
        abort("insufficient allowance")
    );
    // Carol has no allowance at all.
    assert_eq!(
        call(CAROL, transfer_from, &cat(&[&ALICE, &CAROL, &amount(1)])),
        abort("insufficient allowance")
    );
    // Spending the rest removes the allowance key.
    call(BOB, transfer_from, &cat(&[&ALICE, &BOB, &amount(300)])).unwrap();
    assert_eq!(allowance_of(ALICE, BOB), 0);
    assert_eq!(mock::storage(&cat(&[b"allow", &ALICE, &BOB])), None);
}

#[test]
fn transfer_from_with_allowance_but_no_balance_reverts() {
    deploy(100);
    call(ALICE, approve, &cat(&[&BOB, &amount(1_000)])).unwrap();
    assert_eq!(
        call(BOB, transfer_from, &cat(&[&ALICE, &BOB, &amount(101)])),
        abort("insufficient balance")
    );
    // The allowance decrement was reverted with the call.
    assert_eq!(allowance_of(ALICE, BOB), 1_000);
    assert_eq!(balance(ALICE), 100);
}

#[test]
fn approve_overwrites() {
    deploy(100);
    call(ALICE, approve, &cat(&[&BOB, &amount(50)])).unwrap();
    call(ALICE, approve, &cat(&[&BOB, &amount(7)])).unwrap();
    assert_eq!(allowance_of(ALICE, BOB), 7);
    call(ALICE, approve, &cat(&[&BOB, &amount(0)])).unwrap();
    assert_eq!(allowance_of(ALICE, BOB), 0);
}

#[test]
fn receiving_overflow_aborts() {
    // Supply is u128::MAX; a balance planted directly in storage makes the sum overflow.
    deploy(u128::MAX);
    metron_sdk::storage_write(&balance_key(&BOB), &amount(1));
    assert_eq!(
        call(ALICE, transfer, &cat(&[&BOB, &amount(u128::MAX)])),
        abort("overflow")
    );
    assert_eq!(balance(ALICE), u128::MAX);
}

#[test]
fn corrupt_storage_aborts() {
    deploy(100);
    metron_sdk::storage_write(&balance_key(&BOB), &[1, 2, 3]);
    assert_eq!(call(ALICE, balance_of, &BOB), abort("corrupt storage"));
}

#[test]
fn host_gas_of_a_transfer() {
    deploy(1_000);
    call(ALICE, transfer, &cat(&[&BOB, &amount(1)])).unwrap();
    let input = 50 + (50 + 48);
    let caller = 50 + 32;
    let read = 50 + gas::STORAGE_READ + 35 + gas::STORAGE_READ_PER_BYTE * 16;
    let read_absent = 50 + gas::STORAGE_READ + 35;
    let write = 50 + gas::STORAGE_WRITE + gas::STORAGE_WRITE_PER_BYTE * (35 + 16);
    let event = 50 + gas::EMIT_EVENT + gas::EMIT_EVENT_PER_BYTE * (8 + 80);
    assert_eq!(
        mock::gas_used(),
        input + caller + read + write + read_absent + write + event
    );
}
