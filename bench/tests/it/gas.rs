//! The gas calibration mode (`metron-bench gas`) on a tiny subset: every case yields a
//! positive gas figure and a parsable table row; the corpus modules validate.

use std::time::Duration;

use metron_bench::gas::{self, corpus, GasOptions, GasReport, GasRow};

/// The table row of `name`: (gas, ns/gas cell, ratio cell).
fn row<'a>(table: &'a str, name: &str) -> (u64, &'a str, &'a str) {
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("no row for {name} in\n{table}"));
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    // "", case, gas, time, ns/gas, ratio, ""
    assert_eq!(cells.len(), 7, "{line}");
    let gas = cells[2]
        .parse()
        .unwrap_or_else(|e| panic!("gas of {line}: {e}"));
    (gas, cells[4], cells[5])
}

#[test]
fn gas_mode_measures_a_subset() {
    let frame = "frame: call a fn of 4000 i32 locals";
    let indirect = "call: call_indirect in a loop";
    let opts = GasOptions {
        samples: 1,
        scale: 0.0, // n = 1
        gas_limit: 100_000,
        filter: vec!["fib_iterative".into(), frame.into(), indirect.into()],
    };
    let report = gas::run(&opts);
    assert!(!report.has_failures(), "{report:?}");
    assert_eq!(report.workloads.len(), 1);
    assert_eq!(report.adversarial.len(), 2);
    assert!(report.token.is_empty());
    let table = gas::report(&report);
    for name in ["fib_iterative", frame, indirect] {
        let (gas, per_gas, ratio) = row(&table, name);
        assert!(gas > 0, "{name}: {gas}");
        let per_gas: f64 = per_gas.parse().expect(per_gas);
        assert!(per_gas > 0.0, "{name}: {per_gas}");
        let ratio: f64 = ratio
            .strip_suffix('x')
            .and_then(|r| r.parse().ok())
            .expect(ratio);
        assert!(ratio > 0.0, "{name}: {ratio}");
    }
    // A corpus case runs until its gas limit.
    assert!(report.adversarial.iter().all(|r| r.gas == 100_000));
    assert_eq!(row(&table, "fib_iterative").2, "1.00x");
    assert!(table.contains("\nworst case: "), "{table}");
    // The compile section: the typical modules and the two corpus modules.
    assert_eq!(report.compile.iter().filter(|c| !c.typical).count(), 2);
    assert!(table.contains("| *typical: token contract* |"), "{table}");
}

#[test]
fn zero_gas_is_reported_unbounded() {
    let measured = |name: &str, ns: Option<f64>| GasRow {
        name: name.into(),
        gas: if ns.is_some() { 1000 } else { 0 },
        time: Duration::from_micros(2),
        ns_per_gas: ns,
        error: None,
    };
    let report = GasReport {
        workloads: vec![measured("w", Some(2.0))],
        adversarial: vec![measured("a", Some(10.0)), measured("i", None)],
        samples: 1,
        ..GasReport::default()
    };
    let table = gas::report(&report);
    assert!(
        table.contains("| i | 0 | 2.0 µs | unbounded (0 gas) | unbounded (0 gas) |"),
        "{table}"
    );
    assert!(
        table.contains("| a | 1000 | 2.0 µs | 10.000 | 5.00x |"),
        "{table}"
    );
    assert!(table.contains("worst case: a 5.00x"), "{table}");
    assert!(
        table.contains("worst case without host functions: a 5.00x"),
        "{table}"
    );
    assert!(table.contains("unbounded (0 gas): 1 case(s): i"), "{table}");
}

#[test]
fn corpus_modules_validate_with_unique_names() {
    let cases = corpus::corpus();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len());
    let limits = metron_vm::Limits::default();
    for c in &cases {
        let wasm = (c.build)();
        assert!(wasm.len() <= limits.max_code_size as usize, "{}", c.name);
        if let Err(e) = wasmparser::validate(&wasm) {
            panic!("{}: {e}", c.name);
        }
    }
}

#[test]
fn recursion_case_reaches_the_call_depth_limit() {
    let config = metron_vm::Config::default();
    let run = |depth| {
        let wasm = wat::parse_str(corpus::recursion(depth)).expect("wat");
        let module = metron_vm::Module::new(&config, &wasm).expect("compile");
        let mut inst = metron_vm::Instance::new(
            &module,
            &mut metron_vm::NoHost,
            &mut metron_vm::GasMeter::unlimited(),
        )
        .expect("instantiate");
        let mut gas = metron_vm::GasMeter::new(200_000);
        inst.invoke(&mut metron_vm::NoHost, "run", &[], &mut gas)
            .expect_err("run loops until a trap")
            .kind()
    };
    assert_eq!(run(corpus::MAX_RECURSION), metron_vm::TrapKind::OutOfGas);
    assert_eq!(
        run(corpus::MAX_RECURSION + 1),
        metron_vm::TrapKind::CallStackExhausted
    );
}
