//! Deterministic work counters of the interpreter (cargo feature `cost-counters`).
//!
//! With the feature on, the interpreter counts the work it does, per [`crate::Store`]
//! (and so per [`crate::Instance`]): instructions dispatched, frame cells set up, cells
//! moved, bytes touched by bulk operations and bytes allocated or zeroed. The counts
//! depend only on the module and the calls made (the same on every machine and build,
//! the dispatch backend included), so the fuzzer can search for the most work per unit
//! of gas without timing anything (`fuzz/lib`, `cost` module; `docs/gas.md`: "Gas must
//! bound work"). With the feature off (the default) none of this is compiled: every
//! increment in `exec` is behind `#[cfg(feature = "cost-counters")]`.
//!
//! What is counted where:
//! * [`Counters::dispatched`]: every handler entered (`exec::threaded`, both backends;
//!   a pair or triple head is one), and every instruction the loop in `exec::run`
//!   executes itself (host and cross-instance calls, tables, `memory.grow`, ...). A
//!   handler that leaves its instruction to the loop is counted once, by the loop.
//! * [`Counters::runs`]: threaded runs started by the loop (`exec::threaded::run`): the
//!   way back from an instruction the loop executes (a table access, `ref.func`,
//!   `memory.grow`, a call the handlers leave to the loop, ...) to the handlers, which
//!   writes the run's context (`Cx`, some 20 fields) first.
//! * [`Counters::frame_cells`]: the cells `enter` writes (declared locals zeroed and
//!   constants copied, in whole blocks: `exec::init_span`) and the `SMALL_INIT` cells
//!   `enter_small` copies.
//! * [`Counters::cells_moved`]: `copy_span` (a branch carrying values, a `br_table`
//!   trampoline, the null fill of reference locals), the results a `return` moves, and
//!   the `copy` a return runs at its return address. Call arguments are not moved (the
//!   callee's frame starts at the caller's argument slots).
//! * [`Counters::bulk_bytes`]: bytes written by `memory.fill`, `memory.copy`,
//!   `memory.init` and active data segments; 8 bytes per element of `table.fill`,
//!   `table.copy`, `table.init` and active element segments. Only operations that
//!   succeed (a trapping one writes nothing).
//! * [`Counters::alloc_bytes`]: bytes allocated and zeroed: 65 536 per page added by a
//!   successful `memory.grow` and per initial page at instantiation, 8 per table element
//!   added by `table.grow` or allocated at instantiation, 8 per element-segment item,
//!   global and function of an instance, and 8 per cell the value stack grows by.

/// Work done by the interpreter, as counts (see the module docs for what each counts).
/// [`Counters::units`] weighs them into one number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Instructions dispatched (handlers entered, and instructions the interpreter's
    /// loop executes itself).
    pub dispatched: u64,
    /// Threaded runs started by the interpreter's loop (each sets up the handlers'
    /// context).
    pub runs: u64,
    /// Frame cells written on function entry (locals zeroed, constants copied).
    pub frame_cells: u64,
    /// Value cells moved (`copy_span`, `return` of several values).
    pub cells_moved: u64,
    /// Bytes written by bulk memory and table operations and by active segments.
    pub bulk_bytes: u64,
    /// Bytes allocated or zeroed (memory pages, table elements, instance objects, value
    /// stack growth).
    pub alloc_bytes: u64,
}

/// Cost units per instruction dispatched: an indirect jump, operand loads and a store,
/// against one cell written by a streaming loop. The ratio 4 : 1 follows the
/// calibration in `docs/gas.md` (a typical instruction takes 0.5-1 ns there; zeroing a
/// local 0.15-0.25 ns).
pub const DISPATCH_UNITS: u64 = 4;

/// Cost units per threaded run started: the context written before it (some 20 cells:
/// `exec::run` sets `Cx`'s per-run fields and the memory's access limits) and the
/// return to the loop that preceded it.
pub const RUN_UNITS: u64 = 20;

/// Cost units per frame cell or moved cell (the unit of the scale).
pub const CELL_UNITS: u64 = 1;

/// Bytes per cost unit for bulk and allocated bytes: 8, one cell's worth, so that
/// writing a region costs the same whether it is a run of cells or of bytes (counted
/// over the total, rounded up).
pub const BYTES_PER_UNIT: u64 = 8;

impl Counters {
    /// The weighted total in cost units (integers, saturating):
    /// `DISPATCH_UNITS × dispatched + RUN_UNITS × runs + CELL_UNITS × (frame_cells +
    /// cells_moved) +
    /// ceil((bulk_bytes + alloc_bytes) / BYTES_PER_UNIT)`.
    pub fn units(&self) -> u64 {
        let cells = self.frame_cells.saturating_add(self.cells_moved);
        let bytes = self.bulk_bytes.saturating_add(self.alloc_bytes);
        self.dispatched
            .saturating_mul(DISPATCH_UNITS)
            .saturating_add(self.runs.saturating_mul(RUN_UNITS))
            .saturating_add(cells.saturating_mul(CELL_UNITS))
            .saturating_add(bytes.div_ceil(BYTES_PER_UNIT))
    }

    /// Adds every count of `other` to `self` (saturating).
    pub fn add(&mut self, other: &Counters) {
        self.dispatched = self.dispatched.saturating_add(other.dispatched);
        self.runs = self.runs.saturating_add(other.runs);
        self.frame_cells = self.frame_cells.saturating_add(other.frame_cells);
        self.cells_moved = self.cells_moved.saturating_add(other.cells_moved);
        self.bulk_bytes = self.bulk_bytes.saturating_add(other.bulk_bytes);
        self.alloc_bytes = self.alloc_bytes.saturating_add(other.alloc_bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_weigh_each_count() {
        let c = Counters {
            dispatched: 10,
            runs: 2,
            frame_cells: 3,
            cells_moved: 2,
            bulk_bytes: 9,
            alloc_bytes: 8,
        };
        // 4 × 10 + 20 × 2 + 3 + 2 + ceil(17 / 8)
        assert_eq!(c.units(), 40 + 40 + 5 + 3);
        let mut d = c;
        d.add(&c);
        assert_eq!(d.dispatched, 20);
        assert_eq!(Counters::default().units(), 0);
    }
}
