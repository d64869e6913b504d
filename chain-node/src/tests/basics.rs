//! Genesis, transfers, fees, rejections, restart, atomic commits, proofs.

use super::{TestChain, GAS_PRICE, TRANSFER_GAS};
use crate::dev::{dev_keys, DEV_BALANCE};
use crate::error::{ChainError, TxError};
use crate::executor::{intrinsic_gas, TX_BASE_GAS};
use crate::state::{account_key, StateRootProvider};
use crate::types::{Action, Hash, ReceiptStatus, SignedTransaction, Transaction};
use crate::{Chain, ChainConfig};
use ed25519_dalek::SigningKey;
use parity_scale_codec::Encode;

fn transfer(to: [u8; 32], amount: u128) -> Action {
    Action::Transfer { to, amount }
}

#[test]
fn genesis_is_deterministic_and_funded() {
    let a = TestChain::new();
    let b = TestChain::new();
    assert_eq!(a.chain.head(), b.chain.head());
    let (_, header) = a.chain.head();
    assert_eq!(header.height, 0);
    assert_eq!(header.timestamp, 0);
    assert_eq!(header.state_root, a.chain.state_root(None).unwrap());
    for i in 0..10 {
        assert_eq!(a.chain.balance(&a.addr(i), None).unwrap(), DEV_BALANCE);
        assert_eq!(a.chain.nonce(&a.addr(i), None).unwrap(), 0);
    }
    assert_eq!(a.chain.balance(&[0xAB; 32], None).unwrap(), 0);
    let (hash, block) = a.chain.block_by_number(0).unwrap().unwrap();
    assert_eq!(hash, a.chain.head().0);
    assert!(block.transactions.is_empty());
    assert_eq!(a.chain.block_by_hash(&hash).unwrap().unwrap().1, block);
    assert!(a.chain.block_by_number(1).unwrap().is_none());
}

#[test]
fn transfer_updates_balances_nonce_and_burns_fee() {
    let t = TestChain::new();
    let to = [7u8; 32];
    let stx = t.tx(0, TRANSFER_GAS, transfer(to, 12_345));
    let intrinsic = intrinsic_gas(&stx, stx.encode().len());
    assert!(intrinsic > TX_BASE_GAS);
    let root0 = t.chain.state_root(None).unwrap();
    let r = t.run(stx.clone());
    assert_eq!(r.status, ReceiptStatus::Success);
    assert_eq!(r.gas_used, intrinsic);
    assert_eq!(r.fee, u128::from(intrinsic) * GAS_PRICE);
    assert_eq!(r.block_height, 1);
    assert_eq!(r.index, 0);
    assert_eq!(r.tx_hash, stx.hash());
    assert_eq!(
        t.chain.balance(&t.addr(0), None).unwrap(),
        DEV_BALANCE - 12_345 - r.fee
    );
    assert_eq!(t.chain.balance(&to, None).unwrap(), 12_345);
    assert_eq!(t.chain.nonce(&t.addr(0), None).unwrap(), 1);

    // Block, header and lookups.
    let (hash, header) = t.chain.head();
    assert_eq!(header.height, 1);
    assert!(header.timestamp >= 1);
    assert_eq!(
        header.parent_hash,
        t.chain.block_by_number(0).unwrap().unwrap().0
    );
    let (h, block) = t.chain.block_by_number(1).unwrap().unwrap();
    assert_eq!(h, hash);
    assert_eq!(block.transactions, vec![stx.clone()]);
    assert_eq!(header.state_root, t.chain.state_root(None).unwrap());
    assert_ne!(header.state_root, root0);
    let (tx, loc) = t.chain.transaction(&stx.hash()).unwrap().unwrap();
    assert_eq!(tx, stx);
    assert_eq!((loc.block_height, loc.index), (1, 0));

    // History is kept.
    assert_eq!(t.chain.state_root(Some(0)).unwrap(), root0);
    assert_eq!(t.chain.balance(&t.addr(0), Some(0)).unwrap(), DEV_BALANCE);
    assert_eq!(t.chain.balance(&to, Some(0)).unwrap(), 0);
    assert_eq!(
        t.chain.balance(&to, Some(2)),
        Err(ChainError::UnknownHeight {
            requested: 2,
            head: 1
        })
    );

    // A second transfer with the next nonce works; block timestamps increase.
    let r2 = t.run(t.tx(0, TRANSFER_GAS, transfer(to, 1)));
    assert_eq!(r2.block_height, 2);
    assert!(t.chain.head().1.timestamp > header.timestamp);
    assert_eq!(t.chain.balance(&to, None).unwrap(), 12_346);
}

#[test]
fn invalid_transactions_are_rejected_without_state_change() {
    let t = TestChain::new();
    let before = t.chain.head();
    let to = [7u8; 32];

    let mut bad_sig = t.tx(0, TRANSFER_GAS, transfer(to, 1));
    bad_sig.signature[5] ^= 0xff;
    assert_eq!(t.chain.submit(bad_sig), Err(TxError::InvalidSignature));

    let mut wrong_sender = t.tx(0, TRANSFER_GAS, transfer(to, 1));
    wrong_sender.from = t.addr(1);
    assert_eq!(t.chain.submit(wrong_sender), Err(TxError::InvalidSignature));

    let wrong_chain = Transaction {
        chain_id: 1,
        nonce: 0,
        gas_limit: TRANSFER_GAS,
        gas_price: GAS_PRICE,
        action: transfer(to, 1),
    }
    .sign(&t.keys[0]);
    assert_eq!(
        t.chain.submit(wrong_chain),
        Err(TxError::WrongChainId {
            expected: 1337,
            got: 1
        })
    );

    let mut future = t.tx(0, TRANSFER_GAS, transfer(to, 1));
    future.tx.nonce = 5;
    let future = future.tx.sign(&t.keys[0]);
    assert_eq!(
        t.chain.submit(future),
        Err(TxError::BadNonce {
            expected: 0,
            got: 5
        })
    );

    let poor = SigningKey::from_bytes(&[42; 32]);
    let poor_tx = Transaction {
        chain_id: 1337,
        nonce: 0,
        gas_limit: TRANSFER_GAS,
        gas_price: GAS_PRICE,
        action: transfer(to, 1),
    }
    .sign(&poor);
    assert_eq!(
        t.chain.submit(poor_tx),
        Err(TxError::InsufficientBalance {
            need: u128::from(TRANSFER_GAS) * GAS_PRICE + 1,
            have: 0
        })
    );

    let too_much = t.tx(0, TRANSFER_GAS, transfer(to, DEV_BALANCE));
    assert!(matches!(
        t.chain.submit(too_much),
        Err(TxError::InsufficientBalance { .. })
    ));

    let low_gas = t.tx(0, TX_BASE_GAS, transfer(to, 1));
    assert!(matches!(
        t.chain.submit(low_gas),
        Err(TxError::IntrinsicGas {
            gas_limit: TX_BASE_GAS,
            ..
        })
    ));

    let high_gas = t.tx(0, u64::MAX, transfer(to, 1));
    assert!(matches!(
        t.chain.submit(high_gas),
        Err(TxError::GasLimitTooHigh { .. })
    ));

    let mut overflow = t.tx(0, TRANSFER_GAS, transfer(to, 1));
    overflow.tx.gas_price = u128::MAX;
    let overflow = overflow.tx.sign(&t.keys[0]);
    assert_eq!(t.chain.submit(overflow), Err(TxError::CostOverflow));

    let huge = t.tx(
        0,
        100_000_000,
        Action::Deploy {
            code: vec![0; 2 * 1024 * 1024],
            init_input: vec![],
        },
    );
    assert!(matches!(
        t.chain.submit(huge),
        Err(TxError::TooLarge { .. })
    ));

    // Nothing happened.
    assert_eq!(t.chain.head(), before);
    assert_eq!(t.chain.state_root(None).unwrap(), before.1.state_root);
    assert_eq!(t.chain.nonce(&t.addr(0), None).unwrap(), 0);

    // Replaying an included transaction fails on its nonce.
    let ok = t.tx(0, TRANSFER_GAS, transfer(to, 1));
    t.run(ok.clone());
    let head = t.chain.head();
    assert_eq!(
        t.chain.submit(ok),
        Err(TxError::BadNonce {
            expected: 1,
            got: 0
        })
    );
    assert_eq!(t.chain.head(), head);
}

#[test]
fn restart_resumes_at_same_head_and_root() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dev_keys(2);
    let to = keys[1].verifying_key().to_bytes();
    let (head, root) = {
        let chain = Chain::open(ChainConfig::dev(dir.path())).unwrap();
        for nonce in 0..3 {
            let stx = Transaction {
                chain_id: 1337,
                nonce,
                gas_limit: TRANSFER_GAS,
                gas_price: 1,
                action: transfer(to, 10),
            }
            .sign(&keys[0]);
            chain.submit(stx).unwrap();
        }
        (chain.head(), chain.state_root(None).unwrap())
    };
    let chain = Chain::open(ChainConfig::dev(dir.path())).unwrap();
    assert_eq!(chain.head(), head);
    assert_eq!(head.1.height, 3);
    assert_eq!(chain.state_root(None).unwrap(), root);
    assert_eq!(
        chain
            .nonce(&keys[0].verifying_key().to_bytes(), None)
            .unwrap(),
        3
    );
    assert_eq!(chain.balance(&to, None).unwrap(), DEV_BALANCE + 30);
    // Production continues from the resumed head.
    let stx = Transaction {
        chain_id: 1337,
        nonce: 3,
        gas_limit: TRANSFER_GAS,
        gas_price: 1,
        action: transfer(to, 10),
    }
    .sign(&keys[0]);
    chain.submit(stx).unwrap();
    assert_eq!(chain.head().1.parent_hash, head.0);
    drop(chain);

    // A different chain id on the same data dir is refused.
    let mut cfg = ChainConfig::dev(dir.path());
    cfg.chain_id = 7;
    assert!(matches!(
        Chain::open(cfg),
        Err(ChainError::ChainIdMismatch {
            stored: 1337,
            configured: 7
        })
    ));
}

#[test]
fn second_open_of_same_dir_fails_with_db_error() {
    let t = TestChain::new();
    match Chain::open(ChainConfig::dev(t.dir.path())) {
        Err(ChainError::Db(_)) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("second open succeeded"),
    }
}

#[test]
fn prepared_state_is_invisible_until_the_block_commits() {
    let t = TestChain::new();
    let store = &t.chain.store;
    let writes = vec![(account_key(&[9; 32]), Some(vec![1, 2, 3]))];
    let (root, _batch) = store.prepare_state(writes, 1).unwrap();
    assert_ne!(root, t.chain.state_root(None).unwrap());
    // The update batch was not written: no root at version 1, head still 0.
    assert!(store.root(1).is_err());
    assert_eq!(store.head_height().unwrap(), Some(0));
    assert_eq!(store.value(&account_key(&[9; 32]), 1).unwrap(), None);
    // The chain still produces block 1 normally.
    t.run(t.tx(0, TRANSFER_GAS, transfer([9; 32], 5)));
    assert_eq!(t.chain.head().1.height, 1);
    assert_eq!(
        store.view(1).state_root().unwrap(),
        t.chain.head().1.state_root
    );
}

#[test]
fn block_commit_is_one_batch_with_everything() {
    // After a commit every piece of the block is readable; before it none is (see above).
    let t = TestChain::new();
    let stx = t.tx(0, TRANSFER_GAS, transfer([9; 32], 5));
    let hash = t.chain.submit(stx.clone()).unwrap();
    let store = &t.chain.store;
    assert_eq!(store.head_height().unwrap(), Some(1));
    assert!(store.block(1).unwrap().is_some());
    assert_eq!(store.block_height(&t.chain.head().0).unwrap(), Some(1));
    assert!(store.receipt(&hash).unwrap().is_some());
    assert!(store.tx_location(&hash).unwrap().is_some());
    assert_eq!(store.root(1).unwrap(), t.chain.head().1.state_root);
}

#[test]
fn empty_block_keeps_state_root() {
    let t = TestChain::new();
    let root = t.chain.state_root(None).unwrap();
    let hash = t.chain.seal_empty_block().unwrap();
    let (h, header) = t.chain.head();
    assert_eq!(h, hash);
    assert_eq!(header.height, 1);
    assert_eq!(header.state_root, root);
    assert_eq!(t.chain.state_root(Some(1)).unwrap(), root);
}

#[test]
fn proofs_verify_against_state_root() {
    let t = TestChain::new();
    t.run(t.tx(0, TRANSFER_GAS, transfer([9; 32], 5)));
    let p = t.chain.prove(&[9; 32], None, None).unwrap();
    assert_eq!(p.root, t.chain.state_root(None).unwrap());
    assert!(p.value.is_some());
    p.verify().unwrap();
    // Exclusion proof.
    let p = t.chain.prove(&[8; 32], None, None).unwrap();
    assert!(p.value.is_none());
    p.verify().unwrap();
    // Historical proof: account 9 did not exist at genesis.
    let p = t.chain.prove(&[9; 32], None, Some(0)).unwrap();
    assert!(p.value.is_none());
    p.verify().unwrap();
    // A tampered value does not verify.
    let mut p = t.chain.prove(&[9; 32], None, None).unwrap();
    p.value = Some(vec![0]);
    assert!(p.verify().is_err());
    assert!(!p.proof_bytes().is_empty());
}

#[test]
fn subscribers_see_new_heads() {
    let t = TestChain::new();
    let mut rx = t.chain.subscribe_heads();
    let r = t.run(t.tx(0, TRANSFER_GAS, transfer([9; 32], 5)));
    let nh = rx.try_recv().unwrap();
    assert_eq!(nh.header.height, 1);
    assert_eq!(r.block_height, 1);
    let (head_hash, head) = t.chain.head();
    assert_eq!((nh.hash, nh.header), (head_hash, head));
}

#[test]
fn invalid_genesis_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ChainConfig::dev(dir.path());
    cfg.genesis_accounts = vec![([1; 32], 1), ([1; 32], 2)];
    assert!(matches!(
        Chain::open(cfg),
        Err(ChainError::InvalidGenesis(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = ChainConfig::dev(dir.path());
    cfg.genesis_accounts = vec![([1; 32], u128::MAX), ([2; 32], 1)];
    assert!(matches!(
        Chain::open(cfg),
        Err(ChainError::InvalidGenesis(_))
    ));
}

#[test]
fn chain_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Chain>();
}

#[test]
fn concurrent_submits_are_serialized_into_blocks() {
    let t = TestChain::new();
    let txs: Vec<_> = (0..4)
        .map(|i| t.tx(i, TRANSFER_GAS, transfer([9; 32], 1)))
        .collect();
    std::thread::scope(|s| {
        for stx in txs {
            let chain = &t.chain;
            s.spawn(move || chain.submit(stx).unwrap());
        }
    });
    assert_eq!(t.chain.head().1.height, 4);
    assert_eq!(t.chain.balance(&[9; 32], None).unwrap(), 4);
    // Each block has one transaction and chains to its parent.
    for h in 1..=4 {
        let (_, block) = t.chain.block_by_number(h).unwrap().unwrap();
        assert_eq!(block.transactions.len(), 1);
        let (parent, _) = t.chain.block_by_number(h - 1).unwrap().unwrap();
        assert_eq!(block.header.parent_hash, parent);
    }
}

/// A receipt is never visible above the head: a reader that finds a receipt and then
/// reads the head always finds the head at or above the receipt's block, while another
/// thread seals blocks as fast as it can.
#[test]
fn a_receipt_is_never_visible_before_its_block_is_the_head() {
    let t = TestChain::new();
    let to = [9; 32];
    // Sign the transactions up front, so the reader knows their hashes before they land.
    let txs: Vec<SignedTransaction> = (0..300)
        .map(|nonce| {
            Transaction {
                chain_id: t.chain.chain_id(),
                nonce,
                gas_limit: TRANSFER_GAS,
                gas_price: GAS_PRICE,
                action: transfer(to, 1),
            }
            .sign(&t.keys[0])
        })
        .collect();
    let hashes: Vec<Hash> = txs.iter().map(SignedTransaction::hash).collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            for stx in txs {
                t.chain.submit(stx).expect("submit");
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut seen = 0usize;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            for hash in &hashes {
                if let Some(r) = t.chain.receipt(hash).unwrap() {
                    let head = t.chain.head_height();
                    assert!(
                        r.block_height <= head,
                        "receipt at height {} while the head is {head}",
                        r.block_height
                    );
                    let (_, loc) = t.chain.transaction(hash).unwrap().expect("located");
                    assert_eq!(loc.block_height, r.block_height);
                    seen += 1;
                }
            }
        }
        assert!(seen > 0);
    });
}

/// The producer's clock moves forward on request (time-locked contracts can be tested)
/// and block timestamps still strictly increase.
#[test]
fn the_producer_clock_can_be_moved_forward() {
    let t = TestChain::new();
    t.chain.seal_empty_block().unwrap();
    let before = t.chain.head().1.timestamp;
    assert_eq!(t.chain.increase_time(3_600_000), 3_600_000);
    t.chain.seal_empty_block().unwrap();
    let later = t.chain.head().1.timestamp;
    assert!(later >= before + 3_600_000, "{later} vs {before}");
    t.chain.set_next_block_timestamp(later + 10).unwrap();
    t.chain.seal_empty_block().unwrap();
    assert_eq!(t.chain.head().1.timestamp, later + 10);
    // Used once: the block after is back on the (offset) clock, above the last.
    t.chain.seal_empty_block().unwrap();
    assert!(t.chain.head().1.timestamp > later + 10);
    let head = t.chain.head().1.timestamp;
    assert!(t.chain.set_next_block_timestamp(head).is_err());
}

/// The clock cannot be pushed to `u64::MAX`, where timestamps would stop increasing.
#[test]
fn the_producer_clock_stops_at_the_latest_timestamp() {
    let t = TestChain::new();
    assert_eq!(
        t.chain.increase_time(u64::MAX),
        crate::chain::MAX_TIMESTAMP_MS
    );
    assert!(t
        .chain
        .set_next_block_timestamp(crate::chain::MAX_TIMESTAMP_MS + 1)
        .is_err());
    let mut last = 0;
    for _ in 0..3 {
        t.chain.seal_empty_block().unwrap();
        let ts = t.chain.head().1.timestamp;
        assert!(ts > last && ts <= crate::chain::MAX_TIMESTAMP_MS + 3);
        last = ts;
    }
}
