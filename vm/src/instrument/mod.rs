//! The instrumenter: Metron's gas and stack rules as a standalone, plain WebAssembly
//! module that any engine can run (the portable statement of the rules, and the oracle
//! of the differential gas fuzzers).
//!
//! [`instrument`] validates the module exactly as [`Module::new`] does (same features,
//! same limits, same errors), then re-encodes it with `wasm-encoder`, adding:
//!
//! * exported mutable globals [`GAS_GLOBAL`] (i64, read as unsigned: gas left),
//!   [`STACK_GLOBAL`] (i32, unsigned: stack budget left, in wasm value slots),
//!   [`DEPTH_GLOBAL`] (i32, unsigned: call frames left) and [`TRAP_GLOBAL`] (i32: why
//!   the module trapped, [`TRAP_OUT_OF_GAS`] or [`TRAP_STACK_EXHAUSTED`], else 0);
//! * at each charge opening of the metered-block analysis ([`MeteredBlocks`],
//!   the same code the translator uses): if gas left `<` the amount, gas left becomes 0
//!   and the module traps (`unreachable`) with [`TRAP_OUT_OF_GAS`]; else it is
//!   decremented. A block that cannot be paid traps before any of its operators runs;
//! * before `memory.grow`, bulk memory and table operations: the dynamic cost computed
//!   from the operand with the schedule's saturating formulas, charged the same way;
//! * in each defined function: a prologue that takes one frame from [`DEPTH_GLOBAL`] and
//!   the function's frame cost (params + locals + maximum operand height) from
//!   [`STACK_GLOBAL`], trapping with [`TRAP_STACK_EXHAUSTED`] when either is short
//!   (before the entry block's charge, as in Metron), and an epilogue that gives them
//!   back. The body is wrapped in a `block` so that `return` (rewritten to a `br` to it)
//!   and branches to the function label all pass through the epilogue.
//!
//! Gas semantics are Metron's meter exactly: a run with limit `L` leaves `L - used` in
//! [`GAS_GLOBAL`]; running out leaves 0 (Metron: `used == limit`). Using exactly all the
//! gas (`gas left == 0` at the end) is a success in both. Apart from these globals the
//! module behaves exactly as the original; a harness resets the globals before each
//! call (a trap leaves them where it happened). Custom sections are dropped; all other
//! indices are unchanged (new types, functions and globals are appended).
//!
//! Metering is always on in the output (`Config::metering` is ignored): the output
//! states the rules.

use std::collections::BTreeMap;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataCountSection, DataSection, ElementSection, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    Instruction, MemorySection, StartSection, TableSection, TypeSection,
};
use wasmparser::{FunctionBody, Operator, Parser, Payload};

use crate::gas::MeteredBlocks;
use crate::module::FuncKind;
use crate::types::ValType;
use crate::{Config, Error, Module};

/// Export name of the gas-left global (mutable i64, unsigned).
pub const GAS_GLOBAL: &str = "metron_gas_left";
/// Export name of the stack-budget-left global (mutable i32, unsigned, wasm value slots).
pub const STACK_GLOBAL: &str = "metron_stack_left";
/// Export name of the call-frames-left global (mutable i32, unsigned).
pub const DEPTH_GLOBAL: &str = "metron_depth_left";
/// Export name of the trap-reason global (mutable i32).
pub const TRAP_GLOBAL: &str = "metron_trap";
/// [`TRAP_GLOBAL`] value after running out of gas.
pub const TRAP_OUT_OF_GAS: i32 = 1;
/// [`TRAP_GLOBAL`] value after exceeding the stack budget or the call depth.
pub const TRAP_STACK_EXHAUSTED: i32 = 2;

/// Instruments `wasm` with the gas and stack rules of `config` (schedule, limits,
/// `max_call_depth`, `max_stack_slots`). The gas global starts at `u64::MAX` (set it
/// before calling; see [`instrument_with_gas`] to run a start function under a limit).
///
/// # Errors
/// Exactly the errors of [`Module::new`] for modules Metron rejects; an
/// [`crate::ErrorKind::Invalid`] error if the module already exports one of the names
/// above.
pub fn instrument(wasm: &[u8], config: &Config) -> Result<Vec<u8>, Error> {
    instrument_with_gas(wasm, config, u64::MAX)
}

/// [`instrument`] with the gas global's initial value (stored as the bits of an i64).
///
/// # Errors
/// As [`instrument`].
pub fn instrument_with_gas(
    wasm: &[u8],
    config: &Config,
    initial_gas: u64,
) -> Result<Vec<u8>, Error> {
    let module = Module::new(config, wasm)?;
    for name in [GAS_GLOBAL, STACK_GLOBAL, DEPTH_GLOBAL, TRAP_GLOBAL] {
        if module.inner.exports.contains_key(name) {
            return Err(Error::invalid(
                format!("export name {name} is reserved by the instrumenter"),
                0,
            ));
        }
    }
    Instrumenter::new(&module, config, initial_gas).run(wasm)
}

fn enc_val(t: ValType) -> wasm_encoder::ValType {
    match t {
        ValType::I32 => wasm_encoder::ValType::I32,
        ValType::I64 => wasm_encoder::ValType::I64,
        ValType::F32 => wasm_encoder::ValType::F32,
        ValType::F64 => wasm_encoder::ValType::F64,
        ValType::FuncRef => wasm_encoder::ValType::FUNCREF,
        ValType::ExternRef => wasm_encoder::ValType::EXTERNREF,
    }
}

fn reencode_err<E: std::fmt::Display>(e: E) -> Error {
    Error::invalid(format!("re-encoding: {e}"), 0)
}

fn parse_err(e: wasmparser::BinaryReaderError) -> Error {
    Error::from_wasmparser(e)
}

/// Index layout of what the instrumenter appends.
struct Instrumenter<'m> {
    module: &'m Module,
    config: &'m Config,
    initial_gas: u64,
    /// Type `() -> ()`.
    ty_void: u32,
    /// Type `(i64) -> ()`.
    ty_charge: u32,
    /// Types `() -> results` for multi-value function results (wrapper block types).
    ty_results: BTreeMap<Vec<ValType>, u32>,
    num_types: u32,
    /// Helper functions: out of gas, stack exhausted, charge(i64).
    f_oog: u32,
    f_exhausted: u32,
    f_charge: u32,
    g_gas: u32,
    g_stack: u32,
    g_depth: u32,
    g_trap: u32,
}

impl<'m> Instrumenter<'m> {
    fn new(module: &'m Module, config: &'m Config, initial_gas: u64) -> Self {
        let m = &module.inner;
        let mut next_type = m.types.len() as u32;
        let ty_void = next_type;
        let ty_charge = next_type + 1;
        next_type += 2;
        let mut ty_results = BTreeMap::new();
        for t in &m.types {
            if t.results().len() > 1 && !ty_results.contains_key(t.results()) {
                ty_results.insert(t.results().to_vec(), next_type);
                next_type += 1;
            }
        }
        let nf = m.funcs.len() as u32;
        let ng = m.globals.len() as u32;
        Self {
            module,
            config,
            initial_gas,
            ty_void,
            ty_charge,
            ty_results,
            num_types: next_type,
            f_oog: nf,
            f_exhausted: nf + 1,
            f_charge: nf + 2,
            g_gas: ng,
            g_stack: ng + 1,
            g_depth: ng + 2,
            g_trap: ng + 3,
        }
    }

    fn run(&self, wasm: &[u8]) -> Result<Vec<u8>, Error> {
        let mut re = RoundtripReencoder;
        let mut types = TypeSection::new();
        let mut imports = None;
        let mut funcs = FunctionSection::new();
        let mut tables = None;
        let mut memories = None;
        let mut globals = GlobalSection::new();
        let mut exports = ExportSection::new();
        let mut start = None;
        let mut elements = None;
        let mut data_count = None;
        let mut code = CodeSection::new();
        let mut data = None;
        let mut bodies: Vec<FunctionBody<'_>> = Vec::new();

        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(parse_err)? {
                Payload::TypeSection(r) => {
                    re.parse_type_section(&mut types, r).map_err(reencode_err)?
                }
                Payload::ImportSection(r) => {
                    let mut s = ImportSection::new();
                    re.parse_import_section(&mut s, r).map_err(reencode_err)?;
                    imports = Some(s);
                }
                Payload::FunctionSection(r) => re
                    .parse_function_section(&mut funcs, r)
                    .map_err(reencode_err)?,
                Payload::TableSection(r) => {
                    let mut s = TableSection::new();
                    re.parse_table_section(&mut s, r).map_err(reencode_err)?;
                    tables = Some(s);
                }
                Payload::MemorySection(r) => {
                    let mut s = MemorySection::new();
                    re.parse_memory_section(&mut s, r).map_err(reencode_err)?;
                    memories = Some(s);
                }
                Payload::GlobalSection(r) => re
                    .parse_global_section(&mut globals, r)
                    .map_err(reencode_err)?,
                Payload::ExportSection(r) => re
                    .parse_export_section(&mut exports, r)
                    .map_err(reencode_err)?,
                Payload::StartSection { func, .. } => start = Some(func),
                Payload::ElementSection(r) => {
                    let mut s = ElementSection::new();
                    re.parse_element_section(&mut s, r).map_err(reencode_err)?;
                    elements = Some(s);
                }
                Payload::DataCountSection { count, .. } => data_count = Some(count),
                Payload::CodeSectionEntry(body) => bodies.push(body),
                Payload::DataSection(r) => {
                    let mut s = DataSection::new();
                    re.parse_data_section(&mut s, r).map_err(reencode_err)?;
                    data = Some(s);
                }
                // Custom sections are dropped; the rest was rejected by validation.
                _ => {}
            }
        }

        // Appended types.
        types.ty().function([], []);
        types.ty().function([wasm_encoder::ValType::I64], []);
        // In index order (the map is keyed by result types).
        let mut by_index: Vec<(u32, &Vec<ValType>)> =
            self.ty_results.iter().map(|(r, &i)| (i, r)).collect();
        by_index.sort_unstable();
        for (_, results) in by_index {
            types.ty().function([], results.iter().map(|&t| enc_val(t)));
        }
        debug_assert_eq!(types.len(), self.num_types);
        // Appended functions.
        funcs.function(self.ty_void);
        funcs.function(self.ty_void);
        funcs.function(self.ty_charge);
        // Appended globals.
        let mutable = |t| GlobalType {
            val_type: t,
            mutable: true,
            shared: false,
        };
        globals.global(
            mutable(wasm_encoder::ValType::I64),
            &ConstExpr::i64_const(self.initial_gas as i64),
        );
        globals.global(
            mutable(wasm_encoder::ValType::I32),
            &ConstExpr::i32_const(self.config.max_stack_slots as i32),
        );
        globals.global(
            mutable(wasm_encoder::ValType::I32),
            &ConstExpr::i32_const(self.config.max_call_depth as i32),
        );
        globals.global(
            mutable(wasm_encoder::ValType::I32),
            &ConstExpr::i32_const(0),
        );
        exports.export(GAS_GLOBAL, ExportKind::Global, self.g_gas);
        exports.export(STACK_GLOBAL, ExportKind::Global, self.g_stack);
        exports.export(DEPTH_GLOBAL, ExportKind::Global, self.g_depth);
        exports.export(TRAP_GLOBAL, ExportKind::Global, self.g_trap);

        let m = &self.module.inner;
        let mut analysis = MeteredBlocks::new();
        for (k, body) in bodies.iter().enumerate() {
            let index = m.num_imported_funcs as usize + k;
            let f = self.function(&mut analysis, index, body)?;
            code.function(&f);
        }
        self.helpers(&mut code);

        let mut out = wasm_encoder::Module::new();
        out.section(&types);
        if let Some(s) = &imports {
            out.section(s);
        }
        out.section(&funcs);
        if let Some(s) = &tables {
            out.section(s);
        }
        if let Some(s) = &memories {
            out.section(s);
        }
        out.section(&globals);
        out.section(&exports);
        if let Some(function_index) = start {
            out.section(&StartSection { function_index });
        }
        if let Some(s) = &elements {
            out.section(s);
        }
        if let Some(count) = data_count {
            out.section(&DataCountSection { count });
        }
        out.section(&code);
        if let Some(s) = &data {
            out.section(s);
        }
        Ok(out.finish())
    }

    /// Bodies of the helper functions (out of gas, stack exhausted, charge).
    fn helpers(&self, code: &mut CodeSection) {
        use Instruction as I;
        let mut oog = Function::new([]);
        for i in [
            I::I64Const(0),
            I::GlobalSet(self.g_gas),
            I::I32Const(TRAP_OUT_OF_GAS),
            I::GlobalSet(self.g_trap),
            I::Unreachable,
            I::End,
        ] {
            oog.instruction(&i);
        }
        code.function(&oog);
        let mut exh = Function::new([]);
        for i in [
            I::I32Const(TRAP_STACK_EXHAUSTED),
            I::GlobalSet(self.g_trap),
            I::Unreachable,
            I::End,
        ] {
            exh.instruction(&i);
        }
        code.function(&exh);
        let mut charge = Function::new([]);
        for i in [
            I::LocalGet(0),
            I::GlobalGet(self.g_gas),
            I::I64GtU,
            I::If(BlockType::Empty),
            I::Call(self.f_oog),
            I::End,
            I::GlobalGet(self.g_gas),
            I::LocalGet(0),
            I::I64Sub,
            I::GlobalSet(self.g_gas),
            I::End,
        ] {
            charge.instruction(&i);
        }
        code.function(&charge);
    }

    /// Emits a static charge of `amount` units (nothing for 0: it can never trap).
    fn charge(&self, f: &mut Function, amount: u64) {
        use Instruction as I;
        if amount == 0 {
            return;
        }
        let a = amount as i64;
        for i in [
            I::GlobalGet(self.g_gas),
            I::I64Const(a),
            I::I64LtU,
            I::If(BlockType::Empty),
            I::Call(self.f_oog),
            I::End,
            I::GlobalGet(self.g_gas),
            I::I64Const(a),
            I::I64Sub,
            I::GlobalSet(self.g_gas),
        ] {
            f.instruction(&i);
        }
    }

    /// Emits the dynamic charge before a bulk/grow operator whose count (i32) is on top
    /// of the stack; the count is left there. `words` selects the per-started-8-byte-word
    /// formula of bulk memory.
    fn dynamic(&self, f: &mut Function, scratch: u32, per_unit: u64, words: bool) {
        use Instruction as I;
        let x = |f: &mut Function| {
            f.instruction(&I::LocalGet(scratch));
            f.instruction(&I::I64ExtendI32U);
            if words {
                // div_ceil(n, 8) without overflow: n < 2^32.
                f.instruction(&I::I64Const(7));
                f.instruction(&I::I64Add);
                f.instruction(&I::I64Const(3));
                f.instruction(&I::I64ShrU);
            }
        };
        f.instruction(&I::LocalSet(scratch));
        if per_unit == 0 {
            f.instruction(&I::I64Const(0));
        } else if per_unit <= u64::from(u32::MAX) {
            // x < 2^32 and per_unit < 2^32: the product fits in u64.
            x(f);
            f.instruction(&I::I64Const(per_unit as i64));
            f.instruction(&I::I64Mul);
        } else {
            // Saturating multiplication, as GasSchedule's helpers:
            // select(u64::MAX, x * c, x > u64::MAX / c).
            f.instruction(&I::I64Const(-1));
            x(f);
            f.instruction(&I::I64Const(per_unit as i64));
            f.instruction(&I::I64Mul);
            x(f);
            f.instruction(&I::I64Const((u64::MAX / per_unit) as i64));
            f.instruction(&I::I64GtU);
            f.instruction(&I::Select);
        }
        f.instruction(&I::Call(self.f_charge));
        f.instruction(&I::LocalGet(scratch));
    }

    /// The instrumented body of defined function `index`.
    fn function(
        &self,
        analysis: &mut MeteredBlocks,
        index: usize,
        body: &FunctionBody<'_>,
    ) -> Result<Function, Error> {
        use Instruction as I;
        let m = &self.module.inner;
        let schedule = &self.config.schedule;
        let decl = &m.funcs[index];
        let FuncKind::Compiled(compiled) = &decl.kind else {
            return Err(Error::invalid("code for an imported function", 0));
        };
        let ty = &m.types[decl.type_index as usize];
        let stack_cost = compiled.frame.stack_cost;

        // Locals: the original ones plus one i32 scratch.
        let mut locals = Vec::new();
        let num_params = ty.params().len() as u32;
        let mut num_locals = num_params;
        let mut lr = body.get_locals_reader().map_err(parse_err)?;
        for _ in 0..lr.get_count() {
            let (n, t) = lr.read().map_err(parse_err)?;
            let t = RoundtripReencoder.val_type(t).map_err(reencode_err)?;
            locals.push((n, t));
            num_locals += n;
        }
        let declared = num_locals - num_params;
        let results = ty.results().len() as u32;
        let arity = |bt: wasmparser::BlockType| match bt {
            wasmparser::BlockType::Empty => (0, 0),
            wasmparser::BlockType::Type(_) => (0, 1),
            wasmparser::BlockType::FuncType(t) => {
                let t = &m.types[t as usize];
                (t.params().len() as u32, t.results().len() as u32)
            }
        };

        // Pass 1: the charge amounts (the entry charge includes the frame set-up).
        analysis.start(schedule, declared, results);
        let mut ops = body.get_operators_reader().map_err(parse_err)?;
        while !ops.eof() {
            let op = ops.read().map_err(parse_err)?;
            let step = analysis
                .operator(schedule, &op, arity)
                .map_err(|name| Error::unsupported(name, 0))?;
            if step.starts_block {
                analysis.new_block();
            }
        }
        analysis.finish();
        let charges = analysis.charges().to_vec();

        let scratch = num_locals;
        locals.push((1, wasm_encoder::ValType::I32));
        let mut f = Function::new(locals);

        // Prologue: stack and depth, then the entry charge.
        for i in [
            I::GlobalGet(self.g_depth),
            I::I32Eqz,
            I::If(BlockType::Empty),
            I::Call(self.f_exhausted),
            I::End,
            I::GlobalGet(self.g_stack),
            I::I32Const(stack_cost as i32),
            I::I32LtU,
            I::If(BlockType::Empty),
            I::Call(self.f_exhausted),
            I::End,
            I::GlobalGet(self.g_depth),
            I::I32Const(1),
            I::I32Sub,
            I::GlobalSet(self.g_depth),
            I::GlobalGet(self.g_stack),
            I::I32Const(stack_cost as i32),
            I::I32Sub,
            I::GlobalSet(self.g_stack),
        ] {
            f.instruction(&i);
        }
        let mut next = 0usize;
        let take = |next: &mut usize| {
            let a = charges.get(*next).copied().unwrap_or(0);
            *next += 1;
            a
        };
        self.charge(&mut f, take(&mut next));
        let wrapper = match ty.results() {
            [] => BlockType::Empty,
            [t] => BlockType::Result(enc_val(*t)),
            many => BlockType::FunctionType(self.ty_results[many]),
        };
        f.instruction(&I::Block(wrapper));

        // Pass 2: re-encode with charges.
        analysis.start(schedule, declared, results);
        let mut depth = 0u32;
        let mut ops = body.get_operators_reader().map_err(parse_err)?;
        while !ops.eof() {
            let op = ops.read().map_err(parse_err)?;
            let step = analysis
                .operator(schedule, &op, arity)
                .map_err(|name| Error::unsupported(name, 0))?;
            for _ in 0..step.splits {
                self.charge(&mut f, take(&mut next));
            }
            let dynamic = |s: &Self, f: &mut Function, per: u64, words: bool| {
                if step.reachable {
                    s.dynamic(f, scratch, per, words);
                }
            };
            match &op {
                Operator::End if depth == 0 => {
                    // Close the wrapper, epilogue, end of function.
                    f.instruction(&I::End);
                    for i in [
                        I::GlobalGet(self.g_depth),
                        I::I32Const(1),
                        I::I32Add,
                        I::GlobalSet(self.g_depth),
                        I::GlobalGet(self.g_stack),
                        I::I32Const(stack_cost as i32),
                        I::I32Add,
                        I::GlobalSet(self.g_stack),
                        I::End,
                    ] {
                        f.instruction(&i);
                    }
                    continue;
                }
                Operator::Return => {
                    f.instruction(&I::Br(depth));
                    continue;
                }
                Operator::MemoryGrow { .. } => {
                    dynamic(self, &mut f, schedule.memory_grow_per_page, false)
                }
                Operator::MemoryFill { .. }
                | Operator::MemoryCopy { .. }
                | Operator::MemoryInit { .. } => {
                    dynamic(self, &mut f, schedule.bulk_memory_per_word, true)
                }
                Operator::TableGrow { .. }
                | Operator::TableFill { .. }
                | Operator::TableCopy { .. }
                | Operator::TableInit { .. } => {
                    dynamic(self, &mut f, schedule.table_per_element, false)
                }
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => depth += 1,
                Operator::End => depth -= 1,
                _ => {}
            }
            let instr = RoundtripReencoder.instruction(op).map_err(reencode_err)?;
            f.instruction(&instr);
            if step.starts_block {
                analysis.new_block();
                self.charge(&mut f, take(&mut next));
            }
        }
        analysis.finish();
        debug_assert_eq!(next, charges.len(), "every charge placed");
        Ok(f)
    }
}

#[cfg(test)]
mod tests;
