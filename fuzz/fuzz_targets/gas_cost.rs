//! Work per unit of gas: a module whose cost units per gas unit exceed 4x the benchmark
//! workloads' median is a finding (`metron_fuzz::cost::check`; needs the `cost`
//! feature of this package: `cargo +nightly fuzz run -O --features cost gas_cost`).
//! The highest ratio seen so far is printed whenever it grows.
#![no_main]
use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::Unstructured;
use libfuzzer_sys::{fuzz_target, Corpus};
use metron_fuzz::cost;

static MAX_MILLI: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| -> Corpus {
    let Ok((wasm, wat)) = cost::module(&mut Unstructured::new(data)) else {
        return Corpus::Reject;
    };
    match cost::check(&wasm) {
        Ok(None) => Corpus::Reject,
        Ok(Some(m)) => {
            let r = m.ratio_milli();
            if MAX_MILLI.fetch_max(r, Ordering::Relaxed) < r {
                eprintln!(
                    "gas_cost: new max {} cost units per gas ({} units, {} gas, {:?})",
                    cost::milli(r),
                    m.units(),
                    m.gas,
                    m.counters
                );
            }
            Corpus::Keep
        }
        Err(e) => panic!(
            "gas_cost: {e}\n{}",
            wat.unwrap_or_else(|| "(wasm-smith module: see the artifact)".into())
        ),
    }
});
