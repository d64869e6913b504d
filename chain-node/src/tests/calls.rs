//! Contracts calling contracts: `call_contract`, `call_output_*`, `revert`, `transfer`
//! and `instantiate`. A failing callee undoes its own effects only; the caller sees a
//! status and continues. Gas forwarded is gas the caller pays. Reentrancy is allowed
//! and sees the writes made so far. Depth is bounded by `MAX_CALL_DEPTH`.

use super::TestChain;
use crate::host::{call_status, CALL_CONTRACT, MAX_CALL_DEPTH, TRANSFER};
use crate::types::{instance_address, keccak256, Action, Address, Receipt, ReceiptStatus};

/// The proxy: every participant of the tests.
///
/// - `call`: input `callee(32) value(16) gas(8) method_len(4) method input...`. Writes
///   `before`, emits `A`, calls, writes `after`, emits `B`; returns the status (4 bytes
///   LE) then the call output.
/// - `count`: increments the u64 under `n`; returns it (8 bytes) and 1 if `before` is
///   set, else 0 (1 byte).
/// - `deep`: input n (4 bytes). Writes key `d`+n, then calls its own `deep` with n+1 and
///   all its gas: returns the callee's output if it succeeded, else the status (4 bytes).
/// - `pay`: input `to(32) amount(16)`; returns the `transfer` status (4 bytes).
/// - `pay_trap`: `pay`, then traps.
/// - `factory`: input `code_hash(32) salt_len(4) salt gas(8)` then init input; returns
///   the status (4), the address (32) and the call output.
/// - `self_balance`: returns the contract's balance (16 bytes).
const PROXY_WAT: &str = r#"
(module
  (import "metron" "input_len" (func $input_len (result i32)))
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i64)))
  (import "metron" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "metron" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "metron" "address" (func $address (param i32)))
  (import "metron" "balance" (func $balance (param i32 i32)))
  (import "metron" "call_contract"
    (func $call_contract (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (import "metron" "call_output_len" (func $call_output_len (result i32)))
  (import "metron" "call_output_read" (func $call_output_read (param i32)))
  (import "metron" "transfer" (func $transfer (param i32 i32) (result i32)))
  (import "metron" "instantiate"
    (func $instantiate (param i32 i32 i32 i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 4)
  ;; 0..16: key/value scratch; 64: "before" 70: "after" 80: "n" 84: "d"
  (data (i32.const 64) "before")
  (data (i32.const 70) "after")
  (data (i32.const 80) "n")
  (data (i32.const 84) "d")
  (data (i32.const 100) "AB")
  (data (i32.const 200) "deep")
  ;; 1024: out buffer (status ++ output); 65536: input
  (func $input (result i32) (call $input_read (i32.const 65536)) (call $input_len))
  (func $finish (param $status i32)
    (local $len i32)
    (i32.store (i32.const 1024) (local.get $status))
    (local.set $len (call $call_output_len))
    (call $call_output_read (i32.const 1028))
    (call $return_data (i32.const 1024) (i32.add (i32.const 4) (local.get $len))))
  (func (export "call")
    (local $len i32) (local $mlen i32) (local $status i32)
    (local.set $len (call $input))
    (local.set $mlen (i32.load (i32.const 65592)))
    (call $storage_write (i32.const 64) (i32.const 6) (i32.const 64) (i32.const 1))
    (call $emit_event (i32.const 100) (i32.const 1) (i32.const 0) (i32.const 0))
    (local.set $status
      (call $call_contract
        (i32.const 65536)
        (i32.const 65596) (local.get $mlen)
        (i32.add (i32.const 65596) (local.get $mlen))
        (i32.sub (local.get $len) (i32.add (i32.const 60) (local.get $mlen)))
        (i32.const 65568)
        (i64.load (i32.const 65584))))
    (call $storage_write (i32.const 70) (i32.const 5) (i32.const 70) (i32.const 1))
    (call $emit_event (i32.const 101) (i32.const 1) (i32.const 0) (i32.const 0))
    (call $finish (local.get $status)))
  (func (export "count")
    (drop (call $storage_read (i32.const 80) (i32.const 1) (i32.const 0) (i32.const 8)))
    (i64.store (i32.const 0) (i64.add (i64.load (i32.const 0)) (i64.const 1)))
    (call $storage_write (i32.const 80) (i32.const 1) (i32.const 0) (i32.const 8))
    (i32.store8 (i32.const 8)
      (i64.ge_s (call $storage_read (i32.const 64) (i32.const 6) (i32.const 16) (i32.const 0))
        (i64.const 0)))
    (call $return_data (i32.const 0) (i32.const 9)))
  (func (export "deep")
    (local $status i32)
    (drop (call $input))
    (i32.store (i32.const 85) (i32.load (i32.const 65536)))
    (call $storage_write (i32.const 84) (i32.const 5) (i32.const 84) (i32.const 1))
    (i32.store (i32.const 96) (i32.add (i32.load (i32.const 65536)) (i32.const 1)))
    (call $address (i32.const 128))
    (i64.store (i32.const 160) (i64.const 0))
    (i64.store (i32.const 168) (i64.const 0))
    (local.set $status
      (call $call_contract (i32.const 128) (i32.const 200) (i32.const 4)
        (i32.const 96) (i32.const 4) (i32.const 160) (i64.const 0)))
    (if (i32.eqz (local.get $status))
      (then
        (call $call_output_read (i32.const 1024))
        (call $return_data (i32.const 1024) (call $call_output_len)))
      (else
        (i32.store (i32.const 1024) (local.get $status))
        (call $return_data (i32.const 1024) (i32.const 4)))))
  (func (export "pay")
    (drop (call $input))
    (i32.store (i32.const 1024) (call $transfer (i32.const 65536) (i32.const 65568)))
    (call $return_data (i32.const 1024) (i32.const 4)))
  (func (export "pay_trap")
    (drop (call $input))
    (drop (call $transfer (i32.const 65536) (i32.const 65568)))
    unreachable)
  (func (export "factory")
    (local $len i32) (local $slen i32) (local $init i32) (local $status i32)
    (local.set $len (call $input))
    (local.set $slen (i32.load (i32.const 65568)))
    (local.set $init (i32.add (i32.const 65580) (local.get $slen)))
    (i64.store (i32.const 160) (i64.const 0))
    (i64.store (i32.const 168) (i64.const 0))
    (local.set $status
      (call $instantiate (i32.const 65536) (i32.const 65572) (local.get $slen)
        (local.get $init) (i32.sub (i32.add (i32.const 65536) (local.get $len)) (local.get $init))
        (i32.const 160)
        (i64.load (i32.add (i32.const 65572) (local.get $slen)))
        (i32.const 1028)))
    (i32.store (i32.const 1024) (local.get $status))
    (call $call_output_read (i32.const 1060))
    (call $return_data (i32.const 1024) (i32.add (i32.const 36) (call $call_output_len))))
  (func (export "self_balance")
    (call $address (i32.const 0))
    (call $balance (i32.const 0) (i32.const 32))
    (call $return_data (i32.const 32) (i32.const 16))))
"#;

/// The callee.
///
/// - `init`: stores its input under `init`; traps if the input is 4 bytes; returns "made".
/// - `write`: stores its input under `k`, emits `T` with it, returns it.
/// - `trap`: writes `k`, then traps.
/// - `spin`: loops until its gas runs out.
/// - `revert`: writes `k`, emits `T`, then reverts with its input as the data.
/// - `get`: returns the value under `k`.
const CALLEE_WAT: &str = r#"
(module
  (import "metron" "input_len" (func $input_len (result i32)))
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i64)))
  (import "metron" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "metron" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "metron" "revert" (func $revert (param i32 i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "k")
  (data (i32.const 1) "T")
  (data (i32.const 2) "init")
  (data (i32.const 6) "made")
  (func $input (result i32) (call $input_read (i32.const 1024)) (call $input_len))
  (func (export "init")
    (local $len i32)
    (local.set $len (call $input))
    (call $storage_write (i32.const 2) (i32.const 4) (i32.const 1024) (local.get $len))
    (if (i32.eq (local.get $len) (i32.const 4)) (then unreachable))
    (call $return_data (i32.const 6) (i32.const 4)))
  (func (export "write")
    (local $len i32)
    (local.set $len (call $input))
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 1024) (local.get $len))
    (call $emit_event (i32.const 1) (i32.const 1) (i32.const 1024) (local.get $len))
    (call $return_data (i32.const 1024) (local.get $len)))
  (func (export "trap")
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    unreachable)
  (func (export "spin") (loop $l (br $l)))
  (func (export "revert")
    (local $len i32)
    (local.set $len (call $input))
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
    (call $emit_event (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 0))
    (call $revert (i32.const 1024) (local.get $len)))
  (func (export "get")
    (local $len i64)
    (local.set $len (call $storage_read (i32.const 0) (i32.const 1) (i32.const 2048) (i32.const 1024)))
    (if (i64.ge_s (local.get $len) (i64.const 0))
      (then (call $return_data (i32.const 2048) (i32.wrap_i64 (local.get $len)))))))
"#;

/// Gas limit of the tests' transactions.
const GAS: u64 = 20_000_000;

fn deploy(t: &TestChain, wat: &str, init_input: Vec<u8>) -> Address {
    let code = wat::parse_str(wat).expect("valid wat");
    let r = t.run(t.tx(0, GAS, Action::Deploy { code, init_input }));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    r.contract_address.expect("contract address")
}

fn call_with_value(
    t: &TestChain,
    contract: Address,
    method: &str,
    input: Vec<u8>,
    value: u128,
) -> Receipt {
    t.run(t.tx(
        0,
        GAS,
        Action::Call {
            contract,
            method: method.into(),
            input,
            value,
        },
    ))
}

fn call(t: &TestChain, contract: Address, method: &str, input: Vec<u8>) -> Receipt {
    call_with_value(t, contract, method, input, 0)
}

/// The proxy's `call` input.
fn call_input(callee: Address, value: u128, gas: u64, method: &str, input: &[u8]) -> Vec<u8> {
    let mut v = callee.to_vec();
    v.extend_from_slice(&value.to_le_bytes());
    v.extend_from_slice(&gas.to_le_bytes());
    v.extend_from_slice(&(method.len() as u32).to_le_bytes());
    v.extend_from_slice(method.as_bytes());
    v.extend_from_slice(input);
    v
}

/// (status, call output) from the proxy's `call` return data.
fn status_and_output(r: &Receipt) -> (i32, Vec<u8>) {
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    let (status, output) = r.return_data.split_at(4);
    (
        i32::from_le_bytes(status.try_into().expect("4 bytes")),
        output.to_vec(),
    )
}

fn stored(t: &TestChain, contract: Address, key: &[u8]) -> Option<Vec<u8>> {
    t.chain.storage(&contract, key, None).expect("storage read")
}

fn balance(t: &TestChain, addr: &Address) -> u128 {
    t.chain.balance(addr, None).expect("balance")
}

fn topics(r: &Receipt) -> Vec<(Address, Vec<u8>)> {
    r.events
        .iter()
        .map(|e| (e.contract, e.topic.clone()))
        .collect()
}

#[test]
fn a_successful_call_returns_its_output_and_keeps_its_writes_and_events_in_order() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let callee = deploy(&t, CALLEE_WAT, Vec::new());
    let r = call(
        &t,
        proxy,
        "call",
        call_input(callee, 0, 0, "write", b"hello"),
    );
    assert_eq!(
        status_and_output(&r),
        (call_status::SUCCESS, b"hello".to_vec())
    );
    assert_eq!(stored(&t, callee, b"k"), Some(b"hello".to_vec()));
    assert_eq!(stored(&t, proxy, b"after"), Some(b"a".to_vec()));
    // Execution order: the proxy's A, the callee's T, the proxy's B.
    assert_eq!(
        topics(&r),
        vec![
            (proxy, b"A".to_vec()),
            (callee, b"T".to_vec()),
            (proxy, b"B".to_vec())
        ]
    );
    assert_eq!(r.events[1].data, b"hello");
}

#[test]
fn a_trapping_callee_reverts_only_its_own_writes_and_the_caller_continues() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let callee = deploy(&t, CALLEE_WAT, Vec::new());
    let r = call(&t, proxy, "call", call_input(callee, 0, 0, "trap", b""));
    assert_eq!(status_and_output(&r), (call_status::TRAPPED, Vec::new()));
    assert_eq!(
        stored(&t, callee, b"k"),
        None,
        "the callee's write is undone"
    );
    assert_eq!(stored(&t, proxy, b"before"), Some(b"b".to_vec()));
    assert_eq!(stored(&t, proxy, b"after"), Some(b"a".to_vec()));
    assert_eq!(
        topics(&r),
        vec![(proxy, b"A".to_vec()), (proxy, b"B".to_vec())]
    );
    // Missing contract, missing method, reserved method: statuses, nothing ran.
    let nobody = [9; 32];
    let r = call(&t, proxy, "call", call_input(nobody, 0, 0, "write", b""));
    assert_eq!(status_and_output(&r).0, call_status::NOT_A_CONTRACT);
    for method in ["nope", "init", "memory"] {
        let r = call(&t, proxy, "call", call_input(callee, 0, 0, method, b""));
        assert_eq!(
            status_and_output(&r).0,
            call_status::METHOD_NOT_FOUND,
            "{method}"
        );
    }
}

#[test]
fn a_revert_undoes_the_callee_and_hands_its_data_to_the_caller() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let callee = deploy(&t, CALLEE_WAT, Vec::new());
    let r = call(
        &t,
        proxy,
        "call",
        call_input(callee, 0, 0, "revert", b"\x02why"),
    );
    assert_eq!(
        status_and_output(&r),
        (call_status::REVERTED, b"\x02why".to_vec())
    );
    assert_eq!(stored(&t, callee, b"k"), None);
    assert_eq!(
        topics(&r),
        vec![(proxy, b"A".to_vec()), (proxy, b"B".to_vec())],
        "the reverted callee's event is dropped"
    );
    // A transaction that reverts: status Reverted, the data in the receipt, fee paid.
    let before = balance(&t, &t.addr(0));
    let r = call(&t, callee, "revert", b"data".to_vec());
    assert_eq!(r.status, ReceiptStatus::Reverted);
    assert_eq!(r.return_data, b"data");
    assert!(r.events.is_empty());
    assert_eq!(stored(&t, callee, b"k"), None);
    assert_eq!(balance(&t, &t.addr(0)), before - r.fee);
}

#[test]
fn forwarded_gas_bounds_the_callee_and_the_caller_pays_what_it_used() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let callee = deploy(&t, CALLEE_WAT, Vec::new());
    let limited = |gas| {
        let r = call(&t, proxy, "call", call_input(callee, 0, gas, "spin", b""));
        assert_eq!(status_and_output(&r).0, call_status::OUT_OF_GAS);
        assert_eq!(stored(&t, proxy, b"after"), Some(b"a".to_vec()));
        r.gas_used
    };
    // The callee burns exactly what it was given: one more million, one more million.
    let (one, two) = (limited(1_000_000), limited(2_000_000));
    assert_eq!(two - one, 1_000_000);
    // Gas 0 forwards all but a 64th of what is left, so the caller can still finish.
    let r = call(&t, proxy, "call", call_input(callee, 0, 0, "spin", b""));
    assert_eq!(status_and_output(&r).0, call_status::OUT_OF_GAS);
    assert!(r.gas_used > GAS - GAS / 50, "{} of {GAS}", r.gas_used);
    // A request beyond what is left is capped at what is left.
    let r = call(
        &t,
        proxy,
        "call",
        call_input(callee, 0, u64::MAX, "spin", b""),
    );
    assert_eq!(r.status, ReceiptStatus::OutOfGas);
    assert_eq!(r.gas_used, GAS);
    // A successful call costs the caller at least the call's own price.
    let plain = call(&t, proxy, "call", call_input(proxy, 0, 0, "nope", b""));
    let r = call(&t, proxy, "call", call_input(callee, 0, 0, "write", b""));
    assert_eq!(status_and_output(&plain).0, call_status::METHOD_NOT_FOUND);
    assert!(r.gas_used > plain.gas_used);
    assert!(plain.gas_used > CALL_CONTRACT);
}

#[test]
fn reentrancy_sees_the_writes_made_so_far_and_they_stand() {
    let t = TestChain::new();
    let a = deploy(&t, PROXY_WAT, Vec::new());
    let b = deploy(&t, PROXY_WAT, Vec::new());
    // a.call -> b.call -> a.count: a's second activation sees a's `before`.
    let inner = call_input(a, 0, 0, "count", b"");
    let r = call(&t, a, "call", call_input(b, 0, 0, "call", &inner));
    let (status, output) = status_and_output(&r);
    assert_eq!(status, call_status::SUCCESS);
    let (inner_status, inner_output) = output.split_at(4);
    assert_eq!(inner_status, call_status::SUCCESS.to_le_bytes());
    assert_eq!(
        inner_output,
        [1, 0, 0, 0, 0, 0, 0, 0, 1],
        "count 1, before set"
    );
    assert_eq!(stored(&t, a, b"n"), Some(1u64.to_le_bytes().to_vec()));
    // The events of all three activations, in execution order.
    assert_eq!(
        topics(&r),
        vec![
            (a, b"A".to_vec()),
            (b, b"A".to_vec()),
            (b, b"B".to_vec()),
            (a, b"B".to_vec())
        ]
    );
}

#[test]
fn calls_nest_to_the_depth_limit_and_no_further() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let r = call(&t, proxy, "deep", 0u32.to_le_bytes().to_vec());
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    // The innermost call was refused, and its status came back through every level.
    assert_eq!(r.return_data, call_status::DEPTH_EXCEEDED.to_le_bytes());
    for n in 0..=MAX_CALL_DEPTH {
        let mut key = b"d".to_vec();
        key.extend_from_slice(&n.to_le_bytes());
        assert!(stored(&t, proxy, &key).is_some(), "depth {n} ran");
    }
    let mut key = b"d".to_vec();
    key.extend_from_slice(&(MAX_CALL_DEPTH + 1).to_le_bytes());
    assert_eq!(stored(&t, proxy, &key), None);
}

/// The deepest nesting runs on a thread with a quarter of the 2 MiB stack that
/// Rust's threads (the block producer's, tokio's blocking pool's) get by default.
#[test]
fn native_stack_per_call_level() {
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let t = TestChain::new();
            let proxy = deploy(&t, PROXY_WAT, Vec::new());
            let r = call(&t, proxy, "deep", 0u32.to_le_bytes().to_vec());
            assert_eq!(r.return_data, call_status::DEPTH_EXCEEDED.to_le_bytes());
        })
        .expect("spawn");
    handle.join().expect("the deepest nesting fits in 512 KiB");
}

#[test]
fn value_moves_with_calls_and_transfers_and_comes_back_on_failure() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let callee = deploy(&t, CALLEE_WAT, Vec::new());
    let fund = call_with_value(&t, proxy, "self_balance", Vec::new(), 1_000);
    assert_eq!(fund.return_data, 1_000u128.to_le_bytes());
    // More than the proxy holds: refused, nothing ran.
    let r = call(
        &t,
        proxy,
        "call",
        call_input(callee, 1_001, 0, "write", b"x"),
    );
    assert_eq!(status_and_output(&r).0, call_status::INSUFFICIENT_BALANCE);
    assert_eq!(stored(&t, callee, b"k"), None);
    // A trapping callee: the value comes back.
    let r = call(&t, proxy, "call", call_input(callee, 400, 0, "trap", b""));
    assert_eq!(status_and_output(&r).0, call_status::TRAPPED);
    assert_eq!((balance(&t, &proxy), balance(&t, &callee)), (1_000, 0));
    // A successful one: it stays, and it paid `TRANSFER` more than a call without value.
    let r = call(&t, proxy, "call", call_input(callee, 400, 0, "write", b"x"));
    assert_eq!(status_and_output(&r).0, call_status::SUCCESS);
    assert_eq!((balance(&t, &proxy), balance(&t, &callee)), (600, 400));
    let free = call(&t, proxy, "call", call_input(callee, 0, 0, "write", b"x"));
    assert_eq!(r.gas_used - free.gas_used, TRANSFER);
    // `transfer`: to an account, then more than is left.
    let to = [7; 32];
    let pay = |amount: u128| {
        let mut input = to.to_vec();
        input.extend_from_slice(&amount.to_le_bytes());
        let r = call(&t, proxy, "pay", input);
        assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
        i32::from_le_bytes(r.return_data.try_into().expect("4 bytes"))
    };
    assert_eq!(pay(250), call_status::SUCCESS);
    assert_eq!(pay(351), call_status::INSUFFICIENT_BALANCE);
    assert_eq!((balance(&t, &proxy), balance(&t, &to)), (350, 250));
    // A transfer made by a call that then fails is undone with it.
    let mut input = to.to_vec();
    input.extend_from_slice(&100u128.to_le_bytes());
    let outer = deploy(&t, PROXY_WAT, Vec::new());
    let r = call(
        &t,
        outer,
        "call",
        call_input(proxy, 0, 0, "pay_trap", &input),
    );
    assert_eq!(status_and_output(&r).0, call_status::TRAPPED);
    assert_eq!((balance(&t, &proxy), balance(&t, &to)), (350, 250));
    // And a transaction that fails after a transfer undoes it too.
    let r = call(&t, proxy, "pay_trap", input);
    assert!(matches!(r.status, ReceiptStatus::Trapped(_)));
    assert_eq!((balance(&t, &proxy), balance(&t, &to)), (350, 250));
}

#[test]
fn a_factory_instantiates_by_code_hash_at_a_deterministic_address() {
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let code = wat::parse_str(CALLEE_WAT).expect("valid wat");
    let code_hash = keccak256(&code);
    deploy(&t, CALLEE_WAT, Vec::new());
    let factory = |hash: [u8; 32], salt: &[u8], init: &[u8]| {
        let mut input = hash.to_vec();
        input.extend_from_slice(&(salt.len() as u32).to_le_bytes());
        input.extend_from_slice(salt);
        input.extend_from_slice(&0u64.to_le_bytes());
        input.extend_from_slice(init);
        let r = call(&t, proxy, "factory", input);
        assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
        let status = i32::from_le_bytes(r.return_data[..4].try_into().expect("4"));
        let address: Address = r.return_data[4..36].try_into().expect("32");
        (status, address, r.return_data[36..].to_vec(), r)
    };
    let (status, child, output, r) = factory(code_hash, b"one", b"hello");
    assert_eq!(status, call_status::SUCCESS);
    assert_eq!(child, instance_address(&proxy, &code_hash, b"one"));
    assert_eq!(output, b"made");
    assert!(r.events.is_empty());
    assert_eq!(stored(&t, child, b"init"), Some(b"hello".to_vec()));
    // The child is a contract like any other.
    let r = call(&t, child, "write", b"hi".to_vec());
    assert_eq!(r.return_data, b"hi");
    // The same salt again: the address is taken.
    assert_eq!(
        factory(code_hash, b"one", b"").0,
        call_status::ADDRESS_COLLISION
    );
    // An init that traps leaves no contract behind.
    let (status, failed, _, _) = factory(code_hash, b"two", b"trap");
    assert_eq!(status, call_status::TRAPPED);
    assert_eq!(
        t.chain.account(&failed, None).expect("read").code_hash,
        None
    );
    // Unknown code.
    assert_eq!(
        factory([1; 32], b"three", b"").0,
        call_status::CODE_NOT_FOUND
    );
}

#[test]
fn a_trace_splits_the_gas_by_frame_and_host_call() {
    use crate::trace::{CallFrame, FrameKind};
    let t = TestChain::new();
    let proxy = deploy(&t, PROXY_WAT, Vec::new());
    let callee = deploy(&t, CALLEE_WAT, Vec::new());
    let r = call(
        &t,
        proxy,
        "call",
        call_input(callee, 0, 0, "write", b"hello"),
    );
    let trace = t.chain.trace_transaction(&r.tx_hash).unwrap().unwrap();
    assert_eq!(trace.receipt.gas_used, r.gas_used);
    let root = trace.root.expect("a call frame");
    assert_eq!(
        (root.kind, root.contract, root.method.as_str()),
        (FrameKind::Call, proxy, "call")
    );
    assert_eq!(root.gas_used + trace.intrinsic_gas, r.gas_used);

    // Every frame's gas is its Wasm, its host calls and its children, exactly.
    fn check(f: &CallFrame) {
        let host: u64 = f.host_calls.iter().map(|h| h.gas).sum();
        let children: u64 = f.calls.iter().map(|c| c.gas_used).sum();
        assert_eq!(f.wasm_gas() + host + children, f.gas_used, "{f:?}");
        assert!(f.wasm_gas() > 0, "the code load at least: {f:?}");
        f.calls.iter().for_each(check);
    }
    check(&root);

    // The proxy: writes "before", emits, calls, writes "after", emits.
    let names: Vec<_> = root.host_calls.iter().map(|h| h.name).collect();
    assert_eq!(
        names,
        [
            "input_read",
            "input_len",
            "storage_write",
            "emit_event",
            "call_contract",
            "storage_write",
            "emit_event",
            "call_output_len",
            "call_output_read",
            "return_data"
        ]
    );
    let keys: Vec<_> = root
        .host_calls
        .iter()
        .filter_map(|h| h.key.clone())
        .collect();
    assert_eq!(keys, [b"before".to_vec(), b"after".to_vec()]);
    // The callee is a child frame; the call_contract host call keeps only its own price.
    assert_eq!(root.calls.len(), 1);
    let child = &root.calls[0];
    assert_eq!((child.contract, child.method.as_str()), (callee, "write"));
    assert_eq!(child.status, ReceiptStatus::Success);
    let call_host = root
        .host_calls
        .iter()
        .find(|h| h.name == "call_contract")
        .unwrap();
    assert_eq!(call_host.children_before, 0);
    assert!(
        call_host.gas >= CALL_CONTRACT && call_host.gas < CALL_CONTRACT + 1_000,
        "{}",
        call_host.gas
    );
    let write = child
        .host_calls
        .iter()
        .find(|h| h.name == "storage_write")
        .unwrap();
    assert_eq!(write.key.as_deref(), Some(&b"k"[..]));

    // The callee's Wasm gas by function: `write` (the export) called `$input` (named in
    // the name section) once; each host call names the function that made it.
    let names: Vec<(Option<usize>, &str, u64)> = child
        .functions
        .iter()
        .map(|f| (f.parent, f.name.as_str(), f.calls))
        .collect();
    assert_eq!(names, [(None, "write", 1), (Some(0), "input", 1)]);
    let fn_of = |name: &str| {
        child
            .host_calls
            .iter()
            .find(|h| h.name == name)
            .and_then(|h| h.function)
            .map(|i| child.functions[i].name.as_str())
    };
    assert_eq!(fn_of("input_read"), Some("input"));
    assert_eq!(fn_of("input_len"), Some("input"));
    assert_eq!(fn_of("storage_write"), Some("write"));
    // The functions' gas and the load add up to the frame's Wasm gas; their host gas to
    // its host calls' (no nested frame below the callee).
    let self_gas: u64 = child.functions.iter().map(|f| f.self_gas).sum();
    assert!(child.functions.iter().all(|f| f.self_gas > 0), "{child:?}");
    assert_eq!(self_gas + child.load_gas(), child.wasm_gas());
    assert!(child.load_gas() > 0, "the code load at least");
    let host_gas: u64 = child.functions.iter().map(|f| f.host_gas).sum();
    assert_eq!(
        host_gas,
        child.host_calls.iter().map(|h| h.gas).sum::<u64>()
    );
    // The proxy's `call_contract` host gas in its function includes the nested frame.
    let proxy_host: u64 = root.functions.iter().map(|f| f.host_gas).sum();
    let own: u64 = root.host_calls.iter().map(|h| h.gas).sum();
    assert_eq!(proxy_host, own + child.gas_used);

    // Folded stacks for a flame graph: one line per path, weights summing to the gas.
    let lines = root.folded(&|f| format!("{}:{}", &hex::encode(f.contract)[..4], f.method));
    let total: u64 = lines
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, root.gas_used);
    // Host gas sits under the function that made the call: proxy, callee, `write`.
    assert!(
        lines.iter().any(
            |l| l.ends_with(&format!(";write;host:storage_write {}", write.gas))
                && l.matches(';').count() == 3
        ),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(";write;input;host:input_read ")),
        "{lines:?}"
    );

    // A trapping callee: its frame says so; a dry run traces the same way.
    let (result, frame) = t
        .chain
        .trace_call(
            None,
            t.addr(0),
            proxy,
            "call",
            call_input(callee, 0, 0, "trap", b""),
            0,
            GAS,
        )
        .unwrap();
    assert_eq!(result.status, ReceiptStatus::Success);
    let frame = frame.unwrap();
    assert!(
        matches!(frame.calls[0].status, ReceiptStatus::Trapped(_)),
        "{:?}",
        frame.calls[0]
    );
    assert!(frame.calls[0].error.is_some());
    // The trap is placed in the function that ran it.
    let trapped = &frame.calls[0];
    let at = trapped.trap_function.expect("a trap function");
    assert_eq!(trapped.functions[at].name, "trap");
    // A transfer has no frame; an unknown hash no trace.
    let r = t.run(t.tx(
        0,
        super::TRANSFER_GAS,
        Action::Transfer {
            to: [3; 32],
            amount: 1,
        },
    ));
    assert_eq!(
        t.chain.trace_transaction(&r.tx_hash).unwrap().unwrap().root,
        None
    );
    assert_eq!(t.chain.trace_transaction(&[0; 32]).unwrap(), None);
}
