//! RPC surface: dev accounts, error codes, parameter forms, transport caps (batch size,
//! body size) and the new-head subscription over WebSocket.

use metron_node::types::Action;
use metron_rpc::codes;
use metron_rpc::error::call_error;
use metron_rpc::jsonrpsee::core::client::{BatchResponse, ClientT};
use metron_rpc::jsonrpsee::core::params::BatchRequestBuilder;
use metron_rpc::jsonrpsee::http_client::HttpClientBuilder;
use metron_rpc::jsonrpsee::rpc_params;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_and_error_codes() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    // Dev accounts: the well-known keys, each funded.
    let accounts = c.dev_accounts().await.unwrap();
    assert_eq!(accounts.len(), 10);
    for (i, a) in accounts.iter().enumerate() {
        assert_eq!(a.index as usize, i);
        assert_eq!(a.address.0, addr(i));
        assert_eq!(a.secret_key.0, key(i).to_bytes());
        assert_eq!(
            balance(&c, a.address.0).await,
            metron_node::dev::DEV_BALANCE
        );
    }
    assert_eq!(c.chain_id().await.unwrap(), 1337);

    // Genesis is block 0.
    let genesis = c.chain_get_block(0.into()).await.unwrap().unwrap();
    assert_eq!(genesis.header.height, 0);
    assert!(genesis.transactions.is_empty());

    // State above the head is an error; an unknown account is zero.
    let e = c
        .state_get_balance(wire::H256(addr(0)), Some(99))
        .await
        .unwrap_err();
    assert_eq!(call_error(&e).unwrap().code(), codes::UNKNOWN_BLOCK);
    assert_eq!(balance(&c, [7; 32]).await, 0);
    assert_eq!(
        c.state_get_code(wire::H256([7; 32]), None).await.unwrap(),
        None
    );

    // contract_call on an address without code.
    let e = c
        .contract_call(wire::CallRequest {
            from: None,
            contract: wire::H256([7; 32]),
            method: "get".into(),
            input: wire::Bytes::default(),
            value: None,
            gas_limit: None,
            at: None,
        })
        .await
        .unwrap_err();
    assert_eq!(call_error(&e).unwrap().code(), codes::CONTRACT_NOT_FOUND);

    // Malformed params are JSON-RPC invalid params (-32602).
    let e = c
        .request::<serde_json::Value, _>("chain_getBlock", rpc_params!["0x12"])
        .await
        .unwrap_err();
    assert_eq!(call_error(&e).unwrap().code(), codes::INVALID_PARAMS);
    let e = c
        .request::<serde_json::Value, _>("state_getBalance", rpc_params!["0xzz"])
        .await
        .unwrap_err();
    assert_eq!(call_error(&e).unwrap().code(), codes::INVALID_PARAMS);

    // Raw wire shapes: u128 as decimal string, u64 as number, bytes as hex.
    let raw: serde_json::Value = c
        .request(
            "state_getBalance",
            rpc_params![wire::H256(addr(0)).to_string()],
        )
        .await
        .unwrap();
    assert_eq!(
        raw,
        serde_json::json!(metron_node::dev::DEV_BALANCE.to_string())
    );
    let head: serde_json::Value = c.request("chain_head", rpc_params![]).await.unwrap();
    assert!(head["height"].is_u64());
    assert!(head["stateRoot"].as_str().unwrap().starts_with("0x"));
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_and_bodies_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    let batch = |n: usize| {
        let mut b = BatchRequestBuilder::new();
        for _ in 0..n {
            b.insert("chain_id", rpc_params![]).unwrap();
        }
        b
    };
    let ok: BatchResponse<u64> = c.batch_request(batch(100)).await.unwrap();
    assert_eq!(ok.num_successful_calls(), 100);
    assert!(
        c.batch_request::<u64>(batch(101)).await.is_err(),
        "batch over 100 refused"
    );

    // A body over 10 MiB is refused by the server (a client without its own cap).
    let big = HttpClientBuilder::default()
        .max_request_size(64 * 1024 * 1024)
        .build(node.rpc_url())
        .unwrap();
    let e = big
        .tx_submit(wire::Bytes(vec![0; 6 * 1024 * 1024]), None)
        .await
        .unwrap_err();
    assert!(call_error(&e).is_none(), "transport-level refusal, got {e}");
    // The node is still serving.
    assert_eq!(c.chain_id().await.unwrap(), 1337);
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_heads_subscription_over_websocket() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let ws = metron_rpc::ws_client(&node.ws_url()).await.unwrap();
    let mut sub = ws.subscribe_new_heads().await.unwrap();

    // WebSocket and HTTP share the port and the API.
    assert_eq!(ws.chain_id().await.unwrap(), 1337);
    let c = client(&node);
    let r = send(
        &c,
        &key(0),
        TRANSFER_GAS,
        Action::Transfer {
            to: addr(2),
            amount: 5,
        },
    )
    .await;
    let header = tokio::time::timeout(std::time::Duration::from_secs(10), sub.next())
        .await
        .expect("a head within 10 s")
        .expect("subscription open")
        .expect("valid header");
    assert_eq!(header.height, r.block_height);
    assert_eq!(header, c.chain_head().await.unwrap());
    sub.unsubscribe().await.unwrap();
    drop(ws);
    node.stop().await.unwrap();
}
