//! Host calls and `call_indirect` resolution (the non-inlined parts of calling).

use crate::host::{Caller, Host};
use crate::instance::Store;
use crate::meter::GasMeter;
use crate::module::ModuleInner;
use crate::trap::{Trap, TrapKind};
use crate::value::{Value, NULL_REF};

/// Calls imported function `func` through the host. Arguments are read from
/// `stack[args_at..args_at + P]`; results are written to `stack[args_at..args_at + R]`.
///
/// # Errors
/// `TrapKind::Host` with the host's message, `TrapKind::OutOfGas` for
/// `HostError::out_of_gas` (the meter is then exhausted), or a host trap when the host
/// returns values of the wrong types.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn call_host<H: Host>(
    module: &ModuleInner,
    store: &mut Store,
    stack: &mut Vec<u64>,
    scratch: &mut Vec<Value>,
    host: &mut H,
    gas: &mut GasMeter,
    func: u32,
    args_at: usize,
) -> Result<(), Trap> {
    let decl = &module.funcs[func as usize];
    let ty = &module.types[decl.type_index as usize];
    let (params, results) = (ty.params(), ty.results());
    let end = args_at + params.len().max(results.len());
    if stack.len() < end {
        stack.resize(end, 0);
    }
    scratch.clear();
    scratch.extend(
        params
            .iter()
            .zip(&stack[args_at..])
            .map(|(&t, &cell)| Value::from_cell(t, cell)),
    );
    scratch.extend(results.iter().map(|&t| Value::default_of(t)));
    let (args, outs) = scratch.split_at_mut(params.len());
    let id = store.host_ids[func as usize];
    let memory = if store.has_memory {
        Some(&mut store.memory)
    } else {
        None
    };
    let mut caller = Caller::new(memory, gas);
    if let Err(e) = host.call(id, &mut caller, args, outs) {
        return Err(if e.is_out_of_gas() {
            // Determinism: running out of gas always leaves used == limit.
            gas.exhaust();
            Trap::new(TrapKind::OutOfGas)
        } else {
            Trap::host(e.message())
        });
    }
    for (i, (v, &t)) in outs.iter().zip(results).enumerate() {
        if v.ty() != t {
            return Err(Trap::host(format!(
                "host function returned {} for a result of type {t}",
                v.ty()
            )));
        }
        stack[args_at + i] = v.to_cell();
    }
    Ok(())
}

/// Resolves `table[index]` for `call_indirect` with expected type `type_index`.
///
/// # Errors
/// `TableOutOfBounds` ("undefined element") past the end, `UninitializedElement` for
/// null, `IndirectCallTypeMismatch` when the function's type differs structurally.
#[inline]
pub(crate) fn resolve_indirect(
    module: &ModuleInner,
    store: &Store,
    type_index: u32,
    table: u32,
    index: u32,
) -> Result<u32, Trap> {
    let Ok(elem) = store.tables[table as usize].get(index) else {
        return Err(Trap::with_message(
            TrapKind::TableOutOfBounds,
            "undefined element",
        ));
    };
    if elem == NULL_REF {
        return Err(Trap::new(TrapKind::UninitializedElement));
    }
    let Some(decl) = module.funcs.get(elem as usize) else {
        return Err(Trap::new(TrapKind::UninitializedElement));
    };
    let actual = decl.type_index;
    if actual != type_index && module.types[actual as usize] != module.types[type_index as usize] {
        return Err(Trap::new(TrapKind::IndirectCallTypeMismatch));
    }
    Ok(elem as u32)
}
