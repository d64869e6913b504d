//! The execution workloads: which module, which export, and the size parameter used by
//! the benchmark and by the smoke test.

use crate::artifacts::{JSON_WASM, REGEX_WASM, SUITE_WASM};
use crate::engine::{EngineKind, MetronRunner, Runner, WasmiRunner};
use crate::token::{MetronToken, WasmiToken};

/// Where a workload's code lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An `(i32) -> i64` export of a module built from `bench/wasm/*`.
    Export(&'static [u8], &'static str),
    /// The token contract doing `n` transfers (one fresh instance per transfer).
    Token,
}

/// One execution workload.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// Name in tables and `--filter`.
    pub name: &'static str,
    /// What runs.
    pub source: Source,
    /// Size parameter of the benchmark run (tuned for tens of milliseconds).
    pub n: i32,
    /// Size parameter of the smoke test (tuned for milliseconds in a debug build).
    pub smoke_n: i32,
}

const fn suite(name: &'static str, n: i32, smoke_n: i32) -> Workload {
    Workload {
        name,
        source: Source::Export(SUITE_WASM, name),
        n,
        smoke_n,
    }
}

/// All execution workloads, in table order.
pub const WORKLOADS: &[Workload] = &[
    suite("fib_recursive", 27, 12),
    suite("fib_iterative", 5_000_000, 1000),
    suite("sieve", 2_000_000, 1000),
    suite("matmul", 100, 6),
    suite("sort", 50_000, 100),
    suite("keccak256", 200, 2),
    suite("sha256", 400, 2),
    Workload {
        name: "json_parse",
        source: Source::Export(JSON_WASM, "json_parse"),
        n: 10,
        smoke_n: 1,
    },
    Workload {
        name: "regex_match",
        source: Source::Export(REGEX_WASM, "regex_match"),
        n: 5,
        smoke_n: 1,
    },
    suite("deflate", 64, 1),
    suite("nbody", 20_000, 10),
    suite("mandelbrot", 200, 8),
    suite("bulk_memory", 1000, 3),
    suite("dispatch", 2000, 2),
    Workload {
        name: "token_transfer",
        source: Source::Token,
        n: 1000,
        smoke_n: 3,
    },
];

/// Compiles and instantiates `workload` on `engine`.
///
/// # Errors
/// A compile, instantiation or deploy failure, as text.
pub fn prepare(
    workload: &Workload,
    engine: EngineKind,
    metering: bool,
) -> Result<Box<dyn Runner>, String> {
    Ok(match (workload.source, engine) {
        (Source::Export(wasm, export), EngineKind::Metron) => {
            Box::new(MetronRunner::new(wasm, export, metering)?)
        }
        (Source::Export(wasm, export), EngineKind::Wasmi) => {
            Box::new(WasmiRunner::new(wasm, export, metering)?)
        }
        (Source::Token, EngineKind::Metron) => Box::new(MetronToken::new(metering)?),
        (Source::Token, EngineKind::Wasmi) => Box::new(WasmiToken::new(metering)?),
    })
}

/// Runs `workload` once with size `n` on both engines and checks that they agree.
///
/// # Errors
/// A failure of either engine, or different results (both shown).
pub fn check_agree(workload: &Workload, n: i32, metering: bool) -> Result<i64, String> {
    let m = prepare(workload, EngineKind::Metron, metering)?.run(n)?;
    let w = prepare(workload, EngineKind::Wasmi, metering)?.run(n)?;
    if m == w {
        Ok(m)
    } else {
        Err(format!(
            "{} (n = {n}, metering {}): metron returned {m:#x}, wasmi {w:#x}",
            workload.name,
            if metering { "on" } else { "off" }
        ))
    }
}
