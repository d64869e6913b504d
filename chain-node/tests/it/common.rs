//! Shared helpers: start a node in a temp dir, dev keys, sign and submit transactions.

use std::path::Path;

use ed25519_dalek::SigningKey;
use metron_node::dev;
use metron_node::service::{Node, NodeConfig};
use metron_node::types::{Action, Transaction};
use metron_rpc::jsonrpsee::http_client::HttpClient;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

/// Gas limit used for deploys in tests.
pub const DEPLOY_GAS: u64 = 50_000_000;
/// Gas limit used for transfers in tests (the intrinsic gas and room to spare).
pub const TRANSFER_GAS: u64 = metron_node::executor::TX_BASE_GAS + 100_000;
/// Gas limit used for calls in tests.
pub const CALL_GAS: u64 = 5_000_000;

/// Starts a dev node with its database in `dir` and RPC on a free loopback port.
pub async fn start_node(dir: &Path) -> Node {
    Node::start(NodeConfig::test(dir))
        .await
        .expect("node starts")
}

/// An HTTP client for `node`.
pub fn client(node: &Node) -> HttpClient {
    metron_rpc::http_client(&node.rpc_url()).expect("client")
}

/// Dev key `i`.
pub fn key(i: usize) -> SigningKey {
    dev::dev_keys(i + 1).pop().expect("dev key")
}

/// Address of dev key `i`.
pub fn addr(i: usize) -> [u8; 32] {
    key(i).verifying_key().to_bytes()
}

/// Signs `action` with `key` at the sender's current nonce (gas price 1).
pub async fn sign(c: &HttpClient, key: &SigningKey, gas_limit: u64, action: Action) -> Vec<u8> {
    let from = wire::H256(key.verifying_key().to_bytes());
    let nonce = c.state_get_nonce(from, None).await.expect("nonce");
    let chain_id = c.chain_id().await.expect("chain id");
    Transaction {
        chain_id,
        nonce,
        gas_limit,
        gas_price: 1,
        action,
    }
    .sign(key)
    .to_bytes()
}

/// Signs, submits and returns the receipt (the devnet seals instantly).
pub async fn send(
    c: &HttpClient,
    key: &SigningKey,
    gas_limit: u64,
    action: Action,
) -> wire::Receipt {
    let tx = sign(c, key, gas_limit, action).await;
    let hash = c.tx_submit(wire::Bytes(tx), None).await.expect("tx_submit");
    c.tx_get_receipt(hash)
        .await
        .expect("tx_getReceipt")
        .expect("receipt exists after instant seal")
}

/// Deploys `code` with `init_input` from dev account 0; asserts success; returns the
/// receipt and the contract address.
pub async fn deploy(
    c: &HttpClient,
    code: &[u8],
    init_input: Vec<u8>,
) -> (wire::Receipt, wire::H256) {
    let r = send(
        c,
        &key(0),
        DEPLOY_GAS,
        Action::Deploy {
            code: code.to_vec(),
            init_input,
        },
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::Success, "deploy failed: {r:?}");
    let a = r.contract_address.expect("contract address");
    (r, a)
}

/// Calls `method` on `contract` from dev account `from`.
pub async fn call(
    c: &HttpClient,
    from: usize,
    contract: wire::H256,
    method: &str,
    input: Vec<u8>,
    gas: u64,
) -> wire::Receipt {
    send(
        c,
        &key(from),
        gas,
        Action::Call {
            contract: contract.0,
            method: method.into(),
            input,
            value: 0,
        },
    )
    .await
}

/// Dry-runs `method` at head.
pub async fn query(
    c: &HttpClient,
    contract: wire::H256,
    method: &str,
    input: Vec<u8>,
) -> wire::CallResult {
    c.contract_call(wire::CallRequest {
        from: None,
        contract,
        method: method.into(),
        input: wire::Bytes(input),
        value: None,
        gas_limit: Some(CALL_GAS),
        at: None,
    })
    .await
    .expect("contract_call")
}

/// Token balance of `who` via `contract_call balance_of`.
pub async fn token_balance(c: &HttpClient, token: wire::H256, who: [u8; 32]) -> u128 {
    let r = query(c, token, "balance_of", who.to_vec()).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    u128::from_le_bytes(r.return_data.0.as_slice().try_into().expect("16 bytes"))
}

/// Native balance of `who`.
pub async fn balance(c: &HttpClient, who: [u8; 32]) -> u128 {
    c.state_get_balance(wire::H256(who), None)
        .await
        .expect("balance")
        .0
}

/// Compiles WAT text.
pub fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).expect("valid WAT")
}

/// The JSON-RPC error of a failed call: (code, message).
pub fn rpc_err<T: std::fmt::Debug>(
    r: Result<T, metron_rpc::jsonrpsee::core::client::Error>,
) -> (i32, String) {
    let e = r.expect_err("the call must fail");
    let obj =
        metron_rpc::error::call_error(&e).unwrap_or_else(|| panic!("not a JSON-RPC error: {e}"));
    (obj.code(), obj.message().to_owned())
}
