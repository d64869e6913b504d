//! Unit tests of the escrow with the SDK's mock host; the token is a mock contract (a
//! closure keeping balances) that records the transfers it was asked for.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::*;
use metron_sdk::abi::Dispatch;
use metron_sdk::mock::{self, Revert};
use metron_sdk::scale::{Decode, Encode};
use metron_sdk::{CallError, CallStatus};

const BUYER: Address = [0xB1; 32];
const SELLER: Address = [0x5E; 32];
const OTHER: Address = [0x07; 32];
const TOKEN: Address = [0x70; 32];
const ESCROW: Address = [0xE5; 32];

type Balances = Rc<RefCell<BTreeMap<Address, u128>>>;

/// A token that moves balances on `transfer_from(from, to, amount)` (from any caller)
/// and `transfer(to, amount)` (from the caller), and reverts on overdraft.
fn mock_token(balances: Balances) {
    mock::register_contract(TOKEN, move |method, input, _value| {
        let mut b = balances.borrow_mut();
        let (from, to, amount) = match method {
            "transfer_from" => <(Address, Address, u128)>::decode(&mut &input[..]).unwrap(),
            "transfer" => {
                let (to, amount) = <(Address, u128)>::decode(&mut &input[..]).unwrap();
                (metron_sdk::caller(), to, amount)
            }
            _ => return Err(CallError::new(CallStatus::MethodNotFound)),
        };
        let have = b.get(&from).copied().unwrap_or(0);
        if have < amount {
            return Err(CallError::reverted(&[0]));
        }
        b.insert(from, have - amount);
        *b.entry(to).or_default() += amount;
        Ok(Vec::new())
    });
}

fn call(caller: Address, message: &'static str, args: impl Encode) -> Result<Vec<u8>, Revert> {
    mock::call(caller, &args.encode(), || {
        assert!(Escrow::dispatch(message), "no message {message}");
    })
}

fn setup() -> Balances {
    mock::reset();
    mock::set_address(ESCROW);
    let balances: Balances = Rc::new(RefCell::new(BTreeMap::from([(BUYER, 100)])));
    mock_token(balances.clone());
    call(BUYER, "init", (TOKEN,)).expect("init");
    balances
}

fn err(e: Error) -> Result<Vec<u8>, Revert> {
    Err(Revert::Reverted(e.encode()))
}

#[test]
fn open_takes_the_tokens_and_release_pays_the_seller() {
    let balances = setup();
    let id = call(BUYER, "open", (SELLER, 60u128, 1_000u64)).expect("open");
    assert_eq!(u64::decode(&mut &id[..]), Ok(0));
    assert_eq!(balances.borrow()[&ESCROW], 60);
    assert_eq!(call(OTHER, "release", (0u64,)), err(Error::NotBuyer));
    assert_eq!(call(BUYER, "release", (0u64,)), Ok(Vec::new()));
    assert_eq!(balances.borrow()[&SELLER], 60);
    assert_eq!(call(BUYER, "release", (0u64,)), err(Error::NotFound));
    let topics: Vec<_> = mock::events().into_iter().map(|e| e.topic).collect();
    assert_eq!(topics, [b"Opened".to_vec(), b"Settled".to_vec()]);
}

#[test]
fn the_token_refusing_is_a_typed_error_and_nothing_is_kept() {
    let balances = setup();
    assert_eq!(
        call(BUYER, "open", (SELLER, 101u128, 0u64)),
        err(Error::TokenFailed)
    );
    assert_eq!(
        call(OTHER, "deal", (0u64,)),
        Ok(Option::<Deal>::None.encode())
    );
    assert_eq!(balances.borrow()[&BUYER], 100);
}

#[test]
fn refunds_go_to_the_buyer_from_the_seller_or_after_the_deadline() {
    let balances = setup();
    call(BUYER, "open", (SELLER, 10u128, 5_000u64)).expect("open");
    call(BUYER, "open", (SELLER, 20u128, 5_000u64)).expect("open");
    mock::set_block(1, 5_000);
    assert_eq!(call(BUYER, "refund", (0u64,)), err(Error::NotAllowed));
    assert_eq!(call(SELLER, "refund", (0u64,)), Ok(Vec::new()));
    mock::set_block(2, 5_001);
    assert_eq!(call(OTHER, "refund", (1u64,)), err(Error::NotAllowed));
    assert_eq!(call(BUYER, "refund", (1u64,)), Ok(Vec::new()));
    assert_eq!(balances.borrow()[&BUYER], 100);
}
