//! Chain-level tests with a real RocksDB in temporary directories.

mod basics;
mod calls;
mod code_load;
mod contracts;
mod control;
mod crypto;
mod examples;
mod logs;
mod macro_token;
mod token;

use ed25519_dalek::SigningKey;
use tempfile::TempDir;

use crate::dev::dev_keys;
use crate::types::{Action, Address, Hash, Receipt, SignedTransaction, Transaction};
use crate::{Chain, ChainConfig};

/// Gas limit of the tests' transfers: the intrinsic gas and room to spare.
pub(crate) const TRANSFER_GAS: u64 = crate::executor::TX_BASE_GAS + 100_000;
/// Gas limit of the tests' ordinary calls: the intrinsic gas, the code load and room.
pub(crate) const CALL_GAS: u64 = crate::executor::TX_BASE_GAS + 2_000_000;

/// Gas price used by tests (non-trivial so fees are visible).
pub(crate) const GAS_PRICE: u128 = 1_000_000_000;

/// A dev chain in a fresh temporary directory.
pub(crate) struct TestChain {
    pub chain: Chain,
    pub dir: TempDir,
    pub keys: Vec<SigningKey>,
}

impl TestChain {
    pub fn new() -> TestChain {
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = Chain::open(ChainConfig::dev(dir.path())).expect("open chain");
        TestChain {
            chain,
            dir,
            keys: dev_keys(10),
        }
    }

    pub fn addr(&self, i: usize) -> Address {
        self.keys[i].verifying_key().to_bytes()
    }

    /// Signs `action` from dev key `i` with the current nonce.
    pub fn tx(&self, i: usize, gas_limit: u64, action: Action) -> SignedTransaction {
        let nonce = self.chain.nonce(&self.addr(i), None).unwrap();
        Transaction {
            chain_id: self.chain.chain_id(),
            nonce,
            gas_limit,
            gas_price: GAS_PRICE,
            action,
        }
        .sign(&self.keys[i])
    }

    /// Submits and returns the receipt.
    pub fn run(&self, stx: SignedTransaction) -> Receipt {
        let hash: Hash = self.chain.submit(stx).expect("submit");
        self.chain.receipt(&hash).unwrap().expect("receipt")
    }
}
