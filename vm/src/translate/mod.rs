//! Validating single-pass translation of a WebAssembly module into Metron IR.
//!
//! One walk over the binary: every payload goes through wasmparser's `Validator`
//! (WebAssembly 2.0 without SIMD) and then into [`ModuleInner`]; limits are checked
//! before anything proportional to a declared size is allocated. Each function body is
//! visited once by [`func::Validating`]: validator first, then gas accounting, then the
//! translator (split by operator kind: `control`, `locals`, `memory`, `numeric`,
//! `calls`, `tables`). All functions are compiled eagerly.

mod calls;
mod consts;
mod control;
mod func;

#[cfg(test)]
pub(crate) use func::MAX_POOLED_CONSTS;
mod locals;
mod memory;
mod numeric;
mod tables;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use wasmparser::{
    CompositeInnerType, DataKind, ElementItems, ElementKind, ExternalKind,
    FuncValidatorAllocations, FunctionBody, Operator, Parser, Payload, TableInit, TypeRef,
    ValidPayload, Validator, WasmFeatures,
};

use crate::limits::check;
use crate::module::{
    CompiledFunc, ConstExpr, DataMode, DataSegment, ElementMode, ElementSegment, Export,
    FrameShape, FuncDecl, FuncKind, GlobalDecl, ImportDecl, ImportName, MemoryDecl, ModuleInner,
    TableDecl,
};
use crate::types::{ExternKind, FuncType, ValType};
use crate::{Config, Error};
use func::{FuncTranslator, FuncTranslatorAllocations, ModuleCtx, Validating};

/// Exactly WebAssembly 2.0 without SIMD. `GC_TYPES` is wasmparser's gate for the
/// `externref` type (part of reference types), not the GC proposal; `FLOATS` likewise.
pub(crate) fn features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
}

fn ref_ty(r: wasmparser::RefType, offset: usize) -> Result<ValType, Error> {
    ValType::from_ref_type(r, offset)
}

/// Converts a (validated) constant expression.
fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    let mut reader = e.get_operators_reader();
    let offset = reader.original_position();
    let op = reader.read()?;
    let c = match op {
        Operator::I32Const { value } => ConstExpr::I32(value),
        Operator::I64Const { value } => ConstExpr::I64(value),
        Operator::F32Const { value } => ConstExpr::F32(value.bits()),
        Operator::F64Const { value } => ConstExpr::F64(value.bits()),
        Operator::RefNull { hty } => ConstExpr::RefNull(heap_ty(hty, offset)?),
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        _ => return Err(Error::unsupported("extended constant expressions", offset)),
    };
    match reader.read()? {
        Operator::End => Ok(c),
        _ => Err(Error::unsupported("extended constant expressions", offset)),
    }
}

fn heap_ty(h: wasmparser::HeapType, offset: usize) -> Result<ValType, Error> {
    use wasmparser::{AbstractHeapType, HeapType};
    match h {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        } => Ok(ValType::FuncRef),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern,
        } => Ok(ValType::ExternRef),
        _ => Err(Error::unsupported("typed function references / GC", offset)),
    }
}

fn zero_of(ty: ValType) -> ConstExpr {
    match ty {
        ValType::I32 => ConstExpr::I32(0),
        ValType::I64 => ConstExpr::I64(0),
        ValType::F32 => ConstExpr::F32(0),
        ValType::F64 => ConstExpr::F64(0),
        ValType::FuncRef | ValType::ExternRef => ConstExpr::RefNull(ty),
    }
}

struct Builder<'c> {
    config: &'c Config,
    m: ModuleInner,
    ctx: ModuleCtx,
    num_defined_funcs_seen: u32,
    allocs: FuncTranslatorAllocations,
    val_allocs: FuncValidatorAllocations,
    /// Code of the functions translated so far (`ModuleInner::code`).
    code_arena: Vec<crate::exec::threaded::Op>,
    /// Constant pools of the functions translated so far (`ModuleInner::consts`).
    consts_arena: Vec<u64>,
}

impl Builder<'_> {
    fn table_decl(
        &self,
        ty: &wasmparser::TableType,
        offset: usize,
        import: Option<ImportName>,
    ) -> Result<TableDecl, Error> {
        let lim = &self.config.limits;
        check(
            "max_table_elements",
            ty.initial,
            lim.max_table_elements,
            offset,
        )?;
        let max = ty.maximum.map_or(lim.max_table_elements, |m| {
            m.min(u64::from(lim.max_table_elements)) as u32
        });
        Ok(TableDecl {
            elem: ref_ty(ty.element_type, offset)?,
            min: ty.initial as u32,
            max,
            declared_max: ty.maximum.map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
            import,
        })
    }

    fn memory_decl(
        &self,
        ty: &wasmparser::MemoryType,
        offset: usize,
        import: Option<ImportName>,
    ) -> Result<MemoryDecl, Error> {
        let lim = &self.config.limits;
        if ty.memory64 {
            return Err(Error::unsupported("memory64", offset));
        }
        if ty.shared {
            return Err(Error::unsupported("threads", offset));
        }
        check("max_memory_pages", ty.initial, lim.max_memory_pages, offset)?;
        let max_pages = ty.maximum.map_or(lim.max_memory_pages, |m| {
            m.min(u64::from(lim.max_memory_pages)) as u32
        });
        Ok(MemoryDecl {
            min_pages: ty.initial as u32,
            max_pages,
            declared_max: ty.maximum.map(|m| u32::try_from(m).unwrap_or(u32::MAX)),
            import,
        })
    }

    fn add_func(&mut self, type_index: u32, kind: FuncKind, offset: usize) -> Result<(), Error> {
        let n = self.m.funcs.len() as u64 + 1;
        check("max_functions", n, self.config.limits.max_functions, offset)?;
        let ty = self
            .ctx
            .types
            .get(type_index as usize)
            .ok_or_else(|| Error::invalid("unknown type", offset))?;
        check(
            "max_params",
            ty.params().len() as u64,
            self.config.limits.max_params,
            offset,
        )?;
        self.m.funcs.push(FuncDecl { type_index, kind });
        self.ctx.func_types.push(type_index);
        Ok(())
    }

    /// Validates and translates one function body (`Payload::CodeSectionEntry`).
    ///
    /// Called with the validator's `code_section_entry` result directly rather than
    /// through `Validator::payload`, whose `ValidPayload` result is a 1.6 KB value moved
    /// per function (measured: ≈ 5% of compile time on modules of many small functions,
    /// `docs/changelog.md`).
    fn function(
        &mut self,
        validator: &mut Validator,
        body: &FunctionBody<'_>,
    ) -> Result<(), Error> {
        let lim = &self.config.limits;
        let to_validate = validator.code_section_entry(body)?;
        let offset = body.range().start;
        check(
            "max_function_body_size",
            body.range().len() as u64,
            lim.max_function_body_size,
            offset,
        )?;
        let index = self.m.num_imported_funcs + self.num_defined_funcs_seen;
        self.num_defined_funcs_seen += 1;
        let allocs = core::mem::take(&mut self.val_allocs);
        let mut v = to_validate.into_validator(allocs);
        let type_index = self.ctx.func_types[index as usize];
        let mut t = FuncTranslator::new(&self.ctx, &mut self.allocs, type_index);
        // Locals (limit checked before the validator allocates them).
        let mut locals = body.get_locals_reader()?;
        for _ in 0..locals.get_count() {
            let off = locals.original_position();
            let (count, ty) = locals.read()?;
            let total = u64::from(t.num_locals) + u64::from(count);
            check("max_locals", total, lim.max_locals, off)?;
            v.define_locals(off, count, ty)?;
            let vt = ValType::from_wasmparser(ty, off)?;
            t.add_locals(count, vt);
        }
        t.start();
        let mut reader = locals.get_binary_reader();
        reader.set_features(features());
        {
            let mut visitor = Validating {
                v: &mut v,
                t: &mut t,
                offset: 0,
            };
            while !reader.eof() {
                visitor.offset = reader.original_position();
                reader.visit_operator(&mut visitor)??;
            }
            reader.finish_expression(&visitor)?;
        }
        let compiled = t
            .finish(&mut self.code_arena, &mut self.consts_arena)
            .map_err(|e| Error::invalid(format!("internal VM error: {e}"), offset))?;
        self.val_allocs = v.into_allocations();
        match &mut self.m.funcs[index as usize].kind {
            FuncKind::Compiled(c) => *c = compiled,
            FuncKind::Import(_) => unreachable!("defined function index"),
        }
        Ok(())
    }

    fn payload(&mut self, validator: &mut Validator, payload: Payload<'_>) -> Result<(), Error> {
        let lim = &self.config.limits;
        match validator.payload(&payload)? {
            ValidPayload::Ok | ValidPayload::End(_) => {}
            ValidPayload::Func(..) => {
                return Err(Error::invalid(
                    "internal VM error: function outside the code section",
                    0,
                ));
            }
            ValidPayload::Parser(_) => {
                return Err(Error::unsupported("component model", 0));
            }
        }
        match payload {
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                check(
                    "max_types",
                    u64::from(reader.count()),
                    lim.max_types,
                    offset,
                )?;
                for group in reader {
                    let group = group?;
                    for sub in group.into_types() {
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(ft) => {
                                let params = ft
                                    .params()
                                    .iter()
                                    .map(|t| ValType::from_wasmparser(*t, offset))
                                    .collect::<Result<Vec<_>, _>>()?;
                                let results = ft
                                    .results()
                                    .iter()
                                    .map(|t| ValType::from_wasmparser(*t, offset))
                                    .collect::<Result<Vec<_>, _>>()?;
                                check("max_params", params.len() as u64, lim.max_params, offset)?;
                                check(
                                    "max_results",
                                    results.len() as u64,
                                    lim.max_results,
                                    offset,
                                )?;
                                self.ctx.types.push(FuncType::new(params, results));
                            }
                            _ => return Err(Error::unsupported("GC", offset)),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start;
                check(
                    "max_imports",
                    u64::from(reader.count()),
                    lim.max_imports,
                    offset,
                )?;
                for import in reader {
                    let import = import?;
                    let name = ImportName {
                        module: import.module.into(),
                        name: import.name.into(),
                    };
                    let kind = match import.ty {
                        TypeRef::Func(t) => {
                            self.add_func(t, FuncKind::Import(name.clone()), offset)?;
                            self.m.num_imported_funcs += 1;
                            self.ctx.num_imported_funcs += 1;
                            ExternKind::Func
                        }
                        TypeRef::Table(t) => {
                            check(
                                "max_tables",
                                self.m.tables.len() as u64 + 1,
                                lim.max_tables,
                                offset,
                            )?;
                            let d = self.table_decl(&t, offset, Some(name.clone()))?;
                            self.m.tables.push(d);
                            ExternKind::Table
                        }
                        TypeRef::Memory(mt) => {
                            self.m.memory =
                                Some(self.memory_decl(&mt, offset, Some(name.clone()))?);
                            ExternKind::Memory
                        }
                        TypeRef::Global(g) => {
                            check(
                                "max_globals",
                                self.m.globals.len() as u64 + 1,
                                lim.max_globals,
                                offset,
                            )?;
                            let ty = ValType::from_wasmparser(g.content_type, offset)?;
                            self.m.globals.push(GlobalDecl {
                                ty,
                                mutable: g.mutable,
                                init: zero_of(ty),
                                import: Some(name.clone()),
                            });
                            ExternKind::Global
                        }
                        _ => return Err(Error::unsupported("exception handling", offset)),
                    };
                    self.m.imports.push(ImportDecl { name, kind });
                }
            }
            Payload::FunctionSection(reader) => {
                let offset = reader.range().start;
                let total = self.m.funcs.len() as u64 + u64::from(reader.count());
                check("max_functions", total, lim.max_functions, offset)?;
                // Bounded by the limit just checked.
                self.m.funcs.reserve(reader.count() as usize);
                self.ctx.func_types.reserve(reader.count() as usize);
                for ty in reader {
                    let ty = ty?;
                    let placeholder = CompiledFunc {
                        type_index: ty,
                        frame: FrameShape::default(),
                        num_results: 0,
                        num_written: 0,
                        code_start: 0,
                        code_len: 0,
                    };
                    self.add_func(ty, FuncKind::Compiled(placeholder), offset)?;
                }
            }
            Payload::TableSection(reader) => {
                let offset = reader.range().start;
                let total = self.m.tables.len() as u64 + u64::from(reader.count());
                check("max_tables", total, lim.max_tables, offset)?;
                for table in reader {
                    let table = table?;
                    if let TableInit::Expr(_) = table.init {
                        return Err(Error::unsupported("function references", offset));
                    }
                    let d = self.table_decl(&table.ty, offset, None)?;
                    self.m.tables.push(d);
                }
            }
            Payload::MemorySection(reader) => {
                let offset = reader.range().start;
                for mem in reader {
                    let mem = mem?;
                    self.m.memory = Some(self.memory_decl(&mem, offset, None)?);
                }
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                let total = self.m.globals.len() as u64 + u64::from(reader.count());
                check("max_globals", total, lim.max_globals, offset)?;
                for g in reader {
                    let g = g?;
                    let ty = ValType::from_wasmparser(g.ty.content_type, offset)?;
                    self.m.globals.push(GlobalDecl {
                        ty,
                        mutable: g.ty.mutable,
                        init: const_expr(&g.init_expr)?,
                        import: None,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                let offset = reader.range().start;
                check(
                    "max_exports",
                    u64::from(reader.count()),
                    lim.max_exports,
                    offset,
                )?;
                for e in reader {
                    let e = e?;
                    let kind = match e.kind {
                        ExternalKind::Func => ExternKind::Func,
                        ExternalKind::Table => ExternKind::Table,
                        ExternalKind::Memory => ExternKind::Memory,
                        ExternalKind::Global => ExternKind::Global,
                        _ => return Err(Error::unsupported("exception handling", offset)),
                    };
                    self.m.exports.insert(
                        e.name.into(),
                        Export {
                            kind,
                            index: e.index,
                        },
                    );
                }
            }
            Payload::StartSection { func, .. } => self.m.start = Some(func),
            Payload::CodeSectionStart { size, .. } => {
                // The module's code arena, sized once from the section (0.24 to 0.4 IR
                // instructions per code byte on the benchmark modules): no regrowth
                // copies of a multi-megabyte arena. `size` is bounded by
                // `max_code_size` (checked before parsing).
                self.code_arena.reserve(size as usize / 3);
            }
            Payload::ElementSection(reader) => {
                let offset = reader.range().start;
                check(
                    "max_element_segments",
                    u64::from(reader.count()),
                    lim.max_element_segments,
                    offset,
                )?;
                for el in reader {
                    let el = el?;
                    let mode = match el.kind {
                        ElementKind::Passive => ElementMode::Passive,
                        ElementKind::Declared => ElementMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElementMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let (ty, items) = match el.items {
                        ElementItems::Functions(r) => {
                            let items = r
                                .into_iter()
                                .map(|f| f.map(ConstExpr::RefFunc).map_err(Error::from))
                                .collect::<Result<Vec<_>, _>>()?;
                            (ValType::FuncRef, items)
                        }
                        ElementItems::Expressions(rt, r) => {
                            let ty = ref_ty(rt, offset)?;
                            let items = r
                                .into_iter()
                                .map(|e| const_expr(&e?))
                                .collect::<Result<Vec<_>, _>>()?;
                            (ty, items)
                        }
                    };
                    self.m.elements.push(ElementSegment { mode, ty, items });
                }
            }
            Payload::DataCountSection { count, range } => {
                check(
                    "max_data_segments",
                    u64::from(count),
                    lim.max_data_segments,
                    range.start,
                )?;
            }
            Payload::DataSection(reader) => {
                let offset = reader.range().start;
                check(
                    "max_data_segments",
                    u64::from(reader.count()),
                    lim.max_data_segments,
                    offset,
                )?;
                for d in reader {
                    let d = d?;
                    let mode = match d.kind {
                        DataKind::Passive => DataMode::Passive,
                        DataKind::Active { offset_expr, .. } => DataMode::Active {
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    self.m.datas.push(DataSegment {
                        mode,
                        bytes: d.data.into(),
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses, validates, checks limits and translates a whole module.
pub(crate) fn compile_module(config: &Config, wasm: &[u8]) -> Result<ModuleInner, Error> {
    check(
        "max_code_size",
        wasm.len() as u64,
        config.limits.max_code_size,
        0,
    )?;
    let mut validator = Validator::new_with_features(features());
    let mut parser = Parser::new(0);
    parser.set_features(features());
    let mut b = Builder {
        config,
        m: ModuleInner {
            types: Vec::new(),
            funcs: Vec::new(),
            num_imported_funcs: 0,
            tables: Vec::new(),
            memory: None,
            globals: Vec::new(),
            exports: BTreeMap::new(),
            imports: Vec::new(),
            start: None,
            elements: Vec::new(),
            datas: Vec::new(),
            schedule: config.schedule.clone(),
            metering: config.metering,
            limits: config.limits.clone(),
            max_call_depth: config.max_call_depth,
            max_stack_slots: config.max_stack_slots,
            code: Vec::new(),
            consts: Box::new([]),
            call_targets: Box::new([]),
        },
        ctx: ModuleCtx {
            types: Vec::new(),
            func_types: Vec::new(),
            num_imported_funcs: 0,
            schedule: config.schedule.clone(),
            metering: config.metering,
            limits: config.limits.clone(),
        },
        num_defined_funcs_seen: 0,
        allocs: FuncTranslatorAllocations::default(),
        code_arena: Vec::new(),
        consts_arena: Vec::new(),
        val_allocs: FuncValidatorAllocations::default(),
    };
    for payload in parser.parse_all(wasm) {
        match payload? {
            Payload::CodeSectionEntry(body) => b.function(&mut validator, &body)?,
            other => b.payload(&mut validator, other)?,
        }
    }
    b.m.types = core::mem::take(&mut b.ctx.types);
    b.m.code = core::mem::take(&mut b.code_arena);
    // `copy_consts` reads whole blocks and `copy_image` `SMALL_INIT` cells: a pool or
    // image at the end may be read up to `SMALL_INIT - 1` cells past it.
    let mut consts = core::mem::take(&mut b.consts_arena);
    const _: () = assert!(crate::exec::SMALL_INIT >= crate::exec::INIT_BLOCK);
    consts.extend([0; crate::exec::SMALL_INIT as usize - 1]);
    b.m.consts = consts.into_boxed_slice();
    b.m.call_targets = ModuleInner::call_targets_of(&b.m.funcs);
    Ok(b.m)
}
