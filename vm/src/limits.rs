//! Static resource limits enforced when a module is loaded.
//!
//! Every limit is checked while parsing, before any allocation proportional to the
//! declared size, and fails with [`crate::ErrorKind::LimitExceeded`] naming the field.
//! Limits are part of consensus: changing a default changes which contracts deploy.

/// Load-time limits for contract modules. All counts are inclusive maxima.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum size of the whole module binary, in bytes. Default 512 KiB.
    pub max_code_size: u32,
    /// Maximum number of functions (imported + defined). Default 10 000.
    pub max_functions: u32,
    /// Maximum number of parameters of a function type. Default 128.
    pub max_params: u32,
    /// Maximum number of parameters plus declared locals of one function. Default 4096.
    pub max_locals: u32,
    /// Maximum number of results of any function type, and of parameters of a function
    /// type used as a block type: every branch label then carries at most this many
    /// values. Validating a branch costs one type check per carried value, so without
    /// a small bound a few bytes of `br_if` could cost thousands of checks (a 128 KiB
    /// body of `br_if`s carrying 1000 values took 1.2 µs per byte to load, 73x a
    /// typical module). Default 16.
    pub max_results: u32,
    /// Maximum label arity of a `br_table`: validating one costs (targets + 1) x arity
    /// type checks, one target per byte (30 000 targets carrying 1000 values: 8.9 µs
    /// per byte, 535x a typical module; carrying 2 values: 4.2x). Compilers emit
    /// `br_table`s that carry nothing or one value. Default 1.
    pub max_br_table_arity: u32,
    /// Maximum number of globals (imported + defined). Default 1000.
    pub max_globals: u32,
    /// Maximum number of tables (imported + defined). Default 16.
    pub max_tables: u32,
    /// Maximum table size in elements: initial sizes above it are rejected, declared
    /// maxima above it (or absent) are clamped to it. Default 10 000.
    pub max_table_elements: u32,
    /// Maximum memory size in 64 KiB pages: an initial size above it is rejected, a
    /// declared maximum above it (or absent) is clamped to it, so `memory.grow` past it
    /// returns -1 at runtime. Default 256 (16 MiB).
    pub max_memory_pages: u32,
    /// Maximum number of data segments. Default 1000.
    pub max_data_segments: u32,
    /// Maximum number of element segments. Default 1000.
    pub max_element_segments: u32,
    /// Maximum size of one function body, in bytes. Default 128 KiB.
    pub max_function_body_size: u32,
    /// Maximum number of types in the type section. Default 1000.
    pub max_types: u32,
    /// Maximum number of imports. Default 1000.
    pub max_imports: u32,
    /// Maximum number of exports. Default 1000.
    pub max_exports: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_code_size: 512 * 1024,
            max_functions: 10_000,
            max_params: 128,
            max_locals: 4096,
            max_results: 16,
            max_br_table_arity: 1,
            max_globals: 1000,
            max_tables: 16,
            max_table_elements: 10_000,
            max_memory_pages: 256,
            max_data_segments: 1000,
            max_element_segments: 1000,
            max_function_body_size: 128 * 1024,
            max_types: 1000,
            max_imports: 1000,
            max_exports: 1000,
        }
    }
}

/// Checks `actual <= max`, returning a limit error naming `limit` otherwise.
pub(crate) fn check(
    limit: &'static str,
    actual: u64,
    max: u32,
    offset: usize,
) -> Result<(), crate::Error> {
    if actual > u64::from(max) {
        Err(crate::Error::limit(
            limit,
            actual,
            u64::from(max),
            Some(offset),
        ))
    } else {
        Ok(())
    }
}
