//! The adversarial corpus of the gas calibration benchmark: modules built to do as much
//! work as possible per gas unit (or per compiled byte), each within Metron's default
//! (consensus) [`metron_vm::Limits`].
//!
//! Every case is a Rust function returning WAT text (or, where the text would be hundreds
//! of megabytes, a module built with `wasm_encoder`), parameterized by size, plus one row
//! in [`corpus`]. To grow the corpus, add a function and a row.
//!
//! Conventions of the execution cases ([`Drive::Repeat`] and [`Drive::Fresh`]): the module
//! exports `run: [] -> []`; a `Repeat` case usually loops forever and stops when the gas
//! limit runs out. Host cases import one function of module `metron` and run against the
//! in-memory host of `crate::token` (see [`crate::gas`] for its state).

use std::fmt::Write as _;

use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, TypeSection,
    ValType,
};

/// Call depth the recursion cases reach: `run` plus 1023 frames of the recursive function
/// is `Config::max_call_depth` (1024) frames.
pub const MAX_RECURSION: u32 = 1022;

/// Largest number of values a block type (a type index) can carry: wasmparser's limit on
/// a function type's parameters and results (`MAX_WASM_FUNCTION_PARAMS`/`RETURNS`).
pub const MAX_ARITY: usize = 1000;
/// `Limits::max_results`: the most values a label carries in a module that loads.
pub const MAX_RESULTS: usize = 16;

/// Largest `memory.*` length of the bulk cases (bytes).
pub const BULK_BYTES: u32 = 64 * 1024;

/// Largest table length of the table cases (`Limits::max_table_elements`).
pub const TABLE_ELEMS: u32 = 10_000;

/// Largest key, value, event topic and event data of the host (`docs/abi.md`, "Limits").
pub const HOST_KEY: u32 = 256;
/// Largest storage value and event data, and the input and return data of host cases.
pub const HOST_VALUE: u32 = 64 * 1024;
/// Largest event topic.
pub const HOST_TOPIC: u32 = 64;
/// Where host cases keep their 256-byte key (the value buffer is at 0).
pub const KEY_PTR: u32 = 2 * 64 * 1024;

/// How the benchmark runs a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// One instance (created untimed); `run` is invoked until the gas limit runs out
    /// (a `run` that returns or aborts through the host is invoked again).
    Repeat,
    /// A fresh instance per `run`, instantiation included in the time and gas, until the
    /// gas limit runs out.
    Fresh,
    /// `Instance::new` only: time per instantiation over the gas it is charged.
    Instantiate,
    /// Only compiled (the compile section).
    CompileOnly,
}

/// One case of the corpus.
pub struct Case {
    /// Name in the tables and for `--filter`.
    pub name: String,
    /// How it runs.
    pub drive: Drive,
    /// Builds the module (text generators are compiled with the `wat` crate).
    pub build: Box<dyn Fn() -> Vec<u8>>,
}

fn wat(text: String) -> Vec<u8> {
    wat::parse_str(&text).unwrap_or_else(|e| panic!("corpus module does not parse: {e}"))
}

fn case(name: impl Into<String>, drive: Drive, text: impl Fn() -> String + 'static) -> Case {
    Case {
        name: name.into(),
        drive,
        build: Box::new(move || wat(text())),
    }
}

/// The corpus, in table order.
pub fn corpus() -> Vec<Case> {
    use Drive::{CompileOnly, Fresh, Instantiate, Repeat};
    let mut v = Vec::new();
    // Frame set-up.
    for ty in ["i32", "i64", "f32", "f64", "funcref", "externref"] {
        v.push(case(
            format!("frame: call a fn of 4000 {ty} locals"),
            Repeat,
            move || many_locals(ty, 4000),
        ));
    }
    v.push(case(
        "frame: call a fn of 1000 pooled i64 consts",
        Repeat,
        || pooled_consts("i64", 1000),
    ));
    v.push(case(
        "frame: call a fn of 1000 pooled f64 consts",
        Repeat,
        || pooled_consts("f64", 1000),
    ));
    // Values carried by branches and returns: at the load limits (`Limits::max_results`
    // 16, `Limits::max_br_table_arity` 1), then past them (rejected at load).
    let n = MAX_RESULTS;
    v.push(case(
        format!("branch: br carrying {n} values"),
        Repeat,
        move || carry_loop(n, "br"),
    ));
    v.push(case(
        format!("branch: br_if carrying {n} values"),
        Repeat,
        move || carry_loop(n, "br_if"),
    ));
    v.push(case(
        format!("return: {n} results, 1000 frames deep"),
        Repeat,
        move || return_many(n, 1000),
    ));
    v.push(case("branch: br_table carrying 1 value", Repeat, || {
        carry_loop(1, "br_table")
    }));
    for n in [100, MAX_ARITY] {
        v.push(case(
            format!("branch: br carrying {n} values"),
            Repeat,
            move || carry_loop(n, "br"),
        ));
        v.push(case(
            format!("branch: br_if carrying {n} values"),
            Repeat,
            move || carry_loop(n, "br_if"),
        ));
        v.push(case(
            format!("branch: br_table carrying {n} values"),
            Repeat,
            move || carry_loop(n, "br_table"),
        ));
        v.push(case(
            format!("return: {n} results, 1000 frames deep"),
            Repeat,
            move || return_many(n, 1000),
        ));
    }
    // Calls.
    v.push(case(
        format!("call: recursion {MAX_RECURSION} deep and back"),
        Repeat,
        || recursion(MAX_RECURSION),
    ));
    v.push(case("call: call_indirect in a loop", Repeat, call_indirect));
    // Globals (a `gas_cost` fuzz finding).
    v.push(case(
        "globals: global.get chains (16 reads per add chain)",
        Repeat,
        global_get_chain,
    ));
    // Bulk memory and tables.
    for (op, n) in [
        ("memory.fill", 1),
        ("memory.fill", BULK_BYTES),
        ("memory.copy", 1),
        ("memory.copy", BULK_BYTES),
        ("memory.init", 1),
        ("memory.init", BULK_BYTES),
    ] {
        v.push(case(format!("bulk: {op} {n} B"), Repeat, move || {
            bulk_memory(op, n)
        }));
    }
    for (op, n) in [
        ("table.fill", 1),
        ("table.fill", TABLE_ELEMS),
        ("table.copy", 1),
        ("table.copy", TABLE_ELEMS),
        ("table.init", 1),
        ("table.init", TABLE_ELEMS),
    ] {
        v.push(case(format!("bulk: {op} {n} elems"), Repeat, move || {
            bulk_table(op, n)
        }));
    }
    // Growth, in fresh instances.
    v.push(case(
        "grow: memory.grow 1 page to 256 (fresh instances)",
        Fresh,
        memory_grow,
    ));
    v.push(case(
        "grow: table.grow 1 elem to 10000 (fresh instances)",
        Fresh,
        || table_grow(1),
    ));
    v.push(case(
        "grow: table.grow 10000 elems at once (fresh instances)",
        Fresh,
        || table_grow(TABLE_ELEMS),
    ));
    // Instantiation.
    v.push(case(
        "instantiate: memory of 256 pages",
        Instantiate,
        || "(module (memory 256))".into(),
    ));
    v.push(case(
        "instantiate: 16 tables of 10000 funcref",
        Instantiate,
        || tables(16, false),
    ));
    v.push(case(
        "instantiate: 16 tables of 10000, active elem segments",
        Instantiate,
        || tables(16, true),
    ));
    v.push(case(
        "instantiate: 100 active data segments, 400 KB",
        Instantiate,
        || data_segments(100, 4000),
    ));
    // Host functions of the in-memory token host.
    for (name, sig, call) in host_calls() {
        let label = format!("host (in-memory): {name}{}", host_sizes(name));
        v.push(case(label, Repeat, move || host(name, sig, &call)));
    }
    // Compilation only.
    v.push(Case {
        name: "compile: 10000 fns x 4095 externref locals".into(),
        drive: CompileOnly,
        build: Box::new(|| many_functions_many_locals(10_000, 4095, ValType::EXTERNREF)),
    });
    v.push(Case {
        name: "compile: 10000 fns x 4095 i64 locals".into(),
        drive: CompileOnly,
        build: Box::new(|| many_functions_many_locals(10_000, 4095, ValType::I64)),
    });
    v.push(Case {
        name: "compile: 10000 empty fns".into(),
        drive: CompileOnly,
        build: Box::new(|| many_functions_many_locals(10_000, 0, ValType::I64)),
    });
    v.push(case(
        "compile: 128 KiB body of local.get+br_if carrying 16 values",
        CompileOnly,
        || br_if_body(16, 128 * 1024),
    ));
    v.push(case(
        "compile: br_table of 30000 targets carrying 1 value",
        CompileOnly,
        || br_table_body(1, 30_000),
    ));
    v.push(case(
        format!("compile: 128 KiB body of local.get+br_if carrying {MAX_ARITY} values"),
        CompileOnly,
        || br_if_body(MAX_ARITY, 128 * 1024),
    ));
    v.push(case(
        format!("compile: br_table of 30000 targets carrying {MAX_ARITY} values"),
        CompileOnly,
        || br_table_body(MAX_ARITY, 30_000),
    ));
    v
}

/// `word` repeated `n` times, space-separated.
fn rep(word: &str, n: usize) -> String {
    let mut s = String::with_capacity((word.len() + 1) * n);
    for _ in 0..n {
        s.push_str(word);
        s.push(' ');
    }
    s
}

/// A loop calling `$f`, which declares `locals - 1` locals of type `ty` after its
/// `i32` parameter and reads each of them in an arm that never runs (so each has a
/// zero-initialized cell).
pub fn many_locals(ty: &str, locals: usize) -> String {
    let mut reads = String::new();
    for i in 1..locals {
        let _ = write!(reads, "(drop (local.get {i}))");
    }
    format!(
        "(module
          (func $f (param $x i32) (local {decl})
            (if (local.get $x) (then {reads})))
          (func (export \"run\")
            (loop $l (call $f (i32.const 0)) (br $l))))",
        decl = rep(ty, locals - 1)
    )
}

/// A loop calling `$c`, whose body holds `count` distinct constants of type `ty`
/// (`i64`: none fits a 32-bit immediate) combined in an arm that never runs.
pub fn pooled_consts(ty: &str, count: usize) -> String {
    let mut body = String::new();
    for i in 0..count as u64 {
        let (c, op) = match ty {
            "i64" => (
                format!(
                    "{}",
                    0x7123_4567_0000_0000u64 as i64 + (i * 0x1_0001_0001) as i64
                ),
                "i64.xor",
            ),
            _ => (format!("{}.5", 1_000_003 + i * 7919), "f64.add"),
        };
        let _ = write!(
            body,
            "(local.set $a ({op} (local.get $a) ({ty}.const {c})))"
        );
    }
    format!(
        "(module
          (func $c (param $x i32) (result {ty}) (local $a {ty})
            (if (local.get $x) (then {body}))
            (local.get $a))
          (func (export \"run\")
            (loop $l (drop (call $c (i32.const 0))) (br $l))))"
    )
}

/// A loop whose block type carries `n` i32 values; each iteration pushes one more value
/// and branches back with `br`, `br_if` or `br_table`: the top `n` values (every one
/// moved down one slot) become the loop's parameters again.
pub fn carry_loop(n: usize, op: &str) -> String {
    let branch = match op {
        "br" => "(br $l)",
        "br_if" => "(br_if $l (local.get $one)) (unreachable)",
        _ => "(br_table $l $l (local.get $zero))",
    };
    format!(
        "(module
          (type $p (func (param {params})))
          (func (export \"run\") (local $one i32) (local $zero i32)
            (local.set $one (i32.const 1))
            {pushes}
            (loop $l (type $p)
              (i32.const 7)
              {branch})))",
        params = rep("i32", n),
        pushes = rep("(i32.const 3)", n)
    )
}

/// A loop calling `$f (depth)`: `$f` recurses `depth` deep; the base case pushes `n`
/// values and each level `return`s the `n` results of its callee.
pub fn return_many(n: usize, depth: u32) -> String {
    format!(
        "(module
          (type $p (func (param {params})))
          (func $f (param $d i32) (result {results})
            (if (result {results}) (local.get $d)
              (then (call $f (i32.sub (local.get $d) (i32.const 1))))
              (else {zeros}))
            (return))
          (func (export \"run\")
            {zeros}
            (loop $l (type $p)
              (call $f (i32.const {depth}))
              (br $l))))",
        params = rep("i32", n),
        results = rep("i32", n),
        zeros = rep("(i32.const 0)", n),
    )
}

/// A loop calling `$r (depth)`, which recurses `depth` deep and returns.
pub fn recursion(depth: u32) -> String {
    format!(
        "(module
          (func $r (param $d i32)
            (if (local.get $d) (then (call $r (i32.sub (local.get $d) (i32.const 1))))))
          (func (export \"run\")
            (loop $l (call $r (i32.const {depth})) (br $l))))"
    )
}

/// A loop doing `call_indirect` of an empty function through a table.
pub fn call_indirect() -> String {
    "(module
       (type $v (func))
       (table 1 funcref)
       (elem (i32.const 0) $f)
       (func $f)
       (func (export \"run\")
         (loop $l (call_indirect (type $v) (i32.const 0)) (br $l))))"
        .into()
}

/// A loop of `global.get` chains: each line adds 16 reads of a mutable global (found by
/// the `gas_cost` fuzz target: a `global.get` costs as much gas as a `local.get`, which
/// is read in place, but it is an instruction of its own).
pub fn global_get_chain() -> String {
    let mut line = String::from("(i32.const 0)");
    for _ in 0..16 {
        line = format!("(i32.add (global.get $g) {line})");
    }
    let lines = format!("(drop {line})\n").repeat(8);
    format!(
        "(module
           (global $g (mut i32) (i32.const 3))
           (func (export \"run\")
             (loop $l
               {lines}
               (br $l))))"
    )
}

/// A WAT string literal of `len` bytes (a repeating printable pattern).
fn data_string(len: usize, seed: usize) -> String {
    let mut s = String::with_capacity(len + 2);
    s.push('"');
    for i in 0..len {
        s.push((b'a' + ((i * 7 + seed) % 26) as u8) as char);
    }
    s.push('"');
    s
}

/// A loop doing `op` (`memory.fill`, `memory.copy`, `memory.init`) of `n` bytes on a
/// two-page memory (`memory.init` from a passive segment of [`BULK_BYTES`]).
pub fn bulk_memory(op: &str, n: u32) -> String {
    let body = match op {
        "memory.fill" => format!("(memory.fill (i32.const 0) (i32.const 7) (i32.const {n}))"),
        "memory.copy" => {
            format!("(memory.copy (i32.const 65536) (i32.const 0) (i32.const {n}))")
        }
        _ => format!("(memory.init $d (i32.const 0) (i32.const 0) (i32.const {n}))"),
    };
    format!(
        "(module
          (memory 2)
          (data $d {data})
          (func (export \"run\") (loop $l {body} (br $l))))",
        data = data_string(BULK_BYTES as usize, 0)
    )
}

/// A loop doing `op` (`table.fill`, `table.copy`, `table.init`) of `n` elements on
/// tables of [`TABLE_ELEMS`] funcref (`table.init` from a passive segment as long).
pub fn bulk_table(op: &str, n: u32) -> String {
    let body = match op {
        "table.fill" => format!("(table.fill $a (i32.const 0) (ref.func $f) (i32.const {n}))"),
        "table.copy" => format!("(table.copy $b $a (i32.const 0) (i32.const 0) (i32.const {n}))"),
        _ => format!("(table.init $a $e (i32.const 0) (i32.const 0) (i32.const {n}))"),
    };
    format!(
        "(module
          (table $a {TABLE_ELEMS} funcref)
          (table $b {TABLE_ELEMS} funcref)
          (elem $e func {elems})
          (func $f)
          (func (export \"run\") (loop $l {body} (br $l))))",
        elems = rep("$f", TABLE_ELEMS as usize)
    )
}

/// `run` grows an empty memory one page at a time until `memory.grow` returns -1 (at
/// `Limits::max_memory_pages`).
pub fn memory_grow() -> String {
    "(module
       (memory 0)
       (func (export \"run\")
         (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))))"
        .into()
}

/// `run` grows an empty funcref table `step` elements at a time until `table.grow`
/// returns -1 (at `Limits::max_table_elements`).
pub fn table_grow(step: u32) -> String {
    format!(
        "(module
          (table 0 funcref)
          (func (export \"run\")
            (loop $l
              (br_if $l (i32.ne (table.grow (ref.null func) (i32.const {step})) (i32.const -1))))))"
    )
}

/// `count` funcref tables of [`TABLE_ELEMS`] elements, each filled by an active element
/// segment if `filled`.
pub fn tables(count: usize, filled: bool) -> String {
    let mut m = String::from("(module (func $f)");
    let elems = rep("$f", TABLE_ELEMS as usize);
    for t in 0..count {
        let _ = write!(m, "(table $t{t} {TABLE_ELEMS} funcref)");
        if filled {
            let _ = write!(m, "(elem (table $t{t}) (i32.const 0) func {elems})");
        }
    }
    m.push(')');
    m
}

/// `count` active data segments of `len` bytes each, back to back in a memory that
/// holds them.
pub fn data_segments(count: usize, len: usize) -> String {
    let pages = (count * len).div_ceil(65536);
    let mut m = format!("(module (memory {pages})");
    for i in 0..count {
        let _ = write!(m, "(data (i32.const {}) {})", i * len, data_string(len, i));
    }
    m.push(')');
    m
}

/// The host functions of the `metron` module: name, WAT signature and the call `run`
/// makes with the largest sizes (value buffer at 0, key at [`KEY_PTR`]).
pub fn host_calls() -> Vec<(&'static str, &'static str, String)> {
    let (k, v, t) = (HOST_KEY, HOST_VALUE, HOST_TOPIC);
    vec![
        ("input_len", "(result i32)", "(drop (call $h))".into()),
        ("input_read", "(param i32)", "(call $h (i32.const 0))".into()),
        (
            "return_data",
            "(param i32 i32)",
            format!("(call $h (i32.const 0) (i32.const {v}))"),
        ),
        (
            "storage_read",
            "(param i32 i32 i32 i32) (result i64)",
            format!("(drop (call $h (i32.const {KEY_PTR}) (i32.const {k}) (i32.const 0) (i32.const {v})))"),
        ),
        (
            "storage_write",
            "(param i32 i32 i32 i32)",
            // A new key each call: the first 4 bytes of the key count calls.
            format!(
                "(i32.store (i32.const {KEY_PTR}) (i32.add (i32.load (i32.const {KEY_PTR})) (i32.const 1)))
                 (call $h (i32.const {KEY_PTR}) (i32.const {k}) (i32.const 0) (i32.const {v}))"
            ),
        ),
        (
            "storage_remove",
            "(param i32 i32)",
            format!("(call $h (i32.const {KEY_PTR}) (i32.const {k}))"),
        ),
        ("caller", "(param i32)", "(call $h (i32.const 0))".into()),
        ("address", "(param i32)", "(call $h (i32.const 0))".into()),
        ("value", "(param i32)", "(call $h (i32.const 0))".into()),
        (
            "balance",
            "(param i32 i32)",
            "(call $h (i32.const 0) (i32.const 64))".into(),
        ),
        ("block_height", "(result i64)", "(drop (call $h))".into()),
        ("block_timestamp", "(result i64)", "(drop (call $h))".into()),
        (
            "emit_event",
            "(param i32 i32 i32 i32)",
            format!("(call $h (i32.const 0) (i32.const {t}) (i32.const 0) (i32.const {v}))"),
        ),
        (
            "abort",
            "(param i32 i32)",
            format!("(call $h (i32.const 0) (i32.const {v}))"),
        ),
    ]
}

/// The sizes a host case uses, for its name (with a leading space).
fn host_sizes(name: &str) -> String {
    match name {
        "input_read" => " (input 64 KiB)".into(),
        "return_data" => " (64 KiB)".into(),
        "storage_read" => " (key 256 B, value 64 KiB)".into(),
        "storage_write" => " (new key 256 B, value 64 KiB)".into(),
        "storage_remove" => " (key 256 B)".into(),
        "emit_event" => " (topic 64 B, data 64 KiB)".into(),
        "abort" => " (message 64 KiB, invalid UTF-8)".into(),
        _ => String::new(),
    }
}

/// A module importing host function `name` with signature `sig` and calling it in a
/// loop (`call`). Its three pages hold the value buffer at 0 and the key at
/// [`KEY_PTR`]; `init` (run untimed before the first sample) fills the value buffer
/// with 0xff bytes.
pub fn host(name: &str, sig: &str, call: &str) -> String {
    format!(
        "(module
          (import \"metron\" \"{name}\" (func $h {sig}))
          (memory (export \"memory\") 3)
          (func (export \"init\") (memory.fill (i32.const 0) (i32.const 255) (i32.const {HOST_VALUE})))
          (func (export \"run\") (loop $l {call} (br $l))))"
    )
}

/// `funcs` functions each declaring `locals` externref locals and an empty body
/// (built with `wasm_encoder`: as text this is 400 MB).
pub fn many_functions_many_locals(funcs: usize, locals: u32, ty: ValType) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut fsec = FunctionSection::new();
    let mut code = CodeSection::new();
    for _ in 0..funcs {
        fsec.function(0);
        let mut f = Function::new([(locals, ty)]);
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, 0);
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&fsec)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// One function of about `body_bytes` bytes of code: `n` values pushed, then
/// `local.get 0; br_if 0` repeated, each `br_if` carrying the `n` results of the
/// function.
pub fn br_if_body(n: usize, body_bytes: usize) -> String {
    // `i32.const 0` is 2 bytes, `local.get 0; br_if 0` 4; a few bytes for the header.
    let count = (body_bytes - 2 * n - 16) / 4;
    format!(
        "(module
          (func (export \"run\") (param i32) (result {results})
            {zeros}
            {branches}))",
        results = rep("i32", n),
        zeros = rep("(i32.const 0)", n),
        branches = rep("(br_if 0 (local.get 0))", count)
    )
}

/// One `br_table` of `targets` targets, all to a label carrying `n` values.
pub fn br_table_body(n: usize, targets: usize) -> String {
    format!(
        "(module
          (func (export \"run\") (param i32) (result {results})
            {zeros}
            (br_table {labels} 0 (local.get 0))))",
        results = rep("i32", n),
        zeros = rep("(i32.const 0)", n),
        labels = rep("0", targets)
    )
}
