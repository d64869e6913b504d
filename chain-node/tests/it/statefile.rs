//! State files over real nodes: `dev_dumpState` on one node, `dev_loadState` on a fresh
//! one (same state root, same token balances, the chain goes on), files that must not
//! load (truncated, another format version, another chain id, bad names), and the
//! `--state` flag of `metron node --dev` through the binary.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use metron_contracts::TOKEN_WASM;
use metron_node::statefile::{StateFileReader, FORMAT_VERSION};
use metron_node::types::Action;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use crate::common::*;

const SUPPLY: u128 = 1_000_000;

fn transfer_input(to: [u8; 32], amount: u128) -> Vec<u8> {
    let mut input = to.to_vec();
    input.extend_from_slice(&amount.to_le_bytes());
    input
}

/// Deploys the token from account 0 and makes a few token and native transfers.
async fn token_with_transfers(c: &metron_rpc::jsonrpsee::http_client::HttpClient) -> wire::H256 {
    let (_, token) = deploy(c, TOKEN_WASM, SUPPLY.to_le_bytes().to_vec()).await;
    for (from, to, amount) in [(0, 1, 250), (0, 2, 100), (1, 3, 50)] {
        let r = call(
            c,
            from,
            token,
            "transfer",
            transfer_input(addr(to), amount),
            CALL_GAS,
        )
        .await;
        assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    }
    let r = send(
        c,
        &key(4),
        TRANSFER_GAS,
        Action::Transfer {
            to: addr(5),
            amount: 12_345,
        },
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    token
}

/// Token balances of accounts 0..5, native balances and nonces of accounts 0..6.
async fn snapshot(
    c: &metron_rpc::jsonrpsee::http_client::HttpClient,
    token: wire::H256,
) -> Vec<(u128, u128, u64)> {
    let mut out = Vec::new();
    for i in 0..6 {
        let nonce = c.state_get_nonce(wire::H256(addr(i)), None).await.unwrap();
        out.push((
            token_balance(c, token, addr(i)).await,
            balance(c, addr(i)).await,
            nonce,
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_then_load_into_a_fresh_node() {
    let dir = tempfile::tempdir().unwrap();
    let a = start_node(&dir.path().join("a")).await;
    let ca = client(&a);
    let token = token_with_transfers(&ca).await;
    let head_a = ca.chain_head().await.unwrap();
    let dumped = ca.dev_dump_state("a.state".into()).await.unwrap();
    assert_eq!(dumped.height, head_a.height);
    assert_eq!(dumped.state_root, head_a.state_root);
    assert_eq!(dumped.codes, 1, "{dumped:?}");
    // 10 dev accounts, the token account, its supply and balance slots at least.
    assert!(dumped.entries >= 13, "{dumped:?}");
    let path_a = dir.path().join("a").join("states").join("a.state");
    assert_eq!(Path::new(&dumped.path), path_a);
    assert_eq!(std::fs::metadata(&path_a).unwrap().len(), dumped.bytes);
    let before = snapshot(&ca, token).await;
    a.stop().await.unwrap();

    // A fresh node in another data dir loads it.
    let states_b = dir.path().join("b").join("states");
    std::fs::create_dir_all(&states_b).unwrap();
    std::fs::copy(&path_a, states_b.join("a.state")).unwrap();
    let b = start_node(&dir.path().join("b")).await;
    let cb = client(&b);
    assert_ne!(cb.chain_head().await.unwrap().state_root, dumped.state_root);
    let loaded = cb.dev_load_state("a.state".into()).await.unwrap();
    let head_b = cb.chain_head().await.unwrap();
    assert_eq!(head_b.state_root, dumped.state_root);
    assert_eq!(loaded.state_root, dumped.state_root);
    assert_eq!(loaded.height, head_b.height);
    assert_eq!(
        (loaded.entries, loaded.codes),
        (dumped.entries, dumped.codes)
    );
    assert_eq!(snapshot(&cb, token).await, before);
    let code = cb.state_get_code(token, None).await.unwrap().unwrap();
    assert_eq!(code.0, TOKEN_WASM);

    // The same state dumped again is the same file but for the height (and so the
    // checksum): entries and codes in key order, nothing else varies.
    let again = cb.dev_dump_state("b.state".into()).await.unwrap();
    let (fa, fb) = (
        std::fs::read(&path_a).unwrap(),
        std::fs::read(states_b.join("b.state")).unwrap(),
    );
    assert_eq!(fa.len(), fb.len());
    let height = 24..32;
    let body = 32..fa.len() - 32;
    assert_eq!(fa[..height.start], fb[..height.start]);
    assert_eq!(fa[body.clone()], fb[body]);
    assert_eq!(
        u64::from_le_bytes(fb[height].try_into().unwrap()),
        again.height
    );

    // Loading the state the node already has changes nothing: no block.
    let same = cb.dev_load_state("a.state".into()).await.unwrap();
    assert_eq!(same.height, head_b.height);
    assert_eq!(cb.chain_head().await.unwrap(), head_b);

    // The chain goes on from the loaded state.
    let r = call(
        &cb,
        2,
        token,
        "transfer",
        transfer_input(addr(6), 40),
        CALL_GAS,
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(token_balance(&cb, token, addr(2)).await, 60);
    assert_eq!(token_balance(&cb, token, addr(6)).await, 40);
    b.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_do_not_load_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let token = token_with_transfers(&c).await;
    c.dev_dump_state("good.state".into()).await.unwrap();
    let states = dir.path().join("states");
    let good = std::fs::read(states.join("good.state")).unwrap();
    // Another state, so that a load that went through would show.
    let r = call(
        &c,
        0,
        token,
        "transfer",
        transfer_input(addr(7), 1),
        CALL_GAS,
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    let head = c.chain_head().await.unwrap();

    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(states.join(name), bytes).unwrap();
        name.to_owned()
    };
    let truncated = write("truncated.state", &good[..good.len() * 2 / 3]);
    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let newer = write("newer.state", &newer);
    let mut older = good.clone();
    older[8..12].copy_from_slice(&0u32.to_le_bytes());
    let older = write("older.state", &older);
    let mut other_chain = good.clone();
    other_chain[12..20].copy_from_slice(&7u64.to_le_bytes());
    let other_chain = write("chain.state", &other_chain);
    let mut altered = good.clone();
    let i = altered.len() - 40;
    altered[i] ^= 0xff;
    let altered = write("altered.state", &altered);

    let cases = [
        (
            truncated,
            "state file is truncated: it ends after".to_owned(),
        ),
        (
            newer,
            format!(
                "state file format version {} is newer than this node's {FORMAT_VERSION}: \
                 upgrade metron",
                FORMAT_VERSION + 1
            ),
        ),
        (
            older,
            format!(
                "state file format version 0 is older than the oldest this node reads, \
                 {FORMAT_VERSION}"
            ),
        ),
        (
            other_chain,
            "state file is of chain id 7, this node runs chain id 1337".to_owned(),
        ),
        (altered, "checksum mismatch".to_owned()),
        (
            "missing.state".to_owned(),
            "cannot open state file".to_owned(),
        ),
    ];
    for (name, want) in cases {
        let (code, msg) = rpc_err(c.dev_load_state(name.clone()).await);
        assert_eq!(code, metron_rpc::codes::INVALID_CALL, "{name}: {msg}");
        assert!(msg.contains(&want), "{name}: {msg}");
        assert_eq!(
            c.chain_head().await.unwrap(),
            head,
            "{name} changed the chain"
        );
    }
    for name in ["../good.state", "/etc/passwd", "a/b", "..", ""] {
        let (code, msg) = rpc_err(c.dev_load_state(name.into()).await);
        assert_eq!(code, metron_rpc::codes::INVALID_PARAMS, "{name}: {msg}");
        let (code, _) = rpc_err(c.dev_dump_state(name.into()).await);
        assert_eq!(code, metron_rpc::codes::INVALID_PARAMS, "{name}");
    }
    assert_eq!(c.chain_head().await.unwrap(), head);
    // The good file still loads (and takes back the last transfer).
    c.dev_load_state("good.state".into()).await.unwrap();
    assert_eq!(token_balance(&c, token, addr(7)).await, 0);
    node.stop().await.unwrap();
}

/// A `metron node --dev` process.
struct Metron {
    child: Child,
    url: String,
    /// Reads stdout after the URL line (so the node never blocks on a full pipe).
    rest: std::thread::JoinHandle<Vec<String>>,
}

/// Starts `metron node --dev` in `data_dir` with `extra` flags.
fn start_metron(data_dir: &Path, extra: &[&std::ffi::OsStr]) -> Metron {
    let mut child = Command::new(env!("CARGO_BIN_EXE_metron"))
        .args(["node", "--dev", "--port", "0", "--data-dir"])
        .arg(data_dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("node printed its RPC URL").unwrap();
        if let Some(u) = line.strip_prefix("RPC listening on ") {
            break u.trim().to_owned();
        }
    };
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect());
    Metron { child, url, rest }
}

/// SIGINT, then waits for a clean exit; returns what the node printed after its URL.
fn stop_metron(mut node: Metron) -> Vec<String> {
    let status = Command::new("kill")
        .args(["-INT", &node.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(s) = node.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "node did not stop after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "clean exit: {exit:?}");
    node.rest.join().unwrap()
}

#[test]
fn state_flag_round_trip_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("devnet.state");
    let state_flag = [std::ffi::OsStr::new("--state"), file.as_os_str()];
    let rt = tokio::runtime::Runtime::new().unwrap();

    // First run: no file yet, so nothing is loaded; the state is written on Ctrl-C.
    let one = start_metron(&dir.path().join("one"), &state_flag);
    let (token, before, root) = rt.block_on(async {
        let c = metron_rpc::http_client(&one.url).unwrap();
        let token = token_with_transfers(&c).await;
        let root = c.chain_head().await.unwrap().state_root;
        (token, snapshot(&c, token).await, root)
    });
    let out = stop_metron(one);
    assert!(
        out.iter()
            .any(|l| l.starts_with("Wrote the state at height")),
        "{out:?}"
    );
    let header = *StateFileReader::open(std::fs::File::open(&file).unwrap())
        .unwrap()
        .header();
    assert_eq!(header.state_root, root.0);

    // Second run in a fresh data dir: the file is loaded before the banner.
    let two = start_metron(&dir.path().join("two"), &state_flag);
    rt.block_on(async {
        let c = metron_rpc::http_client(&two.url).unwrap();
        assert_eq!(c.chain_head().await.unwrap().state_root, root);
        assert_eq!(snapshot(&c, token).await, before);
    });
    stop_metron(two);

    // A file that does not load: the node does not start, and says why.
    let bad = dir.path().join("bad.state");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_metron"))
        .args(["node", "--dev", "--port", "0", "--data-dir"])
        .arg(dir.path().join("three"))
        .arg("--load-state")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("state file is truncated"), "{stderr}");
}
