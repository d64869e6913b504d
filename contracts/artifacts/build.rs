//! Builds the example contracts for `wasm32-unknown-unknown` and copies the modules into
//! `OUT_DIR` (`counter.wasm`, `token.wasm`, `macro_token.wasm`, `nft.wasm`, `escrow.wasm`,
//! `factory.wasm`) for `include_bytes!` in `src/lib.rs`.
//!
//! The nested `cargo build --profile contract` is `metron-wasm-build`'s (tools/wasm-build).
//!
//! Also records the target features rustc enables by default for `wasm32-unknown-unknown`
//! (`OUT_DIR/wasm32-target-features.txt`, one per line) for the crate's tests.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use metron_wasm_build::{WasmBuild, TARGET};

/// (package, file name of the built module, file name in OUT_DIR)
const CONTRACTS: &[metron_wasm_build::Module<'static>] = &[
    (
        "metron-example-counter",
        "metron_example_counter.wasm",
        "counter.wasm",
    ),
    (
        "metron-example-token",
        "metron_example_token.wasm",
        "token.wasm",
    ),
    (
        "metron-example-macro-token",
        "metron_example_macro_token.wasm",
        "macro_token.wasm",
    ),
    ("metron-example-nft", "metron_example_nft.wasm", "nft.wasm"),
    (
        "metron-example-escrow",
        "metron_example_escrow.wasm",
        "escrow.wasm",
    ),
    (
        "metron-example-factory",
        "metron_example_factory.wasm",
        "factory.wasm",
    ),
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let contracts_dir = manifest_dir.parent().expect("contracts/ dir").to_path_buf();
    let workspace_dir = contracts_dir.parent().expect("workspace dir").to_path_buf();
    let out_dir = WasmBuild {
        who: "metron-contracts",
        workspace_dir: &workspace_dir,
        profile: "contract",
        target_subdir: "contracts-target",
        watch: &[
            contracts_dir.join("sdk"),
            contracts_dir.join("examples"),
            manifest_dir.join("build.rs"),
        ],
        modules: CONTRACTS,
    }
    .run();
    write_target_features(&out_dir);
}

/// Writes rustc's default target features for wasm32 to `OUT_DIR/wasm32-target-features.txt`.
fn write_target_features(out_dir: &Path) {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "cfg", "--target", TARGET])
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| fail(&format!("could not run rustc --print cfg: {e}")));
    if !output.status.success() {
        fail(&format!(
            "rustc --print cfg --target {TARGET} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let features: Vec<&str> = std::str::from_utf8(&output.stdout)
        .unwrap_or_else(|e| fail(&format!("rustc --print cfg printed non-UTF-8: {e}")))
        .lines()
        .filter_map(|l| l.strip_prefix("target_feature=\""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    let mut text = features.join("\n");
    text.push('\n');
    let path = out_dir.join("wasm32-target-features.txt");
    if let Err(e) = fs::write(&path, text) {
        fail(&format!("cannot write {}: {e}", path.display()));
    }
}

/// Fails the build with a clear message.
fn fail(msg: &str) -> ! {
    panic!("metron-contracts: {msg}");
}
