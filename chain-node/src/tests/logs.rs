//! The event index at the chain level: [`Chain::logs`] over a contract that emits many
//! events per transaction, index entries removed with reverted blocks, and a data dir
//! whose blocks predate the index.

use super::{TestChain, CALL_GAS};
use crate::logs::LogFilter;
use crate::types::{Action, Address, Receipt, ReceiptStatus};

/// `emit(n: u32, topics: u32)` (8 bytes LE): emits `n` events; event `i` has topic
/// `"E" ++ [i % topics]` and data `i` (u32 LE).
pub(crate) const EMITTER_WAT: &str = r#"
(module
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "E")
  (func (export "emit") (local $i i32) (local $n i32) (local $k i32)
    (call $input_read (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (local.set $k (i32.load (i32.const 4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.const 17) (i32.rem_u (local.get $i) (local.get $k)))
        (i32.store (i32.const 32) (local.get $i))
        (call $emit_event (i32.const 16) (i32.const 2) (i32.const 32) (i32.const 4))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))))
"#;

fn emitter(t: &TestChain) -> Address {
    let code = wat::parse_str(EMITTER_WAT).unwrap();
    let r = t.run(t.tx(
        0,
        CALL_GAS * 10,
        Action::Deploy {
            code,
            init_input: Vec::new(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{r:?}");
    r.contract_address.unwrap()
}

fn emit(t: &TestChain, contract: Address, n: u32, topics: u32) -> Receipt {
    let mut input = n.to_le_bytes().to_vec();
    input.extend_from_slice(&topics.to_le_bytes());
    let r = t.run(t.tx(
        0,
        CALL_GAS * 10,
        Action::Call {
            contract,
            method: "emit".into(),
            input,
            value: 0,
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{r:?}");
    assert_eq!(r.events.len(), n as usize);
    r
}

fn all(from: u64, to: u64) -> LogFilter {
    LogFilter {
        from: Some(from),
        to: Some(to),
        ..LogFilter::default()
    }
}

#[test]
fn logs_of_a_full_receipt_in_order() {
    let t = TestChain::new();
    let c = emitter(&t);
    let r = emit(&t, c, 128, 3);
    let h = r.block_height;
    let logs = t.chain.logs(&all(0, h)).unwrap();
    assert_eq!(logs.len(), 128);
    for (i, l) in (0u32..).zip(&logs) {
        assert_eq!((l.block_height, l.tx_index, l.log_index), (h, 0, i));
        assert_eq!(l.tx_hash, r.tx_hash);
        assert_eq!(l.event, r.events[i as usize]);
    }
    // One topic of three: every third event, still in order.
    let f = LogFilter {
        topics: vec![b"E\x01".to_vec()],
        ..all(0, h)
    };
    let logs = t.chain.logs(&f).unwrap();
    let idx: Vec<u32> = logs.iter().map(|l| l.log_index).collect();
    assert_eq!(idx, (1..128).step_by(3).collect::<Vec<u32>>());
    // Two topics, given twice and out of order: merged in chain order, no duplicates.
    let f = LogFilter {
        topics: vec![b"E\x02".to_vec(), b"E\x00".to_vec(), b"E\x02".to_vec()],
        contract: Some(c),
        ..all(0, h)
    };
    let idx: Vec<u32> = t
        .chain
        .logs(&f)
        .unwrap()
        .iter()
        .map(|l| l.log_index)
        .collect();
    assert_eq!(idx, (0..128).filter(|i| i % 3 != 1).collect::<Vec<u32>>());
    // Another contract: none.
    let f = LogFilter {
        contract: Some([9; 32]),
        ..all(0, h)
    };
    assert!(t.chain.logs(&f).unwrap().is_empty());
}

#[test]
fn reverted_blocks_leave_no_index_entries() {
    let t = TestChain::new();
    let c = emitter(&t);
    emit(&t, c, 5, 2);
    let before = t.chain.store.log_index_len();
    // 5 events: a contract, a topic and an event entry each, and one transaction entry.
    assert_eq!(before, 5 * 3 + 1);
    let snap = t.chain.snapshot();
    let r = emit(&t, c, 7, 7);
    emit(&t, c, 1, 1);
    assert_eq!(
        t.chain
            .logs(&all(r.block_height, r.block_height))
            .unwrap()
            .len(),
        7
    );
    assert!(t.chain.revert_to_snapshot(snap).unwrap());
    assert_eq!(t.chain.store.log_index_len(), before);
    assert_eq!(
        t.chain.logs(&all(0, t.chain.head_height())).unwrap().len(),
        5
    );
    t.chain.reset().unwrap();
    assert_eq!(t.chain.store.log_index_len(), 0);
}

#[test]
fn blocks_from_before_the_index_have_no_logs() {
    let t = TestChain::new();
    let c = emitter(&t);
    emit(&t, c, 4, 2);
    let snap = t.chain.snapshot();
    let r = emit(&t, c, 3, 1);
    // As if these blocks were written by a node without the index.
    t.chain.store.clear_log_index();
    let head = t.chain.head_height();
    assert!(t.chain.logs(&all(0, head)).unwrap().is_empty());
    // Blocks sealed now are indexed; taking the unindexed ones back works.
    let r2 = emit(&t, c, 2, 1);
    let logs = t.chain.logs(&all(0, r2.block_height)).unwrap();
    assert_eq!(logs.len(), 2);
    assert!(r2.block_height > r.block_height);
    assert!(t.chain.revert_to_snapshot(snap).unwrap());
    assert!(t
        .chain
        .logs(&all(0, t.chain.head_height()))
        .unwrap()
        .is_empty());
    assert_eq!(t.chain.store.log_index_len(), 0);
}

#[test]
fn log_query_errors() {
    use crate::error::ChainError;
    let t = TestChain::new();
    let head = t.chain.head_height();
    assert!(matches!(
        t.chain.logs(&all(0, head + 1)),
        Err(ChainError::UnknownHeight { .. })
    ));
    t.chain.seal_empty_block().unwrap();
    assert!(matches!(
        t.chain.logs(&all(1, 0)),
        Err(ChainError::InvalidQuery(_))
    ));
    let f = LogFilter {
        topics: vec![Vec::new(); metron_rpc::MAX_LOG_TOPICS + 1],
        ..all(0, 1)
    };
    assert!(matches!(t.chain.logs(&f), Err(ChainError::InvalidQuery(_))));
}

#[test]
fn more_than_max_logs_is_refused() {
    use crate::error::ChainError;
    let t = TestChain::new();
    let c = emitter(&t);
    let txs = metron_rpc::MAX_LOGS / 128 + 1;
    let mut last = 0;
    for _ in 0..txs {
        last = emit(&t, c, 128, 1).block_height;
    }
    let f = LogFilter {
        topics: vec![b"E\x00".to_vec()],
        ..all(0, last)
    };
    match t.chain.logs(&f) {
        Err(ChainError::QueryTooLarge(msg)) => assert!(msg.contains("narrow"), "{msg}"),
        other => panic!("expected QueryTooLarge, got {:?}", other.map(|l| l.len())),
    }
    assert!(matches!(
        t.chain.logs(&all(0, last)),
        Err(ChainError::QueryTooLarge(_))
    ));
    let logs = t.chain.logs(&all(last - 1, last)).unwrap();
    assert_eq!(logs.len(), 256);
}
