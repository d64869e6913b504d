//! Devnet controls: snapshots and reverts, reset, state edits, impersonation.

use super::{TestChain, CALL_GAS, GAS_PRICE, TRANSFER_GAS};
use crate::control::StateEdit;
use crate::error::{ChainError, TxError};
use crate::executor::UNSIGNED;
use crate::state::AccountReader;
use crate::types::{Action, ReceiptStatus, SignedTransaction, Transaction};
use crate::{Chain, ChainConfig};

fn transfer(to: [u8; 32], amount: u128) -> Action {
    Action::Transfer { to, amount }
}

fn deploy_counter(t: &TestChain, start: u64) -> [u8; 32] {
    let r = t.run(t.tx(
        0,
        50_000_000,
        Action::Deploy {
            code: metron_contracts::COUNTER_WASM.to_vec(),
            init_input: start.to_le_bytes().to_vec(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    r.contract_address.expect("address")
}

#[test]
fn revert_restores_the_snapshot_and_the_next_blocks_build_on_it() {
    let t = TestChain::new();
    t.run(t.tx(1, TRANSFER_GAS, transfer([7; 32], 5)));
    let (snap_hash, snap_header) = t.chain.head();
    let id = t.chain.snapshot();

    // Blocks past the snapshot: a new account, a contract with storage, balances.
    let fresh = [0xA1; 32];
    let r = t.run(t.tx(0, TRANSFER_GAS, transfer(fresh, 1_000)));
    let dropped_tx = r.tx_hash;
    let counter = deploy_counter(&t, 41);
    assert!(t.chain.storage(&counter, b"count", None).unwrap().is_some());
    t.chain.seal_empty_block().unwrap();
    assert_eq!(t.chain.head_height(), snap_header.height + 3);

    assert!(t.chain.revert_to_snapshot(id).unwrap());
    assert_eq!(t.chain.head(), (snap_hash, snap_header.clone()));
    assert_eq!(
        t.chain.state_root(None).unwrap(),
        snap_header.state_root,
        "the trie's root at the head is the snapshot's"
    );
    assert_eq!(t.chain.balance(&fresh, None).unwrap(), 0);
    assert_eq!(t.chain.code(&counter, None).unwrap(), None);
    assert_eq!(t.chain.storage(&counter, b"count", None).unwrap(), None);
    assert_eq!(t.chain.nonce(&t.addr(0), None).unwrap(), 0);
    assert!(t.chain.receipt(&dropped_tx).unwrap().is_none());
    assert!(t.chain.transaction(&dropped_tx).unwrap().is_none());
    assert!(t
        .chain
        .block_by_number(snap_header.height + 1)
        .unwrap()
        .is_none());

    // The used-up id and later ones are gone; an unknown id changes nothing.
    assert!(!t.chain.revert_to_snapshot(id).unwrap());
    assert!(!t.chain.revert_to_snapshot(99).unwrap());

    // New blocks at the reverted heights: reads at those heights see only the new
    // writes (no value of a removed block survives at its height).
    let other = [0xB2; 32];
    let r = t.run(t.tx(0, TRANSFER_GAS, transfer(other, 3)));
    assert_eq!(r.block_height, snap_header.height + 1);
    let h = Some(r.block_height);
    assert_eq!(t.chain.balance(&fresh, h).unwrap(), 0);
    assert_eq!(t.chain.balance(&other, h).unwrap(), 3);
    let counter_again = deploy_counter(&t, 7);
    assert_eq!(
        counter_again, counter,
        "same deployer and nonce, same address"
    );
    assert_eq!(
        t.chain.storage(&counter, b"count", None).unwrap(),
        Some(7u64.to_le_bytes().to_vec())
    );

    // The same transactions on a chain that never forked give the same state.
    let u = TestChain::new();
    u.run(u.tx(1, TRANSFER_GAS, transfer([7; 32], 5)));
    u.run(u.tx(0, TRANSFER_GAS, transfer(other, 3)));
    deploy_counter(&u, 7);
    assert_eq!(
        u.chain.state_root(None).unwrap(),
        t.chain.state_root(None).unwrap()
    );

    // A reverted chain reopens: its head and state root are consistent on disk.
    let root = t.chain.state_root(None).unwrap();
    let head = t.chain.head();
    let TestChain { chain, dir, .. } = t;
    drop(chain);
    let chain = Chain::open(ChainConfig::dev(dir.path())).unwrap();
    assert_eq!(chain.head(), head);
    assert_eq!(chain.state_root(None).unwrap(), root);
}

#[test]
fn nested_snapshots_and_reset() {
    let t = TestChain::new();
    let genesis = t.chain.head();
    let a = t.chain.snapshot();
    t.run(t.tx(0, TRANSFER_GAS, transfer([1; 32], 1)));
    let b = t.chain.snapshot();
    let at_b = t.chain.head();
    t.run(t.tx(0, TRANSFER_GAS, transfer([1; 32], 1)));
    let c = t.chain.snapshot();
    t.chain.increase_time(3_600_000);
    t.run(t.tx(0, TRANSFER_GAS, transfer([1; 32], 1)));

    assert!(t.chain.revert_to_snapshot(b).unwrap());
    assert_eq!(t.chain.head(), at_b);
    assert!(
        !t.chain.revert_to_snapshot(c).unwrap(),
        "later ids are used up"
    );
    assert_eq!(t.chain.increase_time(0), 0, "the clock is the snapshot's");
    assert!(
        t.chain.revert_to_snapshot(a).unwrap(),
        "earlier ids still hold"
    );
    assert_eq!(t.chain.head(), genesis);

    t.run(t.tx(0, TRANSFER_GAS, transfer([1; 32], 1)));
    t.chain.snapshot();
    t.chain.reset().unwrap();
    assert_eq!(t.chain.head(), genesis);
    assert_eq!(t.chain.balance(&[1; 32], None).unwrap(), 0);
    assert!(!t.chain.revert_to_snapshot(a).unwrap());
}

#[test]
fn state_edits_are_sealed_in_a_block_and_checked_first() {
    let t = TestChain::new();
    let who = [0xC3; 32];
    let before = t.chain.head_height();
    let counter = [0xD4; 32];
    t.chain
        .edit_state(&[
            StateEdit::Balance {
                address: who,
                balance: 12_345,
            },
            StateEdit::Nonce {
                address: who,
                nonce: 9,
            },
            StateEdit::Code {
                address: counter,
                code: metron_contracts::COUNTER_WASM.to_vec(),
            },
            StateEdit::Storage {
                address: counter,
                key: b"count".to_vec(),
                value: Some(40u64.to_le_bytes().to_vec()),
            },
        ])
        .unwrap();
    let (_, head) = t.chain.head();
    assert_eq!(head.height, before + 1);
    assert_eq!(head.state_root, t.chain.state_root(None).unwrap());
    assert_eq!(t.chain.balance(&who, None).unwrap(), 12_345);
    assert_eq!(t.chain.nonce(&who, None).unwrap(), 9);
    assert_eq!(
        t.chain.code(&counter, None).unwrap().as_deref(),
        Some(metron_contracts::COUNTER_WASM)
    );
    // The edited contract runs on its edited storage.
    let r = t.run(t.tx(
        0,
        CALL_GAS,
        Action::Call {
            contract: counter,
            method: "increment".into(),
            input: vec![],
            value: 0,
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    assert_eq!(r.return_data, 41u64.to_le_bytes().to_vec());

    // Bad code: an error, and no edit of the batch is applied.
    let height = t.chain.head_height();
    let err = t
        .chain
        .edit_state(&[
            StateEdit::Balance {
                address: who,
                balance: 1,
            },
            StateEdit::Code {
                address: who,
                code: b"\0asm not wasm".to_vec(),
            },
        ])
        .unwrap_err();
    assert!(
        matches!(err, ChainError::InvalidCall(ref m) if m.contains("invalid code")),
        "{err}"
    );
    assert_eq!(t.chain.head_height(), height);
    assert_eq!(t.chain.balance(&who, None).unwrap(), 12_345);

    // Empty code makes the contract a plain account; a zero balance deletes the account.
    t.chain
        .edit_state(&[StateEdit::Code {
            address: counter,
            code: Vec::new(),
        }])
        .unwrap();
    assert_eq!(t.chain.code(&counter, None).unwrap(), None);
    t.chain
        .edit_state(&[
            StateEdit::Balance {
                address: who,
                balance: 0,
            },
            StateEdit::Nonce {
                address: who,
                nonce: 0,
            },
        ])
        .unwrap();
    assert_eq!(t.chain.state_at(None).unwrap().account(&who).unwrap(), None);
}

#[test]
fn impersonated_senders_need_no_signature() {
    let t = TestChain::new();
    // A contract address: no key exists for it at all.
    let owner = [0xE5; 32];
    t.chain
        .edit_state(&[StateEdit::Balance {
            address: owner,
            balance: 10_u128.pow(18),
        }])
        .unwrap();
    let unsigned = |nonce| SignedTransaction {
        from: owner,
        tx: Transaction {
            chain_id: t.chain.chain_id(),
            nonce,
            gas_limit: TRANSFER_GAS,
            gas_price: GAS_PRICE,
            action: transfer([0xF6; 32], 77),
        },
        signature: UNSIGNED,
    };
    let err = t.chain.submit(unsigned(0)).unwrap_err();
    assert!(
        matches!(err, TxError::InvalidPublicKey | TxError::InvalidSignature),
        "{err}"
    );

    t.chain.executor.impersonation.start(owner);
    let r = t.run(unsigned(0));
    assert_eq!(r.status, ReceiptStatus::Success);
    assert_eq!(t.chain.balance(&[0xF6; 32], None).unwrap(), 77);

    // A wrong non-zero signature is still refused for an impersonated sender.
    let mut forged = unsigned(1);
    forged.signature[0] = 1;
    assert!(t.chain.submit(forged).is_err());

    assert!(t.chain.executor.impersonation.stop(&owner));
    assert!(t.chain.submit(unsigned(1)).is_err());
    t.chain.executor.impersonation.set_all(true);
    t.run(unsigned(1));
    t.chain.executor.impersonation.set_all(false);
    assert!(t.chain.submit(unsigned(2)).is_err());
}
