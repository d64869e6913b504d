//! Metron's benchmark harness: Metron against wasmi 2.x on the same workloads, in one
//! process, one engine after the other.
//!
//! * [`exec`]: execution time of each workload ([`workloads::WORKLOADS`]) with metering
//!   on (Metron gas, wasmi fuel) and off; ratios Metron/wasmi, geomeans, and Metron's
//!   metering overhead. Both engines must return the same checksum (checked every time).
//! * [`compile`]: validation + translation throughput on large modules, and ns per code
//!   byte of adversarial modules against a typical module's.
//! * [`gas`]: the gas calibration benchmark: ns per gas unit of the workloads, the token
//!   contract and an adversarial corpus ([`gas::corpus`]), as ratios to the workloads'
//!   median, and compile time and peak heap ([`heap`]) per module byte.
//!
//! The workloads are Rust code built for `wasm32-unknown-unknown` by `build.rs` from
//! `bench/wasm/*` (profile `bench-wasm`); the contract workload is the token example.
//! Run `cargo run -p metron-bench --release -- all`; see `docs/performance.md`.

pub mod artifacts;
pub mod compile;
pub mod engine;
pub mod exec;
pub mod gas;
pub mod heap;
pub mod stats;
pub mod token;
pub mod workloads;

/// Metron IR disassembly of function `func` (an export name or a function index) of
/// workload module `module` (`suite`, `json`, `regex` or `token`), metering on.
///
/// # Errors
/// An unknown module or function, or a compile error, as text.
pub fn ir(module: &str, func: &str) -> Result<String, String> {
    let wasm = match module {
        "suite" => artifacts::SUITE_WASM,
        "json" => artifacts::JSON_WASM,
        "regex" => artifacts::REGEX_WASM,
        "token" => artifacts::TOKEN_WASM,
        other => return Err(format!("unknown module {other}")),
    };
    let index = match func.parse::<u32>() {
        Ok(i) => i,
        Err(_) => export_func_index(wasm, func).ok_or(format!("no function export {func}"))?,
    };
    let m =
        metron_vm::Module::new(&engine::metron_config(true), wasm).map_err(|e| e.to_string())?;
    m.disassemble(index)
        .ok_or(format!("function {index} is not a defined function"))
}

/// The function index of export `name`.
fn export_func_index(wasm: &[u8], name: &str) -> Option<u32> {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::ExportSection(reader)) = payload {
            for e in reader.into_iter().flatten() {
                if e.name == name && e.kind == wasmparser::ExternalKind::Func {
                    return Some(e.index);
                }
            }
        }
    }
    None
}
