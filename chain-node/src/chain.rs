//! The chain: genesis, block production, commits and queries.
//!
//! [`Chain`] implements the application interface ([`crate::app::Application`]: check a
//! transaction, execute a block, commit) and the queries at a height. It is thread-safe: block production is serialized by
//! a mutex, queries read committed data concurrently.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use parity_scale_codec::Encode;
use tokio::sync::broadcast;

use crate::error::{ChainError, TxError};
use crate::executor::{intrinsic_gas, validate_stateless, Executor, ModuleCache};
use crate::host::BlockContext;
use crate::state::store::{BlockCommit, GenesisMeta};
use crate::state::{
    account_key, storage_key, AccountReader, CodeReader, Durability, Overlay, StateProof,
    StateView, StorageReader, Store,
};
use crate::types::{
    receipts_root, transactions_root, Account, Address, Block, BlockHeader, CallResult, Hash,
    Receipt, SignedTransaction, TxLocation,
};

/// Configuration of a chain. Everything except `data_dir`, `durability` and
/// `min_gas_price` is consensus: nodes of one chain must agree on it. A data dir records
/// its chain id, gas schedule version (`vm.schedule.version`), block gas limit and genesis
/// accounts at genesis; [`Chain::open`] refuses to resume it with a configuration that
/// differs in any of them. The VM's limits (`vm.limits`, call depth, stack slots) belong
/// to the schedule version: a release that changes them changes the version.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    /// Directory of the RocksDB database (created if missing).
    pub data_dir: PathBuf,
    /// Chain id transactions must carry.
    pub chain_id: u64,
    /// Genesis balances; addresses must be distinct and the total must fit in u128. Order
    /// and zero balances do not matter (they do not change the genesis state).
    pub genesis_accounts: Vec<(Address, u128)>,
    /// VM configuration (limits, gas schedule). The schedule's version is recorded at
    /// genesis and checked on resume.
    pub vm: metron_vm::Config,
    /// Maximum gas of a block, hence of one transaction. With instant seal a block holds
    /// one transaction, so the check is per transaction ([`TxError::GasLimitTooHigh`]).
    pub block_gas_limit: u64,
    /// Lowest gas price (base units per gas) this node admits ([`TxError::GasPriceTooLow`]).
    /// Admission policy, not consensus: it is checked when a transaction is submitted to
    /// this node, not when a block is executed. Non-zero by default, so that every
    /// transaction pays for its gas and a key with no balance cannot send any.
    pub min_gas_price: u128,
    /// Whether each block is synced to disk before it is acknowledged (see
    /// [`Durability`]). Node policy, not consensus.
    pub durability: Durability,
}

/// A block just committed, as broadcast to subscribers: its hash and header only, so the
/// channel's memory is bounded by its capacity times a header (about 200 bytes), whatever
/// the blocks hold. Transactions and receipts are read on demand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHead {
    /// Block hash.
    pub hash: Hash,
    /// The block's header.
    pub header: BlockHeader,
}

/// What [`Chain::seal_block`] did.
#[derive(Debug)]
pub struct SealedBlock {
    /// Hash of the sealed block; `None` if none was sealed.
    pub hash: Option<Hash>,
    /// Hashes of the transactions included, in block order.
    pub included: Vec<Hash>,
    /// The transactions left out, with why.
    pub rejected: Vec<(Hash, TxError)>,
}

/// Capacity of the new-head broadcast channel (slow subscribers miss older heads).
const HEAD_CHANNEL_CAPACITY: usize = 256;

/// The devnet chain.
pub struct Chain {
    pub(crate) store: Store,
    pub(crate) executor: Executor,
    pub(crate) config: ChainConfig,
    /// Hash and header of the last committed block.
    pub(crate) head: RwLock<(Hash, BlockHeader)>,
    /// Serializes block production.
    pub(crate) producer: Mutex<()>,
    /// The producer's clock adjustments (a lock of its own: dry runs read it without
    /// waiting for the producer).
    pub(crate) clock: Mutex<ProducerClock>,
    /// Devnet snapshots ([`Chain::snapshot`]).
    pub(crate) snapshots: Mutex<crate::control::Snapshots>,
    /// A block finalized and not yet committed ([`crate::app::Application`]).
    pub(crate) held: Mutex<Option<crate::app::PreparedBlock>>,
    new_heads: broadcast::Sender<NewHead>,
}

/// How the block producer picks block timestamps: the wall clock plus `offset_ms`, or
/// the one timestamp set for the next block. Either way, strictly above the parent's. A
/// timestamp is an input to its block (recorded in the header), never read during
/// execution, so nodes replaying a block agree whatever their clocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ProducerClock {
    /// Added to the wall clock ([`Chain::increase_time`]).
    pub(crate) offset_ms: u64,
    /// The next block's timestamp, used once ([`Chain::set_next_block_timestamp`]).
    pub(crate) next_ms: Option<u64>,
}

/// The latest timestamp (ms) the producer's clock can be moved to: 2^53, past year
/// 285 000 and the largest integer a JSON number keeps exactly. Timestamps above it
/// would run into `u64::MAX`, where `parent + 1` no longer increases.
pub const MAX_TIMESTAMP_MS: u64 = 1 << 53;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Chain {
    /// Opens the chain in `config.data_dir`: creates the genesis block if the database is
    /// empty, recording the chain id and gas schedule version in the same write batch;
    /// otherwise resumes at the last committed block after checking that the data dir was
    /// created with this configuration's chain id, gas schedule version and genesis state,
    /// and that the state trie's root at the head equals the head block's state root.
    /// A refused data dir is not written to.
    ///
    /// # Errors
    /// [`ChainError::Db`] if the database cannot be opened (e.g. another process holds it),
    /// [`ChainError::InvalidGenesis`], [`ChainError::ChainIdMismatch`],
    /// [`ChainError::ScheduleVersionMismatch`] (also for a data dir created before the
    /// version was recorded), [`ChainError::GenesisMismatch`],
    /// [`ChainError::Corrupt`] if the head block or its state root is inconsistent.
    pub fn open(config: ChainConfig) -> Result<Chain, ChainError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            ChainError::Db(format!(
                "cannot create data dir {}: {e}",
                config.data_dir.display()
            ))
        })?;
        let store = Store::open(&config.data_dir, config.durability)?;
        let (head, created) = match store.head_height()? {
            None => (Self::write_genesis(&store, &config)?, true),
            Some(height) => (Self::resume(&store, &config, height)?, false),
        };
        tracing::info!(
            data_dir = %config.data_dir.display(),
            chain_id = config.chain_id,
            gas_schedule_version = config.vm.schedule.version,
            head = head.1.height,
            "{}",
            if created { "created genesis" } else { "resumed chain" }
        );
        let executor = Executor {
            chain_id: config.chain_id,
            block_gas_limit: config.block_gas_limit,
            vm: config.vm.clone(),
            cache: Arc::new(ModuleCache::default()),
            impersonation: Arc::default(),
            tracer: None,
        };
        let (new_heads, _) = broadcast::channel(HEAD_CHANNEL_CAPACITY);
        Ok(Chain {
            store,
            executor,
            config,
            head: RwLock::new(head),
            producer: Mutex::new(()),
            clock: Mutex::new(ProducerClock::default()),
            snapshots: Mutex::default(),
            held: Mutex::new(None),
            new_heads,
        })
    }

    /// The genesis state writes of `config`: one account per nonzero balance.
    fn genesis_writes(
        config: &ChainConfig,
    ) -> Result<Vec<(jmt::KeyHash, Option<jmt::OwnedValue>)>, ChainError> {
        // BTreeMap: genesis writes in address order, independent of the config's order.
        let mut balances = BTreeMap::new();
        let mut total: u128 = 0;
        for (addr, balance) in &config.genesis_accounts {
            if balances.insert(*addr, *balance).is_some() {
                return Err(ChainError::InvalidGenesis(format!(
                    "duplicate account 0x{}",
                    hex::encode(addr)
                )));
            }
            total = total
                .checked_add(*balance)
                .ok_or_else(|| ChainError::InvalidGenesis("total supply overflows u128".into()))?;
        }
        Ok(balances
            .iter()
            .filter(|(_, b)| **b > 0)
            .map(|(addr, balance)| {
                let acct = Account {
                    balance: *balance,
                    ..Account::default()
                };
                (account_key(addr), Some(acct.encode()))
            })
            .collect())
    }

    fn write_genesis(
        store: &Store,
        config: &ChainConfig,
    ) -> Result<(Hash, BlockHeader), ChainError> {
        let writes = Self::genesis_writes(config)?;
        let (state_root, trie) = store.prepare_state(writes, 0)?;
        // Genesis is a pure function of the config: timestamp 0, no transactions.
        let header = BlockHeader {
            parent_hash: [0; 32],
            height: 0,
            timestamp: 0,
            state_root,
            transactions_root: transactions_root(&[]),
            receipts_root: receipts_root(&[]),
        };
        let block = Block {
            header: header.clone(),
            transactions: Vec::new(),
        };
        let hash = header.hash();
        store.commit_block(BlockCommit {
            hash,
            block: &block,
            receipts: &[],
            trie,
            code: &BTreeMap::new(),
            genesis: Some(GenesisMeta {
                chain_id: config.chain_id,
                schedule_version: config.vm.schedule.version,
                block_gas_limit: config.block_gas_limit,
            }),
        })?;
        Ok((hash, header))
    }

    /// Checks that the data dir was created with `config` (chain id, gas schedule version,
    /// genesis state) and that its head is consistent. Reads only: a refused data dir is
    /// left as it was.
    fn resume(
        store: &Store,
        config: &ChainConfig,
        height: u64,
    ) -> Result<(Hash, BlockHeader), ChainError> {
        if let Some(stored) = store.chain_id()? {
            if stored != config.chain_id {
                return Err(ChainError::ChainIdMismatch {
                    stored,
                    configured: config.chain_id,
                });
            }
        }
        // Gas is consensus: a chain whose blocks were charged under one schedule cannot
        // continue under another. A data dir without the record is refused too, since the
        // schedule it ran is unknown.
        let recorded = store.schedule_version()?;
        let configured = config.vm.schedule.version;
        if recorded != Some(configured) {
            return Err(ChainError::ScheduleVersionMismatch {
                data_dir: config.data_dir.clone(),
                recorded,
                configured,
            });
        }
        let recorded = store.block_gas_limit()?;
        if recorded != Some(config.block_gas_limit) {
            return Err(ChainError::BlockGasLimitMismatch {
                data_dir: config.data_dir.clone(),
                recorded,
                configured: config.block_gas_limit,
            });
        }
        // The genesis block's state root is the digest of the genesis accounts; this
        // config's genesis root is computed in memory (nothing is written).
        let (_, genesis) = store
            .block(0)?
            .ok_or_else(|| ChainError::Corrupt("genesis block missing".into()))?;
        let (genesis_root, _) = store.prepare_state(Self::genesis_writes(config)?, 0)?;
        if genesis.header.state_root != genesis_root {
            return Err(ChainError::GenesisMismatch {
                data_dir: config.data_dir.clone(),
                recorded: genesis.header.state_root,
                configured: genesis_root,
            });
        }
        let (hash, block) = store
            .block(height)?
            .ok_or_else(|| ChainError::Corrupt(format!("head block {height} missing")))?;
        let root = store.root(height)?;
        if root != block.header.state_root {
            return Err(ChainError::Corrupt(format!(
                "state root at height {height} is 0x{}, block header says 0x{}",
                hex::encode(root),
                hex::encode(block.header.state_root)
            )));
        }
        Ok((hash, block.header))
    }

    /// The configuration the chain was opened with.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.config.chain_id
    }

    /// Version of the gas schedule this chain runs (recorded at genesis, checked on open).
    pub fn schedule_version(&self) -> u32 {
        self.config.vm.schedule.version
    }

    /// Hash and header of the last committed block.
    pub fn head(&self) -> (Hash, BlockHeader) {
        // The head is replaced whole, so a poisoned lock still holds a consistent value.
        self.head
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Height of the last committed block.
    pub fn head_height(&self) -> u64 {
        self.head
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .height
    }

    /// Stops the database's background work before a process exit that does not close
    /// the chain ([`crate::state::Store::stop_background_work`]). Reads still work
    /// afterwards; writes may stall once the memtables are full (nothing flushes them),
    /// so call it only right before the process exits.
    pub fn stop_background_work(&self) {
        self.store.stop_background_work();
    }

    /// Subscribes to the heads of committed blocks. A subscriber that falls more than 256
    /// blocks behind gets `RecvError::Lagged`.
    pub fn subscribe_heads(&self) -> broadcast::Receiver<NewHead> {
        self.new_heads.subscribe()
    }

    /// Intrinsic gas of `stx` (the minimum gas limit it needs).
    pub fn intrinsic_gas(&self, stx: &SignedTransaction) -> u64 {
        intrinsic_gas(stx, stx.encoded_size())
    }

    /// The admission checks that need no state and no lock: this node's minimum gas
    /// price, then [`validate_stateless`] (size, chain id, signature, gas limit).
    ///
    /// # Errors
    /// [`TxError::GasPriceTooLow`] or the first failed check of [`validate_stateless`].
    pub fn check_stateless(&self, stx: &SignedTransaction) -> Result<(), TxError> {
        if stx.tx.gas_price < self.config.min_gas_price {
            return Err(TxError::GasPriceTooLow {
                gas_price: stx.tx.gas_price,
                min: self.config.min_gas_price,
            });
        }
        validate_stateless(&self.executor, stx, stx.encoded_size())
    }

    /// Admits `stx` ([`Chain::check_stateless`]), then validates it against the head state
    /// and, if valid, executes it in a new block (instant seal) that is committed before
    /// this returns. A transaction whose contract execution fails is still included
    /// (failed receipt, fee paid).
    ///
    /// # Errors
    /// A [`TxError`] if the transaction is invalid (nothing is written, no block is
    /// produced), or [`TxError::Chain`] if the node fails to commit.
    pub fn submit(&self, stx: SignedTransaction) -> Result<Hash, TxError> {
        self.check_stateless(&stx)?;
        self.seal_admitted(stx)
    }

    /// Seals `stx`, which the caller has passed through [`Chain::check_stateless`], in a
    /// new block. The block's own validation still runs every check (the signature
    /// included) against the head state: admission is policy, the block's rules are
    /// consensus.
    ///
    /// # Errors
    /// As [`Chain::submit`].
    pub fn seal_admitted(&self, stx: SignedTransaction) -> Result<Hash, TxError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (parent_hash, parent) = self.head();
        let view = self.store.view(parent.height);
        let mut overlay = Overlay::new(&view);
        let ctx = self.next_block_context(&parent, true);
        let receipt = self.executor.execute_tx(&mut overlay, ctx, &stx, 0)?;
        let tx_hash = receipt.tx_hash;
        self.seal(parent_hash, ctx, overlay, vec![stx], vec![receipt])?;
        Ok(tx_hash)
    }

    /// Executes `txs` in order in one new block and commits it. A transaction that fails
    /// validation against the state left by the ones before it (nonce, balance, ...) is
    /// left out and returned with its error; every contract failure is still included
    /// (failed receipt, fee paid). With no transaction included, a block is sealed only if
    /// `seal_empty`. The caller keeps the sum of the gas limits within the block gas
    /// limit (a transaction past it is left out with [`TxError::GasLimitTooHigh`]).
    ///
    /// # Errors
    /// Node failures (then nothing was committed).
    pub fn seal_block(
        &self,
        txs: Vec<SignedTransaction>,
        seal_empty: bool,
    ) -> Result<SealedBlock, ChainError> {
        self.seal_with_clock(txs, seal_empty)
    }

    /// Produces an empty block (dev helper: advances height and time). Returns its hash.
    ///
    /// # Errors
    /// Node failures.
    pub fn seal_empty_block(&self) -> Result<Hash, ChainError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (parent_hash, parent) = self.head();
        let view = self.store.view(parent.height);
        let overlay = Overlay::new(&view);
        let ctx = self.next_block_context(&parent, true);
        self.seal(parent_hash, ctx, overlay, Vec::new(), Vec::new())
    }

    /// The context of the block after `parent`; `seal` uses up a timestamp set with
    /// [`Chain::set_next_block_timestamp`] (a dry run only looks at it).
    pub(crate) fn next_block_context(&self, parent: &BlockHeader, seal: bool) -> BlockContext {
        // The producer's clock is an input to the block (it is in the header), never read
        // during execution; timestamps strictly increase.
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        let next = if seal {
            clock.next_ms.take()
        } else {
            clock.next_ms
        };
        let wanted = next.unwrap_or_else(|| {
            now_ms()
                .saturating_add(clock.offset_ms)
                .min(MAX_TIMESTAMP_MS)
        });
        BlockContext {
            height: parent.height.saturating_add(1),
            timestamp: wanted.max(parent.timestamp.saturating_add(1)),
        }
    }

    /// Moves the producer's clock `ms` milliseconds forward for every later block (dev
    /// chains and tests: time-locked contract logic). Returns the total offset in ms.
    /// The clock stops at [`MAX_TIMESTAMP_MS`] (later blocks then take parent + 1).
    pub fn increase_time(&self, ms: u64) -> u64 {
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        clock.offset_ms = clock.offset_ms.saturating_add(ms).min(MAX_TIMESTAMP_MS);
        clock.offset_ms
    }

    /// Sets the timestamp (ms since the Unix epoch) of the next block only.
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] if `ms` is not above the head block's timestamp
    /// (timestamps strictly increase) or is above [`MAX_TIMESTAMP_MS`].
    pub fn set_next_block_timestamp(&self, ms: u64) -> Result<(), ChainError> {
        // Under the producer lock: the head cannot move between the check and the set.
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let head = self.head().1.timestamp;
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        if ms <= head {
            return Err(ChainError::InvalidCall(format!(
                "timestamp {ms} is not after the head block's {head}"
            )));
        }
        if ms > MAX_TIMESTAMP_MS {
            return Err(ChainError::InvalidCall(format!(
                "timestamp {ms} is above the latest allowed, {MAX_TIMESTAMP_MS}"
            )));
        }
        clock.next_ms = Some(ms);
        Ok(())
    }

    /// Computes the state root, builds the header and commits the block atomically.
    pub(crate) fn seal(
        &self,
        parent_hash: Hash,
        ctx: BlockContext,
        overlay: Overlay<'_, StateView<'_>>,
        transactions: Vec<SignedTransaction>,
        receipts: Vec<Receipt>,
    ) -> Result<Hash, ChainError> {
        let prepared = self.prepare_block(parent_hash, ctx, overlay, transactions, receipts)?;
        self.commit_prepared(prepared)
    }

    /// Writes a prepared block in one atomic batch and makes it the head; returns its
    /// hash. The caller holds the producer lock and prepared it on the head.
    pub(crate) fn commit_prepared(
        &self,
        prepared: crate::app::PreparedBlock,
    ) -> Result<Hash, ChainError> {
        let crate::app::PreparedBlock {
            hash,
            block,
            receipts,
            trie,
            code,
        } = prepared;
        self.store.commit_block(BlockCommit {
            hash,
            block: &block,
            receipts: &receipts,
            trie,
            code: &code,
            genesis: None,
        })?;
        let header = block.header;
        *self.head.write().unwrap_or_else(PoisonError::into_inner) = (hash, header.clone());
        // No subscribers is fine.
        let _ = self.new_heads.send(NewHead { hash, header });
        Ok(hash)
    }

    /// Receipt of transaction `tx_hash`, `None` if unknown. A receipt is visible once the
    /// head includes its block: the block's write batch lands before the head moves, and a
    /// receipt above the head is not returned, so a client never sees a receipt at a
    /// height that `chain_head` does not yet report.
    ///
    /// # Errors
    /// Storage failures.
    pub fn receipt(&self, tx_hash: &Hash) -> Result<Option<Receipt>, ChainError> {
        let head = self.head_height();
        Ok(self
            .store
            .receipt(tx_hash)?
            .filter(|r| r.block_height <= head))
    }

    /// Transaction `tx_hash` and where it was included, `None` if unknown.
    ///
    /// # Errors
    /// Storage failures.
    pub fn transaction(
        &self,
        tx_hash: &Hash,
    ) -> Result<Option<(SignedTransaction, TxLocation)>, ChainError> {
        let head = self.head_height();
        let Some(loc) = self
            .store
            .tx_location(tx_hash)?
            .filter(|loc| loc.block_height <= head)
        else {
            return Ok(None);
        };
        let (_, block) = self
            .store
            .block(loc.block_height)?
            .ok_or_else(|| ChainError::Corrupt(format!("block {} missing", loc.block_height)))?;
        let usize_index = usize::try_from(loc.index).unwrap_or(usize::MAX);
        let tx = block
            .transactions
            .into_iter()
            .nth(usize_index)
            .ok_or_else(|| ChainError::Corrupt("transaction index out of range".into()))?;
        Ok(Some((tx, loc)))
    }

    /// Block at `height` with its hash, `None` above the head.
    ///
    /// # Errors
    /// Storage failures.
    pub fn block_by_number(&self, height: u64) -> Result<Option<(Hash, Block)>, ChainError> {
        if height > self.head_height() {
            return Ok(None);
        }
        self.store.block(height)
    }

    /// Block with hash `hash`, `None` if unknown.
    ///
    /// # Errors
    /// Storage failures.
    pub fn block_by_hash(&self, hash: &Hash) -> Result<Option<(Hash, Block)>, ChainError> {
        match self.store.block_height(hash)? {
            Some(height) => self.block_by_number(height),
            None => Ok(None),
        }
    }

    /// The height to read at: `at` or the head.
    fn resolve(&self, at: Option<u64>) -> Result<u64, ChainError> {
        let head = self.head_height();
        match at {
            None => Ok(head),
            Some(h) if h <= head => Ok(h),
            Some(requested) => Err(ChainError::UnknownHeight { requested, head }),
        }
    }

    /// Read-only view of the state at `at` (head if `None`).
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`] above the head.
    pub fn state_at(&self, at: Option<u64>) -> Result<StateView<'_>, ChainError> {
        Ok(self.store.view(self.resolve(at)?))
    }

    /// Account at `address` (default if absent) at height `at` (head if `None`).
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures.
    pub fn account(&self, address: &Address, at: Option<u64>) -> Result<Account, ChainError> {
        Ok(self.state_at(at)?.account(address)?.unwrap_or_default())
    }

    /// Balance of `address` at height `at` (head if `None`).
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures.
    pub fn balance(&self, address: &Address, at: Option<u64>) -> Result<u128, ChainError> {
        Ok(self.account(address, at)?.balance)
    }

    /// Nonce (number of transactions sent) of `address` at height `at` (head if `None`).
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures.
    pub fn nonce(&self, address: &Address, at: Option<u64>) -> Result<u64, ChainError> {
        Ok(self.account(address, at)?.nonce)
    }

    /// Value under `key` in contract `address`'s storage at height `at`.
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures.
    pub fn storage(
        &self,
        address: &Address,
        key: &[u8],
        at: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        self.state_at(at)?.storage(address, key)
    }

    /// Code of contract `address` at height `at`, `None` for non-contracts.
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures, code missing for a code hash.
    pub fn code(&self, address: &Address, at: Option<u64>) -> Result<Option<Vec<u8>>, ChainError> {
        let view = self.state_at(at)?;
        let Some(code_hash) = view.account(address)?.and_then(|a| a.code_hash) else {
            return Ok(None);
        };
        view.code_by_hash(&code_hash)?
            .map(Some)
            .ok_or_else(|| ChainError::Corrupt("contract code missing".into()))
    }

    /// State root at height `at` (head if `None`).
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures.
    pub fn state_root(&self, at: Option<u64>) -> Result<Hash, ChainError> {
        self.store.root(self.resolve(at)?)
    }

    /// Merkle proof of an account (`key == None`: the value is SCALE(`Account`)) or of a
    /// storage slot (`key == Some`) against the state root at height `at`.
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`], storage failures.
    pub fn prove(
        &self,
        address: &Address,
        key: Option<&[u8]>,
        at: Option<u64>,
    ) -> Result<StateProof, ChainError> {
        let key_hash = match key {
            None => account_key(address),
            Some(k) => storage_key(address, k),
        };
        self.store.prove(key_hash, self.resolve(at)?)
    }

    /// Executes a call at the head state without changing it: no signature, nonce or fee.
    /// Runs in the context of the next block (height head + 1). As
    /// [`Chain::dry_run_call_at`] with `at = None`.
    ///
    /// # Errors
    /// As [`Chain::dry_run_call_at`].
    pub fn dry_run_call(
        &self,
        from: Address,
        contract: Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        gas_limit: u64,
    ) -> Result<CallResult, ChainError> {
        self.dry_run_call_at(None, from, contract, method, input, value, gas_limit)
    }

    /// The state and block context a dry run at `at` executes in: the state after block
    /// `at` (head if `None`), in the context of the block after it — that block's height
    /// and timestamp if it exists, else the next block the producer would seal.
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`] above the head; storage failures.
    pub(crate) fn dry_run_context(
        &self,
        at: Option<u64>,
    ) -> Result<(StateView<'_>, BlockContext), ChainError> {
        let height = self.resolve(at)?;
        let (_, parent) = self.head();
        let ctx = if height < parent.height {
            let next = height.saturating_add(1);
            let (_, block) = self
                .store
                .block(next)?
                .ok_or_else(|| ChainError::Corrupt(format!("block {next} missing")))?;
            BlockContext {
                height: next,
                timestamp: block.header.timestamp,
            }
        } else {
            self.next_block_context(&parent, false)
        };
        Ok((self.store.view(height), ctx))
    }

    /// Executes a call on the state after block `at` (head if `None`) without changing
    /// it: no signature, nonce or fee. Runs in the context of the block after `at` (see
    /// [`Chain::dry_run_context`]).
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`] above the head; [`ChainError::InvalidCall`] if
    /// `gas_limit` is below the intrinsic gas or above the block gas limit, or `from`
    /// cannot pay `value`; storage failures. Contract failures are reported in the
    /// [`CallResult`].
    #[allow(clippy::too_many_arguments)]
    pub fn dry_run_call_at(
        &self,
        at: Option<u64>,
        from: Address,
        contract: Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        gas_limit: u64,
    ) -> Result<CallResult, ChainError> {
        self.dry_run_call_with(
            &self.executor,
            at,
            from,
            contract,
            method,
            input,
            value,
            gas_limit,
        )
    }

    /// [`Chain::dry_run_call_at`] on executor `exec` (the chain's, or a tracing copy).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn dry_run_call_with(
        &self,
        exec: &Executor,
        at: Option<u64>,
        from: Address,
        contract: Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        gas_limit: u64,
    ) -> Result<CallResult, ChainError> {
        if gas_limit > self.config.block_gas_limit {
            return Err(ChainError::InvalidCall(format!(
                "gas limit {gas_limit} above block gas limit {}",
                self.config.block_gas_limit
            )));
        }
        let (view, ctx) = self.dry_run_context(at)?;
        let mut overlay = Overlay::new(&view);
        // The overlay is dropped: nothing is committed.
        exec.dry_run_call(
            &mut overlay,
            ctx,
            from,
            contract,
            method,
            input,
            value,
            gas_limit,
        )
    }
}
