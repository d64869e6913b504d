//! The node service: opens the [`Chain`], serves the Metron JSON-RPC API on it
//! (HTTP and WebSocket on one port) and shuts both down cleanly.
//!
//! [`RpcService`] implements [`MetronApiServer`] by converting the chain's SCALE types
//! into the wire types of `metron_rpc`; [`rpc_error_from_chain`] and
//! [`rpc_error_from_tx`] are the only places chain errors become RPC errors.
//!
//! How the node keeps its callers from starving each other:
//! - **Submits** pass the stateless checks ([`Chain::check_stateless`]) on the blocking
//!   pool, then the transaction pool's ([`crate::pool`]), bounded by
//!   [`RpcLimits::submit_queue`]: a full pool is an immediate `-32006` error. One
//!   block-producer thread seals blocks from the pool in the node's [`MiningMode`].
//! - **Reads** (`chain_head`, `state_*`, receipts, blocks) never take the producer's lock:
//!   `chain_head` reads memory on the async runtime, the others read committed data.
//! - **Dry runs** (`contract_call`) have a gas cap, a number of slots and a time limit
//!   ([`RpcLimits`]); each, when hit, is a `-32006` error that names it.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::server::ServerHandle;
use jsonrpsee::PendingSubscriptionSink;
use metron_rpc::types as wire;
use metron_rpc::{GuardConfig, MetronApiServer, RpcError, ServerConfig};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::Semaphore;

use crate::chain::{Chain, ChainConfig};
use crate::control::StateEdit;
use crate::dev;
use crate::error::{ChainError, TxError};
use crate::pool::{MiningMode, Producer};
use crate::types::{
    Action, Block, BlockHeader, CallResult, Event, Hash, Receipt, ReceiptStatus, SignedTransaction,
};

/// Default RPC listen address: loopback only, port 8545.
pub const DEFAULT_RPC_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8545);

/// How long [`Node::stop`] waits for in-flight RPC calls to release the chain.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Name of the lock file a node holds in its data directory while it runs.
pub const LOCK_FILE: &str = "node.lock";

/// Default [`RpcLimits::submit_queue`].
pub const DEFAULT_SUBMIT_QUEUE: usize = 256;
/// Default [`RpcLimits::dry_run_gas_cap`]: a quarter of the default block gas limit,
/// about 15 ms of execution at the schedule's calibration (`docs/gas.md`).
pub const DEFAULT_DRY_RUN_GAS_CAP: u64 = 50_000_000;
/// Default [`RpcLimits::dry_run_timeout`] (as geth's `--rpc.evmtimeout`).
pub const DEFAULT_DRY_RUN_TIMEOUT: Duration = Duration::from_secs(5);

/// Limits of the RPC service. Node policy, not consensus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcLimits {
    /// Transactions the pool holds (pending inclusion) after their stateless checks;
    /// one more `tx_submit` gets `-32006`.
    pub submit_queue: usize,
    /// Highest gas limit of a `contract_call`, and its default.
    pub dry_run_gas_cap: u64,
    /// Dry runs that may execute at once; others wait for a slot within the time limit.
    pub max_dry_runs: usize,
    /// Wall-clock limit of a `contract_call`, from its arrival: waiting for a slot plus
    /// execution. The VM cannot be interrupted, so an execution past the limit finishes
    /// in the background (bounded by the gas cap) and keeps its slot until then; the
    /// caller gets its error at the limit.
    pub dry_run_timeout: Duration,
}

impl Default for RpcLimits {
    /// [`DEFAULT_SUBMIT_QUEUE`], [`DEFAULT_DRY_RUN_GAS_CAP`], one dry-run slot per CPU
    /// (at least 2), [`DEFAULT_DRY_RUN_TIMEOUT`].
    fn default() -> Self {
        RpcLimits {
            submit_queue: DEFAULT_SUBMIT_QUEUE,
            dry_run_gas_cap: DEFAULT_DRY_RUN_GAS_CAP,
            max_dry_runs: std::thread::available_parallelism().map_or(2, |n| n.get().max(2)),
            dry_run_timeout: DEFAULT_DRY_RUN_TIMEOUT,
        }
    }
}

/// Configuration of a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Root data directory; the chain database lives in `data_dir/chain`
    /// (this overrides `chain.data_dir`), the lock file in `data_dir/node.lock`.
    pub data_dir: PathBuf,
    /// Delete the chain database (start from genesis), after taking the data dir's lock.
    pub reset: bool,
    /// RPC listen address (default [`DEFAULT_RPC_ADDR`]); port 0 picks a free port.
    pub rpc_addr: SocketAddr,
    /// Host names and origins accepted besides loopback ones (`metron_rpc::guard`).
    pub guard: GuardConfig,
    /// Limits of the RPC service.
    pub limits: RpcLimits,
    /// Chain configuration (chain id, genesis, VM config, block gas limit).
    pub chain: ChainConfig,
    /// Dev keys served by `dev_accounts` (those funded in `chain.genesis_accounts`); set
    /// both with [`NodeConfig::set_dev_accounts`].
    pub dev_keys: Vec<ed25519_dalek::SigningKey>,
    /// When blocks are sealed (default: instant seal, [`MiningMode::Auto`]).
    pub mining: MiningMode,
    /// Accept unsigned transactions from every address (devnet impersonation).
    pub auto_impersonate: bool,
}

impl NodeConfig {
    /// Devnet configuration in `data_dir`: [`ChainConfig::dev`] and its
    /// [`dev::DEV_ACCOUNT_COUNT`] well-known dev keys, RPC on [`DEFAULT_RPC_ADDR`].
    pub fn dev(data_dir: impl Into<PathBuf>) -> NodeConfig {
        let data_dir = data_dir.into();
        NodeConfig {
            chain: ChainConfig::dev(data_dir.join("chain")),
            data_dir,
            reset: false,
            rpc_addr: DEFAULT_RPC_ADDR,
            guard: GuardConfig::default(),
            limits: RpcLimits::default(),
            dev_keys: dev::dev_keys(dev::DEV_ACCOUNT_COUNT),
            mining: MiningMode::Auto,
            auto_impersonate: false,
        }
    }

    /// Test configuration: devnet in `data_dir` (typically a temporary directory), RPC on
    /// a free loopback port (`127.0.0.1:0`; read the real one from [`Node::local_addr`]).
    pub fn test(data_dir: impl Into<PathBuf>) -> NodeConfig {
        NodeConfig {
            rpc_addr: SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            ..NodeConfig::dev(data_dir)
        }
    }

    /// Directory of the chain database: `data_dir/chain`.
    pub fn chain_dir(&self) -> PathBuf {
        self.data_dir.join("chain")
    }

    /// The node's lock file: `data_dir/node.lock`.
    pub fn lock_file(&self) -> PathBuf {
        self.data_dir.join(LOCK_FILE)
    }
}

/// Takes the data dir's lock (creating the dir), then, with `reset`, deletes the chain
/// database. The lock is an OS file lock (`flock`): it is released when the returned file
/// is closed, also when the process is killed, so a stale lock file never blocks a
/// restart.
fn lock_data_dir(config: &NodeConfig) -> Result<File, ChainError> {
    let db_err = |what: &str, e: std::io::Error| ChainError::Db(format!("{what}: {e}"));
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        db_err(
            &format!("cannot create data dir {}", config.data_dir.display()),
            e,
        )
    })?;
    let lock_path = config.lock_file();
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| db_err(&format!("cannot open {}", lock_path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(ChainError::DataDirLocked {
                data_dir: config.data_dir.clone(),
                lock_file: lock_path,
            })
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(db_err(&format!("cannot lock {}", lock_path.display()), e))
        }
    }
    if config.reset {
        let chain_dir = config.chain_dir();
        if chain_dir.exists() {
            std::fs::remove_dir_all(&chain_dir)
                .map_err(|e| db_err(&format!("cannot delete {}", chain_dir.display()), e))?;
        }
    }
    Ok(file)
}

/// Failures of starting or stopping a node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The chain could not be opened.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The RPC server could not bind its address.
    #[error("cannot start RPC server on {addr}: {source}")]
    Bind {
        /// Requested address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A blocking task failed (panicked or was cancelled).
    #[error("node task failed: {0}")]
    Task(String),
    /// In-flight calls still held the chain after the stop timeout.
    #[error("shutdown timed out: RPC calls still hold the chain")]
    ShutdownTimeout,
}

/// A running node: the chain, its block producer and its RPC server.
pub struct Node {
    chain: Arc<Chain>,
    handle: ServerHandle,
    local_addr: SocketAddr,
    producer: std::thread::JoinHandle<()>,
    /// Held until the node has stopped and closed its database.
    lock: File,
}

impl Node {
    /// Takes the data dir's lock, deletes the chain database if `config.reset`, opens the
    /// chain in `config.data_dir/chain` (creating genesis if empty), starts the block
    /// producer and the RPC server on `config.rpc_addr`.
    ///
    /// # Errors
    /// [`NodeError::Chain`]: [`ChainError::DataDirLocked`] if another node holds the data
    /// dir (nothing was deleted), any error of [`Chain::open`]; [`NodeError::Bind`] if
    /// the address is taken.
    pub async fn start(config: NodeConfig) -> Result<Node, NodeError> {
        let mut chain_config = config.chain.clone();
        chain_config.data_dir = config.chain_dir();
        let open_config = config.clone();
        // The lock, the reset, RocksDB open and genesis are blocking I/O.
        let (chain, lock) = tokio::task::spawn_blocking(move || {
            let lock = lock_data_dir(&open_config)?;
            Chain::open(chain_config).map(|chain| (chain, lock))
        })
        .await
        .map_err(|e| NodeError::Task(e.to_string()))??;
        chain
            .impersonation()
            .set_all_by_default(config.auto_impersonate);
        let chain = Arc::new(chain);
        if !config.rpc_addr.ip().is_loopback() {
            tracing::warn!(
                addr = %config.rpc_addr,
                "RPC bound to a non-loopback address: anyone who can reach it can submit \
                 transactions and dry runs"
            );
        }
        let (mut service, producer) =
            RpcService::with_mining(Arc::clone(&chain), &config.limits, config.mining);
        service.dev_keys = config.dev_keys.clone().into();
        service.states_dir = Some(config.data_dir.join(crate::statefile::STATES_DIR));
        let mut server_config = ServerConfig::new(config.rpc_addr);
        server_config.guard = config.guard.clone();
        let (local_addr, handle) = metron_rpc::start_server(&server_config, service.into_rpc())
            .await
            .map_err(|source| NodeError::Bind {
                addr: config.rpc_addr,
                source,
            })?;
        Ok(Node {
            chain,
            handle,
            local_addr,
            producer,
            lock,
        })
    }

    /// The address the RPC server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// HTTP URL of the RPC server, e.g. `http://127.0.0.1:8545`.
    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// WebSocket URL of the RPC server (same port), e.g. `ws://127.0.0.1:8545`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.local_addr)
    }

    /// The chain this node serves.
    pub fn chain(&self) -> &Arc<Chain> {
        &self.chain
    }

    /// Stops the RPC server, waits for in-flight calls to finish and closes the database.
    ///
    /// # Errors
    /// [`NodeError::ShutdownTimeout`] if RPC calls still hold the chain after 30 s.
    pub async fn stop(self) -> Result<(), NodeError> {
        let Node {
            chain,
            handle,
            producer,
            lock,
            ..
        } = self;
        // `stop` only fails if the server already stopped, which is the goal anyway.
        let _ = handle.stop();
        handle.stopped().await;
        // Blocking RPC calls and subscriptions may still hold a clone for a moment.
        let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
        let mut chain = chain;
        loop {
            match Arc::try_unwrap(chain) {
                Ok(inner) => {
                    // The producer has dropped its handle on the chain, so its loop has
                    // ended. Dropping the chain closes RocksDB (memtables flushed, WAL
                    // synced, RocksDB's lock released); the data dir's lock goes last.
                    tokio::task::spawn_blocking(move || {
                        let _ = producer.join();
                        drop(inner);
                        drop(lock);
                    })
                    .await
                    .map_err(|e| NodeError::Task(e.to_string()))?;
                    return Ok(());
                }
                Err(still_shared) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(NodeError::ShutdownTimeout);
                    }
                    chain = still_shared;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
}

/// The service's handle on the block producer: the last clone of the service to go
/// stops the producer's thread.
struct ProducerLink(Arc<Producer>);

impl Drop for ProducerLink {
    fn drop(&mut self) {
        self.0.shutdown();
    }
}

/// Implementation of the Metron RPC API over a [`Chain`].
#[derive(Clone)]
pub struct RpcService {
    chain: Arc<Chain>,
    limits: RpcLimits,
    producer: Arc<ProducerLink>,
    dry_runs: Arc<Semaphore>,
    /// Served by `dev_accounts`: [`NodeConfig::dev_keys`] (the well-known keys unless set).
    dev_keys: Arc<[ed25519_dalek::SigningKey]>,
    /// Where `dev_dumpState`/`dev_loadState` files live (`<data dir>/states`); `None`
    /// for a service without a data dir (those methods then fail).
    states_dir: Option<PathBuf>,
}

impl RpcService {
    /// Serves `chain` with `limits`, with a pool of `limits.submit_queue` transactions and
    /// a block producer in instant-seal mode ([`RpcService::with_mining`]).
    pub fn with_producer(
        chain: Arc<Chain>,
        limits: &RpcLimits,
    ) -> (RpcService, std::thread::JoinHandle<()>) {
        RpcService::with_mining(chain, limits, MiningMode::Auto)
    }

    /// Serves `chain` with `limits`, and starts the block producer's thread in `mode`
    /// ([`crate::pool`]). The thread ends once every clone of the service is dropped.
    /// Returns its handle.
    pub fn with_mining(
        chain: Arc<Chain>,
        limits: &RpcLimits,
        mode: MiningMode,
    ) -> (RpcService, std::thread::JoinHandle<()>) {
        let producer = Arc::new(Producer::new(Arc::clone(&chain), limits.submit_queue, mode));
        let runner = Arc::clone(&producer);
        let thread = std::thread::Builder::new()
            .name("metron-producer".into())
            .spawn(move || loop {
                // A panic is a bug, but it must not stop block production: nothing was
                // committed by the block that panicked (a block is written last), and
                // the loop starts again.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runner.run())) {
                    Ok(()) => break,
                    Err(_) => {
                        tracing::error!("block production panicked; restarting");
                        // A panic that repeats must not spin a core.
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                }
            })
            .expect("spawning the block-producer thread");
        let service = RpcService {
            chain,
            limits: limits.clone(),
            producer: Arc::new(ProducerLink(producer)),
            dry_runs: Arc::new(Semaphore::new(limits.max_dry_runs.max(1))),
            dev_keys: dev::dev_keys(dev::DEV_ACCOUNT_COUNT).into(),
            states_dir: None,
        };
        (service, thread)
    }

    /// As [`RpcService::with_producer`], with the producer thread detached.
    pub fn new(chain: Arc<Chain>, limits: &RpcLimits) -> RpcService {
        RpcService::with_producer(chain, limits).0
    }
}

/// Maps a chain error to its RPC error (the one place this mapping happens).
pub fn rpc_error_from_chain(e: ChainError) -> RpcError {
    match e {
        ChainError::UnknownHeight { .. } => RpcError::UnknownBlock(e.to_string()),
        ChainError::InvalidCall(msg) => RpcError::InvalidCall(msg),
        ChainError::InvalidQuery(msg) => RpcError::InvalidParams(msg),
        ChainError::QueryTooLarge(msg) => RpcError::LimitExceeded(msg),
        ChainError::Db(_)
        | ChainError::Trie(_)
        | ChainError::Corrupt(_)
        | ChainError::ChainIdMismatch { .. }
        | ChainError::ScheduleVersionMismatch { .. }
        | ChainError::GenesisMismatch { .. }
        | ChainError::BlockGasLimitMismatch { .. }
        | ChainError::DataDirLocked { .. }
        | ChainError::InvalidGenesis(_) => RpcError::Internal(e.to_string()),
    }
}

/// Maps a transaction rejection to its RPC error (the one place this mapping happens).
pub fn rpc_error_from_tx(e: TxError) -> RpcError {
    match e {
        TxError::Decode(_)
        | TxError::TooLarge { .. }
        | TxError::InvalidPublicKey
        | TxError::InvalidSignature => RpcError::InvalidTransaction(e.to_string()),
        TxError::WrongChainId { .. }
        | TxError::BadNonce { .. }
        | TxError::IntrinsicGas { .. }
        | TxError::GasLimitTooHigh { .. }
        | TxError::GasPriceTooLow { .. }
        | TxError::CostOverflow
        | TxError::InsufficientBalance { .. }
        | TxError::NonceTooFarAhead { .. }
        | TxError::AlreadyPending { .. }
        | TxError::Dropped => RpcError::TxRejected(e.to_string()),
        TxError::PoolFull { .. } => RpcError::LimitExceeded(e.to_string()),
        TxError::Chain(c) => rpc_error_from_chain(c),
    }
}

fn h(x: [u8; 32]) -> wire::H256 {
    wire::H256(x)
}

/// Status class and trap kind name of a receipt status (the wire form; `metron run`
/// prints it too).
pub fn wire_status(s: &ReceiptStatus) -> (wire::ExecStatus, Option<String>) {
    let class = match s {
        ReceiptStatus::Success => wire::ExecStatus::Success,
        ReceiptStatus::Trapped(_) => wire::ExecStatus::Trapped,
        ReceiptStatus::OutOfGas => wire::ExecStatus::OutOfGas,
        ReceiptStatus::InvalidCode => wire::ExecStatus::InvalidCode,
        ReceiptStatus::MethodNotFound => wire::ExecStatus::MethodNotFound,
        ReceiptStatus::NotAContract => wire::ExecStatus::NotAContract,
        ReceiptStatus::AddressCollision => wire::ExecStatus::AddressCollision,
        ReceiptStatus::Reverted => wire::ExecStatus::Reverted,
    };
    let trap = match s {
        ReceiptStatus::Trapped(code) => Some(code.as_str().to_owned()),
        _ => None,
    };
    (class, trap)
}

/// Converts an event to its wire form.
pub fn to_wire_event(e: &Event) -> wire::Event {
    wire::Event {
        contract: h(e.contract),
        topic: wire::Bytes(e.topic.clone()),
        data: wire::Bytes(e.data.clone()),
    }
}

/// Converts a receipt to its wire form.
pub fn to_wire_receipt(r: &Receipt) -> wire::Receipt {
    let (status, trap) = wire_status(&r.status);
    wire::Receipt {
        tx_hash: h(r.tx_hash),
        block_height: r.block_height,
        index: r.index,
        status,
        trap,
        gas_used: r.gas_used,
        fee: wire::U128(r.fee),
        return_data: wire::Bytes(r.return_data.clone()),
        events: r.events.iter().map(to_wire_event).collect(),
        contract_address: r.contract_address.map(h),
        error: r.error.clone(),
    }
}

/// Converts a dry-run result to its wire form.
pub fn to_wire_call_result(r: &CallResult) -> wire::CallResult {
    let (status, trap) = wire_status(&r.status);
    wire::CallResult {
        status,
        trap,
        gas_used: r.gas_used,
        return_data: wire::Bytes(r.return_data.clone()),
        events: r.events.iter().map(to_wire_event).collect(),
        error: r.error.clone(),
    }
}

/// Converts a header (with its hash) to its wire form.
pub fn to_wire_header(hash: Hash, hd: &BlockHeader) -> wire::BlockHeader {
    wire::BlockHeader {
        hash: h(hash),
        parent_hash: h(hd.parent_hash),
        height: hd.height,
        timestamp: hd.timestamp,
        state_root: h(hd.state_root),
        transactions_root: h(hd.transactions_root),
        receipts_root: h(hd.receipts_root),
    }
}

/// Converts a trace frame to its wire form.
pub fn to_wire_frame(f: &crate::trace::CallFrame) -> wire::TraceFrame {
    let (status, trap) = wire_status(&f.status);
    wire::TraceFrame {
        kind: match f.kind {
            crate::trace::FrameKind::Deploy => "deploy",
            crate::trace::FrameKind::Call => "call",
            crate::trace::FrameKind::Instantiate => "instantiate",
        }
        .into(),
        contract: h(f.contract),
        method: f.method.clone(),
        gas_limit: f.gas_limit,
        gas_used: f.gas_used,
        wasm_gas: f.wasm_gas(),
        status,
        trap,
        error: f.error.clone(),
        host_calls: f
            .host_calls
            .iter()
            .map(|c| wire::TraceHostCall {
                name: c.name.into(),
                gas: c.gas,
                key: c.key.clone().map(wire::Bytes),
                children_before: u32::try_from(c.children_before).unwrap_or(u32::MAX),
                function: c.function.map(index32),
            })
            .collect(),
        calls: f.calls.iter().map(to_wire_frame).collect(),
        load_gas: f.load_gas(),
        functions: f
            .functions
            .iter()
            .map(|n| wire::TraceFunction {
                parent: n.parent.map(index32),
                index: n.index,
                name: n.name.clone(),
                calls: n.calls,
                gas: n.self_gas,
                host_gas: n.host_gas,
            })
            .collect(),
        trap_function: f.trap_function.map(index32),
    }
}

/// A list index on the wire (lists are far shorter than `u32::MAX`; saturates).
fn index32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Converts a wire action to the chain's.
pub fn from_wire_action(action: wire::Action) -> Action {
    match action {
        wire::Action::Deploy { code, init_input } => Action::Deploy {
            code: code.0,
            init_input: init_input.0,
        },
        wire::Action::Call {
            contract,
            method,
            input,
            value,
        } => Action::Call {
            contract: contract.0,
            method,
            input: input.0,
            value: value.0,
        },
        wire::Action::Transfer { to, amount } => Action::Transfer {
            to: to.0,
            amount: amount.0,
        },
    }
}

/// Converts a signed transaction to its wire form.
pub fn to_wire_tx(stx: &SignedTransaction) -> wire::Transaction {
    let action = match &stx.tx.action {
        Action::Deploy { code, init_input } => wire::Action::Deploy {
            code: wire::Bytes(code.clone()),
            init_input: wire::Bytes(init_input.clone()),
        },
        Action::Call {
            contract,
            method,
            input,
            value,
        } => wire::Action::Call {
            contract: h(*contract),
            method: method.clone(),
            input: wire::Bytes(input.clone()),
            value: wire::U128(*value),
        },
        Action::Transfer { to, amount } => wire::Action::Transfer {
            to: h(*to),
            amount: wire::U128(*amount),
        },
    };
    wire::Transaction {
        hash: h(stx.hash()),
        from: h(stx.from),
        chain_id: stx.tx.chain_id,
        nonce: stx.tx.nonce,
        gas_limit: stx.tx.gas_limit,
        gas_price: wire::U128(stx.tx.gas_price),
        action,
        signature: wire::Bytes(stx.signature.to_vec()),
    }
}

/// Converts a block (with its hash) to its wire form.
pub fn to_wire_block(hash: Hash, b: &Block) -> wire::Block {
    wire::Block {
        header: to_wire_header(hash, &b.header),
        transactions: b.transactions.iter().map(to_wire_tx).collect(),
    }
}

type RpcResult<T> = Result<T, jsonrpsee::types::ErrorObjectOwned>;

impl RpcService {
    /// Runs `work` on the blocking pool under the dry-run limits: it waits for a dry-run
    /// slot, and waiting plus running must end within the time limit.
    async fn dry_run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Chain) -> Result<T, ChainError> + Send + 'static,
    ) -> RpcResult<T> {
        let limits = &self.limits;
        let timeout_ms = limits.dry_run_timeout.as_millis();
        let deadline = tokio::time::Instant::now() + limits.dry_run_timeout;
        let permit = tokio::time::timeout_at(deadline, Arc::clone(&self.dry_runs).acquire_owned())
            .await
            .map_err(|_| {
                RpcError::LimitExceeded(format!(
                    "no dry-run slot came free within the {timeout_ms} ms time limit: {} dry \
                     runs are running (--max-dry-runs, --dry-run-timeout-ms)",
                    limits.max_dry_runs
                ))
            })?
            .map_err(|_| RpcError::Internal("dry runs are closed".into()))?;
        let chain = Arc::clone(&self.chain);
        let task = tokio::task::spawn_blocking(move || {
            // The slot is held until the execution ends, also past the time limit.
            let _permit = permit;
            work(&chain)
        });
        let r = tokio::time::timeout_at(deadline, task)
            .await
            .map_err(|_| {
                RpcError::LimitExceeded(format!(
                    "dry run exceeded the {timeout_ms} ms time limit (--dry-run-timeout-ms)"
                ))
            })?
            .map_err(|e| RpcError::Internal(format!("dry run failed: {e}")))?
            .map_err(chain_err)?;
        Ok(r)
    }

    /// Applies one state edit (in a block of its own) and returns the new head.
    fn edit(&self, edit: StateEdit) -> RpcResult<wire::BlockHeader> {
        let hash = self.chain.edit_state(&[edit]).map_err(chain_err)?;
        let (hash, block) = self
            .chain
            .block_by_hash(&hash)
            .map_err(chain_err)?
            .ok_or_else(|| RpcError::Internal("the edit's block is missing".into()))?;
        Ok(to_wire_header(hash, &block.header))
    }
}

fn chain_err(e: ChainError) -> jsonrpsee::types::ErrorObjectOwned {
    rpc_error_from_chain(e).into()
}

#[jsonrpsee::core::async_trait]
impl MetronApiServer for RpcService {
    /// Serves `tx_submit`: stateless checks, then the pool; with `wait` (the default),
    /// the answer comes once a block includes the transaction.
    async fn tx_submit(
        &self,
        tx: wire::Bytes,
        options: Option<wire::SubmitOptions>,
    ) -> RpcResult<wire::H256> {
        let wait = options.is_none_or(|o| o.wait);
        let chain = Arc::clone(&self.chain);
        let producer = Arc::clone(&self.producer);
        // Decoding and the signature check are CPU work, the pool's checks read state:
        // the blocking pool, not the async runtime that serves reads.
        let (hash, outcome) = tokio::task::spawn_blocking(move || {
            let stx = SignedTransaction::decode_bytes(&tx.0)?;
            chain.check_stateless(&stx)?;
            producer.0.submit(stx, wait)
        })
        .await
        .map_err(|e| RpcError::Internal(format!("transaction check failed: {e}")))?
        .map_err(rpc_error_from_tx)?;
        if let Some(outcome) = outcome {
            outcome
                .await
                .map_err(|_| RpcError::Internal("the block producer has stopped".into()))?
                .map_err(rpc_error_from_tx)?;
        }
        Ok(h(hash))
    }

    /// Serves `tx_pending`.
    fn tx_pending(&self) -> RpcResult<Vec<wire::Transaction>> {
        Ok(self.producer.0.pending().iter().map(to_wire_tx).collect())
    }

    /// Serves `dev_dropTransaction`.
    fn dev_drop_transaction(&self, hash: wire::H256) -> RpcResult<bool> {
        Ok(self.producer.0.drop_tx(&hash.0))
    }

    /// Serves `dev_setAutomine`.
    fn dev_set_automine(&self, enabled: bool) -> RpcResult<()> {
        self.producer.0.set_mode(if enabled {
            MiningMode::Auto
        } else {
            MiningMode::Manual
        });
        Ok(())
    }

    /// Serves `dev_setIntervalMining`.
    fn dev_set_interval_mining(&self, ms: u64) -> RpcResult<()> {
        self.producer.0.set_mode(if ms == 0 {
            MiningMode::Manual
        } else {
            MiningMode::Interval(Duration::from_millis(ms))
        });
        Ok(())
    }

    /// Serves `dev_miningMode`.
    fn dev_mining_mode(&self) -> RpcResult<wire::MiningMode> {
        Ok(match self.producer.0.mode() {
            MiningMode::Auto => wire::MiningMode::Auto,
            MiningMode::Manual => wire::MiningMode::Manual,
            MiningMode::Interval(d) => wire::MiningMode::Interval {
                ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            },
        })
    }

    /// Serves `tx_estimateGas`: the cap check, then the search as one dry run.
    async fn tx_estimate_gas(
        &self,
        request: wire::EstimateRequest,
    ) -> RpcResult<wire::GasEstimate> {
        let cap = request.gas_cap.unwrap_or(self.limits.dry_run_gas_cap);
        if cap > self.limits.dry_run_gas_cap {
            return Err(RpcError::LimitExceeded(format!(
                "gas cap {cap} above this node's dry-run gas cap {} (--rpc-gas-cap)",
                self.limits.dry_run_gas_cap
            ))
            .into());
        }
        let from = request.from.0;
        let action = from_wire_action(request.action);
        let e = self
            .dry_run(move |chain| chain.estimate_gas(from, action, cap))
            .await?;
        Ok(wire::GasEstimate {
            gas_limit: e.gas_limit,
            gas_used: e.gas_used,
            executions: e.executions,
        })
    }

    /// Serves `tx_getReceipt`.
    fn tx_get_receipt(&self, hash: wire::H256) -> RpcResult<Option<wire::Receipt>> {
        let r = self.chain.receipt(&hash.0).map_err(chain_err)?;
        Ok(r.as_ref().map(to_wire_receipt))
    }

    /// Serves `chain_getTransaction`.
    fn chain_get_transaction(&self, hash: wire::H256) -> RpcResult<Option<wire::TransactionInfo>> {
        let Some((stx, loc)) = self.chain.transaction(&hash.0).map_err(chain_err)? else {
            return Ok(None);
        };
        let (block_hash, _) = self
            .chain
            .block_by_number(loc.block_height)
            .map_err(chain_err)?
            .ok_or_else(|| {
                RpcError::Internal(format!(
                    "block {} of the transaction is missing",
                    loc.block_height
                ))
            })?;
        Ok(Some(wire::TransactionInfo {
            transaction: to_wire_tx(&stx),
            block_height: loc.block_height,
            block_hash: h(block_hash),
            index: loc.index,
        }))
    }

    /// Serves `chain_getBlock`.
    fn chain_get_block(&self, id: wire::BlockId) -> RpcResult<Option<wire::Block>> {
        let found = match id {
            wire::BlockId::Number(n) => self.chain.block_by_number(n),
            wire::BlockId::Hash(hash) => self.chain.block_by_hash(&hash.0),
            wire::BlockId::Latest => self.chain.block_by_number(self.chain.head_height()),
        }
        .map_err(chain_err)?;
        Ok(found.map(|(hash, b)| to_wire_block(hash, &b)))
    }

    /// Serves `chain_getLogs` (see [`crate::logs`]).
    fn chain_get_logs(&self, filter: wire::LogFilter) -> RpcResult<Vec<wire::Log>> {
        crate::logs::wire_logs(&self.chain, filter).map_err(chain_err)
    }

    /// Serves `chain_head`.
    fn chain_head(&self) -> RpcResult<wire::BlockHeader> {
        let (hash, header) = self.chain.head();
        Ok(to_wire_header(hash, &header))
    }

    /// Serves `chain_id`.
    fn chain_id(&self) -> RpcResult<u64> {
        Ok(self.chain.chain_id())
    }

    /// Serves `state_getBalance`.
    fn state_get_balance(&self, address: wire::H256, at: Option<u64>) -> RpcResult<wire::U128> {
        let b = self.chain.balance(&address.0, at).map_err(chain_err)?;
        Ok(wire::U128(b))
    }

    /// Serves `state_getNonce`.
    fn state_get_nonce(&self, address: wire::H256, at: Option<u64>) -> RpcResult<u64> {
        self.chain.nonce(&address.0, at).map_err(chain_err)
    }

    /// Serves `state_getStorage`.
    fn state_get_storage(
        &self,
        address: wire::H256,
        key: wire::Bytes,
        at: Option<u64>,
    ) -> RpcResult<Option<wire::Bytes>> {
        let v = self
            .chain
            .storage(&address.0, &key.0, at)
            .map_err(chain_err)?;
        Ok(v.map(wire::Bytes))
    }

    /// Serves `state_getCode`.
    fn state_get_code(
        &self,
        address: wire::H256,
        at: Option<u64>,
    ) -> RpcResult<Option<wire::Bytes>> {
        let v = self.chain.code(&address.0, at).map_err(chain_err)?;
        Ok(v.map(wire::Bytes))
    }

    /// Serves `state_getProof`: one height for every proof, resolved once.
    fn state_get_proof(
        &self,
        address: wire::H256,
        keys: Vec<wire::Bytes>,
        at: Option<u64>,
    ) -> RpcResult<wire::StateProof> {
        if keys.len() > metron_rpc::MAX_PROOF_KEYS {
            return Err(RpcError::InvalidParams(format!(
                "{} storage keys: at most {} per state_getProof",
                keys.len(),
                metron_rpc::MAX_PROOF_KEYS
            ))
            .into());
        }
        let height = at.unwrap_or_else(|| self.chain.head_height());
        let proven = |p: crate::state::StateProof| wire::ProvenValue {
            key_hash: h(p.key_hash),
            value: p.value.clone().map(wire::Bytes),
            proof: wire::Bytes(p.proof_bytes()),
        };
        let account = self
            .chain
            .prove(&address.0, None, Some(height))
            .map_err(chain_err)?;
        let state_root = account.root;
        let mut storage = Vec::with_capacity(keys.len());
        for key in keys {
            let p = self
                .chain
                .prove(&address.0, Some(&key.0), Some(height))
                .map_err(chain_err)?;
            storage.push(wire::StorageProof {
                key,
                proven: proven(p),
            });
        }
        Ok(wire::StateProof {
            height,
            state_root: h(state_root),
            account: proven(account),
            storage,
        })
    }

    /// Serves `contract_call`: gas cap, then a dry-run slot and the execution within the
    /// time limit.
    async fn contract_call(&self, request: wire::CallRequest) -> RpcResult<wire::CallResult> {
        let limits = &self.limits;
        let from = request.from.map_or([0u8; 32], |a| a.0);
        let gas_limit = request.gas_limit.unwrap_or(limits.dry_run_gas_cap);
        if gas_limit > limits.dry_run_gas_cap {
            return Err(RpcError::LimitExceeded(format!(
                "gas limit {gas_limit} above this node's dry-run gas cap {} (--rpc-gas-cap)",
                limits.dry_run_gas_cap
            ))
            .into());
        }
        let value = request.value.map_or(0, |v| v.0);
        let contract = request.contract;
        let r = self
            .dry_run(move |chain| {
                chain.dry_run_call_at(
                    request.at,
                    from,
                    contract.0,
                    &request.method,
                    request.input.0,
                    value,
                    gas_limit,
                )
            })
            .await?;
        if r.status == ReceiptStatus::NotAContract {
            return Err(RpcError::ContractNotFound(contract.to_string()).into());
        }
        Ok(to_wire_call_result(&r))
    }

    /// Serves `contract_trace`: a re-execution or a dry run with a tracer, under the
    /// dry-run limits.
    async fn contract_trace(&self, target: wire::TraceTarget) -> RpcResult<wire::Trace> {
        match target {
            wire::TraceTarget::TxHash(hash) => {
                let t = self
                    .dry_run(move |chain| chain.trace_transaction(&hash.0))
                    .await?
                    .ok_or_else(|| {
                        RpcError::InvalidParams(format!("no transaction {hash} on this chain"))
                    })?;
                let (status, _) = wire_status(&t.receipt.status);
                Ok(wire::Trace {
                    status,
                    gas_used: t.receipt.gas_used,
                    intrinsic_gas: t.intrinsic_gas,
                    frame: t.root.as_ref().map(to_wire_frame),
                })
            }
            wire::TraceTarget::Call(request) => {
                let limits = &self.limits;
                let from = request.from.map_or([0u8; 32], |a| a.0);
                let gas_limit = request.gas_limit.unwrap_or(limits.dry_run_gas_cap);
                if gas_limit > limits.dry_run_gas_cap {
                    return Err(RpcError::LimitExceeded(format!(
                        "gas limit {gas_limit} above this node's dry-run gas cap {} \
                         (--rpc-gas-cap)",
                        limits.dry_run_gas_cap
                    ))
                    .into());
                }
                let value = request.value.map_or(0, |v| v.0);
                let contract = request.contract;
                let (r, frame) = self
                    .dry_run(move |chain| {
                        chain.trace_call(
                            request.at,
                            from,
                            contract.0,
                            &request.method,
                            request.input.0,
                            value,
                            gas_limit,
                        )
                    })
                    .await?;
                if r.status == ReceiptStatus::NotAContract {
                    return Err(RpcError::ContractNotFound(contract.to_string()).into());
                }
                let (status, _) = wire_status(&r.status);
                let frame_gas = frame.as_ref().map_or(0, |f| f.gas_used);
                Ok(wire::Trace {
                    status,
                    gas_used: r.gas_used,
                    intrinsic_gas: r.gas_used.saturating_sub(frame_gas),
                    frame: frame.as_ref().map(to_wire_frame),
                })
            }
        }
    }

    /// Serves `dev_accounts`: the node's dev keys ([`NodeConfig::dev_keys`]) funded in
    /// this chain's genesis, with their indices.
    fn dev_accounts(&self) -> RpcResult<Vec<wire::DevAccount>> {
        let genesis: std::collections::BTreeSet<_> = self
            .chain
            .config()
            .genesis_accounts
            .iter()
            .map(|(a, _)| *a)
            .collect();
        let accounts = self
            .dev_keys
            .iter()
            .enumerate()
            .filter_map(|(i, key)| {
                let address = key.verifying_key().to_bytes();
                let funded = genesis.contains(&address);
                funded.then(|| wire::DevAccount {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    address: h(address),
                    secret_key: h(key.to_bytes()),
                })
            })
            .collect();
        Ok(accounts)
    }

    /// Serves `dev_mine` (on the blocking pool: each block is a store commit).
    fn dev_mine(&self, blocks: Option<u64>) -> RpcResult<wire::BlockHeader> {
        let n = blocks.unwrap_or(1);
        if n > metron_rpc::MAX_MINE_BLOCKS {
            return Err(RpcError::LimitExceeded(format!(
                "dev_mine of {n} blocks: at most {} per request",
                metron_rpc::MAX_MINE_BLOCKS
            ))
            .into());
        }
        self.producer.0.mine(n).map_err(chain_err)?;
        let (hash, header) = self.chain.head();
        Ok(to_wire_header(hash, &header))
    }

    /// Serves `dev_increaseTime`.
    fn dev_increase_time(&self, ms: u64) -> RpcResult<u64> {
        Ok(self.chain.increase_time(ms))
    }

    /// Serves `dev_setNextBlockTimestamp`.
    fn dev_set_next_block_timestamp(&self, ms: u64) -> RpcResult<()> {
        self.chain
            .set_next_block_timestamp(ms)
            .map_err(|e| rpc_error_from_chain(e).into())
    }

    /// Serves `dev_snapshot`.
    fn dev_snapshot(&self) -> RpcResult<u64> {
        Ok(self.chain.snapshot())
    }

    /// Serves `dev_revert`.
    fn dev_revert(&self, id: u64) -> RpcResult<bool> {
        self.chain.revert_to_snapshot(id).map_err(chain_err)
    }

    /// Serves `dev_reset`.
    fn dev_reset(&self) -> RpcResult<wire::BlockHeader> {
        self.chain.reset().map_err(chain_err)?;
        let (hash, header) = self.chain.head();
        Ok(to_wire_header(hash, &header))
    }

    /// Serves `dev_setBalance`.
    fn dev_set_balance(
        &self,
        address: wire::H256,
        balance: wire::U128,
    ) -> RpcResult<wire::BlockHeader> {
        self.edit(StateEdit::Balance {
            address: address.0,
            balance: balance.0,
        })
    }

    /// Serves `dev_setNonce`.
    fn dev_set_nonce(&self, address: wire::H256, nonce: u64) -> RpcResult<wire::BlockHeader> {
        self.edit(StateEdit::Nonce {
            address: address.0,
            nonce,
        })
    }

    /// Serves `dev_setCode`.
    fn dev_set_code(&self, address: wire::H256, code: wire::Bytes) -> RpcResult<wire::BlockHeader> {
        self.edit(StateEdit::Code {
            address: address.0,
            code: code.0,
        })
    }

    /// Serves `dev_setStorage`.
    fn dev_set_storage(
        &self,
        address: wire::H256,
        key: wire::Bytes,
        value: Option<wire::Bytes>,
    ) -> RpcResult<wire::BlockHeader> {
        self.edit(StateEdit::Storage {
            address: address.0,
            key: key.0,
            value: value.map(|v| v.0),
        })
    }

    /// Serves `dev_impersonate`.
    fn dev_impersonate(&self, address: wire::H256) -> RpcResult<()> {
        self.chain.impersonation().start(address.0);
        Ok(())
    }

    /// Serves `dev_stopImpersonating`.
    fn dev_stop_impersonating(&self, address: wire::H256) -> RpcResult<bool> {
        Ok(self.chain.impersonation().stop(&address.0))
    }

    /// Serves `dev_setAutoImpersonate`.
    fn dev_set_auto_impersonate(&self, enabled: bool) -> RpcResult<()> {
        self.chain.impersonation().set_all(enabled);
        Ok(())
    }

    /// Serves `dev_dumpState`.
    fn dev_dump_state(&self, name: String) -> RpcResult<wire::StateFileInfo> {
        crate::statefile::serve_dump(&self.chain, self.states_dir.as_deref(), &name)
            .map_err(Into::into)
    }

    /// Serves `dev_loadState`.
    fn dev_load_state(&self, name: String) -> RpcResult<wire::StateFileInfo> {
        crate::statefile::serve_load(&self.chain, self.states_dir.as_deref(), &name)
            .map_err(Into::into)
    }

    /// Serves `chain_subscribeLogs` (see [`crate::logs::serve_log_subscription`]).
    async fn subscribe_logs(
        &self,
        pending: PendingSubscriptionSink,
        filter: wire::LogFilter,
    ) -> SubscriptionResult {
        crate::logs::serve_log_subscription(Arc::clone(&self.chain), pending, filter).await
    }

    /// Serves `chain_subscribeNewHeads`.
    async fn subscribe_new_heads(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
        let mut heads = self.chain.subscribe_heads();
        let sink = pending.accept().await?;
        loop {
            tokio::select! {
                _ = sink.closed() => break,
                next = heads.recv() => match next {
                    Ok(nh) => {
                        let header = to_wire_header(nh.hash, &nh.header);
                        let msg = serde_json::value::to_raw_value(&header)?;
                        if sink.send(msg).await.is_err() {
                            break;
                        }
                    }
                    // A slow subscriber skips blocks rather than stalling the node.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tx_errors_map_to_codes() {
        use metron_rpc::codes;
        assert_eq!(
            rpc_error_from_tx(TxError::InvalidSignature).code(),
            codes::INVALID_TRANSACTION
        );
        assert_eq!(
            rpc_error_from_tx(TxError::BadNonce {
                expected: 1,
                got: 0
            })
            .code(),
            codes::TX_REJECTED
        );
        assert_eq!(
            rpc_error_from_chain(ChainError::UnknownHeight {
                requested: 9,
                head: 1
            })
            .code(),
            codes::UNKNOWN_BLOCK
        );
    }

    #[test]
    fn test_config_uses_port_zero_on_loopback() {
        let c = NodeConfig::test("/tmp/x");
        assert_eq!(c.rpc_addr.port(), 0);
        assert!(c.rpc_addr.ip().is_loopback());
        assert_eq!(c.chain_dir(), PathBuf::from("/tmp/x/chain"));
    }
}
