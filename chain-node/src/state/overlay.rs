//! In-memory write overlay over a committed [`StateReader`], used while executing a block,
//! with checkpoints so that a failed transaction's writes can be reverted.
//!
//! Determinism: all maps are `BTreeMap`, so [`Overlay::into_changes`] yields writes in a
//! fixed order independent of insertion order or hashing seeds.

use std::collections::BTreeMap;

use jmt::{KeyHash, OwnedValue};
use parity_scale_codec::{Decode, Encode};

use super::{account_key, storage_key, AccountReader, CodeReader, StateReader, StorageReader};
use crate::error::ChainError;
use crate::types::{Account, Address, Hash};

/// One undo record: the overlay entry before a write (`None` = no entry in the overlay).
enum Undo {
    Account(Address, Option<Account>),
    Storage((Address, Vec<u8>), Option<Option<Vec<u8>>>),
    Code(Hash, Option<Vec<u8>>),
    Raw(KeyHash, Option<Option<OwnedValue>>),
}

/// A position in the overlay's journal; [`Overlay::revert`] undoes every write after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint(usize);

/// Writes of a block, ready for the trie and the code store.
pub struct StateChanges {
    /// Trie writes (`None` deletes), sorted by address then key.
    pub writes: Vec<(KeyHash, Option<OwnedValue>)>,
    /// New code by hash.
    pub code: BTreeMap<Hash, Vec<u8>>,
}

/// Pending writes over a base state.
pub struct Overlay<'a, S> {
    base: &'a S,
    accounts: BTreeMap<Address, Account>,
    /// `None` value = deleted.
    storage: BTreeMap<(Address, Vec<u8>), Option<Vec<u8>>>,
    code: BTreeMap<Hash, Vec<u8>>,
    /// Writes by trie key ([`Overlay::set_raw`]); `None` value = deleted.
    raw: BTreeMap<KeyHash, Option<OwnedValue>>,
    journal: Vec<Undo>,
}

impl<'a, S: StateReader> Overlay<'a, S> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a S) -> Self {
        Overlay {
            base,
            accounts: BTreeMap::new(),
            storage: BTreeMap::new(),
            code: BTreeMap::new(),
            raw: BTreeMap::new(),
            journal: Vec::new(),
        }
    }

    /// The account at `address` (default if absent).
    ///
    /// # Errors
    /// Storage failures of the base.
    pub fn get_account(&self, address: &Address) -> Result<Account, ChainError> {
        Ok(self.account(address)?.unwrap_or_default())
    }

    /// Sets the account at `address`.
    pub fn set_account(&mut self, address: Address, account: Account) {
        let prev = self.accounts.insert(address, account);
        self.journal.push(Undo::Account(address, prev));
    }

    /// Sets (`Some`) or deletes (`None`) a storage value.
    pub fn set_storage(&mut self, address: Address, key: Vec<u8>, value: Option<Vec<u8>>) {
        let slot = (address, key);
        let prev = self.storage.insert(slot.clone(), value);
        self.journal.push(Undo::Storage(slot, prev));
    }

    /// Stores `code` under its hash.
    pub fn put_code(&mut self, code_hash: Hash, code: Vec<u8>) {
        let prev = self.code.insert(code_hash, code);
        self.journal.push(Undo::Code(code_hash, prev));
    }

    /// Sets (`Some`) or deletes (`None`) the trie entry `key_hash` directly, by its trie
    /// key rather than an address (loading a state file, which holds key hashes only).
    /// It wins over an account or storage write to the same key, in reads through the
    /// overlay and in [`Overlay::into_changes`] (where it comes last).
    pub fn set_raw(&mut self, key_hash: KeyHash, value: Option<OwnedValue>) {
        let prev = self.raw.insert(key_hash, value);
        self.journal.push(Undo::Raw(key_hash, prev));
    }

    /// The current journal position.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.journal.len())
    }

    /// Undoes every write made after `checkpoint`.
    pub fn revert(&mut self, checkpoint: Checkpoint) {
        while self.journal.len() > checkpoint.0 {
            let Some(undo) = self.journal.pop() else {
                break;
            };
            match undo {
                Undo::Account(addr, prev) => restore(&mut self.accounts, addr, prev),
                Undo::Storage(slot, prev) => restore(&mut self.storage, slot, prev),
                Undo::Code(hash, prev) => restore(&mut self.code, hash, prev),
                Undo::Raw(key, prev) => restore(&mut self.raw, key, prev),
            }
        }
    }

    /// The overlay's writes as trie writes (accounts equal to the default are deleted) and
    /// new code.
    pub fn into_changes(self) -> StateChanges {
        let mut writes =
            Vec::with_capacity(self.accounts.len() + self.storage.len() + self.raw.len());
        for (addr, account) in &self.accounts {
            let value = (!account.is_empty()).then(|| account.encode());
            writes.push((account_key(addr), value));
        }
        for ((addr, key), value) in self.storage {
            writes.push((storage_key(&addr, &key), value));
        }
        writes.extend(self.raw);
        StateChanges {
            writes,
            code: self.code,
        }
    }
}

fn restore<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, prev: Option<V>) {
    match prev {
        Some(v) => {
            map.insert(key, v);
        }
        None => {
            map.remove(&key);
        }
    }
}

impl<S: StateReader> AccountReader for Overlay<'_, S> {
    fn account(&self, address: &Address) -> Result<Option<Account>, ChainError> {
        // Writes by trie key win (as in `into_changes`); the address is hashed only if
        // there are any.
        if !self.raw.is_empty() {
            if let Some(v) = self.raw.get(&account_key(address)) {
                return v
                    .as_deref()
                    .map(|mut b| Account::decode(&mut b).map_err(ChainError::from))
                    .transpose();
            }
        }
        match self.accounts.get(address) {
            Some(a) => Ok((!a.is_empty()).then(|| a.clone())),
            None => self.base.account(address),
        }
    }
}

impl<S: StateReader> StorageReader for Overlay<'_, S> {
    fn storage(&self, address: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
        if !self.raw.is_empty() {
            if let Some(v) = self.raw.get(&storage_key(address, key)) {
                return Ok(v.clone());
            }
        }
        // No storage writes yet: skip building the owned lookup key.
        if self.storage.is_empty() {
            return self.base.storage(address, key);
        }
        match self.storage.get(&(*address, key.to_vec())) {
            Some(v) => Ok(v.clone()),
            None => self.base.storage(address, key),
        }
    }
}

impl<S: StateReader> CodeReader for Overlay<'_, S> {
    fn code_by_hash(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, ChainError> {
        match self.code.get(code_hash) {
            Some(c) => Ok(Some(c.clone())),
            None => self.base.code_by_hash(code_hash),
        }
    }

    fn code_len(&self, code_hash: &Hash) -> Result<Option<u64>, ChainError> {
        match self.code.get(code_hash) {
            Some(c) => Ok(Some(u64::try_from(c.len()).unwrap_or(u64::MAX))),
            None => self.base.code_len(code_hash),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Empty;
    impl AccountReader for Empty {
        fn account(&self, _: &Address) -> Result<Option<Account>, ChainError> {
            Ok(None)
        }
    }
    impl StorageReader for Empty {
        fn storage(&self, _: &Address, _: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
            Ok(None)
        }
    }
    impl CodeReader for Empty {
        fn code_by_hash(&self, _: &Hash) -> Result<Option<Vec<u8>>, ChainError> {
            Ok(None)
        }
    }

    #[test]
    fn checkpoint_revert_restores_previous_values() {
        let base = Empty;
        let mut o = Overlay::new(&base);
        let a = [1; 32];
        o.set_account(
            a,
            Account {
                balance: 5,
                ..Default::default()
            },
        );
        o.set_storage(a, b"k".to_vec(), Some(b"v1".to_vec()));
        let cp = o.checkpoint();
        o.set_account(
            a,
            Account {
                balance: 7,
                ..Default::default()
            },
        );
        o.set_storage(a, b"k".to_vec(), None);
        o.set_storage(a, b"k2".to_vec(), Some(vec![]));
        o.put_code([3; 32], vec![1, 2]);
        assert_eq!(o.get_account(&a).unwrap().balance, 7);
        assert_eq!(o.storage(&a, b"k").unwrap(), None);
        o.revert(cp);
        assert_eq!(o.get_account(&a).unwrap().balance, 5);
        assert_eq!(o.storage(&a, b"k").unwrap(), Some(b"v1".to_vec()));
        assert_eq!(o.storage(&a, b"k2").unwrap(), None);
        assert_eq!(o.code_by_hash(&[3; 32]).unwrap(), None);
        let changes = o.into_changes();
        assert_eq!(changes.writes.len(), 2);
        assert!(changes.code.is_empty());
    }

    #[test]
    fn raw_writes_are_read_and_win() {
        let base = Empty;
        let mut o = Overlay::new(&base);
        let a = [1; 32];
        let acct = Account {
            balance: 9,
            ..Default::default()
        };
        o.set_storage(a, b"k".to_vec(), Some(b"v".to_vec()));
        o.set_raw(account_key(&a), Some(acct.encode()));
        o.set_raw(storage_key(&a, b"k"), None);
        assert_eq!(o.get_account(&a).unwrap(), acct);
        assert_eq!(o.storage(&a, b"k").unwrap(), None);
        let changes = o.into_changes();
        assert_eq!(changes.writes.last(), Some(&(storage_key(&a, b"k"), None)));
        let mut o = Overlay::new(&base);
        let cp = o.checkpoint();
        o.set_raw(account_key(&a), Some(acct.encode()));
        o.revert(cp);
        assert_eq!(o.get_account(&a).unwrap(), Account::default());
    }

    #[test]
    fn default_account_is_a_deletion() {
        let base = Empty;
        let mut o = Overlay::new(&base);
        o.set_account([1; 32], Account::default());
        assert_eq!(o.account(&[1; 32]).unwrap(), None);
        let changes = o.into_changes();
        assert_eq!(changes.writes, vec![(account_key(&[1; 32]), None)]);
    }
}
