//! The execution benchmark: every workload on Metron and wasmi, metering on and off,
//! medians of interleaved samples, per-case ratios, geomeans and metering overhead.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::engine::{EngineKind, Runner};
use crate::stats::{geomean, median, median_ratio, ms};
use crate::workloads::{prepare, Workload};

/// Options of the execution benchmark.
#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// Timed samples per case and engine (after one warm-up run that also checks results).
    pub samples: usize,
    /// Multiplies every workload's size parameter (`n`); 1.0 is the documented setting.
    pub scale: f64,
    /// Only workloads whose name contains one of these (all if empty).
    pub filter: Vec<String>,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            samples: 9,
            scale: 1.0,
            filter: Vec::new(),
        }
    }
}

/// Medians of one workload under one metering setting.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Metron's median time.
    pub metron: Duration,
    /// wasmi's median time.
    pub wasmi: Duration,
    /// Metron gas used by one run (0 with metering off).
    pub gas: u64,
    /// Median over the samples of Metron's time / wasmi's time, the two engines timed
    /// back to back in each sample.
    pub ratio: f64,
}

impl Timing {
    /// Metron time / wasmi time: the median of the per-sample ratios (a machine that
    /// slows down for a while slows both sides of a sample's ratio; this machine's speed
    /// moves by tens of percent between runs).
    pub fn ratio(&self) -> f64 {
        self.ratio
    }
}

/// Results of one workload.
#[derive(Clone, Debug)]
pub struct ExecRow {
    /// Workload name.
    pub name: &'static str,
    /// Size parameter used.
    pub n: i32,
    /// The checksum both engines returned.
    pub result: i64,
    /// Metering on (Metron gas, wasmi fuel).
    pub on: Timing,
    /// Metering off.
    pub off: Timing,
}

fn time_run(r: &mut dyn Runner, n: i32) -> Result<Duration, String> {
    let t = Instant::now();
    r.run(n)?;
    Ok(t.elapsed())
}

/// Measures `w` with metering `on`: one checked warm-up run per engine, then `samples`
/// interleaved timed runs (Metron, wasmi, Metron, ...).
///
/// # Errors
/// An engine failure, or results that differ between the engines.
fn measure(w: &Workload, n: i32, metering: bool, samples: usize) -> Result<(i64, Timing), String> {
    let mut m = prepare(w, EngineKind::Metron, metering)?;
    let mut x = prepare(w, EngineKind::Wasmi, metering)?;
    let rm = m.run(n)?;
    let rx = x.run(n)?;
    if rm != rx {
        return Err(format!(
            "RESULT MISMATCH in {} (n = {n}, metering {metering}): metron {rm:#x}, wasmi {rx:#x}",
            w.name
        ));
    }
    let gas = m.gas_used().unwrap_or(0);
    let (mut tm, mut tx, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples.max(1) {
        let dm = time_run(m.as_mut(), n)?;
        let dx = time_run(x.as_mut(), n)?;
        ratios.push(dm.as_secs_f64() / dx.as_secs_f64());
        tm.push(dm);
        tx.push(dx);
    }
    Ok((
        rm,
        Timing {
            metron: median(&tm),
            wasmi: median(&tx),
            gas,
            ratio: median_ratio(ratios).unwrap_or(f64::NAN),
        },
    ))
}

/// Runs the execution benchmark over `workloads`, printing progress to stderr.
///
/// # Errors
/// The first engine failure or result mismatch.
pub fn run(workloads: &[Workload], opts: &ExecOptions) -> Result<Vec<ExecRow>, String> {
    let mut rows = Vec::new();
    for w in workloads {
        if !opts.filter.is_empty() && !opts.filter.iter().any(|f| w.name.contains(f.as_str())) {
            continue;
        }
        let n = ((f64::from(w.n) * opts.scale).round() as i32).max(1);
        eprint!("exec {:<16} n = {n:<9}", w.name);
        let (result, on) = measure(w, n, true, opts.samples)?;
        let (result_off, off) = measure(w, n, false, opts.samples)?;
        if result != result_off {
            return Err(format!(
                "RESULT MISMATCH in {}: metering on {result:#x}, off {result_off:#x}",
                w.name
            ));
        }
        eprintln!(
            " on: {:.3} / {:.3} ms   off: {:.3} / {:.3} ms",
            ms(on.metron),
            ms(on.wasmi),
            ms(off.metron),
            ms(off.wasmi)
        );
        rows.push(ExecRow {
            name: w.name,
            n,
            result,
            on,
            off,
        });
    }
    Ok(rows)
}

/// Formats the execution results as Markdown tables (times, ratios, geomeans, metering
/// overhead).
pub fn report(rows: &[ExecRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| workload | n | metron on (ms) | wasmi on (ms) | ratio on | metron off (ms) | wasmi off (ms) | ratio off | metron metering overhead | wasmi fuel overhead | metron gas |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut r_on, mut r_off, mut ov_m, mut ov_w) = (vec![], vec![], vec![], vec![]);
    for r in rows {
        let om = r.on.metron.as_secs_f64() / r.off.metron.as_secs_f64();
        let ow = r.on.wasmi.as_secs_f64() / r.off.wasmi.as_secs_f64();
        r_on.push(r.on.ratio());
        r_off.push(r.off.ratio());
        ov_m.push(om);
        ov_w.push(ow);
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:+.1}% | {:+.1}% | {} |",
            r.name,
            r.n,
            ms(r.on.metron),
            ms(r.on.wasmi),
            r.on.ratio(),
            ms(r.off.metron),
            ms(r.off.wasmi),
            r.off.ratio(),
            (om - 1.0) * 100.0,
            (ow - 1.0) * 100.0,
            r.on.gas
        );
    }
    let _ = writeln!(
        s,
        "| **geomean** | | | | **{:.3}** | | | **{:.3}** | **{:+.1}%** | **{:+.1}%** | |",
        geomean(&r_on),
        geomean(&r_off),
        (geomean(&ov_m) - 1.0) * 100.0,
        (geomean(&ov_w) - 1.0) * 100.0
    );
    let worst = rows
        .iter()
        .max_by(|a, b| a.on.ratio().total_cmp(&b.on.ratio()));
    if let Some(w) = worst {
        let _ = writeln!(
            s,
            "\nratio = Metron time / wasmi time, the median of per-sample ratios (each sample runs the two engines back to back; lower is better for Metron). Worst with metering on: {} ({:.2}).",
            w.name,
            w.on.ratio()
        );
    }
    s
}
