//! Instantiation: start function, active/passive data and element segments, init order.

use crate::common::*;
use metron_vm::{GasMeter, Instance, InstantiationError, NoHost, TrapKind};

#[test]
fn start_function_runs() {
    let mut m = inst(
        r#"(module
      (global $g (mut i32) (i32.const 1))
      (func $start global.get $g i32.const 41 i32.add global.set $g)
      (start $start)
      (func (export "get") (result i32) global.get $g))"#,
    );
    assert_eq!(call1(&mut m, "get", &[]), i32(42));
}

#[test]
fn start_function_trap_fails_instantiation() {
    let module = module(r#"(module (func $s unreachable) (start $s))"#);
    match Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()) {
        Err(InstantiationError::Trap(t)) => assert_eq!(t.kind(), TrapKind::Unreachable),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("instantiation should trap"),
    }
}

#[test]
fn active_and_passive_data() {
    let mut m = inst(
        r#"(module
      (memory (export "memory") 1)
      (data (i32.const 0) "abc")
      (data (offset (i32.const 16)) "xyz")
      (data $p "HELLO")
      (func (export "init") (param i32 i32 i32)
        local.get 0 local.get 1 local.get 2 memory.init $p)
      (func (export "drop") data.drop $p)
      (func (export "load8") (param i32) (result i32) local.get 0 i32.load8_u))"#,
    );
    let mem = m.memory().unwrap();
    assert_eq!(&mem[0..4], b"abc\0");
    assert_eq!(&mem[16..19], b"xyz");
    call(&mut m, "init", &[i32(100), i32(1), i32(3)]).unwrap();
    assert_eq!(&m.memory().unwrap()[100..103], b"ELL");
    assert_eq!(
        trap(&mut m, "init", &[i32(0), i32(3), i32(3)]),
        TrapKind::MemoryOutOfBounds
    );
    assert_eq!(
        trap(&mut m, "init", &[i32(65_535), i32(0), i32(2)]),
        TrapKind::MemoryOutOfBounds
    );
    assert_eq!(call1(&mut m, "load8", &[i32(65_535)]), i32(0));
    call(&mut m, "init", &[i32(65_536), i32(5), i32(0)]).unwrap();
    call(&mut m, "drop", &[]).unwrap();
    call(&mut m, "drop", &[]).unwrap();
    assert_eq!(
        trap(&mut m, "init", &[i32(0), i32(0), i32(1)]),
        TrapKind::MemoryOutOfBounds
    );
    call(&mut m, "init", &[i32(0), i32(0), i32(0)]).unwrap();
}

#[test]
fn out_of_bounds_data_segment_traps_after_earlier_writes() {
    let module = module(
        r#"(module
      (memory 1)
      (data (i32.const 0) "ok")
      (data (i32.const 65535) "xx"))"#,
    );
    match Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()) {
        Err(InstantiationError::Trap(t)) => assert_eq!(t.kind(), TrapKind::MemoryOutOfBounds),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("instantiation should trap"),
    }
}

#[test]
fn out_of_bounds_elem_segment_traps() {
    let module = module(
        r#"(module
      (table 2 funcref)
      (func $f)
      (elem (i32.const 1) func $f $f))"#,
    );
    match Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()) {
        Err(InstantiationError::Trap(t)) => assert_eq!(t.kind(), TrapKind::TableOutOfBounds),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("instantiation should trap"),
    }
}

#[test]
fn active_segments_are_dropped_after_use() {
    let mut m = inst(
        r#"(module
      (memory 1)
      (table 2 funcref)
      (func $f)
      (data $d (i32.const 0) "abc")
      (elem $e (i32.const 0) func $f)
      (func (export "minit") (param i32) i32.const 0 i32.const 0 local.get 0 memory.init $d)
      (func (export "tinit") (param i32) i32.const 0 i32.const 0 local.get 0 table.init $e))"#,
    );
    call(&mut m, "minit", &[i32(0)]).unwrap();
    assert_eq!(
        trap(&mut m, "minit", &[i32(1)]),
        TrapKind::MemoryOutOfBounds
    );
    call(&mut m, "tinit", &[i32(0)]).unwrap();
    assert_eq!(trap(&mut m, "tinit", &[i32(1)]), TrapKind::TableOutOfBounds);
}

#[test]
fn elem_segment_with_expressions() {
    let mut m = inst(
        r#"(module
      (type $r (func (result i32)))
      (table 3 funcref)
      (func $a (result i32) i32.const 1)
      (func $b (result i32) i32.const 2)
      (elem (i32.const 0) funcref (ref.func $a) (ref.null func) (ref.func $b))
      (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $r)))"#,
    );
    assert_eq!(call1(&mut m, "call", &[i32(0)]), i32(1));
    assert_eq!(
        trap(&mut m, "call", &[i32(1)]),
        TrapKind::UninitializedElement
    );
    assert_eq!(call1(&mut m, "call", &[i32(2)]), i32(2));
}
