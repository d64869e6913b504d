//! Seeded fuzzing of everything the network sends the node: transaction bytes and the
//! parameters of every RPC method. Nothing may panic; every failure must be a typed error.
//!
//! - `transaction_bytes`: `SignedTransaction::decode_bytes` on random byte strings and on
//!   mutations (bit flips, byte edits, truncations, extensions, length-prefix and tag
//!   edits) of valid signed transactions of every `Action` kind. Each returns `Ok` or
//!   `TxError::Decode`; an `Ok` re-encodes to the same bytes and decodes to an equal
//!   value, and `Chain::check_stateless` answers `Ok`/`Err` on it.
//! - `rpc_parameters`: the real RPC module in-process (`RpcService::into_rpc`), every
//!   method of `module.method_names()` (subscriptions included) called through
//!   `raw_json_request` with random JSON params and almost-valid ones. Each answer is a
//!   JSON-RPC response (`result`, or `error` with an integer code), and no error is
//!   `-32603` (internal): bad input gets `-32602` or a Metron `-320xx` code.
//!
//! Deterministic: the seed is fixed. `METRON_INPUTS_SEED=<u64>` picks another seed and
//! `METRON_INPUTS_ROUNDS=<n>` multiplies the number of cases (both print on failure).
//! The long-running, coverage-guided version is the cargo-fuzz package in
//! `chain-node/fuzz/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use ed25519_dalek::SigningKey;
use metron_node::dev::{dev_keys, DEV_BALANCE, DEV_CHAIN_ID};
use metron_node::executor::{MAX_TX_BYTES, TX_BASE_GAS};
use metron_node::service::{RpcLimits, RpcService};
use metron_node::types::{Action, Address, SignedTransaction, Transaction};
use metron_node::{Chain, ChainConfig, TxError};
use metron_rpc::jsonrpsee::RpcModule;
use metron_rpc::MetronApiServer;
use parity_scale_codec::{Compact, Encode};
use serde_json::Value;

const DEFAULT_SEED: u64 = 0x6d65_7472_6f6e_0001;

/// Random byte strings decoded as transactions, per round.
const RANDOM_BYTE_STRINGS: usize = 5000;
/// Random mutations of each sample transaction, per round.
const MUTATIONS_PER_SAMPLE: usize = 400;
/// Requests per RPC method, per round (13 methods: ~3 900 requests).
const REQUESTS_PER_METHOD: usize = 300;

/// Devnet controls that take the chain back (reset, revert, load) or stop instant seal
/// (after which a waiting `tx_submit` would wait for a block nobody seals): fuzzed on a
/// chain of their own, instant seal restored after each request.
const DESTRUCTIVE: [&str; 6] = [
    "dev_reset",
    "dev_revert",
    "dev_loadState",
    "dev_dumpState",
    "dev_setAutomine",
    "dev_setIntervalMining",
];

fn seed() -> u64 {
    match std::env::var("METRON_INPUTS_SEED") {
        Ok(s) => s.trim().parse().expect("METRON_INPUTS_SEED: a u64"),
        Err(_) => DEFAULT_SEED,
    }
}

fn rounds() -> usize {
    match std::env::var("METRON_INPUTS_ROUNDS") {
        Ok(s) => s.trim().parse().expect("METRON_INPUTS_ROUNDS: a number"),
        Err(_) => 1,
    }
}

/// SplitMix64: small, seeded, good enough to pick inputs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// A length biased to small values, at most `max`.
    fn len(&mut self, max: usize) -> usize {
        match self.below(4) {
            0 => self.below(9.min(max + 1)),
            1 => self.below(65.min(max + 1)),
            2 => self.below(257.min(max + 1)),
            _ => self.below(max + 1),
        }
    }

    fn u128(&mut self) -> u128 {
        (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64())
    }

    /// An integer biased to edge values.
    fn edgy_u64(&mut self) -> u64 {
        match self.below(6) {
            0 => *self.pick(&[0, 1, 2, u64::MAX, u64::MAX - 1, 1 << 63, u32::MAX as u64]),
            1 => self.below(1000) as u64,
            _ => self.next_u64(),
        }
    }

    fn edgy_u128(&mut self) -> u128 {
        match self.below(5) {
            0 => *self.pick(&[0, 1, u128::MAX, u128::MAX - 1, u64::MAX as u128 + 1]),
            1 => self.below(1_000_000) as u128,
            _ => self.u128(),
        }
    }
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Hex of `bytes` for a failure message: whole up to 4 KiB, otherwise its head and length.
fn show(bytes: &[u8]) -> String {
    if bytes.len() <= 4096 {
        hex0x(bytes)
    } else {
        format!("{}... ({} bytes)", hex0x(&bytes[..4096]), bytes.len())
    }
}

fn addr(key: &SigningKey) -> Address {
    key.verifying_key().to_bytes()
}

fn sign(
    key: &SigningKey,
    chain_id: u64,
    nonce: u64,
    gas_limit: u64,
    gas_price: u128,
    action: Action,
) -> SignedTransaction {
    Transaction {
        chain_id,
        nonce,
        gas_limit,
        gas_price,
        action,
    }
    .sign(key)
}

// ---------------------------------------------------------------------------------------
// Transaction bytes
// ---------------------------------------------------------------------------------------

/// Index of an action's kind. Exhaustive on purpose: a new `Action` variant does not
/// compile here until `sample_transactions` builds it too (and `ACTION_KINDS` counts it).
fn action_kind(a: &Action) -> usize {
    match a {
        Action::Deploy { .. } => 0,
        Action::Call { .. } => 1,
        Action::Transfer { .. } => 2,
    }
}

const ACTION_KINDS: usize = 3;

/// Valid signed transactions of every action kind, with lengths that take each SCALE
/// compact mode (1, 2 and 4 bytes), edge-value fields, and some that pass
/// `check_stateless` on the dev chain.
fn sample_transactions() -> Vec<SignedTransaction> {
    let keys = dev_keys(3);
    let wasm_header = b"\0asm\x01\0\0\0".to_vec();
    let actions = vec![
        Action::Deploy {
            code: vec![],
            init_input: vec![],
        },
        Action::Deploy {
            code: metron_contracts::COUNTER_WASM.to_vec(),
            init_input: 7u64.to_le_bytes().to_vec(),
        },
        Action::Deploy {
            code: wasm_header,
            init_input: vec![0xff; 70],
        },
        Action::Call {
            contract: [7; 32],
            method: "increment".into(),
            input: vec![],
            value: 0,
        },
        Action::Call {
            contract: [0xff; 32],
            method: "gét✓\u{0}".into(),
            input: vec![1; 300],
            value: u128::MAX,
        },
        Action::Call {
            contract: [0; 32],
            method: "m".repeat(70),
            input: vec![0xab; 20_000],
            value: 1,
        },
        Action::Transfer {
            to: addr(&keys[1]),
            amount: 1,
        },
        Action::Transfer {
            to: [0; 32],
            amount: u128::MAX,
        },
    ];
    let mut out = Vec::new();
    for (i, action) in actions.into_iter().enumerate() {
        let key = &keys[i % keys.len()];
        // Fields the stateless checks accept ...
        let gas = TX_BASE_GAS + 10_000_000;
        out.push(sign(key, DEV_CHAIN_ID, i as u64, gas, 1, action.clone()));
        // ... and edge values.
        out.push(sign(
            key,
            u64::MAX - i as u64,
            u64::MAX,
            u64::MAX,
            u128::MAX,
            action,
        ));
    }
    let kinds: std::collections::BTreeSet<usize> =
        out.iter().map(|s| action_kind(&s.tx.action)).collect();
    assert_eq!(
        kinds.len(),
        ACTION_KINDS,
        "sample_transactions must build every Action kind"
    );
    out
}

/// `(offset, prefix length)` of each SCALE compact length prefix in `stx`'s encoding:
/// the action's byte strings and string.
fn length_prefix_sites(stx: &SignedTransaction) -> Vec<(usize, usize)> {
    // from (32) + chain_id (8) + nonce (8) + gas_limit (8) + gas_price (16) + tag (1).
    let mut at = 32 + 8 + 8 + 8 + 16 + 1;
    let clen = |n: usize| Compact(n as u32).encoded_size();
    let mut sites = Vec::new();
    let mut field = |at: &mut usize, n: usize| {
        sites.push((*at, clen(n)));
        *at += clen(n) + n;
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

/// Offset of the action's enum tag in the encoding.
const ACTION_TAG_OFFSET: usize = 32 + 8 + 8 + 8 + 16;

/// Replacement length prefixes: other lengths in every compact mode, and non-canonical
/// and out-of-range encodings.
fn prefix_replacements(len: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        0u64,
        1,
        len.saturating_sub(1) as u64,
        len as u64 + 1,
        len as u64 * 2,
        63,
        64,
        (1 << 14) - 1,
        1 << 14,
        (1 << 30) - 1,
        1 << 30,
        u32::MAX as u64,
        u32::MAX as u64 + 1,
        u64::MAX,
    ]
    .iter()
    .map(|&n| Compact(n).encode())
    .collect();
    // Non-canonical: small values in a wider mode, and the big-integer mode's edges.
    out.push(vec![0b01, 0]); // 0 in the 2-byte mode
    out.push(vec![0b10, 0, 0, 0]); // 0 in the 4-byte mode
    out.push(vec![0b11, 0, 0, 0, 0]); // 0 in the big-integer mode (4 bytes)
    out.push(vec![0b11, 1, 0, 0, 0]); // 1 in the big-integer mode
    out.push(vec![0b111, 1, 0, 0, 0, 0]); // 5 bytes, value 1
    out.push(vec![0xff; 9]);
    out.push(vec![0xfb; 17]);
    out.push(vec![]);
    out
}

/// Outcome counts of the transaction-bytes test.
#[derive(Default)]
struct DecodeStats {
    decoded: usize,
    rejected: usize,
    stateless_ok: usize,
    stateless_err: BTreeMap<String, usize>,
}

/// Decodes `bytes`: `Ok` or `TxError::Decode`, never a panic; an `Ok` re-encodes to the
/// same bytes, decodes again to an equal value and goes through `check_stateless`.
fn check_bytes(chain: &Chain, bytes: &[u8], what: &str, stats: &mut DecodeStats) {
    let ctx = || format!("{what}, seed {}, input {}", seed(), show(bytes));
    let decoded = catch_unwind(|| SignedTransaction::decode_bytes(bytes))
        .unwrap_or_else(|_| panic!("decode_bytes panicked ({})", ctx()));
    let stx = match decoded {
        Ok(stx) => stx,
        Err(TxError::Decode(_)) => {
            stats.rejected += 1;
            return;
        }
        Err(e) => panic!(
            "decode_bytes returned {e:?}, not TxError::Decode ({})",
            ctx()
        ),
    };
    stats.decoded += 1;
    let again = stx.to_bytes();
    // SCALE decoding of this type is canonical: one value, one encoding.
    assert_eq!(
        again,
        bytes,
        "decoded value re-encodes to other bytes ({})",
        ctx()
    );
    match SignedTransaction::decode_bytes(&again) {
        Ok(back) => assert_eq!(back, stx, "roundtrip changed the value ({})", ctx()),
        Err(e) => panic!("re-encoded transaction does not decode: {e} ({})", ctx()),
    }
    let checked = catch_unwind(AssertUnwindSafe(|| {
        let _ = stx.hash();
        let _ = chain.intrinsic_gas(&stx);
        chain.check_stateless(&stx)
    }))
    .unwrap_or_else(|_| panic!("check_stateless panicked ({})", ctx()));
    match checked {
        Ok(()) => stats.stateless_ok += 1,
        Err(e) => {
            let name = format!("{e:?}");
            let name = name
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_owned();
            *stats.stateless_err.entry(name).or_default() += 1;
        }
    }
}

/// One random mutation of `bytes`.
fn mutate(rng: &mut Rng, stx: &SignedTransaction, bytes: &[u8]) -> (Vec<u8>, &'static str) {
    let mut b = bytes.to_vec();
    let what = match rng.below(8) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            "bit flips"
        }
        1 => {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(b.len());
                b[i] = *rng.pick(&[0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff]);
            }
            "byte edits"
        }
        2 => {
            b.truncate(rng.below(b.len()));
            "truncation"
        }
        3 => {
            let n = 1 + rng.len(64);
            b.extend(rng.bytes(n));
            "extension"
        }
        4 => {
            // Insert or delete a run of bytes in the middle.
            let i = rng.below(b.len());
            if rng.chance(1, 2) {
                let n = 1 + rng.len(32);
                let ins = rng.bytes(n);
                b.splice(i..i, ins);
                "insertion"
            } else {
                let n = (1 + rng.len(32)).min(b.len() - i);
                b.drain(i..i + n);
                "deletion"
            }
        }
        5 => {
            b[ACTION_TAG_OFFSET] = rng.next_u64() as u8;
            "action tag"
        }
        6 => {
            // Invalid UTF-8 in a call's method name, else a bit flip.
            if let Action::Call { method, .. } = &stx.tx.action {
                if let Some(&(at, plen)) = length_prefix_sites(stx).first() {
                    if !method.is_empty() {
                        let i = at + plen + rng.below(method.len());
                        b[i] = *rng.pick(&[0x80, 0xc0, 0xed, 0xf8, 0xff]);
                    }
                }
            } else {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            "method utf-8"
        }
        _ => {
            let sites = length_prefix_sites(stx);
            if sites.is_empty() {
                b.truncate(rng.below(b.len()));
                "truncation"
            } else {
                let &(at, plen) = rng.pick(&sites);
                let reps = prefix_replacements(0);
                let rep = rng.pick(&reps).clone();
                b.splice(at..at + plen, rep);
                "length prefix"
            }
        }
    };
    (b, what)
}

#[test]
fn transaction_bytes() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let chain = Chain::open(ChainConfig::dev(dir.path())).expect("open chain");
    let mut rng = Rng::new(seed());
    let mut stats = DecodeStats::default();
    let samples = sample_transactions();

    for _ in 0..rounds() {
        // Valid transactions and the systematic edits of each one.
        for stx in &samples {
            let bytes = stx.to_bytes();
            check_bytes(&chain, &bytes, "valid sample", &mut stats);
            // Every prefix (long encodings: 512 random ones).
            if bytes.len() <= 2048 {
                for n in 0..bytes.len() {
                    check_bytes(&chain, &bytes[..n], "prefix", &mut stats);
                }
            } else {
                for _ in 0..512 {
                    let n = rng.below(bytes.len());
                    check_bytes(&chain, &bytes[..n], "prefix", &mut stats);
                }
            }
            // Trailing bytes are an error.
            for extra in [&[0u8][..], &[0xffu8][..], &bytes[..8]] {
                let mut b = bytes.clone();
                b.extend_from_slice(extra);
                assert!(
                    SignedTransaction::decode_bytes(&b).is_err(),
                    "trailing bytes accepted: {}",
                    show(&b)
                );
                check_bytes(&chain, &b, "trailing bytes", &mut stats);
            }
            // Every action tag.
            for tag in 0..=255u8 {
                let mut b = bytes.clone();
                b[ACTION_TAG_OFFSET] = tag;
                check_bytes(&chain, &b, "action tag", &mut stats);
            }
            // Every length prefix replaced by every replacement.
            let sites = length_prefix_sites(stx);
            for &(at, plen) in &sites {
                // The sites are where the test thinks they are.
                let mut rest = &bytes[at..];
                let n = <Compact<u32> as parity_scale_codec::Decode>::decode(&mut rest)
                    .expect("length prefix at its site");
                assert_eq!(Compact(n.0).encoded_size(), plen);
                for rep in prefix_replacements(n.0 as usize) {
                    let mut b = bytes.clone();
                    b.splice(at..at + plen, rep);
                    check_bytes(&chain, &b, "length prefix", &mut stats);
                }
            }
            // Random mutations.
            for _ in 0..MUTATIONS_PER_SAMPLE {
                let (b, what) = mutate(&mut rng, stx, &bytes);
                check_bytes(&chain, &b, what, &mut stats);
            }
        }

        // Random byte strings, some behind a valid head (sender and fields), so that the
        // decoder gets as far as the action.
        let head = samples[0].to_bytes()[..ACTION_TAG_OFFSET].to_vec();
        for _ in 0..RANDOM_BYTE_STRINGS {
            let n = rng.len(600);
            let mut b = if rng.chance(1, 2) {
                head.clone()
            } else {
                Vec::new()
            };
            if !b.is_empty() && rng.chance(1, 2) {
                b.push(rng.below(ACTION_KINDS + 1) as u8);
            }
            b.extend(rng.bytes(n));
            check_bytes(&chain, &b, "random bytes", &mut stats);
        }

        // Random structured transactions: encode, then decode back (the `Ok` path with
        // arbitrary field values); some correctly signed for this chain.
        let keys = dev_keys(2);
        for _ in 0..300 {
            let action = match rng.below(ACTION_KINDS) {
                0 => Action::Deploy {
                    code: {
                        let n = rng.len(3000);
                        rng.bytes(n)
                    },
                    init_input: {
                        let n = rng.len(100);
                        rng.bytes(n)
                    },
                },
                1 => Action::Call {
                    contract: rng.bytes(32).try_into().expect("32 bytes"),
                    method: random_string(&mut rng),
                    input: {
                        let n = rng.len(500);
                        rng.bytes(n)
                    },
                    value: rng.edgy_u128(),
                },
                _ => Action::Transfer {
                    to: rng.bytes(32).try_into().expect("32 bytes"),
                    amount: rng.edgy_u128(),
                },
            };
            let tx = Transaction {
                chain_id: if rng.chance(2, 3) {
                    DEV_CHAIN_ID
                } else {
                    rng.edgy_u64()
                },
                nonce: rng.edgy_u64(),
                gas_limit: if rng.chance(1, 2) {
                    TX_BASE_GAS + rng.below(100_000_000) as u64
                } else {
                    rng.edgy_u64()
                },
                gas_price: rng.edgy_u128(),
                action,
            };
            let stx = if rng.chance(3, 4) {
                tx.sign(rng.pick(&keys))
            } else {
                SignedTransaction {
                    from: rng.bytes(32).try_into().expect("32 bytes"),
                    tx,
                    signature: rng.bytes(64).try_into().expect("64 bytes"),
                }
            };
            check_bytes(&chain, &stx.to_bytes(), "random transaction", &mut stats);
        }

        // An encoding just over the size limit decodes, and the stateless checks refuse it.
        let big = sign(
            &keys[0],
            DEV_CHAIN_ID,
            0,
            TX_BASE_GAS,
            1,
            Action::Deploy {
                code: vec![0; MAX_TX_BYTES],
                init_input: vec![],
            },
        );
        assert!(matches!(
            chain.check_stateless(&big),
            Err(TxError::TooLarge { .. })
        ));
        check_bytes(&chain, &big.to_bytes(), "too large", &mut stats);
    }

    eprintln!(
        "transaction_bytes: seed {}, {} decoded, {} rejected; check_stateless: {} ok, \
         errors {:?}; {:.1?}",
        seed(),
        stats.decoded,
        stats.rejected,
        stats.stateless_ok,
        stats.stateless_err,
        started.elapsed()
    );
    // The harness reaches both outcomes of both functions.
    assert!(stats.decoded > 100 && stats.rejected > 1000);
    assert!(stats.stateless_ok > 10 && !stats.stateless_err.is_empty());
}

/// A random string: ASCII, names the contracts export, unicode, control characters.
fn random_string(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng
            .pick(&["get", "increment", "add", "init", "init_x", "", "memory"])
            .to_string(),
        1 => "x".repeat(rng.len(5000)),
        2 => {
            let n = rng.len(40);
            (0..n)
                .map(|_| {
                    *rng.pick(&[
                        'a',
                        'Z',
                        '0',
                        ' ',
                        '\0',
                        '\n',
                        '"',
                        '\\',
                        'é',
                        '✓',
                        '💥',
                        '\u{7f}',
                        '\u{ffff}',
                        '\u{10ffff}',
                        '\u{202e}',
                    ])
                })
                .collect()
        }
        _ => {
            let n = rng.len(40);
            (0..n)
                .filter_map(|_| char::from_u32(rng.below(0x11_0000) as u32))
                .collect()
        }
    }
}

// ---------------------------------------------------------------------------------------
// RPC parameters
// ---------------------------------------------------------------------------------------

/// What the generators know about the chain: real addresses, hashes, heights.
struct Known {
    chain: Arc<Chain>,
    keys: Vec<SigningKey>,
    /// A dev key with no genesis balance.
    poor: SigningKey,
    contract: Address,
    tx_hashes: Vec<[u8; 32]>,
    block_hashes: Vec<[u8; 32]>,
    /// The id of a live `chain_subscribeNewHeads` subscription.
    live_subscription: Value,
}

/// A u64 as a JSON number.
fn js_u64(n: u64) -> String {
    n.to_string()
}

/// A JSON string literal.
fn js(s: impl AsRef<str>) -> String {
    serde_json::to_string(s.as_ref()).expect("string")
}

/// A random JSON number as text, edge values and literals beyond u64/i64/f64 included.
fn json_number(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng
            .pick(&[
                "0",
                "-0",
                "1",
                "-1",
                "18446744073709551615",
                "18446744073709551614",
                "18446744073709551616",
                "-9223372036854775808",
                "9223372036854775807",
                "340282366920938463463374607431768211455",
                "340282366920938463463374607431768211456",
                "99999999999999999999999999999999999999999999999999",
                "1.5",
                "-0.0",
                "1e3",
                "1E-7",
                "1e308",
                "1e400",
                "-1e400",
                "9007199254740993",
                "2.0",
                "0.1e1",
            ])
            .to_string(),
        1 => rng.edgy_u64().to_string(),
        2 => (rng.next_u64() as i64).to_string(),
        _ => format!("{:e}", f64::from_bits(rng.next_u64()))
            .replace("inf", "1e999")
            .replace("NaN", "0"),
    }
}

/// Random hex digits (sometimes with an odd character), `n` of them.
fn hex_digits(rng: &mut Rng, n: usize) -> String {
    let mut s: String = (0..n)
        .map(|_| *rng.pick(&b"0123456789abcdefABCDEF"[..]) as char)
        .collect();
    if n > 0 && rng.chance(1, 8) {
        let i = rng.below(n);
        let odd = *rng.pick(&["g", "G", "x", " ", "-", "é", "\u{0}", "💥", "0x"]);
        s.replace_range(i..i + 1, odd);
    }
    s
}

/// A hex-like string literal: `0x` (or `0X`, or nothing) and random digits of a random
/// length, lengths near 32 bytes likelier.
fn json_hexish(rng: &mut Rng) -> String {
    let n = match rng.below(4) {
        0 => *rng.pick(&[0, 1, 2, 3, 62, 63, 64, 65, 66, 128]),
        1 => 64,
        _ => rng.len(300),
    };
    let prefix = *rng.pick(&["0x", "0x", "0x", "0X", "", "0x0x", " 0x", "x"]);
    js(format!("{prefix}{}", hex_digits(rng, n)))
}

/// A random JSON string literal.
fn json_string(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => json_hexish(rng),
        1 => js(rng.pick(&[
            "",
            "latest",
            "LATEST",
            "earliest",
            "pending",
            "null",
            "true",
            "0",
            "-1",
            " 1",
            "1 ",
            "18446744073709551616",
            "0x",
            "0x0",
        ])),
        _ => js(random_string(rng)),
    }
}

/// Parameter names of the API, and others.
const KEYS: &[&str] = &[
    "tx",
    "hash",
    "id",
    "address",
    "at",
    "key",
    "request",
    "contract",
    "method",
    "input",
    "value",
    "gasLimit",
    "from",
    "subscription",
    "params",
    "",
    "0",
    "jsonrpc",
];

/// A random JSON value as text, of random shape and depth.
fn json_value(rng: &mut Rng, k: &Known, depth: usize) -> String {
    let leaf = depth == 0 || rng.chance(1, 2);
    if leaf {
        return match rng.below(8) {
            0 => "null".into(),
            1 => rng.pick(&["true", "false"]).to_string(),
            2 | 3 => json_number(rng),
            4 | 5 => json_string(rng),
            _ => json_near_valid_atom(rng, k),
        };
    }
    if rng.chance(1, 2) {
        let n = rng.len(6).min(8);
        let items: Vec<String> = (0..n).map(|_| json_value(rng, k, depth - 1)).collect();
        format!("[{}]", items.join(","))
    } else {
        let n = rng.len(6).min(8);
        let items: Vec<String> = (0..n)
            .map(|_| {
                let key = if rng.chance(3, 4) {
                    rng.pick(KEYS).to_string()
                } else {
                    random_string(rng)
                };
                format!("{}:{}", js(key), json_value(rng, k, depth - 1))
            })
            .collect();
        format!("{{{}}}", items.join(","))
    }
}

/// One value of a type the API takes, valid or nearly.
fn json_near_valid_atom(rng: &mut Rng, k: &Known) -> String {
    match rng.below(7) {
        0 => json_address(rng, k),
        1 => json_height(rng, k),
        2 => json_hash(rng, k),
        3 => json_amount(rng),
        4 => json_gas(rng),
        5 => json_bytes(rng),
        _ => js(random_string(rng)),
    }
}

fn json_address(rng: &mut Rng, k: &Known) -> String {
    match rng.below(8) {
        0..=2 => js(hex0x(&addr(rng.pick(&k.keys)))),
        3 => js(hex0x(&k.contract)),
        4 => js(hex0x(&rng.pick::<[u8; 32]>(&[[0u8; 32], [0xff; 32]])[..])),
        5 => js(hex0x(&rng.bytes(32))),
        6 => js(hex::encode_upper(addr(&k.keys[0]))), // no prefix, upper case
        _ => json_hexish(rng),
    }
}

fn json_hash(rng: &mut Rng, k: &Known) -> String {
    match rng.below(5) {
        0 => js(hex0x(&rng.pick::<[u8; 32]>(&k.tx_hashes)[..])),
        1 => js(hex0x(&rng.pick::<[u8; 32]>(&k.block_hashes)[..])),
        2 => js(hex0x(&rng.bytes(32))),
        3 => {
            let n = *rng.pick(&[0, 1, 31, 33, 64]);
            js(hex0x(&rng.bytes(n)))
        }
        _ => json_hexish(rng),
    }
}

fn json_height(rng: &mut Rng, k: &Known) -> String {
    let head = k.chain.head_height();
    match rng.below(5) {
        0 => "null".into(),
        1 => rng
            .pick(&[0, 1, head, head + 1, head + 2, u64::MAX, u64::MAX - 1])
            .to_string(),
        2 => rng.below(head as usize + 3).to_string(),
        3 => json_number(rng),
        _ => json_string(rng),
    }
}

fn json_amount(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => js(rng.edgy_u128().to_string()),
        1 => js(format!("0x{:x}", rng.edgy_u128())),
        2 => js(rng.pick(&[
            "340282366920938463463374607431768211456",
            "0x100000000000000000000000000000000",
            "-1",
            "1e3",
            "0x",
            "",
            " 1",
            "+1",
            "0X10",
        ])),
        3 => rng.edgy_u64().to_string(),
        _ => json_number(rng),
    }
}

fn json_gas(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => rng
            .pick(&[
                0,
                1,
                TX_BASE_GAS - 1,
                TX_BASE_GAS,
                TX_BASE_GAS + 50_000,
                2_000_000,
                50_000_000,
                50_000_001,
                200_000_000,
                200_000_001,
                u64::MAX,
            ])
            .to_string(),
        1 => "null".into(),
        _ => json_number(rng),
    }
}

fn json_bytes(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => {
            let n = rng.len(200);
            js(hex0x(&rng.bytes(n)))
        }
        1 => js(hex0x(&u64::MAX.to_le_bytes())),
        2 => js(hex0x(&rng.pick(&[0u64, 1, 5]).to_le_bytes())),
        _ => json_hexish(rng),
    }
}

/// Hex of a signed transaction for `tx_submit`: valid (and then sealed), or rejected by
/// one check, or mutated.
fn submit_bytes(rng: &mut Rng, k: &Known) -> Vec<u8> {
    let key = &k.keys[1 + rng.below(k.keys.len() - 1)];
    let nonce = k.chain.nonce(&addr(key), None).expect("nonce");
    let transfer = Action::Transfer {
        to: rng.bytes(32).try_into().expect("32 bytes"),
        amount: rng.below(1000) as u128,
    };
    let gas = TX_BASE_GAS + 100_000;
    let call = |method: &str, input: Vec<u8>| Action::Call {
        contract: k.contract,
        method: method.into(),
        input,
        value: 0,
    };
    let stx = match rng.below(12) {
        0 | 1 => sign(key, DEV_CHAIN_ID, nonce, gas, 1, transfer),
        2 => sign(
            key,
            DEV_CHAIN_ID,
            nonce,
            5_000_000,
            1,
            call(
                rng.pick::<&str>(&["increment", "get", "add", "init", "nope"]),
                {
                    let n = *rng.pick(&[0, 8, 9]);
                    rng.bytes(n)
                },
            ),
        ),
        3 => sign(
            key,
            DEV_CHAIN_ID,
            nonce,
            50_000_000,
            1,
            Action::Deploy {
                code: {
                    let n = rng.len(200);
                    rng.bytes(n)
                },
                init_input: vec![],
            },
        ),
        4 => sign(
            key,
            DEV_CHAIN_ID,
            nonce.wrapping_add(1 + rng.below(3) as u64),
            gas,
            1,
            transfer,
        ),
        5 => sign(key, DEV_CHAIN_ID, nonce.wrapping_sub(1), gas, 1, transfer),
        6 => sign(&k.poor, DEV_CHAIN_ID, 0, gas, 1, transfer),
        7 => sign(key, DEV_CHAIN_ID + 1, nonce, gas, 1, transfer),
        8 => sign(
            key,
            DEV_CHAIN_ID,
            nonce,
            rng.edgy_u64(),
            rng.edgy_u128(),
            transfer,
        ),
        9 => sign(
            key,
            DEV_CHAIN_ID,
            nonce,
            gas,
            1,
            Action::Transfer {
                to: [1; 32],
                amount: *rng.pick(&[u128::MAX, DEV_BALANCE, DEV_BALANCE + 1]),
            },
        ),
        _ => {
            let stx = sign(key, DEV_CHAIN_ID, nonce, gas, 1, transfer);
            let bytes = stx.to_bytes();
            return mutate(rng, &stx, &bytes).0;
        }
    };
    stx.to_bytes()
}

/// Params that are valid or almost valid for `method` (by name; other methods get no
/// params, an empty array or random values).
fn near_valid_params(rng: &mut Rng, k: &Known, method: &str) -> Option<String> {
    let at = |rng: &mut Rng| {
        if rng.chance(1, 3) {
            None
        } else {
            Some(json_height(rng, k))
        }
    };
    let positional = |items: Vec<Option<String>>| {
        let items: Vec<String> = items.into_iter().flatten().collect();
        format!("[{}]", items.join(","))
    };
    let p = match method {
        "tx_submit" => {
            let tx = if rng.chance(4, 5) {
                js(hex0x(&submit_bytes(rng, k)))
            } else {
                json_bytes(rng)
            };
            if rng.chance(1, 5) {
                format!("{{\"tx\":{tx}}}")
            } else {
                format!("[{tx}]")
            }
        }
        "tx_getReceipt" => {
            let h = json_hash(rng, k);
            if rng.chance(1, 5) {
                format!("{{\"hash\":{h}}}")
            } else {
                format!("[{h}]")
            }
        }
        "chain_getBlock" => {
            let id = match rng.below(4) {
                0 => json_height(rng, k),
                1 => json_hash(rng, k),
                2 => js(rng.pick(&["latest", "0", "1", "Latest", "-1", "0x01"])),
                _ => json_value(rng, k, 2),
            };
            if rng.chance(1, 5) {
                format!("{{\"id\":{id}}}")
            } else {
                format!("[{id}]")
            }
        }
        "state_getBalance" | "state_getNonce" | "state_getCode" => {
            let a = json_address(rng, k);
            let at = at(rng);
            if rng.chance(1, 5) {
                match at {
                    Some(at) => format!("{{\"address\":{a},\"at\":{at}}}"),
                    None => format!("{{\"address\":{a}}}"),
                }
            } else {
                positional(vec![Some(a), at])
            }
        }
        "state_getStorage" => {
            let a = json_address(rng, k);
            let key = if rng.chance(1, 30) {
                js(hex0x(&vec![0x5a; 1 << 16]))
            } else {
                json_bytes(rng)
            };
            let at = at(rng);
            if rng.chance(1, 5) {
                match at {
                    Some(at) => format!("{{\"address\":{a},\"key\":{key},\"at\":{at}}}"),
                    None => format!("{{\"address\":{a},\"key\":{key}}}"),
                }
            } else {
                positional(vec![Some(a), Some(key), at])
            }
        }
        "contract_call" => {
            let mut fields = Vec::new();
            let mut field = |rng: &mut Rng, name: &str, v: String, keep: (usize, usize)| {
                if rng.chance(keep.0, keep.1) {
                    fields.push(format!("{}:{v}", js(name)));
                }
            };
            let contract = if rng.chance(2, 3) {
                js(hex0x(&k.contract))
            } else {
                json_address(rng, k)
            };
            field(rng, "contract", contract, (19, 20));
            let method = if rng.chance(4, 5) {
                js(random_string(rng))
            } else {
                json_value(rng, k, 1)
            };
            field(rng, "method", method, (19, 20));
            let input = json_bytes(rng);
            field(rng, "input", input, (1, 2));
            let value = json_amount(rng);
            field(rng, "value", value, (1, 3));
            let gas = json_gas(rng);
            field(rng, "gasLimit", gas, (1, 2));
            let from = json_address(rng, k);
            field(rng, "from", from, (1, 3));
            if rng.chance(1, 10) {
                let extra = json_value(rng, k, 1);
                field(rng, "extra", extra, (1, 1));
            }
            let request = format!("{{{}}}", fields.join(","));
            match rng.below(8) {
                0 => format!("{{\"request\":{request}}}"),
                1 => format!("[{request},{}]", json_value(rng, k, 1)),
                2 => request,
                _ => format!("[{request}]"),
            }
        }
        "chain_getTransaction" | "dev_dropTransaction" => positional(vec![Some(json_hash(rng, k))]),
        "state_getProof" => {
            let keys: Vec<String> = (0..rng.below(4)).map(|_| json_bytes(rng)).collect();
            let keys = if rng.chance(1, 10) {
                json_value(rng, k, 1)
            } else {
                format!("[{}]", keys.join(","))
            };
            positional(vec![Some(json_address(rng, k)), Some(keys), at(rng)])
        }
        "tx_estimateGas" | "contract_trace" => {
            let action = match rng.below(3) {
                0 => format!(
                    "{{\"type\":\"transfer\",\"to\":{},\"amount\":{}}}",
                    json_address(rng, k),
                    json_amount(rng)
                ),
                1 => format!(
                    "{{\"type\":\"call\",\"contract\":{},\"method\":{},\"input\":{},\"value\":\"0\"}}",
                    js(hex0x(&k.contract)),
                    js(rng.pick::<&str>(&["get", "increment", "add", "nope"])),
                    json_bytes(rng)
                ),
                _ => json_value(rng, k, 2),
            };
            if method == "tx_estimateGas" {
                let from = js(hex0x(&addr(&k.keys[1 + rng.below(k.keys.len() - 1)])));
                format!("[{{\"from\":{from},\"action\":{action}}}]")
            } else if rng.chance(1, 2) {
                format!("[{{\"txHash\":{}}}]", json_hash(rng, k))
            } else {
                format!(
                    "[{{\"call\":{{\"contract\":{},\"method\":{},\"gasLimit\":{}}}}}]",
                    js(hex0x(&k.contract)),
                    js(rng.pick::<&str>(&["get", "increment", "nope"])),
                    json_gas(rng)
                )
            }
        }
        "dev_setBalance" => positional(vec![Some(json_address(rng, k)), Some(json_amount(rng))]),
        "dev_setNonce"
        | "dev_increaseTime"
        | "dev_mine"
        | "dev_revert"
        | "dev_setIntervalMining"
        | "dev_setNextBlockTimestamp" => {
            let n = match method {
                "dev_setNonce" => js_u64(rng.pick(&[0u64, 1, 5, u64::MAX]).to_owned()),
                "dev_mine" => js_u64(rng.below(3) as u64),
                "dev_setNextBlockTimestamp" => {
                    js_u64(k.chain.head().1.timestamp + rng.below(10_000) as u64)
                }
                _ => js_u64(rng.below(5_000) as u64),
            };
            let n = if rng.chance(1, 10) {
                json_number(rng)
            } else {
                n
            };
            match method {
                "dev_setNonce" => positional(vec![Some(json_address(rng, k)), Some(n)]),
                _ => positional(vec![Some(n)]),
            }
        }
        "dev_setCode" => {
            // A fresh address: the contract the other generators call stays as it is.
            let code = if rng.chance(1, 3) {
                js(hex0x(metron_contracts::COUNTER_WASM))
            } else {
                json_bytes(rng)
            };
            positional(vec![Some(js(hex0x(&rng.bytes(32)))), Some(code)])
        }
        "dev_setStorage" => {
            let value = if rng.chance(1, 3) {
                "null".into()
            } else {
                json_bytes(rng)
            };
            positional(vec![
                Some(json_address(rng, k)),
                Some(json_bytes(rng)),
                Some(value),
            ])
        }
        "dev_impersonate" | "dev_stopImpersonating" => positional(vec![Some(json_address(rng, k))]),
        "dev_setAutoImpersonate" | "dev_setAutomine" => {
            positional(vec![Some(rng.pick(&["true", "false"]).to_string())])
        }
        "dev_dumpState" | "dev_loadState" => {
            positional(vec![Some(js(rng.pick(&["base.state", "../x", "a/b", ""])))])
        }
        "chain_getLogs" | "chain_subscribeLogs" => {
            let head = k.chain.head_height();
            let mut fields = Vec::new();
            if rng.chance(1, 2) {
                fields.push(format!("\"fromBlock\":{}", rng.below(head as usize + 2)));
            }
            if rng.chance(1, 2) {
                fields.push(format!("\"toBlock\":{}", head));
            }
            if rng.chance(1, 2) {
                fields.push(format!("\"contract\":{}", js(hex0x(&k.contract))));
            }
            if rng.chance(1, 3) {
                fields.push(format!("\"topics\":[{}]", json_bytes(rng)));
            }
            format!("[{{{}}}]", fields.join(","))
        }
        "chain_unsubscribeLogs" => positional(vec![Some(json_number(rng))]),
        "chain_unsubscribeNewHeads" => {
            let id = match rng.below(4) {
                0 => k.live_subscription.to_string(),
                1 => json_number(rng),
                _ => json_string(rng),
            };
            if rng.chance(1, 5) {
                format!("{{\"subscription\":{id}}}")
            } else {
                format!("[{id}]")
            }
        }
        // Methods without params (chain_head, chain_id, dev_accounts, subscriptions,
        // and any method this list does not know).
        _ => match rng.below(4) {
            0 => return None,
            1 => "[]".into(),
            2 => "{}".into(),
            _ => json_value(rng, k, 2),
        },
    };
    Some(p)
}

/// Params of any shape: positional, named, a bare value, or none.
fn random_params(rng: &mut Rng, k: &Known) -> Option<String> {
    if rng.chance(1, 100) {
        // Deep nesting, around serde_json's recursion limit (128).
        let depth = 100 + rng.below(200);
        let inner = json_near_valid_atom(rng, k);
        return Some(format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth)));
    }
    match rng.below(10) {
        0 => None,
        1 => Some(json_value(rng, k, 0)),
        2..=4 => {
            let n = rng.len(5);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    if rng.chance(1, 2) {
                        json_near_valid_atom(rng, k)
                    } else {
                        json_value(rng, k, 3)
                    }
                })
                .collect();
            Some(format!("[{}]", items.join(",")))
        }
        5 | 6 => Some(json_value(rng, k, 4)),
        _ => {
            let n = rng.len(4);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let v = if rng.chance(1, 2) {
                        json_near_valid_atom(rng, k)
                    } else {
                        json_value(rng, k, 3)
                    };
                    format!("{}:{v}", js(rng.pick(KEYS)))
                })
                .collect();
            Some(format!("{{{}}}", items.join(",")))
        }
    }
}

/// Answers per method.
#[derive(Default, Debug)]
struct MethodStats {
    requests: usize,
    results: usize,
    /// Requests whose text serde_json refuses (a server answers -32700 before any method).
    unparsable: usize,
    codes: BTreeMap<i64, usize>,
}

/// Checks one raw response: a JSON-RPC 2.0 response to `id`, with a `result` or an `error`
/// with an integer code. Returns the error code (`None` for a result).
fn parse_response(raw: &str, id: u64) -> Result<Option<i64>, String> {
    let v: Value = serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not an object")?;
    if obj.get("jsonrpc") != Some(&Value::from("2.0")) {
        return Err("no \"jsonrpc\": \"2.0\"".into());
    }
    if obj.get("id") != Some(&Value::from(id)) {
        return Err(format!("id {:?}, sent {id}", obj.get("id")));
    }
    match (obj.get("result"), obj.get("error")) {
        (Some(_), None) => Ok(None),
        (None, Some(e)) => {
            let code = e
                .get("code")
                .and_then(Value::as_i64)
                .ok_or("error without an integer code")?;
            if !e.get("message").is_some_and(Value::is_string) {
                return Err("error without a message".into());
            }
            Ok(Some(code))
        }
        _ => Err("neither exactly one of result and error".into()),
    }
}

/// Error codes bad input may get: invalid params, or a Metron server code.
fn typed_code(code: i64) -> bool {
    code == -32602 || (-32099..=-32000).contains(&code)
}

/// Sends one request through the module on its own task (a panic comes back as a join
/// error). Returns the raw response, `Ok(None)` if serde_json refuses the request text.
async fn send(
    module: &Arc<RpcModule<RpcService>>,
    request: String,
) -> Result<Option<String>, String> {
    let module = Arc::clone(module);
    let task = tokio::spawn(async move {
        match module.raw_json_request(&request, 1).await {
            Ok((resp, rx)) => {
                drop(rx); // ends a subscription this call may have opened
                Some(resp.get().to_owned())
            }
            Err(_) => None,
        }
    });
    task.await.map_err(|e| format!("the call panicked: {e}"))
}

fn request_text(id: u64, method: &str, params: Option<&str>) -> String {
    match params {
        Some(p) => format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":{},\"params\":{p}}}",
            js(method)
        ),
        None => format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":{}}}",
            js(method)
        ),
    }
}

/// A valid call that must succeed; returns its result.
async fn call_ok(module: &Arc<RpcModule<RpcService>>, method: &str, params: &str) -> Value {
    let raw = send(module, request_text(7, method, Some(params)))
        .await
        .expect("no panic")
        .expect("parsable request");
    let v: Value = serde_json::from_str(&raw).expect("JSON response");
    assert!(
        v.get("error").is_none(),
        "{method} {params}: expected a result, got {raw}"
    );
    v["result"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_parameters() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    // No fsync per block: the fuzz seals many (dev_mine, state edits); durability is not
    // what it tests.
    let mut config = ChainConfig::dev(dir.path());
    config.durability = metron_node::state::Durability::NoSync;
    let chain = Arc::new(Chain::open(config).expect("open chain"));
    let keys = dev_keys(10);
    let poor = dev_keys(20).pop().expect("key");

    // A contract, a transfer: real hashes and state for the generators to use.
    let deploy = sign(
        &keys[0],
        DEV_CHAIN_ID,
        0,
        50_000_000,
        1,
        Action::Deploy {
            code: metron_contracts::COUNTER_WASM.to_vec(),
            init_input: vec![],
        },
    );
    let deploy_hash = chain.submit(deploy).expect("deploy");
    let receipt = chain.receipt(&deploy_hash).unwrap().expect("receipt");
    let contract = receipt.contract_address.expect("counter deployed");
    let transfer = sign(
        &keys[0],
        DEV_CHAIN_ID,
        1,
        TX_BASE_GAS + 100_000,
        1,
        Action::Transfer {
            to: [9; 32],
            amount: 5,
        },
    );
    let transfer_hash = chain.submit(transfer).expect("transfer");
    let block_hashes = (0..=chain.head_height())
        .map(|h| chain.block_by_number(h).unwrap().expect("block").0)
        .collect();

    let service = RpcService::new(Arc::clone(&chain), &RpcLimits::default());
    let module = Arc::new(service.into_rpc());
    let mut names: Vec<&'static str> = module
        .method_names()
        .filter(|m| !DESTRUCTIVE.contains(m))
        .collect();
    names.sort_unstable();
    assert!(
        names.contains(&"chain_head") && names.contains(&"chain_subscribeNewHeads"),
        "{names:?}"
    );

    // Valid calls: the harness sees results.
    let head = call_ok(&module, "chain_head", "[]").await;
    assert_eq!(head["height"], Value::from(chain.head_height()));
    let balance = call_ok(
        &module,
        "state_getBalance",
        &format!("[{}]", js(hex0x(&addr(&keys[2])))),
    )
    .await;
    assert_eq!(balance, Value::from(DEV_BALANCE.to_string()));
    let r = call_ok(
        &module,
        "tx_getReceipt",
        &format!("[{}]", js(hex0x(&deploy_hash))),
    )
    .await;
    assert_eq!(r["status"], "success");
    let r = call_ok(
        &module,
        "contract_call",
        &format!(
            "[{{\"contract\":{},\"method\":\"get\"}}]",
            js(hex0x(&contract))
        ),
    )
    .await;
    assert_eq!(r["status"], "success");
    assert_eq!(r["returnData"], "0x0000000000000000");

    // A live subscription, kept open, whose id the unsubscribe generator uses.
    let sub_request = request_text(8, "chain_subscribeNewHeads", Some("[]"));
    let (sub_response, _sub_rx) = module
        .raw_json_request(&sub_request, 1024)
        .await
        .expect("subscribe");
    let sub: Value = serde_json::from_str(sub_response.get()).expect("JSON");
    let live_subscription = sub["result"].clone();
    assert!(!live_subscription.is_null(), "{sub}");

    let known = Known {
        chain: Arc::clone(&chain),
        keys,
        poor,
        contract,
        tx_hashes: vec![deploy_hash, transfer_hash],
        block_hashes,
        live_subscription,
    };

    let mut rng = Rng::new(seed() ^ 0x5250_4300);
    let mut stats: BTreeMap<&str, MethodStats> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut id = 100u64;
    for _ in 0..rounds() {
        for _ in 0..REQUESTS_PER_METHOD {
            for &method in &names {
                id += 1;
                let params = if rng.chance(1, 2) {
                    near_valid_params(&mut rng, &known, method)
                } else {
                    random_params(&mut rng, &known)
                };
                let request = request_text(id, method, params.as_deref());
                let s = stats.entry(method).or_default();
                s.requests += 1;
                let shown = || {
                    let p = params.as_deref().unwrap_or("<none>");
                    let cut = p.char_indices().nth(2000).map_or(p.len(), |(i, _)| i);
                    format!("{method} params {}", &p[..cut])
                };
                let raw = match send(&module, request).await {
                    Ok(Some(raw)) => raw,
                    Ok(None) => {
                        s.unparsable += 1;
                        continue;
                    }
                    Err(e) => {
                        failures.push(format!("{}: {e}", shown()));
                        continue;
                    }
                };
                match parse_response(&raw, id) {
                    Ok(None) => s.results += 1,
                    Ok(Some(code)) => {
                        *s.codes.entry(code).or_default() += 1;
                        if !typed_code(code) {
                            failures.push(format!("{}: error {code}: {raw}", shown()));
                        }
                    }
                    Err(e) => failures.push(format!("{}: {e}: {raw}", shown())),
                }
            }
        }
    }

    // The destructive controls, on a chain of their own.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let mut config2 = ChainConfig::dev(dir2.path());
    config2.durability = metron_node::state::Durability::NoSync;
    let chain2 = Arc::new(Chain::open(config2).expect("open chain"));
    let module2 = Arc::new(RpcService::new(Arc::clone(&chain2), &RpcLimits::default()).into_rpc());
    for _ in 0..rounds() {
        for _ in 0..REQUESTS_PER_METHOD / 3 {
            for method in DESTRUCTIVE {
                id += 1;
                let params = if rng.chance(1, 2) {
                    near_valid_params(&mut rng, &known, method)
                } else {
                    random_params(&mut rng, &known)
                };
                let s = stats.entry(method).or_default();
                s.requests += 1;
                let shown = format!("{method} params {}", params.as_deref().unwrap_or("<none>"));
                match send(&module2, request_text(id, method, params.as_deref())).await {
                    Ok(Some(raw)) => match parse_response(&raw, id) {
                        Ok(None) => s.results += 1,
                        Ok(Some(code)) => {
                            *s.codes.entry(code).or_default() += 1;
                            if !typed_code(code) {
                                failures.push(format!("{shown}: error {code}: {raw}"));
                            }
                        }
                        Err(e) => failures.push(format!("{shown}: {e}: {raw}")),
                    },
                    Ok(None) => s.unparsable += 1,
                    Err(e) => failures.push(format!("{shown}: {e}")),
                }
                id += 1;
                let restore = request_text(id, "dev_setAutomine", Some("[true]"));
                send(&module2, restore).await.expect("restore instant seal");
            }
        }
    }
    names.extend(DESTRUCTIVE.iter().filter(|m| {
        // A service without a data dir has no state files: these answer errors only.
        !matches!(**m, "dev_dumpState" | "dev_loadState")
    }));

    let total: usize = stats.values().map(|s| s.requests).sum();
    eprintln!(
        "rpc_parameters: seed {}, {total} requests over {} methods in {:.1?} (head {})",
        seed(),
        names.len(),
        started.elapsed(),
        chain.head_height()
    );
    for (m, s) in &stats {
        eprintln!(
            "  {m:28} {:5} requests, {:4} results, {:3} unparsable, errors {:?}",
            s.requests, s.results, s.unparsable, s.codes
        );
    }
    if !failures.is_empty() {
        let mut msg = format!(
            "{} of {total} requests did not get a typed answer (seed {}):\n",
            failures.len(),
            seed()
        );
        for f in failures.iter().take(20) {
            let _ = writeln!(msg, "- {f}");
        }
        panic!("{msg}");
    }
    // Every method was reached with results: the generators know every method's params
    // (a new method needs a case in `near_valid_params`). Methods without params ignore
    // whatever params they get, so they answer every request with a result.
    for &m in &names {
        let s = &stats[m];
        assert!(
            s.results > 0,
            "{m}: {s:?}: no results; teach near_valid_params this method"
        );
    }
    let errors: usize = stats.values().flat_map(|s| s.codes.values()).sum();
    assert!(errors > total / 4, "{errors} errors of {total} requests");
    // Tasks and the block producers may hold the chains past the test's end, so their
    // databases stay open while the process exits: no RocksDB background job may be
    // running then (an abort in RocksDB's static destructors otherwise).
    chain.stop_background_work();
    chain2.stop_background_work();
}

/// The response checks flag what they must: internal errors, untyped codes, malformed
/// responses.
#[test]
fn response_checks() {
    let ok = r#"{"jsonrpc":"2.0","id":3,"result":null}"#;
    assert_eq!(parse_response(ok, 3), Ok(None));
    assert!(parse_response(ok, 4).is_err());
    let internal = r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"x"}}"#;
    assert_eq!(parse_response(internal, 3), Ok(Some(-32603)));
    assert!(!typed_code(-32603) && !typed_code(-32601) && !typed_code(-32700));
    assert!(typed_code(-32602) && typed_code(-32000) && typed_code(-32006));
    for bad in [
        "",
        "[]",
        r#"{"jsonrpc":"2.0","id":3}"#,
        r#"{"jsonrpc":"2.0","id":3,"result":1,"error":{"code":1,"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":3,"error":{"code":"-32602","message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602}}"#,
        r#"{"id":3,"result":1}"#,
    ] {
        assert!(parse_response(bad, 3).is_err(), "{bad}");
    }
}
