//! The example contracts (`contracts/examples/`), compiled to `wasm32-unknown-unknown`
//! with the `contract` cargo profile by this crate's build script, as byte constants.
//!
//! The modules follow the contract ABI in `docs/abi.md`: they export `memory`, `init` and
//! one `() -> ()` function per method, and import only from module `"metron"`.

/// The counter contract (`metron-example-counter`): methods `init`, `increment`, `get`,
/// `add`; values are u64 little-endian.
pub const COUNTER_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/counter.wasm"));

/// The token contract (`metron-example-token`): methods `init`, `total_supply`,
/// `balance_of`, `transfer`, `approve`, `allowance`, `transfer_from`; amounts are u128
/// little-endian, addresses 32 bytes.
pub const TOKEN_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/token.wasm"));

/// The same token written with the SDK's macros (`metron-example-macro-token`): the same
/// messages, with SCALE-encoded arguments and results, `Transfer`/`Approval` events with
/// SCALE data, and typed errors as revert data.
pub const MACRO_TOKEN_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/macro_token.wasm"));

/// The non-fungible token (`metron-example-nft`, SDK macros): `mint` (by the deployer),
/// `transfer`, `approve`, `owner_of`, `balance_of`, `approved`, `token_uri`.
pub const NFT_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/nft.wasm"));

/// The escrow (`metron-example-escrow`, SDK macros): `init(token)`, `open`, `release`,
/// `refund`, `deal`; it calls the token contract's `transfer_from` and `transfer`.
pub const ESCROW_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/escrow.wasm"));

/// The factory (`metron-example-factory`, SDK macros): `init(token code hash)`,
/// `create_token(supply)` (instantiates a token and passes its supply to the caller),
/// `count`, `child`.
pub const FACTORY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/factory.wasm"));

#[cfg(test)]
mod tests;
