//! The constant pool's index: which pool slot holds a 64-bit constant.
//!
//! A fixed open-addressing table, cleared in O(1) per function by a generation stamp
//! (functions are translated one after another with the same table). Replaces a
//! `BTreeMap`, whose node allocations and pointer chasing were ≈ 6% of compile time.
//!
//! Determinism: the table is only ever probed by key, never iterated; the pool's order is
//! the order of first use (kept by the caller's `Vec`), so the compiled code does not
//! depend on the hash function or the table's layout.

/// Table size: a power of two at least 4× the pool's capacity (`MAX_POOLED_CONSTS` + 2),
/// so probes stay short (load factor ≤ 1/4).
const TABLE: usize = 1024;

#[derive(Clone, Copy, Default)]
struct Entry {
    key: u64,
    index: u32,
    /// The generation this entry was written in; stale generations are empty.
    generation: u32,
}

/// Index of a function's constant pool: `u64` constant → pool index.
///
/// The table is allocated on the first insertion: `Default` is free, because the
/// translator's buffers are moved out and back (`mem::take`) around every function.
pub(crate) struct ConstIndex {
    /// Empty, or `TABLE` entries.
    table: Box<[Entry]>,
    generation: u32,
    len: usize,
}

impl Default for ConstIndex {
    fn default() -> Self {
        ConstIndex {
            table: Box::default(),
            // Entries start at generation 0, which is never current.
            generation: 1,
            len: 0,
        }
    }
}

impl ConstIndex {
    /// Forgets every entry (O(1) but once every 2^32 calls).
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.table.fill(Entry::default());
            self.generation = 1;
        }
    }

    /// Slot of `key` in the (allocated) table: where it is, or the empty slot where it
    /// belongs.
    #[inline]
    fn probe(&self, key: u64) -> usize {
        // Fibonacci hashing: the top bits of key * 2^64/phi.
        let mut i =
            (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - TABLE.trailing_zeros())) as usize;
        loop {
            let e = &self.table[i];
            if e.generation != self.generation || e.key == key {
                return i;
            }
            i = (i + 1) & (TABLE - 1);
        }
    }

    /// The pool index of `key`, if present.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let e = &self.table[self.probe(key)];
        (e.generation == self.generation).then_some(e.index)
    }

    /// The pool index of `key`, inserting `next` if absent.
    ///
    /// # Panics
    /// If more than `TABLE / 2` keys are inserted (the pool is capped at 258).
    #[inline]
    pub(crate) fn get_or_insert(&mut self, key: u64, next: u32) -> u32 {
        if self.table.is_empty() {
            self.table = vec![Entry::default(); TABLE].into_boxed_slice();
        }
        let i = self.probe(key);
        let generation = self.generation;
        let e = &mut self.table[i];
        if e.generation == generation {
            return e.index;
        }
        assert!(self.len < TABLE / 2, "constant pool index over capacity");
        self.len += 1;
        *e = Entry {
            key,
            index: next,
            generation,
        };
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_clears() {
        let mut c = ConstIndex::default();
        assert_eq!(c.get_or_insert(5, 0), 0);
        assert_eq!(c.get_or_insert(0, 1), 1);
        assert_eq!(c.get_or_insert(5, 2), 0);
        assert_eq!(c.get(0), Some(1));
        assert_eq!(c.get(7), None);
        c.clear();
        assert_eq!(c.get(5), None);
        assert_eq!(c.get_or_insert(5, 0), 0);
    }

    #[test]
    fn colliding_keys_stay_apart() {
        let mut c = ConstIndex::default();
        // Keys that differ only in low bits share their top hash bits often; all 258
        // of a full pool must come back with their own index.
        for k in 0..258u64 {
            assert_eq!(c.get_or_insert(k << 54, k as u32), k as u32);
        }
        for k in 0..258u64 {
            assert_eq!(c.get(k << 54), Some(k as u32));
        }
    }

    #[test]
    fn generation_wraparound_clears() {
        let mut c = ConstIndex::default();
        // Written in generation 1; 2^32 - 2 clears later the generation wraps back to 1,
        // where the stale entry must not resurface.
        c.get_or_insert(9, 0);
        c.generation = u32::MAX;
        assert_eq!(c.get(9), None);
        c.clear();
        assert_eq!(c.generation, 1);
        assert_eq!(c.get(9), None);
    }
}
