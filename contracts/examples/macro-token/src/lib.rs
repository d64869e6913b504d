//! Example contract: the fungible token of `contracts/examples/token`, written with the
//! SDK's macros. Arguments, results, events and errors are SCALE-encoded; the metadata
//! (`metron_sdk::metadata::generate::<Token>("macro_token")`) describes them.
//!
//! Storage: `supply: Lazy<u128>`, `balances: Mapping<Address, u128>`,
//! `allowances: Mapping<(Address, Address), u128>`. A zero balance or allowance is
//! removed rather than stored, as the hand-written token does.
#![cfg_attr(target_arch = "wasm32", no_std)]

use metron_sdk::storage::{Lazy, Mapping};
use metron_sdk::{self as metron, Address, ZERO_ADDRESS};

/// Tokens moved (a mint has `from` = the zero address).
#[metron::event]
pub struct Transfer {
    /// Sender.
    #[topic]
    pub from: Address,
    /// Recipient.
    #[topic]
    pub to: Address,
    /// Amount moved.
    pub amount: u128,
}

/// An allowance set.
#[metron::event]
pub struct Approval {
    /// Owner of the tokens.
    #[topic]
    pub owner: Address,
    /// Who may spend them.
    #[topic]
    pub spender: Address,
    /// The new allowance.
    pub amount: u128,
}

/// Why a message failed (the revert data).
#[metron::error]
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The sender holds less than the amount.
    InsufficientBalance,
    /// The allowance is less than the amount.
    InsufficientAllowance,
    /// A balance would exceed `u128::MAX`.
    Overflow,
}

/// The token's state.
#[metron::contract]
pub struct Token {
    supply: Lazy<u128>,
    balances: Mapping<Address, u128>,
    allowances: Mapping<(Address, Address), u128>,
}

#[metron::contract(events(Transfer, Approval))]
impl Token {
    /// Mints `supply` to the deployer.
    #[init]
    pub fn new(&mut self, supply: u128) {
        let owner = metron::caller();
        self.supply.set(&supply);
        self.set_balance(&owner, supply);
        metron::emit(&Transfer {
            from: ZERO_ADDRESS,
            to: owner,
            amount: supply,
        });
    }

    /// The total supply.
    #[view]
    pub fn total_supply(&self) -> u128 {
        self.supply.get_or_default()
    }

    /// The balance of `owner`.
    #[view]
    pub fn balance_of(&self, owner: Address) -> u128 {
        self.balances.get_or_default(&owner)
    }

    /// How much `spender` may move from `owner`.
    #[view]
    pub fn allowance(&self, owner: Address, spender: Address) -> u128 {
        self.allowances.get_or_default(&(owner, spender))
    }

    /// Moves `amount` from the caller to `to`.
    #[message]
    pub fn transfer(&mut self, to: Address, amount: u128) -> Result<(), Error> {
        self.move_tokens(&metron::caller(), &to, amount)
    }

    /// Sets the caller's allowance for `spender` to `amount`.
    #[message]
    pub fn approve(&mut self, spender: Address, amount: u128) {
        let owner = metron::caller();
        self.set_allowance(&owner, &spender, amount);
        metron::emit(&Approval {
            owner,
            spender,
            amount,
        });
    }

    /// Moves `amount` from `from` to `to`, spending the caller's allowance.
    #[message]
    pub fn transfer_from(&mut self, from: Address, to: Address, amount: u128) -> Result<(), Error> {
        let spender = metron::caller();
        let left = self
            .allowances
            .get_or_default(&(from, spender))
            .checked_sub(amount)
            .ok_or(Error::InsufficientAllowance)?;
        self.set_allowance(&from, &spender, left);
        self.move_tokens(&from, &to, amount)
    }

    fn move_tokens(&mut self, from: &Address, to: &Address, amount: u128) -> Result<(), Error> {
        let from_balance = self
            .balances
            .get_or_default(from)
            .checked_sub(amount)
            .ok_or(Error::InsufficientBalance)?;
        self.set_balance(from, from_balance);
        // Read `to` after writing `from`: correct when `from == to`.
        let to_balance = self
            .balances
            .get_or_default(to)
            .checked_add(amount)
            .ok_or(Error::Overflow)?;
        self.set_balance(to, to_balance);
        metron::emit(&Transfer {
            from: *from,
            to: *to,
            amount,
        });
        Ok(())
    }

    fn set_balance(&mut self, owner: &Address, amount: u128) {
        if amount == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &amount);
        }
    }

    fn set_allowance(&mut self, owner: &Address, spender: &Address, amount: u128) {
        let key = (*owner, *spender);
        if amount == 0 {
            self.allowances.remove(&key);
        } else {
            self.allowances.insert(&key, &amount);
        }
    }
}

#[cfg(test)]
mod tests;
