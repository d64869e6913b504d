//! Gas metering: out of gas in infinite loops, determinism across runs, dynamic costs.

use crate::common::*;
use metron_vm::{Config, GasMeter, Instance, NoHost, TrapKind};

const LOOPS: &str = r#"(module
  (memory 1)
  (func (export "forever") loop br 0 end)
  (func (export "count") (param i32) (result i32) (local i32)
    block loop
      local.get 0 i32.eqz br_if 1
      local.get 0 i32.const 1 i32.sub local.set 0
      local.get 1 i32.const 1 i32.add local.set 1
      br 0
    end end
    local.get 1)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "fill") (param i32) i32.const 0 i32.const 0 local.get 0 memory.fill)
)"#;

#[test]
fn infinite_loop_runs_out_of_gas() {
    let module = module(LOOPS);
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::new(100_000);
    let e = i.invoke(&mut NoHost, "forever", &[], &mut gas).unwrap_err();
    assert_eq!(e.kind(), TrapKind::OutOfGas);
    assert_eq!(e.to_string(), "out of gas");
    assert_eq!(gas.used(), gas.limit());
    assert_eq!(gas.remaining(), 0);
}

#[test]
fn gas_used_is_identical_across_runs_and_grows_with_work() {
    let module = module(LOOPS);
    let run = |n: i32| {
        let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let mut gas = GasMeter::new(10_000_000);
        let r = i.invoke(&mut NoHost, "count", &[i32(n)], &mut gas).unwrap();
        assert_eq!(r, vec![i32(n)]);
        gas.used()
    };
    let a = run(100);
    assert_eq!(a, run(100));
    let b = run(200);
    assert!(b > a);
    // Linear in the iteration count: a constant per iteration.
    let c = run(300);
    assert_eq!(c - b, b - a);
    assert!((b - a) / 100 > 0);
}

#[test]
fn out_of_gas_point_is_exact() {
    // Find the exact cost, then check that limit = cost - 1 fails and = cost succeeds.
    let module = module(LOOPS);
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::new(u64::MAX);
    i.invoke(&mut NoHost, "count", &[i32(10)], &mut gas)
        .unwrap();
    let cost = gas.used();
    let mut gas = GasMeter::new(cost);
    assert!(i.invoke(&mut NoHost, "count", &[i32(10)], &mut gas).is_ok());
    assert_eq!(gas.used(), cost);
    let mut gas = GasMeter::new(cost - 1);
    let e = i
        .invoke(&mut NoHost, "count", &[i32(10)], &mut gas)
        .unwrap_err();
    assert_eq!(e.kind(), TrapKind::OutOfGas);
    assert_eq!(gas.used(), cost - 1);
}

#[test]
fn dynamic_costs_are_charged() {
    let module = module(LOOPS);
    let schedule = Config::default().schedule;
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let cost_of = |i: &mut Instance, f: &str, a: i32| {
        let mut gas = GasMeter::new(u64::MAX);
        i.invoke(&mut NoHost, f, &[i32(a)], &mut gas).unwrap();
        gas.used()
    };
    let g0 = cost_of(&mut i, "grow", 0);
    let g2 = cost_of(&mut i, "grow", 2);
    assert_eq!(g2 - g0, schedule.memory_grow_dynamic(2));
    let f0 = cost_of(&mut i, "fill", 0);
    let f800 = cost_of(&mut i, "fill", 800);
    assert_eq!(f800 - f0, schedule.bulk_memory_dynamic(800));
    // A huge grow request runs out of gas before growing.
    let mut gas = GasMeter::new(1_000_000);
    let e = i
        .invoke(&mut NoHost, "grow", &[i32(-1)], &mut gas)
        .unwrap_err();
    assert_eq!(e.kind(), TrapKind::OutOfGas);
    assert_eq!(gas.used(), 1_000_000);
}

#[test]
fn metering_off_charges_nothing() {
    let config = Config {
        metering: false,
        ..Config::default()
    };
    let module = module_with(&config, LOOPS);
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::new(5);
    assert_eq!(
        i.invoke(&mut NoHost, "count", &[i32(1000)], &mut gas)
            .unwrap(),
        vec![i32(1000)]
    );
    assert_eq!(gas.used(), 0);
}

#[test]
fn trapping_block_has_paid_for_itself() {
    // The block containing the trap is charged in full before it runs; the trap does not
    // refund anything, and the charge is identical across runs.
    let module = module(
        r#"(module
      (func (export "t") (param i32) (result i32)
        local.get 0 i32.const 1 i32.add i32.const 0 i32.div_u
        i32.const 1 i32.add i32.const 1 i32.add))"#,
    );
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut a = GasMeter::new(1_000);
    assert_eq!(
        i.invoke(&mut NoHost, "t", &[i32(1)], &mut a)
            .unwrap_err()
            .kind(),
        TrapKind::IntegerDivideByZero
    );
    let mut b = GasMeter::new(1_000);
    let _ = i.invoke(&mut NoHost, "t", &[i32(1)], &mut b);
    assert_eq!(a.used(), b.used());
    let s = Config::default().schedule;
    // local.get, const, add, const, div_u, 2 x (const, add): all in one block.
    assert_eq!(a.used(), 8 * s.simple + s.int_div);
}

#[test]
fn branch_not_taken_charges_the_block_it_falls_into_before_it_runs() {
    // Each function stores 7 at address 0 in the block after a conditional branch that is
    // not taken for p = 0: `f` branches on a local (`br_if` on a slot), `g` on a compare
    // (a fused compare-and-branch), `h` on a computed value (the register form). The
    // interpreter charges that block in the branch's not-taken path; it must be the same
    // charge, before the store, as a `consume_gas` of its own.
    let module = module(
        r#"(module (memory 1)
      (func (export "f") (param i32)
        block local.get 0 br_if 0
          i32.const 0 i32.const 7 i32.store end)
      (func (export "g") (param i32)
        block local.get 0 i32.const 5 i32.lt_u br_if 0
          i32.const 0 i32.const 7 i32.store end)
      (func (export "h") (param i32)
        block local.get 0 i32.const 1 i32.add i32.eqz br_if 0
          i32.const 0 i32.const 7 i32.store end))"#,
    );
    let s = Config::default().schedule;
    let fall = 2 * s.simple + s.store;
    for (name, p, head) in [
        ("f", 0, s.simple + s.branch),
        ("g", 9, 2 * s.simple + s.simple + s.branch),
        ("h", 0, 3 * s.simple + s.simple + s.branch),
    ] {
        let stored = |limit: u64| {
            let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
            let mut gas = GasMeter::new(limit);
            let r = i.invoke(&mut NoHost, name, &[i32(p)], &mut gas);
            let word = i.memory().unwrap()[..4].to_vec();
            (r.map_err(|t| t.kind()), gas.used(), word)
        };
        let cost = head + fall;
        assert_eq!(stored(cost), (Ok(vec![]), cost, vec![7, 0, 0, 0]), "{name}");
        for limit in head..cost {
            assert_eq!(
                stored(limit),
                (Err(TrapKind::OutOfGas), limit, vec![0; 4]),
                "{name} with {limit} gas"
            );
        }
    }
}

#[test]
fn br_table_charges_the_block_it_jumps_to_before_it_runs() {
    // Each target block stores its number at address 0; the interpreter takes the
    // `br_table` entry's branch (and its charge of the target block) in the `br_table`'s
    // handler. The charge must be the target block's, made before the store.
    let module = module(
        r#"(module (memory 1)
      (func (export "t") (param i32)
        block block block
          local.get 0 br_table 0 1 2
        end i32.const 0 i32.const 1 i32.store return
        end i32.const 0 i32.const 2 i32.store return
        end i32.const 0 i32.const 3 i32.store))"#,
    );
    let s = Config::default().schedule;
    let head = s.simple + s.br_table;
    for (p, stored_value, block) in [
        (0, 1u8, 2 * s.simple + s.store + s.ret),
        (1, 2, 2 * s.simple + s.store + s.ret),
        (2, 3, 2 * s.simple + s.store),
        (7, 3, 2 * s.simple + s.store),
    ] {
        let run = |limit: u64| {
            let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
            let mut gas = GasMeter::new(limit);
            let r = i.invoke(&mut NoHost, "t", &[i32(p)], &mut gas);
            (r.map_err(|t| t.kind()), gas.used(), i.memory().unwrap()[0])
        };
        let cost = head + block;
        assert_eq!(run(cost), (Ok(vec![]), cost, stored_value), "index {p}");
        for limit in head..cost {
            assert_eq!(
                run(limit),
                (Err(TrapKind::OutOfGas), limit, 0),
                "index {p} with {limit} gas"
            );
        }
    }
}
