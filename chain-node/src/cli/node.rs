//! `metron node --dev`: runs a local devnet node until Ctrl-C (or SIGTERM).
//!
//! On start it prints the prefunded dev accounts with their (public, well-known) secret
//! keys, the chain id and the RPC URL, like Anvil does.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use metron_node::dev;
use metron_node::service::{Node, NodeConfig};

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
    /// Delete the data directory first (start from genesis).
    #[arg(long)]
    pub reset: bool,
    /// RPC port (HTTP and WebSocket); 0 picks a free port.
    #[arg(long, default_value_t = 8545)]
    pub port: u16,
    /// RPC listen address.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
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
    if a.reset && a.data_dir.exists() {
        std::fs::remove_dir_all(&a.data_dir)
            .with_context(|| format!("cannot delete {}", a.data_dir.display()))?;
    }
    let mut config = NodeConfig::dev(&a.data_dir);
    config.rpc_addr = SocketAddr::new(a.host, a.port);
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
