//! Transaction bytes: `SignedTransaction::decode_bytes` returns `Ok` or
//! `TxError::Decode`, never panics; an `Ok` re-encodes (`to_bytes`) to the same bytes
//! and decodes to an equal value; `Chain::check_stateless` answers `Ok`/`Err` on it.
//!
//! Each input is used twice: as raw bytes, and as a structured transaction (fields from
//! `arbitrary`, signed with a dev key or not) whose encoding must decode to itself, and
//! which is then edited (truncated, bytes flipped/set/inserted/removed, a length prefix
//! replaced) and decoded as raw bytes again.
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use metron_node::dev::{dev_keys, DEV_CHAIN_ID};
use metron_node::types::{Action, SignedTransaction, Transaction};
use metron_node::{Chain, TxError};

mod common;

fn chain() -> &'static Chain {
    static CHAIN: OnceLock<(tempfile::TempDir, Chain)> = OnceLock::new();
    &CHAIN.get_or_init(common::open_chain).1
}

/// Raw bytes: decode, and on success the roundtrip and the stateless checks.
fn check_bytes(bytes: &[u8]) {
    match SignedTransaction::decode_bytes(bytes) {
        Ok(stx) => {
            let again = stx.to_bytes();
            assert_eq!(
                again, bytes,
                "a decoded transaction re-encodes to other bytes"
            );
            let back = SignedTransaction::decode_bytes(&again).expect("re-encoding decodes");
            assert_eq!(back, stx, "roundtrip changed the value");
            let _ = stx.hash();
            let chain = chain();
            let _ = chain.intrinsic_gas(&stx);
            let _ = chain.check_stateless(&stx);
        }
        Err(TxError::Decode(_)) => {}
        Err(e) => panic!("decode_bytes returned {e:?}, not TxError::Decode"),
    }
}

#[derive(Arbitrary, Debug)]
enum ActionSpec {
    Deploy {
        code: Vec<u8>,
        init_input: Vec<u8>,
    },
    Call {
        contract: [u8; 32],
        method: String,
        input: Vec<u8>,
        value: u128,
    },
    Transfer {
        to: [u8; 32],
        amount: u128,
    },
}

#[derive(Arbitrary, Debug)]
struct TxSpec {
    /// `Some(i)`: signed by dev key `i % 4`; `None`: `from` and `signature` as given.
    signer: Option<u8>,
    from: [u8; 32],
    signature: ([u8; 32], [u8; 32]),
    /// The dev chain's id, or this one.
    chain_id: Option<u64>,
    nonce: u64,
    gas_limit: u64,
    gas_price: u128,
    action: ActionSpec,
}

/// An edit of an encoding.
#[derive(Arbitrary, Debug)]
enum Edit {
    Truncate(u16),
    Flip(u16, u8),
    Set(u16, u8),
    Insert(u16, Vec<u8>),
    Remove(u16, u8),
    Append(Vec<u8>),
    /// Replace the length prefix of the action's first or second byte string / string
    /// with these bytes.
    Prefix(bool, Vec<u8>),
}

fn build(spec: TxSpec) -> SignedTransaction {
    let action = match spec.action {
        ActionSpec::Deploy { code, init_input } => Action::Deploy { code, init_input },
        ActionSpec::Call {
            contract,
            method,
            input,
            value,
        } => Action::Call {
            contract,
            method,
            input,
            value,
        },
        ActionSpec::Transfer { to, amount } => Action::Transfer { to, amount },
    };
    let tx = Transaction {
        chain_id: spec.chain_id.unwrap_or(DEV_CHAIN_ID),
        nonce: spec.nonce,
        gas_limit: spec.gas_limit,
        gas_price: spec.gas_price,
        action,
    };
    match spec.signer {
        Some(i) => tx.sign(&dev_keys(4)[usize::from(i % 4)]),
        None => {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&spec.signature.0);
            signature[32..].copy_from_slice(&spec.signature.1);
            SignedTransaction {
                from: spec.from,
                tx,
                signature,
            }
        }
    }
}

/// Offsets and lengths of the action's SCALE compact length prefixes.
fn prefix_sites(stx: &SignedTransaction) -> Vec<(usize, usize)> {
    let mut at = 32 + 8 + 8 + 8 + 16 + 1;
    let mut sites = Vec::new();
    let mut field = |at: &mut usize, n: usize| {
        sites.push((*at, compact_len(n)));
        *at += compact_len(n) + n;
    };
    match &stx.tx.action {
        Action::Deploy { code, init_input } => {
            field(&mut at, code.len());
            field(&mut at, init_input.len());
        }
        Action::Call { method, input, .. } => {
            at += 32;
            field(&mut at, method.len());
            field(&mut at, input.len());
        }
        Action::Transfer { .. } => {}
    }
    sites
}

/// The size of SCALE's compact encoding of a length: 1, 2 or 4 bytes, or the prefix
/// byte and at least 4 bytes.
fn compact_len(n: usize) -> usize {
    match n {
        0..=0x3f => 1,
        0x40..=0x3fff => 2,
        0x4000..=0x3fff_ffff => 4,
        _ => 1 + ((usize::BITS - n.leading_zeros()).div_ceil(8) as usize).max(4),
    }
}

fn apply(stx: &SignedTransaction, bytes: &mut Vec<u8>, edit: Edit) {
    let at = |i: u16, len: usize| if len == 0 { 0 } else { usize::from(i) % len };
    match edit {
        Edit::Truncate(n) => bytes.truncate(at(n, bytes.len() + 1)),
        Edit::Flip(i, bit) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] ^= 1 << (bit % 8);
        }
        Edit::Set(i, v) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] = v;
        }
        Edit::Insert(i, v) => {
            let i = at(i, bytes.len() + 1);
            bytes.splice(i..i, v);
        }
        Edit::Remove(i, n) => {
            let i = at(i, bytes.len() + 1);
            let end = (i + usize::from(n)).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Append(v) => bytes.extend(v),
        Edit::Prefix(second, v) => {
            let sites = prefix_sites(stx);
            // The sites of the unedited encoding; earlier edits may have moved them.
            if let Some(&(i, len)) = sites.get(usize::from(second)).or(sites.first()) {
                if i + len <= bytes.len() {
                    bytes.splice(i..i + len, v);
                }
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    check_bytes(data);

    let mut u = Unstructured::new(data);
    let Ok(spec) = TxSpec::arbitrary(&mut u) else {
        return;
    };
    let stx = build(spec);
    let bytes = stx.to_bytes();
    match SignedTransaction::decode_bytes(&bytes) {
        Ok(back) => assert_eq!(back, stx, "an encoded transaction decodes to another"),
        Err(e) => panic!("an encoded transaction does not decode: {e}"),
    }
    check_bytes(&bytes);
    let mut edited = bytes;
    for _ in 0..4 {
        let Ok(edit) = Edit::arbitrary(&mut u) else {
            break;
        };
        apply(&stx, &mut edited, edit);
        check_bytes(&edited);
    }
});
