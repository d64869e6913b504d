//! `metron abci`: the chain as an ABCI 2.0 application under CometBFT 0.38.
//!
//! [`AbciApp`] adapts the [`Application`] interface to the ABCI methods
//! (`spec/abci/abci++_methods.md` of CometBFT v0.38.x; protobuf messages
//! `tendermint.abci` of `tendermint-proto` 0.41, module `v0_38`). The socket server is
//! `tendermint-abci` 0.41's, which serves each connection CometBFT opens (consensus,
//! mempool, query, snapshot) on a thread of its own; the application's state is behind
//! one lock, so the calls are serialized.
//!
//! | ABCI call | here |
//! |---|---|
//! | `InitChain` | genesis from `app_state_bytes` ([`AbciGenesis`], JSON), saved in the data dir |
//! | `Info` | last committed height and app hash (the state root): CometBFT's handshake replays from there |
//! | `CheckTx` | stateless checks, then nonce and balance against the check state (committed state plus the transactions checked since the last commit) |
//! | `PrepareProposal` | the mempool's transactions that are valid in order, within the block gas limit and `max_tx_bytes` |
//! | `ProcessProposal` | rejects a block with an undecodable or invalid transaction, gas limits past the block gas limit, or a height or time that does not follow |
//! | `FinalizeBlock` | executes; one `ExecTxResult` per transaction (code, return data, gas used and wanted, events) and the app hash |
//! | `Commit` | one atomic RocksDB write |
//! | `Query` | `/balance/0x…`, `/nonce/0x…`, `/code/0x…`, `/storage/0x…/0x…`, `/call` (a JSON call request); jmt proofs with `prove` |
//!
//! Block time is the consensus header's `time`, never a local clock. Transaction result
//! codes are [`code`]'s.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use parity_scale_codec::Encode;
use serde::{Deserialize, Serialize};
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::crypto::{ProofOp, ProofOps};

use crate::app::{Application, BlockPlace, ProposalLimits, TxOutcome};
use crate::chain::{Chain, ChainConfig};
use crate::error::{ChainError, TxError};
use crate::types::{Address, ReceiptStatus, SignedTransaction};

/// Result codes of `CheckTx`, `FinalizeBlock`'s `ExecTxResult` and `Query` (0 is success
/// in ABCI; the rest are Metron's, codespace `metron`).
pub mod code {
    /// Success.
    pub const OK: u32 = 0;
    /// The bytes are not a transaction.
    pub const DECODE: u32 = 1;
    /// Invalid: signature, chain id, size, gas limit or price.
    pub const INVALID: u32 = 2;
    /// The nonce is not the sender's next.
    pub const BAD_NONCE: u32 = 3;
    /// The sender cannot pay the gas limit times the price plus the value.
    pub const INSUFFICIENT_BALANCE: u32 = 4;
    /// Executed, and the contract failed (trap, revert, out of gas...): fee paid.
    pub const EXECUTION_FAILED: u32 = 5;
    /// Not executed: invalid against the state before it (a faulty proposer's block).
    pub const SKIPPED: u32 = 6;
    /// A query for an unknown path or with malformed arguments.
    pub const BAD_QUERY: u32 = 7;
    /// The node failed (storage); the request can be retried.
    pub const INTERNAL: u32 = 8;
    /// No chain yet: `InitChain` has not run.
    pub const NOT_INITIALIZED: u32 = 9;
}

/// The genesis app state of a Metron network: the `app_state` of CometBFT's
/// `genesis.json`, which CometBFT passes to `InitChain` as `app_state_bytes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AbciGenesis {
    /// The chain id transactions carry (a number; CometBFT's `chain_id` is a separate
    /// string).
    pub chain_id: u64,
    /// Funded accounts.
    pub accounts: Vec<GenesisAccount>,
    /// Maximum gas of a block (default: the devnet's).
    #[serde(default = "default_block_gas_limit")]
    pub block_gas_limit: u64,
}

/// One funded account of [`AbciGenesis`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// The address (the ed25519 public key), 0x hex.
    pub address: String,
    /// Balance in base units, a decimal string (u128).
    pub balance: String,
}

fn default_block_gas_limit() -> u64 {
    crate::dev::DEFAULT_BLOCK_GAS_LIMIT
}

/// Name of the file in the data dir that keeps the genesis app state after `InitChain`,
/// so that a restarted process opens the same chain.
pub const GENESIS_FILE: &str = "abci-genesis.json";

impl AbciGenesis {
    /// The chain configuration for this genesis in `data_dir`.
    ///
    /// # Errors
    /// A malformed address or balance.
    pub fn chain_config(&self, data_dir: &Path) -> Result<ChainConfig, String> {
        let mut config = ChainConfig::dev(data_dir);
        config.chain_id = self.chain_id;
        config.block_gas_limit = self.block_gas_limit;
        config.genesis_accounts = self
            .accounts
            .iter()
            .map(|a| {
                let address: Address = hex::decode(a.address.trim_start_matches("0x"))
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| {
                        format!("genesis address {:?} is not 32 bytes of hex", a.address)
                    })?;
                let balance: u128 = a
                    .balance
                    .parse()
                    .map_err(|e| format!("genesis balance {:?}: {e}", a.balance))?;
                Ok((address, balance))
            })
            .collect::<Result<_, String>>()?;
        Ok(config)
    }
}

/// What a sender has pending in the check state since the last commit.
#[derive(Clone, Copy, Debug, Default)]
struct Pending {
    next_nonce: u64,
    spent: u128,
}

struct Inner {
    data_dir: PathBuf,
    /// How blocks are synced (node policy).
    durability: crate::state::Durability,
    /// Lowest gas price `CheckTx` admits (node policy).
    min_gas_price: Option<u128>,
    chain: Option<Arc<Chain>>,
    /// The check state: per sender, its next nonce and what its checked transactions can
    /// spend at most. Cleared on commit (CometBFT then re-checks its mempool).
    check: std::collections::BTreeMap<Address, Pending>,
}

/// The ABCI application over one data dir; see the module docs. Cloned per connection.
#[derive(Clone)]
pub struct AbciApp {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for AbciApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AbciApp").finish_non_exhaustive()
    }
}

/// Milliseconds since the Unix epoch of a consensus header time; `None` before 1970 or
/// past `u64`.
fn time_ms(t: Option<&tendermint_proto::google::protobuf::Timestamp>) -> Option<u64> {
    let t = t?;
    let secs = u64::try_from(t.seconds).ok()?;
    let nanos = u64::try_from(t.nanos).ok()?;
    secs.checked_mul(1000)?.checked_add(nanos / 1_000_000)
}

fn place(
    height: i64,
    time: Option<&tendermint_proto::google::protobuf::Timestamp>,
) -> Option<BlockPlace> {
    Some(BlockPlace {
        height: u64::try_from(height).ok()?,
        timestamp: time_ms(time)?,
    })
}

fn tx_code(e: &TxError) -> u32 {
    match e {
        TxError::Decode(_) => code::DECODE,
        TxError::BadNonce { .. } => code::BAD_NONCE,
        TxError::InsufficientBalance { .. } | TxError::CostOverflow => code::INSUFFICIENT_BALANCE,
        TxError::Chain(_) => code::INTERNAL,
        _ => code::INVALID,
    }
}

fn events_of(receipt: &crate::types::Receipt) -> Vec<pb::Event> {
    receipt
        .events
        .iter()
        .map(|e| pb::Event {
            r#type: "metron.event".into(),
            attributes: vec![
                pb::EventAttribute {
                    key: "contract".into(),
                    value: format!("0x{}", hex::encode(e.contract)),
                    index: true,
                },
                pb::EventAttribute {
                    key: "topic".into(),
                    value: format!("0x{}", hex::encode(&e.topic)),
                    index: true,
                },
                pb::EventAttribute {
                    key: "data".into(),
                    value: format!("0x{}", hex::encode(&e.data)),
                    index: false,
                },
            ],
        })
        .collect()
}

impl AbciApp {
    /// The application over `data_dir`: opens the chain there if a previous `InitChain`
    /// saved its genesis ([`GENESIS_FILE`]), else waits for `InitChain`.
    /// `min_gas_price` overrides the devnet default for `CheckTx` (policy).
    ///
    /// # Errors
    /// A saved genesis that does not parse, or a chain that does not open (another
    /// process holds the data dir, a mismatched genesis).
    pub fn open(
        data_dir: &Path,
        durability: crate::state::Durability,
        min_gas_price: Option<u128>,
    ) -> Result<AbciApp, ChainError> {
        let mut inner = Inner {
            data_dir: data_dir.to_path_buf(),
            durability,
            min_gas_price,
            chain: None,
            check: Default::default(),
        };
        let saved = data_dir.join(GENESIS_FILE);
        if saved.exists() {
            let bytes = std::fs::read(&saved)
                .map_err(|e| ChainError::Db(format!("cannot read {}: {e}", saved.display())))?;
            let genesis: AbciGenesis = serde_json::from_slice(&bytes)
                .map_err(|e| ChainError::InvalidGenesis(format!("{}: {e}", saved.display())))?;
            inner.chain = Some(Arc::new(inner.open_chain(&genesis)?));
        }
        Ok(AbciApp {
            inner: Arc::new(Mutex::new(inner)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The chain, once `InitChain` ran (for the JSON-RPC node beside it, and tests).
    pub fn chain(&self) -> Option<Arc<Chain>> {
        self.lock().chain.clone()
    }
}

impl Inner {
    fn open_chain(&self, genesis: &AbciGenesis) -> Result<Chain, ChainError> {
        let mut config = genesis
            .chain_config(&self.data_dir)
            .map_err(ChainError::InvalidGenesis)?;
        config.durability = self.durability;
        if let Some(p) = self.min_gas_price {
            config.min_gas_price = p;
        }
        Chain::open(config)
    }

    fn init_chain(&mut self, req: pb::RequestInitChain) -> Result<pb::ResponseInitChain, String> {
        let genesis: AbciGenesis = serde_json::from_slice(&req.app_state_bytes)
            .map_err(|e| format!("the genesis app state is not Metron's: {e}"))?;
        if req.initial_height > 1 {
            return Err(format!(
                "initial height {} is not supported: Metron's first block is height 1",
                req.initial_height
            ));
        }
        let chain = match &self.chain {
            Some(c) => Arc::clone(c),
            None => {
                std::fs::create_dir_all(&self.data_dir).map_err(|e| e.to_string())?;
                let chain = self.open_chain(&genesis).map_err(|e| e.to_string())?;
                // Saved after the chain opened: a restart opens the same chain.
                let saved = self.data_dir.join(GENESIS_FILE);
                let json = serde_json::to_vec_pretty(&genesis).map_err(|e| e.to_string())?;
                std::fs::write(&saved, json)
                    .map_err(|e| format!("cannot write {}: {e}", saved.display()))?;
                let chain = Arc::new(chain);
                self.chain = Some(Arc::clone(&chain));
                chain
            }
        };
        Ok(pb::ResponseInitChain {
            consensus_params: None,
            validators: Vec::new(),
            app_hash: chain.info().app_hash.to_vec().into(),
        })
    }

    fn check_tx(&mut self, bytes: &[u8]) -> pb::ResponseCheckTx {
        let fail = |code: u32, log: String| pb::ResponseCheckTx {
            code,
            log,
            codespace: "metron".into(),
            ..Default::default()
        };
        let Some(chain) = self.chain.clone() else {
            return fail(code::NOT_INITIALIZED, "no chain yet (InitChain)".into());
        };
        let stx = match SignedTransaction::decode_bytes(bytes) {
            Ok(s) => s,
            Err(e) => return fail(code::DECODE, e.to_string()),
        };
        let account = match chain.account(&stx.from, None) {
            Ok(a) => a,
            Err(e) => return fail(code::INTERNAL, e.to_string()),
        };
        let pending = self.check.get(&stx.from).copied().unwrap_or(Pending {
            next_nonce: account.nonce,
            spent: 0,
        });
        let available = account.balance.saturating_sub(pending.spent);
        match chain.check_tx_against(&stx, pending.next_nonce, available) {
            Ok(cost) => {
                self.check.insert(
                    stx.from,
                    Pending {
                        next_nonce: pending.next_nonce.saturating_add(1),
                        spent: pending.spent.saturating_add(cost),
                    },
                );
                pb::ResponseCheckTx {
                    code: code::OK,
                    gas_wanted: i64::try_from(stx.tx.gas_limit).unwrap_or(i64::MAX),
                    ..Default::default()
                }
            }
            Err(e) => fail(tx_code(&e), e.to_string()),
        }
    }

    fn query(&self, req: &pb::RequestQuery) -> pb::ResponseQuery {
        let fail = |code: u32, log: String| pb::ResponseQuery {
            code,
            log,
            codespace: "metron".into(),
            ..Default::default()
        };
        let Some(chain) = &self.chain else {
            return fail(code::NOT_INITIALIZED, "no chain yet (InitChain)".into());
        };
        let at = match req.height {
            0 => None,
            h => match u64::try_from(h) {
                Ok(h) => Some(h),
                Err(_) => return fail(code::BAD_QUERY, format!("height {h} is negative")),
            },
        };
        match answer_query(chain, &req.path, &req.data, at, req.prove) {
            Ok(mut r) => {
                r.height =
                    i64::try_from(at.unwrap_or_else(|| chain.head_height())).unwrap_or(i64::MAX);
                r
            }
            Err(QueryError::Bad(m)) => fail(code::BAD_QUERY, m),
            Err(QueryError::Chain(e @ ChainError::InvalidCall(_))) => {
                fail(code::BAD_QUERY, e.to_string())
            }
            Err(QueryError::Chain(e)) => fail(code::INTERNAL, e.to_string()),
        }
    }
}

enum QueryError {
    Bad(String),
    Chain(ChainError),
}

impl From<ChainError> for QueryError {
    fn from(e: ChainError) -> Self {
        QueryError::Chain(e)
    }
}

/// A dry-run call request for `Query` path `/call` (JSON in `data`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueryCall {
    /// Caller address, 0x hex (default: zero).
    #[serde(default)]
    pub from: Option<String>,
    /// Contract address, 0x hex.
    pub contract: String,
    /// Method name.
    pub method: String,
    /// Input bytes, 0x hex (default: empty).
    #[serde(default)]
    pub input: Option<String>,
    /// Gas limit (default 50 000 000).
    #[serde(default)]
    pub gas_limit: Option<u64>,
}

fn address(s: &str) -> Result<Address, QueryError> {
    hex::decode(s.trim_start_matches("0x"))
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| QueryError::Bad(format!("{s:?} is not a 32-byte 0x address")))
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, QueryError> {
    hex::decode(s.trim_start_matches("0x")).map_err(|e| QueryError::Bad(format!("{s:?}: {e}")))
}

fn answer_query(
    chain: &Chain,
    path: &str,
    data: &[u8],
    at: Option<u64>,
    prove: bool,
) -> Result<pb::ResponseQuery, QueryError> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let ok = |key: Vec<u8>, value: Vec<u8>| pb::ResponseQuery {
        code: code::OK,
        key: key.into(),
        value: value.into(),
        ..Default::default()
    };
    let proof = |addr: &Address, key: Option<&[u8]>| -> Result<Option<ProofOps>, QueryError> {
        if !prove {
            return Ok(None);
        }
        let p = chain.prove(addr, key, at)?;
        Ok(Some(ProofOps {
            ops: vec![ProofOp {
                r#type: "metron.jmt.keccak256".into(),
                key: p.key_hash.to_vec(),
                data: p.proof_bytes(),
            }],
        }))
    };
    match parts.as_slice() {
        ["balance", a] => {
            let addr = address(a)?;
            let mut r = ok(addr.to_vec(), chain.balance(&addr, at)?.to_string().into_bytes());
            r.proof_ops = proof(&addr, None)?;
            Ok(r)
        }
        ["nonce", a] => {
            let addr = address(a)?;
            let mut r = ok(addr.to_vec(), chain.nonce(&addr, at)?.to_string().into_bytes());
            r.proof_ops = proof(&addr, None)?;
            Ok(r)
        }
        ["code", a] => {
            let addr = address(a)?;
            let mut r = ok(addr.to_vec(), chain.code(&addr, at)?.unwrap_or_default());
            r.proof_ops = proof(&addr, None)?;
            Ok(r)
        }
        ["storage", a, k] => {
            let addr = address(a)?;
            let key = hex_bytes(k)?;
            let value = chain.storage(&addr, &key, at)?;
            let mut r = ok(key.clone(), value.unwrap_or_default());
            r.proof_ops = proof(&addr, Some(&key))?;
            Ok(r)
        }
        ["call"] => {
            let q: QueryCall = serde_json::from_slice(data)
                .map_err(|e| QueryError::Bad(format!("/call takes a JSON call request: {e}")))?;
            let from = match &q.from {
                Some(f) => address(f)?,
                None => [0; 32],
            };
            let input = match &q.input {
                Some(i) => hex_bytes(i)?,
                None => Vec::new(),
            };
            let gas = q.gas_limit.unwrap_or(crate::service::DEFAULT_DRY_RUN_GAS_CAP);
            let r = chain.dry_run_call_at(at, from, address(&q.contract)?, &q.method, input, 0, gas)?;
            let mut resp = ok(Vec::new(), r.return_data.clone());
            resp.info = format!("{:?}", r.status);
            if r.status != ReceiptStatus::Success {
                resp.code = code::EXECUTION_FAILED;
                resp.log = r.error.unwrap_or_default();
            }
            Ok(resp)
        }
        _ => Err(QueryError::Bad(format!(
            "unknown query path {path:?} (/balance/ADDR, /nonce/ADDR, /code/ADDR, /storage/ADDR/KEY, /call)"
        ))),
    }
}

impl tendermint_abci::Application for AbciApp {
    fn info(&self, _request: pb::RequestInfo) -> pb::ResponseInfo {
        let inner = self.lock();
        let (height, app_hash) = match &inner.chain {
            // Height 0 with an empty app hash: CometBFT calls InitChain.
            None => (0, Vec::new()),
            Some(c) => {
                let i = c.info();
                (
                    i.last_height,
                    if i.last_height == 0 {
                        Vec::new()
                    } else {
                        i.app_hash.to_vec()
                    },
                )
            }
        };
        pb::ResponseInfo {
            data: "metron".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            app_version: 1,
            last_block_height: i64::try_from(height).unwrap_or(i64::MAX),
            last_block_app_hash: app_hash.into(),
        }
    }

    fn init_chain(&self, request: pb::RequestInitChain) -> pb::ResponseInitChain {
        match self.lock().init_chain(request) {
            Ok(r) => r,
            Err(e) => {
                // CometBFT stops on an InitChain it cannot use; the empty app hash makes
                // its genesis check fail with this log beside it.
                tracing::error!("InitChain: {e}");
                pb::ResponseInitChain::default()
            }
        }
    }

    fn query(&self, request: pb::RequestQuery) -> pb::ResponseQuery {
        self.lock().query(&request)
    }

    fn check_tx(&self, request: pb::RequestCheckTx) -> pb::ResponseCheckTx {
        self.lock().check_tx(&request.tx)
    }

    fn commit(&self) -> pb::ResponseCommit {
        let mut inner = self.lock();
        inner.check.clear();
        if let Some(chain) = &inner.chain {
            if let Err(e) = chain.commit() {
                // Nothing was written; CometBFT would otherwise go on with an app hash
                // this node does not have. Stop, and let the Info handshake replay.
                tracing::error!("Commit failed: {e}; stopping");
                std::process::exit(1);
            }
        }
        pb::ResponseCommit { retain_height: 0 }
    }

    fn prepare_proposal(&self, request: pb::RequestPrepareProposal) -> pb::ResponsePrepareProposal {
        let inner = self.lock();
        let (Some(chain), Some(place)) =
            (&inner.chain, place(request.height, request.time.as_ref()))
        else {
            return pb::ResponsePrepareProposal { txs: Vec::new() };
        };
        let candidates: Vec<SignedTransaction> = request
            .txs
            .iter()
            .filter_map(|b| SignedTransaction::decode_bytes(b).ok())
            .collect();
        let limits = ProposalLimits {
            max_tx_bytes: u64::try_from(request.max_tx_bytes).unwrap_or(0),
        };
        match chain.prepare_proposal(place, candidates, limits) {
            Ok(txs) => pb::ResponsePrepareProposal {
                txs: txs.iter().map(|t| t.encode().into()).collect(),
            },
            Err(e) => {
                tracing::error!("PrepareProposal: {e}");
                pb::ResponsePrepareProposal { txs: Vec::new() }
            }
        }
    }

    fn process_proposal(&self, request: pb::RequestProcessProposal) -> pb::ResponseProcessProposal {
        use pb::response_process_proposal::ProposalStatus;
        let inner = self.lock();
        let verdict = match (&inner.chain, place(request.height, request.time.as_ref())) {
            (Some(chain), Some(place)) => {
                let txs: Vec<Vec<u8>> = request.txs.iter().map(|b| b.to_vec()).collect();
                match chain.process_proposal(place, &txs) {
                    Ok(Ok(())) => ProposalStatus::Accept,
                    Ok(Err(e)) => {
                        tracing::warn!("ProcessProposal rejects height {}: {e}", request.height);
                        ProposalStatus::Reject
                    }
                    Err(e) => {
                        tracing::error!("ProcessProposal: {e}");
                        ProposalStatus::Reject
                    }
                }
            }
            _ => ProposalStatus::Reject,
        };
        pb::ResponseProcessProposal {
            status: verdict as i32,
        }
    }

    fn finalize_block(&self, request: pb::RequestFinalizeBlock) -> pb::ResponseFinalizeBlock {
        let inner = self.lock();
        let result = match (&inner.chain, place(request.height, request.time.as_ref())) {
            (Some(chain), Some(place)) => {
                let txs: Vec<Vec<u8>> = request.txs.iter().map(|b| b.to_vec()).collect();
                chain.finalize_block(place, &txs)
            }
            (None, _) => Err(ChainError::InvalidCall("no chain yet (InitChain)".into())),
            (_, None) => Err(ChainError::InvalidCall("block time before 1970".into())),
        };
        let finalized = match result {
            Ok(f) => f,
            Err(e) => {
                // A decided block this node cannot execute: its state would diverge.
                tracing::error!(
                    "FinalizeBlock at height {} failed: {e}; stopping",
                    request.height
                );
                std::process::exit(1);
            }
        };
        let tx_results = finalized
            .outcomes
            .iter()
            .zip(&request.txs)
            .map(|(o, bytes)| {
                let wanted = SignedTransaction::decode_bytes(bytes)
                    .map(|s| i64::try_from(s.tx.gas_limit).unwrap_or(i64::MAX))
                    .unwrap_or(0);
                match o {
                    TxOutcome::Executed(r) => pb::ExecTxResult {
                        code: if r.status == ReceiptStatus::Success {
                            code::OK
                        } else {
                            code::EXECUTION_FAILED
                        },
                        data: r.return_data.clone().into(),
                        log: r.error.clone().unwrap_or_default(),
                        info: format!("{:?}", r.status),
                        gas_wanted: wanted,
                        gas_used: i64::try_from(r.gas_used).unwrap_or(i64::MAX),
                        events: events_of(r),
                        codespace: "metron".into(),
                    },
                    TxOutcome::Skipped(e) => pb::ExecTxResult {
                        code: code::SKIPPED,
                        log: e.to_string(),
                        gas_wanted: wanted,
                        codespace: "metron".into(),
                        ..Default::default()
                    },
                    TxOutcome::Undecodable(e) => pb::ExecTxResult {
                        code: code::DECODE,
                        log: e.clone(),
                        codespace: "metron".into(),
                        ..Default::default()
                    },
                }
            })
            .collect();
        pb::ResponseFinalizeBlock {
            events: Vec::new(),
            tx_results,
            validator_updates: Vec::new(),
            consensus_param_updates: None,
            app_hash: finalized.header.state_root.to_vec().into(),
        }
    }
}

/// Serves `app` over ABCI on `addr` (`host:port`) until the process ends.
///
/// # Errors
/// The address cannot be bound.
pub fn serve(app: AbciApp, addr: &str) -> Result<(), String> {
    let server = tendermint_abci::ServerBuilder::default()
        .bind(addr, app)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("ABCI listening on {}", server.local_addr());
    server.listen().map_err(|e| e.to_string())
}
