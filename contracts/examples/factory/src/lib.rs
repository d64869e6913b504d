//! Example contract: a factory that deploys token contracts by code hash. Each
//! `create_token` instantiates the token code (stored on chain by an earlier deploy) at
//! an address derived from the factory's address, the code hash and a counter as salt;
//! the new token mints its supply to its deployer, the factory, which passes it on to
//! the caller. The factory keeps the list of its children.
#![cfg_attr(target_arch = "wasm32", no_std)]

use metron_sdk::storage::{Lazy, StorageVec};
use metron_sdk::{self as metron, Address, CallFailure};

/// A token was created.
#[metron::event]
pub struct Created {
    /// The new token contract.
    #[topic]
    pub token: Address,
    /// Who got its supply.
    #[topic]
    pub owner: Address,
    /// Its supply.
    pub supply: u128,
}

/// Why a message failed.
#[metron::error]
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The instantiation failed (unknown code, address taken, or its `init` failed).
    InstantiateFailed,
    /// The new token refused to pass the supply on.
    TransferFailed,
}

/// The factory's state.
#[metron::contract]
pub struct Factory {
    token_code: Lazy<[u8; 32]>,
    children: StorageVec<Address>,
}

#[metron::contract(events(Created))]
impl Factory {
    /// A factory of contracts with the code stored under `token_code` (a code hash).
    #[init]
    pub fn new(&mut self, token_code: [u8; 32]) {
        self.token_code.set(&token_code);
    }

    /// Deploys a token of `supply` for the caller; returns its address.
    #[message]
    pub fn create_token(&mut self, supply: u128) -> Result<Address, Error> {
        let code = self.token_code.get_or_default();
        let salt = self.children.len().to_le_bytes();
        let token = metron::instantiate_with::<_, ()>(&code, &salt, &(supply,), 0, 0)
            .map_err(|_| Error::InstantiateFailed)?;
        let owner = metron::caller();
        let passed: Result<(), CallFailure<()>> =
            metron::call(&token, "transfer", &(owner, supply), 0, 0);
        passed.map_err(|_| Error::TransferFailed)?;
        self.children.push(&token);
        metron::emit(&Created {
            token,
            owner,
            supply,
        });
        Ok(token)
    }

    /// How many tokens this factory created.
    #[view]
    pub fn count(&self) -> u32 {
        self.children.len()
    }

    /// The `index`-th token created, if any.
    #[view]
    pub fn child(&self, index: u32) -> Option<Address> {
        self.children.get(index)
    }
}

#[cfg(test)]
mod tests;
