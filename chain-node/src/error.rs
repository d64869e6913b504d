//! Error types of the chain library: [`ChainError`] (storage, queries, node faults) and
//! [`TxError`] (a transaction rejected before inclusion; no block is produced).

use std::path::PathBuf;

use thiserror::Error;

use crate::types::Hash;

/// A failure of the node itself or of a query. Messages are for people; the RPC layer maps
/// variants to error codes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    /// RocksDB failed (open, read or write).
    #[error("database error: {0}")]
    Db(String),
    /// The Merkle trie failed (missing node, ...).
    #[error("state trie error: {0}")]
    Trie(String),
    /// Stored data does not decode or is inconsistent.
    #[error("corrupt database: {0}")]
    Corrupt(String),
    /// The data directory was created with a different chain id.
    #[error("chain id mismatch: database has {stored}, config has {configured}")]
    ChainIdMismatch {
        /// Chain id stored in the database.
        stored: u64,
        /// Chain id of the configuration.
        configured: u64,
    },
    /// The data directory was created with another gas schedule version, or before nodes
    /// recorded it (`recorded == None`): its chain's gas would differ from this node's.
    /// Nothing was written to the database.
    #[error(
        "data dir {} was created with gas schedule version {}; this node runs version \
         {configured} (start with --reset or another --data-dir)",
        .data_dir.display(),
        recorded_version(.recorded)
    )]
    ScheduleVersionMismatch {
        /// The chain database directory.
        data_dir: PathBuf,
        /// Version recorded at genesis; `None` if the data dir predates the record.
        recorded: Option<u32>,
        /// Version of this node's configuration (`metron_vm::GasSchedule::version`).
        configured: u32,
    },
    /// The data directory was created with other genesis accounts or balances: the
    /// state root of its genesis block is not the one this node's genesis gives.
    /// Nothing was written to the database.
    #[error(
        "data dir {} was created with other genesis accounts (genesis state root 0x{}); \
         this node's genesis gives 0x{} (start with --reset or another --data-dir)",
        .data_dir.display(),
        hex::encode(.recorded),
        hex::encode(.configured)
    )]
    GenesisMismatch {
        /// The chain database directory.
        data_dir: PathBuf,
        /// State root of the recorded genesis block.
        recorded: Hash,
        /// State root of this node's genesis configuration.
        configured: Hash,
    },
    /// The data directory was created with another block gas limit (or before the limit
    /// was recorded: `recorded` is `None`). Nothing was written to the database.
    #[error(
        "data dir {} was created with block gas limit {}; this node is configured with {} \
         (start with --reset or another --data-dir)",
        .data_dir.display(),
        .recorded.map_or_else(|| "unrecorded".to_string(), |v| v.to_string()),
        .configured
    )]
    BlockGasLimitMismatch {
        /// The chain database directory.
        data_dir: PathBuf,
        /// Limit recorded at genesis; `None` if the data dir predates the record.
        recorded: Option<u64>,
        /// This node's configured limit.
        configured: u64,
    },
    /// The data directory is in use by another node (its lock file is held).
    #[error("data dir {} is in use by another metron node (lock file {} is held)", .data_dir.display(), .lock_file.display())]
    DataDirLocked {
        /// The data directory.
        data_dir: PathBuf,
        /// The lock file.
        lock_file: PathBuf,
    },
    /// The genesis configuration is invalid.
    #[error("invalid genesis: {0}")]
    InvalidGenesis(String),
    /// A query named a height above the current head.
    #[error("unknown height {requested} (head is {head})")]
    UnknownHeight {
        /// Requested height.
        requested: u64,
        /// Current head height.
        head: u64,
    },
    /// A dry-run call request is invalid (e.g. the caller cannot pay the value).
    #[error("invalid call: {0}")]
    InvalidCall(String),
    /// A query's parameters are inconsistent (e.g. a log filter's `from` above its `to`).
    #[error("{0}")]
    InvalidQuery(String),
    /// A query asks for more than the node serves at once (e.g. a log range over
    /// `metron_rpc::MAX_LOG_RANGE` blocks); the message says how to narrow or page it.
    #[error("{0}")]
    QueryTooLarge(String),
}

/// `1`, or `unrecorded (...)` for a data dir created before nodes recorded the version:
/// such a node ran some earlier schedule, which one is unknown.
fn recorded_version(recorded: &Option<u32>) -> String {
    match recorded {
        Some(v) => v.to_string(),
        None => "unrecorded (the data dir predates recorded schedule versions)".into(),
    }
}

impl From<rocksdb::Error> for ChainError {
    fn from(e: rocksdb::Error) -> Self {
        ChainError::Db(e.into_string())
    }
}

impl From<parity_scale_codec::Error> for ChainError {
    fn from(e: parity_scale_codec::Error) -> Self {
        ChainError::Corrupt(e.to_string())
    }
}

/// A transaction rejected at submission: it is not included in a block and changes no state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TxError {
    /// The bytes are not a SCALE-encoded `SignedTransaction`.
    #[error("cannot decode transaction: {0}")]
    Decode(String),
    /// The encoded transaction exceeds the size limit.
    #[error("transaction too large: {size} bytes (limit {limit})")]
    TooLarge {
        /// Encoded size in bytes.
        size: usize,
        /// Limit in bytes.
        limit: usize,
    },
    /// `from` is not a valid ed25519 public key.
    #[error("invalid sender public key")]
    InvalidPublicKey,
    /// The signature does not verify against `from`.
    #[error("invalid signature")]
    InvalidSignature,
    /// The transaction is for another chain.
    #[error("wrong chain id: expected {expected}, got {got}")]
    WrongChainId {
        /// This chain's id.
        expected: u64,
        /// The transaction's chain id.
        got: u64,
    },
    /// The nonce is not the sender's next nonce.
    #[error("bad nonce: expected {expected}, got {got}")]
    BadNonce {
        /// The sender account's current nonce.
        expected: u64,
        /// The transaction's nonce.
        got: u64,
    },
    /// The gas limit does not cover the intrinsic gas.
    #[error("gas limit {gas_limit} below intrinsic gas {intrinsic}")]
    IntrinsicGas {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// Intrinsic gas required.
        intrinsic: u64,
    },
    /// The gas limit exceeds the block gas limit.
    #[error("gas limit {gas_limit} above block gas limit {block_gas_limit}")]
    GasLimitTooHigh {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The chain's block gas limit.
        block_gas_limit: u64,
    },
    /// The gas price is below the node's minimum (admission policy, not consensus).
    #[error("gas price {gas_price} below this node's minimum gas price {min}")]
    GasPriceTooLow {
        /// The transaction's gas price.
        gas_price: u128,
        /// The node's minimum ([`crate::ChainConfig::min_gas_price`]).
        min: u128,
    },
    /// The transaction's maximum cost (gas limit x gas price + value) overflows.
    #[error("maximum cost overflows u128")]
    CostOverflow,
    /// The sender cannot pay `gas_limit * gas_price + value`.
    #[error("insufficient balance: need {need}, have {have}")]
    InsufficientBalance {
        /// Maximum cost of the transaction.
        need: u128,
        /// Sender balance.
        have: u128,
    },
    /// The nonce is too far ahead of the sender's account nonce for the pool to hold it.
    #[error("nonce {got} is more than {max_gap} ahead of the account's nonce {expected}")]
    NonceTooFarAhead {
        /// The account's nonce at the head.
        expected: u64,
        /// The transaction's nonce.
        got: u64,
        /// How far ahead the pool holds transactions.
        max_gap: u64,
    },
    /// Another transaction from the sender with this nonce is already pending.
    #[error("a transaction with nonce {nonce} from this sender is already pending (0x{pending})")]
    AlreadyPending {
        /// The nonce.
        nonce: u64,
        /// Hash of the pending transaction (hex).
        pending: String,
    },
    /// The pool is full.
    #[error("the transaction pool is full ({capacity} pending; --submit-queue); retry later")]
    PoolFull {
        /// Pool capacity.
        capacity: usize,
    },
    /// The transaction left the pool without being included (`dev_dropTransaction`).
    #[error("the transaction was dropped from the pool")]
    Dropped,
    /// The node failed while handling the transaction.
    #[error(transparent)]
    Chain(#[from] ChainError),
}
