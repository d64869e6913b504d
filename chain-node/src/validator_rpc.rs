//! The JSON-RPC node of a validator (`metron abci --rpc-port N`): the devnet's RPC over the
//! chain that consensus writes, read-only for state.
//!
//! Every read method of `docs/rpc.md` is served as on the devnet (blocks, receipts,
//! state, proofs, logs, dry runs, traces, subscriptions). Methods that would change state
//! or produce blocks outside consensus are not registered: every `dev_*` method and
//! `tx_pending`, so a call of one gets JSON-RPC's "method not found". `tx_submit` makes
//! the stateless checks, then forwards the transaction to CometBFT's `broadcast_tx_sync`
//! (CometBFT runs `CheckTx` and gossips it) and answers with the transaction's hash once
//! CometBFT accepted it into its mempool; the receipt appears once a block includes it.

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine as _;
use jsonrpsee::server::ServerHandle;
use jsonrpsee::types::ErrorObjectOwned;
use metron_rpc::types as wire;
use metron_rpc::{MetronApiServer, ServerConfig};

use crate::chain::Chain;
use crate::pool::MiningMode;
use crate::service::{rpc_error_from_tx, NodeError, RpcLimits, RpcService};
use crate::types::SignedTransaction;

/// Whether a method of the devnet's RPC is left out of a validator's: it changes state
/// or the pool outside consensus.
pub fn excluded(method: &str) -> bool {
    method.starts_with("dev_") || method == "tx_pending"
}

/// JSON-RPC error code of a transaction CometBFT refused (its `CheckTx` code and log in
/// the message), or that cannot be forwarded.
pub const FORWARD_REFUSED: i32 = -32001;

/// Starts the validator's RPC server for `chain` on `server.addr`; transactions go to
/// `comet_rpc` (CometBFT's RPC URL, e.g. `http://127.0.0.1:26657`), or are refused when
/// it is `None`. Returns the bound address and the server's handle.
///
/// # Errors
/// [`NodeError::Bind`] if the address is taken; [`NodeError::Task`] for a malformed
/// CometBFT URL.
pub async fn start(
    chain: Arc<Chain>,
    server: &ServerConfig,
    limits: &RpcLimits,
    comet_rpc: Option<String>,
) -> Result<(SocketAddr, ServerHandle), NodeError> {
    // The service's pool and producer are never fed: `tx_submit` is replaced and the
    // mining controls are not registered (manual mode: the producer never seals).
    let (service, _producer) =
        RpcService::with_mining(Arc::clone(&chain), limits, MiningMode::Manual);
    let mut module = service.into_rpc();
    let names: Vec<&'static str> = module.method_names().filter(|m| excluded(m)).collect();
    for name in names {
        module.remove_method(name);
    }
    module.remove_method("tx_submit");
    let comet = match comet_rpc {
        Some(url) => {
            Some(Arc::new(metron_rpc::http_client(&url).map_err(|e| {
                NodeError::Task(format!("CometBFT RPC URL {url:?}: {e}"))
            })?))
        }
        None => None,
    };
    module
        .register_async_method("tx_submit", move |params, _, _| {
            let comet = comet.clone();
            let chain = Arc::clone(&chain);
            async move { forward(&chain, comet.as_deref(), params).await }
        })
        .map_err(|e| NodeError::Task(e.to_string()))?;
    let (addr, handle) = metron_rpc::start_server(server, module)
        .await
        .map_err(|source| NodeError::Bind {
            addr: server.addr,
            source,
        })?;
    Ok((addr, handle))
}

fn refused(message: String) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(FORWARD_REFUSED, message, None::<()>)
}

/// `tx_submit` on a validator: decode, stateless checks, `broadcast_tx_sync`.
async fn forward(
    chain: &Chain,
    comet: Option<&jsonrpsee::http_client::HttpClient>,
    params: jsonrpsee::types::Params<'static>,
) -> Result<wire::H256, ErrorObjectOwned> {
    use jsonrpsee::core::client::ClientT;
    let mut seq = params.sequence();
    let tx: wire::Bytes = seq.next()?;
    // `{"wait": …}` is accepted and ignored: inclusion is consensus's, poll the receipt.
    let _options: Option<serde_json::Value> = seq.optional_next()?;
    let stx = SignedTransaction::decode_bytes(&tx.0)
        .map_err(|e| ErrorObjectOwned::from(rpc_error_from_tx(e)))?;
    chain
        .check_stateless(&stx)
        .map_err(|e| ErrorObjectOwned::from(rpc_error_from_tx(e)))?;
    let Some(comet) = comet else {
        return Err(refused(
            "this validator's node forwards no transactions (start it with --comet-rpc URL)".into(),
        ));
    };
    let mut p = jsonrpsee::core::params::ObjectParams::new();
    p.insert(
        "tx",
        base64::engine::general_purpose::STANDARD.encode(&tx.0),
    )
    .map_err(|e| refused(e.to_string()))?;
    let answer: serde_json::Value = comet
        .request("broadcast_tx_sync", p)
        .await
        .map_err(|e| refused(format!("CometBFT's broadcast_tx_sync failed: {e}")))?;
    let code = answer
        .get("code")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if code != 0 {
        let log = answer
            .get("log")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        return Err(refused(format!(
            "CometBFT's CheckTx refused it (code {code}): {log}"
        )));
    }
    Ok(wire::H256(stx.hash()))
}
