//! Command-line interface of the `metron` binary (clap derive).
//!
//! Subcommands: [`node`] (devnet), [`client`] (`deploy`, `call`, `query`, `balance` over
//! JSON-RPC), [`mod@run`] (the VM alone) and [`contract`] (`build`, `new`). Typed contract
//! inputs are parsed in [`args`]; inputs and outputs described by contract metadata in
//! [`metadata`].

pub mod abci;
pub mod args;
pub mod client;
pub mod contract;
pub mod devctl;
#[cfg(test)]
pub mod golden;
pub mod instrument;
pub mod logs;
pub mod metadata;
pub mod node;
pub mod run;
pub mod trace;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};

/// `metron`: Metron devnet node and client.
#[derive(Debug, Parser)]
#[command(
    name = "metron",
    version,
    about = "Metron devnet node, RPC client and VM runner"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a local devnet node.
    Node(node::NodeArgs),
    /// Deploy a contract (.wasm or .wat) and wait for its receipt.
    Deploy(client::DeployArgs),
    /// Call a contract method in a transaction and print its receipt.
    Call(client::CallArgs),
    /// Dry-run a contract method at head (no transaction, no state change).
    Query(client::QueryArgs),
    /// Print the balance of an account.
    Balance(client::BalanceArgs),
    /// Run an exported function of a .wasm/.wat file in the VM alone (no chain).
    Run(run::RunArgs),
    /// Write the gas-instrumented form of a module: a standalone .wasm that any engine
    /// runs with Metron's gas and stack rules (docs/gas.md).
    Instrument(instrument::InstrumentArgs),
    /// Build a contract crate: the size-optimized .wasm and its .metadata.json, under
    /// `<target>/metron/`.
    Build(contract::BuildArgs),
    /// Create a contract crate in `./<name>` (SDK, a counter, unit and harness tests).
    New(contract::NewArgs),
    /// Devnet controls: snapshot, revert, reset, mine, time, state edits, impersonation.
    Dev(devctl::DevArgs),
    /// Print an included transaction, its block and its receipt (JSON).
    Tx(devctl::TxArgs),
    /// Prove an account and storage values against a block's state root, verify the
    /// proofs locally and print the verified values.
    Prove(devctl::ProveArgs),
    /// Where a transaction's gas went: call frames, host calls and storage keys, as a
    /// tree, JSON, folded stacks or a flame graph (`--flamegraph out.svg`).
    Trace(trace::TraceArgs),
    /// The events of a block range, filtered by contract and topic (`chain_getLogs`).
    Logs(logs::LogsArgs),
    /// Serve the chain to CometBFT 0.38 over ABCI 2.0 (one per validator;
    /// docs/network.md).
    Abci(abci::AbciArgs),
}

/// Runs the parsed command. Returns the process exit code.
///
/// # Errors
/// Any failure of the command, printed by `main` as `error: ...`.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Options after contract arguments by name were taken as arguments: parse again with
    // the arguments moved behind `--`.
    let cli = if options_swallowed(&cli) {
        Cli::parse_from(hoist_named_args(std::env::args_os().collect()))
    } else {
        cli
    };
    match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Instrument(a) => instrument::run(&a),
        Command::Build(a) => contract::build(&a),
        Command::New(a) => contract::new(&a),
        Command::Node(a) => runtime()?.block_on(node::run(a)),
        Command::Deploy(a) => runtime()?.block_on(client::deploy(a)),
        Command::Call(a) => runtime()?.block_on(client::call(a)),
        Command::Query(a) => runtime()?.block_on(client::query(a)),
        Command::Balance(a) => runtime()?.block_on(client::balance(a)),
        Command::Dev(a) => runtime()?.block_on(devctl::dev(a)),
        Command::Tx(a) => runtime()?.block_on(devctl::tx(a)),
        Command::Prove(a) => runtime()?.block_on(devctl::prove(a)),
        Command::Trace(a) => runtime()?.block_on(trace::trace(a)),
        Command::Logs(a) => runtime()?.block_on(logs::logs(a)),
        Command::Abci(a) => abci::run(&a),
    }
}

/// The subcommands whose last positional takes contract arguments by name
/// (`--<arg> <value>`), and that positional's values.
fn named_positional(cli: &Cli) -> Option<(&'static str, &[String])> {
    match &cli.command {
        Command::Call(a) => Some(("call", &a.named)),
        Command::Query(a) => Some(("query", &a.named)),
        Command::Deploy(a) => Some(("deploy", &a.init_args)),
        Command::Run(a) => Some(("run", &a.args)),
        _ => None,
    }
}

/// Whether `--name` is an option of subcommand `sub`: `Some(takes a value)`.
fn known_option(sub: &clap::Command, name: &str) -> Option<bool> {
    if name == "help" {
        return Some(false);
    }
    sub.get_arguments()
        .find(|a| a.get_long() == Some(name))
        .map(|a| a.get_action().takes_values())
}

/// Whether clap took options of the command as contract arguments: it does once the
/// arguments' positional (which accepts `--<arg>` values) has started.
fn options_swallowed(cli: &Cli) -> bool {
    let Some((name, values)) = named_positional(cli) else {
        return false;
    };
    let cmd = Cli::command();
    let Some(sub) = cmd.find_subcommand(name) else {
        return false;
    };
    values.iter().any(|v| {
        v.strip_prefix("--").is_some_and(|f| {
            let name = f.split_once('=').map_or(f, |(n, _)| n);
            known_option(sub, name).is_some()
        })
    })
}

/// Moves contract arguments by name (`--<arg> <value>` / `--<arg>=<value>` tokens whose
/// name is not an option of the subcommand) behind a `--`, so that the options of
/// `call`, `query`, `deploy` and `run` may come before or after them.
pub fn hoist_named_args(argv: Vec<OsString>) -> Vec<OsString> {
    let cmd = Cli::command();
    let Some(sub) = argv
        .get(1)
        .and_then(|s| s.to_str())
        .filter(|s| ["call", "query", "deploy", "run"].contains(s))
        .and_then(|s| cmd.find_subcommand(s))
    else {
        return argv;
    };
    // The command's own positionals (contract and method, or the file) stay in front.
    let mut leading = sub.get_positionals().count().saturating_sub(1);
    let mut kept: Vec<OsString> = argv[..2].to_vec();
    let mut moved: Vec<OsString> = Vec::new();
    let mut i = 2;
    while i < argv.len() {
        let token = argv[i].to_string_lossy().into_owned();
        if token == "--" {
            moved.extend(argv[i + 1..].iter().cloned());
            break;
        }
        if let Some(flag) = token.strip_prefix("--") {
            let (name, inline) = match flag.split_once('=') {
                Some((n, _)) => (n, true),
                None => (flag, false),
            };
            let (dest, takes_value) = match known_option(sub, name) {
                Some(takes) => (&mut kept, takes),
                None => (&mut moved, true),
            };
            dest.push(argv[i].clone());
            if takes_value && !inline && i + 1 < argv.len() {
                i += 1;
                dest.push(argv[i].clone());
            }
        } else if token.starts_with('-') && token.parse::<f64>().is_err() {
            kept.push(argv[i].clone());
        } else if leading > 0 {
            leading -= 1;
            kept.push(argv[i].clone());
        } else {
            moved.push(argv[i].clone());
        }
        i += 1;
    }
    if !moved.is_empty() {
        kept.push("--".into());
        kept.extend(moved);
    }
    kept
}

/// Reads a module from a `.wasm` binary or a `.wat` text file (text is detected by
/// content: a binary starts with `\0asm`).
///
/// # Errors
/// The file cannot be read, or it is neither a wasm binary nor valid WAT.
pub fn read_wasm(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    wat::parse_bytes(&bytes)
        .map(|c| c.into_owned())
        .with_context(|| format!("{} is neither a wasm binary nor valid WAT", path.display()))
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_node_dev() {
        let cli = Cli::try_parse_from(["metron", "node", "--dev", "--port", "0"]).unwrap();
        assert!(matches!(cli.command, Command::Node(ref a) if a.dev && a.port == 0));
    }

    /// Options after `run`'s positional arguments are options, not arguments; negative
    /// numbers are arguments.
    #[test]
    fn run_options_after_args() {
        let argv = [
            "metron", "run", "f.wat", "--invoke", "f", "i32:20", "-5", "--gas", "1000",
        ];
        let cli = Cli::try_parse_from(hoist_named_args(argv.map(OsString::from).to_vec())).unwrap();
        match cli.command {
            Command::Run(a) => {
                assert_eq!(a.args, ["i32:20", "-5"]);
                assert_eq!(a.gas, 1000);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parses_call_with_args() {
        let cli = Cli::try_parse_from([
            "metron", "call", "0x00", "transfer", "--arg", "u64:5", "--arg", "u32:1", "--from", "0",
        ])
        .unwrap();
        match cli.command {
            Command::Call(a) => assert_eq!(a.input.args.len(), 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Contract arguments by name may come before or after the command's options.
    #[test]
    fn named_args_around_options() {
        let argv = [
            "metron",
            "call",
            "0x00",
            "transfer",
            "--to",
            "dev:1",
            "--from",
            "0",
            "--amount=5",
            "--rpc-url",
            "http://x",
            "owner=dev:2",
        ];
        let first = Cli::try_parse_from(argv).unwrap();
        assert!(options_swallowed(&first));
        let hoisted = hoist_named_args(argv.map(OsString::from).to_vec());
        let cli = Cli::try_parse_from(hoisted).unwrap();
        assert!(!options_swallowed(&cli));
        match cli.command {
            Command::Call(a) => {
                assert_eq!(a.named, ["--to", "dev:1", "--amount=5", "owner=dev:2"]);
                assert_eq!(a.tx.from.as_deref(), Some("0"));
                assert_eq!(a.rpc.rpc_url, "http://x");
            }
            other => panic!("unexpected {other:?}"),
        }
        let argv = [
            "metron", "deploy", "t.wasm", "--supply", "1000", "--from", "0",
        ];
        let cli = Cli::try_parse_from(hoist_named_args(argv.map(OsString::from).to_vec())).unwrap();
        match cli.command {
            Command::Deploy(a) => {
                assert_eq!(a.init_args, ["--supply", "1000"]);
                assert_eq!(a.tx.from.as_deref(), Some("0"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
