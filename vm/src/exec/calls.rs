//! Host calls and `call_indirect` resolution (the non-inlined parts of calling).

use crate::host::{Caller, Host};
use crate::memory::Memory;
use crate::meter::GasMeter;
use crate::module::ModuleInner;
use crate::store::{FuncInst, InstanceData};
use crate::table::Table;
use crate::trap::{Trap, TrapKind};
use crate::types::FuncType;
use crate::value::{Value, NULL_REF};

/// Calls host function `id` of type `ty` (with `memory` as the caller's memory). Arguments are read from
/// `stack[args_at..args_at + P]`; results are written to `stack[args_at..args_at + R]`.
///
/// # Errors
/// `TrapKind::Host` with the host's message, `TrapKind::OutOfGas` for
/// `HostError::out_of_gas` (the meter is then exhausted), or a host trap when the host
/// returns values of the wrong types.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn call_host<H: Host>(
    ty: &FuncType,
    id: u32,
    memory: Option<&mut Memory>,
    stack: &mut Vec<u64>,
    scratch: &mut Vec<Value>,
    host: &mut H,
    gas: &mut GasMeter,
    args_at: usize,
) -> Result<(), Trap> {
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

/// Resolves `table[index]` (table index `table` of the current instance `ci` / `inst`,
/// whose module is `module`) for `call_indirect` with expected type `type_index`, to a
/// store function address.
///
/// # Errors
/// `TableOutOfBounds` ("undefined element") past the end, `UninitializedElement` for
/// null, `IndirectCallTypeMismatch` when the function's type differs structurally.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn resolve_indirect(
    module: &ModuleInner,
    ci: u32,
    inst: &InstanceData,
    funcs: &[FuncInst],
    instances: &[InstanceData],
    tables: &[Table],
    type_index: u32,
    table: u32,
    index: u32,
) -> Result<u32, Trap> {
    let Ok(elem) = tables[inst.tables[table as usize] as usize].get(index) else {
        return Err(Trap::with_message(
            TrapKind::TableOutOfBounds,
            "undefined element",
        ));
    };
    if elem == NULL_REF {
        return Err(Trap::new(TrapKind::UninitializedElement));
    }
    let expected = &module.types[type_index as usize];
    let ok = match funcs.get(elem as usize) {
        Some(&FuncInst::Wasm { instance, index }) => {
            let m = &instances[instance as usize].module.inner;
            let actual = m.funcs[index as usize].type_index;
            // Same module: equal type indices are a fast path for structural equality.
            (instance == ci && actual == type_index) || m.types[actual as usize] == *expected
        }
        Some(FuncInst::Host { ty, .. }) => ty == expected,
        None => return Err(Trap::new(TrapKind::UninitializedElement)),
    };
    if !ok {
        return Err(Trap::new(TrapKind::IndirectCallTypeMismatch));
    }
    Ok(elem as u32)
}
