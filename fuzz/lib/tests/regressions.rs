//! Inputs saved from fuzz campaigns, replayed through their oracles on stable Rust, and
//! reduced modules of findings against reference engines.
//!
//! `tests/regressions/<target>/<name>` holds the raw libFuzzer input of a finding (the
//! bytes of `fuzz/artifacts/<target>/crash-*`), decoded exactly as the cargo-fuzz target
//! decodes it. Each one must now pass its oracle. Add a file here for every finding; the
//! list of findings and their causes is in `fuzz/README.md`.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use metron_fuzz::engine::{Metron, Wasmi};
use metron_fuzz::generate::MetronModule;
use metron_fuzz::oracle::{self, Divergence};
use metron_fuzz::{DiffEngine, TrapClass};
use metron_vm::{Config, Value};

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

/// The minimal module on which wasmi 2.0.0 panics (`fuzz/README.md`, "Findings against
/// reference engines"): the address and the value of an `i32.store8` are both wasmi's
/// register (a result `local.tee`'d, then read back), and the offset does not fit in 16
/// bits. Reduced from module 18618 of the seeded `gas_boundary` test with
/// `METRON_FUZZ_SEED=987654321`.
const WASMI_STORE_PANIC: &str =
    include_str!("regressions/reference_panics/wasmi-2.0.0-store-reg-reg.wat");

/// A reference engine's panic is a finding against it, returned by the oracle instead
/// of unwinding, while Metron runs the module (an out-of-bounds trap: address
/// 1 + 65536 in a one-page memory).
///
/// If this fails because an oracle returns `Ok(())`, wasmi no longer panics here (fixed
/// upstream, or `wasmi` upgraded in `fuzz/lib/Cargo.toml`): the module is then an
/// ordinary differential case. Change the expectation to `Ok(())` for every oracle,
/// keep the module, and move the README's entry to the fixed findings; the engine guard
/// keeps its own unit test (`engine::tests`).
#[test]
fn wasmi_store_panic_is_a_finding_not_a_crash() {
    let wasm = wat::parse_str(WASMI_STORE_PANIC).expect("valid WAT");
    oracle::validate_diff(&wasm).expect("valid for Metron and wasmparser alike");
    let mut metron = Metron::new(Config::default(), oracle::EXEC_GAS);
    metron.instantiate(&wasm).expect("Metron instantiates it");
    assert_eq!(
        metron.call("f", &[Value::I32(0)]),
        Err(TrapClass::MemoryOutOfBounds)
    );
    let runs = [
        (
            "exec_diff",
            oracle::exec_diff(&wasm, &mut Wasmi::new()),
            false,
        ),
        ("gas_model", oracle::gas_model(&wasm, &[u64::MAX, 3]), true),
        ("gas_boundary", oracle::gas_boundary(&wasm), true),
    ];
    for (name, r, instrumented) in runs {
        match r {
            Err(Divergence::ReferencePanic(p)) => {
                assert_eq!(p.engine, "wasmi", "{name}");
                assert!(
                    p.message.contains("entered unreachable code"),
                    "{name}: {}",
                    p.message
                );
                assert_eq!(p.instrumented, instrumented, "{name}");
            }
            other => panic!(
                "{name}: expected wasmi's panic as Divergence::ReferencePanic, got {other:?} \
                 (if wasmi no longer panics, see this test's doc)"
            ),
        }
    }
}
