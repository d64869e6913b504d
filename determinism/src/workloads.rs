//! The `workloads` part: the benchmark workloads of `metron-bench` (real Rust programs
//! compiled to wasm: `bench/wasm/suite`, `json`, `regex`), built by this crate's
//! `build.rs` like `bench/build.rs` does, run on Metron with metering on.

use metron_vm::{Config, GasMeter, Instance, Limits, Module, NoHost, Value};

use crate::recorder::{encode_outcome, error_kind_name, record_memory, Sink};

/// `bench/wasm/suite` (`OUT_DIR/suite.wasm`).
pub const SUITE_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/suite.wasm"));
/// `bench/wasm/json` (`OUT_DIR/json.wasm`).
pub const JSON_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/json.wasm"));
/// `bench/wasm/regex` (`OUT_DIR/regex.wasm`).
pub const REGEX_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/regex.wasm"));

/// One workload: name, module, `(i32) -> i64` export, size parameter.
pub type Workload = (&'static str, &'static [u8], &'static str, i32);

/// The `Export` workloads of `metron_bench::workloads::WORKLOADS`, in its order, with its
/// benchmark sizes (tens of milliseconds each in a release build). The token workload is
/// left out: it needs the benchmark's host; the `chain` part runs the token contract.
pub const WORKLOADS: &[Workload] = &[
    ("fib_recursive", SUITE_WASM, "fib_recursive", 27),
    ("fib_iterative", SUITE_WASM, "fib_iterative", 5_000_000),
    ("sieve", SUITE_WASM, "sieve", 2_000_000),
    ("matmul", SUITE_WASM, "matmul", 100),
    ("sort", SUITE_WASM, "sort", 50_000),
    ("keccak256", SUITE_WASM, "keccak256", 200),
    ("sha256", SUITE_WASM, "sha256", 400),
    ("json_parse", JSON_WASM, "json_parse", 10),
    ("regex_match", REGEX_WASM, "regex_match", 5),
    ("deflate", SUITE_WASM, "deflate", 64),
    ("nbody", SUITE_WASM, "nbody", 20_000),
    ("mandelbrot", SUITE_WASM, "mandelbrot", 200),
    ("bulk_memory", SUITE_WASM, "bulk_memory", 1000),
    ("dispatch", SUITE_WASM, "dispatch", 2000),
];

/// The benchmark's Metron configuration (`metron_bench::engine::metron_config(true)`):
/// the default (consensus) configuration, metering on, module-size limits raised so that
/// the large workload modules load.
pub fn config() -> Config {
    Config {
        metering: true,
        limits: Limits {
            max_code_size: 64 << 20,
            max_function_body_size: 8 << 20,
            max_functions: 1 << 20,
            max_memory_pages: 1024,
            ..Limits::default()
        },
        ..Config::default()
    }
}

/// Records each workload of `workloads` in order, items named `<workload> ...`:
/// `compile` (`ok` or the error kind), `instantiate` (gas used u64 LE, then `ok` or the
/// error), `run` (n as i32 LE, then `0` and the results or `1` and the trap's name, then
/// gas used u64 LE; unlimited meter), then every byte of the memory after the run
/// ([`record_memory`]).
pub fn run(workloads: &[Workload], sink: &mut dyn Sink) {
    let config = config();
    for &(name, wasm, export, n) in workloads {
        let module = match Module::new(&config, wasm) {
            Ok(m) => m,
            Err(e) => {
                sink.item(
                    &format!("{name} compile"),
                    error_kind_name(e.kind()).as_bytes(),
                );
                continue;
            }
        };
        sink.item(&format!("{name} compile"), b"ok");
        let mut gas = GasMeter::unlimited();
        let r = Instance::new(&module, &mut NoHost, &mut gas);
        let mut bytes = gas.used().to_le_bytes().to_vec();
        let mut instance = match r {
            Ok(i) => {
                bytes.extend_from_slice(b"ok");
                sink.item(&format!("{name} instantiate"), &bytes);
                i
            }
            Err(e) => {
                bytes.extend_from_slice(format!("{e:?}").as_bytes());
                sink.item(&format!("{name} instantiate"), &bytes);
                continue;
            }
        };
        let mut gas = GasMeter::unlimited();
        let r = instance.invoke(&mut NoHost, export, &[Value::I32(n)], &mut gas);
        let mut bytes = n.to_le_bytes().to_vec();
        encode_outcome(&mut bytes, &r, gas.used());
        sink.item(&format!("{name} run"), &bytes);
        if let Some(m) = instance.memory() {
            record_memory(sink, &format!("{name} memory"), m);
        }
    }
}
