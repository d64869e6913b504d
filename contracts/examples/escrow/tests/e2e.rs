//! End to end: the escrow's own Wasm calling the macro-built token's Wasm on the real
//! chain (`metron_test`), with time travel for the refund deadline.

use metron_example_escrow::{Deal, Error, Opened, Settled};
use metron_test::{Code, Harness};

#[test]
fn the_escrow_holds_releases_and_refunds_token_payments() {
    let h = Harness::new();
    let (buyer, seller) = (h.account(0), h.account(1));
    let token = h
        .deploy(
            buyer,
            &Code::crate_name("metron-example-macro-token"),
            &(1_000u128,),
        )
        .expect("token deploys");
    let escrow = h
        .deploy(buyer, &Code::this_crate(), &(token,))
        .expect("escrow deploys");
    h.call(buyer, token, "approve", &(escrow, 500u128))
        .assert_success();
    let deadline = h.block_timestamp() + 60_000;
    let opened = h.call(buyer, escrow, "open", &(seller, 300u128, deadline));
    assert_eq!(opened.decode::<u64>(), Ok(0));
    assert_eq!(opened.event::<Opened>()[0].deal.amount, 300);
    assert_eq!(
        h.query(escrow, "deal", &(0u64,)).decode::<Option<Deal>>(),
        Ok(Some(Deal {
            buyer,
            seller,
            amount: 300,
            deadline_ms: deadline
        }))
    );
    // Past the allowance: the token refuses and the escrow says so.
    let refused = h.call(buyer, escrow, "open", &(seller, 201u128, deadline));
    assert_eq!(refused.revert::<Error>(), Some(Error::TokenFailed));
    // The seller is paid on release.
    h.call(buyer, escrow, "release", &(0u64,)).assert_success();
    assert_eq!(
        h.query(token, "balance_of", &(seller,)).decode::<u128>(),
        Ok(300)
    );
    // A refund before the deadline is refused to the buyer, allowed after it.
    h.call(
        buyer,
        escrow,
        "open",
        &(seller, 100u128, h.block_timestamp() + 60_000),
    )
    .assert_success();
    let early = h.call(buyer, escrow, "refund", &(1u64,));
    assert_eq!(early.revert::<Error>(), Some(Error::NotAllowed));
    h.increase_time(120_000);
    let refunded = h.call(buyer, escrow, "refund", &(1u64,));
    assert!(!refunded.event::<Settled>()[0].released);
    assert_eq!(
        h.query(token, "balance_of", &(buyer,)).decode::<u128>(),
        Ok(700)
    );
    println!("{}", h.gas_report());
}
