//! Resource exhaustion and float determinism: an infinite loop runs out of gas, unbounded
//! recursion traps with call stack exhausted, both with identical gas on every run; float
//! operations producing NaN yield the canonical NaN bits.

use metron_rpc::types as wire;
use metron_vm::{Config, GasMeter, Instance, Module, NoHost, Value};

use crate::common::*;

const SPIN_AND_RECURSE: &str = r#"
(module
  (memory (export "memory") 1)
  (func (export "spin") (loop $l (br $l)))
  (func $recurse (export "recurse") (call $recurse)))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_and_recursion_are_bounded_and_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);
    let (_, contract) = deploy(&c, &wat(SPIN_AND_RECURSE), vec![]).await;

    let gas = 3_000_000;
    let mut spins = Vec::new();
    let mut recursions = Vec::new();
    for _ in 0..2 {
        let r = call(&c, 0, contract, "spin", vec![], gas).await;
        assert_eq!(r.status, wire::ExecStatus::OutOfGas, "{r:?}");
        assert_eq!(r.gas_used, gas);
        spins.push(r.gas_used);

        let r = call(&c, 0, contract, "recurse", vec![], gas).await;
        assert_eq!(r.status, wire::ExecStatus::Trapped, "{r:?}");
        assert_eq!(r.trap.as_deref(), Some("call_stack_exhausted"), "{r:?}");
        assert!(r.gas_used < gas);
        recursions.push(r.gas_used);
    }
    assert_eq!(spins[0], spins[1]);
    assert_eq!(recursions[0], recursions[1], "identical gas on two runs");

    // The dry run agrees with the transaction.
    let q = query(&c, contract, "recurse", vec![]).await;
    assert_eq!(q.trap.as_deref(), Some("call_stack_exhausted"));
    let q2 = query(&c, contract, "recurse", vec![]).await;
    assert_eq!(q, q2);
    node.stop().await.unwrap();
}

#[test]
fn nan_results_are_canonical() {
    let wasm = wat(r#"
        (module
          (func (export "div0") (result f32) (f32.div (f32.const 0) (f32.const 0)))
          (func (export "sqrt_neg") (result f64) (f64.sqrt (f64.const -1)))
          (func (export "add_payload") (result f32)
            (f32.add (f32.reinterpret_i32 (i32.const 0x7fa00001)) (f32.const 1)))
          (func (export "min_payload") (result f64)
            (f64.min (f64.reinterpret_i64 (i64.const 0xfff0000000000123)) (f64.const 0)))
          (func (export "neg_keeps_bits") (result f32)
            (f32.neg (f32.reinterpret_i32 (i32.const 0x7fa00001)))))
    "#);
    let config = Config::default();
    let module = Module::new(&config, &wasm).expect("valid module");
    let run = |name: &str| {
        let mut gas = GasMeter::new(1_000_000);
        let mut inst = Instance::new(&module, &mut NoHost, &mut gas).expect("instantiate");
        inst.invoke(&mut NoHost, name, &[], &mut gas)
            .expect("no trap")
    };
    assert_eq!(run("div0"), vec![Value::F32(0x7fc0_0000)]);
    assert_eq!(run("sqrt_neg"), vec![Value::F64(0x7ff8_0000_0000_0000)]);
    assert_eq!(run("add_payload"), vec![Value::F32(0x7fc0_0000)]);
    assert_eq!(run("min_payload"), vec![Value::F64(0x7ff8_0000_0000_0000)]);
    // Bit operations keep the payload exactly (sign flipped).
    assert_eq!(run("neg_keeps_bits"), vec![Value::F32(0xffa0_0001)]);
}
