//! Metron JSON-RPC API: the method trait ([`MetronApiServer`] / [`MetronApiClient`]),
//! the JSON wire types, the error mapping and the server/client constructors.
//!
//! The crate is deliberately independent of the node: the node implements
//! [`MetronApiServer`] by converting its own types into the wire types of [`types`].
//! Wire conventions (see `docs/rpc.md`):
//!
//! - bytes, addresses and hashes are `"0x"`-prefixed lowercase hex strings;
//! - `u128` amounts are decimal strings (JSON numbers lose precision past 2^53);
//! - `u64` values (heights, nonces, gas) are JSON numbers.
#![deny(missing_docs)]

pub mod api;
pub mod client;
pub mod error;
pub mod guard;
pub mod hex_serde;
pub mod server;
pub mod types;

pub use api::{MetronApiClient, MetronApiServer};
pub use client::{http_client, ws_client};
pub use error::{codes, RpcError};

/// The most blocks one `dev_mine` seals: each is a commit to the store, and one request
/// must not hold the block producer for long.
pub const MAX_MINE_BLOCKS: u64 = 10_000;
/// The most storage keys one `state_getProof` proves.
pub const MAX_PROOF_KEYS: usize = 256;
/// The most blocks one `chain_getLogs` reads: `toBlock - fromBlock + 1` at most this.
/// A longer range is paged: `fromBlock..fromBlock + MAX_LOG_RANGE - 1`, then on.
pub const MAX_LOG_RANGE: u64 = 10_000;
/// The most logs one `chain_getLogs` returns; a query matching more is refused (narrow
/// the range or the filter).
pub const MAX_LOGS: usize = 10_000;
/// The most topics of one log filter.
pub const MAX_LOG_TOPICS: usize = 32;
pub use guard::GuardConfig;
pub use server::{start_server, ServerConfig};
pub use types::*;

/// Re-export of jsonrpsee so users (the node, tests) use the exact same version.
pub use jsonrpsee;
