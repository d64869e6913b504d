//! Tables, call_indirect, reference types and table bulk operations.

use crate::common::*;
use metron_vm::{TrapKind, Value};

const TABLE: &str = r#"(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (table $t 4 8 funcref)
  (table $e 2 externref)
  (elem (table $t) (i32.const 0) func $inc $dbl)
  (elem $passive func $dbl $inc $inc)
  (elem declare func $three)
  (func $inc (type $ii) local.get 0 i32.const 1 i32.add)
  (func $dbl (type $ii) local.get 0 i32.const 2 i32.mul)
  (func $three (result i32) i32.const 3)
  (func $nop)
  (func (export "call") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect $t (type $ii))
  (func (export "call_v") (param i32) local.get 0 call_indirect $t (type $v))
  (func (export "size") (result i32) table.size $t)
  (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func (export "grow_three") (param i32) (result i32) ref.func $three local.get 0 table.grow $t)
  (func (export "is_null") (param i32) (result i32) local.get 0 table.get $t ref.is_null)
  (func (export "set_null") (param i32) local.get 0 ref.null func table.set $t)
  (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.copy $t $t)
  (func (export "fill_inc") (param i32 i32) local.get 0 ref.func $inc local.get 1 table.fill $t)
  (func (export "init") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 table.init $t $passive)
  (func (export "drop") elem.drop $passive)
  (func (export "get") (param i32) (result funcref) local.get 0 table.get $t)
  (func (export "ext_set") (param i32 externref) local.get 0 local.get 1 table.set $e)
  (func (export "ext_get") (param i32) (result externref) local.get 0 table.get $e)
  (func (export "ext_is_null") (param externref) (result i32) local.get 0 ref.is_null)
  (func (export "ref_func_is_null") (result i32) ref.func $three ref.is_null)
)"#;

#[test]
fn call_indirect() {
    let mut m = inst(TABLE);
    assert_eq!(call1(&mut m, "call", &[i32(0), i32(41)]), i32(42));
    assert_eq!(call1(&mut m, "call", &[i32(1), i32(21)]), i32(42));
    assert_eq!(
        trap(&mut m, "call", &[i32(2), i32(0)]),
        TrapKind::UninitializedElement
    );
    assert_eq!(
        trap(&mut m, "call", &[i32(4), i32(0)]),
        TrapKind::TableOutOfBounds
    );
    assert_eq!(
        trap(&mut m, "call", &[i32(-1), i32(0)]),
        TrapKind::TableOutOfBounds
    );
    assert_eq!(
        trap(&mut m, "call_v", &[i32(0)]),
        TrapKind::IndirectCallTypeMismatch
    );
    let e = call(&mut m, "call_v", &[i32(0)]).unwrap_err();
    assert_eq!(e.to_string(), "indirect call type mismatch");
    let e = call(&mut m, "call", &[i32(2), i32(0)]).unwrap_err();
    assert_eq!(e.to_string(), "uninitialized element");
}

#[test]
fn table_ops() {
    let mut m = inst(TABLE);
    assert_eq!(call1(&mut m, "size", &[]), i32(4));
    assert_eq!(call1(&mut m, "is_null", &[i32(0)]), i32(0));
    assert_eq!(call1(&mut m, "is_null", &[i32(3)]), i32(1));
    assert_eq!(
        trap(&mut m, "is_null", &[i32(4)]),
        TrapKind::TableOutOfBounds
    );
    assert!(matches!(
        call1(&mut m, "get", &[i32(0)]),
        Value::FuncRef(Some(_))
    ));
    assert_eq!(call1(&mut m, "get", &[i32(3)]), Value::FuncRef(None));
    assert_eq!(call1(&mut m, "grow", &[i32(2)]), i32(4));
    assert_eq!(call1(&mut m, "grow_three", &[i32(2)]), i32(6));
    assert_eq!(call1(&mut m, "grow", &[i32(1)]), i32(-1));
    assert_eq!(call1(&mut m, "size", &[]), i32(8));
    assert_eq!(call1(&mut m, "is_null", &[i32(7)]), i32(0));
    call(&mut m, "set_null", &[i32(0)]).unwrap();
    assert_eq!(
        trap(&mut m, "call", &[i32(0), i32(1)]),
        TrapKind::UninitializedElement
    );
    assert_eq!(
        trap(&mut m, "set_null", &[i32(8)]),
        TrapKind::TableOutOfBounds
    );
    // copy [1] -> [0]
    call(&mut m, "copy", &[i32(0), i32(1), i32(1)]).unwrap();
    assert_eq!(call1(&mut m, "call", &[i32(0), i32(5)]), i32(10));
    assert_eq!(
        trap(&mut m, "copy", &[i32(7), i32(0), i32(2)]),
        TrapKind::TableOutOfBounds
    );
    call(&mut m, "fill_inc", &[i32(2), i32(2)]).unwrap();
    assert_eq!(call1(&mut m, "call", &[i32(3), i32(5)]), i32(6));
    assert_eq!(
        trap(&mut m, "fill_inc", &[i32(7), i32(2)]),
        TrapKind::TableOutOfBounds
    );
    // Nothing written by the trapping fill.
    assert_eq!(
        call1(&mut m, "get", &[i32(7)]),
        call1(&mut m, "get", &[i32(6)])
    );
    // table.init from the passive segment [dbl, inc, inc].
    call(&mut m, "init", &[i32(4), i32(0), i32(3)]).unwrap();
    assert_eq!(call1(&mut m, "call", &[i32(4), i32(5)]), i32(10));
    assert_eq!(call1(&mut m, "call", &[i32(6), i32(5)]), i32(6));
    assert_eq!(
        trap(&mut m, "init", &[i32(0), i32(1), i32(3)]),
        TrapKind::TableOutOfBounds
    );
    call(&mut m, "drop", &[]).unwrap();
    assert_eq!(
        trap(&mut m, "init", &[i32(0), i32(0), i32(1)]),
        TrapKind::TableOutOfBounds
    );
    call(&mut m, "init", &[i32(0), i32(0), i32(0)]).unwrap();
}

#[test]
fn reference_types() {
    let mut m = inst(TABLE);
    assert_eq!(call1(&mut m, "ext_get", &[i32(0)]), Value::ExternRef(None));
    call(&mut m, "ext_set", &[i32(1), Value::ExternRef(Some(77))]).unwrap();
    assert_eq!(
        call1(&mut m, "ext_get", &[i32(1)]),
        Value::ExternRef(Some(77))
    );
    assert_eq!(
        call1(&mut m, "ext_is_null", &[Value::ExternRef(None)]),
        i32(1)
    );
    assert_eq!(
        call1(&mut m, "ext_is_null", &[Value::ExternRef(Some(0))]),
        i32(0)
    );
    assert_eq!(call1(&mut m, "ref_func_is_null", &[]), i32(0));
    assert_eq!(
        trap(&mut m, "ext_set", &[i32(2), Value::ExternRef(None)]),
        TrapKind::TableOutOfBounds
    );
}
