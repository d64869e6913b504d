//! The linker: names store objects by `(module, name)` and resolves a module's imports.
//!
//! Definitions are kept in a `BTreeMap` (deterministic). An import that the linker does
//! not define falls back to the [`Host`] for functions ([`Host::resolve_func`]); any
//! other missing import is [`InstantiationError::UnknownImport`].

use std::collections::BTreeMap;

use crate::host::Host;
use crate::instance::InstantiationError;
use crate::meter::GasMeter;
use crate::module::Module;
use crate::store::{Extern, InstanceId, Store};
use crate::types::ExternKind;

/// Named definitions for imports: `(module, name) -> store object`.
#[derive(Clone, Debug, Default)]
pub struct Linker {
    defs: BTreeMap<(String, String), Extern>,
}

impl Linker {
    /// An empty linker.
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Defines `module.name` as `ext` (replacing an earlier definition).
    pub fn define(&mut self, module: &str, name: &str, ext: Extern) {
        self.defs.insert((module.to_owned(), name.to_owned()), ext);
    }

    /// Defines every export of `instance` under module name `module` (the spec suite's
    /// `register`).
    pub fn define_instance(&mut self, store: &Store, module: &str, instance: InstanceId) {
        for (name, ext) in store.exports(instance) {
            self.define(module, &name, ext);
        }
    }

    /// The definition of `module.name`.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.defs
            .get(&(module.to_owned(), name.to_owned()))
            .copied()
    }

    /// Resolves the imports of `module` (definitions first, then `host` for functions)
    /// and instantiates it in `store`.
    ///
    /// # Errors
    /// [`InstantiationError::UnresolvedImport`] / [`InstantiationError::UnknownImport`]
    /// for an import nobody provides, then as [`Store::instantiate`].
    pub fn instantiate<H: Host>(
        &self,
        store: &mut Store,
        module: &Module,
        host: &mut H,
        gas: &mut GasMeter,
    ) -> Result<InstanceId, InstantiationError> {
        let m = &module.inner;
        let mut imports = Vec::with_capacity(m.imports.len());
        let mut func_index = 0u32;
        for imp in &m.imports {
            let (mname, name) = (imp.name.module.as_str(), imp.name.name.as_str());
            let def = self.get(mname, name);
            let ext = match (def, imp.kind) {
                (Some(ext), _) => ext,
                (None, ExternKind::Func) => {
                    let ty = module
                        .func_type(func_index)
                        .cloned()
                        .unwrap_or_else(|| crate::types::FuncType::new([], []));
                    match host.resolve_func(mname, name, &ty) {
                        Some(id) => store.new_host_func(id, ty),
                        None => {
                            return Err(InstantiationError::UnresolvedImport {
                                module: mname.to_owned(),
                                name: name.to_owned(),
                                ty,
                            })
                        }
                    }
                }
                (None, kind) => {
                    return Err(InstantiationError::UnknownImport {
                        module: mname.to_owned(),
                        name: name.to_owned(),
                        kind,
                    })
                }
            };
            if imp.kind == ExternKind::Func {
                func_index += 1;
            }
            imports.push(ext);
        }
        store.instantiate(module, &imports, host, gas)
    }
}
