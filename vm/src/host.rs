//! The host interface: how an embedder (the chain node) provides imported functions.
//!
//! Function imports are linked once at instantiation through [`Host::resolve_func`];
//! calls then go through [`Host::call`] with a [`Caller`] that exposes the calling
//! instance's memory 0 and the gas meter. Host functions charge their own gas, before
//! their effect, through [`Caller::charge_gas`].

use core::fmt;

use crate::memory::Memory;
use crate::meter::GasMeter;
use crate::types::FuncType;
use crate::value::Value;

/// An embedder's implementation of imported functions.
pub trait Host {
    /// Called once per function import at instantiation; `Some(id)` links it,
    /// `None` => `InstantiationError::UnresolvedImport`.
    fn resolve_func(&mut self, module: &str, name: &str, ty: &FuncType) -> Option<u32>;

    /// Runs host function `id` (as returned by `resolve_func`). `args` match the import's
    /// parameter types; `results` are pre-filled with zero values of the result types and
    /// must be overwritten with values of those same types.
    ///
    /// # Errors
    /// A [`HostError`] aborts execution with a `TrapKind::Host` trap (or
    /// `TrapKind::OutOfGas` for [`HostError::out_of_gas`]).
    fn call(
        &mut self,
        id: u32,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError>;
}

/// A host with no functions: every import is unresolved. Handy for tests and tools.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHost;

impl Host for NoHost {
    fn resolve_func(&mut self, _module: &str, _name: &str, _ty: &FuncType) -> Option<u32> {
        None
    }

    fn call(
        &mut self,
        _id: u32,
        _caller: &mut Caller<'_>,
        _args: &[Value],
        _results: &mut [Value],
    ) -> Result<(), HostError> {
        Err(HostError::new("no host functions"))
    }
}

/// The calling instance as seen by a host function: its memory 0 and the gas meter.
pub struct Caller<'a> {
    memory: Option<&'a mut Memory>,
    gas: &'a mut GasMeter,
}

impl<'a> Caller<'a> {
    /// Builds a caller over an instance's memory (if any) and the meter.
    pub(crate) fn new(memory: Option<&'a mut Memory>, gas: &'a mut GasMeter) -> Caller<'a> {
        Caller { memory, gas }
    }

    /// Borrows `len` bytes of memory at `ptr`.
    ///
    /// # Errors
    /// A host error `"out of bounds memory access"` if the range exceeds memory or the
    /// instance has no memory.
    pub fn read(&self, ptr: u32, len: u32) -> Result<&[u8], HostError> {
        match &self.memory {
            Some(m) => m.read(ptr, len).map_err(|_| HostError::out_of_bounds()),
            None => Err(HostError::out_of_bounds()),
        }
    }

    /// Writes `bytes` to memory at `ptr` (nothing is written when out of bounds).
    ///
    /// # Errors
    /// A host error `"out of bounds memory access"` if the range exceeds memory or the
    /// instance has no memory.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), HostError> {
        match &mut self.memory {
            Some(m) => m.write(ptr, bytes).map_err(|_| HostError::out_of_bounds()),
            None => Err(HostError::out_of_bounds()),
        }
    }

    /// Current memory size in bytes (0 without memory).
    pub fn memory_size(&self) -> u64 {
        self.memory.as_ref().map_or(0, |m| m.data().len() as u64)
    }

    /// Charges `units` of gas.
    ///
    /// # Errors
    /// [`HostError::out_of_gas`] if the meter runs out (then the meter is exhausted);
    /// return it from [`Host::call`] and the VM traps with `TrapKind::OutOfGas`.
    pub fn charge_gas(&mut self, units: u64) -> Result<(), HostError> {
        self.gas.charge(units).map_err(|_| HostError::out_of_gas())
    }

    /// Gas units still available.
    pub fn gas_remaining(&self) -> u64 {
        self.gas.remaining()
    }
}

/// An error returned by a host function. One word (boxed inner).
pub struct HostError {
    inner: Box<HostErrorInner>,
}

enum HostErrorInner {
    Message(Box<str>),
    OutOfGas,
}

impl HostError {
    /// A host error with a message (for people; the trap kind is `Host`).
    #[cold]
    pub fn new(message: impl Into<String>) -> HostError {
        HostError {
            inner: Box::new(HostErrorInner::Message(message.into().into_boxed_str())),
        }
    }

    /// The error that makes the VM trap with `TrapKind::OutOfGas`.
    #[cold]
    pub fn out_of_gas() -> HostError {
        HostError {
            inner: Box::new(HostErrorInner::OutOfGas),
        }
    }

    #[cold]
    fn out_of_bounds() -> HostError {
        HostError::new("out of bounds memory access")
    }

    /// Whether this is the out-of-gas error.
    pub fn is_out_of_gas(&self) -> bool {
        matches!(*self.inner, HostErrorInner::OutOfGas)
    }

    /// The message (`"out of gas"` for the out-of-gas error).
    pub fn message(&self) -> &str {
        match &*self.inner {
            HostErrorInner::Message(m) => m,
            HostErrorInner::OutOfGas => "out of gas",
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl fmt::Debug for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostError({:?})", self.message())
    }
}

impl std::error::Error for HostError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_error_is_one_word() {
        assert_eq!(
            core::mem::size_of::<HostError>(),
            core::mem::size_of::<usize>()
        );
    }

    #[test]
    fn caller_memory_and_gas() {
        let mut mem = Memory::new(1, 1).unwrap();
        let mut gas = GasMeter::new(10);
        let mut c = Caller::new(Some(&mut mem), &mut gas);
        c.write(65_534, b"hi").unwrap();
        assert_eq!(c.read(65_534, 2).unwrap(), b"hi");
        assert!(c.read(65_535, 2).is_err());
        assert!(c.write(65_535, b"hi").is_err());
        c.charge_gas(4).unwrap();
        assert_eq!(c.gas_remaining(), 6);
        let e = c.charge_gas(7).unwrap_err();
        assert!(e.is_out_of_gas());
        assert_eq!(gas.used(), 10);
    }
}
