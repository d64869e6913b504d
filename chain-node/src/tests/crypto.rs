//! The hash and signature host functions: digests equal the reference crates', gas is
//! the documented base plus per-byte price, bad memory ranges trap, and `ed25519_verify`
//! answers 1 for a valid signature and 0 for every invalid one.

use ed25519_dalek::Signer;
use sha2::Digest as _;

use super::{TestChain, CALL_GAS};
use crate::host::{
    BLAKE2B_256_PER_BYTE, ED25519_VERIFY_PER_BYTE, KECCAK256_PER_BYTE, SHA256_PER_BYTE,
};
use crate::types::{Action, Address, Receipt, ReceiptStatus, TrapCode};

/// `keccak`, `sha`, `blake` return the digest of their input; `verify` takes
/// signature (64) ++ public key (32) ++ message and returns the answer as one byte;
/// `oob` hashes a range past the end of memory.
const CRYPTO_WAT: &str = r#"
(module
  (import "metron" "input_len" (func $input_len (result i32)))
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "keccak256" (func $keccak256 (param i32 i32 i32)))
  (import "metron" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "metron" "blake2b_256" (func $blake2b_256 (param i32 i32 i32)))
  (import "metron" "ed25519_verify" (func $ed25519_verify (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func $input (result i32) (call $input_read (i32.const 1024)) (call $input_len))
  (func (export "keccak")
    (call $keccak256 (i32.const 1024) (call $input) (i32.const 0))
    (call $return_data (i32.const 0) (i32.const 32)))
  (func (export "sha")
    (call $sha256 (i32.const 1024) (call $input) (i32.const 0))
    (call $return_data (i32.const 0) (i32.const 32)))
  (func (export "blake")
    (call $blake2b_256 (i32.const 1024) (call $input) (i32.const 0))
    (call $return_data (i32.const 0) (i32.const 32)))
  (func (export "verify")
    (i32.store8 (i32.const 0)
      (call $ed25519_verify (i32.const 1024) (i32.const 1088) (i32.const 1120)
        (i32.sub (call $input) (i32.const 96))))
    (call $return_data (i32.const 0) (i32.const 1)))
  (func (export "oob")
    (call $keccak256 (i32.const 131000) (i32.const 100) (i32.const 0))))
"#;

fn deploy(t: &TestChain) -> Address {
    let code = wat::parse_str(CRYPTO_WAT).expect("valid wat");
    let r = t.run(t.tx(
        0,
        10_000_000,
        Action::Deploy {
            code,
            init_input: Vec::new(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    r.contract_address.expect("contract address")
}

fn call(t: &TestChain, contract: Address, method: &str, input: Vec<u8>) -> Receipt {
    t.run(t.tx(
        0,
        CALL_GAS,
        Action::Call {
            contract,
            method: method.into(),
            input,
            value: 0,
        },
    ))
}

/// The input's length class changes nothing but the transaction's size and the bytes
/// read and hashed: the gas difference of two inputs is the per-byte prices' sum.
fn per_byte_gas(t: &TestChain, contract: Address, method: &str) -> u64 {
    let short = call(t, contract, method, vec![1; 100]);
    let long = call(t, contract, method, vec![1; 1100]);
    assert!(short.status.is_success() && long.status.is_success());
    let tx_bytes = |n: usize| {
        t.tx(
            0,
            CALL_GAS,
            Action::Call {
                contract,
                method: method.into(),
                input: vec![1; n],
                value: 0,
            },
        )
    };
    let intrinsic = |n| t.chain.intrinsic_gas(&tx_bytes(n));
    (long.gas_used - intrinsic(1100)) - (short.gas_used - intrinsic(100))
}

#[test]
fn hashes_match_the_reference_crates_and_pay_per_byte() {
    let t = TestChain::new();
    let c = deploy(&t);
    for input in [Vec::new(), b"abc".to_vec(), vec![0xa5; 5000]] {
        let r = call(&t, c, "keccak", input.clone());
        assert_eq!(r.return_data, sha3::Keccak256::digest(&input).to_vec());
        let r = call(&t, c, "sha", input.clone());
        assert_eq!(r.return_data, sha2::Sha256::digest(&input).to_vec());
        let r = call(&t, c, "blake", input.clone());
        assert_eq!(
            r.return_data,
            <blake2::Blake2b<blake2::digest::consts::U32>>::digest(&input).to_vec()
        );
    }
    // Known answers, independent of the crates: keccak256("") and sha256("abc").
    let r = call(&t, c, "keccak", Vec::new());
    assert_eq!(
        hex::encode(r.return_data),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    let r = call(&t, c, "sha", b"abc".to_vec());
    assert_eq!(
        hex::encode(r.return_data),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // 1000 more bytes: 1 gas each to read the input, plus the hash's per-byte price.
    for (method, per_byte) in [
        ("keccak", KECCAK256_PER_BYTE),
        ("sha", SHA256_PER_BYTE),
        ("blake", BLAKE2B_256_PER_BYTE),
    ] {
        assert_eq!(
            per_byte_gas(&t, c, method),
            1000 * (1 + per_byte),
            "{method}"
        );
    }
}

#[test]
fn ed25519_verify_accepts_valid_and_refuses_every_invalid_signature() {
    let t = TestChain::new();
    let c = deploy(&t);
    let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let msg = b"metron message".to_vec();
    let sig = key.sign(&msg).to_bytes();
    let pk = key.verifying_key().to_bytes();
    let input = |sig: &[u8], pk: &[u8], msg: &[u8]| [sig, pk, msg].concat();
    let verify = |data: Vec<u8>| {
        let r = call(&t, c, "verify", data);
        assert!(r.status.is_success(), "{r:?}");
        r.return_data
    };
    assert_eq!(verify(input(&sig, &pk, &msg)), vec![1]);
    // Another message, a flipped signature bit, another key, a key not on the curve.
    assert_eq!(verify(input(&sig, &pk, b"metron messagf")), vec![0]);
    let mut bad = sig;
    bad[5] ^= 1;
    assert_eq!(verify(input(&bad, &pk, &msg)), vec![0]);
    let other = ed25519_dalek::SigningKey::from_bytes(&[4; 32])
        .verifying_key()
        .to_bytes();
    assert_eq!(verify(input(&sig, &other, &msg)), vec![0]);
    let mut not_a_point = [0xffu8; 32];
    not_a_point[31] = 0x7f;
    assert_eq!(verify(input(&sig, &not_a_point, &msg)), vec![0]);
    // An invalid signature costs what a valid one does.
    let valid = call(&t, c, "verify", input(&sig, &pk, &msg)).gas_used;
    let invalid = call(&t, c, "verify", input(&bad, &pk, &msg)).gas_used;
    assert_eq!(valid, invalid);
    // Per message byte: 1 to read it, plus the verification's price.
    let long_msg = vec![9u8; 1000 + msg.len()];
    let long_sig = key.sign(&long_msg).to_bytes();
    let long = call(&t, c, "verify", input(&long_sig, &pk, &long_msg));
    assert_eq!(long.return_data, vec![1]);
    let tx = |data: Vec<u8>| {
        t.tx(
            0,
            CALL_GAS,
            Action::Call {
                contract: c,
                method: "verify".into(),
                input: data,
                value: 0,
            },
        )
    };
    let exec = |gas: u64, data: Vec<u8>| gas - t.chain.intrinsic_gas(&tx(data));
    assert_eq!(
        exec(long.gas_used, input(&long_sig, &pk, &long_msg)) - exec(valid, input(&sig, &pk, &msg)),
        1000 * (1 + ED25519_VERIFY_PER_BYTE)
    );
}

#[test]
fn a_hash_of_a_range_outside_memory_traps() {
    let t = TestChain::new();
    let c = deploy(&t);
    let r = call(&t, c, "oob", Vec::new());
    assert_eq!(r.status, ReceiptStatus::Trapped(TrapCode::Host), "{r:?}");
}

/// The SDK states the host's prices (its mock host charges them), limits and call
/// status codes: they must be the host's own.
#[test]
fn the_sdk_states_the_host_prices() {
    use crate::host as h;
    use metron_sdk::gas as s;
    let pairs = [
        (s::HOST_BASE, h::HOST_BASE),
        (s::STORAGE_READ, h::STORAGE_READ),
        (s::STORAGE_READ_PER_BYTE, h::STORAGE_READ_PER_BYTE),
        (s::STORAGE_WRITE, h::STORAGE_WRITE),
        (s::STORAGE_WRITE_PER_BYTE, h::STORAGE_WRITE_PER_BYTE),
        (s::STORAGE_REMOVE, h::STORAGE_REMOVE),
        (s::BALANCE, h::BALANCE),
        (s::EMIT_EVENT, h::EMIT_EVENT),
        (s::EMIT_EVENT_PER_BYTE, h::EMIT_EVENT_PER_BYTE),
        (s::KECCAK256, h::KECCAK256),
        (s::KECCAK256_PER_BYTE, h::KECCAK256_PER_BYTE),
        (s::SHA256, h::SHA256),
        (s::SHA256_PER_BYTE, h::SHA256_PER_BYTE),
        (s::BLAKE2B_256, h::BLAKE2B_256),
        (s::BLAKE2B_256_PER_BYTE, h::BLAKE2B_256_PER_BYTE),
        (s::ED25519_VERIFY, h::ED25519_VERIFY),
        (s::ED25519_VERIFY_PER_BYTE, h::ED25519_VERIFY_PER_BYTE),
        (s::CALL_CONTRACT, h::CALL_CONTRACT),
        (s::CALL_CONTRACT_PER_BYTE, h::CALL_CONTRACT_PER_BYTE),
        (s::TRANSFER, h::TRANSFER),
        (s::INSTANTIATE, h::INSTANTIATE),
    ];
    for (i, (sdk, host)) in pairs.iter().enumerate() {
        assert_eq!(sdk, host, "price {i} differs");
    }
    // And its limits and status codes.
    let limits = [
        (metron_sdk::MAX_KEY_LEN, h::MAX_KEY_LEN),
        (metron_sdk::MAX_VALUE_LEN, h::MAX_VALUE_LEN),
        (metron_sdk::MAX_TOPIC_LEN, h::MAX_TOPIC_LEN),
        (metron_sdk::MAX_EVENT_DATA_LEN, h::MAX_EVENT_DATA_LEN),
        (metron_sdk::MAX_RETURN_DATA_LEN, h::MAX_RETURN_DATA_LEN),
        (metron_sdk::MAX_METHOD_LEN, h::MAX_METHOD_LEN),
        (metron_sdk::MAX_CALL_INPUT_LEN, h::MAX_CALL_INPUT_LEN),
        (metron_sdk::MAX_SALT_LEN, h::MAX_SALT_LEN),
    ];
    for (i, (sdk, host)) in limits.iter().enumerate() {
        assert_eq!(*sdk as u64, u64::from(*host), "limit {i} differs");
    }
    assert_eq!(metron_sdk::MAX_CALL_DEPTH, h::MAX_CALL_DEPTH);
    assert_eq!(
        metron_sdk::INSTANCE_ADDRESS_DOMAIN,
        crate::types::INSTANCE_ADDRESS_DOMAIN
    );
    use crate::host::call_status as c;
    use metron_sdk::CallStatus as S;
    let codes = [
        (S::Success, c::SUCCESS),
        (S::Reverted, c::REVERTED),
        (S::Trapped, c::TRAPPED),
        (S::OutOfGas, c::OUT_OF_GAS),
        (S::NotAContract, c::NOT_A_CONTRACT),
        (S::MethodNotFound, c::METHOD_NOT_FOUND),
        (S::InsufficientBalance, c::INSUFFICIENT_BALANCE),
        (S::DepthExceeded, c::DEPTH_EXCEEDED),
        (S::AddressCollision, c::ADDRESS_COLLISION),
        (S::CodeNotFound, c::CODE_NOT_FOUND),
        (S::InvalidCode, c::INVALID_CODE),
    ];
    for (sdk, host) in codes {
        assert_eq!(sdk.code(), host, "{sdk:?}");
        assert_eq!(S::from_code(host), sdk);
    }
}
