//! Inputs saved from fuzz campaigns, replayed through their oracles on stable Rust.
//!
//! `tests/regressions/<target>/<name>` holds the raw libFuzzer input of a finding (the
//! bytes of `fuzz/artifacts/<target>/crash-*`), decoded exactly as the cargo-fuzz target
//! decodes it. Each one must now pass its oracle. Add a file here for every finding; the
//! list of findings and their causes is in `fuzz/README.md`.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use metron_fuzz::engine::Wasmi;
use metron_fuzz::generate::MetronModule;
use metron_fuzz::oracle;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("directory entry").path();
            let bytes = std::fs::read(&path).expect("readable input");
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no saved inputs in {}", dir.display());
    out
}

/// `exec_diff_wasmi`: the target's input is one `MetronModule`.
#[test]
fn exec_diff_wasmi_findings() {
    for (path, bytes) in inputs("exec_diff_wasmi") {
        let m = MetronModule::arbitrary_take_rest(Unstructured::new(&bytes))
            .unwrap_or_else(|e| panic!("{}: not a module input: {e}", path.display()));
        if let Err(d) = oracle::exec_diff(&m.0, &mut Wasmi::new()) {
            panic!("{}: {d}", path.display());
        }
    }
}
