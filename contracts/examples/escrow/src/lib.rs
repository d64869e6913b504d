//! Example contract: an escrow of token payments. A buyer locks tokens of a token
//! contract (any contract with the token messages of `contracts/examples/macro-token`)
//! for a seller; the buyer releases them to the seller, or they go back to the buyer on
//! the seller's refund or once the deadline has passed.
//!
//! It shows the cross-contract calls of the SDK: `metron::call` of the token's
//! `transfer_from` (the buyer must first `approve` the escrow) and `transfer`, with the
//! token's failure turned into this contract's typed error.
#![cfg_attr(target_arch = "wasm32", no_std)]

use metron_sdk::storage::{Lazy, Mapping};
use metron_sdk::{self as metron, Address, CallFailure};

/// A deal: `amount` tokens from `buyer`, held for `seller` until settled.
#[metron::data]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deal {
    /// Who paid.
    pub buyer: Address,
    /// Who is paid on release.
    pub seller: Address,
    /// Tokens held.
    pub amount: u128,
    /// After this block timestamp (ms), the buyer may take the tokens back.
    pub deadline_ms: u64,
}

/// A deal was opened.
#[metron::event]
pub struct Opened {
    /// Deal id.
    #[topic]
    pub id: u64,
    /// The deal.
    pub deal: Deal,
}

/// A deal was settled: released to the seller, or refunded to the buyer.
#[metron::event]
pub struct Settled {
    /// Deal id.
    #[topic]
    pub id: u64,
    /// Whether the seller got the tokens (else the buyer got them back).
    pub released: bool,
}

/// Why a message failed.
#[metron::error]
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// No open deal has this id.
    NotFound,
    /// Only the buyer may do this.
    NotBuyer,
    /// Only the seller, or the buyer after the deadline, may refund.
    NotAllowed,
    /// The token contract refused the transfer (for `open`: the buyer's balance or
    /// allowance is too low).
    TokenFailed,
}

/// The escrow's state.
#[metron::contract]
pub struct Escrow {
    token: Lazy<Address>,
    next_id: Lazy<u64>,
    deals: Mapping<u64, Deal>,
}

#[metron::contract(events(Opened, Settled))]
impl Escrow {
    /// An escrow of tokens of the contract at `token`.
    #[init]
    pub fn new(&mut self, token: Address) {
        self.token.set(&token);
    }

    /// Takes `amount` tokens from the caller (who approved this contract for them) for
    /// `seller`, refundable to the caller after `deadline_ms`. Returns the deal id.
    #[message]
    pub fn open(&mut self, seller: Address, amount: u128, deadline_ms: u64) -> Result<u64, Error> {
        let buyer = metron::caller();
        let token = self.token.get_or_default();
        let moved: Result<(), CallFailure<()>> = metron::call(
            &token,
            "transfer_from",
            &(buyer, metron::address(), amount),
            0,
            0,
        );
        moved.map_err(|_| Error::TokenFailed)?;
        let id = self.next_id.get_or_default();
        self.next_id.set(&(id + 1));
        let deal = Deal {
            buyer,
            seller,
            amount,
            deadline_ms,
        };
        self.deals.insert(&id, &deal);
        metron::emit(&Opened { id, deal });
        Ok(id)
    }

    /// The buyer releases deal `id`'s tokens to the seller.
    #[message]
    pub fn release(&mut self, id: u64) -> Result<(), Error> {
        let deal = self.deals.get(&id).ok_or(Error::NotFound)?;
        if metron::caller() != deal.buyer {
            return Err(Error::NotBuyer);
        }
        self.settle(id, &deal.seller, deal.amount)?;
        metron::emit(&Settled { id, released: true });
        Ok(())
    }

    /// Returns deal `id`'s tokens to the buyer: the seller may at any time, the buyer
    /// once the block timestamp is past the deadline.
    #[message]
    pub fn refund(&mut self, id: u64) -> Result<(), Error> {
        let deal = self.deals.get(&id).ok_or(Error::NotFound)?;
        let who = metron::caller();
        let late = metron::block_timestamp() > deal.deadline_ms;
        if !(who == deal.seller || (who == deal.buyer && late)) {
            return Err(Error::NotAllowed);
        }
        self.settle(id, &deal.buyer, deal.amount)?;
        metron::emit(&Settled {
            id,
            released: false,
        });
        Ok(())
    }

    /// Deal `id`, if open.
    #[view]
    pub fn deal(&self, id: u64) -> Option<Deal> {
        self.deals.get(&id)
    }

    fn settle(&mut self, id: u64, to: &Address, amount: u128) -> Result<(), Error> {
        self.deals.remove(&id);
        let token = self.token.get_or_default();
        let moved: Result<(), CallFailure<()>> =
            metron::call(&token, "transfer", &(*to, amount), 0, 0);
        moved.map_err(|_| Error::TokenFailed)
    }
}

#[cfg(test)]
mod tests;
