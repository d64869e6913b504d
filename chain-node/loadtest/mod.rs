//! Load test of a real node, shared by `examples/load.rs` (the command,
//! `cargo run --release -p metron-node --example load -- --help`) and `tests/load.rs` (a
//! reduced run in CI). Both include this file with `#[path = "../loadtest/mod.rs"]`; it
//! lives outside `examples/` and `tests/` so that cargo does not take it for a target.
//!
//! [`run`] starts a node in-process (RocksDB in a temporary dir or `data_dir`, RPC on a
//! free loopback port), deploys the example token contract from dev account 0 and gives
//! each submitter tokens, then for [`LoadConfig::duration`] runs, each worker a tokio task
//! with its own HTTP client (the typed `MetronApiClient`):
//! - **submitters**, one dev account each (so nonces never collide; the nonce is kept
//!   locally and re-read with `state_getNonce` after an error), alternating native
//!   transfers and token `transfer` calls (gas price 1). Every hash `tx_submit` returns
//!   is recorded as acknowledged;
//! - **readers**: `chain_head` in a loop (the head must never go backwards);
//! - **callers**: `contract_call` of the token's `balance_of` in a loop (must succeed
//!   with 16 bytes).
//!
//! Then, with the load stopped, every acknowledged hash must have a receipt for that hash,
//! with status `success`, at or below the head, and the block at its height must hold
//! the transaction at the receipt's index. The node is stopped cleanly at the end.
//!
//! Latencies are those of successful requests, measured around the RPC call only
//! (signing is not timed). `-32006` "submit queue full" from `tx_submit` is expected
//! under overload: it is counted apart and is not a failure; any other error is.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use metron_node::dev;
use metron_node::executor::TX_BASE_GAS;
use metron_node::service::{Node, NodeConfig};
use metron_node::state::Durability;
use metron_node::types::{Action, Transaction};
use metron_rpc::jsonrpsee::core::client::Error as ClientError;
use metron_rpc::jsonrpsee::http_client::HttpClient;
use metron_rpc::types as wire;
use metron_rpc::{codes, MetronApiClient};

/// Gas limit of the deploy (as the integration tests).
const DEPLOY_GAS: u64 = 50_000_000;
/// Gas limit of a native transfer (as the integration tests: intrinsic gas and room).
const TRANSFER_GAS: u64 = TX_BASE_GAS + 100_000;
/// Gas limit of a token call, and of the `balance_of` dry run (as the integration tests).
const CALL_GAS: u64 = 5_000_000;
/// Token supply minted to dev account 0 at deploy.
const TOKEN_SUPPLY: u128 = 1_000_000_000_000_000;
/// Tokens dev account 0 gives each other submitter before the load.
const TOKENS_PER_SUBMITTER: u128 = 1_000_000_000_000;
/// Distinct error messages kept per method (further ones are only counted).
const MAX_DISTINCT_ERRORS: usize = 32;
/// Distinct error messages printed per method.
const SHOWN_ERRORS: usize = 5;
/// Receipt problems kept for the report (all are counted).
const SHOWN_PROBLEMS: usize = 10;
/// Tasks checking receipts in parallel after the load.
const RECEIPT_CHECKERS: usize = 4;

/// What to run.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// How long the load runs.
    pub duration: Duration,
    /// Transaction submitters, one dev account each (at most [`dev::DEV_ACCOUNT_COUNT`]).
    pub submitters: usize,
    /// `chain_head` readers.
    pub readers: usize,
    /// `contract_call balance_of` callers.
    pub callers: usize,
    /// The node's data dir (kept, and reused if it holds a chain); a temporary dir if
    /// `None`.
    pub data_dir: Option<PathBuf>,
    /// Whether each block is fsynced before it is acknowledged.
    pub durability: Durability,
}

/// Error messages of one method, in order of first appearance, with their counts.
#[derive(Default, Debug)]
pub struct ErrorLog {
    /// All errors.
    pub total: u64,
    /// The first [`MAX_DISTINCT_ERRORS`] distinct messages and how often each occurred.
    pub distinct: Vec<(String, u64)>,
}

impl ErrorLog {
    fn add(&mut self, message: String) {
        self.total += 1;
        if let Some(entry) = self.distinct.iter_mut().find(|(m, _)| *m == message) {
            entry.1 += 1;
        } else if self.distinct.len() < MAX_DISTINCT_ERRORS {
            self.distinct.push((message, 1));
        }
    }

    fn merge(&mut self, other: ErrorLog) {
        self.total += other.total;
        for (message, n) in other.distinct {
            if let Some(entry) = self.distinct.iter_mut().find(|(m, _)| *m == message) {
                entry.1 += n;
            } else if self.distinct.len() < MAX_DISTINCT_ERRORS {
                self.distinct.push((message, n));
            }
        }
    }
}

/// Requests of one RPC method.
#[derive(Default, Debug)]
pub struct MethodStats {
    /// Requests sent (answered with a result or an error).
    pub requests: u64,
    /// Latencies of the successful requests, in nanoseconds (sorted after the run).
    pub latencies_ns: Vec<u64>,
    /// `-32006` "submit queue full" answers (expected under overload; `tx_submit` only).
    pub queue_full: u64,
    /// Every other error: unexpected.
    pub errors: ErrorLog,
}

impl MethodStats {
    fn ok(&mut self, started: Instant) {
        self.requests += 1;
        let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.latencies_ns.push(ns);
    }

    fn error(&mut self, message: String) {
        self.requests += 1;
        self.errors.add(message);
    }

    fn merge(&mut self, other: MethodStats) {
        self.requests += other.requests;
        self.latencies_ns.extend(other.latencies_ns);
        self.queue_full += other.queue_full;
        self.errors.merge(other.errors);
    }

    /// Latency at quantile `q` (nearest rank) in milliseconds; `None` without successes.
    pub fn percentile_ms(&self, q: f64) -> Option<f64> {
        let n = self.latencies_ns.len();
        if n == 0 {
            return None;
        }
        // Nearest rank: the smallest value with at least q·n values at or below it.
        let rank = (q * n as f64).ceil().max(1.0) as usize;
        let ns = self.latencies_ns[rank.min(n) - 1];
        Some(ns as f64 / 1e6)
    }
}

/// What the check of the acknowledged transactions found.
#[derive(Default, Debug)]
pub struct ReceiptCheck {
    /// Acknowledged hashes checked.
    pub checked: u64,
    /// No receipt (or a receipt for another hash).
    pub missing: u64,
    /// Receipt status other than `success`.
    pub not_success: u64,
    /// Receipt height above the head.
    pub above_head: u64,
    /// The block at the receipt's height does not hold the transaction at its index.
    pub not_in_block: u64,
    /// RPC errors while checking.
    pub rpc_errors: u64,
    /// The first [`SHOWN_PROBLEMS`] problems.
    pub problems: Vec<String>,
}

impl ReceiptCheck {
    fn problem(&mut self, p: String) {
        if self.problems.len() < SHOWN_PROBLEMS {
            self.problems.push(p);
        }
    }

    fn merge(&mut self, other: ReceiptCheck) {
        self.checked += other.checked;
        self.missing += other.missing;
        self.not_success += other.not_success;
        self.above_head += other.above_head;
        self.not_in_block += other.not_in_block;
        self.rpc_errors += other.rpc_errors;
        for p in other.problems {
            self.problem(p);
        }
    }

    /// Acknowledged transactions that failed any check.
    pub fn failed(&self) -> u64 {
        self.missing + self.not_success + self.above_head + self.not_in_block + self.rpc_errors
    }
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Report {
    /// The configuration run.
    pub config: LoadConfig,
    /// Wall-clock time from the start of the load until every worker had stopped.
    pub elapsed: Duration,
    /// `tx_submit`.
    pub submit: MethodStats,
    /// `contract_call` of `balance_of`.
    pub call: MethodStats,
    /// `chain_head`.
    pub head: MethodStats,
    /// `state_getNonce` of the submitters: the first nonce, then a re-sync after each error.
    pub nonce_resync: MethodStats,
    /// Acknowledged transactions per submitter.
    pub acknowledged: Vec<u64>,
    /// Acknowledged native transfers.
    pub native_transfers: u64,
    /// Acknowledged token transfers.
    pub token_transfers: u64,
    /// Head height when the load started.
    pub head_before: u64,
    /// Head height after the load.
    pub head_after: u64,
    /// The receipt check.
    pub receipts: ReceiptCheck,
    /// Error of `Node::stop`, if any.
    pub stop_error: Option<String>,
    /// CPUs of the machine (`available_parallelism`).
    pub cpus: usize,
}

impl Report {
    /// Acknowledged transactions.
    pub fn acknowledged_total(&self) -> u64 {
        self.acknowledged.iter().sum()
    }

    /// Blocks produced during the load (one transaction each).
    pub fn blocks_produced(&self) -> u64 {
        self.head_after.saturating_sub(self.head_before)
    }

    /// Unexpected errors of all methods (everything but "submit queue full").
    pub fn unexpected_errors(&self) -> u64 {
        self.submit.errors.total
            + self.call.errors.total
            + self.head.errors.total
            + self.nonce_resync.errors.total
    }

    /// Why the run failed; empty if it passed.
    pub fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        let r = &self.receipts;
        if r.failed() > 0 {
            f.push(format!(
                "{} of {} acknowledged transactions failed the receipt check",
                r.failed(),
                r.checked
            ));
        }
        if r.checked != self.acknowledged_total() {
            f.push(format!(
                "{} receipts checked for {} acknowledged transactions",
                r.checked,
                self.acknowledged_total()
            ));
        }
        if self.unexpected_errors() > 0 {
            f.push(format!(
                "{} unexpected RPC errors",
                self.unexpected_errors()
            ));
        }
        // One transaction per block: fewer blocks than acknowledged transactions means an
        // acknowledged transaction is in no block.
        if self.blocks_produced() < self.acknowledged_total() {
            f.push(format!(
                "{} blocks produced for {} acknowledged transactions",
                self.blocks_produced(),
                self.acknowledged_total()
            ));
        }
        if let Some(e) = &self.stop_error {
            f.push(format!("the node did not stop cleanly: {e}"));
        }
        f
    }

    /// The report as a table, with the first distinct error messages and problems.
    pub fn table(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let c = &self.config;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Metron load test: {} s of load ({secs:.2} s measured); submitters {}, readers {}, \
             callers {}",
            c.duration.as_secs_f64(),
            c.submitters,
            c.readers,
            c.callers
        );
        let _ = writeln!(
            s,
            "durability: {} | CPUs: {}",
            durability_name(c.durability),
            self.cpus
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<15} {:>9} {:>10} {:>9} {:>9} {:>7}",
            "method", "requests", "req/s", "p50 ms", "p99 ms", "errors"
        );
        let rows = [
            ("tx_submit", &self.submit),
            ("contract_call", &self.call),
            ("chain_head", &self.head),
        ];
        let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"));
        for (name, m) in rows {
            let _ = writeln!(
                s,
                "{:<15} {:>9} {:>10.2} {:>9} {:>9} {:>7}",
                name,
                m.requests,
                m.requests as f64 / secs,
                ms(m.percentile_ms(0.50)),
                ms(m.percentile_ms(0.99)),
                m.errors.total
            );
        }
        let _ = writeln!(s);
        let acked = self.acknowledged_total();
        let _ = writeln!(
            s,
            "transactions/s:    {:.2} ({} acknowledged: {} native transfers, {} token \
             transfers; per submitter {:?})",
            acked as f64 / secs,
            acked,
            self.native_transfers,
            self.token_transfers,
            self.acknowledged
        );
        let _ = writeln!(
            s,
            "submit queue full: {} (-32006, expected under overload)",
            self.submit.queue_full
        );
        let _ = writeln!(
            s,
            "blocks produced:   {} (heights {}..={})",
            self.blocks_produced(),
            self.head_before + 1,
            self.head_after
        );
        let r = &self.receipts;
        let _ = writeln!(
            s,
            "receipts checked:  {}, missing {}, not success {}, above head {}, not in their \
             block {}, RPC errors {}",
            r.checked, r.missing, r.not_success, r.above_head, r.not_in_block, r.rpc_errors
        );
        let _ = writeln!(
            s,
            "state_getNonce:    {} (one per submitter, then one per re-sync after an error), \
             {} errors",
            self.nonce_resync.requests, self.nonce_resync.errors.total
        );
        let _ = writeln!(
            s,
            "latencies: successful requests only, around the RPC call"
        );
        let logs = [
            ("tx_submit", &self.submit.errors),
            ("contract_call", &self.call.errors),
            ("chain_head", &self.head.errors),
            ("state_getNonce", &self.nonce_resync.errors),
        ];
        for (name, log) in logs {
            for (message, n) in log.distinct.iter().take(SHOWN_ERRORS) {
                let _ = writeln!(s, "error {name} ({n}x): {message}");
            }
        }
        for p in &r.problems {
            let _ = writeln!(s, "receipt problem: {p}");
        }
        let failures = self.failures();
        if failures.is_empty() {
            let _ = writeln!(s, "result: PASS");
        } else {
            let _ = writeln!(s, "result: FAIL: {}", failures.join("; "));
        }
        s
    }
}

/// Name of a durability mode in the report.
pub fn durability_name(d: Durability) -> &'static str {
    match d {
        Durability::Sync => "sync (WAL fsynced per block)",
        Durability::NoSync => "no-sync (--no-fsync: WAL written, not fsynced)",
    }
}

/// An error's code and message (`code: message` for JSON-RPC errors), and whether it is
/// the expected "submit queue full".
fn classify(e: &ClientError) -> (bool, String) {
    match e {
        ClientError::Call(obj) => {
            let queue_full = obj.code() == codes::LIMIT_EXCEEDED
                && obj.message().starts_with("submit queue full");
            (queue_full, format!("{}: {}", obj.code(), obj.message()))
        }
        other => (false, other.to_string()),
    }
}

fn address(key: &SigningKey) -> [u8; 32] {
    key.verifying_key().to_bytes()
}

/// `transfer` input: recipient, then the amount (u128 little-endian).
fn token_transfer_input(to: [u8; 32], amount: u128) -> Vec<u8> {
    let mut input = to.to_vec();
    input.extend_from_slice(&amount.to_le_bytes());
    input
}

fn client(url: &str) -> anyhow::Result<HttpClient> {
    Ok(metron_rpc::http_client(url)?)
}

/// Setup transaction: signs at the sender's current nonce, submits, returns the receipt,
/// which must be `success`.
async fn send_setup(
    c: &HttpClient,
    chain_id: u64,
    key: &SigningKey,
    gas_limit: u64,
    action: Action,
) -> anyhow::Result<wire::Receipt> {
    let nonce = c.state_get_nonce(wire::H256(address(key)), None).await?;
    let tx = Transaction {
        chain_id,
        nonce,
        gas_limit,
        gas_price: 1,
        action,
    }
    .sign(key)
    .to_bytes();
    let hash = c.tx_submit(wire::Bytes(tx), None).await?;
    let r = c
        .tx_get_receipt(hash)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no receipt for setup transaction {hash}"))?;
    anyhow::ensure!(
        r.status == wire::ExecStatus::Success,
        "setup transaction failed: {r:?}"
    );
    Ok(r)
}

/// What one submitter did.
#[derive(Default)]
struct SubmitterOutcome {
    submit: MethodStats,
    nonce_resync: MethodStats,
    /// Acknowledged hashes.
    hashes: Vec<wire::H256>,
    native_transfers: u64,
    token_transfers: u64,
}

async fn submitter(
    url: String,
    chain_id: u64,
    key: SigningKey,
    to: [u8; 32],
    token: wire::H256,
    deadline: Instant,
) -> SubmitterOutcome {
    let mut out = SubmitterOutcome::default();
    let c = match client(&url) {
        Ok(c) => c,
        Err(e) => {
            out.submit.error(format!("client: {e}"));
            return out;
        }
    };
    let from = wire::H256(address(&key));
    let mut nonce = None;
    let mut n: u64 = 0;
    while Instant::now() < deadline {
        let current = match nonce {
            Some(v) => v,
            None => {
                let started = Instant::now();
                match c.state_get_nonce(from, None).await {
                    Ok(v) => {
                        out.nonce_resync.ok(started);
                        v
                    }
                    Err(e) => {
                        out.nonce_resync.error(classify(&e).1);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                }
            }
        };
        let native = n.is_multiple_of(2);
        let (gas_limit, action) = if native {
            (TRANSFER_GAS, Action::Transfer { to, amount: 1 })
        } else {
            (
                CALL_GAS,
                Action::Call {
                    contract: token.0,
                    method: "transfer".into(),
                    input: token_transfer_input(to, 1),
                    value: 0,
                },
            )
        };
        let stx = Transaction {
            chain_id,
            nonce: current,
            gas_limit,
            gas_price: 1,
            action,
        }
        .sign(&key);
        let expected = wire::H256(stx.hash());
        let started = Instant::now();
        let result = c.tx_submit(wire::Bytes(stx.to_bytes()), None).await;
        match result {
            Ok(hash) => {
                out.submit.ok(started);
                if hash != expected {
                    out.submit
                        .errors
                        .add(format!("tx_submit returned {hash}, expected {expected}"));
                }
                out.hashes.push(hash);
                if native {
                    out.native_transfers += 1;
                } else {
                    out.token_transfers += 1;
                }
                nonce = Some(current + 1);
                n += 1;
            }
            Err(e) => {
                let (queue_full, message) = classify(&e);
                if queue_full {
                    out.submit.requests += 1;
                    out.submit.queue_full += 1;
                } else {
                    out.submit.error(message);
                }
                // Re-read the nonce: the transaction may or may not have been sealed.
                nonce = None;
            }
        }
    }
    out
}

async fn reader(url: String, deadline: Instant) -> MethodStats {
    let mut stats = MethodStats::default();
    let c = match client(&url) {
        Ok(c) => c,
        Err(e) => {
            stats.error(format!("client: {e}"));
            return stats;
        }
    };
    let mut highest = 0u64;
    while Instant::now() < deadline {
        let started = Instant::now();
        match c.chain_head().await {
            Ok(head) => {
                stats.ok(started);
                if head.height < highest {
                    stats.errors.add(format!(
                        "head went backwards: {} after {highest}",
                        head.height
                    ));
                }
                highest = highest.max(head.height);
            }
            Err(e) => stats.error(classify(&e).1),
        }
    }
    stats
}

async fn caller(url: String, token: wire::H256, owner: [u8; 32], deadline: Instant) -> MethodStats {
    let mut stats = MethodStats::default();
    let c = match client(&url) {
        Ok(c) => c,
        Err(e) => {
            stats.error(format!("client: {e}"));
            return stats;
        }
    };
    while Instant::now() < deadline {
        let request = wire::CallRequest {
            from: None,
            contract: token,
            method: "balance_of".into(),
            input: wire::Bytes(owner.to_vec()),
            value: None,
            gas_limit: Some(CALL_GAS),
            at: None,
        };
        let started = Instant::now();
        match c.contract_call(request).await {
            Ok(r) if r.status == wire::ExecStatus::Success && r.return_data.0.len() == 16 => {
                stats.ok(started);
            }
            Ok(r) => stats.error(format!(
                "balance_of: status {:?}, {} bytes returned, error {:?}",
                r.status,
                r.return_data.0.len(),
                r.error
            )),
            Err(e) => stats.error(classify(&e).1),
        }
    }
    stats
}

/// Checks `hashes` against the chain with head height `head`.
async fn check_receipts(url: String, hashes: Vec<wire::H256>, head: u64) -> ReceiptCheck {
    let mut check = ReceiptCheck::default();
    let c = match client(&url) {
        Ok(c) => c,
        Err(e) => {
            check.rpc_errors += hashes.len() as u64;
            check.problem(format!("client: {e}"));
            return check;
        }
    };
    for hash in hashes {
        check.checked += 1;
        let receipt = match c.tx_get_receipt(hash).await {
            Ok(Some(r)) if r.tx_hash == hash => r,
            Ok(Some(r)) => {
                check.missing += 1;
                check.problem(format!("{hash}: receipt for {} returned", r.tx_hash));
                continue;
            }
            Ok(None) => {
                check.missing += 1;
                check.problem(format!("{hash}: no receipt"));
                continue;
            }
            Err(e) => {
                check.rpc_errors += 1;
                check.problem(format!("{hash}: tx_getReceipt: {e}"));
                continue;
            }
        };
        if receipt.status != wire::ExecStatus::Success {
            check.not_success += 1;
            check.problem(format!("{hash}: status {:?}", receipt.status));
        }
        if receipt.block_height > head {
            check.above_head += 1;
            check.problem(format!(
                "{hash}: at height {} above the head {head}",
                receipt.block_height
            ));
            continue;
        }
        match c.chain_get_block(receipt.block_height.into()).await {
            Ok(Some(block))
                if block
                    .transactions
                    .get(receipt.index as usize)
                    .is_some_and(|tx| tx.hash == hash) => {}
            Ok(found) => {
                check.not_in_block += 1;
                check.problem(format!(
                    "{hash}: not at index {} of block {} (block found: {})",
                    receipt.index,
                    receipt.block_height,
                    found.is_some()
                ));
            }
            Err(e) => {
                check.rpc_errors += 1;
                check.problem(format!("{hash}: chain_getBlock: {e}"));
            }
        }
    }
    check
}

/// Runs the load test: node, setup, load, check, stop. Must run on a multi-thread tokio
/// runtime (the node and the workers share it).
///
/// # Errors
/// If the node cannot start or the setup (deploy, token distribution) fails. Failures
/// during the load are in the [`Report`] ([`Report::failures`]).
pub async fn run(config: &LoadConfig) -> anyhow::Result<Report> {
    anyhow::ensure!(
        config.submitters <= dev::DEV_ACCOUNT_COUNT,
        "at most {} submitters (one dev account each)",
        dev::DEV_ACCOUNT_COUNT
    );
    let temp = match config.data_dir {
        Some(_) => None,
        None => Some(tempfile::tempdir()?),
    };
    let dir = match (&config.data_dir, &temp) {
        (Some(d), _) => d.clone(),
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => unreachable!("a temporary dir is created without a data dir"),
    };
    let mut node_config = NodeConfig::test(&dir);
    node_config.chain.durability = config.durability;
    let node = Node::start(node_config).await?;
    let url = node.rpc_url();
    let outcome = load(config, &url).await;
    // Stop the node whatever happened, then report.
    let stop = node.stop().await;
    let mut report = outcome?;
    report.stop_error = stop.err().map(|e| e.to_string());
    drop(temp);
    Ok(report)
}

/// Setup, load and check against the node at `url`.
async fn load(config: &LoadConfig, url: &str) -> anyhow::Result<Report> {
    let keys = dev::dev_keys(dev::DEV_ACCOUNT_COUNT);
    let c = client(url)?;
    let chain_id = c.chain_id().await?;

    // The token, minted to dev account 0, which gives each other submitter tokens.
    let deploy = send_setup(
        &c,
        chain_id,
        &keys[0],
        DEPLOY_GAS,
        Action::Deploy {
            code: metron_contracts::TOKEN_WASM.to_vec(),
            init_input: TOKEN_SUPPLY.to_le_bytes().to_vec(),
        },
    )
    .await?;
    let token = deploy
        .contract_address
        .ok_or_else(|| anyhow::anyhow!("deploy receipt without contract address"))?;
    for key in keys.iter().take(config.submitters).skip(1) {
        send_setup(
            &c,
            chain_id,
            &keys[0],
            CALL_GAS,
            Action::Call {
                contract: token.0,
                method: "transfer".into(),
                input: token_transfer_input(address(key), TOKENS_PER_SUBMITTER),
                value: 0,
            },
        )
        .await?;
    }
    let head_before = c.chain_head().await?.height;

    // The load.
    let started = Instant::now();
    let deadline = started + config.duration;
    let mut submitters = Vec::new();
    for i in 0..config.submitters {
        // Each submitter sends to the next dev account.
        let to = address(&keys[(i + 1) % keys.len()]);
        submitters.push(tokio::spawn(submitter(
            url.to_string(),
            chain_id,
            keys[i].clone(),
            to,
            token,
            deadline,
        )));
    }
    let readers: Vec<_> = (0..config.readers)
        .map(|_| tokio::spawn(reader(url.to_string(), deadline)))
        .collect();
    let owner = address(&keys[0]);
    let callers: Vec<_> = (0..config.callers)
        .map(|_| tokio::spawn(caller(url.to_string(), token, owner, deadline)))
        .collect();

    let mut submit = MethodStats::default();
    let mut nonce_resync = MethodStats::default();
    let mut acknowledged = Vec::new();
    let mut hashes = Vec::new();
    let (mut native_transfers, mut token_transfers) = (0, 0);
    for task in submitters {
        let out = task.await?;
        submit.merge(out.submit);
        nonce_resync.merge(out.nonce_resync);
        acknowledged.push(out.hashes.len() as u64);
        hashes.extend(out.hashes);
        native_transfers += out.native_transfers;
        token_transfers += out.token_transfers;
    }
    let mut head = MethodStats::default();
    for task in readers {
        head.merge(task.await?);
    }
    let mut call = MethodStats::default();
    for task in callers {
        call.merge(task.await?);
    }
    let elapsed = started.elapsed();
    for stats in [&mut submit, &mut call, &mut head, &mut nonce_resync] {
        stats.latencies_ns.sort_unstable();
    }

    // The check, with the load stopped.
    let head_after = c.chain_head().await?.height;
    let chunk = hashes.len().div_ceil(RECEIPT_CHECKERS).max(1);
    let checkers: Vec<_> = hashes
        .chunks(chunk)
        .map(|part| tokio::spawn(check_receipts(url.to_string(), part.to_vec(), head_after)))
        .collect();
    let mut receipts = ReceiptCheck::default();
    for task in checkers {
        receipts.merge(task.await?);
    }

    let report = Report {
        config: config.clone(),
        elapsed,
        submit,
        call,
        head,
        nonce_resync,
        acknowledged,
        native_transfers,
        token_transfers,
        head_before,
        head_after,
        receipts,
        stop_error: None,
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(report)
}
