//! Float arithmetic, NaN canonicalization, min/max zeros, rounding, conversions, truncation.

use crate::common::*;
use metron_vm::{GasMeter, Instance, NoHost, TrapKind, Value};

const F: &str = r#"(module
  (func (export "f32.add") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
  (func (export "f32.sub") (param f32 f32) (result f32) local.get 0 local.get 1 f32.sub)
  (func (export "f32.mul") (param f32 f32) (result f32) local.get 0 local.get 1 f32.mul)
  (func (export "f32.div") (param f32 f32) (result f32) local.get 0 local.get 1 f32.div)
  (func (export "f32.min") (param f32 f32) (result f32) local.get 0 local.get 1 f32.min)
  (func (export "f32.max") (param f32 f32) (result f32) local.get 0 local.get 1 f32.max)
  (func (export "f32.copysign") (param f32 f32) (result f32) local.get 0 local.get 1 f32.copysign)
  (func (export "f32.sqrt") (param f32) (result f32) local.get 0 f32.sqrt)
  (func (export "f32.neg") (param f32) (result f32) local.get 0 f32.neg)
  (func (export "f32.abs") (param f32) (result f32) local.get 0 f32.abs)
  (func (export "f32.ceil") (param f32) (result f32) local.get 0 f32.ceil)
  (func (export "f32.floor") (param f32) (result f32) local.get 0 f32.floor)
  (func (export "f32.trunc") (param f32) (result f32) local.get 0 f32.trunc)
  (func (export "f32.nearest") (param f32) (result f32) local.get 0 f32.nearest)
  (func (export "f32.eq") (param f32 f32) (result i32) local.get 0 local.get 1 f32.eq)
  (func (export "f32.ne") (param f32 f32) (result i32) local.get 0 local.get 1 f32.ne)
  (func (export "f32.lt") (param f32 f32) (result i32) local.get 0 local.get 1 f32.lt)
  (func (export "f32.le") (param f32 f32) (result i32) local.get 0 local.get 1 f32.le)
  (func (export "f32.gt") (param f32 f32) (result i32) local.get 0 local.get 1 f32.gt)
  (func (export "f32.ge") (param f32 f32) (result i32) local.get 0 local.get 1 f32.ge)
  (func (export "f64.add") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
  (func (export "f64.sub") (param f64 f64) (result f64) local.get 0 local.get 1 f64.sub)
  (func (export "f64.mul") (param f64 f64) (result f64) local.get 0 local.get 1 f64.mul)
  (func (export "f64.div") (param f64 f64) (result f64) local.get 0 local.get 1 f64.div)
  (func (export "f64.min") (param f64 f64) (result f64) local.get 0 local.get 1 f64.min)
  (func (export "f64.max") (param f64 f64) (result f64) local.get 0 local.get 1 f64.max)
  (func (export "f64.copysign") (param f64 f64) (result f64) local.get 0 local.get 1 f64.copysign)
  (func (export "f64.sqrt") (param f64) (result f64) local.get 0 f64.sqrt)
  (func (export "f64.neg") (param f64) (result f64) local.get 0 f64.neg)
  (func (export "f64.abs") (param f64) (result f64) local.get 0 f64.abs)
  (func (export "f64.ceil") (param f64) (result f64) local.get 0 f64.ceil)
  (func (export "f64.floor") (param f64) (result f64) local.get 0 f64.floor)
  (func (export "f64.trunc") (param f64) (result f64) local.get 0 f64.trunc)
  (func (export "f64.nearest") (param f64) (result f64) local.get 0 f64.nearest)
  (func (export "f64.eq") (param f64 f64) (result i32) local.get 0 local.get 1 f64.eq)
  (func (export "f64.ne") (param f64 f64) (result i32) local.get 0 local.get 1 f64.ne)
  (func (export "f64.lt") (param f64 f64) (result i32) local.get 0 local.get 1 f64.lt)
  (func (export "f64.ge") (param f64 f64) (result i32) local.get 0 local.get 1 f64.ge)
  (func (export "div00_32") (result f32) f32.const 0 f32.const 0 f32.div)
  (func (export "sqrtm1_64") (result f64) f64.const -1 f64.sqrt)
  (func (export "promote") (param f32) (result f64) local.get 0 f64.promote_f32)
  (func (export "demote") (param f64) (result f32) local.get 0 f32.demote_f64)
  (func (export "f32.reinterpret") (param i32) (result f32) local.get 0 f32.reinterpret_i32)
  (func (export "i32.reinterpret") (param f32) (result i32) local.get 0 i32.reinterpret_f32)
  (func (export "f64.reinterpret") (param i64) (result f64) local.get 0 f64.reinterpret_i64)
  (func (export "i64.reinterpret") (param f64) (result i64) local.get 0 i64.reinterpret_f64)
  (func (export "f32.convert_i32_s") (param i32) (result f32) local.get 0 f32.convert_i32_s)
  (func (export "f32.convert_i32_u") (param i32) (result f32) local.get 0 f32.convert_i32_u)
  (func (export "f32.convert_i64_s") (param i64) (result f32) local.get 0 f32.convert_i64_s)
  (func (export "f32.convert_i64_u") (param i64) (result f32) local.get 0 f32.convert_i64_u)
  (func (export "f64.convert_i32_s") (param i32) (result f64) local.get 0 f64.convert_i32_s)
  (func (export "f64.convert_i32_u") (param i32) (result f64) local.get 0 f64.convert_i32_u)
  (func (export "f64.convert_i64_s") (param i64) (result f64) local.get 0 f64.convert_i64_s)
  (func (export "f64.convert_i64_u") (param i64) (result f64) local.get 0 f64.convert_i64_u)
  (func (export "i32.trunc_f32_s") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
  (func (export "i32.trunc_f32_u") (param f32) (result i32) local.get 0 i32.trunc_f32_u)
  (func (export "i32.trunc_f64_s") (param f64) (result i32) local.get 0 i32.trunc_f64_s)
  (func (export "i32.trunc_f64_u") (param f64) (result i32) local.get 0 i32.trunc_f64_u)
  (func (export "i64.trunc_f32_s") (param f32) (result i64) local.get 0 i64.trunc_f32_s)
  (func (export "i64.trunc_f32_u") (param f32) (result i64) local.get 0 i64.trunc_f32_u)
  (func (export "i64.trunc_f64_s") (param f64) (result i64) local.get 0 i64.trunc_f64_s)
  (func (export "i64.trunc_f64_u") (param f64) (result i64) local.get 0 i64.trunc_f64_u)
  (func (export "i32.trunc_sat_f32_s") (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s)
  (func (export "i32.trunc_sat_f32_u") (param f32) (result i32) local.get 0 i32.trunc_sat_f32_u)
  (func (export "i32.trunc_sat_f64_s") (param f64) (result i32) local.get 0 i32.trunc_sat_f64_s)
  (func (export "i32.trunc_sat_f64_u") (param f64) (result i32) local.get 0 i32.trunc_sat_f64_u)
  (func (export "i64.trunc_sat_f32_s") (param f32) (result i64) local.get 0 i64.trunc_sat_f32_s)
  (func (export "i64.trunc_sat_f32_u") (param f32) (result i64) local.get 0 i64.trunc_sat_f32_u)
  (func (export "i64.trunc_sat_f64_s") (param f64) (result i64) local.get 0 i64.trunc_sat_f64_s)
  (func (export "i64.trunc_sat_f64_u") (param f64) (result i64) local.get 0 i64.trunc_sat_f64_u)
)"#;

const NAN32: Value = Value::F32(0x7fc0_0000);
const NAN64: Value = Value::F64(0x7ff8_0000_0000_0000);

#[test]
fn arithmetic() {
    let mut m = inst(F);
    assert_eq!(call1(&mut m, "f32.add", &[f32(1.5), f32(2.25)]), f32(3.75));
    assert_eq!(call1(&mut m, "f32.sub", &[f32(1.5), f32(2.25)]), f32(-0.75));
    assert_eq!(call1(&mut m, "f32.mul", &[f32(1.5), f32(-2.0)]), f32(-3.0));
    assert_eq!(
        call1(&mut m, "f32.div", &[f32(1.0), f32(0.0)]),
        f32(f32::INFINITY)
    );
    assert_eq!(
        call1(&mut m, "f32.div", &[f32(-1.0), f32(0.0)]),
        f32(f32::NEG_INFINITY)
    );
    assert_eq!(call1(&mut m, "f32.sqrt", &[f32(16.0)]), f32(4.0));
    assert_eq!(
        call1(&mut m, "f64.add", &[f64(0.1), f64(0.2)]),
        f64(0.1 + 0.2)
    );
    assert_eq!(call1(&mut m, "f64.sub", &[f64(1.0), f64(1.0)]), f64(0.0));
    assert_eq!(
        call1(&mut m, "f64.mul", &[f64(1e300), f64(1e10)]),
        f64(f64::INFINITY)
    );
    assert_eq!(
        call1(&mut m, "f64.div", &[f64(1.0), f64(3.0)]),
        f64(1.0 / 3.0)
    );
    assert_eq!(call1(&mut m, "f64.sqrt", &[f64(2.0)]), f64(2f64.sqrt()));
}

#[test]
fn nan_canonicalization() {
    let mut m = inst(F);
    assert_eq!(call1(&mut m, "div00_32", &[]), NAN32);
    assert_eq!(call1(&mut m, "sqrtm1_64", &[]), NAN64);
    assert_eq!(call1(&mut m, "f32.div", &[f32(0.0), f32(-0.0)]), NAN32);
    assert_eq!(call1(&mut m, "f32.sqrt", &[f32(-1.0)]), NAN32);
    assert_eq!(call1(&mut m, "f64.div", &[f64(0.0), f64(0.0)]), NAN64);
    let inf = f64(f64::INFINITY);
    let ninf = f64(f64::NEG_INFINITY);
    assert_eq!(call1(&mut m, "f64.add", &[inf, ninf]), NAN64);
    assert_eq!(call1(&mut m, "f64.mul", &[inf, f64(0.0)]), NAN64);
    // NaN inputs with payloads and sign come out canonical from arithmetic ...
    let snan32 = Value::F32(0xffa0_0001);
    let snan64 = Value::F64(0xfff4_0000_0000_0001);
    for f in [
        "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max",
    ] {
        assert_eq!(call1(&mut m, f, &[snan32, f32(1.0)]), NAN32, "{f}");
        assert_eq!(call1(&mut m, f, &[f32(1.0), snan32]), NAN32, "{f}");
    }
    for f in [
        "f32.sqrt",
        "f32.ceil",
        "f32.floor",
        "f32.trunc",
        "f32.nearest",
    ] {
        assert_eq!(call1(&mut m, f, &[snan32]), NAN32, "{f}");
    }
    for f in [
        "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max",
    ] {
        assert_eq!(call1(&mut m, f, &[snan64, f64(1.0)]), NAN64, "{f}");
    }
    for f in [
        "f64.sqrt",
        "f64.ceil",
        "f64.floor",
        "f64.trunc",
        "f64.nearest",
    ] {
        assert_eq!(call1(&mut m, f, &[snan64]), NAN64, "{f}");
    }
    assert_eq!(call1(&mut m, "promote", &[snan32]), NAN64);
    assert_eq!(call1(&mut m, "demote", &[snan64]), NAN32);
    // ... while bit operations keep them exactly.
    assert_eq!(call1(&mut m, "f32.neg", &[snan32]), Value::F32(0x7fa0_0001));
    assert_eq!(call1(&mut m, "f32.abs", &[snan32]), Value::F32(0x7fa0_0001));
    assert_eq!(
        call1(
            &mut m,
            "f32.copysign",
            &[Value::F32(0x7fa0_0001), f32(-0.0)]
        ),
        snan32
    );
    assert_eq!(
        call1(&mut m, "f64.neg", &[snan64]),
        Value::F64(0x7ff4_0000_0000_0001)
    );
    assert_eq!(
        call1(&mut m, "f64.abs", &[snan64]),
        Value::F64(0x7ff4_0000_0000_0001)
    );
    assert_eq!(
        call1(&mut m, "f64.copysign", &[snan64, f64(1.0)]),
        Value::F64(0x7ff4_0000_0000_0001)
    );
    assert_eq!(
        call1(&mut m, "f32.reinterpret", &[i32(0xffa0_0001u32 as i32)]),
        snan32
    );
    assert_eq!(
        call1(&mut m, "i32.reinterpret", &[snan32]),
        i32(0xffa0_0001u32 as i32)
    );
    assert_eq!(
        call1(
            &mut m,
            "f64.reinterpret",
            &[i64(0xfff4_0000_0000_0001u64 as i64)]
        ),
        snan64
    );
    assert_eq!(
        call1(&mut m, "i64.reinterpret", &[snan64]),
        i64(0xfff4_0000_0000_0001u64 as i64)
    );
}

#[test]
fn min_max_signed_zeros() {
    let mut m = inst(F);
    let z = f32(0.0);
    let nz = f32(-0.0);
    assert_eq!(call1(&mut m, "f32.min", &[z, nz]), nz);
    assert_eq!(call1(&mut m, "f32.min", &[nz, z]), nz);
    assert_eq!(call1(&mut m, "f32.max", &[z, nz]), z);
    assert_eq!(call1(&mut m, "f32.max", &[nz, z]), z);
    assert_eq!(call1(&mut m, "f32.min", &[f32(1.0), f32(-2.0)]), f32(-2.0));
    assert_eq!(call1(&mut m, "f32.max", &[f32(1.0), f32(-2.0)]), f32(1.0));
    let z = f64(0.0);
    let nz = f64(-0.0);
    assert_eq!(call1(&mut m, "f64.min", &[z, nz]), nz);
    assert_eq!(call1(&mut m, "f64.max", &[nz, z]), z);
    assert_eq!(call1(&mut m, "f64.max", &[nz, nz]), nz);
    assert_eq!(
        call1(&mut m, "f64.min", &[f64(f64::NEG_INFINITY), f64(1.0)]),
        f64(f64::NEG_INFINITY)
    );
}

#[test]
fn rounding() {
    let mut m = inst(F);
    assert_eq!(call1(&mut m, "f32.nearest", &[f32(2.5)]), f32(2.0));
    assert_eq!(call1(&mut m, "f32.nearest", &[f32(3.5)]), f32(4.0));
    assert_eq!(call1(&mut m, "f32.nearest", &[f32(-0.5)]), f32(-0.0));
    assert_eq!(call1(&mut m, "f64.nearest", &[f64(-2.5)]), f64(-2.0));
    assert_eq!(call1(&mut m, "f64.nearest", &[f64(4.5)]), f64(4.0));
    assert_eq!(call1(&mut m, "f32.ceil", &[f32(-0.5)]), f32(-0.0));
    assert_eq!(call1(&mut m, "f32.floor", &[f32(-0.5)]), f32(-1.0));
    assert_eq!(call1(&mut m, "f32.trunc", &[f32(-1.7)]), f32(-1.0));
    assert_eq!(call1(&mut m, "f64.ceil", &[f64(1.1)]), f64(2.0));
    assert_eq!(call1(&mut m, "f64.floor", &[f64(-1.1)]), f64(-2.0));
    assert_eq!(call1(&mut m, "f64.trunc", &[f64(-0.7)]), f64(-0.0));
}

#[test]
fn comparisons() {
    let mut m = inst(F);
    let nan = f32(f32::NAN);
    assert_eq!(call1(&mut m, "f32.eq", &[nan, nan]), i32(0));
    assert_eq!(call1(&mut m, "f32.ne", &[nan, nan]), i32(1));
    assert_eq!(call1(&mut m, "f32.lt", &[nan, f32(1.0)]), i32(0));
    assert_eq!(call1(&mut m, "f32.ge", &[nan, f32(1.0)]), i32(0));
    assert_eq!(call1(&mut m, "f32.eq", &[f32(0.0), f32(-0.0)]), i32(1));
    assert_eq!(call1(&mut m, "f32.le", &[f32(1.0), f32(1.0)]), i32(1));
    assert_eq!(call1(&mut m, "f32.gt", &[f32(2.0), f32(1.0)]), i32(1));
    assert_eq!(
        call1(&mut m, "f64.eq", &[f64(f64::NAN), f64(f64::NAN)]),
        i32(0)
    );
    assert_eq!(call1(&mut m, "f64.ne", &[f64(1.0), f64(1.0)]), i32(0));
    assert_eq!(call1(&mut m, "f64.lt", &[f64(-0.0), f64(0.0)]), i32(0));
    assert_eq!(call1(&mut m, "f64.ge", &[f64(-0.0), f64(0.0)]), i32(1));
}

#[test]
fn conversions() {
    let mut m = inst(F);
    assert_eq!(call1(&mut m, "promote", &[f32(1.5)]), f64(1.5));
    assert_eq!(call1(&mut m, "demote", &[f64(1e300)]), f32(f32::INFINITY));
    assert_eq!(call1(&mut m, "demote", &[f64(0.1)]), f32(0.1));
    assert_eq!(call1(&mut m, "f32.convert_i32_s", &[i32(-1)]), f32(-1.0));
    assert_eq!(
        call1(&mut m, "f32.convert_i32_u", &[i32(-1)]),
        f32(4_294_967_296.0)
    );
    assert_eq!(
        call1(&mut m, "f32.convert_i32_s", &[i32(16_777_217)]),
        f32(16_777_216.0)
    );
    assert_eq!(
        call1(&mut m, "f32.convert_i64_s", &[i64(i64::MIN)]),
        f32(-9.223_372e18)
    );
    assert_eq!(
        call1(&mut m, "f32.convert_i64_u", &[i64(-1)]),
        f32(1.844_674_4e19)
    );
    assert_eq!(
        call1(&mut m, "f64.convert_i32_s", &[i32(i32::MIN)]),
        f64(-2_147_483_648.0)
    );
    assert_eq!(
        call1(&mut m, "f64.convert_i32_u", &[i32(-1)]),
        f64(4_294_967_295.0)
    );
    assert_eq!(
        call1(&mut m, "f64.convert_i64_s", &[i64(9_007_199_254_740_993)]),
        f64(9_007_199_254_740_992.0)
    );
    assert_eq!(
        call1(&mut m, "f64.convert_i64_u", &[i64(-1)]),
        f64(18_446_744_073_709_551_616.0)
    );
}

#[test]
fn truncation() {
    let mut m = inst(F);
    assert_eq!(call1(&mut m, "i32.trunc_f32_s", &[f32(-1.9)]), i32(-1));
    assert_eq!(
        call1(&mut m, "i32.trunc_f32_s", &[f32(-2_147_483_648.0)]),
        i32(i32::MIN)
    );
    assert_eq!(call1(&mut m, "i32.trunc_f32_u", &[f32(-0.9)]), i32(0));
    assert_eq!(
        call1(&mut m, "i32.trunc_f32_u", &[f32(4_294_967_040.0)]),
        i32(-256)
    );
    assert_eq!(
        call1(&mut m, "i32.trunc_f64_s", &[f64(2_147_483_647.9)]),
        i32(i32::MAX)
    );
    assert_eq!(
        call1(&mut m, "i32.trunc_f64_s", &[f64(-2_147_483_648.9)]),
        i32(i32::MIN)
    );
    assert_eq!(
        call1(&mut m, "i32.trunc_f64_u", &[f64(4_294_967_295.9)]),
        i32(-1)
    );
    assert_eq!(
        call1(&mut m, "i64.trunc_f32_s", &[f32(-9.223_372e18)]),
        i64(i64::MIN)
    );
    assert_eq!(
        call1(&mut m, "i64.trunc_f32_u", &[f32(1.844_674_3e19)]),
        i64(-1_099_511_627_776)
    );
    assert_eq!(call1(&mut m, "i64.trunc_f64_s", &[f64(-1.5)]), i64(-1));
    assert_eq!(
        call1(
            &mut m,
            "i64.trunc_f64_u",
            &[f64(18_446_744_073_709_549_568.0)]
        ),
        i64(-2048)
    );

    let ovf = TrapKind::IntegerOverflow;
    let inv = TrapKind::InvalidConversionToInteger;
    assert_eq!(
        trap(&mut m, "i32.trunc_f32_s", &[f32(2_147_483_648.0)]),
        ovf
    );
    assert_eq!(
        trap(&mut m, "i32.trunc_f32_s", &[f32(-2_147_483_904.0)]),
        ovf
    );
    assert_eq!(trap(&mut m, "i32.trunc_f32_s", &[f32(f32::NAN)]), inv);
    assert_eq!(trap(&mut m, "i32.trunc_f32_u", &[f32(-1.0)]), ovf);
    assert_eq!(
        trap(&mut m, "i32.trunc_f32_u", &[f32(4_294_967_296.0)]),
        ovf
    );
    assert_eq!(
        trap(&mut m, "i32.trunc_f64_s", &[f64(2_147_483_648.0)]),
        ovf
    );
    assert_eq!(
        trap(&mut m, "i32.trunc_f64_s", &[f64(-2_147_483_649.0)]),
        ovf
    );
    assert_eq!(
        trap(&mut m, "i32.trunc_f64_u", &[f64(4_294_967_296.0)]),
        ovf
    );
    assert_eq!(trap(&mut m, "i32.trunc_f64_u", &[f64(f64::NAN)]), inv);
    assert_eq!(trap(&mut m, "i64.trunc_f32_s", &[f32(9.223_372e18)]), ovf);
    assert_eq!(trap(&mut m, "i64.trunc_f32_u", &[f32(f32::INFINITY)]), ovf);
    assert_eq!(
        trap(&mut m, "i64.trunc_f64_s", &[f64(9.223_372_036_854_776e18)]),
        ovf
    );
    assert_eq!(trap(&mut m, "i64.trunc_f64_s", &[f64(f64::NAN)]), inv);
    assert_eq!(trap(&mut m, "i64.trunc_f64_u", &[f64(-1.0)]), ovf);
    let e = call(&mut m, "i64.trunc_f64_s", &[f64(f64::NAN)]).unwrap_err();
    assert_eq!(e.to_string(), "invalid conversion to integer");
}

#[test]
fn saturating_truncation() {
    let mut m = inst(F);
    assert_eq!(
        call1(&mut m, "i32.trunc_sat_f32_s", &[f32(f32::NAN)]),
        i32(0)
    );
    assert_eq!(
        call1(&mut m, "i32.trunc_sat_f32_s", &[f32(3e9)]),
        i32(i32::MAX)
    );
    assert_eq!(
        call1(&mut m, "i32.trunc_sat_f32_s", &[f32(-3e9)]),
        i32(i32::MIN)
    );
    assert_eq!(call1(&mut m, "i32.trunc_sat_f32_u", &[f32(-1.0)]), i32(0));
    assert_eq!(call1(&mut m, "i32.trunc_sat_f32_u", &[f32(5e9)]), i32(-1));
    assert_eq!(call1(&mut m, "i32.trunc_sat_f64_s", &[f64(-1.9)]), i32(-1));
    assert_eq!(
        call1(&mut m, "i32.trunc_sat_f64_u", &[f64(f64::INFINITY)]),
        i32(-1)
    );
    assert_eq!(
        call1(&mut m, "i64.trunc_sat_f32_s", &[f32(f32::NEG_INFINITY)]),
        i64(i64::MIN)
    );
    assert_eq!(
        call1(&mut m, "i64.trunc_sat_f32_u", &[f32(f32::NAN)]),
        i64(0)
    );
    assert_eq!(
        call1(&mut m, "i64.trunc_sat_f64_s", &[f64(1e19)]),
        i64(i64::MAX)
    );
    assert_eq!(call1(&mut m, "i64.trunc_sat_f64_u", &[f64(1e20)]), i64(-1));
    assert_eq!(
        call1(&mut m, "i64.trunc_sat_f64_u", &[f64(123.9)]),
        i64(123)
    );
}

/// Float compares used as branch conditions (`br_if`: the fused compare-and-branch;
/// `if`: branch-when-false, never a negated compare) agree with the compare's value on
/// NaN, signed zeros, infinities and ordinary operands.
#[test]
fn float_compares_as_branch_conditions() {
    let mut wat = String::from("(module\n");
    for ty in ["f32", "f64"] {
        for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
            wat.push_str(&format!(
                r#"  (func (export "{ty}.{op}.value") (param {ty} {ty}) (result i32)
    local.get 0 local.get 1 {ty}.{op})
  (func (export "{ty}.{op}.br_if") (param {ty} {ty}) (result i32)
    block local.get 0 local.get 1 {ty}.{op} br_if 0 i32.const 0 return end i32.const 1)
  (func (export "{ty}.{op}.if") (param {ty} {ty}) (result i32)
    local.get 0 local.get 1 {ty}.{op} if (result i32) i32.const 1 else i32.const 0 end)
  (func (export "{ty}.{op}.loop") (param {ty} {ty}) (result i32) (local i32)
    loop local.get 2 i32.const 1 i32.add local.set 2
      local.get 2 i32.const 2 i32.lt_u if local.get 0 local.get 1 {ty}.{op} br_if 1 end
    end local.get 2 i32.const 1 i32.ne)
"#
            ));
        }
    }
    wat.push(')');
    let mut i = inst(&wat);
    let specials = [
        0.0,
        -0.0,
        1.0,
        -1.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ];
    for ty in ["f32", "f64"] {
        for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
            for &a in &specials {
                for &b in &specials {
                    let args = if ty == "f32" {
                        [f32(a as f32), f32(b as f32)]
                    } else {
                        [f64(a), f64(b)]
                    };
                    let value = call1(&mut i, &format!("{ty}.{op}.value"), &args);
                    for form in ["br_if", "if", "loop"] {
                        let got = call1(&mut i, &format!("{ty}.{op}.{form}"), &args);
                        assert_eq!(got, value, "{ty}.{op} {form} on ({a}, {b})");
                    }
                }
            }
        }
    }
    // The compares are not constant: both outcomes occur.
    assert_eq!(call1(&mut i, "f64.lt.br_if", &[f64(1.0), f64(2.0)]), i32(1));
    assert_eq!(
        call1(&mut i, "f64.lt.br_if", &[f64(f64::NAN), f64(2.0)]),
        i32(0)
    );
}

/// `f64` values passed between handlers in the float register (`docs/ir.md`, "Register
/// forms") keep every bit: NaN payloads, signaling NaNs and signs go through loads,
/// bitwise operations, reinterpretation and stores unchanged, and an arithmetic result
/// read from the register is still canonical.
#[test]
fn float_register_keeps_every_bit() {
    let wat = r#"(module (memory 1)
      (func (export "neg") (param i64) (result i64)
        i32.const 0 local.get 0 i64.store
        i32.const 0 f64.load f64.neg i64.reinterpret_f64)
      (func (export "abs_store") (param i64) (result i64)
        i32.const 0 local.get 0 i64.store
        i32.const 8 i32.const 0 f64.load f64.abs f64.store
        i32.const 8 i64.load)
      (func (export "copysign") (param i64 f64) (result i64)
        i32.const 0 local.get 0 i64.store
        i32.const 0 f64.load local.get 1 f64.copysign i64.reinterpret_f64)
      (func (export "mul_nan") (param i64) (result i64)
        i32.const 0 local.get 0 i64.store
        i32.const 0 f64.load f64.const 2 f64.mul f64.neg f64.neg i64.reinterpret_f64))"#;
    let module = module(wat);
    // The chains run on register forms: the test covers what it says.
    let ir: String = (0..4).map(|f| module.disassemble(f).unwrap()).collect();
    for form in [
        "f64.neg.rs",
        "f64.abs.rs",
        "f64.store.rv",
        "f64.copysign.rl",
        "f64.mul.rl",
    ] {
        assert!(ir.contains(form), "{form} missing in\n{ir}");
    }
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let snan = 0x7FF0_0000_0000_0001_u64;
    let payload = 0xFFF8_0000_DEAD_BEEF_u64;
    for bits in [snan, payload, 0x7FF8_0000_0000_0000, 1.5f64.to_bits()] {
        let x = i64(bits as i64);
        assert_eq!(call1(&mut i, "neg", &[x]), i64((bits ^ (1 << 63)) as i64));
        assert_eq!(
            call1(&mut i, "abs_store", &[x]),
            i64((bits & !(1 << 63)) as i64)
        );
        assert_eq!(
            call1(&mut i, "copysign", &[x, f64(-0.0)]),
            i64((bits | (1 << 63)) as i64)
        );
    }
    // An arithmetic NaN is canonical, whatever the input payload.
    for bits in [snan, payload] {
        assert_eq!(
            call1(&mut i, "mul_nan", &[i64(bits as i64)]),
            i64(0x7FF8_0000_0000_0000)
        );
    }
}
