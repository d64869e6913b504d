//! Exact gas G succeeds with 0 left; G-1 runs out at the same point in both meters.
//! A panic inside wasmi (which runs the instrumented module) is wasmi's bug: saved to
//! the findings folder, input rejected, not a crash (`metron_fuzz::findings::fuzz_verdict`).
#![no_main]
use libfuzzer_sys::{fuzz_target, Corpus};
use metron_fuzz::{engine, findings, generate::MetronModule, oracle};

fuzz_target!(init: engine::install_panic_hook(), |m: MetronModule| -> Corpus {
    if findings::fuzz_verdict(oracle::gas_boundary(&m.0), Some(&m.0)) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
