//! `metron-bench [exec|compile|all|gas] [--samples N] [--scale X] [--filter NAME]...`
//!
//! Prints Markdown tables (see `docs/performance.md`); progress goes to stderr. Exits
//! with status 1 if an engine fails or the engines disagree on a result.
//!
//! # Gas calibration
//!
//! `cargo run --release -p metron-bench -- gas` measures time per gas unit (`DESIGN.md`,
//! "Gas must bound work"; the cases are in `bench/src/gas/corpus.rs`, the harness in
//! `bench/src/gas.rs`) and prints one table per section: the execution workloads (their
//! median ns/gas is the reference), the token contract through the in-memory host, the
//! adversarial corpus (loops under a gas limit, growth in fresh instances,
//! instantiation), and compilation (ns/byte and peak heap against the typical modules),
//! then `worst case: <name> <ratio>x`. `--samples N` (default 3), `--filter S` (case
//! names), `--gas-limit G` (default 20,000,000 per adversarial sample) and `--scale X`
//! apply. About a minute on two cores.

use std::process::ExitCode;

use metron_bench::{compile, exec, gas, workloads};

/// Counts heap bytes for the peak-heap column of `gas`'s compile section.
#[global_allocator]
static ALLOC: metron_bench::heap::Counting = metron_bench::heap::Counting;

const USAGE: &str =
    "usage: metron-bench [exec|compile|all|gas] [--samples N] [--scale X] [--filter NAME]...

  exec      execution time, Metron vs wasmi, metering on and off, metering overhead
  compile   compile throughput on large modules and ns/byte of adversarial modules
  all       exec and compile (default)
  gas       gas calibration: ns per gas unit of the workloads, the token contract and an
            adversarial corpus, as ratios to the workloads' median; compile ns/byte and
            peak heap against the typical modules; ends with the worst case
  ir MODULE FUNC   print Metron IR of a function (MODULE: suite|json|regex|token;
                   FUNC: an export name or a function index)

  --samples N     timed samples per case and engine (default 9, gas: 3; the median is
                  reported)
  --scale X       multiply every workload size by X (default 1.0)
  --filter S      only workloads / compile inputs / gas cases whose name contains S
                  (repeatable)
  --gas-limit G   gas: gas limit of an adversarial sample (default 20000000)";

fn main() -> ExitCode {
    let mut mode = "all".to_string();
    let mut opts = exec::ExecOptions::default();
    let mut samples: Option<usize> = None;
    let mut gas_limit = gas::GasOptions::default().gas_limit;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |what: &str| args.next().ok_or_else(|| format!("{a} needs {what}"));
        let parsed: Result<(), String> = match a.as_str() {
            "ir" => {
                let (Some(module), Some(func)) = (args.next(), args.next()) else {
                    eprintln!("ir needs MODULE and FUNC\n{USAGE}");
                    return ExitCode::from(2);
                };
                return match metron_bench::ir(&module, &func) {
                    Ok(text) => {
                        println!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::FAILURE
                    }
                };
            }
            "exec" | "compile" | "all" | "gas" => {
                mode = a.clone();
                Ok(())
            }
            "--samples" => value("a number").and_then(|v| {
                v.parse()
                    .map(|n| samples = Some(n))
                    .map_err(|e| format!("--samples: {e}"))
            }),
            "--scale" => value("a number").and_then(|v| {
                v.parse()
                    .map(|x| opts.scale = x)
                    .map_err(|e| format!("--scale: {e}"))
            }),
            "--filter" => value("a name").map(|v| opts.filter.push(v)),
            "--gas-limit" => value("a number").and_then(|v| {
                v.parse()
                    .map(|g| gas_limit = g)
                    .map_err(|e| format!("--gas-limit: {e}"))
            }),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(e) = parsed {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: debug build; run with --release for meaningful figures");
    }

    if mode == "gas" {
        let gas_opts = gas::GasOptions {
            samples: samples.unwrap_or(gas::GasOptions::default().samples),
            scale: opts.scale,
            gas_limit,
            filter: opts.filter.clone(),
        };
        let report = gas::run(&gas_opts);
        println!("{}", gas::report(&report));
        return if report.has_failures() {
            eprintln!("error: some cases could not be measured (see the tables)");
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    if let Some(n) = samples {
        opts.samples = n;
    }
    if mode == "exec" || mode == "all" {
        match exec::run(workloads::WORKLOADS, &opts) {
            Ok(rows) => {
                println!("## Execution (median of {} samples)\n", opts.samples);
                println!("{}", exec::report(&rows));
            }
            Err(e) => {
                eprintln!("\nerror: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if mode == "compile" || mode == "all" {
        let mut inputs = compile::typical_inputs();
        inputs.extend(compile::adversarial_inputs());
        if !opts.filter.is_empty() {
            inputs.retain(|i| opts.filter.iter().any(|f| i.name.contains(f.as_str())));
        }
        let rows = compile::run(&inputs, opts.samples);
        println!(
            "## Compile (validation + translation, metering on, median of {} samples)\n",
            opts.samples
        );
        println!("{}", compile::report(&rows));
    }
    ExitCode::SUCCESS
}
