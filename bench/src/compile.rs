//! The compile benchmark: validation + translation throughput (MB/s of code section) of
//! Metron's `Module::new` against wasmi's eager `Module::new` on large real modules, and
//! the ns per code byte of generated adversarial modules against a typical module's.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use wasm_encoder::{
    BlockType, CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction,
    TypeSection, ValType,
};

use crate::artifacts::{JSON_WASM, REGEX_WASM, SUITE_WASM, TOKEN_WASM};
use crate::engine::{metron_config, wasmi_engine};
use crate::stats::median;

/// A module to compile.
#[derive(Clone, Debug)]
pub struct Input {
    /// Name in the table.
    pub name: &'static str,
    /// The module bytes.
    pub wasm: Vec<u8>,
    /// Adversarial (generated) rather than a real program.
    pub adversarial: bool,
}

/// The real modules: the workload builds and the token contract.
pub fn typical_inputs() -> Vec<Input> {
    [
        ("regex (bench/wasm/regex)", REGEX_WASM),
        ("serde_json (bench/wasm/json)", JSON_WASM),
        ("suite (bench/wasm/suite)", SUITE_WASM),
        ("token contract", TOKEN_WASM),
    ]
    .into_iter()
    .map(|(name, wasm)| Input {
        name,
        wasm: wasm.to_vec(),
        adversarial: false,
    })
    .collect()
}

/// The name of the reference "typical module" for ns-per-byte comparisons.
pub const TYPICAL: &str = "serde_json (bench/wasm/json)";

/// Builds a module of one type `(i32) -> ()` ... with the given functions, exporting
/// function 0 as `f`.
fn module(params: &[ValType], results: &[ValType], funcs: &[Function]) -> Vec<u8> {
    let mut types = TypeSection::new();
    types
        .ty()
        .function(params.iter().copied(), results.iter().copied());
    let mut fsec = FunctionSection::new();
    let mut code = CodeSection::new();
    for f in funcs {
        fsec.function(0);
        code.function(f);
    }
    let mut exports = ExportSection::new();
    exports.export("f", ExportKind::Func, 0);
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&fsec)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// `depth` nested `block ... end` in one function.
pub fn nested_blocks(depth: usize) -> Vec<u8> {
    let mut f = Function::new([]);
    for _ in 0..depth {
        f.instruction(&Instruction::Block(BlockType::Empty));
    }
    for _ in 0..depth {
        f.instruction(&Instruction::End);
    }
    f.instruction(&Instruction::End);
    module(&[], &[], &[f])
}

/// `count` empty loops in sequence in one function (each a metered-block boundary).
pub fn empty_loops(count: usize) -> Vec<u8> {
    let mut f = Function::new([]);
    for _ in 0..count {
        f.instruction(&Instruction::Loop(BlockType::Empty));
        f.instruction(&Instruction::End);
    }
    f.instruction(&Instruction::End);
    module(&[], &[], &[f])
}

/// One `br_table` with `targets` targets (all to the enclosing block).
pub fn big_br_table(targets: usize) -> Vec<u8> {
    let mut f = Function::new([]);
    f.instruction(&Instruction::Block(BlockType::Empty));
    f.instruction(&Instruction::LocalGet(0));
    f.instruction(&Instruction::BrTable(vec![0u32; targets].into(), 0));
    f.instruction(&Instruction::End);
    f.instruction(&Instruction::End);
    module(&[ValType::I32], &[], &[f])
}

/// `funcs` functions, each declaring `locals` i64 locals (the maximum of Metron's
/// `Limits::max_locals`) and touching the first and the last.
pub fn max_locals(funcs: usize, locals: u32) -> Vec<u8> {
    let fs: Vec<Function> = (0..funcs)
        .map(|_| {
            let mut f = Function::new([(locals, ValType::I64)]);
            f.instruction(&Instruction::LocalGet(locals - 1));
            f.instruction(&Instruction::LocalSet(0));
            f.instruction(&Instruction::End);
            f
        })
        .collect();
    module(&[], &[], &fs)
}

/// `count` small functions `(i32) -> i32` (`local.get 0; i32.const 1; i32.add`).
pub fn many_functions(count: usize) -> Vec<u8> {
    let fs: Vec<Function> = (0..count)
        .map(|i| {
            let mut f = Function::new([]);
            f.instruction(&Instruction::LocalGet(0));
            f.instruction(&Instruction::I32Const(i as i32));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::End);
            f
        })
        .collect();
    module(&[ValType::I32], &[ValType::I32], &fs)
}

/// The adversarial modules of the issue. Every one is within Metron's default `Limits`.
pub fn adversarial_inputs() -> Vec<Input> {
    let limits = metron_vm::Limits::default();
    [
        ("15k nested blocks", nested_blocks(15_000)),
        ("20k empty loops", empty_loops(20_000)),
        ("br_table 100k targets", big_br_table(100_000)),
        (
            "max locals (100 fns x 4096)",
            max_locals(100, limits.max_locals),
        ),
        (
            "10k functions",
            many_functions(limits.max_functions as usize),
        ),
    ]
    .into_iter()
    .map(|(name, wasm)| Input {
        name,
        wasm,
        adversarial: true,
    })
    .collect()
}

/// Size in bytes of the code section of `wasm` (0 if there is none or it does not parse).
pub fn code_section_size(wasm: &[u8]) -> usize {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::CodeSectionStart { range, .. }) => return range.len(),
            Ok(_) => {}
            Err(_) => return 0,
        }
    }
    0
}

/// Compile timings of one input.
#[derive(Clone, Debug)]
pub struct CompileRow {
    /// Input name.
    pub name: &'static str,
    /// Adversarial or real.
    pub adversarial: bool,
    /// Code section size in bytes.
    pub code_bytes: usize,
    /// Metron median (`Err` if it rejected the module).
    pub metron: Result<Duration, String>,
    /// wasmi median (`Err` if it rejected the module).
    pub wasmi: Result<Duration, String>,
}

/// Median time of `f(setup())` over `samples` runs after one warm-up run; `setup` is not
/// timed.
fn time<S, E: std::fmt::Display>(
    samples: usize,
    mut setup: impl FnMut() -> S,
    mut f: impl FnMut(S) -> Result<(), E>,
) -> Result<Duration, String> {
    f(setup()).map_err(|e| e.to_string())?; // warm-up, and rejection check
    let mut v = Vec::new();
    for _ in 0..samples.max(1) {
        let s = setup();
        let t = Instant::now();
        f(s).map_err(|e| e.to_string())?;
        v.push(t.elapsed());
    }
    Ok(median(&v))
}

/// Compiles every input `samples` times on both engines (metering on: Metron gas
/// analysis and charges, wasmi fuel) and returns the medians. Adversarial inputs are
/// compiled with Metron's default (consensus) configuration; the real modules with the
/// raised size limits of [`metron_config`]. Each wasmi compile gets a fresh `Engine`
/// (created outside the timed region): a wasmi engine keeps the code of every module
/// compiled on it, and reusing one would charge wasmi for its growing code map.
pub fn run(inputs: &[Input], samples: usize) -> Vec<CompileRow> {
    inputs
        .iter()
        .map(|input| {
            let config = if input.adversarial {
                metron_vm::Config::default()
            } else {
                metron_config(true)
            };
            let metron = time(
                samples,
                || (),
                |()| metron_vm::Module::new(&config, &input.wasm).map(drop),
            );
            let wasmi = time(
                samples,
                || wasmi_engine(true),
                |engine| wasmi::Module::new(&engine, &input.wasm).map(drop),
            );
            let row = CompileRow {
                name: input.name,
                adversarial: input.adversarial,
                code_bytes: code_section_size(&input.wasm),
                metron,
                wasmi,
            };
            eprintln!(
                "compile {:<30} {:>9} B  metron {:?}  wasmi {:?}",
                row.name, row.code_bytes, row.metron, row.wasmi
            );
            row
        })
        .collect()
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn ns_per_byte(bytes: usize, d: Duration) -> f64 {
    d.as_secs_f64() * 1e9 / bytes.max(1) as f64
}

fn cell(r: &Result<Duration, String>, f: impl Fn(Duration) -> String) -> String {
    match r {
        Ok(d) => f(*d),
        Err(e) => format!("rejected: {}", e.chars().take(60).collect::<String>()),
    }
}

/// Formats the compile results: a throughput table for real modules and an ns-per-byte
/// table for adversarial ones (relative to [`TYPICAL`] on the same engine).
pub fn report(rows: &[CompileRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| module | code bytes | metron (ms) | metron MB/s | wasmi (ms) | wasmi MB/s | metron speedup |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    let mut speedups = Vec::new();
    for r in rows.iter().filter(|r| !r.adversarial) {
        let speedup = match (&r.metron, &r.wasmi) {
            (Ok(m), Ok(w)) => {
                let x = w.as_secs_f64() / m.as_secs_f64();
                speedups.push(x);
                format!("{x:.2}x")
            }
            _ => "-".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.code_bytes,
            cell(&r.metron, |d| format!("{:.2}", d.as_secs_f64() * 1e3)),
            cell(&r.metron, |d| format!("{:.1}", mbps(r.code_bytes, d))),
            cell(&r.wasmi, |d| format!("{:.2}", d.as_secs_f64() * 1e3)),
            cell(&r.wasmi, |d| format!("{:.1}", mbps(r.code_bytes, d))),
            speedup
        );
    }
    let _ = writeln!(
        s,
        "| **geomean speedup** (wasmi time / metron time) | | | | | | **{:.2}x** |",
        crate::stats::geomean(&speedups)
    );

    let typical = rows.iter().find(|r| r.name == TYPICAL);
    let typ = |f: fn(&CompileRow) -> &Result<Duration, String>| {
        typical.and_then(|t| f(t).as_ref().ok().map(|d| ns_per_byte(t.code_bytes, *d)))
    };
    let (typ_m, typ_w) = (typ(|r| &r.metron), typ(|r| &r.wasmi));
    let _ = writeln!(
        s,
        "\n| adversarial module | code bytes | metron ns/B | vs typical | wasmi ns/B | vs typical |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    if let (Some(m), Some(w)) = (typ_m, typ_w) {
        let _ = writeln!(
            s,
            "| *typical: {TYPICAL}* | {} | {m:.1} | 1.00x | {w:.1} | 1.00x |",
            typical.map_or(0, |t| t.code_bytes)
        );
    }
    for r in rows.iter().filter(|r| r.adversarial) {
        let rel = |d: Duration, t: Option<f64>| {
            let x = ns_per_byte(r.code_bytes, d);
            match t {
                Some(t) => format!("{x:.1} | {:.2}x", x / t),
                None => format!("{x:.1} | -"),
            }
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.name,
            r.code_bytes,
            cell(&r.metron, |d| rel(d, typ_m)),
            cell(&r.wasmi, |d| rel(d, typ_w)),
        );
    }
    s
}
