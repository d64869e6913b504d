//! Unit tests of the NFT with the SDK's mock host.

use super::*;
use metron_sdk::abi::Dispatch;
use metron_sdk::mock::{self, Revert};
use metron_sdk::scale::{Decode, Encode};

const MINTER: Address = [0x4D; 32];
const ALICE: Address = [0xA1; 32];
const BOB: Address = [0xB0; 32];

fn call(caller: Address, message: &'static str, args: impl Encode) -> Result<Vec<u8>, Revert> {
    mock::call(caller, &args.encode(), || {
        assert!(Nft::dispatch(message), "no message {message}");
    })
}

fn err(e: Error) -> Result<Vec<u8>, Revert> {
    Err(Revert::Reverted(e.encode()))
}

fn deploy() {
    mock::reset();
    mock::set_address([0x17; 32]);
    call(MINTER, "init", ()).expect("init");
}

#[test]
fn mint_transfer_approve_owner_of_and_uri() {
    deploy();
    assert_eq!(
        call(ALICE, "mint", (ALICE, "ipfs://a")),
        err(Error::NotMinter)
    );
    let id = call(MINTER, "mint", (ALICE, "ipfs://a")).expect("mint");
    assert_eq!(u64::decode(&mut &id[..]), Ok(0));
    assert_eq!(call(BOB, "owner_of", (0u64,)), Ok(Some(ALICE).encode()));
    assert_eq!(
        call(BOB, "token_uri", (0u64,)),
        Ok(Some(String::from("ipfs://a")).encode())
    );
    assert_eq!(call(BOB, "balance_of", (ALICE,)), Ok(1u64.encode()));
    // Bob may not move it until approved; the approval is used up by the transfer.
    assert_eq!(
        call(BOB, "transfer", (BOB, 0u64)),
        err(Error::NotAuthorized)
    );
    assert_eq!(call(BOB, "approve", (BOB, 0u64)), err(Error::NotOwner));
    assert_eq!(call(ALICE, "approve", (BOB, 0u64)), Ok(Vec::new()));
    assert_eq!(call(BOB, "transfer", (BOB, 0u64)), Ok(Vec::new()));
    assert_eq!(call(BOB, "owner_of", (0u64,)), Ok(Some(BOB).encode()));
    assert_eq!(
        call(BOB, "approved", (0u64,)),
        Ok(Option::<Address>::None.encode())
    );
    assert_eq!(call(BOB, "balance_of", (ALICE,)), Ok(0u64.encode()));
    assert_eq!(call(BOB, "transfer", (ALICE, 7u64)), err(Error::NotFound));
    let topics: Vec<_> = mock::events().into_iter().map(|e| e.topic).collect();
    assert_eq!(
        topics,
        [
            b"Transfer".to_vec(),
            b"Approval".to_vec(),
            b"Transfer".to_vec()
        ]
    );
}
