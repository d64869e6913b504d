//! The compiled example contracts (`metron-contracts`): token and counter end to end.

use super::{TestChain, CALL_GAS};
use crate::types::{Action, Address, Receipt, ReceiptStatus, TrapCode};

const SUPPLY: u128 = 1_000_000;

fn call(
    t: &TestChain,
    from: usize,
    contract: Address,
    method: &str,
    input: Vec<u8>,
    gas: u64,
) -> Receipt {
    t.run(t.tx(
        from,
        gas,
        Action::Call {
            contract,
            method: method.into(),
            input,
            value: 0,
        },
    ))
}

fn deploy_token(t: &TestChain) -> Address {
    let r = t.run(t.tx(
        0,
        50_000_000,
        Action::Deploy {
            code: metron_contracts::TOKEN_WASM.to_vec(),
            init_input: SUPPLY.to_le_bytes().to_vec(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    // Mint event from the zero address.
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].topic, b"Transfer");
    let mut data = [0u8; 32].to_vec();
    data.extend_from_slice(&t.addr(0));
    data.extend_from_slice(&SUPPLY.to_le_bytes());
    assert_eq!(r.events[0].data, data);
    r.contract_address.expect("token address")
}

fn balance_of(t: &TestChain, token: Address, who: Address) -> u128 {
    let res = t
        .chain
        .dry_run_call(t.addr(9), token, "balance_of", who.to_vec(), 0, CALL_GAS)
        .unwrap();
    assert_eq!(res.status, ReceiptStatus::Success, "{:?}", res.error);
    u128::from_le_bytes(res.return_data.try_into().expect("16 bytes"))
}

fn transfer_input(to: Address, amount: u128) -> Vec<u8> {
    let mut v = to.to_vec();
    v.extend_from_slice(&amount.to_le_bytes());
    v
}

#[test]
fn token_deploy_transfer_and_query() {
    let t = TestChain::new();
    let token = deploy_token(&t);
    assert_eq!(balance_of(&t, token, t.addr(0)), SUPPLY);
    let res = t
        .chain
        .dry_run_call(t.addr(9), token, "total_supply", vec![], 0, CALL_GAS)
        .unwrap();
    assert_eq!(res.return_data, SUPPLY.to_le_bytes());

    let r = call(
        &t,
        0,
        token,
        "transfer",
        transfer_input(t.addr(1), 250),
        CALL_GAS,
    );
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].contract, token);
    assert_eq!(r.events[0].topic, b"Transfer");
    let mut data = t.addr(0).to_vec();
    data.extend_from_slice(&t.addr(1));
    data.extend_from_slice(&250u128.to_le_bytes());
    assert_eq!(r.events[0].data, data);
    assert_eq!(balance_of(&t, token, t.addr(0)), SUPPLY - 250);
    assert_eq!(balance_of(&t, token, t.addr(1)), 250);
    // Raw storage matches the token's key scheme.
    let mut key = b"bal".to_vec();
    key.extend_from_slice(&t.addr(1));
    assert_eq!(
        t.chain.storage(&token, &key, None).unwrap(),
        Some(250u128.to_le_bytes().to_vec())
    );

    // Insufficient balance aborts; nothing changes but the fee.
    let root_before = t.chain.state_root(None).unwrap();
    let r = call(
        &t,
        1,
        token,
        "transfer",
        transfer_input(t.addr(2), 251),
        CALL_GAS,
    );
    assert_eq!(r.status, ReceiptStatus::Trapped(TrapCode::Host));
    assert!(r.error.unwrap().contains("insufficient balance"));
    assert!(r.fee > 0);
    assert_ne!(t.chain.state_root(None).unwrap(), root_before);
    assert_eq!(balance_of(&t, token, t.addr(1)), 250);
    assert_eq!(balance_of(&t, token, t.addr(2)), 0);

    // approve + transfer_from.
    let mut input = t.addr(3).to_vec();
    input.extend_from_slice(&100u128.to_le_bytes());
    let r = call(&t, 0, token, "approve", input, CALL_GAS);
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    assert_eq!(r.events[0].topic, b"Approval");
    let mut input = t.addr(0).to_vec();
    input.extend_from_slice(&t.addr(4));
    input.extend_from_slice(&60u128.to_le_bytes());
    let r = call(&t, 3, token, "transfer_from", input, CALL_GAS);
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    assert_eq!(balance_of(&t, token, t.addr(4)), 60);
    let mut input = t.addr(0).to_vec();
    input.extend_from_slice(&t.addr(3));
    let res = t
        .chain
        .dry_run_call(t.addr(9), token, "allowance", input, 0, CALL_GAS)
        .unwrap();
    assert_eq!(res.return_data, 40u128.to_le_bytes());
}

#[test]
fn token_call_with_too_little_gas_is_out_of_gas() {
    let t = TestChain::new();
    let token = deploy_token(&t);
    let input = transfer_input(t.addr(1), 5);
    let probe = t.tx(
        0,
        0,
        Action::Call {
            contract: token,
            method: "transfer".into(),
            input: input.clone(),
            value: 0,
        },
    );
    let limit = t.chain.intrinsic_gas(&probe) + 300;
    let bal = t.chain.balance(&t.addr(0), None).unwrap();
    let r = call(&t, 0, token, "transfer", input, limit);
    assert_eq!(r.status, ReceiptStatus::OutOfGas);
    assert_eq!(r.gas_used, limit);
    assert_eq!(r.fee, u128::from(limit) * super::GAS_PRICE);
    assert_eq!(t.chain.balance(&t.addr(0), None).unwrap(), bal - r.fee);
    assert_eq!(balance_of(&t, token, t.addr(0)), SUPPLY);
    assert_eq!(balance_of(&t, token, t.addr(1)), 0);
}

#[test]
fn token_gas_is_reproducible_across_chains() {
    let run = || {
        let t = TestChain::new();
        let token = deploy_token(&t);
        let r = call(
            &t,
            0,
            token,
            "transfer",
            transfer_input(t.addr(1), 7),
            CALL_GAS,
        );
        (r.consensus_encode(), t.chain.state_root(None).unwrap())
    };
    assert_eq!(run(), run());
}

#[test]
fn counter_contract() {
    let t = TestChain::new();
    let r = t.run(t.tx(
        0,
        50_000_000,
        Action::Deploy {
            code: metron_contracts::COUNTER_WASM.to_vec(),
            init_input: 5u64.to_le_bytes().to_vec(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    let counter = r.contract_address.unwrap();
    let r = call(&t, 0, counter, "increment", vec![], CALL_GAS);
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    assert_eq!(r.return_data, 6u64.to_le_bytes());
    let r = call(
        &t,
        0,
        counter,
        "add",
        10u64.to_le_bytes().to_vec(),
        CALL_GAS,
    );
    assert_eq!(r.return_data, 16u64.to_le_bytes());
    let res = t
        .chain
        .dry_run_call(t.addr(1), counter, "get", vec![], 0, CALL_GAS)
        .unwrap();
    assert_eq!(res.return_data, 16u64.to_le_bytes());
    assert!(res.gas_used > 21_000);
}
