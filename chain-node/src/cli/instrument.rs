//! `metron instrument`: writes the gas-instrumented form of a module.
//!
//! The output is a standalone `.wasm` with Metron's gas and stack rules compiled in
//! (exported mutable globals for gas left, stack left, depth left and a trap reason; see
//! `docs/gas.md`), produced by [`metron_vm::instrument::instrument_with_gas`]. Any engine
//! that runs it meters exactly as Metron does: it is the oracle of the differential fuzzers.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Args;
use metron_vm::Config;

/// `metron instrument` options.
#[derive(Debug, Clone, Args)]
pub struct InstrumentArgs {
    /// Input module: a .wasm binary or .wat text file.
    pub input: PathBuf,
    /// Output .wasm file.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Initial value of the exported gas global, in gas units (default: unlimited).
    #[arg(long, value_name = "N", default_value_t = u64::MAX)]
    pub gas: u64,
}

/// Runs `metron instrument`: prints the input and output sizes in bytes.
///
/// # Errors
/// The input cannot be read or is rejected by the VM (the same error `Module::new`
/// gives, e.g. `SIMD is not supported (at offset 0x1e)`), or the output cannot be written.
pub fn run(args: &InstrumentArgs) -> anyhow::Result<ExitCode> {
    let wasm = super::read_wasm(&args.input)?;
    let out = metron_vm::instrument::instrument_with_gas(&wasm, &Config::default(), args.gas)
        .map_err(|e| anyhow!("invalid module: {e}"))?;
    std::fs::write(&args.output, &out)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    println!(
        "instrumented {} ({} bytes) -> {} ({} bytes)",
        args.input.display(),
        wasm.len(),
        args.output.display(),
        out.len()
    );
    Ok(ExitCode::SUCCESS)
}
