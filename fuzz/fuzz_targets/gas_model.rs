//! Metron's meter against wasmi running the instrumented module, at random limits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use metron_fuzz::{generate::MetronModule, oracle};

fuzz_target!(|input: (MetronModule, Vec<u32>)| {
    let limits: Vec<u64> = input.1.iter().take(16).map(|&l| u64::from(l) % 200_000).collect();
    if let Err(d) = oracle::gas_model(&input.0 .0, &limits) {
        panic!("{d}");
    }
});
