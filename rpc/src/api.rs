//! The Metron RPC method trait. `jsonrpsee`'s `#[rpc]` macro derives from it both the
//! server trait [`MetronApiServer`] (implemented by the node) and the typed client
//! extension trait [`MetronApiClient`] (implemented for jsonrpsee's HTTP and WS clients).

use jsonrpsee::core::{RpcResult, SubscriptionResult};
use jsonrpsee::proc_macros::rpc;

use crate::types::{
    Block, BlockHeader, BlockId, Bytes, CallRequest, CallResult, DevAccount, EstimateRequest,
    GasEstimate, Log, LogFilter, Receipt, StateFileInfo, StateProof, TransactionInfo, H256, U128,
};

use crate::types::{MiningMode, SubmitOptions, Trace, TraceTarget, Transaction};

/// All Metron JSON-RPC methods. Method names follow `namespace_method`.
///
/// Optional `at` parameters select the state after the block at that height; omitted or
/// `null` means the head.
#[rpc(server, client)]
pub trait MetronApi {
    /// `tx_submit`: submits a signed transaction (hex of its SCALE encoding). The stateless
    /// checks (size, decoding, chain id, signature, gas limit, minimum gas price) run
    /// first, then the pool's: the nonce is not below the account's nor more than 64
    /// ahead, no other pending transaction has it, the sender can pay at the head state.
    /// The transaction then waits in the pool until a block includes it (at once in the
    /// default instant-seal mode). With `options.wait` true (the default) the hash is
    /// returned once that block is the head (its receipt is readable) or the error if a
    /// block rejected it; with `"wait": false` at once.
    ///
    /// # Errors
    /// `-32000` undecodable/bad signature, `-32001` rejected (chain id, gas price, nonce,
    /// balance, already pending, dropped), `-32006` the pool is full.
    #[method(name = "tx_submit")]
    async fn tx_submit(&self, tx: Bytes, options: Option<SubmitOptions>) -> RpcResult<H256>;

    /// `tx_pending`: the transactions in the pool, in arrival order.
    #[method(name = "tx_pending")]
    fn tx_pending(&self) -> RpcResult<Vec<Transaction>>;

    /// `tx_estimateGas`: the least gas limit with which the transaction would succeed on
    /// the head state, found by executing it (at the cap, at the gas it used, then a
    /// binary search; each execution counts against the dry-run limits). The fee is not
    /// part of it: the sender only needs the value.
    ///
    /// # Errors
    /// `-32004` if the transaction fails even at the cap (the message gives the status
    /// and error) or is invalid (e.g. the sender cannot pay the value); `-32006` for a cap
    /// above the node's dry-run gas cap, no free dry-run slot, or over the time limit.
    #[method(name = "tx_estimateGas")]
    async fn tx_estimate_gas(&self, request: EstimateRequest) -> RpcResult<GasEstimate>;

    /// `tx_getReceipt`: the receipt of an included transaction, or `null` if unknown.
    #[method(name = "tx_getReceipt", blocking)]
    fn tx_get_receipt(&self, hash: H256) -> RpcResult<Option<Receipt>>;

    /// `chain_getTransaction`: an included transaction with its block height, block hash
    /// and index, or `null` if unknown.
    #[method(name = "chain_getTransaction", blocking)]
    fn chain_get_transaction(&self, hash: H256) -> RpcResult<Option<TransactionInfo>>;

    /// `chain_getBlock`: a block by height (number), hash (`0x` string) or `"latest"`;
    /// `null` if there is no such block.
    #[method(name = "chain_getBlock", blocking)]
    fn chain_get_block(&self, id: BlockId) -> RpcResult<Option<Block>>;

    /// `chain_getLogs`: the events of blocks `fromBlock..=toBlock` (each default the head)
    /// emitted by `contract` (if given) with one of `topics` (if given and not empty), in
    /// (block height, tx index, log index) order. Served from the node's event index.
    ///
    /// # Errors
    /// `-32002` if `toBlock` is above the head; `-32602` if `fromBlock > toBlock` or more
    /// than [`MAX_LOG_TOPICS`](crate::MAX_LOG_TOPICS) topics; `-32006` for a range of more
    /// than [`MAX_LOG_RANGE`](crate::MAX_LOG_RANGE) blocks (page it) or more than
    /// [`MAX_LOGS`](crate::MAX_LOGS) matching logs (narrow it).
    #[method(name = "chain_getLogs", blocking)]
    fn chain_get_logs(&self, filter: LogFilter) -> RpcResult<Vec<Log>>;

    /// `chain_head`: the head block's header (with hash). Reads memory only: it never
    /// waits for block production or the database.
    #[method(name = "chain_head")]
    fn chain_head(&self) -> RpcResult<BlockHeader>;

    /// `chain_id`: the chain id transactions must be signed for.
    #[method(name = "chain_id")]
    fn chain_id(&self) -> RpcResult<u64>;

    /// `state_getBalance`: balance of an account, in base units (decimal string).
    ///
    /// # Errors
    /// `-32002` if state at `at` is not available.
    #[method(name = "state_getBalance", blocking)]
    fn state_get_balance(&self, address: H256, at: Option<u64>) -> RpcResult<U128>;

    /// `state_getNonce`: the next nonce expected from an account.
    #[method(name = "state_getNonce", blocking)]
    fn state_get_nonce(&self, address: H256, at: Option<u64>) -> RpcResult<u64>;

    /// `state_getStorage`: a contract storage value by key, or `null` if absent.
    #[method(name = "state_getStorage", blocking)]
    fn state_get_storage(
        &self,
        address: H256,
        key: Bytes,
        at: Option<u64>,
    ) -> RpcResult<Option<Bytes>>;

    /// `state_getCode`: the Wasm code of a contract, or `null` if none.
    #[method(name = "state_getCode", blocking)]
    fn state_get_code(&self, address: H256, at: Option<u64>) -> RpcResult<Option<Bytes>>;

    /// `state_getProof`: the account at `address` and its storage values under `keys`
    /// (at most [`MAX_PROOF_KEYS`](crate::MAX_PROOF_KEYS)), each with a jmt Merkle proof
    /// of inclusion or absence against the state root of the block at `at` (head if
    /// omitted).
    ///
    /// # Errors
    /// `-32002` if `at` is above the head, `-32602` for too many keys.
    #[method(name = "state_getProof", blocking)]
    fn state_get_proof(
        &self,
        address: H256,
        keys: Vec<Bytes>,
        at: Option<u64>,
    ) -> RpcResult<StateProof>;

    /// `contract_call`: read-only dry run of a contract method at head. No state change,
    /// no fee. Returns status, gas used, return data and events. The gas limit defaults
    /// to the node's dry-run gas cap; dry runs are limited in number and in time.
    ///
    /// # Errors
    /// `-32003` no contract at the address, `-32004` method not callable or gas limit
    /// below the intrinsic gas, `-32006` gas limit above the dry-run cap, too many dry
    /// runs at once, or over the time limit.
    #[method(name = "contract_call")]
    async fn contract_call(&self, request: CallRequest) -> RpcResult<CallResult>;

    /// `contract_trace`: where the gas of an included transaction (`{"txHash": ..}`,
    /// re-executed on the state before it) or of a dry run (`{"call": CallRequest}`)
    /// went: a tree of frames, one per contract execution, each with its own Wasm gas,
    /// its host calls (own gas, storage keys) and nested frames.
    ///
    /// # Errors
    /// `-32602` for an unknown transaction; as `contract_call` for a dry run (`-32003`,
    /// `-32004`, `-32006`).
    #[method(name = "contract_trace")]
    async fn contract_trace(&self, target: TraceTarget) -> RpcResult<Trace>;

    /// `dev_accounts`: the prefunded dev accounts (address and secret key).
    #[method(name = "dev_accounts")]
    fn dev_accounts(&self) -> RpcResult<Vec<DevAccount>>;

    /// `dev_mine`: seals `blocks` blocks now, whatever the mining mode, each with the
    /// ready pending transactions up to the block gas limit, or empty (default 1, at most
    /// [`MAX_MINE_BLOCKS`](crate::MAX_MINE_BLOCKS)) and returns the new head.
    ///
    /// # Errors
    /// `-32006` for more than the maximum; `-32603` if the node fails to commit.
    #[method(name = "dev_mine", blocking)]
    fn dev_mine(&self, blocks: Option<u64>) -> RpcResult<BlockHeader>;

    /// `dev_dropTransaction`: removes a pending transaction from the pool (its waiters
    /// get `-32001`); `false` if it is not pending.
    #[method(name = "dev_dropTransaction")]
    fn dev_drop_transaction(&self, hash: H256) -> RpcResult<bool>;

    /// `dev_setAutomine`: `true` seals each transaction as it arrives (instant seal);
    /// `false` seals only on `dev_mine`.
    #[method(name = "dev_setAutomine")]
    fn dev_set_automine(&self, enabled: bool) -> RpcResult<()>;

    /// `dev_setIntervalMining`: seals a block every `ms` milliseconds with the ready
    /// transactions (empty blocks too); `0` seals only on `dev_mine`.
    #[method(name = "dev_setIntervalMining")]
    fn dev_set_interval_mining(&self, ms: u64) -> RpcResult<()>;

    /// `dev_miningMode`: the current mining mode.
    #[method(name = "dev_miningMode")]
    fn dev_mining_mode(&self) -> RpcResult<MiningMode>;

    /// `dev_increaseTime`: moves the block producer's clock `ms` milliseconds forward for
    /// every later block; returns the total offset in milliseconds.
    #[method(name = "dev_increaseTime")]
    fn dev_increase_time(&self, ms: u64) -> RpcResult<u64>;

    /// `dev_setNextBlockTimestamp`: the timestamp (ms since the Unix epoch) of the next
    /// block only.
    ///
    /// # Errors
    /// `-32004` if it is not after the head block's timestamp.
    #[method(name = "dev_setNextBlockTimestamp", blocking)]
    fn dev_set_next_block_timestamp(&self, ms: u64) -> RpcResult<()>;

    /// `dev_snapshot`: records the head (and the producer's clock); returns an id for
    /// `dev_revert`.
    #[method(name = "dev_snapshot", blocking)]
    fn dev_snapshot(&self) -> RpcResult<u64>;

    /// `dev_revert`: takes the chain back to snapshot `id`, removing the blocks sealed
    /// since with their transactions, receipts and state. Uses up that snapshot and every
    /// later one. `false` (nothing changed) for an unknown or used-up id.
    #[method(name = "dev_revert", blocking)]
    fn dev_revert(&self, id: u64) -> RpcResult<bool>;

    /// `dev_reset`: takes the chain back to genesis and forgets snapshots, clock
    /// adjustments and impersonations. Returns the genesis header.
    #[method(name = "dev_reset", blocking)]
    fn dev_reset(&self) -> RpcResult<BlockHeader>;

    /// `dev_setBalance`: sets an account's balance, in a new block with no transactions
    /// (so the head's state root commits to it). Returns that block's header.
    #[method(name = "dev_setBalance", blocking)]
    fn dev_set_balance(&self, address: H256, balance: U128) -> RpcResult<BlockHeader>;

    /// `dev_setNonce`: sets an account's nonce, in a new block as `dev_setBalance`.
    #[method(name = "dev_setNonce", blocking)]
    fn dev_set_nonce(&self, address: H256, nonce: u64) -> RpcResult<BlockHeader>;

    /// `dev_setCode`: sets an account's contract code (empty: no code), in a new block as
    /// `dev_setBalance`. The code's `init` is not run.
    ///
    /// # Errors
    /// `-32004` for code that does not compile or lacks the contract interface.
    #[method(name = "dev_setCode", blocking)]
    fn dev_set_code(&self, address: H256, code: Bytes) -> RpcResult<BlockHeader>;

    /// `dev_setStorage`: sets (or, with `null`, deletes) one storage value, in a new
    /// block as `dev_setBalance`.
    #[method(name = "dev_setStorage", blocking)]
    fn dev_set_storage(
        &self,
        address: H256,
        key: Bytes,
        value: Option<Bytes>,
    ) -> RpcResult<BlockHeader>;

    /// `dev_impersonate`: accepts transactions from `address` with an all-zero signature
    /// (64 zero bytes) until `dev_stopImpersonating`.
    #[method(name = "dev_impersonate")]
    fn dev_impersonate(&self, address: H256) -> RpcResult<()>;

    /// `dev_stopImpersonating`: ends `dev_impersonate`; `false` if it was not impersonated.
    #[method(name = "dev_stopImpersonating")]
    fn dev_stop_impersonating(&self, address: H256) -> RpcResult<bool>;

    /// `dev_setAutoImpersonate`: accepts unsigned transactions from every address
    /// (`true`) or only from impersonated ones (`false`).
    #[method(name = "dev_setAutoImpersonate")]
    fn dev_set_auto_impersonate(&self, enabled: bool) -> RpcResult<()>;

    /// `dev_dumpState`: writes the head's state (every trie entry and the contract code
    /// it references) to the state file `name` in the node's `states/` directory, and
    /// returns what it wrote. Block production waits while it runs.
    ///
    /// # Errors
    /// `-32602` if `name` is not a plain file name (no path separator, not `.` or `..`);
    /// `-32004` if the file cannot be written (with the reason).
    #[method(name = "dev_dumpState", blocking)]
    fn dev_dump_state(&self, name: String) -> RpcResult<StateFileInfo>;

    /// `dev_loadState`: replaces the state with the one in state file `name` (in the
    /// node's `states/` directory), sealed as blocks with no transactions of at most
    /// 10 000 trie writes each; keys absent from the file are deleted. The head's state
    /// root then equals the file's. The file is checked whole before anything changes.
    ///
    /// # Errors
    /// `-32602` for a bad `name` (as `dev_dumpState`); `-32004` for a file that does not
    /// load, with the reason: missing, truncated or corrupt, another format version
    /// (naming both), another chain id or gas schedule version. The chain is unchanged then.
    #[method(name = "dev_loadState", blocking)]
    fn dev_load_state(&self, name: String) -> RpcResult<StateFileInfo>;

    /// `chain_subscribeNewHeads` (WebSocket only): a notification `chain_newHead` with the
    /// header of every block committed after subscribing. Unsubscribe with
    /// `chain_unsubscribeNewHeads`.
    #[subscription(
        name = "chain_subscribeNewHeads" => "chain_newHead",
        unsubscribe = "chain_unsubscribeNewHeads",
        item = BlockHeader
    )]
    async fn subscribe_new_heads(&self) -> SubscriptionResult;

    /// `chain_subscribeLogs` (WebSocket only): a notification `chain_log` for each event
    /// matching the filter's `contract` and `topics` in every block committed after
    /// subscribing, in chain order (`fromBlock`/`toBlock` are ignored). A subscriber that
    /// falls more than 256 blocks behind skips blocks. Unsubscribe with
    /// `chain_unsubscribeLogs`.
    ///
    /// # Errors
    /// `-32602` for more than [`MAX_LOG_TOPICS`](crate::MAX_LOG_TOPICS) topics.
    #[subscription(
        name = "chain_subscribeLogs" => "chain_log",
        unsubscribe = "chain_unsubscribeLogs",
        item = Log
    )]
    async fn subscribe_logs(&self, filter: LogFilter) -> SubscriptionResult;
}
