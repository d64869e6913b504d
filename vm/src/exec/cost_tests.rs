//! Tests of the work counters (feature `cost-counters`, `crate::cost`): what each kind
//! of work adds, and that a count does not depend on how the run went through the
//! handlers and the loop.

use crate::cost::Counters;
use crate::host::NoHost;
use crate::instance::Instance;
use crate::meter::GasMeter;
use crate::value::Value;
use crate::{Config, Module};

/// An instance of `src` (WAT), its instantiation's counters, and the counters of a call
/// of `export` with `args`.
fn run(src: &str, export: &str, args: &[Value]) -> (Counters, Counters) {
    let m = Module::new(&Config::default(), &wat::parse_str(src).unwrap()).unwrap();
    let mut gas = GasMeter::new(u64::MAX);
    let mut inst = Instance::new(&m, &mut NoHost, &mut gas).unwrap();
    let setup = inst.cost();
    inst.reset_cost();
    inst.invoke(&mut NoHost, export, args, &mut gas).unwrap();
    (setup, inst.cost())
}

#[test]
fn instantiation_counts_pages_tables_and_segments() {
    let (setup, call) = run(
        r#"(module
            (memory 2)
            (table 10 funcref)
            (global (mut i32) (i32.const 0))
            (func $f)
            (elem (i32.const 0) $f $f $f)
            (data (i32.const 0) "abcdefgh")
            (func (export "f")))"#,
        "f",
        &[],
    );
    // 2 pages, 10 table elements, 3 segment items, 1 global, 2 functions.
    assert_eq!(setup.alloc_bytes, 2 * 65_536 + 8 * 10 + 8 * 3 + 8 + 8 * 2);
    // 3 elements and 8 data bytes applied.
    assert_eq!(setup.bulk_bytes, 8 * 3 + 8);
    assert_eq!(setup.dispatched, 0);
    // The empty function: at least its return.
    assert!(call.dispatched >= 1, "{call:?}");
}

#[test]
fn frame_set_up_counts_cells() {
    // 100 i64 locals read once each: `enter` zeroes them in blocks of 4.
    let reads: String = (0..100).map(|i| format!("local.get {i} drop ")).collect();
    let src = format!(
        r#"(module (func $g (local {}) {reads}) (func (export "f") call $g))"#,
        "i64 ".repeat(100)
    );
    let (_, call) = run(&src, "f", &[]);
    assert!(
        (100..100 + 2 * super::INIT_BLOCK as u64).contains(&call.frame_cells),
        "{call:?}"
    );
}

#[test]
fn grows_and_bulk_operations_count_bytes() {
    let (_, call) = run(
        r#"(module (memory 1) (table 1 funcref)
            (func (export "f")
              (drop (memory.grow (i32.const 3)))
              (drop (table.grow (ref.null func) (i32.const 5)))
              (memory.fill (i32.const 0) (i32.const 7) (i32.const 100))
              (memory.copy (i32.const 200) (i32.const 0) (i32.const 50))
              (table.fill (i32.const 0) (ref.null func) (i32.const 6))
              ;; out of range: traps nothing, grows nothing
              (drop (memory.grow (i32.const 100000)))))"#,
        "f",
        &[],
    );
    // The pages and elements grown, and the value stack's first 64 cells (the
    // instance's first call, `grow_stack`).
    assert_eq!(call.alloc_bytes, 3 * 65_536 + 5 * 8 + 64 * 8);
    assert_eq!(call.bulk_bytes, 100 + 50 + 6 * 8);
}

#[test]
fn multi_value_returns_move_cells() {
    let results = "i64 ".repeat(16);
    let consts: String = (0..16).map(|i| format!("i64.const {i} ")).collect();
    let src = format!(
        r#"(module
            (func $g (result {results}) {consts})
            (func (export "f") (param i32) (result i64)
              (local $i i32)
              (loop $l
                call $g
                {}
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
              (i64.const 0)))"#,
        "drop ".repeat(16)
    );
    let (_, ten) = run(&src, "f", &[Value::I32(10)]);
    let (_, twenty) = run(&src, "f", &[Value::I32(20)]);
    // Each call's return moves its 16 results (and nothing else grows per iteration
    // but the dispatches).
    assert_eq!(
        twenty.cells_moved - ten.cells_moved,
        10 * 16,
        "{ten:?} {twenty:?}"
    );
    assert!(twenty.dispatched > ten.dispatched);
    assert!(twenty.units() > ten.units());
}

#[test]
fn counts_are_the_same_through_the_loop() {
    // `FORCE_GUARD` sends every call (and, tail backend, every taken branch) back to
    // the loop: the same instructions dispatched as in the threaded run.
    let src = r#"(module
        (func $fib (param i64) (result i64)
          (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
            (then (local.get 0))
            (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                           (call $fib (i64.sub (local.get 0) (i64.const 2)))))))
        (func (export "f") (param i64) (result i64) (call $fib (local.get 0))))"#;
    let (_, plain) = run(src, "f", &[Value::I64(15)]);
    super::threaded::tests::FORCE_GUARD.with(|f| f.set(true));
    let (_, guarded) = run(src, "f", &[Value::I64(15)]);
    super::threaded::tests::FORCE_GUARD.with(|f| f.set(false));
    // Only the number of threaded runs differs (every call now goes through the loop).
    assert!(guarded.runs > plain.runs, "{plain:?} {guarded:?}");
    assert_eq!(
        Counters { runs: 0, ..plain },
        Counters { runs: 0, ..guarded }
    );
    assert!(plain.dispatched > 1000, "{plain:?}");
}
