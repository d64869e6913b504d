//! Module generators: wasm-smith configured to Metron's feature set, and [`fusion`]:
//! modules of the translator's fusion patterns next to labels.

use arbitrary::{Arbitrary, Unstructured};
use wasm_smith::{Config, Module};

/// Fuel inserted by `ensure_termination`: every loop iteration and call takes one unit;
/// the module traps (`unreachable`) when it is spent.
pub const TERMINATION_FUEL: u32 = 1_000;

/// wasm-smith configuration for Metron: WebAssembly 2.0 without SIMD (MVP, mutable
/// globals, sign extension, saturating float-to-int, multi-value, bulk memory,
/// reference types), NaNs canonicalized, everything exported, no imports, sizes within
/// Metron's default limits.
pub fn config() -> Config {
    Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        tail_call_enabled: false,
        memory64_enabled: false,
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        custom_descriptors_enabled: false,
        max_memories: 1,
        max_tables: 4,
        max_memory32_bytes: 16 << 16,
        // Metron clamps an absent maximum to `Limits::max_memory_pages` /
        // `max_table_elements` (a deliberate consensus limit: `memory.grow` past it
        // returns -1); reference engines do not. Declared maxima make both agree.
        memory_max_size_required: true,
        table_max_size_required: true,
        max_table_elements: 1000,
        max_imports: 0,
        max_funcs: 30,
        max_instructions: 300,
        canonicalize_nans: true,
        export_everything: true,
        min_funcs: 1,
        allow_start_export: true,
        ..Config::default()
    }
}

/// A module from `u` with [`config`], terminating after at most [`TERMINATION_FUEL`]
/// loop iterations and calls.
///
/// # Errors
/// When `u` runs out of data in a way wasm-smith cannot recover from.
pub fn module(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<u8>> {
    let mut m = Module::new(config(), u)?;
    // The fuel global is exported by export_everything; the module traps when it is 0.
    m.ensure_termination(TERMINATION_FUEL)
        .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    Ok(m.to_bytes())
}

/// The seed of the seeded runs (`tests/seeded.rs`, `metron-determinism`) unless one is
/// given: `"metron"` in ASCII.
pub const DEFAULT_SEED: u64 = 0x6d65_7472_6f6e;

/// Bytes per seeded input ([`seeded_inputs`]).
pub const SEEDED_INPUT_LEN: usize = 2048;

/// The next `n` bytes of the deterministic stream with state `state` (xorshift64*, the
/// top byte of each output; no RNG crate, the same on every platform).
pub fn stream_bytes(state: &mut u64, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| {
            *state ^= *state >> 12;
            *state ^= *state << 25;
            *state ^= *state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// The first `n` seeded inputs of stream `seed`: input `i` is the `i`-th run of
/// [`SEEDED_INPUT_LEN`] bytes of [`stream_bytes`] started at state `seed`, whether or not
/// it makes a module (the scheme of `tests/seeded.rs`, where `seed` is
/// `METRON_FUZZ_SEED ^ salt`).
pub fn seeded_inputs(seed: u64, n: u64) -> impl Iterator<Item = Vec<u8>> {
    let mut state = seed;
    (0..n).map(move |_| stream_bytes(&mut state, SEEDED_INPUT_LEN))
}

/// The first `n` seeded modules of stream `seed` ([`seeded_inputs`] through [`module`]):
/// `None` for an input that makes no module.
pub fn seeded_modules(seed: u64, n: u64) -> impl Iterator<Item = Option<Vec<u8>>> {
    seeded_inputs(seed, n).map(|data| module(&mut Unstructured::new(&data)).ok())
}

/// Edge-case operands for single-instruction tests: min/max integers, ±0, ±1,
/// subnormals, infinities, NaN payloads (quiet, signalling, negative), shift counts at
/// and beyond the bit width.
pub fn i32_edges() -> &'static [i32] {
    &[
        0,
        1,
        -1,
        2,
        31,
        32,
        33,
        63,
        64,
        i32::MIN,
        i32::MAX,
        i32::MIN + 1,
        0x7f,
        0x80,
        0xff,
        0x8000,
    ]
}

/// See [`i32_edges`].
pub fn i64_edges() -> &'static [i64] {
    &[
        0,
        1,
        -1,
        31,
        32,
        63,
        64,
        65,
        i64::MIN,
        i64::MAX,
        i64::MIN + 1,
        i32::MIN as i64,
        i32::MAX as i64,
        u32::MAX as i64,
        0x8000_0000,
    ]
}

/// See [`i32_edges`]; raw bits.
pub fn f32_edges() -> &'static [u32] {
    &[
        0x0000_0000, // +0
        0x8000_0000, // -0
        0x0000_0001, // smallest subnormal
        0x807f_ffff, // largest negative subnormal
        0x3f80_0000, // 1
        0xbf80_0000, // -1
        0x7f7f_ffff, // max
        0x7f80_0000, // +inf
        0xff80_0000, // -inf
        0x7fc0_0000, // canonical NaN
        0xffc0_0000, // negative NaN
        0x7fa0_0001, // signalling NaN with payload
        0x4f00_0000, // 2^31
        0xcf00_0000, // -2^31
        0x5f00_0000, // 2^63
        0x3f00_0000, // 0.5
        0x3fc0_0000, // 1.5
    ]
}

/// See [`i32_edges`]; raw bits.
pub fn f64_edges() -> &'static [u64] {
    &[
        0x0000_0000_0000_0000,
        0x8000_0000_0000_0000,
        0x0000_0000_0000_0001,
        0x800f_ffff_ffff_ffff,
        0x3ff0_0000_0000_0000,
        0xbff0_0000_0000_0000,
        0x7fef_ffff_ffff_ffff,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0xfff8_0000_0000_0000,
        0x7ff4_0000_0000_0001,
        0x41e0_0000_0000_0000, // 2^31
        0xc1e0_0000_0000_0000, // -2^31
        0x43e0_0000_0000_0000, // 2^63
        0x3fe0_0000_0000_0000, // 0.5
        0x4004_0000_0000_0000, // 2.5
    ]
}

/// A random module (for `Arbitrary`-driven targets that want a typed input).
#[derive(Debug)]
pub struct MetronModule(pub Vec<u8>);

impl<'a> Arbitrary<'a> for MetronModule {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        module(u).map(MetronModule)
    }
}

/// Modules built around the translator's fusions next to labels ([`fusion::wat()`]): the
/// code just before and after a block's `end`, an `else`, a loop header or a branch,
/// where with metering off no gas charge separates a fused instruction from the label.
pub mod fusion {
    use std::fmt::Write as _;

    use arbitrary::{Result, Unstructured};

    /// Number of exported `i32` globals (`g0`..) and `i64` globals (`h0`..).
    const I32_GLOBALS: u32 = 3;
    const I64_GLOBALS: u32 = 2;
    /// Local layout of every function: `i32` locals 0..=4 (the first 0-2 are
    /// parameters), `i64` locals 5..=6, `f64` locals 7..=8, the loop fuel 9.
    const I32_LOCALS: u32 = 5;
    const I64_FIRST: u32 = 5;
    const F64_FIRST: u32 = 7;
    const FUEL: u32 = 9;
    /// Constants drawn from a small pool, so that a `local.set` of a constant the local
    /// already holds (dropped by the translator) happens often.
    const I32_POOL: [i32; 8] = [0, 1, -1, 2, 7, 255, 0x8000, i32::MIN];

    /// A label in scope: its name, whether it carries an `i32`, whether it is a loop.
    #[derive(Clone)]
    struct Label {
        name: String,
        value: bool,
        is_loop: bool,
    }

    /// The state of one function's generation: the WAT written so far and the labels
    /// in scope.
    struct Gen<'a, 'b> {
        u: &'a mut Unstructured<'b>,
        out: String,
        indent: usize,
        labels: Vec<Label>,
        next_label: u32,
        /// Statements left in this function (bounds the size).
        budget: u32,
        /// Parameter counts of the functions before this one (callable: no recursion).
        callees: Vec<u32>,
        /// The second half of a split pair ([`Gen::split`]), written right after the
        /// next label.
        pending: Option<String>,
    }

    impl Gen<'_, '_> {
        fn line(&mut self, s: &str) {
            for _ in 0..self.indent {
                self.out.push_str("  ");
            }
            self.out.push_str(s);
            self.out.push('\n');
        }

        fn i32_local(&mut self) -> Result<u32> {
            self.u.int_in_range(0..=I32_LOCALS - 1)
        }

        fn i64_local(&mut self) -> Result<u32> {
            Ok(I64_FIRST + self.u.int_in_range(0..=1)?)
        }

        fn f64_local(&mut self) -> Result<u32> {
            Ok(F64_FIRST + self.u.int_in_range(0..=1)?)
        }

        fn global(&mut self) -> Result<u32> {
            self.u.int_in_range(0..=I32_GLOBALS - 1)
        }

        fn i64_global(&mut self) -> Result<u32> {
            Ok(I32_GLOBALS + self.u.int_in_range(0..=I64_GLOBALS - 1)?)
        }

        fn small(&mut self) -> Result<i32> {
            Ok(match self.u.int_in_range(0..=3)? {
                0 => *self.u.choose(&I32_POOL)?,
                1 => self.u.int_in_range(-8..=8)?,
                2 => self.u.int_in_range(0..=4096)?,
                _ => self.u.arbitrary()?,
            })
        }

        /// An `i32` operand: a local, a constant or a global.
        fn operand(&mut self) -> Result<String> {
            Ok(match self.u.int_in_range(0..=5)? {
                0 => format!("i32.const {}", self.small()?),
                1 => format!("global.get {}", self.global()?),
                _ => format!("local.get {}", self.i32_local()?),
            })
        }

        /// An `i32` value for a label's end or a block's or loop's parameter: often
        /// computed by an instruction the translator may fuse with what follows the
        /// label (`i32.add` of a constant, `global.get; i32.sub`, a binary operator,
        /// a load).
        fn value(&mut self) -> Result<String> {
            let a = self.i32_local()?;
            Ok(match self.u.int_in_range(0..=5)? {
                0 => self.operand()?,
                1 | 2 => format!("local.get {a} i32.const {} i32.add", self.small()?),
                3 => format!(
                    "global.get {} i32.const {} i32.sub",
                    self.global()?,
                    self.u.int_in_range(0..=64)? * 8
                ),
                4 => {
                    let op = self.i32_binop()?;
                    format!("local.get {a} {} {op}", self.operand()?)
                }
                _ => format!("{} i32.load offset={}", self.address()?, self.offset()?),
            })
        }

        /// A memory address, masked into the first 32 KiB (8-aligned), or (rarely)
        /// unmasked, which may trap.
        fn address(&mut self) -> Result<String> {
            let l = self.i32_local()?;
            Ok(if self.u.ratio(1, 12)? {
                format!("local.get {l}")
            } else {
                format!("local.get {l} i32.const 0x7ff8 i32.and")
            })
        }

        fn offset(&mut self) -> Result<u32> {
            Ok(*self.u.choose(&[0, 0, 1, 4, 8, 16, 64])?)
        }

        fn i32_binop(&mut self) -> Result<&'static str> {
            Ok(*self.u.choose(&[
                "i32.add",
                "i32.add",
                "i32.sub",
                "i32.mul",
                "i32.and",
                "i32.or",
                "i32.xor",
                "i32.shl",
                "i32.shr_u",
                "i32.shr_s",
                "i32.rotl",
                "i32.rotr",
                "i32.lt_u",
                "i32.lt_s",
                "i32.gt_u",
                "i32.eq",
                "i32.ne",
            ])?)
        }

        fn i64_binop(&mut self) -> Result<&'static str> {
            Ok(*self.u.choose(&[
                "i64.add",
                "i64.add",
                "i64.sub",
                "i64.mul",
                "i64.and",
                "i64.or",
                "i64.xor",
                "i64.shl",
                "i64.shr_u",
                "i64.rotl",
            ])?)
        }

        /// An `i32` condition, often one the translator fuses into the branch (a
        /// compare, `eqz`, a load tested for zero) or a counter bumped and tested.
        fn cond(&mut self) -> Result<String> {
            let a = self.i32_local()?;
            Ok(match self.u.int_in_range(0..=8)? {
                0 => format!("local.get {a}"),
                1 => format!("local.get {a} i32.eqz"),
                2 => format!("local.get {a} i32.const {} i32.lt_u", self.small()?),
                3 => format!("local.get {a} local.get {} i32.ne", self.i32_local()?),
                4 => format!("local.get {a} i32.const {} i32.and", self.small()?),
                5 => format!(
                    "{} i32.load offset={} i32.eqz",
                    self.address()?,
                    self.offset()?
                ),
                6 => format!(
                    "local.get {a} i32.const {} i32.add local.tee {a}",
                    self.small()?
                ),
                7 => format!("global.get {}", self.global()?),
                _ => format!("{} i32.load8_u offset={}", self.address()?, self.offset()?),
            })
        }

        /// One stack-neutral statement of a few simple instructions: the writes and
        /// pairs the translator fuses or retargets.
        fn simple(&mut self) -> Result<()> {
            self.budget = self.budget.saturating_sub(1);
            let a = self.i32_local()?;
            let b = self.i32_local()?;
            let g = self.global()?;
            let k = self.small()?;
            let s = match self.u.int_in_range(0..=23)? {
                0 | 1 => format!("local.get {a} global.set {g}"),
                2 => format!("global.get {g} local.set {a}"),
                3 => format!("local.get {a} i32.const {k} i32.add local.set {b}"),
                4 => {
                    let op = self.i32_binop()?;
                    format!("local.get {a} {} {op} local.set {b}", self.operand()?)
                }
                5 => {
                    let op = self.i32_binop()?;
                    format!(
                        "{} local.get {b} {op} local.tee {a} global.set {g}",
                        self.operand()?
                    )
                }
                6 => format!("local.get {a} i32.const {k} i32.add global.set {g}"),
                7 => format!(
                    "global.get {g} i32.const {} i32.sub local.tee {a} global.set {g}",
                    self.u.int_in_range(0..=64)? * 8
                ),
                8 => {
                    let store = *self.u.choose(&["i32.store", "i32.store8", "i32.store16"])?;
                    format!(
                        "{} local.get {b} {store} offset={}",
                        self.address()?,
                        self.offset()?
                    )
                }
                9 => {
                    let load = *self
                        .u
                        .choose(&["i32.load", "i32.load8_u", "i32.load16_u"])?;
                    format!(
                        "{} {load} offset={} local.set {b}",
                        self.address()?,
                        self.offset()?
                    )
                }
                10 => format!(
                    "{} {} i32.load8_u offset={} i32.store8 offset={}",
                    self.address()?,
                    self.address()?,
                    self.offset()?,
                    self.offset()?
                ),
                11 => format!(
                    "local.get {a} local.set {b} local.get {} local.set {}",
                    self.i32_local()?,
                    self.i32_local()?
                ),
                12 => format!("i32.const {} local.set {a}", self.u.choose(&I32_POOL)?),
                13 => format!("global.get {g} local.tee {a} global.set {}", self.global()?),
                14 => format!("local.get {a} local.tee {b} global.set {g}"),
                15 => format!(
                    "local.get {a} i32.const {} i32.and local.get {b} i32.add local.set {}",
                    k,
                    self.i32_local()?
                ),
                16 => format!(
                    "local.get {a} local.get {b} {} i32.const {k} i32.lt_u select local.set {}",
                    self.operand()?,
                    self.i32_local()?
                ),
                17 => format!(
                    "local.get {a} i32.const {} i32.rotl local.get {b} i32.xor local.set {a}",
                    self.u.int_in_range(0..=40)?
                ),
                18 => {
                    let (x, y) = (self.i64_local()?, self.i64_local()?);
                    let op = self.i64_binop()?;
                    format!(
                        "local.get {x} local.get {y} {op} local.set {}",
                        self.i64_local()?
                    )
                }
                19 => {
                    let x = self.i64_local()?;
                    match self.u.int_in_range(0..=3)? {
                        0 => format!("local.get {a} i64.extend_i32_u local.get {x} i64.add local.set {x}"),
                        1 => format!(
                            "local.get {x} i64.const {} i64.shr_u local.get {} i64.xor local.set {x}",
                            self.u.int_in_range(0..=70)?,
                            self.i64_local()?
                        ),
                        2 => format!("local.get {x} global.set {}", self.i64_global()?),
                        _ => format!("global.get {} local.set {x}", self.i64_global()?),
                    }
                }
                20 => {
                    let x = self.i64_local()?;
                    if self.u.arbitrary()? {
                        format!(
                            "{} local.get {x} i64.store offset={}",
                            self.address()?,
                            self.offset()?
                        )
                    } else {
                        format!(
                            "{} i64.load offset={} local.set {x}",
                            self.address()?,
                            self.offset()?
                        )
                    }
                }
                21 => {
                    // Bounded float arithmetic (|f| stays below 2^33: no infinity, no
                    // NaN, so results compare bit for bit with any engine).
                    let f = self.f64_local()?;
                    let c = *self.u.choose(&["0.5", "-0.5", "0.25"])?;
                    format!(
                        "local.get {} f64.const {c} f64.mul local.get {a} f64.convert_i32_s f64.add local.set {f}",
                        self.f64_local()?
                    )
                }
                22 => {
                    if self.u.arbitrary()? {
                        format!(
                            "{} local.get {} f64.store offset={}",
                            self.address()?,
                            self.f64_local()?,
                            self.offset()?
                        )
                    } else {
                        format!(
                            "{} {} f64.load offset={} f64.store offset={}",
                            self.address()?,
                            self.address()?,
                            self.offset()?,
                            self.offset()?
                        )
                    }
                }
                _ if !self.callees.is_empty() => {
                    let f = self.u.int_in_range(0..=self.callees.len() - 1)?;
                    let args = [a, b][..self.callees[f] as usize]
                        .iter()
                        .map(|l| format!("local.get {l} "))
                        .collect::<String>();
                    format!(
                        "{args}call {f} local.set {} local.set {} local.set {}",
                        self.i64_local()?,
                        self.i32_local()?,
                        self.i32_local()?
                    )
                }
                _ => format!("local.get {a} drop"),
            };
            self.line(&s);
            Ok(())
        }

        /// The first half of a pair the translator may fuse or rewrite (a producer
        /// retargeted to a local, then a `global.set` of that local; a constant set
        /// twice; two adds; a store then a load; two copies), written now, right before
        /// a label; the second half waits in `pending` until right after it
        /// ([`Gen::flush`]), so that a branch to the label must still find it there.
        fn split(&mut self) -> Result<()> {
            self.flush();
            self.budget = self.budget.saturating_sub(1);
            let a = self.i32_local()?;
            let b = self.i32_local()?;
            let g = self.global()?;
            let k = self.small()?;
            let (first, second) = match self.u.int_in_range(0..=8)? {
                0 | 1 => (
                    format!(
                        "global.get {g} i32.const {} i32.sub local.set {a}",
                        self.u.int_in_range(0..=64)? * 8
                    ),
                    format!("local.get {a} global.set {g}"),
                ),
                2 => (
                    format!("global.get {g} i32.const {k} i32.sub local.tee {a} drop"),
                    format!("local.get {a} global.set {g}"),
                ),
                3 => (
                    format!("local.get {b} i32.const {k} i32.add local.set {a}"),
                    format!("local.get {a} global.set {g}"),
                ),
                4 => {
                    let op = self.i32_binop()?;
                    (
                        format!("local.get {b} {} {op} local.set {a}", self.operand()?),
                        format!("local.get {a} global.set {g}"),
                    )
                }
                5 => {
                    let c = format!("i32.const {} local.set {a}", self.u.choose(&I32_POOL)?);
                    (c.clone(), c)
                }
                6 => (
                    format!("local.get {b} i32.const {k} i32.add local.set {a}"),
                    format!(
                        "local.get {a} i32.const {} i32.add local.tee {a} global.set {g}",
                        self.small()?
                    ),
                ),
                7 => {
                    let addr = self.address()?;
                    let off = self.offset()?;
                    (
                        format!("{addr} local.get {b} i32.store offset={off}"),
                        format!("{addr} i32.load offset={off} local.set {a}"),
                    )
                }
                _ => (
                    format!("local.get {b} local.set {a}"),
                    format!("local.get {} local.set {b}", self.i32_local()?),
                ),
            };
            self.line(&first);
            self.pending = Some(second);
            Ok(())
        }

        /// Writes the pending second half of a split pair, if any.
        fn flush(&mut self) {
            if let Some(s) = self.pending.take() {
                self.line(&s);
            }
        }

        /// 0-3 simple statements (the code right before or after a label).
        fn simples(&mut self, min: u32) -> Result<()> {
            let n = self.u.int_in_range(min..=3)?;
            for _ in 0..n {
                self.simple()?;
            }
            Ok(())
        }

        /// An index of a block or `if` label in scope (never a loop: branches back are
        /// only the fuel-guarded ones), preferring the innermost.
        fn target(&mut self, value: Option<bool>) -> Result<Option<usize>> {
            let ok: Vec<usize> = (0..self.labels.len())
                .filter(|&i| {
                    let l = &self.labels[i];
                    !l.is_loop && value.is_none_or(|v| v == l.value)
                })
                .collect();
            if ok.is_empty() {
                return Ok(None);
            }
            // Innermost more often: a branch to the end just ahead.
            let pick = if self.u.ratio(1, 2)? {
                ok.len() - 1
            } else {
                self.u.int_in_range(0..=ok.len() - 1)?
            };
            Ok(Some(ok[pick]))
        }

        /// A conditional branch to an enclosing end (with a value when the label
        /// carries one, dropped or kept in a local when not taken).
        fn br_if(&mut self) -> Result<()> {
            let Some(t) = self.target(None)? else {
                return Ok(());
            };
            let l = self.labels[t].clone();
            let c = self.cond()?;
            if l.value {
                let v = self.operand()?;
                let after = if self.u.arbitrary()? {
                    "drop".to_string()
                } else {
                    format!("local.set {}", self.i32_local()?)
                };
                self.line(&format!("{v} {c} br_if {} {after}", l.name));
            } else {
                self.line(&format!("{c} br_if {}", l.name));
            }
            Ok(())
        }

        /// The last statement of a sequence that leaves it: `br`, `br_table` or
        /// `return`. Returns whether it emitted one.
        fn exit(&mut self) -> Result<bool> {
            match self.u.int_in_range(0..=5)? {
                0 | 1 => {
                    let Some(t) = self.target(None)? else {
                        return Ok(false);
                    };
                    let l = self.labels[t].clone();
                    let v = if l.value {
                        self.operand()? + " "
                    } else {
                        String::new()
                    };
                    self.line(&format!("{v}br {}", l.name));
                }
                2 | 3 => {
                    let value = self.u.arbitrary()?;
                    let Some(d) = self.target(Some(value))? else {
                        return Ok(false);
                    };
                    let n = self.u.int_in_range(1..=4)?;
                    let mut names = Vec::new();
                    for _ in 0..n {
                        let t = self.target(Some(value))?.unwrap_or(d);
                        names.push(self.labels[t].name.clone());
                    }
                    names.push(self.labels[d].name.clone());
                    let v = if value {
                        self.operand()? + " "
                    } else {
                        String::new()
                    };
                    let index = if self.u.arbitrary()? {
                        format!("local.get {} i32.const 7 i32.and", self.i32_local()?)
                    } else {
                        self.operand()?
                    };
                    self.line(&format!("{v}{index} br_table {}", names.join(" ")));
                }
                4 => {
                    let (r1, r2) = (self.i32_local()?, self.i64_local()?);
                    self.line(&format!("local.get 0 local.get {r1} local.get {r2} return"));
                }
                _ => return Ok(false),
            }
            Ok(true)
        }

        /// A sequence of statements: simple statements around nested blocks, loops,
        /// `if`s and branches, ending (often) with 1-3 simple statements after a branch
        /// to this sequence's own end, or with a `br`/`br_table` out. Returns whether
        /// the end is reachable by falling through.
        fn seq(&mut self, depth: u32) -> Result<bool> {
            let n = self.u.int_in_range(1..=4)?;
            for _ in 0..n {
                if self.budget == 0 {
                    break;
                }
                self.simples(0)?;
                match self.u.int_in_range(0..=6)? {
                    0 | 1 if depth > 0 => self.block(depth - 1)?,
                    2 if depth > 0 => self.loop_(depth - 1)?,
                    3 if depth > 0 => self.if_(depth - 1)?,
                    _ => self.br_if()?,
                }
            }
            // The code right before the end: a branch to it, then a few simple
            // instructions the branch jumps over; or a way out.
            if self.u.ratio(3, 4)? {
                self.br_if()?;
                self.simples(1)?;
            }
            if self.u.ratio(1, 2)? {
                self.split()?;
            }
            if self.u.ratio(1, 4)? && self.exit()? {
                return Ok(false);
            }
            Ok(true)
        }

        fn open(&mut self, value: bool, is_loop: bool) -> String {
            let name = format!("$l{}", self.next_label);
            self.next_label += 1;
            self.labels.push(Label {
                name: name.clone(),
                value,
                is_loop,
            });
            self.indent += 1;
            name
        }

        /// `end`, then the pending half of a split pair.
        fn close(&mut self) {
            self.labels.pop();
            self.indent -= 1;
            self.line("end");
            self.flush();
        }

        /// What consumes a block's `i32` result right after its `end`.
        fn consume(&mut self) -> Result<()> {
            let s = match self.u.int_in_range(0..=4)? {
                0 => format!("local.set {}", self.i32_local()?),
                1 | 4 => format!("global.set {}", self.global()?),
                2 => format!(
                    "local.tee {} global.set {}",
                    self.i32_local()?,
                    self.global()?
                ),
                _ => format!(
                    "i32.const {} i32.add local.set {}",
                    self.small()?,
                    self.i32_local()?
                ),
            };
            self.line(&s);
            Ok(())
        }

        fn block(&mut self, depth: u32) -> Result<()> {
            match self.u.int_in_range(0..=4)? {
                0 | 1 => {
                    let name = self.open(false, false);
                    self.line_at(-1, &format!("block {name}"));
                    self.seq(depth)?;
                    self.close();
                }
                2 | 3 => {
                    let name = self.open(true, false);
                    self.line_at(-1, &format!("block {name} (result i32)"));
                    if self.seq(depth)? {
                        let v = self.value()?;
                        self.line(&v);
                    }
                    self.close();
                    self.consume()?;
                }
                _ => {
                    // A block taking its operand as a parameter (multi-value); its
                    // result is the parameter, or a value computed at its end.
                    let v = self.value()?;
                    self.line(&v);
                    let name = self.open(true, false);
                    self.line_at(-1, &format!("block {name} (param i32) (result i32)"));
                    if self.seq(depth)? && self.u.arbitrary()? {
                        let v = self.value()?;
                        self.line(&format!("drop {v}"));
                    }
                    self.close();
                    self.consume()?;
                }
            }
            self.simples(1)
        }

        /// A loop, sometimes taking an `i32` parameter that its first instruction
        /// consumes (a write right after the header, which the back edge jumps to).
        fn loop_(&mut self, depth: u32) -> Result<()> {
            let param = self.u.ratio(1, 3)?;
            if param {
                let v = self.value()?;
                self.line(&v);
            }
            if self.u.arbitrary()? {
                self.split()?;
            }
            let name = self.open(param, true);
            let ty = if param { " (param i32)" } else { "" };
            self.line_at(-1, &format!("loop {name}{ty}"));
            self.flush();
            if param {
                self.consume()?;
            }
            self.simples(0)?;
            let reachable = self.seq(depth)?;
            if reachable {
                // The back edge, guarded by the fuel (every function terminates).
                let c = self.cond()?;
                let (v, after) = if param {
                    (self.value()? + " ", " drop")
                } else {
                    (String::new(), "")
                };
                self.line(&format!(
                    "{v}local.get {FUEL} i32.const 1 i32.sub local.tee {FUEL} i32.const 0 i32.gt_s {c} i32.and br_if {name}{after}"
                ));
                self.simples(0)?;
            }
            self.close();
            self.simples(1)
        }

        fn if_(&mut self, depth: u32) -> Result<()> {
            let c = self.cond()?;
            let value = self.u.arbitrary()?;
            let name = self.open(value, false);
            let ty = if value { " (result i32)" } else { "" };
            self.line_at(-1, &format!("{c} if {name}{ty}"));
            if self.seq(depth)? && value {
                let v = self.value()?;
                self.line(&v);
            }
            if value || self.u.ratio(2, 3)? {
                self.line_at(-1, "else");
                self.flush();
                self.simples(0)?;
                if self.seq(depth)? && value {
                    let v = self.value()?;
                    self.line(&v);
                }
            }
            self.close();
            if value {
                self.consume()?;
            }
            self.simples(1)
        }

        fn line_at(&mut self, delta: isize, s: &str) {
            let saved = self.indent;
            self.indent = saved.saturating_add_signed(delta);
            self.line(s);
            self.indent = saved;
        }
    }

    /// A module in WAT of 1-3 exported functions `(param i32 ...) (result i32 i32 i64)`
    /// over five `i32` locals, two `i64`, two `f64`, three exported `i32` globals, two
    /// `i64` globals and one exported page of memory. The bodies nest blocks (some with
    /// an `i32` result or parameter), loops and `if`/`else` up to three deep, and put
    /// the instruction patterns the translator fuses or retargets (`local.get;
    /// global.set`, `local.tee`, `local.set` of a computed value or of a constant,
    /// arithmetic then store, load then branch, byte and word copies, `global.get;
    /// i32.sub; local.tee; global.set`, compare-and-branch conditions) right before and
    /// after `end`, `else`, `br_if`, `br_table` and `br`, with branches to those ends
    /// (`br_if` to the end just ahead, jumping over the last few instructions). Loops
    /// branch back only while a fuel local lasts, so every call terminates; floats stay
    /// finite, so no NaN is ever produced.
    ///
    /// # Errors
    /// Never in practice (an exhausted `u` yields its minimum choices).
    pub fn wat(u: &mut Unstructured<'_>) -> Result<String> {
        let mut out = String::from("(module\n  (memory (export \"mem\") 1 1)\n");
        for i in 0..I32_GLOBALS {
            let v: i32 = u.int_in_range(-4..=300)?;
            let _ = writeln!(
                out,
                "  (global (export \"g{i}\") (mut i32) (i32.const {v}))"
            );
        }
        for i in 0..I64_GLOBALS {
            let v: i64 = u.arbitrary()?;
            let _ = writeln!(
                out,
                "  (global (export \"h{i}\") (mut i64) (i64.const {v}))"
            );
        }
        let data: Vec<u8> = (0..u.int_in_range(0..=32)?)
            .map(|_| u.arbitrary())
            .collect::<Result<_>>()?;
        let esc: String = data.iter().map(|b| format!("\\{b:02x}")).collect();
        let _ = writeln!(out, "  (data (i32.const 0) \"{esc}\")");
        let funcs = u.int_in_range(1..=3)?;
        let mut next_label = 0;
        let mut callees = Vec::new();
        for f in 0..funcs {
            let params = u.int_in_range(0..=2)?;
            let mut g = Gen {
                u: &mut *u,
                out: String::new(),
                indent: 2,
                labels: Vec::new(),
                next_label,
                budget: 40,
                callees: callees.clone(),
                pending: None,
            };
            let ps = match params {
                0 => String::new(),
                n => format!(" (param{})", " i32".repeat(n as usize)),
            };
            g.line_at(
                -1,
                &format!("(func (export \"f{f}\"){ps} (result i32 i32 i64)"),
            );
            let locals = " i32".repeat((I32_LOCALS - params) as usize);
            g.line(&format!("(local{locals} i64 i64 f64 f64 i32)"));
            // Fuel for the loops' back edges, and starting values.
            let fuel = g.u.int_in_range(4..=24)?;
            g.line(&format!("i32.const {fuel} local.set {FUEL}"));
            for l in params..I32_LOCALS {
                let s = match g.u.int_in_range(0..=2)? {
                    0 => format!("global.get {} local.set {l}", g.global()?),
                    _ => format!("i32.const {} local.set {l}", g.small()?),
                };
                g.line(&s);
            }
            let x = g.i64_local()?;
            let v: i64 = g.u.arbitrary()?;
            g.line(&format!("i64.const {v} local.set {x}"));
            let depth = g.u.int_in_range(1..=3)?;
            let reachable = g.seq(depth)?;
            g.flush();
            if reachable {
                let (r1, r2) = (g.i32_local()?, g.i64_local()?);
                g.line(&format!("local.get 0 local.get {r1} local.get {r2}"));
            }
            g.line_at(-1, ")");
            next_label = g.next_label;
            out.push_str(&g.out);
            callees.push(params);
        }
        out.push_str(")\n");
        Ok(out)
    }

    /// [`wat()`], assembled.
    ///
    /// # Errors
    /// As [`wat()`].
    ///
    /// # Panics
    /// If the generated text does not assemble (a generator bug).
    pub fn module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
        let text = wat(u)?;
        Ok(wat::parse_str(&text).unwrap_or_else(|e| panic!("generated WAT: {e}\n{text}")))
    }
}
