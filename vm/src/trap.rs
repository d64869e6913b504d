//! Traps: the closed set of ways a WebAssembly execution can abort.
//!
//! [`TrapKind`] is what enters consensus (receipts map it to a code); the optional
//! message of a [`Trap`] (host error text, or a more specific spec-suite wording) is for
//! people only and is never hashed.

use core::fmt;

/// The kind of a trap. Closed: every trap the VM can raise is one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrapKind {
    /// `unreachable` was executed.
    Unreachable,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed integer division overflow (`INT_MIN / -1`).
    IntegerOverflow,
    /// A trapping float-to-int truncation of NaN or an out-of-range value.
    InvalidConversionToInteger,
    /// A memory access (load, store, bulk op, segment init) outside linear memory.
    MemoryOutOfBounds,
    /// A table access (get/set/bulk op, segment init, `call_indirect` index) outside a table.
    TableOutOfBounds,
    /// `call_indirect` found a function whose type differs from the expected one.
    IndirectCallTypeMismatch,
    /// A null reference was dereferenced.
    NullReference,
    /// `call_indirect` found a null table element.
    UninitializedElement,
    /// The call depth or value-stack limit was reached.
    CallStackExhausted,
    /// The gas meter ran out.
    OutOfGas,
    /// A host function returned an error (see [`Trap::message`]).
    Host,
}

impl TrapKind {
    /// The spec-suite wording of this trap (`"integer divide by zero"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::NullReference => "null reference",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::CallStackExhausted => "call stack exhausted",
            TrapKind::OutOfGas => "out of gas",
            TrapKind::Host => "host error",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trap: a [`TrapKind`] plus an optional human-readable message.
///
/// One machine word (boxed inner) so that `Result<T, Trap>` stays small on hot paths.
pub struct Trap {
    inner: Box<TrapInner>,
}

struct TrapInner {
    kind: TrapKind,
    message: Option<Box<str>>,
}

impl Trap {
    /// A trap of `kind` without a message.
    #[cold]
    #[inline(never)]
    pub fn new(kind: TrapKind) -> Trap {
        Trap {
            inner: Box::new(TrapInner {
                kind,
                message: None,
            }),
        }
    }

    /// A trap of `kind` with a message (for people; never part of consensus).
    #[cold]
    #[inline(never)]
    pub fn with_message(kind: TrapKind, message: impl Into<String>) -> Trap {
        Trap {
            inner: Box::new(TrapInner {
                kind,
                message: Some(message.into().into_boxed_str()),
            }),
        }
    }

    /// A [`TrapKind::Host`] trap carrying the host's message.
    #[cold]
    #[inline(never)]
    pub fn host(message: impl Into<String>) -> Trap {
        Trap::with_message(TrapKind::Host, message)
    }

    /// The kind of this trap.
    pub fn kind(&self) -> TrapKind {
        self.inner.kind
    }

    /// The message: the host's error text for [`TrapKind::Host`], or a more specific
    /// wording for some other kinds (e.g. `"undefined element"` for an out-of-range
    /// `call_indirect`). `None` when the kind says it all.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
}

impl From<TrapKind> for Trap {
    #[cold]
    fn from(kind: TrapKind) -> Trap {
        Trap::new(kind)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.inner.kind, self.message()) {
            (TrapKind::Host, Some(msg)) => write!(f, "host error: {msg}"),
            (_, Some(msg)) => f.write_str(msg),
            (kind, None) => f.write_str(kind.as_str()),
        }
    }
}

impl fmt::Debug for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trap")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .finish()
    }
}

impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_is_one_word() {
        assert_eq!(core::mem::size_of::<Trap>(), core::mem::size_of::<usize>());
        assert_eq!(
            core::mem::size_of::<Result<(), Trap>>(),
            core::mem::size_of::<usize>()
        );
        assert_eq!(core::mem::size_of::<TrapKind>(), 1);
    }

    #[test]
    fn display_matches_spec_wording() {
        assert_eq!(
            Trap::new(TrapKind::IntegerDivideByZero).to_string(),
            "integer divide by zero"
        );
        assert_eq!(
            Trap::new(TrapKind::MemoryOutOfBounds).to_string(),
            "out of bounds memory access"
        );
        assert_eq!(
            Trap::new(TrapKind::CallStackExhausted).to_string(),
            "call stack exhausted"
        );
        assert_eq!(Trap::new(TrapKind::OutOfGas).to_string(), "out of gas");
        let t = Trap::host("insufficient balance");
        assert_eq!(t.kind(), TrapKind::Host);
        assert_eq!(t.message(), Some("insufficient balance"));
        assert_eq!(t.to_string(), "host error: insufficient balance");
    }
}
