//! The SDK-macro examples on the chain: the escrow calling the macro-built token across
//! contracts, the factory instantiating tokens by code hash, and the NFT. Prints each
//! example's wasm size and the execution gas of its messages
//! (`cargo test -p metron-node --lib tests::examples -- --nocapture`).

use parity_scale_codec::{Decode, Encode};

use super::{TestChain, CALL_GAS};
use crate::types::{keccak256, Action, Address, Receipt, ReceiptStatus};

const SUPPLY: u128 = 1_000_000;
const GAS: u64 = 4 * CALL_GAS;

fn deploy(t: &TestChain, from: usize, code: &[u8], init: Vec<u8>) -> Address {
    let r = t.run(t.tx(
        from,
        50_000_000,
        Action::Deploy {
            code: code.to_vec(),
            init_input: init,
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    r.contract_address.expect("address")
}

/// Sends the call and prints its execution gas (receipt gas less intrinsic gas).
fn call(t: &TestChain, from: usize, to: Address, method: &str, args: impl Encode) -> Receipt {
    let stx = t.tx(
        from,
        GAS,
        Action::Call {
            contract: to,
            method: method.into(),
            input: args.encode(),
            value: 0,
        },
    );
    let intrinsic = t.chain.intrinsic_gas(&stx);
    let r = t.run(stx);
    println!(
        "  {method:<14} {:>10} gas  {}",
        r.gas_used - intrinsic,
        r.status.as_str()
    );
    r
}

fn query<T: Decode>(t: &TestChain, to: Address, method: &str, args: impl Encode) -> T {
    let r = t
        .chain
        .dry_run_call(t.addr(9), to, method, args.encode(), 0, GAS)
        .expect("dry run");
    assert_eq!(r.status, ReceiptStatus::Success, "{method}: {:?}", r.error);
    T::decode(&mut &r.return_data[..]).expect("decodes")
}

fn ok(r: &Receipt) {
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
}

#[test]
fn the_escrow_moves_tokens_across_contracts() {
    let t = TestChain::new();
    println!("escrow: {} bytes", metron_contracts::ESCROW_WASM.len());
    let token = deploy(
        &t,
        0,
        metron_contracts::MACRO_TOKEN_WASM,
        (SUPPLY,).encode(),
    );
    let escrow = deploy(&t, 0, metron_contracts::ESCROW_WASM, (token,).encode());
    let (buyer, seller) = (t.addr(0), t.addr(1));
    ok(&call(&t, 0, token, "approve", (escrow, 100u128)));
    let now = t.chain.head().1.timestamp;
    let r = call(&t, 0, escrow, "open", (seller, 60u128, now + 3_600_000));
    ok(&r);
    assert_eq!(u64::decode(&mut &r.return_data[..]), Ok(0));
    // The token's Transfer (buyer -> escrow), then the escrow's Opened.
    let topics: Vec<_> = r
        .events
        .iter()
        .map(|e| (e.contract, e.topic.clone()))
        .collect();
    assert_eq!(
        topics,
        [(token, b"Transfer".to_vec()), (escrow, b"Opened".to_vec())]
    );
    assert_eq!(query::<u128>(&t, token, "balance_of", (escrow,)), 60);
    // More than the allowance left: the token reverts, the escrow reports TokenFailed
    // (variant 3) and keeps nothing.
    let r = call(&t, 0, escrow, "open", (seller, 41u128, 0u64));
    assert_eq!(
        (r.status, r.return_data),
        (ReceiptStatus::Reverted, vec![3])
    );
    // Release by the buyer pays the seller.
    ok(&call(&t, 0, escrow, "release", (0u64,)));
    assert_eq!(query::<u128>(&t, token, "balance_of", (seller,)), 60);
    // A second deal: the buyer may refund only after the deadline.
    let now = t.chain.head().1.timestamp;
    ok(&call(&t, 0, escrow, "open", (seller, 40u128, now + 60_000)));
    let r = call(&t, 0, escrow, "refund", (1u64,));
    assert_eq!(
        (r.status, r.return_data),
        (ReceiptStatus::Reverted, vec![2])
    );
    t.chain.increase_time(120_000);
    ok(&call(&t, 0, escrow, "refund", (1u64,)));
    assert_eq!(
        query::<u128>(&t, token, "balance_of", (buyer,)),
        SUPPLY - 60
    );
    assert_eq!(query::<u128>(&t, token, "balance_of", (escrow,)), 0);
}

#[test]
fn the_factory_instantiates_tokens_by_code_hash() {
    let t = TestChain::new();
    println!("factory: {} bytes", metron_contracts::FACTORY_WASM.len());
    // Any deploy stores the token's code under its hash.
    deploy(&t, 0, metron_contracts::MACRO_TOKEN_WASM, (1u128,).encode());
    let code_hash = keccak256(metron_contracts::MACRO_TOKEN_WASM);
    let factory = deploy(&t, 0, metron_contracts::FACTORY_WASM, (code_hash,).encode());
    let r = call(&t, 2, factory, "create_token", (500u128,));
    ok(&r);
    let child = Address::decode(&mut &r.return_data[..]).expect("address");
    assert_eq!(
        child,
        crate::types::instance_address(&factory, &code_hash, &0u32.to_le_bytes())
    );
    // The child's mint to the factory, its transfer to the caller, the factory's Created.
    let topics: Vec<_> = r
        .events
        .iter()
        .map(|e| (e.contract, e.topic.clone()))
        .collect();
    assert_eq!(
        topics,
        [
            (child, b"Transfer".to_vec()),
            (child, b"Transfer".to_vec()),
            (factory, b"Created".to_vec())
        ]
    );
    assert_eq!(query::<u128>(&t, child, "balance_of", (t.addr(2),)), 500);
    assert_eq!(query::<u128>(&t, child, "balance_of", (factory,)), 0);
    ok(&call(&t, 3, factory, "create_token", (7u128,)));
    assert_eq!(query::<u32>(&t, factory, "count", ()), 2);
    // A zero supply is fine for the token: the factory passes on nothing.
    let r = call(&t, 3, factory, "create_token", (0u128,));
    ok(&r);
}

#[test]
fn the_nft_mints_transfers_and_approves() {
    let t = TestChain::new();
    println!("nft: {} bytes", metron_contracts::NFT_WASM.len());
    let nft = deploy(&t, 0, metron_contracts::NFT_WASM, Vec::new());
    let (alice, bob) = (t.addr(1), t.addr(2));
    let r = call(&t, 0, nft, "mint", (alice, "ipfs://one".to_string()));
    ok(&r);
    assert_eq!(u64::decode(&mut &r.return_data[..]), Ok(0));
    let r = call(&t, 1, nft, "mint", (alice, "ipfs://two".to_string()));
    assert_eq!(
        (r.status, r.return_data),
        (ReceiptStatus::Reverted, vec![0])
    );
    assert_eq!(
        query::<Option<String>>(&t, nft, "token_uri", (0u64,)),
        Some("ipfs://one".into())
    );
    ok(&call(&t, 1, nft, "approve", (bob, 0u64)));
    ok(&call(&t, 2, nft, "transfer", (bob, 0u64)));
    assert_eq!(
        query::<Option<Address>>(&t, nft, "owner_of", (0u64,)),
        Some(bob)
    );
    assert_eq!(query::<u64>(&t, nft, "balance_of", (alice,)), 0);
    let r = call(&t, 1, nft, "transfer", (alice, 0u64));
    assert_eq!(
        (r.status, r.return_data),
        (ReceiptStatus::Reverted, vec![3])
    );
}
