//! Runtime values and their encoding in the interpreter's untyped 64-bit cells.
//!
//! The value stack, globals and tables hold `u64` cells (see `docs/ir.md`):
//! an `i32` is stored zero-extended, floats as raw IEEE-754 bits, references as the
//! function index / extern handle with [`NULL_REF`] for null.

use crate::types::ValType;

/// The cell encoding of a null reference (`ref.null func` / `ref.null extern`).
pub(crate) const NULL_REF: u64 = u64::MAX;

/// A WebAssembly value as seen by embedders and host functions.
///
/// Floats are carried as raw bits so that NaN payloads survive exactly (determinism:
/// no float ever passes through a native float register on its way in or out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A 32-bit integer (sign is interpretation).
    I32(i32),
    /// A 64-bit integer (sign is interpretation).
    I64(i64),
    /// A 32-bit float, as its IEEE-754 bit pattern.
    F32(u32),
    /// A 64-bit float, as its IEEE-754 bit pattern.
    F64(u64),
    /// A function reference: `Some(function index)` or `None` for null.
    FuncRef(Option<u32>),
    /// An external reference: `Some(host handle)` or `None` for null.
    ExternRef(Option<u32>),
}

impl Value {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::FuncRef(_) => ValType::FuncRef,
            Value::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The default (zero / null) value of type `ty`, as used for locals and table growth.
    pub fn default_of(ty: ValType) -> Value {
        Value::from_cell(ty, default_cell(ty))
    }

    /// Builds an `f32` value from a native float (bits are kept exactly).
    pub fn from_f32(f: f32) -> Value {
        Value::F32(f.to_bits())
    }

    /// Builds an `f64` value from a native float (bits are kept exactly).
    pub fn from_f64(f: f64) -> Value {
        Value::F64(f.to_bits())
    }

    /// The `i32` inside, if this is an `I32`.
    pub fn as_i32(&self) -> Option<i32> {
        match *self {
            Value::I32(v) => Some(v),
            _ => None,
        }
    }

    /// The `i64` inside, if this is an `I64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::I64(v) => Some(v),
            _ => None,
        }
    }

    /// Encodes this value as an untyped 64-bit cell.
    #[inline]
    pub(crate) fn to_cell(self) -> u64 {
        match self {
            Value::I32(v) => u64::from(v as u32),
            Value::I64(v) => v as u64,
            Value::F32(bits) => u64::from(bits),
            Value::F64(bits) => bits,
            Value::FuncRef(r) | Value::ExternRef(r) => ref_to_cell(r),
        }
    }

    /// Decodes an untyped cell of type `ty`. Upper bits of 32-bit types are ignored.
    #[inline]
    pub(crate) fn from_cell(ty: ValType, cell: u64) -> Value {
        match ty {
            ValType::I32 => Value::I32(cell as u32 as i32),
            ValType::I64 => Value::I64(cell as i64),
            ValType::F32 => Value::F32(cell as u32),
            ValType::F64 => Value::F64(cell),
            ValType::FuncRef => Value::FuncRef(cell_to_ref(cell)),
            ValType::ExternRef => Value::ExternRef(cell_to_ref(cell)),
        }
    }
}

/// The zero / null cell of type `ty`.
#[inline]
pub(crate) fn default_cell(ty: ValType) -> u64 {
    match ty {
        ValType::FuncRef | ValType::ExternRef => NULL_REF,
        _ => 0,
    }
}

/// Encodes an optional reference as a cell.
#[inline]
pub(crate) fn ref_to_cell(r: Option<u32>) -> u64 {
    match r {
        Some(idx) => u64::from(idx),
        None => NULL_REF,
    }
}

/// Decodes a reference cell. Any cell that does not fit a `u32` is null.
#[inline]
pub(crate) fn cell_to_ref(cell: u64) -> Option<u32> {
    u32::try_from(cell).ok()
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::I32(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::F32(v.to_bits())
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v.to_bits())
    }
}

impl core::fmt::Display for Value {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Value::I32(v) => write!(f, "i32:{v}"),
            Value::I64(v) => write!(f, "i64:{v}"),
            Value::F32(b) => write!(f, "f32:{}(0x{b:08x})", f32::from_bits(b)),
            Value::F64(b) => write!(f, "f64:{}(0x{b:016x})", f64::from_bits(b)),
            Value::FuncRef(Some(i)) => write!(f, "funcref:{i}"),
            Value::ExternRef(Some(i)) => write!(f, "externref:{i}"),
            Value::FuncRef(None) => f.write_str("funcref:null"),
            Value::ExternRef(None) => f.write_str("externref:null"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_round_trip() {
        let vals = [
            Value::I32(-1),
            Value::I32(i32::MIN),
            Value::I64(-5),
            Value::F32(0x7fc0_0001),
            Value::F64(0xfff8_0000_0000_0001),
            Value::FuncRef(None),
            Value::FuncRef(Some(7)),
            Value::ExternRef(None),
            Value::ExternRef(Some(u32::MAX)),
        ];
        for v in vals {
            assert_eq!(Value::from_cell(v.ty(), v.to_cell()), v);
        }
        assert_eq!(Value::I32(-1).to_cell(), 0xffff_ffff);
        assert_eq!(Value::FuncRef(None).to_cell(), NULL_REF);
    }

    #[test]
    fn defaults() {
        assert_eq!(Value::default_of(ValType::I32), Value::I32(0));
        assert_eq!(Value::default_of(ValType::F64), Value::F64(0));
        assert_eq!(Value::default_of(ValType::FuncRef), Value::FuncRef(None));
    }
}
