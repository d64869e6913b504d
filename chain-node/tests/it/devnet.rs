//! The devnet's Anvil-style controls over a real node: snapshots and reverts, state
//! edits, impersonation, transaction look-ups, proofs verified by the client, dry runs at
//! past heights.

use metron_node::executor::UNSIGNED;
use metron_node::proof::{verify_state_proof, ProofError};
use metron_node::types::{Action, SignedTransaction, Transaction};
use metron_rpc::types as wire;
use metron_rpc::{codes, MetronApiClient};

use crate::common::*;

fn transfer(to: [u8; 32], amount: u128) -> Action {
    Action::Transfer { to, amount }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_deploy_transfer_revert() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    let before = c.chain_head().await.unwrap();
    let id = c.dev_snapshot().await.unwrap();
    let (_, token) = deploy(
        &c,
        metron_contracts::TOKEN_WASM,
        1_000u128.to_le_bytes().to_vec(),
    )
    .await;
    let r = send(&c, &key(1), TRANSFER_GAS, transfer(addr(5), 777)).await;
    assert_eq!(
        c.state_get_balance(wire::H256(addr(5)), None)
            .await
            .unwrap()
            .0,
        metron_node::dev::DEV_BALANCE + 777
    );
    assert!(c.chain_head().await.unwrap().height >= before.height + 2);

    assert!(c.dev_revert(id).await.unwrap());
    let after = c.chain_head().await.unwrap();
    assert_eq!(after, before, "the head is the snapshot's");
    let block = c
        .chain_get_block(wire::BlockId::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(block.header.state_root, before.state_root);
    assert_eq!(c.state_get_code(token, None).await.unwrap(), None);
    assert_eq!(c.tx_get_receipt(r.tx_hash).await.unwrap(), None);
    assert_eq!(c.chain_get_transaction(r.tx_hash).await.unwrap(), None);
    assert!(
        !c.dev_revert(id).await.unwrap(),
        "a snapshot is used up by its revert"
    );

    // The chain goes on from the snapshot.
    let r = send(&c, &key(1), TRANSFER_GAS, transfer(addr(5), 1)).await;
    assert_eq!(r.block_height, before.height + 1);

    // Reset: back to genesis.
    let genesis = c.dev_reset().await.unwrap();
    assert_eq!(genesis.height, 0);
    assert_eq!(c.chain_head().await.unwrap(), genesis);
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_edits_and_impersonation() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    // A contract's "owner" that no key controls: impersonate it.
    let owner = [0x0E; 32];
    let head = c
        .dev_set_balance(wire::H256(owner), wire::U128(10u128.pow(18)))
        .await
        .unwrap();
    assert_eq!(head, c.chain_head().await.unwrap());
    assert_eq!(
        c.state_get_balance(wire::H256(owner), None)
            .await
            .unwrap()
            .0,
        10u128.pow(18)
    );
    c.dev_set_nonce(wire::H256(owner), 4).await.unwrap();
    assert_eq!(c.state_get_nonce(wire::H256(owner), None).await.unwrap(), 4);

    let unsigned = |nonce| {
        SignedTransaction {
            from: owner,
            tx: Transaction {
                chain_id: metron_node::dev::DEV_CHAIN_ID,
                nonce,
                gas_limit: TRANSFER_GAS,
                gas_price: 1,
                action: transfer(addr(7), 5),
            },
            signature: UNSIGNED,
        }
        .to_bytes()
    };
    assert_eq!(
        rpc_err(c.tx_submit(wire::Bytes(unsigned(4)), None).await).0,
        codes::INVALID_TRANSACTION
    );
    c.dev_impersonate(wire::H256(owner)).await.unwrap();
    let hash = c.tx_submit(wire::Bytes(unsigned(4)), None).await.unwrap();
    let r = c.tx_get_receipt(hash).await.unwrap().unwrap();
    assert_eq!(r.status, wire::ExecStatus::Success);
    assert!(c.dev_stop_impersonating(wire::H256(owner)).await.unwrap());
    assert!(c.tx_submit(wire::Bytes(unsigned(5)), None).await.is_err());
    c.dev_set_auto_impersonate(true).await.unwrap();
    c.tx_submit(wire::Bytes(unsigned(5)), None).await.unwrap();
    c.dev_set_auto_impersonate(false).await.unwrap();

    // Code and storage: a counter planted at an address, starting from edited storage.
    let counter = wire::H256([0xC0; 32]);
    c.dev_set_code(
        counter,
        wire::Bytes(metron_contracts::COUNTER_WASM.to_vec()),
    )
    .await
    .unwrap();
    c.dev_set_storage(
        counter,
        wire::Bytes(b"count".to_vec()),
        Some(wire::Bytes(9u64.to_le_bytes().to_vec())),
    )
    .await
    .unwrap();
    let r = query(&c, counter, "get", vec![]).await;
    assert_eq!(r.return_data.0, 9u64.to_le_bytes().to_vec());
    c.dev_set_storage(counter, wire::Bytes(b"count".to_vec()), None)
        .await
        .unwrap();
    assert_eq!(
        query(&c, counter, "get", vec![]).await.return_data.0,
        0u64.to_le_bytes().to_vec()
    );
    assert_eq!(
        rpc_err(
            c.dev_set_code(counter, wire::Bytes(b"not wasm".to_vec()))
                .await
        )
        .0,
        codes::INVALID_CALL
    );
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_proofs_and_calls_at_a_height() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    let (_, counter) = deploy(
        &c,
        metron_contracts::COUNTER_WASM,
        5u64.to_le_bytes().to_vec(),
    )
    .await;
    let r1 = call(&c, 0, counter, "increment", vec![], CALL_GAS).await;
    let r2 = call(&c, 0, counter, "increment", vec![], CALL_GAS).await;

    // chain_getTransaction: the transaction, its block and index.
    let info = c.chain_get_transaction(r1.tx_hash).await.unwrap().unwrap();
    assert_eq!(info.transaction.hash, r1.tx_hash);
    assert_eq!(info.block_height, r1.block_height);
    assert_eq!(info.index, 0);
    let block = c
        .chain_get_block(wire::BlockId::Number(r1.block_height))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.block_hash, block.header.hash);
    assert_eq!(
        c.chain_get_transaction(wire::H256([9; 32])).await.unwrap(),
        None
    );

    // contract_call at a height sees the state after that block.
    let at = |h: u64| wire::CallRequest {
        from: None,
        contract: counter,
        method: "get".into(),
        input: wire::Bytes::default(),
        value: None,
        gas_limit: Some(CALL_GAS),
        at: Some(h),
    };
    let v = |r: wire::CallResult| u64::from_le_bytes(r.return_data.0.try_into().unwrap());
    assert_eq!(
        v(c.contract_call(at(r1.block_height - 1)).await.unwrap()),
        5
    );
    assert_eq!(v(c.contract_call(at(r1.block_height)).await.unwrap()), 6);
    assert_eq!(v(c.contract_call(at(r2.block_height)).await.unwrap()), 7);
    assert_eq!(
        rpc_err(c.contract_call(at(r2.block_height + 100)).await).0,
        codes::UNKNOWN_BLOCK
    );

    // state_getProof: verified by the client against a header's state root.
    let keys = vec![
        wire::Bytes(b"count".to_vec()),
        wire::Bytes(b"absent".to_vec()),
    ];
    let header = c
        .chain_get_block(wire::BlockId::Number(r1.block_height))
        .await
        .unwrap()
        .unwrap()
        .header;
    let proof = c
        .state_get_proof(counter, keys.clone(), Some(r1.block_height))
        .await
        .unwrap();
    let verified = verify_state_proof(&counter.0, &proof, &header.state_root.0).unwrap();
    assert_eq!(verified.height, r1.block_height);
    assert!(verified.account.unwrap().code_hash.is_some());
    assert_eq!(
        verified.storage,
        vec![
            (b"count".to_vec(), Some(6u64.to_le_bytes().to_vec())),
            (b"absent".to_vec(), None)
        ]
    );
    // An absent account is proven absent.
    let nobody = c
        .state_get_proof(wire::H256([0x77; 32]), vec![], None)
        .await
        .unwrap();
    let head = c.chain_head().await.unwrap();
    assert_eq!(
        verify_state_proof(&[0x77; 32], &nobody, &head.state_root.0)
            .unwrap()
            .account,
        None
    );

    // Tampering is caught: another value, another root, another key.
    let mut forged = proof.clone();
    forged.storage[0].proven.value = Some(wire::Bytes(1_000u64.to_le_bytes().to_vec()));
    assert!(matches!(
        verify_state_proof(&counter.0, &forged, &header.state_root.0),
        Err(ProofError::Invalid { .. })
    ));
    assert!(matches!(
        verify_state_proof(&counter.0, &proof, &head.state_root.0),
        Err(ProofError::RootMismatch { .. })
    ));
    assert!(matches!(
        verify_state_proof(&[0x77; 32], &proof, &header.state_root.0),
        Err(ProofError::WrongKey { .. })
    ));
    let too_many = vec![wire::Bytes(vec![1]); metron_rpc::MAX_PROOF_KEYS + 1];
    assert_eq!(
        rpc_err(c.state_get_proof(counter, too_many, None).await).0,
        codes::INVALID_PARAMS
    );
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estimate_then_send_with_exactly_that_limit() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let from = wire::H256(addr(0));
    let estimate = |action: wire::Action| {
        let c = c.clone();
        async move {
            c.tx_estimate_gas(wire::EstimateRequest {
                from,
                action,
                gas_cap: None,
            })
            .await
        }
    };

    // Deploy, call, transfer: each succeeds with exactly the estimate, and (but for a
    // transfer, whose limit is its intrinsic gas) runs out of gas with one unit less.
    let code = metron_contracts::COUNTER_WASM.to_vec();
    let init = 3u64.to_le_bytes().to_vec();
    let e = estimate(wire::Action::Deploy {
        code: wire::Bytes(code.clone()),
        init_input: wire::Bytes(init.clone()),
    })
    .await
    .unwrap();
    let deploy_action = || Action::Deploy {
        code: code.clone(),
        init_input: init.clone(),
    };
    let short = send(&c, &key(0), e.gas_limit - 1, deploy_action()).await;
    assert_eq!(short.status, wire::ExecStatus::OutOfGas);
    let e = estimate(wire::Action::Deploy {
        code: wire::Bytes(code.clone()),
        init_input: wire::Bytes(init.clone()),
    })
    .await
    .unwrap();
    let r = send(&c, &key(0), e.gas_limit, deploy_action()).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(r.gas_used, e.gas_used);
    let counter = r.contract_address.unwrap();

    let call = |method: &str, input: Vec<u8>| wire::Action::Call {
        contract: counter,
        method: method.into(),
        input: wire::Bytes(input),
        value: wire::U128(0),
    };
    let e = estimate(call("add", 4u64.to_le_bytes().to_vec()))
        .await
        .unwrap();
    let add = || Action::Call {
        contract: counter.0,
        method: "add".into(),
        input: 4u64.to_le_bytes().to_vec(),
        value: 0,
    };
    assert_eq!(
        send(&c, &key(0), e.gas_limit - 1, add()).await.status,
        wire::ExecStatus::OutOfGas
    );
    let r = send(&c, &key(0), e.gas_limit, add()).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(
        r.return_data.0,
        7u64.to_le_bytes().to_vec(),
        "3 + 4: the short call changed nothing"
    );

    let e = estimate(wire::Action::Transfer {
        to: wire::H256(addr(3)),
        amount: wire::U128(1),
    })
    .await
    .unwrap();
    assert_eq!(e.gas_limit, e.gas_used);
    let r = send(&c, &key(0), e.gas_limit, transfer(addr(3), 1)).await;
    assert_eq!(r.status, wire::ExecStatus::Success);

    // A call that fails at any limit (bad input traps) is an error that says why.
    let (code, msg) = rpc_err(estimate(call("add", vec![1])).await);
    assert_eq!(code, codes::INVALID_CALL);
    assert!(msg.contains("no gas limit makes it succeed"), "{msg}");
    // So is a cap above the node's.
    let err = c
        .tx_estimate_gas(wire::EstimateRequest {
            from,
            action: call("get", vec![]),
            gas_cap: Some(u64::MAX),
        })
        .await;
    assert_eq!(rpc_err(err).0, codes::LIMIT_EXCEEDED);
    node.stop().await.unwrap();
}

/// Signs a transfer of `amount` to dev account 9 from dev key `from` at `nonce`.
fn transfer_at(from: usize, nonce: u64, amount: u128) -> wire::Bytes {
    wire::Bytes(
        Transaction {
            chain_id: metron_node::dev::DEV_CHAIN_ID,
            nonce,
            gas_limit: TRANSFER_GAS,
            gas_price: 1,
            action: transfer(addr(9), amount),
        }
        .sign(&key(from))
        .to_bytes(),
    )
}

const NO_WAIT: Option<wire::SubmitOptions> = Some(wire::SubmitOptions { wait: false });

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_holds_future_nonces_and_manual_mining_takes_what_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    assert_eq!(c.dev_mining_mode().await.unwrap(), wire::MiningMode::Auto);

    // Instant seal: a future nonce waits for its turn, then both are sealed.
    // Behind a nonce gap, even a waiting submit is answered at once.
    let later = c.tx_submit(transfer_at(1, 1, 2), None).await.unwrap();
    let pending = c.tx_pending().await.unwrap();
    assert_eq!(
        pending.iter().map(|t| t.hash).collect::<Vec<_>>(),
        vec![later]
    );
    let head = c.chain_head().await.unwrap();
    let first = c.tx_submit(transfer_at(1, 0, 1), None).await.unwrap();
    let r0 = c.tx_get_receipt(first).await.unwrap().unwrap();
    assert_eq!(r0.block_height, head.height + 1);
    // The held one follows in the next block (the producer seals it right after).
    let mut r1 = None;
    for _ in 0..100 {
        r1 = c.tx_get_receipt(later).await.unwrap();
        if r1.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        r1.expect("the held transaction is sealed").block_height,
        head.height + 2
    );
    assert!(c.tx_pending().await.unwrap().is_empty());

    // Manual mining: nothing is sealed until dev_mine; one block takes every ready
    // transaction, in nonce order per sender and arrival order across senders.
    c.dev_set_automine(false).await.unwrap();
    assert_eq!(c.dev_mining_mode().await.unwrap(), wire::MiningMode::Manual);
    let head = c.chain_head().await.unwrap();
    let a2 = c.tx_submit(transfer_at(1, 2, 3), NO_WAIT).await.unwrap();
    let b0 = c.tx_submit(transfer_at(2, 0, 4), NO_WAIT).await.unwrap();
    let a3 = c.tx_submit(transfer_at(1, 3, 5), NO_WAIT).await.unwrap();
    let gap = c.tx_submit(transfer_at(2, 2, 6), NO_WAIT).await.unwrap();
    // Submitting the same transaction again is fine; another with a taken nonce is not.
    assert_eq!(
        c.tx_submit(transfer_at(1, 2, 3), NO_WAIT).await.unwrap(),
        a2
    );
    let (code, msg) = rpc_err(c.tx_submit(transfer_at(1, 2, 99), NO_WAIT).await);
    assert_eq!(code, codes::TX_REJECTED);
    assert!(msg.contains("already pending"), "{msg}");
    assert_eq!(c.chain_head().await.unwrap(), head);
    assert_eq!(c.tx_pending().await.unwrap().len(), 4);

    let mined = c.dev_mine(Some(1)).await.unwrap();
    assert_eq!(mined.height, head.height + 1);
    let block = c
        .chain_get_block(wire::BlockId::Number(mined.height))
        .await
        .unwrap()
        .unwrap();
    let order: Vec<_> = block.transactions.iter().map(|t| t.hash).collect();
    assert_eq!(order, vec![a2, b0, a3]);
    // Account 2's nonce-2 transaction waits for a nonce 1 that never came: drop it.
    let pending = c.tx_pending().await.unwrap();
    assert_eq!(
        pending.iter().map(|t| t.hash).collect::<Vec<_>>(),
        vec![gap]
    );
    assert!(c.dev_drop_transaction(gap).await.unwrap());
    assert!(!c.dev_drop_transaction(gap).await.unwrap());
    assert!(c.tx_pending().await.unwrap().is_empty());

    // A waiting submitter learns that its transaction was dropped.
    let waiting = {
        let c = c.clone();
        tokio::spawn(async move { c.tx_submit(transfer_at(3, 0, 7), None).await })
    };
    let mut hash = None;
    for _ in 0..100 {
        if let Some(t) = c.tx_pending().await.unwrap().first() {
            hash = Some(t.hash);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(c
        .dev_drop_transaction(hash.expect("pending"))
        .await
        .unwrap());
    let (code, msg) = rpc_err(waiting.await.unwrap());
    assert_eq!(code, codes::TX_REJECTED);
    assert!(msg.contains("dropped"), "{msg}");
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interval_mining_seals_on_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    c.dev_set_interval_mining(100).await.unwrap();
    assert_eq!(
        c.dev_mining_mode().await.unwrap(),
        wire::MiningMode::Interval { ms: 100 }
    );
    let start = c.chain_head().await.unwrap();
    // A waiting submit returns once an interval block includes it.
    let hash = c.tx_submit(transfer_at(4, 0, 1), None).await.unwrap();
    let r = c.tx_get_receipt(hash).await.unwrap().unwrap();
    assert!(r.block_height > start.height);
    // Empty blocks keep coming.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let later = c.chain_head().await.unwrap();
    assert!(
        later.height >= r.block_height + 2,
        "{} then {}",
        r.block_height,
        later.height
    );
    // Interval 0 stops mining; automine brings instant seal back.
    c.dev_set_interval_mining(0).await.unwrap();
    let stopped = c.chain_head().await.unwrap().height;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(c.chain_head().await.unwrap().height, stopped);
    c.dev_set_automine(true).await.unwrap();
    let r = send(&c, &key(4), TRANSFER_GAS, transfer(addr(9), 1)).await;
    assert_eq!(r.block_height, stopped + 1);
    node.stop().await.unwrap();
}

/// Anvil's time travel on a time-locked contract: the escrow's buyer may take the tokens
/// back only after the deadline; `dev_increaseTime` gets there without waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn increase_time_then_a_time_locked_call_succeeds() {
    use parity_scale_codec::Encode;
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (_, token) = deploy(
        &c,
        metron_contracts::MACRO_TOKEN_WASM,
        (1_000u128,).encode(),
    )
    .await;
    let (_, escrow) = deploy(&c, metron_contracts::ESCROW_WASM, (token.0,).encode()).await;
    let ok = |r: &wire::Receipt| assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    ok(&call(
        &c,
        0,
        token,
        "approve",
        (escrow.0, 100u128).encode(),
        CALL_GAS,
    )
    .await);
    let head = c.chain_head().await.unwrap();
    let deadline = head.timestamp + 3_600_000;
    let r = call(
        &c,
        0,
        escrow,
        "open",
        (addr(1), 100u128, deadline).encode(),
        CALL_GAS,
    )
    .await;
    ok(&r);
    // An Ok result is returned as its value (an Err reverts).
    let id = <u64 as parity_scale_codec::Decode>::decode(&mut &r.return_data.0[..]).unwrap();
    let balance = |who: [u8; 32]| {
        let c = c.clone();
        async move {
            let r = query(&c, token, "balance_of", (who,).encode()).await;
            <u128 as parity_scale_codec::Decode>::decode(&mut &r.return_data.0[..]).unwrap()
        }
    };
    assert_eq!(balance(addr(0)).await, 900);

    // Before the deadline the buyer may not take the tokens back.
    let early = call(&c, 0, escrow, "refund", (id,).encode(), CALL_GAS).await;
    assert_eq!(early.status, wire::ExecStatus::Reverted, "{early:?}");
    assert_eq!(balance(addr(0)).await, 900);

    // Two hours later (by the chain's clock) it may.
    c.dev_increase_time(2 * 3_600_000).await.unwrap();
    let late = call(&c, 0, escrow, "refund", (id,).encode(), CALL_GAS).await;
    ok(&late);
    assert!(late.block_height > early.block_height);
    assert_eq!(balance(addr(0)).await, 1_000);
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_impersonation_accepts_every_sender_unsigned_and_survives_a_reset() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = metron_node::service::NodeConfig::test(dir.path());
    config.auto_impersonate = true;
    let node = metron_node::service::Node::start(config).await.unwrap();
    let c = client(&node);
    let unsigned = |from: [u8; 32]| {
        wire::Bytes(
            SignedTransaction {
                from,
                tx: Transaction {
                    chain_id: metron_node::dev::DEV_CHAIN_ID,
                    nonce: 0,
                    gas_limit: TRANSFER_GAS,
                    gas_price: 1,
                    action: transfer(addr(8), 1),
                },
                signature: UNSIGNED,
            }
            .to_bytes(),
        )
    };
    // A dev account sends without its key.
    let hash = c.tx_submit(unsigned(addr(3)), None).await.unwrap();
    assert_eq!(
        c.tx_get_receipt(hash).await.unwrap().unwrap().status,
        wire::ExecStatus::Success
    );
    // A reset keeps the node's setting.
    c.dev_reset().await.unwrap();
    c.tx_submit(unsigned(addr(3)), None).await.unwrap();
    node.stop().await.unwrap();
}
