//! Gas estimation: the least gas limit with which a transaction succeeds at the head,
//! found by executing it (`tx_estimateGas`).
//!
//! The transaction runs unsigned, at gas price 0 (the fee is not estimated: a sender who
//! can pay the value can ask), with the sender's current nonce, on a throw-away overlay of
//! the head state in the context of the next block. First at the cap: if it fails there,
//! no limit helps, and the error says why. Then at the gas it used, which is enough
//! unless the code forwards a share of the gas left (EIP-150 calls) or reads it; if not
//! enough, a binary search between the two finds the least limit that succeeds. Each step
//! is a whole execution, so the answer is exact for the head state, not a guessed margin.

use crate::chain::Chain;
use crate::error::{ChainError, TxError};
use crate::state::{AccountReader, Overlay};
use crate::types::{Action, Address, Receipt, SignedTransaction, Transaction};

/// The result of [`Chain::estimate_gas`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasEstimate {
    /// The least gas limit with which the transaction succeeds (gas units).
    pub gas_limit: u64,
    /// Gas it uses with that limit.
    pub gas_used: u64,
    /// Executions the search took (1 at the cap, 1 at the gas used, then the search's).
    pub executions: u32,
}

impl Chain {
    /// The least gas limit, at most `cap`, with which `action` sent by `from` succeeds on
    /// the head state (see the module docs for the method).
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] if the transaction is invalid for the head state
    /// (nonce aside: the current one is used), e.g. `from` cannot pay its value, or if it
    /// fails even with `cap` gas (the message gives the status and error); storage
    /// failures.
    pub fn estimate_gas(
        &self,
        from: Address,
        action: Action,
        cap: u64,
    ) -> Result<GasEstimate, ChainError> {
        let cap = cap.min(self.config.block_gas_limit);
        // One state and one block context for every execution, even if the head moves.
        let (view, ctx) = self.dry_run_context(None)?;
        let nonce = view.account(&from)?.map_or(0, |a| a.nonce);
        let tx = |gas_limit| SignedTransaction {
            from,
            tx: Transaction {
                chain_id: self.chain_id(),
                nonce,
                gas_limit,
                gas_price: 0,
                action: action.clone(),
            },
            signature: crate::executor::UNSIGNED,
        };
        let mut executions = 0u32;
        let mut run = |gas_limit: u64| -> Result<Receipt, ChainError> {
            executions = executions.saturating_add(1);
            let mut overlay = Overlay::new(&view);
            match self
                .executor
                .execute_unverified(&mut overlay, ctx, &tx(gas_limit))
            {
                Ok(receipt) => Ok(receipt),
                // A credit past u128::MAX: unreachable on a chain whose supply fits in
                // a u128, reachable on a devnet after dev_setBalance. The transaction
                // cannot run; say so instead of reporting a node failure.
                Err(TxError::Chain(ChainError::Corrupt(m))) => Err(ChainError::InvalidCall(m)),
                Err(TxError::Chain(e)) => Err(e),
                Err(e) => Err(ChainError::InvalidCall(e.to_string())),
            }
        };
        let at_cap = run(cap)?;
        if !at_cap.status.is_success() {
            return Err(ChainError::InvalidCall(format!(
                "the transaction fails with gas limit {cap} ({:?}{}): no gas limit makes it \
                 succeed",
                at_cap.status,
                at_cap
                    .error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )));
        }
        // Invariant: `hi` succeeds (with `used` gas), every limit <= `lo` fails.
        let (mut hi, mut used) = (cap, at_cap.gas_used);
        let mut lo = at_cap.gas_used.saturating_sub(1);
        if at_cap.gas_used < cap {
            let r = run(at_cap.gas_used)?;
            if r.status.is_success() {
                hi = at_cap.gas_used;
                used = r.gas_used;
            } else {
                lo = at_cap.gas_used;
            }
        }
        while hi.saturating_sub(lo) > 1 {
            let mid = lo + (hi - lo) / 2;
            let r = run(mid)?;
            if r.status.is_success() {
                hi = mid;
                used = r.gas_used;
            } else {
                lo = mid;
            }
        }
        Ok(GasEstimate {
            gas_limit: hi,
            gas_used: used,
            executions,
        })
    }
}
