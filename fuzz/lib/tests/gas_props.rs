//! Property tests for gas arithmetic: no overflow, exact accounting across block
//! boundaries and charge splits, schedule invariants.

use metron_vm::gas::{CostClass, Flow, MeteredBlocks, Targets};
use metron_vm::{GasMeter, GasSchedule};
use proptest::prelude::*;

proptest! {
    /// Charges of straight-line code sum exactly to the operators' costs, each charge
    /// fits in u32 (split rule), whatever the schedule's costs.
    #[test]
    fn charges_sum_exactly(call in 0u64..=u64::from(u32::MAX) * 3, n in 0usize..20, blocks in proptest::collection::vec(any::<bool>(), 0..20)) {
        let s = GasSchedule { call, ..GasSchedule::default() };
        let mut m = MeteredBlocks::new();
        m.start(&s, 0, 0);
        let mut expected: u128 = 0;
        for i in 0..n {
            let step = m.op(&s, CostClass::Call, Flow::Straight, Targets::None);
            prop_assert!(step.reachable);
            expected += u128::from(call);
            if blocks.get(i).copied().unwrap_or(false) {
                // A loop header: a block boundary after it (loop is free).
                let step = m.op(&s, CostClass::Free, Flow::Loop, Targets::None);
                prop_assert!(step.starts_block);
                m.new_block();
            }
        }
        m.finish();
        let total: u128 = m.charges().iter().map(|&c| u128::from(c)).sum();
        prop_assert_eq!(total, expected);
        prop_assert!(m.charges().iter().all(|&c| c <= u64::from(u32::MAX)));
    }

    /// Dynamic costs equal the exact formulas, saturated at u64::MAX.
    #[test]
    fn dynamic_costs_exact_or_saturated(n in any::<u32>(), per in any::<u64>()) {
        let s = GasSchedule { memory_grow_per_page: per, bulk_memory_per_word: per, table_per_element: per, ..GasSchedule::default() };
        let sat = |x: u128| u64::try_from(x).unwrap_or(u64::MAX);
        prop_assert_eq!(s.memory_grow_dynamic(n), sat(u128::from(n) * u128::from(per)));
        prop_assert_eq!(s.table_dynamic(n), sat(u128::from(n) * u128::from(per)));
        prop_assert_eq!(s.bulk_memory_dynamic(n), sat(u128::from(n).div_ceil(8) * u128::from(per)));
    }

    /// The meter never overflows; running out leaves used == limit; exact use succeeds.
    #[test]
    fn meter_accounting(limit in any::<u64>(), charges in proptest::collection::vec(any::<u64>(), 0..30)) {
        let mut m = GasMeter::new(limit);
        let mut used: u128 = 0;
        for c in charges {
            let before = m.used();
            match m.charge(c) {
                Ok(()) => { used += u128::from(c); prop_assert_eq!(u128::from(m.used()), used); }
                Err(_) => { prop_assert!(u128::from(before) + u128::from(c) > u128::from(limit)); prop_assert_eq!(m.used(), limit); break; }
            }
            prop_assert!(m.used() <= m.limit());
        }
        let mut exact = GasMeter::new(limit);
        prop_assert!(exact.charge(limit).is_ok());
        prop_assert_eq!(exact.remaining(), 0);
    }
}

/// Schedule invariants of version 2: structure is free, every executed operator
/// costs at least 1, complex operators cost at least their simple counterparts, and
/// every piece of work that grows with an input has a non-zero price per unit.
#[test]
fn schedule_v2_invariants() {
    let s = GasSchedule::default();
    assert_eq!(s.version, 2);
    assert_eq!(s.free, 0);
    for c in [
        s.simple,
        s.int_mul,
        s.int_div,
        s.float_simple,
        s.float_complex,
        s.branch,
        s.br_table,
        s.ret,
        s.call,
        s.call_indirect,
        s.load,
        s.store,
        s.memory_size,
        s.memory_grow,
        s.bulk,
        s.segment_drop,
        s.table_access,
        s.table_grow,
    ] {
        assert!(c >= 1);
    }
    assert!(s.int_div >= s.int_mul && s.int_mul >= s.simple);
    assert!(s.float_complex >= s.float_simple);
    assert!(s.call_indirect >= s.call);
    assert!(s.memory_grow_per_page > 0 && s.bulk_memory_per_word > 0 && s.table_per_element > 0);
    for per_unit in [
        s.frame_local,
        s.value_carried,
        s.instance_page,
        s.instance_table_element,
        s.instance_element_item,
        s.instance_data_word,
        s.instance_entry,
    ] {
        assert!(per_unit >= 1);
    }
}
