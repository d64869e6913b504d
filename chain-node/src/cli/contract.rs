//! Contract crate commands: `metron build` (the size-optimized wasm and its metadata
//! JSON) and `metron new` (a contract crate scaffold).
//!
//! `build` runs cargo twice. First the wasm: `cargo rustc --lib --target
//! wasm32-unknown-unknown --profile metron-contract` with the profile defined on the
//! command line (`--config profile.metron-contract.*`: opt-level "z", lto, one codegen
//! unit, panic abort, strip), so a crate outside this repository builds the same way, and
//! the link argument `-zstack-size=65536`. Then the metadata: a generated program in
//! `<target>/metron/metadata-gen/<package>/` links the contract crate natively and prints what its
//! `#[metron::contract]` impl's `__metron_contract_metadata()` returns.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{anyhow, bail, Context};
use clap::Args;
use serde_json::Value as Json;

/// The cargo profile `metron build` defines and builds the wasm with.
pub const PROFILE: &str = "metron-contract";
/// The wasm target.
pub const TARGET: &str = "wasm32-unknown-unknown";
/// The contract SDK this binary was built with (`metron new` points at it).
const SDK_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../contracts/sdk");
/// The test harness crate beside the SDK (a dev-dependency of new crates when present).
const TEST_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../contracts/test");

/// `metron build [PATH]`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// The contract crate's directory (or its Cargo.toml).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Keep the function names (the wasm name section) so that `metron trace` names
    /// each function. The code grows by the names' bytes, and every call of the
    /// contract pays for its code's length (docs/gas.md): for development builds.
    #[arg(long)]
    pub keep_names: bool,
}

/// `metron new <name>`.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// Crate name; the crate is created in `./<name>`.
    pub name: String,
}

/// What `metron build` wrote.
#[derive(Debug, Clone)]
pub struct Built {
    /// `<target>/metron/<package>.wasm`.
    pub wasm: PathBuf,
    /// `<target>/metron/<package>.metadata.json`.
    pub metadata: PathBuf,
    /// Size of the wasm in bytes.
    pub size: usize,
    /// `0x` keccak256 of the wasm (the chain's code hash).
    pub code_hash: String,
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cmd`, mapping a missing cargo to a clear error.
fn output(cmd: &mut Command, what: &str) -> anyhow::Result<std::process::Output> {
    cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!("cargo not found: `metron {what}` needs a Rust toolchain (https://rustup.rs)")
        } else {
            anyhow!("cannot run cargo: {e}")
        }
    })
}

/// The package, library and target directory of a contract crate.
struct CrateInfo {
    manifest: PathBuf,
    dir: PathBuf,
    package: String,
    lib: String,
    target_dir: PathBuf,
    workspace_root: PathBuf,
}

fn crate_info(path: &Path) -> anyhow::Result<CrateInfo> {
    let manifest = if path.is_dir() {
        path.join("Cargo.toml")
    } else {
        path.to_path_buf()
    };
    if !manifest.is_file() {
        bail!("not a contract crate: {} has no Cargo.toml", path.display());
    }
    let manifest = manifest
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", manifest.display()))?;
    let o = output(
        cargo()
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--manifest-path",
            ])
            .arg(&manifest),
        "build",
    )?;
    if !o.status.success() {
        bail!(
            "cargo metadata failed for {}:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let meta: Json = serde_json::from_slice(&o.stdout).context("cargo metadata output")?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let pkg = packages
        .iter()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        .ok_or_else(|| {
            anyhow!(
                "not a contract crate: {} is a workspace without a package; pass a member's directory",
                manifest.display()
            )
        })?;
    let package = pkg["name"].as_str().unwrap_or_default().to_owned();
    let lib = pkg["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
        })
        .ok_or_else(|| {
            anyhow!(
                "not a contract crate: {package} has no cdylib library \
                 ([lib] crate-type = [\"cdylib\", \"rlib\"])"
            )
        })?;
    let kinds = lib["kind"].as_array().cloned().unwrap_or_default();
    if !kinds.iter().any(|k| k == "rlib" || k == "lib") {
        bail!(
            "not a contract crate: {package}'s library must also be an rlib for its metadata \
             ([lib] crate-type = [\"cdylib\", \"rlib\"])"
        );
    }
    let lib = lib["name"].as_str().unwrap_or_default().replace('-', "_");
    let dir = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(CrateInfo {
        manifest,
        dir,
        package,
        lib,
        target_dir: PathBuf::from(meta["target_directory"].as_str().unwrap_or("target")),
        workspace_root: PathBuf::from(meta["workspace_root"].as_str().unwrap_or(".")),
    })
}

/// Builds the wasm of the crate described by `info`; returns its path under the target
/// directory.
fn build_wasm(info: &CrateInfo, keep_names: bool) -> anyhow::Result<PathBuf> {
    let profile = |key: &str, value: &str| format!("profile.{PROFILE}.{key}={value}");
    let mut cmd = cargo();
    cmd.arg("rustc")
        .arg("--manifest-path")
        .arg(&info.manifest)
        .args(["--lib", "--target", TARGET, "--profile", PROFILE]);
    for (k, v) in [
        ("inherits", "\"release\""),
        ("opt-level", "\"z\""),
        ("lto", "true"),
        ("codegen-units", "1"),
        ("panic", "\"abort\""),
        // "debuginfo" strips DWARF but keeps the name section; "true" strips both.
        ("strip", if keep_names { "\"debuginfo\"" } else { "true" }),
        ("debug", "false"),
    ] {
        cmd.arg("--config").arg(profile(k, v));
    }
    // 64 KiB of stack instead of rustc's 1 MiB: 2 initial pages instead of 17.
    cmd.args(["--", "-C", "link-arg=-zstack-size=65536"]);
    cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
    let status = cmd.status().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!("cargo not found: `metron build` needs a Rust toolchain (https://rustup.rs)")
        } else {
            anyhow!("cannot run cargo: {e}")
        }
    })?;
    if !status.success() {
        bail!(
            "the wasm build of {} failed (cargo's errors are above; a missing target is added \
             with `rustup target add {TARGET}`)",
            info.package
        );
    }
    let wasm = info
        .target_dir
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{}.wasm", info.lib));
    if !wasm.is_file() {
        bail!("cargo built no {}", wasm.display());
    }
    Ok(wasm)
}

/// Writes and runs the metadata generator of the crate; returns the metadata JSON.
fn generate_metadata(info: &CrateInfo) -> anyhow::Result<Json> {
    // One generator per contract package: builds of two contracts sharing a target
    // directory do not overwrite each other's.
    let gen = info
        .target_dir
        .join("metron")
        .join("metadata-gen")
        .join(&info.package);
    std::fs::create_dir_all(gen.join("src"))
        .with_context(|| format!("cannot create {}", gen.display()))?;
    let manifest = format!(
        "# Generated by `metron build`: prints the metadata of {package}.\n\
         [package]\n\
         name = \"metron-metadata-gen-{package}\"\n\
         version = \"0.0.0\"\n\
         edition = \"2021\"\n\
         publish = false\n\n\
         [dependencies]\n\
         contract = {{ path = {dir}, package = {package_q} }}\n\n\
         [workspace]\n",
        package = info.package,
        dir = toml_str(&info.dir.display().to_string()),
        package_q = toml_str(&info.package),
    );
    std::fs::write(gen.join("Cargo.toml"), manifest)?;
    std::fs::write(
        gen.join("src/main.rs"),
        "//! Generated by `metron build`.\n\
         extern crate contract as _;\n\n\
         extern \"Rust\" {\n    fn __metron_contract_metadata() -> String;\n}\n\n\
         fn main() {\n    print!(\"{}\", unsafe { __metron_contract_metadata() });\n}\n",
    )?;
    // The contract's lock file, so the generator resolves (and reuses) the same versions.
    let lock = info.workspace_root.join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, gen.join("Cargo.lock"))?;
    }
    let o = output(
        cargo()
            .args(["run", "--quiet", "--manifest-path"])
            .arg(gen.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&info.target_dir),
        "build",
    )?;
    if !o.status.success() {
        let err = String::from_utf8_lossy(&o.stderr);
        if err.contains("__metron_contract_metadata") {
            bail!(
                "no #[metron::contract] impl found in {}: the metadata generator could not link \
                 __metron_contract_metadata",
                info.package
            );
        }
        bail!("the metadata generator of {} failed:\n{err}", info.package);
    }
    serde_json::from_slice(&o.stdout).context("the metadata generator printed invalid JSON")
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Builds the contract crate at `path`: the wasm and the metadata with its code hash.
///
/// # Errors
/// Cargo missing, not a contract crate, a failed build, no `#[metron::contract]` impl.
pub fn build_crate(path: &Path, keep_names: bool) -> anyhow::Result<Built> {
    let info = crate_info(path)?;
    let wasm_path = build_wasm(&info, keep_names)?;
    let wasm = std::fs::read(&wasm_path)?;
    let code_hash = metron_rpc::hex_serde::encode(&metron_node::types::keccak256(&wasm));
    let mut metadata = generate_metadata(&info)?;
    metadata["contract"]["codeHash"] = Json::String(code_hash.clone());
    let out = info.target_dir.join("metron");
    let wasm_out = out.join(format!("{}.wasm", info.package));
    let meta_out = out.join(format!("{}.metadata.json", info.package));
    std::fs::write(&wasm_out, &wasm)
        .with_context(|| format!("cannot write {}", wasm_out.display()))?;
    std::fs::write(&meta_out, serde_json::to_string_pretty(&metadata)? + "\n")
        .with_context(|| format!("cannot write {}", meta_out.display()))?;
    Ok(Built {
        wasm: wasm_out,
        metadata: meta_out,
        size: wasm.len(),
        code_hash,
    })
}

/// `metron build`: prints `wasm:`, `metadata:`, `size:` and `code hash:` lines.
///
/// # Errors
/// See [`build_crate`].
pub fn build(a: &BuildArgs) -> anyhow::Result<ExitCode> {
    let b = build_crate(&a.path, a.keep_names)?;
    println!("wasm:      {}", b.wasm.display());
    println!("metadata:  {}", b.metadata.display());
    println!("size:      {} bytes", b.size);
    println!("code hash: {}", b.code_hash);
    Ok(ExitCode::SUCCESS)
}

/// `metron new`: writes the scaffold and prints what to do next.
///
/// # Errors
/// An invalid name, an existing directory, write failures.
pub fn new(a: &NewArgs) -> anyhow::Result<ExitCode> {
    let name = &a.name;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        bail!(
            "invalid crate name {name:?}: use letters, digits, '-' and '_', starting with a letter"
        );
    }
    let dir = PathBuf::from(name);
    if dir.exists() {
        bail!("{} already exists", dir.display());
    }
    let sdk = Path::new(SDK_DIR);
    let sdk = sdk.canonicalize().unwrap_or_else(|_| sdk.to_path_buf());
    let test = Path::new(TEST_DIR);
    let harness = test
        .join("Cargo.toml")
        .is_file()
        .then(|| test.canonicalize().unwrap_or_else(|_| test.to_path_buf()));
    for (file, text) in scaffold(name, &sdk, harness.as_deref()) {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!("created contract crate {name} in ./{name}");
    println!("  cd {name} && cargo test && metron build");
    Ok(ExitCode::SUCCESS)
}

/// The files of a new contract crate: `(relative path, contents)`. The harness test
/// (`tests/e2e.rs`) is written only when `harness` (the `metron-test` crate) exists.
pub fn scaffold(name: &str, sdk: &Path, harness: Option<&Path>) -> Vec<(&'static str, String)> {
    let lib = name.replace('-', "_");
    let dev_deps = match harness {
        Some(h) => format!(
            "\n[dev-dependencies]\nmetron-test = {{ path = {} }}\n",
            toml_str(&h.display().to_string())
        ),
        None => String::new(),
    };
    let cargo_toml = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
# cdylib: the .wasm (`metron build`); rlib: native tests and the metadata.
crate-type = ["cdylib", "rlib"]

[dependencies]
metron-sdk = {{ path = {sdk} }}
{dev_deps}
# A workspace of its own, so the crate builds wherever it is.
[workspace]

# The VM optimized even in tests (the harness runs the real interpreter), and RocksDB
# (under the harness) built without debug info, which shortens its long first build.
[profile.dev]
opt-level = 1

[profile.dev.package."*"]
opt-level = 1

[profile.dev.package.librocksdb-sys]
debug = false
opt-level = 1

[profile.dev.package.metron-vm]
opt-level = 3
"#,
        sdk = toml_str(&sdk.display().to_string()),
    );
    let lib_rs = r#"//! A counter contract: `init(start)`, `increment(by)` and `get()`.
#![cfg_attr(target_arch = "wasm32", no_std)]

use metron_sdk::storage::Lazy;
use metron_sdk::{self as metron, Address};

/// The counter went up.
#[metron::event]
pub struct Incremented {
    /// Who incremented it.
    #[topic]
    pub by: Address,
    /// The new value.
    pub value: u64,
}

/// Why a message failed (the revert data).
#[metron::error]
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The counter would pass `u64::MAX`.
    Overflow,
}

/// The contract's state.
#[metron::contract]
pub struct Counter {
    value: Lazy<u64>,
}

#[metron::contract(events(Incremented))]
impl Counter {
    /// Starts the counter at `start`.
    #[init]
    pub fn new(&mut self, start: u64) {
        self.value.set(&start);
    }

    /// Adds `by` and returns the new value.
    #[message]
    pub fn increment(&mut self, by: u64) -> Result<u64, Error> {
        let value = self
            .value
            .get_or_default()
            .checked_add(by)
            .ok_or(Error::Overflow)?;
        self.value.set(&value);
        metron::emit(&Incremented {
            by: metron::caller(),
            value,
        });
        Ok(value)
    }

    /// The current value.
    #[view]
    pub fn get(&self) -> u64 {
        self.value.get_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use metron_sdk::abi::Dispatch;
    use metron_sdk::mock::{self, Revert};
    use metron_sdk::scale::Encode;

    const ALICE: Address = [0xA1; 32];

    /// Runs `message` with SCALE-encoded `args` on the mock host.
    fn call(message: &'static str, args: impl Encode) -> Result<Vec<u8>, Revert> {
        mock::call(ALICE, &args.encode(), || {
            assert!(Counter::dispatch(message), "no message {message}");
        })
    }

    #[test]
    fn increments_and_reverts_on_overflow() {
        mock::reset();
        call("init", (5u64,)).expect("init");
        assert_eq!(call("increment", (2u64,)), Ok(7u64.encode()));
        assert_eq!(call("get", ()), Ok(7u64.encode()));
        assert_eq!(mock::events().len(), 1);
        assert_eq!(
            call("increment", (u64::MAX,)),
            Err(Revert::Reverted(Error::Overflow.encode()))
        );
        assert_eq!(call("get", ()), Ok(7u64.encode()));
    }
}
"#
    .to_owned();
    let e2e = format!(
        r#"//! The contract's wasm on the real VM and state machine (`metron-test`).

use metron_test::{{Code, Harness}};

#[test]
fn deploy_increment_get() {{
    let h = Harness::new();
    let alice = h.account(0);
    let counter = h
        .deploy(alice, &Code::this_crate(), &(5u64,))
        .expect("deploy");
    let out = h.call(alice, counter, "increment", &(2u64,));
    assert_eq!(out.decode::<u64>().expect("u64"), 7);
    let out = h.call(alice, counter, "increment", &(u64::MAX,));
    assert_eq!(out.revert::<{lib}::Error>(), Some({lib}::Error::Overflow));
    let out = h.call(alice, counter, "get", &());
    assert_eq!(out.decode::<u64>().expect("u64"), 7);
}}
"#
    );
    let readme = format!(
        r#"# {name}

A Metron contract written with `metron-sdk`.

```sh
cargo test                                   # unit tests on the SDK's mock host{e2e_note}
metron build                                 # target/metron/{name}.wasm + {name}.metadata.json
metron node --dev &                          # a local devnet
metron deploy target/metron/{name}.wasm --from 0 --start 5
metron call <ADDRESS> increment --by 2 --from 0
metron query <ADDRESS> get
```

`metron deploy` reads `{name}.metadata.json` beside the wasm and remembers it for the
contract's address, so `call` and `query` take arguments by name and print decoded
results, errors and events.
"#,
        e2e_note = if harness.is_some() {
            " and tests/e2e.rs on the real VM"
        } else {
            ""
        },
    );
    let mut files = vec![
        ("Cargo.toml", cargo_toml),
        ("src/lib.rs", lib_rs),
        (".gitignore", "/target\n".to_owned()),
        ("README.md", readme),
    ];
    if harness.is_some() {
        files.push(("tests/e2e.rs", e2e));
    }
    files
}
