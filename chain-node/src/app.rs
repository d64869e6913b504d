//! The application interface: what a block producer drives, whether it is the devnet's
//! own producer ([`crate::pool::Producer`], through [`Chain::seal_block`]) or a BFT
//! consensus engine through ABCI (`metron abci`, [`crate::abci`]).
//!
//! The steps are those of ABCI 2.0 (CometBFT 0.38, `spec/abci/abci++_methods.md`):
//! [`Application::check_tx`] admits a transaction to a pool, [`Application::prepare_proposal`]
//! picks a block's transactions, [`Application::process_proposal`] validates a proposed
//! block, [`Application::finalize_block`] executes a decided block without committing it,
//! [`Application::commit`] persists it atomically, and [`Application::info`] says where the
//! state is (last height and app hash, which is the state root). Queries at a height are
//! [`Chain`]'s own read methods (`balance`, `nonce`, `storage`, `code`, `prove`,
//! `dry_run_call_at`).
//!
//! Every step that executes transactions goes through one function,
//! [`Chain::execute_block`], so the devnet and a validator compute the same state root for
//! the same transactions, heights and timestamps.

use std::sync::PoisonError;

use parity_scale_codec::Encode;

use crate::chain::{Chain, SealedBlock};
use crate::error::{ChainError, TxError};
use crate::host::BlockContext;
use crate::state::{Overlay, StateView};
use crate::types::{
    receipts_root, transactions_root, Block, BlockHeader, Hash, Receipt, SignedTransaction,
};
use jmt::storage::TreeUpdateBatch;

/// Where the committed state is ([`Application::info`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppInfo {
    /// Height of the last committed block (0: genesis only).
    pub last_height: u64,
    /// The state root after it: the app hash consensus records.
    pub app_hash: Hash,
    /// Hash of the last committed block's header (Metron's header, not the consensus
    /// engine's block hash).
    pub last_block_hash: Hash,
}

/// A block's position and time, as the consensus engine decided them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockPlace {
    /// Height; must be the last committed height plus one.
    pub height: u64,
    /// Timestamp in ms since the Unix epoch, from the consensus header (never a local
    /// clock); must be above the parent's.
    pub timestamp: u64,
}

/// Limits a proposal must keep ([`Application::prepare_proposal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProposalLimits {
    /// Total encoded bytes of the block's transactions.
    pub max_tx_bytes: u64,
}

/// Why a proposed block is refused ([`Application::process_proposal`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// Transaction `index` does not decode.
    #[error("transaction {index} does not decode: {error}")]
    Malformed {
        /// Position in the block.
        index: usize,
        /// The decoder's message.
        error: String,
    },
    /// Transaction `index` is invalid against the state the earlier ones leave
    /// (signature, nonce, balance, gas limit, chain id).
    #[error("transaction {index} (0x{hash}) is invalid: {error}")]
    InvalidTransaction {
        /// Position in the block.
        index: usize,
        /// Its hash (hex).
        hash: String,
        /// Why (boxed: a `TxError` is large, and refusals are rare).
        error: Box<TxError>,
    },
    /// The transactions' gas limits add up past the block gas limit.
    #[error("the block's gas limits add up to {total}, above the block gas limit {limit}")]
    OverGasLimit {
        /// Sum of the gas limits (saturating).
        total: u64,
        /// The chain's block gas limit.
        limit: u64,
    },
    /// The block is not the next one, or its time does not move forward.
    #[error("block at height {height}, time {timestamp} does not follow the head (height {head_height}, time {head_timestamp})")]
    Misplaced {
        /// Proposed height.
        height: u64,
        /// Proposed timestamp (ms).
        timestamp: u64,
        /// The head's height.
        head_height: u64,
        /// The head's timestamp (ms).
        head_timestamp: u64,
    },
}

/// One transaction's outcome in a finalized block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxOutcome {
    /// Executed: its receipt (a failed contract call is still executed, fee paid).
    Executed(Receipt),
    /// Not executed and left out of the block: it was invalid against the state before
    /// it. A block consensus decided can hold one only if its proposer was faulty and
    /// enough validators accepted it anyway; every node skips it the same way.
    Skipped(TxError),
    /// The bytes were not a transaction.
    Undecodable(String),
}

/// A block executed by [`Application::finalize_block`] and not yet committed.
#[derive(Debug)]
pub struct FinalizedBlock {
    /// Metron's header of the block (its state root is the app hash).
    pub header: BlockHeader,
    /// Hash of `header`.
    pub hash: Hash,
    /// One outcome per transaction given, in order.
    pub outcomes: Vec<TxOutcome>,
}

/// A block executed and ready to commit: everything [`Chain::commit_prepared`] writes.
#[derive(Debug)]
pub struct PreparedBlock {
    pub(crate) hash: Hash,
    pub(crate) block: Block,
    pub(crate) receipts: Vec<Receipt>,
    pub(crate) trie: TreeUpdateBatch,
    pub(crate) code: std::collections::BTreeMap<Hash, Vec<u8>>,
}

/// What [`Chain::execute_block`] did with a list of transactions.
pub(crate) struct Executed<'v> {
    pub overlay: Overlay<'v, StateView<'v>>,
    pub included: Vec<SignedTransaction>,
    pub receipts: Vec<Receipt>,
    /// Position in the input and why, for each transaction left out.
    pub rejected: Vec<(usize, TxError)>,
}

/// The interface a block producer drives; see the module docs. Implemented by [`Chain`].
pub trait Application {
    /// Where the committed state is.
    fn info(&self) -> AppInfo;

    /// Admission of a transaction to a pool: the stateless checks, then its nonce and
    /// whether its sender can pay `gas_limit * gas_price + value`, against the committed
    /// state. Pool policy (ordering by nonce, holding future nonces) is the pool's.
    ///
    /// # Errors
    /// The first failed check; [`TxError::Chain`] for storage failures.
    fn check_tx(&self, stx: &SignedTransaction) -> Result<(), TxError>;

    /// Picks, from `candidates` in their order, the transactions of the next block: each
    /// valid against the state the ones before it leave, the gas limits within the block
    /// gas limit, the encoded bytes within `limits.max_tx_bytes`.
    ///
    /// # Errors
    /// Node failures.
    fn prepare_proposal(
        &self,
        place: BlockPlace,
        candidates: Vec<SignedTransaction>,
        limits: ProposalLimits,
    ) -> Result<Vec<SignedTransaction>, ChainError>;

    /// Validates a proposed block: it follows the head, every transaction decodes and is
    /// valid in order, and the gas limits fit the block gas limit.
    ///
    /// # Errors
    /// `Ok(Err(_))`: the block is refused, with why. `Err(_)`: a node failure.
    fn process_proposal(
        &self,
        place: BlockPlace,
        txs: &[Vec<u8>],
    ) -> Result<Result<(), ProposalError>, ChainError>;

    /// Executes a decided block on the committed state and holds the result until
    /// [`Application::commit`]; a later call replaces a held block. Invalid or
    /// undecodable transactions are skipped (see [`TxOutcome::Skipped`]).
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] if the block does not follow the head; node failures.
    fn finalize_block(
        &self,
        place: BlockPlace,
        txs: &[Vec<u8>],
    ) -> Result<FinalizedBlock, ChainError>;

    /// Persists the block held by [`Application::finalize_block`] in one atomic write
    /// and makes it the head. Returns the new [`AppInfo`].
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] if no block is held; storage failures (nothing is
    /// written then).
    fn commit(&self) -> Result<AppInfo, ChainError>;
}

impl Chain {
    /// Executes `txs` in order on the state at `parent.height`, in a block at `ctx`: a
    /// transaction invalid against the state the earlier ones leave (or whose gas limit
    /// would take the block past the block gas limit) is left out with its error and
    /// leaves no write. The one execution path of the devnet producer, proposals and
    /// finalized blocks.
    ///
    /// # Errors
    /// Node failures.
    pub(crate) fn execute_block<'v>(
        &self,
        view: &'v StateView<'v>,
        ctx: BlockContext,
        txs: Vec<SignedTransaction>,
    ) -> Result<Executed<'v>, ChainError> {
        let mut overlay = Overlay::new(view);
        let mut included = Vec::new();
        let mut receipts = Vec::new();
        let mut rejected = Vec::new();
        let mut gas: u64 = 0;
        for (position, stx) in txs.into_iter().enumerate() {
            let Some(total) = gas
                .checked_add(stx.tx.gas_limit)
                .filter(|g| *g <= self.config.block_gas_limit)
            else {
                rejected.push((
                    position,
                    TxError::GasLimitTooHigh {
                        gas_limit: stx.tx.gas_limit,
                        block_gas_limit: self.config.block_gas_limit - gas,
                    },
                ));
                continue;
            };
            let index = u32::try_from(included.len()).unwrap_or(u32::MAX);
            // A transaction left out leaves no write behind.
            let checkpoint = overlay.checkpoint();
            match self.executor.execute_tx(&mut overlay, ctx, &stx, index) {
                Ok(receipt) => {
                    gas = total;
                    receipts.push(receipt);
                    included.push(stx);
                }
                // A balance past u128::MAX (a devnet after dev_setBalance; never a chain
                // whose supply fits in a u128): this transaction cannot run, the block
                // goes on without it.
                Err(TxError::Chain(e @ ChainError::Corrupt(_))) => {
                    overlay.revert(checkpoint);
                    rejected.push((position, TxError::Chain(e)));
                }
                Err(TxError::Chain(e)) => return Err(e),
                Err(e) => {
                    overlay.revert(checkpoint);
                    rejected.push((position, e));
                }
            }
        }
        Ok(Executed {
            overlay,
            included,
            receipts,
            rejected,
        })
    }

    /// Computes the state root and the header of an executed block whose parent is
    /// `parent_hash`: everything to commit, nothing written.
    ///
    /// # Errors
    /// Trie failures.
    pub(crate) fn prepare_block(
        &self,
        parent_hash: Hash,
        ctx: BlockContext,
        overlay: Overlay<'_, StateView<'_>>,
        transactions: Vec<SignedTransaction>,
        receipts: Vec<Receipt>,
    ) -> Result<PreparedBlock, ChainError> {
        let changes = overlay.into_changes();
        let (state_root, trie) = self.store.prepare_state(changes.writes, ctx.height)?;
        let header = BlockHeader {
            parent_hash,
            height: ctx.height,
            timestamp: ctx.timestamp,
            state_root,
            transactions_root: transactions_root(&transactions),
            receipts_root: receipts_root(&receipts),
        };
        Ok(PreparedBlock {
            hash: header.hash(),
            block: Block {
                header,
                transactions,
            },
            receipts,
            trie,
            code: changes.code,
        })
    }

    /// The context of the block at `place` after the head, or why it does not follow it.
    fn place_after_head(&self, place: BlockPlace) -> Result<(Hash, BlockContext), ProposalError> {
        let (hash, head) = self.head();
        if place.height != head.height.saturating_add(1) || place.timestamp <= head.timestamp {
            return Err(ProposalError::Misplaced {
                height: place.height,
                timestamp: place.timestamp,
                head_height: head.height,
                head_timestamp: head.timestamp,
            });
        }
        Ok((
            hash,
            BlockContext {
                height: place.height,
                timestamp: place.timestamp,
            },
        ))
    }
}

impl Application for Chain {
    fn info(&self) -> AppInfo {
        let (hash, head) = self.head();
        AppInfo {
            last_height: head.height,
            app_hash: head.state_root,
            last_block_hash: hash,
        }
    }

    fn check_tx(&self, stx: &SignedTransaction) -> Result<(), TxError> {
        let account = self.account(&stx.from, None)?;
        self.check_tx_against(stx, account.nonce, account.balance)
            .map(|_| ())
    }

    fn prepare_proposal(
        &self,
        place: BlockPlace,
        candidates: Vec<SignedTransaction>,
        limits: ProposalLimits,
    ) -> Result<Vec<SignedTransaction>, ChainError> {
        let Ok((_, ctx)) = self.place_after_head(place) else {
            return Ok(Vec::new());
        };
        // Within the byte limit first (in order, skipping what does not fit), then the
        // execution decides which are valid.
        let mut bytes: u64 = 0;
        let fitting: Vec<SignedTransaction> = candidates
            .into_iter()
            .filter(|stx| {
                let size = stx.encoded_size() as u64;
                match bytes.checked_add(size) {
                    Some(b) if b <= limits.max_tx_bytes => {
                        bytes = b;
                        true
                    }
                    _ => false,
                }
            })
            .collect();
        let view = self.store.view(place.height - 1);
        let executed = self.execute_block(&view, ctx, fitting)?;
        Ok(executed.included)
    }

    fn process_proposal(
        &self,
        place: BlockPlace,
        txs: &[Vec<u8>],
    ) -> Result<Result<(), ProposalError>, ChainError> {
        let ctx = match self.place_after_head(place) {
            Ok((_, ctx)) => ctx,
            Err(e) => return Ok(Err(e)),
        };
        let mut decoded = Vec::with_capacity(txs.len());
        let mut total: u64 = 0;
        for (index, bytes) in txs.iter().enumerate() {
            match SignedTransaction::decode_bytes(bytes) {
                Ok(stx) => {
                    total = total.saturating_add(stx.tx.gas_limit);
                    decoded.push(stx);
                }
                Err(e) => {
                    return Ok(Err(ProposalError::Malformed {
                        index,
                        error: e.to_string(),
                    }))
                }
            }
        }
        if total > self.config.block_gas_limit {
            return Ok(Err(ProposalError::OverGasLimit {
                total,
                limit: self.config.block_gas_limit,
            }));
        }
        let hashes: Vec<Hash> = decoded.iter().map(SignedTransaction::hash).collect();
        let view = self.store.view(place.height - 1);
        let executed = self.execute_block(&view, ctx, decoded)?;
        match executed.rejected.into_iter().next() {
            None => Ok(Ok(())),
            Some((index, error)) => Ok(Err(ProposalError::InvalidTransaction {
                index,
                hash: hex::encode(hashes[index]),
                error: Box::new(error),
            })),
        }
    }

    fn finalize_block(
        &self,
        place: BlockPlace,
        txs: &[Vec<u8>],
    ) -> Result<FinalizedBlock, ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (parent_hash, ctx) = self
            .place_after_head(place)
            .map_err(|e| ChainError::InvalidCall(e.to_string()))?;
        let mut outcomes: Vec<Option<TxOutcome>> = Vec::with_capacity(txs.len());
        let mut decoded = Vec::new();
        // Position of each decoded transaction among `txs`.
        let mut positions = Vec::new();
        for (i, bytes) in txs.iter().enumerate() {
            match SignedTransaction::decode_bytes(bytes) {
                Ok(stx) => {
                    outcomes.push(None);
                    positions.push(i);
                    decoded.push(stx);
                }
                Err(e) => outcomes.push(Some(TxOutcome::Undecodable(e.to_string()))),
            }
        }
        let view = self.store.view(place.height - 1);
        let executed = self.execute_block(&view, ctx, decoded)?;
        for (p, error) in executed.rejected {
            outcomes[positions[p]] = Some(TxOutcome::Skipped(error));
        }
        let mut receipts = executed.receipts.iter();
        for o in outcomes.iter_mut().filter(|o| o.is_none()) {
            *o = receipts.next().cloned().map(TxOutcome::Executed);
        }
        let prepared = self.prepare_block(
            parent_hash,
            ctx,
            executed.overlay,
            executed.included,
            executed.receipts,
        )?;
        let finalized = FinalizedBlock {
            header: prepared.block.header.clone(),
            hash: prepared.hash,
            outcomes: outcomes.into_iter().flatten().collect(),
        };
        *self.held.lock().unwrap_or_else(PoisonError::into_inner) = Some(prepared);
        Ok(finalized)
    }

    fn commit(&self) -> Result<AppInfo, ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let held = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| ChainError::InvalidCall("no finalized block to commit".into()))?;
        let (head_hash, _) = self.head();
        if held.block.header.parent_hash != head_hash {
            return Err(ChainError::InvalidCall(
                "the finalized block no longer follows the head".into(),
            ));
        }
        self.commit_prepared(held)?;
        Ok(self.info())
    }
}

impl Chain {
    /// [`Chain::check_stateless`], then whether `stx` has nonce `next_nonce` and its
    /// maximum cost (`gas_limit * gas_price + value`) is within `available`: a pool's
    /// admission against a sender's state plus what it already has pending. Returns the
    /// maximum cost.
    ///
    /// # Errors
    /// The first failed check.
    pub fn check_tx_against(
        &self,
        stx: &SignedTransaction,
        next_nonce: u64,
        available: u128,
    ) -> Result<u128, TxError> {
        self.check_stateless(stx)?;
        if stx.tx.nonce != next_nonce {
            return Err(TxError::BadNonce {
                expected: next_nonce,
                got: stx.tx.nonce,
            });
        }
        let tx = &stx.tx;
        let need = u128::from(tx.gas_limit)
            .checked_mul(tx.gas_price)
            .and_then(|fee| fee.checked_add(tx.action.value()))
            .ok_or(TxError::CostOverflow)?;
        if available < need {
            return Err(TxError::InsufficientBalance {
                need,
                have: available,
            });
        }
        Ok(need)
    }

    /// The devnet producer's block: [`Chain::execute_block`] on the head state at the
    /// producer's clock, then commit (see [`Chain::seal_block`]).
    pub(crate) fn seal_with_clock(
        &self,
        txs: Vec<SignedTransaction>,
        seal_empty: bool,
    ) -> Result<SealedBlock, ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (parent_hash, parent) = self.head();
        let view = self.store.view(parent.height);
        // The context is fixed before execution; a timestamp set for the next block is
        // used up only if a block is sealed.
        let ctx = self.next_block_context(&parent, false);
        let hashes: Vec<Hash> = txs.iter().map(SignedTransaction::hash).collect();
        let executed = self.execute_block(&view, ctx, txs)?;
        let rejected = executed
            .rejected
            .into_iter()
            .map(|(p, e)| (hashes[p], e))
            .collect();
        if executed.included.is_empty() && !seal_empty {
            return Ok(SealedBlock {
                hash: None,
                included: Vec::new(),
                rejected,
            });
        }
        self.clock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_ms
            .take();
        let included = executed
            .included
            .iter()
            .map(SignedTransaction::hash)
            .collect();
        let prepared = self.prepare_block(
            parent_hash,
            ctx,
            executed.overlay,
            executed.included,
            executed.receipts,
        )?;
        let hash = self.commit_prepared(prepared)?;
        Ok(SealedBlock {
            hash: Some(hash),
            included,
            rejected,
        })
    }
}
