//! Instrumenter tests: Metron's own meter on the original module against the
//! instrumented module run by Metron with metering off (the `metron-fuzz` crate runs
//! the same comparison with wasmi as the engine). Same results, same trap, same gas
//! left at every limit around the boundary, same stack-exhaustion point.

use super::*;
use crate::{GasMeter, Instance, NoHost, Trap, TrapKind, Value};

/// Outcome of one call: results or trap kind, and gas left.
#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<Vec<Value>, TrapKind>,
    gas_left: u64,
}

fn metron(wasm: &[u8], config: &Config, f: &str, args: &[Value], limit: u64) -> Outcome {
    let m = Module::new(config, wasm).unwrap();
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::new(limit);
    let result = i
        .invoke(&mut NoHost, f, args, &mut gas)
        .map_err(|t| t.kind());
    Outcome {
        result,
        gas_left: gas.remaining(),
    }
}

fn instrumented(wasm: &[u8], config: &Config, f: &str, args: &[Value], limit: u64) -> Outcome {
    let out = instrument_with_gas(wasm, config, limit).unwrap();
    wasmparser::Validator::new().validate_all(&out).unwrap();
    // The engine running the instrumented module: Metron without metering, and with
    // room for the instrumentation's own frames and locals.
    let engine = Config {
        metering: false,
        max_call_depth: config.max_call_depth.saturating_mul(2).saturating_add(8),
        max_stack_slots: u32::MAX,
        limits: crate::Limits {
            max_locals: 1 << 16,
            max_function_body_size: 1 << 24,
            max_code_size: 1 << 26,
            ..crate::Limits::default()
        },
        ..Config::default()
    };
    let m = Module::new(&engine, &out).unwrap();
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let r = i.invoke(&mut NoHost, f, args, &mut GasMeter::unlimited());
    let Some(Value::I64(left)) = i.global(GAS_GLOBAL) else {
        panic!("gas global")
    };
    let Some(Value::I32(reason)) = i.global(TRAP_GLOBAL) else {
        panic!("trap global")
    };
    let result = r.map_err(|t: Trap| match (t.kind(), reason) {
        (TrapKind::Unreachable, TRAP_OUT_OF_GAS) => TrapKind::OutOfGas,
        (TrapKind::Unreachable, TRAP_STACK_EXHAUSTED) => TrapKind::CallStackExhausted,
        (k, _) => k,
    });
    Outcome {
        result,
        gas_left: left as u64,
    }
}

/// Checks agreement at every limit in `0..=used+2` (or around the boundary for long runs).
fn agree(src: &str, f: &str, args: &[Value]) -> u64 {
    agree_with(&Config::default(), src, f, args)
}

fn agree_with(config: &Config, src: &str, f: &str, args: &[Value]) -> u64 {
    let wasm = wat::parse_str(src).unwrap();
    let full = metron(&wasm, config, f, args, 1 << 40);
    let used = (1u64 << 40) - full.gas_left;
    assert_eq!(
        full,
        instrumented(&wasm, config, f, args, 1 << 40),
        "unlimited run of {f}"
    );
    let limits: Vec<u64> = if used <= 400 {
        (0..=used + 2).collect()
    } else {
        let mut v: Vec<u64> = (used - 40..=used + 2).collect();
        v.extend((0..used).step_by((used / 50) as usize + 1));
        v
    };
    for limit in limits {
        let a = metron(&wasm, config, f, args, limit);
        let b = instrumented(&wasm, config, f, args, limit);
        assert_eq!(a, b, "{f} at limit {limit} (used {used})");
        if full.result == Err(TrapKind::OutOfGas) {
            continue; // the boundary is beyond the reference limit
        }
        if limit >= used {
            assert_eq!(a.result, full.result, "enough gas at {limit}");
            assert_eq!(a.gas_left, limit - used);
        } else {
            assert_eq!(a.result, Err(TrapKind::OutOfGas), "limit {limit} < {used}");
            assert_eq!(a.gas_left, 0);
        }
    }
    used
}

#[test]
fn straight_line_and_branches() {
    let src = r#"(module
      (func (export "sel") (param i32) (result i32)
        local.get 0 if (result i32) i32.const 10 else i32.const 20 end
        i32.const 3 i32.mul)
      (func (export "loop") (param i32) (result i32) (local i32)
        block loop
          local.get 0 i32.eqz br_if 1
          local.get 1 local.get 0 i32.add local.set 1
          local.get 0 i32.const 1 i32.sub local.set 0
          br 0 end end
        local.get 1)
      (func (export "tbl") (param i32) (result i32)
        block block block
          local.get 0 br_table 0 1 2
        end i32.const 1 return end i32.const 2 return end
        i32.const 3)
      (func (export "early") (param i32) (result i32)
        local.get 0 i32.const 7 i32.gt_u if i32.const 99 return end
        i32.const 5 local.get 0 br_if 0 drop i32.const 6)
      (func (export "trap") (param i32) (result i32)
        i32.const 1 local.get 0 i32.div_u))"#;
    for a in [0, 1, 2] {
        agree(src, "sel", &[Value::I32(a)]);
        agree(src, "tbl", &[Value::I32(a)]);
        agree(src, "tbl", &[Value::I32(a + 5)]);
    }
    for a in [0, 3, 9] {
        agree(src, "early", &[Value::I32(a)]);
        agree(src, "trap", &[Value::I32(a)]);
    }
    let used = agree(src, "loop", &[Value::I32(100)]);
    assert!(used > 100);
}

#[test]
fn calls_recursion_and_multi_value() {
    let src = r#"(module
      (func $fib (export "fib") (param i64) (result i64)
        local.get 0 i64.const 2 i64.lt_u
        if (result i64) local.get 0
        else local.get 0 i64.const 1 i64.sub call $fib
             local.get 0 i64.const 2 i64.sub call $fib i64.add end)
      (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)
      (func (export "mv") (result i32) (local i32)
        i32.const 1 i32.const 2 call $swap i32.sub
        block (result i32 i32) i32.const 4 i32.const 5 br 0 end i32.add i32.add)
      (func (export "ret2") (result i32 i64)
        i32.const 1 i64.const 2 return))"#;
    agree(src, "fib", &[Value::I64(7)]);
    agree(src, "mv", &[]);
    agree(src, "ret2", &[]);
}

/// Regression (found by the `gas_model` fuzzer): the wrapper block types of multi-value
/// functions were appended to the type section in the order of their result lists, not
/// in the order their indices were assigned (first use), so a module whose functions
/// first return `(i64 i32)` and then `(i32 i64)` was instrumented into an invalid (or
/// wrongly typed) module.
#[test]
fn multi_value_wrapper_types_in_index_order() {
    let src = r#"(module
      (func $a (export "a") (result i64 i32) i64.const 7 i32.const 1)
      (func $b (export "b") (result i32 i64) i32.const 2 i64.const 8)
      (func $c (export "c") (result f64 i32 i64) f64.const 1.5 i32.const 3 i64.const 9)
      (func (export "all") (result i64) (local i64)
        call $a i64.extend_i32_u i64.add local.set 0
        call $b local.get 0 i64.add local.set 0 i64.extend_i32_u local.get 0 i64.add local.set 0
        call $c local.get 0 i64.add local.set 0 i64.extend_i32_u local.get 0 i64.add local.set 0
        drop local.get 0))"#;
    let wasm = wat::parse_str(src).unwrap();
    let out = instrument(&wasm, &Config::default()).unwrap();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::default())
        .validate_all(&out)
        .expect("instrumented module validates");
    for f in ["a", "b", "c", "all"] {
        agree(src, f, &[]);
    }
    let m = Module::new(&Config::default(), &wasm).unwrap();
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let r = i.invoke(&mut NoHost, "all", &[], &mut GasMeter::new(1 << 20));
    assert_eq!(r.unwrap(), vec![Value::I64(30)]);
}

#[test]
fn dynamic_costs() {
    let src = r#"(module
      (memory 1 4)
      (table 2 10 funcref)
      (data $d "hello world, this is a passive segment")
      (elem $e func $f $f $f)
      (func $f)
      (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
      (func (export "fill") (param i32)
        i32.const 16 i32.const 7 local.get 0 memory.fill)
      (func (export "copy") (param i32)
        i32.const 100 i32.const 0 local.get 0 memory.copy)
      (func (export "init") (param i32)
        i32.const 0 i32.const 0 local.get 0 memory.init $d)
      (func (export "tgrow") (param i32) (result i32)
        ref.null func local.get 0 table.grow 0)
      (func (export "tfill") (param i32)
        i32.const 0 ref.func $f local.get 0 table.fill 0)
      (func (export "tinit") (param i32)
        i32.const 0 i32.const 0 local.get 0 table.init $e))"#;
    for n in [0, 1, 2, 3, 5] {
        agree(src, "grow", &[Value::I32(n)]);
        agree(src, "tgrow", &[Value::I32(n)]);
        agree(src, "tinit", &[Value::I32(n)]);
    }
    for n in [0, 1, 8, 9, 100, 70_000] {
        agree(src, "fill", &[Value::I32(n)]);
        agree(src, "copy", &[Value::I32(n)]);
        agree(src, "init", &[Value::I32(n)]);
        agree(src, "tfill", &[Value::I32(n)]);
    }
    // Saturating per-unit costs take the other code path.
    let config = Config {
        schedule: crate::GasSchedule {
            memory_grow_per_page: u64::MAX / 2,
            table_per_element: (1 << 40) + 3,
            ..crate::GasSchedule::default()
        },
        ..Config::default()
    };
    for n in [0, 1, 2, -1] {
        agree_with(&config, src, "grow", &[Value::I32(n)]);
        agree_with(&config, src, "tgrow", &[Value::I32(n)]);
    }
}

#[test]
fn stack_exhaustion_at_the_same_point() {
    let src = r#"(module
      (func $down (export "down") (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 0
        else local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add end))"#;
    for (depth, slots) in [(1024, 1 << 20), (10, 1 << 20), (1024, 60), (1024, 59)] {
        let config = Config {
            max_call_depth: depth,
            max_stack_slots: slots,
            ..Config::default()
        };
        for n in [0, 5, 9, 10, 11, 19, 20, 21, 40] {
            agree_with(&config, src, "down", &[Value::I32(n)]);
        }
    }
}

#[test]
fn reserved_export_names_rejected() {
    let wasm =
        wat::parse_str(r#"(module (global (export "metron_trap") i32 (i32.const 0)))"#).unwrap();
    assert!(instrument(&wasm, &Config::default()).is_err());
    // Metron's validation errors come through unchanged.
    let e = instrument(b"\0asm\x01\0\0\0\x01", &Config::default()).unwrap_err();
    let m = Module::new(&Config::default(), b"\0asm\x01\0\0\0\x01").unwrap_err();
    assert_eq!(e.to_string(), m.to_string());
}

#[test]
fn split_charges_agree() {
    // Blocks whose sum exceeds u32::MAX are split into several charges.
    let config = Config {
        schedule: crate::GasSchedule {
            call: u64::from(u32::MAX) - 1,
            ..crate::GasSchedule::default()
        },
        ..Config::default()
    };
    let src = r#"(module (func $e)
      (func (export "f") (result i32) call $e call $e i32.const 1 call $e))"#;
    let wasm = wat::parse_str(src).unwrap();
    let full = metron(&wasm, &config, "f", &[], u64::MAX);
    let used = u64::MAX - full.gas_left;
    assert!(used > 3 * (u64::from(u32::MAX) - 1));
    for limit in [
        0,
        1,
        u64::from(u32::MAX) - 1,
        u64::from(u32::MAX),
        used - 1,
        used,
        used + 1,
    ]
    .into_iter()
    .chain((0..8).map(|k| k * (u64::from(u32::MAX) / 2)))
    {
        assert_eq!(
            metron(&wasm, &config, "f", &[], limit),
            instrumented(&wasm, &config, "f", &[], limit),
            "limit {limit}"
        );
    }
}
