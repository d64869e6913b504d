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
use crate::stats::{median, median_ratio};

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
        (
            "10k fns x 4095 externref locals",
            crate::gas::corpus::many_functions_many_locals(
                limits.max_functions as usize,
                limits.max_locals - 1,
                ValType::EXTERNREF,
            ),
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
    /// Metron's median time per compile (`Err` if it rejected the module).
    pub metron: Result<Duration, String>,
    /// wasmi's median time per compile (`Err` if it rejected the module).
    pub wasmi: Result<Duration, String>,
    /// Median over the samples of wasmi's time / Metron's time, the two engines timed
    /// back to back in each sample (`None` if either rejected the module).
    pub speedup: Option<f64>,
    /// Adversarial inputs: median over the samples of this module's ns per code byte
    /// over the typical module's ([`TYPICAL`]) on the same engine, the two timed back
    /// to back in each sample; Metron's, then wasmi's.
    pub vs_typical: (Option<f64>, Option<f64>),
}

/// The engines compared.
#[derive(Clone, Copy)]
enum Engine {
    Metron,
    Wasmi,
}

/// Shortest timed region per sample: a compile shorter than this is repeated in one
/// region and the time divided, so that a 0.1 ms compile is not timer noise or one
/// cache miss.
const MIN_SAMPLE: Duration = Duration::from_millis(2);

/// Time per compile of `wasm` on `engine`, over `batch` compiles timed as one region.
/// Metron compiles with `config`. Each wasmi compile gets a fresh `Engine`, created
/// before and dropped after the timed region: a wasmi engine keeps the code of every
/// module compiled on it, and reusing one would charge wasmi for its growing code map.
fn compile_time(
    engine: Engine,
    config: &metron_vm::Config,
    wasm: &[u8],
    batch: usize,
) -> Result<Duration, String> {
    let batch = batch.max(1);
    let elapsed = match engine {
        Engine::Metron => {
            let t = Instant::now();
            for _ in 0..batch {
                metron_vm::Module::new(config, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())?;
            }
            t.elapsed()
        }
        Engine::Wasmi => {
            let engines: Vec<_> = (0..batch).map(|_| wasmi_engine(true)).collect();
            let t = Instant::now();
            for e in &engines {
                wasmi::Module::new(e, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())?;
            }
            let elapsed = t.elapsed();
            drop(engines);
            elapsed
        }
    };
    Ok(elapsed / batch as u32)
}

/// One input on one engine: its warm-up compile (which also tells whether the engine
/// accepts it) decides how many compiles a timed sample holds.
struct Timed<'a> {
    engine: Engine,
    config: &'a metron_vm::Config,
    wasm: &'a [u8],
    batch: usize,
    times: Vec<Duration>,
}

impl<'a> Timed<'a> {
    fn new(engine: Engine, config: &'a metron_vm::Config, wasm: &'a [u8]) -> Result<Self, String> {
        let one = compile_time(engine, config, wasm, 1)?;
        let batch = (MIN_SAMPLE.as_nanos() / one.as_nanos().max(1)).clamp(1, 1000) as usize;
        Ok(Timed {
            engine,
            config,
            wasm,
            batch,
            times: Vec::new(),
        })
    }

    /// Times one sample (after the warm-up the engine accepted the module, so an error
    /// here is a nondeterministic failure: reported as such).
    fn sample(&mut self) -> Duration {
        let d = compile_time(self.engine, self.config, self.wasm, self.batch)
            .unwrap_or_else(|e| panic!("compile failed after its warm-up succeeded: {e}"));
        self.times.push(d);
        d
    }
}

/// Compiles every input on both engines (metering on: Metron gas analysis and charges,
/// wasmi fuel), `samples` times each, and returns the medians. In each sample the
/// engines run back to back (Metron, then wasmi), and an adversarial input is followed
/// by the typical module ([`TYPICAL`]) on the same engine: the ratios reported are
/// medians of per-sample ratios, so a machine that slows down for a while slows both
/// sides of a ratio (this machine's speed moves by tens of percent from run to run).
/// Adversarial inputs are compiled with Metron's default (consensus) configuration; the
/// real modules with the raised size limits of [`metron_config`].
pub fn run(inputs: &[Input], samples: usize) -> Vec<CompileRow> {
    let typical = inputs
        .iter()
        .find(|i| i.name == TYPICAL)
        .cloned()
        .or_else(|| typical_inputs().into_iter().find(|i| i.name == TYPICAL))
        .expect("the typical module is one of the typical inputs");
    let typical_config = metron_config(true);
    let typical_bytes = code_section_size(&typical.wasm) as f64;
    inputs
        .iter()
        .map(|input| {
            let config = if input.adversarial {
                metron_vm::Config::default()
            } else {
                metron_config(true)
            };
            let code_bytes = code_section_size(&input.wasm);
            let mut m = Timed::new(Engine::Metron, &config, &input.wasm);
            let mut w = Timed::new(Engine::Wasmi, &config, &input.wasm);
            let typ = |engine| Timed::new(engine, &typical_config, &typical.wasm).ok();
            let (mut tm, mut tw) = if input.adversarial {
                (typ(Engine::Metron), typ(Engine::Wasmi))
            } else {
                (None, None)
            };
            let (mut speedups, mut rel_m, mut rel_w) = (Vec::new(), Vec::new(), Vec::new());
            // ns per byte of the input over the typical module's.
            let rel = |d: Duration, t: Duration| {
                (d.as_secs_f64() / code_bytes.max(1) as f64)
                    / (t.as_secs_f64() / typical_bytes.max(1.0))
            };
            for _ in 0..samples.max(1) {
                let dm = m.as_mut().ok().map(Timed::sample);
                let dw = w.as_mut().ok().map(Timed::sample);
                if let (Some(dm), Some(dw)) = (dm, dw) {
                    speedups.push(dw.as_secs_f64() / dm.as_secs_f64());
                }
                if let (Some(dm), Some(t)) = (dm, tm.as_mut()) {
                    rel_m.push(rel(dm, t.sample()));
                }
                if let (Some(dw), Some(t)) = (dw, tw.as_mut()) {
                    rel_w.push(rel(dw, t.sample()));
                }
            }
            let row = CompileRow {
                name: input.name,
                adversarial: input.adversarial,
                code_bytes,
                metron: m.map(|t| median(&t.times)),
                wasmi: w.map(|t| median(&t.times)),
                speedup: median_ratio(speedups),
                vs_typical: (median_ratio(rel_m), median_ratio(rel_w)),
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
        let speedup = match r.speedup {
            Some(x) => {
                speedups.push(x);
                format!("{x:.2}x")
            }
            None => "-".into(),
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
        "| **geomean speedup** (wasmi time / metron time, per sample) | | | | | | **{:.2}x** |",
        crate::stats::geomean(&speedups)
    );

    let typical = rows.iter().find(|r| r.name == TYPICAL);
    let _ = writeln!(
        s,
        "\n| adversarial module | code bytes | metron ns/B | vs typical | wasmi ns/B | vs typical |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    if let Some(t) = typical {
        let _ = writeln!(
            s,
            "| *typical: {TYPICAL}* | {} | {} | 1.00x | {} | 1.00x |",
            t.code_bytes,
            cell(&t.metron, |d| format!(
                "{:.1}",
                ns_per_byte(t.code_bytes, d)
            )),
            cell(&t.wasmi, |d| format!("{:.1}", ns_per_byte(t.code_bytes, d))),
        );
    }
    for r in rows.iter().filter(|r| r.adversarial) {
        let rel = |d: Duration, x: Option<f64>| {
            let ns = ns_per_byte(r.code_bytes, d);
            match x {
                Some(x) => format!("{ns:.1} | {x:.2}x"),
                None => format!("{ns:.1} | -"),
            }
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.name,
            r.code_bytes,
            cell(&r.metron, |d| rel(d, r.vs_typical.0)),
            cell(&r.wasmi, |d| rel(d, r.vs_typical.1)),
        );
    }
    let _ = writeln!(
        s,
        "\nvs typical = median over samples of (ns/B of the module) / (ns/B of {TYPICAL}), \
         the two compiled back to back on the same engine in each sample."
    );
    s
}
