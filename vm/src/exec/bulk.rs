//! Segment-based bulk operations: `memory.init`, `data.drop`, `table.init`, `elem.drop`.
//! (Fill and copy are methods of [`Memory`](crate::memory) and tables directly.)

use crate::instance::Store;
use crate::module::ModuleInner;
use crate::trap::TrapKind;

/// `memory.init data`: copies `len` bytes of data segment `data` from `src` to `dst`.
/// A dropped segment has length 0.
///
/// # Errors
/// `MemoryOutOfBounds` if either range is out of bounds (nothing written).
pub(crate) fn memory_init(
    module: &ModuleInner,
    store: &mut Store,
    data: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), TrapKind> {
    let bytes: &[u8] = if store.data_dropped[data as usize] {
        &[]
    } else {
        &module.datas[data as usize].bytes
    };
    store.memory.init(dst, bytes, src, len)
}

/// `data.drop`.
pub(crate) fn data_drop(store: &mut Store, data: u32) {
    store.data_dropped[data as usize] = true;
}

/// `table.init elem table`: copies `len` items of element segment `elem` from `src` to
/// `dst`. A dropped segment has length 0.
///
/// # Errors
/// `TableOutOfBounds` if either range is out of bounds (nothing written).
pub(crate) fn table_init(
    store: &mut Store,
    elem: u32,
    table: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), TrapKind> {
    let Store { tables, elems, .. } = store;
    tables[table as usize].init(dst, &elems[elem as usize], src, len)
}

/// `elem.drop`: the segment becomes empty (its items are freed).
pub(crate) fn elem_drop(store: &mut Store, elem: u32) {
    store.elems[elem as usize] = Box::default();
}
