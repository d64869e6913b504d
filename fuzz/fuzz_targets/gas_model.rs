//! Metron's meter against wasmi running the instrumented module, at random limits.
//! A panic inside wasmi is wasmi's bug: saved to the findings folder, input rejected,
//! not a crash (`metron_fuzz::findings::fuzz_verdict`).
#![no_main]
use libfuzzer_sys::{fuzz_target, Corpus};
use metron_fuzz::{engine, findings, generate::MetronModule, oracle};

fuzz_target!(init: engine::install_panic_hook(), |input: (MetronModule, Vec<u32>)| -> Corpus {
    let limits: Vec<u64> = input.1.iter().take(16).map(|&l| u64::from(l) % 200_000).collect();
    let wasm = &input.0 .0;
    if findings::fuzz_verdict(oracle::gas_model(wasm, &limits), Some(wasm)) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
