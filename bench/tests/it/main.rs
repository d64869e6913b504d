//! Smoke tests of the benchmark harness: every workload runs once on both engines with a
//! tiny input and they agree; the adversarial modules load within Metron's default
//! limits; the report formats.

mod gas;

use metron_bench::{compile, exec, workloads};

#[test]
fn every_workload_agrees_on_both_engines() {
    for w in workloads::WORKLOADS {
        for metering in [true, false] {
            if let Err(e) = workloads::check_agree(w, w.smoke_n, metering) {
                panic!("{e}");
            }
        }
    }
}

#[test]
fn workload_names_are_unique() {
    let mut names: Vec<&str> = workloads::WORKLOADS.iter().map(|w| w.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), workloads::WORKLOADS.len());
}

#[test]
fn exec_harness_runs_and_reports() {
    let opts = exec::ExecOptions {
        samples: 1,
        scale: 0.0, // n = 1 for every workload
        filter: vec!["fib_iterative".into(), "token".into()],
    };
    let rows = exec::run(workloads::WORKLOADS, &opts).expect("exec");
    assert_eq!(rows.len(), 2);
    let table = exec::report(&rows);
    assert!(table.contains("| fib_iterative | 1 |"), "{table}");
    assert!(table.contains("**geomean**"), "{table}");
}

#[test]
fn adversarial_modules_load_within_default_limits() {
    let config = metron_vm::Config::default();
    for input in compile::adversarial_inputs() {
        assert!(
            compile::code_section_size(&input.wasm) > 0,
            "{}",
            input.name
        );
        if let Err(e) = metron_vm::Module::new(&config, &input.wasm) {
            panic!("{}: {e}", input.name);
        }
    }
}

#[test]
fn compile_report_has_both_tables() {
    let mut inputs = vec![compile::Input {
        name: compile::TYPICAL,
        wasm: metron_bench::artifacts::JSON_WASM.to_vec(),
        adversarial: false,
    }];
    inputs.push(compile::Input {
        name: "loops",
        wasm: compile::empty_loops(100),
        adversarial: true,
    });
    let table = compile::report(&compile::run(&inputs, 1));
    assert!(table.contains("MB/s"), "{table}");
    assert!(table.contains("| loops |"), "{table}");
}
