//! The token written with the SDK's macros (`contracts/examples/macro-token`) on the
//! chain, against the hand-written one: the SCALE encodings of its arguments, results and
//! events are the hand-written token's bytes (32-byte addresses, u128 little-endian), so
//! the same transactions drive both; its typed errors revert with SCALE data; and a
//! transfer costs at most 1.5x the hand-written token's gas.

use parity_scale_codec::{Decode, Encode};

use super::{TestChain, CALL_GAS};
use crate::types::{Action, Address, Receipt, ReceiptStatus};

const SUPPLY: u128 = 1_000_000;

fn deploy(t: &TestChain, code: &[u8]) -> (Address, Receipt) {
    let r = t.run(t.tx(
        0,
        50_000_000,
        Action::Deploy {
            code: code.to_vec(),
            init_input: SUPPLY.encode(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    (r.contract_address.expect("address"), r)
}

fn call(t: &TestChain, from: usize, token: Address, method: &str, input: Vec<u8>) -> Receipt {
    t.run(t.tx(
        from,
        CALL_GAS,
        Action::Call {
            contract: token,
            method: method.into(),
            input,
            value: 0,
        },
    ))
}

/// Execution gas: the receipt's gas less the transaction's intrinsic gas.
fn exec_gas(t: &TestChain, from: usize, token: Address, method: &str, input: Vec<u8>) -> u64 {
    let stx = t.tx(
        from,
        CALL_GAS,
        Action::Call {
            contract: token,
            method: method.into(),
            input,
            value: 0,
        },
    );
    let intrinsic = t.chain.intrinsic_gas(&stx);
    let r = t.run(stx);
    assert_eq!(r.status, ReceiptStatus::Success, "{method}: {:?}", r.error);
    r.gas_used - intrinsic
}

fn balance(t: &TestChain, token: Address, who: Address) -> u128 {
    let r = t
        .chain
        .dry_run_call(t.addr(9), token, "balance_of", who.encode(), 0, CALL_GAS)
        .expect("dry run");
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    u128::decode(&mut &r.return_data[..]).expect("u128")
}

#[test]
fn the_macro_token_speaks_the_hand_written_tokens_bytes() {
    let t = TestChain::new();
    let (hand, hand_deploy) = deploy(&t, metron_contracts::TOKEN_WASM);
    let (made, made_deploy) = deploy(&t, metron_contracts::MACRO_TOKEN_WASM);
    // The mint event: same topic, same data.
    assert_eq!(made_deploy.events.len(), 1);
    assert_eq!(made_deploy.events[0].topic, hand_deploy.events[0].topic);
    assert_eq!(made_deploy.events[0].data, hand_deploy.events[0].data);
    let (bob, carol) = (t.addr(1), t.addr(2));
    for token in [hand, made] {
        let r = call(&t, 0, token, "transfer", (bob, 250u128).encode());
        assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
        assert_eq!(balance(&t, token, bob), 250);
        assert_eq!(balance(&t, token, t.addr(0)), SUPPLY - 250);
        let r = call(&t, 1, token, "approve", (carol, 100u128).encode());
        assert!(r.status.is_success());
        let r = call(&t, 2, token, "transfer_from", (bob, carol, 60u128).encode());
        assert!(r.status.is_success(), "{:?}", r.error);
        assert_eq!(balance(&t, token, carol), 60);
    }
}

#[test]
fn typed_errors_revert_with_their_scale_encoding() {
    let t = TestChain::new();
    let (token, _) = deploy(&t, metron_contracts::MACRO_TOKEN_WASM);
    let r = call(&t, 1, token, "transfer", (t.addr(2), 1u128).encode());
    assert_eq!(r.status, ReceiptStatus::Reverted);
    // `Error::InsufficientBalance` is variant 0: one byte.
    assert_eq!(r.return_data, [0]);
    assert!(r.events.is_empty());
    let r = call(
        &t,
        2,
        token,
        "transfer_from",
        (t.addr(0), t.addr(2), 1u128).encode(),
    );
    assert_eq!(
        (r.status, r.return_data),
        (ReceiptStatus::Reverted, vec![1])
    );
    // Input that does not decode is an abort, not a typed error.
    let r = call(&t, 0, token, "transfer", vec![1, 2, 3]);
    assert!(matches!(r.status, ReceiptStatus::Trapped(_)));
    assert_eq!(r.error.as_deref(), Some("aborted: bad input"));
    // A value sent to a message that is not payable.
    let r = t.run(t.tx(
        0,
        CALL_GAS,
        Action::Call {
            contract: token,
            method: "transfer".into(),
            input: (t.addr(2), 1u128).encode(),
            value: 5,
        },
    ));
    assert_eq!(r.error.as_deref(), Some("aborted: not payable"));
}

/// Execution gas per message, macro-built over hand-written, printed. A transfer costs
/// at most 1.5x, every message at most 2x. Most of the difference is the code load
/// (`CODE_LOAD_GAS_PER_BYTE` on the larger module), the same for every message.
#[test]
fn a_macro_token_transfer_costs_at_most_one_and_a_half_times_the_hand_written_one() {
    let t = TestChain::new();
    let (hand, _) = deploy(&t, metron_contracts::TOKEN_WASM);
    let (made, _) = deploy(&t, metron_contracts::MACRO_TOKEN_WASM);
    let (bob, carol) = (t.addr(1), t.addr(2));
    let messages: [(&str, usize, Vec<u8>); 5] = [
        ("transfer", 0, (bob, 1_000u128).encode()),
        ("transfer", 0, (bob, 1_000u128).encode()),
        ("approve", 1, (carol, 500u128).encode()),
        ("transfer_from", 2, (bob, carol, 200u128).encode()),
        ("balance_of", 3, bob.encode()),
    ];
    println!(
        "{:<14} {:>12} {:>12} {:>7}",
        "message", "hand (gas)", "macro (gas)", "ratio"
    );
    for (method, from, input) in messages {
        let h = exec_gas(&t, from, hand, method, input.clone());
        let m = exec_gas(&t, from, made, method, input);
        let ratio = m as f64 / h as f64;
        println!("{method:<14} {h:>12} {m:>12} {ratio:>7.3}");
        if method == "transfer" {
            assert!(m * 2 <= h * 3, "{method}: {m} vs {h}");
        }
        assert!(m <= h * 2, "{method}: {m} vs {h}");
    }
}
