//! End to end: the NFT's own Wasm on the real chain (`metron_test`).

use metron_example_nft::{Error, Transfer};
use metron_sdk::{Address, ZERO_ADDRESS};
use metron_test::{Code, Harness};

#[test]
fn mint_approve_transfer_on_the_chain() {
    let h = Harness::new();
    let (minter, alice, bob) = (h.account(0), h.account(1), h.account(2));
    let nft = h.deploy(minter, &Code::this_crate(), &()).expect("deploys");
    let minted = h.call(minter, nft, "mint", &(alice, String::from("ipfs://one")));
    assert_eq!(minted.decode::<u64>(), Ok(0));
    let t = &minted.event::<Transfer>()[0];
    assert_eq!((t.from, t.to, t.id), (ZERO_ADDRESS, alice, 0));
    let denied = h.call(alice, nft, "mint", &(alice, String::from("x")));
    assert_eq!(denied.revert::<Error>(), Some(Error::NotMinter));
    assert_eq!(
        h.query(nft, "token_uri", &(0u64,))
            .decode::<Option<String>>(),
        Ok(Some("ipfs://one".into()))
    );
    let stolen = h.call(bob, nft, "transfer", &(bob, 0u64));
    assert_eq!(stolen.revert::<Error>(), Some(Error::NotAuthorized));
    h.call(alice, nft, "approve", &(bob, 0u64)).assert_success();
    h.call(bob, nft, "transfer", &(bob, 0u64)).assert_success();
    assert_eq!(
        h.query(nft, "owner_of", &(0u64,))
            .decode::<Option<Address>>(),
        Ok(Some(bob))
    );
    println!("{}", h.gas_report());
}
