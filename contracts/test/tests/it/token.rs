//! The macro-built token (`metron_contracts::MACRO_TOKEN_WASM`) through the harness:
//! deploy, transfers, typed errors, decoded events, balances and the gas report.

use metron_example_macro_token::{Approval, Error, Transfer};
use metron_node::ReceiptStatus;
use metron_sdk::ZERO_ADDRESS;
use metron_test::{Code, Failure, Harness, DEPLOY};

const SUPPLY: u128 = 1_000_000;

fn token_code() -> Code {
    Code::wasm(metron_contracts::MACRO_TOKEN_WASM).named("macro-token")
}

#[test]
fn deploy_transfer_overdraft_events_and_gas_report() {
    let h = Harness::new();
    let (alice, bob, carol) = (h.account(0), h.account(1), h.account(2));

    let deployed = h.deploy_outcome(alice, &token_code(), &(SUPPLY,)).unwrap();
    deployed.assert_success();
    let token = deployed.contract_address().expect("address");
    let mint = deployed.event::<Transfer>();
    assert_eq!(mint.len(), 1);
    assert_eq!(
        (mint[0].from, mint[0].to, mint[0].amount),
        (ZERO_ADDRESS, alice, SUPPLY)
    );

    let sent = h.call(alice, token, "transfer", &(bob, 250u128));
    sent.assert_success();
    assert_eq!(sent.decode::<()>(), Ok(()));
    let transfers = sent.event::<Transfer>();
    assert_eq!(
        (transfers[0].from, transfers[0].to, transfers[0].amount),
        (alice, bob, 250)
    );
    assert!(sent.event::<Approval>().is_empty());
    assert_eq!(sent.events().len(), 1);
    assert_eq!(sent.events()[0].contract, token);
    assert_eq!(sent.receipt.as_ref().unwrap().gas_used, sent.gas_used);

    assert_eq!(
        h.query(token, "balance_of", &(bob,)).decode::<u128>(),
        Ok(250)
    );
    assert_eq!(
        h.query(token, "balance_of", &(alice,)).decode::<u128>(),
        Ok(SUPPLY - 250)
    );
    assert_eq!(
        h.query(token, "total_supply", &()).decode::<u128>(),
        Ok(SUPPLY)
    );

    // Overdraft: reverted with the typed error, no event, balances unchanged, fee paid.
    let native_before = h.balance(bob);
    let overdraft = h.call(bob, token, "transfer", &(carol, 251u128));
    assert_eq!(overdraft.status, ReceiptStatus::Reverted);
    assert_eq!(
        overdraft.revert::<Error>(),
        Some(Error::InsufficientBalance)
    );
    assert!(overdraft.events().is_empty());
    assert!(overdraft.decode::<()>().is_err());
    assert_eq!(
        h.query(token, "balance_of", &(bob,)).decode::<u128>(),
        Ok(250)
    );
    assert_eq!(
        native_before - h.balance(bob),
        u128::from(overdraft.gas_used) // gas price 1
    );

    // Allowances.
    h.call(bob, token, "approve", &(carol, 100u128))
        .assert_success();
    let spent = h.call(carol, token, "transfer_from", &(bob, carol, 60u128));
    spent.assert_success();
    let over = h.call(carol, token, "transfer_from", &(bob, carol, 41u128));
    assert_eq!(over.revert::<Error>(), Some(Error::InsufficientAllowance));
    assert_eq!(
        h.query(token, "allowance", &(bob, carol)).decode::<u128>(),
        Ok(40)
    );

    // A successful call has no typed error; bad input is a trap, not a typed error.
    assert_eq!(sent.revert::<Error>(), None);
    let garbage = h.call(alice, token, "transfer", &(1u8, 2u8));
    assert!(matches!(garbage.status, ReceiptStatus::Trapped(_)));
    assert_eq!(garbage.revert::<Error>(), None);

    let report = h.gas_report();
    println!("{report}");
    let transfer = report.get(&token, "transfer").expect("transfer row");
    assert_eq!(transfer.count, 3);
    assert!(transfer.min <= transfer.mean() && transfer.mean() <= transfer.max);
    assert_eq!(transfer.label.as_deref(), Some("macro-token"));
    for message in [
        DEPLOY,
        "balance_of",
        "total_supply",
        "approve",
        "transfer_from",
        "allowance",
    ] {
        assert!(report.get(&token, message).is_some(), "{message} missing");
    }
    assert_eq!(report.get(&token, DEPLOY).unwrap().min, deployed.gas_used);
    let table = report.to_string();
    assert!(table.contains("macro-token") && table.contains("transfer_from"));
}

#[test]
fn a_failed_deploy_is_a_failure_with_its_outcome() {
    let h = Harness::with_accounts(2);
    assert_eq!(h.accounts(), 2);
    let e = h
        .deploy(h.account(0), &Code::wasm(b"not wasm".to_vec()), &())
        .unwrap_err();
    let Failure::Failed(outcome) = e else {
        panic!("expected a failed deploy, got {e}");
    };
    assert_eq!(outcome.status, ReceiptStatus::InvalidCode);
    // A deploy that cannot pay for its gas is rejected: nothing is sealed.
    let height = h.block_height();
    h.set_gas_limit(u64::MAX);
    let e = h
        .deploy(h.account(1), &token_code(), &(SUPPLY,))
        .unwrap_err();
    assert!(matches!(e, Failure::Rejected(_)), "{e}");
    assert_eq!(h.block_height(), height);
    // A file that does not exist.
    let e = h
        .deploy(h.account(1), &Code::file("/nonexistent/x.wasm"), &())
        .unwrap_err();
    assert!(matches!(e, Failure::Build(_)), "{e}");
}
