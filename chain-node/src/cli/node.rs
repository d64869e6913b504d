//! `metron node --dev`: runs a local devnet node until Ctrl-C (or SIGTERM).
//!
//! On start it prints the prefunded dev accounts with their (public, well-known) secret
//! keys, the chain id and the RPC URL, like Anvil does.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use metron_node::dev;
use metron_node::service::{
    Node, NodeConfig, DEFAULT_DRY_RUN_GAS_CAP, DEFAULT_DRY_RUN_TIMEOUT, DEFAULT_SUBMIT_QUEUE,
};
use metron_node::state::Durability;

/// Default data directory of the devnet (relative to the working directory).
pub const DEFAULT_DATA_DIR: &str = ".metron-devnet";

/// `metron node` options.
#[derive(Debug, Clone, Args)]
pub struct NodeArgs {
    /// Run a development chain: chain id 1337, 10 prefunded dev accounts, instant sealing.
    #[arg(long)]
    pub dev: bool,
    /// Data directory (created if missing; an existing chain is resumed).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Delete the chain database first (start from genesis). The data dir's lock is taken
    /// first: a data dir in use by a running node is refused, not deleted.
    #[arg(long)]
    pub reset: bool,
    /// RPC port (HTTP and WebSocket); 0 picks a free port.
    #[arg(long, default_value_t = 8545)]
    pub port: u16,
    /// RPC listen address. Anything but loopback exposes the node (and the well-known dev
    /// keys' accounts) to the network: a warning is printed.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Also accept requests from web pages of this origin (`scheme://host[:port]`, or `*`
    /// for any); repeatable. Pages served from localhost or a loopback IP are always
    /// accepted, requests without an Origin header (programs) too.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Also accept requests whose Host header names this host (or `*` for any);
    /// repeatable. IP addresses and localhost are always accepted.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Lowest gas price admitted, in base units per gas (0 admits free transactions).
    #[arg(long, default_value_t = dev::DEFAULT_MIN_GAS_PRICE, value_name = "N")]
    pub min_gas_price: u128,
    /// Do not fsync each block: faster, but a power loss (not a killed process) can lose
    /// blocks whose transaction hashes were already returned.
    #[arg(long)]
    pub no_fsync: bool,
    /// Transactions that may wait for the block producer; one more is refused.
    #[arg(long, default_value_t = DEFAULT_SUBMIT_QUEUE, value_name = "N")]
    pub submit_queue: usize,
    /// Highest gas limit of a `contract_call` dry run, and its default.
    #[arg(long, default_value_t = DEFAULT_DRY_RUN_GAS_CAP, value_name = "GAS")]
    pub rpc_gas_cap: u64,
    /// Dry runs that may execute at once (default: one per CPU, at least 2).
    #[arg(long, value_name = "N")]
    pub max_dry_runs: Option<usize>,
    /// Wall-clock limit of a dry run, waiting for a slot included, in milliseconds.
    #[arg(long, default_value_t = u64::try_from(DEFAULT_DRY_RUN_TIMEOUT.as_millis()).unwrap_or(u64::MAX), value_name = "MS")]
    pub dry_run_timeout_ms: u64,
}

/// Runs the node until a shutdown signal, then stops it cleanly (RPC server stopped,
/// database closed).
///
/// # Errors
/// Missing `--dev`, database or bind failures.
pub async fn run(a: NodeArgs) -> anyhow::Result<ExitCode> {
    if !a.dev {
        bail!("only development chains are supported: pass --dev");
    }
    init_logging();
    let mut config = NodeConfig::dev(&a.data_dir);
    config.reset = a.reset;
    config.rpc_addr = SocketAddr::new(a.host, a.port);
    config.guard.allowed_origins = a.allow_origins.clone();
    config.guard.allowed_hosts = a.allow_hosts.clone();
    config.chain.min_gas_price = a.min_gas_price;
    if a.no_fsync {
        config.chain.durability = Durability::NoSync;
    }
    config.limits.submit_queue = a.submit_queue;
    config.limits.dry_run_gas_cap = a.rpc_gas_cap;
    if let Some(n) = a.max_dry_runs {
        config.limits.max_dry_runs = n;
    }
    config.limits.dry_run_timeout = Duration::from_millis(a.dry_run_timeout_ms);
    if !a.host.is_loopback() {
        eprintln!(
            "warning: the RPC server listens on {}, not on loopback: anyone who can reach \
             it can use the dev accounts, whose secret keys are public",
            a.host
        );
    }
    let chain_id = config.chain.chain_id;
    let schedule_version = config.chain.vm.schedule.version;
    let node = Node::start(config)
        .await
        .with_context(|| format!("cannot start node in {}", a.data_dir.display()))?;

    print!(
        "{}",
        banner(
            chain_id,
            schedule_version,
            &a.data_dir,
            node.chain().head_height()
        )
    );
    println!("RPC listening on {}", node.rpc_url());
    println!("WebSocket on {}", node.ws_url());
    println!();
    print!("{}", next_steps(&node.rpc_url()));
    println!("Press Ctrl-C to stop.");

    shutdown_signal().await?;
    println!("Shutting down...");
    node.stop().await.context("clean shutdown failed")?;
    println!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

/// The start banner: chain id, gas schedule version, data dir, head, dev accounts and keys
/// (stable; golden-tested).
pub fn banner(
    chain_id: u64,
    schedule_version: u32,
    data_dir: &std::path::Path,
    head: u64,
) -> String {
    use std::fmt::Write as _;
    let keys = dev::dev_keys(dev::DEV_ACCOUNT_COUNT);
    let mut out = String::new();
    let _ = writeln!(out, "Metron devnet");
    let _ = writeln!(out, "=============");
    let _ = writeln!(out, "Chain id:   {chain_id}");
    let _ = writeln!(out, "Gas:        schedule version {schedule_version}");
    let _ = writeln!(out, "Data dir:   {}", data_dir.display());
    let _ = writeln!(out, "Head:       {head}");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Available accounts (each funded with {} base units at genesis)",
        dev::DEV_BALANCE
    );
    let _ = writeln!(out, "==================");
    for (i, k) in keys.iter().enumerate() {
        let _ = writeln!(
            out,
            "({i}) {}",
            metron_rpc::hex_serde::encode(&k.verifying_key().to_bytes())
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Secret keys (well-known: never use them on a real network)"
    );
    let _ = writeln!(out, "==================");
    for (i, k) in keys.iter().enumerate() {
        let _ = writeln!(
            out,
            "({i}) {}",
            metron_rpc::hex_serde::encode(&k.to_bytes())
        );
    }
    let _ = writeln!(out);
    out
}

/// What to do next, printed after the RPC URL: build and deploy the example token, call
/// and query it, and where the docs are.
pub fn next_steps(rpc_url: &str) -> String {
    let rpc = if rpc_url == "http://127.0.0.1:8545" {
        String::new()
    } else {
        format!(" --rpc-url {rpc_url}")
    };
    format!(
        "Next, in another terminal (see README.md, \"Example session\"):\n\
         \x20 cargo build --release -p metron-node\n\
         \x20 cargo build -p metron-example-token --profile contract --target wasm32-unknown-unknown\n\
         \x20 target/release/metron deploy target/wasm32-unknown-unknown/contract/metron_example_token.wasm --from 0 --init u128:1000000{rpc}\n\
         \x20 target/release/metron call <CONTRACT> transfer --from 0 --arg dev:1 --arg u128:250{rpc}\n\
         \x20 target/release/metron query <CONTRACT> balance_of --arg dev:1 --decode u128{rpc}\n\
         Docs: docs/cli.md (commands), docs/rpc.md (JSON-RPC methods), docs/abi.md (writing contracts)\n\n"
    )
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Logs go to stderr so stdout stays the machine-readable banner.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot listen for Ctrl-C")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_steps_name_the_node_they_were_printed_by() {
        let default = next_steps("http://127.0.0.1:8545");
        assert!(default.contains("metron deploy "), "{default}");
        assert!(default.contains("docs/rpc.md"), "{default}");
        assert!(!default.contains("--rpc-url"), "{default}");
        let other = next_steps("http://127.0.0.1:40367");
        for cmd in ["deploy", "call", "query"] {
            let line = other
                .lines()
                .find(|l| l.contains(&format!("metron {cmd} ")))
                .unwrap_or_else(|| panic!("no {cmd} line in {other}"));
            assert!(line.ends_with("--rpc-url http://127.0.0.1:40367"), "{line}");
        }
    }

    #[test]
    fn banner_golden() {
        let b = banner(
            1337,
            metron_vm::GasSchedule::default().version,
            std::path::Path::new(".metron-devnet"),
            0,
        );
        crate::cli::golden::check("node_banner.txt", &b);
    }
}
