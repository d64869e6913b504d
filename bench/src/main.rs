//! `metron-bench [exec|compile|all] [--samples N] [--scale X] [--filter NAME]...`
//!
//! Prints Markdown tables (see `docs/performance.md`); progress goes to stderr. Exits
//! with status 1 if an engine fails or the engines disagree on a result.

use std::process::ExitCode;

use metron_bench::{compile, exec, workloads};

const USAGE: &str =
    "usage: metron-bench [exec|compile|all] [--samples N] [--scale X] [--filter NAME]...

  exec      execution time, Metron vs wasmi, metering on and off, metering overhead
  compile   compile throughput on large modules and ns/byte of adversarial modules
  all       both (default)
  ir MODULE FUNC   print Metron IR of a function (MODULE: suite|json|regex|token;
                   FUNC: an export name or a function index)

  --samples N   timed samples per case and engine (default 9; the median is reported)
  --scale X     multiply every workload size by X (default 1.0)
  --filter S    only workloads / compile inputs whose name contains S (repeatable)";

fn main() -> ExitCode {
    let mut mode = "all".to_string();
    let mut opts = exec::ExecOptions::default();
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
            "exec" | "compile" | "all" => {
                mode = a.clone();
                Ok(())
            }
            "--samples" => value("a number").and_then(|v| {
                v.parse()
                    .map(|n| opts.samples = n)
                    .map_err(|e| format!("--samples: {e}"))
            }),
            "--scale" => value("a number").and_then(|v| {
                v.parse()
                    .map(|x| opts.scale = x)
                    .map_err(|e| format!("--scale: {e}"))
            }),
            "--filter" => value("a name").map(|v| opts.filter.push(v)),
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
