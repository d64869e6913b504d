//! Example contract: a non-fungible token. The deployer is the minter; tokens have ids
//! counted from 0, an owner, at most one approved spender, and a URI (token metadata).
//! Transfers are by the owner or the approved spender, and clear the approval.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;

use metron_sdk::storage::{Lazy, Mapping};
use metron_sdk::{self as metron, Address, ZERO_ADDRESS};

/// Token `id` moved (a mint has `from` = the zero address).
#[metron::event]
pub struct Transfer {
    /// Previous owner.
    #[topic]
    pub from: Address,
    /// New owner.
    #[topic]
    pub to: Address,
    /// Token id.
    #[topic]
    pub id: u64,
}

/// Token `id`'s approved spender was set (`spender` = zero address: cleared).
#[metron::event]
pub struct Approval {
    /// Owner of the token.
    #[topic]
    pub owner: Address,
    /// The spender.
    #[topic]
    pub spender: Address,
    /// Token id.
    #[topic]
    pub id: u64,
}

/// Why a message failed.
#[metron::error]
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// Only the minter mints.
    NotMinter,
    /// No token has this id.
    NotFound,
    /// Only the owner may do this.
    NotOwner,
    /// Neither the owner nor the approved spender.
    NotAuthorized,
}

/// The collection's state.
#[metron::contract]
pub struct Nft {
    minter: Lazy<Address>,
    next_id: Lazy<u64>,
    owners: Mapping<u64, Address>,
    balances: Mapping<Address, u64>,
    approvals: Mapping<u64, Address>,
    uris: Mapping<u64, String>,
}

#[metron::contract(events(Transfer, Approval))]
impl Nft {
    /// A collection whose minter is the deployer.
    #[init]
    pub fn new(&mut self) {
        self.minter.set(&metron::caller());
    }

    /// Mints a token with `uri` to `to`; returns its id.
    #[message]
    pub fn mint(&mut self, to: Address, uri: String) -> Result<u64, Error> {
        if Some(metron::caller()) != self.minter.get() {
            return Err(Error::NotMinter);
        }
        let id = self.next_id.get_or_default();
        self.next_id.set(&(id + 1));
        self.owners.insert(&id, &to);
        self.uris.insert(&id, &uri);
        self.add_balance(&to, true);
        metron::emit(&Transfer {
            from: ZERO_ADDRESS,
            to,
            id,
        });
        Ok(id)
    }

    /// Moves token `id` to `to`; by its owner or its approved spender.
    #[message]
    pub fn transfer(&mut self, to: Address, id: u64) -> Result<(), Error> {
        let owner = self.owners.get(&id).ok_or(Error::NotFound)?;
        let who = metron::caller();
        if who != owner && Some(who) != self.approvals.get(&id) {
            return Err(Error::NotAuthorized);
        }
        self.approvals.remove(&id);
        self.owners.insert(&id, &to);
        self.add_balance(&owner, false);
        self.add_balance(&to, true);
        metron::emit(&Transfer {
            from: owner,
            to,
            id,
        });
        Ok(())
    }

    /// Lets `spender` transfer token `id` (the zero address clears it); by the owner.
    #[message]
    pub fn approve(&mut self, spender: Address, id: u64) -> Result<(), Error> {
        let owner = self.owners.get(&id).ok_or(Error::NotFound)?;
        if metron::caller() != owner {
            return Err(Error::NotOwner);
        }
        if spender == ZERO_ADDRESS {
            self.approvals.remove(&id);
        } else {
            self.approvals.insert(&id, &spender);
        }
        metron::emit(&Approval { owner, spender, id });
        Ok(())
    }

    /// The owner of token `id`.
    #[view]
    pub fn owner_of(&self, id: u64) -> Option<Address> {
        self.owners.get(&id)
    }

    /// How many tokens `owner` holds.
    #[view]
    pub fn balance_of(&self, owner: Address) -> u64 {
        self.balances.get_or_default(&owner)
    }

    /// The approved spender of token `id`.
    #[view]
    pub fn approved(&self, id: u64) -> Option<Address> {
        self.approvals.get(&id)
    }

    /// The URI of token `id` (its metadata).
    #[view]
    pub fn token_uri(&self, id: u64) -> Option<String> {
        self.uris.get(&id)
    }

    fn add_balance(&mut self, owner: &Address, up: bool) {
        let n = self.balances.get_or_default(owner);
        let n = if up { n + 1 } else { n.saturating_sub(1) };
        if n == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &n);
        }
    }
}

#[cfg(test)]
mod tests;
