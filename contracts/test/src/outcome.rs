//! What a call or deploy gave: status, exact gas, return data and events, decoded into
//! the contract's types; and why a deploy failed.

use metron_node::{Address, Event, Receipt, ReceiptStatus, SignedTransaction, TxError};
use parity_scale_codec::{Decode, DecodeAll};

use crate::code::BuildError;

/// The result of a transaction ([`crate::Harness::call`], [`crate::Harness::deploy_outcome`],
/// [`crate::Harness::submit`]) or of a dry run ([`crate::Harness::query`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    /// Outcome class.
    pub status: ReceiptStatus,
    /// Gas used, in gas units, intrinsic gas included (the receipt's `gas_used`; for a
    /// dry run, what a transaction with the same parameters would use).
    pub gas_used: u64,
    /// Return data on success; the revert data on [`ReceiptStatus::Reverted`] (a
    /// SCALE-encoded error for contracts built with the SDK's macros); else empty.
    pub return_data: Vec<u8>,
    /// Events emitted, nested calls' included, in execution order (empty unless
    /// successful).
    pub events: Vec<Event>,
    /// Human-readable error (trap or abort message, compile error); not consensus.
    pub error: Option<String>,
    /// The receipt, for a transaction (`None` for a dry run).
    pub receipt: Option<Receipt>,
    /// The signed transaction, for a transaction (`None` for a dry run): submit it
    /// elsewhere (a node) to replay the same call.
    pub transaction: Option<SignedTransaction>,
}

/// Why [`CallOutcome::decode`] gave no value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The call did not succeed (its return data is not a result).
    #[error("the call did not succeed: {status:?} ({})", .error.as_deref().unwrap_or("no message"))]
    NotSuccess {
        /// Its status.
        status: ReceiptStatus,
        /// Its error message.
        error: Option<String>,
    },
    /// The bytes are not a SCALE encoding of the type (or have bytes left over).
    #[error("cannot decode: {0}")]
    Codec(String),
}

/// Why [`crate::Harness::deploy`] returned no address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The code could not be read or built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The transaction was not admitted: no block, no fee, no state change.
    #[error("transaction rejected: {0}")]
    Rejected(#[from] TxError),
    /// The transaction was included but did not succeed (reverted, trapped, out of gas,
    /// invalid code, ...): the fee was paid, nothing else changed.
    #[error("{} ({})", .0.status.as_str(), .0.error.as_deref().unwrap_or("no message"))]
    Failed(Box<CallOutcome>),
}

impl CallOutcome {
    /// Outcome of a transaction from its receipt.
    pub(crate) fn from_receipt(receipt: Receipt, transaction: SignedTransaction) -> CallOutcome {
        CallOutcome {
            status: receipt.status,
            gas_used: receipt.gas_used,
            return_data: receipt.return_data.clone(),
            events: receipt.events.clone(),
            error: receipt.error.clone(),
            receipt: Some(receipt),
            transaction: Some(transaction),
        }
    }

    /// True for [`ReceiptStatus::Success`].
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// Returns `self` if the call succeeded.
    ///
    /// # Panics
    /// If it did not, with the status and error message.
    #[track_caller]
    pub fn assert_success(&self) -> &CallOutcome {
        assert!(
            self.is_success(),
            "call failed: {} ({})",
            self.status.as_str(),
            self.error.as_deref().unwrap_or("no message")
        );
        self
    }

    /// The return data decoded as `T` (SCALE, every byte used): a `#[message]`'s or
    /// `#[view]`'s result. A message returning `Result<T, E>` returns `T` on success (its
    /// error is the revert data, see [`CallOutcome::revert`]); `()` decodes from no bytes.
    ///
    /// # Errors
    /// [`DecodeError::NotSuccess`] unless the call succeeded, [`DecodeError::Codec`] if
    /// the bytes do not decode as `T`.
    pub fn decode<T: Decode>(&self) -> Result<T, DecodeError> {
        if !self.is_success() {
            return Err(DecodeError::NotSuccess {
                status: self.status,
                error: self.error.clone(),
            });
        }
        T::decode_all(&mut &self.return_data[..]).map_err(|e| DecodeError::Codec(e.to_string()))
    }

    /// The contract's typed error: the revert data decoded as `E` (SCALE, every byte
    /// used) if the call ended with [`ReceiptStatus::Reverted`] and the data decodes;
    /// `None` otherwise (success, trap, or another error type).
    pub fn revert<E: Decode>(&self) -> Option<E> {
        if self.status != ReceiptStatus::Reverted {
            return None;
        }
        E::decode_all(&mut &self.return_data[..]).ok()
    }

    /// The raw events, in execution order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events whose topic is `E::NAME` (the SDK's `#[event]` types), their data
    /// decoded as `E`, in execution order, whichever contract emitted them.
    ///
    /// # Panics
    /// If an event with that topic has data that does not decode as `E`.
    #[track_caller]
    pub fn event<E: metron_sdk::Event + Decode>(&self) -> Vec<E> {
        self.events
            .iter()
            .filter(|e| e.topic == E::NAME.as_bytes())
            .map(|e| {
                E::decode_all(&mut &e.data[..])
                    .unwrap_or_else(|err| panic!("event {} does not decode: {err}", E::NAME))
            })
            .collect()
    }

    /// The address of the contract a successful deploy created.
    pub fn contract_address(&self) -> Option<Address> {
        self.receipt.as_ref().and_then(|r| r.contract_address)
    }
}
