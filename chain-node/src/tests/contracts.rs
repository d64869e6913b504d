//! Deploy and call contracts written in WAT: storage, events, return data, aborts, traps,
//! out of gas, invalid code.

use super::{TestChain, CALL_GAS, GAS_PRICE};
use crate::executor::TX_BASE_GAS;

/// A gas limit that covers a call's intrinsic gas and code load, then runs out.
const SPIN_GAS: u64 = TX_BASE_GAS + 300_000;
use crate::types::{contract_address, Action, Address, Receipt, ReceiptStatus, TrapCode};

/// A counter-like contract exercising most of the host ABI.
pub(crate) const TEST_WAT: &str = r#"
(module
  (import "metron" "input_len" (func $input_len (result i32)))
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i64)))
  (import "metron" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "metron" "storage_remove" (func $storage_remove (param i32 i32)))
  (import "metron" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "metron" "abort" (func $abort (param i32 i32)))
  (import "metron" "caller" (func $caller (param i32)))
  (import "metron" "address" (func $address (param i32)))
  (import "metron" "value" (func $value (param i32)))
  (import "metron" "balance" (func $balance (param i32 i32)))
  (import "metron" "block_height" (func $block_height (result i64)))
  (import "metron" "block_timestamp" (func $block_timestamp (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "cnt")
  (data (i32.const 16) "Inc")
  (data (i32.const 32) "boom")
  (func $load
    (i64.store (i32.const 64) (i64.const 0))
    (drop (call $storage_read (i32.const 0) (i32.const 3) (i32.const 64) (i32.const 8))))
  (func $save
    (call $storage_write (i32.const 0) (i32.const 3) (i32.const 64) (i32.const 8)))
  (func (export "init")
    (i64.store (i32.const 64) (i64.const 0))
    (if (i32.eq (call $input_len) (i32.const 8))
      (then (call $input_read (i32.const 64))))
    (call $save))
  (func (export "increment")
    (call $load)
    (i64.store (i32.const 64) (i64.add (i64.load (i32.const 64)) (i64.const 1)))
    (call $save)
    (call $emit_event (i32.const 16) (i32.const 3) (i32.const 64) (i32.const 8))
    (call $return_data (i32.const 64) (i32.const 8)))
  (func (export "get")
    (call $load)
    (call $return_data (i32.const 64) (i32.const 8)))
  (func (export "reset")
    (call $storage_remove (i32.const 0) (i32.const 3)))
  (func (export "fail")
    (i64.store (i32.const 64) (i64.const 999))
    (call $save)
    (call $emit_event (i32.const 16) (i32.const 3) (i32.const 64) (i32.const 8))
    (call $abort (i32.const 32) (i32.const 4)))
  (func (export "spin")
    (i64.store (i32.const 64) (i64.const 777))
    (call $save)
    (loop $l (br $l)))
  (func (export "div0")
    (drop (i32.div_u (i32.const 1) (i32.const 0))))
  (func (export "oob")
    (call $return_data (i32.const 65530) (i32.const 100)))
  (func (export "big_key")
    (call $storage_write (i32.const 0) (i32.const 257) (i32.const 64) (i32.const 8)))
  (func (export "whoami")
    (call $caller (i32.const 128))
    (call $address (i32.const 160))
    (call $value (i32.const 192))
    (call $balance (i32.const 160) (i32.const 208))
    (i64.store (i32.const 224) (call $block_height))
    (i64.store (i32.const 232) (call $block_timestamp))
    (call $return_data (i32.const 128) (i32.const 112)))
  (func (export "takes_arg") (param i32))
)
"#;

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("valid wat")
}

fn deploy(t: &TestChain, code: Vec<u8>, init_input: Vec<u8>) -> Receipt {
    t.run(t.tx(0, 10_000_000, Action::Deploy { code, init_input }))
}

fn call(t: &TestChain, contract: Address, method: &str, gas: u64, value: u128) -> Receipt {
    t.run(t.tx(
        0,
        gas,
        Action::Call {
            contract,
            method: method.into(),
            input: vec![],
            value,
        },
    ))
}

fn deployed(t: &TestChain) -> Address {
    let r = deploy(t, wasm(TEST_WAT), 41u64.to_le_bytes().to_vec());
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    let addr = r.contract_address.expect("contract address");
    assert_eq!(addr, contract_address(&t.addr(0), 0));
    addr
}

#[test]
fn deploy_stores_code_and_runs_init() {
    let t = TestChain::new();
    let code = wasm(TEST_WAT);
    let addr = deployed(&t);
    assert_eq!(t.chain.code(&addr, None).unwrap(), Some(code));
    assert_eq!(
        t.chain.storage(&addr, b"cnt", None).unwrap(),
        Some(41u64.to_le_bytes().to_vec())
    );
    assert!(t.chain.account(&addr, None).unwrap().code_hash.is_some());
    assert_eq!(t.chain.code(&t.addr(0), None).unwrap(), None);
}

#[test]
fn call_writes_storage_emits_events_and_returns_data() {
    let t = TestChain::new();
    let addr = deployed(&t);
    let r = call(&t, addr, "increment", CALL_GAS, 0);
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    assert_eq!(r.return_data, 42u64.to_le_bytes());
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].contract, addr);
    assert_eq!(r.events[0].topic, b"Inc");
    assert_eq!(r.events[0].data, 42u64.to_le_bytes());
    assert!(r.gas_used > TX_BASE_GAS);
    assert_eq!(r.fee, u128::from(r.gas_used) * GAS_PRICE);

    // Dry run sees the new value and changes nothing.
    let root = t.chain.state_root(None).unwrap();
    let head = t.chain.head();
    let res = t
        .chain
        .dry_run_call(t.addr(3), addr, "get", vec![], 0, CALL_GAS)
        .unwrap();
    assert_eq!(res.status, ReceiptStatus::Success);
    assert_eq!(res.return_data, 42u64.to_le_bytes());
    let res = t
        .chain
        .dry_run_call(t.addr(3), addr, "increment", vec![], 0, CALL_GAS)
        .unwrap();
    assert_eq!(res.return_data, 43u64.to_le_bytes());
    assert_eq!(res.events.len(), 1);
    assert_eq!(t.chain.state_root(None).unwrap(), root);
    assert_eq!(t.chain.head(), head);
    assert_eq!(t.chain.nonce(&t.addr(3), None).unwrap(), 0);

    // storage_remove deletes the slot.
    let r = call(&t, addr, "reset", CALL_GAS, 0);
    assert_eq!(r.status, ReceiptStatus::Success);
    assert_eq!(t.chain.storage(&addr, b"cnt", None).unwrap(), None);
}

#[test]
fn host_context_values() {
    let t = TestChain::new();
    let addr = deployed(&t);
    let r = call(&t, addr, "whoami", CALL_GAS, 1234);
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    let d = &r.return_data;
    assert_eq!(d.len(), 112);
    assert_eq!(&d[0..32], &t.addr(0));
    assert_eq!(&d[32..64], &addr);
    assert_eq!(u128::from_le_bytes(d[64..80].try_into().unwrap()), 1234);
    // balance(self) already includes the value transferred with this call.
    assert_eq!(u128::from_le_bytes(d[80..96].try_into().unwrap()), 1234);
    let (_, header) = t.chain.head();
    assert_eq!(
        u64::from_le_bytes(d[96..104].try_into().unwrap()),
        header.height
    );
    assert_eq!(
        u64::from_le_bytes(d[104..112].try_into().unwrap()),
        header.timestamp
    );
    assert_eq!(t.chain.balance(&addr, None).unwrap(), 1234);
}

#[test]
fn abort_reverts_writes_and_value_but_charges_fee() {
    let t = TestChain::new();
    let addr = deployed(&t);
    let root = t.chain.state_root(None).unwrap();
    let bal = t.chain.balance(&t.addr(0), None).unwrap();
    let r = call(&t, addr, "fail", CALL_GAS, 500);
    assert_eq!(r.status, ReceiptStatus::Trapped(TrapCode::Host));
    assert_eq!(r.error.as_deref(), Some("aborted: boom"));
    assert!(r.events.is_empty());
    assert!(r.return_data.is_empty());
    assert!(r.gas_used > TX_BASE_GAS && r.gas_used < CALL_GAS);
    assert_eq!(
        t.chain.storage(&addr, b"cnt", None).unwrap(),
        Some(41u64.to_le_bytes().to_vec())
    );
    assert_eq!(t.chain.balance(&addr, None).unwrap(), 0);
    assert_eq!(t.chain.balance(&t.addr(0), None).unwrap(), bal - r.fee);
    assert_eq!(t.chain.nonce(&t.addr(0), None).unwrap(), 2);
    assert_ne!(t.chain.state_root(None).unwrap(), root);
}

#[test]
fn out_of_gas_uses_all_gas_and_reverts() {
    let t = TestChain::new();
    let addr = deployed(&t);
    let bal = t.chain.balance(&t.addr(0), None).unwrap();
    let r = call(&t, addr, "spin", SPIN_GAS, 0);
    assert_eq!(r.status, ReceiptStatus::OutOfGas);
    assert_eq!(r.gas_used, SPIN_GAS);
    assert_eq!(r.fee, u128::from(SPIN_GAS) * GAS_PRICE);
    assert_eq!(t.chain.balance(&t.addr(0), None).unwrap(), bal - r.fee);
    assert_eq!(
        t.chain.storage(&addr, b"cnt", None).unwrap(),
        Some(41u64.to_le_bytes().to_vec())
    );
    // Too little gas for a normal method (intrinsic + 500): same outcome.
    let probe = t.tx(
        0,
        0,
        Action::Call {
            contract: addr,
            method: "increment".into(),
            input: vec![],
            value: 0,
        },
    );
    let limit = t.chain.intrinsic_gas(&probe) + 500;
    let r = call(&t, addr, "increment", limit, 0);
    assert_eq!(r.status, ReceiptStatus::OutOfGas);
    assert_eq!(r.gas_used, limit);
    assert!(r.events.is_empty());
    assert_eq!(
        t.chain.storage(&addr, b"cnt", None).unwrap(),
        Some(41u64.to_le_bytes().to_vec())
    );
}

#[test]
fn infinite_loop_is_deterministic_across_chains() {
    let run = || {
        let t = TestChain::new();
        let addr = deployed(&t);
        let r = call(&t, addr, "spin", SPIN_GAS + 200_000, 0);
        let dry = t
            .chain
            .dry_run_call(t.addr(1), addr, "spin", vec![], 0, SPIN_GAS + 100_000)
            .unwrap();
        (r, dry, t.chain.state_root(None).unwrap())
    };
    let (a, dry_a, root_a) = run();
    let (b, dry_b, root_b) = run();
    assert_eq!(a.status, ReceiptStatus::OutOfGas);
    assert_eq!(a.gas_used, (SPIN_GAS + 200_000));
    assert_eq!(a.consensus_encode(), b.consensus_encode());
    assert_eq!(root_a, root_b);
    assert_eq!(dry_a, dry_b);
    assert_eq!(dry_a.status, ReceiptStatus::OutOfGas);
    assert_eq!(dry_a.gas_used, (SPIN_GAS + 100_000));
}

#[test]
fn traps_map_to_codes() {
    let t = TestChain::new();
    let addr = deployed(&t);
    let r = call(&t, addr, "div0", CALL_GAS, 0);
    assert_eq!(
        r.status,
        ReceiptStatus::Trapped(TrapCode::IntegerDivideByZero)
    );
    let r = call(&t, addr, "oob", CALL_GAS, 0);
    assert_eq!(
        r.status,
        ReceiptStatus::Trapped(TrapCode::Host),
        "{:?}",
        r.error
    );
    let r = call(&t, addr, "big_key", CALL_GAS, 0);
    assert_eq!(r.status, ReceiptStatus::Trapped(TrapCode::Host));
    assert!(r.error.unwrap().contains("storage key too long"));
}

#[test]
fn every_call_pays_its_code_load_before_the_module_is_looked_up() {
    let t = TestChain::new();
    let addr = deployed(&t);
    let load = crate::executor::code_load_gas(&wasm(TEST_WAT));
    let probe = |method: &str| {
        t.tx(
            0,
            0,
            Action::Call {
                contract: addr,
                method: method.into(),
                input: vec![],
                value: 0,
            },
        )
    };
    // A missing method: the intrinsic gas and the code load, on every call (the second
    // one hits the module cache and pays the same).
    for _ in 0..2 {
        let intrinsic = t.chain.intrinsic_gas(&probe("nope"));
        let r = call(&t, addr, "nope", CALL_GAS, 0);
        assert_eq!(r.status, ReceiptStatus::MethodNotFound);
        assert_eq!(r.gas_used, intrinsic + load);
    }
    // One unit short of the code load: out of gas, all gas used, nothing ran.
    let limit = t.chain.intrinsic_gas(&probe("increment")) + load - 1;
    let r = call(&t, addr, "increment", limit, 0);
    assert_eq!(r.status, ReceiptStatus::OutOfGas);
    assert_eq!(r.gas_used, limit);
    assert!(r.error.unwrap().contains("loading"));
    assert_eq!(
        t.chain.storage(&addr, b"cnt", None).unwrap(),
        Some(41u64.to_le_bytes().to_vec())
    );
}

#[test]
fn bad_methods_and_targets_fail_with_fee() {
    let t = TestChain::new();
    let addr = deployed(&t);
    for method in ["init", "initialize", "nope", "takes_arg", "memory"] {
        let r = call(&t, addr, method, CALL_GAS, 0);
        assert_eq!(r.status, ReceiptStatus::MethodNotFound, "{method}");
        assert!(r.fee > 0);
    }
    let r = call(&t, [5; 32], "get", CALL_GAS, 10);
    assert_eq!(r.status, ReceiptStatus::NotAContract);
    assert_eq!(t.chain.balance(&[5; 32], None).unwrap(), 0);
}

#[test]
fn invalid_code_is_a_failed_receipt() {
    let t = TestChain::new();
    let simd = wasm("(module (func (drop (v128.const i64x2 0 0))))");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not wasm at all".to_vec(), ""),
        (simd, "SIMD"),
        (
            wasm(r#"(module (import "env" "f" (func)))"#),
            "unknown import module",
        ),
        (
            wasm(r#"(module (import "metron" "nope" (func)))"#),
            "instantiation failed",
        ),
        (
            wasm(r#"(module (import "metron" "input_len" (func (result i64))))"#),
            "instantiation failed",
        ),
        (
            wasm(r#"(module (func (export "init") (param i32)))"#),
            "init has type",
        ),
    ];
    for (i, (code, needle)) in cases.into_iter().enumerate() {
        let bal = t.chain.balance(&t.addr(0), None).unwrap();
        let r = deploy(&t, code, vec![]);
        assert_eq!(
            r.status,
            ReceiptStatus::InvalidCode,
            "case {i}: {:?}",
            r.error
        );
        let err = r.error.unwrap_or_default();
        assert!(err.contains(needle), "case {i}: {err}");
        assert_eq!(r.contract_address, None);
        let would_be = contract_address(&t.addr(0), t.chain.nonce(&t.addr(0), None).unwrap() - 1);
        assert_eq!(
            t.chain.account(&would_be, None).unwrap(),
            Default::default()
        );
        assert_eq!(t.chain.balance(&t.addr(0), None).unwrap(), bal - r.fee);
    }
}

#[test]
fn oversized_code_is_invalid() {
    let t = TestChain::new();
    // A valid module padded with a custom section past the VM's 512 KiB code limit.
    let mut code = wasm("(module)");
    let payload = vec![0u8; 600 * 1024];
    code.push(0); // custom section id
    let name = b"pad";
    let mut body = Vec::new();
    body.push(name.len() as u8);
    body.extend_from_slice(name);
    body.extend_from_slice(&payload);
    let mut len = body.len() as u32;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            code.push(byte);
            break;
        }
        code.push(byte | 0x80);
    }
    code.extend_from_slice(&body);
    let r = t.run(t.tx(
        0,
        150_000_000,
        Action::Deploy {
            code,
            init_input: vec![],
        },
    ));
    assert_eq!(r.status, ReceiptStatus::InvalidCode);
    assert!(r.error.is_some());
}

#[test]
fn deploy_without_init_and_start_function() {
    let t = TestChain::new();
    let code = wasm(
        r#"(module
            (import "metron" "storage_write" (func $w (param i32 i32 i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 0) "k")
            (func $start (call $w (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
            (start $start)
            (func (export "noop")))"#,
    );
    let r = deploy(&t, code, vec![]);
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    let addr = r.contract_address.unwrap();
    assert_eq!(
        t.chain.storage(&addr, b"k", None).unwrap(),
        Some(b"k".to_vec())
    );
    let r = call(&t, addr, "noop", CALL_GAS, 0);
    assert_eq!(r.status, ReceiptStatus::Success);
}
