//! Unit tests of the macro-built token with the SDK's mock host: the messages run through
//! the same generated code as their wasm exports (`Dispatch`), so inputs, results, typed
//! errors, events and the payable and view rules are all checked natively.

use super::*;
use metron_sdk::abi::Dispatch;
use metron_sdk::mock::{self, Revert};
use metron_sdk::scale::{Decode, Encode};
use metron_sdk::storage::ContractState;

const ALICE: Address = [0xA1; 32];
const BOB: Address = [0xB0; 32];
const CAROL: Address = [0xC0; 32];
const TOKEN: Address = [0x70; 32];

/// Runs `message` from `caller` with SCALE-encoded `args`.
fn call(caller: Address, message: &'static str, args: impl Encode) -> Result<Vec<u8>, Revert> {
    mock::call(caller, &args.encode(), || {
        assert!(Token::dispatch(message), "no message {message}");
    })
}

fn deploy(supply: u128) {
    mock::reset();
    mock::set_address(TOKEN);
    call(ALICE, "init", (supply,)).expect("init");
}

fn balance(of: Address) -> u128 {
    let out = call(CAROL, "balance_of", (of,)).expect("balance_of");
    u128::decode(&mut &out[..]).expect("u128")
}

fn reverted(e: Error) -> Result<Vec<u8>, Revert> {
    Err(Revert::Reverted(e.encode()))
}

#[test]
fn init_mints_to_the_deployer_and_emits_a_transfer() {
    deploy(1_000);
    assert_eq!(call(BOB, "total_supply", ()), Ok(1_000u128.encode()));
    assert_eq!((balance(ALICE), balance(BOB)), (1_000, 0));
    let events = mock::events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].topic, b"Transfer");
    let t = Transfer::decode(&mut &events[0].data[..]).expect("event data");
    assert_eq!((t.from, t.to, t.amount), (ZERO_ADDRESS, ALICE, 1_000));
}

#[test]
fn transfer_moves_tokens_or_reverts_with_a_typed_error() {
    deploy(100);
    mock::take_events();
    assert_eq!(call(ALICE, "transfer", (BOB, 30u128)), Ok(Vec::new()));
    assert_eq!((balance(ALICE), balance(BOB)), (70, 30));
    assert_eq!(mock::take_events().len(), 1);
    assert_eq!(
        call(BOB, "transfer", (CAROL, 31u128)),
        reverted(Error::InsufficientBalance)
    );
    assert!(mock::events().is_empty(), "a reverted call emits nothing");
    assert_eq!((balance(BOB), balance(CAROL)), (30, 0));
    // To oneself: unchanged. All of it: the sender's entry is removed.
    assert_eq!(call(BOB, "transfer", (BOB, 30u128)), Ok(Vec::new()));
    assert_eq!(call(BOB, "transfer", (CAROL, 30u128)), Ok(Vec::new()));
    assert_eq!((balance(BOB), balance(CAROL)), (0, 30));
    let bob_key = [&b"\x20balances"[..], &BOB].concat();
    assert_eq!(mock::storage(&bob_key), None);
    let carol_key = [&b"\x20balances"[..], &CAROL].concat();
    assert_eq!(mock::storage(&carol_key), Some(30u128.encode()));
}

#[test]
fn transfer_from_spends_the_allowance() {
    deploy(100);
    assert_eq!(call(ALICE, "approve", (BOB, 40u128)), Ok(Vec::new()));
    assert_eq!(call(CAROL, "allowance", (ALICE, BOB)), Ok(40u128.encode()));
    assert_eq!(
        call(BOB, "transfer_from", (ALICE, CAROL, 41u128)),
        reverted(Error::InsufficientAllowance)
    );
    assert_eq!(
        call(BOB, "transfer_from", (ALICE, CAROL, 40u128)),
        Ok(Vec::new())
    );
    assert_eq!(call(CAROL, "allowance", (ALICE, BOB)), Ok(0u128.encode()));
    assert_eq!((balance(ALICE), balance(CAROL)), (60, 40));
}

#[test]
fn inputs_must_decode_exactly() {
    deploy(100);
    let abort = |m: &str| Err(Revert::Abort(m.into()));
    // Too short, and one byte too many.
    assert_eq!(call(ALICE, "transfer", (BOB,)), abort("bad input"));
    assert_eq!(
        call(ALICE, "transfer", (BOB, 1u128, 0u8)),
        abort("bad input")
    );
    assert_eq!(call(ALICE, "total_supply", (0u8,)), abort("bad input"));
}

#[test]
fn value_is_refused_by_messages_that_are_not_payable() {
    deploy(100);
    mock::set_balance(ALICE, 10);
    mock::set_value(5);
    assert_eq!(
        call(ALICE, "transfer", (BOB, 1u128)),
        Err(Revert::Abort("not payable".into()))
    );
}

#[test]
fn a_view_cannot_write() {
    deploy(100);
    // A view runs with the flag set; a raw write inside one aborts.
    let r = mock::call(ALICE, &[], || {
        metron_sdk::abi::enter(false, true);
        metron_sdk::storage_write(b"k", b"v");
    });
    assert_eq!(r, Err(Revert::Abort("view cannot write storage".into())));
    assert_eq!(mock::storage(b"k"), None);
}

#[test]
fn state_fields_live_under_their_scale_encoded_names() {
    let names: Vec<_> = Token::LAYOUT.iter().map(|f| (f.name, f.prefix)).collect();
    assert_eq!(
        names,
        [
            ("supply", &b"\x18supply"[..]),
            ("balances", &b"\x20balances"[..]),
            ("allowances", &b"\x28allowances"[..]),
        ]
    );
}

#[test]
fn metadata_describes_messages_events_errors_and_storage() {
    let m = metron_sdk::metadata::generate::<Token>("macro_token");
    let messages = m["messages"].as_array().expect("messages");
    let names: Vec<&str> = messages
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "init",
            "total_supply",
            "balance_of",
            "allowance",
            "transfer",
            "approve",
            "transfer_from"
        ]
    );
    let transfer = &messages[4];
    assert_eq!(transfer["kind"], "message");
    assert_eq!(transfer["args"][0]["name"], "to");
    assert_eq!(transfer["args"][1]["name"], "amount");
    assert!(transfer["error"].is_u64());
    assert!(transfer["returns"].is_null());
    assert_eq!(messages[1]["kind"], "view");
    let events = m["events"].as_array().expect("events");
    assert_eq!(events[0]["name"], "Transfer");
    assert_eq!(events[0]["topics"], serde_json_list(&["from", "to"]));
    assert_eq!(m["storage"][1]["kind"], "mapping");
    assert_eq!(m["storage"][1]["prefix"], "0x2062616c616e636573");
    // The error type's variants are in the registry.
    let text = m["types"].to_string();
    for v in ["InsufficientBalance", "InsufficientAllowance", "Overflow"] {
        assert!(text.contains(v), "{v}");
    }
}

fn serde_json_list(items: &[&str]) -> metron_sdk::metadata::Json {
    items
        .iter()
        .map(|s| metron_sdk::metadata::Json::from(*s))
        .collect()
}
