//! RocksDB storage: the Jellyfish Merkle Tree (Keccak-256) of the world state, contract code,
//! blocks, receipts and the head pointer.
//!
//! Column families:
//! - `jmt_nodes`: borsh(`NodeKey`) -> borsh(`Node`)
//! - `jmt_values`: key hash (32) ++ version (u64 BE) -> `0` (deleted) or `1 ++ value`.
//!   Big-endian versions sort numerically, so "latest value at or below version v" is one
//!   `seek_for_prev`.
//! - `code`: code hash -> code
//! - `code_len`: code hash -> its length (u64 BE), so a call can check that it can pay for
//!   loading the code before reading it
//! - `blocks`: height (u64 BE) -> SCALE(`Block`)
//! - `block_hashes`: block hash -> height (u64 BE)
//! - `receipts`: tx hash -> SCALE(`Receipt`) (with the human error text)
//! - `tx_index`: tx hash -> SCALE(`TxLocation`)
//! - `undo`: height (u64 BE) -> SCALE(`UndoRecord`): the `jmt_values` and `jmt_nodes`
//!   keys the block at that height wrote, so that [`Store::truncate`] can take the chain
//!   back to an earlier height (devnet snapshots). Not written for genesis.
//! - `log_index`: the events of each block by contract, by topic and by transaction, so
//!   that `chain_getLogs` is a range scan in block order (key layout in [`log_index`]).
//!   Node-local, not consensus; blocks committed before the index existed have no entries
//!   (their events are not found by log queries).
//! - `meta`: `head` -> height (u64 BE); written with genesis: `chain_id` -> u64 BE,
//!   `gas_schedule_version` -> u32 BE, `block_gas_limit` -> u64 BE (each absent in data
//!   dirs created before it was recorded)
//!
//! A block is committed with [`Store::commit_block`]: trie nodes, values, code, block,
//! receipts, index entries, the undo record and the head pointer go into ONE `WriteBatch`, so a crash leaves
//! either the whole block or none of it; the genesis block's batch also holds the
//! [`GenesisMeta`] record. The only other writer is [`Store::truncate`], which removes
//! the blocks above a height in one batch too.
//!
//! Durability: with [`Durability::Sync`] (the default) each batch is written with
//! `sync = true`, so RocksDB fsyncs its write-ahead log before [`Store::commit_block`]
//! returns: a block whose hash a client was given survives a power loss. With
//! [`Durability::NoSync`] the WAL is written but not synced: a killed process loses
//! nothing (the OS has the data), a power loss or kernel crash can lose the last blocks.
//! Dropping the store flushes the memtables and syncs the WAL either way.

use std::collections::BTreeMap;
use std::path::Path;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader, TreeUpdateBatch};
use jmt::{JellyfishMerkleTree, KeyHash, OwnedValue, RootHash, Version};
use parity_scale_codec::{Decode, Encode};
use rocksdb::{ColumnFamily, ColumnFamilyDescriptor, Options, WriteBatch, WriteOptions, DB};
use sha3::Keccak256;

use super::{
    account_key, storage_key, AccountReader, CodeReader, StateRootProvider, StorageReader,
};
use crate::error::ChainError;
use crate::types::{Account, Address, Block, Hash, Receipt, TxLocation};

mod entries;
pub mod log_index;
pub use log_index::{IndexedLog, LogQuery};

/// The state trie type: a Jellyfish Merkle Tree hashed with Keccak-256.
pub type StateTree<'a> = JellyfishMerkleTree<'a, Store, Keccak256>;

const CF_JMT_NODES: &str = "jmt_nodes";
const CF_JMT_VALUES: &str = "jmt_values";
const CF_CODE: &str = "code";
const CF_BLOCKS: &str = "blocks";
const CF_BLOCK_HASHES: &str = "block_hashes";
const CF_RECEIPTS: &str = "receipts";
const CF_TX_INDEX: &str = "tx_index";
const CF_META: &str = "meta";
const CF_UNDO: &str = "undo";
const CF_LOG_INDEX: &str = "log_index";
const CF_CODE_LEN: &str = "code_len";
const ALL_CFS: [&str; 11] = [
    CF_JMT_NODES,
    CF_JMT_VALUES,
    CF_CODE,
    CF_BLOCKS,
    CF_BLOCK_HASHES,
    CF_RECEIPTS,
    CF_TX_INDEX,
    CF_META,
    CF_UNDO,
    CF_LOG_INDEX,
    CF_CODE_LEN,
];
/// Memory of all memtables together ([`Store::open`]).
const MEMTABLE_BUDGET: usize = 32 << 20;
const META_HEAD: &[u8] = b"head";
const META_CHAIN_ID: &[u8] = b"chain_id";
const META_SCHEDULE_VERSION: &[u8] = b"gas_schedule_version";
const META_BLOCK_GAS_LIMIT: &[u8] = b"block_gas_limit";

/// Whether a committed block is synced to disk before the commit returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// fsync the write-ahead log with every block (RocksDB `WriteOptions::set_sync`).
    /// A block is on disk once it is acknowledged. Costs one fsync per block.
    #[default]
    Sync,
    /// Write the WAL without syncing it: survives a killed process, not a power loss.
    NoSync,
}

/// The node's RocksDB database.
pub struct Store {
    db: DB,
    durability: Durability,
}

impl Store {
    /// Stops RocksDB's background work (flushes, compactions) on this database and waits
    /// for the running jobs to end. For a process about to exit while something still
    /// holds the chain: RocksDB threads still working while the process's static
    /// destructors run can abort it ("pthread lock: Invalid argument"). Committed blocks
    /// are in the write-ahead log either way.
    pub fn stop_background_work(&self) {
        self.db.cancel_all_background_work(true);
    }
}

impl Drop for Store {
    /// A clean close: memtables flushed to SST files and the WAL synced, so the next open
    /// replays nothing. Failures are logged; the WAL still holds every committed batch.
    fn drop(&mut self) {
        if let Err(e) = self.db.flush() {
            tracing::warn!(error = %e, "flushing the database on close failed");
        }
        if let Err(e) = self.db.flush_wal(true) {
            tracing::warn!(error = %e, "syncing the write-ahead log on close failed");
        }
    }
}

/// Everything a block writes, committed atomically by [`Store::commit_block`].
pub struct BlockCommit<'a> {
    /// Hash of `block.header`.
    pub hash: Hash,
    /// The block.
    pub block: &'a Block,
    /// Receipts of `block.transactions`, same order.
    pub receipts: &'a [Receipt],
    /// Trie update computed by [`Store::prepare_state`] for `block.header.height`.
    pub trie: TreeUpdateBatch,
    /// New contract code by hash.
    pub code: &'a BTreeMap<Hash, Vec<u8>>,
    /// Written once, with genesis (`None` for every later block).
    pub genesis: Option<GenesisMeta>,
}

/// What must match for a node to resume a data directory, recorded with the genesis block
/// (in its write batch). The genesis accounts are recorded by the genesis block itself:
/// its state root is their digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenesisMeta {
    /// Chain id transactions must carry.
    pub chain_id: u64,
    /// Version of the gas schedule the chain runs (`metron_vm::GasSchedule::version`).
    pub schedule_version: u32,
    /// Maximum gas of a block.
    pub block_gas_limit: u64,
}

/// The database keys a block wrote to the trie's columns: what [`Store::truncate`]
/// deletes to take the block back. Trie nodes and values are written under the block's
/// version only (jmt never rewrites an older version's node), so deleting these keys
/// restores the columns to what they were before the block.
#[derive(Debug, Default, Encode, Decode)]
struct UndoRecord {
    /// `jmt_values` keys (key hash ++ version).
    values: Vec<[u8; 40]>,
    /// `jmt_nodes` keys (borsh(`NodeKey`)).
    nodes: Vec<Vec<u8>>,
}

/// A value with a Merkle proof against the state root at some height.
#[derive(Clone, Debug)]
pub struct StateProof {
    /// Trie key (see [`super::account_key`], [`super::storage_key`]).
    pub key_hash: Hash,
    /// The value (SCALE(`Account`) for accounts, raw bytes for storage), `None` if absent.
    pub value: Option<Vec<u8>>,
    /// State root the proof is against.
    pub root: Hash,
    /// The jmt proof (inclusion or exclusion).
    pub proof: jmt::proof::SparseMerkleProof<Keccak256>,
}

impl StateProof {
    /// Verifies the proof against `self.root`.
    ///
    /// # Errors
    /// A message if the proof does not verify.
    pub fn verify(&self) -> Result<(), String> {
        self.proof
            .verify(
                RootHash(self.root),
                KeyHash(self.key_hash),
                self.value.as_deref(),
            )
            .map_err(|e| format!("{e:#}"))
    }

    /// borsh encoding of the jmt proof, for transport.
    pub fn proof_bytes(&self) -> Vec<u8> {
        borsh::to_vec(&self.proof).unwrap_or_default()
    }
}

fn trie_err(e: anyhow::Error) -> ChainError {
    ChainError::Trie(format!("{e:#}"))
}

fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

fn be_u64(bytes: &[u8], what: &str) -> Result<u64, ChainError> {
    let arr: [u8; 8] = bytes
        .try_into()
        .map_err(|_| ChainError::Corrupt(format!("{what}: expected 8 bytes")))?;
    Ok(u64::from_be_bytes(arr))
}

fn value_key(key_hash: &KeyHash, version: Version) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&key_hash.0);
    k[32..].copy_from_slice(&version.to_be_bytes());
    k
}

fn encode_value(value: &Option<OwnedValue>) -> Vec<u8> {
    match value {
        None => vec![0],
        Some(v) => {
            let mut out = Vec::with_capacity(1 + v.len());
            out.push(1);
            out.extend_from_slice(v);
            out
        }
    }
}

impl Store {
    /// Opens (or creates) the database at `path`; blocks are committed with `durability`.
    ///
    /// # Errors
    /// [`ChainError::Db`] if RocksDB cannot open it.
    pub fn open(path: &Path, durability: Durability) -> Result<Store, ChainError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        // One budget for the memtables of all column families (RocksDB's write buffer
        // manager flushes the largest when it is reached). Without it each family may
        // hold 2 x 64 MiB: loading a state file, whose blocks write many trie nodes,
        // peaked at about 200 MiB of memtables.
        opts.set_db_write_buffer_size(MEMTABLE_BUDGET);
        let cfs = ALL_CFS
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(*name, Options::default()));
        let db = DB::open_cf_descriptors(&opts, path, cfs)?;
        Ok(Store { db, durability })
    }

    fn cf(&self, name: &str) -> Result<&ColumnFamily, ChainError> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| ChainError::Corrupt(format!("missing column family {name}")))
    }

    fn get(&self, cf: &str, key: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
        Ok(self.db.get_cf(self.cf(cf)?, key)?)
    }

    /// Height of the last committed block, `None` for an empty database.
    ///
    /// # Errors
    /// Storage failures.
    pub fn head_height(&self) -> Result<Option<u64>, ChainError> {
        self.get(CF_META, META_HEAD)?
            .map(|b| be_u64(&b, "head pointer"))
            .transpose()
    }

    /// Chain id recorded at genesis.
    ///
    /// # Errors
    /// Storage failures.
    pub fn chain_id(&self) -> Result<Option<u64>, ChainError> {
        self.get(CF_META, META_CHAIN_ID)?
            .map(|b| be_u64(&b, "chain id"))
            .transpose()
    }

    /// Gas schedule version recorded at genesis; `None` in data dirs created before the
    /// version was recorded.
    ///
    /// # Errors
    /// Storage failures, a record that is not 4 bytes.
    pub fn schedule_version(&self) -> Result<Option<u32>, ChainError> {
        self.get(CF_META, META_SCHEDULE_VERSION)?
            .map(|b| {
                let arr: [u8; 4] = b[..].try_into().map_err(|_| {
                    ChainError::Corrupt("gas schedule version: expected 4 bytes".into())
                })?;
                Ok(u32::from_be_bytes(arr))
            })
            .transpose()
    }

    /// Block gas limit recorded at genesis; `None` in data dirs created before it was
    /// recorded.
    ///
    /// # Errors
    /// Storage failures, a record that is not 8 bytes.
    pub fn block_gas_limit(&self) -> Result<Option<u64>, ChainError> {
        self.get(CF_META, META_BLOCK_GAS_LIMIT)?
            .map(|b| be_u64(&b, "block gas limit"))
            .transpose()
    }

    /// Block at `height` with its hash.
    ///
    /// # Errors
    /// Storage failures, undecodable block.
    pub fn block(&self, height: u64) -> Result<Option<(Hash, Block)>, ChainError> {
        match self.get(CF_BLOCKS, &height.to_be_bytes())? {
            None => Ok(None),
            Some(bytes) => {
                let block = Block::decode(&mut &bytes[..])?;
                Ok(Some((block.header.hash(), block)))
            }
        }
    }

    /// Height of the block with hash `hash`.
    ///
    /// # Errors
    /// Storage failures.
    pub fn block_height(&self, hash: &Hash) -> Result<Option<u64>, ChainError> {
        self.get(CF_BLOCK_HASHES, hash)?
            .map(|b| be_u64(&b, "block hash index"))
            .transpose()
    }

    /// Receipt of transaction `tx_hash`.
    ///
    /// # Errors
    /// Storage failures, undecodable receipt.
    pub fn receipt(&self, tx_hash: &Hash) -> Result<Option<Receipt>, ChainError> {
        self.get(CF_RECEIPTS, tx_hash)?
            .map(|b| Receipt::decode(&mut &b[..]).map_err(ChainError::from))
            .transpose()
    }

    /// Location of transaction `tx_hash`.
    ///
    /// # Errors
    /// Storage failures.
    pub fn tx_location(&self, tx_hash: &Hash) -> Result<Option<TxLocation>, ChainError> {
        self.get(CF_TX_INDEX, tx_hash)?
            .map(|b| TxLocation::decode(&mut &b[..]).map_err(ChainError::from))
            .transpose()
    }

    /// Code by hash.
    ///
    /// # Errors
    /// Storage failures.
    pub fn code(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, ChainError> {
        self.get(CF_CODE, code_hash)
    }

    /// The length in bytes of the code whose hash is `code_hash`, without reading the
    /// code: from the `code_len` column, or (code stored before that column existed) from
    /// the code itself. `None` if the code is unknown.
    ///
    /// # Errors
    /// Storage failures, a malformed length record.
    pub fn code_len(&self, code_hash: &Hash) -> Result<Option<u64>, ChainError> {
        match self.get(CF_CODE_LEN, code_hash)? {
            Some(bytes) => be_u64(&bytes, "code length").map(Some),
            None => Ok(self.code(code_hash)?.map(|c| len64(c.len()))),
        }
    }

    /// The latest value of trie key `key_hash` at or below `version` (`None` if never set or
    /// deleted). Reads the values column directly, without walking the trie.
    ///
    /// # Errors
    /// Storage failures.
    pub fn value(
        &self,
        key_hash: &KeyHash,
        version: Version,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        let mut it = self.db.raw_iterator_cf(self.cf(CF_JMT_VALUES)?);
        it.seek_for_prev(value_key(key_hash, version));
        let found = match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.len() == 40 && k[..32] == key_hash.0 => match v.split_first() {
                Some((0, _)) => None,
                Some((1, rest)) => Some(rest.to_vec()),
                _ => return Err(ChainError::Corrupt("bad trie value encoding".into())),
            },
            _ => None,
        };
        it.status()?;
        Ok(found)
    }

    /// The state trie over this store.
    pub fn tree(&self) -> StateTree<'_> {
        JellyfishMerkleTree::new(self)
    }

    /// State root at `version`.
    ///
    /// # Errors
    /// [`ChainError::Trie`] if no root exists at `version`.
    pub fn root(&self, version: Version) -> Result<Hash, ChainError> {
        Ok(self.tree().get_root_hash(version).map_err(trie_err)?.0)
    }

    /// Value and Merkle proof of trie key `key_hash` at `version`.
    ///
    /// # Errors
    /// [`ChainError::Trie`] on a missing root or node.
    pub fn prove(&self, key_hash: KeyHash, version: Version) -> Result<StateProof, ChainError> {
        let tree = self.tree();
        let (value, proof) = tree.get_with_proof(key_hash, version).map_err(trie_err)?;
        let root = tree.get_root_hash(version).map_err(trie_err)?.0;
        Ok(StateProof {
            key_hash: key_hash.0,
            value,
            root,
            proof,
        })
    }

    /// Computes the trie update of applying `writes` on top of version `version - 1` (empty
    /// tree for version 0). Writes nothing: the result goes into [`Store::commit_block`].
    ///
    /// # Errors
    /// [`ChainError::Trie`] on missing nodes.
    pub fn prepare_state(
        &self,
        writes: Vec<(KeyHash, Option<OwnedValue>)>,
        version: Version,
    ) -> Result<(Hash, TreeUpdateBatch), ChainError> {
        let (root, batch) = self
            .tree()
            .put_value_set(writes, version)
            .map_err(trie_err)?;
        Ok((root.0, batch))
    }

    /// Atomically writes a block: trie nodes and values, code, block, hash index, receipts,
    /// transaction index, event index ([`log_index`]), the head pointer and (genesis only) the [`GenesisMeta`] record,
    /// in one RocksDB `WriteBatch`.
    ///
    /// # Errors
    /// Storage failures (then nothing was written).
    pub fn commit_block(&self, commit: BlockCommit<'_>) -> Result<(), ChainError> {
        let height = commit.block.header.height;
        let mut batch = WriteBatch::default();
        // Genesis has no undo record: the chain cannot go below it.
        let record_undo = commit.genesis.is_none();
        let mut undo = UndoRecord::default();
        let nodes_cf = self.cf(CF_JMT_NODES)?;
        for (key, node) in commit.trie.node_batch.nodes() {
            let k = borsh::to_vec(key).map_err(|e| ChainError::Trie(e.to_string()))?;
            let v = borsh::to_vec(node).map_err(|e| ChainError::Trie(e.to_string()))?;
            batch.put_cf(nodes_cf, &k, v);
            if record_undo {
                undo.nodes.push(k);
            }
        }
        let values_cf = self.cf(CF_JMT_VALUES)?;
        for ((version, key_hash), value) in commit.trie.node_batch.values() {
            let k = value_key(key_hash, *version);
            batch.put_cf(values_cf, k, encode_value(value));
            if record_undo {
                undo.values.push(k);
            }
        }
        if record_undo {
            batch.put_cf(self.cf(CF_UNDO)?, height.to_be_bytes(), undo.encode());
        }
        let code_cf = self.cf(CF_CODE)?;
        let code_len_cf = self.cf(CF_CODE_LEN)?;
        for (hash, code) in commit.code {
            batch.put_cf(code_cf, hash, code);
            batch.put_cf(code_len_cf, hash, len64(code.len()).to_be_bytes());
        }
        batch.put_cf(
            self.cf(CF_BLOCKS)?,
            height.to_be_bytes(),
            commit.block.encode(),
        );
        batch.put_cf(self.cf(CF_BLOCK_HASHES)?, commit.hash, height.to_be_bytes());
        let receipts_cf = self.cf(CF_RECEIPTS)?;
        let index_cf = self.cf(CF_TX_INDEX)?;
        for receipt in commit.receipts {
            batch.put_cf(receipts_cf, receipt.tx_hash, receipt.encode());
            let loc = TxLocation {
                block_height: height,
                index: receipt.index,
            };
            batch.put_cf(index_cf, receipt.tx_hash, loc.encode());
        }
        self.put_log_index(&mut batch, height, &commit.hash, commit.receipts)?;
        let meta_cf = self.cf(CF_META)?;
        if let Some(genesis) = commit.genesis {
            batch.put_cf(meta_cf, META_CHAIN_ID, genesis.chain_id.to_be_bytes());
            batch.put_cf(
                meta_cf,
                META_SCHEDULE_VERSION,
                genesis.schedule_version.to_be_bytes(),
            );
            batch.put_cf(
                meta_cf,
                META_BLOCK_GAS_LIMIT,
                genesis.block_gas_limit.to_be_bytes(),
            );
        }
        batch.put_cf(meta_cf, META_HEAD, height.to_be_bytes());
        let mut write_opts = WriteOptions::default();
        write_opts.set_sync(self.durability == Durability::Sync);
        self.db.write_opt(batch, &write_opts)?;
        Ok(())
    }

    /// Takes the chain back to height `to`, in one `WriteBatch`: deletes the blocks
    /// above it up to `head` with their hash index entries, receipts, transaction index
    /// entries, event index entries (derived from their receipts) and trie writes (from their undo records), and moves the head pointer to
    /// `to`. Contract code stays: it is content-addressed, and unreferenced code is never
    /// read. Returns the number of blocks removed.
    ///
    /// # Errors
    /// [`ChainError::Corrupt`] if a block or its undo record is missing (a block written
    /// by a node older than the undo records cannot be taken back; nothing is written
    /// then); storage failures.
    pub fn truncate(&self, to: u64, head: u64) -> Result<u64, ChainError> {
        let mut batch = WriteBatch::default();
        for height in (to.saturating_add(1)..=head).rev() {
            let (hash, block) = self
                .block(height)?
                .ok_or_else(|| ChainError::Corrupt(format!("block {height} missing")))?;
            let undo = self.get(CF_UNDO, &height.to_be_bytes())?.ok_or_else(|| {
                ChainError::Corrupt(format!(
                    "block {height} has no undo record (written by an older node): the chain \
                     cannot be taken back below it"
                ))
            })?;
            let undo = UndoRecord::decode(&mut &undo[..])?;
            let nodes_cf = self.cf(CF_JMT_NODES)?;
            for k in &undo.nodes {
                batch.delete_cf(nodes_cf, k);
            }
            let values_cf = self.cf(CF_JMT_VALUES)?;
            for k in &undo.values {
                batch.delete_cf(values_cf, k);
            }
            let mut receipts = Vec::new();
            for stx in &block.transactions {
                let tx_hash = stx.hash();
                receipts.extend(self.receipt(&tx_hash)?);
                batch.delete_cf(self.cf(CF_RECEIPTS)?, tx_hash);
                batch.delete_cf(self.cf(CF_TX_INDEX)?, tx_hash);
            }
            self.delete_log_index(&mut batch, height, &hash, &receipts)?;
            batch.delete_cf(self.cf(CF_BLOCK_HASHES)?, hash);
            batch.delete_cf(self.cf(CF_BLOCKS)?, height.to_be_bytes());
            batch.delete_cf(self.cf(CF_UNDO)?, height.to_be_bytes());
        }
        batch.put_cf(self.cf(CF_META)?, META_HEAD, to.min(head).to_be_bytes());
        let mut write_opts = WriteOptions::default();
        write_opts.set_sync(self.durability == Durability::Sync);
        self.db.write_opt(batch, &write_opts)?;
        Ok(head.saturating_sub(to))
    }

    /// Read-only view of the state at `version`.
    pub fn view(&self, version: Version) -> StateView<'_> {
        StateView {
            store: self,
            version,
        }
    }
}

impl TreeReader for Store {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let key = borsh::to_vec(node_key)?;
        let cf = self
            .db
            .cf_handle(CF_JMT_NODES)
            .ok_or_else(|| anyhow::anyhow!("missing column family {CF_JMT_NODES}"))?;
        match self.db.get_pinned_cf(cf, key)? {
            None => Ok(None),
            Some(bytes) => Ok(Some(borsh::from_slice(&bytes)?)),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<OwnedValue>> {
        self.value(&key_hash, max_version)
            .map_err(|e| anyhow::anyhow!(e.to_string()))
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Only used by jmt's state-sync restore, which this node does not use.
        anyhow::bail!("get_rightmost_leaf is not supported")
    }
}

/// The committed state at one version (block height).
#[derive(Clone, Copy)]
pub struct StateView<'a> {
    store: &'a Store,
    version: Version,
}

impl StateView<'_> {
    /// The version (block height) of this view.
    pub fn version(&self) -> Version {
        self.version
    }
}

impl AccountReader for StateView<'_> {
    fn account(&self, address: &Address) -> Result<Option<Account>, ChainError> {
        self.store
            .value(&account_key(address), self.version)?
            .map(|b| Account::decode(&mut &b[..]).map_err(ChainError::from))
            .transpose()
    }
}

impl StorageReader for StateView<'_> {
    fn storage(&self, address: &Address, key: &[u8]) -> Result<Option<Vec<u8>>, ChainError> {
        self.store.value(&storage_key(address, key), self.version)
    }
}

impl CodeReader for StateView<'_> {
    fn code_by_hash(&self, code_hash: &Hash) -> Result<Option<Vec<u8>>, ChainError> {
        // Code is content-addressed and written only with the block that first references
        // it, so the code column needs no versioning.
        self.store.code(code_hash)
    }

    fn code_len(&self, code_hash: &Hash) -> Result<Option<u64>, ChainError> {
        self.store.code_len(code_hash)
    }
}

impl StateRootProvider for StateView<'_> {
    fn state_root(&self) -> Result<Hash, ChainError> {
        self.store.root(self.version)
    }
}
