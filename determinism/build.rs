//! Builds the benchmark workloads (`bench/wasm/*`) for `wasm32-unknown-unknown` into
//! `OUT_DIR` (`suite.wasm`, `json.wasm`, `regex.wasm`) for the `workloads` part, the same
//! way as `bench/build.rs` (`metron-wasm-build`, profile `bench-wasm`), so that this crate
//! does not depend on `metron-bench` and its reference engine.

use std::env;
use std::path::PathBuf;

use metron_wasm_build::WasmBuild;

/// (package, file name of the built module, file name in OUT_DIR), as in `bench/build.rs`.
const WORKLOADS: &[metron_wasm_build::Module<'static>] = &[
    (
        "metron-bench-suite",
        "metron_bench_suite.wasm",
        "suite.wasm",
    ),
    ("metron-bench-json", "metron_bench_json.wasm", "json.wasm"),
    (
        "metron-bench-regex",
        "metron_bench_regex.wasm",
        "regex.wasm",
    ),
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace_dir = manifest_dir.parent().expect("workspace dir").to_path_buf();
    WasmBuild {
        who: "metron-determinism",
        workspace_dir: &workspace_dir,
        profile: "bench-wasm",
        target_subdir: "workloads-target",
        watch: &[
            workspace_dir.join("bench").join("wasm"),
            manifest_dir.join("build.rs"),
        ],
        modules: WORKLOADS,
    }
    .run();
}
