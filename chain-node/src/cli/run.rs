//! `metron run`: runs one exported function of a .wasm/.wat file in the Metron VM alone,
//! with the default contract limits and gas schedule, and prints its results and gas used.
//!
//! There is no chain: function imports link to a stub host whose functions all fail with
//! a host error naming the import, so modules that import `metron.*` can still run
//! functions that do not call the host.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use clap::Args;
use metron_vm::{
    Caller, Config, FuncType, GasMeter, Host, HostError, Instance, Module, ValType, Value,
};

/// Default gas limit of `metron run`.
pub const DEFAULT_RUN_GAS: u64 = 1_000_000_000;

/// `metron run` options.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// A .wasm binary or .wat text file.
    pub file: PathBuf,
    /// Exported function to call.
    #[arg(long, value_name = "EXPORT")]
    pub invoke: String,
    /// Arguments: `i32:5 i64:7 f32:1.5 f64:2` (a bare number takes the parameter's type).
    /// Bare negative numbers are accepted; options such as `--gas` may follow the arguments.
    #[arg(value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Gas limit.
    #[arg(long, default_value_t = DEFAULT_RUN_GAS, value_name = "N")]
    pub gas: u64,
    /// Most pages (64 KiB) a linear memory may have (default: the contract limit, 256 =
    /// 16 MiB). `memory.grow` past it returns -1.
    #[arg(long, value_name = "PAGES")]
    pub max_memory_pages: Option<u32>,
    /// Most elements a table may have (default: the contract limit).
    #[arg(long, value_name = "N")]
    pub max_table_elements: Option<u32>,
    /// Most nested calls before `call stack exhausted` (default: the contract limit).
    #[arg(long, value_name = "FRAMES")]
    pub max_call_depth: Option<u32>,
    /// Stack budget in value slots (default: the contract limit).
    #[arg(long, value_name = "SLOTS")]
    pub max_stack_slots: Option<u32>,
}

impl RunArgs {
    /// The contract configuration with this command's limit overrides.
    pub fn config(&self) -> Config {
        let mut config = Config::default();
        if let Some(n) = self.max_memory_pages {
            config.limits.max_memory_pages = n;
        }
        if let Some(n) = self.max_table_elements {
            config.limits.max_table_elements = n;
        }
        if let Some(n) = self.max_call_depth {
            config.max_call_depth = n;
        }
        if let Some(n) = self.max_stack_slots {
            config.max_stack_slots = n;
        }
        config
    }
}

/// Why a trap may have happened, when the call saw a refused `memory.grow`: Rust and
/// other languages abort (`unreachable`) when their allocator cannot grow memory.
pub fn refusal_hint(r: &metron_vm::GrowRefusal) -> String {
    if r.by_limit() {
        format!(
            "after memory.grow was refused at the {}-page limit; --max-memory-pages raises it",
            r.max_pages
        )
    } else {
        format!(
            "after memory.grow was refused at the memory's declared maximum of {} pages",
            r.max_pages
        )
    }
}

/// A host that links every function import to a stub that fails when called.
#[derive(Default)]
struct StubHost {
    /// `module.name` of each linked import, indexed by host function id.
    names: Vec<String>,
}

impl Host for StubHost {
    fn resolve_func(&mut self, module: &str, name: &str, _ty: &FuncType) -> Option<u32> {
        let id = u32::try_from(self.names.len()).ok()?;
        self.names.push(format!("{module}.{name}"));
        Some(id)
    }

    fn call(
        &mut self,
        id: u32,
        _caller: &mut Caller<'_>,
        _args: &[Value],
        _results: &mut [Value],
    ) -> Result<(), HostError> {
        let name = usize::try_from(id)
            .ok()
            .and_then(|i| self.names.get(i))
            .map_or("?", String::as_str);
        Err(HostError::new(format!(
            "host function {name} is not available in `metron run` (no chain)"
        )))
    }
}

/// Parses one argument for a parameter of type `ty`: `TYPE:VALUE` or a bare value.
fn parse_arg(arg: &str, ty: ValType) -> anyhow::Result<Value> {
    let (given, v) = match arg.split_once(':') {
        Some((t, v)) => (Some(t), v),
        None => (None, arg),
    };
    let expected = match ty {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        ValType::FuncRef | ValType::ExternRef => {
            bail!("reference-typed parameters cannot be passed from the command line")
        }
    };
    if let Some(t) = given {
        if t != expected {
            bail!("argument {arg:?} has type {t} but the parameter is {expected}");
        }
    }
    let bad = || anyhow!("invalid {expected} value {v:?}");
    Ok(match ty {
        // Integers accept the signed or the unsigned reading (`i32:4294967295` == -1).
        ValType::I32 => Value::I32(match v.parse::<i32>() {
            Ok(n) => n,
            Err(_) => v.parse::<u32>().map_err(|_| bad())? as i32,
        }),
        ValType::I64 => Value::I64(match v.parse::<i64>() {
            Ok(n) => n,
            Err(_) => v.parse::<u64>().map_err(|_| bad())? as i64,
        }),
        ValType::F32 => Value::F32(parse_float_bits32(v).ok_or_else(bad)?),
        ValType::F64 => Value::F64(parse_float_bits64(v).ok_or_else(bad)?),
        ValType::FuncRef | ValType::ExternRef => unreachable!("rejected above"),
    })
}

/// A float as bits: a decimal (`1.5`, `nan`, `inf`) or raw bits (`0x7fc00000`).
fn parse_float_bits32(v: &str) -> Option<u32> {
    match v.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => v.parse::<f32>().ok().map(f32::to_bits),
    }
}

fn parse_float_bits64(v: &str) -> Option<u64> {
    match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse::<f64>().ok().map(f64::to_bits),
    }
}

/// Displays a value with its type; floats also show their exact bits (NaN payloads).
pub fn format_value(v: &Value) -> String {
    match v {
        Value::I32(n) => format!("i32:{n}"),
        Value::I64(n) => format!("i64:{n}"),
        Value::F32(b) => format!("f32:{} (0x{b:08x})", f32::from_bits(*b)),
        Value::F64(b) => format!("f64:{} (0x{b:016x})", f64::from_bits(*b)),
        Value::FuncRef(r) => format!("funcref:{}", r.map_or("null".into(), |i| i.to_string())),
        Value::ExternRef(r) => format!("externref:{}", r.map_or("null".into(), |i| i.to_string())),
    }
}

/// `metron run`. Prints `result: ..` lines (or `trap: ..`), `gas used: N` and its two
/// parts, `instantiation: N` and `call: N`.
/// Exit code 0 on success, 2 on a trap.
///
/// # Errors
/// Unreadable file, invalid module, unknown export, bad arguments, instantiation failure.
pub fn run(a: &RunArgs) -> anyhow::Result<ExitCode> {
    let wasm = super::read_wasm(&a.file)?;
    let config = a.config();
    let module = Module::new(&config, &wasm).map_err(|e| anyhow!("invalid module: {e}"))?;
    let ty = module
        .export_func_type(&a.invoke)
        .ok_or_else(|| anyhow!("no exported function {:?}", a.invoke))?
        .clone();
    if a.args.len() != ty.params().len() {
        bail!(
            "{} takes {} argument(s) {ty}, got {}",
            a.invoke,
            ty.params().len(),
            a.args.len()
        );
    }
    let args = a
        .args
        .iter()
        .zip(ty.params())
        .map(|(s, t)| parse_arg(s, *t))
        .collect::<anyhow::Result<Vec<_>>>()?;

    let mut host = StubHost::default();
    let mut gas = GasMeter::new(a.gas);
    let mut instance = Instance::new(&module, &mut host, &mut gas)
        .map_err(|e| anyhow!("instantiation failed: {e}"))?;
    // Schedule version 2 charges instantiation (`Module::instantiation_gas`) on the
    // same meter; printed apart so the call's own gas can be compared with an
    // instrumented module's, which meters calls only.
    let instantiation = gas.used();
    let outcome = instance.invoke(&mut host, &a.invoke, &args, &mut gas);
    let mut out = String::new();
    let code = match outcome {
        Ok(results) => {
            if results.is_empty() {
                let _ = writeln!(out, "result: (none)");
            }
            for r in &results {
                let _ = writeln!(out, "result: {}", format_value(r));
            }
            ExitCode::SUCCESS
        }
        Err(trap) => {
            match instance.last_memory_grow_refusal() {
                Some(r) => {
                    let _ = writeln!(out, "trap: {} ({})", trap.kind(), refusal_hint(&r));
                }
                None => {
                    let _ = writeln!(out, "trap: {}", trap.kind());
                }
            }
            if let Some(m) = trap.message() {
                let _ = writeln!(out, "message: {m}");
            }
            ExitCode::from(2)
        }
    };
    let _ = writeln!(out, "gas used: {}", gas.used());
    let _ = writeln!(out, "  instantiation: {instantiation}");
    let _ = writeln!(out, "  call: {}", gas.used() - instantiation);
    print!("{out}");
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_follow_param_types() {
        assert_eq!(parse_arg("i32:5", ValType::I32).unwrap(), Value::I32(5));
        assert_eq!(parse_arg("-1", ValType::I32).unwrap(), Value::I32(-1));
        assert_eq!(
            parse_arg("4294967295", ValType::I32).unwrap(),
            Value::I32(-1)
        );
        assert_eq!(parse_arg("i64:7", ValType::I64).unwrap(), Value::I64(7));
        assert_eq!(
            parse_arg("f32:1.5", ValType::F32).unwrap(),
            Value::F32(1.5f32.to_bits())
        );
        assert_eq!(
            parse_arg("f64:2", ValType::F64).unwrap(),
            Value::F64(2f64.to_bits())
        );
        assert_eq!(
            parse_arg("f32:0x7fc00001", ValType::F32).unwrap(),
            Value::F32(0x7fc0_0001)
        );
        assert!(parse_arg("i64:1", ValType::I32).is_err());
        assert!(parse_arg("i32:x", ValType::I32).is_err());
    }

    #[test]
    fn values_show_bits() {
        assert_eq!(
            format_value(&Value::F32(0x7fc0_0000)),
            "f32:NaN (0x7fc00000)"
        );
        assert_eq!(format_value(&Value::I64(-3)), "i64:-3");
    }
}
