//! With gas never running out, metering on and off give identical results: on a
//! wasm-smith module decoded from the input (as `MetronModule`, so older corpora decode
//! the same), and on a module of the translator's fusion patterns around labels
//! (`generate::fusion`) built from the same bytes, which also runs with metering off
//! against wasmi. A panic inside wasmi is wasmi's bug: saved to the findings folder,
//! input rejected, not a crash (`metron_fuzz::findings::fuzz_verdict`).
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::{fuzz_target, Corpus};
use metron_fuzz::{engine, engine::Wasmi, findings, generate, oracle};
use metron_vm::Config;

fuzz_target!(init: engine::install_panic_hook(), |data: &[u8]| -> Corpus {
    let mut keep = true;
    if let Ok(m) = generate::MetronModule::arbitrary_take_rest(Unstructured::new(data)) {
        keep &= findings::fuzz_verdict(oracle::gas_on_off(&m.0), Some(&m.0));
    }
    if let Ok(m) = generate::fusion::module(&mut Unstructured::new(data)) {
        keep &= findings::fuzz_verdict(oracle::gas_on_off(&m), Some(&m));
        let off = Config {
            metering: false,
            ..Config::default()
        };
        let r = oracle::exec_diff_with(&m, off, &mut Wasmi::new());
        keep &= findings::fuzz_verdict(r, Some(&m));
    }
    if keep {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
