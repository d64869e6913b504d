//! The oracles of the fuzz targets. Each returns `Ok(())` when the engines agree or
//! the input is skipped (a reference engine's native stack overflow, a module an engine
//! rejects for its own resource limits), and `Err(Divergence)` otherwise: a mismatch
//! (Metron's bug until shown otherwise), or a reference engine's panic (its bug; see
//! [`Divergence::ReferencePanic`]). Engines are driven through [`Guarded`].

use std::fmt;

#[cfg(feature = "engines")]
use metron_vm::instrument::{
    self, DEPTH_GLOBAL, GAS_GLOBAL, STACK_GLOBAL, TRAP_GLOBAL, TRAP_OUT_OF_GAS,
    TRAP_STACK_EXHAUSTED,
};
use metron_vm::{Config, ExternKind, Module, ValType, Value};
use wasmparser::{Validator, WasmFeatures};

#[cfg(feature = "engines")]
use crate::engine::Wasmi;
use crate::engine::{exported_funcs, DiffEngine, EnginePanic, Guarded, Metron, Outcome, TrapClass};

/// What an oracle found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Divergence {
    /// The engines disagree (or Metron broke a property on its own), described for
    /// people: a Metron bug until shown otherwise. Fuzz targets and tests fail on it.
    Mismatch(String),
    /// A reference engine panicked on the input: that engine's bug, not Metron's. The
    /// oracle stopped comparing this input; callers save it as a finding against the
    /// engine and go on with the next input. (A panic inside Metron is never caught: it
    /// unwinds as a failure.)
    ReferencePanic(EnginePanic),
}

impl Divergence {
    /// Whether this is a finding against Metron (a [`Divergence::Mismatch`]), as opposed
    /// to a reference engine's own bug.
    pub fn is_metron_finding(&self) -> bool {
        matches!(self, Self::Mismatch(_))
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mismatch(s) => f.write_str(s),
            Self::ReferencePanic(p) => {
                let on = if p.instrumented {
                    " on Metron's instrumented module"
                } else {
                    ""
                };
                write!(
                    f,
                    "reference engine {} panicked{on}: {}",
                    p.engine, p.message
                )
            }
        }
    }
}

impl std::error::Error for Divergence {}

impl From<EnginePanic> for Divergence {
    fn from(p: EnginePanic) -> Self {
        Self::ReferencePanic(p)
    }
}

macro_rules! diverge {
    ($($t:tt)*) => { return Err(Divergence::Mismatch(format!($($t)*))) };
}

/// Gas limit of `exec_diff` and `gas_on_off` calls (generated modules terminate by
/// construction; this only bounds pathological bulk operations).
pub const EXEC_GAS: u64 = 1 << 40;

/// Zero arguments for a signature.
pub fn zero_args(params: &[ValType]) -> Vec<Value> {
    params
        .iter()
        .map(|t| match t {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0),
            ValType::F64 => Value::F64(0),
            ValType::FuncRef => Value::FuncRef(None),
            ValType::ExternRef => Value::ExternRef(None),
        })
        .collect()
}

/// Names of exported globals and memories of `wasm` (sorted), excluding the
/// instrumenter's globals.
fn exported_state(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
    let config = Config {
        limits: crate::engine::permissive_limits(),
        ..Config::default()
    };
    let Ok(m) = Module::new(&config, wasm) else {
        return (Vec::new(), Vec::new());
    };
    let mut globals = Vec::new();
    let mut memories = Vec::new();
    for (n, k) in m.exports() {
        match k {
            ExternKind::Global if !n.starts_with("metron_") => globals.push(n.to_string()),
            ExternKind::Memory => memories.push(n.to_string()),
            _ => {}
        }
    }
    (globals, memories)
}

/// Compares exported globals and every memory byte.
fn compare_state(
    what: &str,
    globals: &[String],
    memories: &[String],
    a: &mut Guarded<'_>,
    b: &mut Guarded<'_>,
) -> Result<(), Divergence> {
    for g in globals {
        let (x, y) = (a.global(g)?, b.global(g)?);
        if x != y {
            diverge!(
                "{what}: global {g}: {} {x:?} vs {} {y:?}",
                a.name(),
                b.name()
            );
        }
    }
    for m in memories {
        let (x, y) = (a.memory(m)?, b.memory(m)?);
        if x != y {
            let at = match (&x, &y) {
                (Some(x), Some(y)) if x.len() == y.len() => {
                    x.iter().zip(y).position(|(p, q)| p != q).map(|i| i as i64)
                }
                _ => Some(-1),
            };
            diverge!(
                "{what}: memory {m} differs ({} vs {}, first differing byte {at:?})",
                a.name(),
                b.name()
            );
        }
    }
    Ok(())
}

/// `exec_diff_*`: Metron (metered, large limit) against a reference engine: every
/// exported function called with zero arguments in export order; results bit for bit,
/// trap classes, exported globals and every memory byte after each call. A stack
/// overflow in either engine, or Metron running out of gas, ends the comparison (the
/// reference engines have neither Metron's stack limit nor its meter; the `gas_*`
/// oracles check those).
///
/// # Errors
/// The first divergence, or the reference engine's panic.
pub fn exec_diff(wasm: &[u8], reference: &mut dyn DiffEngine) -> Result<(), Divergence> {
    exec_diff_with(wasm, Config::default(), reference)
}

/// [`exec_diff`] with Metron under `config` (for instance `metering: false`, which the
/// translator compiles without gas charges at labels, so fused instructions next to a
/// label are not separated from it by a charge).
///
/// # Errors
/// The first divergence, or the reference engine's panic.
pub fn exec_diff_with(
    wasm: &[u8],
    config: Config,
    reference: &mut dyn DiffEngine,
) -> Result<(), Divergence> {
    let mut metron = Metron::new(config, EXEC_GAS);
    exec_pair(wasm, &mut metron, reference)
}

fn exec_pair(
    wasm: &[u8],
    a: &mut dyn DiffEngine,
    b: &mut dyn DiffEngine,
) -> Result<(), Divergence> {
    let (a, b) = (&mut Guarded::new(a), &mut Guarded::new(b));
    let (ia, ib) = (a.instantiate(wasm)?, b.instantiate(wasm)?);
    match (ia, ib) {
        (Err(None), _) | (_, Err(None)) => return Ok(()), // rejected: validate_diff's job
        (Ok(()), Ok(())) => {}
        (Err(Some(x)), Err(Some(y))) if x == y => return Ok(()),
        (x, y) if is_skip(&x) || is_skip(&y) => return Ok(()),
        (x, y) => diverge!("instantiation: {} {x:?} vs {} {y:?}", a.name(), b.name()),
    }
    let (globals, memories) = exported_state(wasm);
    compare_state("after instantiation", &globals, &memories, a, b)?;
    for (name, params, _) in exported_funcs(wasm) {
        let args = zero_args(&params);
        let (x, y) = (a.call(&name, &args)?, b.call(&name, &args)?);
        if stops(&x) || stops(&y) {
            return Ok(());
        }
        if x != y {
            diverge!("call {name}: {} {x:?} vs {} {y:?}", a.name(), b.name());
        }
        compare_state(&format!("after {name}"), &globals, &memories, a, b)?;
    }
    Ok(())
}

fn is_skip(r: &Result<(), Option<TrapClass>>) -> bool {
    matches!(
        r,
        Err(Some(
            TrapClass::StackExhausted | TrapClass::OutOfGas | TrapClass::Other
        ))
    )
}

fn stops(o: &Outcome) -> bool {
    matches!(
        o,
        Err(TrapClass::StackExhausted | TrapClass::OutOfGas | TrapClass::Other)
    )
}

#[cfg(feature = "engines")]
/// The instrumented module in wasmi, read as Metron's outcome: `unreachable` with the
/// trap global set becomes `OutOfGas` / `StackExhausted`.
struct Instrumented {
    wasmi: Wasmi,
    config: Config,
}

#[cfg(feature = "engines")]
impl Instrumented {
    fn new(config: Config) -> Self {
        Self {
            wasmi: Wasmi::new(),
            config,
        }
    }

    fn wasmi(&mut self) -> Guarded<'_> {
        Guarded::on_instrumented(&mut self.wasmi)
    }

    fn reset(&mut self, gas: u64) -> Result<(), EnginePanic> {
        let (slots, depth) = (self.config.max_stack_slots, self.config.max_call_depth);
        let mut w = self.wasmi();
        w.set_global(GAS_GLOBAL, Value::I64(gas as i64))?;
        w.set_global(STACK_GLOBAL, Value::I32(slots as i32))?;
        w.set_global(DEPTH_GLOBAL, Value::I32(depth as i32))?;
        w.set_global(TRAP_GLOBAL, Value::I32(0))?;
        Ok(())
    }

    fn gas_left(&mut self) -> Result<u64, EnginePanic> {
        Ok(match self.wasmi().global(GAS_GLOBAL)? {
            Some(Value::I64(g)) => g as u64,
            _ => 0,
        })
    }

    /// `Ok(None)`: wasmi's own stack overflowed (skip).
    fn call(
        &mut self,
        name: &str,
        args: &[Value],
        gas: u64,
    ) -> Result<Option<Outcome>, EnginePanic> {
        self.reset(gas)?;
        let r = self.wasmi().call(name, args)?;
        let reason = self.wasmi().global(TRAP_GLOBAL)?;
        Ok(match r {
            Err(TrapClass::Unreachable) if reason == Some(Value::I32(TRAP_OUT_OF_GAS)) => {
                Some(Err(TrapClass::OutOfGas))
            }
            Err(TrapClass::Unreachable) if reason == Some(Value::I32(TRAP_STACK_EXHAUSTED)) => {
                Some(Err(TrapClass::StackExhausted))
            }
            Err(TrapClass::StackExhausted) => None,
            other => Some(other),
        })
    }
}

#[cfg(feature = "engines")]
/// `gas_model`: Metron's meter against wasmi running Metron's instrumented module, at
/// each gas limit of `limits` in turn (same instance state sequence in both): same
/// outcome, same gas left (0 after running out), same exported state. Metron's stack
/// limit is expressed by the instrumented module, so it is compared, never skipped;
/// only wasmi's native stack overflow skips.
///
/// # Errors
/// The first divergence.
pub fn gas_model(wasm: &[u8], limits: &[u64]) -> Result<(), Divergence> {
    let config = Config::default();
    let Ok(out) = instrument::instrument(wasm, &config) else {
        return Ok(()); // Metron rejects it: nothing to meter.
    };
    let mut metron = Metron::new(config.clone(), u64::MAX);
    let mut inst = Instrumented::new(config);
    let ia = metron.instantiate(wasm);
    let ib = inst.wasmi().instantiate(&out)?;
    match (&ia, &ib) {
        (Ok(()), Ok(())) => {}
        (_, Err(None)) => diverge!("wasmi rejects the instrumented module"),
        _ => return Ok(()), // start function trapped: covered by exec_diff
    }
    let (globals, memories) = exported_state(wasm);
    let funcs = exported_funcs(wasm);
    if funcs.is_empty() {
        return Ok(());
    }
    for (k, &limit) in limits.iter().enumerate() {
        let (name, params, _) = &funcs[k % funcs.len()];
        let args = zero_args(params);
        metron.gas_limit = limit;
        let x = metron.call(name, &args);
        let Some(y) = inst.call(name, &args, limit)? else {
            return Ok(());
        };
        let (gx, gy) = (metron.gas_left, inst.gas_left()?);
        if x != y || gx != gy {
            diverge!("{name} at gas limit {limit}: metron {x:?} gas left {gx} vs instrumented {y:?} gas left {gy}");
        }
        compare_state(
            &format!("after {name} at limit {limit}"),
            &globals,
            &memories,
            &mut Guarded::new(&mut metron),
            &mut inst.wasmi(),
        )?;
    }
    Ok(())
}

#[cfg(feature = "engines")]
/// `gas_boundary`: for each export (fresh instances), the gas `G` used with a large
/// limit; then exactly `G` succeeds with 0 left (same result), and `G - 1` runs out of
/// gas with 0 left, in Metron and in the instrumented module, leaving the same state.
///
/// # Errors
/// The first divergence.
pub fn gas_boundary(wasm: &[u8]) -> Result<(), Divergence> {
    let config = Config::default();
    let Ok(out) = instrument::instrument(wasm, &config) else {
        return Ok(());
    };
    let (globals, memories) = exported_state(wasm);
    for (name, params, _) in exported_funcs(wasm) {
        let args = zero_args(&params);
        let mut probe = Metron::new(config.clone(), EXEC_GAS);
        if probe.instantiate(wasm).is_err() {
            return Ok(());
        }
        let full = probe.call(&name, &args);
        if matches!(full, Err(TrapClass::OutOfGas)) {
            continue;
        }
        let used = EXEC_GAS - probe.gas_left;
        for limit in [used, used.saturating_sub(1)] {
            let mut m = Metron::new(config.clone(), limit);
            let mut inst = Instrumented::new(config.clone());
            // Instantiate under the same (large) limit, then meter the call only.
            m.gas_limit = EXEC_GAS;
            if m.instantiate(wasm).is_err() || inst.wasmi().instantiate(&out)?.is_err() {
                return Ok(());
            }
            m.gas_limit = limit;
            let x = m.call(&name, &args);
            let Some(y) = inst.call(&name, &args, limit)? else {
                return Ok(());
            };
            let expect = if limit == used || used == 0 {
                full.clone()
            } else {
                Err(TrapClass::OutOfGas)
            };
            if x != expect || m.gas_left != 0 && used != 0 {
                diverge!("{name} at limit {limit} (used {used}): metron {x:?} gas left {}, expected {expect:?} and 0 left", m.gas_left);
            }
            let gy = inst.gas_left()?;
            if y != x || gy != m.gas_left {
                diverge!(
                    "{name} at limit {limit}: metron {x:?}/{} vs instrumented {y:?}/{gy}",
                    m.gas_left
                );
            }
            compare_state(
                &format!("{name} at {limit}"),
                &globals,
                &memories,
                &mut Guarded::new(&mut m),
                &mut inst.wasmi(),
            )?;
        }
    }
    Ok(())
}

/// `gas_on_off`: with a limit never reached, metering on and off give identical
/// results, traps and state.
///
/// # Errors
/// The first divergence.
pub fn gas_on_off(wasm: &[u8]) -> Result<(), Divergence> {
    let mut on = Metron::new(Config::default(), EXEC_GAS);
    let mut off = Metron::new(
        Config {
            metering: false,
            ..Config::default()
        },
        EXEC_GAS,
    );
    exec_pair(wasm, &mut on, &mut off)
}

/// Metron's feature set, as wasmparser flags (mirrors `metron_vm`'s validator).
pub fn metron_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
}

/// `validate_diff`: Metron accepts exactly what wasmparser accepts with Metron's
/// feature set, except for Metron's resource limits (a limit error is never a
/// divergence). Never panics on arbitrary bytes (a panic is the fuzzer's finding).
///
/// # Errors
/// A module accepted by one side only.
pub fn validate_diff(bytes: &[u8]) -> Result<(), Divergence> {
    let reference = Validator::new_with_features(metron_features()).validate_all(bytes);
    let metron = Module::new(&Config::default(), bytes);
    match (&reference, &metron) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => Ok(()),
        (Ok(_), Err(e)) if matches!(e.kind(), metron_vm::ErrorKind::LimitExceeded { .. }) => Ok(()),
        (Ok(_), Err(e)) => diverge!("wasmparser accepts, Metron rejects: {e}"),
        (Err(e), Ok(_)) => diverge!("Metron accepts, wasmparser rejects: {e}"),
    }
}

/// One instruction under test: WAT mnemonic, operand types, result type.
pub type Inst = (&'static str, &'static [ValType], ValType);

/// Numeric instructions for `single_inst` (every non-control numeric operator with
/// edge-case behaviour). Built once: the fuzz target calls this per input, and the
/// mnemonics are `'static`.
pub fn instructions() -> &'static [Inst] {
    static INSTRUCTIONS: std::sync::OnceLock<Vec<Inst>> = std::sync::OnceLock::new();
    INSTRUCTIONS.get_or_init(build_instructions)
}

fn build_instructions() -> Vec<Inst> {
    use ValType::{F32, F64, I32, I64};
    let mut v: Vec<Inst> = Vec::new();
    for op in [
        "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
        "shr_s", "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s",
        "le_u", "ge_s", "ge_u",
    ] {
        v.push((leak(format!("i32.{op}")), &[I32, I32], I32));
        let r = if [
            "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
        ]
        .contains(&op)
        {
            I32
        } else {
            I64
        };
        v.push((leak(format!("i64.{op}")), &[I64, I64], r));
    }
    for op in ["clz", "ctz", "popcnt", "extend8_s", "extend16_s"] {
        v.push((leak(format!("i32.{op}")), &[I32], I32));
        v.push((leak(format!("i64.{op}")), &[I64], I64));
    }
    v.push(("i32.eqz", &[I32], I32));
    v.push(("i64.eqz", &[I64], I32));
    v.push(("i64.extend32_s", &[I64], I64));
    v.push(("i32.wrap_i64", &[I64], I32));
    v.push(("i64.extend_i32_s", &[I32], I64));
    v.push(("i64.extend_i32_u", &[I32], I64));
    for (t, ty) in [("f32", F32), ("f64", F64)] {
        for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
            v.push((
                leak(format!("{t}.{op}")),
                if ty == F32 { &[F32, F32] } else { &[F64, F64] },
                ty,
            ));
        }
        for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
            v.push((
                leak(format!("{t}.{op}")),
                if ty == F32 { &[F32, F32] } else { &[F64, F64] },
                I32,
            ));
        }
        for op in ["abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"] {
            v.push((
                leak(format!("{t}.{op}")),
                if ty == F32 { &[F32] } else { &[F64] },
                ty,
            ));
        }
        for (it, ity) in [("i32", I32), ("i64", I64)] {
            for s in ["s", "u"] {
                v.push((
                    leak(format!("{it}.trunc_{t}_{s}")),
                    if ty == F32 { &[F32] } else { &[F64] },
                    ity,
                ));
                v.push((
                    leak(format!("{it}.trunc_sat_{t}_{s}")),
                    if ty == F32 { &[F32] } else { &[F64] },
                    ity,
                ));
                v.push((
                    leak(format!("{t}.convert_{it}_{s}")),
                    if ity == I32 { &[I32] } else { &[I64] },
                    ty,
                ));
            }
        }
    }
    v.push(("f32.demote_f64", &[F64], F32));
    v.push(("f64.promote_f32", &[F32], F64));
    v.push(("i32.reinterpret_f32", &[F32], I32));
    v.push(("i64.reinterpret_f64", &[F64], I64));
    v.push(("f32.reinterpret_i32", &[I32], F32));
    v.push(("f64.reinterpret_i64", &[I64], F64));
    v
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[cfg(feature = "engines")]
fn wat_ty(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::FuncRef => "funcref",
        ValType::ExternRef => "externref",
    }
}

#[cfg(feature = "engines")]
/// WAT pushing `v` as a constant (floats through their bits, so NaN payloads survive).
fn wat_const(v: Value) -> String {
    match v {
        Value::I32(x) => format!("i32.const {x}"),
        Value::I64(x) => format!("i64.const {x}"),
        Value::F32(b) => format!("i32.const {} f32.reinterpret_i32", b as i32),
        Value::F64(b) => format!("i64.const {} f64.reinterpret_i64", b as i64),
        Value::FuncRef(_) => "ref.null func".into(),
        Value::ExternRef(_) => "ref.null extern".into(),
    }
}

#[cfg(feature = "engines")]
/// `single_inst`: instruction `inst` with operands `args` against wasmi, both with the
/// operands as parameters and as constants (Metron reads constants in place).
///
/// # Errors
/// Different results or trap classes.
pub fn single_inst(inst: &Inst, args: &[Value]) -> Result<(), Divergence> {
    let (op, params, result) = *inst;
    let ps: Vec<&str> = params.iter().map(|&t| wat_ty(t)).collect();
    let gets: String = (0..params.len())
        .map(|i| format!("local.get {i} "))
        .collect();
    let consts: String = args.iter().map(|&v| wat_const(v) + " ").collect();
    let src = format!(
        "(module (func (export \"p\") (param {}) (result {r}) {gets} {op}) \
         (func (export \"c\") (result {r}) {consts} {op}))",
        ps.join(" "),
        r = wat_ty(result)
    );
    let wasm =
        wat::parse_str(&src).map_err(|e| Divergence::Mismatch(format!("bad test {src}: {e}")))?;
    let mut m = Metron::new(Config::default(), EXEC_GAS);
    let mut wasmi = Wasmi::new();
    let mut w = Guarded::new(&mut wasmi);
    if m.instantiate(&wasm).is_err() || w.instantiate(&wasm)?.is_err() {
        diverge!("{op}: instantiation failed");
    }
    let cases: [(&str, &[Value]); 2] = [("p", args), ("c", &[])];
    for (f, a) in cases {
        let (x, y) = (m.call(f, a), w.call(f, a)?);
        if x != y {
            diverge!("{op} {args:?} ({f}): metron {x:?} vs wasmi {y:?}");
        }
    }
    Ok(())
}
