//! Host-function gas calibration against a real node state (`docs/gas.md`, issue 26).
//!
//! `cargo run --release -p metron-node --example host_gas [-- --keys N]` opens a node
//! [`Chain`] in a data dir, deploys one WAT contract that calls each host function of
//! `chain-node/src/host.rs` in a loop, pre-populates the contract's storage with `N` keys
//! (default 1 000 000; keys of 16 to 256 bytes, values of 32 bytes to 64 KiB) through the
//! store's block commit (`Store::prepare_state` + `Store::commit_block`, one block per
//! 25 000 keys; not timed), then runs every case as signed Call transactions through
//! [`Chain::submit`]: validation, execution and the block commit (jmt update and RocksDB
//! write batch), so a write pays for the commit it causes.
//!
//! Each case is timed as the difference between a transaction that makes `n` host calls
//! and the same transaction with `n = 0` (same method, same input size): the intrinsic
//! gas, instantiation and the empty block's commit cancel out, and what remains is the
//! `n` calls, their loop and the commit of what they wrote. The table gives gas, time,
//! ns/gas and the ratio to the reference: the median ns/gas of the benchmark workloads
//! (`metron_bench::gas`, measured in the same run unless `--reference-ns-per-gas X`).
//! Every figure is the median of `--samples` samples after one warm-up.
//!
//! Before each case the data dir's files are read, so that the state is in the OS page
//! cache as on a node whose state fits in memory (`--no-warm` skips it: on a host that
//! reclaims cold page cache, reads then go to the disk).
//!
//! Two more tables price what every transaction pays:
//! - **whole transactions** (time of `Chain::submit` for the whole signed transaction
//!   against its whole `gas_used`): a transfer, a call doing nothing, a call that aborts
//!   with the longest message, a call of a missing method; the intrinsic price
//!   (`TX_BASE_GAS`) and the code load charge are what these pay;
//! - **code load**: the time of `Module::new` with the node's VM config (what a call that
//!   misses the module cache adds) per byte of code, against `CODE_LOAD_GAS_PER_BYTE`,
//!   for the real modules of `metron-bench compile` and its adversarial ones.
//!
//! Options: `--keys N`, `--samples S` (default 5), `--reference-ns-per-gas X`,
//! `--data-dir DIR` (keep the filled state there and reuse it on the next run with the
//! same `--keys`; default a temporary dir), `--filter S` (cases whose name contains S),
//! `--no-warm`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use ed25519_dalek::SigningKey;
use metron_node::dev;
use metron_node::host::{MAX_EVENTS_PER_TX, MAX_EVENT_BYTES_PER_TX, MAX_KEY_LEN, MAX_VALUE_LEN};
use metron_node::state::store::BlockCommit;
use metron_node::state::{storage_key, Store};
use metron_node::types::{contract_address, receipts_root, transactions_root};
use metron_node::{
    Action, Address, Block, BlockHeader, Chain, ChainConfig, ReceiptStatus, Transaction, TrapCode,
};

#[derive(Parser, Debug)]
#[command(about = "Host-function gas calibration against a real node state")]
struct Args {
    /// Storage keys pre-populated in the calibration contract's state.
    #[arg(long, default_value_t = 1_000_000)]
    keys: u64,
    /// Timed samples per case (after one warm-up); the median is reported.
    #[arg(long, default_value_t = 5)]
    samples: usize,
    /// Reference ns/gas (the workloads' median of `metron-bench gas`); measured in this
    /// run when absent.
    #[arg(long)]
    reference_ns_per_gas: Option<f64>,
    /// Keep the node's data dir here and reuse it when it holds a state filled with the
    /// same `--keys` and the same contract (default: a temporary dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Only cases whose name contains one of these.
    #[arg(long)]
    filter: Vec<String>,
    /// Do not read the data dir's files before each case (by default they are read, so
    /// that the state is in the OS page cache as on a node whose state fits in memory).
    #[arg(long)]
    no_warm: bool,
}

/// Keys committed per filler block.
const FILL_BATCH: u64 = 25_000;
/// Key lengths of the fill are `16 + i % KEY_CLASSES`: 16 to 256 bytes.
const KEY_CLASSES: u64 = 241;
/// Storage key marking a filled state: value = the key count (u64 LE).
const FILLED_MARKER: &[u8] = b"host_gas filled";
/// First key index of keys that are never in the fill (misses).
const MISS_BASE: u64 = 1 << 62;
/// First key index of keys written by the write cases (new keys).
const NEW_BASE: u64 = 1 << 61;
/// Gas limit of every transaction (the dev block gas limit).
const GAS_LIMIT: u64 = dev::DEFAULT_BLOCK_GAS_LIMIT;

/// Memory layout of the calibration contract.
const VAL: u32 = 64 * 1024;
const IN: u32 = 2 * 64 * 1024;
const ADDR: u32 = 512;
const OUT16: u32 = 600;
const TOPIC: u32 = 1024;

/// The length of fill key `i`.
fn key_len(i: u64) -> usize {
    16 + (i % KEY_CLASSES) as usize
}

/// Fill key `i`: `i` (u64 LE) then the 0x5a pattern, [`key_len`] bytes. The contract
/// builds the same bytes in its key buffer.
fn fill_key(i: u64, len: usize) -> Vec<u8> {
    let mut k = vec![0x5a; len];
    k[..8].copy_from_slice(&i.to_le_bytes());
    k
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Incompressible bytes (so that RocksDB's block compression does not shrink values).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut x = seed;
    while out.len() < len {
        x = splitmix(x);
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Value of fill key `i`: 64 KiB for the 256-byte keys (`i % 241 == 240`), 32 bytes for
/// the 16-byte keys (`i % 241 == 0`), otherwise 32 to 512 bytes.
fn fill_value(i: u64) -> Vec<u8> {
    let len = match i % KEY_CLASSES {
        240 => MAX_VALUE_LEN as usize,
        0 => 32,
        _ => 32 + (splitmix(i) % 481) as usize,
    };
    noise(i, len)
}

/// The calibration contract: one method per host function, each reading its arguments
/// from the input (see [`CaseArgs`]) and calling the host function `n` times.
fn contract_wat() -> String {
    let pattern = "\\5a".repeat((MAX_KEY_LEN - 8) as usize);
    let value: String = noise(0xfeed, MAX_VALUE_LEN as usize)
        .iter()
        .map(|b| format!("\\{b:02x}"))
        .collect();
    let topic = "\\74".repeat(64);
    let key = "(call $key (local.get $j))";
    let self_address = format!("(call $address (i32.const {ADDR}))");
    let methods: Vec<(&str, &str, String)> = vec![
        ("read", "", format!(
            "(drop (call $storage_read (i32.const 0) {key} (i32.const {VAL}) (i32.load (i32.const {}))))",
            IN + 40
        )),
        ("write", "", format!(
            "(call $storage_write (i32.const 0) {key} (i32.const {VAL}) (i32.load (i32.const {})))",
            IN + 40
        )),
        ("remove", "", format!("(call $storage_remove (i32.const 0) {key})")),
        ("balance", "", format!(
            "(drop {key}) (call $balance (i32.const 0) (i32.const {OUT16}))"
        )),
        ("balance_self", &self_address, format!(
            "(call $balance (i32.const {ADDR}) (i32.const {OUT16}))"
        )),
        ("input_len", "", "(drop (call $input_len))".into()),
        ("input_read", "", format!("(call $input_read (i32.const {IN}))")),
        ("return_data", "", format!(
            "(call $return_data (i32.const {VAL}) (i32.load (i32.const {})))",
            IN + 40
        )),
        ("caller", "", format!("(call $caller (i32.const {ADDR}))")),
        ("address", "", format!("(call $address (i32.const {ADDR}))")),
        ("value", "", format!("(call $value (i32.const {OUT16}))")),
        ("block_height", "", "(drop (call $block_height))".into()),
        ("block_timestamp", "", "(drop (call $block_timestamp))".into()),
        ("emit", "", format!(
            "(call $emit_event (i32.const {TOPIC}) (i32.load (i32.const {})) (i32.const {VAL}) (i32.load (i32.const {})))",
            IN + 44,
            IN + 40
        )),
        ("abort", "", format!(
            "(call $abort (i32.const {VAL}) (i32.load (i32.const {})))",
            IN + 40
        )),
        ("loop", "", format!("(drop {key})")),
    ];
    let mut m = String::new();
    let _ = write!(
        m,
        r#"(module
  (import "metron" "input_len" (func $input_len (result i32)))
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i64)))
  (import "metron" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "metron" "storage_remove" (func $storage_remove (param i32 i32)))
  (import "metron" "caller" (func $caller (param i32)))
  (import "metron" "address" (func $address (param i32)))
  (import "metron" "value" (func $value (param i32)))
  (import "metron" "balance" (func $balance (param i32 i32)))
  (import "metron" "block_height" (func $block_height (result i64)))
  (import "metron" "block_timestamp" (func $block_timestamp (result i64)))
  (import "metron" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "metron" "abort" (func $abort (param i32 i32)))
  (memory (export "memory") 3)
  (data (i32.const 8) "{pattern}")
  (data (i32.const {TOPIC}) "{topic}")
  (data (i32.const {VAL}) "{value}")
  ;; Key j of the case: idx = ((start + j) mod modulus) * mul + add (no mod if modulus
  ;; is 0), stored LE at 0 before the pattern; returns the key length (16 + idx mod 241
  ;; when the case's key length is 0).
  (func $key (param $j i64) (result i32)
    (local $idx i64)
    (local.set $idx (i64.add (i64.load (i32.const {start})) (local.get $j)))
    (if (i64.ne (i64.load (i32.const {modulus})) (i64.const 0))
      (then (local.set $idx (i64.rem_u (local.get $idx) (i64.load (i32.const {modulus}))))))
    (local.set $idx (i64.add (i64.mul (local.get $idx) (i64.load (i32.const {mul})))
                             (i64.load (i32.const {add}))))
    (i64.store (i32.const 0) (local.get $idx))
    (if (result i32) (i32.eqz (i32.load (i32.const {klen})))
      (then (i32.add (i32.const 16) (i32.wrap_i64 (i64.rem_u (local.get $idx) (i64.const {KEY_CLASSES})))))
      (else (i32.load (i32.const {klen})))))
"#,
        start = IN + 8,
        modulus = IN + 16,
        mul = IN + 24,
        add = IN + 32,
        klen = IN + 4,
    );
    for (name, prologue, body) in &methods {
        let _ = write!(
            m,
            r#"  (func (export "{name}") (local $j i64)
    (call $input_read (i32.const {IN}))
    {prologue}
    (block $done
      (loop $l
        (br_if $done (i64.ge_u (local.get $j) (i64.extend_i32_u (i32.load (i32.const {IN})))))
        {body}
        (local.set $j (i64.add (local.get $j) (i64.const 1)))
        (br $l))))
"#
        );
    }
    m.push(')');
    m
}

/// The input of one calibration call (48 bytes, zero-padded to `input_len`).
#[derive(Clone, Copy, Debug, Default)]
struct CaseArgs {
    /// Host calls made.
    n: u32,
    /// Key length (0: `16 + idx % 241`).
    key_len: u32,
    start: u64,
    modulus: u64,
    mul: u64,
    add: u64,
    /// Value length / `out_cap` / return data or event data length / abort message length.
    len: u32,
    /// Event topic length.
    topic: u32,
    /// Total input length (at least 48).
    input_len: u32,
}

impl CaseArgs {
    fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.input_len.max(48) as usize);
        v.extend_from_slice(&self.n.to_le_bytes());
        v.extend_from_slice(&self.key_len.to_le_bytes());
        for x in [self.start, self.modulus, self.mul, self.add] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        v.extend_from_slice(&self.len.to_le_bytes());
        v.extend_from_slice(&self.topic.to_le_bytes());
        v.resize(self.input_len.max(48) as usize, 0);
        v
    }
}

/// One calibration case: `method` with `args`; sample `s` starts at key index
/// `args.start + s * stride`.
struct Case {
    name: String,
    method: &'static str,
    args: CaseArgs,
    stride: u64,
    /// The receipt status a call with `n > 0` must have.
    expect_trap: bool,
}

struct Layout {
    /// Keys `[0, hit_end)` are read (and the 64 KiB ones overwritten); the first half of
    /// `[hit_end, keys)` is removed, the second half overwritten.
    hit_end: u64,
    keys: u64,
    /// Random per run: new keys and misses of one run are not those of an earlier one.
    run: u64,
}

fn cases(l: &Layout) -> Vec<Case> {
    let hit_classes = (l.hit_end / KEY_CLASSES).max(1);
    let k = MAX_KEY_LEN;
    let v = MAX_VALUE_LEN;
    let base = CaseArgs {
        mul: 1,
        input_len: 48,
        ..CaseArgs::default()
    };
    let mut out = Vec::new();
    let mut case = |name: &str, method, n: u32, stride: u64, args: CaseArgs| {
        out.push(Case {
            name: name.to_string(),
            method,
            args: CaseArgs { n, ..args },
            stride,
            expect_trap: method == "abort",
        });
    };
    // Hits: fill keys i = class * 241 + r with r = 240 (256-byte key, 64 KiB value) or
    // r = 0 (16-byte key, 32-byte value), classes in [0, hit_end / 241).
    let hit = |r: u64, key_len: u32, start: u64| CaseArgs {
        key_len,
        start,
        modulus: hit_classes,
        mul: KEY_CLASSES,
        add: r,
        ..base
    };
    let fresh = |first: u64, key_len: u32| CaseArgs {
        key_len,
        start: first + (l.run << 32),
        ..base
    };
    let third = hit_classes / 3;
    case(
        "storage_read hit, key 256 B, value 64 KiB (copied)",
        "read",
        200,
        200,
        CaseArgs {
            len: v,
            ..hit(240, k, 0)
        },
    );
    case(
        "storage_read hit, key 256 B, value 64 KiB (out_cap 0)",
        "read",
        500,
        500,
        CaseArgs {
            len: 0,
            ..hit(240, k, third)
        },
    );
    case(
        "storage_read hit, key 16 B, value 32 B",
        "read",
        3_000,
        3_000,
        CaseArgs {
            len: v,
            ..hit(0, 16, 0)
        },
    );
    case(
        "storage_read miss, key 256 B",
        "read",
        3_000,
        3_000,
        CaseArgs {
            len: v,
            ..fresh(MISS_BASE, k)
        },
    );
    case(
        "storage_read miss, key 16 B",
        "read",
        3_000,
        3_000,
        CaseArgs {
            len: v,
            ..fresh(MISS_BASE + (1 << 40), 16)
        },
    );
    case(
        "storage_write new key 16 B, value 32 B",
        "write",
        1_000,
        1_000,
        CaseArgs {
            len: 32,
            ..fresh(NEW_BASE, 16)
        },
    );
    case(
        "storage_write new key 16 B, value 32 B (100 in one tx)",
        "write",
        100,
        100,
        CaseArgs {
            len: 32,
            ..fresh(NEW_BASE + (1 << 40), 16)
        },
    );
    case(
        "storage_write new key 256 B, value 64 KiB",
        "write",
        100,
        100,
        CaseArgs {
            len: v,
            ..fresh(NEW_BASE + (2 << 40), k)
        },
    );
    // Overwrites: keys of [3/4 keys, keys) (16 to 256 bytes, values of 32 to 512 bytes).
    let quarter = (l.keys - l.hit_end) / 2;
    case(
        "storage_write existing key (16-256 B), value 32 B",
        "write",
        1_000,
        1_000,
        CaseArgs {
            len: 32,
            start: (l.run % 64) * 12_000,
            modulus: quarter.max(1),
            add: l.hit_end + quarter,
            ..base
        },
    );
    case(
        "storage_write existing key 256 B, value 64 KiB",
        "write",
        100,
        100,
        CaseArgs {
            len: v,
            ..hit(240, k, 2 * third)
        },
    );
    case(
        "storage_write one key 16 B, value 32 B, again and again",
        "write",
        1_000,
        0,
        CaseArgs {
            len: 32,
            modulus: 1,
            ..fresh(NEW_BASE + (3 << 40), 16)
        },
    );
    case(
        "storage_remove existing key (16-256 B)",
        "remove",
        1_000,
        1_000,
        CaseArgs {
            key_len: 0,
            start: (l.run % 64) * 12_000,
            modulus: quarter.max(1),
            add: l.hit_end,
            ..base
        },
    );
    case(
        "storage_remove absent key 16 B",
        "remove",
        1_000,
        1_000,
        fresh(MISS_BASE + (2 << 40), 16),
    );
    case(
        "balance of an absent account",
        "balance",
        2_000,
        2_000,
        fresh(MISS_BASE + (3 << 40), 32),
    );
    case("balance of the contract", "balance_self", 2_000, 0, base);
    case("input_len", "input_len", 20_000, 0, base);
    case("input_read (input 48 B)", "input_read", 20_000, 0, base);
    case(
        "input_read (input 64 KiB)",
        "input_read",
        500,
        0,
        CaseArgs {
            input_len: v,
            ..base
        },
    );
    case("return_data 0 B", "return_data", 20_000, 0, base);
    case(
        "return_data 64 KiB",
        "return_data",
        1_000,
        0,
        CaseArgs { len: v, ..base },
    );
    case("caller", "caller", 20_000, 0, base);
    case("address", "address", 20_000, 0, base);
    case("value", "value", 20_000, 0, base);
    case("block_height", "block_height", 20_000, 0, base);
    case("block_timestamp", "block_timestamp", 20_000, 0, base);
    let max_events = u32::try_from(MAX_EVENTS_PER_TX).unwrap_or(u32::MAX);
    let event_bytes = u32::try_from(MAX_EVENT_BYTES_PER_TX).unwrap_or(u32::MAX);
    case(
        &format!("emit_event x{max_events}, empty topic and data"),
        "emit",
        max_events,
        0,
        base,
    );
    case(
        &format!(
            "emit_event x{max_events}, topic 64 B + data {} B",
            event_bytes / max_events - 64
        ),
        "emit",
        max_events,
        0,
        CaseArgs {
            topic: 64,
            len: event_bytes / max_events - 64,
            ..base
        },
    );
    case(
        &format!("emit_event x{}, data 64 KiB", event_bytes / v),
        "emit",
        event_bytes / v,
        0,
        CaseArgs { len: v, ..base },
    );
    case(
        "abort, message 64 KiB",
        "abort",
        1,
        0,
        CaseArgs { len: v, ..base },
    );
    case(
        "loop and key only (no host call)",
        "loop",
        20_000,
        20_000,
        fresh(MISS_BASE, k),
    );
    out
}

/// Creates the chain in `dir` (genesis), deploys the contract and fills its storage,
/// unless `dir` already holds that state. Returns the contract address.
fn prepare(dir: &Path, keys: u64, code: &[u8]) -> anyhow::Result<Address> {
    let deployer = key(0);
    let contract = contract_address(&deployer.verifying_key().to_bytes(), 0);
    let chain = Chain::open(ChainConfig::dev(dir))?;
    let filled = chain.storage(&contract, FILLED_MARKER, None)?;
    if filled.is_some() {
        anyhow::ensure!(
            filled == Some(keys.to_le_bytes().to_vec())
                && chain.code(&contract, None)?.as_deref() == Some(code),
            "{} holds a state filled with another --keys or contract: remove it",
            dir.display()
        );
        eprintln!("reusing the filled state in {}", dir.display());
        return Ok(contract);
    }
    anyhow::ensure!(
        chain.head_height() == 0,
        "{} holds an unfinished state: remove it",
        dir.display()
    );
    let r = submit(
        &chain,
        &deployer,
        Action::Deploy {
            code: code.to_vec(),
            init_input: Vec::new(),
        },
    )?;
    anyhow::ensure!(r.0.is_success(), "deploy failed: {:?}", r);
    let (mut parent_hash, mut parent) = chain.head();
    drop(chain);

    // The fill goes through the store's own commit path, one block per batch, with a
    // valid header: the chain resumes on it and checks its state root.
    let store = Store::open(dir, metron_node::state::Durability::Sync)?;
    let t = Instant::now();
    let mut next = 0u64;
    loop {
        let end = (next + FILL_BATCH).min(keys);
        let mut writes: Vec<_> = (next..end)
            .map(|i| {
                let k = fill_key(i, key_len(i));
                (storage_key(&contract, &k), Some(fill_value(i)))
            })
            .collect();
        if end == keys {
            writes.push((
                storage_key(&contract, FILLED_MARKER),
                Some(keys.to_le_bytes().to_vec()),
            ));
        }
        let height = parent.height + 1;
        let (state_root, trie) = store.prepare_state(writes, height)?;
        let header = BlockHeader {
            parent_hash,
            height,
            timestamp: parent.timestamp + 1,
            state_root,
            transactions_root: transactions_root(&[]),
            receipts_root: receipts_root(&[]),
        };
        let block = Block {
            header: header.clone(),
            transactions: Vec::new(),
        };
        let hash = header.hash();
        store.commit_block(BlockCommit {
            hash,
            block: &block,
            receipts: &[],
            trie,
            code: &BTreeMap::new(),
            genesis: None,
        })?;
        (parent_hash, parent) = (hash, header);
        eprintln!(
            "filled {end} / {keys} keys ({:.0} s)",
            t.elapsed().as_secs_f64()
        );
        if end == keys {
            break;
        }
        next = end;
    }
    Ok(contract)
}

fn key(i: usize) -> SigningKey {
    dev::dev_keys(i + 1).pop().expect("dev key")
}

/// Signs `action` from `key` at its current nonce and submits it: (status, gas used,
/// time of `Chain::submit`).
fn submit(
    chain: &Chain,
    key: &SigningKey,
    action: Action,
) -> anyhow::Result<(ReceiptStatus, u64, Duration)> {
    let from = key.verifying_key().to_bytes();
    let stx = Transaction {
        chain_id: chain.chain_id(),
        nonce: chain.nonce(&from, None)?,
        gas_limit: GAS_LIMIT,
        gas_price: 1,
        action,
    }
    .sign(key);
    let t = Instant::now();
    let hash = chain.submit(stx)?;
    let elapsed = t.elapsed();
    let r = chain
        .receipt(&hash)?
        .ok_or_else(|| anyhow::anyhow!("no receipt"))?;
    Ok((r.status, r.gas_used, elapsed))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One measured case.
struct Row {
    name: String,
    calls: u32,
    gas: u64,
    time: Duration,
}

impl Row {
    fn ns_per_gas(&self) -> f64 {
        self.time.as_secs_f64() * 1e9 / self.gas.max(1) as f64
    }
}

fn measure(
    chain: &Chain,
    sender: &SigningKey,
    contract: Address,
    case: &Case,
    samples: usize,
) -> anyhow::Result<(Row, Duration, u64)> {
    let call = |args: CaseArgs| Action::Call {
        contract,
        method: case.method.into(),
        input: args.encode(),
        value: 0,
    };
    let run = |s: u64, n: u32| -> anyhow::Result<(u64, Duration)> {
        let args = CaseArgs {
            n,
            start: case.args.start + s * case.stride,
            ..case.args
        };
        let (status, gas, time) = submit(chain, sender, call(args))?;
        let ok = match status {
            ReceiptStatus::Success => !(case.expect_trap && n > 0),
            ReceiptStatus::Trapped(TrapCode::Host) => case.expect_trap && n > 0,
            _ => false,
        };
        anyhow::ensure!(ok, "{}: n = {n}: unexpected status {status:?}", case.name);
        Ok((gas, time))
    };
    // Warm-up (compiles the module on the first case), then base and case alternately.
    run(0, 0)?;
    run(0, case.args.n)?;
    let (mut base_t, mut case_t) = (Vec::new(), Vec::new());
    let (mut base_gas, mut case_gas) = (0, 0);
    for s in 1..=samples as u64 {
        let (g, t) = run(s, 0)?;
        base_t.push(t);
        base_gas = g;
        let (g, t) = run(s, case.args.n)?;
        case_t.push(t);
        case_gas = g;
    }
    let base = median(base_t);
    let time = median(case_t).saturating_sub(base);
    Ok((
        Row {
            name: case.name.clone(),
            calls: case.args.n,
            gas: case_gas.saturating_sub(base_gas),
            time,
        },
        base,
        base_gas,
    ))
}

/// Reads every file of `dir` (brings the database into the OS page cache, from which a
/// memory-reclaiming host may have evicted it).
fn warm(dir: &Path) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            let mut f = std::fs::File::open(path)?;
            while std::io::Read::read(&mut f, &mut buf)? > 0 {}
        }
    }
    Ok(())
}

fn fmt_time(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// A whole transaction, timed as one: `Chain::submit` (validation, execution, block
/// commit) against its `gas_used`.
struct TxCase {
    name: &'static str,
    action: Action,
    /// The receipt status it must have.
    status: fn(&ReceiptStatus) -> bool,
}

fn tx_cases(contract: Address) -> Vec<TxCase> {
    let call = |method: &str, args: CaseArgs| Action::Call {
        contract,
        method: method.into(),
        input: args.encode(),
        value: 0,
    };
    let empty = CaseArgs {
        mul: 1,
        input_len: 48,
        ..CaseArgs::default()
    };
    vec![
        TxCase {
            name: "transfer to an existing account",
            action: Action::Transfer {
                to: key(0).verifying_key().to_bytes(),
                amount: 1,
            },
            status: ReceiptStatus::is_success,
        },
        TxCase {
            name: "call doing nothing (loop, n = 0)",
            action: call("loop", empty),
            status: ReceiptStatus::is_success,
        },
        TxCase {
            name: "call aborting with a 64 KiB message",
            action: call(
                "abort",
                CaseArgs {
                    n: 1,
                    len: MAX_VALUE_LEN,
                    ..empty
                },
            ),
            status: |s| matches!(s, ReceiptStatus::Trapped(TrapCode::Host)),
        },
        TxCase {
            name: "call of a missing method",
            action: call("no_such_method", empty),
            status: |s| matches!(s, ReceiptStatus::MethodNotFound),
        },
    ]
}

fn measure_tx(
    chain: &Chain,
    sender: &SigningKey,
    case: &TxCase,
    samples: usize,
) -> anyhow::Result<Row> {
    let mut times = Vec::new();
    let mut gas = 0;
    // One warm-up, then the samples.
    for i in 0..=samples {
        let (status, g, t) = submit(chain, sender, case.action.clone())?;
        anyhow::ensure!(
            (case.status)(&status),
            "{}: unexpected status {status:?}",
            case.name
        );
        gas = g;
        if i > 0 {
            times.push(t);
        }
    }
    Ok(Row {
        name: case.name.into(),
        calls: 1,
        gas,
        time: median(times),
    })
}

/// Modules whose bytes are mostly data or custom sections, which the code load charges
/// at its data rate: the most data segments the node's limits allow (one byte each), one
/// 400 KB segment, a 400 KB custom section, and as many 3-byte custom sections as fit
/// in 400 KB.
fn data_inputs() -> Vec<metron_bench::compile::Input> {
    let limits = metron_vm::Limits::default();
    let segments: String = (0..limits.max_data_segments)
        .map(|i| format!("(data (i32.const {i}) \"x\")"))
        .collect();
    let many = wat::parse_str(format!("(module (memory 1) {segments})")).expect("wat");
    let big = wat::parse_str(format!(
        "(module (memory 7) (data (i32.const 0) \"{}\"))",
        "\\5a".repeat(400_000)
    ))
    .expect("wat");
    let mut custom = wat::parse_str("(module (memory 1))").expect("wat");
    // A custom section: id 0, size, name "x", 400 000 bytes.
    let body_len: u32 = 2 + 400_000;
    custom.push(0);
    let mut n = body_len;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            custom.push(byte);
            break;
        }
        custom.push(byte | 0x80);
    }
    custom.extend_from_slice(&[1, b'x']);
    custom.resize(custom.len() + 400_000, 0x5a);
    // 130 000 empty custom sections (3 bytes each: id 0, size 1, an empty name).
    let mut tiny = wat::parse_str("(module (memory 1))").expect("wat");
    for _ in 0..130_000 {
        tiny.extend_from_slice(&[0, 1, 0]);
    }
    [
        ("130 000 custom sections of 3 bytes", tiny),
        ("1000 data segments of 1 byte", many),
        ("one 400 KB data segment", big),
        ("a 400 KB custom section", custom),
    ]
    .into_iter()
    .map(|(name, wasm)| metron_bench::compile::Input {
        name,
        wasm,
        adversarial: true,
    })
    .collect()
}

/// Median time of `Module::new` on `wasm` with the node's VM config, or `None` if the
/// node's limits reject it.
fn compile_time(vm: &metron_vm::Config, wasm: &[u8], samples: usize) -> Option<Duration> {
    metron_vm::Module::new(vm, wasm).ok()?;
    let times = (0..samples.max(3))
        .map(|_| {
            let t = Instant::now();
            let m = metron_vm::Module::new(vm, wasm);
            let elapsed = t.elapsed();
            drop(m);
            elapsed
        })
        .collect();
    Some(median(times))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.keys >= 2 * KEY_CLASSES, "--keys must be at least 482");
    let code = wat::parse_str(contract_wat())?;
    let tmp;
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let contract = prepare(&dir, args.keys, &code)?;
    let reference = metron_bench::gas::reference_ns_per_gas(args.reference_ns_per_gas);
    let chain = Chain::open(ChainConfig::dev(&dir))?;
    let sender = key(1);
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        % (1 << 20);
    let layout = Layout {
        hit_end: args.keys / 2,
        keys: args.keys,
        run,
    };
    let mut rows = Vec::new();
    let mut bases = Vec::new();
    for case in cases(&layout) {
        if !args.filter.is_empty() && !args.filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        if !args.no_warm {
            warm(&dir)?;
        }
        // A single call (abort) is small against the transaction's noise: more samples.
        let samples = if case.args.n == 1 {
            5 * args.samples
        } else {
            args.samples
        };
        let (row, base, base_gas) = measure(&chain, &sender, contract, &case, samples)?;
        eprintln!(
            "{:<62} {:>6} calls {:>11} gas {:>10}  {:.3} ns/gas  {:.2}x",
            row.name,
            row.calls,
            row.gas,
            fmt_time(row.time),
            row.ns_per_gas(),
            row.ns_per_gas() / reference
        );
        rows.push(row);
        bases.push((base, base_gas));
    }
    let mut tx_rows = Vec::new();
    for case in tx_cases(contract) {
        if !args.filter.is_empty() && !args.filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        let row = measure_tx(&chain, &sender, &case, 5 * args.samples)?;
        eprintln!(
            "{:<62} {:>11} gas {:>10}  {:.3} ns/gas  {:.2}x",
            row.name,
            row.gas,
            fmt_time(row.time),
            row.ns_per_gas(),
            row.ns_per_gas() / reference
        );
        tx_rows.push(row);
    }
    let vm = ChainConfig::dev(&dir).vm;
    let mut load_rows = Vec::new();
    let inputs = metron_bench::compile::typical_inputs()
        .into_iter()
        .chain(metron_bench::compile::adversarial_inputs())
        .chain(data_inputs())
        .chain(std::iter::once(metron_bench::compile::Input {
            name: "host_gas calibration contract",
            wasm: code.clone(),
            adversarial: false,
        }));
    for input in inputs {
        if !args.filter.is_empty() && !args.filter.iter().any(|f| input.name.contains(f.as_str())) {
            continue;
        }
        let Some(time) = compile_time(&vm, &input.wasm, args.samples) else {
            eprintln!("{:<40} rejected by the node's limits", input.name);
            continue;
        };
        let row = Row {
            name: input.name.into(),
            calls: u32::try_from(input.wasm.len()).unwrap_or(u32::MAX),
            gas: metron_node::executor::code_load_gas(&input.wasm),
            time,
        };
        eprintln!(
            "{:<40} {:>9} B {:>10}  {:.1} ns/B  {:.2}x",
            row.name,
            row.calls,
            fmt_time(row.time),
            row.time.as_secs_f64() * 1e9 / f64::from(row.calls.max(1)),
            row.ns_per_gas() / reference
        );
        load_rows.push(row);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Host functions against RocksDB ({} keys, median of {} samples)\n",
        args.keys, args.samples
    );
    let _ = writeln!(
        s,
        "Reference: the benchmark workloads' median, {reference:.3} ns/gas{}.\n",
        if args.reference_ns_per_gas.is_some() {
            " (given)"
        } else {
            " (measured in this run)"
        }
    );
    if let Some((t, g)) = bases.first() {
        let _ = writeln!(
            s,
            "A case's figures are its transaction minus the same transaction with no host call \
             (that one: {g} gas, {}, {:.2}x).\n",
            fmt_time(*t),
            t.as_secs_f64() * 1e9 / *g as f64 / reference
        );
    }
    let _ = writeln!(
        s,
        "| case | calls | gas | time | gas/call | time/call | ns/gas | ratio |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let calls = f64::from(r.calls.max(1));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.0} | {} | {:.3} | {:.2}x |",
            r.name,
            r.calls,
            r.gas,
            fmt_time(r.time),
            r.gas as f64 / calls,
            fmt_time(r.time.div_f64(calls)),
            r.ns_per_gas(),
            r.ns_per_gas() / reference
        );
    }
    let _ = writeln!(
        s,
        "\n## Whole transactions (Chain::submit against gas_used, median of {})\n",
        5 * args.samples
    );
    let _ = writeln!(s, "| transaction | gas | time | ns/gas | ratio |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for r in &tx_rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.2}x |",
            r.name,
            r.gas,
            fmt_time(r.time),
            r.ns_per_gas(),
            r.ns_per_gas() / reference
        );
    }
    let _ = writeln!(
        s,
        "\n## Code load (Module::new with the node's config against {} gas per byte, median of {})\n",
        metron_node::executor::CODE_LOAD_GAS_PER_BYTE,
        args.samples.max(3)
    );
    let _ = writeln!(s, "| module | bytes | compile | ns/B | load gas | ratio |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    for r in &load_rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {} | {:.2}x |",
            r.name,
            r.calls,
            fmt_time(r.time),
            r.time.as_secs_f64() * 1e9 / f64::from(r.calls.max(1)),
            r.gas,
            r.ns_per_gas() / reference
        );
    }
    println!("{s}");
    Ok(())
}
