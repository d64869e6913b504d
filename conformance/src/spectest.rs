//! The `spectest` host module, as the spec's reference interpreter defines it.
//!
//! | export | type |
//! |---|---|
//! | `print`, `print_i32`, `print_i64`, `print_f32`, `print_f64`, `print_i32_f32`, `print_f64_f64` | functions with those parameters, no results (they print nothing) |
//! | `global_i32` / `global_i64` | immutable, 666 |
//! | `global_f32` / `global_f64` | immutable, 666.6 |
//! | `table` | `(table 10 20 funcref)` |
//! | `memory` | `(memory 1 2)` |

use metron_vm::{Caller, Extern, FuncType, Host, HostError, Linker, Store, ValType, Value};

/// The host of the spec suite: the `spectest` print functions (which do nothing).
/// Every other function import is resolved through the [`Linker`], never the host.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpecHost;

impl Host for SpecHost {
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
        Ok(())
    }
}

/// Creates the `spectest` objects in `store` and defines them in `linker`.
///
/// # Panics
/// Never with the store limits of [`crate::runner::config`] (1 memory page, 10 table elements).
pub fn define(store: &mut Store, linker: &mut Linker) {
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (id, (name, params)) in prints.iter().enumerate() {
        let f = store.new_host_func(id as u32, FuncType::new(params.iter().copied(), []));
        linker.define("spectest", name, f);
    }
    let globals = [
        ("global_i32", Value::I32(666)),
        ("global_i64", Value::I64(666)),
        ("global_f32", Value::F32(666.6f32.to_bits())),
        ("global_f64", Value::F64(666.6f64.to_bits())),
    ];
    for (name, v) in globals {
        let g = store
            .new_global(v.ty(), false, v)
            .expect("value matches its own type");
        linker.define("spectest", name, g);
    }
    let table: Extern = store
        .new_table(ValType::FuncRef, 10, Some(20))
        .expect("10 elements are within the conformance limits");
    linker.define("spectest", "table", table);
    let memory: Extern = store
        .new_memory(1, Some(2))
        .expect("1 page is within the conformance limits");
    linker.define("spectest", "memory", memory);
}
