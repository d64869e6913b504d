//! Integer arithmetic, comparisons, bit counting, shifts, sign extension.

use crate::common::*;
use metron_vm::TrapKind;

const BIN32: &str = r#"(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "sub") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub)
  (func (export "mul") (param i32 i32) (result i32) local.get 0 local.get 1 i32.mul)
  (func (export "div_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "div_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
  (func (export "rem_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_s)
  (func (export "rem_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rem_u)
  (func (export "and") (param i32 i32) (result i32) local.get 0 local.get 1 i32.and)
  (func (export "or") (param i32 i32) (result i32) local.get 0 local.get 1 i32.or)
  (func (export "xor") (param i32 i32) (result i32) local.get 0 local.get 1 i32.xor)
  (func (export "shl") (param i32 i32) (result i32) local.get 0 local.get 1 i32.shl)
  (func (export "shr_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.shr_s)
  (func (export "shr_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.shr_u)
  (func (export "rotl") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rotl)
  (func (export "rotr") (param i32 i32) (result i32) local.get 0 local.get 1 i32.rotr)
  (func (export "eq") (param i32 i32) (result i32) local.get 0 local.get 1 i32.eq)
  (func (export "ne") (param i32 i32) (result i32) local.get 0 local.get 1 i32.ne)
  (func (export "lt_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.lt_s)
  (func (export "lt_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.lt_u)
  (func (export "gt_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.gt_s)
  (func (export "gt_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.gt_u)
  (func (export "le_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.le_s)
  (func (export "le_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.le_u)
  (func (export "ge_s") (param i32 i32) (result i32) local.get 0 local.get 1 i32.ge_s)
  (func (export "ge_u") (param i32 i32) (result i32) local.get 0 local.get 1 i32.ge_u)
  (func (export "clz") (param i32) (result i32) local.get 0 i32.clz)
  (func (export "ctz") (param i32) (result i32) local.get 0 i32.ctz)
  (func (export "popcnt") (param i32) (result i32) local.get 0 i32.popcnt)
  (func (export "eqz") (param i32) (result i32) local.get 0 i32.eqz)
  (func (export "extend8_s") (param i32) (result i32) local.get 0 i32.extend8_s)
  (func (export "extend16_s") (param i32) (result i32) local.get 0 i32.extend16_s)
  (func (export "wrap") (param i64) (result i32) local.get 0 i32.wrap_i64)
  (func (export "const_div") (result i32) i32.const 7 i32.const -2 i32.div_s)
)"#;

#[test]
fn i32_arithmetic() {
    let mut m = inst(BIN32);
    let b = |m: &mut _, f: &str, a: i32, c: i32| call1(m, f, &[i32(a), i32(c)]);
    assert_eq!(b(&mut m, "add", i32::MAX, 1), i32(i32::MIN));
    assert_eq!(b(&mut m, "sub", i32::MIN, 1), i32(i32::MAX));
    assert_eq!(b(&mut m, "mul", 0x1000_0000, 16), i32(0));
    assert_eq!(b(&mut m, "mul", -3, 7), i32(-21));
    assert_eq!(b(&mut m, "div_s", -7, 2), i32(-3));
    assert_eq!(b(&mut m, "div_u", -7, 2), i32(0x7fff_fffc));
    assert_eq!(b(&mut m, "rem_s", -7, 2), i32(-1));
    assert_eq!(b(&mut m, "rem_u", -7, 2), i32(1));
    assert_eq!(b(&mut m, "rem_s", i32::MIN, -1), i32(0));
    assert_eq!(b(&mut m, "and", 0b1100, 0b1010), i32(0b1000));
    assert_eq!(b(&mut m, "or", 0b1100, 0b1010), i32(0b1110));
    assert_eq!(b(&mut m, "xor", 0b1100, 0b1010), i32(0b0110));
    assert_eq!(b(&mut m, "shl", 1, 31), i32(i32::MIN));
    assert_eq!(b(&mut m, "shl", 1, 32), i32(1));
    assert_eq!(b(&mut m, "shl", 1, 33), i32(2));
    assert_eq!(b(&mut m, "shr_s", i32::MIN, 31), i32(-1));
    assert_eq!(b(&mut m, "shr_s", i32::MIN, 32), i32(i32::MIN));
    assert_eq!(b(&mut m, "shr_u", i32::MIN, 31), i32(1));
    assert_eq!(b(&mut m, "shr_u", -1, 36), i32(0x0fff_ffff));
    assert_eq!(b(&mut m, "rotl", 0x8000_0001u32 as i32, 1), i32(3));
    assert_eq!(b(&mut m, "rotl", 0x1234_5678, 36), i32(0x2345_6781));
    assert_eq!(b(&mut m, "rotr", 3, 1), i32(0x8000_0001u32 as i32));
    assert_eq!(b(&mut m, "rotr", 0x1234_5678, -4), i32(0x2345_6781));
    assert_eq!(call1(&mut m, "const_div", &[]), i32(-3));
}

#[test]
fn i32_compare_and_bits() {
    let mut m = inst(BIN32);
    let b = |m: &mut _, f: &str, a: i32, c: i32| call1(m, f, &[i32(a), i32(c)]);
    for (f, want) in [
        ("eq", 0),
        ("ne", 1),
        ("lt_s", 1),
        ("lt_u", 0),
        ("gt_s", 0),
        ("gt_u", 1),
        ("le_s", 1),
        ("le_u", 0),
        ("ge_s", 0),
        ("ge_u", 1),
    ] {
        assert_eq!(b(&mut m, f, -1, 1), i32(want), "{f}");
    }
    assert_eq!(b(&mut m, "le_u", 5, 5), i32(1));
    assert_eq!(b(&mut m, "ge_s", 5, 5), i32(1));
    assert_eq!(call1(&mut m, "clz", &[i32(0)]), i32(32));
    assert_eq!(call1(&mut m, "clz", &[i32(1)]), i32(31));
    assert_eq!(call1(&mut m, "ctz", &[i32(0)]), i32(32));
    assert_eq!(call1(&mut m, "ctz", &[i32(0x8000)]), i32(15));
    assert_eq!(call1(&mut m, "popcnt", &[i32(-1)]), i32(32));
    assert_eq!(call1(&mut m, "popcnt", &[i32(0x5555)]), i32(8));
    assert_eq!(call1(&mut m, "eqz", &[i32(0)]), i32(1));
    assert_eq!(call1(&mut m, "eqz", &[i32(-5)]), i32(0));
    assert_eq!(call1(&mut m, "extend8_s", &[i32(0x80)]), i32(-128));
    assert_eq!(call1(&mut m, "extend8_s", &[i32(0x1234_567f)]), i32(0x7f));
    assert_eq!(call1(&mut m, "extend16_s", &[i32(0x8000)]), i32(-32768));
    assert_eq!(
        call1(&mut m, "extend16_s", &[i32(0x0001_7fff)]),
        i32(0x7fff)
    );
    assert_eq!(
        call1(&mut m, "wrap", &[i64(0x1_2345_6789_abcd_i64)]),
        i32(0x6789_abcd)
    );
}

#[test]
fn i32_traps() {
    let mut m = inst(BIN32);
    let t = |m: &mut _, f: &str, a: i32, c: i32| trap(m, f, &[i32(a), i32(c)]);
    assert_eq!(t(&mut m, "div_s", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "div_u", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "rem_s", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "rem_u", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "div_s", i32::MIN, -1), TrapKind::IntegerOverflow);
    let e = call(&mut m, "div_s", &[i32(1), i32(0)]).unwrap_err();
    assert_eq!(e.to_string(), "integer divide by zero");
    let e = call(&mut m, "div_s", &[i32(i32::MIN), i32(-1)]).unwrap_err();
    assert_eq!(e.to_string(), "integer overflow");
}

const BIN64: &str = r#"(module
  (func (export "add") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "sub") (param i64 i64) (result i64) local.get 0 local.get 1 i64.sub)
  (func (export "mul") (param i64 i64) (result i64) local.get 0 local.get 1 i64.mul)
  (func (export "div_s") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_s)
  (func (export "div_u") (param i64 i64) (result i64) local.get 0 local.get 1 i64.div_u)
  (func (export "rem_s") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_s)
  (func (export "rem_u") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_u)
  (func (export "and") (param i64 i64) (result i64) local.get 0 local.get 1 i64.and)
  (func (export "or") (param i64 i64) (result i64) local.get 0 local.get 1 i64.or)
  (func (export "xor") (param i64 i64) (result i64) local.get 0 local.get 1 i64.xor)
  (func (export "shl") (param i64 i64) (result i64) local.get 0 local.get 1 i64.shl)
  (func (export "shr_s") (param i64 i64) (result i64) local.get 0 local.get 1 i64.shr_s)
  (func (export "shr_u") (param i64 i64) (result i64) local.get 0 local.get 1 i64.shr_u)
  (func (export "rotl") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rotl)
  (func (export "rotr") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rotr)
  (func (export "lt_s") (param i64 i64) (result i32) local.get 0 local.get 1 i64.lt_s)
  (func (export "lt_u") (param i64 i64) (result i32) local.get 0 local.get 1 i64.lt_u)
  (func (export "ge_u") (param i64 i64) (result i32) local.get 0 local.get 1 i64.ge_u)
  (func (export "eq") (param i64 i64) (result i32) local.get 0 local.get 1 i64.eq)
  (func (export "clz") (param i64) (result i64) local.get 0 i64.clz)
  (func (export "ctz") (param i64) (result i64) local.get 0 i64.ctz)
  (func (export "popcnt") (param i64) (result i64) local.get 0 i64.popcnt)
  (func (export "eqz") (param i64) (result i32) local.get 0 i64.eqz)
  (func (export "extend8_s") (param i64) (result i64) local.get 0 i64.extend8_s)
  (func (export "extend16_s") (param i64) (result i64) local.get 0 i64.extend16_s)
  (func (export "extend32_s") (param i64) (result i64) local.get 0 i64.extend32_s)
  (func (export "extend_i32_s") (param i32) (result i64) local.get 0 i64.extend_i32_s)
  (func (export "extend_i32_u") (param i32) (result i64) local.get 0 i64.extend_i32_u)
)"#;

#[test]
fn i64_ops() {
    let mut m = inst(BIN64);
    let b = |m: &mut _, f: &str, a: i64, c: i64| call1(m, f, &[i64(a), i64(c)]);
    assert_eq!(b(&mut m, "add", i64::MAX, 1), i64(i64::MIN));
    assert_eq!(b(&mut m, "sub", 0, 1), i64(-1));
    assert_eq!(b(&mut m, "mul", i64::MAX, 2), i64(-2));
    assert_eq!(b(&mut m, "div_s", -7, 2), i64(-3));
    assert_eq!(b(&mut m, "div_u", -1, 2), i64(i64::MAX));
    assert_eq!(b(&mut m, "rem_s", i64::MIN, -1), i64(0));
    assert_eq!(b(&mut m, "rem_u", -1, 10), i64(5));
    assert_eq!(b(&mut m, "and", -1, 0xff), i64(0xff));
    assert_eq!(b(&mut m, "or", 0xf0, 0x0f), i64(0xff));
    assert_eq!(b(&mut m, "xor", -1, 0), i64(-1));
    assert_eq!(b(&mut m, "shl", 1, 63), i64(i64::MIN));
    assert_eq!(b(&mut m, "shl", 1, 64), i64(1));
    assert_eq!(b(&mut m, "shr_s", i64::MIN, 65), i64(i64::MIN >> 1));
    assert_eq!(b(&mut m, "shr_u", i64::MIN, 63), i64(1));
    assert_eq!(b(&mut m, "rotl", i64::MIN, 1), i64(1));
    assert_eq!(b(&mut m, "rotr", 1, 65), i64(i64::MIN));
    assert_eq!(b(&mut m, "lt_s", -1, 0), i32(1));
    assert_eq!(b(&mut m, "lt_u", -1, 0), i32(0));
    assert_eq!(b(&mut m, "ge_u", -1, 0), i32(1));
    assert_eq!(b(&mut m, "eq", 1 << 40, 1 << 40), i32(1));
    assert_eq!(call1(&mut m, "clz", &[i64(0)]), i64(64));
    assert_eq!(call1(&mut m, "ctz", &[i64(1 << 40)]), i64(40));
    assert_eq!(call1(&mut m, "popcnt", &[i64(-1)]), i64(64));
    assert_eq!(call1(&mut m, "eqz", &[i64(1 << 40)]), i32(0));
    assert_eq!(call1(&mut m, "extend8_s", &[i64(0xff)]), i64(-1));
    assert_eq!(call1(&mut m, "extend16_s", &[i64(0x7fff)]), i64(0x7fff));
    assert_eq!(
        call1(&mut m, "extend32_s", &[i64(0x8000_0000)]),
        i64(-(1 << 31))
    );
    assert_eq!(call1(&mut m, "extend_i32_s", &[i32(-1)]), i64(-1));
    assert_eq!(call1(&mut m, "extend_i32_u", &[i32(-1)]), i64(0xffff_ffff));
    let t = |m: &mut _, f: &str, a: i64, c: i64| trap(m, f, &[i64(a), i64(c)]);
    assert_eq!(t(&mut m, "div_s", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "div_u", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "rem_s", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "rem_u", 1, 0), TrapKind::IntegerDivideByZero);
    assert_eq!(t(&mut m, "div_s", i64::MIN, -1), TrapKind::IntegerOverflow);
}

/// Immediate operand forms (`i32.add.imm`, `br.i64.lt_u.imm`, ...) against the same
/// operation on two parameters (slot operands), for every integer operation that has
/// one, on edge values: the constant on the right, on the left (commuted or mirrored
/// compares, `sub` as `add` of the negation), and fused into a `br_if`. i64 constants
/// cover values that fit 32 bits sign-extended (immediates) and values that do not
/// (pooled), so both translations are compared with the reference.
#[test]
fn immediate_forms_agree_with_slot_operands() {
    const OPS: [&str; 21] = [
        "add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr", "eq",
        "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
    ];
    const CMPS: [&str; 10] = [
        "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
    ];
    let consts: [i64; 12] = [
        0,
        1,
        -1,
        31,
        32,
        63,
        65,
        i32::MAX as i64,
        i32::MIN as i64,
        0x8000_0000,
        0x1_0000_0000,
        i64::MIN,
    ];
    let xs: [i64; 8] = [
        0,
        1,
        -1,
        7,
        i32::MIN as i64,
        i32::MAX as i64,
        i64::MAX,
        i64::MIN,
    ];
    for ty in ["i32", "i64"] {
        let val = |v: i64| if ty == "i32" { i32(v as i32) } else { i64(v) };
        let mut funcs = String::new();
        for (k, c) in consts.iter().enumerate() {
            let c = if ty == "i32" { (*c as i32) as i64 } else { *c };
            for op in OPS {
                let res = if CMPS.contains(&op) { "i32" } else { ty };
                funcs += &format!(
                    "(func (export \"{op}_r{k}\") (param {ty}) (result {res}) local.get 0 {ty}.const {c} {ty}.{op})
                     (func (export \"{op}_l{k}\") (param {ty}) (result {res}) {ty}.const {c} local.get 0 {ty}.{op})\n"
                );
            }
            for op in CMPS {
                funcs += &format!(
                    "(func (export \"br_{op}_{k}\") (param {ty}) (result i32)
                       block local.get 0 {ty}.const {c} {ty}.{op} br_if 0 i32.const 0 return end i32.const 1)
                     (func (export \"brn_{op}_{k}\") (param {ty}) (result i32)
                       block local.get 0 {ty}.const {c} {ty}.{op} i32.eqz br_if 0 i32.const 0 return end i32.const 1)\n"
                );
            }
        }
        for op in OPS {
            let res = if CMPS.contains(&op) { "i32" } else { ty };
            funcs += &format!(
                "(func (export \"{op}\") (param {ty} {ty}) (result {res}) local.get 0 local.get 1 {ty}.{op})\n"
            );
        }
        let mut m = inst(&format!("(module {funcs})"));
        // Export `f` applied to `x` gives `want`.
        let check = |m: &mut metron_vm::Instance, f: String, x: i64, want, what: String| {
            assert_eq!(call1(m, &f, &[val(x)]), want, "{what}");
        };
        for (k, c) in consts.iter().enumerate() {
            let c = if ty == "i32" { (*c as i32) as i64 } else { *c };
            for &x in &xs {
                for op in OPS {
                    let right = call1(&mut m, op, &[val(x), val(c)]);
                    let left = call1(&mut m, op, &[val(c), val(x)]);
                    check(
                        &mut m,
                        format!("{op}_r{k}"),
                        x,
                        right,
                        format!("{ty}.{op} x={x} c={c}"),
                    );
                    check(
                        &mut m,
                        format!("{op}_l{k}"),
                        x,
                        left,
                        format!("{ty}.{op} c={c} x={x}"),
                    );
                }
                for op in CMPS {
                    let holds = call1(&mut m, op, &[val(x), val(c)]);
                    let not = i32(1 - if holds == i32(1) { 1 } else { 0 });
                    check(
                        &mut m,
                        format!("br_{op}_{k}"),
                        x,
                        holds,
                        format!("br {ty}.{op} x={x} c={c}"),
                    );
                    check(
                        &mut m,
                        format!("brn_{op}_{k}"),
                        x,
                        not,
                        format!("br !{ty}.{op} x={x} c={c}"),
                    );
                }
            }
        }
    }
}
