//! `metron-conformance [--json] [FILE...]`: runs the WebAssembly spec suite against
//! Metron (gas off and on) and prints a per-file table with totals, or a JSON summary.
//! Exits with status 1 if any check failed or was skipped, 2 on usage errors.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut json = false;
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--json" => json = true,
            "-h" | "--help" => {
                println!(
                    "usage: metron-conformance [--json] [FILE...]\n\n\
                     Runs the WebAssembly spec test suite ({} or ../shared/testsuite) against\n\
                     Metron, gas metering off and on. FILE: a path, or a suite name (i32, i32.wast).",
                    metron_conformance::SUITE_ENV
                );
                return ExitCode::SUCCESS;
            }
            _ => files.push(a),
        }
    }
    let files = match metron_conformance::resolve_files(&files) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let summary = metron_conformance::run_files(&files, threads);
    if json {
        println!("{}", summary.json());
    } else {
        print!("{}", summary.table());
    }
    if summary.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
