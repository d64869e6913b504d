//! `metron-determinism`: prints one Keccak-256 digest per part of a fixed, seeded corpus
//! run on Metron (`<part> <hex digest> <items>`), to compare builds, backends and CPUs.
//! See the library's documentation (`determinism/src/lib.rs`) for the parts, the hashed
//! bytes and the flags. Exit status: 0, or 1 when `--expect` finds a difference, 2 on
//! errors.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use metron_determinism::{run_part, Options, Part, PartDigest};
use serde_json::json;

/// Determinism digests of Metron on a fixed, seeded corpus.
#[derive(Parser, Debug)]
#[command(name = "metron-determinism", version)]
struct Cli {
    /// Part to run (repeatable): spec, generated, workloads, chain (feature `chain`).
    /// Default: spec, generated, workloads.
    #[arg(long = "part", value_name = "PART")]
    parts: Vec<String>,
    /// Number of generated modules.
    #[arg(long, default_value_t = metron_determinism::generated::DEFAULT_MODULES)]
    modules: u64,
    /// Seed of the generated modules (decimal or 0x hex).
    #[arg(long, value_parser = parse_u64, default_value_t = metron_determinism::generated::DEFAULT_SEED)]
    seed: u64,
    /// Worker threads (the digests do not depend on it). Default: available parallelism.
    #[arg(long)]
    threads: Option<usize>,
    /// Print JSON instead of one line per part.
    #[arg(long)]
    json: bool,
    /// Compare with FILE, a previous `--json` output: exit 1 at the first part that
    /// differs.
    #[arg(long, value_name = "FILE")]
    expect: Option<PathBuf>,
    /// Write every hashed item to FILE, one line each: part, item name, bytes in hex.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(&h.replace('_', ""), 16),
        None => s.replace('_', "").parse(),
    };
    r.map_err(|e| format!("{s}: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, String> {
    let mut parts = Vec::new();
    for name in &cli.parts {
        let p = Part::from_name(name)
            .ok_or_else(|| format!("unknown part `{name}` (spec, generated, workloads, chain)"))?;
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    if parts.is_empty() {
        parts = Part::DEFAULT.to_vec();
    }
    parts.sort();
    let expected = match &cli.expect {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
            Some(v)
        }
        None => None,
    };
    let opts = Options {
        modules: cli.modules,
        seed: cli.seed,
        threads: cli
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
    };
    let mut trace = match &cli.trace {
        Some(path) => Some(BufWriter::new(
            File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
        )),
        None => None,
    };

    let mut results: Vec<(PartDigest, f64)> = Vec::new();
    for part in parts {
        let start = Instant::now();
        let d = run_part(part, &opts, trace.as_mut().map(|t| t as &mut dyn Write))?;
        let secs = start.elapsed().as_secs_f64();
        eprintln!("{}: {secs:.2} s", part.name());
        if !cli.json {
            println!("{} {} {}", d.part, d.hex(), d.items);
        }
        results.push((d, secs));
    }
    if let Some(t) = trace.as_mut() {
        t.flush().map_err(|e| format!("trace: {e}"))?;
    }
    if cli.json {
        let parts: Vec<serde_json::Value> = results
            .iter()
            .map(|(d, secs)| {
                json!({
                    "part": d.part,
                    "digest": d.hex(),
                    "items": d.items,
                    "seconds": (secs * 1000.0).round() / 1000.0,
                })
            })
            .collect();
        let out = json!({
            "modules": opts.modules,
            "seed": format!("{:#x}", opts.seed),
            "parts": parts,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    }
    if let Some(exp) = expected {
        let path = cli.expect.as_ref().map(|p| p.display().to_string());
        let path = path.unwrap_or_default();
        let listed = exp["parts"].as_array().cloned().unwrap_or_default();
        for (d, _) in &results {
            let Some(e) = listed.iter().find(|e| e["part"] == d.part.as_str()) else {
                eprintln!("{}: not in {path}", d.part);
                return Ok(ExitCode::FAILURE);
            };
            let (digest, items) = (e["digest"].as_str().unwrap_or(""), e["items"].as_u64());
            if digest != d.hex() || items != Some(d.items) {
                let mut note = String::new();
                if d.part == "generated"
                    && (exp["modules"].as_u64() != Some(opts.modules)
                        || exp["seed"].as_str() != Some(&format!("{:#x}", opts.seed)))
                {
                    note = format!(
                        " (note: {path} was made with --modules {} --seed {})",
                        exp["modules"], exp["seed"]
                    );
                }
                eprintln!(
                    "{} differs from {path}: expected {digest} ({} items), got {} ({} items){note}",
                    d.part,
                    items.map_or("?".into(), |n| n.to_string()),
                    d.hex(),
                    d.items
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        eprintln!("all parts match {path}");
    }
    Ok(ExitCode::SUCCESS)
}
