//! The `metron` binary: devnet node (`metron node --dev`), client commands over JSON-RPC
//! (`deploy`, `call`, `query`, `balance`) and a standalone VM runner (`metron run`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
