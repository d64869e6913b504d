//! Load-time errors (parse, validation, unsupported features, limits).
//!
//! An [`Error`] is one word (a `Box` around the details) so `Result<T, Error>` stays cheap
//! on the hot translation path; constructors are `#[cold]`. `Display` reads like the
//! WebAssembly spec test suite: `type mismatch (at offset 0x1a)`.

use core::fmt;

/// Why a module was rejected at load time.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Malformed binary or failed validation; the message is wasmparser's (spec-suite style).
    Invalid(String),
    /// The module uses a WebAssembly feature outside Metron's set (e.g. `"SIMD"`).
    Unsupported {
        /// Human name of the proposal / feature.
        feature: &'static str,
    },
    /// A [`crate::Limits`] bound is exceeded.
    LimitExceeded {
        /// Name of the `Limits` field that was exceeded.
        limit: &'static str,
        /// The value found in the module.
        actual: u64,
        /// The configured maximum.
        max: u64,
    },
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    offset: Option<usize>,
}

/// A load-time error (one word: boxed details). See [`ErrorKind`].
#[derive(Debug)]
pub struct Error {
    inner: Box<Inner>,
}

impl Error {
    #[cold]
    #[inline(never)]
    fn new(kind: ErrorKind, offset: Option<usize>) -> Self {
        Self {
            inner: Box::new(Inner { kind, offset }),
        }
    }

    /// An invalid / malformed module error at byte `offset`.
    #[cold]
    pub(crate) fn invalid(message: impl Into<String>, offset: usize) -> Self {
        Self::new(ErrorKind::Invalid(message.into()), Some(offset))
    }

    /// A use of an unsupported feature at byte `offset`.
    #[cold]
    pub(crate) fn unsupported(feature: &'static str, offset: usize) -> Self {
        Self::new(ErrorKind::Unsupported { feature }, Some(offset))
    }

    /// A limit exceeded at byte `offset` (if known).
    #[cold]
    pub(crate) fn limit(limit: &'static str, actual: u64, max: u64, offset: Option<usize>) -> Self {
        Self::new(ErrorKind::LimitExceeded { limit, actual, max }, offset)
    }

    /// Converts a wasmparser error, naming the proposal when the error is a disabled feature.
    #[cold]
    pub(crate) fn from_wasmparser(e: wasmparser::BinaryReaderError) -> Self {
        let offset = e.offset();
        let msg = e.message();
        match feature_of_message(msg) {
            Some(feature) => Self::unsupported(feature, offset),
            None => Self::invalid(msg, offset),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Byte offset in the module binary, when known.
    pub fn offset(&self) -> Option<usize> {
        self.inner.offset
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    #[cold]
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Self::from_wasmparser(e)
    }
}

/// Maps wasmparser's "feature disabled" messages to the proposal's human name.
///
/// Operator-level proposals are caught earlier by the translator's visitor (which knows
/// each operator's proposal); this covers types, sections and memory/table declarations.
fn feature_of_message(msg: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("relaxed SIMD", "relaxed SIMD"),
        ("SIMD", "SIMD"),
        ("shared-everything-threads", "shared-everything threads"),
        ("shared memories", "threads"),
        ("threads support", "threads"),
        ("memory64", "memory64"),
        ("multiple memories", "multi-memory"),
        ("custom page sizes", "custom page sizes"),
        ("exception", "exception handling"),
        ("tail call", "tail calls"),
        ("function references", "function references"),
        ("gc feature", "GC"),
        ("requires gc", "GC"),
        ("gc support", "GC"),
        ("gc proposal", "GC"),
        ("custom descriptors", "custom descriptors"),
        ("stack switching", "stack switching"),
        ("wide arithmetic", "wide arithmetic"),
        (
            "non-constant operator: i32.add",
            "extended constant expressions",
        ),
        (
            "non-constant operator: i32.sub",
            "extended constant expressions",
        ),
        (
            "non-constant operator: i32.mul",
            "extended constant expressions",
        ),
        (
            "non-constant operator: i64.add",
            "extended constant expressions",
        ),
        (
            "non-constant operator: i64.sub",
            "extended constant expressions",
        ),
        (
            "non-constant operator: i64.mul",
            "extended constant expressions",
        ),
        ("component", "component model"),
    ];
    TABLE
        .iter()
        .find(|(needle, _)| msg.contains(needle))
        .map(|(_, name)| *name)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.kind {
            ErrorKind::Invalid(msg) => f.write_str(msg)?,
            ErrorKind::Unsupported { feature } => write!(f, "{feature} is not supported")?,
            ErrorKind::LimitExceeded { limit, actual, max } => {
                write!(f, "limit exceeded: {limit} is {max}, module needs {actual}")?
            }
        }
        if let Some(offset) = self.inner.offset {
            write!(f, " (at offset 0x{offset:x})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_word() {
        assert_eq!(core::mem::size_of::<Error>(), core::mem::size_of::<usize>());
        assert_eq!(
            core::mem::size_of::<Result<(), Error>>(),
            core::mem::size_of::<usize>()
        );
    }

    #[test]
    fn display_like_spec_suite() {
        assert_eq!(
            Error::invalid("type mismatch", 0x1a).to_string(),
            "type mismatch (at offset 0x1a)"
        );
        assert_eq!(
            Error::unsupported("SIMD", 0x2b).to_string(),
            "SIMD is not supported (at offset 0x2b)"
        );
        assert_eq!(
            Error::limit("max_functions", 10_001, 10_000, None).to_string(),
            "limit exceeded: max_functions is 10000, module needs 10001"
        );
    }

    #[test]
    fn maps_feature_messages() {
        assert_eq!(
            feature_of_message("SIMD support is not enabled"),
            Some("SIMD")
        );
        assert_eq!(
            feature_of_message("threads must be enabled for shared memories"),
            Some("threads")
        );
        assert_eq!(feature_of_message("type mismatch"), None);
    }
}
