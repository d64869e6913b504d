//! The node's defences against its callers, each driven over a real node: admission
//! (minimum gas price, affordability), dry-run limits, the Host/Origin guard on HTTP and
//! WebSocket, the batch cap, the submit queue, reads that do not wait for block
//! production, and the data dir's lock under `--reset`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::common::{client, deploy, key, rpc_err, sign, start_node, wat, TRANSFER_GAS};
use metron_node::service::{Node, NodeConfig};
use metron_node::types::{Action, Transaction};
use metron_node::ChainError;
use metron_rpc::codes;
use metron_rpc::error::call_error;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

/// Sends raw HTTP/1.1 `request` to `addr` and returns the response: its head, and its
/// body as far as `Content-Length` says (or to the end of the connection). A
/// `101 Switching Protocols` has no body: its head is the whole answer.
fn http_raw(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(head_end) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..head_end]).to_ascii_lowercase();
            if head.starts_with("http/1.1 101") {
                break;
            }
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|n| out.len() >= head_end + 4 + n) {
                break;
            }
        }
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => panic!("read: {e} after {:?}", String::from_utf8_lossy(&out)),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A WebSocket handshake request for `host` with an optional `Origin`.
fn ws_upgrade(host: &str, origin: Option<&str>) -> String {
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         {origin}\r\n"
    )
}

/// An HTTP JSON-RPC POST of `body` for `host` with an optional `Origin`.
fn http_post(host: &str, origin: Option<&str>, body: &str) -> String {
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n{origin}\r\n{body}",
        body.len()
    )
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or("")
}

const HEAD_CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"chain_head","params":[]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_price_and_unfunded_transactions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    // A key that never received anything.
    let pauper = ed25519_dalek::SigningKey::from_bytes(&[0x42; 32]);
    let signed = |gas_price: u128| {
        Transaction {
            chain_id: metron_node::dev::DEV_CHAIN_ID,
            nonce: 0,
            gas_limit: TRANSFER_GAS,
            gas_price,
            action: Action::Transfer {
                to: [9; 32],
                amount: 0,
            },
        }
        .sign(&pauper)
        .to_bytes()
    };
    let head = c.chain_head().await.unwrap().height;

    let (code, msg) = rpc_err(c.tx_submit(wire::Bytes(signed(0)), None).await);
    assert_eq!(code, codes::TX_REJECTED, "{msg}");
    assert!(
        msg.contains("gas price 0 below this node's minimum gas price 1"),
        "{msg}"
    );
    // At the minimum price the fee must be affordable.
    let (code, msg) = rpc_err(c.tx_submit(wire::Bytes(signed(1)), None).await);
    assert_eq!(code, codes::TX_REJECTED, "{msg}");
    assert!(msg.contains("insufficient balance"), "{msg}");
    // Neither produced a block.
    assert_eq!(c.chain_head().await.unwrap().height, head);
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_min_gas_price_zero_admits_free_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::test(dir.path());
    config.chain.min_gas_price = 0;
    let node = Node::start(config).await.unwrap();
    let c = client(&node);
    let tx = Transaction {
        chain_id: metron_node::dev::DEV_CHAIN_ID,
        nonce: 0,
        gas_limit: TRANSFER_GAS,
        gas_price: 0,
        action: Action::Transfer {
            to: [9; 32],
            amount: 1,
        },
    }
    .sign(&key(0));
    let hash = c.tx_submit(wire::Bytes(tx.to_bytes()), None).await.unwrap();
    let r = c.tx_get_receipt(hash).await.unwrap().unwrap();
    assert_eq!(r.fee.0, 0);
    node.stop().await.unwrap();
}

/// A contract whose `spin` loops until its gas runs out.
fn spin_module() -> Vec<u8> {
    wat(r#"(module
        (memory (export "memory") 1)
        (func (export "spin") (loop $l (br $l))))"#)
}

fn spin_request(contract: wire::H256, gas_limit: Option<u64>) -> wire::CallRequest {
    wire::CallRequest {
        from: None,
        contract,
        method: "spin".into(),
        input: wire::Bytes(Vec::new()),
        value: None,
        gas_limit,
        at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_are_capped_in_gas_slots_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::test(dir.path());
    config.limits.dry_run_gas_cap = 20_000_000;
    config.limits.max_dry_runs = 1;
    let node = Node::start(config).await.unwrap();
    let c = client(&node);
    let (_, spin) = deploy(&c, &spin_module(), Vec::new()).await;

    // Over the cap: refused before anything runs, with the flag named.
    let (code, msg) = rpc_err(c.contract_call(spin_request(spin, Some(20_000_001))).await);
    assert_eq!(code, codes::LIMIT_EXCEEDED, "{msg}");
    assert!(msg.contains("dry-run gas cap 20000000"), "{msg}");
    assert!(msg.contains("--rpc-gas-cap"), "{msg}");

    // No gas limit: the cap is the default, and the spin runs out of it.
    let r = c.contract_call(spin_request(spin, None)).await.unwrap();
    assert_eq!(r.status, wire::ExecStatus::OutOfGas);
    assert_eq!(r.gas_used, 20_000_000);
    node.stop().await.unwrap();

    // One slot and a time limit shorter than a capped spin: a second dry run waits for
    // the slot and gets the time-limit error that names both flags; the first one
    // finishes past its limit and reports so.
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::test(dir.path());
    config.limits.dry_run_gas_cap = metron_node::dev::DEFAULT_BLOCK_GAS_LIMIT;
    config.limits.max_dry_runs = 1;
    config.limits.dry_run_timeout = Duration::from_millis(1);
    let node = Node::start(config).await.unwrap();
    let c = client(&node);
    let (_, spin) = deploy(&c, &spin_module(), Vec::new()).await;
    let (first, second) = tokio::join!(
        c.contract_call(spin_request(spin, None)),
        c.contract_call(spin_request(spin, None))
    );
    let mut messages = Vec::new();
    for r in [first, second] {
        let (code, msg) = rpc_err(r);
        assert_eq!(code, codes::LIMIT_EXCEEDED, "{msg}");
        messages.push(msg);
    }
    assert!(
        messages.iter().all(|m| m.contains("--dry-run-timeout-ms")),
        "{messages:?}"
    );
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_origins_and_host_names_are_refused_on_websocket_and_http() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let addr = node.local_addr();
    let host = addr.to_string();

    // WebSocket upgrades.
    let r = http_raw(addr, &ws_upgrade(&host, Some("http://evil.example")));
    assert!(status_line(&r).contains("403"), "{r}");
    assert!(
        r.contains("origin \"http://evil.example\" is not allowed"),
        "{r}"
    );
    assert!(r.contains("--allow-origin"), "{r}");
    let r = http_raw(addr, &ws_upgrade("evil.example:8545", None));
    assert!(status_line(&r).contains("403"), "{r}");
    assert!(r.contains("--allow-host"), "{r}");
    let r = http_raw(addr, &ws_upgrade(&host, None));
    assert!(status_line(&r).contains("101"), "{r}");
    let r = http_raw(addr, &ws_upgrade(&host, Some("http://localhost:3000")));
    assert!(status_line(&r).contains("101"), "{r}");

    // HTTP calls.
    let r = http_raw(
        addr,
        &http_post(&host, Some("http://evil.example"), HEAD_CALL),
    );
    assert!(status_line(&r).contains("403"), "{r}");
    let r = http_raw(addr, &http_post("rebind.evil.example", None, HEAD_CALL));
    assert!(status_line(&r).contains("403"), "{r}");
    let r = http_raw(
        addr,
        &http_post(&host, Some("http://127.0.0.1:5173"), HEAD_CALL),
    );
    assert!(status_line(&r).contains("200"), "{r}");
    assert!(
        r.to_ascii_lowercase()
            .contains("access-control-allow-origin: http://127.0.0.1:5173"),
        "{r}"
    );
    assert!(r.contains("\"result\""), "{r}");
    node.stop().await.unwrap();

    // Allow-listed origins and hosts pass.
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::test(dir.path());
    config.guard.allowed_origins = vec!["https://app.example".into()];
    config.guard.allowed_hosts = vec!["devbox.lan".into()];
    let node = Node::start(config).await.unwrap();
    let addr = node.local_addr();
    let r = http_raw(
        addr,
        &ws_upgrade("devbox.lan:8545", Some("https://app.example")),
    );
    assert!(status_line(&r).contains("101"), "{r}");
    let r = http_raw(
        addr,
        &ws_upgrade("devbox.lan:8545", Some("http://evil.example")),
    );
    assert!(status_line(&r).contains("403"), "{r}");
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_batch_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let addr = node.local_addr();
    let host = addr.to_string();
    let batch = |n: usize| {
        let calls: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"chain_id","params":[]}}"#))
            .collect();
        format!("[{}]", calls.join(","))
    };
    let max = usize::try_from(metron_rpc::server::DEFAULT_MAX_BATCH).unwrap();
    let r = http_raw(addr, &http_post(&host, None, &batch(max)));
    assert_eq!(r.matches("\"result\":1337").count(), max, "{r}");
    let r = http_raw(addr, &http_post(&host, None, &batch(max + 1)));
    assert!(
        r.contains(&format!("\"code\":{}", codes::BATCH_TOO_LARGE)),
        "{r}"
    );
    assert!(!r.contains("\"result\""), "{r}");
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_submit_queue_refuses_and_reads_do_not_wait_for_the_producer() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::test(dir.path());
    config.limits.submit_queue = 1;
    let node = Node::start(config).await.unwrap();
    let c = client(&node);
    let (_, spin) = deploy(&c, &spin_module(), Vec::new()).await;
    let head = c.chain_head().await.unwrap();

    // A transaction that keeps the producer busy for the whole block gas limit.
    let busy_gas = metron_node::dev::DEFAULT_BLOCK_GAS_LIMIT;
    let busy = sign(
        &c,
        &key(1),
        busy_gas,
        Action::Call {
            contract: spin.0,
            method: "spin".into(),
            input: Vec::new(),
            value: 0,
        },
    )
    .await;
    let c2 = c.clone();
    let busy = tokio::spawn(async move { c2.tx_submit(wire::Bytes(busy), None).await });
    // Wait until the producer has taken it (the queue is empty again, the block not sealed):
    // a read of the head answers meanwhile, at the old head.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let during = c.chain_head().await.unwrap();
    assert!(
        !busy.is_finished(),
        "the spin transaction should still be executing"
    );
    assert_eq!(during.height, head.height);

    // Transfers from four other keys: one fits in the queue, the others are refused.
    let mut transfers = Vec::new();
    for i in 2..6 {
        let tx = sign(
            &c,
            &key(i),
            TRANSFER_GAS,
            Action::Transfer {
                to: [9; 32],
                amount: 1,
            },
        )
        .await;
        let c = c.clone();
        transfers.push(tokio::spawn(async move {
            c.tx_submit(wire::Bytes(tx), None).await
        }));
    }
    let mut accepted = 0;
    let mut refused = Vec::new();
    for t in transfers {
        match t.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(e) => {
                let obj = call_error(&e).expect("JSON-RPC error");
                assert_eq!(obj.code(), codes::LIMIT_EXCEEDED, "{}", obj.message());
                assert!(
                    obj.message().contains("--submit-queue"),
                    "{}",
                    obj.message()
                );
                refused.push(obj.message().to_owned());
            }
        }
    }
    assert!(accepted >= 1, "the queue holds one transaction");
    assert!(
        !refused.is_empty(),
        "a queue of one must refuse some of four"
    );
    let r = busy
        .await
        .unwrap()
        .expect("the spin transaction is included");
    let receipt = c.tx_get_receipt(r).await.unwrap().unwrap();
    assert_eq!(receipt.status, wire::ExecStatus::OutOfGas);
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_of_a_data_dir_in_use_is_refused_and_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let tx = sign(
        &c,
        &key(0),
        TRANSFER_GAS,
        Action::Transfer {
            to: [9; 32],
            amount: 1,
        },
    )
    .await;
    c.tx_submit(wire::Bytes(tx), None).await.unwrap();
    let head = c.chain_head().await.unwrap();

    let mut second = NodeConfig::test(dir.path());
    second.reset = true;
    let err = Node::start(second)
        .await
        .err()
        .expect("the data dir is locked");
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            metron_node::service::NodeError::Chain(ChainError::DataDirLocked { .. })
        ),
        "{msg}"
    );
    assert!(msg.contains("in use by another metron node"), "{msg}");
    // The running node still serves the same chain.
    assert_eq!(c.chain_head().await.unwrap(), head);
    node.stop().await.unwrap();

    // Once it has stopped, --reset starts again from genesis.
    let mut again = NodeConfig::test(dir.path());
    again.reset = true;
    let node = Node::start(again).await.unwrap();
    assert_eq!(node.chain().head_height(), 0);
    node.stop().await.unwrap();
}
