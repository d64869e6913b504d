//! End to end: the factory's own Wasm instantiating the macro-built token's Wasm by code
//! hash on the real chain (`metron_test`).

use metron_example_factory::Created;
use metron_sdk::Address;
use metron_test::{Code, Harness};

#[test]
fn the_factory_creates_tokens_for_its_callers() {
    let h = Harness::new();
    let (alice, bob) = (h.account(0), h.account(1));
    let token_code = Code::crate_name("metron-example-macro-token");
    // A deploy stores the token's code under its hash.
    h.deploy(alice, &token_code, &(1u128,))
        .expect("token deploys");
    let code_hash = metron_sdk::keccak256(&token_code.bytes().expect("built"));
    let factory = h
        .deploy(alice, &Code::this_crate(), &(code_hash,))
        .expect("factory deploys");
    let created = h.call(bob, factory, "create_token", &(750u128,));
    let child = created.decode::<Address>().expect("an address");
    let event = &created.event::<Created>()[0];
    assert_eq!((event.token, event.owner, event.supply), (child, bob, 750));
    assert_eq!(
        h.query(child, "balance_of", &(bob,)).decode::<u128>(),
        Ok(750)
    );
    assert_eq!(h.query(factory, "count", &()).decode::<u32>(), Ok(1));
    assert_eq!(
        h.query(factory, "child", &(0u32,))
            .decode::<Option<Address>>(),
        Ok(Some(child))
    );
    println!("{}", h.gas_report());
}
