//! Metron against wasmi (deterministic): results, traps, globals, memory bytes.
//! A panic inside wasmi is wasmi's bug: saved to the findings folder, input rejected,
//! not a crash (`metron_fuzz::findings::fuzz_verdict`).
#![no_main]
use libfuzzer_sys::{fuzz_target, Corpus};
use metron_fuzz::{engine, engine::Wasmi, findings, generate::MetronModule, oracle};

fuzz_target!(init: engine::install_panic_hook(), |m: MetronModule| -> Corpus {
    let r = oracle::exec_diff(&m.0, &mut Wasmi::new());
    if findings::fuzz_verdict(r, Some(&m.0)) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
