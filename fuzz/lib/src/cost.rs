//! Work per unit of gas (feature `cost`): the `gas_cost` fuzz target's measurement and
//! its generator of expensive-per-gas modules.
//!
//! Work is measured deterministically by the VM's counters (`metron_vm::cost`, feature
//! `cost-counters`): instructions dispatched, threaded runs started, frame cells set
//! up, cells moved, bulk and allocated bytes, weighed into cost units
//! ([`metron_vm::cost::Counters::units`]). [`cost_per_gas`] instantiates a module and
//! calls its exports under one gas limit and divides the units by the gas used
//! (instantiation included: a transaction pays both). `DESIGN.md` ("Gas must bound
//! work") allows the worst case at most 4x real programs' median: [`THRESHOLD_MILLI`].
//!
//! [`expensive`] writes modules made of the shapes that cost the most per gas so far
//! (`docs/gas.md`, the calibration): calls of functions with many locals of one type
//! or with a full constant pool, branches and returns carrying the most values the
//! load limits allow, `br_table` trampolines, tiny bulk operations, grows,
//! `call_indirect`, deep recursion, table accesses and `ref.func` (which the
//! interpreter's loop executes, not a handler), in a loop.

use std::fmt::Write as _;

use arbitrary::{Result, Unstructured};
use metron_vm::cost::Counters;
use metron_vm::{Config, ExternKind, GasMeter, Instance, Module, NoHost, Value};

use crate::oracle::zero_args;

/// Median cost units per gas unit of the benchmark workloads (`bench/wasm/*`, the 14
/// exported workloads of `bench/src/workloads.rs`), in thousandths: 0.852 under the
/// final version-2 prices (0.853 before `global`, `bulk` 15 and `br_table` 7; range
/// 0.534 sieve - 1.177 sha256). Measured once,
/// deterministically (counts, not time), by the ignored test `workload_median` of
/// `fuzz/lib/tests/gas_cost.rs`, with the modules the bench's build script writes:
/// `METRON_BENCH_WASM=target/release/build/metron-bench-<hash>/out cargo test -p
/// metron-fuzz --features cost --test gas_cost -- --ignored --nocapture
/// workload_median`. Measure again when the IR, the interpreter or the schedule
/// changes.
pub const WORKLOAD_MEDIAN_MILLI: u64 = 852;

/// A module whose cost units per gas unit exceed this (thousandths) is a finding:
/// 4x the workloads' median ([`WORKLOAD_MEDIAN_MILLI`]), the bound of `DESIGN.md`.
pub const THRESHOLD_MILLI: u64 = 4 * WORKLOAD_MEDIAN_MILLI;

/// Gas limit of one measurement in the fuzz target and the seeded test: instantiation
/// and every export's call share it.
pub const GAS_LIMIT: u64 = 2_000_000;

/// What one run of a module cost: the counters, the gas used and the calls made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measurement {
    /// The work counted (instantiation and calls).
    pub counters: Counters,
    /// Gas used (instantiation and calls).
    pub gas: u64,
    /// Exports called.
    pub calls: u32,
}

impl Measurement {
    /// Cost units ([`Counters::units`]).
    pub fn units(&self) -> u64 {
        self.counters.units()
    }

    /// Cost units per gas unit, in thousandths (integer; 0 when no gas was used).
    pub fn ratio_milli(&self) -> u64 {
        if self.gas == 0 {
            return 0;
        }
        (u128::from(self.units()) * 1000 / u128::from(self.gas)) as u64
    }
}

/// Instantiates `wasm` under `config` and calls `calls` in order (export, arguments)
/// under one gas limit `gas_limit`, going on after a trap and stopping when the gas
/// runs out. `None` when the module does not load or instantiate.
pub fn measure_calls(
    config: &Config,
    wasm: &[u8],
    calls: &[(String, Vec<Value>)],
    gas_limit: u64,
) -> Option<Measurement> {
    let module = Module::new(config, wasm).ok()?;
    let mut gas = GasMeter::new(gas_limit);
    let mut inst = Instance::new(&module, &mut NoHost, &mut gas).ok()?;
    let mut made = 0;
    for (name, args) in calls {
        if gas.remaining() == 0 {
            break;
        }
        let _ = inst.invoke(&mut NoHost, name, args, &mut gas);
        made += 1;
    }
    Some(Measurement {
        counters: inst.cost(),
        gas: gas.used(),
        calls: made,
    })
}

/// [`measure_calls`] of every exported function of `wasm` in export order, with zero
/// arguments, under the default (consensus) `Config`.
pub fn cost_per_gas(wasm: &[u8], gas_limit: u64) -> Option<Measurement> {
    let module = Module::new(&Config::default(), wasm).ok()?;
    let calls: Vec<(String, Vec<Value>)> = module
        .exports()
        .filter(|&(_, k)| k == ExternKind::Func)
        .filter_map(|(name, _)| {
            let ty = module.export_func_type(name)?;
            Some((name.to_string(), zero_args(ty.params())))
        })
        .collect();
    measure_calls(&Config::default(), wasm, &calls, gas_limit)
}

/// The fuzz target's check: measures `wasm` ([`cost_per_gas`], [`GAS_LIMIT`]) and
/// returns the measurement, or `Err` with a description (the module's ratio against
/// [`THRESHOLD_MILLI`] and its counters) when the ratio exceeds the threshold.
///
/// # Errors
/// A ratio above [`THRESHOLD_MILLI`].
pub fn check(wasm: &[u8]) -> std::result::Result<Option<Measurement>, String> {
    let Some(m) = cost_per_gas(wasm, GAS_LIMIT) else {
        return Ok(None);
    };
    if m.ratio_milli() > THRESHOLD_MILLI {
        return Err(format!(
            "{} cost units per gas unit (threshold {}, 4x the workloads' median {}): {} units for {} gas, {:?}",
            milli(m.ratio_milli()),
            milli(THRESHOLD_MILLI),
            milli(WORKLOAD_MEDIAN_MILLI),
            m.units(),
            m.gas,
            m.counters
        ));
    }
    Ok(Some(m))
}

/// `x` thousandths as a decimal (`1.234`).
pub fn milli(x: u64) -> String {
    format!("{}.{:03}", x / 1000, x % 1000)
}

/// A module from `u` for the `gas_cost` target: mostly [`expensive`] (as WAT, then
/// bytes), sometimes a wasm-smith module ([`crate::generate::module`]). Returns the
/// bytes and the WAT when there is one.
///
/// # Errors
/// When `u` runs out of data in a way the generators cannot recover from.
pub fn module(u: &mut Unstructured<'_>) -> Result<(Vec<u8>, Option<String>)> {
    if u.ratio(1, 4)? {
        return Ok((crate::generate::module(u)?, None));
    }
    let wat = expensive(u)?;
    let wasm = wat::parse_str(&wat).map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok((wasm, Some(wat)))
}

/// Value types of locals, results and constants.
const TYPES: [&str; 6] = ["i32", "i64", "f32", "f64", "funcref", "externref"];
/// Numeric types (constants, carried values).
const NUM: [&str; 4] = ["i32", "i64", "f32", "f64"];

/// A constant of numeric type `t` that the translator pools (not an immediate: `i64`
/// beyond 32 bits, floats), distinct for each `k`.
fn pooled_const(t: &str, k: u32) -> String {
    match t {
        "i32" => format!(
            "i32.const {}",
            0x7654_3210u32.wrapping_add(k.wrapping_mul(7919)) as i32
        ),
        "i64" => format!("i64.const {}", 0x1234_5678_9abc_0000i64 + i64::from(k)),
        "f32" => format!("f32.const {}.5", k + 1000),
        _ => format!("f64.const {}.25", k + 100_000),
    }
}

/// One expensive shape: the functions it needs, the code that runs it once (inside the
/// main loop of `run`), written into `funcs` and returned.
fn shape(u: &mut Unstructured<'_>, id: usize, funcs: &mut String) -> Result<String> {
    let kind = u.int_in_range(0..=11u8)?;
    let f = format!("$s{id}");
    Ok(match kind {
        // A call of a function with many locals of one type, all read in a branch
        // never taken (so `enter` zeroes them: definite assignment).
        0 => {
            let t = *u.choose(&TYPES)?;
            let n = u.int_in_range(1..=4000u32)?;
            let mut body = String::new();
            for i in 0..n.min(400) {
                let _ = write!(body, "(drop (local.get {})) ", i + 1);
            }
            let _ = writeln!(
                funcs,
                "(func {f} (param i32) (result i32) (local {})\n  (if (local.get 0) (then {body}))\n  (local.get 0))",
                format!("{t} ").repeat(n as usize)
            );
            format!("(drop (call {f} (i32.const 0)))")
        }
        // A call of a function whose constant pool is full (64 distinct constants, used
        // in a branch never taken).
        1 => {
            let t = *u.choose(&NUM)?;
            let n = u.int_in_range(1..=80u32)?;
            let mut body = String::new();
            for k in 0..n {
                let _ = write!(body, "(drop ({})) ", pooled_const(t, k));
            }
            let _ = writeln!(
                funcs,
                "(func {f} (param i32) (result i32)\n  (if (local.get 0) (then {body}))\n  (local.get 0))"
            );
            format!("(drop (call {f} (i32.const 0)))")
        }
        // `br` / `br_if` carrying up to 16 values (`Limits::max_results`).
        2 => {
            let t = *u.choose(&NUM)?;
            let n = u.int_in_range(1..=16usize)?;
            let consts: String = (0..n as u32)
                .map(|k| format!("({}) ", pooled_const(t, k)))
                .collect();
            let br = if u.arbitrary()? {
                "br 0"
            } else {
                "(br_if 0 (local.get 0))"
            };
            let _ = writeln!(
                funcs,
                "(func {f} (param i32)\n  (block (result {})\n    {consts}\n    {br})\n  {drops})",
                format!("{t} ").repeat(n),
                drops = "drop ".repeat(n)
            );
            format!("(call {f} (i32.const 1))")
        }
        // A return of up to 16 results.
        3 => {
            let t = *u.choose(&NUM)?;
            let n = u.int_in_range(1..=16usize)?;
            let consts: String = (0..n as u32)
                .map(|k| format!("({}) ", pooled_const(t, k)))
                .collect();
            let _ = writeln!(
                funcs,
                "(func {f} (result {}) {consts} return)",
                format!("{t} ").repeat(n)
            );
            format!("(call {f}) {}", "drop ".repeat(n))
        }
        // `br_table` carrying one value (`Limits::max_br_table_arity`) over many
        // targets (trampolines).
        4 => {
            let targets = u.int_in_range(1..=64u32)?;
            let pick = u.int_in_range(0..=targets)?;
            let mut open = String::new();
            let mut close = String::new();
            for _ in 0..targets {
                open.push_str("(block (result i64) ");
                close.push_str(") ");
            }
            let labels: String = (0..targets).map(|i| format!("{i} ")).collect();
            let _ = writeln!(
                funcs,
                "(func {f} (param i32) (result i64)\n  (block (result i64) {open} (br_table {labels}{targets} (i64.const 0x1234567890) (local.get 0)) {close}))"
            );
            format!("(drop (call {f} (i32.const {pick})))")
        }
        // Tiny bulk memory operations.
        5 => {
            let n = u.int_in_range(0..=8u32)?;
            match u.int_in_range(0..=2u8)? {
                0 => format!("(memory.fill (i32.const 16) (i32.const 7) (i32.const {n}))"),
                1 => format!("(memory.copy (i32.const 64) (i32.const 8) (i32.const {n}))"),
                _ => format!("(memory.init $d (i32.const 128) (i32.const 0) (i32.const {n}))"),
            }
        }
        // Tiny bulk table operations.
        6 => {
            let n = u.int_in_range(0..=4u32)?;
            match u.int_in_range(0..=2u8)? {
                0 => format!("(table.fill $t (i32.const 1) (ref.null func) (i32.const {n}))"),
                1 => format!("(table.copy $t $t (i32.const 4) (i32.const 0) (i32.const {n}))"),
                _ => format!("(table.init $t $e (i32.const 8) (i32.const 0) (i32.const {n}))"),
            }
        }
        // Grows (by 0 or 1: the bounded memory and table fail past their maxima).
        7 => {
            let n = u.int_in_range(0..=1u32)?;
            if u.arbitrary()? {
                format!("(drop (memory.grow (i32.const {n})))")
            } else {
                format!("(drop (table.grow $t (ref.null func) (i32.const {n})))")
            }
        }
        // `call_indirect` of a small function through the table.
        8 => {
            let slot = u.int_in_range(0..=3u32)?;
            format!("(drop (call_indirect $t (type $ii) (i32.const 0) (i32.const {slot})))")
        }
        // Deep recursion of a function with a frame of many locals.
        9 => {
            let depth = u.int_in_range(1..=1000u32)?;
            let locals = u.int_in_range(0..=64u32)?;
            let _ = writeln!(
                funcs,
                "(func {f} (param i32) (result i32) (local {})\n  (if (result i32) (local.get 0)\n    (then (call {f} (i32.sub (local.get 0) (i32.const 1))))\n    (else (local.get 1))))",
                "i32 ".repeat(locals as usize + 1)
            );
            format!("(drop (call {f} (i32.const {depth})))")
        }
        // Table accesses and `ref.func`: instructions the interpreter's loop executes.
        10 => match u.int_in_range(0..=3u8)? {
            0 => "(drop (table.get $t (i32.const 2)))".to_string(),
            1 => "(table.set $t (i32.const 5) (ref.func $small))".to_string(),
            2 => "(drop (table.size $t))".to_string(),
            _ => "(drop (ref.func $small))".to_string(),
        },
        // `global.get`s whose results stay on the stack (one handler each).
        _ => {
            let n = u.int_in_range(1..=16usize)?;
            format!(
                "(drop {}(i32.const 0){})",
                "(i32.add (global.get $g) ".repeat(n),
                ")".repeat(n)
            )
        }
    })
}

/// An expensive-per-gas module as WAT: 1-4 [`shape`]s run by the export `run` in a loop
/// of 1-500 iterations, with a memory (1 page, at most 2), a table of 16 `funcref`s
/// (at most 32), a passive data and element segment and a small function in the table.
///
/// # Errors
/// When `u` runs out of data in a way the generator cannot recover from.
pub fn expensive(u: &mut Unstructured<'_>) -> Result<String> {
    let mut funcs = String::new();
    let mut body = String::new();
    let shapes = u.int_in_range(1..=4usize)?;
    for id in 0..shapes {
        let code = shape(u, id, &mut funcs)?;
        let repeat = u.int_in_range(1..=8usize)?;
        for _ in 0..repeat {
            body.push_str("      ");
            body.push_str(&code);
            body.push('\n');
        }
    }
    let iterations = u.int_in_range(1..=500u32)?;
    Ok(format!(
        r#"(module
  (type $ii (func (param i32) (result i32)))
  (memory 1 2)
  (table $t 16 32 funcref)
  (global $g (mut i32) (i32.const 3))
  (data $d "0123456789abcdef")
  (elem $e func $small $small $small $small)
  (elem (table $t) (i32.const 0) func $small $small $small $small)
  (func $small (type $ii) (local.get 0))
{funcs}  (func (export "run") (local $i i32)
    (loop $l
{body}      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {iterations})))))
)
"#
    ))
}
