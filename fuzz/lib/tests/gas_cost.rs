//! Work per unit of gas (feature `cost`; `metron_fuzz::cost`): seeded expensive-per-gas
//! modules stay under the threshold (4x the benchmark workloads' median cost units per
//! gas unit), and the measurement of that median.
//!
//! `METRON_FUZZ_MODULES` overrides the number of modules, `METRON_FUZZ_SEED` the seed,
//! `METRON_FUZZ_ONLY=<i>` runs module `i` alone. A module over the threshold fails the
//! test after all modules ran; each is printed with its ratio, counters and WAT.

use arbitrary::Unstructured;
use metron_fuzz::cost::{self, milli, Measurement, GAS_LIMIT, THRESHOLD_MILLI};
use metron_fuzz::seed::{bytes, env};
use metron_vm::{Config, Limits, Value};

#[test]
fn expensive_modules_stay_under_the_threshold() {
    let only = std::env::var("METRON_FUZZ_ONLY")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let n = only.map_or_else(|| env("METRON_FUZZ_MODULES", 300), |i| i + 1);
    let mut state = env("METRON_FUZZ_SEED", 0x6d65_7472_6f6e) ^ 0x6761_735f_636f_7374;
    let (mut measured, mut max) = (0u64, None::<(u64, u64)>);
    let mut over: Vec<(u64, Measurement, String)> = Vec::new();
    for i in 0..n {
        let data = bytes(&mut state, 1024);
        if only.is_some_and(|o| o != i) {
            continue;
        }
        // The expensive generator only (the target mixes in wasm-smith modules too).
        let Ok(wat) = cost::expensive(&mut Unstructured::new(&data)) else {
            continue;
        };
        let wasm = wat::parse_str(&wat).unwrap_or_else(|e| panic!("module {i}: {e}\n{wat}"));
        let Some(m) = cost::cost_per_gas(&wasm, GAS_LIMIT) else {
            let e = metron_vm::Module::new(&Config::default(), &wasm).err();
            panic!("module {i} does not load or instantiate ({e:?}):\n{wat}");
        };
        measured += 1;
        let r = m.ratio_milli();
        if max.is_none_or(|(_, x)| r > x) {
            max = Some((i, r));
        }
        if r > THRESHOLD_MILLI {
            over.push((i, m, wat));
        }
    }
    let (at, ratio) = max.unwrap_or_default();
    eprintln!(
        "gas_cost: {measured} modules, max {} cost units per gas (module {at}), threshold {}",
        milli(ratio),
        milli(THRESHOLD_MILLI)
    );
    over.sort_by_key(|(_, m, _)| std::cmp::Reverse(m.ratio_milli()));
    for (i, m, wat) in over.iter().take(5) {
        eprintln!(
            "module {i}: {} cost units per gas: {} units for {} gas, {:?}\n{wat}",
            milli(m.ratio_milli()),
            m.units(),
            m.gas,
            m.counters
        );
    }
    assert!(
        over.is_empty(),
        "{} of {measured} modules over the threshold {} (the worst printed above)",
        over.len(),
        milli(THRESHOLD_MILLI)
    );
}

/// The benchmark workloads (`bench/src/workloads.rs`, the exported ones) with sizes
/// between the smoke test's and the benchmark's: file in `METRON_BENCH_WASM`, export,
/// argument.
const WORKLOADS: &[(&str, &str, i32)] = &[
    ("suite.wasm", "fib_recursive", 22),
    ("suite.wasm", "fib_iterative", 200_000),
    ("suite.wasm", "sieve", 100_000),
    ("suite.wasm", "matmul", 30),
    ("suite.wasm", "sort", 5_000),
    ("suite.wasm", "keccak256", 20),
    ("suite.wasm", "sha256", 40),
    ("json.wasm", "json_parse", 2),
    ("regex.wasm", "regex_match", 1),
    ("suite.wasm", "deflate", 8),
    ("suite.wasm", "nbody", 2_000),
    ("suite.wasm", "mandelbrot", 40),
    ("suite.wasm", "bulk_memory", 100),
    ("suite.wasm", "dispatch", 200),
];

/// Measures the workloads' median of cost units per gas unit, the base of
/// `cost::WORKLOAD_MEDIAN_MILLI`. Needs the modules the bench's build script writes
/// (`METRON_BENCH_WASM`: its `OUT_DIR`, e.g. `target/release/build/metron-bench-*/out`).
#[test]
#[ignore = "needs METRON_BENCH_WASM, the bench's built modules; prints the median"]
fn workload_median() {
    let dir = std::env::var("METRON_BENCH_WASM").expect("METRON_BENCH_WASM: the bench's OUT_DIR");
    // The bench's configuration (`bench/src/engine.rs`, `metron_config`): the default
    // one with module-size limits that the large workload modules fit.
    let config = Config {
        limits: Limits {
            max_code_size: 64 << 20,
            max_function_body_size: 8 << 20,
            max_functions: 1 << 20,
            max_memory_pages: 1024,
            ..Limits::default()
        },
        ..Config::default()
    };
    let mut ratios = Vec::new();
    for &(file, export, n) in WORKLOADS {
        let wasm = std::fs::read(format!("{dir}/{file}")).expect("a bench module");
        let m = cost::measure_calls(
            &config,
            &wasm,
            &[(export.to_string(), vec![Value::I32(n)])],
            1 << 40,
        )
        .expect("the workload loads");
        eprintln!(
            "{export:<14} n = {n:>7}: {:>12} units {:>12} gas {:>7} units/gas {:?}",
            m.units(),
            m.gas,
            milli(m.ratio_milli()),
            m.counters
        );
        ratios.push(m.ratio_milli());
    }
    ratios.sort_unstable();
    // An even count: the mean of the two middle values (rounded down).
    let k = ratios.len();
    let median = (ratios[(k - 1) / 2] + ratios[k / 2]) / 2;
    eprintln!(
        "median {} units/gas over {} workloads (WORKLOAD_MEDIAN_MILLI = {median}); 4x: {}",
        milli(median),
        ratios.len(),
        milli(4 * median)
    );
}

/// The worst shape the seeded run found (`METRON_FUZZ_MODULES=20000`: modules 14605,
/// 10248, 7725, 6146 at 3.423-3.439 units per gas, all of this shape): `global.get`s
/// whose values stay on the operand stack. Each costs 1 gas and one dispatch (a
/// `local.get` costs 1 gas and none: locals are used in place), and so does each
/// `i32.add` over them: 4 cost units per gas unit, 4.7x the workloads' median in the
/// limit. FAILS under schedule version 2 (reported to the lead; the threshold is not
/// weakened): `global.get` is priced like `local.get` but dispatches like an
/// arithmetic instruction.
#[test]
fn global_get_chain() {
    let chain = format!(
        "(drop {}(i32.const 0){})\n",
        "(i32.add (global.get $g) ".repeat(16),
        ")".repeat(16)
    );
    let wat = format!(
        r#"(module
  (global $g (mut i32) (i32.const 3))
  (func (export "run") (local $i i32)
    (loop $l
{}      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))))"#,
        chain.repeat(8)
    );
    let m = cost::cost_per_gas(&wat::parse_str(&wat).unwrap(), GAS_LIMIT).unwrap();
    eprintln!(
        "global_get_chain: {} cost units per gas ({} units, {} gas, {:?})\n{wat}",
        milli(m.ratio_milli()),
        m.units(),
        m.gas,
        m.counters
    );
    assert!(
        m.ratio_milli() <= THRESHOLD_MILLI,
        "{} cost units per gas, over the threshold {}",
        milli(m.ratio_milli()),
        milli(THRESHOLD_MILLI)
    );
}
