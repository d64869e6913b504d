//! Where findings go: modules that made an oracle fail or a reference engine panic,
//! saved under a content hash so the same module is written once.

use std::path::PathBuf;

use crate::engine::EnginePanic;
use crate::oracle::Divergence;

/// The findings folder: `$METRON_FUZZ_FINDINGS` if set, else the workspace's
/// `target/fuzz-findings` (a path fixed when this crate is compiled, so the seeded tests
/// and the cargo-fuzz targets write to the same place whatever their working folder).
pub fn dir() -> PathBuf {
    match std::env::var_os("METRON_FUZZ_FINDINGS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/fuzz-findings"
        )),
    }
}

/// FNV-1a (64 bits) of `bytes`, as 16 hex digits: a stable name for a module (not a
/// security hash; collisions only merge two findings' files).
pub fn hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// Writes `wasm` to `<dir()>/<prefix>-<hash>.wasm` (creating the folder) and returns the
/// path. `prefix` names what the finding is against: a reference engine's name
/// (`wasmi`, `wasmtime`) for its panics, `metron-<oracle>` for a mismatch.
///
/// # Errors
/// The folder cannot be created or the file written.
pub fn save(prefix: &str, wasm: &[u8]) -> std::io::Result<PathBuf> {
    let dir = dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{prefix}-{}.wasm", hash(wasm)));
    std::fs::write(&path, wasm)?;
    Ok(path)
}

/// Saves the module behind a reference engine's panic: `wasm` as
/// `<engine>-<hash>.wasm`, and when the engine ran Metron's instrumented module, that
/// module too as `<engine>-<hash>.instrumented.wasm` (the same hash: the original's).
/// Returns the path of the file the engine panicked on.
///
/// # Errors
/// As [`save`], or the instrumenter rejects `wasm` (an I/O error of kind `Other`).
pub fn save_panic(p: &EnginePanic, wasm: &[u8]) -> std::io::Result<PathBuf> {
    let path = save(p.engine, wasm)?;
    if !p.instrumented {
        return Ok(path);
    }
    let out = metron_vm::instrument::instrument(wasm, &metron_vm::Config::default())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let path = path.with_extension("instrumented.wasm");
    std::fs::write(&path, out)?;
    Ok(path)
}

/// What a cargo-fuzz target does with an oracle's result. `Ok`: keep the input.
/// [`Divergence::ReferencePanic`]: the reference engine's bug, not Metron's: the module
/// (when there is one) is saved with [`save`], one line is printed, and `false` is
/// returned so the target rejects the input from its corpus (no crash is reported;
/// libFuzzer goes on; the saved files are the record).
///
/// # Panics
/// On [`Divergence::Mismatch`]: that is the fuzzer's finding (libFuzzer's panic hook
/// aborts and writes the crash input).
pub fn fuzz_verdict(r: Result<(), Divergence>, wasm: Option<&[u8]>) -> bool {
    match r {
        Ok(()) => true,
        Err(Divergence::ReferencePanic(p)) => {
            let saved = wasm.map(|w| save_panic(&p, w));
            eprintln!(
                "metron-fuzz: {}; input skipped (saved: {saved:?})",
                Divergence::ReferencePanic(p)
            );
            false
        }
        Err(d @ Divergence::Mismatch(_)) => panic!("{d}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fnv1a() {
        assert_eq!(hash(b""), "cbf29ce484222325");
        assert_eq!(hash(b"a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn a_reference_panic_rejects_the_input_and_a_mismatch_panics() {
        assert!(fuzz_verdict(Ok(()), None));
        let p = EnginePanic {
            engine: "wasmi",
            message: "boom".into(),
            instrumented: false,
        };
        assert!(!fuzz_verdict(Err(Divergence::ReferencePanic(p)), None));
        let r = std::panic::catch_unwind(|| {
            fuzz_verdict(Err(Divergence::Mismatch("results differ".into())), None)
        });
        assert_eq!(
            r.unwrap_err().downcast_ref::<String>().map(String::as_str),
            Some("results differ")
        );
    }
}
