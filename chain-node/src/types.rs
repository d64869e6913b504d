//! Chain data types: transactions, receipts, blocks, their SCALE encoding,
//! hashing and ed25519 signing.
//!
//! Every enum carries explicit `#[codec(index = N)]` tags so that reordering variants in the
//! source can never change an encoding, a hash or a state root.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use parity_scale_codec::{Decode, DecodeAll, Encode};
use sha3::{Digest, Keccak256};

use crate::error::TxError;

/// A 32-byte account address. For users it is the ed25519 public key; for contracts it is
/// [`contract_address`] of the deployer and the deploy transaction's nonce.
pub type Address = [u8; 32];

/// A 32-byte Keccak-256 hash.
pub type Hash = [u8; 32];

/// Domain separator prepended to `SCALE(Transaction)` before signing.
pub const TX_SIGNING_DOMAIN: &[u8] = b"metron-tx-v1";

/// Domain separator of contract address derivation.
pub const CONTRACT_ADDRESS_DOMAIN: &[u8] = b"metron/contract";

/// Keccak-256 of `data`.
pub fn keccak256(data: &[u8]) -> Hash {
    Keccak256::digest(data).into()
}

/// Address of a contract deployed by `deployer` with transaction nonce `nonce`:
/// `keccak256(b"metron/contract" ++ deployer ++ nonce.to_le_bytes())`.
pub fn contract_address(deployer: &Address, nonce: u64) -> Address {
    let mut hasher = Keccak256::new();
    hasher.update(CONTRACT_ADDRESS_DOMAIN);
    hasher.update(deployer);
    hasher.update(nonce.to_le_bytes());
    hasher.finalize().into()
}

/// Domain separator of the addresses of contracts that contracts instantiate.
pub const INSTANCE_ADDRESS_DOMAIN: &[u8] = b"metron/instance";

/// Address of a contract that contract `deployer` instantiates from `code_hash` with
/// `salt`: `keccak256("metron/instance" ++ deployer ++ code_hash ++ salt)`. It depends
/// on nothing else, so a factory (and anyone) knows it before the instantiation, and the
/// same deployer, code and salt can only succeed once.
pub fn instance_address(deployer: &Address, code_hash: &Hash, salt: &[u8]) -> Address {
    let mut hasher = Keccak256::new();
    hasher.update(INSTANCE_ADDRESS_DOMAIN);
    hasher.update(deployer);
    hasher.update(code_hash);
    hasher.update(salt);
    hasher.finalize().into()
}

/// What a transaction does.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Action {
    /// Deploy `code` (a WebAssembly module) as a new contract and call its `init` export (if
    /// any) with `init_input`.
    #[codec(index = 0)]
    Deploy {
        /// WebAssembly binary.
        code: Vec<u8>,
        /// Input bytes passed to `init`.
        init_input: Vec<u8>,
    },
    /// Call the exported method `method` of `contract` with `input`, transferring `value`
    /// (smallest unit) from the sender to the contract.
    #[codec(index = 1)]
    Call {
        /// Contract address.
        contract: Address,
        /// Exported function name; names starting with `init` are rejected.
        method: String,
        /// Input bytes, read by the contract through `input_len`/`input_read`.
        input: Vec<u8>,
        /// Amount transferred to the contract with the call.
        value: u128,
    },
    /// Transfer `amount` from the sender to `to`.
    #[codec(index = 2)]
    Transfer {
        /// Recipient.
        to: Address,
        /// Amount (smallest unit).
        amount: u128,
    },
}

impl Action {
    /// Native value moved from the sender by this action (0 for deploys).
    pub fn value(&self) -> u128 {
        match self {
            Action::Deploy { .. } => 0,
            Action::Call { value, .. } => *value,
            Action::Transfer { amount, .. } => *amount,
        }
    }
}

/// An unsigned transaction.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Transaction {
    /// Chain id for replay protection across chains (devnet default 1337).
    pub chain_id: u64,
    /// Sender's nonce: must equal the sender account's current nonce.
    pub nonce: u64,
    /// Maximum gas units this transaction may use, intrinsic gas included.
    pub gas_limit: u64,
    /// Price per gas unit (smallest unit); the fee is `gas_used * gas_price`.
    pub gas_price: u128,
    /// What the transaction does.
    pub action: Action,
}

impl Transaction {
    /// The bytes that are signed: `b"metron-tx-v1" ++ SCALE(self)`.
    pub fn signing_payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TX_SIGNING_DOMAIN.len() + self.size_hint());
        out.extend_from_slice(TX_SIGNING_DOMAIN);
        self.encode_to(&mut out);
        out
    }

    /// Signs the transaction with `key`; the sender (`from`) is `key`'s public key.
    pub fn sign(&self, key: &SigningKey) -> SignedTransaction {
        let signature = key.sign(&self.signing_payload()).to_bytes();
        SignedTransaction {
            from: key.verifying_key().to_bytes(),
            tx: self.clone(),
            signature,
        }
    }
}

/// A transaction with its sender (ed25519 public key) and signature.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SignedTransaction {
    /// Sender address = ed25519 public key bytes.
    pub from: Address,
    /// The signed transaction.
    pub tx: Transaction,
    /// ed25519 signature over [`Transaction::signing_payload`].
    pub signature: [u8; 64],
}

impl SignedTransaction {
    /// Transaction hash: `keccak256(SCALE(self))`.
    pub fn hash(&self) -> Hash {
        keccak256(&self.encode())
    }

    /// Verifies the signature with strict ed25519 verification (rejects small-order keys and
    /// non-canonical signatures, so that validity does not depend on the verifier).
    ///
    /// # Errors
    /// [`TxError::InvalidPublicKey`] if `from` is not a valid ed25519 point,
    /// [`TxError::InvalidSignature`] if the signature does not verify.
    pub fn verify(&self) -> Result<(), TxError> {
        let key = VerifyingKey::from_bytes(&self.from).map_err(|_| TxError::InvalidPublicKey)?;
        let signature = Signature::from_bytes(&self.signature);
        key.verify_strict(&self.tx.signing_payload(), &signature)
            .map_err(|_| TxError::InvalidSignature)
    }

    /// Decodes a SCALE-encoded signed transaction; trailing bytes are an error.
    ///
    /// # Errors
    /// [`TxError::Decode`] with the codec's message.
    pub fn decode_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        Self::decode_all(&mut &bytes[..]).map_err(|e| TxError::Decode(e.to_string()))
    }

    /// SCALE encoding of the signed transaction (what [`SignedTransaction::decode_bytes`]
    /// reads and what intrinsic gas is computed on).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode()
    }
}

/// Trap kinds of a failed contract execution, mirroring `metron_vm::TrapKind` except
/// out-of-gas, which is [`ReceiptStatus::OutOfGas`]. A closed set: it enters consensus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum TrapCode {
    /// `unreachable` executed.
    #[codec(index = 0)]
    Unreachable,
    /// Integer division or remainder by zero.
    #[codec(index = 1)]
    IntegerDivideByZero,
    /// Signed integer overflow (`i32.div_s` of MIN by -1, ...).
    #[codec(index = 2)]
    IntegerOverflow,
    /// Float-to-int conversion of NaN or an out-of-range value.
    #[codec(index = 3)]
    InvalidConversionToInteger,
    /// Linear memory access out of bounds.
    #[codec(index = 4)]
    MemoryOutOfBounds,
    /// Table access out of bounds.
    #[codec(index = 5)]
    TableOutOfBounds,
    /// `call_indirect` signature mismatch.
    #[codec(index = 6)]
    IndirectCallTypeMismatch,
    /// Null reference dereferenced.
    #[codec(index = 7)]
    NullReference,
    /// Uninitialized table element called.
    #[codec(index = 8)]
    UninitializedElement,
    /// Call depth or value stack limit exceeded.
    #[codec(index = 9)]
    CallStackExhausted,
    /// A host function failed or the contract called `abort` (message in the receipt's
    /// `error`, which is not hashed).
    #[codec(index = 10)]
    Host,
}

impl TrapCode {
    /// Stable snake_case name, for people and RPC.
    pub fn as_str(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::IntegerDivideByZero => "integer_divide_by_zero",
            TrapCode::IntegerOverflow => "integer_overflow",
            TrapCode::InvalidConversionToInteger => "invalid_conversion_to_integer",
            TrapCode::MemoryOutOfBounds => "memory_out_of_bounds",
            TrapCode::TableOutOfBounds => "table_out_of_bounds",
            TrapCode::IndirectCallTypeMismatch => "indirect_call_type_mismatch",
            TrapCode::NullReference => "null_reference",
            TrapCode::UninitializedElement => "uninitialized_element",
            TrapCode::CallStackExhausted => "call_stack_exhausted",
            TrapCode::Host => "host",
        }
    }
}

/// Outcome class of a transaction (consensus).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ReceiptStatus {
    /// Executed; state writes kept.
    #[codec(index = 0)]
    Success,
    /// Contract trapped; its state writes and value transfer were reverted, the fee paid.
    #[codec(index = 1)]
    Trapped(TrapCode),
    /// Gas ran out; `gas_used == gas_limit`, writes reverted, the fee paid.
    #[codec(index = 2)]
    OutOfGas,
    /// Deploy of code that fails validation/compilation (or imports an unknown host
    /// function); no account was created, the fee paid.
    #[codec(index = 3)]
    InvalidCode,
    /// Call of a method that is not an exported `() -> ()` function, or a reserved `init*`
    /// method.
    #[codec(index = 4)]
    MethodNotFound,
    /// Call of an address without code.
    #[codec(index = 5)]
    NotAContract,
    /// Deploy to an address that already holds code.
    #[codec(index = 6)]
    AddressCollision,
    /// The contract called `revert`: its writes, value transfer and events were undone,
    /// the fee paid, and `return_data` holds the revert data (a SCALE-encoded error for
    /// contracts built with the SDK's macros).
    #[codec(index = 7)]
    Reverted,
}

impl ReceiptStatus {
    /// True for [`ReceiptStatus::Success`].
    pub fn is_success(&self) -> bool {
        matches!(self, ReceiptStatus::Success)
    }

    /// Stable snake_case name, for people and RPC (`trapped` carries its code separately).
    pub fn as_str(&self) -> &'static str {
        match self {
            ReceiptStatus::Success => "success",
            ReceiptStatus::Trapped(_) => "trapped",
            ReceiptStatus::OutOfGas => "out_of_gas",
            ReceiptStatus::InvalidCode => "invalid_code",
            ReceiptStatus::MethodNotFound => "method_not_found",
            ReceiptStatus::NotAContract => "not_a_contract",
            ReceiptStatus::AddressCollision => "address_collision",
            ReceiptStatus::Reverted => "reverted",
        }
    }
}

/// An event emitted by a contract through `emit_event`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Event {
    /// Emitting contract.
    pub contract: Address,
    /// Topic (at most 64 bytes).
    pub topic: Vec<u8>,
    /// Data (at most 64 KiB).
    pub data: Vec<u8>,
}

/// The result of one transaction.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Receipt {
    /// Transaction hash.
    pub tx_hash: Hash,
    /// Height of the including block.
    pub block_height: u64,
    /// Position of the transaction in its block.
    pub index: u32,
    /// Outcome class.
    pub status: ReceiptStatus,
    /// Gas used, intrinsic gas included; equals the gas limit on out of gas.
    pub gas_used: u64,
    /// Fee paid by the sender: `gas_used * gas_price` (burned).
    pub fee: u128,
    /// Return data set by the contract (empty unless the call succeeded).
    pub return_data: Vec<u8>,
    /// Events emitted (empty unless the call succeeded).
    pub events: Vec<Event>,
    /// Address of the contract created by a successful deploy.
    pub contract_address: Option<Address>,
    /// Human-readable error (trap message, abort message, compile error). Not part of
    /// consensus: excluded from the receipts root.
    pub error: Option<String>,
}

impl Receipt {
    /// SCALE encoding of the consensus part of the receipt (every field except `error`),
    /// as committed by the receipts root.
    pub fn consensus_encode(&self) -> Vec<u8> {
        (
            &self.tx_hash,
            self.block_height,
            self.index,
            &self.status,
            self.gas_used,
            self.fee,
            &self.return_data,
            &self.events,
            &self.contract_address,
        )
            .encode()
    }
}

/// The result of a read-only call ([`crate::Chain::dry_run_call`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult {
    /// Outcome class.
    pub status: ReceiptStatus,
    /// Gas a transaction with the same parameters would use, intrinsic gas included.
    pub gas_used: u64,
    /// Return data (empty unless successful).
    pub return_data: Vec<u8>,
    /// Events that would be emitted (empty unless successful).
    pub events: Vec<Event>,
    /// Human-readable error.
    pub error: Option<String>,
}

/// Block header. The block hash is `keccak256(SCALE(header))`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockHeader {
    /// Hash of the parent header (zero for genesis).
    pub parent_hash: Hash,
    /// Height (genesis = 0); also the state trie version.
    pub height: u64,
    /// Milliseconds since the Unix epoch; strictly increasing (genesis = 0).
    pub timestamp: u64,
    /// Root of the state trie after this block.
    pub state_root: Hash,
    /// [`transactions_root`] of the block's transactions.
    pub transactions_root: Hash,
    /// [`receipts_root`] of the block's receipts.
    pub receipts_root: Hash,
}

impl BlockHeader {
    /// Block hash: `keccak256(SCALE(self))`.
    pub fn hash(&self) -> Hash {
        keccak256(&self.encode())
    }
}

/// A block.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Block {
    /// Header.
    pub header: BlockHeader,
    /// Transactions, in execution order.
    pub transactions: Vec<SignedTransaction>,
}

/// Transactions root: `keccak256(SCALE(Vec<tx hash>))`. A simple commitment, not a trie (no
/// per-transaction inclusion proofs).
pub fn transactions_root(txs: &[SignedTransaction]) -> Hash {
    let hashes: Vec<Hash> = txs.iter().map(SignedTransaction::hash).collect();
    keccak256(&hashes.encode())
}

/// Receipts root: `keccak256(SCALE(Vec<bytes>))` over each receipt's
/// [`Receipt::consensus_encode`] (the human `error` text is not committed). A simple
/// commitment, not a trie.
pub fn receipts_root(receipts: &[Receipt]) -> Hash {
    let encoded: Vec<Vec<u8>> = receipts.iter().map(Receipt::consensus_encode).collect();
    keccak256(&encoded.encode())
}

/// Account state, stored SCALE-encoded in the state trie. An account equal to
/// `Account::default()` is not stored (absent and default are the same state).
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub struct Account {
    /// Balance (smallest unit).
    pub balance: u128,
    /// Number of transactions sent.
    pub nonce: u64,
    /// Hash of the contract code, for contracts. The code itself lives in the code store
    /// keyed by this hash; the trie commits to it through this field.
    pub code_hash: Option<Hash>,
}

impl Account {
    /// True if the account holds no balance, nonce or code (then it is not stored).
    pub fn is_empty(&self) -> bool {
        *self == Account::default()
    }
}

/// Where a transaction was included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct TxLocation {
    /// Block height.
    pub block_height: u64,
    /// Index in the block.
    pub index: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u8) -> SigningKey {
        SigningKey::from_bytes(&[i; 32])
    }

    fn tx() -> Transaction {
        Transaction {
            chain_id: 1337,
            nonce: 7,
            gas_limit: 100_000,
            gas_price: 2,
            action: Action::Transfer {
                to: [9; 32],
                amount: 5,
            },
        }
    }

    #[test]
    fn sign_verify_roundtrip() {
        let stx = tx().sign(&key(1));
        stx.verify().unwrap();
        let decoded = SignedTransaction::decode_bytes(&stx.to_bytes()).unwrap();
        assert_eq!(decoded, stx);
        assert_eq!(decoded.hash(), stx.hash());
    }

    #[test]
    fn tampering_breaks_signature() {
        let mut stx = tx().sign(&key(1));
        stx.tx.nonce += 1;
        assert_eq!(stx.verify(), Err(TxError::InvalidSignature));
        let mut stx = tx().sign(&key(1));
        stx.from = key(2).verifying_key().to_bytes();
        assert_eq!(stx.verify(), Err(TxError::InvalidSignature));
        let mut stx = tx().sign(&key(1));
        stx.signature[0] ^= 1;
        assert_eq!(stx.verify(), Err(TxError::InvalidSignature));
    }

    #[test]
    fn decode_rejects_trailing_and_garbage() {
        let mut bytes = tx().sign(&key(1)).to_bytes();
        bytes.push(0);
        assert!(matches!(
            SignedTransaction::decode_bytes(&bytes),
            Err(TxError::Decode(_))
        ));
        assert!(matches!(
            SignedTransaction::decode_bytes(&[1, 2, 3]),
            Err(TxError::Decode(_))
        ));
    }

    #[test]
    fn receipts_root_ignores_error_text() {
        let mut r = Receipt {
            tx_hash: [1; 32],
            block_height: 1,
            index: 0,
            status: ReceiptStatus::Trapped(TrapCode::Host),
            gas_used: 10,
            fee: 20,
            return_data: vec![],
            events: vec![],
            contract_address: None,
            error: Some("a".into()),
        };
        let a = receipts_root(std::slice::from_ref(&r));
        r.error = Some("b".into());
        assert_eq!(a, receipts_root(std::slice::from_ref(&r)));
        r.gas_used = 11;
        assert_ne!(a, receipts_root(std::slice::from_ref(&r)));
    }

    #[test]
    fn contract_address_depends_on_nonce() {
        assert_ne!(contract_address(&[1; 32], 0), contract_address(&[1; 32], 1));
    }
}
