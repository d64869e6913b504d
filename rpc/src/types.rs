//! JSON wire types of the Metron RPC API.
//!
//! These mirror the node's SCALE types (`metron_node::types`) but are encoded for people
//! and JavaScript: byte strings as `0x` hex, `u128` amounts as decimal strings, `u64`
//! as JSON numbers. The node converts its types into these; this crate never depends on
//! the node.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::hex_serde;

/// Arbitrary bytes, encoded as a `0x`-prefixed hex string (`"0x"` when empty).
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_serde::encode(&self.0))
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_serde::encode(&self.0))
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl FromStr for Bytes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        hex_serde::decode(s).map(Bytes)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex_serde::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        hex_serde::decode(&s).map(Bytes).map_err(de::Error::custom)
    }
}

/// A 32-byte value: an address (ed25519 public key or contract address) or a
/// keccak-256 hash. Encoded as `0x` followed by exactly 64 hex digits.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct H256(pub [u8; 32]);

impl fmt::Debug for H256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_serde::encode(&self.0))
    }
}

impl fmt::Display for H256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex_serde::encode(&self.0))
    }
}

impl From<[u8; 32]> for H256 {
    fn from(v: [u8; 32]) -> Self {
        H256(v)
    }
}

impl From<H256> for [u8; 32] {
    fn from(v: H256) -> Self {
        v.0
    }
}

impl FromStr for H256 {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        hex_serde::decode_fixed::<32>(s).map(H256)
    }
}

impl Serialize for H256 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex_serde::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for H256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// A `u128` amount. Serialized as a decimal string; deserialized from a decimal string,
/// a `0x` hex string or a (non-negative integer) JSON number.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct U128(pub u128);

impl fmt::Debug for U128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for U128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u128> for U128 {
    fn from(v: u128) -> Self {
        U128(v)
    }
}

impl FromStr for U128 {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parsed = if let Some(h) = s.strip_prefix("0x") {
            u128::from_str_radix(h, 16)
        } else {
            s.parse::<u128>()
        };
        parsed
            .map(U128)
            .map_err(|e| format!("invalid u128 amount {s:?}: {e}"))
    }
}

impl Serialize for U128 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for U128 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(n) => Ok(U128(u128::from(n))),
            Raw::Str(s) => s.parse().map_err(de::Error::custom),
        }
    }
}

/// Selects a block: by height (JSON number), by hash (`"0x"` + 64 hex digits) or the
/// head (`"latest"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockId {
    /// Block at this height (genesis is 0).
    Number(u64),
    /// Block with this header hash.
    Hash(H256),
    /// The current head.
    Latest,
}

impl From<u64> for BlockId {
    fn from(n: u64) -> Self {
        BlockId::Number(n)
    }
}

impl From<H256> for BlockId {
    fn from(h: H256) -> Self {
        BlockId::Hash(h)
    }
}

impl FromStr for BlockId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "latest" {
            Ok(BlockId::Latest)
        } else if s.starts_with("0x") && s.len() == 66 {
            s.parse().map(BlockId::Hash)
        } else if let Ok(n) = s.parse::<u64>() {
            Ok(BlockId::Number(n))
        } else {
            Err(format!(
                "invalid block id {s:?}: expected a height, a 0x-prefixed 32-byte hash or \"latest\""
            ))
        }
    }
}

impl Serialize for BlockId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            BlockId::Number(n) => s.serialize_u64(*n),
            BlockId::Hash(h) => h.serialize(s),
            BlockId::Latest => s.serialize_str("latest"),
        }
    }
}

impl<'de> Deserialize<'de> for BlockId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(n) => Ok(BlockId::Number(n)),
            Raw::Str(s) => s.parse().map_err(de::Error::custom),
        }
    }
}

/// A block header plus its hash (`keccak256(SCALE(header))`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockHeader {
    /// Hash of this header.
    pub hash: H256,
    /// Hash of the parent header (zero for genesis).
    pub parent_hash: H256,
    /// Height (genesis is 0).
    pub height: u64,
    /// Timestamp in milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// State trie root after this block.
    pub state_root: H256,
    /// Root over the block's transactions.
    pub transactions_root: H256,
    /// Root over the block's receipts.
    pub receipts_root: H256,
}

/// A block: header and full transactions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    /// The header, with its hash.
    pub header: BlockHeader,
    /// Transactions in execution order.
    pub transactions: Vec<Transaction>,
}

/// A signed transaction as included in a block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Transaction hash (`keccak256(SCALE(SignedTransaction))`).
    pub hash: H256,
    /// Sender address (ed25519 public key).
    pub from: H256,
    /// Chain id the transaction was signed for.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// Gas limit in gas units.
    pub gas_limit: u64,
    /// Price per gas unit, in base units.
    pub gas_price: U128,
    /// What the transaction does.
    pub action: Action,
    /// ed25519 signature (64 bytes).
    pub signature: Bytes,
}

/// The action of a transaction. JSON: an object with a `"type"` tag
/// (`"deploy"`, `"call"` or `"transfer"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    /// Deploy a contract.
    #[serde(rename_all = "camelCase")]
    Deploy {
        /// Wasm code.
        code: Bytes,
        /// Input passed to the contract's `init` export.
        init_input: Bytes,
    },
    /// Call a contract method.
    #[serde(rename_all = "camelCase")]
    Call {
        /// Contract address.
        contract: H256,
        /// Exported method name.
        method: String,
        /// Call input bytes.
        input: Bytes,
        /// Value transferred to the contract, in base units.
        value: U128,
    },
    /// Plain value transfer.
    #[serde(rename_all = "camelCase")]
    Transfer {
        /// Recipient.
        to: H256,
        /// Amount in base units.
        amount: U128,
    },
}

/// Outcome class of an execution. Only this class (plus gas, writes, events and return
/// data) is consensus; messages are for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecStatus {
    /// Executed to completion; effects committed.
    Success,
    /// The Wasm code trapped (see the `trap` field for the kind); effects reverted.
    Trapped,
    /// Gas ran out; effects reverted, `gasUsed == gasLimit`.
    OutOfGas,
    /// Deployed code was rejected (malformed, unsupported feature, limits, unknown import).
    InvalidCode,
    /// The called method is not an exported `() -> ()` function, or is a reserved `init*`.
    MethodNotFound,
    /// The called address holds no code.
    NotAContract,
    /// A deploy targeted an address that already holds code.
    AddressCollision,
    /// The contract reverted with data (in `returnData`); effects reverted.
    Reverted,
    /// Any other failure class the node reports (see `error`); effects reverted.
    #[serde(other)]
    Failed,
}

impl ExecStatus {
    /// True for [`ExecStatus::Success`].
    pub fn is_success(self) -> bool {
        matches!(self, ExecStatus::Success)
    }
}

/// An event emitted by a contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Emitting contract.
    pub contract: H256,
    /// Topic bytes (often UTF-8, e.g. `"Transfer"`).
    pub topic: Bytes,
    /// Event data.
    pub data: Bytes,
}

/// Parameters of `chain_getLogs` and `chain_subscribeLogs`: which events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFilter {
    /// First block height (inclusive); default the head. Ignored by `chain_subscribeLogs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_block: Option<u64>,
    /// Last block height (inclusive); default the head. Ignored by `chain_subscribeLogs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_block: Option<u64>,
    /// Only events emitted by this contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<H256>,
    /// Only events with one of these topics (exact bytes); absent or empty: any topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<Bytes>>,
}

/// An event with where it was emitted (`chain_getLogs`, `chain_log` notifications).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    /// Height of the block.
    pub block_height: u64,
    /// Hash of the block.
    pub block_hash: H256,
    /// Hash of the transaction.
    pub tx_hash: H256,
    /// Index of the transaction in its block.
    pub tx_index: u32,
    /// Index of the event in the transaction's receipt (`events`).
    pub log_index: u32,
    /// Emitting contract.
    pub contract: H256,
    /// Topic bytes.
    pub topic: Bytes,
    /// Event data.
    pub data: Bytes,
}

/// Receipt of an included transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Transaction hash.
    pub tx_hash: H256,
    /// Height of the including block.
    pub block_height: u64,
    /// Index of the transaction in its block.
    pub index: u32,
    /// Outcome class.
    pub status: ExecStatus,
    /// Trap kind in snake_case (e.g. `"call_stack_exhausted"`) when `status` is `trapped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    /// Gas used, in gas units (`== gasLimit` on out of gas).
    pub gas_used: u64,
    /// Fee charged, in base units (`gasUsed * gasPrice`).
    pub fee: U128,
    /// Return data set by the contract.
    pub return_data: Bytes,
    /// Events (empty unless `status` is `success`).
    pub events: Vec<Event>,
    /// Address of the deployed contract, for a successful deploy.
    #[serde(default)]
    pub contract_address: Option<H256>,
    /// Human-readable error (not part of consensus).
    #[serde(default)]
    pub error: Option<String>,
}

/// Parameters of `contract_call` (a read-only dry run at head).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRequest {
    /// Caller address seen by the contract; zero address when omitted.
    #[serde(default)]
    pub from: Option<H256>,
    /// Contract address.
    pub contract: H256,
    /// Exported method name.
    pub method: String,
    /// Input bytes (default empty).
    #[serde(default)]
    pub input: Bytes,
    /// Value seen by the contract (default 0).
    #[serde(default)]
    pub value: Option<U128>,
    /// Gas limit (default: the node's block gas limit).
    #[serde(default)]
    pub gas_limit: Option<u64>,
    /// Run on the state after the block at this height, in the context of the block
    /// after it (its height and, if it exists, its timestamp). Default: the head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
}

/// Result of `contract_call`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallResult {
    /// Outcome class.
    pub status: ExecStatus,
    /// Trap kind in snake_case when `status` is `trapped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    /// Gas used, in gas units.
    pub gas_used: u64,
    /// Return data.
    pub return_data: Bytes,
    /// Events the call would emit.
    pub events: Vec<Event>,
    /// Human-readable error, if any.
    #[serde(default)]
    pub error: Option<String>,
}

/// A prefunded development account (devnet only; the secret key is public knowledge).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevAccount {
    /// Index (0-based) in the well-known dev key sequence.
    pub index: u32,
    /// Address (ed25519 public key).
    pub address: H256,
    /// ed25519 secret key (32-byte seed).
    pub secret_key: H256,
}

/// Options of `tx_submit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitOptions {
    /// Answer once a block includes the transaction (default), or at once.
    #[serde(default = "yes")]
    pub wait: bool,
}

fn yes() -> bool {
    true
}

/// When the devnet seals blocks (`dev_miningMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum MiningMode {
    /// Each transaction in a block of its own as it arrives (instant seal).
    Auto,
    /// A block every `ms` milliseconds.
    Interval {
        /// The interval in milliseconds.
        ms: u64,
    },
    /// Only on `dev_mine`.
    Manual,
}

/// What `contract_trace` traces: an included transaction, or a dry-run call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TraceTarget {
    /// An included transaction, re-executed on the state before it.
    TxHash(H256),
    /// A dry run, as `contract_call`.
    Call(CallRequest),
}

/// Result of `contract_trace`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// Outcome class of the whole transaction or call.
    pub status: ExecStatus,
    /// Gas used in all (the intrinsic gas included).
    pub gas_used: u64,
    /// The intrinsic gas (paid before any frame).
    pub intrinsic_gas: u64,
    /// The outermost frame; `null` for a transfer.
    pub frame: Option<TraceFrame>,
}

/// One contract execution in a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceFrame {
    /// `"deploy"`, `"call"` or `"instantiate"`.
    pub kind: String,
    /// The contract executed.
    pub contract: H256,
    /// The method (`init` for deploys and instantiations).
    pub method: String,
    /// Gas it was given.
    pub gas_limit: u64,
    /// Gas it used, everything below it included.
    pub gas_used: u64,
    /// Gas of its own Wasm execution and code load: `gasUsed` less its host calls and
    /// nested frames.
    pub wasm_gas: u64,
    /// Its outcome.
    pub status: ExecStatus,
    /// Trap kind in snake_case when `status` is `trapped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<String>,
    /// The error text of a failed frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Its host calls, in order.
    pub host_calls: Vec<TraceHostCall>,
    /// The frames it called, in order.
    pub calls: Vec<TraceFrame>,
    /// The part of `wasmGas` outside its functions: the code load, instantiation and
    /// start function, and the checks before the method ran.
    #[serde(default)]
    pub load_gas: u64,
    /// Its Wasm functions' gas by call path: a call tree, each entry's `parent` an
    /// earlier entry (absent for the invoked method). The entries' `gas` plus `loadGas`
    /// is `wasmGas`.
    #[serde(default)]
    pub functions: Vec<TraceFunction>,
    /// The entry of `functions` that was running when the frame trapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap_function: Option<u32>,
}

/// One call path of a [`TraceFrame`]'s Wasm functions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceFunction {
    /// The caller's entry in `functions` (absent for the invoked method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// Function index in the module (imports first).
    pub index: u32,
    /// From the module's name section, else an export name, else `func[N]`.
    pub name: String,
    /// Calls along this path.
    pub calls: u64,
    /// Gas units the function charged itself on this path (its callees and host calls
    /// not included).
    pub gas: u64,
    /// Gas units of the host calls it made on this path (nested frames included).
    pub host_gas: u64,
}

/// One host call in a [`TraceFrame`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceHostCall {
    /// Host function name.
    pub name: String,
    /// Gas it charged itself (without a nested frame's).
    pub gas: u64,
    /// The storage key, for the storage functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Bytes>,
    /// Nested frames begun before it.
    pub children_before: u32,
    /// The entry of the frame's `functions` that made it (absent for a call made while
    /// instantiating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<u32>,
}

/// Parameters of `tx_estimateGas`: who would send what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateRequest {
    /// Sender.
    pub from: H256,
    /// The transaction's action (`{"type": "deploy" | "call" | "transfer", ...}`).
    pub action: Action,
    /// Highest gas limit to try (default and ceiling: the node's dry-run gas cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas_cap: Option<u64>,
}

/// Result of `tx_estimateGas`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GasEstimate {
    /// The least gas limit with which the transaction succeeds on the head state.
    pub gas_limit: u64,
    /// Gas it uses with that limit.
    pub gas_used: u64,
    /// Executions the search took.
    pub executions: u32,
}

/// `chain_getTransaction`: an included transaction and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionInfo {
    /// The transaction.
    pub transaction: Transaction,
    /// Height of the block that includes it.
    pub block_height: u64,
    /// Hash of that block.
    pub block_hash: H256,
    /// Its index in the block.
    pub index: u32,
}

/// A value with its Merkle proof against a state root (`state_getProof`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenValue {
    /// The trie key: `keccak256("acct" ++ address)` for an account,
    /// `keccak256("stor" ++ address ++ key)` for a storage slot.
    pub key_hash: H256,
    /// The value: SCALE(`Account`) for an account, the raw bytes for a storage slot;
    /// `null` if absent (the proof then proves absence).
    pub value: Option<Bytes>,
    /// borsh encoding of the jmt 0.12 `SparseMerkleProof<Keccak256>`.
    pub proof: Bytes,
}

/// A proven storage slot (`state_getProof`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageProof {
    /// The storage key as asked.
    pub key: Bytes,
    /// Its value and proof.
    #[serde(flatten)]
    pub proven: ProvenValue,
}

/// `state_getProof`: an account and some of its storage, proven against the state root
/// of the block at `height`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateProof {
    /// Height of the block whose state root the proofs are against.
    pub height: u64,
    /// That block's state root (equal to its header's `stateRoot`).
    pub state_root: H256,
    /// The account (SCALE(`Account`): balance u128, nonce u64, code hash Option<[u8; 32]>).
    pub account: ProvenValue,
    /// The storage slots asked for, in the order asked.
    pub storage: Vec<StorageProof>,
}

/// A state file written by `dev_dumpState` or read by `dev_loadState` (format:
/// `docs/rpc.md`, "State files").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateFileInfo {
    /// The file, as the node resolved it (`<data dir>/states/<name>`).
    pub path: String,
    /// `dev_dumpState`: the height whose state was written. `dev_loadState`: the head
    /// height after loading (the last block the load sealed).
    pub height: u64,
    /// The state root recorded in the file (after a load, also the head's).
    pub state_root: H256,
    /// Trie entries (accounts and storage slots) in the file.
    pub entries: u64,
    /// Contract codes in the file.
    pub codes: u64,
    /// Size of the file in bytes.
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn u128_is_decimal_string() {
        let v = U128(u128::MAX);
        let s = serde_json::to_value(v).unwrap();
        assert_eq!(s, json!("340282366920938463463374607431768211455"));
        assert_eq!(serde_json::from_value::<U128>(s).unwrap(), v);
        assert_eq!(serde_json::from_value::<U128>(json!(7)).unwrap(), U128(7));
        assert_eq!(
            serde_json::from_value::<U128>(json!("0x10")).unwrap(),
            U128(16)
        );
        assert!(serde_json::from_value::<U128>(json!("-1")).is_err());
        assert!(serde_json::from_value::<U128>(json!(-1)).is_err());
    }

    #[test]
    fn block_id_accepts_number_hash_latest() {
        assert_eq!(
            serde_json::from_value::<BlockId>(json!(5)).unwrap(),
            BlockId::Number(5)
        );
        let h = format!("0x{}", "ab".repeat(32));
        assert_eq!(
            serde_json::from_value::<BlockId>(json!(h)).unwrap(),
            BlockId::Hash(H256([0xab; 32]))
        );
        assert_eq!(
            serde_json::from_value::<BlockId>(json!("latest")).unwrap(),
            BlockId::Latest
        );
        assert!(serde_json::from_value::<BlockId>(json!("0x12")).is_err());
        assert_eq!(serde_json::to_value(BlockId::Number(3)).unwrap(), json!(3));
    }

    #[test]
    fn h256_requires_32_bytes() {
        assert!(serde_json::from_value::<H256>(json!("0x00")).is_err());
        let h = H256([1; 32]);
        let v = serde_json::to_value(h).unwrap();
        assert_eq!(v, json!(format!("0x{}", "01".repeat(32))));
        assert_eq!(serde_json::from_value::<H256>(v).unwrap(), h);
    }

    #[test]
    fn receipt_shape() {
        let r = Receipt {
            tx_hash: H256([2; 32]),
            block_height: 1,
            index: 0,
            status: ExecStatus::Trapped,
            trap: Some("unreachable".into()),
            gas_used: 10,
            fee: U128(10),
            return_data: Bytes(vec![1]),
            events: vec![],
            contract_address: None,
            error: None,
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["status"], json!("trapped"));
        assert_eq!(v["gasUsed"], json!(10));
        assert_eq!(v["fee"], json!("10"));
        assert_eq!(v["returnData"], json!("0x01"));
        assert_eq!(serde_json::from_value::<Receipt>(v).unwrap(), r);
        // Unknown status classes from newer nodes decode as `failed`.
        assert_eq!(
            serde_json::from_value::<ExecStatus>(json!("something_new")).unwrap(),
            ExecStatus::Failed
        );
    }

    #[test]
    fn call_request_defaults() {
        let c = format!("0x{}", "07".repeat(32));
        let r: CallRequest =
            serde_json::from_value(json!({"contract": c, "method": "get"})).unwrap();
        assert_eq!(r.input, Bytes::default());
        assert_eq!((r.from, r.value, r.gas_limit), (None, None, None));
        assert!(serde_json::from_value::<CallRequest>(json!({"method": "get"})).is_err());
    }

    #[test]
    fn action_is_tagged() {
        let a = Action::Transfer {
            to: H256([0; 32]),
            amount: U128(5),
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["type"], json!("transfer"));
        assert_eq!(v["amount"], json!("5"));
    }
}
