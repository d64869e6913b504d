//! The fuzz oracles as an ordinary stable test: a fixed-seed loop over generated
//! modules (CI runs it with `cargo test --workspace`). `METRON_FUZZ_MODULES` overrides
//! the number of modules per oracle; `METRON_FUZZ_SEED` the seed; `METRON_FUZZ_ONLY=<i>`
//! runs module `i` alone (the same module as in the full run: module `i`'s bytes depend
//! only on the seed, the test's salt and `i`).
//!
//! A mismatch fails the test (the module is saved to the findings folder,
//! `metron_fuzz::findings::dir()`, as `metron-<test>-<hash>.wasm`). A reference
//! engine's panic is a finding against that engine: the module is saved as
//! `<engine>-<hash>.wasm`, a line is printed, and the run goes on.

use arbitrary::Unstructured;
use metron_fuzz::engine::Wasmi;
use metron_fuzz::oracle::Divergence;
use metron_fuzz::seed::{bytes, env};
use metron_fuzz::{findings, generate, oracle};
use metron_vm::{Config, ValType, Value};

/// `(index, input bytes)` of the seeded inputs: each index takes the next 2048 bytes
/// of the stream seeded by `METRON_FUZZ_SEED ^ salt`, whether or not they make a module.
fn inputs(salt: u64, default_n: u64) -> impl Iterator<Item = (u64, Vec<u8>)> {
    let only = std::env::var("METRON_FUZZ_ONLY")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let n = match only {
        Some(i) => i + 1,
        None => env("METRON_FUZZ_MODULES", default_n),
    };
    let mut state = env("METRON_FUZZ_SEED", 0x6d65_7472_6f6e) ^ salt;
    (0..n).filter_map(move |i| {
        let data = bytes(&mut state, 2048);
        only.is_none_or(|o| o == i).then_some((i, data))
    })
}

/// `(index, module)` for the seeded modules (wasm-smith).
fn modules(salt: u64, default_n: u64) -> impl Iterator<Item = (u64, Vec<u8>)> {
    inputs(salt, default_n).filter_map(|(i, data)| {
        let mut u = Unstructured::new(&data);
        generate::module(&mut u).ok().map(|m| (i, m))
    })
}

/// A per-module stream state (limits, mutations), so that `METRON_FUZZ_ONLY` reproduces
/// a module's run exactly.
fn per_module(salt: u64, i: u64) -> u64 {
    (salt ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1
}

fn check(name: &str, r: Result<(), Divergence>, i: u64, wasm: &[u8]) {
    match r {
        Ok(()) => {}
        Err(Divergence::ReferencePanic(p)) => {
            let saved = findings::save_panic(&p, wasm);
            eprintln!(
                "{name}: module {i}: a finding against {} (saved: {saved:?}), going on: {}",
                p.engine,
                Divergence::ReferencePanic(p.clone())
            );
        }
        Err(d) => {
            let saved = findings::save(&format!("metron-{name}"), wasm);
            panic!("{name}: module {i} (saved: {saved:?}): {d}");
        }
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
    for (i, m) in modules(2, 800) {
        let mut state = per_module(7, i);
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
    for (i, m) in modules(5, 800) {
        let mut state = per_module(11, i);
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

/// The translator's fusions next to labels (`generate::fusion`: writes of locals and
/// globals, arithmetic then store, load then branch, copies, right before and after
/// `end`, `else`, `br_if`, `br_table` with branches to those ends), with metering off,
/// where no gas charge at a label separates a fused instruction from it: Metron against
/// itself with metering on (`gas_on_off`), and against wasmi (metering off, and on).
#[test]
fn fusion_metering_off() {
    let off = Config {
        metering: false,
        ..Config::default()
    };
    for (i, data) in inputs(6, 600) {
        let mut u = Unstructured::new(&data);
        let text = generate::fusion::wat(&mut u).expect("the fusion generator never fails");
        let m = wat::parse_str(&text).unwrap_or_else(|e| panic!("module {i}: {e}\n{text}"));
        let runs = [
            ("gas_on_off", oracle::gas_on_off(&m)),
            (
                "exec_diff_wasmi metering off",
                oracle::exec_diff_with(&m, off.clone(), &mut Wasmi::new()),
            ),
            ("exec_diff_wasmi", oracle::exec_diff(&m, &mut Wasmi::new())),
        ];
        for (what, r) in runs {
            if let Err(d @ Divergence::Mismatch(_)) = &r {
                eprintln!("fusion_metering_off: module {i}, {what}: {d}\n{text}");
            }
            check("fusion_metering_off", r, i, &m);
        }
    }
}

/// The same generator through the gas oracles (metering on): the charges at the labels
/// the fusion modules put branches to, against the instrumented module in wasmi.
#[test]
fn fusion_gas_oracles() {
    for (i, data) in inputs(7, 300) {
        let m = generate::fusion::module(&mut Unstructured::new(&data))
            .expect("the fusion generator never fails");
        check("fusion_gas_boundary", oracle::gas_boundary(&m), i, &m);
        let mut state = per_module(13, i);
        let limits: Vec<u64> = bytes(&mut state, 6)
            .iter()
            .map(|&b| u64::from(b) * 4)
            .chain([u64::MAX])
            .collect();
        check("fusion_gas_model", oracle::gas_model(&m, &limits), i, &m);
    }
}
