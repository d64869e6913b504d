//! JSON workload (`serde_json`), compiled to `wasm32-unknown-unknown` by `metron-bench`'s
//! build script. The module is also one of the large modules of the compile benchmark.

use serde_json::Value;

/// Builds a JSON document of about 60 KiB: an array of 400 records of mixed types.
fn document() -> String {
    let mut s = String::from("[");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..400u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\":{i},\"name\":\"account-{:08x}\",\"balance\":{},\"ratio\":{}.{:03},\
             \"active\":{},\"tags\":[\"a{}\",\"b{}\",\"escaped \\\"q\\\" \\u00e9\"],\
             \"nested\":{{\"height\":{},\"hash\":\"0x{:016x}{:016x}\",\"none\":null}}}}",
            x as u32,
            x % 1_000_000_007,
            x % 100,
            x % 1000,
            x & 1 == 0,
            x % 7,
            x % 11,
            x >> 40,
            x,
            x.rotate_left(17),
        ));
    }
    s.push(']');
    s
}

/// Sums a few things over a parsed value, so the parse cannot be skipped.
fn walk(v: &Value) -> u64 {
    match v {
        Value::Null => 1,
        Value::Bool(b) => 2 + u64::from(*b),
        Value::Number(n) => n.as_u64().unwrap_or(3) ^ n.as_f64().map_or(0, f64::to_bits),
        Value::String(s) => s.len() as u64,
        Value::Array(a) => a
            .iter()
            .fold(5, |acc, x| acc.wrapping_mul(31).wrapping_add(walk(x))),
        Value::Object(o) => o.iter().fold(7, |acc, (k, x)| {
            acc.wrapping_mul(37)
                .wrapping_add(k.len() as u64)
                .wrapping_add(walk(x))
        }),
    }
}

/// Parses the document `n` times into `serde_json::Value` and walks it; then serializes
/// it once. Returns a checksum (or -1 on a parse error).
#[no_mangle]
pub extern "C" fn json_parse(n: i32) -> i64 {
    let doc = document();
    let mut sum = 0u64;
    for _ in 0..n.max(0) {
        match serde_json::from_str::<Value>(&doc) {
            Ok(v) => sum = sum.wrapping_mul(3).wrapping_add(walk(&v)),
            Err(_) => return -1,
        }
    }
    if let Ok(v) = serde_json::from_str::<Value>(&doc) {
        sum = sum.wrapping_add(serde_json::to_string(&v).map_or(0, |s| s.len() as u64));
    }
    sum as i64
}
