//! `chain_getLogs` and `chain_subscribeLogs` on a real node: token `Transfer` and
//! `Approval` events of two token contracts spread over more than 1,000 blocks, filtered by
//! topic, contract and range; the range cap, the bad-range errors; events of reverted
//! blocks gone after `dev_revert`; the WebSocket subscription.

use std::time::{Duration, Instant};

use metron_contracts::TOKEN_WASM;
use metron_rpc::types as wire;
use metron_rpc::{codes, MetronApiClient, MAX_LOG_RANGE};

use crate::common::*;

const SUPPLY: u128 = 1_000_000;

/// An event the test expects, with where it must be.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expected {
    height: u64,
    tx_hash: wire::H256,
    log_index: u32,
    contract: wire::H256,
    topic: Vec<u8>,
    data: Vec<u8>,
}

/// The events of a receipt.
fn expected_of(r: &wire::Receipt) -> Vec<Expected> {
    (0u32..)
        .zip(&r.events)
        .map(|(i, e)| Expected {
            height: r.block_height,
            tx_hash: r.tx_hash,
            log_index: i,
            contract: e.contract,
            topic: e.topic.0.clone(),
            data: e.data.0.clone(),
        })
        .collect()
}

fn as_expected(logs: &[wire::Log]) -> Vec<Expected> {
    logs.iter()
        .map(|l| Expected {
            height: l.block_height,
            tx_hash: l.tx_hash,
            log_index: l.log_index,
            contract: l.contract,
            topic: l.topic.0.clone(),
            data: l.data.0.clone(),
        })
        .collect()
}

fn filter(
    from: Option<u64>,
    to: Option<u64>,
    contract: Option<wire::H256>,
    topics: &[&[u8]],
) -> wire::LogFilter {
    wire::LogFilter {
        from_block: from,
        to_block: to,
        contract,
        topics: (!topics.is_empty())
            .then(|| topics.iter().map(|t| wire::Bytes(t.to_vec())).collect()),
    }
}

/// `transfer` (or `approve`) input: 32-byte address and a u128 amount.
fn addr_amount(to: [u8; 32], amount: u128) -> Vec<u8> {
    let mut input = to.to_vec();
    input.extend_from_slice(&amount.to_le_bytes());
    input
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_filtered_by_topic_contract_and_range_across_1000_blocks() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    let mut all = Vec::new();
    let (ra, token_a) = deploy(&c, TOKEN_WASM, SUPPLY.to_le_bytes().to_vec()).await;
    all.extend(expected_of(&ra));
    let (rb, token_b) = deploy(&c, TOKEN_WASM, SUPPLY.to_le_bytes().to_vec()).await;
    all.extend(expected_of(&rb));

    // 12 rounds of 90 empty blocks, then a transfer of each token and an approval of A.
    for round in 0..12u128 {
        c.dev_mine(Some(90)).await.unwrap();
        for (token, method) in [
            (token_a, "transfer"),
            (token_b, "transfer"),
            (token_a, "approve"),
        ] {
            let r = call(
                &c,
                0,
                token,
                method,
                addr_amount(addr(1), round + 1),
                CALL_GAS,
            )
            .await;
            assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
            assert_eq!(r.events.len(), 1);
            all.extend(expected_of(&r));
        }
    }
    let head = c.chain_head().await.unwrap().height;
    assert!(head >= 1_000, "head {head}");
    assert!(all.last().unwrap().height > 1_000);
    let get = |f: wire::LogFilter| {
        let c = c.clone();
        async move { c.chain_get_logs(f).await.expect("chain_getLogs") }
    };

    // By topic, over every block.
    let transfers = get(filter(Some(0), Some(head), None, &[b"Transfer"])).await;
    let want: Vec<_> = all
        .iter()
        .filter(|e| e.topic == b"Transfer")
        .cloned()
        .collect();
    assert_eq!(want.len(), 2 + 24);
    assert_eq!(as_expected(&transfers), want);
    // Each log names its block by hash and its transaction by index.
    for l in &transfers {
        let block = c
            .chain_get_block(wire::BlockId::Number(l.block_height))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(block.header.hash, l.block_hash);
        let tx = c.chain_get_transaction(l.tx_hash).await.unwrap().unwrap();
        assert_eq!((tx.block_height, tx.index), (l.block_height, l.tx_index));
    }

    // Any of several topics; no filter at all: everything, in chain order.
    let both = get(filter(
        Some(0),
        Some(head),
        None,
        &[b"Approval", b"Transfer"],
    ))
    .await;
    assert_eq!(as_expected(&both), all);
    let everything = get(filter(Some(0), Some(head), None, &[])).await;
    assert_eq!(as_expected(&everything), all);
    let unknown = get(filter(Some(0), Some(head), None, &[b"Nope"])).await;
    assert!(unknown.is_empty());

    // By contract, and by contract and topic.
    let of_b = get(filter(Some(0), Some(head), Some(token_b), &[])).await;
    let want: Vec<_> = all
        .iter()
        .filter(|e| e.contract == token_b)
        .cloned()
        .collect();
    assert_eq!(want.len(), 13);
    assert_eq!(as_expected(&of_b), want);
    let a_approvals = get(filter(Some(0), Some(head), Some(token_a), &[b"Approval"])).await;
    let want: Vec<_> = all
        .iter()
        .filter(|e| e.contract == token_a && e.topic == b"Approval")
        .cloned()
        .collect();
    assert_eq!(want.len(), 12);
    assert_eq!(as_expected(&a_approvals), want);
    let b_approvals = get(filter(Some(0), Some(head), Some(token_b), &[b"Approval"])).await;
    assert!(b_approvals.is_empty());

    // By range: both ends inclusive.
    let (from, to) = (all[10].height, all[20].height);
    let ranged = get(filter(Some(from), Some(to), None, &[b"Transfer"])).await;
    let want: Vec<_> = all
        .iter()
        .filter(|e| e.topic == b"Transfer" && (from..=to).contains(&e.height))
        .cloned()
        .collect();
    assert!(!want.is_empty());
    assert_eq!(as_expected(&ranged), want);
    // Defaults: the head block only (the last approval).
    let at_head = get(filter(None, None, None, &[])).await;
    assert_eq!(as_expected(&at_head), vec![all.last().unwrap().clone()]);

    // Errors: toBlock above the head, fromBlock above toBlock.
    let (code, msg) = rpc_err(
        c.chain_get_logs(filter(Some(0), Some(head + 1), None, &[]))
            .await,
    );
    assert_eq!(code, codes::UNKNOWN_BLOCK, "{msg}");
    let (code, msg) = rpc_err(c.chain_get_logs(filter(Some(5), Some(4), None, &[])).await);
    assert_eq!(code, codes::INVALID_PARAMS, "{msg}");

    // Events of reverted blocks disappear; blocks sealed again at those heights are found.
    let snapshot = c.dev_snapshot().await.unwrap();
    let extra = call(
        &c,
        0,
        token_b,
        "transfer",
        addr_amount(addr(2), 7),
        CALL_GAS,
    )
    .await;
    assert_eq!(extra.events.len(), 1);
    let after = get(filter(
        Some(0),
        Some(extra.block_height),
        Some(token_b),
        &[],
    ))
    .await;
    assert_eq!(after.len(), 14);
    assert!(c.dev_revert(snapshot).await.unwrap());
    let reverted = get(filter(Some(0), Some(head), Some(token_b), &[])).await;
    assert_eq!(as_expected(&reverted), as_expected(&of_b));
    let again = call(&c, 0, token_a, "approve", addr_amount(addr(3), 9), CALL_GAS).await;
    assert_eq!(again.block_height, extra.block_height);
    let at = get(filter(
        Some(again.block_height),
        Some(again.block_height),
        None,
        &[],
    ))
    .await;
    assert_eq!(as_expected(&at), expected_of(&again));
    let b_now = get(filter(
        Some(0),
        Some(again.block_height),
        Some(token_b),
        &[],
    ))
    .await;
    assert_eq!(as_expected(&b_now), as_expected(&of_b));

    // The range cap: pad past MAX_LOG_RANGE blocks, then page.
    let head = c.dev_mine(Some(MAX_LOG_RANGE)).await.unwrap().height;
    assert!(head > MAX_LOG_RANGE);
    let (code, msg) = rpc_err(
        c.chain_get_logs(filter(Some(0), Some(head), None, &[]))
            .await,
    );
    assert_eq!(code, codes::LIMIT_EXCEEDED, "{msg}");
    assert!(
        msg.contains("fromBlock 0 to toBlock 9999, then continue from 10000"),
        "{msg}"
    );
    let mut paged = Vec::new();
    let mut from = 0;
    while from <= head {
        let to = (from + MAX_LOG_RANGE - 1).min(head);
        paged.extend(get(filter(Some(from), Some(to), None, &[b"Transfer"])).await);
        from = to + 1;
    }
    assert_eq!(as_expected(&paged), as_expected(&transfers));

    node.stop().await.unwrap();
    println!("logs test took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_subscription_over_websocket() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (_, token_a) = deploy(&c, TOKEN_WASM, SUPPLY.to_le_bytes().to_vec()).await;
    let (_, token_b) = deploy(&c, TOKEN_WASM, SUPPLY.to_le_bytes().to_vec()).await;

    let ws = metron_rpc::ws_client(&node.ws_url()).await.unwrap();
    let mut sub = ws
        .subscribe_logs(filter(None, None, Some(token_a), &[b"Transfer"]))
        .await
        .unwrap();
    // Only the first and last of these match (contract A, topic Transfer).
    let first = call(
        &c,
        0,
        token_a,
        "transfer",
        addr_amount(addr(1), 1),
        CALL_GAS,
    )
    .await;
    call(&c, 0, token_a, "approve", addr_amount(addr(1), 2), CALL_GAS).await;
    call(
        &c,
        0,
        token_b,
        "transfer",
        addr_amount(addr(1), 3),
        CALL_GAS,
    )
    .await;
    c.dev_mine(Some(3)).await.unwrap();
    let last = call(
        &c,
        0,
        token_a,
        "transfer",
        addr_amount(addr(2), 4),
        CALL_GAS,
    )
    .await;
    let mut got = Vec::new();
    for _ in 0..2 {
        let log = tokio::time::timeout(Duration::from_secs(10), sub.next())
            .await
            .expect("a log within 10 s")
            .expect("subscription open")
            .expect("valid log");
        got.push(log);
    }
    assert_eq!(
        as_expected(&got),
        [expected_of(&first), expected_of(&last)].concat()
    );
    // The same logs as chain_getLogs returns.
    let listed = c
        .chain_get_logs(filter(
            Some(first.block_height),
            Some(last.block_height),
            Some(token_a),
            &[b"Transfer"],
        ))
        .await
        .unwrap();
    assert_eq!(listed, got);
    sub.unsubscribe().await.unwrap();

    // Too many topics: refused.
    let many: Vec<&[u8]> = vec![b"t"; metron_rpc::MAX_LOG_TOPICS + 1];
    let e = ws.subscribe_logs(filter(None, None, None, &many)).await;
    let (code, msg) = rpc_err(e.map(|_| ()));
    assert_eq!(code, codes::INVALID_PARAMS, "{msg}");
    drop(ws);
    node.stop().await.unwrap();
}
