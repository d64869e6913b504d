//! The fuzz oracles as an ordinary stable test: a fixed-seed loop over generated
//! modules (CI runs it with `cargo test --workspace`). `METRON_FUZZ_MODULES` overrides
//! the number of modules per oracle; `METRON_FUZZ_SEED` the seed.

use arbitrary::Unstructured;
use metron_fuzz::engine::Wasmi;
use metron_fuzz::{generate, oracle};
use metron_vm::{ValType, Value};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic pseudo-random bytes (xorshift64*), no dependency on a RNG crate.
fn bytes(state: &mut u64, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| {
            *state ^= *state >> 12;
            *state ^= *state << 25;
            *state ^= *state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// `(index, module)` for the seeded modules.
fn modules(salt: u64, default_n: u64) -> Vec<(u64, Vec<u8>)> {
    let n = env("METRON_FUZZ_MODULES", default_n);
    let mut state = env("METRON_FUZZ_SEED", 0x6d65_7472_6f6e) ^ salt;
    let mut out = Vec::new();
    for i in 0..n {
        let data = bytes(&mut state, 2048);
        let mut u = Unstructured::new(&data);
        if let Ok(m) = generate::module(&mut u) {
            out.push((i, m));
        }
    }
    out
}

fn check(name: &str, r: Result<(), oracle::Divergence>, i: u64, wasm: &[u8]) {
    if let Err(d) = r {
        let path = std::env::temp_dir().join(format!("metron-{name}-{i}.wasm"));
        let _ = std::fs::write(&path, wasm);
        panic!("{name}: module {i} (saved to {}): {d}", path.display());
    }
}

#[test]
fn exec_diff_wasmi() {
    for (i, m) in modules(1, 1000) {
        check(
            "exec_diff_wasmi",
            oracle::exec_diff(&m, &mut Wasmi::new()),
            i,
            &m,
        );
    }
}

#[test]
fn gas_model() {
    let mut state = 7u64;
    for (i, m) in modules(2, 800) {
        let limits: Vec<u64> = bytes(&mut state, 8)
            .iter()
            .map(|&b| u64::from(b) * u64::from(b) * 3)
            .chain([u64::MAX, 1 << 20])
            .collect();
        check("gas_model", oracle::gas_model(&m, &limits), i, &m);
    }
}

#[test]
fn gas_boundary() {
    for (i, m) in modules(3, 600) {
        check("gas_boundary", oracle::gas_boundary(&m), i, &m);
    }
}

#[test]
fn gas_on_off() {
    for (i, m) in modules(4, 800) {
        check("gas_on_off", oracle::gas_on_off(&m), i, &m);
    }
}

#[test]
fn validate_diff() {
    let mut state = 11u64;
    for (i, m) in modules(5, 800) {
        check("validate_diff", oracle::validate_diff(&m), i, &m);
        // Mutations of valid modules, and raw bytes.
        let mut bad = m.clone();
        let flips = bytes(&mut state, 4);
        for f in flips.chunks(2) {
            let at = usize::from(f[0]) * bad.len() / 256;
            if let Some(b) = bad.get_mut(at) {
                *b ^= f[1] | 1;
            }
        }
        check("validate_diff", oracle::validate_diff(&bad), i, &bad);
        let raw = bytes(&mut state, 64);
        check("validate_diff", oracle::validate_diff(&raw), i, &raw);
    }
}

fn edges(t: ValType) -> Vec<Value> {
    match t {
        ValType::I32 => generate::i32_edges()
            .iter()
            .map(|&x| Value::I32(x))
            .collect(),
        ValType::I64 => generate::i64_edges()
            .iter()
            .map(|&x| Value::I64(x))
            .collect(),
        ValType::F32 => generate::f32_edges()
            .iter()
            .map(|&x| Value::F32(x))
            .collect(),
        ValType::F64 => generate::f64_edges()
            .iter()
            .map(|&x| Value::F64(x))
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn single_inst_edge_operands() {
    for inst in oracle::instructions() {
        let params = inst.1;
        let a = edges(params[0]);
        if params.len() == 1 {
            for &x in &a {
                oracle::single_inst(inst, &[x]).unwrap();
            }
        } else {
            let b = edges(params[1]);
            for &x in &a {
                for &y in &b {
                    oracle::single_inst(inst, &[x, y]).unwrap();
                }
            }
        }
    }
}
