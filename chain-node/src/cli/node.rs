//! `metron node --dev`: runs a local devnet node until Ctrl-C (or SIGTERM).
//!
//! On start it prints the prefunded dev accounts with their secret keys (well-known, or
//! derived from `--mnemonic`), the chain id and the RPC URL, like Anvil does.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use metron_node::dev;
use metron_node::error::ChainError;
use metron_node::pool::MiningMode;
use metron_node::service::{
    Node, NodeConfig, NodeError, DEFAULT_DRY_RUN_GAS_CAP, DEFAULT_DRY_RUN_TIMEOUT,
    DEFAULT_SUBMIT_QUEUE,
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
    /// Number of prefunded dev accounts (at most 10000).
    #[arg(long, default_value_t = dev::DEV_ACCOUNT_COUNT, value_name = "N")]
    pub accounts: usize,
    /// Genesis balance of each dev account, in base units.
    #[arg(long, default_value_t = dev::DEV_BALANCE, value_name = "BASE_UNITS")]
    pub balance: u128,
    /// Derive the dev keys from this BIP-39 mnemonic (English words, empty passphrase) at
    /// m/44'/1337'/0'/0'/i' (SLIP-0010 ed25519) instead of the well-known keys.
    #[arg(long, value_name = "WORDS", conflicts_with = "mnemonic_random")]
    pub mnemonic: Option<String>,
    /// Derive the dev keys from a new random 12-word mnemonic, printed in the banner.
    #[arg(long)]
    pub mnemonic_random: bool,
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
    /// Seal a block every SECONDS (fractions allowed, e.g. 0.5) with the pending
    /// transactions, empty blocks too, instead of one block per transaction as it arrives.
    #[arg(long, value_name = "SECONDS", conflicts_with = "no_mining")]
    pub block_time: Option<f64>,
    /// Seal blocks only on `dev_mine` (`metron dev mine`); transactions wait in the pool.
    #[arg(long)]
    pub no_mining: bool,
    /// Accept unsigned transactions (an all-zero signature) from every address, as if
    /// each were impersonated (`dev_setAutoImpersonate`); `metron call --impersonate
    /// ADDRESS` sends them.
    #[arg(long)]
    pub auto_impersonate: bool,
    /// Transactions the pool holds (pending inclusion); one more is refused.
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
    /// Write the state to FILE (a state file, `docs/rpc.md`) on a clean shutdown.
    #[arg(long, value_name = "FILE")]
    pub dump_state: Option<PathBuf>,
    /// Load the state from FILE after the chain opens (sealed as blocks with no
    /// transactions); if it does not load, the node does not start.
    #[arg(long, value_name = "FILE")]
    pub load_state: Option<PathBuf>,
    /// Both: load FILE if it exists, write the state to it on a clean shutdown.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dump_state", "load_state"])]
    pub state: Option<PathBuf>,
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
    let accounts = dev_accounts(&a)?;
    let mut config = NodeConfig::dev(&a.data_dir);
    config.set_dev_accounts(&accounts);
    config.reset = a.reset;
    config.rpc_addr = SocketAddr::new(a.host, a.port);
    config.guard.allowed_origins = a.allow_origins.clone();
    config.guard.allowed_hosts = a.allow_hosts.clone();
    config.chain.min_gas_price = a.min_gas_price;
    if a.no_fsync {
        config.chain.durability = Durability::NoSync;
    }
    config.limits.submit_queue = a.submit_queue;
    config.mining = mining_mode(a.block_time, a.no_mining)?;
    config.auto_impersonate = a.auto_impersonate;
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
    let node = match Node::start(config).await {
        Ok(node) => node,
        Err(NodeError::Chain(e @ ChainError::GenesisMismatch { .. })) => {
            bail!(
                "cannot start node in {}: {e}; {}",
                a.data_dir.display(),
                genesis_mismatch_hint(&a)
            )
        }
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("cannot start node in {}", a.data_dir.display())))
        }
    };

    let (load, dump) = state_files(&a);
    if let Some(path) = load {
        let chain = std::sync::Arc::clone(node.chain());
        let loaded =
            tokio::task::spawn_blocking(move || chain.load_state_file(&path).map(|_| path))
                .await
                .context("state load task")?;
        match loaded {
            Ok(path) => eprintln!("Loaded state from {}", path.display()),
            Err(e) => {
                let _ = node.stop().await;
                bail!("cannot start node: {e}");
            }
        }
    }

    let banner_info = BannerInfo {
        chain_id,
        schedule_version,
        data_dir: &a.data_dir,
        head: node.chain().head_height(),
        accounts: &accounts,
        generated_mnemonic: a.mnemonic_random,
    };
    print!("{}", banner(&banner_info));
    println!("RPC listening on {}", node.rpc_url());
    println!("WebSocket on {}", node.ws_url());
    println!();
    print!("{}", next_steps(&node.rpc_url()));
    println!("Press Ctrl-C to stop.");

    shutdown_signal().await?;
    println!("Shutting down...");
    let dumped = match dump {
        Some(path) => {
            let chain = std::sync::Arc::clone(node.chain());
            let r = tokio::task::spawn_blocking(move || chain.dump_state_file(&path)).await;
            Some(r.context("state dump task")?)
        }
        None => None,
    };
    node.stop().await.context("clean shutdown failed")?;
    match dumped {
        Some(Ok(info)) => println!(
            "Wrote the state at height {} ({} entries, {} codes, {} bytes) to {}",
            info.height,
            info.entries,
            info.codes,
            info.bytes,
            info.path.display()
        ),
        Some(Err(e)) => bail!("cannot write the state file: {e}"),
        None => {}
    }
    println!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

/// The state file to load at start and the one to write on shutdown: `--load-state`,
/// `--dump-state`, or `--state` for both (loaded only if it exists).
fn state_files(a: &NodeArgs) -> (Option<PathBuf>, Option<PathBuf>) {
    match &a.state {
        Some(p) => (p.exists().then(|| p.clone()), Some(p.clone())),
        None => (a.load_state.clone(), a.dump_state.clone()),
    }
}

/// The dev accounts the flags ask for: `--accounts` keys from `--mnemonic`,
/// `--mnemonic-random` or the well-known seed, each funded with `--balance`.
///
/// # Errors
/// An invalid mnemonic (naming the word or the checksum), `--accounts` out of range, no
/// OS randomness.
fn dev_accounts(a: &NodeArgs) -> anyhow::Result<dev::DevAccounts> {
    let source = if let Some(words) = &a.mnemonic {
        dev::DevKeySource::mnemonic(words).context("--mnemonic")?
    } else if a.mnemonic_random {
        dev::DevKeySource::random_mnemonic()?
    } else {
        dev::DevKeySource::WellKnown
    };
    dev::DevAccounts::new(source, a.accounts, a.balance).context("--accounts")
}

/// What to do when the data dir was created with other genesis accounts (said after the
/// error, which already names `--reset`).
fn genesis_mismatch_hint(a: &NodeArgs) -> &'static str {
    if a.mnemonic_random {
        "--mnemonic-random makes new accounts on every start: to resume, pass --mnemonic with \
         the words printed when the data dir was created"
    } else {
        "to resume, pass the dev account flags (--accounts, --balance, --mnemonic) the data \
         dir was created with"
    }
}

/// What the start banner shows.
pub struct BannerInfo<'a> {
    /// Chain id.
    pub chain_id: u64,
    /// Gas schedule version the node runs.
    pub schedule_version: u32,
    /// Data directory as given.
    pub data_dir: &'a std::path::Path,
    /// Head height after opening the chain.
    pub head: u64,
    /// The funded dev accounts.
    pub accounts: &'a dev::DevAccounts,
    /// The mnemonic was generated by `--mnemonic-random` (the banner says how to reuse it).
    pub generated_mnemonic: bool,
}

/// The start banner: chain id, gas schedule version, data dir, head, dev accounts and keys,
/// and for a mnemonic its words and derivation path (stable; golden-tested).
pub fn banner(info: &BannerInfo<'_>) -> String {
    use std::fmt::Write as _;
    let keys = info.accounts.keys();
    let mut out = String::new();
    let _ = writeln!(out, "Metron devnet");
    let _ = writeln!(out, "=============");
    let _ = writeln!(out, "Chain id:   {}", info.chain_id);
    let _ = writeln!(
        out,
        "Gas:        schedule version {}",
        info.schedule_version
    );
    let _ = writeln!(out, "Data dir:   {}", info.data_dir.display());
    let _ = writeln!(out, "Head:       {}", info.head);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Available accounts (each funded with {} base units at genesis)",
        info.accounts.balance
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
    let mnemonic = match &info.accounts.source {
        dev::DevKeySource::WellKnown => None,
        dev::DevKeySource::Mnemonic(m) => Some(m),
    };
    if mnemonic.is_some() {
        let _ = writeln!(
            out,
            "Secret keys (from the mnemonic below: use it on devnets only)"
        );
    } else {
        let _ = writeln!(
            out,
            "Secret keys (well-known: never use them on a real network)"
        );
    }
    let _ = writeln!(out, "==================");
    for (i, k) in keys.iter().enumerate() {
        let _ = writeln!(
            out,
            "({i}) {}",
            metron_rpc::hex_serde::encode(&k.to_bytes())
        );
    }
    let _ = writeln!(out);
    if let Some(m) = mnemonic {
        let _ = writeln!(out, "Mnemonic:   {m}");
        let _ = writeln!(
            out,
            "Derivation: {} (BIP-39 seed, empty passphrase; SLIP-0010 ed25519)",
            dev::mnemonic_path("i")
        );
        if info.generated_mnemonic {
            let _ = writeln!(
                out,
                "Generated by --mnemonic-random: start with --mnemonic \"{m}\" to get these \
                 accounts again; set {}=\"{m}\" for --from N and dev:N in client commands",
                dev::MNEMONIC_ENV
            );
        }
        let _ = writeln!(out);
    }
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

pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Logs go to stderr so stdout stays the machine-readable banner.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The mining mode of `--block-time` / `--no-mining` (instant seal without either).
///
/// # Errors
/// A block time that is not a positive number of seconds of at most a day.
fn mining_mode(block_time: Option<f64>, no_mining: bool) -> anyhow::Result<MiningMode> {
    Ok(match (block_time, no_mining) {
        (_, true) => MiningMode::Manual,
        (None, false) => MiningMode::Auto,
        (Some(secs), false) => {
            if !(0.001..=86_400.0).contains(&secs) {
                bail!("--block-time must be between 0.001 and 86400 seconds, got {secs}");
            }
            MiningMode::Interval(Duration::from_secs_f64(secs))
        }
    })
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

    fn info(accounts: &dev::DevAccounts) -> BannerInfo<'_> {
        BannerInfo {
            chain_id: 1337,
            schedule_version: metron_vm::GasSchedule::default().version,
            data_dir: std::path::Path::new(".metron-devnet"),
            head: 0,
            accounts,
            generated_mnemonic: false,
        }
    }

    #[test]
    fn banner_golden() {
        let b = banner(&info(&dev::DevAccounts::default()));
        crate::cli::golden::check("node_banner.txt", &b);
    }

    #[test]
    fn banner_golden_mnemonic() {
        let accounts = dev::DevAccounts::new(
            dev::DevKeySource::mnemonic(
                "test test test test test test test test test test test junk",
            )
            .unwrap(),
            3,
            5_000,
        )
        .unwrap();
        let b = banner(&info(&accounts));
        crate::cli::golden::check("node_banner_mnemonic.txt", &b);
        assert!(!b.contains("--mnemonic-random"), "{b}");
        let generated = banner(&BannerInfo {
            generated_mnemonic: true,
            ..info(&accounts)
        });
        assert!(
            generated.contains("start with --mnemonic \"test test"),
            "{generated}"
        );
    }

    /// `metron node` alone, for parsing its flags.
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        node: NodeArgs,
    }

    fn args(extra: &[&str]) -> NodeArgs {
        use clap::Parser;
        let argv = ["metron", "--dev"].iter().chain(extra);
        Cli::try_parse_from(argv).map(|c| c.node).unwrap()
    }

    #[test]
    fn account_flags() {
        assert_eq!(
            dev_accounts(&args(&[])).unwrap(),
            dev::DevAccounts::default()
        );
        let a = dev_accounts(&args(&["--accounts", "3", "--balance", "7"])).unwrap();
        assert_eq!((a.count, a.balance), (3, 7));
        let e = dev_accounts(&args(&["--accounts", "10001"])).unwrap_err();
        assert!(format!("{e:#}").contains("1 to 10000"), "{e:#}");
        let e = dev_accounts(&args(&["--mnemonic", "test test test"])).unwrap_err();
        assert!(format!("{e:#}").contains("3 words"), "{e:#}");
        let a = dev_accounts(&args(&["--mnemonic-random"])).unwrap();
        assert!(matches!(a.source, dev::DevKeySource::Mnemonic(_)));
        let both = ["metron", "--dev", "--mnemonic", "x", "--mnemonic-random"];
        assert!(<Cli as clap::Parser>::try_parse_from(both).is_err());
    }
}
