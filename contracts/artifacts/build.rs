//! Builds the example contracts for `wasm32-unknown-unknown` and copies the modules into
//! `OUT_DIR` (`counter.wasm`, `token.wasm`) for `include_bytes!` in `src/lib.rs`.
//!
//! It runs a nested `cargo build --profile contract --target wasm32-unknown-unknown` with
//! its own `--target-dir` under `OUT_DIR`: the outer build holds the lock on the shared
//! target dir, so a nested build there would wait forever.
//!
//! Also records the target features rustc enables by default for `wasm32-unknown-unknown`
//! (`OUT_DIR/wasm32-target-features.txt`, one per line) for the crate's tests.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

/// (package, file name of the built module, file name in OUT_DIR)
const CONTRACTS: &[(&str, &str, &str)] = &[
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
];

/// Environment variables of the outer build that must not leak into the nested one:
/// host rustflags would be applied to the wasm32 build, and clippy's wrapper would lint
/// the contracts again (and fail the build on lints meant for another target).
const SCRUBBED_ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let contracts_dir = manifest_dir.parent().expect("contracts/ dir").to_path_buf();
    let workspace_dir = contracts_dir.parent().expect("workspace dir").to_path_buf();

    for path in [
        contracts_dir.join("sdk"),
        contracts_dir.join("examples"),
        workspace_dir.join("Cargo.toml"), // holds [profile.contract]
        manifest_dir.join("build.rs"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    for var in SCRUBBED_ENV {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = out_dir.join("contracts-target");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&workspace_dir)
        .args([
            "build",
            "--locked",
            "--profile",
            "contract",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    for (package, _, _) in CONTRACTS {
        cmd.args(["-p", package]);
    }
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    let output = cmd.output().unwrap_or_else(|e| {
        fail(&format!(
            "could not run {}: {e}",
            Path::new(&cargo).display()
        ))
    });
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("may not be installed")
            || stderr.contains("can't find crate for `core`")
            || stderr.contains("can't find crate for `std`")
        {
            format!(
                "\nhint: the {TARGET} target is missing. rust-toolchain.toml lists it, so rustup \
                 should have installed it; install it with `rustup target add {TARGET}`."
            )
        } else {
            String::new()
        };
        fail(&format!(
            "building the example contracts failed ({}):\n{stderr}{hint}",
            output.status
        ));
    }

    let built = target_dir.join(TARGET).join("contract");
    for (package, file, name) in CONTRACTS {
        let from = built.join(file);
        let to = out_dir.join(name);
        if let Err(e) = fs::copy(&from, &to) {
            fail(&format!(
                "{package}: cannot copy {} to {}: {e}",
                from.display(),
                to.display()
            ));
        }
    }

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
