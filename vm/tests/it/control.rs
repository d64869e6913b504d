//! Control flow: blocks, loops, if/else, br/br_if/br_table, multi-value, select, calls,
//! globals, unreachable, call-stack exhaustion.

use crate::common::*;
use metron_vm::{Config, GasMeter, Instance, NoHost, TrapKind, Value};

const CTRL: &str = r#"(module
  (global $g (mut i32) (i32.const 10))
  (global $h i64 (i64.const -7))
  (global $gf (mut f64) (f64.const 1.5))
  (global (export "gexp") (mut i32) (i32.const 99))
  (func (export "if") (param i32) (result i32)
    local.get 0 if (result i32) i32.const 1 else i32.const 2 end)
  (func (export "if_no_else") (param i32) (result i32) (local i32)
    i32.const 5 local.set 1
    local.get 0 if i32.const 6 local.set 1 end
    local.get 1)
  (func (export "br_table") (param i32) (result i32)
    block block block block
      local.get 0 br_table 0 1 2 3
    end i32.const 100 return
    end i32.const 101 return
    end i32.const 102 return
    end i32.const 103)
  (func (export "br_table_value") (param i32) (result i32)
    block (result i32)
      block (result i32)
        i32.const 7 local.get 0 br_table 0 1 0
      end
      i32.const 100 i32.add
    end)
  (func (export "br_if_value") (param i32) (result i32)
    block (result i32)
      i32.const 1 local.get 0 br_if 0 drop i32.const 2
    end)
  (func (export "loop_sum") (param i32) (result i32) (local i32)
    block loop
      local.get 0 i32.eqz br_if 1
      local.get 1 local.get 0 i32.add local.set 1
      local.get 0 i32.const 1 i32.sub local.set 0
      br 0
    end end
    local.get 1)
  (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)
  (func (export "swap") (param i32 i32) (result i32 i32) local.get 0 local.get 1 call $swap)
  (func (export "multi_block") (result i32)
    i32.const 3 i32.const 4
    block (param i32 i32) (result i32) i32.sub end)
  (func (export "multi_loop") (result i32) (local i32)
    i32.const 0
    loop (param i32) (result i32)
      i32.const 1 i32.add
      local.tee 0 local.get 0 i32.const 5 i32.lt_u br_if 0
    end)
  (func (export "multi_if") (param i32) (result i64 f32)
    local.get 0 if (result i64 f32) i64.const 1 f32.const 2 else i64.const 3 f32.const 4 end)
  (func (export "select") (param i32) (result i32)
    i32.const 10 i32.const 20 local.get 0 select)
  (func (export "select_t") (param i32) (result i64)
    i64.const 10 i64.const 20 local.get 0 select (result i64))
  (func (export "globals") (result i32)
    global.get $g i32.const 1 i32.add global.set $g global.get $g)
  (func (export "global_i64") (result i64) global.get $h)
  (func (export "global_f64") (result f64)
    global.get $gf global.get $gf f64.add global.set $gf global.get $gf)
  (func (export "unreachable") unreachable)
  (func (export "nested_unreachable") (result i32)
    block (result i32) i32.const 1 if unreachable end i32.const 2 end)
  (func (export "return_early") (param i32) (result i32)
    local.get 0 if i32.const 1 return end i32.const 2)
  (func $rec (param i32) (result i32) local.get 0 i32.const 1 i32.add call $rec)
  (func (export "recurse") (result i32) i32.const 0 call $rec)
  (func (export "locals_zeroed") (result i64) (local i32 i64 f32 f64)
    local.get 1)
  (func (export "params_many") (param i32 i64 f32 f64 i32) (result i32)
    local.get 4)
  (func (export "nop") nop)
)"#;

#[test]
fn blocks_and_branches() {
    let mut m = inst(CTRL);
    assert_eq!(call1(&mut m, "if", &[i32(1)]), i32(1));
    assert_eq!(call1(&mut m, "if", &[i32(0)]), i32(2));
    assert_eq!(call1(&mut m, "if_no_else", &[i32(0)]), i32(5));
    assert_eq!(call1(&mut m, "if_no_else", &[i32(3)]), i32(6));
    for (x, want) in [(0, 100), (1, 101), (2, 102), (3, 103), (4, 103), (-1, 103)] {
        assert_eq!(
            call1(&mut m, "br_table", &[i32(x)]),
            i32(want),
            "br_table {x}"
        );
    }
    assert_eq!(call1(&mut m, "br_table_value", &[i32(0)]), i32(107));
    assert_eq!(call1(&mut m, "br_table_value", &[i32(1)]), i32(7));
    assert_eq!(call1(&mut m, "br_table_value", &[i32(9)]), i32(107));
    assert_eq!(call1(&mut m, "br_if_value", &[i32(1)]), i32(1));
    assert_eq!(call1(&mut m, "br_if_value", &[i32(0)]), i32(2));
    assert_eq!(call1(&mut m, "loop_sum", &[i32(100)]), i32(5050));
    assert_eq!(call1(&mut m, "return_early", &[i32(1)]), i32(1));
    assert_eq!(call1(&mut m, "return_early", &[i32(0)]), i32(2));
    assert_eq!(call(&mut m, "nop", &[]).unwrap(), vec![]);
}

#[test]
fn multi_value() {
    let mut m = inst(CTRL);
    assert_eq!(
        call(&mut m, "swap", &[i32(1), i32(2)]).unwrap(),
        vec![i32(2), i32(1)]
    );
    assert_eq!(call1(&mut m, "multi_block", &[]), i32(-1));
    assert_eq!(call1(&mut m, "multi_loop", &[]), i32(5));
    assert_eq!(
        call(&mut m, "multi_if", &[i32(1)]).unwrap(),
        vec![i64(1), f32(2.0)]
    );
    assert_eq!(
        call(&mut m, "multi_if", &[i32(0)]).unwrap(),
        vec![i64(3), f32(4.0)]
    );
}

#[test]
fn select_globals_locals() {
    let mut m = inst(CTRL);
    assert_eq!(call1(&mut m, "select", &[i32(1)]), i32(10));
    assert_eq!(call1(&mut m, "select", &[i32(0)]), i32(20));
    assert_eq!(call1(&mut m, "select_t", &[i32(0)]), i64(20));
    assert_eq!(call1(&mut m, "globals", &[]), i32(11));
    assert_eq!(call1(&mut m, "globals", &[]), i32(12));
    assert_eq!(call1(&mut m, "global_i64", &[]), i64(-7));
    assert_eq!(call1(&mut m, "global_f64", &[]), f64(3.0));
    assert_eq!(m.global("gexp"), Some(i32(99)));
    assert_eq!(m.global("nope"), None);
    assert_eq!(call1(&mut m, "locals_zeroed", &[]), i64(0));
    assert_eq!(
        call1(
            &mut m,
            "params_many",
            &[i32(1), i64(2), f32(3.0), f64(4.0), i32(5)]
        ),
        i32(5)
    );
}

#[test]
fn traps_and_arguments() {
    let mut m = inst(CTRL);
    assert_eq!(trap(&mut m, "unreachable", &[]), TrapKind::Unreachable);
    assert_eq!(
        trap(&mut m, "nested_unreachable", &[]),
        TrapKind::Unreachable
    );
    let e = call(&mut m, "unreachable", &[]).unwrap_err();
    assert_eq!(e.to_string(), "unreachable");
    // Bad export name / argument types are rejected (as host traps), not executed.
    assert!(call(&mut m, "missing", &[]).is_err());
    assert!(call(&mut m, "if", &[]).is_err());
    assert!(call(&mut m, "if", &[i64(1)]).is_err());
    assert!(call(&mut m, "if", &[i32(1), i32(2)]).is_err());
    // The instance is still usable after a trap.
    assert_eq!(call1(&mut m, "if", &[i32(1)]), i32(1));
}

#[test]
fn call_stack_exhausted_is_deterministic() {
    let module = module(CTRL);
    let mut used = Vec::new();
    for _ in 0..2 {
        let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let mut gas = GasMeter::new(1_000_000_000);
        let e = i.invoke(&mut NoHost, "recurse", &[], &mut gas).unwrap_err();
        assert_eq!(e.kind(), TrapKind::CallStackExhausted);
        assert_eq!(e.to_string(), "call stack exhausted");
        used.push(gas.used());
    }
    assert_eq!(used[0], used[1]);
    assert!(used[0] > 0);
}

#[test]
fn call_depth_limit_from_config() {
    let wat = r#"(module
      (func $down (export "down") (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 0
        else local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add end))"#;
    let config = Config {
        max_call_depth: 50,
        ..Config::default()
    };
    let module = module_with(&config, wat);
    // The exact boundary (consensus): at most 50 active frames, the entry one included,
    // whether the frame buffer still has to grow (a fresh instance) or not, and the
    // instance still runs after the trap.
    for _ in 0..2 {
        let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        assert_eq!(call1(&mut i, "down", &[i32(49)]), i32(49));
        assert_eq!(
            trap(&mut i, "down", &[i32(50)]),
            TrapKind::CallStackExhausted
        );
        assert_eq!(call1(&mut i, "down", &[i32(49)]), i32(49));
    }
    // Stack slots limit.
    let config = Config {
        max_stack_slots: 200,
        ..Config::default()
    };
    let module = module_with(&config, wat);
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    assert_eq!(call1(&mut i, "down", &[i32(5)]), i32(5));
    assert_eq!(
        trap(&mut i, "down", &[i32(1000)]),
        TrapKind::CallStackExhausted
    );
    let _ = Value::I32(0);
}

#[test]
fn deep_recursion_uses_the_heap_stack() {
    // 200k nested wasm frames: native recursion would overflow the test thread's stack.
    let wat = r#"(module
      (func $down (export "down") (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 0
        else local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add end))"#;
    let config = Config {
        max_call_depth: 300_000,
        max_stack_slots: 1 << 24,
        ..Config::default()
    };
    let module = module_with(&config, wat);
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    assert_eq!(call1(&mut i, "down", &[i32(200_000)]), i32(200_000));
}

#[test]
fn multi_value_through_call_indirect() {
    let mut m = inst(
        r#"(module
      (type $t (func (param i32 i64) (result i64 i32 f64)))
      (table 1 funcref)
      (elem (i32.const 0) $f)
      (func $f (type $t) local.get 1 local.get 0 f64.const 0.5)
      (func (export "go") (param i32 i64) (result i64 i32 f64)
        local.get 0 local.get 1 i32.const 0 call_indirect (type $t)))"#,
    );
    assert_eq!(
        call(&mut m, "go", &[i32(7), i64(-8)]).unwrap(),
        vec![i64(-8), i32(7), f64(0.5)]
    );
}

/// Declared locals start at zero on every call, also where an earlier frame left other
/// values, and the constant pool that follows them is intact: callees with 1 to 9
/// locals (around `enter`'s blocks of four cells) and two pooled constants, entered
/// right after a callee that filled the same cells, metered (`enter` takes the entry
/// charge) and not (`enter` goes in front), and a callee whose body starts with a
/// loop (its header is a branch target).
#[test]
fn locals_start_at_zero_over_a_dirty_frame() {
    const BIG: i64 = 0x1_0000_0001; // does not fit 32 bits: pooled
    let mut wat = String::from(
        "(module
      (func $dirty (param i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)",
    );
    for k in 1..=12 {
        wat += &format!(" local.get 0 local.set {k}");
    }
    wat += ")\n";
    for n in 1..=9 {
        let locals = "i64 ".repeat(n);
        wat += &format!(
            "(func $clean{n} (result i64) (local {locals}) i64.const {BIG} i64.const {}",
            BIG * 2
        );
        wat += " i64.add";
        for k in 0..n {
            wat += &format!(" local.get {k} i64.add");
        }
        wat += ")\n";
        wat += &format!(
            "(func (export \"f{n}\") (param i64) (result i64) local.get 0 call $dirty call $clean{n})\n"
        );
    }
    // Loop header first; the local is read before any write.
    wat += "(func $loop (result i64) (local i64 i32)
        loop local.get 1 i32.const 1 i32.add local.tee 1 i32.const 3 i32.lt_u br_if 0 end
        local.get 0 local.get 1 i64.extend_i32_u i64.add)
      (func (export \"loop\") (param i64) (result i64) local.get 0 call $dirty call $loop))";
    for metering in [true, false] {
        let config = Config {
            metering,
            ..Config::default()
        };
        let module = module_with(&config, &wat);
        let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        for n in 1..=9 {
            let f = format!("f{n}");
            assert_eq!(
                call1(&mut i, &f, &[i64(-1)]),
                i64(BIG * 3),
                "{f} {metering}"
            );
        }
        assert_eq!(call1(&mut i, "loop", &[i64(-1)]), i64(3), "{metering}");
    }
}
