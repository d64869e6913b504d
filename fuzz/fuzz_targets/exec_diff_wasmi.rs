//! Metron against wasmi (deterministic): results, traps, globals, memory bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use metron_fuzz::{engine::Wasmi, generate::MetronModule, oracle};

fuzz_target!(|m: MetronModule| {
    if let Err(d) = oracle::exec_diff(&m.0, &mut Wasmi::new()) {
        panic!("{d}");
    }
});
