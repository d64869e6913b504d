//! Client-side verification of `state_getProof` answers: a light client's check that an
//! account and its storage values are what the chain's state root commits to.
//!
//! The caller supplies the state root it trusts (from a block header it verified or was
//! given, e.g. by `chain_getBlock`); the proof is checked against that root, never
//! against the root the answer itself names.

use jmt::proof::SparseMerkleProof;
use jmt::{KeyHash, RootHash};
use metron_rpc::types as wire;
use parity_scale_codec::Decode;
use sha3::Keccak256;

use crate::state::{account_key, storage_key};
use crate::types::{Account, Address, Hash};

/// What a verified `state_getProof` answer proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedState {
    /// Height of the block whose state root the proofs were checked against.
    pub height: u64,
    /// The account (`None`: proven absent).
    pub account: Option<Account>,
    /// Each storage key asked for with its proven value (`None`: proven absent).
    pub storage: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The answer is against another state root than the trusted one.
    #[error("the proof is against state root 0x{got}, the trusted root is 0x{trusted}")]
    RootMismatch {
        /// Root the answer names (hex).
        got: String,
        /// Trusted root (hex).
        trusted: String,
    },
    /// A proven key is not the trie key of what was asked.
    #[error("{what}: the proof is for trie key 0x{got}, expected 0x{expected}")]
    WrongKey {
        /// "account" or "storage key 0x..".
        what: String,
        /// Key hash in the answer (hex).
        got: String,
        /// Key hash of what was asked (hex).
        expected: String,
    },
    /// The proof bytes are not a borsh `SparseMerkleProof`.
    #[error("{what}: the proof does not decode: {reason}")]
    Malformed {
        /// What was proven.
        what: String,
        /// Decoder message.
        reason: String,
    },
    /// The Merkle proof does not verify against the trusted root.
    #[error("{what}: the proof does not verify: {reason}")]
    Invalid {
        /// What was proven.
        what: String,
        /// jmt's message.
        reason: String,
    },
    /// The proven account value is not a SCALE `Account`.
    #[error("the proven account does not decode: {0}")]
    BadAccount(String),
}

/// Verifies `answer` (of `state_getProof` for `address`) against `trusted_root`: the
/// answer's root must equal it, every proven key must be the trie key of what was asked,
/// and every jmt proof must verify, for presence or for absence.
///
/// # Errors
/// The first failed check, as a [`ProofError`].
pub fn verify_state_proof(
    address: &Address,
    answer: &wire::StateProof,
    trusted_root: &Hash,
) -> Result<VerifiedState, ProofError> {
    if answer.state_root.0 != *trusted_root {
        return Err(ProofError::RootMismatch {
            got: hex::encode(answer.state_root.0),
            trusted: hex::encode(trusted_root),
        });
    }
    verify_one(
        "account",
        account_key(address),
        &answer.account,
        trusted_root,
    )?;
    let account = answer
        .account
        .value
        .as_ref()
        .map(|v| Account::decode(&mut &v.0[..]).map_err(|e| ProofError::BadAccount(e.to_string())))
        .transpose()?;
    let mut storage = Vec::with_capacity(answer.storage.len());
    for slot in &answer.storage {
        let what = format!("storage key 0x{}", hex::encode(&slot.key.0));
        verify_one(
            &what,
            storage_key(address, &slot.key.0),
            &slot.proven,
            trusted_root,
        )?;
        storage.push((
            slot.key.0.clone(),
            slot.proven.value.as_ref().map(|v| v.0.clone()),
        ));
    }
    Ok(VerifiedState {
        height: answer.height,
        account,
        storage,
    })
}

fn verify_one(
    what: &str,
    expected: KeyHash,
    proven: &wire::ProvenValue,
    root: &Hash,
) -> Result<(), ProofError> {
    if proven.key_hash.0 != expected.0 {
        return Err(ProofError::WrongKey {
            what: what.to_owned(),
            got: hex::encode(proven.key_hash.0),
            expected: hex::encode(expected.0),
        });
    }
    let proof: SparseMerkleProof<Keccak256> =
        borsh::from_slice(&proven.proof.0).map_err(|e| ProofError::Malformed {
            what: what.to_owned(),
            reason: e.to_string(),
        })?;
    proof
        .verify(
            RootHash(*root),
            expected,
            proven.value.as_ref().map(|v| v.0.as_slice()),
        )
        .map_err(|e| ProofError::Invalid {
            what: what.to_owned(),
            reason: format!("{e:#}"),
        })
}
