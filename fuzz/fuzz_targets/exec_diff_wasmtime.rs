//! Metron against Wasmtime (Cranelift NaN canonicalization).
#![no_main]
use libfuzzer_sys::fuzz_target;
use metron_fuzz::{engine::Wasmtime, generate::MetronModule, oracle};

fuzz_target!(|m: MetronModule| {
    if let Err(d) = oracle::exec_diff(&m.0, &mut Wasmtime::new()) {
        panic!("{d}");
    }
});
