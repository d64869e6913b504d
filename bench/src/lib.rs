//! Metron's benchmark harness: Metron against wasmi 2.x on the same workloads, in one
//! process, one engine after the other.
//!
//! * [`exec`]: execution time of each workload ([`workloads::WORKLOADS`]) with metering
//!   on (Metron gas, wasmi fuel) and off; ratios Metron/wasmi, geomeans, and Metron's
//!   metering overhead. Both engines must return the same checksum (checked every time).
//! * [`compile`]: validation + translation throughput on large modules, and ns per code
//!   byte of adversarial modules against a typical module's.
//!
//! The workloads are Rust code built for `wasm32-unknown-unknown` by `build.rs` from
//! `bench/wasm/*` (profile `bench-wasm`); the contract workload is the token example.
//! Run `cargo run -p metron-bench --release -- all`; see `docs/performance.md`.

pub mod artifacts;
pub mod compile;
pub mod engine;
pub mod exec;
pub mod stats;
pub mod token;
pub mod workloads;
