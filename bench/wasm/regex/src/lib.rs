//! Regex workload (`regex` crate, full Unicode and all engines), compiled to
//! `wasm32-unknown-unknown` by `metron-bench`'s build script. The module is large (the
//! regex compiler and its engines), so it is also the biggest input of the compile
//! benchmark.

use regex::Regex;

/// Log-like text of about 32 KiB.
fn haystack() -> String {
    let mut s = String::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut i = 0u64;
    while s.len() < 32 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(&format!(
            "2026-01-{:02} block={} tx=0x{:012x} from=user{}@example.org amount={}.{:02} ok={}\n",
            1 + x % 28,
            i,
            x >> 16,
            x % 97,
            x % 10_000,
            x % 100,
            x & 1 == 0
        ));
        i += 1;
    }
    s
}

/// Compiles three patterns (one Unicode-aware) and runs them over the text `n` times:
/// counts matches and sums capture lengths. Returns a checksum (or -1 if a pattern does
/// not compile).
#[no_mangle]
pub extern "C" fn regex_match(n: i32) -> i64 {
    let text = haystack();
    let (Ok(tx), Ok(mail), Ok(word)) = (
        Regex::new(r"tx=0x([0-9a-f]+) from=(\w+)@"),
        Regex::new(r"[a-z0-9]+@[a-z]+\.(org|com)"),
        Regex::new(r"(?i)\bOK=(true|false)\b"),
    ) else {
        return -1;
    };
    let mut sum = 0u64;
    for _ in 0..n.max(0) {
        for c in tx.captures_iter(&text) {
            sum = sum.wrapping_add(c.get(1).map_or(0, |m| m.len() as u64));
            sum = sum.wrapping_add(c.get(2).map_or(0, |m| m.end() as u64));
        }
        sum = sum.wrapping_add(mail.find_iter(&text).count() as u64);
        sum = sum
            .wrapping_mul(7)
            .wrapping_add(word.find_iter(&text).count() as u64);
    }
    sum as i64
}
