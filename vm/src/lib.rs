//! Metron VM: a deterministic, gas-metered WebAssembly interpreter.
//!
//! Pipeline: `bytes -> validate + limits -> gas analysis -> single-pass translation ->`
//! [`Module`] `->` `Instance` `-> invoke`. Supported: WebAssembly 2.0 without SIMD.
//! See `docs/ir.md` for the IR contract between the translator (`translate`) and
//! the interpreter (`exec`).
//!
//! Contracts use [`Instance`] (one module, function imports from a [`Host`]). Several
//! instances that import each other's memories, tables, globals and functions (the spec
//! suite's `register`) live in one [`Store`], linked by name through a [`Linker`].
#![deny(missing_docs)]

mod config;
#[cfg(feature = "cost-counters")]
pub mod cost;
mod error;
pub mod gas;
pub mod instrument;
pub mod ir;
mod limits;
mod module;
pub mod profile;
mod translate;
mod types;

// The interpreter: instances, stores, linking, execution.
mod exec;
mod host;
mod instance;
mod linker;
mod memory;
mod meter;
mod store;
mod table;
mod trap;
mod value;

pub use config::Config;
pub use error::{Error, ErrorKind};
pub use gas::GasSchedule;
pub use limits::Limits;
pub use memory::GrowRefusal;
pub use module::Module;
pub use types::{ExternKind, FuncType, ValType};

pub use host::{Caller, Host, HostError, NoHost};
pub use instance::{Instance, InstantiationError};
pub use linker::Linker;
pub use meter::{GasMeter, OutOfGas};
pub use store::{Extern, InstanceId, Store};
pub use trap::{Trap, TrapKind};
pub use value::Value;
