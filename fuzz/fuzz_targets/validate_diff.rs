//! Accept/reject matches wasmparser on Metron's feature set; raw bytes never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use metron_fuzz::oracle;

fuzz_target!(|data: &[u8]| {
    // Raw bytes, and (from the same input) a generated module.
    if let Err(d) = oracle::validate_diff(data) {
        panic!("{d}");
    }
    let mut u = arbitrary::Unstructured::new(data);
    if let Ok(m) = metron_fuzz::generate::module(&mut u) {
        if let Err(d) = oracle::validate_diff(&m) {
            panic!("{d}");
        }
    }
});
