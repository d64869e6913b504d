//! A call pays for loading its callee's code before the node reads it: a caller who
//! forwards too little gas for the code load gets the same out-of-gas outcome as before,
//! and the code is never read.

use std::cell::Cell;

use super::TestChain;
use crate::error::ChainError;
use crate::executor::{code_load_gas, code_load_lower_bound};
use crate::host::{BlockContext, Frame};
use crate::state::{AccountReader, CodeReader, Overlay, StateView, StorageReader};
use crate::types::{Account, Action, Address, Hash, ReceiptStatus};

/// A state that counts the reads of whole code.
struct Counting<'a> {
    inner: StateView<'a>,
    code_reads: Cell<u32>,
}

impl AccountReader for Counting<'_> {
    fn account(&self, address: &Address) -> Result<Option<Account>, ChainError> {
        self.inner.account(address)
    }
}

impl StorageReader for Counting<'_> {
    fn storage(&self, address: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
        self.inner.storage(address, key)
    }
}

impl CodeReader for Counting<'_> {
    fn code_by_hash(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, ChainError> {
        self.code_reads.set(self.code_reads.get() + 1);
        self.inner.code_by_hash(code_hash)
    }

    fn code_len(&self, code_hash: &Hash) -> Result<Option<u64>, ChainError> {
        self.inner.code_len(code_hash)
    }
}

/// The counter with a custom section of `extra` bytes appended.
fn big_counter(extra: usize) -> Vec<u8> {
    let mut code = metron_contracts::COUNTER_WASM.to_vec();
    let mut payload = vec![1u8, b'x'];
    payload.resize(extra, 0xAB);
    code.push(0);
    let mut size = payload.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        if size == 0 {
            code.push(byte);
            break;
        }
        code.push(byte | 0x80);
    }
    code.extend_from_slice(&payload);
    code
}

#[test]
fn a_call_that_cannot_pay_the_code_load_never_reads_the_code() {
    let t = TestChain::new();
    let code = big_counter(300_000);
    let r = t.run(t.tx(
        0,
        150_000_000,
        Action::Deploy {
            code: code.clone(),
            init_input: Vec::new(),
        },
    ));
    assert_eq!(r.status, ReceiptStatus::Success, "{:?}", r.error);
    let contract = r.contract_address.unwrap();
    let full = code_load_gas(&code);
    let floor = code_load_lower_bound(code.len() as u64);
    assert!(floor <= full && floor > 1_000_000, "{floor} {full}");

    let (_, head) = t.chain.head();
    let ctx = BlockContext {
        height: head.height + 1,
        timestamp: head.timestamp + 1,
    };
    let run = |budget: u64| {
        let state = Counting {
            inner: t.chain.state_at(None).unwrap(),
            code_reads: Cell::new(0),
        };
        let mut overlay = Overlay::new(&state);
        let outcome = t
            .chain
            .executor
            .run_call(
                &mut overlay,
                ctx,
                &t.addr(1),
                &contract,
                "get",
                Vec::new(),
                0,
                budget,
                Frame::default(),
            )
            .unwrap();
        (outcome, state.code_reads.get())
    };

    // Too little for even the cheapest code of this length: out of gas, all of it used,
    // and no read.
    let (o, reads) = run(1_000);
    assert_eq!(o.status, ReceiptStatus::OutOfGas);
    assert_eq!(o.exec_gas, 1_000);
    assert_eq!(reads, 0);
    assert!(
        o.error
            .as_deref()
            .unwrap()
            .contains(&format!("{} bytes of code", code.len())),
        "{:?}",
        o.error
    );
    // Enough for the floor but not the full charge: read once, then out of gas with the
    // same outcome.
    let (o2, reads) = run(floor + (full - floor) / 2);
    assert_eq!(o2.status, ReceiptStatus::OutOfGas);
    assert_eq!(o2.exec_gas, floor + (full - floor) / 2);
    assert_eq!(o2.error, o.error);
    assert_eq!(reads, 1);
    // Enough: the call runs.
    let (o, reads) = run(full + 5_000_000);
    assert_eq!(o.status, ReceiptStatus::Success, "{:?}", o.error);
    assert_eq!(reads, 1);
}

/// The figure behind the read's price in docs/gas.md: time to read a 300 KB code from
/// the store (RocksDB, warm) per byte. Run with
/// `cargo test -p metron-node --release --lib tests::code_load::code_read_cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn code_read_cost() {
    let t = TestChain::new();
    let code = big_counter(300_000);
    let r = t.run(t.tx(
        0,
        150_000_000,
        Action::Deploy {
            code: code.clone(),
            init_input: Vec::new(),
        },
    ));
    let contract = r.contract_address.unwrap();
    let hash = t.chain.account(&contract, None).unwrap().code_hash.unwrap();
    let view = t.chain.state_at(None).unwrap();
    let rounds = 200u32;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let c = view.code_by_hash(&hash).unwrap().unwrap();
        assert_eq!(c.len(), code.len());
    }
    let per_read = start.elapsed() / rounds;
    let ns_per_byte = per_read.as_nanos() as f64 / code.len() as f64;
    let floor = code_load_lower_bound(code.len() as u64);
    println!(
        "code read: {} bytes in {:?} ({ns_per_byte:.3} ns/byte); floor {floor} gas = {:.0} µs \
         at 0.30 ns/gas, {:.1}x the read",
        code.len(),
        per_read,
        floor as f64 * 0.30 / 1000.0,
        floor as f64 * 0.30 / per_read.as_nanos() as f64
    );
}
