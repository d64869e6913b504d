//! The token contract end to end: deploy with a supply, transfer between dev accounts,
//! read balances with `contract_call`, check receipts and events, then restart the node on
//! the same data dir and check that head, state root and balances survived.

use metron_contracts::TOKEN_WASM;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use crate::common::*;

const SUPPLY: u128 = 1_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_deploy_transfer_restart() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (a0, a1) = (addr(0), addr(1));
    let native_before = balance(&c, a0).await;

    // Deploy with the initial supply: minted to the deployer, Transfer from zero.
    let (deploy, token) = deploy(&c, TOKEN_WASM, SUPPLY.to_le_bytes().to_vec()).await;
    assert!(deploy.gas_used > 0);
    assert_eq!(deploy.fee.0, u128::from(deploy.gas_used));
    assert_eq!(deploy.events.len(), 1);
    let mint = &deploy.events[0];
    assert_eq!(mint.contract, token);
    assert_eq!(mint.topic.0, b"Transfer");
    let mut expected = vec![0u8; 32];
    expected.extend_from_slice(&a0);
    expected.extend_from_slice(&SUPPLY.to_le_bytes());
    assert_eq!(mint.data.0, expected);
    let code = c
        .state_get_code(token, None)
        .await
        .unwrap()
        .expect("code stored");
    assert_eq!(code.0, TOKEN_WASM);

    // Transfer 250 from account 0 to account 1.
    let mut input = a1.to_vec();
    input.extend_from_slice(&250u128.to_le_bytes());
    let r = call(&c, 0, token, "transfer", input, CALL_GAS).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert!(r.gas_used > 0 && r.gas_used < CALL_GAS);
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].contract, token);
    assert_eq!(r.events[0].topic.0, b"Transfer");
    let mut expected = a0.to_vec();
    expected.extend_from_slice(&a1);
    expected.extend_from_slice(&250u128.to_le_bytes());
    assert_eq!(r.events[0].data.0, expected);
    assert!(r.contract_address.is_none());

    // Balances through the read-only dry run, which changes nothing.
    let head_before_query = c.chain_head().await.unwrap();
    assert_eq!(token_balance(&c, token, a0).await, SUPPLY - 250);
    assert_eq!(token_balance(&c, token, a1).await, 250);
    let supply = query(&c, token, "total_supply", vec![]).await;
    assert_eq!(supply.return_data.0, SUPPLY.to_le_bytes());
    assert!(supply.gas_used > 0);
    assert_eq!(c.chain_head().await.unwrap(), head_before_query);

    // Storage is readable directly, and at a past height.
    let mut key = b"bal".to_vec();
    key.extend_from_slice(&a1);
    let v = c
        .state_get_storage(token, wire::Bytes(key.clone()), None)
        .await
        .unwrap();
    assert_eq!(v.map(|b| b.0), Some(250u128.to_le_bytes().to_vec()));
    let before = c
        .state_get_storage(token, wire::Bytes(key), Some(deploy.block_height))
        .await
        .unwrap();
    assert_eq!(before, None);

    // Fees: the native balance dropped by exactly the two fees.
    let native_after = balance(&c, a0).await;
    assert_eq!(native_before - native_after, deploy.fee.0 + r.fee.0);
    assert_eq!(c.state_get_nonce(wire::H256(a0), None).await.unwrap(), 2);

    // Blocks by number and by hash agree and contain the transaction.
    let head = c.chain_head().await.unwrap();
    assert_eq!(head.height, r.block_height);
    let by_num = c
        .chain_get_block(head.height.into())
        .await
        .unwrap()
        .unwrap();
    let by_hash = c.chain_get_block(head.hash.into()).await.unwrap().unwrap();
    assert_eq!(by_num, by_hash);
    assert_eq!(by_num.transactions.len(), 1);
    assert_eq!(by_num.transactions[0].hash, r.tx_hash);
    assert!(
        matches!(by_num.transactions[0].action, wire::Action::Call { ref method, .. } if method == "transfer")
    );
    let latest = c
        .chain_get_block(wire::BlockId::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.header, head);
    assert!(c
        .chain_get_block((head.height + 1).into())
        .await
        .unwrap()
        .is_none());

    // Restart on the same data dir.
    let root = head.state_root;
    node.stop().await.expect("clean stop");
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let head2 = c.chain_head().await.unwrap();
    assert_eq!(head2, head);
    assert_eq!(head2.state_root, root);
    assert_eq!(token_balance(&c, token, a0).await, SUPPLY - 250);
    assert_eq!(token_balance(&c, token, a1).await, 250);
    assert_eq!(balance(&c, a0).await, native_after);
    let receipt = c
        .tx_get_receipt(r.tx_hash)
        .await
        .unwrap()
        .expect("receipt persisted");
    assert_eq!(receipt, r);

    // The chain continues from where it stopped.
    let mut input = a0.to_vec();
    input.extend_from_slice(&50u128.to_le_bytes());
    let r = call(&c, 1, token, "transfer", input, CALL_GAS).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(r.block_height, head.height + 1);
    assert_eq!(token_balance(&c, token, a1).await, 200);
    node.stop().await.expect("clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_abort_reverts_and_charges_fee() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (_, token) = deploy(&c, TOKEN_WASM, 100u128.to_le_bytes().to_vec()).await;

    // Account 1 holds no tokens: transfer aborts with "insufficient balance".
    let before = balance(&c, addr(1)).await;
    let mut input = addr(0).to_vec();
    input.extend_from_slice(&5u128.to_le_bytes());
    let r = call(&c, 1, token, "transfer", input, CALL_GAS).await;
    assert_eq!(r.status, wire::ExecStatus::Trapped, "{r:?}");
    assert_eq!(r.trap.as_deref(), Some("host"));
    assert!(
        r.error
            .as_deref()
            .unwrap_or("")
            .contains("insufficient balance"),
        "{r:?}"
    );
    assert!(r.events.is_empty());
    assert_eq!(balance(&c, addr(1)).await, before - r.fee.0);
    assert_eq!(token_balance(&c, token, addr(0)).await, 100);
    node.stop().await.unwrap();
}
