//! Generators and differential oracles for fuzzing Metron.
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/` are one-line glue over this crate, and
//! the seeded stable test (`tests/seeded.rs`) runs the same oracles over a fixed set of
//! generated modules, so CI exercises them without nightly.
//!
//! * [`generate`]: wasm-smith configured to Metron's feature set (WebAssembly 2.0
//!   without SIMD), with `canonicalize_nans`, `export_everything` and termination
//!   ensured; edge-case operands for single instructions; `generate::fusion`, WAT
//!   modules that put the translator's fused instruction patterns right before and
//!   after labels that branches reach (run with metering off, see `tests/seeded.rs`).
//! * [`engine`]: the [`engine::DiffEngine`] trait and its implementations: Metron,
//!   wasmi (`deterministic` feature), Wasmtime with Cranelift NaN canonicalization
//!   (feature `wasmtime`).
//! * [`oracle`]: the checks of the fuzz targets (`exec_diff`, `gas_model`,
//!   `gas_boundary`, `gas_on_off`, `validate_diff`, `single_inst`); each returns
//!   `Err(Divergence::Mismatch)` with a human description when engines disagree, and
//!   `Err(Divergence::ReferencePanic)` when a reference engine panicked (caught by
//!   [`engine::Guarded`]; a panic inside Metron is never caught).
//! * `cost` (feature `cost`, which turns on `metron-vm/cost-counters`): cost units of
//!   work per gas unit (`cost::cost_per_gas`) and a generator of expensive-per-gas
//!   modules (`cost::expensive`), for the `gas_cost` target and `tests/gas_cost.rs`.
//! * [`seed`]: the seeded tests' settings and deterministic input bytes.
//! * [`findings`]: where modules behind findings are saved, and what a fuzz target does
//!   with an oracle's result.
#![deny(missing_docs)]

#[cfg(feature = "cost")]
pub mod cost;
pub mod engine;
pub mod findings;
pub mod generate;
pub mod oracle;
pub mod seed;

pub use engine::{DiffEngine, EnginePanic, Guarded, Outcome, TrapClass};
pub use oracle::Divergence;
