//! Value types, function types and extern kinds of the public API.

use crate::error::Error;

/// A WebAssembly value type supported by Metron (WebAssembly 2.0 without SIMD).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE float (carried as raw bits).
    F32,
    /// 64-bit IEEE float (carried as raw bits).
    F64,
    /// Nullable function reference.
    FuncRef,
    /// Nullable external reference.
    ExternRef,
}

impl ValType {
    /// Converts a wasmparser value type, rejecting anything outside the supported set.
    ///
    /// # Errors
    /// `Error::unsupported` when the type belongs to a rejected proposal (v128, typed refs).
    pub(crate) fn from_wasmparser(ty: wasmparser::ValType, offset: usize) -> Result<Self, Error> {
        use wasmparser::ValType as W;
        Ok(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => return Err(Error::unsupported("SIMD", offset)),
            W::Ref(r) => Self::from_ref_type(r, offset)?,
        })
    }

    /// Converts a wasmparser reference type (only nullable funcref/externref are supported).
    pub(crate) fn from_ref_type(r: wasmparser::RefType, offset: usize) -> Result<Self, Error> {
        if r == wasmparser::RefType::FUNCREF {
            Ok(ValType::FuncRef)
        } else if r == wasmparser::RefType::EXTERNREF {
            Ok(ValType::ExternRef)
        } else {
            Err(Error::unsupported("typed function references / GC", offset))
        }
    }

    /// True for `funcref` and `externref`.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }
}

impl core::fmt::Display for ValType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A function signature: parameter and result types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Parameters followed by results, in one allocation; `len_params` splits them.
    params_results: Box<[ValType]>,
    len_params: usize,
}

impl FuncType {
    /// Creates a function type from its parameter and result types.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        let mut v: Vec<ValType> = params.into_iter().collect();
        let len_params = v.len();
        v.extend(results);
        Self {
            params_results: v.into_boxed_slice(),
            len_params,
        }
    }

    /// The parameter types, in order.
    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.len_params]
    }

    /// The result types, in order.
    pub fn results(&self) -> &[ValType] {
        &self.params_results[self.len_params..]
    }
}

impl core::fmt::Display for FuncType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("(func")?;
        if !self.params().is_empty() {
            f.write_str(" (param")?;
            for p in self.params() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results().is_empty() {
            f.write_str(" (result")?;
            for r in self.results() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// The kind of an import or export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExternKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A linear memory.
    Memory,
    /// A global variable.
    Global,
}

impl core::fmt::Display for ExternKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn func_type_split_and_display() {
        let ty = FuncType::new([ValType::I32, ValType::I64], [ValType::F32]);
        assert_eq!(ty.params(), &[ValType::I32, ValType::I64]);
        assert_eq!(ty.results(), &[ValType::F32]);
        assert_eq!(ty.to_string(), "(func (param i32 i64) (result f32))");
    }
}
