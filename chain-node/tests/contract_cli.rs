//! The contract workflow of the `metron` binary: `new`, `cargo test` in the new crate,
//! `build`, then `deploy`, `call` and `query` by name through the metadata against an
//! in-process devnet, for the scaffold and for the macro-built token.
//!
//! Cargo builds share one target directory under `CARGO_TARGET_TMPDIR`, so only the first
//! run compiles the contracts' dependencies (RocksDB under `metron-test` above all: about
//! 10 minutes cold on 2 cores). Not the workspace's own target directory: a crate outside
//! the workspace built there with the same profiles gets the same artifact names for the
//! workspace's crates, compiled with other flags, and overwrites them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use metron_node::service::{Node, NodeConfig};

fn metron() -> Command {
    Command::new(env!("CARGO_BIN_EXE_metron"))
}

/// The target directory shared by the cargo builds of these tests.
fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract-cli")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_path_buf()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The value after `prefix` on the line that starts with it.
fn field<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"))
        .trim()
}

/// `metron build <dir>` into the shared target; returns (wasm, metadata).
fn build(dir: &Path) -> (PathBuf, PathBuf) {
    let o = metron()
        .arg("build")
        .arg(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let wasm = PathBuf::from(field(&out, "wasm:"));
    let meta = PathBuf::from(field(&out, "metadata:"));
    let size: usize = field(&out, "size:")
        .trim_end_matches(" bytes")
        .parse()
        .unwrap();
    assert_eq!(std::fs::metadata(&wasm).unwrap().len() as usize, size);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    let hash = metron_node::types::keccak256(&std::fs::read(&wasm).unwrap());
    assert_eq!(
        json["contract"]["codeHash"],
        metron_rpc::hex_serde::encode(&hash)
    );
    assert_eq!(
        field(&out, "code hash:"),
        metron_rpc::hex_serde::encode(&hash)
    );
    (wasm, meta)
}

/// Runs the binary against `node` with the contract book in `home`.
fn client(node: &Node, home: &Path) -> impl Fn(&[&str]) -> Output {
    let url = node.rpc_url();
    let home = home.to_path_buf();
    move |args: &[&str]| {
        metron()
            .args(args)
            .args(["--rpc-url", &url])
            .env("METRON_HOME", &home)
            .output()
            .unwrap()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn macro_token_by_name() {
    let (wasm, meta) = build(&repo().join("contracts/examples/macro-token"));
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let node = rt
        .block_on(Node::start(NodeConfig::test(dir.path().join("node"))))
        .unwrap();
    let run = client(&node, &dir.path().join("home"));
    let wasm = wasm.to_str().unwrap();

    // The metadata beside the wasm is found and recorded for the address.
    let o = run(&["deploy", wasm, "--supply", "1000", "--from", "0"]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let token = field(&out, "contract:").to_owned();
    assert!(out.contains("amount: 1000 }"), "{out}");

    let o = run(&[
        "call", &token, "transfer", "--to", "dev:1", "--amount", "250", "--from", "0",
    ]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "status:"), "success");
    assert!(
        out.contains("topic \"Transfer\" data Transfer { from: 0x"),
        "{out}"
    );
    assert!(out.contains("amount: 250 }"), "{out}");

    let o = run(&["query", &token, "balance_of", "--owner", "dev:1"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(field(&stdout(&o), "return:"), "250");

    // An overdraft reverts with the typed error.
    let o = run(&[
        "call",
        &token,
        "transfer",
        "--from",
        "1",
        "--to",
        "dev:2",
        "--amount=251",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "status:"), "reverted");
    assert_eq!(field(&out, "revert:"), "InsufficientBalance");

    // Unknown messages and arguments are named with the message's arguments and types.
    let o = run(&["query", &token, "balance_of", "--ownr", "dev:1"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stderr(&o)
            .contains("no argument --ownr; usage: view balance_of --owner <[u8; 32]> -> u128"),
        "{}",
        stderr(&o)
    );
    let o = run(&["query", &token, "balance"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stderr(&o).contains("no message \"balance\""),
        "{}",
        stderr(&o)
    );

    // With no contract book, --metadata does the same; the raw path still works.
    let bare = client(&node, &dir.path().join("empty-home"));
    let meta = meta.to_str().unwrap();
    let o = bare(&[
        "query",
        &token,
        "balance_of",
        "--owner",
        "dev:1",
        "--metadata",
        meta,
    ]);
    assert_eq!(field(&stdout(&o), "return:"), "250", "{o:?}");
    let o = bare(&["query", &token, "balance_of", "--owner", "dev:1"]);
    assert!(stderr(&o).contains("need the contract's metadata"), "{o:?}");
    let o = bare(&[
        "query",
        &token,
        "balance_of",
        "--arg",
        "dev:1",
        "--decode",
        "u128",
    ]);
    assert_eq!(field(&stdout(&o), "return:"), "250", "{o:?}");
    rt.block_on(node.stop()).unwrap();
}

#[test]
fn build_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let o = metron().arg("build").arg(dir.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a contract crate"), "{o:?}");

    std::fs::create_dir_all(dir.path().join("plain/src")).unwrap();
    std::fs::write(
        dir.path().join("plain/Cargo.toml"),
        "[package]\nname = \"plain\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("plain/src/lib.rs"), "").unwrap();
    let o = metron()
        .arg("build")
        .arg(dir.path().join("plain"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no cdylib library"), "{o:?}");
}

#[test]
fn new_crate_tests_builds_and_runs_on_a_devnet() {
    let dir = tempfile::tempdir().unwrap();
    let o = metron()
        .args(["new", "my-counter"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let krate = dir.path().join("my-counter");
    for f in ["Cargo.toml", "src/lib.rs", ".gitignore", "README.md"] {
        assert!(krate.join(f).is_file(), "{f}");
    }
    let o = metron()
        .args(["new", "my-counter"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(stderr(&o).contains("already exists"), "{o:?}");

    // This repository's lock file: the same dependency versions, no registry lookups.
    std::fs::copy(repo().join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    let o = Command::new(env!("CARGO"))
        .arg("test")
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));

    let (wasm, _) = build(&krate);
    let rt = runtime();
    let node = rt
        .block_on(Node::start(NodeConfig::test(dir.path().join("node"))))
        .unwrap();
    let run = client(&node, &dir.path().join("home"));
    let o = run(&[
        "deploy",
        wasm.to_str().unwrap(),
        "--from",
        "0",
        "--start",
        "5",
    ]);
    assert!(o.status.success(), "{o:?}");
    let counter = field(&stdout(&o), "contract:").to_owned();
    let o = run(&["call", &counter, "increment", "--by", "2", "--from", "0"]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    assert_eq!(field(&out, "return:"), "7");
    assert!(out.contains("data Incremented { by: 0x"), "{out}");
    let o = run(&["query", &counter, "get"]);
    assert_eq!(field(&stdout(&o), "return:"), "7", "{o:?}");
    let o = run(&[
        "call",
        &counter,
        "increment",
        "--by",
        &u64::MAX.to_string(),
        "--from",
        "0",
    ]);
    assert_eq!(field(&stdout(&o), "revert:"), "Overflow", "{o:?}");
    rt.block_on(node.stop()).unwrap();
}

/// The first ```rust block of `docs/tutorial.md`: the tutorial's contract.
fn tutorial_contract() -> String {
    let doc = std::fs::read_to_string(repo().join("docs/tutorial.md")).unwrap();
    let start = doc.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let len = doc[start..].find("```").expect("the block ends");
    doc[start..start + len].to_owned()
}

/// `docs/tutorial.md`, step by step: `metron new vault`, the tutorial's contract as
/// `src/lib.rs` without the scaffold's e2e test, `cargo test`, `metron build` of the vault
/// and of the token, both deployed to a devnet, and the vault driven by name.
#[test]
fn the_tutorial_works_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let o = metron()
        .args(["new", "vault"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let krate = dir.path().join("vault");
    std::fs::write(krate.join("src/lib.rs"), tutorial_contract()).unwrap();
    std::fs::remove_file(krate.join("tests/e2e.rs")).unwrap();
    std::fs::copy(repo().join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    let o = Command::new(env!("CARGO"))
        .arg("test")
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("test tests::deposit_and_withdraw ... ok"),
        "{}",
        stdout(&o)
    );
    let (vault_wasm, _) = build(&krate);
    let (token_wasm, _) = build(&repo().join("contracts/examples/macro-token"));

    let rt = runtime();
    let node = rt
        .block_on(Node::start(NodeConfig::test(dir.path().join("node"))))
        .unwrap();
    let run = client(&node, &dir.path().join("home"));
    let ok = |args: &[&str]| {
        let o = run(args);
        assert!(o.status.success(), "{args:?}: {o:?}");
        stdout(&o)
    };
    let out = ok(&[
        "deploy",
        token_wasm.to_str().unwrap(),
        "--supply",
        "1000000",
        "--from",
        "0",
    ]);
    let token = field(&out, "contract:").to_owned();
    let out = ok(&[
        "deploy",
        vault_wasm.to_str().unwrap(),
        "--token",
        &token,
        "--from",
        "0",
    ]);
    let vault = field(&out, "contract:").to_owned();
    ok(&[
        "call",
        &token,
        "approve",
        "--spender",
        &vault,
        "--amount",
        "500",
        "--from",
        "0",
    ]);
    let out = ok(&["call", &vault, "deposit", "--amount", "300", "--from", "0"]);
    assert!(out.contains("data Transfer { from: 0x"), "{out}");
    assert!(out.contains("amount: 300, total: 300 }"), "{out}");
    let out = ok(&["query", &vault, "deposit_of", "--who", "dev:0"]);
    assert_eq!(field(&out, "return:"), "300");
    let o = run(&["call", &vault, "deposit", "--amount", "201", "--from", "0"]);
    let out = stdout(&o);
    assert_eq!(field(&out, "status:"), "reverted", "{o:?}");
    assert_eq!(field(&out, "revert:"), "TokenRefused");
    let out = ok(&["call", &vault, "withdraw", "--from", "0"]);
    assert_eq!(field(&out, "return:"), "300");
    let out = ok(&["query", &token, "balance_of", "--owner", "dev:0"]);
    assert_eq!(field(&out, "return:"), "1000000");
    rt.block_on(node.stop()).unwrap();
}
