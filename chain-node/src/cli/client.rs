//! Client commands over JSON-RPC: `deploy`, `call`, `query` and `balance`.
//!
//! Transactions are built and signed locally (Seam 4 types, ed25519), submitted with
//! `tx_submit`, and the receipt is fetched with `tx_getReceipt`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use ed25519_dalek::SigningKey;
use jsonrpsee::http_client::HttpClient;
use metron_node::types::{Action, Transaction};
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use super::args::{decode, parse_address, parse_signer, Decode, InputArgs};

/// Default gas limit of a deploy transaction.
pub const DEFAULT_DEPLOY_GAS: u64 = 50_000_000;
/// Default gas limit of a call transaction or query.
pub const DEFAULT_CALL_GAS: u64 = 10_000_000;
/// How long to wait for a receipt after submitting.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// Options shared by all client commands.
#[derive(Debug, Clone, Args)]
pub struct RpcOpts {
    /// JSON-RPC endpoint of the node.
    #[arg(long, default_value = "http://127.0.0.1:8545", value_name = "URL")]
    pub rpc_url: String,
}

impl RpcOpts {
    fn client(&self) -> anyhow::Result<HttpClient> {
        metron_rpc::http_client(&self.rpc_url)
            .with_context(|| format!("invalid RPC URL {}", self.rpc_url))
    }
}

/// Transaction options shared by `deploy` and `call`.
#[derive(Debug, Clone, Args)]
pub struct TxOpts {
    /// Sender: dev account index (0..9) or a 0x ed25519 secret key.
    #[arg(long, value_name = "INDEX|0xSECRET")]
    pub from: String,
    /// Gas limit (default: 50M for deploy, 10M for call).
    #[arg(long, value_name = "N")]
    pub gas: Option<u64>,
    /// Gas price in base units.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub gas_price: u128,
}

/// `metron deploy <file> --from ..`.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Contract code: a .wasm binary or a .wat text file.
    pub file: PathBuf,
    /// Init input: `0x` hex or typed arguments (`u128:1000000`).
    #[arg(long, value_name = "HEX|TYPED")]
    pub init: Option<String>,
    #[command(flatten)]
    pub tx: TxOpts,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

/// `metron call <contract> <method> --from ..`.
#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// Contract address (0x, 32 bytes).
    pub contract: String,
    /// Method (exported function) name.
    pub method: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Value transferred to the contract, in base units.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub value: u128,
    /// How to print the return data.
    #[arg(long, value_enum, default_value_t = Decode::Hex)]
    pub decode: Decode,
    #[command(flatten)]
    pub tx: TxOpts,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

/// `metron query <contract> <method>`: dry run at head.
#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    /// Contract address (0x, 32 bytes).
    pub contract: String,
    /// Method (exported function) name.
    pub method: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Value seen by the contract, in base units.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub value: u128,
    /// Caller seen by the contract: dev index, 0x secret key or 0x address
    /// (default: the zero address).
    #[arg(long, value_name = "INDEX|0xSECRET|0xADDRESS")]
    pub from: Option<String>,
    /// Gas limit (default 10M).
    #[arg(long, value_name = "N")]
    pub gas: Option<u64>,
    /// How to print the return data.
    #[arg(long, value_enum, default_value_t = Decode::Hex)]
    pub decode: Decode,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

/// `metron balance <address>`.
#[derive(Debug, Clone, Args)]
pub struct BalanceArgs {
    /// Account address (0x, 32 bytes) or dev account index.
    pub address: String,
    /// Height to read at (default: head).
    #[arg(long, value_name = "HEIGHT")]
    pub at: Option<u64>,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

fn rpc_err(e: jsonrpsee::core::client::Error) -> anyhow::Error {
    match metron_rpc::error::call_error(&e) {
        Some(obj) => anyhow!("RPC error {}: {}", obj.code(), obj.message()),
        None => match e {
            jsonrpsee::core::client::Error::Transport(_) => {
                anyhow!("cannot reach the node: {e} (is `metron node --dev` running at --rpc-url?)")
            }
            _ => anyhow!("RPC request failed: {e}"),
        },
    }
}

/// Signs `action` for `key` with the node's chain id and the sender's next nonce, submits
/// it and waits for the receipt.
async fn send(
    client: &HttpClient,
    key: &SigningKey,
    opts: &TxOpts,
    default_gas: u64,
    action: Action,
) -> anyhow::Result<wire::Receipt> {
    let from = wire::H256(key.verifying_key().to_bytes());
    let chain_id = client.chain_id().await.map_err(rpc_err)?;
    let nonce = client.state_get_nonce(from, None).await.map_err(rpc_err)?;
    let tx = Transaction {
        chain_id,
        nonce,
        gas_limit: opts.gas.unwrap_or(default_gas),
        gas_price: opts.gas_price,
        action,
    };
    let stx = tx.sign(key);
    let hash = client
        .tx_submit(wire::Bytes(stx.to_bytes()))
        .await
        .map_err(rpc_err)?;
    wait_receipt(client, hash).await
}

/// Polls `tx_getReceipt` until the receipt exists (the devnet seals instantly, so the
/// first poll normally succeeds).
pub async fn wait_receipt(client: &HttpClient, hash: wire::H256) -> anyhow::Result<wire::Receipt> {
    let deadline = tokio::time::Instant::now() + RECEIPT_TIMEOUT;
    loop {
        if let Some(r) = client.tx_get_receipt(hash).await.map_err(rpc_err)? {
            return Ok(r);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("no receipt for transaction {hash} after {RECEIPT_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn topic_text(topic: &[u8]) -> String {
    match std::str::from_utf8(topic) {
        Ok(s) if s.chars().all(|c| !c.is_control()) => format!("{s:?}"),
        _ => metron_rpc::hex_serde::encode(topic),
    }
}

fn status_text(status: wire::ExecStatus, trap: Option<&str>) -> String {
    let class = serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{status:?}"));
    match trap {
        Some(t) => format!("{class} ({t})"),
        None => class,
    }
}

fn write_events(out: &mut String, events: &[wire::Event]) {
    let _ = writeln!(out, "events:      {}", events.len());
    for (i, e) in events.iter().enumerate() {
        let _ = writeln!(
            out,
            "  [{i}] contract {} topic {} data {}",
            e.contract,
            topic_text(&e.topic.0),
            e.data
        );
    }
}

fn write_return(out: &mut String, data: &[u8], how: Decode) {
    if data.is_empty() {
        let _ = writeln!(out, "return:      (none)");
        return;
    }
    match decode(data, how) {
        Ok(s) => {
            let _ = writeln!(out, "return:      {s}");
        }
        Err(e) => {
            let _ = writeln!(
                out,
                "return:      {} ({e})",
                metron_rpc::hex_serde::encode(data)
            );
        }
    }
}

/// Human-readable receipt (stable layout; golden-tested).
pub fn format_receipt(r: &wire::Receipt, how: Decode) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "transaction: {}", r.tx_hash);
    let _ = writeln!(out, "block:       {}", r.block_height);
    let _ = writeln!(
        out,
        "status:      {}",
        status_text(r.status, r.trap.as_deref())
    );
    let _ = writeln!(out, "gas used:    {}", r.gas_used);
    let _ = writeln!(out, "fee:         {}", r.fee);
    if let Some(addr) = r.contract_address {
        let _ = writeln!(out, "contract:    {addr}");
    }
    write_return(&mut out, &r.return_data.0, how);
    write_events(&mut out, &r.events);
    if let Some(e) = &r.error {
        let _ = writeln!(out, "error:       {e}");
    }
    out
}

/// Human-readable dry-run result (stable layout; golden-tested).
pub fn format_call_result(r: &wire::CallResult, how: Decode) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "status:      {}",
        status_text(r.status, r.trap.as_deref())
    );
    let _ = writeln!(out, "gas used:    {}", r.gas_used);
    write_return(&mut out, &r.return_data.0, how);
    write_events(&mut out, &r.events);
    if let Some(e) = &r.error {
        let _ = writeln!(out, "error:       {e}");
    }
    out
}

fn exit_for(status: wire::ExecStatus) -> ExitCode {
    if status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// `metron deploy`. Exit code 0 on success, 2 if the receipt is not successful.
///
/// # Errors
/// Unreadable file, bad arguments, RPC errors.
pub async fn deploy(a: DeployArgs) -> anyhow::Result<ExitCode> {
    let code = super::read_wasm(&a.file)?;
    let init_input = match &a.init {
        Some(spec) => super::args::parse_input(spec)?,
        None => Vec::new(),
    };
    let key = parse_signer(&a.tx.from)?;
    let client = a.rpc.client()?;
    let action = Action::Deploy { code, init_input };
    let r = send(&client, &key, &a.tx, DEFAULT_DEPLOY_GAS, action).await?;
    print!("{}", format_receipt(&r, Decode::Hex));
    Ok(exit_for(r.status))
}

/// `metron call`. Exit code 0 on success, 2 if the receipt is not successful.
///
/// # Errors
/// Bad arguments, RPC errors.
pub async fn call(a: CallArgs) -> anyhow::Result<ExitCode> {
    let contract = parse_address(&a.contract)?;
    let input = a.input.encode()?;
    let key = parse_signer(&a.tx.from)?;
    let client = a.rpc.client()?;
    let action = Action::Call {
        contract,
        method: a.method.clone(),
        input,
        value: a.value,
    };
    let r = send(&client, &key, &a.tx, DEFAULT_CALL_GAS, action).await?;
    print!("{}", format_receipt(&r, a.decode));
    Ok(exit_for(r.status))
}

/// `metron query`. Exit code 0 on success, 2 if the dry run fails.
///
/// # Errors
/// Bad arguments, RPC errors (e.g. no contract at the address).
pub async fn query(a: QueryArgs) -> anyhow::Result<ExitCode> {
    let contract = parse_address(&a.contract)?;
    let input = a.input.encode()?;
    let from = match a.from.as_deref() {
        None => None,
        // A 0x value of 32 bytes is taken as an address (queries need no key); an index
        // is a dev account.
        Some(s) if s.starts_with("0x") => Some(parse_address(s)?),
        Some(s) => Some(parse_signer(s)?.verifying_key().to_bytes()),
    };
    let client = a.rpc.client()?;
    let req = wire::CallRequest {
        from: from.map(wire::H256),
        contract: wire::H256(contract),
        method: a.method.clone(),
        input: wire::Bytes(input),
        value: Some(wire::U128(a.value)),
        gas_limit: Some(a.gas.unwrap_or(DEFAULT_CALL_GAS)),
    };
    let r = client.contract_call(req).await.map_err(rpc_err)?;
    print!("{}", format_call_result(&r, a.decode));
    Ok(exit_for(r.status))
}

/// `metron balance`.
///
/// # Errors
/// Bad address, RPC errors.
pub async fn balance(a: BalanceArgs) -> anyhow::Result<ExitCode> {
    let address = parse_address(&a.address)?;
    let client = a.rpc.client()?;
    let b = client
        .state_get_balance(wire::H256(address), a.at)
        .await
        .map_err(rpc_err)?;
    println!("{b}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_layout_golden() {
        let r = wire::Receipt {
            tx_hash: wire::H256([0xaa; 32]),
            block_height: 3,
            index: 0,
            status: wire::ExecStatus::Success,
            trap: None,
            gas_used: 1234,
            fee: wire::U128(1234),
            return_data: wire::Bytes(5u128.to_le_bytes().to_vec()),
            events: vec![wire::Event {
                contract: wire::H256([0xbb; 32]),
                topic: wire::Bytes(b"Transfer".to_vec()),
                data: wire::Bytes(vec![1, 2]),
            }],
            contract_address: None,
            error: None,
        };
        crate::cli::golden::check("receipt_success.txt", &format_receipt(&r, Decode::U128));
        let r = wire::Receipt {
            status: wire::ExecStatus::Trapped,
            trap: Some("host".into()),
            return_data: wire::Bytes(vec![]),
            events: vec![],
            error: Some("insufficient balance".into()),
            ..r
        };
        crate::cli::golden::check("receipt_trapped.txt", &format_receipt(&r, Decode::Hex));
    }
}
