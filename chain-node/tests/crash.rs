//! Crash test: the real `metron node --dev` process is killed with SIGKILL at random
//! moments while client threads submit signed transfers, and restarted on the same data
//! dir. After every restart the test checks over RPC that nothing the node acknowledged
//! was lost and that the chain is still one consistent chain:
//!
//! - every transaction hash `tx_submit` returned (acknowledged) has a receipt, and the
//!   block at the receipt's height holds that transaction at the receipt's index;
//! - blocks `0..=head` all exist, heights are contiguous, each block's hash is the hash of
//!   its header, its parent hash is the previous block's hash, timestamps increase, the
//!   transactions root matches the transactions, each transaction's hash and signature
//!   match its fields, and the head agrees with the block fetched by number, by hash and
//!   as `"latest"`;
//! - a height keeps its block hash across restarts, and no transaction is in two blocks.
//!
//! Blocks are verified incrementally (only new heights are walked; the last verified
//! height and a few random ones are re-fetched); at the end, with the clients stopped, the
//! whole chain and every receipt are checked again, with the senders' nonces and all
//! balances against the blocks' transfers and the receipts' fees.
//!
//! The kill delays come from a seeded xorshift PRNG; set `METRON_CRASH_SEED` to replay
//! another sequence (the seed is printed).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use jsonrpsee::core::client::ClientT;
use jsonrpsee::core::params::BatchRequestBuilder;
use jsonrpsee::http_client::{HttpClient, HttpClientBuilder};
use jsonrpsee::rpc_params;
use metron_node::types::{Action, BlockHeader, SignedTransaction, Transaction};
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

/// Kill/restart cycles.
const KILLS: usize = 24;
/// Client threads, each sending from its own dev account (0..CLIENTS).
const CLIENTS: usize = 4;
/// Dev account that receives all transfers (not a sender).
const RECIPIENT: usize = 9;
/// Gas limit of the transfers: the intrinsic gas and room to spare.
const TRANSFER_GAS: u64 = metron_node::executor::TX_BASE_GAS + 100_000;
/// A kill comes this many milliseconds (inclusive range) after the node is up and the
/// post-restart check passed; the clients submit all along.
const KILL_DELAY_MS: (u64, u64) = (50, 600);
/// How long a start may take until the node prints its RPC URL.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Per-request timeout of the test's RPC clients.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Calls per JSON-RPC batch (the server's limit).
const BATCH: usize = metron_rpc::server::DEFAULT_MAX_BATCH as usize;
/// Previously verified heights and acknowledged transactions re-checked per restart.
const SPOT_CHECKS: usize = 4;
/// Default PRNG seed (override with `METRON_CRASH_SEED`).
const DEFAULT_SEED: u64 = 0x6d65_7472_6f6e_2139;

/// xorshift64: the kill delays and spot checks, reproducible from the seed.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        // splitmix64 step so that small seeds still give a well-mixed, nonzero state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        XorShift((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-enough value in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// Value in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------
// The node process.

/// A running `metron node --dev`; killed (SIGKILL) and reaped on drop.
struct NodeProc {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl NodeProc {
    /// Starts the node on `data_dir` with a free port and waits for its RPC URL.
    fn start(data_dir: &Path) -> NodeProc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_metron"))
            .args(["node", "--dev", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn metron node");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (lines_tx, lines_rx) = mpsc::channel();
        let out = drain(child.stdout.take(), "", Arc::clone(&log), Some(lines_tx));
        let err = drain(child.stderr.take(), "stderr: ", Arc::clone(&log), None);
        let mut node = NodeProc {
            child,
            url: String::new(),
            log,
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(u) = line.strip_prefix("RPC listening on ") {
                        node.url = u.trim().to_owned();
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                    "node did not print `RPC listening on ` within {STARTUP_TIMEOUT:?}; \
                     output so far:\n{}",
                    node.output()
                ),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = node.child.wait();
                    let _ = (out.join(), err.join());
                    panic!(
                        "node exited ({status:?}) before printing its RPC URL; output:\n{}",
                        node.output()
                    );
                }
            }
        }
        node
    }

    fn output(&self) -> String {
        lock(&self.log).join("\n")
    }

    /// SIGKILL, then reap the process (so the database lock is released).
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL the node");
        self.child.wait().expect("reap the node");
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `stream` line by line until EOF (so the pipe never fills), keeping the lines in
/// `log` and sending them to `lines` while someone listens.
fn drain(
    stream: Option<impl Read + Send + 'static>,
    prefix: &'static str,
    log: Arc<Mutex<Vec<String>>>,
    lines: Option<mpsc::Sender<String>>,
) -> JoinHandle<()> {
    let stream = stream.expect("piped stream");
    thread::spawn(move || {
        let mut r = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
                    lock(&log).push(format!("{prefix}{line}"));
                    if let Some(tx) = &lines {
                        let _ = tx.send(line);
                    }
                }
            }
        }
    })
}

fn http(url: &str) -> HttpClient {
    HttpClientBuilder::default()
        .request_timeout(REQUEST_TIMEOUT)
        .build(url)
        .unwrap_or_else(|e| panic!("HTTP client for {url}: {e}"))
}

// ---------------------------------------------------------------------------------------
// The clients.

/// A transaction `tx_submit` returned OK for.
#[derive(Clone, Copy, Debug)]
struct Acked {
    hash: wire::H256,
    client: usize,
    nonce: u64,
    /// Node start (0 = first) that acknowledged it.
    life: usize,
}

#[derive(Default)]
struct Shared {
    /// (generation, RPC URL while a node is up).
    endpoint: Mutex<(usize, Option<String>)>,
    acked: Mutex<Vec<Acked>>,
    stop: AtomicBool,
    /// Failed requests without a JSON-RPC error object (the node was killed or down).
    transport_errors: AtomicU64,
    /// JSON-RPC errors returned by a live node: none are expected.
    rpc_errors: Mutex<Vec<String>>,
}

impl Shared {
    fn set_endpoint(&self, url: Option<String>) {
        let mut e = lock(&self.endpoint);
        e.0 += 1;
        e.1 = url;
    }

    fn note_error(&self, what: String, e: &jsonrpsee::core::client::Error) {
        if metron_rpc::error::call_error(e).is_some() {
            lock(&self.rpc_errors).push(format!("{what}: {e}"));
        } else {
            self.transport_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Sets the stop flag when dropped, so that a failing test does not leave clients running.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }
}

/// Amount of client `client`'s transfer with nonce `nonce` (varied so sums mean something).
fn amount(client: usize, nonce: u64) -> u128 {
    1 + client as u128 * 1000 + u128::from(nonce % 997)
}

/// Sends transfers from `key` to `to` until stopped. The nonce is read with
/// `state_getNonce` at start, after every error and whenever the node changed.
fn client_loop(idx: usize, key: SigningKey, to: [u8; 32], chain_id: u64, shared: Arc<Shared>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    rt.block_on(async move {
        let from = wire::H256(key.verifying_key().to_bytes());
        let mut generation = usize::MAX;
        let mut client: Option<HttpClient> = None;
        let mut nonce: Option<u64> = None;
        let pause = || tokio::time::sleep(Duration::from_millis(10));
        while !shared.stop.load(Ordering::Relaxed) {
            let (g, url) = lock(&shared.endpoint).clone();
            let Some(url) = url else {
                pause().await;
                continue;
            };
            if g != generation {
                generation = g;
                client = Some(http(&url));
                nonce = None;
            }
            let c = client.as_ref().expect("client built above");
            let n = match nonce {
                Some(n) => n,
                None => match c.state_get_nonce(from, None).await {
                    Ok(n) => n,
                    Err(e) => {
                        shared.note_error(format!("client {idx}: state_getNonce"), &e);
                        pause().await;
                        continue;
                    }
                },
            };
            let stx = Transaction {
                chain_id,
                nonce: n,
                gas_limit: TRANSFER_GAS,
                gas_price: 1,
                action: Action::Transfer {
                    to,
                    amount: amount(idx, n),
                },
            }
            .sign(&key);
            let expected = wire::H256(stx.hash());
            match c.tx_submit(wire::Bytes(stx.to_bytes()), None).await {
                Ok(hash) => {
                    if hash != expected {
                        lock(&shared.rpc_errors).push(format!(
                            "client {idx} nonce {n}: tx_submit returned {hash}, the \
                             transaction's hash is {expected}"
                        ));
                    }
                    // The generation is the node's life: starts are numbered from 0 and
                    // each start and each kill bump the generation once.
                    lock(&shared.acked).push(Acked {
                        hash,
                        client: idx,
                        nonce: n,
                        life: (g - 1) / 2,
                    });
                    nonce = Some(n + 1);
                }
                Err(e) => {
                    shared.note_error(format!("client {idx}: tx_submit nonce {n}"), &e);
                    nonce = None;
                    pause().await;
                }
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// The checks.

/// Where a transaction of the chain is, and what it moved.
#[derive(Clone, Copy, Debug)]
struct TxInfo {
    height: u64,
    index: u32,
    from: wire::H256,
    to: wire::H256,
    amount: u128,
}

#[derive(Default)]
struct Verifier {
    /// Block hash per height, for heights `0..hashes.len()` (all verified).
    hashes: Vec<wire::H256>,
    timestamps: Vec<u64>,
    /// Every transaction of the verified blocks.
    txs: HashMap<wire::H256, TxInfo>,
    /// `acked[..acked_verified]` have been checked.
    acked_verified: usize,
}

/// Results of `method` called with each of `params`, in batches.
async fn batch<P, R>(c: &HttpClient, method: &str, params: &[P]) -> Vec<R>
where
    P: serde::Serialize + std::fmt::Debug,
    R: serde::de::DeserializeOwned + std::fmt::Debug,
{
    let mut out = Vec::with_capacity(params.len());
    for chunk in params.chunks(BATCH) {
        let mut b = BatchRequestBuilder::new();
        for p in chunk {
            b.insert(method, rpc_params![p]).expect("serialize params");
        }
        let resp = c
            .batch_request::<R>(b)
            .await
            .unwrap_or_else(|e| panic!("batch of {} {method} failed: {e}", chunk.len()));
        assert_eq!(resp.len(), chunk.len(), "{method}: batch response size");
        for (p, r) in chunk.iter().zip(resp) {
            out.push(r.unwrap_or_else(|e| panic!("{method}({p:?}) failed: {e}")));
        }
    }
    out
}

fn header_hash(h: &wire::BlockHeader) -> wire::H256 {
    wire::H256(
        BlockHeader {
            parent_hash: h.parent_hash.0,
            height: h.height,
            timestamp: h.timestamp,
            state_root: h.state_root.0,
            transactions_root: h.transactions_root.0,
            receipts_root: h.receipts_root.0,
        }
        .hash(),
    )
}

impl Verifier {
    /// Full check of block `n`, the next height after the verified ones.
    fn verify_new_block(&mut self, n: u64, b: &wire::Block) {
        let h = &b.header;
        assert_eq!(self.hashes.len() as u64, n);
        assert_eq!(
            h.height, n,
            "block fetched at height {n} says height {}",
            h.height
        );
        assert_eq!(
            header_hash(h),
            h.hash,
            "block {n}: hash {} is not the hash of its header",
            h.hash
        );
        if n == 0 {
            assert_eq!(h.parent_hash, wire::H256::default(), "genesis parent hash");
        } else {
            let parent = self.hashes[n as usize - 1];
            assert_eq!(
                h.parent_hash,
                parent,
                "block {n} ({}): parent hash {} is not block {}'s hash {parent}",
                h.hash,
                h.parent_hash,
                n - 1
            );
            let pts = self.timestamps[n as usize - 1];
            assert!(
                h.timestamp > pts,
                "block {n}: timestamp {} not after the parent's {pts}",
                h.timestamp
            );
        }
        let mut stxs = Vec::with_capacity(b.transactions.len());
        for (i, t) in b.transactions.iter().enumerate() {
            let wire::Action::Transfer { to, amount } = &t.action else {
                panic!("block {n} tx {}: unexpected action {:?}", t.hash, t.action);
            };
            let stx = SignedTransaction {
                from: t.from.0,
                tx: Transaction {
                    chain_id: t.chain_id,
                    nonce: t.nonce,
                    gas_limit: t.gas_limit,
                    gas_price: t.gas_price.0,
                    action: Action::Transfer {
                        to: to.0,
                        amount: amount.0,
                    },
                },
                signature: t.signature.0.as_slice().try_into().unwrap_or_else(|_| {
                    panic!("block {n} tx {}: signature is not 64 bytes", t.hash)
                }),
            };
            assert_eq!(
                wire::H256(stx.hash()),
                t.hash,
                "block {n} tx {i}: hash {} does not match its fields",
                t.hash
            );
            assert!(
                stx.verify().is_ok(),
                "block {n} tx {}: bad signature",
                t.hash
            );
            let info = TxInfo {
                height: n,
                index: i as u32,
                from: t.from,
                to: *to,
                amount: amount.0,
            };
            if let Some(prev) = self.txs.insert(t.hash, info) {
                panic!(
                    "tx {} is in two blocks: height {} (index {}) and height {n} (index {i})",
                    t.hash, prev.height, prev.index
                );
            }
            stxs.push(stx);
        }
        assert_eq!(
            wire::H256(metron_node::types::transactions_root(&stxs)),
            h.transactions_root,
            "block {n} ({}): transactions root does not match its transactions",
            h.hash
        );
        self.hashes.push(h.hash);
        self.timestamps.push(h.timestamp);
    }

    /// Checks receipts of `hashes` against the verified blocks (where each transaction
    /// is). `why(i)` describes `hashes[i]` in messages.
    async fn check_receipts(
        &self,
        c: &HttpClient,
        hashes: &[wire::H256],
        why: &dyn Fn(usize) -> String,
    ) -> Vec<wire::Receipt> {
        let receipts: Vec<Option<wire::Receipt>> = batch(c, "tx_getReceipt", hashes).await;
        let head = self.hashes.len() - 1;
        let mut out = Vec::with_capacity(hashes.len());
        for (i, (h, r)) in hashes.iter().zip(receipts).enumerate() {
            let why = || why(i);
            let r = r.unwrap_or_else(|| {
                panic!(
                    "{} tx {h} has no receipt (verified chain head {head})",
                    why()
                )
            });
            assert_eq!(r.tx_hash, *h, "receipt of {h} names tx {}", r.tx_hash);
            let Some(info) = self.txs.get(h) else {
                panic!(
                    "{} tx {h} has a receipt at height {} index {}, but no block of \
                     0..={head} contains it",
                    why(),
                    r.block_height,
                    r.index
                );
            };
            assert!(
                r.block_height == info.height && r.index == info.index,
                "{} tx {h}: receipt says height {} index {}, the tx is in block {} at \
                 index {}",
                why(),
                r.block_height,
                r.index,
                info.height,
                info.index
            );
            assert!(
                r.status.is_success(),
                "{} tx {h} (block {}): transfer failed: {r:?}",
                why(),
                r.block_height
            );
            out.push(r);
        }
        out
    }

    /// The check after a (re)start: stored heights unchanged, new blocks verified, head
    /// consistent, acknowledged transactions included. `label` names the start.
    async fn check(&mut self, c: &HttpClient, shared: &Shared, rng: &mut XorShift, label: &str) {
        // Everything acknowledged before the head is read is at or below the head.
        let acked_len = lock(&shared.acked).len();
        let head = c.chain_head().await.expect("chain_head");
        let known = self.hashes.len() as u64;
        if known > 0 {
            assert!(
                head.height + 1 >= known,
                "{label}: head went back to {} ({}); block {} ({}) was verified before",
                head.height,
                head.hash,
                known - 1,
                self.hashes[known as usize - 1]
            );
            // The last verified height and a few random ones keep their hashes.
            let mut spot = vec![known - 1];
            spot.extend((0..SPOT_CHECKS).map(|_| rng.below(known as usize) as u64));
            let got: Vec<Option<wire::Block>> = batch(c, "chain_getBlock", &spot).await;
            for (n, b) in spot.iter().zip(got) {
                let was = self.hashes[*n as usize];
                match b {
                    None => panic!("{label}: block {n} (was {was}) is missing"),
                    Some(b) => assert_eq!(
                        b.header.hash, was,
                        "{label}: block at height {n} changed: was {was}, now {}",
                        b.header.hash
                    ),
                }
            }
        }

        // New heights, walked in full.
        let new: Vec<u64> = (known..=head.height).collect();
        let got: Vec<Option<wire::Block>> = batch(c, "chain_getBlock", &new).await;
        for (n, b) in new.iter().zip(got) {
            let b = b
                .unwrap_or_else(|| panic!("{label}: block {n} missing below head {}", head.height));
            self.verify_new_block(*n, &b);
        }

        // The head agrees with the block by number, by hash and "latest".
        assert_eq!(
            head.hash, self.hashes[head.height as usize],
            "{label}: chain_head hash vs block {}",
            head.height
        );
        let by_number = c
            .chain_get_block(wire::BlockId::Number(head.height))
            .await
            .expect("chain_getBlock by number")
            .unwrap_or_else(|| panic!("{label}: head block {} missing", head.height));
        assert_eq!(
            by_number.header, head,
            "{label}: chain_head vs block by number"
        );
        let by_hash = c
            .chain_get_block(wire::BlockId::Hash(head.hash))
            .await
            .expect("chain_getBlock by hash")
            .unwrap_or_else(|| panic!("{label}: head block {} not found by hash", head.hash));
        assert_eq!(
            by_hash, by_number,
            "{label}: head block by hash vs by number"
        );
        let latest = c
            .chain_get_block(wire::BlockId::Latest)
            .await
            .expect("chain_getBlock latest")
            .unwrap_or_else(|| panic!("{label}: no latest block"));
        assert!(
            latest.header.height >= head.height,
            "{label}: latest block {} below chain_head {}",
            latest.header.height,
            head.height
        );
        if latest.header.height == head.height {
            assert_eq!(latest, by_number, "{label}: latest vs head block");
        }

        // Acknowledged since the last check, and a few older ones again.
        let check: Vec<Acked> = {
            let acked = lock(&shared.acked);
            let mut v = acked[self.acked_verified..acked_len].to_vec();
            if self.acked_verified > 0 {
                v.extend((0..SPOT_CHECKS).map(|_| acked[rng.below(self.acked_verified)]));
            }
            v
        };
        let hashes: Vec<wire::H256> = check.iter().map(|a| a.hash).collect();
        let why = |i: usize| {
            let a = check[i];
            format!(
                "{label}: acknowledged (client {}, nonce {}, by node start {})",
                a.client, a.nonce, a.life
            )
        };
        self.check_receipts(c, &hashes, &why).await;
        self.acked_verified = acked_len;
    }

    /// With the clients stopped: every block again, every receipt, nonces and balances.
    async fn final_check(&self, c: &HttpClient, keys: &[SigningKey]) {
        let heights: Vec<u64> = (0..self.hashes.len() as u64).collect();
        let blocks: Vec<Option<wire::Block>> = batch(c, "chain_getBlock", &heights).await;
        for (n, b) in heights.iter().zip(blocks) {
            let b = b.unwrap_or_else(|| panic!("final: block {n} missing"));
            assert_eq!(
                b.header.hash, self.hashes[*n as usize],
                "final: block {n} changed"
            );
            for (i, t) in b.transactions.iter().enumerate() {
                let info = self.txs.get(&t.hash).expect("verified tx");
                assert!(
                    info.height == *n && info.index == i as u32,
                    "final: tx {} moved to block {n} index {i}",
                    t.hash
                );
            }
        }
        let all: Vec<wire::H256> = self.txs.keys().copied().collect();
        let receipts = self
            .check_receipts(c, &all, &|_| "final: included".to_owned())
            .await;

        // Balances: genesis minus what each sender sent and paid, plus what it received.
        let mut balance: BTreeMap<wire::H256, i128> = BTreeMap::new();
        let mut sent: BTreeMap<wire::H256, u64> = BTreeMap::new();
        for (h, r) in all.iter().zip(receipts) {
            let info = self.txs[h];
            let fee = r.fee.0;
            *balance.entry(info.from).or_default() -= (info.amount + fee) as i128;
            *balance.entry(info.to).or_default() += info.amount as i128;
            *sent.entry(info.from).or_default() += 1;
        }
        let head = self.hashes.len() as u64 - 1;
        for (i, k) in keys.iter().enumerate() {
            let a = wire::H256(k.verifying_key().to_bytes());
            let nonce = c.state_get_nonce(a, Some(head)).await.expect("nonce");
            let n_sent = sent.get(&a).copied().unwrap_or(0);
            assert_eq!(
                nonce, n_sent,
                "final: dev account {i} has nonce {nonce} but sent {n_sent} txs in blocks 0..={head}"
            );
            let got = c.state_get_balance(a, Some(head)).await.expect("balance").0;
            let want = (metron_node::dev::DEV_BALANCE as i128
                + balance.get(&a).copied().unwrap_or(0)) as u128;
            assert_eq!(
                got, want,
                "final: dev account {i} balance {got}, the blocks and receipts give {want}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn sigkill_loses_no_acknowledged_transaction() {
    let started = Instant::now();
    let seed = std::env::var("METRON_CRASH_SEED")
        .ok()
        .map(|s| s.parse::<u64>().expect("METRON_CRASH_SEED: a u64"))
        .unwrap_or(DEFAULT_SEED);
    eprintln!("crash test: seed {seed} (METRON_CRASH_SEED), {KILLS} kills, {CLIENTS} clients");
    let mut rng = XorShift::new(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("devnet");
    let keys = metron_node::dev::dev_keys(metron_node::dev::DEV_ACCOUNT_COUNT);
    let recipient = keys[RECIPIENT].verifying_key().to_bytes();
    let shared = Arc::new(Shared::default());
    let stop = StopOnDrop(Arc::clone(&shared));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut verifier = Verifier::default();

    let mut node = NodeProc::start(&data_dir);
    let chain_id = rt.block_on(http(&node.url).chain_id()).expect("chain_id");
    shared.set_endpoint(Some(node.url.clone()));
    let clients: Vec<JoinHandle<()>> = (0..CLIENTS)
        .map(|i| {
            let (key, shared) = (keys[i].clone(), Arc::clone(&shared));
            thread::spawn(move || client_loop(i, key, recipient, chain_id, shared))
        })
        .collect();

    let mut restart_time = Duration::ZERO;
    let mut check_time = Duration::ZERO;
    for kill in 0..=KILLS {
        let label = if kill == 0 {
            "first start".to_owned()
        } else {
            format!("restart after kill {kill}")
        };
        let t = Instant::now();
        rt.block_on(verifier.check(&http(&node.url), &shared, &mut rng, &label));
        check_time += t.elapsed();
        if kill == KILLS {
            break;
        }
        thread::sleep(Duration::from_millis(
            rng.range(KILL_DELAY_MS.0, KILL_DELAY_MS.1),
        ));
        node.kill();
        shared.set_endpoint(None);
        let t = Instant::now();
        node = NodeProc::start(&data_dir);
        restart_time += t.elapsed();
        shared.set_endpoint(Some(node.url.clone()));
    }

    // Stop the clients, then check everything once more on the quiet node.
    drop(stop);
    for c in clients {
        c.join().expect("client thread");
    }
    let c = http(&node.url);
    rt.block_on(verifier.check(&c, &shared, &mut rng, "after the clients stopped"));
    rt.block_on(verifier.final_check(&c, &keys));

    let rpc_errors = lock(&shared.rpc_errors).clone();
    assert!(
        rpc_errors.is_empty(),
        "{} unexpected JSON-RPC errors from a live node, first ones:\n{}",
        rpc_errors.len(),
        rpc_errors[..rpc_errors.len().min(10)].join("\n")
    );
    let acked = lock(&shared.acked).clone();
    assert!(
        acked.len() >= KILLS,
        "only {} transactions acknowledged in {KILLS} node lives: the clients barely ran",
        acked.len()
    );
    let mut per_life = vec![0usize; KILLS + 1];
    for a in &acked {
        per_life[a.life] += 1;
    }
    let per_client: Vec<u64> = (0..CLIENTS)
        .map(|i| {
            acked
                .iter()
                .filter(|a| a.client == i)
                .map(|a| a.nonce + 1)
                .max()
                .unwrap_or(0)
        })
        .collect();
    node.kill();
    eprintln!(
        "crash test: {KILLS} kills, {} acknowledged txs, {} txs included ({} included without \
         acknowledgement: in flight at a kill), {} blocks, {} transport errors, \
         restarts {:.1?} avg, checks {:.1?} total, elapsed {:.1?}\n  acknowledged per node \
         life: {per_life:?}\n  client nonces reached: {per_client:?}",
        acked.len(),
        verifier.txs.len(),
        verifier.txs.len() - acked.len(),
        verifier.hashes.len(),
        shared.transport_errors.load(Ordering::Relaxed),
        restart_time / KILLS as u32,
        check_time,
        started.elapsed(),
    );
}
