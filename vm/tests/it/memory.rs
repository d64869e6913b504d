//! Loads and stores of every width and sign, bounds, memory.size/grow, bulk memory.

use crate::common::*;
use metron_vm::{Config, GasMeter, Instance, NoHost, TrapKind};

const MEM: &str = r#"(module
  (memory (export "memory") 1 3)
  (func (export "i32.load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "i32.load_off") (param i32) (result i32) local.get 0 i32.load offset=4)
  (func (export "i32.load8_s") (param i32) (result i32) local.get 0 i32.load8_s)
  (func (export "i32.load8_u") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "i32.load16_s") (param i32) (result i32) local.get 0 i32.load16_s)
  (func (export "i32.load16_u") (param i32) (result i32) local.get 0 i32.load16_u)
  (func (export "i64.load") (param i32) (result i64) local.get 0 i64.load)
  (func (export "i64.load8_s") (param i32) (result i64) local.get 0 i64.load8_s)
  (func (export "i64.load8_u") (param i32) (result i64) local.get 0 i64.load8_u)
  (func (export "i64.load16_s") (param i32) (result i64) local.get 0 i64.load16_s)
  (func (export "i64.load16_u") (param i32) (result i64) local.get 0 i64.load16_u)
  (func (export "i64.load32_s") (param i32) (result i64) local.get 0 i64.load32_s)
  (func (export "i64.load32_u") (param i32) (result i64) local.get 0 i64.load32_u)
  (func (export "f32.load") (param i32) (result f32) local.get 0 f32.load)
  (func (export "f64.load") (param i32) (result f64) local.get 0 f64.load)
  (func (export "i32.store") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func (export "i32.store8") (param i32 i32) local.get 0 local.get 1 i32.store8)
  (func (export "i32.store16") (param i32 i32) local.get 0 local.get 1 i32.store16)
  (func (export "i64.store") (param i32 i64) local.get 0 local.get 1 i64.store)
  (func (export "i64.store8") (param i32 i64) local.get 0 local.get 1 i64.store8)
  (func (export "i64.store16") (param i32 i64) local.get 0 local.get 1 i64.store16)
  (func (export "i64.store32") (param i32 i64) local.get 0 local.get 1 i64.store32)
  (func (export "f32.store") (param i32 f32) local.get 0 local.get 1 f32.store)
  (func (export "f64.store") (param i32 f64) local.get 0 local.get 1 f64.store)
  (func (export "i32.store_off") (param i32 i32) local.get 0 local.get 1 i32.store offset=65535)
  (func (export "size") (result i32) memory.size)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
  (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
)"#;

#[test]
fn loads_and_stores() {
    let mut m = inst(MEM);
    call(
        &mut m,
        "i64.store",
        &[i32(8), i64(0x8081_8283_8485_8687u64 as i64)],
    )
    .unwrap();
    assert_eq!(
        call1(&mut m, "i32.load", &[i32(8)]),
        i32(0x8485_8687u32 as i32)
    );
    assert_eq!(
        call1(&mut m, "i32.load_off", &[i32(4)]),
        i32(0x8485_8687u32 as i32)
    );
    assert_eq!(call1(&mut m, "i32.load8_s", &[i32(8)]), i32(-121));
    assert_eq!(call1(&mut m, "i32.load8_u", &[i32(8)]), i32(0x87));
    assert_eq!(
        call1(&mut m, "i32.load16_s", &[i32(8)]),
        i32(0x8687u16 as i16 as i32)
    );
    assert_eq!(call1(&mut m, "i32.load16_u", &[i32(8)]), i32(0x8687));
    assert_eq!(
        call1(&mut m, "i64.load", &[i32(8)]),
        i64(0x8081_8283_8485_8687u64 as i64)
    );
    assert_eq!(call1(&mut m, "i64.load8_s", &[i32(8)]), i64(-121));
    assert_eq!(call1(&mut m, "i64.load8_u", &[i32(8)]), i64(0x87));
    assert_eq!(
        call1(&mut m, "i64.load16_s", &[i32(8)]),
        i64(0x8687u16 as i16 as i64)
    );
    assert_eq!(call1(&mut m, "i64.load16_u", &[i32(8)]), i64(0x8687));
    assert_eq!(
        call1(&mut m, "i64.load32_s", &[i32(8)]),
        i64(0x8485_8687u32 as i32 as i64)
    );
    assert_eq!(call1(&mut m, "i64.load32_u", &[i32(8)]), i64(0x8485_8687));
    call(&mut m, "i32.store8", &[i32(0), i32(0x1234_56ff)]).unwrap();
    call(&mut m, "i32.store16", &[i32(1), i32(0x1234_abcd)]).unwrap();
    assert_eq!(call1(&mut m, "i32.load", &[i32(0)]), i32(0x00ab_cdff));
    call(&mut m, "i64.store8", &[i32(16), i64(-1)]).unwrap();
    call(&mut m, "i64.store16", &[i32(17), i64(0x1122)]).unwrap();
    call(
        &mut m,
        "i64.store32",
        &[i32(19), i64(0x5566_7788_99aa_bbcc)],
    )
    .unwrap();
    assert_eq!(
        call1(&mut m, "i64.load", &[i32(16)]),
        i64(0x0099_aabb_cc11_22ff)
    );
    call(&mut m, "i32.store", &[i32(24), i32(-2)]).unwrap();
    assert_eq!(call1(&mut m, "i32.load", &[i32(24)]), i32(-2));
    // Float loads/stores keep NaN payloads exactly.
    call(
        &mut m,
        "f32.store",
        &[i32(32), metron_vm::Value::F32(0x7fa0_0001)],
    )
    .unwrap();
    assert_eq!(
        call1(&mut m, "f32.load", &[i32(32)]),
        metron_vm::Value::F32(0x7fa0_0001)
    );
    assert_eq!(call1(&mut m, "i32.load", &[i32(32)]), i32(0x7fa0_0001));
    call(
        &mut m,
        "f64.store",
        &[i32(40), metron_vm::Value::F64(0xfff0_0000_0000_0001)],
    )
    .unwrap();
    assert_eq!(
        call1(&mut m, "f64.load", &[i32(40)]),
        metron_vm::Value::F64(0xfff0_0000_0000_0001)
    );
    // Little-endian in the exported memory.
    assert_eq!(&m.memory().unwrap()[24..28], &(-2i32).to_le_bytes());
}

#[test]
fn out_of_bounds() {
    let mut m = inst(MEM);
    let oob = TrapKind::MemoryOutOfBounds;
    assert_eq!(call1(&mut m, "i32.load", &[i32(65_532)]), i32(0));
    assert_eq!(trap(&mut m, "i32.load", &[i32(65_533)]), oob);
    assert_eq!(trap(&mut m, "i32.load", &[i32(-1)]), oob);
    assert_eq!(trap(&mut m, "i32.load_off", &[i32(65_529)]), oob);
    assert_eq!(trap(&mut m, "i64.load", &[i32(65_529)]), oob);
    assert_eq!(trap(&mut m, "i64.load32_u", &[i32(65_533)]), oob);
    assert_eq!(trap(&mut m, "i32.load16_s", &[i32(65_535)]), oob);
    assert_eq!(call1(&mut m, "i32.load8_u", &[i32(65_535)]), i32(0));
    assert_eq!(trap(&mut m, "i32.store", &[i32(65_533), i32(1)]), oob);
    assert_eq!(trap(&mut m, "i64.store", &[i32(65_535), i64(1)]), oob);
    assert_eq!(trap(&mut m, "i32.store_off", &[i32(-1), i32(1)]), oob);
    assert_eq!(trap(&mut m, "f64.store", &[i32(65_530), f64(1.0)]), oob);
    // A trapping store writes nothing.
    assert_eq!(call1(&mut m, "i32.load8_u", &[i32(65_535)]), i32(0));
    let e = call(&mut m, "i32.load", &[i32(-1)]).unwrap_err();
    assert_eq!(e.to_string(), "out of bounds memory access");
}

#[test]
fn size_and_grow() {
    let mut m = inst(MEM);
    assert_eq!(call1(&mut m, "size", &[]), i32(1));
    assert_eq!(call1(&mut m, "grow", &[i32(1)]), i32(1));
    assert_eq!(call1(&mut m, "size", &[]), i32(2));
    // New pages are zeroed and accessible.
    assert_eq!(call1(&mut m, "i32.load", &[i32(131_068)]), i32(0));
    assert_eq!(call1(&mut m, "grow", &[i32(2)]), i32(-1));
    assert_eq!(call1(&mut m, "grow", &[i32(-1)]), i32(-1));
    assert_eq!(call1(&mut m, "grow", &[i32(0)]), i32(2));
    assert_eq!(call1(&mut m, "grow", &[i32(1)]), i32(2));
    assert_eq!(call1(&mut m, "grow", &[i32(1)]), i32(-1));
    assert_eq!(call1(&mut m, "size", &[]), i32(3));
    assert_eq!(m.memory().unwrap().len(), 3 * 65_536);
}

#[test]
fn grow_limited_by_config() {
    let mut config = Config::default();
    config.limits.max_memory_pages = 2;
    let module = module_with(
        &config,
        r#"(module (memory 1) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    );
    let mut i = Instance::new(&module, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    assert_eq!(call1(&mut i, "grow", &[i32(2)]), i32(-1));
    assert_eq!(call1(&mut i, "grow", &[i32(1)]), i32(1));
    assert_eq!(call1(&mut i, "grow", &[i32(1)]), i32(-1));
}

#[test]
fn bulk_memory() {
    let mut m = inst(MEM);
    call(&mut m, "fill", &[i32(10), i32(0x1ab), i32(5)]).unwrap();
    assert_eq!(
        &m.memory().unwrap()[9..16],
        &[0, 0xab, 0xab, 0xab, 0xab, 0xab, 0]
    );
    // Overlapping copy forwards and backwards (memmove).
    call(&mut m, "copy", &[i32(12), i32(10), i32(5)]).unwrap();
    assert_eq!(
        &m.memory().unwrap()[10..18],
        &[0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0]
    );
    call(&mut m, "i32.store", &[i32(100), i32(0x0403_0201)]).unwrap();
    call(&mut m, "copy", &[i32(99), i32(100), i32(4)]).unwrap();
    assert_eq!(&m.memory().unwrap()[99..104], &[1, 2, 3, 4, 4]);
    call(&mut m, "copy", &[i32(101), i32(99), i32(4)]).unwrap();
    assert_eq!(&m.memory().unwrap()[99..105], &[1, 2, 1, 2, 3, 4]);
    // Zero length at the end is fine; past the end traps even with length 0.
    call(&mut m, "fill", &[i32(65_536), i32(1), i32(0)]).unwrap();
    call(&mut m, "copy", &[i32(65_536), i32(0), i32(0)]).unwrap();
    let oob = TrapKind::MemoryOutOfBounds;
    assert_eq!(trap(&mut m, "fill", &[i32(65_537), i32(1), i32(0)]), oob);
    assert_eq!(trap(&mut m, "copy", &[i32(0), i32(65_537), i32(0)]), oob);
    // Out-of-bounds bulk ops write nothing (checked before the first byte).
    assert_eq!(trap(&mut m, "fill", &[i32(65_530), i32(7), i32(100)]), oob);
    assert_eq!(m.memory().unwrap()[65_530], 0);
    assert_eq!(trap(&mut m, "copy", &[i32(65_530), i32(0), i32(100)]), oob);
    assert_eq!(m.memory().unwrap()[65_530], 0);
    assert_eq!(trap(&mut m, "fill", &[i32(0), i32(7), i32(-1)]), oob);
    assert_eq!(m.memory().unwrap()[0], 0);
}

/// Stores of a constant (`i32.store8.imm`, `i64.store.imm`, ...) against the same
/// store of a parameter: the eight bytes at the address afterwards, for constants that
/// fit the immediate (narrow stores keep the low bytes; 8-byte stores need a value that
/// is its low 32 bits sign-extended) and constants that do not (pooled). Also an
/// out-of-bounds store of a constant traps and writes nothing.
#[test]
fn stores_of_constants_agree_with_stores_of_values() {
    let stores = [
        ("i32", "i32.store"),
        ("i32", "i32.store8"),
        ("i32", "i32.store16"),
        ("i64", "i64.store"),
        ("i64", "i64.store8"),
        ("i64", "i64.store16"),
        ("i64", "i64.store32"),
        ("f32", "f32.store"),
        ("f64", "f64.store"),
    ];
    let consts: [i64; 6] = [0, -1, 0x7fff_ffff, -0x8000_0000, 0x1_2345_6789, i64::MIN];
    let mut funcs = String::new();
    for (s, (ty, op)) in stores.iter().enumerate() {
        funcs += &format!(
            "(func (export \"v{s}\") (param i32 {ty}) local.get 0 local.get 1 {op} offset=3)\n"
        );
        for (k, c) in consts.iter().enumerate() {
            let lit = match *ty {
                "i32" => format!("i32.const {}", *c as i32),
                "i64" => format!("i64.const {c}"),
                "f32" => format!("f32.const nan:0x{:x}", (*c as u32) & 0x3f_ffff | 0x40_0000),
                _ => format!("f64.const {}", *c as f64),
            };
            funcs += &format!(
                "(func (export \"c{s}_{k}\") (param i32) local.get 0 {lit} {op} offset=3)\n"
            );
        }
    }
    let wat = format!(
        "(module (memory 1)
           (func (export \"get\") (param i32) (result i64) local.get 0 i64.load offset=3)
           (func (export \"clear\") (param i32) local.get 0 i64.const 0 i64.store offset=3)
           {funcs})"
    );
    let mut m = inst(&wat);
    let value_of = |ty: &str, c: i64| match ty {
        "i32" => i32(c as i32),
        "i64" => i64(c),
        // A NaN with a payload: stores move raw bits (no canonicalization).
        "f32" => metron_vm::Value::F32(0x7f80_0000 | (c as u32) & 0x3f_ffff | 0x40_0000),
        _ => f64(c as f64),
    };
    for (s, (ty, op)) in stores.iter().enumerate() {
        for (k, c) in consts.iter().enumerate() {
            for addr in [0, 5, 65_520] {
                call(&mut m, "clear", &[i32(addr)]).unwrap();
                call(&mut m, &format!("v{s}"), &[i32(addr), value_of(ty, *c)]).unwrap();
                let want = call1(&mut m, "get", &[i32(addr)]);
                call(&mut m, "clear", &[i32(addr)]).unwrap();
                call(&mut m, &format!("c{s}_{k}"), &[i32(addr)]).unwrap();
                assert_eq!(
                    call1(&mut m, "get", &[i32(addr)]),
                    want,
                    "{op} of {c} at {addr}"
                );
            }
            // Past the end: traps, nothing written.
            assert_eq!(
                trap(&mut m, &format!("c{s}_{k}"), &[i32(65_533)]),
                metron_vm::TrapKind::MemoryOutOfBounds
            );
        }
    }
}
