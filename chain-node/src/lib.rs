//! Metron node library: chain types, RocksDB-backed Merkle state, transaction execution
//! on the Metron VM, the application interface ([`app::Application`]) that the devnet's
//! block producer ([`pool`]) and the ABCI adapter for CometBFT ([`abci`]) drive, the
//! JSON-RPC service ([`service`]) and queries.
//!
//! Entry point: [`Chain`]. The CLI lives in the binary's modules. Contract metadata ([`metadata`]) and the typed JSON-RPC client of a
//! contract by message name ([`contract_client::ContractClient`]) are library API.

#![deny(missing_docs)]

pub mod abci;
pub mod app;
pub mod chain;
pub mod contract_client;
pub mod control;
pub mod dev;
pub mod error;
pub mod estimate;
pub mod executor;
pub mod host;
pub mod logs;
pub mod metadata;
pub mod pool;
pub mod proof;
pub mod service;
pub mod state;
pub mod statefile;
pub mod trace;
pub mod types;
pub mod validator_rpc;

#[cfg(test)]
mod tests;

pub use chain::{Chain, ChainConfig, NewHead};
pub use error::{ChainError, TxError};
pub use types::{
    Account, Action, Address, Block, BlockHeader, CallResult, Event, Hash, Receipt, ReceiptStatus,
    SignedTransaction, Transaction, TrapCode, TxLocation,
};
