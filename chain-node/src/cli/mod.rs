//! Command-line interface of the `metron` binary (clap derive).
//!
//! Subcommands: [`node`] (devnet), [`client`] (`deploy`, `call`, `query`, `balance` over
//! JSON-RPC) and [`mod@run`] (the VM alone). Typed contract inputs are parsed in [`args`].

pub mod args;
pub mod client;
#[cfg(test)]
pub mod golden;
pub mod instrument;
pub mod node;
pub mod run;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

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
}

/// Runs the parsed command. Returns the process exit code.
///
/// # Errors
/// Any failure of the command, printed by `main` as `error: ...`.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Instrument(a) => instrument::run(&a),
        Command::Node(a) => runtime()?.block_on(node::run(a)),
        Command::Deploy(a) => runtime()?.block_on(client::deploy(a)),
        Command::Call(a) => runtime()?.block_on(client::call(a)),
        Command::Query(a) => runtime()?.block_on(client::query(a)),
        Command::Balance(a) => runtime()?.block_on(client::balance(a)),
    }
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
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
        let cli = Cli::try_parse_from([
            "metron", "run", "f.wat", "--invoke", "f", "i32:20", "-5", "--gas", "1000",
        ])
        .unwrap();
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
}
