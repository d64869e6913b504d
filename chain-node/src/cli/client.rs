//! Client commands over JSON-RPC: `deploy`, `call`, `query` and `balance`.
//!
//! Transactions are built and signed locally (the chain's transaction types, ed25519), submitted with
//! `tx_submit`, and the receipt is fetched with `tx_getReceipt`.
//!
//! With contract metadata (`--metadata FILE`, or the file `metron deploy` recorded for the
//! address in the contract book, [`book_path`]), arguments are given by name
//! (`--to dev:1 --amount 250`) and results, typed errors and events are decoded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
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
use super::metadata::{parse_named_args, Message, Metadata};

/// Default gas limit of a deploy transaction.
pub const DEFAULT_DEPLOY_GAS: u64 = 50_000_000;
/// Default gas limit of a call transaction or query.
pub const DEFAULT_CALL_GAS: u64 = 10_000_000;
/// How long to wait for a receipt after submitting.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// Options shared by all client commands.
#[derive(Debug, Clone, Args)]
pub struct RpcOpts {
    /// JSON-RPC endpoint of the node (global: also accepted after a `metron dev`
    /// control's own arguments).
    #[arg(
        long,
        default_value = "http://127.0.0.1:8545",
        value_name = "URL",
        global = true
    )]
    pub rpc_url: String,
}

impl TxOpts {
    /// `--impersonate`'s address, else `--from`'s key.
    fn sender(&self) -> anyhow::Result<Sender> {
        match &self.impersonate {
            Some(a) => Ok(Sender::Impersonated(parse_address(a)?)),
            None => self.signer().map(Sender::Key),
        }
    }

    fn signer(&self) -> anyhow::Result<SigningKey> {
        let from = self
            .from
            .as_deref()
            .ok_or_else(|| anyhow!("--from is required: a dev account index or a 0x secret key"))?;
        parse_signer(from)
    }
}

impl RpcOpts {
    pub(crate) fn client(&self) -> anyhow::Result<HttpClient> {
        metron_rpc::http_client(&self.rpc_url)
            .with_context(|| format!("invalid RPC URL {}", self.rpc_url))
    }
}

/// Transaction options shared by `deploy` and `call`.
#[derive(Debug, Clone, Args)]
pub struct TxOpts {
    /// Sender (required): dev account index (0..9) or a 0x ed25519 secret key.
    /// Optional to clap only so that contract arguments by name may precede it
    /// (`super::hoist_named_args`).
    #[arg(long, value_name = "INDEX|0xSECRET")]
    pub from: Option<String>,
    /// Gas limit (default: the node's estimate, `tx_estimateGas`, printed to stderr;
    /// 50M for deploy and 10M for call if the transaction fails at any limit, so that its
    /// failed receipt shows why).
    #[arg(long, value_name = "N")]
    pub gas: Option<u64>,
    /// Gas price in base units.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub gas_price: u128,
    /// Send unsigned, from this address (0x or dev index), instead of `--from`: the node
    /// must impersonate it (`metron dev impersonate`, or `metron node --dev
    /// --auto-impersonate`).
    #[arg(long, value_name = "ADDRESS", conflicts_with = "from")]
    pub impersonate: Option<String>,
}

/// Who sends a transaction: a key that signs it, or an address the devnet impersonates.
pub enum Sender {
    /// Signs with this key.
    Key(SigningKey),
    /// Sends unsigned (an all-zero signature) from this address.
    Impersonated([u8; 32]),
}

impl Sender {
    fn address(&self) -> [u8; 32] {
        match self {
            Sender::Key(k) => k.verifying_key().to_bytes(),
            Sender::Impersonated(a) => *a,
        }
    }
}

/// `metron deploy <file> --from ..`.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Contract code: a .wasm binary or a .wat text file.
    pub file: PathBuf,
    /// Init arguments by name, from the metadata: `--<arg> <value>` or `<arg>=<value>`
    /// (e.g. `--supply 1000`).
    #[arg(value_name = "--ARG VALUE", allow_hyphen_values = true)]
    pub init_args: Vec<String>,
    /// Init input: `0x` hex or typed arguments (`u128:1000000`).
    #[arg(long, value_name = "HEX|TYPED")]
    pub init: Option<String>,
    /// Contract metadata (default: `<file stem>.metadata.json` beside the file, if any).
    /// It is recorded for the new address in the contract book.
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<PathBuf>,
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
    /// Arguments by name, from the metadata: `--<arg> <value>` or `<arg>=<value>`.
    #[arg(value_name = "--ARG VALUE", allow_hyphen_values = true)]
    pub named: Vec<String>,
    /// Contract metadata (default: the file recorded for the address by `metron deploy`).
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<PathBuf>,
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
    /// Arguments by name, from the metadata: `--<arg> <value>` or `<arg>=<value>`.
    #[arg(value_name = "--ARG VALUE", allow_hyphen_values = true)]
    pub named: Vec<String>,
    /// Contract metadata (default: the file recorded for the address by `metron deploy`).
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<PathBuf>,
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
    /// Run on the state after the block at this height (default: head).
    #[arg(long, value_name = "HEIGHT")]
    pub at: Option<u64>,
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

pub(crate) fn rpc_err(e: jsonrpsee::core::client::Error) -> anyhow::Error {
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
    sender: &Sender,
    opts: &TxOpts,
    default_gas: u64,
    action: Action,
) -> anyhow::Result<wire::Receipt> {
    let from = wire::H256(sender.address());
    let chain_id = client.chain_id().await.map_err(rpc_err)?;
    let gas_limit = match opts.gas {
        Some(gas) => gas,
        None => estimate(client, from, &action, default_gas).await?,
    };
    let nonce = client.state_get_nonce(from, None).await.map_err(rpc_err)?;
    let tx = Transaction {
        chain_id,
        nonce,
        gas_limit,
        gas_price: opts.gas_price,
        action,
    };
    let stx = match sender {
        Sender::Key(key) => tx.sign(key),
        Sender::Impersonated(address) => metron_node::types::SignedTransaction {
            from: *address,
            tx,
            signature: metron_node::executor::UNSIGNED,
        },
    };
    let hash = client
        .tx_submit(wire::Bytes(stx.to_bytes()), None)
        .await
        .map_err(rpc_err)?;
    wait_receipt(client, hash).await
}

/// The node's gas estimate for `action` from `from`, printed to stderr. A transaction
/// that fails at any limit gets `fallback` (it is sent anyway, and its receipt says why).
async fn estimate(
    client: &HttpClient,
    from: wire::H256,
    action: &Action,
    fallback: u64,
) -> anyhow::Result<u64> {
    let request = wire::EstimateRequest {
        from,
        action: to_wire_action(action),
        gas_cap: None,
    };
    match client.tx_estimate_gas(request).await {
        Ok(e) => {
            eprintln!("gas limit:   {} (estimated)", e.gas_limit);
            Ok(e.gas_limit)
        }
        Err(e) => match metron_rpc::error::call_error(&e) {
            Some(obj) if obj.code() == metron_rpc::codes::INVALID_CALL => {
                eprintln!(
                    "gas estimate failed: {}; sending with gas limit {fallback}",
                    obj.message()
                );
                Ok(fallback)
            }
            _ => Err(rpc_err(e)),
        },
    }
}

fn to_wire_action(action: &Action) -> wire::Action {
    match action {
        Action::Deploy { code, init_input } => wire::Action::Deploy {
            code: wire::Bytes(code.clone()),
            init_input: wire::Bytes(init_input.clone()),
        },
        Action::Call {
            contract,
            method,
            input,
            value,
        } => wire::Action::Call {
            contract: wire::H256(*contract),
            method: method.clone(),
            input: wire::Bytes(input.clone()),
            value: wire::U128(*value),
        },
        Action::Transfer { to, amount } => wire::Action::Transfer {
            to: wire::H256(*to),
            amount: wire::U128(*amount),
        },
    }
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

pub(crate) fn topic_text(topic: &[u8]) -> String {
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

/// How a command prints return data and events: raw with a [`Decode`], or typed by the
/// called message's metadata.
#[derive(Clone, Copy)]
pub enum Printer<'a> {
    /// Raw return data and event data.
    Raw(Decode),
    /// Decoded by metadata: the message's `returns` / `error` types, events by topic.
    Typed(&'a Metadata, &'a Message),
}

/// Writes the events; with metadata, each event is decoded by the metadata recorded in
/// the contract book for the contract that emitted it (a callee's events too), else by
/// the called contract's.
fn write_events(out: &mut String, events: &[wire::Event], p: Printer<'_>) {
    let _ = writeln!(out, "events:      {}", events.len());
    let mut emitters: std::collections::BTreeMap<[u8; 32], Option<Metadata>> =
        std::collections::BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let decoded = match p {
            Printer::Typed(meta, _) => {
                let own = emitters.entry(e.contract.0).or_insert_with(|| {
                    book_lookup(&e.contract.0).and_then(|f| Metadata::load(&f).ok())
                });
                own.as_ref()
                    .unwrap_or(meta)
                    .decode_event(&e.topic.0, &e.data.0)
                    .and_then(Result::ok)
            }
            Printer::Raw(_) => None,
        };
        let data = decoded.unwrap_or_else(|| e.data.to_string());
        let _ = writeln!(
            out,
            "  [{i}] contract {} topic {} data {data}",
            e.contract,
            topic_text(&e.topic.0),
        );
    }
}

/// The `return:` line; a reverted call of a message with a typed error prints
/// `revert:` and the decoded error instead.
fn write_output(out: &mut String, data: &[u8], status: wire::ExecStatus, p: Printer<'_>) {
    let how = match p {
        Printer::Raw(how) => how,
        Printer::Typed(meta, msg) => {
            let reverted = matches!(status, wire::ExecStatus::Reverted);
            let (label, ty) = if reverted {
                ("revert:     ", msg.error)
            } else {
                ("return:     ", msg.returns)
            };
            match ty {
                Some(ty) if status.is_success() || reverted => {
                    let text = meta.decode(ty, data).unwrap_or_else(|e| {
                        format!(
                            "{} (not a {}: {e})",
                            metron_rpc::hex_serde::encode(data),
                            meta.type_name(ty)
                        )
                    });
                    let _ = writeln!(out, "{label} {text}");
                    return;
                }
                _ => Decode::Hex,
            }
        }
    };
    write_return(out, data, how);
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
pub fn format_receipt(r: &wire::Receipt, p: Printer<'_>) -> String {
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
    write_output(&mut out, &r.return_data.0, r.status, p);
    write_events(&mut out, &r.events, p);
    if let Some(e) = &r.error {
        let _ = writeln!(out, "error:       {e}");
    }
    out
}

/// Human-readable dry-run result (stable layout; golden-tested).
pub fn format_call_result(r: &wire::CallResult, p: Printer<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "status:      {}",
        status_text(r.status, r.trap.as_deref())
    );
    let _ = writeln!(out, "gas used:    {}", r.gas_used);
    write_output(&mut out, &r.return_data.0, r.status, p);
    write_events(&mut out, &r.events, p);
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

/// The contract book: which metadata file `metron deploy` used for which address,
/// `$METRON_HOME/contracts.json` (default `~/.metron/contracts.json`), a JSON object from
/// `0x` address to metadata path. A deploy without metadata removes its address's entry
/// (devnet addresses repeat across devnets).
pub fn book_path() -> Option<PathBuf> {
    let home = match std::env::var_os("METRON_HOME") {
        Some(h) => PathBuf::from(h),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".metron"),
    };
    Some(home.join("contracts.json"))
}

fn read_book(path: &Path) -> serde_json::Map<String, serde_json::Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The metadata file recorded for `address`, if any.
pub(crate) fn book_lookup(address: &[u8; 32]) -> Option<PathBuf> {
    let book = read_book(&book_path()?);
    let key = metron_rpc::hex_serde::encode(address);
    book.get(&key)?.as_str().map(PathBuf::from)
}

/// Records (or with `None` forgets) the metadata of `address`. Failures are warnings.
fn book_record(address: &[u8; 32], metadata: Option<&Path>) {
    let Some(path) = book_path() else { return };
    if metadata.is_none() && !path.exists() {
        return;
    }
    let mut book = read_book(&path);
    let key = metron_rpc::hex_serde::encode(address);
    match metadata {
        Some(m) => {
            let m = m.canonicalize().unwrap_or_else(|_| m.to_path_buf());
            book.insert(key, m.display().to_string().into());
        }
        None => {
            if book.remove(&key).is_none() {
                return;
            }
        }
    }
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(&book).unwrap_or_default();
        std::fs::write(&path, text + "\n")
    };
    if let Err(e) = write() {
        eprintln!("warning: cannot update {}: {e}", path.display());
    }
}

/// The metadata of a call or query: `--metadata`, else the contract book's entry when the
/// call uses no raw input (`--input`/`--arg` bypass a recorded file).
fn call_metadata(
    explicit: Option<&Path>,
    contract: &[u8; 32],
    named: &[String],
    raw: &InputArgs,
) -> anyhow::Result<Option<Metadata>> {
    let raw_given = raw.input.is_some() || !raw.args.is_empty();
    if raw_given && !named.is_empty() {
        bail!("give arguments either by name (--<arg> <value>) or raw (--input/--arg), not both");
    }
    if let Some(path) = explicit {
        return Ok(Some(Metadata::load(path)?));
    }
    let recorded = match book_lookup(contract) {
        Some(path) if !raw_given => Metadata::load(&path).ok(),
        _ => None,
    };
    match recorded {
        Some(m) => Ok(Some(m)),
        None if !named.is_empty() => bail!(
            "arguments by name need the contract's metadata: pass --metadata FILE \
             (or deploy with `metron deploy`, which records it)"
        ),
        None => Ok(None),
    }
}

/// The input of a call: by name through `meta`, or raw.
fn call_input(
    meta: Option<&Metadata>,
    method: &str,
    named: &[String],
    raw: &InputArgs,
) -> anyhow::Result<Vec<u8>> {
    match meta {
        Some(m) if raw.input.is_none() && raw.args.is_empty() => {
            let msg = m.message(method)?;
            m.encode_args(msg, &parse_named_args(named)?)
        }
        _ => raw.encode(),
    }
}

fn printer<'a>(meta: Option<&'a Metadata>, method: &str, how: Decode) -> Printer<'a> {
    match meta.and_then(|m| m.message(method).ok().map(|msg| (m, msg))) {
        Some((m, msg)) => Printer::Typed(m, msg),
        None => Printer::Raw(how),
    }
}

/// `metron deploy`. Exit code 0 on success, 2 if the receipt is not successful.
///
/// # Errors
/// Unreadable file or metadata, bad arguments, RPC errors.
pub async fn deploy(a: DeployArgs) -> anyhow::Result<ExitCode> {
    let code = super::read_wasm(&a.file)?;
    let beside = a.file.with_extension("metadata.json");
    let meta_path = match &a.metadata {
        Some(p) => Some(p.clone()),
        None => beside.is_file().then_some(beside),
    };
    let meta = meta_path.as_deref().map(Metadata::load).transpose()?;
    if let Some(m) = &meta {
        let hash = metron_rpc::hex_serde::encode(&metron_node::types::keccak256(&code));
        if !m.code_hash.is_empty() && m.code_hash != hash {
            eprintln!(
                "warning: the metadata's code hash {} is not the file's {hash} (rebuild with `metron build`)",
                m.code_hash
            );
        }
    }
    let init_input = match (&a.init, &meta) {
        (Some(_), _) if !a.init_args.is_empty() => {
            bail!("give init arguments either by name (--<arg> <value>) or with --init, not both")
        }
        (Some(spec), _) => super::args::parse_input(spec)?,
        (None, Some(m)) => match m.messages.iter().find(|msg| msg.kind == "init") {
            Some(init) => m.encode_args(init, &parse_named_args(&a.init_args)?)?,
            None if a.init_args.is_empty() => Vec::new(),
            None => bail!("contract {} has no init message taking arguments", m.name),
        },
        (None, None) if a.init_args.is_empty() => Vec::new(),
        (None, None) => bail!(
            "init arguments by name need the contract's metadata: pass --metadata FILE or put \
             {} beside the wasm",
            a.file.with_extension("metadata.json").display()
        ),
    };
    let key = a.tx.sender()?;
    let client = a.rpc.client()?;
    let action = Action::Deploy { code, init_input };
    let r = send(&client, &key, &a.tx, DEFAULT_DEPLOY_GAS, action).await?;
    let init = meta.as_ref().and_then(|m| {
        m.messages
            .iter()
            .find(|msg| msg.kind == "init")
            .map(|i| (m, i))
    });
    let p = match init {
        Some((m, i)) => Printer::Typed(m, i),
        None => Printer::Raw(Decode::Hex),
    };
    print!("{}", format_receipt(&r, p));
    if let (Some(addr), true) = (r.contract_address, r.status.is_success()) {
        book_record(&addr.0, meta_path.as_deref().filter(|_| meta.is_some()));
        if let Some(path) = &meta_path {
            println!("metadata:    {}", path.display());
        }
    }
    Ok(exit_for(r.status))
}

/// `metron call`. Exit code 0 on success, 2 if the receipt is not successful.
///
/// # Errors
/// Bad arguments (an unknown message or argument lists the message's arguments), RPC
/// errors.
pub async fn call(a: CallArgs) -> anyhow::Result<ExitCode> {
    let contract = parse_address(&a.contract)?;
    let meta = call_metadata(a.metadata.as_deref(), &contract, &a.named, &a.input)?;
    let input = call_input(meta.as_ref(), &a.method, &a.named, &a.input)?;
    if let Some(msg) = meta.as_ref().and_then(|m| m.message(&a.method).ok()) {
        if a.value > 0 && !msg.payable {
            bail!("message {} is not payable: it refuses --value", msg.name);
        }
    }
    let key = a.tx.sender()?;
    let client = a.rpc.client()?;
    let action = Action::Call {
        contract,
        method: a.method.clone(),
        input,
        value: a.value,
    };
    let r = send(&client, &key, &a.tx, DEFAULT_CALL_GAS, action).await?;
    print!(
        "{}",
        format_receipt(&r, printer(meta.as_ref(), &a.method, a.decode))
    );
    Ok(exit_for(r.status))
}

/// `metron query`. Exit code 0 on success, 2 if the dry run fails.
///
/// # Errors
/// Bad arguments, RPC errors (e.g. no contract at the address).
pub async fn query(a: QueryArgs) -> anyhow::Result<ExitCode> {
    let contract = parse_address(&a.contract)?;
    let meta = call_metadata(a.metadata.as_deref(), &contract, &a.named, &a.input)?;
    let input = call_input(meta.as_ref(), &a.method, &a.named, &a.input)?;
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
        at: a.at,
    };
    let r = client.contract_call(req).await.map_err(rpc_err)?;
    print!(
        "{}",
        format_call_result(&r, printer(meta.as_ref(), &a.method, a.decode))
    );
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
        crate::cli::golden::check(
            "receipt_success.txt",
            &format_receipt(&r, Printer::Raw(Decode::U128)),
        );
        let r = wire::Receipt {
            status: wire::ExecStatus::Trapped,
            trap: Some("host".into()),
            return_data: wire::Bytes(vec![]),
            events: vec![],
            error: Some("insufficient balance".into()),
            ..r
        };
        crate::cli::golden::check(
            "receipt_trapped.txt",
            &format_receipt(&r, Printer::Raw(Decode::Hex)),
        );
    }
}
