//! Transaction validation and execution over a state [`Overlay`].
//!
//! Gas and fees:
//! - intrinsic gas = [`TX_BASE_GAS`] + [`TX_GAS_PER_BYTE`] per byte of the SCALE-encoded
//!   signed transaction, plus [`DEPLOY_GAS_PER_BYTE`] per byte of code for a deploy (this
//!   pays for compilation, which is linear in the code size);
//! - a call's execution meter first pays [`code_load_gas`] for the contract's code (its
//!   read and, on a module cache miss, its compilation; charged hit or miss);
//! - the sender pays `gas_limit * gas_price` up front (with the nonce increment), execution
//!   runs with a meter of `gas_limit - intrinsic`, and the unused part is refunded;
//! - the fee `gas_used * gas_price` is burned (the devnet has no block producer account).
//!
//! A failed transaction (trap, out of gas, invalid code, unknown method) reverts its own
//! writes (including the value transfer) through an overlay checkpoint, but keeps the fee
//! payment and the nonce increment.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use metron_vm::{Config, GasMeter, Instance, InstantiationError, Module, Trap, TrapKind};
use parity_scale_codec::Encode;

use crate::error::{ChainError, TxError};
use crate::host::{BlockContext, CallContext, ContractHost, Frame};
use crate::state::{CodeReader, Overlay, StateReader};
use crate::types::{
    contract_address, keccak256, Action, Address, CallResult, Event, Hash, Receipt, ReceiptStatus,
    SignedTransaction, TrapCode,
};

/// Gas charged for every transaction: its fixed work, measured as whole transactions
/// through `Chain::submit` at a million keys (`examples/host_gas`, `docs/gas.md`): the
/// signature check, the sender's account update, the block commit, and for a failed
/// call its revert and receipt (a transfer 150-270 µs; a call doing nothing, an aborting
/// call and a call of a missing method 130-230 µs with their code load).
pub const TX_BASE_GAS: u64 = 400_000;
/// Gas per byte of the SCALE-encoded signed transaction.
pub const TX_GAS_PER_BYTE: u64 = 16;
/// Additional gas per byte of code in a deploy (covers compilation).
pub const DEPLOY_GAS_PER_BYTE: u64 = 200;
/// Gas per byte of a contract's code outside its data and custom sections, charged on
/// every call before the module is looked up ([`code_load_gas`]). A call that misses the
/// module cache reads the code and compiles it, and its gas may not depend on the cache.
/// Compilation with the node's config runs at 17-22 ns per byte for real modules and at
/// most 77 ns per byte for the adversarial ones (`examples/host_gas`, `docs/gas.md`).
pub const CODE_LOAD_GAS_PER_BYTE: u64 = 100;
/// Gas per byte of a contract's data and custom sections on every call: read and copied
/// by compilation, never translated.
pub const CODE_LOAD_GAS_PER_DATA_BYTE: u64 = 5;
/// Gas per data segment of a contract on every call: compilation validates and stores each
/// segment (about 230 ns each for 1000 one-byte segments, the most the limits allow).
pub const CODE_LOAD_GAS_PER_DATA_SEGMENT: u64 = 1_000;
/// Gas per section header of a contract's module on every call (the version header and
/// the end count as one each): read by [`code_load_gas`] and again by compilation.
pub const CODE_LOAD_GAS_PER_SECTION: u64 = 200;
/// Largest accepted SCALE-encoded signed transaction, in bytes (1 MiB; the VM's own code
/// size limit is lower and yields an `InvalidCode` receipt).
pub const MAX_TX_BYTES: usize = 1024 * 1024;
/// Method names with this prefix can only run at deploy.
pub const RESERVED_METHOD_PREFIX: &str = "init";

/// Intrinsic gas of a transaction whose SCALE encoding is `encoded_len` bytes.
pub fn intrinsic_gas(stx: &SignedTransaction, encoded_len: usize) -> u64 {
    let bytes = u64::try_from(encoded_len).unwrap_or(u64::MAX);
    let mut gas = TX_BASE_GAS.saturating_add(bytes.saturating_mul(TX_GAS_PER_BYTE));
    if let Action::Deploy { code, .. } = &stx.tx.action {
        let code_len = u64::try_from(code.len()).unwrap_or(u64::MAX);
        gas = gas.saturating_add(code_len.saturating_mul(DEPLOY_GAS_PER_BYTE));
    }
    gas
}

/// Gas a call pays to load contract `code` (bytes of a module that validated at deploy):
/// [`CODE_LOAD_GAS_PER_DATA_BYTE`] per byte of its data and custom sections (headers
/// included) plus [`CODE_LOAD_GAS_PER_DATA_SEGMENT`] per data segment,
/// [`CODE_LOAD_GAS_PER_BYTE`] per other byte, and [`CODE_LOAD_GAS_PER_SECTION`] per
/// section. Only section headers and the data section's
/// segment count are read (one step per section, no validation); code that does not parse
/// as a sequence of sections is charged [`CODE_LOAD_GAS_PER_BYTE`] for every byte.
pub fn code_load_gas(code: &[u8]) -> u64 {
    let total = len64(code.len());
    let shape = section_shape(code).unwrap_or_default();
    let data = shape.data_bytes.min(total);
    (total - data)
        .saturating_mul(CODE_LOAD_GAS_PER_BYTE)
        .saturating_add(data.saturating_mul(CODE_LOAD_GAS_PER_DATA_BYTE))
        .saturating_add(
            shape
                .segments
                .saturating_mul(CODE_LOAD_GAS_PER_DATA_SEGMENT),
        )
        .saturating_add(shape.sections.saturating_mul(CODE_LOAD_GAS_PER_SECTION))
}

/// What [`code_load_gas`] reads of a module's section headers.
#[derive(Default)]
struct SectionShape {
    /// Bytes of the data and custom sections, headers included.
    data_bytes: u64,
    /// Data segments.
    segments: u64,
    /// Sections, every kind (custom sections have no count limit: a module of 3-byte
    /// custom sections is all headers, each read on every call and at compilation).
    sections: u64,
}

/// The [`SectionShape`] of `code`, or `None` if `code` does not parse as a module's
/// sequence of sections.
fn section_shape(code: &[u8]) -> Option<SectionShape> {
    use wasmparser::{Chunk, Parser, Payload};
    let mut parser = Parser::new(0);
    let mut offset = 0usize;
    let mut shape = SectionShape::default();
    loop {
        let (consumed, payload) = match parser.parse(code.get(offset..)?, true).ok()? {
            Chunk::NeedMoreData(_) => return None,
            Chunk::Parsed { consumed, payload } => (consumed, payload),
        };
        offset = offset.checked_add(consumed)?;
        shape.sections += 1;
        match payload {
            // The section's body is skipped, not read entry by entry.
            Payload::CodeSectionStart { size, .. } => {
                parser.skip_section();
                offset = offset.checked_add(usize::try_from(size).ok()?)?;
            }
            Payload::DataSection(reader) => {
                shape.data_bytes += len64(consumed);
                shape.segments += u64::from(reader.count());
            }
            Payload::CustomSection(_) => shape.data_bytes += len64(consumed),
            Payload::End(_) => return Some(shape),
            _ => {}
        }
    }
}

/// The least [`code_load_gas`] of any code of `len` bytes: every byte at the lowest
/// per-byte rate. Known from the length alone, before the code is read.
pub fn code_load_lower_bound(len: u64) -> u64 {
    len.saturating_mul(CODE_LOAD_GAS_PER_BYTE.min(CODE_LOAD_GAS_PER_DATA_BYTE))
}

fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// Compiled modules by code hash, at most [`MODULE_CACHE_BYTES`] of them
/// ([`Module::compiled_bytes`]), the least recently used evicted first.
///
/// A pure cache: a module is the deterministic result of compiling the code with the
/// chain's fixed VM config, so a hit or a miss never changes gas or results (compilation
/// is charged per byte at deploy). The maps are only used for lookups and the
/// eviction order (ticks), never for anything that enters consensus. Keyed by code hash
/// alone because one `Chain` has one VM config.
///
/// A miss recompiles at no gas: bounded (linear in the code, at most the VM's 512 KiB
/// code limit per module) but free to the caller; persisting compiled modules with the
/// code would remove it (`docs/gas.md`).
pub struct ModuleCache {
    inner: Mutex<CacheInner>,
    capacity: usize,
}

/// Default byte budget of [`ModuleCache`]: 256 MiB of compiled modules.
pub const MODULE_CACHE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Default)]
struct CacheInner {
    modules: HashMap<Hash, CacheEntry>,
    /// Last use tick -> code hash: the first entry is the least recently used.
    by_use: BTreeMap<u64, Hash>,
    tick: u64,
    bytes: usize,
}

struct CacheEntry {
    module: Module,
    bytes: usize,
    last_use: u64,
}

impl Default for ModuleCache {
    fn default() -> Self {
        ModuleCache::with_capacity(MODULE_CACHE_BYTES)
    }
}

impl ModuleCache {
    /// A cache holding at most `capacity` bytes of compiled modules (a module larger
    /// than that is compiled and returned but not kept).
    pub fn with_capacity(capacity: usize) -> ModuleCache {
        ModuleCache {
            inner: Mutex::new(CacheInner::default()),
            capacity,
        }
    }

    /// The compiled module of `code` (whose hash is `code_hash`), compiling on a miss.
    ///
    /// # Errors
    /// The VM's compile error.
    pub fn get_or_compile(
        &self,
        config: &Config,
        code_hash: &Hash,
        code: &[u8],
    ) -> Result<Module, metron_vm::Error> {
        if let Some(m) = self.lock().touch(code_hash) {
            return Ok(m);
        }
        // Compiled outside the lock: other lookups go on meanwhile.
        let module = Module::new(config, code)?;
        self.lock()
            .insert(*code_hash, module.clone(), self.capacity);
        Ok(module)
    }

    /// Number of modules held and their [`Module::compiled_bytes`] in all.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.modules.len(), inner.bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        // A poisoned cache is still a valid cache (entries are immutable).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CacheInner {
    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The module of `hash`, marked most recently used.
    fn touch(&mut self, hash: &Hash) -> Option<Module> {
        let tick = self.next_tick();
        let e = self.modules.get_mut(hash)?;
        self.by_use.remove(&e.last_use);
        e.last_use = tick;
        self.by_use.insert(tick, *hash);
        Some(e.module.clone())
    }

    fn insert(&mut self, hash: Hash, module: Module, capacity: usize) {
        let bytes = module.compiled_bytes();
        if bytes > capacity || self.modules.contains_key(&hash) {
            return;
        }
        while self.bytes + bytes > capacity {
            let Some((_, lru)) = self.by_use.pop_first() else {
                break;
            };
            if let Some(e) = self.modules.remove(&lru) {
                self.bytes -= e.bytes;
            }
        }
        let tick = self.next_tick();
        self.by_use.insert(tick, hash);
        self.bytes += bytes;
        self.modules.insert(
            hash,
            CacheEntry {
                module,
                bytes,
                last_use: tick,
            },
        );
    }
}

/// Executes transactions for one chain configuration.
#[derive(Clone)]
pub struct Executor {
    /// Chain id transactions must carry.
    pub chain_id: u64,
    /// Per-transaction (and per-block) gas limit.
    pub block_gas_limit: u64,
    /// VM configuration (part of consensus).
    pub vm: Config,
    /// Compiled module cache.
    pub cache: Arc<ModuleCache>,
    /// Senders whose transactions are accepted without a signature (devnet
    /// impersonation; empty on any other chain).
    pub impersonation: Arc<Impersonation>,
    /// Records the call frames and host calls of what this executor runs
    /// (`contract_trace`); `None` (no cost) except on a tracing copy.
    pub tracer: Option<Arc<crate::trace::Tracer>>,
}

/// The senders a devnet accepts unsigned transactions from: `dev_impersonate`d
/// addresses, or every address with `--auto-impersonate`. An unsigned transaction
/// carries an all-zero signature; a block holding one does not verify on any other node,
/// which is why only the devnet (one node, no block import) offers this.
#[derive(Debug, Default)]
pub struct Impersonation {
    /// Every sender is accepted unsigned.
    all: std::sync::atomic::AtomicBool,
    /// What `all` returns to on [`Impersonation::clear`] (`--auto-impersonate`).
    all_by_default: std::sync::atomic::AtomicBool,
    /// Senders accepted unsigned (a BTreeSet: no hash-order dependence anywhere).
    addresses: std::sync::RwLock<std::collections::BTreeSet<Address>>,
}

impl Impersonation {
    /// Accepts unsigned transactions from `address`.
    pub fn start(&self, address: Address) {
        self.write().insert(address);
    }

    /// Stops accepting unsigned transactions from `address`; true if it was impersonated.
    pub fn stop(&self, address: &Address) -> bool {
        self.write().remove(address)
    }

    /// Accepts unsigned transactions from every sender (`true`) or only from the
    /// impersonated ones (`false`).
    pub fn set_all(&self, all: bool) {
        self.all.store(all, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether an unsigned transaction from `address` is accepted.
    pub fn allows(&self, address: &Address) -> bool {
        self.all.load(std::sync::atomic::Ordering::SeqCst)
            || self
                .addresses
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(address)
    }

    /// Accepts unsigned transactions from every sender, now and after every
    /// [`Impersonation::clear`] (the node's `--auto-impersonate`).
    pub fn set_all_by_default(&self, all: bool) {
        self.all_by_default
            .store(all, std::sync::atomic::Ordering::SeqCst);
        self.set_all(all);
    }

    /// Forgets every impersonated address and returns `all` to its default (off unless
    /// [`Impersonation::set_all_by_default`]).
    pub fn clear(&self) {
        self.set_all(
            self.all_by_default
                .load(std::sync::atomic::Ordering::SeqCst),
        );
        self.write().clear();
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, std::collections::BTreeSet<Address>> {
        self.addresses
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The signature of an unsigned (impersonated) transaction.
pub const UNSIGNED: [u8; 64] = [0; 64];

/// Outcome of running contract code.
pub(crate) struct Outcome {
    pub(crate) status: ReceiptStatus,
    /// Gas used by execution (excluding intrinsic gas).
    pub(crate) exec_gas: u64,
    pub(crate) return_data: Vec<u8>,
    pub(crate) events: Vec<Event>,
    pub(crate) contract_address: Option<Address>,
    pub(crate) error: Option<String>,
}

impl Outcome {
    fn failed(status: ReceiptStatus, exec_gas: u64, error: impl Into<String>) -> Outcome {
        Outcome {
            status,
            exec_gas,
            return_data: Vec::new(),
            events: Vec::new(),
            contract_address: None,
            error: Some(error.into()),
        }
    }
}

fn trap_code(kind: TrapKind) -> Option<TrapCode> {
    // Exhaustive on purpose: a new VM trap kind must be mapped deliberately.
    Some(match kind {
        TrapKind::Unreachable => TrapCode::Unreachable,
        TrapKind::IntegerDivideByZero => TrapCode::IntegerDivideByZero,
        TrapKind::IntegerOverflow => TrapCode::IntegerOverflow,
        TrapKind::InvalidConversionToInteger => TrapCode::InvalidConversionToInteger,
        TrapKind::MemoryOutOfBounds => TrapCode::MemoryOutOfBounds,
        TrapKind::TableOutOfBounds => TrapCode::TableOutOfBounds,
        TrapKind::IndirectCallTypeMismatch => TrapCode::IndirectCallTypeMismatch,
        TrapKind::NullReference => TrapCode::NullReference,
        TrapKind::UninitializedElement => TrapCode::UninitializedElement,
        TrapKind::CallStackExhausted => TrapCode::CallStackExhausted,
        TrapKind::Host => TrapCode::Host,
        TrapKind::OutOfGas => return None,
    })
}

/// The checks that need no state: size, chain id, signature, gas limit against the block
/// limit and the intrinsic gas. They run before a transaction waits for the block
/// producer, so a transaction that fails them costs the node no lock and no state read.
///
/// # Errors
/// The first failed check, in the order above: [`TxError::TooLarge`],
/// [`TxError::WrongChainId`], [`TxError::InvalidPublicKey`] / [`TxError::InvalidSignature`],
/// [`TxError::GasLimitTooHigh`], [`TxError::IntrinsicGas`].
pub fn validate_stateless(
    exec: &Executor,
    stx: &SignedTransaction,
    encoded_len: usize,
) -> Result<(), TxError> {
    check_stateless(exec, stx, encoded_len, true)
}

/// [`validate_stateless`], with the signature check skipped when `verify_signature` is
/// false (gas estimation runs transactions nobody signed).
fn check_stateless(
    exec: &Executor,
    stx: &SignedTransaction,
    encoded_len: usize,
    verify_signature: bool,
) -> Result<(), TxError> {
    if encoded_len > MAX_TX_BYTES {
        return Err(TxError::TooLarge {
            size: encoded_len,
            limit: MAX_TX_BYTES,
        });
    }
    let tx = &stx.tx;
    if tx.chain_id != exec.chain_id {
        return Err(TxError::WrongChainId {
            expected: exec.chain_id,
            got: tx.chain_id,
        });
    }
    // An all-zero signature never verifies; it marks an impersonated sender's
    // transaction, accepted only while the devnet impersonates that sender.
    if verify_signature && !(stx.signature == UNSIGNED && exec.impersonation.allows(&stx.from)) {
        stx.verify()?;
    }
    if tx.gas_limit > exec.block_gas_limit {
        return Err(TxError::GasLimitTooHigh {
            gas_limit: tx.gas_limit,
            block_gas_limit: exec.block_gas_limit,
        });
    }
    let intrinsic = intrinsic_gas(stx, encoded_len);
    if tx.gas_limit < intrinsic {
        return Err(TxError::IntrinsicGas {
            gas_limit: tx.gas_limit,
            intrinsic,
        });
    }
    Ok(())
}

/// Validates a transaction against `state` (the state it would execute on): the
/// stateless checks of [`validate_stateless`], then nonce, cost overflow and balance.
///
/// # Errors
/// The first failed check, in this order: size, chain id, signature, gas limit (block
/// limit, intrinsic), nonce, cost overflow, balance.
pub fn validate<S: StateReader>(
    exec: &Executor,
    state: &Overlay<'_, S>,
    stx: &SignedTransaction,
    encoded_len: usize,
) -> Result<(), TxError> {
    check_state(exec, state, stx, encoded_len, true)
}

/// [`validate`], with the signature check skipped when `verify_signature` is false.
fn check_state<S: StateReader>(
    exec: &Executor,
    state: &Overlay<'_, S>,
    stx: &SignedTransaction,
    encoded_len: usize,
    verify_signature: bool,
) -> Result<(), TxError> {
    check_stateless(exec, stx, encoded_len, verify_signature)?;
    let tx = &stx.tx;
    let sender = state.get_account(&stx.from)?;
    if tx.nonce != sender.nonce {
        return Err(TxError::BadNonce {
            expected: sender.nonce,
            got: tx.nonce,
        });
    }
    let need = u128::from(tx.gas_limit)
        .checked_mul(tx.gas_price)
        .and_then(|fee| fee.checked_add(tx.action.value()))
        .ok_or(TxError::CostOverflow)?;
    if sender.balance < need {
        return Err(TxError::InsufficientBalance {
            need,
            have: sender.balance,
        });
    }
    Ok(())
}

fn add_balance<S: StateReader>(
    overlay: &mut Overlay<'_, S>,
    addr: &Address,
    amount: u128,
) -> Result<(), ChainError> {
    let mut acct = overlay.get_account(addr)?;
    // Cannot overflow: genesis total supply fits in u128 and fees only burn.
    acct.balance = acct
        .balance
        .checked_add(amount)
        .ok_or_else(|| ChainError::Corrupt("balance overflow".into()))?;
    overlay.set_account(*addr, acct);
    Ok(())
}

/// Moves `amount` from `from` to `to`; `false` (and no change) if `from` holds less.
pub(crate) fn transfer_value<S: StateReader>(
    overlay: &mut Overlay<'_, S>,
    from: &Address,
    to: &Address,
    amount: u128,
) -> Result<bool, ChainError> {
    if !sub_balance(overlay, from, amount)? {
        return Ok(false);
    }
    add_balance(overlay, to, amount)?;
    Ok(true)
}

fn sub_balance<S: StateReader>(
    overlay: &mut Overlay<'_, S>,
    addr: &Address,
    amount: u128,
) -> Result<bool, ChainError> {
    let mut acct = overlay.get_account(addr)?;
    match acct.balance.checked_sub(amount) {
        Some(b) => {
            acct.balance = b;
            overlay.set_account(*addr, acct);
            Ok(true)
        }
        None => Ok(false),
    }
}

impl Executor {
    /// Executes a validated transaction at position `index` of a block, writing its effects
    /// to `overlay`, and returns its receipt.
    ///
    /// # Errors
    /// A transaction that fails [`validate`] (it cannot be included), or a node failure
    /// ([`TxError::Chain`]). Every contract failure is a receipt status, not an error.
    pub fn execute_tx<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        stx: &SignedTransaction,
        index: u32,
    ) -> Result<Receipt, TxError> {
        self.execute(overlay, block, stx, index, true)
    }

    /// [`Executor::execute_tx`] without the signature check: for dry runs of a whole
    /// transaction (gas estimation), never for a block.
    ///
    /// # Errors
    /// As [`Executor::execute_tx`], less the signature errors.
    pub(crate) fn execute_unverified<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        stx: &SignedTransaction,
    ) -> Result<Receipt, TxError> {
        self.execute(overlay, block, stx, 0, false)
    }

    /// [`Executor::execute_tx`] at block position `index`, checking the signature or
    /// not (re-executions for traces, of transactions already in a block).
    pub(crate) fn execute<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        stx: &SignedTransaction,
        index: u32,
        verify_signature: bool,
    ) -> Result<Receipt, TxError> {
        let encoded_len = stx.encoded_size();
        check_state(self, overlay, stx, encoded_len, verify_signature)?;
        let tx = &stx.tx;
        let intrinsic = intrinsic_gas(stx, encoded_len);
        let max_fee = u128::from(tx.gas_limit).saturating_mul(tx.gas_price);

        // Buy gas and bump the nonce: kept whatever happens next.
        let mut sender = overlay.get_account(&stx.from)?;
        sender.balance = sender.balance.saturating_sub(max_fee);
        sender.nonce = sender.nonce.saturating_add(1);
        overlay.set_account(stx.from, sender);

        let checkpoint = overlay.checkpoint();
        let budget = tx.gas_limit.saturating_sub(intrinsic);
        let outcome = match &tx.action {
            Action::Transfer { to, amount } => {
                if !sub_balance(overlay, &stx.from, *amount)? {
                    return Err(ChainError::Corrupt("validated transfer underflow".into()).into());
                }
                add_balance(overlay, to, *amount)?;
                Outcome {
                    status: ReceiptStatus::Success,
                    exec_gas: 0,
                    return_data: Vec::new(),
                    events: Vec::new(),
                    contract_address: None,
                    error: None,
                }
            }
            Action::Deploy { code, init_input } => self.deploy(
                overlay, block, &stx.from, tx.nonce, code, init_input, budget,
            )?,
            Action::Call {
                contract,
                method,
                input,
                value,
            } => self.run_call(
                overlay,
                block,
                &stx.from,
                contract,
                method,
                input.clone(),
                *value,
                budget,
                Frame::default(),
            )?,
        };
        if !outcome.status.is_success() {
            overlay.revert(checkpoint);
        }
        let gas_used = if outcome.status == ReceiptStatus::OutOfGas {
            tx.gas_limit
        } else {
            intrinsic.saturating_add(outcome.exec_gas).min(tx.gas_limit)
        };
        let refund = u128::from(tx.gas_limit - gas_used).saturating_mul(tx.gas_price);
        add_balance(overlay, &stx.from, refund)?;
        Ok(Receipt {
            tx_hash: stx.hash(),
            block_height: block.height,
            index,
            status: outcome.status,
            gas_used,
            fee: u128::from(gas_used).saturating_mul(tx.gas_price),
            return_data: outcome.return_data,
            events: outcome.events,
            contract_address: outcome.contract_address,
            error: outcome.error,
        })
    }

    /// Runs a call without a transaction: no signature, nonce or fee; `value` moves from
    /// `from` to the contract inside `overlay`. `gas_used` includes the intrinsic gas of the
    /// equivalent signed transaction.
    ///
    /// # Errors
    /// [`ChainError::InvalidCall`] if the gas limit does not cover the intrinsic gas or
    /// `from` cannot pay `value`; node failures.
    #[allow(clippy::too_many_arguments)]
    pub fn dry_run_call<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        from: Address,
        contract: Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        gas_limit: u64,
    ) -> Result<CallResult, ChainError> {
        let nonce = overlay.get_account(&from)?.nonce;
        let equivalent = SignedTransaction {
            from,
            tx: crate::types::Transaction {
                chain_id: self.chain_id,
                nonce,
                gas_limit,
                gas_price: 0,
                action: Action::Call {
                    contract,
                    method: method.to_owned(),
                    input,
                    value,
                },
            },
            signature: [0; 64],
        };
        let intrinsic = intrinsic_gas(&equivalent, equivalent.encoded_size());
        if gas_limit < intrinsic {
            return Err(ChainError::InvalidCall(format!(
                "gas limit {gas_limit} below intrinsic gas {intrinsic}"
            )));
        }
        let have = overlay.get_account(&from)?.balance;
        if have < value {
            return Err(ChainError::InvalidCall(format!(
                "insufficient balance for value: need {value}, have {have}"
            )));
        }
        let Action::Call { input, .. } = equivalent.tx.action else {
            return Err(ChainError::InvalidCall("internal: not a call".into()));
        };
        let outcome = self.run_call(
            overlay,
            block,
            &from,
            &contract,
            method,
            input,
            value,
            gas_limit - intrinsic,
            Frame::default(),
        )?;
        let gas_used = if outcome.status == ReceiptStatus::OutOfGas {
            gas_limit
        } else {
            intrinsic.saturating_add(outcome.exec_gas).min(gas_limit)
        };
        Ok(CallResult {
            status: outcome.status,
            gas_used,
            return_data: outcome.return_data,
            events: outcome.events,
            error: outcome.error,
        })
    }

    /// Maps a trap to an outcome.
    fn trapped<S: StateReader>(
        host: &mut ContractHost<'_, '_, '_, S>,
        trap: &Trap,
        exec_gas: u64,
    ) -> Result<Outcome, ChainError> {
        if let Some(e) = host.take_fatal() {
            return Err(e);
        }
        if let Some(data) = host.take_revert_data() {
            return Ok(Outcome {
                status: ReceiptStatus::Reverted,
                exec_gas,
                return_data: data,
                events: Vec::new(),
                contract_address: None,
                error: Some("reverted".into()),
            });
        }
        Ok(match trap_code(trap.kind()) {
            None => Outcome::failed(ReceiptStatus::OutOfGas, exec_gas, "out of gas"),
            Some(code) => {
                let msg = match host.take_abort_message() {
                    Some(m) => format!("aborted: {m}"),
                    None => trap.to_string(),
                };
                Outcome::failed(ReceiptStatus::Trapped(code), exec_gas, msg)
            }
        })
    }

    fn instantiation_failed<S: StateReader>(
        host: &mut ContractHost<'_, '_, '_, S>,
        err: &InstantiationError,
        exec_gas: u64,
    ) -> Result<Outcome, ChainError> {
        match err {
            InstantiationError::Trap(trap) => Self::trapped(host, trap, exec_gas),
            other => {
                if let Some(e) = host.take_fatal() {
                    return Err(e);
                }
                Ok(Outcome::failed(
                    ReceiptStatus::InvalidCode,
                    exec_gas,
                    format!("instantiation failed: {other}"),
                ))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn deploy<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        from: &Address,
        nonce: u64,
        code: &[u8],
        init_input: &[u8],
        budget: u64,
    ) -> Result<Outcome, ChainError> {
        self.traced(
            crate::trace::FrameKind::Deploy,
            contract_address(from, nonce),
            "init",
            budget,
            || self.deploy_untraced(overlay, block, from, nonce, code, init_input, budget),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn deploy_untraced<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        from: &Address,
        nonce: u64,
        code: &[u8],
        init_input: &[u8],
        budget: u64,
    ) -> Result<Outcome, ChainError> {
        let address = contract_address(from, nonce);
        if overlay.get_account(&address)?.code_hash.is_some() {
            return Ok(Outcome::failed(
                ReceiptStatus::AddressCollision,
                0,
                "contract address already holds code",
            ));
        }
        let code_hash = keccak256(code);
        self.note_code(&code_hash, code);
        let module = match self.cache.get_or_compile(&self.vm, &code_hash, code) {
            Ok(m) => m,
            Err(e) => {
                return Ok(Outcome::failed(
                    ReceiptStatus::InvalidCode,
                    0,
                    format!("invalid code: {e}"),
                ))
            }
        };
        if let Some(err) = check_interface(&module) {
            return Ok(Outcome::failed(ReceiptStatus::InvalidCode, 0, err));
        }
        overlay.put_code(code_hash, code.to_vec());
        let call = CallContext {
            caller: *from,
            address,
            value: 0,
            input: init_input.to_vec(),
        };
        self.construct(
            overlay,
            block,
            &module,
            code_hash,
            call,
            GasMeter::new(budget),
            Frame::default(),
        )
    }

    /// Creates the contract account `call.address` with `code_hash`, instantiates
    /// `module` (linking imports, running its start function) and calls `init` if it is
    /// exported. The account must not hold code; the code must be stored.
    #[allow(clippy::too_many_arguments)]
    fn construct<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        module: &Module,
        code_hash: Hash,
        call: CallContext,
        mut gas: GasMeter,
        frame: Frame,
    ) -> Result<Outcome, ChainError> {
        let address = call.address;
        let mut account = overlay.get_account(&address)?;
        account.code_hash = Some(code_hash);
        overlay.set_account(address, account);
        let has_init = module.export_func_type("init").is_some();
        let mut host = ContractHost::new(overlay, self, block, call, frame);
        // Deploy always instantiates once: imports are linked (an unknown import is invalid
        // code) and the start function runs, even without `init`.
        let mut instance = match Instance::new(module, &mut host, &mut gas) {
            Ok(i) => i,
            Err(e) => return Self::instantiation_failed(&mut host, &e, gas.used()),
        };
        if has_init {
            self.profile_start(&mut instance);
            let result = instance.invoke(&mut host, "init", &[], &mut gas);
            self.profile_end(&code_hash, &mut instance);
            if let Err(trap) = result {
                return Self::trapped(&mut host, &trap, gas.used());
            }
        }
        if let Some(e) = host.take_fatal() {
            return Err(e);
        }
        Ok(Outcome {
            status: ReceiptStatus::Success,
            exec_gas: gas.used(),
            return_data: host.take_return_data(),
            events: host.take_events(),
            contract_address: Some(address),
            error: None,
        })
    }

    /// Runs contract `deployer`'s `instantiate` of stored code `code` (hash `code_hash`)
    /// at `address` with `budget` gas: the code load is charged as for a call, then
    /// the contract is constructed as a deploy is. `value` was moved to `address` by the
    /// caller.
    ///
    /// # Errors
    /// Node failures only; every contract outcome is a status.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn instantiate<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        deployer: &Address,
        address: Address,
        code_hash: &Hash,
        code: &[u8],
        input: Vec<u8>,
        value: u128,
        budget: u64,
        frame: Frame,
    ) -> Result<Outcome, ChainError> {
        self.traced(
            crate::trace::FrameKind::Instantiate,
            address,
            "init",
            budget,
            || {
                self.instantiate_untraced(
                    overlay, block, deployer, address, code_hash, code, input, value, budget, frame,
                )
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn instantiate_untraced<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        deployer: &Address,
        address: Address,
        code_hash: &Hash,
        code: &[u8],
        input: Vec<u8>,
        value: u128,
        budget: u64,
        frame: Frame,
    ) -> Result<Outcome, ChainError> {
        let mut gas = GasMeter::new(budget);
        if gas.charge(code_load_gas(code)).is_err() {
            return Ok(Outcome::failed(
                ReceiptStatus::OutOfGas,
                gas.used(),
                format!("out of gas loading {} bytes of code", code.len()),
            ));
        }
        if overlay.get_account(&address)?.code_hash.is_some() {
            return Ok(Outcome::failed(
                ReceiptStatus::AddressCollision,
                gas.used(),
                "contract address already holds code",
            ));
        }
        self.note_code(code_hash, code);
        let module = match self.cache.get_or_compile(&self.vm, code_hash, code) {
            Ok(m) => m,
            Err(e) => {
                return Ok(Outcome::failed(
                    ReceiptStatus::InvalidCode,
                    gas.used(),
                    format!("stored code no longer compiles: {e}"),
                ))
            }
        };
        let call = CallContext {
            caller: *deployer,
            address,
            value,
            input,
        };
        self.construct(overlay, block, &module, *code_hash, call, gas, frame)
    }

    /// When tracing: code `code` (hash `code_hash`) is about to run; the tracer reads its
    /// function names.
    fn note_code(&self, code_hash: &Hash, code: &[u8]) {
        if let Some(t) = &self.tracer {
            t.note_code(code_hash, code);
        }
    }

    /// When tracing: switches on the VM's call profile for the invocation that follows
    /// (gas by Wasm function). Gas and results are the same with it on.
    fn profile_start(&self, instance: &mut Instance) {
        if self.tracer.is_some() {
            instance.enable_call_profile();
        }
    }

    /// When tracing: hands the invocation's call profile to the tracer's open frame.
    fn profile_end(&self, code_hash: &Hash, instance: &mut Instance) {
        if let Some(t) = &self.tracer {
            if let Some(p) = instance.take_call_profile() {
                t.profile(code_hash, &p);
            }
        }
    }

    /// Runs `run` as one frame of the tracer, if this executor has one: the frame's
    /// kind, contract, method and gas on entry, its outcome on exit.
    fn traced(
        &self,
        kind: crate::trace::FrameKind,
        contract: Address,
        method: &str,
        budget: u64,
        run: impl FnOnce() -> Result<Outcome, ChainError>,
    ) -> Result<Outcome, ChainError> {
        let Some(t) = &self.tracer else {
            return run();
        };
        t.enter(kind, contract, method, budget);
        let outcome = run();
        if let Ok(o) = &outcome {
            t.exit(o.status, o.exec_gas, o.error.as_deref());
        }
        outcome
    }

    /// Before a call reads its code: whether `gas` can pay the least that loading code of
    /// that length can cost ([`code_load_lower_bound`]), learnt from the code's length
    /// alone. If not, the call is out of gas exactly as if the code had been read and
    /// [`code_load_gas`] charged (that charge is never lower), so the outcome is the same
    /// and the node never reads up to 512 KiB of code for a caller who forwarded a few
    /// gas units. `None`: go on and read it. The charge itself is made after the read.
    ///
    /// # Errors
    /// Storage failures; [`ChainError::Corrupt`] if the code is missing.
    pub(crate) fn precheck_code_load<S: StateReader>(
        &self,
        overlay: &Overlay<'_, S>,
        code_hash: &Hash,
        gas: &mut GasMeter,
    ) -> Result<Option<Outcome>, ChainError> {
        let len = overlay
            .code_len(code_hash)?
            .ok_or_else(|| ChainError::Corrupt("contract code missing".into()))?;
        if gas.remaining() >= code_load_lower_bound(len) {
            return Ok(None);
        }
        // The same meter state and message as a failed charge of the whole code load.
        let _ = gas.charge(code_load_lower_bound(len));
        Ok(Some(Outcome::failed(
            ReceiptStatus::OutOfGas,
            gas.used(),
            format!("out of gas loading {len} bytes of code"),
        )))
    }

    /// Calls `method` of `contract` from `from` with `budget` gas, moving `value` first,
    /// at nesting `frame`.
    ///
    /// # Errors
    /// Node failures, and [`ChainError::InvalidCall`] if `from` cannot pay `value` (the
    /// callers check this first). Every contract outcome is a status.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_call<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        from: &Address,
        contract: &Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        budget: u64,
        frame: Frame,
    ) -> Result<Outcome, ChainError> {
        self.traced(
            crate::trace::FrameKind::Call,
            *contract,
            method,
            budget,
            || {
                self.run_call_untraced(
                    overlay, block, from, contract, method, input, value, budget, frame,
                )
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn run_call_untraced<S: StateReader>(
        &self,
        overlay: &mut Overlay<'_, S>,
        block: BlockContext,
        from: &Address,
        contract: &Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        budget: u64,
        frame: Frame,
    ) -> Result<Outcome, ChainError> {
        let Some(code_hash) = overlay.get_account(contract)?.code_hash else {
            return Ok(Outcome::failed(
                ReceiptStatus::NotAContract,
                0,
                "no contract at this address",
            ));
        };
        if method.starts_with(RESERVED_METHOD_PREFIX) {
            return Ok(Outcome::failed(
                ReceiptStatus::MethodNotFound,
                0,
                format!("method {method:?} is reserved for deploy"),
            ));
        }
        let mut gas = GasMeter::new(budget);
        if let Some(out_of_gas) = self.precheck_code_load(overlay, &code_hash, &mut gas)? {
            return Ok(out_of_gas);
        }
        let code = overlay
            .code_by_hash(&code_hash)?
            .ok_or_else(|| ChainError::Corrupt("contract code missing".into()))?;
        // Loading the code is charged on every call, whether the module cache hits or
        // not: the charge cannot depend on a node's cache state (consensus), and it
        // pays for the worst case, a read of the code and its compilation.
        if gas.charge(code_load_gas(&code)).is_err() {
            return Ok(Outcome::failed(
                ReceiptStatus::OutOfGas,
                gas.used(),
                format!("out of gas loading {} bytes of code", code.len()),
            ));
        }
        self.note_code(&code_hash, &code);
        let module = match self.cache.get_or_compile(&self.vm, &code_hash, &code) {
            Ok(m) => m,
            Err(e) => {
                return Ok(Outcome::failed(
                    ReceiptStatus::InvalidCode,
                    gas.used(),
                    format!("stored code no longer compiles: {e}"),
                ))
            }
        };
        match module.export_func_type(method) {
            Some(ty) if ty.params().is_empty() && ty.results().is_empty() => {}
            Some(ty) => {
                return Ok(Outcome::failed(
                    ReceiptStatus::MethodNotFound,
                    gas.used(),
                    format!("method {method:?} has type {ty}, expected () -> ()"),
                ))
            }
            None => {
                return Ok(Outcome::failed(
                    ReceiptStatus::MethodNotFound,
                    gas.used(),
                    format!("no exported method {method:?}"),
                ))
            }
        }
        if value > 0 {
            if !sub_balance(overlay, from, value)? {
                return Err(ChainError::InvalidCall(
                    "caller cannot pay the value".into(),
                ));
            }
            add_balance(overlay, contract, value)?;
        }

        let call = CallContext {
            caller: *from,
            address: *contract,
            value,
            input,
        };
        let mut host = ContractHost::new(overlay, self, block, call, frame);
        let mut instance = match Instance::new(&module, &mut host, &mut gas) {
            Ok(i) => i,
            Err(e) => return Self::instantiation_failed(&mut host, &e, gas.used()),
        };
        self.profile_start(&mut instance);
        let result = instance.invoke(&mut host, method, &[], &mut gas);
        self.profile_end(&code_hash, &mut instance);
        if let Err(trap) = result {
            return Self::trapped(&mut host, &trap, gas.used());
        }
        if let Some(e) = host.take_fatal() {
            return Err(e);
        }
        Ok(Outcome {
            status: ReceiptStatus::Success,
            exec_gas: gas.used(),
            return_data: host.take_return_data(),
            events: host.take_events(),
            contract_address: None,
            error: None,
        })
    }
}

/// Checks that every import is a host function of the ABI and that `init`, if exported, is
/// `() -> ()`. Returns the error text of the first violation.
pub(crate) fn check_interface(module: &Module) -> Option<String> {
    for (m, name, kind) in module.imports() {
        if kind != metron_vm::ExternKind::Func {
            return Some(format!("unsupported import {m}.{name}: only functions"));
        }
        if m != crate::host::HOST_MODULE {
            return Some(format!("unknown import module {m:?} ({m}.{name})"));
        }
    }
    if let Some(ty) = module.export_func_type("init") {
        if !(ty.params().is_empty() && ty.results().is_empty()) {
            return Some(format!("init has type {ty}, expected () -> ()"));
        }
    }
    // Import names and signatures are checked when the deploy instantiates the module.
    None
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn module_with(n_funcs: usize) -> Vec<u8> {
        let funcs = "(func (result i32) i32.const 7)".repeat(n_funcs);
        wat::parse_str(format!("(module {funcs})")).unwrap()
    }

    #[test]
    fn evicts_the_least_recently_used_past_its_byte_budget() {
        let config = Config::default();
        let code: Vec<Vec<u8>> = (1..=4).map(|k| module_with(10 * k)).collect();
        let hash = |i: usize| [i as u8; 32];
        let size = |c: &[u8]| Module::new(&config, c).unwrap().compiled_bytes();
        // Room for modules 0 and 1 but not 2 on top.
        let budget = size(&code[0]) + size(&code[1]) + size(&code[2]) / 2;
        let cache = ModuleCache::with_capacity(budget);
        cache.get_or_compile(&config, &hash(0), &code[0]).unwrap();
        cache.get_or_compile(&config, &hash(1), &code[1]).unwrap();
        assert_eq!(cache.usage(), (2, size(&code[0]) + size(&code[1])));
        // Use 0 again: 1 is now the least recently used, and goes for 2.
        cache.get_or_compile(&config, &hash(0), &code[0]).unwrap();
        cache.get_or_compile(&config, &hash(2), &code[2]).unwrap();
        let inner = cache.lock();
        assert!(inner.modules.contains_key(&hash(0)));
        assert!(!inner.modules.contains_key(&hash(1)));
        assert!(inner.modules.contains_key(&hash(2)));
        assert!(inner.bytes <= budget);
        assert_eq!(inner.by_use.len(), inner.modules.len());
        drop(inner);
        // A module larger than the whole budget is returned, not kept.
        let small = ModuleCache::with_capacity(16);
        let m = small.get_or_compile(&config, &hash(3), &code[3]).unwrap();
        assert!(m.compiled_bytes() > 16);
        assert_eq!(small.usage(), (0, 0));
    }

    #[test]
    fn compiled_bytes_grow_with_the_code() {
        let config = Config::default();
        let a = Module::new(&config, &module_with(10))
            .unwrap()
            .compiled_bytes();
        let b = Module::new(&config, &module_with(100))
            .unwrap()
            .compiled_bytes();
        assert!(b > a, "{a} {b}");
    }
}

#[cfg(test)]
mod code_load_tests {
    use super::*;

    fn wasm(src: &str) -> Vec<u8> {
        wat::parse_str(src).expect("valid wat")
    }

    #[test]
    fn data_and_custom_sections_pay_the_data_rate_and_segments_their_own() {
        let code = wasm("(module (func (export \"f\")))");
        let plain = code_load_gas(&code);
        // Six headers: the version, type, function, export and code sections, the end.
        assert_eq!(
            plain,
            len64(code.len()) * CODE_LOAD_GAS_PER_BYTE + 6 * CODE_LOAD_GAS_PER_SECTION
        );

        // The same module with a data section of `n` bytes in `k` segments.
        for (n, k) in [(1usize, 1u64), (1000, 1), (1000, 10)] {
            let per = n / k as usize;
            let data: String = (0..k)
                .map(|i| {
                    format!(
                        "(data (i32.const {}) \"{}\")",
                        i as usize * per,
                        "\\5a".repeat(per)
                    )
                })
                .collect();
            let with = wasm(&format!("(module (memory 1) (func (export \"f\")) {data})"));
            let base = wasm("(module (memory 1) (func (export \"f\")))");
            let section = len64(with.len() - base.len());
            assert_eq!(
                code_load_gas(&with),
                code_load_gas(&base)
                    + section * CODE_LOAD_GAS_PER_DATA_BYTE
                    + k * CODE_LOAD_GAS_PER_DATA_SEGMENT
                    + CODE_LOAD_GAS_PER_SECTION,
                "{n} bytes in {k} segments"
            );
        }

        // A custom section appended: its bytes at the data rate.
        let mut custom = code.clone();
        custom.extend_from_slice(&[0, 4, 1, b'x', 0xaa, 0xbb]);
        assert_eq!(
            code_load_gas(&custom),
            plain + 6 * CODE_LOAD_GAS_PER_DATA_BYTE + CODE_LOAD_GAS_PER_SECTION
        );

        // Custom sections have no count limit: each one pays its header, so a module of
        // 3-byte custom sections pays per section, not only 5 per byte.
        let mut many = code.clone();
        for _ in 0..1000 {
            many.extend_from_slice(&[0, 1, 0]);
        }
        assert_eq!(
            code_load_gas(&many),
            plain + 1000 * (3 * CODE_LOAD_GAS_PER_DATA_BYTE + CODE_LOAD_GAS_PER_SECTION)
        );
    }

    #[test]
    fn code_that_does_not_parse_pays_the_full_rate() {
        let code = wasm("(module (memory 1) (data (i32.const 0) \"abcdefgh\"))");
        for cut in [3, code.len() - 1] {
            let bad = &code[..cut];
            assert_eq!(
                code_load_gas(bad),
                len64(bad.len()) * CODE_LOAD_GAS_PER_BYTE,
                "cut at {cut}"
            );
        }
        assert_eq!(
            code_load_gas(b"\0asm\x01\0\0\0\x0b\xff"),
            10 * CODE_LOAD_GAS_PER_BYTE
        );
        assert_eq!(code_load_gas(&[]), 0);
    }
}
