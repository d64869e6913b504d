//! The RPC error enum and its single mapping to JSON-RPC 2.0 error objects.
//!
//! Standard codes are used where JSON-RPC defines one (`-32602` invalid params,
//! `-32603` internal error); every Metron-specific failure has a server code in
//! `-32000..=-32099`, listed in [`codes`]. The mapping lives only in
//! [`RpcError::code`] and the `From<RpcError> for ErrorObjectOwned` impl.

use jsonrpsee::types::ErrorObjectOwned;

/// Numeric error codes returned by the Metron RPC server.
pub mod codes {
    /// JSON-RPC 2.0: invalid method parameters (bad hex, wrong length, bad block id...).
    pub const INVALID_PARAMS: i32 = -32602;
    /// JSON-RPC 2.0: internal error (storage failure, bug).
    pub const INTERNAL: i32 = -32603;
    /// The transaction bytes do not decode or the signature is invalid.
    pub const INVALID_TRANSACTION: i32 = -32000;
    /// The transaction is well formed but was rejected by the pool/checks
    /// (wrong chain id, bad nonce, insufficient balance, gas limit too high...).
    pub const TX_REJECTED: i32 = -32001;
    /// The requested block or historical state is not available.
    pub const UNKNOWN_BLOCK: i32 = -32002;
    /// No contract code at the given address.
    pub const CONTRACT_NOT_FOUND: i32 = -32003;
    /// The call itself is not allowed (e.g. calling `init` after deploy).
    pub const INVALID_CALL: i32 = -32004;
    /// Deployed code was rejected before execution (malformed, unsupported, too big).
    pub const INVALID_CODE: i32 = -32005;
    /// A node limit was hit: the dry-run gas cap, concurrency or time limit, or a full
    /// submit queue. The message names the limit and the flag that sets it.
    pub const LIMIT_EXCEEDED: i32 = -32006;
    /// jsonrpsee's own: a batch has more calls than the server allows (100 by default).
    pub const BATCH_TOO_LARGE: i32 = -32010;
}

/// Every error the Metron RPC server returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// A parameter is malformed.
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// Transaction bytes do not decode, or the signature does not verify.
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// The transaction was rejected by the node's checks.
    #[error("transaction rejected: {0}")]
    TxRejected(String),
    /// The block or historical state is unknown.
    #[error("unknown block: {0}")]
    UnknownBlock(String),
    /// No contract at the address.
    #[error("contract not found: {0}")]
    ContractNotFound(String),
    /// The call is not allowed.
    #[error("invalid call: {0}")]
    InvalidCall(String),
    /// Code rejected before execution.
    #[error("invalid code: {0}")]
    InvalidCode(String),
    /// A node limit was hit (see [`codes::LIMIT_EXCEEDED`]).
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// Internal failure of the node.
    #[error("internal error: {0}")]
    Internal(String),
}

impl RpcError {
    /// The JSON-RPC error code of this error (see [`codes`]).
    pub fn code(&self) -> i32 {
        match self {
            RpcError::InvalidParams(_) => codes::INVALID_PARAMS,
            RpcError::InvalidTransaction(_) => codes::INVALID_TRANSACTION,
            RpcError::TxRejected(_) => codes::TX_REJECTED,
            RpcError::UnknownBlock(_) => codes::UNKNOWN_BLOCK,
            RpcError::ContractNotFound(_) => codes::CONTRACT_NOT_FOUND,
            RpcError::InvalidCall(_) => codes::INVALID_CALL,
            RpcError::InvalidCode(_) => codes::INVALID_CODE,
            RpcError::LimitExceeded(_) => codes::LIMIT_EXCEEDED,
            RpcError::Internal(_) => codes::INTERNAL,
        }
    }
}

impl From<RpcError> for ErrorObjectOwned {
    fn from(e: RpcError) -> Self {
        ErrorObjectOwned::owned(e.code(), e.to_string(), None::<()>)
    }
}

/// Extracts the JSON-RPC error object from a client error, if the server answered with one.
pub fn call_error(e: &jsonrpsee::core::client::Error) -> Option<&ErrorObjectOwned> {
    match e {
        jsonrpsee::core::client::Error::Call(obj) => Some(obj),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_codes_in_range() {
        let all = [
            RpcError::InvalidTransaction(String::new()),
            RpcError::TxRejected(String::new()),
            RpcError::UnknownBlock(String::new()),
            RpcError::ContractNotFound(String::new()),
            RpcError::InvalidCall(String::new()),
            RpcError::InvalidCode(String::new()),
            RpcError::LimitExceeded(String::new()),
        ];
        for e in all {
            assert!((-32099..=-32000).contains(&e.code()), "{e:?}");
        }
        let obj: ErrorObjectOwned = RpcError::TxRejected("nonce too low".into()).into();
        assert_eq!(obj.code(), -32001);
        assert_eq!(obj.message(), "transaction rejected: nonce too low");
    }
}
