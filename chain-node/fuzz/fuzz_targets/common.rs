//! Shared by the targets: a dev chain in a temporary directory and the response checks.
#![allow(dead_code)]

use metron_node::state::Durability;
use metron_node::{Chain, ChainConfig};
use serde_json::Value;

/// A dev chain (`ChainConfig::dev`) in a new temporary directory
/// (`$TMPDIR/metron-node-fuzz-*`), without the per-block fsync. The directory lives as
/// long as the process (a target keeps it in a static); remove leftovers of killed runs
/// with `rm -rf /tmp/metron-node-fuzz-*`.
pub fn open_chain() -> (tempfile::TempDir, Chain) {
    let dir = tempfile::Builder::new()
        .prefix("metron-node-fuzz-")
        .tempdir()
        .expect("temporary directory");
    let mut config = ChainConfig::dev(dir.path());
    config.durability = Durability::NoSync;
    let chain = Chain::open(config).expect("open the dev chain");
    (dir, chain)
}

/// Checks one raw response: a JSON-RPC 2.0 response to `id` with a `result`, or an
/// `error` with an integer code and a message. Returns the error code (`None` for a
/// result).
pub fn parse_response(raw: &str, id: u64) -> Result<Option<i64>, String> {
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
        _ => Err("not exactly one of result and error".into()),
    }
}

/// Error codes bad input may get: `-32602` invalid params, or a Metron server code
/// (`-32000..=-32099`). Never `-32603` internal.
pub fn typed_code(code: i64) -> bool {
    code == -32602 || (-32099..=-32000).contains(&code)
}
