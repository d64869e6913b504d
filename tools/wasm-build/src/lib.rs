//! Build-script helper shared by `contracts/artifacts` and `bench`: builds workspace
//! packages for `wasm32-unknown-unknown` and copies the modules into `OUT_DIR`.
//!
//! It runs a nested `cargo build --locked --profile <profile> --target wasm32-unknown-unknown`
//! with its own `--target-dir` under `OUT_DIR`: the outer build holds the lock on the
//! shared target dir, so a nested build there would wait forever. The outer build's
//! rustflags, wrappers and target settings are scrubbed from the nested build's
//! environment.
//!
//! [`cargo_build`] is the nested build alone, for callers that are not build scripts
//! (the `metron-test` harness builds a contract when a test asks for it).

use std::env;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target every module is built for.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Environment variables of the outer build that must not leak into the nested one: host
/// rustflags would be applied to the wasm32 build, and clippy's wrapper would lint the
/// wasm packages again (and fail the build on lints meant for another target).
pub const SCRUBBED_ENV: &[&str] = &[
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

/// One package to build: (package name, file name of the built module, file name in
/// `OUT_DIR`).
pub type Module<'a> = (&'a str, &'a str, &'a str);

/// What to build and where.
pub struct WasmBuild<'a> {
    /// Prefix of every failure message (the calling crate's name).
    pub who: &'a str,
    /// Workspace root (where `Cargo.toml` and `Cargo.lock` are).
    pub workspace_dir: &'a Path,
    /// Cargo profile, declared in the root `Cargo.toml`.
    pub profile: &'a str,
    /// Name of the nested target dir under `OUT_DIR`.
    pub target_subdir: &'a str,
    /// Paths whose change reruns the build script (sources of the packages), besides the
    /// root manifest and lock file.
    pub watch: &'a [PathBuf],
    /// Packages to build.
    pub modules: &'a [Module<'a>],
}

impl WasmBuild<'_> {
    /// Emits the `rerun-if` lines, runs the nested build and copies each module to
    /// `OUT_DIR/<name>`. Returns `OUT_DIR`.
    ///
    /// # Panics
    /// On any failure (that is how a build script fails), with a message naming what
    /// failed and, for a missing wasm32 target, how to install it.
    pub fn run(&self) -> PathBuf {
        let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
        for path in self.watch.iter().cloned().chain([
            self.workspace_dir.join("Cargo.toml"), // holds the profile
            self.workspace_dir.join("Cargo.lock"),
        ]) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        for var in SCRUBBED_ENV {
            println!("cargo:rerun-if-env-changed={var}");
        }

        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let target_dir = out_dir.join(self.target_subdir);
        let packages: Vec<&str> = self.modules.iter().map(|m| m.0).collect();
        if let Err(e) = cargo_build(
            &cargo,
            self.workspace_dir,
            self.profile,
            &target_dir,
            &packages,
        ) {
            self.fail(&e);
        }

        let built = target_dir.join(TARGET).join(self.profile);
        for (package, file, name) in self.modules {
            let from = built.join(file);
            let to = out_dir.join(name);
            if let Err(e) = fs::copy(&from, &to) {
                self.fail(&format!(
                    "{package}: cannot copy {} to {}: {e}",
                    from.display(),
                    to.display()
                ));
            }
        }
        out_dir
    }

    /// Fails the build with a clear message.
    pub fn fail(&self, msg: &str) -> ! {
        panic!("{}: {msg}", self.who);
    }
}

/// Runs `cargo build --locked --profile <profile> --target wasm32-unknown-unknown
/// --target-dir <target_dir> -p <package>...` in `workspace_dir` with [`SCRUBBED_ENV`]
/// removed from its environment; the modules land in `target_dir/wasm32-unknown-unknown/
/// <profile>/<lib name>.wasm`. `cargo` is the cargo binary (a build script's `CARGO`).
/// `target_dir` must not be a target dir that the calling cargo holds locked.
///
/// # Errors
/// A message naming the packages and holding cargo's stderr if cargo cannot be run or
/// the build fails; for a missing wasm32 target it says how to install it.
pub fn cargo_build(
    cargo: &OsStr,
    workspace_dir: &Path,
    profile: &str,
    target_dir: &Path,
    packages: &[&str],
) -> Result<(), String> {
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_dir)
        .args(["build", "--locked", "--profile", profile, "--target"])
        .arg(TARGET)
        .arg("--target-dir")
        .arg(target_dir);
    for package in packages {
        cmd.args(["-p", package]);
    }
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    let output = cmd
        .output()
        .map_err(|e| format!("could not run {}: {e}", Path::new(cargo).display()))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let hint = if stderr.contains("may not be installed")
        || stderr.contains("can't find crate for `core`")
        || stderr.contains("can't find crate for `std`")
    {
        format!(
            "\nhint: the {TARGET} target is missing. rust-toolchain.toml lists it, so \
             rustup should have installed it; install it with `rustup target add {TARGET}`."
        )
    } else {
        String::new()
    };
    Err(format!(
        "building {} for {TARGET} failed ({}):\n{stderr}{hint}",
        packages.join(", "),
        output.status
    ))
}
