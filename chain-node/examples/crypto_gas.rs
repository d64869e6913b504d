//! Calibration of the hash and signature host functions (`keccak256`, `sha256`,
//! `blake2b_256`, `ed25519_verify`): the time of each primitive at several input sizes,
//! fitted to `base + per_byte * len`, and the gas those times are worth at the reference
//! ns per gas unit (the median of `metron-bench gas`'s workloads).
//!
//! ```sh
//! cargo run --release -p metron-node --example crypto_gas [-- --reference-ns-per-gas 0.30]
//! ```
//!
//! The host call around the primitive (argument checks, the memory read, the copy out)
//! is priced by `HOST_BASE` and measured with the other host functions by `host_gas`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clap::Parser;
use ed25519_dalek::{Signer, SigningKey};

#[derive(Parser)]
struct Args {
    /// Reference ns/gas (the workloads' median of `metron-bench gas`); measured in this
    /// run when absent.
    #[arg(long)]
    reference_ns_per_gas: Option<f64>,
    /// Timed samples per case; the median is reported.
    #[arg(long, default_value_t = 9)]
    samples: usize,
}

const SIZES: [usize; 4] = [0, 32, 1024, 64 * 1024];

/// Median time of one `f()` over `samples` timed batches.
fn time(samples: usize, mut f: impl FnMut()) -> Duration {
    // Batch so that one sample takes about a millisecond.
    let t = Instant::now();
    f();
    let one = t.elapsed().max(Duration::from_nanos(50));
    let batch = (1_000_000 / one.as_nanos().max(1)).clamp(1, 100_000) as u32;
    let mut v: Vec<Duration> = (0..samples.max(1))
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed() / batch
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn main() {
    use sha2::Digest as _;
    let args = Args::parse();
    let ns_per_gas = metron_bench::gas::reference_ns_per_gas(args.reference_ns_per_gas);
    let data = vec![0xa5u8; *SIZES.iter().max().unwrap_or(&0)];
    let key = SigningKey::from_bytes(&[7; 32]);
    let vk = key.verifying_key();

    println!("reference: {ns_per_gas:.3} ns per gas unit");
    println!();
    println!(
        "{:<16} {:>10} {:>12} {:>14} {:>14}",
        "primitive", "bytes", "time", "base (gas)", "per byte (gas)"
    );
    type Prim = Box<dyn Fn(&[u8])>;
    let prims: Vec<(&str, Prim)> = vec![
        (
            "keccak256",
            Box::new(|m: &[u8]| {
                black_box(sha3::Keccak256::digest(m));
            }),
        ),
        (
            "sha256",
            Box::new(|m: &[u8]| {
                black_box(sha2::Sha256::digest(m));
            }),
        ),
        (
            "blake2b_256",
            Box::new(|m: &[u8]| {
                black_box(<blake2::Blake2b<blake2::digest::consts::U32>>::digest(m));
            }),
        ),
    ];
    for (name, f) in &prims {
        let times: Vec<Duration> = SIZES
            .iter()
            .map(|&n| time(args.samples, || f(black_box(&data[..n]))))
            .collect();
        report(name, &times, ns_per_gas);
    }
    // ed25519: a valid signature (the full verification runs) over messages of each size.
    let times: Vec<Duration> = SIZES
        .iter()
        .map(|&n| {
            let sig = key.sign(&data[..n]);
            time(args.samples, || {
                black_box(vk.verify_strict(black_box(&data[..n]), &sig).is_ok());
            })
        })
        .collect();
    report("ed25519_verify", &times, ns_per_gas);
}

/// Prints each size's time and the line `base + per_byte * len` through the smallest
/// and the largest size, in gas.
fn report(name: &str, times: &[Duration], ns_per_gas: f64) {
    let first = times[0].as_secs_f64() * 1e9;
    let last = times[times.len() - 1].as_secs_f64() * 1e9;
    let span = (SIZES[SIZES.len() - 1] - SIZES[0]) as f64;
    let per_byte = (last - first) / span / ns_per_gas;
    let base = first / ns_per_gas;
    for (i, t) in times.iter().enumerate() {
        let (b, p) = if i == 0 {
            (format!("{base:.0}"), format!("{per_byte:.2}"))
        } else {
            (String::new(), String::new())
        };
        println!(
            "{:<16} {:>10} {:>9.0} ns {:>14} {:>14}",
            if i == 0 { name } else { "" },
            SIZES[i],
            t.as_secs_f64() * 1e9,
            b,
            p
        );
    }
}
