//! Metron's WebAssembly spec conformance runner.
//!
//! Runs the `.wast` scripts of the official test suite (WebAssembly/testsuite at commit
//! 49b5977: WebAssembly 2.0) against the Metron VM, every file twice: gas metering off,
//! then on with a large limit. Both runs must pass every check and agree check by check.
//! `simd_*.wast` files must have every module rejected with "SIMD is not supported".
//!
//! * [`runner`]: one script in one gas mode.
//! * [`spectest`]: the `spectest` host module.
//! * [`report`]: per-file and total tables, text and JSON.
#![deny(missing_docs)]

pub mod report;
pub mod runner;
pub mod spectest;

use std::path::{Path, PathBuf};

use report::FileReport;
use runner::{GasMode, Status};

/// Environment variable naming the suite directory.
pub const SUITE_ENV: &str = "METRON_TESTSUITE";

/// Finds the suite: `$METRON_TESTSUITE`, else `../shared/testsuite` relative to the
/// workspace root (the parent of this crate's manifest directory) or to the current
/// directory, whichever exists.
///
/// # Errors
/// A message for people saying where the suite was looked for and how to get it.
pub fn suite_dir() -> Result<PathBuf, String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bases: Vec<PathBuf> = [Some(workspace), std::env::current_dir().ok()]
        .into_iter()
        .flatten()
        .collect();
    find_suite(std::env::var_os(SUITE_ENV).map(PathBuf::from), &bases)
}

/// [`suite_dir`] with its inputs explicit: the value of `METRON_TESTSUITE` (if set) and
/// the directories whose `../shared/testsuite` is tried, in order.
///
/// # Errors
/// As [`suite_dir`].
pub fn find_suite(env: Option<PathBuf>, bases: &[PathBuf]) -> Result<PathBuf, String> {
    if let Some(p) = env {
        return if p.is_dir() {
            Ok(p)
        } else {
            Err(format!("{SUITE_ENV}={} is not a directory", p.display()))
        };
    }
    let mut tried = Vec::new();
    for base in bases {
        let p = base.join("..").join("shared").join("testsuite");
        if p.is_dir() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    Err(format!(
        "WebAssembly spec test suite not found: {SUITE_ENV} is unset and none of [{}] exists. \
         Clone https://github.com/WebAssembly/testsuite at commit 49b5977 and set {SUITE_ENV} \
         to its directory.",
        tried.join(", ")
    ))
}

/// The top-level `.wast` files of the suite, sorted by name.
///
/// # Errors
/// A message if the directory cannot be read.
pub fn suite_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wast") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `path` is one of the `simd_*.wast` files.
pub fn is_simd(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("simd_"))
}

/// Runs one file in both gas modes and compares them. Never panics: a panic in the VM or
/// the runner is caught and reported as a failure.
pub fn run_file(path: &Path) -> FileReport {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let simd = is_simd(path);
    let mut report = FileReport::new(name, simd);
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                report.error("the file is not UTF-8");
                return report;
            }
        },
        Err(e) => {
            report.error(&format!("cannot read: {e}"));
            return report;
        }
    };
    let mut runs = Vec::new();
    for mode in [GasMode::Off, GasMode::On] {
        let r = std::panic::catch_unwind(|| runner::run_script(&text, mode, simd));
        match r {
            Ok(Ok(run)) => {
                report.add_run(mode, &run);
                runs.push(run);
            }
            Ok(Err(e)) => {
                report.error(&format!("parse error: {e}"));
                return report;
            }
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                report.error(&format!("panicked (gas {}): {msg}", mode.as_str()));
                return report;
            }
        }
    }
    // Gas must not change any result.
    if let [off, on] = &runs[..] {
        if off.checks.len() != on.checks.len() {
            report.error("the gas-off and gas-on runs made a different number of checks");
        }
        for (a, b) in off.checks.iter().zip(&on.checks) {
            let same_status = matches!(
                (&a.status, &b.status),
                (Status::Pass, Status::Pass)
                    | (Status::Fail(_), Status::Fail(_))
                    | (Status::Skip(_), Status::Skip(_))
                    | (Status::NotApplicable, Status::NotApplicable)
            );
            if !same_status || a.signature != b.signature {
                report.mismatch(
                    a.line,
                    &format!("gas off: {} / gas on: {}", a.signature, b.signature),
                );
            }
        }
    }
    report
}

/// Runs `files` on up to `threads` worker threads (files are independent) and sums up.
/// The order of the result is the order of `files`, whatever the scheduling.
pub fn run_files(files: &[PathBuf], threads: usize) -> report::Summary {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileReport>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, files.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let r = run_file(path);
                if let Ok(mut v) = results.lock() {
                    v[i] = Some(r);
                }
            });
        }
    });
    let reports = results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    report::Summary::new(reports)
}

/// Resolves command-line file arguments: a path to a file, or a name in the suite with
/// or without `.wast` (`i32`, `i32.wast`). No arguments: the whole suite.
///
/// # Errors
/// A message for a name that is not found, or when the suite is needed and missing.
pub fn resolve_files(args: &[String]) -> Result<Vec<PathBuf>, String> {
    if args.is_empty() {
        return suite_files(&suite_dir()?);
    }
    let mut out = Vec::new();
    for a in args {
        let p = PathBuf::from(a);
        if p.is_file() {
            out.push(p);
            continue;
        }
        let dir = suite_dir()?;
        let name = if a.ends_with(".wast") {
            a.clone()
        } else {
            format!("{a}.wast")
        };
        let p = dir.join(&name);
        if !p.is_file() {
            return Err(format!("{a}: no such file, and no {}", p.display()));
        }
        out.push(p);
    }
    Ok(out)
}
