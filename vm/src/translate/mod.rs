//! Validating single-pass translation of a WebAssembly module into Metron IR.

use crate::module::ModuleInner;
use crate::{Config, Error};

/// Parses, validates and translates a whole module.
pub(crate) fn compile_module(_config: &Config, _wasm: &[u8]) -> Result<ModuleInner, Error> {
    Err(Error::invalid("translator not implemented yet", 0))
}
