//! Rejected code and failing transactions: malformed, SIMD and oversized wasm, too little
//! gas, bad nonce or chain id. Each either gets a clear RPC error (nothing changes) or a
//! failed receipt (only the sender's fee and nonce change).

use metron_contracts::TOKEN_WASM;
use metron_node::types::{contract_address, Action, Transaction};
use metron_rpc::codes;
use metron_rpc::error::call_error;
use metron_rpc::jsonrpsee::http_client::HttpClient;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use crate::common::*;

/// Deploys `code` from dev account 0 and checks the failed receipt: status invalid_code,
/// no contract created, only the fee (and nonce) charged. Returns the receipt.
async fn deploy_rejected(c: &HttpClient, code: Vec<u8>, gas: u64) -> wire::Receipt {
    let a0 = addr(0);
    let before = balance(c, a0).await;
    let nonce = c.state_get_nonce(wire::H256(a0), None).await.unwrap();
    let r = send(
        c,
        &key(0),
        gas,
        Action::Deploy {
            code,
            init_input: vec![],
        },
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::InvalidCode, "{r:?}");
    assert!(r.contract_address.is_none());
    assert!(r.events.is_empty());
    assert!(r.gas_used > 0);
    assert_eq!(
        balance(c, a0).await,
        before - r.fee.0,
        "only the fee is charged"
    );
    assert_eq!(
        c.state_get_nonce(wire::H256(a0), None).await.unwrap(),
        nonce + 1
    );
    let would_be = wire::H256(contract_address(&a0, nonce));
    assert_eq!(c.state_get_code(would_be, None).await.unwrap(), None);
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_simd_and_oversized_wasm_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    // Garbage after a valid header.
    let r = deploy_rejected(&c, b"\0asm\x01\0\0\0\x01\xff\xff\xff".to_vec(), DEPLOY_GAS).await;
    assert!(r.error.is_some(), "a message for people: {r:?}");

    // SIMD is not part of Metron's feature set.
    let simd = wat("(module (func (drop (v128.const i64x2 0 0))))");
    let r = deploy_rejected(&c, simd, DEPLOY_GAS).await;
    let msg = r.error.unwrap_or_default();
    assert!(
        msg.to_lowercase().contains("simd"),
        "error should name SIMD: {msg}"
    );

    // Above the VM's 512 KiB code limit but within the 1 MiB transaction limit: a failed
    // receipt (a big custom section keeps the module otherwise valid).
    let mut big = wat("(module)");
    big.extend(custom_section(600 * 1024));
    let r = deploy_rejected(&c, big, 150_000_000).await;
    assert!(r.error.is_some());

    // Above the 1 MiB transaction limit: rejected at submission, nothing changes.
    let root = c.chain_head().await.unwrap();
    let mut huge = wat("(module)");
    huge.extend(custom_section(2 * 1024 * 1024));
    let tx = sign(
        &c,
        &key(0),
        150_000_000,
        Action::Deploy {
            code: huge,
            init_input: vec![],
        },
    )
    .await;
    let err = c
        .tx_submit(wire::Bytes(tx), None)
        .await
        .expect_err("too large");
    let obj = call_error(&err).expect("JSON-RPC error object");
    assert_eq!(obj.code(), codes::INVALID_TRANSACTION, "{obj:?}");
    assert!(obj.message().contains("too large"), "{obj:?}");
    assert_eq!(c.chain_head().await.unwrap(), root, "no block produced");
    node.stop().await.unwrap();
}

/// A custom section named "pad" of about `size` bytes.
fn custom_section(size: usize) -> Vec<u8> {
    let name = b"pad";
    let payload_len = 1 + name.len() + size;
    let mut out = vec![0u8];
    leb128(&mut out, payload_len);
    out.push(u8::try_from(name.len()).unwrap());
    out.extend_from_slice(name);
    out.resize(out.len() + size, 0);
    out
}

fn leb128(out: &mut Vec<u8>, mut v: usize) {
    loop {
        let byte = u8::try_from(v & 0x7f).unwrap();
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_little_gas_runs_out_and_keeps_state() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (_, token) = deploy(&c, TOKEN_WASM, 1000u128.to_le_bytes().to_vec()).await;

    let mut input = addr(1).to_vec();
    input.extend_from_slice(&10u128.to_le_bytes());
    // The dry run tells the exact gas of the transfer (intrinsic gas included); one unit
    // less runs out during execution.
    let dry = c
        .contract_call(wire::CallRequest {
            from: Some(wire::H256(addr(0))),
            contract: token,
            method: "transfer".into(),
            input: wire::Bytes(input.clone()),
            value: None,
            gas_limit: Some(CALL_GAS),
            at: None,
        })
        .await
        .unwrap();
    assert_eq!(dry.status, wire::ExecStatus::Success, "{dry:?}");
    let gas = dry.gas_used - 1;
    let before = balance(&c, addr(0)).await;
    let r = call(&c, 0, token, "transfer", input.clone(), gas).await;
    assert_eq!(r.status, wire::ExecStatus::OutOfGas, "{r:?}");
    assert_eq!(r.gas_used, gas);
    assert_eq!(r.fee.0, u128::from(gas));
    assert!(r.events.is_empty());
    assert_eq!(balance(&c, addr(0)).await, before - u128::from(gas));
    assert_eq!(token_balance(&c, token, addr(0)).await, 1000);
    assert_eq!(token_balance(&c, token, addr(1)).await, 0);

    // With exactly the dry-run gas it succeeds and uses all of it.
    let r = call(&c, 0, token, "transfer", input, dry.gas_used).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(r.gas_used, dry.gas_used);
    assert_eq!(token_balance(&c, token, addr(1)).await, 10);
    node.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_transactions_get_rpc_errors() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let head = c.chain_head().await.unwrap();
    let transfer = Action::Transfer {
        to: addr(1),
        amount: 1,
    };
    let code_of = |e: metron_rpc::jsonrpsee::core::client::Error| {
        call_error(&e).map(|o| o.code()).expect("error object")
    };

    // Undecodable bytes.
    let e = c
        .tx_submit(wire::Bytes(vec![1, 2, 3]), None)
        .await
        .unwrap_err();
    assert_eq!(code_of(e), codes::INVALID_TRANSACTION);

    // Wrong chain id.
    let tx = Transaction {
        chain_id: 1,
        nonce: 0,
        gas_limit: TRANSFER_GAS,
        gas_price: 1,
        action: transfer.clone(),
    };
    let e = c
        .tx_submit(wire::Bytes(tx.sign(&key(0)).to_bytes()), None)
        .await
        .unwrap_err();
    assert_eq!(code_of(e), codes::TX_REJECTED);

    // A nonce further ahead than the pool holds (nearer ones wait for their turn).
    let tx = Transaction {
        chain_id: 1337,
        nonce: metron_node::pool::MAX_NONCE_GAP + 1,
        ..tx
    };
    let e = c
        .tx_submit(wire::Bytes(tx.sign(&key(0)).to_bytes()), None)
        .await
        .unwrap_err();
    assert_eq!(code_of(e), codes::TX_REJECTED);

    // Tampered signature.
    let mut stx = Transaction { nonce: 0, ..tx }.sign(&key(0));
    stx.signature[3] ^= 0x40;
    let e = c
        .tx_submit(wire::Bytes(stx.to_bytes()), None)
        .await
        .unwrap_err();
    assert_eq!(code_of(e), codes::INVALID_TRANSACTION);

    // Nothing was included.
    assert_eq!(c.chain_head().await.unwrap(), head);

    // A valid transfer still goes through.
    let r = send(&c, &key(0), TRANSFER_GAS, transfer).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    node.stop().await.unwrap();
}

/// A contract emitting `n` events of `data` bytes each (the call's input: `n` then
/// `data` as two little-endian u32).
const EVENTS: &str = r#"(module
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "emit_event" (func $emit (param i32 i32 i32 i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "Topic")
  (func (export "init"))
  (func (export "emit") (local $n i32) (local $len i32)
    (call $input_read (i32.const 16))
    (local.set $n (i32.load (i32.const 16)))
    (local.set $len (i32.load (i32.const 20)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $emit (i32.const 0) (i32.const 5) (i32.const 64) (local.get $len))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))))"#;

fn events_input(n: u32, len: u32) -> Vec<u8> {
    let mut v = n.to_le_bytes().to_vec();
    v.extend_from_slice(&len.to_le_bytes());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_capped_per_transaction() {
    use metron_node::host::{MAX_EVENTS_PER_TX, MAX_EVENT_BYTES_PER_TX};
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (_, contract) = deploy(&c, &wat(EVENTS), Vec::new()).await;
    let max = MAX_EVENTS_PER_TX as u32;

    // At the count cap: every event is in the receipt.
    let r = call(&c, 0, contract, "emit", events_input(max, 8), CALL_GAS).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(r.events.len(), MAX_EVENTS_PER_TX);

    // One more event: the call traps with a host error naming the limit, and the
    // receipt carries no event.
    let r = call(&c, 0, contract, "emit", events_input(max + 1, 8), CALL_GAS).await;
    assert_eq!(r.status, wire::ExecStatus::Trapped, "{r:?}");
    assert!(r.events.is_empty());
    let msg = r.error.unwrap_or_default();
    assert!(msg.contains("too many events"), "{msg}");

    // The byte cap: events of 64 KiB of data and a 5-byte topic; three fit in 256 KiB,
    // a fourth traps.
    let len = 64 * 1024;
    let per = 5 + u64::from(len);
    let fit = (MAX_EVENT_BYTES_PER_TX / per) as u32;
    let r = call(&c, 0, contract, "emit", events_input(fit, len), CALL_GAS).await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(r.events.len(), fit as usize);
    let r = call(
        &c,
        0,
        contract,
        "emit",
        events_input(fit + 1, len),
        CALL_GAS,
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::Trapped, "{r:?}");
    assert!(r.events.is_empty());
    let msg = r.error.unwrap_or_default();
    assert!(msg.contains("event bytes exceed"), "{msg}");
    node.stop().await.unwrap();
}
