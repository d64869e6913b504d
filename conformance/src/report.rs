//! Per-file results and their presentation: a text table with totals, or JSON.

use serde::Serialize;

use crate::runner::{FileRun, GasMode, Status};

/// Counts of one file in one gas mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Checks that behaved as the spec requires.
    pub passed: u64,
    /// Checks that did not (including gas-mode disagreements, counted in the gas-on run).
    pub failed: u64,
    /// Checks that could not be run.
    pub skipped: u64,
    /// Assertions about SIMD modules' behaviour (not applicable: Metron rejects them).
    pub not_applicable: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
        self.not_applicable += o.not_applicable;
    }
}

/// One failure or skip, for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line in the file (0: the whole file).
    pub line: usize,
    /// `"off"`, `"on"` or `"both"` (gas-mode comparison).
    pub gas: &'static str,
    /// `"fail"` or `"skip"`.
    pub kind: &'static str,
    /// The reason.
    pub reason: String,
}

/// Results of one file in both gas modes.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    /// File name (`i32.wast`).
    pub file: String,
    /// Whether this is a `simd_*` file.
    pub simd: bool,
    /// Counts with gas metering off.
    pub gas_off: Counts,
    /// Counts with gas metering on.
    pub gas_on: Counts,
    /// Every failure and skip.
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// An empty report.
    pub fn new(file: String, simd: bool) -> FileReport {
        FileReport {
            file,
            simd,
            gas_off: Counts::default(),
            gas_on: Counts::default(),
            problems: Vec::new(),
        }
    }

    /// Records a file-level error (parse error, panic) as one failure in both modes.
    pub fn error(&mut self, reason: &str) {
        self.gas_off.failed += 1;
        self.gas_on.failed += 1;
        self.problems.push(Problem {
            line: 0,
            gas: "both",
            kind: "fail",
            reason: reason.to_owned(),
        });
    }

    /// Records a disagreement between the two gas modes (a failure of the gas-on run).
    pub fn mismatch(&mut self, line: usize, reason: &str) {
        self.gas_on.failed += 1;
        self.problems.push(Problem {
            line,
            gas: "both",
            kind: "fail",
            reason: format!("results differ between gas modes: {reason}"),
        });
    }

    /// Adds the checks of one run.
    pub fn add_run(&mut self, mode: GasMode, run: &FileRun) {
        let gas = mode.as_str();
        let mut c = Counts::default();
        for check in &run.checks {
            match &check.status {
                Status::Pass => c.passed += 1,
                Status::NotApplicable => c.not_applicable += 1,
                Status::Fail(r) => {
                    c.failed += 1;
                    self.problems.push(Problem {
                        line: check.line,
                        gas,
                        kind: "fail",
                        reason: r.clone(),
                    });
                }
                Status::Skip(r) => {
                    c.skipped += 1;
                    self.problems.push(Problem {
                        line: check.line,
                        gas,
                        kind: "skip",
                        reason: r.clone(),
                    });
                }
            }
        }
        match mode {
            GasMode::Off => self.gas_off.add(&c),
            GasMode::On => self.gas_on.add(&c),
        }
    }

    /// Whether everything passed in both modes (no failure, no skip).
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
            && self.gas_off.failed + self.gas_off.skipped + self.gas_on.failed + self.gas_on.skipped
                == 0
    }
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Per-file reports, in file name order.
    pub files: Vec<FileReport>,
    /// Totals of the non-SIMD files, gas off.
    pub total_gas_off: Counts,
    /// Totals of the non-SIMD files, gas on.
    pub total_gas_on: Counts,
    /// Totals of the SIMD files, gas off.
    pub simd_gas_off: Counts,
    /// Totals of the SIMD files, gas on.
    pub simd_gas_on: Counts,
}

impl Summary {
    /// Totals over `files`.
    pub fn new(files: Vec<FileReport>) -> Summary {
        let mut s = Summary {
            files: Vec::new(),
            total_gas_off: Counts::default(),
            total_gas_on: Counts::default(),
            simd_gas_off: Counts::default(),
            simd_gas_on: Counts::default(),
        };
        for f in &files {
            let (off, on) = if f.simd {
                (&mut s.simd_gas_off, &mut s.simd_gas_on)
            } else {
                (&mut s.total_gas_off, &mut s.total_gas_on)
            };
            off.add(&f.gas_off);
            on.add(&f.gas_on);
        }
        s.files = files;
        s
    }

    /// Whether every file passed.
    pub fn ok(&self) -> bool {
        self.files.iter().all(FileReport::ok)
    }

    /// The text table (Markdown): one row per file (passed/failed/skipped with gas off,
    /// then with gas on, and the not-applicable SIMD assertions), totals, then every
    /// failure and skip with its reason.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let w = self
            .files
            .iter()
            .map(|f| f.file.len())
            .max()
            .unwrap_or(4)
            .max(14);
        let _ = writeln!(
            out,
            "| {:<w$} | {:>7} | {:>6} | {:>7} | {:>7} | {:>6} | {:>7} | {:>8} |",
            "file", "off:ok", "fail", "skip", "on:ok", "fail", "skip", "simd n/a"
        );
        let _ = writeln!(
            out,
            "|{}|{}:|{}:|{}:|{}:|{}:|{}:|{}:|",
            "-".repeat(w + 2),
            "-".repeat(8),
            "-".repeat(7),
            "-".repeat(8),
            "-".repeat(8),
            "-".repeat(7),
            "-".repeat(8),
            "-".repeat(9)
        );
        let row = |out: &mut String, name: &str, off: &Counts, on: &Counts| {
            let _ = writeln!(
                out,
                "| {:<w$} | {:>7} | {:>6} | {:>7} | {:>7} | {:>6} | {:>7} | {:>8} |",
                name,
                off.passed,
                off.failed,
                off.skipped,
                on.passed,
                on.failed,
                on.skipped,
                off.not_applicable.max(on.not_applicable)
            );
        };
        for f in &self.files {
            row(&mut out, &f.file, &f.gas_off, &f.gas_on);
        }
        row(
            &mut out,
            "TOTAL non-SIMD",
            &self.total_gas_off,
            &self.total_gas_on,
        );
        row(
            &mut out,
            "TOTAL SIMD",
            &self.simd_gas_off,
            &self.simd_gas_on,
        );
        let failing: Vec<&FileReport> = self.files.iter().filter(|f| !f.ok()).collect();
        if !failing.is_empty() {
            let _ = writeln!(out, "\nFailures and skips:");
            for f in failing {
                for p in &f.problems {
                    let _ = writeln!(
                        out,
                        "  {}:{} [gas {}] {}: {}",
                        f.file, p.line, p.gas, p.kind, p.reason
                    );
                }
            }
        }
        out
    }

    /// The JSON summary.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
