//! Calibration of the cross-contract host functions (`call_contract`, `transfer`,
//! `instantiate`) against a real node state (`docs/gas.md`).
//!
//! ```sh
//! cargo run --release -p metron-node --example call_gas -- --reference-ns-per-gas 0.30
//! ```
//!
//! Opens a node [`Chain`] in a temporary data dir (RocksDB with the jmt), deploys a
//! driver contract and a small callee, makes instances of the callee (the callees of the
//! distinct-callees cases), then fills the driver's storage with `--keys` keys (default
//! 1 000 000; 16 to 48-byte keys, 32 to 512-byte values; through the store's own block
//! commit, not timed), so that every account read and commit walks a trie of realistic
//! depth and the instances are old accounts. Each case is then run as signed Calls of
//! the driver through [`Chain::submit`] (validation, execution and the block commit):
//! the driver makes `n` sub-calls (`call_contract`), transfers or instantiations in a
//! loop, and checks the status each returned.
//!
//! Each case is timed at `n = --small` (200) and `n = --large` (1200) with the same
//! input size; the difference divided by `large - small` is one operation, the
//! transaction's fixed costs (signature, intrinsic work, the driver's own code load and
//! instantiation, the block commit's fixed part, the driver's account write) cancelled.
//! The "one per transaction" cases are timed at 0 against 1 operation (5x the samples)
//! instead, so that what 1000 operations would share is counted: the upper trie nodes
//! of the commit, and the driver's own account write, which a contract that sends value
//! once per transaction causes. Gas per operation is the difference of the
//! receipts' `gas_used` over the same count. Every time is the median of `--samples`
//! samples (after one warm-up), the two sizes alternating.
//!
//! A sub-call's gas includes what the callee pays from its forwarded budget (its code
//! load, [`metron_node::executor::code_load_gas`], its instantiation and its run) and
//! the driver's loop (a few dozen gas); the host function's own price is `HOST_BASE`
//! plus its constant and per-byte charge. The table's "needed" column is the time's
//! gas-equivalent at the reference minus the callee's part: what the host function's
//! own price must cover.
//!
//! The chain is created with a block gas limit of 4 * 10^9 (the dev default is 2 * 10^8)
//! so that 1200 operations fit in one transaction; it changes no price.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use ed25519_dalek::SigningKey;
use metron_node::dev;
use metron_node::executor::code_load_gas;
use metron_node::host::{
    call_status, CALL_CONTRACT, CALL_CONTRACT_PER_BYTE, HOST_BASE, INSTANTIATE, TRANSFER,
};
use metron_node::state::store::BlockCommit;
use metron_node::state::{storage_key, Durability, Store};
use metron_node::types::{instance_address, keccak256, receipts_root, transactions_root};
use metron_node::{
    Action, Address, Block, BlockHeader, Chain, ChainConfig, Hash, Receipt, ReceiptStatus,
    Transaction,
};

#[derive(Parser, Debug)]
#[command(about = "Cross-contract host-function gas calibration against a real node state")]
struct Args {
    /// Storage keys pre-populated in the driver's state.
    #[arg(long, default_value_t = 1_000_000)]
    keys: u64,
    /// Timed samples per case and size (after one warm-up); the median is reported.
    #[arg(long, default_value_t = 5)]
    samples: usize,
    /// Operations per transaction of the small size.
    #[arg(long, default_value_t = 200)]
    small: u32,
    /// Operations per transaction of the large size.
    #[arg(long, default_value_t = 1200)]
    large: u32,
    /// Reference ns/gas (the workloads' median of `metron-bench gas`); measured in this
    /// run when absent.
    #[arg(long)]
    reference_ns_per_gas: Option<f64>,
    /// Only cases whose name contains one of these.
    #[arg(long)]
    filter: Vec<String>,
}

/// Block gas limit of the calibration chain (and gas limit of every transaction).
const GAS_LIMIT: u64 = 4_000_000_000;
/// Keys committed per filler block.
const FILL_BATCH: u64 = 25_000;
/// Bytes a sub-call copies in the per-byte case.
const BIG_INPUT: u32 = 16 * 1024;

/// The driver's memory layout: the input at `IN`, its header fields, the address list
/// at `LIST`, the bytes each operation passes at `ARG` (zeros).
const IN: u32 = 65_536;
const N: u32 = IN;
const MLEN: u32 = IN + 4;
const ALEN: u32 = IN + 8;
const CNT: u32 = IN + 12;
const SEED: u32 = IN + 16;
const HASH: u32 = IN + 24;
const VALUE: u32 = IN + 56;
const METHOD: u32 = IN + 64;
const LIST: u32 = IN + 128;
const ARG: u32 = 3 * 65_536;

/// The driver. Each method reads its input (header: n, method length, argument length,
/// address count, salt seed, code hash, value (0 or 1), method name; then the
/// addresses), makes `n` operations and returns 16 counters (u32 LE) of the statuses
/// they returned.
///
/// - `call`: `call_contract(address[j % count], method, zeros of the argument length,
///   value, gas 0)`;
/// - `pay`: `transfer(address[j % count], 1)`;
/// - `make`: `instantiate(code hash, salt = seed (8) ++ j (4), zeros of the argument
///   length, value, gas 0)`.
fn driver_wat() -> String {
    let op = |name: &str, body: &str| {
        format!(
            r#"  (func (export "{name}") (local $j i32)
    (call $input_read (i32.const {IN}))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $j) (i32.load (i32.const {N}))))
        {body}
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l)))
    (call $return_data (i32.const 0) (i32.const 64)))
"#
        )
    };
    let call = op(
        "call",
        &format!(
            "(call $count (call $call_contract (call $addr (local.get $j)) (i32.const {METHOD}) \
             (i32.load (i32.const {MLEN})) (i32.const {ARG}) (i32.load (i32.const {ALEN})) \
             (call $value) (i64.const 0)))"
        ),
    );
    let pay = op(
        "pay",
        "(call $count (call $transfer (call $addr (local.get $j)) (i32.const 80)))",
    );
    let make = op(
        "make",
        &format!(
            "(i64.store (i32.const 96) (i64.load (i32.const {SEED})))
        (i32.store (i32.const 104) (local.get $j))
        (call $count (call $instantiate (i32.const {HASH}) (i32.const 96) (i32.const 12) \
             (i32.const {ARG}) (i32.load (i32.const {ALEN})) (call $value) (i64.const 0) \
             (i32.const 128)))"
        ),
    );
    format!(
        r#"(module
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "call_contract"
    (func $call_contract (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (import "metron" "transfer" (func $transfer (param i32 i32) (result i32)))
  (import "metron" "instantiate"
    (func $instantiate (param i32 i32 i32 i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 4)
  ;; 0..64: status counters; 64: amount 0; 80: amount 1; 96: salt; 128: new address
  (data (i32.const 80) "\01")
  (func $count (param $status i32)
    (local $p i32)
    (local.set $p (i32.shl (i32.and (local.get $status) (i32.const 15)) (i32.const 2)))
    (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1))))
  ;; The amount sent with each call or instantiation: 0 (at 64) or 1 (at 80).
  (func $value (result i32)
    (i32.add (i32.const 64) (i32.shl (i32.load (i32.const {VALUE})) (i32.const 4))))
  (func $addr (param $j i32) (result i32)
    (i32.add (i32.const {LIST})
      (i32.mul (i32.rem_u (local.get $j) (i32.load (i32.const {CNT}))) (i32.const 32))))
{call}{pay}{make})"#
    )
}

/// The callee: a no-op method, methods that trap (at once, or after a write that the
/// trap reverts) and a no-op `init` (run by each instantiation).
const CALLEE_WAT: &str = r#"
(module
  (import "metron" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (func (export "init"))
  (func (export "noop"))
  (func (export "trap") unreachable)
  (func (export "write_trap")
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    unreachable))
"#;

/// The driver's input.
#[derive(Clone, Debug, Default)]
struct Input {
    n: u32,
    method: &'static str,
    arg_len: u32,
    seed: u64,
    code_hash: Hash,
    /// Whether each call or instantiation sends 1 unit.
    value: bool,
    addresses: Vec<Address>,
}

impl Input {
    fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(128 + 32 * self.addresses.len());
        v.extend_from_slice(&self.n.to_le_bytes());
        v.extend_from_slice(&(self.method.len() as u32).to_le_bytes());
        v.extend_from_slice(&self.arg_len.to_le_bytes());
        v.extend_from_slice(&(self.addresses.len() as u32).to_le_bytes());
        v.extend_from_slice(&self.seed.to_le_bytes());
        v.extend_from_slice(&self.code_hash);
        v.extend_from_slice(&u64::from(self.value).to_le_bytes());
        v.extend_from_slice(self.method.as_bytes());
        v.resize(128, 0);
        for a in &self.addresses {
            v.extend_from_slice(a);
        }
        v
    }
}

/// The address of the instance the driver's `make` creates with salt seed `seed` at
/// loop index `j`.
fn made_address(driver: &Address, code_hash: &Hash, seed: u64, j: u32) -> Address {
    let mut salt = seed.to_le_bytes().to_vec();
    salt.extend_from_slice(&j.to_le_bytes());
    instance_address(driver, code_hash, &salt)
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Incompressible bytes.
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

/// A fresh address (no account) from a seed.
fn fresh_address(seed: u64) -> Address {
    noise(seed, 32).try_into().expect("32 bytes")
}

fn key(i: usize) -> SigningKey {
    dev::dev_keys(i + 1).pop().expect("dev key")
}

fn config(dir: &Path) -> ChainConfig {
    ChainConfig {
        block_gas_limit: GAS_LIMIT,
        ..ChainConfig::dev(dir)
    }
}

/// Signs `action` from `key` at its current nonce and submits it: the receipt and the
/// time of `Chain::submit`.
fn submit(chain: &Chain, key: &SigningKey, action: Action) -> anyhow::Result<(Receipt, Duration)> {
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
    Ok((r, elapsed))
}

/// The contracts of a prepared chain.
struct Contracts {
    driver: Address,
    callee: Address,
    callee_hash: Hash,
    callee_code: Vec<u8>,
    /// Instances of the callee made before the fill (old accounts, deep in the store).
    instances: Vec<Address>,
}

/// Creates the chain in `dir`, deploys the driver and the callee, funds the driver, makes
/// `instances` instances of the callee (rounded up to a multiple of `per_tx`), then
/// fills the driver's storage with `keys` keys.
fn prepare(dir: &Path, keys: u64, instances: usize, per_tx: u32) -> anyhow::Result<Contracts> {
    let deployer = key(0);
    let driver_code = wat::parse_str(driver_wat())?;
    let callee_code = wat::parse_str(CALLEE_WAT)?;
    let callee_hash = keccak256(&callee_code);
    let chain = Chain::open(config(dir))?;
    let mut deployed = Vec::new();
    for code in [&driver_code, &callee_code] {
        let (r, _) = submit(
            &chain,
            &deployer,
            Action::Deploy {
                code: code.clone(),
                init_input: Vec::new(),
            },
        )?;
        anyhow::ensure!(r.status.is_success(), "deploy failed: {r:?}");
        deployed.push(r.contract_address.expect("contract address"));
    }
    let (driver, callee) = (deployed[0], deployed[1]);
    // The driver pays 1 unit per transfer or call with value.
    let (r, _) = submit(
        &chain,
        &deployer,
        Action::Transfer {
            to: driver,
            amount: 1_000_000_000,
        },
    )?;
    anyhow::ensure!(r.status.is_success(), "funding failed: {r:?}");
    let mut made = Vec::with_capacity(instances);
    let mut seed = 0xca11_0000_0000_0000u64;
    while made.len() < instances {
        let input = Input {
            n: per_tx,
            seed,
            code_hash: callee_hash,
            ..Input::default()
        };
        let (r, _) = submit(
            &chain,
            &deployer,
            Action::Call {
                contract: driver,
                method: "make".into(),
                input: input.encode(),
                value: 0,
            },
        )?;
        anyhow::ensure!(r.status.is_success(), "make failed: {r:?}");
        made.extend((0..per_tx).map(|j| made_address(&driver, &callee_hash, seed, j)));
        seed += 1;
    }
    let (mut parent_hash, mut parent) = chain.head();
    drop(chain);

    // The fill goes through the store's own commit path, one block per batch, with a
    // valid header: the chain resumes on it and checks its state root.
    let store = Store::open(dir, Durability::Sync)?;
    let t = Instant::now();
    let mut next = 0u64;
    while next < keys {
        let end = (next + FILL_BATCH).min(keys);
        let writes: Vec<_> = (next..end)
            .map(|i| {
                let mut k = noise(i, 16 + (i % 33) as usize);
                k[..8].copy_from_slice(&i.to_le_bytes());
                let len = 32 + (splitmix(i) % 481) as usize;
                (storage_key(&driver, &k), Some(noise(!i, len)))
            })
            .collect();
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
        next = end;
    }
    eprintln!(
        "made {} instances, filled {keys} keys in {:.0} s",
        made.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(Contracts {
        driver,
        callee,
        callee_hash,
        callee_code,
        instances: made,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// What a case's operations are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Call,
    Transfer,
    Instantiate,
}

/// Where a case's addresses come from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Targets {
    /// The callee, every time.
    Callee,
    /// Instances made before the fill, each used by one transaction only.
    Instances,
    /// Fresh addresses (no account), new for each transaction.
    Fresh,
    /// None (instantiate).
    None,
}

struct Case {
    name: &'static str,
    op: Op,
    method: &'static str,
    arg_len: u32,
    targets: Targets,
    /// Each call or instantiation sends 1 unit.
    value: bool,
    /// Timed as 0 against 1 operation per transaction (5x the samples) instead of
    /// `--small` against `--large`: the operation's share of what a transaction writes
    /// once (the driver's own account) is then included.
    single: bool,
    /// The status every operation must return.
    status: i32,
}

fn cases() -> Vec<Case> {
    let call = |name, method, arg_len, targets, status| Case {
        name,
        op: Op::Call,
        method,
        arg_len,
        targets,
        value: false,
        single: false,
        status,
    };
    let transfer = Case {
        name: "transfer 1 to a fresh account",
        op: Op::Transfer,
        method: "",
        arg_len: 0,
        targets: Targets::Fresh,
        value: false,
        single: false,
        status: call_status::SUCCESS,
    };
    let instantiate = Case {
        name: "instantiate the callee (salt 12 B, no-op init)",
        op: Op::Instantiate,
        method: "",
        arg_len: 0,
        targets: Targets::None,
        value: false,
        single: false,
        status: call_status::SUCCESS,
    };
    vec![
        call(
            "call_contract no-op, same callee, input 0",
            "noop",
            0,
            Targets::Callee,
            call_status::SUCCESS,
        ),
        call(
            "call_contract no-op, same callee, input 16 KiB",
            "noop",
            BIG_INPUT,
            Targets::Callee,
            call_status::SUCCESS,
        ),
        call(
            "call_contract, callee traps at once",
            "trap",
            0,
            Targets::Callee,
            call_status::TRAPPED,
        ),
        call(
            "call_contract, callee writes a key then traps (revert)",
            "write_trap",
            0,
            Targets::Callee,
            call_status::TRAPPED,
        ),
        call(
            "call_contract, missing method",
            "nope",
            0,
            Targets::Callee,
            call_status::METHOD_NOT_FOUND,
        ),
        call(
            "call_contract, fresh address without code",
            "noop",
            0,
            Targets::Fresh,
            call_status::NOT_A_CONTRACT,
        ),
        call(
            "call_contract no-op, distinct old callees",
            "noop",
            0,
            Targets::Instances,
            call_status::SUCCESS,
        ),
        Case {
            value: true,
            ..call(
                "call_contract no-op with value 1, distinct old callees",
                "noop",
                0,
                Targets::Instances,
                call_status::SUCCESS,
            )
        },
        Case {
            name: "call_contract no-op with value 1, old callee, one per transaction",
            value: true,
            single: true,
            ..call("", "noop", 0, Targets::Instances, call_status::SUCCESS)
        },
        Case {
            name: "transfer 1 to a fresh account, one per transaction",
            single: true,
            ..transfer
        },
        transfer,
        Case {
            name: "instantiate, one per transaction",
            single: true,
            ..instantiate
        },
        Case {
            name: "instantiate with value 1, one per transaction",
            value: true,
            single: true,
            ..instantiate
        },
        instantiate,
    ]
}

/// One measured case.
struct Row {
    name: &'static str,
    op: Op,
    /// Bytes the host function charges per byte for (method + input, or salt + input).
    bytes: u64,
    /// Time per operation.
    time: Duration,
    /// Gas per operation (receipts' difference).
    gas: f64,
    /// The base transaction (time, gas).
    base: (Duration, u64),
}

impl Row {
    /// The host function's own charge: `HOST_BASE` plus its constant and per-byte charge.
    fn own_price(&self) -> u64 {
        let constant = match self.op {
            Op::Call => CALL_CONTRACT,
            Op::Transfer => TRANSFER,
            Op::Instantiate => INSTANTIATE,
        };
        let per_byte = match self.op {
            Op::Transfer => 0,
            _ => CALL_CONTRACT_PER_BYTE,
        };
        HOST_BASE + constant + self.bytes * per_byte
    }
    fn ns(&self) -> f64 {
        self.time.as_secs_f64() * 1e9
    }
}

struct Bench<'a> {
    chain: &'a Chain,
    sender: SigningKey,
    contracts: &'a Contracts,
    args: &'a Args,
    run: u64,
    /// Transactions submitted so far (fresh address and salt seeds).
    txs: u64,
    /// Next instance a distinct-callees transaction starts at.
    next_instance: usize,
}

impl Bench<'_> {
    fn input(&mut self, case: &Case, n: u32) -> Input {
        self.txs += 1;
        let count = self.args.large as usize;
        let addresses = match case.targets {
            Targets::Callee => vec![self.contracts.callee],
            Targets::Fresh => {
                let seed = splitmix(self.run ^ (self.txs << 32));
                (0..count as u64)
                    .map(|i| fresh_address(seed.wrapping_add(i)))
                    .collect()
            }
            Targets::Instances => {
                // The operations use the first `n` of the window: none is used twice.
                let all = &self.contracts.instances;
                let start = self.next_instance;
                self.next_instance = (start + n.max(1) as usize) % all.len().max(1);
                (0..count).map(|i| all[(start + i) % all.len()]).collect()
            }
            Targets::None => Vec::new(),
        };
        Input {
            n,
            method: case.method,
            arg_len: case.arg_len,
            seed: splitmix(self.run ^ self.txs),
            code_hash: self.contracts.callee_hash,
            value: case.value,
            addresses,
        }
    }

    fn run_one(&mut self, case: &Case, n: u32) -> anyhow::Result<(u64, Duration)> {
        let method = match case.op {
            Op::Call => "call",
            Op::Transfer => "pay",
            Op::Instantiate => "make",
        };
        let input = self.input(case, n).encode();
        let action = Action::Call {
            contract: self.contracts.driver,
            method: method.into(),
            input,
            value: 0,
        };
        let (r, t) = submit(self.chain, &self.sender, action)?;
        anyhow::ensure!(
            r.status == ReceiptStatus::Success,
            "{}: n = {n}: {:?} {:?}",
            case.name,
            r.status,
            r.error
        );
        let counters: Vec<u32> = r
            .return_data
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        let expected = case.status as usize;
        anyhow::ensure!(
            counters.get(expected) == Some(&n),
            "{}: n = {n}: statuses {counters:?}, expected all {}",
            case.name,
            case.status
        );
        Ok((r.gas_used, t))
    }

    fn measure(&mut self, case: &Case) -> anyhow::Result<Row> {
        let (small, large, samples) = if case.single {
            (0, 1, 5 * self.args.samples)
        } else {
            (self.args.small, self.args.large, self.args.samples)
        };
        // Warm-up, then the two sizes alternately.
        self.run_one(case, small)?;
        self.run_one(case, large)?;
        let (mut ts, mut tl) = (Vec::new(), Vec::new());
        let (mut gs, mut gl) = (0, 0);
        for _ in 0..samples {
            let (g, t) = self.run_one(case, small)?;
            ts.push(t);
            gs = g;
            let (g, t) = self.run_one(case, large)?;
            tl.push(t);
            gl = g;
        }
        let ops = f64::from(large - small);
        let base = median(ts);
        let time = median(tl).saturating_sub(base).div_f64(ops);
        let bytes = match case.op {
            Op::Call => case.method.len() as u64 + u64::from(case.arg_len),
            Op::Instantiate => 12 + u64::from(case.arg_len),
            Op::Transfer => 0,
        };
        Ok(Row {
            name: case.name,
            op: case.op,
            bytes,
            time,
            gas: (gl - gs) as f64 / ops,
            base: (base, gs),
        })
    }
}

fn fmt_time(ns: f64) -> String {
    if ns.abs() < 1e3 {
        format!("{ns:.0} ns")
    } else if ns.abs() < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// Rounds `x` up to two significant digits (a round price).
fn round_up(x: f64) -> u64 {
    if x <= 0.0 {
        return 0;
    }
    let step = 10f64.powi((x.log10().floor() as i32 - 1).max(0));
    ((x / step).ceil() * step) as u64
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.large > args.small, "--large must exceed --small");
    let reference = metron_bench::gas::reference_ns_per_gas(args.reference_ns_per_gas);
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    // The distinct-callees cases use each instance once.
    let instances: usize = cases()
        .iter()
        .filter(|c| c.targets == Targets::Instances)
        .map(|c| {
            if c.single {
                2 * (5 * args.samples + 1)
            } else {
                (args.samples + 1) * (args.small + args.large) as usize
            }
        })
        .sum();
    let contracts = prepare(dir, args.keys, instances + args.large as usize, args.large)?;
    let chain = Chain::open(config(dir))?;
    let callee_load = code_load_gas(&contracts.callee_code);
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut bench = Bench {
        chain: &chain,
        sender: key(1),
        contracts: &contracts,
        args: &args,
        run,
        txs: 0,
        next_instance: 0,
    };
    let mut rows = Vec::new();
    for case in cases() {
        if !args.filter.is_empty() && !args.filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        let row = bench.measure(&case)?;
        eprintln!(
            "{:<56} {:>10}/op {:>10.0} gas/op  {:.2}x",
            row.name,
            fmt_time(row.ns()),
            row.gas,
            row.ns() / reference / row.gas
        );
        rows.push(row);
    }

    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Cross-contract host functions ({} keys, n = {} vs {}, median of {} samples; \
         one per transaction: n = 0 vs 1, median of {})\n",
        args.keys,
        args.small,
        args.large,
        args.samples,
        5 * args.samples
    );
    let _ = writeln!(
        s,
        "Reference: {reference:.3} ns/gas{}. The callee ({} bytes) has a code load of {} gas; \
         \"callee's part\" is the gas per operation beyond the host function's own price \
         (`HOST_BASE` + constant + per byte): the callee's code load, instantiation and run, \
         and the driver's loop.\n",
        if args.reference_ns_per_gas.is_some() {
            " (given)"
        } else {
            " (measured in this run)"
        },
        contracts.callee_code.len(),
        callee_load,
    );
    if let Some(r) = rows.first() {
        let _ = writeln!(
            s,
            "Base transaction (n = {}): {} and {} gas.\n",
            args.small,
            fmt_time(r.base.0.as_secs_f64() * 1e9),
            r.base.1
        );
    }
    let _ = writeln!(
        s,
        "| case | time/op | gas-equivalent | charged gas/op | ratio | own price | callee's part | needed by the host function | x1.25 |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let eq = r.ns() / reference;
        let own = r.own_price() as f64;
        let callee = r.gas - own;
        let needed = eq - callee;
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.0} | {:.2}x | {} | {:.0} | {:.0} | {} |",
            r.name,
            fmt_time(r.ns()),
            eq,
            r.gas,
            eq / r.gas,
            r.own_price(),
            callee,
            needed,
            round_up(needed * 1.25)
        );
    }
    let find = |name: &str| rows.iter().find(|r| r.name.contains(name));
    if let (Some(a), Some(b)) = (find("same callee, input 0"), find("input 16 KiB")) {
        let per_byte = (b.ns() - a.ns()) / f64::from(BIG_INPUT);
        let _ = writeln!(
            s,
            "\nPer byte of call input (16 KiB vs 0): {per_byte:.3} ns = {:.2} gas at the \
             reference (charged: {CALL_CONTRACT_PER_BYTE}).",
            per_byte / reference
        );
    }
    println!("{s}");
    Ok(())
}
