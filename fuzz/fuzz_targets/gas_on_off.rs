//! With gas never running out, metering on and off give identical results.
#![no_main]
use libfuzzer_sys::fuzz_target;
use metron_fuzz::{generate::MetronModule, oracle};

fuzz_target!(|m: MetronModule| {
    if let Err(d) = oracle::gas_on_off(&m.0) {
        panic!("{d}");
    }
});
