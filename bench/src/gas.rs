//! The gas calibration benchmark (`metron-bench gas`): time per gas unit of real programs
//! and of an adversarial corpus, and compile time and peak heap per module byte.
//!
//! `docs/gas.md`'s schedule must bound work (`DESIGN.md`, "Gas must bound work"): the
//! worst case's ns/gas may be at most a small multiple of the real programs' median.
//! Four sections, each a table:
//!
//! 1. the execution workloads ([`crate::workloads::WORKLOADS`] that export a function),
//!    metering on, gas read from Metron's meter: their median ns/gas is the reference
//!    every ratio is taken to;
//! 2. the token contract's methods through the in-memory `metron` host of
//!    [`crate::token`] (not the node's RocksDB host), a fresh instance per call;
//! 3. the adversarial corpus ([`corpus`]) under a gas limit ([`GasOptions::gas_limit`]),
//!    or per instantiation for the instantiation cases (a case charged 0 gas prints
//!    "unbounded (0 gas)");
//! 4. compilation (`Module::new`) of every corpus module and of the typical modules:
//!    ns per module byte and peak heap (counted by [`crate::heap`] when the binary
//!    installs it) as ratios to the typical modules' medians. A module `Module::new`
//!    rejects shows "rejected: <error>" and the time the rejection took.
//!
//! Every figure is the median of [`GasOptions::samples`] samples after one warm-up run.

pub mod corpus;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use metron_vm::{Config, GasMeter, Instance, InstantiationError, Module, TrapKind};

use crate::engine::{metron_config, EngineKind};
use crate::heap;
use crate::stats::{median, median_ratio};
use crate::token::{HostState, MetronToken, METHODS};
use crate::workloads::{prepare, Source, WORKLOADS};
use corpus::{Case, Drive};

/// Options of the calibration benchmark.
#[derive(Clone, Debug)]
pub struct GasOptions {
    /// Timed samples per case (after one warm-up run); the median is reported.
    pub samples: usize,
    /// Multiplies the workloads' and the token calls' size parameter (`n`).
    pub scale: f64,
    /// Gas limit of a corpus case's sample, lowered for a case whose warm-up shows a
    /// sample would take longer than [`MAX_SAMPLE`].
    pub gas_limit: u64,
    /// Only cases whose name contains one of these (all if empty). The workloads are the
    /// reference: if the filter selects none of them, all of them run.
    pub filter: Vec<String>,
}

impl Default for GasOptions {
    fn default() -> Self {
        GasOptions {
            samples: 3,
            scale: 1.0,
            gas_limit: 20_000_000,
            filter: Vec::new(),
        }
    }
}

impl GasOptions {
    fn selects(&self, name: &str) -> bool {
        self.filter.is_empty() || self.filter.iter().any(|f| name.contains(f.as_str()))
    }
}

/// Longest time a corpus case's sample may take: a case's gas limit is lowered until
/// it fits (so the full run stays within minutes whatever the ratios).
pub const MAX_SAMPLE: Duration = Duration::from_millis(250);

/// Gas limit of the probe that decides a corpus case's gas limit (see [`MAX_SAMPLE`]).
const PROBE_GAS: u64 = 100_000;

/// Shortest timed region of an instantiation or compile sample (shorter ones are
/// repeated in one region and the time divided).
const MIN_SAMPLE: Duration = Duration::from_millis(5);

/// One measured execution case.
#[derive(Clone, Debug)]
pub struct GasRow {
    /// Case name.
    pub name: String,
    /// Gas used by one sample (per instantiation for the instantiation cases).
    pub gas: u64,
    /// Median time of a sample (per instantiation for the instantiation cases).
    pub time: Duration,
    /// Median over the samples of ns/gas (`None` when 0 gas was charged).
    pub ns_per_gas: Option<f64>,
    /// Why the case could not be measured.
    pub error: Option<String>,
}

/// One compiled module.
#[derive(Clone, Debug)]
pub struct CompileRow {
    /// Case or module name.
    pub name: String,
    /// A real program (the reference) rather than a corpus module.
    pub typical: bool,
    /// Module size in bytes.
    pub bytes: usize,
    /// Median time of one `Module::new` (of the rejection, if rejected).
    pub time: Duration,
    /// Peak heap growth during one compile, in bytes (`None` without the counting
    /// allocator).
    pub peak_heap: Option<usize>,
    /// `Module::new`'s error, if it rejected the module.
    pub rejected: Option<String>,
}

impl CompileRow {
    fn ns_per_byte(&self) -> f64 {
        self.time.as_secs_f64() * 1e9 / self.bytes.max(1) as f64
    }
}

/// All results, by section.
#[derive(Clone, Debug, Default)]
pub struct GasReport {
    /// Section 1: the execution workloads.
    pub workloads: Vec<GasRow>,
    /// Whether the workloads ran only as the reference (the filter selected none).
    pub workloads_reference_only: bool,
    /// Section 2: the token contract through the in-memory host.
    pub token: Vec<GasRow>,
    /// Section 3: the adversarial corpus.
    pub adversarial: Vec<GasRow>,
    /// Section 4: compilation.
    pub compile: Vec<CompileRow>,
    /// The options used.
    pub gas_limit: u64,
    /// Samples per case.
    pub samples: usize,
}

impl GasReport {
    /// The reference: median ns/gas of the workloads.
    pub fn reference(&self) -> Option<f64> {
        median_ratio(self.workloads.iter().filter_map(|r| r.ns_per_gas).collect())
    }

    /// Whether some case failed (not a rejection at compile, which is a valid outcome).
    pub fn has_failures(&self) -> bool {
        self.workloads
            .iter()
            .chain(&self.token)
            .chain(&self.adversarial)
            .any(|r| {
                r.error
                    .as_ref()
                    .is_some_and(|e| !e.starts_with("rejected:"))
            })
    }
}

fn scaled(n: i32, scale: f64) -> i32 {
    ((f64::from(n) * scale).round() as i32).max(1)
}

/// Runs `sample` once as a warm-up, then `samples` times; each call returns (time,
/// gas). The row holds the median time and ns/gas.
fn measure(
    name: &str,
    samples: usize,
    mut sample: impl FnMut() -> Result<(Duration, u64), String>,
) -> GasRow {
    let mut run = || -> Result<GasRow, String> {
        sample()?;
        let (mut times, mut per_gas, mut gas) = (Vec::new(), Vec::new(), 0);
        for _ in 0..samples.max(1) {
            let (d, g) = sample()?;
            times.push(d);
            gas = g;
            if g > 0 {
                per_gas.push(d.as_secs_f64() * 1e9 / g as f64);
            }
        }
        Ok(GasRow {
            name: name.to_string(),
            gas,
            time: median(&times),
            ns_per_gas: median_ratio(per_gas),
            error: None,
        })
    };
    let row = run().unwrap_or_else(|e| GasRow {
        name: name.to_string(),
        gas: 0,
        time: Duration::ZERO,
        ns_per_gas: None,
        error: Some(e),
    });
    eprintln!(
        "gas {:<62} {:>12} gas {:>12}  {}",
        row.name,
        row.gas,
        fmt_time(row.time),
        match (&row.error, row.ns_per_gas) {
            (Some(e), _) => format!("FAILED: {e}"),
            (None, Some(x)) => format!("{x:.3} ns/gas"),
            (None, None) => "0 gas".into(),
        }
    );
    row
}

/// Section 1: every workload exporting a function, metering on.
fn workloads(opts: &GasOptions) -> (Vec<GasRow>, bool) {
    let exports = || WORKLOADS.iter().filter(|w| w.source != Source::Token);
    let mut selected: Vec<_> = exports().filter(|w| opts.selects(w.name)).collect();
    let reference_only = selected.is_empty();
    if reference_only {
        selected = exports().collect();
    }
    let rows = selected
        .into_iter()
        .map(|w| {
            let n = scaled(w.n, opts.scale);
            let mut runner = prepare(w, EngineKind::Metron, true);
            measure(w.name, opts.samples, || {
                let r = runner.as_mut().map_err(|e| e.clone())?;
                let t = Instant::now();
                r.run(n)?;
                Ok((t.elapsed(), r.gas_used().unwrap_or(0)))
            })
        })
        .collect();
    (rows, reference_only)
}

/// The name of section 2's row for token method `m`.
pub fn token_case_name(m: &str) -> String {
    format!("token {m} (in-memory host)")
}

/// Section 2: the token contract's methods, `1000 × scale` calls per sample.
fn token(opts: &GasOptions) -> Vec<GasRow> {
    let n = scaled(1000, opts.scale);
    METHODS
        .iter()
        .filter(|m| opts.selects(&token_case_name(m)))
        .map(|m| {
            let mut token = MetronToken::new(true);
            measure(&token_case_name(m), opts.samples, || {
                let t = token.as_mut().map_err(|e| e.clone())?;
                let start = Instant::now();
                let (_, gas) = t.run_method(m, n)?;
                Ok((start.elapsed(), gas))
            })
        })
        .collect()
}

/// The host state of the host cases: a 64 KiB input and the all-zero 256-byte key (the
/// key buffer of an untouched [`corpus::host`] module) holding a 64 KiB value.
fn calibration_host() -> HostState {
    HostState::calibration(
        corpus::HOST_VALUE as usize,
        vec![0; corpus::HOST_KEY as usize],
        vec![0xa5; corpus::HOST_VALUE as usize],
    )
}

fn instantiate(
    module: &Module,
    host: &mut HostState,
    gas: &mut GasMeter,
) -> Result<Option<Instance>, String> {
    match Instance::new(module, host, gas) {
        Ok(i) => Ok(Some(i)),
        Err(InstantiationError::Trap(t)) if t.kind() == TrapKind::OutOfGas => Ok(None),
        Err(e) => Err(format!("instantiate: {e}")),
    }
}

/// `run` once: `Ok(true)` to go on, `Ok(false)` when out of gas.
fn invoke_run(
    inst: &mut Instance,
    host: &mut HostState,
    gas: &mut GasMeter,
) -> Result<bool, String> {
    match inst.invoke(host, "run", &[], gas) {
        Ok(_) => Ok(true),
        Err(t) if t.kind() == TrapKind::OutOfGas => Ok(false),
        // The abort host case: the call reverts, the next one starts.
        Err(t)
            if t.kind() == TrapKind::Host
                && t.message().is_some_and(|m| m.starts_with("abort")) =>
        {
            Ok(true)
        }
        Err(t) => Err(format!("run: {t}")),
    }
}

/// One sample of a [`Drive::Repeat`] or [`Drive::Fresh`] case under `limit`.
fn exec_sample(module: &Module, drive: Drive, limit: u64) -> Result<(Duration, u64), String> {
    let mut host = calibration_host();
    let mut gas = GasMeter::new(limit);
    let no_progress = || Err("a run used no gas (the case would never end)".to_string());
    if drive == Drive::Fresh {
        let t = Instant::now();
        loop {
            let before = gas.used();
            let Some(mut inst) = instantiate(module, &mut host, &mut gas)? else {
                break;
            };
            if !invoke_run(&mut inst, &mut host, &mut gas)? {
                break;
            }
            if gas.used() == before {
                return no_progress();
            }
        }
        return Ok((t.elapsed(), gas.used()));
    }
    let mut setup = GasMeter::unlimited();
    let mut inst = instantiate(module, &mut host, &mut setup)?.ok_or("instantiate: out of gas")?;
    if module.exports().any(|(name, _)| name == "init") {
        inst.invoke(&mut host, "init", &[], &mut setup)
            .map_err(|e| format!("init: {e}"))?;
    }
    let t = Instant::now();
    loop {
        let before = gas.used();
        if !invoke_run(&mut inst, &mut host, &mut gas)? {
            break;
        }
        if gas.used() == before {
            return no_progress();
        }
    }
    Ok((t.elapsed(), gas.used()))
}

/// One sample of a [`Drive::Instantiate`] case: `batch` instantiations (each dropped)
/// timed as one region; time and gas per instantiation.
fn instantiation_sample(module: &Module, batch: u32) -> Result<(Duration, u64), String> {
    let mut host = calibration_host();
    let mut gas = GasMeter::unlimited();
    let t = Instant::now();
    for _ in 0..batch {
        drop(instantiate(module, &mut host, &mut gas)?);
    }
    let elapsed = t.elapsed();
    Ok((elapsed / batch, gas.used() / u64::from(batch)))
}

/// Section 3: one corpus case (compile-only cases have no row).
fn adversarial(case: &Case, wasm: &[u8], opts: &GasOptions) -> Option<GasRow> {
    if case.drive == Drive::CompileOnly {
        return None;
    }
    let module = match Module::new(&Config::default(), wasm) {
        Ok(m) => m,
        Err(e) => {
            let row = GasRow {
                name: case.name.clone(),
                gas: 0,
                time: Duration::ZERO,
                ns_per_gas: None,
                error: Some(format!("rejected: {e}")),
            };
            eprintln!("gas {:<62} rejected: {e}", row.name);
            return Some(row);
        }
    };
    Some(match case.drive {
        Drive::Instantiate => {
            let batch = match instantiation_sample(&module, 1) {
                Ok((d, _)) => (MIN_SAMPLE.as_nanos() / d.as_nanos().max(1)).clamp(1, 10_000) as u32,
                Err(_) => 1,
            };
            measure(&case.name, opts.samples, || {
                instantiation_sample(&module, batch)
            })
        }
        drive => {
            // A short probe tells whether a sample at the full limit would take longer
            // than MAX_SAMPLE; if so the limit is lowered to fit.
            let probe = opts.gas_limit.min(PROBE_GAS);
            let limit = match exec_sample(&module, drive, probe) {
                Ok((d, g)) if g > 0 => {
                    let ns = d.as_secs_f64() * 1e9 / g as f64;
                    let fits = (MAX_SAMPLE.as_secs_f64() * 1e9 / ns.max(1e-3)) as u64;
                    opts.gas_limit.min(fits.max(probe))
                }
                _ => opts.gas_limit,
            };
            measure(&case.name, opts.samples, || {
                exec_sample(&module, drive, limit)
            })
        }
    })
}

/// Median time of one `Module::new` of `wasm` (or of its rejection): a warm-up, then
/// `samples` regions of at least [`MIN_SAMPLE`]. Also the peak heap growth of the
/// warm-up compile and the error if rejected.
fn compile_row(name: &str, typical: bool, wasm: &[u8], samples: usize) -> CompileRow {
    let config = if typical {
        metron_config(true)
    } else {
        Config::default()
    };
    let counting = heap::installed();
    let base = heap::reset_peak();
    let t = Instant::now();
    let result = Module::new(&config, wasm);
    let one = t.elapsed();
    let peak_heap = counting.then(|| heap::peak().saturating_sub(base));
    let rejected = result.err().map(|e| e.to_string());
    let batch = (MIN_SAMPLE.as_nanos() / one.as_nanos().max(1)).clamp(1, 1000) as u32;
    let times: Vec<Duration> = (0..samples.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                drop(std::hint::black_box(Module::new(&config, wasm)));
            }
            t.elapsed() / batch
        })
        .collect();
    let row = CompileRow {
        name: name.to_string(),
        typical,
        bytes: wasm.len(),
        time: median(&times),
        peak_heap,
        rejected,
    };
    eprintln!(
        "compile {:<62} {:>8} B {:>12}  {:.1} ns/B  peak {}{}",
        row.name,
        row.bytes,
        fmt_time(row.time),
        row.ns_per_byte(),
        row.peak_heap.map_or("-".into(), fmt_mb),
        row.rejected
            .as_ref()
            .map_or(String::new(), |e| format!("  rejected: {e}"))
    );
    row
}

/// The reference ns per gas unit of the host-function calibrations
/// (`chain-node/examples/*_gas.rs`): `given` if set, else the median of this module's
/// workloads, measured now (no corpus case runs).
///
/// # Panics
/// If the workloads cannot run (a broken build).
pub fn reference_ns_per_gas(given: Option<f64>) -> f64 {
    if let Some(x) = given {
        return x;
    }
    eprintln!("measuring the reference (metron-bench gas workloads)...");
    let opts = GasOptions {
        // Selects no corpus case: the workloads run as the reference only.
        filter: vec!["\u{0}".into()],
        ..Default::default()
    };
    run(&opts).reference().expect("the workloads ran")
}

/// Runs the calibration benchmark, printing progress to stderr.
pub fn run(opts: &GasOptions) -> GasReport {
    let (workloads, workloads_reference_only) = workloads(opts);
    let token = token(opts);
    let cases: Vec<(Case, Vec<u8>)> = corpus::corpus()
        .into_iter()
        .filter(|c| opts.selects(&c.name))
        .map(|c| {
            let wasm = (c.build)();
            (c, wasm)
        })
        .collect();
    let adversarial = cases
        .iter()
        .filter_map(|(c, wasm)| adversarial(c, wasm, opts))
        .collect();
    let typical = crate::compile::typical_inputs();
    let mut compile = Vec::new();
    if !cases.is_empty() || typical.iter().any(|i| opts.selects(i.name)) {
        for i in &typical {
            compile.push(compile_row(i.name, true, &i.wasm, opts.samples));
        }
        for (c, wasm) in &cases {
            compile.push(compile_row(&c.name, false, wasm, opts.samples));
        }
    }
    GasReport {
        workloads,
        workloads_reference_only,
        token,
        adversarial,
        compile,
        gas_limit: opts.gas_limit,
        samples: opts.samples,
    }
}

/// A duration with a unit that keeps 3-4 significant digits.
pub fn fmt_time(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

fn fmt_mb(bytes: usize) -> String {
    format!("{:.2}", bytes as f64 / 1e6)
}

/// What an execution row prints in the ns/gas and ratio columns.
const UNBOUNDED: &str = "unbounded (0 gas)";

fn gas_table(s: &mut String, rows: &[GasRow], reference: Option<f64>) {
    let _ = writeln!(
        s,
        "| case | gas | time | ns/gas | ratio to workload median |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for r in rows {
        let (per_gas, ratio) = match (&r.error, r.ns_per_gas) {
            (Some(e), _) => (short(e), "-".to_string()),
            (None, None) => (UNBOUNDED.to_string(), UNBOUNDED.to_string()),
            (None, Some(x)) => (
                format!("{x:.3}"),
                reference.map_or("-".into(), |m| format!("{:.2}x", x / m)),
            ),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {per_gas} | {ratio} |",
            r.name,
            r.gas,
            fmt_time(r.time)
        );
    }
}

/// An error for a table cell: one line, at most 100 characters.
fn short(e: &str) -> String {
    let line = e.lines().next().unwrap_or_default().replace('|', "/");
    line.chars().take(100).collect()
}

/// Formats the report: one table per section, then the worst cases.
pub fn report(r: &GasReport) -> String {
    let mut s = String::new();
    let reference = r.reference();
    let version = metron_vm::GasSchedule::default().version;
    let _ = writeln!(
        s,
        "## Gas calibration (schedule version {version}, metering on, median of {} samples)\n",
        r.samples
    );
    match reference {
        Some(m) => {
            let _ = writeln!(
                s,
                "Reference: the median ns/gas of the benchmark workloads, {m:.3} ns/gas.\n"
            );
        }
        None => {
            let _ = writeln!(s, "Reference: none (no workload measured).\n");
        }
    }
    let _ = writeln!(
        s,
        "### 1. Benchmark workloads{}\n",
        if r.workloads_reference_only {
            " (all run as the reference: the filter selected none)"
        } else {
            ""
        }
    );
    gas_table(&mut s, &r.workloads, reference);
    if !r.token.is_empty() {
        let _ = writeln!(
            s,
            "\n### 2. Token contract through the host (in-memory host of bench/src/token.rs, \
             not the node's RocksDB host; a fresh instance per call)\n"
        );
        gas_table(&mut s, &r.token, reference);
    }
    if !r.adversarial.is_empty() {
        let _ = writeln!(
            s,
            "\n### 3. Adversarial corpus (bench/src/gas/corpus.rs; gas limit {} per sample, \
             lower where a sample would take over {} ms; instantiation rows: per instantiation)\n",
            r.gas_limit,
            MAX_SAMPLE.as_millis()
        );
        gas_table(&mut s, &r.adversarial, reference);
    }
    let typical_ns = median_ratio(
        r.compile
            .iter()
            .filter(|c| c.typical && c.rejected.is_none())
            .map(CompileRow::ns_per_byte)
            .collect(),
    );
    let typical_mb = median_ratio(
        r.compile
            .iter()
            .filter(|c| c.typical && c.rejected.is_none())
            .filter_map(|c| c.peak_heap.map(|p| p as f64 / 1e6))
            .collect(),
    );
    let mut worst_compile: Option<(&str, f64)> = None;
    let mut worst_heap: Option<(&str, f64)> = None;
    if !r.compile.is_empty() {
        let _ = writeln!(
            s,
            "\n### 4. Compilation (Module::new, metering on; ratios to the typical modules' \
             median: {} ns/byte, {} MB peak heap)\n",
            typical_ns.map_or("-".into(), |x| format!("{x:.1}")),
            typical_mb.map_or("-".into(), |x| format!("{x:.2}")),
        );
        let _ = writeln!(
            s,
            "| case | bytes | time | ns/byte | ratio to typical median | peak heap (MB) | ratio to typical median |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
        for c in &r.compile {
            let name = if c.typical {
                format!("*typical: {}*", c.name)
            } else {
                c.name.clone()
            };
            let heap = c.peak_heap.map_or("-".into(), fmt_mb);
            let heap_ratio = match (c.peak_heap, typical_mb) {
                (Some(p), Some(m)) if m > 0.0 => {
                    let x = p as f64 / 1e6 / m;
                    if !c.typical && worst_heap.is_none_or(|w| x > w.1) {
                        worst_heap = Some((&c.name, x));
                    }
                    format!("{x:.2}x")
                }
                _ => "-".into(),
            };
            let (per_byte, ratio) = match &c.rejected {
                Some(e) => (format!("rejected: {}", short(e)), "-".into()),
                None => {
                    let x = c.ns_per_byte();
                    let ratio = typical_ns.map_or("-".into(), |m| {
                        if !c.typical && worst_compile.is_none_or(|w| x / m > w.1) {
                            worst_compile = Some((&c.name, x / m));
                        }
                        format!("{:.2}x", x / m)
                    });
                    (format!("{x:.1}"), ratio)
                }
            };
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {per_byte} | {ratio} | {heap} | {heap_ratio} |",
                c.bytes,
                fmt_time(c.time)
            );
        }
    }
    // Worst cases.
    let _ = writeln!(s);
    let all = || r.workloads.iter().chain(&r.token).chain(&r.adversarial);
    if let Some(m) = reference {
        let worst = all()
            .filter_map(|row| row.ns_per_gas.map(|x| (row, x / m)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((row, x)) = worst {
            let _ = writeln!(s, "worst case: {} {x:.2}x", row.name);
        }
        // The VM's own worst case: the host rows price the host's work, not the VM's.
        let worst_vm = r
            .workloads
            .iter()
            .chain(
                r.adversarial
                    .iter()
                    .filter(|row| !row.name.starts_with("host ")),
            )
            .filter_map(|row| row.ns_per_gas.map(|x| (row, x / m)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((row, x)) = worst_vm {
            let _ = writeln!(s, "worst case without host functions: {} {x:.2}x", row.name);
        }
    }
    let unbounded: Vec<&str> = all()
        .filter(|row| row.error.is_none() && row.ns_per_gas.is_none())
        .map(|row| row.name.as_str())
        .collect();
    if !unbounded.is_empty() {
        let _ = writeln!(
            s,
            "unbounded (0 gas): {} case(s): {}",
            unbounded.len(),
            unbounded.join("; ")
        );
    }
    let failed: Vec<&str> = all()
        .filter(|row| row.error.is_some())
        .map(|row| row.name.as_str())
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(s, "not measured: {}", failed.join("; "));
    }
    if let Some((name, x)) = worst_compile {
        let _ = writeln!(s, "worst compile case (ns/byte): {name} {x:.2}x");
    }
    if let Some((name, x)) = worst_heap {
        let _ = writeln!(s, "worst compile case (peak heap): {name} {x:.2}x");
    }
    s
}
