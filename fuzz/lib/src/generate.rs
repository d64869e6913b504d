//! Module generators: wasm-smith configured to Metron's feature set.

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
