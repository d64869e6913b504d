//! The devnet's transaction pool and block producer: mining modes as Anvil's.
//!
//! - **Pool.** Transactions that passed their stateless checks wait here, per sender by
//!   nonce. A transaction whose nonce is ahead of its sender's account nonce is held
//!   until the ones before it are included (at most [`MAX_NONCE_GAP`] ahead). The pool
//!   is bounded ([`Producer::new`]'s capacity); a full pool refuses with
//!   [`TxError::PoolFull`]. Blocks take ready transactions in arrival order, each
//!   sender's in nonce order, up to the block gas limit.
//! - **Mining modes** ([`MiningMode`]): `Auto` seals each ready transaction in a block
//!   of its own as soon as it arrives (instant seal, the default); `Interval` seals a
//!   block every interval with whatever is ready, empty blocks included; `Manual` seals
//!   only on [`Producer::mine`] (`dev_mine`).
//!
//! One thread, [`Producer::run`], seals blocks in `Auto` and `Interval` modes; `mine`
//! seals on the caller's thread. Both hold the pool's lock while they seal, so a
//! transaction is never taken by two blocks.
//!
//! The pool is node policy, not consensus: what a block holds is decided here, and the
//! block's execution checks every rule again ([`Chain::seal_block`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::chain::Chain;
use crate::error::{ChainError, TxError};
use crate::types::{Address, Hash, SignedTransaction};

/// How far ahead of its sender's account nonce a transaction may be and still be held.
pub const MAX_NONCE_GAP: u64 = 64;

/// When the producer seals blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiningMode {
    /// Each ready transaction in a block of its own, as soon as it arrives.
    Auto,
    /// A block every interval (with the ready transactions, or empty).
    Interval(Duration),
    /// Only on [`Producer::mine`].
    Manual,
}

/// Where a submitted transaction's outcome is sent: the hash once it is included, or
/// why it left the pool without being included.
pub type Outcome = oneshot::Receiver<Result<Hash, TxError>>;

struct Pending {
    stx: SignedTransaction,
    hash: Hash,
    /// Arrival order.
    seq: u64,
    waiters: Vec<oneshot::Sender<Result<Hash, TxError>>>,
}

struct State {
    /// Pending transactions by sender, then nonce. BTreeMaps: block contents never
    /// depend on hash-map order.
    by_sender: BTreeMap<Address, BTreeMap<u64, Pending>>,
    /// Sender and nonce of each pending transaction.
    by_hash: BTreeMap<Hash, (Address, u64)>,
    next_seq: u64,
    mode: MiningMode,
    /// When the next interval block is due.
    next_block_at: Instant,
    shutdown: bool,
}

/// The pool and the block producer of a devnet node.
pub struct Producer {
    chain: Arc<Chain>,
    capacity: usize,
    state: Mutex<State>,
    wake: Condvar,
}

impl Producer {
    /// A producer for `chain` holding at most `capacity` (at least 1) pending
    /// transactions, mining in `mode`. Start [`Producer::run`] on a thread for `Auto` and
    /// `Interval`.
    pub fn new(chain: Arc<Chain>, capacity: usize, mode: MiningMode) -> Producer {
        Producer {
            chain,
            capacity: capacity.max(1),
            state: Mutex::new(State {
                by_sender: BTreeMap::new(),
                by_hash: BTreeMap::new(),
                next_seq: 0,
                mode,
                next_block_at: Instant::now() + interval_of(mode),
                shutdown: false,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is consistent between statements: a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `stx` (which passed [`Chain::check_stateless`]) to the pool. Returns its hash
    /// and, if `wait` and every nonce between the account's and its own is pending (no
    /// gap), where its outcome will be sent. Submitting a pending transaction again is not
    /// an error.
    ///
    /// # Errors
    /// [`TxError::BadNonce`] for a nonce below the account's, [`TxError::NonceTooFarAhead`],
    /// [`TxError::AlreadyPending`] for another transaction with the same sender and
    /// nonce, [`TxError::InsufficientBalance`] / [`TxError::CostOverflow`] against the
    /// head state, [`TxError::PoolFull`], storage failures.
    pub fn submit(
        &self,
        stx: SignedTransaction,
        wait: bool,
    ) -> Result<(Hash, Option<Outcome>), TxError> {
        let hash = stx.hash();
        let mut st = self.lock();
        let account = self.chain.account(&stx.from, None)?;
        // A transaction behind a nonce gap is answered at once, whatever `wait`: its
        // inclusion waits for a transaction nobody may ever send.
        let queued = st.by_sender.get(&stx.from);
        let gapless =
            (account.nonce..stx.tx.nonce).all(|n| queued.is_some_and(|q| q.contains_key(&n)));
        let wait = wait && gapless;
        let (tx, rx) = oneshot::channel();
        let outcome = wait.then_some(rx);
        if let Some((sender, nonce)) = st.by_hash.get(&hash).copied() {
            if let Some(p) = st
                .by_sender
                .get_mut(&sender)
                .and_then(|q| q.get_mut(&nonce))
            {
                if wait {
                    p.waiters.push(tx);
                }
            }
            return Ok((hash, outcome));
        }
        let nonce = stx.tx.nonce;
        if nonce < account.nonce {
            return Err(TxError::BadNonce {
                expected: account.nonce,
                got: nonce,
            });
        }
        if nonce - account.nonce > MAX_NONCE_GAP {
            return Err(TxError::NonceTooFarAhead {
                expected: account.nonce,
                got: nonce,
                max_gap: MAX_NONCE_GAP,
            });
        }
        if let Some(p) = st.by_sender.get(&stx.from).and_then(|q| q.get(&nonce)) {
            return Err(TxError::AlreadyPending {
                nonce,
                pending: hex::encode(p.hash),
            });
        }
        let need = u128::from(stx.tx.gas_limit)
            .checked_mul(stx.tx.gas_price)
            .and_then(|fee| fee.checked_add(stx.tx.action.value()))
            .ok_or(TxError::CostOverflow)?;
        if account.balance < need {
            return Err(TxError::InsufficientBalance {
                need,
                have: account.balance,
            });
        }
        if st.by_hash.len() >= self.capacity {
            return Err(TxError::PoolFull {
                capacity: self.capacity,
            });
        }
        let seq = st.next_seq;
        st.next_seq += 1;
        st.by_hash.insert(hash, (stx.from, nonce));
        let from = stx.from;
        st.by_sender.entry(from).or_default().insert(
            nonce,
            Pending {
                stx,
                hash,
                seq,
                waiters: if wait { vec![tx] } else { Vec::new() },
            },
        );
        drop(st);
        self.wake.notify_all();
        Ok((hash, outcome))
    }

    /// The pending transactions, in arrival order.
    pub fn pending(&self) -> Vec<SignedTransaction> {
        let st = self.lock();
        let mut all: Vec<&Pending> = st.by_sender.values().flat_map(|q| q.values()).collect();
        all.sort_by_key(|p| p.seq);
        all.into_iter().map(|p| p.stx.clone()).collect()
    }

    /// Removes a pending transaction; its waiters get [`TxError::Dropped`]. `false` if it
    /// is not pending. Later nonces of the same sender stay, held until the gap is filled.
    pub fn drop_tx(&self, hash: &Hash) -> bool {
        let mut st = self.lock();
        let Some((sender, nonce)) = st.by_hash.remove(hash) else {
            return false;
        };
        if let Some(p) = remove(&mut st.by_sender, &sender, nonce) {
            for w in p.waiters {
                let _ = w.send(Err(TxError::Dropped));
            }
        }
        true
    }

    /// The mining mode.
    pub fn mode(&self) -> MiningMode {
        self.lock().mode
    }

    /// Switches the mining mode; an interval starts counting now.
    pub fn set_mode(&self, mode: MiningMode) {
        let mut st = self.lock();
        st.mode = mode;
        st.next_block_at = Instant::now() + interval_of(mode);
        drop(st);
        self.wake.notify_all();
    }

    /// Seals `blocks` blocks now, in any mode: each takes the ready transactions up to
    /// the block gas limit, or is empty.
    ///
    /// # Errors
    /// Node failures.
    pub fn mine(&self, blocks: u64) -> Result<(), ChainError> {
        let mut st = self.lock();
        for _ in 0..blocks {
            self.produce(&mut st, usize::MAX, true)?;
        }
        Ok(())
    }

    /// Stops [`Producer::run`].
    pub fn shutdown(&self) {
        self.lock().shutdown = true;
        self.wake.notify_all();
    }

    /// The producer loop: seals blocks in `Auto` and `Interval` modes until
    /// [`Producer::shutdown`]. Block failures are logged; the loop goes on.
    pub fn run(&self) {
        let mut st = self.lock();
        while !st.shutdown {
            let result = match st.mode {
                MiningMode::Auto => match self.produce(&mut st, 1, false) {
                    Ok(true) => continue,
                    Ok(false) => None,
                    Err(e) => Some(e),
                },
                MiningMode::Interval(every) => {
                    let now = Instant::now();
                    if now >= st.next_block_at {
                        // The next slot counts from its due time, so blocks keep the
                        // interval's rhythm; one that fell far behind restarts from now.
                        st.next_block_at = (st.next_block_at + every).max(now);
                        self.produce(&mut st, usize::MAX, true).err()
                    } else {
                        None
                    }
                }
                MiningMode::Manual => None,
            };
            let failed = result.is_some();
            if let Some(e) = result {
                tracing::error!(error = %e, "block production failed");
            }
            st = match st.mode {
                MiningMode::Interval(_) => {
                    let wait = st.next_block_at.saturating_duration_since(Instant::now());
                    self.wake
                        .wait_timeout(st, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                MiningMode::Auto if failed => {
                    // A failing block must not spin: retry after a pause.
                    self.wake
                        .wait_timeout(st, Duration::from_millis(100))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                _ => self.wake.wait(st).unwrap_or_else(PoisonError::into_inner),
            };
        }
    }

    /// Seals one block with up to `max_txs` ready transactions (none: only if
    /// `seal_empty`). Returns whether anything changed (a block was sealed, or picked
    /// transactions were rejected and left the pool).
    fn produce(
        &self,
        st: &mut State,
        max_txs: usize,
        seal_empty: bool,
    ) -> Result<bool, ChainError> {
        let picked = self.pick(st, max_txs)?;
        if picked.is_empty() && !seal_empty {
            return Ok(false);
        }
        let txs = picked.iter().map(|(_, stx)| stx.clone()).collect();
        let sealed = self.chain.seal_block(txs, seal_empty)?;
        for hash in &sealed.included {
            self.finish(st, hash, Ok(*hash));
        }
        // A transaction the block left out leaves the pool with why.
        for (hash, err) in sealed.rejected {
            self.finish(st, &hash, Err(err));
        }
        // Progress: a block, or a pool that shrank.
        Ok(sealed.hash.is_some() || !picked.is_empty())
    }

    /// Removes `hash` from the pool and sends its outcome to its waiters.
    fn finish(&self, st: &mut State, hash: &Hash, outcome: Result<Hash, TxError>) {
        let Some((sender, nonce)) = st.by_hash.remove(hash) else {
            return;
        };
        if let Some(p) = remove(&mut st.by_sender, &sender, nonce) {
            for w in p.waiters {
                let _ = w.send(outcome.clone());
            }
        }
    }

    /// The ready transactions for the next block, in arrival order, each sender's in
    /// nonce order from its account nonce, while their gas limits fit the block. Drops
    /// (with [`TxError::BadNonce`]) the pending ones whose nonce the chain has passed.
    fn pick(
        &self,
        st: &mut State,
        max_txs: usize,
    ) -> Result<Vec<(Hash, SignedTransaction)>, ChainError> {
        // Each sender's next nonce, from the head state.
        let mut next: BTreeMap<Address, u64> = BTreeMap::new();
        let mut stale = Vec::new();
        for (sender, queue) in &st.by_sender {
            let nonce = self.chain.nonce(sender, None)?;
            stale.extend(queue.range(..nonce).map(|(n, p)| {
                (
                    p.hash,
                    TxError::BadNonce {
                        expected: nonce,
                        got: *n,
                    },
                )
            }));
            next.insert(*sender, nonce);
        }
        for (hash, err) in stale {
            self.finish(st, &hash, Err(err));
        }
        let limit = self.chain.config().block_gas_limit;
        let mut gas: u64 = 0;
        let mut picked = Vec::new();
        while picked.len() < max_txs {
            // The earliest-arrived among each sender's next transaction.
            let candidate = next
                .iter()
                .filter_map(|(sender, nonce)| {
                    st.by_sender
                        .get(sender)
                        .and_then(|q| q.get(nonce))
                        .map(|p| (p.seq, *sender))
                })
                .min();
            let Some((_, sender)) = candidate else { break };
            let nonce = next[&sender];
            let Some(p) = st.by_sender.get(&sender).and_then(|q| q.get(&nonce)) else {
                break;
            };
            match gas.checked_add(p.stx.tx.gas_limit).filter(|g| *g <= limit) {
                Some(total) => gas = total,
                None => break,
            }
            picked.push((p.hash, p.stx.clone()));
            // Nonce u64::MAX (reachable with dev_setNonce) has no successor.
            match nonce.checked_add(1) {
                Some(n) => next.insert(sender, n),
                None => next.remove(&sender),
            };
        }
        Ok(picked)
    }
}

fn remove(
    by_sender: &mut BTreeMap<Address, BTreeMap<u64, Pending>>,
    sender: &Address,
    nonce: u64,
) -> Option<Pending> {
    let queue = by_sender.get_mut(sender)?;
    let p = queue.remove(&nonce);
    if queue.is_empty() {
        by_sender.remove(sender);
    }
    p
}

fn interval_of(mode: MiningMode) -> Duration {
    match mode {
        MiningMode::Interval(d) => d,
        _ => Duration::ZERO,
    }
}
