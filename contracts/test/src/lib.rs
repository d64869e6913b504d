//! An in-process test harness for Metron contracts: the real Wasm on the real VM and
//! state machine, with the gas a node would charge.
//!
//! A [`Harness`] is a [`metron_node::Chain`] opened with [`ChainConfig::dev`] in a
//! temporary directory (a real RocksDB, deleted when the harness is dropped), the same
//! executor and block producer the node runs: every [`Harness::call`] is a transaction
//! signed with a dev key and sealed in its own block, every [`Harness::query`] a dry run
//! at the head. Receipts, gas, events and state roots are the node's for the same
//! signed transactions (`tests/it/equivalence.rs` checks it against a running node).
//!
//! Arguments are SCALE-encoded tuples, as the SDK's `#[contract]` macro decodes them:
//! `&(to, 250u128)` for `transfer(to: Address, amount: u128)`, `&()` for none. Results,
//! typed errors and events decode into the contract's own types ([`CallOutcome::decode`],
//! [`CallOutcome::revert`], [`CallOutcome::event`]). Every call's gas is recorded per
//! (contract, message) for [`Harness::gas_report`]. The clock moves with
//! [`Harness::increase_time`], [`Harness::set_next_block_timestamp`] and
//! [`Harness::advance_blocks`].
//!
//! A contract crate tests its own Wasm with [`Code::this_crate`] (built for
//! `wasm32-unknown-unknown` by a nested cargo, once per test process).
//!
//! ```
//! use metron_example_macro_token::{Error, Transfer};
//! use metron_test::{Code, Harness};
//!
//! let h = Harness::new();
//! let (alice, bob) = (h.account(0), h.account(1));
//! let token = h
//!     .deploy(alice, &Code::wasm(metron_contracts::MACRO_TOKEN_WASM), &(1_000u128,))
//!     .unwrap();
//!
//! let sent = h.call(alice, token, "transfer", &(bob, 250u128));
//! sent.assert_success();
//! assert_eq!(sent.event::<Transfer>()[0].amount, 250);
//! let balance = h.query(token, "balance_of", &(bob,));
//! assert_eq!(balance.decode::<u128>(), Ok(250));
//!
//! let overdraft = h.call(bob, token, "transfer", &(alice, 1_000u128));
//! assert_eq!(overdraft.revert::<Error>(), Some(Error::InsufficientBalance));
//! println!("{}", h.gas_report());
//! ```

mod code;
mod gas;
mod outcome;

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use ed25519_dalek::SigningKey;
use metron_node::dev::{dev_keys, DEV_BALANCE};
use metron_node::state::Durability;
use metron_node::types::contract_address;
use metron_node::{
    Action, Address, Chain, ChainConfig, ChainError, Hash, SignedTransaction, Transaction, TxError,
};
use parity_scale_codec::Encode;
use tempfile::TempDir;

pub use code::{BuildError, Code, CONTRACT_PROFILE, NESTED_TARGET_SUBDIR};
pub use gas::{GasReport, GasRow, DEPLOY};
pub use outcome::{CallOutcome, DecodeError, Failure};

/// Default gas limit of the harness's transactions and dry runs, in gas units: the
/// node's dry-run cap (`metron_node::service::DEFAULT_DRY_RUN_GAS_CAP`), enough for any
/// deploy of the example contracts. Change it with [`Harness::set_gas_limit`].
pub const DEFAULT_GAS_LIMIT: u64 = 50_000_000;

/// A dev chain in a temporary directory with funded dev accounts. See the crate docs.
///
/// Methods take `&self`; the harness is `Sync` (calls from several threads are sealed
/// one block each, in some order).
pub struct Harness {
    // Before `_dir`: the database closes before its directory is deleted.
    chain: Chain,
    keys: Vec<SigningKey>,
    settings: Mutex<Settings>,
    gas: Mutex<gas::GasLog>,
    _dir: TempDir,
}

#[derive(Debug)]
struct Settings {
    gas_limit: u64,
    /// Contract labels for gas reports.
    labels: BTreeMap<Address, String>,
}

impl Default for Harness {
    fn default() -> Harness {
        Harness::new()
    }
}

impl Harness {
    /// A chain with the devnet configuration ([`ChainConfig::dev`]: chain id 1337, the
    /// 10 dev accounts funded with [`DEV_BALANCE`] each at genesis), so its genesis and
    /// every state root equal a dev node's. Blocks are written without fsync
    /// ([`Durability::NoSync`], not consensus).
    ///
    /// # Panics
    /// If the temporary directory or the database cannot be created.
    pub fn new() -> Harness {
        Harness::open(|_| {}, metron_node::dev::DEV_ACCOUNT_COUNT)
    }

    /// As [`Harness::new`] with the first `n` dev keys funded at genesis instead of 10
    /// (the genesis state, hence every state root, then differs from a dev node's
    /// unless `n` is 10).
    ///
    /// # Panics
    /// If `n` is 0, or as [`Harness::new`].
    pub fn with_accounts(n: usize) -> Harness {
        assert!(n > 0, "a harness needs at least one account");
        Harness::open(
            |config| {
                config.genesis_accounts = dev_keys(n)
                    .iter()
                    .map(|k| (k.verifying_key().to_bytes(), DEV_BALANCE))
                    .collect();
            },
            n,
        )
    }

    /// As [`Harness::new`] with `configure` applied to the chain configuration (e.g. a
    /// VM gas schedule or block gas limit); accounts are the first `accounts` dev keys
    /// (fund them in `genesis_accounts` if `configure` replaces them).
    ///
    /// # Panics
    /// If the temporary directory cannot be created or the chain refuses the
    /// configuration.
    pub fn open(configure: impl FnOnce(&mut ChainConfig), accounts: usize) -> Harness {
        let dir = tempfile::tempdir().expect("metron-test: cannot create a temporary directory");
        let mut config = ChainConfig::dev(dir.path());
        config.durability = Durability::NoSync;
        configure(&mut config);
        let chain = Chain::open(config).unwrap_or_else(|e| panic!("metron-test: {e}"));
        Harness {
            chain,
            keys: dev_keys(accounts),
            settings: Mutex::new(Settings {
                gas_limit: DEFAULT_GAS_LIMIT,
                labels: BTreeMap::new(),
            }),
            gas: Mutex::default(),
            _dir: dir,
        }
    }

    /// The chain, for anything the harness does not wrap (blocks, proofs, receipts).
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Address of dev account `i` (its ed25519 public key; `metron_node::dev::dev_keys`).
    ///
    /// # Panics
    /// If `i` is not below the number of accounts.
    pub fn account(&self, i: usize) -> Address {
        self.key(i).verifying_key().to_bytes()
    }

    /// Signing key of dev account `i`.
    ///
    /// # Panics
    /// If `i` is not below the number of accounts.
    pub fn key(&self, i: usize) -> &SigningKey {
        self.keys.get(i).unwrap_or_else(|| {
            panic!(
                "metron-test: account {i} does not exist (the harness has {})",
                self.keys.len()
            )
        })
    }

    /// Number of dev accounts.
    pub fn accounts(&self) -> usize {
        self.keys.len()
    }

    /// Native balance of `address` at the head, in base units.
    ///
    /// # Panics
    /// On a storage failure.
    pub fn balance(&self, address: Address) -> u128 {
        self.chain.balance(&address, None).unwrap_or_else(fail)
    }

    /// Nonce (transactions sent) of `address` at the head.
    ///
    /// # Panics
    /// On a storage failure.
    pub fn nonce(&self, address: Address) -> u64 {
        self.chain.nonce(&address, None).unwrap_or_else(fail)
    }

    /// Raw value under `key` in `contract`'s storage at the head.
    ///
    /// # Panics
    /// On a storage failure.
    pub fn storage(&self, contract: Address, key: &[u8]) -> Option<Vec<u8>> {
        self.chain
            .storage(&contract, key, None)
            .unwrap_or_else(fail)
    }

    /// State root at the head.
    ///
    /// # Panics
    /// On a storage failure.
    pub fn state_root(&self) -> Hash {
        self.chain.state_root(None).unwrap_or_else(fail)
    }

    /// Height of the head block.
    pub fn block_height(&self) -> u64 {
        self.chain.head_height()
    }

    /// Timestamp of the head block, ms since the Unix epoch.
    pub fn block_timestamp(&self) -> u64 {
        self.chain.head().1.timestamp
    }

    /// Gas limit of later transactions and dry runs, in gas units.
    pub fn gas_limit(&self) -> u64 {
        self.settings().gas_limit
    }

    /// Sets the gas limit of later transactions and dry runs (default
    /// [`DEFAULT_GAS_LIMIT`]; at most the block gas limit, 200 000 000 on dev chains).
    pub fn set_gas_limit(&self, gas: u64) {
        self.settings().gas_limit = gas;
    }

    /// Deploys `code` from `from`, calling its `init` with `args` (SCALE-encoded: a
    /// tuple of `init`'s arguments, `&()` for none). The gas is recorded as [`DEPLOY`].
    ///
    /// # Errors
    /// [`Failure::Build`] if the code cannot be had, [`Failure::Rejected`] if the
    /// transaction is not admitted, [`Failure::Failed`] with the outcome if the deploy
    /// did not succeed (invalid code, `init` trapped or reverted, ...).
    ///
    /// # Panics
    /// If `from` is not a harness account.
    pub fn deploy(
        &self,
        from: Address,
        code: &Code,
        args: &impl Encode,
    ) -> Result<Address, Failure> {
        let outcome = self.deploy_outcome(from, code, args)?;
        match outcome.contract_address() {
            Some(address) if outcome.is_success() => Ok(address),
            _ => Err(Failure::Failed(Box::new(outcome))),
        }
    }

    /// As [`Harness::deploy`], returning the outcome whatever its status (the deploy's
    /// receipt and events: an `init`'s mint event, say).
    ///
    /// # Errors
    /// [`Failure::Build`], [`Failure::Rejected`].
    ///
    /// # Panics
    /// If `from` is not a harness account.
    pub fn deploy_outcome(
        &self,
        from: Address,
        code: &Code,
        args: &impl Encode,
    ) -> Result<CallOutcome, Failure> {
        let bytes = code.bytes()?;
        let nonce = self.nonce(from);
        if let Some(label) = code.label() {
            self.settings()
                .labels
                .insert(contract_address(&from, nonce), label.to_owned());
        }
        let action = Action::Deploy {
            code: bytes.to_vec(),
            init_input: args.encode(),
        };
        Ok(self.send(from, action)?)
    }

    /// Calls `message` of `contract` from `from` with `args` (SCALE-encoded tuple) in a
    /// transaction, sending no value.
    ///
    /// # Panics
    /// If `from` is not a harness account or the transaction is not admitted (bad gas
    /// limit, balance too low for the gas; a contract failure is not a panic: it is the
    /// outcome's status).
    #[track_caller]
    pub fn call(
        &self,
        from: Address,
        contract: Address,
        message: &str,
        args: &impl Encode,
    ) -> CallOutcome {
        self.call_with_value(from, contract, message, args, 0)
    }

    /// As [`Harness::call`], sending `value` base units to the contract (a `#[payable]`
    /// message).
    ///
    /// # Panics
    /// As [`Harness::call`]; also if `from` cannot pay `value`.
    #[track_caller]
    pub fn call_with_value(
        &self,
        from: Address,
        contract: Address,
        message: &str,
        args: &impl Encode,
        value: u128,
    ) -> CallOutcome {
        let action = Action::Call {
            contract,
            method: message.to_owned(),
            input: args.encode(),
            value,
        };
        self.send(from, action)
            .unwrap_or_else(|e| panic!("metron-test: {message}: {e}"))
    }

    /// Signs `action` from `from` with its current nonce, the harness's gas limit and
    /// the chain's minimum gas price (1 on dev chains).
    ///
    /// # Panics
    /// If `from` is not a harness account.
    pub fn sign(&self, from: Address, action: Action) -> SignedTransaction {
        let key = self
            .keys
            .iter()
            .find(|k| k.verifying_key().to_bytes() == from)
            .unwrap_or_else(|| panic!("metron-test: 0x{} is not a harness account", hex(&from)));
        Transaction {
            chain_id: self.chain.chain_id(),
            nonce: self.nonce(from),
            gas_limit: self.gas_limit(),
            gas_price: self.chain.config().min_gas_price,
            action,
        }
        .sign(key)
    }

    /// Signs `action` ([`Harness::sign`]) and submits it ([`Harness::submit`]).
    ///
    /// # Errors
    /// As [`Harness::submit`].
    ///
    /// # Panics
    /// If `from` is not a harness account.
    pub fn send(&self, from: Address, action: Action) -> Result<CallOutcome, TxError> {
        self.submit(self.sign(from, action))
    }

    /// Submits a signed transaction as a node does ([`Chain::submit`]: admission, then
    /// execution in a new block) and returns its outcome; records its gas (calls under
    /// their method, deploys as [`DEPLOY`]; plain transfers are not recorded).
    ///
    /// # Errors
    /// The [`TxError`] if the transaction is not admitted (nothing changes).
    pub fn submit(&self, stx: SignedTransaction) -> Result<CallOutcome, TxError> {
        let hash = self.chain.submit(stx.clone())?;
        let receipt = self
            .chain
            .receipt(&hash)?
            .ok_or_else(|| ChainError::Corrupt("no receipt for a sealed transaction".into()))?;
        let record = match &stx.tx.action {
            Action::Call {
                contract, method, ..
            } => Some((*contract, method.as_str())),
            Action::Deploy { .. } => Some((
                receipt
                    .contract_address
                    .unwrap_or_else(|| contract_address(&stx.from, stx.tx.nonce)),
                DEPLOY,
            )),
            Action::Transfer { .. } => None,
        };
        if let Some((contract, message)) = record {
            self.record(contract, message, receipt.gas_used);
        }
        Ok(CallOutcome::from_receipt(receipt, stx))
    }

    /// Dry-runs `message` of `contract` with `args` at the head from the zero address:
    /// nothing changes, no fee, no nonce. The gas (what a transaction would use) is
    /// recorded.
    ///
    /// # Panics
    /// If the chain refuses the dry run (gas limit below the intrinsic gas or above
    /// the block gas limit) or on a storage failure.
    #[track_caller]
    pub fn query(&self, contract: Address, message: &str, args: &impl Encode) -> CallOutcome {
        self.query_from([0; 32], contract, message, args)
    }

    /// As [`Harness::query`] with `from` as the caller.
    ///
    /// # Panics
    /// As [`Harness::query`].
    #[track_caller]
    pub fn query_from(
        &self,
        from: Address,
        contract: Address,
        message: &str,
        args: &impl Encode,
    ) -> CallOutcome {
        let r = self
            .chain
            .dry_run_call(from, contract, message, args.encode(), 0, self.gas_limit())
            .unwrap_or_else(|e| panic!("metron-test: query {message}: {e}"));
        self.record(contract, message, r.gas_used);
        CallOutcome {
            status: r.status,
            gas_used: r.gas_used,
            return_data: r.return_data,
            events: r.events,
            error: r.error,
            receipt: None,
            transaction: None,
        }
    }

    /// Moves the clock `ms` milliseconds forward for every later block
    /// ([`Chain::increase_time`]). Returns the total offset, in ms.
    pub fn increase_time(&self, ms: u64) -> u64 {
        self.chain.increase_time(ms)
    }

    /// Sets the timestamp of the next block only, ms since the Unix epoch (dry runs
    /// before it see it too).
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] unless `ms` is above the head block's timestamp.
    pub fn set_next_block_timestamp(&self, ms: u64) -> Result<(), ChainError> {
        self.chain.set_next_block_timestamp(ms)
    }

    /// Seals `n` empty blocks. Returns the new head height.
    ///
    /// # Panics
    /// On a storage failure.
    pub fn advance_blocks(&self, n: u64) -> u64 {
        for _ in 0..n {
            self.chain.seal_empty_block().unwrap_or_else(fail);
        }
        self.block_height()
    }

    /// Gas of every call, dry run and deploy so far, per (contract, message).
    pub fn gas_report(&self) -> GasReport {
        self.gas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .report()
    }

    /// Labels `contract` in gas reports (deploys of labelled [`Code`] do this).
    pub fn label(&self, contract: Address, label: impl Into<String>) {
        self.settings().labels.insert(contract, label.into());
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, contract: Address, message: &str, gas: u64) {
        let label = self.settings().labels.get(&contract).cloned();
        self.gas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(contract, label.as_deref(), message, gas);
    }
}

#[track_caller]
fn fail<T>(e: ChainError) -> T {
    panic!("metron-test: {e}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
