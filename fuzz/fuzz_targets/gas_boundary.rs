//! Exact gas G succeeds with 0 left; G-1 runs out at the same point in both meters.
#![no_main]
use libfuzzer_sys::fuzz_target;
use metron_fuzz::{generate::MetronModule, oracle};

fuzz_target!(|m: MetronModule| {
    if let Err(d) = oracle::gas_boundary(&m.0) {
        panic!("{d}");
    }
});
