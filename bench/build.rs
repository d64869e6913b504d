//! Builds the benchmark workloads (`bench/wasm/*`) for `wasm32-unknown-unknown` and
//! copies the modules into `OUT_DIR` (`suite.wasm`, `json.wasm`, `regex.wasm`) for
//! `include_bytes!` in `src/artifacts.rs`.
//!
//! Same scheme as `contracts/artifacts/build.rs`: a nested
//! `cargo build --profile bench-wasm --target wasm32-unknown-unknown` with its own
//! `--target-dir` under `OUT_DIR` (the outer build holds the lock on the shared target
//! dir, so a nested build there would wait forever), with the outer build's rustflags and
//! wrappers scrubbed from the environment.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "bench-wasm";

/// (package, file name of the built module, file name in OUT_DIR)
const WORKLOADS: &[(&str, &str, &str)] = &[
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

/// Environment variables of the outer build that must not leak into the nested one.
const SCRUBBED_ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_WRAPPER",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_PROFILE_RELEASE_DEBUG",
];

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let workspace_dir = manifest_dir.parent().expect("workspace dir").to_path_buf();

    for path in [
        manifest_dir.join("wasm"),
        workspace_dir.join("Cargo.toml"), // holds [profile.bench-wasm]
        workspace_dir.join("Cargo.lock"),
        manifest_dir.join("build.rs"),
    ] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    for var in SCRUBBED_ENV {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = out_dir.join("workloads-target");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&workspace_dir)
        .args([
            "build",
            "--locked",
            "--profile",
            PROFILE,
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    for (package, _, _) in WORKLOADS {
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
        fail(&format!(
            "building the benchmark workloads failed ({}):\n{stderr}\n\
             hint: the {TARGET} target must be installed (`rustup target add {TARGET}`)",
            output.status
        ));
    }

    let built = target_dir.join(TARGET).join(PROFILE);
    for (package, file, name) in WORKLOADS {
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
}

/// Fails the build with a clear message.
fn fail(msg: &str) -> ! {
    panic!("metron-bench: {msg}");
}
