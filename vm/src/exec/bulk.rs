//! Segment-based bulk operations: `memory.init`, `data.drop`, `table.init`, `elem.drop`.
//! (Fill and copy are methods of [`Memory`] and [`Table`] directly.)

use crate::memory::Memory;
use crate::module::ModuleInner;
use crate::store::Segments;
use crate::table::Table;
use crate::trap::TrapKind;

/// `memory.init data`: copies `len` bytes of data segment `data` of the current instance
/// (`module`, `seg`) from `src` to `dst` in `mem`. A dropped segment has length 0.
///
/// # Errors
/// `MemoryOutOfBounds` if either range is out of bounds (nothing written).
pub(crate) fn memory_init(
    module: &ModuleInner,
    seg: &Segments,
    mem: &mut Memory,
    data: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), TrapKind> {
    let bytes: &[u8] = if seg.data_dropped[data as usize] {
        &[]
    } else {
        &module.datas[data as usize].bytes
    };
    mem.init(dst, bytes, src, len)
}

/// `data.drop`.
pub(crate) fn data_drop(seg: &mut Segments, data: u32) {
    seg.data_dropped[data as usize] = true;
}

/// `table.init elem`: copies `len` items of element segment `elem` (of the instance
/// whose segments are `seg`) from `src` to `dst` in `table`. A dropped segment has
/// length 0.
///
/// # Errors
/// `TableOutOfBounds` if either range is out of bounds (nothing written).
pub(crate) fn table_init(
    seg: &Segments,
    table: &mut Table,
    elem: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), TrapKind> {
    table.init(dst, &seg.elems[elem as usize], src, len)
}

/// `elem.drop`: the segment becomes empty (its items are freed).
pub(crate) fn elem_drop(seg: &mut Segments, elem: u32) {
    seg.elems[elem as usize] = Box::default();
}
