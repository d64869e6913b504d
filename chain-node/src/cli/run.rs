//! `metron run`: runs one exported function of a .wasm/.wat file in the Metron VM alone,
//! with the default contract limits and gas schedule, and prints its results and gas used.
//!
//! There is no chain: function imports link to a stub host whose functions all fail with
//! a host error naming the import, so modules that import `metron.*` can still run
//! functions that do not call the host.
//!
//! With `--metadata FILE` the file runs as a contract instead ([`run_contract`]): on a
//! fresh in-memory state (the dev accounts funded, nothing else) the real executor
//! deploys it as dev account 0 would (running `init` with the `--init-arg NAME=VALUE`
//! arguments), then dry-runs the message `--invoke` names with its arguments by name
//! (`--owner dev:0`), and prints the decoded result as `metron query` does.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use metron_node::contract_client::{Decoded, Outcome};
use metron_node::dev;
use metron_node::executor::{Executor, ModuleCache};
use metron_node::host::BlockContext;
use metron_node::metadata::{parse_named_args, Metadata};
use metron_node::service::wire_status;
use metron_node::state::{EmptyState, Overlay};
use metron_node::types::{Account, Action, Transaction};
use metron_rpc::types as wire;
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
    /// Exported function to call (with `--metadata`: the message to call, or `init`).
    #[arg(long, value_name = "EXPORT")]
    pub invoke: String,
    /// Arguments: `i32:5 i64:7 f32:1.5 f64:2` (a bare number takes the parameter's type).
    /// Bare negative numbers are accepted; options such as `--gas` may follow the arguments.
    /// With `--metadata`: the message's arguments by name, `--<arg> <value>` or
    /// `<arg>=<value>` (e.g. `--owner dev:0`).
    #[arg(value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Contract metadata: run the file as a contract on a fresh in-memory chain state
    /// (deployed by dev account 0, then `--invoke` called by message name) and decode the
    /// result, typed error and events.
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<PathBuf>,
    /// With `--metadata`: an argument of the contract's `init`, by name (repeatable):
    /// `--init-arg supply=1000`. With `--invoke init` give them as the arguments instead.
    #[arg(long = "init-arg", value_name = "NAME=VALUE")]
    pub init_args: Vec<String>,
    /// With `--metadata`: the dev account (0..9) that calls the message (default 0, the
    /// deployer).
    #[arg(long, value_name = "INDEX", default_value_t = 0)]
    pub from: usize,
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
    if a.metadata.is_some() {
        let (out, code) = run_contract(a)?;
        print!("{out}");
        return Ok(code);
    }
    if !a.init_args.is_empty() {
        bail!("--init-arg needs --metadata (running the file as a contract)");
    }
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

/// A decoded result in `metron query`'s layout: `status:`, `gas used:`, `return:` (or
/// `revert:` with the typed error, or `error:`), `events:` and one line per event.
fn write_decoded(out: &mut String, d: &Decoded, trap: Option<&str>) {
    let class = serde_json::to_value(d.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{:?}", d.status));
    match trap {
        Some(t) => {
            let _ = writeln!(out, "status:      {class} ({t})");
        }
        None => {
            let _ = writeln!(out, "status:      {class}");
        }
    }
    let _ = writeln!(out, "gas used:    {}", d.gas_used);
    match &d.outcome {
        Outcome::Returned(Some(v)) => {
            let _ = writeln!(out, "return:      {v}");
        }
        Outcome::Returned(None) => {
            let _ = writeln!(out, "return:      (none)");
        }
        Outcome::Reverted(e) => {
            let _ = writeln!(out, "revert:      {e}");
        }
        Outcome::Failed(e) => {
            let _ = writeln!(out, "error:       {e}");
        }
    }
    let _ = writeln!(out, "events:      {}", d.events.len());
    for (i, e) in d.events.iter().enumerate() {
        let _ = writeln!(
            out,
            "  [{i}] contract {} topic {:?} data {}",
            metron_rpc::hex_serde::encode(&e.contract),
            e.name,
            e.data
        );
    }
}

/// `metron run --metadata`: deploys the file on a fresh in-memory state and calls
/// `--invoke` by message name. Returns the text to print and the exit code (0 on
/// success, 2 if the deploy or the message fails).
///
/// The state holds the dev accounts, funded as on a devnet. Dev account 0 deploys the
/// code in a transaction (gas limit `--gas`, gas price 0) at block height 1, timestamp 0,
/// running `init` with the `--init-arg` arguments; with `--invoke init` that deploy, its
/// arguments given by name, is the result. Otherwise the message is dry-run as
/// `metron query` runs it (`--from` is the caller, no value), and its `gas used`
/// includes the intrinsic gas of the equivalent transaction. Output:
///
/// ```text
/// contract:    0x…            (the new contract's address)
/// init:        success, gas used N
/// status:      success
/// gas used:    N
/// return:      1000000        (or `revert: InsufficientBalance`, or `error: …`)
/// events:      N
///   [0] contract 0x… topic "Transfer" data Transfer { from: 0x…, to: 0x…, amount: 5 }
/// ```
///
/// # Errors
/// Unreadable file or metadata, an unknown message, arguments that do not fit the
/// metadata, a dev index out of range, and node failures.
pub fn run_contract(a: &RunArgs) -> anyhow::Result<(String, ExitCode)> {
    let path = a.metadata.as_deref().context("--metadata is required")?;
    let meta = Metadata::load(path)?;
    let code = super::read_wasm(&a.file)?;
    let msg = meta.message(&a.invoke)?;
    let named = parse_named_args(&a.args)?;
    let init_msg = meta.messages.iter().find(|m| m.kind == "init");
    let is_init = msg.kind == "init";
    let init_input = if is_init {
        if !a.init_args.is_empty() {
            bail!("--invoke init takes init's arguments by name (--<arg> <value>), not --init-arg");
        }
        meta.encode_args(msg, &named)?
    } else {
        let pairs = parse_named_args(&a.init_args)?;
        match init_msg {
            Some(m) => meta
                .encode_args(m, &pairs)
                .context("init arguments (--init-arg NAME=VALUE)")?,
            None if pairs.is_empty() => Vec::new(),
            None => bail!(
                "contract {} has no init message taking arguments",
                meta.name
            ),
        }
    };
    let call_input = if is_init {
        Vec::new()
    } else {
        meta.encode_args(msg, &named)?
    };
    if a.from >= dev::DEV_ACCOUNT_COUNT {
        bail!(
            "--from {} out of range: a dev account index 0..{}",
            a.from,
            dev::DEV_ACCOUNT_COUNT
        );
    }

    let exec = Executor {
        chain_id: dev::DEV_CHAIN_ID,
        block_gas_limit: a.gas,
        vm: a.config(),
        cache: Arc::new(ModuleCache::default()),
        impersonation: Arc::default(),
        tracer: None,
    };
    let base = EmptyState;
    let mut overlay = Overlay::new(&base);
    let keys = dev::dev_keys(dev::DEV_ACCOUNT_COUNT);
    for k in &keys {
        let account = Account {
            balance: dev::DEV_BALANCE,
            ..Account::default()
        };
        overlay.set_account(k.verifying_key().to_bytes(), account);
    }
    let block = BlockContext {
        height: 1,
        timestamp: 0,
    };
    let deploy = Transaction {
        chain_id: exec.chain_id,
        nonce: 0,
        gas_limit: a.gas,
        gas_price: 0,
        action: Action::Deploy { code, init_input },
    }
    .sign(&keys[0]);
    let r = exec
        .execute_tx(&mut overlay, block, &deploy, 0)
        .map_err(|e| anyhow!("the deploy transaction is invalid: {e}"))?;
    let (status, trap) = wire_status(&r.status);
    let events: Vec<wire::Event> = r
        .events
        .iter()
        .map(metron_node::service::to_wire_event)
        .collect();
    let mut out = String::new();
    if let Some(addr) = r.contract_address {
        let _ = writeln!(out, "contract:    {}", metron_rpc::hex_serde::encode(&addr));
    }
    let init_meta = init_msg.unwrap_or(msg);
    let deployed = Decoded::from_parts(
        &meta,
        init_meta,
        status,
        trap.as_deref(),
        r.gas_used,
        r.return_data,
        &events,
        r.error.as_deref(),
    )?;
    if is_init || !status.is_success() {
        if !is_init {
            let _ = writeln!(out, "init failed:");
        }
        write_decoded(&mut out, &deployed, trap.as_deref());
        let code = if status.is_success() { 0 } else { 2 };
        return Ok((out, ExitCode::from(code)));
    }
    let _ = writeln!(out, "init:        success, gas used {}", r.gas_used);
    let contract = r
        .contract_address
        .ok_or_else(|| anyhow!("a successful deploy without a contract address"))?;
    let from = keys[a.from].verifying_key().to_bytes();
    let res = exec
        .dry_run_call(
            &mut overlay,
            block,
            from,
            contract,
            &msg.name,
            call_input,
            0,
            a.gas,
        )
        .map_err(|e| anyhow!("cannot call {}: {e}", msg.name))?;
    let (status, trap) = wire_status(&res.status);
    let events: Vec<wire::Event> = res
        .events
        .iter()
        .map(metron_node::service::to_wire_event)
        .collect();
    let d = Decoded::from_parts(
        &meta,
        msg,
        status,
        trap.as_deref(),
        res.gas_used,
        res.return_data,
        &events,
        res.error.as_deref(),
    )?;
    write_decoded(&mut out, &d, trap.as_deref());
    let code = if status.is_success() { 0 } else { 2 };
    Ok((out, ExitCode::from(code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The macro token's wasm and metadata in `dir`, and `RunArgs` for `--invoke invoke`
    /// with `args` by name.
    fn token_run(dir: &std::path::Path, invoke: &str, args: &[&str], init: &[&str]) -> RunArgs {
        let wasm = dir.join("macro_token.wasm");
        std::fs::write(&wasm, metron_contracts::MACRO_TOKEN_WASM).unwrap();
        let meta = dir.join("macro_token.metadata.json");
        std::fs::write(
            &meta,
            metron_example_macro_token::__metron_contract_metadata(),
        )
        .unwrap();
        RunArgs {
            file: wasm,
            invoke: invoke.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            gas: DEFAULT_RUN_GAS,
            max_memory_pages: None,
            max_table_elements: None,
            max_call_depth: None,
            max_stack_slots: None,
            metadata: Some(meta),
            init_args: init.iter().map(|s| s.to_string()).collect(),
            from: 0,
        }
    }

    #[test]
    fn contract_message_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = token_run(
            dir.path(),
            "balance_of",
            &["--owner", "dev:0"],
            &["supply=1_000_000"],
        );
        let (out, code) = run_contract(&a).unwrap();
        assert_eq!(code, ExitCode::SUCCESS, "{out}");
        assert!(out.contains("init:        success"), "{out}");
        assert!(out.contains("status:      success\n"), "{out}");
        assert!(out.contains("return:      1000000\n"), "{out}");
        assert!(out.contains("events:      0\n"), "{out}");

        let a = token_run(
            dir.path(),
            "transfer",
            &["--to", "dev:1", "--amount", "5"],
            &["supply=1000"],
        );
        let (out, code) = run_contract(&a).unwrap();
        assert_eq!(code, ExitCode::SUCCESS, "{out}");
        assert!(out.contains("return:      (none)"), "{out}");
        assert!(out.contains("events:      1\n"), "{out}");
        assert!(out.contains("amount: 5 }"), "{out}");
    }

    #[test]
    fn contract_overdraft_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = token_run(
            dir.path(),
            "transfer",
            &["--to", "dev:1", "--amount=1001"],
            &["supply=1000"],
        );
        let (out, code) = run_contract(&a).unwrap();
        assert_eq!(code, ExitCode::from(2), "{out}");
        assert!(out.contains("status:      reverted"), "{out}");
        assert!(out.contains("revert:      InsufficientBalance\n"), "{out}");
    }

    #[test]
    fn contract_init_and_argument_errors() {
        let dir = tempfile::tempdir().unwrap();
        let a = token_run(dir.path(), "init", &["--supply", "7"], &[]);
        let (out, code) = run_contract(&a).unwrap();
        assert_eq!(code, ExitCode::SUCCESS, "{out}");
        assert!(out.contains("events:      1\n"), "{out}");
        assert!(out.contains("amount: 7 }"), "{out}");

        let a = token_run(dir.path(), "balance_of", &["--owner", "dev:0"], &[]);
        let err = format!("{:#}", run_contract(&a).unwrap_err());
        assert!(err.contains("--init-arg"), "{err}");
        assert!(err.contains("missing argument --supply"), "{err}");
        let a = token_run(dir.path(), "nope", &[], &["supply=1"]);
        let err = format!("{:#}", run_contract(&a).unwrap_err());
        assert!(err.contains("no message \"nope\""), "{err}");
    }

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
