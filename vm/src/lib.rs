//! Metron VM: a deterministic, gas-metered WebAssembly interpreter.
#![deny(missing_docs)]
