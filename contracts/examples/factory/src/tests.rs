//! Unit tests of the factory with the SDK's mock host; the token code is a mock
//! constructor that records the supply it minted to its deployer.

use std::cell::RefCell;
use std::rc::Rc;

use super::*;
use metron_sdk::abi::Dispatch;
use metron_sdk::mock::{self, Revert};
use metron_sdk::scale::{Decode, Encode};
use metron_sdk::{CallError, CallStatus};

const ALICE: Address = [0xA1; 32];
const FACTORY: Address = [0xFA; 32];
const CODE: [u8; 32] = [0xC0; 32];

/// Each instance remembers (minted to, minted) and answers `transfer` from its holder.
fn mock_token_code(log: Rc<RefCell<Vec<(Address, Address, u128)>>>) {
    mock::register_code(CODE, move |method, input, _| match method {
        "init" => {
            let (supply,) = <(u128,)>::decode(&mut &input[..]).unwrap();
            if supply == 0 {
                return Err(CallError::reverted(&[9]));
            }
            metron_sdk::storage_write(b"holder", &metron_sdk::caller());
            Ok(Vec::new())
        }
        "transfer" => {
            let (to, amount) = <(Address, u128)>::decode(&mut &input[..]).unwrap();
            let holder = metron_sdk::storage_read(b"holder").unwrap();
            assert_eq!(holder, metron_sdk::caller());
            log.borrow_mut().push((metron_sdk::address(), to, amount));
            Ok(Vec::new())
        }
        _ => Err(CallError::new(CallStatus::MethodNotFound)),
    });
}

fn call(caller: Address, message: &'static str, args: impl Encode) -> Result<Vec<u8>, Revert> {
    mock::call(caller, &args.encode(), || {
        assert!(Factory::dispatch(message), "no message {message}");
    })
}

#[test]
fn create_token_instantiates_at_the_derived_address_and_passes_the_supply_on() {
    mock::reset();
    mock::set_address(FACTORY);
    let log = Rc::new(RefCell::new(Vec::new()));
    mock_token_code(log.clone());
    call(ALICE, "init", (CODE,)).expect("init");
    let out = call(ALICE, "create_token", (500u128,)).expect("create");
    let token = Address::decode(&mut &out[..]).unwrap();
    assert_eq!(
        token,
        metron::instance_address(&FACTORY, &CODE, &0u32.to_le_bytes())
    );
    assert!(mock::is_contract(token));
    assert_eq!(*log.borrow(), [(token, ALICE, 500)]);
    // A second one gets the next salt.
    let out = call(ALICE, "create_token", (7u128,)).expect("create");
    let second = Address::decode(&mut &out[..]).unwrap();
    assert_eq!(
        second,
        metron::instance_address(&FACTORY, &CODE, &1u32.to_le_bytes())
    );
    assert_eq!(call(ALICE, "count", ()), Ok(2u32.encode()));
    assert_eq!(call(ALICE, "child", (1u32,)), Ok(Some(second).encode()));
    assert_eq!(
        call(ALICE, "child", (2u32,)),
        Ok(Option::<Address>::None.encode())
    );
}

#[test]
fn a_failing_init_is_a_typed_error_and_leaves_no_child() {
    mock::reset();
    mock::set_address(FACTORY);
    mock_token_code(Rc::new(RefCell::new(Vec::new())));
    call(ALICE, "init", (CODE,)).expect("init");
    assert_eq!(
        call(ALICE, "create_token", (0u128,)),
        Err(Revert::Reverted(Error::InstantiateFailed.encode()))
    );
    assert_eq!(call(ALICE, "count", ()), Ok(0u32.encode()));
}
