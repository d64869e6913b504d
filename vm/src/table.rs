//! Tables of references (funcref / externref) with the spec's bounds rules.
//!
//! Elements are cells as in `value.rs`: a function index / extern handle, or
//! [`NULL_REF`](crate::value::NULL_REF). Bulk operations check the whole range first.

use crate::trap::TrapKind;
use crate::types::ValType;
use crate::value::default_cell;

/// A table instance.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    elems: Vec<u64>,
    /// Maximum size: the smaller of the declared maximum and the configured limit.
    max: u32,
    /// Element type.
    elem: ValType,
    /// The maximum of the table's type as declared (import/export matching only).
    declared_max: Option<u32>,
}

impl Table {
    /// A funcref table of `min` elements initialised to `init`, growable up to `max`.
    /// `None` if `min > max`.
    #[cfg(test)]
    pub(crate) fn new(min: u32, max: u32, init: u64) -> Option<Table> {
        let mut t = Table::typed(ValType::FuncRef, min, max, Some(max))?;
        t.elems.fill(init);
        Some(t)
    }

    /// A table of `min` null elements of type `elem`, growable up to `max` (already
    /// clamped to the configured limit), with `declared_max` as its type's maximum.
    /// `None` if `min > max` or the allocation fails (fallible: never aborts).
    pub(crate) fn typed(
        elem: ValType,
        min: u32,
        max: u32,
        declared_max: Option<u32>,
    ) -> Option<Table> {
        if min > max {
            return None;
        }
        let mut elems = Vec::new();
        elems.try_reserve_exact(min as usize).ok()?;
        elems.resize(min as usize, default_cell(elem));
        Some(Table {
            elems,
            max,
            elem,
            declared_max,
        })
    }

    /// The table's type as `(element type, current size, declared maximum)`: what an
    /// import of this table is matched against.
    pub(crate) fn ty(&self) -> (ValType, u32, Option<u32>) {
        (self.elem, self.size(), self.declared_max)
    }

    /// Current number of elements.
    #[inline]
    pub(crate) fn size(&self) -> u32 {
        self.elems.len() as u32
    }

    /// All elements.
    #[cfg(test)]
    pub(crate) fn elems(&self) -> &[u64] {
        &self.elems
    }

    /// `table.get`.
    ///
    /// # Errors
    /// `TableOutOfBounds` if `index >= size`.
    #[inline]
    pub(crate) fn get(&self, index: u32) -> Result<u64, TrapKind> {
        self.elems
            .get(index as usize)
            .copied()
            .ok_or(TrapKind::TableOutOfBounds)
    }

    /// `table.set`.
    ///
    /// # Errors
    /// `TableOutOfBounds` if `index >= size`.
    #[inline]
    pub(crate) fn set(&mut self, index: u32, val: u64) -> Result<(), TrapKind> {
        let slot = self
            .elems
            .get_mut(index as usize)
            .ok_or(TrapKind::TableOutOfBounds)?;
        *slot = val;
        Ok(())
    }

    /// `table.grow`: returns the old size, or `None` (table unchanged, result -1).
    pub(crate) fn grow(&mut self, delta: u32, init: u64) -> Option<u32> {
        let old = self.size();
        let new = old.checked_add(delta)?;
        if new > self.max {
            return None;
        }
        // Fallible: a failed allocation is a failed grow (-1), never an abort.
        self.elems.try_reserve_exact(delta as usize).ok()?;
        self.elems.resize(new as usize, init);
        Some(old)
    }

    /// The range `[start, start + len)` if within the table.
    fn range(&self, start: u32, len: u32) -> Result<core::ops::Range<usize>, TrapKind> {
        let end = u64::from(start) + u64::from(len);
        if end <= self.elems.len() as u64 {
            Ok(start as usize..end as usize)
        } else {
            Err(TrapKind::TableOutOfBounds)
        }
    }

    /// `table.fill`.
    ///
    /// # Errors
    /// `TableOutOfBounds` if `dst + len > size` (nothing written).
    pub(crate) fn fill(&mut self, dst: u32, val: u64, len: u32) -> Result<(), TrapKind> {
        let r = self.range(dst, len)?;
        self.elems[r].fill(val);
        Ok(())
    }

    /// `table.copy` within this table (overlap-safe).
    ///
    /// # Errors
    /// `TableOutOfBounds` if either range exceeds the table (nothing written).
    pub(crate) fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), TrapKind> {
        let s = self.range(src, len)?;
        let d = self.range(dst, len)?;
        self.elems.copy_within(s, d.start);
        Ok(())
    }

    /// `table.copy` from another table.
    ///
    /// # Errors
    /// `TableOutOfBounds` if either range is out of bounds (nothing written).
    pub(crate) fn copy_from(
        &mut self,
        dst: u32,
        src_table: &Table,
        src: u32,
        len: u32,
    ) -> Result<(), TrapKind> {
        let s = src_table.range(src, len)?;
        let d = self.range(dst, len)?;
        self.elems[d].copy_from_slice(&src_table.elems[s]);
        Ok(())
    }

    /// `table.init` / active element segment: copies `items[src..src+len]` to `dst`.
    ///
    /// # Errors
    /// `TableOutOfBounds` if either range is out of bounds (nothing written).
    pub(crate) fn init(
        &mut self,
        dst: u32,
        items: &[u64],
        src: u32,
        len: u32,
    ) -> Result<(), TrapKind> {
        let s_end = u64::from(src) + u64::from(len);
        if s_end > items.len() as u64 {
            return Err(TrapKind::TableOutOfBounds);
        }
        let d = self.range(dst, len)?;
        self.elems[d].copy_from_slice(&items[src as usize..s_end as usize]);
        Ok(())
    }
}

/// `table.copy` between tables `dst_t` and `src_t` of `tables` (may be the same table).
///
/// # Errors
/// `TableOutOfBounds` for an out-of-bounds range or a bad table index.
pub(crate) fn copy_between(
    tables: &mut [Table],
    dst_t: u32,
    dst: u32,
    src_t: u32,
    src: u32,
    len: u32,
) -> Result<(), TrapKind> {
    let (d, s) = (dst_t as usize, src_t as usize);
    if d == s {
        return tables
            .get_mut(d)
            .ok_or(TrapKind::TableOutOfBounds)?
            .copy_within(dst, src, len);
    }
    if d >= tables.len() || s >= tables.len() {
        return Err(TrapKind::TableOutOfBounds);
    }
    let (dt, st) = if d < s {
        let (a, b) = tables.split_at_mut(s);
        (&mut a[d], &b[0])
    } else {
        let (a, b) = tables.split_at_mut(d);
        (&mut b[0], &a[s])
    };
    dt.copy_from(dst, st, src, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::NULL_REF;

    #[test]
    fn get_set_grow() {
        let mut t = Table::new(2, 4, NULL_REF).unwrap();
        assert_eq!(t.get(1), Ok(NULL_REF));
        assert_eq!(t.get(2), Err(TrapKind::TableOutOfBounds));
        t.set(0, 5).unwrap();
        assert_eq!(t.set(2, 5), Err(TrapKind::TableOutOfBounds));
        assert_eq!(t.grow(2, 9), Some(2));
        assert_eq!(t.get(3), Ok(9));
        assert_eq!(t.grow(1, 9), None);
        assert_eq!(t.grow(0, 9), Some(4));
    }

    #[test]
    fn bulk() {
        let mut ts = vec![
            Table::new(4, 4, NULL_REF).unwrap(),
            Table::new(4, 4, 1).unwrap(),
        ];
        assert_eq!(ts[0].fill(2, 3, 3), Err(TrapKind::TableOutOfBounds));
        assert_eq!(ts[0].get(2), Ok(NULL_REF));
        copy_between(&mut ts, 0, 1, 1, 0, 3).unwrap();
        assert_eq!(ts[0].elems(), &[NULL_REF, 1, 1, 1]);
        ts[0].set(0, 7).unwrap();
        copy_between(&mut ts, 0, 1, 0, 0, 3).unwrap();
        assert_eq!(ts[0].elems(), &[7, 7, 1, 1]);
        copy_between(&mut ts, 1, 0, 0, 0, 2).unwrap();
        assert_eq!(ts[1].elems(), &[7, 7, 1, 1]);
        assert_eq!(
            copy_between(&mut ts, 1, 3, 0, 0, 2),
            Err(TrapKind::TableOutOfBounds)
        );
        assert_eq!(
            ts[1].init(0, &[4, 5], 1, 2),
            Err(TrapKind::TableOutOfBounds)
        );
        ts[1].init(3, &[4, 5], 1, 1).unwrap();
        assert_eq!(ts[1].get(3), Ok(5));
    }
}
