//! Time travel: `increase_time`, `set_next_block_timestamp` and `advance_blocks` move the
//! block timestamps and heights a contract reads.

use metron_test::{Code, Harness};

/// `stamp`: stores the block timestamp (8 bytes LE) under `t` and returns it with the
/// block height; `now`: returns them without storing.
const CLOCK: &str = r#"
(module
  (import "metron" "block_timestamp" (func $ts (result i64)))
  (import "metron" "block_height" (func $height (result i64)))
  (import "metron" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "metron" "return_data" (func $ret (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "t")
  (func $load
    (i64.store (i32.const 16) (call $ts))
    (i64.store (i32.const 24) (call $height)))
  (func (export "stamp")
    (call $load)
    (call $write (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8))
    (call $ret (i32.const 16) (i32.const 16)))
  (func (export "now")
    (call $load)
    (call $ret (i32.const 16) (i32.const 16))))
"#;

#[test]
fn contracts_see_the_time_the_harness_sets() {
    let h = Harness::new();
    let alice = h.account(0);
    let clock = Code::wasm(wat::parse_str(CLOCK).unwrap()).named("clock");
    let contract = h.deploy(alice, &clock, &()).unwrap();

    // An exact timestamp: the next block's, seen by a dry run before it and by the call.
    let at = h.block_timestamp() + 3_600_000;
    h.set_next_block_timestamp(at).unwrap();
    let seen = h
        .query(contract, "now", &())
        .decode::<(u64, u64)>()
        .unwrap();
    assert_eq!(seen, (at, h.block_height() + 1));
    let (ts, height) = h
        .call(alice, contract, "stamp", &())
        .decode::<(u64, u64)>()
        .unwrap();
    assert_eq!((ts, height), (at, h.block_height()));
    assert_eq!(h.block_timestamp(), at);
    assert_eq!(h.storage(contract, b"t"), Some(at.to_le_bytes().to_vec()));

    // Not into the past.
    assert!(h.set_next_block_timestamp(at).is_err());

    // A day later: every later block is at least that far ahead.
    let day = 86_400_000;
    assert_eq!(h.increase_time(day), day);
    let (ts, _) = h
        .call(alice, contract, "stamp", &())
        .decode::<(u64, u64)>()
        .unwrap();
    assert!(ts > at, "timestamps increase");
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        ts >= wall - 60_000 + day,
        "the clock moved a day ahead: {ts} vs {wall}"
    );

    // Empty blocks.
    let before = h.block_height();
    assert_eq!(h.advance_blocks(5), before + 5);
    let (_, height) = h
        .query(contract, "now", &())
        .decode::<(u64, u64)>()
        .unwrap();
    assert_eq!(height, before + 6);
    assert!(h.block_timestamp() > ts);
}
