//! The workload modules built by `build.rs` (`bench/wasm/*`, profile `bench-wasm`) and
//! the token contract from `metron-contracts`.

/// `bench/wasm/suite`: fib, sieve, matmul, sort, keccak, sha256, deflate, nbody,
/// mandelbrot, bulk memory, dispatch.
pub const SUITE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/suite.wasm"));
/// `bench/wasm/json`: `serde_json` parsing.
pub const JSON_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/json.wasm"));
/// `bench/wasm/regex`: the `regex` crate (a large module).
pub const REGEX_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/regex.wasm"));
/// The token contract (`contracts/examples/token`, size-optimized `contract` profile).
pub const TOKEN_WASM: &[u8] = metron_contracts::TOKEN_WASM;
