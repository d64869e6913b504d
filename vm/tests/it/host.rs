//! Host functions: linking, calls with memory access and gas charging, errors.

use crate::common::*;
use metron_vm::{
    Caller, FuncType, GasMeter, Host, HostError, Instance, InstantiationError, TrapKind, ValType,
    Value,
};

/// A test host: `env.add(i32,i32)->i32`, `env.sum_bytes(ptr,len)->i32` (charges 1/byte),
/// `env.write_hello(ptr)`, `env.fail()`, `env.burn(i64)` (charges its argument).
#[derive(Default)]
struct TestHost {
    calls: Vec<u32>,
}

impl Host for TestHost {
    fn resolve_func(&mut self, module: &str, name: &str, ty: &FuncType) -> Option<u32> {
        use ValType::*;
        if module != "env" {
            return None;
        }
        let (id, want) = match name {
            "add" => (0, FuncType::new([I32, I32], [I32])),
            "sum_bytes" => (1, FuncType::new([I32, I32], [I32])),
            "write_hello" => (2, FuncType::new([I32], [])),
            "fail" => (3, FuncType::new([], [])),
            "burn" => (4, FuncType::new([I64], [])),
            "pair" => (5, FuncType::new([], [I64, F64])),
            "gas_left" => (6, FuncType::new([], [I64])),
            _ => return None,
        };
        (*ty == want).then_some(id)
    }

    fn call(
        &mut self,
        id: u32,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        self.calls.push(id);
        match id {
            0 => {
                let (Value::I32(a), Value::I32(b)) = (args[0], args[1]) else {
                    return Err(HostError::new("bad args"));
                };
                results[0] = Value::I32(a.wrapping_add(b));
            }
            1 => {
                let (Value::I32(p), Value::I32(l)) = (args[0], args[1]) else {
                    return Err(HostError::new("bad args"));
                };
                caller.charge_gas(l as u32 as u64)?;
                let bytes = caller.read(p as u32, l as u32)?;
                results[0] = Value::I32(bytes.iter().map(|&b| i32::from(b)).sum());
            }
            2 => {
                let Value::I32(p) = args[0] else {
                    return Err(HostError::new("bad args"));
                };
                caller.write(p as u32, b"hello")?;
            }
            3 => return Err(HostError::new("boom")),
            4 => {
                let Value::I64(n) = args[0] else {
                    return Err(HostError::new("bad args"));
                };
                caller.charge_gas(n as u64)?;
            }
            5 => {
                results[0] = Value::I64(-1);
                results[1] = Value::F64(2.5f64.to_bits());
            }
            6 => results[0] = Value::I64(caller.gas_remaining() as i64),
            _ => return Err(HostError::new("unknown")),
        }
        Ok(())
    }
}

const WAT: &str = r#"(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "sum_bytes" (func $sum (param i32 i32) (result i32)))
  (import "env" "write_hello" (func $hello (param i32)))
  (import "env" "fail" (func $fail))
  (import "env" "burn" (func $burn (param i64)))
  (import "env" "pair" (func $pair (result i64 f64)))
  (memory (export "memory") 1)
  (func (export "add3") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 call $add local.get 2 call $add)
  (func (export "hello_sum") (result i32)
    i32.const 8 call $hello i32.const 8 i32.const 5 call $sum)
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 call $sum)
  (func (export "fail") call $fail)
  (func (export "burn") (param i64) local.get 0 call $burn)
  (func (export "pair") (result i64 f64) call $pair)
  (func (export "hello_oob") i32.const 65534 call $hello)
)"#;

fn instance(host: &mut TestHost) -> Instance {
    Instance::new(&module(WAT), host, &mut GasMeter::unlimited()).unwrap()
}

#[test]
fn host_calls_with_memory_and_gas() {
    let mut host = TestHost::default();
    let mut i = instance(&mut host);
    let mut gas = GasMeter::unlimited();
    let r = i
        .invoke(&mut host, "add3", &[i32(1), i32(2), i32(3)], &mut gas)
        .unwrap();
    assert_eq!(r, vec![i32(6)]);
    let r = i.invoke(&mut host, "hello_sum", &[], &mut gas).unwrap();
    assert_eq!(r, vec![i32(b"hello".iter().map(|&b| i32::from(b)).sum())]);
    assert_eq!(&i.memory().unwrap()[8..13], b"hello");
    let r = i.invoke(&mut host, "pair", &[], &mut gas).unwrap();
    assert_eq!(r, vec![i64(-1), f64(2.5)]);
    assert_eq!(host.calls, vec![0, 0, 2, 1, 5]);

    // Host gas is charged on the same meter: 1000 more bytes cost exactly 1000 more.
    let cost = |i: &mut Instance, host: &mut TestHost, len: i32| {
        let mut gas = GasMeter::new(u64::MAX);
        i.invoke(host, "sum", &[i32(0), i32(len)], &mut gas)
            .unwrap();
        gas.used()
    };
    assert_eq!(
        cost(&mut i, &mut host, 1000) - cost(&mut i, &mut host, 0),
        1000
    );
}

#[test]
fn host_errors_trap() {
    let mut host = TestHost::default();
    let mut i = instance(&mut host);
    let mut gas = GasMeter::unlimited();
    let e = i.invoke(&mut host, "fail", &[], &mut gas).unwrap_err();
    assert_eq!(e.kind(), TrapKind::Host);
    assert_eq!(e.message(), Some("boom"));
    let e = i.invoke(&mut host, "hello_oob", &[], &mut gas).unwrap_err();
    assert_eq!(e.kind(), TrapKind::Host);
    let e = i
        .invoke(&mut host, "sum", &[i32(65_000), i32(1000)], &mut gas)
        .unwrap_err();
    assert_eq!(e.kind(), TrapKind::Host);
    // Host out of gas becomes an OutOfGas trap with used == limit.
    let mut gas = GasMeter::new(10_000);
    let e = i
        .invoke(&mut host, "burn", &[i64(1_000_000)], &mut gas)
        .unwrap_err();
    assert_eq!(e.kind(), TrapKind::OutOfGas);
    assert_eq!(gas.used(), 10_000);
}

#[test]
fn unresolved_import() {
    struct Empty;
    impl Host for Empty {
        fn resolve_func(&mut self, _: &str, _: &str, _: &FuncType) -> Option<u32> {
            None
        }
        fn call(
            &mut self,
            _: u32,
            _: &mut Caller<'_>,
            _: &[Value],
            _: &mut [Value],
        ) -> Result<(), HostError> {
            unreachable!()
        }
    }
    let m = module(WAT);
    match Instance::new(&m, &mut Empty, &mut GasMeter::unlimited()) {
        Err(e @ InstantiationError::UnresolvedImport { .. }) => {
            assert!(e.to_string().contains("env"), "{e}");
        }
        Err(e) => panic!("unexpected {e}"),
        Ok(_) => panic!("should not link"),
    }
    // Wrong type: the host refuses.
    let m = module(r#"(module (import "env" "add" (func (param i64))))"#);
    assert!(matches!(
        Instance::new(&m, &mut TestHost::default(), &mut GasMeter::unlimited()),
        Err(InstantiationError::UnresolvedImport { .. })
    ));
    let m = module(r#"(module (import "env" "mem" (memory 1)))"#);
    assert!(matches!(
        Instance::new(&m, &mut TestHost::default(), &mut GasMeter::unlimited()),
        Err(InstantiationError::UnsupportedImport { .. })
    ));
}

#[test]
fn host_function_exported_and_called_indirectly() {
    let wat = r#"(module
      (import "env" "add" (func $add (param i32 i32) (result i32)))
      (export "add" (func $add))
      (type $ii (func (param i32 i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $add)
      (func (export "via_table") (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.const 0 call_indirect (type $ii)))"#;
    let mut host = TestHost::default();
    let mut i = Instance::new(&module(wat), &mut host, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::unlimited();
    let r = i
        .invoke(&mut host, "add", &[i32(2), i32(3)], &mut gas)
        .unwrap();
    assert_eq!(r, vec![i32(5)]);
    let r = i
        .invoke(&mut host, "via_table", &[i32(4), i32(5)], &mut gas)
        .unwrap();
    assert_eq!(r, vec![i32(9)]);
}

#[test]
fn host_sees_exact_gas() {
    let wat = r#"(module
      (import "env" "gas_left" (func $left (result i64)))
      (import "env" "burn" (func $burn (param i64)))
      (func (export "left") (result i64) call $left)
      (func (export "burn_then_left") (result i64) i64.const 123 call $burn call $left))"#;
    let mut host = TestHost::default();
    let mut i = Instance::new(&module(wat), &mut host, &mut GasMeter::unlimited()).unwrap();
    for f in ["left", "burn_then_left"] {
        let mut gas = GasMeter::new(1_000_000);
        let r = i.invoke(&mut host, f, &[], &mut gas).unwrap();
        // Each function is one metered block, charged at entry: what the host saw last
        // is exactly what remains at the end.
        assert_eq!(r, vec![i64((gas.limit() - gas.used()) as i64)], "{f}");
    }
}
