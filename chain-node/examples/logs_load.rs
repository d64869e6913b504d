//! Load test of the event index: one command.
//!
//! `cargo run --release -p metron-node --example logs_load -- [--events N] [--topics N]
//! [--runs N] [--data-dir DIR]`
//!
//! Starts a real node in-process (RocksDB in a temporary dir or `--data-dir`, blocks
//! committed without fsync, RPC on a free loopback port), deploys a WAT contract whose
//! `emit(n, k)` emits `n` events with topics `"E" ++ [i % k]`, and seals `--events`
//! (default 1 000 000) events, 128 per transaction (one transaction per block), through
//! the chain API. Then it times `chain_getLogs` over HTTP (the typed client, JSON included)
//! for a topic filter over the whole range (at most `MAX_LOG_RANGE` blocks), over 1 000
//! blocks, with a contract too, for a topic nobody emits, and with no filter over as many
//! blocks as hold `MAX_LOGS` events; each `--runs` times (default 5), printing the best and
//! the median. Last it prints the event index's size on disk (`log_index` column family,
//! SST files after a flush), the whole database's size and the peak RSS (VmHWM).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use metron_node::logs::LogFilter;
use metron_node::service::{Node, NodeConfig};
use metron_node::state::Durability;
use metron_node::types::{Action, Address, ReceiptStatus, Transaction};
use metron_node::Chain;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

/// `emit(n: u32, k: u32)` (8 bytes LE): `n` events, event `i` with topic `"E" ++ [i % k]`
/// and data `i` (u32 LE). (The same contract as `src/tests/logs.rs`.)
const EMITTER_WAT: &str = r#"
(module
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "E")
  (func (export "emit") (local $i i32) (local $n i32) (local $k i32)
    (call $input_read (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (local.set $k (i32.load (i32.const 4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.const 17) (i32.rem_u (local.get $i) (local.get $k)))
        (i32.store (i32.const 32) (local.get $i))
        (call $emit_event (i32.const 16) (i32.const 2) (i32.const 32) (i32.const 4))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))))
"#;

const EVENTS_PER_TX: u64 = 128;
const GAS: u64 = 50_000_000;

#[derive(Parser, Debug)]
#[command(about = "Load test of the event index and chain_getLogs")]
struct Args {
    /// Events to seal (128 per transaction and block).
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Distinct topics (each transaction emits each of them 128/N times), 1..=128.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=128))]
    topics: u32,
    /// Runs of each query.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The node's data dir (kept; default: a temporary dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// Seals `txs` transactions of `emit(128, topics)` from dev key 0.
fn ingest(chain: &Chain, contract: Address, txs: u64, topics: u32) -> anyhow::Result<()> {
    let key = metron_node::dev::dev_keys(1).remove(0);
    let from = key.verifying_key().to_bytes();
    let first_nonce = chain.nonce(&from, None)?;
    let mut input = u32::try_from(EVENTS_PER_TX)?.to_le_bytes().to_vec();
    input.extend_from_slice(&topics.to_le_bytes());
    let started = Instant::now();
    for i in 0..txs {
        let stx = Transaction {
            chain_id: chain.chain_id(),
            nonce: first_nonce + i,
            gas_limit: GAS,
            gas_price: chain.config().min_gas_price.max(1),
            action: Action::Call {
                contract,
                method: "emit".into(),
                input: input.clone(),
                value: 0,
            },
        }
        .sign(&key);
        let hash = chain.submit(stx)?;
        if i == 0 {
            let r = chain.receipt(&hash)?.expect("receipt");
            anyhow::ensure!(r.status == ReceiptStatus::Success, "emit failed: {r:?}");
            anyhow::ensure!(r.events.len() == EVENTS_PER_TX as usize, "{r:?}");
        }
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "  {} events in {:.1?}",
                (i + 1) * EVENTS_PER_TX,
                started.elapsed()
            );
        }
    }
    Ok(())
}

async fn run(args: Args) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| tmp.path().to_owned());
    let mut config = NodeConfig::test(&data_dir);
    config.chain.durability = Durability::NoSync;
    let chain_dir = config.chain_dir();
    let node = Node::start(config).await?;
    let chain = std::sync::Arc::clone(node.chain());
    let c = metron_rpc::http_client(&node.rpc_url())?;

    let key = metron_node::dev::dev_keys(1).remove(0);
    let deploy = Transaction {
        chain_id: chain.chain_id(),
        nonce: chain.nonce(&key.verifying_key().to_bytes(), None)?,
        gas_limit: GAS,
        gas_price: chain.config().min_gas_price.max(1),
        action: Action::Deploy {
            code: wat::parse_str(EMITTER_WAT)?,
            init_input: Vec::new(),
        },
    }
    .sign(&key);
    let hash = chain.submit(deploy)?;
    let contract = chain
        .receipt(&hash)?
        .and_then(|r| r.contract_address)
        .ok_or_else(|| anyhow::anyhow!("deploy failed"))?;

    let txs = args.events.div_ceil(EVENTS_PER_TX);
    let first = chain.head_height() + 1;
    println!(
        "sealing {} events: {txs} transactions of {EVENTS_PER_TX}, {} topics",
        txs * EVENTS_PER_TX,
        args.topics
    );
    let started = Instant::now();
    let ingest_chain = std::sync::Arc::clone(&chain);
    let topics = args.topics;
    tokio::task::spawn_blocking(move || ingest(&ingest_chain, contract, txs, topics)).await??;
    let ingest_time = started.elapsed();
    let head = chain.head_height();
    println!(
        "sealed blocks {first}..={head} in {ingest_time:.1?} ({:.0} events/s); peak RSS {}",
        (txs * EVENTS_PER_TX) as f64 / ingest_time.as_secs_f64(),
        vm_hwm()
    );

    let last = head.min(first + metron_rpc::MAX_LOG_RANGE - 1);
    let no_filter_blocks = (metron_rpc::MAX_LOGS as u64 / EVENTS_PER_TX).max(1);
    let topic = |b: u8| Some(vec![wire::Bytes(vec![b'E', b])]);
    let queries: Vec<(String, wire::LogFilter)> = vec![
        (
            format!("topic E\\x05, blocks {first}..={last}"),
            wire::LogFilter {
                from_block: Some(first),
                to_block: Some(last),
                contract: None,
                topics: topic(5),
            },
        ),
        (
            format!("topic E\\x05 + contract, blocks {first}..={last}"),
            wire::LogFilter {
                from_block: Some(first),
                to_block: Some(last),
                contract: Some(wire::H256(contract)),
                topics: topic(5),
            },
        ),
        (
            format!("topic E\\x05, 1000 blocks {first}..={}", first + 999),
            wire::LogFilter {
                from_block: Some(first),
                to_block: Some((first + 999).min(head)),
                contract: None,
                topics: topic(5),
            },
        ),
        (
            format!("topic nobody emits, blocks {first}..={last}"),
            wire::LogFilter {
                from_block: Some(first),
                to_block: Some(last),
                contract: None,
                topics: Some(vec![wire::Bytes(b"nothing".to_vec())]),
            },
        ),
        (
            format!(
                "no filter, blocks {first}..={}",
                first + no_filter_blocks - 1
            ),
            wire::LogFilter {
                from_block: Some(first),
                to_block: Some((first + no_filter_blocks - 1).min(head)),
                contract: None,
                topics: None,
            },
        ),
    ];
    println!(
        "\n{:<48} {:>7} {:>10} {:>10}",
        "chain_getLogs", "logs", "best", "median"
    );
    for (name, f) in queries {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            let logs = c.chain_get_logs(f.clone()).await?;
            times.push(t.elapsed());
            n = logs.len();
        }
        times.sort();
        let median: Duration = times[times.len() / 2];
        println!("{name:<48} {n:>7} {:>10.1?} {:>10.1?}", times[0], median);
        // The same query through the chain API (no JSON, no HTTP).
        let filter = LogFilter::from_wire(f);
        let mut times = Vec::new();
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            n = chain.logs(&filter)?.len();
            times.push(t.elapsed());
        }
        times.sort();
        let median: Duration = times[times.len() / 2];
        println!(
            "{:<48} {n:>7} {:>10.1?} {:>10.1?}",
            "  (Chain::logs)", times[0], median
        );
    }
    let index = chain.log_index_disk_size()?;
    drop(chain);
    node.stop().await?;
    let db = dir_size(&chain_dir);
    println!(
        "\nevent index on disk: {} ({:.1} bytes/event); database: {}; peak RSS {}",
        mb(index),
        index as f64 / (txs * EVENTS_PER_TX) as f64,
        mb(db),
        vm_hwm()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logs load test failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
