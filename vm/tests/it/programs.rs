//! Whole programs: fibonacci (recursive and iterative), a memory-heavy loop.

use crate::common::*;
use metron_vm::{GasMeter, NoHost};

const FIB: &str = r#"(module
  (func $fib_rec (export "fib_rec") (param i64) (result i64)
    local.get 0 i64.const 2 i64.lt_u
    if (result i64) local.get 0
    else
      local.get 0 i64.const 1 i64.sub call $fib_rec
      local.get 0 i64.const 2 i64.sub call $fib_rec
      i64.add
    end)
  (func (export "fib_iter") (param i64) (result i64) (local i64 i64 i64)
    i64.const 0 local.set 1
    i64.const 1 local.set 2
    block loop
      local.get 0 i64.eqz br_if 1
      local.get 1 local.get 2 i64.add local.set 3
      local.get 2 local.set 1
      local.get 3 local.set 2
      local.get 0 i64.const 1 i64.sub local.set 0
      br 0
    end end
    local.get 1)
  (memory 1)
  (func (export "sieve") (param i32) (result i32) (local i32 i32 i32)
    ;; counts primes below n (n <= 65536) with a byte sieve
    i32.const 2 local.set 1
    block loop
      local.get 1 local.get 0 i32.ge_u br_if 1
      local.get 1 i32.load8_u i32.eqz
      if
        local.get 3 i32.const 1 i32.add local.set 3
        local.get 1 local.get 1 i32.mul local.set 2
        block loop
          local.get 2 local.get 0 i32.ge_u br_if 1
          local.get 2 i32.const 1 i32.store8
          local.get 2 local.get 1 i32.add local.set 2
          br 0
        end end
      end
      local.get 1 i32.const 1 i32.add local.set 1
      br 0
    end end
    local.get 3)
)"#;

fn fib(n: u64) -> i64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a as i64
}

#[test]
fn fibonacci() {
    let mut m = inst(FIB);
    for n in [0, 1, 2, 10, 20, 25] {
        assert_eq!(
            call1(&mut m, "fib_rec", &[i64(n)]),
            i64(fib(n as u64)),
            "rec {n}"
        );
    }
    for n in [0, 1, 2, 50, 90, 100, 1000] {
        assert_eq!(
            call1(&mut m, "fib_iter", &[i64(n)]),
            i64(fib(n as u64)),
            "iter {n}"
        );
    }
}

#[test]
fn fibonacci_gas_deterministic() {
    let module = module(FIB);
    let mut used = Vec::new();
    for _ in 0..2 {
        let mut i =
            metron_vm::Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let mut gas = GasMeter::new(u64::MAX);
        i.invoke(&mut NoHost, "fib_rec", &[i64(15)], &mut gas)
            .unwrap();
        used.push(gas.used());
    }
    assert_eq!(used[0], used[1]);
}

#[test]
fn sieve() {
    let mut m = inst(FIB);
    assert_eq!(call1(&mut m, "sieve", &[i32(100)]), i32(25));
    let mut m = inst(FIB);
    assert_eq!(call1(&mut m, "sieve", &[i32(65_536)]), i32(6542));
}
