//! RPC params: every method of the real RPC module (`RpcService::into_rpc`, in-process,
//! `raw_json_request`) answers any params with a JSON-RPC response: a `result`, or an
//! `error` with an integer code that is `-32602` (invalid params) or a Metron `-320xx`
//! code, never `-32603` (internal). A panic anywhere (an RPC task, the block producer)
//! aborts the run: libFuzzer's panic hook runs before any `catch_unwind`.
//!
//! Input: byte 0 picks the method from `module.method_names()` (sorted); byte 1 the
//! params' form: raw text (the rest of the input, if it is one JSON value), none, a
//! value built from the rest with `arbitrary` (arrays and objects of random shape and
//! depth, edge numbers, hex-like strings, and the chain's real addresses, hashes,
//! heights and signed transactions), or params of the shape the method takes with
//! values valid or nearly (`shaped`: a CallRequest object with fuzzed fields, an
//! address and a height, ...).
#![no_main]

use std::sync::{Arc, OnceLock};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use metron_node::dev::{dev_keys, DEV_ACCOUNT_COUNT, DEV_CHAIN_ID};
use metron_node::executor::TX_BASE_GAS;
use metron_node::service::{RpcLimits, RpcService};
use metron_node::types::{Action, Address, Hash, Transaction};
use metron_node::Chain;
use metron_rpc::jsonrpsee::RpcModule;
use metron_rpc::MetronApiServer;

mod common;

/// The contract deployed at start: storage, input, return data and a trap.
const CONTRACT_WAT: &str = r#"
(module
  (import "metron" "input_len" (func $input_len (result i32)))
  (import "metron" "input_read" (func $input_read (param i32)))
  (import "metron" "return_data" (func $return_data (param i32 i32)))
  (import "metron" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i64)))
  (import "metron" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (func (export "init"))
  (func (export "get")
    (drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 64) (i32.const 8)))
    (call $return_data (i32.const 64) (i32.const 8)))
  (func (export "set")
    (if (i32.eq (call $input_len) (i32.const 8))
      (then (call $input_read (i32.const 64))))
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 64) (i32.const 8)))
  (func (export "echo")
    (if (i32.le_u (call $input_len) (i32.const 65000))
      (then
        (call $input_read (i32.const 128))
        (call $return_data (i32.const 128) (call $input_len)))))
  (func (export "trap") unreachable))
"#;

const METHODS: &[&str] = &["get", "set", "echo", "trap", "init", "memory", "", "nope"];

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
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
    "99999999999999999999999999999999999999999999999999",
    "1.5",
    "-0.0",
    "1e3",
    "1E-7",
    "1e308",
    "1e400",
    "9007199254740993",
    "2.0",
];

struct Harness {
    rt: tokio::runtime::Runtime,
    module: RpcModule<RpcService>,
    names: Vec<&'static str>,
    chain: Arc<Chain>,
    addresses: Vec<Address>,
    contract: Address,
    tx_hashes: Vec<Hash>,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let (dir, chain) = common::open_chain();
        let keys = dev_keys(DEV_ACCOUNT_COUNT);
        let code = wat::parse_str(CONTRACT_WAT).expect("contract WAT");
        let deploy = Transaction {
            chain_id: DEV_CHAIN_ID,
            nonce: 0,
            gas_limit: 50_000_000,
            gas_price: 1,
            action: Action::Deploy {
                code,
                init_input: vec![],
            },
        }
        .sign(&keys[0]);
        let deploy_hash = chain.submit(deploy).expect("deploy");
        let receipt = chain.receipt(&deploy_hash).expect("read").expect("receipt");
        let contract = receipt.contract_address.expect("contract deployed");
        let chain = Arc::new(chain);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let module = RpcService::new(Arc::clone(&chain), &RpcLimits::default()).into_rpc();
        let mut names: Vec<&'static str> = module.method_names().collect();
        names.sort_unstable();
        Harness {
            rt,
            module,
            names,
            chain,
            addresses: keys.iter().map(|k| k.verifying_key().to_bytes()).collect(),
            contract,
            tx_hashes: vec![deploy_hash],
            _dir: dir,
        }
    })
}

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

fn hex0x(bytes: &[u8]) -> String {
    let mut s = String::from("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn pick<'a>(u: &mut Unstructured, xs: &[&'a str]) -> Result<&'a str> {
    u.choose(xs).copied()
}

/// A hex-like string: a prefix (`0x`, `0X`, none, ...) and digits, some odd.
fn hexish(u: &mut Unstructured) -> Result<String> {
    let prefix = pick(u, &["0x", "0x", "0X", "", "0x0x", " 0x"])?;
    let n = if u.arbitrary()? {
        usize::from(u.choose(&[0u8, 1, 2, 63, 64, 65, 66, 128])?.to_owned())
    } else {
        u.int_in_range(0..=300)?
    };
    let mut s = String::from(prefix);
    for _ in 0..n {
        let c = *u.choose(b"0123456789abcdefABCDEFgx -\0")?;
        s.push(char::from(c));
    }
    Ok(js(&s))
}

/// A transaction for `tx_submit`: signed by a dev key for this chain, at the sender's
/// nonce or near it, with fuzzed gas, price and action.
fn signed_tx(u: &mut Unstructured, h: &Harness) -> Result<String> {
    let i = u.int_in_range(1..=DEV_ACCOUNT_COUNT)?;
    let keys = dev_keys(i + 1);
    let key = &keys[i.min(keys.len() - 1)];
    let from = key.verifying_key().to_bytes();
    let nonce = h.chain.nonce(&from, None).unwrap_or(0);
    let nonce = nonce.wrapping_add(u.int_in_range(0..=2)?).wrapping_sub(1);
    let nonce = if u.arbitrary()? {
        nonce.wrapping_add(1)
    } else {
        nonce
    };
    let gas_limit = match u.int_in_range(0..=3)? {
        0 => u.arbitrary()?,
        _ => TX_BASE_GAS + u.int_in_range(0..=5_000_000)?,
    };
    let gas_price = if u.ratio(1, 4)? { u.arbitrary()? } else { 1 };
    let action = match u.int_in_range(0..=2)? {
        0 => Action::Transfer {
            to: u.arbitrary()?,
            amount: if u.arbitrary()? { u.arbitrary()? } else { 1 },
        },
        1 => Action::Call {
            contract: h.contract,
            method: pick(u, METHODS)?.to_owned(),
            input: u.arbitrary()?,
            value: if u.ratio(1, 4)? { u.arbitrary()? } else { 0 },
        },
        _ => Action::Deploy {
            code: u.arbitrary()?,
            init_input: u.arbitrary()?,
        },
    };
    let stx = Transaction {
        chain_id: if u.ratio(1, 8)? {
            u.arbitrary()?
        } else {
            DEV_CHAIN_ID
        },
        nonce,
        gas_limit,
        gas_price,
        action,
    }
    .sign(key);
    Ok(js(&hex0x(&stx.to_bytes())))
}

/// A value of a type the API takes, from the chain: addresses, hashes, heights, gas,
/// amounts, contract methods, signed transactions.
fn known(u: &mut Unstructured, h: &Harness) -> Result<String> {
    let head = h.chain.head_height();
    Ok(match u.int_in_range(0..=10)? {
        0 => js(&hex0x(u.choose(&h.addresses)?)),
        1 => js(&hex0x(&h.contract)),
        2 => js(&hex0x(u.choose(&h.tx_hashes)?)),
        3 => {
            let n = u.int_in_range(0..=head)?;
            match h.chain.block_by_number(n) {
                Ok(Some((hash, _))) => js(&hex0x(&hash)),
                _ => "null".into(),
            }
        }
        4 => head
            .wrapping_add(u.int_in_range(0..=4)?)
            .wrapping_sub(2)
            .to_string(),
        5 => u
            .choose(&[
                0,
                1,
                TX_BASE_GAS,
                50_000_000,
                50_000_001,
                200_000_001,
                u64::MAX,
            ])?
            .to_string(),
        6 => {
            let v: u128 = u.arbitrary()?;
            if u.arbitrary()? {
                js(&v.to_string())
            } else {
                js(&format!("0x{v:x}"))
            }
        }
        7 => js(pick(u, METHODS)?),
        8 => js(pick(u, &["latest", "0", "1", "-1", "0x01", "LATEST"])?),
        9 => signed_tx(u, h)?,
        _ => {
            let bytes: Vec<u8> = u.arbitrary()?;
            js(&hex0x(&bytes))
        }
    })
}

/// A JSON value as text, of random shape and depth.
fn value(u: &mut Unstructured, h: &Harness, depth: u32) -> Result<String> {
    let max = if depth == 0 { 8 } else { 10 };
    Ok(match u.int_in_range(0..=max)? {
        0 => "null".into(),
        1 => if u.arbitrary()? { "true" } else { "false" }.into(),
        2 => u.arbitrary::<u64>()?.to_string(),
        3 => u.arbitrary::<i64>()?.to_string(),
        4 => {
            let f: f64 = u.arbitrary()?;
            if f.is_finite() {
                format!("{f:e}")
            } else {
                "1e999".into()
            }
        }
        5 => pick(u, NUMBERS)?.to_owned(),
        6 => js(&u.arbitrary::<String>()?),
        7 => hexish(u)?,
        8 => known(u, h)?,
        9 => {
            let n = u.int_in_range(0..=6)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, h, depth - 1)?);
            }
            format!("[{}]", items.join(","))
        }
        _ => object(u, h, depth - 1)?,
    })
}

fn object(u: &mut Unstructured, h: &Harness, depth: u32) -> Result<String> {
    let n = u.int_in_range(0..=6)?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let key = if u.ratio(7, 8)? {
            pick(u, KEYS)?.to_owned()
        } else {
            u.arbitrary::<String>()?
        };
        items.push(format!("{}:{}", js(&key), value(u, h, depth)?));
    }
    Ok(format!("{{{}}}", items.join(",")))
}

/// Params: a bare value, an array (positional) or an object (named, or a CallRequest).
fn params(u: &mut Unstructured, h: &Harness) -> Result<String> {
    Ok(match u.int_in_range(0..=4)? {
        0 => value(u, h, 3)?,
        1 | 2 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, h, 3)?);
            }
            format!("[{}]", items.join(","))
        }
        3 => object(u, h, 3)?,
        _ => format!("[{}]", object(u, h, 2)?),
    })
}

/// An address: mostly the chain's (dev accounts, the contract), else anything.
fn address(u: &mut Unstructured, h: &Harness) -> Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 | 1 => js(&hex0x(u.choose(&h.addresses)?)),
        2 | 3 => js(&hex0x(&h.contract)),
        4 => js(&hex0x(&u.arbitrary::<[u8; 32]>()?)),
        _ => value(u, h, 1)?,
    })
}

/// A height for `at`: near the head, an edge number, or anything.
fn height(u: &mut Unstructured, h: &Harness) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 => "null".into(),
        1 => {
            let head = h.chain.head_height();
            head.wrapping_add(u.int_in_range(0..=3)?)
                .wrapping_sub(1)
                .to_string()
        }
        2 => pick(u, NUMBERS)?.to_owned(),
        _ => value(u, h, 1)?,
    })
}

/// Mostly a valid value built by `valid`, sometimes any value.
fn mostly(
    u: &mut Unstructured,
    h: &Harness,
    valid: impl FnOnce(&mut Unstructured, &Harness) -> Result<String>,
) -> Result<String> {
    if u.ratio(7, 8)? {
        valid(u, h)
    } else {
        value(u, h, 1)
    }
}

/// Params of the shape `method` takes (positional or named), with values that are
/// valid or nearly: the way to the methods' code past the parameter parsing. Methods
/// this does not know get an empty array.
fn shaped(u: &mut Unstructured, h: &Harness, method: &str) -> Result<String> {
    let named = u.ratio(1, 5)?;
    let mut fields: Vec<(&str, String)> = Vec::new();
    match method {
        "tx_submit" => fields.push(("tx", mostly(u, h, signed_tx)?)),
        "tx_getReceipt" => fields.push(("hash", mostly(u, h, known)?)),
        "chain_getBlock" => fields.push(("id", mostly(u, h, known)?)),
        "state_getBalance" | "state_getNonce" | "state_getCode" | "state_getStorage" => {
            fields.push(("address", address(u, h)?));
            if method == "state_getStorage" {
                let key: Vec<u8> = u.arbitrary()?;
                fields.push(("key", mostly(u, h, |_, _| Ok(js(&hex0x(&key))))?));
            }
            if u.arbitrary()? {
                fields.push(("at", height(u, h)?));
            }
        }
        "contract_call" => {
            let mut request = Vec::new();
            if u.ratio(15, 16)? {
                let contract = if u.ratio(3, 4)? {
                    js(&hex0x(&h.contract))
                } else {
                    address(u, h)?
                };
                request.push(format!("\"contract\":{contract}"));
            }
            if u.ratio(15, 16)? {
                let method = match u.int_in_range(0..=3)? {
                    0 | 1 => js(pick(u, METHODS)?),
                    2 => js(&u.arbitrary::<String>()?),
                    _ => value(u, h, 1)?,
                };
                request.push(format!("\"method\":{method}"));
            }
            if u.arbitrary()? {
                let input: Vec<u8> = u.arbitrary()?;
                let input = mostly(u, h, |_, _| Ok(js(&hex0x(&input))))?;
                request.push(format!("\"input\":{input}"));
            }
            if u.ratio(1, 3)? {
                let v = mostly(u, h, |u, _| Ok(js(&u.arbitrary::<u128>()?.to_string())))?;
                request.push(format!("\"value\":{v}"));
            }
            if u.arbitrary()? {
                let gas = match u.int_in_range(0..=3)? {
                    0 => u.arbitrary::<u64>()?.to_string(),
                    1 => (TX_BASE_GAS + u.int_in_range(0..=1_000_000)?).to_string(),
                    2 => u
                        .choose(&[0, TX_BASE_GAS - 1, 50_000_000, 50_000_001, u64::MAX])?
                        .to_string(),
                    _ => value(u, h, 1)?,
                };
                request.push(format!("\"gasLimit\":{gas}"));
            }
            if u.ratio(1, 3)? {
                request.push(format!("\"from\":{}", address(u, h)?));
            }
            fields.push(("request", format!("{{{}}}", request.join(","))));
        }
        "chain_unsubscribeNewHeads" => fields.push(("subscription", value(u, h, 1)?)),
        _ => {}
    }
    if u.ratio(1, 16)? {
        fields.push(("extra", value(u, h, 1)?));
    }
    Ok(if named {
        let items: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", js(k)))
            .collect();
        format!("{{{}}}", items.join(","))
    } else {
        let items: Vec<&str> = fields.iter().map(|(_, v)| v.as_str()).collect();
        format!("[{}]", items.join(","))
    })
}

const ID: u64 = 1;

/// `RPC_PARAMS_LOG=1`: one line per request on stderr, `answer <method> result` or
/// `answer <method> error <code>` (to see what a corpus reaches, README.md).
fn log_answers() -> bool {
    static LOG: OnceLock<bool> = OnceLock::new();
    *LOG.get_or_init(|| std::env::var_os("RPC_PARAMS_LOG").is_some())
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    let Some((&m, rest)) = data.split_first() else {
        return;
    };
    let method = h.names[usize::from(m) % h.names.len()];
    let (form, rest) = rest.split_first().map_or((1, &[][..]), |(f, r)| (*f, r));
    let params = match form % 4 {
        0 => {
            // Raw text, if it is one JSON value (otherwise the server answers -32700
            // before any method runs).
            let text = String::from_utf8_lossy(rest).into_owned();
            if serde_json::from_str::<&serde_json::value::RawValue>(&text).is_err() {
                return;
            }
            Some(text)
        }
        1 => None,
        2 => match params(&mut Unstructured::new(rest), h) {
            Ok(p) => Some(p),
            Err(_) => return,
        },
        _ => match shaped(&mut Unstructured::new(rest), h, method) {
            Ok(p) => Some(p),
            Err(_) => return,
        },
    };
    let request = match &params {
        Some(p) => format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{ID},\"method\":{},\"params\":{p}}}",
            js(method)
        ),
        None => format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{ID},\"method\":{}}}",
            js(method)
        ),
    };
    let Ok((response, rx)) = h.rt.block_on(h.module.raw_json_request(&request, 1)) else {
        return; // not a request serde_json reads (e.g. too deep): -32700 at the server
    };
    drop(rx); // ends a subscription this call opened
    let raw = response.get();
    let shown = || format!("{method} params {}", params.as_deref().unwrap_or("<none>"));
    let answer = common::parse_response(raw, ID);
    if log_answers() {
        match &answer {
            Ok(None) => eprintln!("answer {method} result"),
            Ok(Some(code)) => eprintln!("answer {method} error {code}"),
            Err(_) => eprintln!("answer {method} malformed"),
        }
    }
    match answer {
        Ok(None) => {}
        Ok(Some(code)) => assert!(
            common::typed_code(code),
            "error {code} is not a typed error: {}: {raw}",
            shown()
        ),
        Err(e) => panic!("not a JSON-RPC response ({e}): {}: {raw}", shown()),
    }
});
