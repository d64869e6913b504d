//! Determinism digests: everything consensus-relevant that Metron does on a fixed,
//! seeded corpus, hashed with Keccak-256, one digest per part. The same binary built for
//! another CPU (aarch64, riscv64 under qemu), another interpreter backend (feature
//! `portable-dispatch`) or another build must print the same digests; any difference in
//! NaN bits, float results, gas, memory, traps or validation changes one.
//!
//! # Parts
//! * `spec` ([`spec`]): the WebAssembly spec suite (`METRON_TESTSUITE` or
//!   `../shared/testsuite`), every file, gas metering off then on: each call's results
//!   (type and exact bits) or trap kind and gas used, each instantiation's gas or failure,
//!   each rejection's error kind, each `get`, each check's verdict; named by file, line
//!   and gas mode.
//! * `generated` ([`generated`]): `--modules N` (default 2000) wasm-smith modules from
//!   `metron-fuzz`'s seeded generator (`--seed S`, default `metron-fuzz`'s seed),
//!   metering on: compile result (error kind), instantiation gas, every exported function
//!   called with zero and with seed-derived edge-case arguments (results' bits or trap
//!   kind, gas used), then every byte of the memory and every exported global's bits.
//! * `workloads` ([`workloads`]): the benchmark workloads (fib, sieve, matmul, sort,
//!   keccak, sha256, json, regex, deflate, nbody, mandelbrot, bulk memory, dispatch),
//!   metering on: result, gas used, final memory.
//! * `chain` ([`chain`], cargo feature `chain`, never run by default): the token
//!   contract on a devnet chain over RocksDB through 200 signed transactions: each
//!   receipt's consensus encoding, each block's state root and receipts root, the final
//!   state root (not block hashes: they contain the wall-clock timestamp).
//!
//! # Hashed bytes
//! Each part is one Keccak-256 over its items in a fixed order (threads only run units
//! whose items are then replayed in order). An item is a name and bytes, fed as
//! `len(name) u64 LE ++ name ++ len(bytes) u64 LE ++ bytes` ([`recorder::Recorder`]).
//! Values are the wasm value-type byte then the bits little endian; gas is u64 LE in gas
//! units; traps are `TrapKind` variant names; load errors their kind without message;
//! memory is hashed in 4 KiB items after an item with its length in bytes.
//!
//! # Output and flags (`metron-determinism`)
//! One line per part: `<part> <hex digest> <items>`, run time on stderr. `--part P`
//! (repeatable) selects parts (default: `spec`, `generated`, `workloads`); `--json`
//! prints a JSON object instead; `--expect FILE` compares with a previous `--json`
//! output and exits 1 at the first part that differs; `--trace FILE` writes one line per
//! item, `part<TAB>name<TAB>hex` ([`recorder::trace_line`]), for diffing two runs;
//! `--threads N` (default: available parallelism) does not change any digest.
#![deny(missing_docs)]

#[cfg(feature = "chain")]
pub mod chain;
pub mod generated;
pub mod recorder;
pub mod spec;
pub mod workloads;

use std::io::Write;

pub use recorder::{PartDigest, Recorder, Sink};

/// A part of the corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// The spec suite, gas off and on.
    Spec,
    /// Seeded generated modules.
    Generated,
    /// The benchmark workloads.
    Workloads,
    /// The token contract on a devnet chain (feature `chain`).
    Chain,
}

impl Part {
    /// Every part, in output order.
    pub const ALL: [Part; 4] = [Part::Spec, Part::Generated, Part::Workloads, Part::Chain];
    /// The parts run by default (the VM parts).
    pub const DEFAULT: [Part; 3] = [Part::Spec, Part::Generated, Part::Workloads];

    /// Its name on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Part::Spec => "spec",
            Part::Generated => "generated",
            Part::Workloads => "workloads",
            Part::Chain => "chain",
        }
    }

    /// The part named `name`.
    pub fn from_name(name: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Parameters of a run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Number of generated modules.
    pub modules: u64,
    /// Seed of the generated modules.
    pub seed: u64,
    /// Worker threads (never changes a digest).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            modules: generated::DEFAULT_MODULES,
            seed: generated::DEFAULT_SEED,
            threads: 1,
        }
    }
}

/// Runs `part` and returns its digest; with `trace`, also writes every item there.
///
/// # Errors
/// The spec suite is missing, the chain failed, the part needs a feature this build
/// lacks, or the trace could not be written.
pub fn run_part(
    part: Part,
    opts: &Options,
    trace: Option<&mut dyn Write>,
) -> Result<PartDigest, String> {
    let mut rec = match trace {
        Some(t) => Recorder::with_trace(part.name(), t),
        None => Recorder::new(part.name()),
    };
    match part {
        Part::Spec => spec::run(&spec::files()?, opts.threads, &mut rec),
        Part::Generated => generated::run(opts.seed, opts.modules, opts.threads, &mut rec),
        Part::Workloads => workloads::run(workloads::WORKLOADS, &mut rec),
        #[cfg(feature = "chain")]
        Part::Chain => chain::run(&mut rec)?,
        #[cfg(not(feature = "chain"))]
        Part::Chain => {
            return Err(
                "the chain part needs the `chain` feature (cargo build --features chain)".into(),
            )
        }
    }
    rec.finish().map_err(|e| format!("trace: {e}"))
}
