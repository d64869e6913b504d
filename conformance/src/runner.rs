//! Runs one `.wast` file against Metron, directive by directive.
//!
//! Every directive that checks something yields one [`Check`]: assertions
//! (`assert_return`, `assert_trap`, `assert_exhaustion`, `assert_invalid`,
//! `assert_malformed`, `assert_unlinkable`) and actions (`invoke`, `get`) count as
//! assertions; a module or `register` that fails is a failure too (a successful one is
//! not counted). Each check also records an outcome *signature* (what the VM did, without
//! gas figures) so that the gas-off and gas-on runs can be compared check by check.
//!
//! In `simd_*.wast` files every module that uses SIMD must be rejected at load with
//! Metron's "SIMD is not supported" error (a check that passes); the assertions about
//! those modules' behaviour are then not applicable ([`Status::NotApplicable`]). A module
//! of those files that does not use SIMD (`simd_const.wast` has float-constant modules)
//! loads and is checked like any other: a SIMD module wrongly accepted would fail there,
//! since its assertions use `v128` values the runner does not accept.

use std::collections::BTreeMap;

use metron_vm::{
    Config, Error, ErrorKind, Extern, GasMeter, InstanceId, InstantiationError, Linker, Module,
    Store, Trap, TrapKind, Value,
};
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

use crate::spectest::{self, SpecHost};

/// Gas limit of every call in the metered run: large enough for every test, small
/// enough that `used` never overflows anything.
pub const GAS_LIMIT: u64 = 1 << 50;

/// Gas metering mode of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GasMode {
    /// `Config::metering = false`, unlimited meter.
    Off,
    /// `Config::metering = true`, meter limit [`GAS_LIMIT`] per call.
    On,
}

impl GasMode {
    /// `"off"` / `"on"`.
    pub fn as_str(self) -> &'static str {
        match self {
            GasMode::Off => "off",
            GasMode::On => "on",
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// It behaved as the spec requires.
    Pass,
    /// It did not; the reason.
    Fail(String),
    /// It could not be run; the reason. (The acceptance bar is zero skips.)
    Skip(String),
    /// An assertion about a SIMD module's behaviour: not applicable, since Metron rejects
    /// SIMD modules (checked separately).
    NotApplicable,
}

/// One check of a file.
#[derive(Clone, Debug)]
pub struct Check {
    /// 1-based line of the directive.
    pub line: usize,
    /// Outcome.
    pub status: Status,
    /// What the VM did, for comparing the two gas modes.
    pub signature: String,
}

/// All checks of one file in one gas mode.
#[derive(Clone, Debug, Default)]
pub struct FileRun {
    /// The checks in directive order.
    pub checks: Vec<Check>,
}

/// One thing the VM did while a directive ran, with the exact values and gas, for tools
/// that fingerprint behaviour (`metron-determinism`). Reported by
/// [`run_script_observed`] in directive order; a directive may produce several (a
/// module's compile and instantiation, an assertion's call) or none (a parse-only
/// assertion, a `register`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// `Module::new` rejected a binary: the error's kind (an `Invalid` kind carries
    /// wasmparser's message; the byte offset is left out).
    Rejected(ErrorKind),
    /// A module was instantiated (its start function, if any, returned); gas used by
    /// instantiation (0 with metering off).
    Instantiated {
        /// Gas units used.
        gas_used: u64,
    },
    /// Instantiation failed: the trap's kind if a segment or the start function
    /// trapped, else `None` (a linking error); gas used.
    InstantiationFailed {
        /// The trap, if instantiation trapped.
        trap: Option<TrapKind>,
        /// Gas units used.
        gas_used: u64,
    },
    /// A call returned these values (exact bits); gas used by the call.
    Returned {
        /// The results in order.
        values: Vec<Value>,
        /// Gas units used.
        gas_used: u64,
    },
    /// A call trapped; gas used by the call (the limit when out of gas).
    Trapped {
        /// The trap's kind.
        trap: TrapKind,
        /// Gas units used.
        gas_used: u64,
    },
    /// A `get` read this global value.
    Global(Value),
}

/// The conformance configuration: WebAssembly 2.0 limits large enough for the whole
/// suite (see `docs/conformance.md`), with metering on or off.
pub fn config(mode: GasMode) -> Config {
    let mut c = Config {
        metering: mode == GasMode::On,
        ..Config::default()
    };
    let l = &mut c.limits;
    l.max_code_size = u32::MAX;
    l.max_functions = u32::MAX;
    l.max_params = u32::MAX;
    l.max_results = u32::MAX;
    l.max_br_table_arity = u32::MAX;
    l.max_locals = u32::MAX;
    l.max_globals = u32::MAX;
    l.max_tables = u32::MAX;
    l.max_data_segments = u32::MAX;
    l.max_element_segments = u32::MAX;
    l.max_function_body_size = u32::MAX;
    l.max_types = u32::MAX;
    l.max_imports = u32::MAX;
    l.max_exports = u32::MAX;
    l.max_memory_pages = MAX_MEMORY_PAGES;
    l.max_table_elements = MAX_TABLE_ELEMENTS;
    c
}

/// Memory cap of the conformance configuration, in 64 KiB pages (64 MiB). The spec lets
/// `memory.grow` fail; no test expects a successful grow beyond this.
pub const MAX_MEMORY_PAGES: u32 = 1024;

/// Table cap of the conformance configuration, in elements.
pub const MAX_TABLE_ELEMENTS: u32 = 1 << 20;

/// Parses `text` as a `.wast` script. Names in the suite (`names.wast`) deliberately use
/// bidirectional and invisible code points, which the `wast` lexer rejects by default as
/// "likely-confusing"; the suite needs them, so they are allowed.
fn parse_buffer(text: &str) -> Result<ParseBuffer<'_>, wast::Error> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer)
}

/// The state of a file run: one store, one linker, the named and current instances.
struct Ctx {
    config: Config,
    mode: GasMode,
    simd: bool,
    store: Store,
    linker: Linker,
    /// Named instances (`$name`); `BTreeMap` for determinism of everything printed.
    named: BTreeMap<String, Option<InstanceId>>,
    /// Named module definitions (`module definition`).
    definitions: BTreeMap<String, Module>,
    /// The most recent module: `None` if it failed to load (then its checks fail).
    current: Option<Option<InstanceId>>,
    /// Whether to record [`Observation`]s (only [`run_script_observed`] does).
    record: bool,
    /// Observations of the directive being run.
    observations: Vec<Observation>,
}

/// Why a module could not be loaded and instantiated.
enum LoadError {
    /// The text could not be encoded (a `wast` error).
    Encode(String),
    /// `Module::new` rejected it.
    Compile(Error),
    /// Instantiation failed.
    Instantiate(InstantiationError),
}

impl LoadError {
    fn describe(&self) -> String {
        match self {
            LoadError::Encode(e) => format!("text error: {e}"),
            LoadError::Compile(e) => format!("rejected: {e}"),
            LoadError::Instantiate(e) => format!("instantiation failed: {e}"),
        }
    }
}

/// Whether `e` is Metron's "SIMD is not supported" rejection.
fn is_simd_rejection(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Unsupported { feature } if *feature == "SIMD")
}

/// The trap kinds a spec trap message stands for (matched by prefix).
fn expected_traps(message: &str) -> Option<&'static [TrapKind]> {
    const TABLE: &[(&str, &[TrapKind])] = &[
        ("unreachable", &[TrapKind::Unreachable]),
        ("integer divide by zero", &[TrapKind::IntegerDivideByZero]),
        ("integer overflow", &[TrapKind::IntegerOverflow]),
        (
            "invalid conversion to integer",
            &[TrapKind::InvalidConversionToInteger],
        ),
        (
            "out of bounds memory access",
            &[TrapKind::MemoryOutOfBounds],
        ),
        ("out of bounds table access", &[TrapKind::TableOutOfBounds]),
        ("undefined element", &[TrapKind::TableOutOfBounds]),
        ("uninitialized element", &[TrapKind::UninitializedElement]),
        (
            "indirect call type mismatch",
            &[TrapKind::IndirectCallTypeMismatch],
        ),
        (
            "indirect call signature mismatch",
            &[TrapKind::IndirectCallTypeMismatch],
        ),
        ("null reference", &[TrapKind::NullReference]),
        ("null function reference", &[TrapKind::NullReference]),
        ("call stack exhausted", &[TrapKind::CallStackExhausted]),
    ];
    TABLE
        .iter()
        .find(|(m, _)| message.starts_with(m))
        .map(|(_, k)| *k)
}

/// Checks a trap against the spec's message.
fn match_trap(trap: &Trap, message: &str) -> Status {
    match expected_traps(message) {
        Some(kinds) if kinds.contains(&trap.kind()) => Status::Pass,
        Some(_) => Status::Fail(format!("trapped `{trap}`, expected `{message}`")),
        None => Status::Fail(format!(
            "unknown spec trap message `{message}` (trapped `{trap}`)"
        )),
    }
}

/// Converts an argument.
fn arg(a: &WastArg<'_>) -> Result<Value, String> {
    let WastArg::Core(a) = a else {
        return Err("component-model argument".into());
    };
    Ok(match a {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => Value::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }) => Value::ExternRef(None),
        WastArgCore::RefExtern(v) => Value::ExternRef(Some(*v)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

/// Metron's canonical NaNs (its determinism rule: every NaN an arithmetic operation
/// produces is exactly this, positive sign and all).
const CANONICAL_F32: u32 = 0x7fc0_0000;
const CANONICAL_F64: u64 = 0x7ff8_0000_0000_0000;

/// Whether `v` matches the expected result `r`.
fn ret_matches(r: &WastRetCore<'_>, v: &Value) -> bool {
    match (r, v) {
        (WastRetCore::I32(a), Value::I32(b)) => a == b,
        (WastRetCore::I64(a), Value::I64(b)) => a == b,
        // Both NaN patterns demand exactly the canonical NaN: the spec accepts more
        // (either sign; any arithmetic NaN), Metron's determinism rule does not.
        (WastRetCore::F32(p), Value::F32(b)) => match p {
            NanPattern::CanonicalNan | NanPattern::ArithmeticNan => *b == CANONICAL_F32,
            NanPattern::Value(x) => x.bits == *b,
        },
        (WastRetCore::F64(p), Value::F64(b)) => match p {
            NanPattern::CanonicalNan | NanPattern::ArithmeticNan => *b == CANONICAL_F64,
            NanPattern::Value(x) => x.bits == *b,
        },
        (WastRetCore::RefNull(ty), Value::FuncRef(None)) => matches!(
            ty,
            None | Some(HeapType::Abstract {
                ty: AbstractHeapType::Func,
                ..
            })
        ),
        (WastRetCore::RefNull(ty), Value::ExternRef(None)) => matches!(
            ty,
            None | Some(HeapType::Abstract {
                ty: AbstractHeapType::Extern,
                ..
            })
        ),
        (WastRetCore::RefExtern(Some(a)), Value::ExternRef(Some(b))) => a == b,
        (WastRetCore::RefExtern(None), Value::ExternRef(Some(_))) => true,
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        (WastRetCore::Either(alts), v) => alts.iter().any(|a| ret_matches(a, v)),
        _ => false,
    }
}

/// Checks returned values against the expected results.
fn match_results(values: &[Value], results: &[WastRet<'_>]) -> Status {
    let ok = values.len() == results.len()
        && values.iter().zip(results).all(|(v, r)| match r {
            WastRet::Core(r) => ret_matches(r, v),
            _ => false,
        });
    if ok {
        Status::Pass
    } else {
        Status::Fail(format!(
            "returned {}, expected {}",
            show_values(values),
            show_rets(results)
        ))
    }
}

fn show_values(values: &[Value]) -> String {
    let v: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("[{}]", v.join(", "))
}

fn show_rets(rets: &[WastRet<'_>]) -> String {
    let v: Vec<String> = rets
        .iter()
        .map(|r| match r {
            WastRet::Core(WastRetCore::F32(NanPattern::Value(x))) => {
                format!("f32:0x{:08x}", x.bits)
            }
            WastRet::Core(WastRetCore::F64(NanPattern::Value(x))) => {
                format!("f64:0x{:016x}", x.bits)
            }
            WastRet::Core(c) => format!("{c:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", v.join(", "))
}

impl Ctx {
    fn new(mode: GasMode, simd: bool, record: bool) -> Ctx {
        let config = config(mode);
        let mut store = Store::new(&config);
        let mut linker = Linker::new();
        spectest::define(&mut store, &mut linker);
        Ctx {
            config,
            mode,
            simd,
            store,
            linker,
            named: BTreeMap::new(),
            definitions: BTreeMap::new(),
            current: None,
            record,
            observations: Vec::new(),
        }
    }

    fn observe(&mut self, o: Observation) {
        if self.record {
            self.observations.push(o);
        }
    }

    fn meter(&self) -> GasMeter {
        match self.mode {
            GasMode::Off => GasMeter::unlimited(),
            GasMode::On => GasMeter::new(GAS_LIMIT),
        }
    }

    /// `Module::new`, observed.
    fn new_module(&mut self, bytes: &[u8]) -> Result<Module, Error> {
        let r = Module::new(&self.config, bytes);
        if let Err(e) = &r {
            self.observe(Observation::Rejected(e.kind().clone()));
        }
        r
    }

    fn compile(&mut self, bytes: &[u8]) -> Result<Module, LoadError> {
        self.new_module(bytes).map_err(LoadError::Compile)
    }

    fn instantiate(&mut self, module: &Module) -> Result<InstanceId, LoadError> {
        let mut gas = self.meter();
        let r = self
            .linker
            .instantiate(&mut self.store, module, &mut SpecHost, &mut gas);
        let gas_used = gas.used();
        self.observe(match &r {
            Ok(_) => Observation::Instantiated { gas_used },
            Err(InstantiationError::Trap(t)) => Observation::InstantiationFailed {
                trap: Some(t.kind()),
                gas_used,
            },
            Err(_) => Observation::InstantiationFailed {
                trap: None,
                gas_used,
            },
        });
        r.map_err(LoadError::Instantiate)
    }

    fn load(&mut self, bytes: Result<Vec<u8>, wast::Error>) -> Result<InstanceId, LoadError> {
        let bytes = bytes.map_err(|e| LoadError::Encode(e.message()))?;
        let module = self.compile(&bytes)?;
        self.instantiate(&module)
    }

    /// The instance an action addresses (`None` name: the current module).
    fn instance(&self, name: Option<wast::token::Id<'_>>) -> Result<InstanceId, Status> {
        let found = match name {
            Some(id) => self.named.get(id.name()).copied(),
            None => self.current,
        };
        match found {
            Some(Some(i)) => Ok(i),
            Some(None) if self.simd => Err(Status::NotApplicable),
            Some(None) => Err(Status::Fail("the module failed to load".into())),
            None => Err(Status::Fail("no such module".into())),
        }
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Result<Result<Vec<Value>, Trap>, Status> {
        let inst = self.instance(inv.module)?;
        let args = inv
            .args
            .iter()
            .map(arg)
            .collect::<Result<Vec<_>, _>>()
            .map_err(Status::Skip)?;
        let mut gas = self.meter();
        let r = self
            .store
            .invoke(&mut SpecHost, inst, inv.name, &args, &mut gas);
        let gas_used = gas.used();
        self.observe(match &r {
            Ok(values) => Observation::Returned {
                values: values.clone(),
                gas_used,
            },
            Err(t) => Observation::Trapped {
                trap: t.kind(),
                gas_used,
            },
        });
        Ok(r)
    }

    fn get(&mut self, module: Option<wast::token::Id<'_>>, global: &str) -> Result<Value, Status> {
        let inst = self.instance(module)?;
        let r = match self.store.export(inst, global) {
            Some(g @ Extern::Global(_)) => self
                .store
                .global_value(g)
                .ok_or_else(|| Status::Fail("no such global".into())),
            _ => Err(Status::Fail(format!("no exported global `{global}`"))),
        };
        if let Ok(v) = r {
            self.observe(Observation::Global(v));
        }
        r
    }

    /// Records a newly defined module (`$name` if any) as current.
    fn set_current(&mut self, name: Option<wast::token::Id<'_>>, inst: Option<InstanceId>) {
        self.current = Some(inst);
        if let Some(n) = name {
            self.named.insert(n.name().to_owned(), inst);
        }
    }

    /// `(module ...)`: `None` on success (not counted), else the failing check.
    fn module(&mut self, mut qw: QuoteWat<'_>) -> Option<(Status, String)> {
        let name = qw.name();
        let r = self.load(qw.encode());
        let check = match &r {
            Ok(_) => None,
            Err(LoadError::Compile(e)) if self.simd && is_simd_rejection(e) => {
                Some((Status::Pass, "simd-rejected".to_owned()))
            }
            Err(e) if self.simd => Some((
                Status::Fail(format!(
                    "SIMD module not rejected with `SIMD is not supported`: {}",
                    e.describe()
                )),
                e.describe(),
            )),
            Err(e) => Some((
                Status::Fail(format!("module {}", e.describe())),
                e.describe(),
            )),
        };
        self.set_current(name, r.ok());
        check
    }

    /// Runs one directive, returning its check (if it is one).
    fn directive(&mut self, d: WastDirective<'_>) -> Option<(Status, String)> {
        match d {
            WastDirective::Module(qw) => self.module(qw),
            WastDirective::ModuleDefinition(mut qw) => {
                let name = qw.name();
                let r = qw
                    .encode()
                    .map_err(|e| LoadError::Encode(e.message()))
                    .and_then(|b| self.compile(&b));
                match r {
                    Ok(m) => {
                        if let Some(n) = name {
                            self.definitions.insert(n.name().to_owned(), m);
                        }
                        None
                    }
                    Err(e) => Some((
                        Status::Fail(format!("module {}", e.describe())),
                        e.describe(),
                    )),
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let Some(m) = module.and_then(|m| self.definitions.get(m.name()).cloned()) else {
                    return Some((Status::Fail("no such module definition".into()), "".into()));
                };
                let r = self.instantiate(&m);
                let check = r.as_ref().err().map(|e| {
                    (
                        Status::Fail(format!("module {}", e.describe())),
                        e.describe(),
                    )
                });
                self.set_current(instance, r.ok());
                check
            }
            WastDirective::Register { name, module, .. } => match self.instance(module) {
                Ok(inst) => {
                    self.linker.define_instance(&self.store, name, inst);
                    None
                }
                Err(Status::NotApplicable) => None,
                Err(s) => Some((s, "register failed".into())),
            },
            WastDirective::Invoke(inv) => Some(match self.invoke(&inv) {
                Err(s) => (s, "n/a".into()),
                Ok(Ok(v)) => (Status::Pass, format!("ok {}", show_values(&v))),
                Ok(Err(t)) => (
                    Status::Fail(format!("`{}` trapped: {t}", inv.name)),
                    format!("trap {t}"),
                ),
            }),
            WastDirective::AssertReturn { exec, results, .. } => Some(match exec {
                WastExecute::Invoke(inv) => match self.invoke(&inv) {
                    Err(s) => (s, "n/a".into()),
                    Ok(Ok(v)) => (
                        match_results(&v, &results),
                        format!("ok {}", show_values(&v)),
                    ),
                    Ok(Err(t)) => (
                        Status::Fail(format!(
                            "`{}` trapped `{t}`, expected {}",
                            inv.name,
                            show_rets(&results)
                        )),
                        format!("trap {t}"),
                    ),
                },
                WastExecute::Get { module, global, .. } => match self.get(module, global) {
                    Err(s) => (s, "n/a".into()),
                    Ok(v) => (match_results(&[v], &results), format!("ok {v}")),
                },
                WastExecute::Wat(mut w) => match self.load(w.encode()) {
                    Ok(_) if results.is_empty() => (Status::Pass, "ok".into()),
                    Ok(_) => (Status::Fail("module returns no values".into()), "ok".into()),
                    Err(e) => (Status::Fail(e.describe()), e.describe()),
                },
            }),
            WastDirective::AssertTrap { exec, message, .. } => Some(match exec {
                WastExecute::Invoke(inv) => match self.invoke(&inv) {
                    Err(s) => (s, "n/a".into()),
                    Ok(Ok(v)) => (
                        Status::Fail(format!(
                            "`{}` returned {}, expected trap `{message}`",
                            inv.name,
                            show_values(&v)
                        )),
                        format!("ok {}", show_values(&v)),
                    ),
                    Ok(Err(t)) => (match_trap(&t, message), format!("trap {t}")),
                },
                WastExecute::Wat(mut w) => match self.load(w.encode()) {
                    Err(LoadError::Instantiate(InstantiationError::Trap(t))) => {
                        (match_trap(&t, message), format!("trap {t}"))
                    }
                    Err(LoadError::Compile(e)) if self.simd && is_simd_rejection(&e) => {
                        (Status::NotApplicable, "simd-rejected".into())
                    }
                    Err(e) => (
                        Status::Fail(format!("{}, expected trap `{message}`", e.describe())),
                        e.describe(),
                    ),
                    Ok(_) => (
                        Status::Fail(format!("module instantiated, expected trap `{message}`")),
                        "ok".into(),
                    ),
                },
                WastExecute::Get { .. } => (Status::Fail("assert_trap on `get`".into()), "".into()),
            }),
            WastDirective::AssertExhaustion { call, message, .. } => {
                Some(match self.invoke(&call) {
                    Err(s) => (s, "n/a".into()),
                    Ok(Err(t)) if t.kind() == TrapKind::CallStackExhausted => {
                        (Status::Pass, format!("trap {t}"))
                    }
                    Ok(r) => {
                        let got = match &r {
                            Ok(v) => format!("returned {}", show_values(v)),
                            Err(t) => format!("trapped `{t}`"),
                        };
                        (
                            Status::Fail(format!("`{}` {got}, expected `{message}`", call.name)),
                            got,
                        )
                    }
                })
            }
            WastDirective::AssertInvalid {
                module, message, ..
            }
            | WastDirective::AssertMalformed {
                module, message, ..
            } => Some(self.assert_rejected(module, message)),
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => Some(match self.load(module.encode()) {
                Err(LoadError::Instantiate(e)) => {
                    let ok = match &e {
                        InstantiationError::UnknownImport { .. }
                        | InstantiationError::UnresolvedImport { .. } => {
                            message.starts_with("unknown import")
                        }
                        InstantiationError::IncompatibleImport { .. } => {
                            message.starts_with("incompatible import type")
                        }
                        _ => false,
                    };
                    let status = if ok {
                        Status::Pass
                    } else {
                        Status::Fail(format!(
                            "instantiation failed with `{e}`, expected `{message}`"
                        ))
                    };
                    (status, format!("unlinkable {e}"))
                }
                Err(LoadError::Compile(e)) if self.simd && is_simd_rejection(&e) => {
                    (Status::Pass, "simd-rejected".into())
                }
                Err(e) => (
                    Status::Fail(format!("{}, expected unlinkable `{message}`", e.describe())),
                    e.describe(),
                ),
                Ok(_) => (
                    Status::Fail(format!("module linked, expected `{message}`")),
                    "ok".into(),
                ),
            }),
            other => Some((
                Status::Skip(format!("unsupported directive {other:?}")),
                "unsupported".into(),
            )),
        }
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected. A text module
    /// that the `wast` crate cannot encode is rejected by the text format (the VM only
    /// sees binaries); a binary must be rejected by `Module::new` as malformed or invalid
    /// (not for a limit or an unsupported feature).
    fn assert_rejected(&mut self, mut module: QuoteWat<'_>, message: &str) -> (Status, String) {
        let bytes = match module.encode() {
            Err(e) => return (Status::Pass, format!("text error: {}", e.message())),
            Ok(b) => b,
        };
        match self.new_module(&bytes) {
            Ok(_) => (
                Status::Fail(format!("module accepted, expected `{message}`")),
                "accepted".into(),
            ),
            Err(e) => match e.kind() {
                // Metron names the proposal when a module needs one it does not support
                // (e.g. "multi-memory is not supported" where 2.0 says "multiple
                // memories"): still a rejection at validation.
                ErrorKind::Invalid(_) | ErrorKind::Unsupported { .. } => {
                    (Status::Pass, format!("rejected: {e}"))
                }
                _ => (
                    Status::Fail(format!("rejected with `{e}`, expected `{message}`")),
                    format!("rejected: {e}"),
                ),
            },
        }
    }
}

/// Runs the script `text` (file name `name`, for `simd_*` detection by the caller) in
/// gas mode `mode`.
///
/// # Errors
/// A message when the script cannot be parsed.
pub fn run_script(text: &str, mode: GasMode, simd: bool) -> Result<FileRun, String> {
    run(text, mode, simd, None)
}

/// [`run_script`], also reporting every [`Observation`] to `observe` with the 1-based
/// line of its directive, in directive order (single-threaded, so the order is a pure
/// function of the script). The checks returned are those of [`run_script`].
///
/// # Errors
/// As [`run_script`].
pub fn run_script_observed(
    text: &str,
    mode: GasMode,
    simd: bool,
    observe: &mut dyn FnMut(usize, Observation),
) -> Result<FileRun, String> {
    run(text, mode, simd, Some(observe))
}

fn run(
    text: &str,
    mode: GasMode,
    simd: bool,
    mut observe: Option<&mut dyn FnMut(usize, Observation)>,
) -> Result<FileRun, String> {
    let buf = parse_buffer(text).map_err(|e| {
        let mut e = e;
        e.set_text(text);
        e.to_string()
    })?;
    let wast: Wast<'_> = parser::parse(&buf).map_err(|mut e| {
        e.set_text(text);
        e.to_string()
    })?;
    let mut ctx = Ctx::new(mode, simd, observe.is_some());
    let mut run = FileRun::default();
    for d in wast.directives {
        let (line, _) = d.span().linecol_in(text);
        if let Some((status, signature)) = ctx.directive(d) {
            run.checks.push(Check {
                line: line + 1,
                status,
                signature,
            });
        }
        if let Some(f) = observe.as_mut() {
            for o in ctx.observations.drain(..) {
                f(line + 1, o);
            }
        }
    }
    Ok(run)
}
