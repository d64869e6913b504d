//! Load test of state files (not in CI): builds a chain with `--keys` trie entries (1
//! million by default: storage slots of one account plus an account per 10 slots), dumps
//! it with `Chain::dump_state_file`, then loads the file into a fresh chain in a child
//! process (so that its peak memory is the load's alone) and reports the file size, the
//! dump and load times and the loading process's peak resident memory (VmHWM from
//! `/proc/self/status`) against the file size. State files must load in under twice
//! their size.
//!
//! ```text
//! cargo run --release -p metron-node --example statefile_load -- --keys 1000000
//! ```
//!
//! `--dir DIR` works in DIR instead of a temporary directory and keeps the file: a later
//! run with the same DIR loads `DIR/state.bin` again without building it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context};
use metron_node::control::StateEdit;
use metron_node::state::Durability;
use metron_node::{Chain, ChainConfig};

/// Peak resident memory of this process in bytes (Linux `VmHWM`).
fn vm_hwm() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM in /proc/self/status")?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kib * 1024)
}

fn config(dir: &Path) -> ChainConfig {
    let mut c = ChainConfig::dev(dir);
    c.durability = Durability::NoSync;
    c
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The child: loads `file` into a fresh chain in `dir`, prints `key=value` lines.
fn load(file: &Path, dir: &Path) -> anyhow::Result<()> {
    let chain = Chain::open(config(dir))?;
    let before = vm_hwm()?;
    let start = Instant::now();
    let info = chain.load_state_file(file)?;
    let secs = start.elapsed().as_secs_f64();
    let (_, head) = chain.head();
    if head.state_root != info.state_root {
        bail!("head root differs from the file's");
    }
    println!("load_secs={secs:.2}");
    println!("hwm_before_load={before}");
    println!("hwm={}", vm_hwm()?);
    println!("height={}", info.height);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, file, dir] = args.as_slice() {
        if flag == "--load-child" {
            return load(Path::new(file), Path::new(dir));
        }
    }
    let keys: u64 = match args.iter().position(|a| a == "--keys") {
        Some(i) => args.get(i + 1).context("--keys N")?.parse()?,
        None => 1_000_000,
    };
    let tmp = tempfile::tempdir()?;
    let work = match args.iter().position(|a| a == "--dir") {
        Some(i) => PathBuf::from(args.get(i + 1).context("--dir DIR")?),
        None => tmp.path().to_owned(),
    };
    let file = work.join("state.bin");
    let (entries, bytes) = if file.exists() {
        println!("reusing {}", file.display());
        let header =
            *metron_node::statefile::StateFileReader::open(std::fs::File::open(&file)?)?.header();
        (header.entries, std::fs::metadata(&file)?.len())
    } else {
        build_and_dump(&work, &file, keys)?
    };
    let _ = std::fs::remove_dir_all(work.join("b"));
    let out = Command::new(std::env::current_exe()?)
        .arg("--load-child")
        .arg(&file)
        .arg(work.join("b"))
        .output()?;
    if !out.status.success() {
        bail!(
            "load failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let stdout = String::from_utf8(out.stdout)?;
    let field = |name: &str| -> anyhow::Result<String> {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
            .with_context(|| format!("child printed no {name}"))
    };
    let hwm: u64 = field("hwm")?.parse()?;
    let before: u64 = field("hwm_before_load")?.parse()?;
    println!("entries          {entries}");
    println!("file size        {} ({bytes} bytes)", mib(bytes));
    println!(
        "load             {} s ({} blocks)",
        field("load_secs")?,
        field("height")?
    );
    println!(
        "peak RSS before  {} (chain opened, nothing loaded)",
        mib(before)
    );
    println!("peak RSS         {}", mib(hwm));
    println!(
        "peak / file      {:.2} (must be below 2)",
        hwm as f64 / bytes as f64
    );
    Ok(())
}

/// Builds a chain of `keys` entries in `work/a` and dumps it to `file`; returns the
/// entries and bytes written.
fn build_and_dump(work: &Path, file: &Path, keys: u64) -> anyhow::Result<(u64, u64)> {
    let chain = Chain::open(config(&work.join("a")))?;

    // Every 10th key an account, the rest storage slots of one account, 10 000 edits
    // per block.
    let start = Instant::now();
    let holder = [0xab; 32];
    let mut edits = Vec::new();
    for i in 0..keys {
        let mut address = [0u8; 32];
        address[..8].copy_from_slice(&i.to_be_bytes());
        edits.push(if i % 10 == 0 {
            StateEdit::Balance {
                address,
                balance: u128::from(i) + 1,
            }
        } else {
            StateEdit::Storage {
                address: holder,
                key: i.to_le_bytes().to_vec(),
                value: Some([i as u8; 32].to_vec()),
            }
        });
        if edits.len() == 10_000 {
            chain.edit_state(&edits)?;
            edits.clear();
        }
    }
    if !edits.is_empty() {
        chain.edit_state(&edits)?;
    }
    let build_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let dumped = chain.dump_state_file(file)?;
    let dump_secs = start.elapsed().as_secs_f64();
    println!("build            {build_secs:.2} s (edit_state, 10 000 per block)");
    println!("dump             {dump_secs:.2} s");
    Ok((dumped.entries, dumped.bytes))
}
