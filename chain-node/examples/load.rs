//! Load test of the node: one command.
//!
//! `cargo run --release -p metron-node --example load -- [--seconds N] [--submitters N]
//! [--readers N] [--callers N] [--data-dir DIR] [--no-fsync]`
//!
//! Starts a real node in-process (RocksDB in a temporary dir or `--data-dir`, RPC on a
//! free loopback port), deploys the example token contract, then for `--seconds` (default
//! 20) runs concurrently, through the typed HTTP client: `--submitters` (default 4, one
//! dev account each) alternating native transfers and token `transfer` calls,
//! `--readers` (default 2) calling `chain_head`, `--callers` (default 2) calling
//! `contract_call` of the token's `balance_of`. Then it checks that every acknowledged
//! transaction has a successful receipt at or below the head, in its block, stops the
//! node and prints a table: requests, requests/s, p50 and p99 latency and errors per
//! method, transactions per second, blocks produced, the receipt check, the durability
//! mode and the CPU count. `--no-fsync` runs the node without an fsync per block
//! (`Durability::NoSync`), to compare.
//!
//! Exits with status 1 if an acknowledged transaction fails the check or an unexpected
//! error occurred (`-32006` "submit queue full" is expected under overload and only
//! counted). The logic is in `chain-node/loadtest/mod.rs`, shared with `tests/load.rs`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use metron_node::state::Durability;

#[path = "../loadtest/mod.rs"]
mod loadtest;

#[derive(Parser, Debug)]
#[command(about = "Load test of a Metron node started in-process")]
struct Args {
    /// How long the load runs, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Transaction submitters, one dev account each (at most 10).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(0..=10))]
    submitters: u64,
    /// `chain_head` readers.
    #[arg(long, default_value_t = 2)]
    readers: usize,
    /// `contract_call balance_of` callers.
    #[arg(long, default_value_t = 2)]
    callers: usize,
    /// The node's data dir (kept, and reused if it holds a chain; default: a temporary
    /// dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Do not fsync each block before acknowledging it (`Durability::NoSync`).
    #[arg(long)]
    no_fsync: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let config = loadtest::LoadConfig {
        duration: Duration::from_secs(args.seconds),
        submitters: usize::try_from(args.submitters).unwrap_or(usize::MAX),
        readers: args.readers,
        callers: args.callers,
        data_dir: args.data_dir,
        durability: if args.no_fsync {
            Durability::NoSync
        } else {
            Durability::Sync
        },
    };
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
    match runtime.block_on(loadtest::run(&config)) {
        Ok(report) => {
            print!("{}", report.table());
            if report.failures().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("load test failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
