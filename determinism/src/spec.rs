//! The `spec` part: every `.wast` file of the WebAssembly spec suite (found as
//! `metron-conformance` finds it), gas metering off then on, through the conformance
//! runner's observations ([`metron_conformance::runner::run_script_observed`]).

use std::path::{Path, PathBuf};

use metron_conformance::runner::{self, GasMode, Observation, Status};

use crate::recorder::{
    encode_value, encode_values, error_kind_name, run_ordered, trap_name, Buffer, Sink,
};

/// The suite's `.wast` files, sorted by name.
///
/// # Errors
/// The suite is missing (the message says where it was looked for).
pub fn files() -> Result<Vec<PathBuf>, String> {
    metron_conformance::suite_files(&metron_conformance::suite_dir()?)
}

/// Runs `files` (in the given order; [`files`] sorts them) on up to `threads` threads and
/// records, per file, per gas mode (`off`, then `on`), per directive in order:
/// every observation (`<file>:<line> gas <mode> #<k>`, see [`encode_observation`]), then
/// each check's verdict (`<file>:<line> gas <mode> check`: `pass`, `fail`, `skip` or
/// `n/a`). A file that cannot be read or parsed records the error class; a runner panic
/// records `panic`.
pub fn run(files: &[PathBuf], threads: usize, sink: &mut dyn Sink) {
    run_ordered(files.len(), threads, sink, &|i, buf| {
        run_file(&files[i], buf)
    });
}

fn run_file(path: &Path, sink: &mut Buffer) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) => {
            sink.item(&format!("{name} unreadable"), b"");
            return;
        }
    };
    let simd = metron_conformance::is_simd(path);
    for mode in [GasMode::Off, GasMode::On] {
        let prefix = format!("{name}:");
        let gas = mode.as_str();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut last = (0, 0);
            let mut observed = Buffer::default();
            let run = runner::run_script_observed(&text, mode, simd, &mut |line, o| {
                let k = if last.0 == line { last.1 + 1 } else { 0 };
                last = (line, k);
                let mut bytes = Vec::new();
                encode_observation(&mut bytes, &o);
                observed.item(&format!("{prefix}{line} gas {gas} #{k}"), &bytes);
            });
            (run, observed)
        }));
        match r {
            Ok((Ok(run), observed)) => {
                observed.replay(sink);
                for c in &run.checks {
                    let verdict: &[u8] = match c.status {
                        Status::Pass => b"pass",
                        Status::Fail(_) => b"fail",
                        Status::Skip(_) => b"skip",
                        Status::NotApplicable => b"n/a",
                    };
                    sink.item(&format!("{prefix}{} gas {gas} check", c.line), verdict);
                }
            }
            Ok((Err(_), _)) => sink.item(&format!("{name} gas {gas} parse error"), b""),
            Err(_) => sink.item(&format!("{name} gas {gas} panic"), b""),
        }
    }
}

/// The bytes of one observation: a tag byte, then
/// * `1` rejected: the error kind ([`error_kind_name`]) as UTF-8;
/// * `2` instantiated: gas used (u64 LE);
/// * `3` instantiation failed: `0` or `1` and the trap's name, then gas used;
/// * `4` returned: the values ([`encode_values`]), then gas used;
/// * `5` trapped: gas used, then the trap's name ([`trap_name`]);
/// * `6` a global read: the value ([`encode_value`]).
pub fn encode_observation(out: &mut Vec<u8>, o: &Observation) {
    match o {
        Observation::Rejected(k) => {
            out.push(1);
            out.extend_from_slice(error_kind_name(k).as_bytes());
        }
        Observation::Instantiated { gas_used } => {
            out.push(2);
            out.extend_from_slice(&gas_used.to_le_bytes());
        }
        Observation::InstantiationFailed { trap, gas_used } => {
            out.push(3);
            match trap {
                None => out.push(0),
                Some(t) => {
                    out.push(1);
                    out.extend_from_slice(trap_name(*t).as_bytes());
                }
            }
            out.extend_from_slice(&gas_used.to_le_bytes());
        }
        Observation::Returned { values, gas_used } => {
            out.push(4);
            encode_values(out, values);
            out.extend_from_slice(&gas_used.to_le_bytes());
        }
        Observation::Trapped { trap, gas_used } => {
            out.push(5);
            out.extend_from_slice(&gas_used.to_le_bytes());
            out.extend_from_slice(trap_name(*trap).as_bytes());
        }
        Observation::Global(v) => {
            out.push(6);
            encode_value(out, v);
        }
    }
}
