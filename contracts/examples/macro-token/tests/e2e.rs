//! End to end: this crate's own Wasm (built for wasm32 by `metron_test::Code::this_crate`)
//! on the real VM and chain, with the gas a node charges. The unit tests in `src/tests.rs`
//! run the same logic natively against the SDK's mock host.

use metron_example_macro_token::{Approval, Error, Transfer};
use metron_sdk::ZERO_ADDRESS;
use metron_test::{Code, Harness};

const SUPPLY: u128 = 1_000_000;

#[test]
fn the_token_on_the_chain() {
    let h = Harness::new();
    let (alice, bob, carol) = (h.account(0), h.account(1), h.account(2));
    let deployed = h
        .deploy_outcome(alice, &Code::this_crate(), &(SUPPLY,))
        .expect("the crate builds and deploys");
    deployed.assert_success();
    let token = deployed.contract_address().expect("address");
    let mint = &deployed.event::<Transfer>()[0];
    assert_eq!(
        (mint.from, mint.to, mint.amount),
        (ZERO_ADDRESS, alice, SUPPLY)
    );

    let sent = h.call(alice, token, "transfer", &(bob, 250u128));
    sent.assert_success();
    let moved = &sent.event::<Transfer>()[0];
    assert_eq!((moved.from, moved.to, moved.amount), (alice, bob, 250));
    assert_eq!(
        h.query(token, "balance_of", &(bob,)).decode::<u128>(),
        Ok(250)
    );
    assert_eq!(
        h.query(token, "balance_of", &(alice,)).decode::<u128>(),
        Ok(SUPPLY - 250)
    );

    let overdraft = h.call(bob, token, "transfer", &(carol, 251u128));
    assert_eq!(
        overdraft.revert::<Error>(),
        Some(Error::InsufficientBalance)
    );
    assert!(overdraft.events().is_empty());

    let approved = h.call(bob, token, "approve", &(carol, 100u128));
    let approval = &approved.event::<Approval>()[0];
    assert_eq!(
        (approval.owner, approval.spender, approval.amount),
        (bob, carol, 100)
    );
    let over = h.call(carol, token, "transfer_from", &(bob, carol, 101u128));
    assert_eq!(over.revert::<Error>(), Some(Error::InsufficientAllowance));
    h.call(carol, token, "transfer_from", &(bob, carol, 100u128))
        .assert_success();
    assert_eq!(
        h.query(token, "balance_of", &(carol,)).decode::<u128>(),
        Ok(100)
    );

    let report = h.gas_report();
    println!("{report}");
    assert_eq!(report.get(&token, "transfer").map(|r| r.count), Some(2));
}
