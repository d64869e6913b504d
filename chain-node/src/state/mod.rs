//! World state: small reader traits, the trie key scheme, the RocksDB-backed store
//! ([`store::Store`], a Jellyfish Merkle Tree hashed with Keccak-256, versions = block
//! heights) and the in-memory write overlay used while executing a block
//! ([`overlay::Overlay`]).

pub mod overlay;
pub mod store;

use jmt::KeyHash;

use crate::error::ChainError;
use crate::types::{keccak256, Account, Address, Hash};

pub use overlay::{Checkpoint, Overlay, StateChanges};
pub use store::{Durability, StateProof, StateView, Store};

/// Reads accounts.
pub trait AccountReader {
    /// The account at `address`, `None` if it does not exist (all-default).
    ///
    /// # Errors
    /// Storage failures.
    fn account(&self, address: &Address) -> Result<Option<Account>, ChainError>;
}

/// Reads contract storage.
pub trait StorageReader {
    /// The value under `key` in `address`'s storage, `None` if absent.
    ///
    /// # Errors
    /// Storage failures.
    fn storage(&self, address: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, ChainError>;
}

/// Reads contract code by hash.
pub trait CodeReader {
    /// The code whose Keccak-256 hash is `code_hash`, `None` if unknown.
    ///
    /// # Errors
    /// Storage failures.
    fn code_by_hash(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, ChainError>;

    /// The length in bytes of that code, `None` if unknown. Implementations that can
    /// answer without reading the code should: a call checks that it can pay for loading
    /// the code before it reads it.
    ///
    /// # Errors
    /// Storage failures.
    fn code_len(&self, code_hash: &Hash) -> Result<Option<u64>, ChainError> {
        Ok(self
            .code_by_hash(code_hash)?
            .map(|c| u64::try_from(c.len()).unwrap_or(u64::MAX)))
    }
}

/// Provides the state root.
pub trait StateRootProvider {
    /// Root of the state trie.
    ///
    /// # Errors
    /// Storage failures, or a version without a committed root.
    fn state_root(&self) -> Result<Hash, ChainError>;
}

/// Everything execution reads.
pub trait StateReader: AccountReader + StorageReader + CodeReader {}
impl<T: AccountReader + StorageReader + CodeReader> StateReader for T {}

/// Trie key of an account: `keccak256(b"acct" ++ address)`.
pub fn account_key(address: &Address) -> KeyHash {
    let mut buf = Vec::with_capacity(4 + 32);
    buf.extend_from_slice(b"acct");
    buf.extend_from_slice(address);
    KeyHash(keccak256(&buf))
}

/// Trie key of a storage slot: `keccak256(b"stor" ++ address ++ key)`. The address has a
/// fixed length, so the concatenation is unambiguous.
pub fn storage_key(address: &Address, key: &[u8]) -> KeyHash {
    let mut buf = Vec::with_capacity(4 + 32 + key.len());
    buf.extend_from_slice(b"stor");
    buf.extend_from_slice(address);
    buf.extend_from_slice(key);
    KeyHash(keccak256(&buf))
}

/// A state with no accounts, storage or code: the base of a fresh in-memory
/// [`Overlay`] (`metron run --metadata` deploys and calls a contract on one).
#[derive(Clone, Copy, Debug, Default)]
pub struct EmptyState;

impl AccountReader for EmptyState {
    fn account(&self, _: &Address) -> Result<Option<Account>, ChainError> {
        Ok(None)
    }
}

impl StorageReader for EmptyState {
    fn storage(&self, _: &Address, _: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
        Ok(None)
    }
}

impl CodeReader for EmptyState {
    fn code_by_hash(&self, _: &Hash) -> Result<Option<Vec<u8>>, ChainError> {
        Ok(None)
    }
}
