//! Integration tests of the conformance runner: the whole WebAssembly 2.0 suite (gas off
//! and on, zero failures and zero skips), the SIMD rejection check, and small scripts.
//!
//! The suite must be present (`METRON_TESTSUITE`, or `../shared/testsuite` beside the
//! workspace): without it the suite test FAILS, it never passes silently.

use metron_conformance::runner::{run_script, GasMode, Status};
use metron_conformance::{run_files, suite_dir, suite_files};

/// Every check of every top-level `.wast` file passes in both gas modes.
#[test]
fn whole_suite_passes_with_gas_off_and_on() {
    let dir = suite_dir().unwrap_or_else(|e| panic!("{e}"));
    let files = suite_files(&dir).unwrap_or_else(|e| panic!("{e}"));
    let simd = files
        .iter()
        .filter(|p| metron_conformance::is_simd(p))
        .count();
    assert_eq!(
        (files.len() - simd, simd),
        (90, 58),
        "expected the WebAssembly 2.0 suite at commit 49b5977 in {}",
        dir.display()
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let summary = run_files(&files, threads);
    assert!(summary.ok(), "conformance failures:\n{}", summary.table());
    for t in [&summary.total_gas_off, &summary.total_gas_on] {
        assert_eq!((t.failed, t.skipped, t.not_applicable), (0, 0, 0));
        assert!(t.passed > 26_000, "{}", summary.table());
    }
    for t in [&summary.simd_gas_off, &summary.simd_gas_on] {
        assert_eq!((t.failed, t.skipped), (0, 0));
        assert!(t.not_applicable > 20_000, "{}", summary.table());
    }
    // Each SIMD file rejected at least one module with "SIMD is not supported".
    for f in summary.files.iter().filter(|f| f.simd) {
        assert!(f.gas_off.passed > 0, "{}: no SIMD module rejected", f.file);
    }
}

fn statuses(script: &str) -> Vec<Status> {
    let off = run_script(script, GasMode::Off, false).expect("parses");
    let on = run_script(script, GasMode::On, false).expect("parses");
    let a: Vec<Status> = off.checks.iter().map(|c| c.status.clone()).collect();
    let b: Vec<Status> = on.checks.iter().map(|c| c.status.clone()).collect();
    assert_eq!(a, b, "gas modes disagree");
    a
}

#[test]
fn register_and_cross_instance_imports() {
    let s = statuses(
        r#"
        (module $a
          (memory (export "mem") 1)
          (global (export "g") (mut i32) (i32.const 5))
          (table (export "t") 2 funcref)
          (func $seven (result i32) (i32.const 7))
          (elem (i32.const 0) $seven)
          (func (export "load") (result i32) (i32.load (i32.const 8))))
        (register "a" $a)
        (module $b
          (import "a" "mem" (memory 1))
          (import "a" "g" (global $g (mut i32)))
          (import "a" "t" (table 2 funcref))
          (import "a" "load" (func $load (result i32)))
          (type $t (func (result i32)))
          (func (export "run") (result i32)
            (i32.store (i32.const 8) (i32.const 42))
            (global.set $g (i32.const 9))
            (i32.add (call $load) (call_indirect (type $t) (i32.const 0)))))
        (assert_return (invoke $b "run") (i32.const 49))
        (assert_return (get $a "g") (i32.const 9))
        (assert_unlinkable (module (import "a" "g" (global i32))) "incompatible import type")
        (assert_unlinkable (module (import "a" "nope" (func))) "unknown import")
        (assert_trap (module (import "a" "t" (table 2 funcref)) (func $f) (elem (i32.const 1) $f) (elem (i32.const 2) $f)) "out of bounds table access")
        (assert_trap (invoke $a "load" ) "unreachable")
        "#,
    );
    assert_eq!(s.len(), 6);
    assert_eq!(
        &s[..5],
        &[
            Status::Pass,
            Status::Pass,
            Status::Pass,
            Status::Pass,
            Status::Pass
        ]
    );
    // The last assertion is deliberately wrong: the runner must report it.
    assert!(
        matches!(&s[5], Status::Fail(m) if m.contains("returned")),
        "{s:?}"
    );
}

#[test]
fn nan_patterns_demand_the_canonical_nan() {
    let s = statuses(
        r#"
        (module
          (func (export "div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
          (func (export "id") (param f32) (result f32) (local.get 0)))
        (assert_return (invoke "div" (f32.const 0) (f32.const 0)) (f32.const nan:arithmetic))
        (assert_return (invoke "div" (f32.const 0) (f32.const 0)) (f32.const nan:canonical))
        (assert_return (invoke "id" (f32.const nan:0x200000)) (f32.const nan:arithmetic))
        "#,
    );
    assert_eq!(&s[..2], &[Status::Pass, Status::Pass]);
    // An arithmetic NaN that is not the canonical one does not satisfy Metron's rule.
    assert!(matches!(s[2], Status::Fail(_)), "{s:?}");
}

#[test]
fn spectest_host_module_and_exhaustion() {
    let s = statuses(
        r#"
        (module
          (import "spectest" "print_i32" (func $p (param i32)))
          (import "spectest" "global_i32" (global $g i32))
          (import "spectest" "memory" (memory 1 2))
          (import "spectest" "table" (table 10 20 funcref))
          (func (export "f") (result i32) (call $p (global.get $g)) (global.get $g))
          (func $r (export "r") (call $r))
          (func (export "grow") (result i32) (memory.grow (i32.const 1))))
        (assert_return (invoke "f") (i32.const 666))
        (assert_exhaustion (invoke "r") "call stack exhausted")
        (assert_return (invoke "grow") (i32.const 1))
        (assert_return (invoke "grow") (i32.const -1))
        (assert_unlinkable (module (import "spectest" "memory" (memory 3))) "incompatible import type")
        "#,
    );
    assert!(s.iter().all(|x| *x == Status::Pass), "{s:?}");
}

#[test]
fn missing_suite_is_an_error_with_guidance() {
    use metron_conformance::find_suite;
    use std::path::PathBuf;
    let nowhere = PathBuf::from("/nonexistent/metron/workspace");
    let e = find_suite(None, std::slice::from_ref(&nowhere)).unwrap_err();
    assert!(
        e.contains("METRON_TESTSUITE") && e.contains("49b5977"),
        "{e}"
    );
    let e = find_suite(Some(nowhere.clone()), &[]).unwrap_err();
    assert!(e.contains("not a directory"), "{e}");
    let dir = std::env::temp_dir();
    assert_eq!(find_suite(Some(dir.clone()), &[nowhere]).unwrap(), dir);
}
