//! Devnet controls of a [`Chain`]: snapshots and reverts, reset, and direct state edits
//! (balance, nonce, code, storage), as Anvil's `evm_snapshot`, `evm_revert`,
//! `anvil_reset` and `anvil_set*`.
//!
//! Every control runs under the block producer's lock, so it never interleaves with a
//! block being sealed. The chain keeps its one invariant through all of them: the head's
//! state root is the root of the trie at the head height.
//! - A **revert** removes the blocks above the snapshot's height from the store in one
//!   atomic batch ([`crate::state::Store::truncate`], through per-block undo records) and
//!   moves the head back, so the next block is sealed at the snapshot's height + 1.
//! - A **state edit** is sealed as a block of its own with no transactions: its header's
//!   state root commits to the edit. Such a block cannot be re-derived from transactions,
//!   which is why edits exist on devnets only.

use std::collections::BTreeMap;
use std::sync::PoisonError;

use crate::chain::{Chain, ProducerClock};
use crate::error::ChainError;
use crate::executor::check_interface;
use crate::state::Overlay;
use crate::types::{keccak256, Address, Hash};

/// Snapshots taken with [`Chain::snapshot`], by id.
#[derive(Debug, Default)]
pub struct Snapshots {
    /// Id the next snapshot gets. Ids are never reused while the node runs.
    next_id: u64,
    /// Live snapshots (a BTreeMap: "this id and every later one" is a range).
    taken: BTreeMap<u64, Snapshot>,
}

/// What a snapshot restores: the head and the block producer's clock.
#[derive(Clone, Copy, Debug)]
struct Snapshot {
    height: u64,
    hash: Hash,
    clock: ProducerClock,
}

/// One direct edit of the state ([`Chain::edit_state`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateEdit {
    /// Sets an account's balance (base units).
    Balance {
        /// The account.
        address: Address,
        /// Its new balance.
        balance: u128,
    },
    /// Sets an account's nonce (the next nonce its transactions must carry).
    Nonce {
        /// The account.
        address: Address,
        /// Its new nonce.
        nonce: u64,
    },
    /// Sets an account's contract code; empty code makes it a plain account again (its
    /// storage stays). The code must compile and have the contract interface a deploy
    /// requires; its `init` is not run.
    Code {
        /// The account.
        address: Address,
        /// Wasm binary, or empty.
        code: Vec<u8>,
    },
    /// Sets (`Some`) or deletes (`None`) one storage value of an account.
    Storage {
        /// The account.
        address: Address,
        /// Storage key.
        key: Vec<u8>,
        /// New value.
        value: Option<Vec<u8>>,
    },
}

impl Chain {
    /// The senders this chain accepts unsigned transactions from (devnet
    /// impersonation; see [`crate::executor::Impersonation`]).
    pub fn impersonation(&self) -> &crate::executor::Impersonation {
        &self.executor.impersonation
    }

    /// Records the current head and producer clock; returns the snapshot's id for
    /// [`Chain::revert_to_snapshot`]. Costs no storage: the blocks above it are what a
    /// revert removes.
    pub fn snapshot(&self) -> u64 {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (hash, header) = self.head();
        let clock = *self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut snapshots = self
            .snapshots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let id = snapshots.next_id;
        snapshots.next_id = id.saturating_add(1);
        snapshots.taken.insert(
            id,
            Snapshot {
                height: header.height,
                hash,
                clock,
            },
        );
        id
    }

    /// Takes the chain back to snapshot `id`: the blocks sealed since are removed with
    /// their transactions, receipts and state, and the producer's clock is restored.
    /// Snapshot `id` and every later one are used up (as Anvil's `evm_revert`); take a
    /// new snapshot to revert again. Returns `false` (and changes nothing) for an unknown
    /// or used-up id.
    ///
    /// # Errors
    /// [`ChainError::Corrupt`] if the snapshot's block is no longer in the store or has
    /// no undo record; storage failures. Nothing is changed then.
    pub fn revert_to_snapshot(&self, id: u64) -> Result<bool, ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut snapshots = self
            .snapshots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(snapshot) = snapshots.taken.get(&id).copied() else {
            return Ok(false);
        };
        self.truncate_to(snapshot.height, Some(snapshot.hash))?;
        *self.clock.lock().unwrap_or_else(PoisonError::into_inner) = snapshot.clock;
        snapshots.taken.split_off(&id);
        Ok(true)
    }

    /// Takes the chain back to its genesis block and forgets every snapshot, the clock
    /// adjustments and the impersonated senders (Anvil's `anvil_reset` without a fork).
    ///
    /// # Errors
    /// As [`Chain::revert_to_snapshot`].
    pub fn reset(&self) -> Result<(), ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut snapshots = self
            .snapshots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.truncate_to(0, None)?;
        *self.clock.lock().unwrap_or_else(PoisonError::into_inner) = ProducerClock::default();
        snapshots.taken.clear();
        self.executor.impersonation.clear();
        Ok(())
    }

    /// Removes the blocks above `height` and moves the head there. The caller holds the
    /// producer's lock.
    fn truncate_to(&self, height: u64, expect: Option<Hash>) -> Result<(), ChainError> {
        let head = self.head_height();
        let (hash, block) = self
            .store
            .block(height)?
            .filter(|_| height <= head)
            .ok_or_else(|| ChainError::Corrupt(format!("block {height} is not in the store")))?;
        if let Some(expected) = expect {
            if hash != expected {
                return Err(ChainError::Corrupt(format!(
                    "block {height} is 0x{}, the snapshot recorded 0x{}",
                    hex::encode(hash),
                    hex::encode(expected)
                )));
            }
        }
        let removed = self.store.truncate(height, head)?;
        *self.head.write().unwrap_or_else(PoisonError::into_inner) = (hash, block.header);
        tracing::info!(height, removed, "reverted the chain");
        Ok(())
    }

    /// Applies `edits` in order, in a new block with no transactions, and returns that
    /// block's hash. The edits are checked first: if one fails, none is applied and no
    /// block is sealed.
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] for code that does not compile or lacks the contract
    /// interface; node failures.
    pub fn edit_state(&self, edits: &[StateEdit]) -> Result<Hash, ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (parent_hash, parent) = self.head();
        let view = self.store.view(parent.height);
        let mut overlay = Overlay::new(&view);
        for edit in edits {
            match edit {
                StateEdit::Balance { address, balance } => {
                    let mut account = overlay.get_account(address)?;
                    account.balance = *balance;
                    overlay.set_account(*address, account);
                }
                StateEdit::Nonce { address, nonce } => {
                    let mut account = overlay.get_account(address)?;
                    account.nonce = *nonce;
                    overlay.set_account(*address, account);
                }
                StateEdit::Code { address, code } => {
                    let mut account = overlay.get_account(address)?;
                    if code.is_empty() {
                        account.code_hash = None;
                    } else {
                        let code_hash = keccak256(code);
                        let module = self
                            .executor
                            .cache
                            .get_or_compile(&self.executor.vm, &code_hash, code)
                            .map_err(|e| ChainError::InvalidCall(format!("invalid code: {e}")))?;
                        if let Some(e) = check_interface(&module) {
                            return Err(ChainError::InvalidCall(format!("invalid code: {e}")));
                        }
                        overlay.put_code(code_hash, code.clone());
                        account.code_hash = Some(code_hash);
                    }
                    overlay.set_account(*address, account);
                }
                StateEdit::Storage {
                    address,
                    key,
                    value,
                } => overlay.set_storage(*address, key.clone(), value.clone()),
            }
        }
        let ctx = self.next_block_context(&parent, true);
        self.seal(parent_hash, ctx, overlay, Vec::new(), Vec::new())
    }
}
