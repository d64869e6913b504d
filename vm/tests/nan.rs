//! NaN canonicalization through the interpreter's handlers, with the VM built as a
//! dependency like the node and the CLI (inside the crate's own unit-test build the
//! compiler inlines and folds the float handlers differently: there the aarch64 bug
//! below did not show): every operation that may return a NaN, fed NaNs of either sign,
//! quiet and signalling, with payloads, and negative numbers for `sqrt`, returns exactly
//! the canonical NaN, alone, fused with the operation before it and after it, with
//! metering on and off. `f64.sqrt` of `-NaN` once returned `0xfff8000000000000` on
//! aarch64 (`exec::float::canon64`); `scripts/cross.sh` runs this test on aarch64 and
//! riscv64 (`docs/determinism.md`).

use metron_vm::{Config, GasMeter, Instance, Module, NoHost, Value};

const CANON_NAN_64: u64 = 0x7ff8_0000_0000_0000;
const CANON_NAN_32: u32 = 0x7fc0_0000;

const NANS_64: [u64; 6] = [
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ffc_0000_0000_0001,
    0xfff0_0000_0000_0123,
    0x7ff0_0000_0000_0001,
    0xffff_ffff_ffff_ffff,
];
const NANS_32: [u32; 6] = [
    0x7fc0_0000,
    0xffc0_0000,
    0x7fe0_0001,
    0xff80_0123,
    0x7f80_0001,
    0xffff_ffff,
];

/// Runs export `f` of `body` (two float params, read with `local.get 0` and
/// `local.get 1` and passed as bit patterns; a float result) on `args`, metering on and
/// off, and returns the result's bits.
fn bits(body: &str, wide: bool, args: [u64; 2]) -> Vec<u64> {
    let ft = if wide { "f64" } else { "f32" };
    let src = format!("(module (func (export \"f\") (param {ft} {ft}) (result {ft}) {body}))");
    let wasm = wat::parse_str(&src).expect("wat");
    let arg = |x: u64| {
        if wide {
            Value::F64(x)
        } else {
            Value::F32(x as u32)
        }
    };
    [false, true]
        .into_iter()
        .map(|metering| {
            let config = Config {
                metering,
                ..Config::default()
            };
            let m = Module::new(&config, &wasm).expect("compiles");
            let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
            let out = i
                .invoke(
                    &mut NoHost,
                    "f",
                    &[arg(args[0]), arg(args[1])],
                    &mut GasMeter::unlimited(),
                )
                .unwrap();
            match out[..] {
                [Value::F64(x)] => x,
                [Value::F32(x)] => u64::from(x),
                ref other => panic!("{other:?}"),
            }
        })
        .collect()
}

/// The module: `f64.sqrt` between two reinterpretations, on integer bits.
#[test]
fn sqrt_bits_is_canonical() {
    let wasm = wat::parse_str(
        "(module (func (export \"sqrt_bits\") (param i64) (result i64)
            (i64.reinterpret_f64 (f64.sqrt (f64.reinterpret_i64 (local.get 0))))))",
    )
    .expect("wat");
    for metering in [false, true] {
        let config = Config {
            metering,
            ..Config::default()
        };
        let m = Module::new(&config, &wasm).expect("compiles");
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        for nan in NANS_64.into_iter().chain([(-1f64).to_bits()]) {
            let out = i
                .invoke(
                    &mut NoHost,
                    "sqrt_bits",
                    &[Value::I64(nan as i64)],
                    &mut GasMeter::unlimited(),
                )
                .unwrap();
            assert_eq!(out, [Value::I64(CANON_NAN_64 as i64)], "sqrt of {nan:#x}");
        }
    }
}

#[test]
fn every_nan_producing_handler_returns_the_canonical_nan() {
    for (wide, ft, canon, nans) in [
        (true, "f64", CANON_NAN_64, NANS_64.to_vec()),
        (
            false,
            "f32",
            u64::from(CANON_NAN_32),
            NANS_32.iter().map(|&x| u64::from(x)).collect(),
        ),
    ] {
        let one = if wide {
            1f64.to_bits()
        } else {
            u64::from(1f32.to_bits())
        };
        let minus_two = if wide {
            (-2f64).to_bits()
        } else {
            u64::from((-2f32).to_bits())
        };
        let unary = ["sqrt", "ceil", "floor", "trunc", "nearest"];
        let binary = ["add", "sub", "mul", "div", "min", "max"];
        let mut bodies = Vec::new();
        for op in unary {
            // Alone; fed by a multiplication (a fused pair); feeding an addition.
            bodies.push(format!("({ft}.{op} (local.get 0))"));
            bodies.push(format!(
                "({ft}.{op} ({ft}.mul (local.get 0) (local.get 1)))"
            ));
            bodies.push(format!(
                "({ft}.add ({ft}.{op} (local.get 0)) (local.get 1))"
            ));
        }
        for op in binary {
            bodies.push(format!("({ft}.{op} (local.get 0) (local.get 1))"));
            bodies.push(format!("({ft}.{op} (local.get 1) (local.get 0))"));
            bodies.push(format!(
                "({ft}.{op} ({ft}.{op} (local.get 0) (local.get 1)) (local.get 1))"
            ));
        }
        let convert = if wide {
            "(f64.promote_f32 (f32.demote_f64 (local.get 0)))"
        } else {
            "(f32.demote_f64 (f64.promote_f32 (local.get 0)))"
        };
        bodies.push(convert.into());
        for body in &bodies {
            for &nan in &nans {
                for other in [one, nan] {
                    for got in bits(body, wide, [nan, other]) {
                        assert_eq!(got, canon, "{body} on {nan:#x}, {other:#x}: {got:#x}");
                    }
                }
            }
        }
        // Invalid operations on numbers: the square root of a negative number, 0/0.
        let sqrt = format!("({ft}.sqrt (local.get 0))");
        for got in bits(&sqrt, wide, [minus_two, one]) {
            assert_eq!(got, canon, "{sqrt} of -2: {got:#x}");
        }
        let zero = format!("({ft}.div ({ft}.sub (local.get 0) (local.get 0)) ({ft}.sub (local.get 1) (local.get 1)))");
        for got in bits(&zero, wide, [one, one]) {
            assert_eq!(got, canon, "0/0: {got:#x}");
        }
    }
}
