//! The contract host ABI (`docs/abi.md`): the `metron` import module, implemented as a
//! [`metron_vm::Host`] over the block's state [`Overlay`].
//!
//! Every host call follows the same order, so its gas and outcome are a function of its
//! arguments and the state only:
//! 1. check argument lengths against the ABI limits (exceeding one traps with a host error),
//! 2. charge `HOST_BASE` plus the per-item cost (out of gas: no effect),
//! 3. access memory (out of bounds traps) and perform the effect.
//!
//! A storage failure of the node itself is not a contract outcome: it is recorded in
//! [`ContractHost::take_fatal`] and the executor aborts the block instead of writing a
//! receipt that would depend on the node's disk.

use metron_vm::{Caller, FuncType, GasMeter, Host, HostError, ValType, Value};

use crate::error::ChainError;
use crate::executor::{Executor, Outcome};
use crate::state::{AccountReader, Checkpoint, CodeReader, Overlay, StateReader, StorageReader};
use crate::types::{Address, Event, ReceiptStatus};

/// Gas charged by every host call before its per-item costs.
pub const HOST_BASE: u64 = 50;
/// Extra gas of `storage_read` per call (plus 1 per key byte and [`STORAGE_READ_PER_BYTE`]
/// per byte of the stored value). Calibrated (`examples/host_gas.rs`, 1 M keys): a miss or
/// a hit of a small value takes 10-38 µs (a RocksDB seek over every level), 30 µs typical.
pub const STORAGE_READ: u64 = 50_000;
/// Gas of `storage_read` per byte of the stored value, whether or not it is copied out
/// (the node reads the whole value): 64 KiB values read at 0.7-1.7 ns per byte.
pub const STORAGE_READ_PER_BYTE: u64 = 3;
/// Extra gas of `storage_write` per call (plus [`STORAGE_WRITE_PER_BYTE`] per key and
/// value byte): the block commit of one written key (jmt path update, node and value
/// writes in RocksDB) takes 57-69 µs at 1 M keys, new or existing.
pub const STORAGE_WRITE: u64 = 110_000;
/// Gas of `storage_write` per key and value byte: a new 64 KiB value commits in 350-380
/// µs, an overwrite of one in 350-730 µs (up to 11 ns per byte).
pub const STORAGE_WRITE_PER_BYTE: u64 = 15;
/// Extra gas of `storage_remove` per call (plus 1 per key byte): deleting an existing
/// key commits like a write (64 µs at 1 M keys).
pub const STORAGE_REMOVE: u64 = 110_000;
/// Extra gas of `balance`: an account read, priced as a `storage_read` (22-27 µs for an
/// absent account at 1 M keys).
pub const BALANCE: u64 = 50_000;
/// Extra gas of `emit_event` per call (plus [`EMIT_EVENT_PER_BYTE`] per topic and data
/// byte).
pub const EMIT_EVENT: u64 = 300;
/// Gas of `emit_event` per topic and data byte: an event's bytes are copied into the
/// receipt, hashed into the receipts root and written with the block (4 ns per byte).
pub const EMIT_EVENT_PER_BYTE: u64 = 8;
/// Extra gas of `keccak256` per call (plus [`KECCAK256_PER_BYTE`] per input byte).
/// Calibrated (`examples/crypto_gas.rs`, reference 0.30 ns/gas): 376 ns for an empty
/// input (1 253 gas), 8.5 gas per byte; priced about 1.25x above.
pub const KECCAK256: u64 = 1_600;
/// Gas of `keccak256` per input byte (measured 8.5).
pub const KECCAK256_PER_BYTE: u64 = 10;
/// Extra gas of `sha256` per call (plus [`SHA256_PER_BYTE`] per input byte). Measured
/// 203 gas and 1.8 gas per byte with the CPU's SHA extensions; priced for a CPU without
/// them (software SHA-256 is 3-5x slower per byte).
pub const SHA256: u64 = 600;
/// Gas of `sha256` per input byte.
pub const SHA256_PER_BYTE: u64 = 10;
/// Extra gas of `blake2b_256` per call (plus [`BLAKE2B_256_PER_BYTE`] per input byte):
/// measured 523 gas and 2.9 gas per byte.
pub const BLAKE2B_256: u64 = 700;
/// Gas of `blake2b_256` per input byte (measured 2.9).
pub const BLAKE2B_256_PER_BYTE: u64 = 4;
/// Extra gas of `ed25519_verify` per call (plus [`ED25519_VERIFY_PER_BYTE`] per message
/// byte): a verification takes 40.5 µs (134 853 gas), whether the signature is valid or
/// not; priced about 1.25x above.
pub const ED25519_VERIFY: u64 = 170_000;
/// Gas of `ed25519_verify` per message byte (the SHA-512 of the message; measured 5.4).
pub const ED25519_VERIFY_PER_BYTE: u64 = 7;
/// Maximum storage key length in bytes.
pub const MAX_KEY_LEN: u32 = 256;
/// Maximum storage value length in bytes.
pub const MAX_VALUE_LEN: u32 = 64 * 1024;
/// Maximum event topic length in bytes.
pub const MAX_TOPIC_LEN: u32 = 64;
/// Maximum event data length in bytes.
pub const MAX_EVENT_DATA_LEN: u32 = 64 * 1024;
/// Maximum number of events one transaction may emit (the receipt carries them all).
pub const MAX_EVENTS_PER_TX: usize = 128;
/// Maximum total event bytes (topics plus data) one transaction may emit: with the count
/// cap, a receipt stays far below the RPC's 10 MiB response cap and a block's receipts
/// stay bounded however much gas the block has.
pub const MAX_EVENT_BYTES_PER_TX: u64 = 256 * 1024;
/// Maximum return data length in bytes.
pub const MAX_RETURN_DATA_LEN: u32 = 64 * 1024;
/// Maximum length in bytes of the method name of a `call_contract`.
pub const MAX_METHOD_LEN: u32 = 256;
/// Maximum input length in bytes of a `call_contract` or `instantiate`.
pub const MAX_CALL_INPUT_LEN: u32 = 64 * 1024;
/// Maximum salt length in bytes of an `instantiate`.
pub const MAX_SALT_LEN: u32 = 64;
/// Deepest nesting of contract calls. The transaction's own call or deploy runs at depth
/// 0 and each `call_contract` or `instantiate` one deeper; one that would run deeper
/// returns [`call_status::DEPTH_EXCEEDED`] without running. Each level nests one
/// interpreter run on the native stack (the VM's own calls never do), so the bound also
/// bounds the native stack a transaction can use: measured in
/// `tests::calls::native_stack_per_call_level`.
pub const MAX_CALL_DEPTH: u32 = 8;
/// Extra gas of `call_contract` per call (plus [`CALL_CONTRACT_PER_BYTE`] per method and
/// input byte); the callee's own gas (its code load, instantiation and execution) is
/// charged to the caller when it returns. Calibrated (`examples/call_gas.rs`, 1 M keys,
/// reference 0.30 ns/gas): a call of an address without code (two account reads, the
/// callee's a miss) takes 25-26 µs (88 000 gas); a no-op call of a distinct old callee
/// 28-29 µs, 65 000-70 000 gas beyond the callee's own; priced about 1.25x the former.
/// A call that sends value also commits the callee's and the caller's accounts (up to
/// 218 µs for one such call in a transaction): it pays [`TRANSFER`] on top.
pub const CALL_CONTRACT: u64 = 110_000;
/// Gas of `call_contract` and `instantiate` per byte of method name, salt and input
/// (copied into the callee): measured below 0.2 gas per byte (16 KiB inputs).
pub const CALL_CONTRACT_PER_BYTE: u64 = 1;
/// Extra gas of `transfer`: a read of the recipient's account and the commit of both
/// accounts. Calibrated (`examples/call_gas.rs`, 1 M keys, reference 0.30 ns/gas): one
/// transfer to a fresh account in a transaction takes 187-203 µs (622 000-676 000 gas;
/// 77-82 µs each when a transaction makes 1200, the caller's account committed once);
/// priced about 1.25x the single transfer.
pub const TRANSFER: u64 = 850_000;
/// Extra gas of `instantiate` per call (plus [`CALL_CONTRACT_PER_BYTE`] per salt and
/// input byte): the address derivation, two reads of the new account and its commit.
/// The new contract's code load and `init` are charged like a callee's. Calibrated
/// (`examples/call_gas.rs`, 1 M keys, reference 0.30 ns/gas): one instantiation in a
/// transaction takes 159 µs, 504 000 gas beyond the new contract's own (89-98 µs each
/// when a transaction makes 1200); priced about 1.25x the single one.
pub const INSTANTIATE: u64 = 650_000;

/// What `call_contract` and `instantiate` return (their `i32` result). After each, the
/// call output (`call_output_len`, `call_output_read`) holds the callee's return data on
/// [`SUCCESS`](call_status::SUCCESS), its revert data on
/// [`REVERTED`](call_status::REVERTED), and nothing otherwise.
pub mod call_status {
    /// The callee returned; its writes, value and events stand.
    pub const SUCCESS: i32 = 0;
    /// The callee called `revert`: its writes, value and events are undone.
    pub const REVERTED: i32 = 1;
    /// The callee trapped (including `abort` and host errors): its effects are undone.
    pub const TRAPPED: i32 = 2;
    /// The callee ran out of its forwarded gas (all of which the caller pays).
    pub const OUT_OF_GAS: i32 = 3;
    /// `call_contract`: no contract at the address.
    pub const NOT_A_CONTRACT: i32 = 4;
    /// `call_contract`: no exported `() -> ()` method of that name (or a reserved
    /// `init*` name).
    pub const METHOD_NOT_FOUND: i32 = 5;
    /// The calling contract holds less than the value it sends; nothing ran.
    pub const INSUFFICIENT_BALANCE: i32 = 6;
    /// The call would run deeper than [`MAX_CALL_DEPTH`](super::MAX_CALL_DEPTH);
    /// nothing ran.
    pub const DEPTH_EXCEEDED: i32 = 7;
    /// `instantiate`: the derived address already holds code.
    pub const ADDRESS_COLLISION: i32 = 8;
    /// `instantiate`: no code is stored under the code hash.
    pub const CODE_NOT_FOUND: i32 = 9;
    /// The callee's code failed to instantiate (it imports an unknown host function).
    pub const INVALID_CODE: i32 = 10;
}

/// Longest abort message kept in a receipt's error text (longer ones are truncated; the
/// text is not part of consensus).
pub const MAX_ABORT_MESSAGE_LEN: u32 = 1024;

/// The import module name of the host ABI.
pub const HOST_MODULE: &str = "metron";

/// The host functions, in import-id order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostFn {
    InputLen,
    InputRead,
    ReturnData,
    StorageRead,
    StorageWrite,
    StorageRemove,
    Caller,
    Address,
    Value,
    Balance,
    BlockHeight,
    BlockTimestamp,
    EmitEvent,
    Abort,
    Keccak256,
    Sha256,
    Blake2b256,
    Ed25519Verify,
    CallContract,
    CallOutputLen,
    CallOutputRead,
    Revert,
    Transfer,
    Instantiate,
}

/// Import ids are positions in this list: new functions go at the end.
const ALL_HOST_FNS: [HostFn; 24] = [
    HostFn::InputLen,
    HostFn::InputRead,
    HostFn::ReturnData,
    HostFn::StorageRead,
    HostFn::StorageWrite,
    HostFn::StorageRemove,
    HostFn::Caller,
    HostFn::Address,
    HostFn::Value,
    HostFn::Balance,
    HostFn::BlockHeight,
    HostFn::BlockTimestamp,
    HostFn::EmitEvent,
    HostFn::Abort,
    HostFn::Keccak256,
    HostFn::Sha256,
    HostFn::Blake2b256,
    HostFn::Ed25519Verify,
    HostFn::CallContract,
    HostFn::CallOutputLen,
    HostFn::CallOutputRead,
    HostFn::Revert,
    HostFn::Transfer,
    HostFn::Instantiate,
];

impl HostFn {
    fn name(self) -> &'static str {
        match self {
            HostFn::InputLen => "input_len",
            HostFn::InputRead => "input_read",
            HostFn::ReturnData => "return_data",
            HostFn::StorageRead => "storage_read",
            HostFn::StorageWrite => "storage_write",
            HostFn::StorageRemove => "storage_remove",
            HostFn::Caller => "caller",
            HostFn::Address => "address",
            HostFn::Value => "value",
            HostFn::Balance => "balance",
            HostFn::BlockHeight => "block_height",
            HostFn::BlockTimestamp => "block_timestamp",
            HostFn::EmitEvent => "emit_event",
            HostFn::Abort => "abort",
            HostFn::Keccak256 => "keccak256",
            HostFn::Sha256 => "sha256",
            HostFn::Blake2b256 => "blake2b_256",
            HostFn::Ed25519Verify => "ed25519_verify",
            HostFn::CallContract => "call_contract",
            HostFn::CallOutputLen => "call_output_len",
            HostFn::CallOutputRead => "call_output_read",
            HostFn::Revert => "revert",
            HostFn::Transfer => "transfer",
            HostFn::Instantiate => "instantiate",
        }
    }

    /// (parameter types, result type). Pointers and lengths are `i32`; a gas amount is
    /// `i64`.
    fn signature(self) -> (&'static [ValType], Option<ValType>) {
        use ValType::{I32, I64};
        match self {
            HostFn::InputLen => (&[], Some(I32)),
            HostFn::InputRead => (&[I32], None),
            HostFn::ReturnData => (&[I32, I32], None),
            HostFn::StorageRead => (&[I32, I32, I32, I32], Some(I64)),
            HostFn::StorageWrite => (&[I32, I32, I32, I32], None),
            HostFn::StorageRemove => (&[I32, I32], None),
            HostFn::Caller | HostFn::Address | HostFn::Value => (&[I32], None),
            HostFn::Balance => (&[I32, I32], None),
            HostFn::BlockHeight | HostFn::BlockTimestamp => (&[], Some(I64)),
            HostFn::EmitEvent => (&[I32, I32, I32, I32], None),
            HostFn::Abort => (&[I32, I32], None),
            HostFn::Keccak256 | HostFn::Sha256 | HostFn::Blake2b256 => (&[I32, I32, I32], None),
            HostFn::Ed25519Verify => (&[I32, I32, I32, I32], Some(I32)),
            HostFn::CallContract => (&[I32, I32, I32, I32, I32, I32, I64], Some(I32)),
            HostFn::CallOutputLen => (&[], Some(I32)),
            HostFn::CallOutputRead => (&[I32], None),
            HostFn::Revert => (&[I32, I32], None),
            HostFn::Transfer => (&[I32, I32], Some(I32)),
            HostFn::Instantiate => (&[I32, I32, I32, I32, I32, I32, I64, I32], Some(I32)),
        }
    }

    fn matches(self, ty: &FuncType) -> bool {
        let (params, result) = self.signature();
        ty.params() == params && ty.results() == result.as_slice()
    }

    fn from_id(id: u32) -> Option<HostFn> {
        ALL_HOST_FNS.get(usize::try_from(id).ok()?).copied()
    }

    /// The host function `module.name` with type `ty`, if it exists.
    fn resolve(module: &str, name: &str, ty: &FuncType) -> Option<(u32, HostFn)> {
        if module != HOST_MODULE {
            return None;
        }
        let (id, f) = ALL_HOST_FNS
            .iter()
            .enumerate()
            .find(|(_, f)| f.name() == name)?;
        if !f.matches(ty) {
            return None;
        }
        Some((u32::try_from(id).ok()?, *f))
    }
}

/// Whether `module.name` with type `ty` is a host function of the ABI.
pub fn is_host_import(module: &str, name: &str, ty: &FuncType) -> bool {
    HostFn::resolve(module, name, ty).is_some()
}

/// Block-level inputs visible to contracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockContext {
    /// Height of the block being executed.
    pub height: u64,
    /// Its timestamp (ms since the Unix epoch).
    pub timestamp: u64,
}

/// Per-call inputs visible to contracts.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// Transaction sender.
    pub caller: Address,
    /// The executing contract.
    pub address: Address,
    /// Value transferred with the call.
    pub value: u128,
    /// Call input.
    pub input: Vec<u8>,
}

/// Where a contract execution sits in its transaction: how deep it is nested, and what
/// the executions before it emitted (the per-transaction event caps count them all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// 0 for the transaction's own call or deploy, +1 per nested call.
    pub depth: u32,
    /// Events the transaction kept before this execution began.
    pub events_before: usize,
    /// Topic and data bytes of those events.
    pub event_bytes_before: u64,
}

/// The host of one contract execution.
pub struct ContractHost<'o, 'a, 'e, S> {
    overlay: &'o mut Overlay<'a, S>,
    exec: &'e Executor,
    block: BlockContext,
    call: CallContext,
    frame: Frame,
    return_data: Vec<u8>,
    /// Output of the last `call_contract` or `instantiate`.
    call_output: Vec<u8>,
    events: Vec<Event>,
    /// Topic plus data bytes of `events`.
    event_bytes: u64,
    abort_message: Option<String>,
    /// Data of a `revert` call, if the contract reverted.
    revert_data: Option<Vec<u8>>,
    fatal: Option<ChainError>,
    /// The storage key of the current host call, kept for the tracer only.
    traced_key: Option<Vec<u8>>,
}

impl<'o, 'a, 'e, S: StateReader> ContractHost<'o, 'a, 'e, S> {
    /// A host writing to `overlay`, running nested calls with `exec`.
    pub fn new(
        overlay: &'o mut Overlay<'a, S>,
        exec: &'e Executor,
        block: BlockContext,
        call: CallContext,
        frame: Frame,
    ) -> Self {
        ContractHost {
            overlay,
            exec,
            block,
            call,
            frame,
            return_data: Vec::new(),
            call_output: Vec::new(),
            events: Vec::new(),
            event_bytes: 0,
            abort_message: None,
            revert_data: None,
            fatal: None,
            traced_key: None,
        }
    }

    /// Return data set by the last `return_data` call.
    pub fn take_return_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.return_data)
    }

    /// Events emitted so far (nested calls' included), in execution order.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The message of an `abort` call, if the contract aborted.
    pub fn take_abort_message(&mut self) -> Option<String> {
        self.abort_message.take()
    }

    /// The data of a `revert` call, if the contract reverted.
    pub fn take_revert_data(&mut self) -> Option<Vec<u8>> {
        self.revert_data.take()
    }

    /// A node failure (storage read error) that happened during a host call.
    pub fn take_fatal(&mut self) -> Option<ChainError> {
        self.fatal.take()
    }

    fn fatal(&mut self, e: ChainError) -> HostError {
        let err = HostError::new(format!("node error: {e}"));
        self.fatal = Some(e);
        err
    }

    /// The frame of an execution nested in this one.
    fn nested_frame(&self) -> Frame {
        Frame {
            depth: self.frame.depth + 1,
            events_before: self.frame.events_before + self.events.len(),
            event_bytes_before: self.frame.event_bytes_before + self.event_bytes,
        }
    }

    /// The gas a nested execution may use: `requested`, at most what is left; 0 asks
    /// for all but a 64th of what is left, so that a caller that forwards "everything"
    /// keeps enough to handle the callee's failure (the rule of EIP-150).
    fn forwarded_gas(caller: &Caller<'_>, requested: u64) -> u64 {
        let left = caller.gas_remaining();
        if requested == 0 {
            left - left / 64
        } else {
            requested.min(left)
        }
    }

    /// Runs a nested execution (`run` gets the executor, the overlay, the block, the
    /// forwarded gas and the nested frame), then settles it with `finish_nested`. The
    /// host result is the `call_status` code.
    fn nested(
        &mut self,
        caller: &mut Caller<'_>,
        checkpoint: Checkpoint,
        requested: u64,
        run: impl FnOnce(
            &Executor,
            &mut Overlay<'a, S>,
            BlockContext,
            u64,
            Frame,
        ) -> Result<Outcome, ChainError>,
    ) -> Result<Option<Value>, HostError> {
        let gas = Self::forwarded_gas(caller, requested);
        let frame = self.nested_frame();
        let outcome = match run(self.exec, self.overlay, self.block, gas, frame) {
            Ok(o) => o,
            Err(e) => return Err(self.fatal(e)),
        };
        let code = self.finish_nested(caller, checkpoint, outcome)?;
        Ok(Some(Value::I32(code)))
    }

    /// Charges the caller for a nested execution's gas, keeps its effects or undoes
    /// them, and sets the call output. Returns the `call_status` code.
    fn finish_nested(
        &mut self,
        caller: &mut Caller<'_>,
        checkpoint: Checkpoint,
        outcome: Outcome,
    ) -> Result<i32, HostError> {
        // The nested meter was at most what was left, so this charge cannot run out
        // (an exhausted callee leaves the caller with what it did not forward).
        caller.charge_gas(outcome.exec_gas)?;
        let code = status_code(&outcome.status);
        if code == call_status::SUCCESS {
            let bytes: u64 = outcome.events.iter().map(event_size).sum();
            self.events.extend(outcome.events);
            self.event_bytes = self.event_bytes.saturating_add(bytes);
            self.call_output = outcome.return_data;
        } else {
            self.overlay.revert(checkpoint);
            self.call_output = if code == call_status::REVERTED {
                outcome.return_data
            } else {
                Vec::new()
            };
        }
        Ok(code)
    }

    /// Moves `amount` from this contract to `to` inside the overlay; `false` (and no
    /// change) if this contract holds less.
    fn move_value(&mut self, to: &Address, amount: u128) -> Result<bool, HostError> {
        if amount == 0 {
            return Ok(true);
        }
        let from = self.call.address;
        match crate::executor::transfer_value(self.overlay, &from, to, amount) {
            Ok(moved) => Ok(moved),
            Err(e) => Err(self.fatal(e)),
        }
    }

    fn dispatch(
        &mut self,
        f: HostFn,
        caller: &mut Caller<'_>,
        args: &[Value],
    ) -> Result<Option<Value>, HostError> {
        let arg = |i: usize| -> Result<u32, HostError> {
            match args.get(i) {
                // Pointers and lengths are i32 bit patterns read as unsigned offsets.
                Some(Value::I32(v)) => Ok(*v as u32),
                _ => Err(HostError::new("host call argument type mismatch")),
            }
        };
        let arg64 = |i: usize| -> Result<u64, HostError> {
            match args.get(i) {
                // A gas amount: the i64 bit pattern read as unsigned.
                Some(Value::I64(v)) => Ok(*v as u64),
                _ => Err(HostError::new("host call argument type mismatch")),
            }
        };
        match f {
            HostFn::InputLen => {
                caller.charge_gas(HOST_BASE)?;
                let len = i32::try_from(self.call.input.len())
                    .map_err(|_| HostError::new("input too large"))?;
                Ok(Some(Value::I32(len)))
            }
            HostFn::InputRead => {
                let ptr = arg(0)?;
                caller.charge_gas(HOST_BASE.saturating_add(len64(self.call.input.len())))?;
                caller.write(ptr, &self.call.input)?;
                Ok(None)
            }
            HostFn::ReturnData => {
                let (ptr, len) = (arg(0)?, arg(1)?);
                check_len(len, MAX_RETURN_DATA_LEN, "return data")?;
                caller.charge_gas(HOST_BASE.saturating_add(u64::from(len)))?;
                self.return_data = caller.read(ptr, len)?.to_vec();
                Ok(None)
            }
            HostFn::StorageRead => {
                let (key_ptr, key_len, out_ptr, out_cap) = (arg(0)?, arg(1)?, arg(2)?, arg(3)?);
                check_len(key_len, MAX_KEY_LEN, "storage key")?;
                // The lookup is paid before it runs (a call that cannot pay it never
                // reaches the store); the stored value's bytes, known only once it is
                // read, right after, before the copy into memory (the effect). The sum is
                // the same single price as one charge, and running out at either point
                // is the same out-of-gas outcome (used == limit).
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(STORAGE_READ)
                        .saturating_add(u64::from(key_len)),
                )?;
                let key = caller.read(key_ptr, key_len)?.to_vec();
                if self.exec.tracer.is_some() {
                    self.traced_key = Some(key.clone());
                }
                let value = match self.overlay.storage(&self.call.address, &key) {
                    Ok(v) => v,
                    Err(e) => return Err(self.fatal(e)),
                };
                let copied = value.as_ref().map_or(0, |v| v.len().min(out_cap as usize));
                // The whole stored value is paid for: the node read all of it.
                let stored = value.as_ref().map_or(0, Vec::len);
                caller.charge_gas(len64(stored).saturating_mul(STORAGE_READ_PER_BYTE))?;
                match value {
                    None => Ok(Some(Value::I64(-1))),
                    Some(v) => {
                        caller.write(out_ptr, &v[..copied])?;
                        Ok(Some(Value::I64(i64::try_from(v.len()).unwrap_or(i64::MAX))))
                    }
                }
            }
            HostFn::StorageWrite => {
                let (key_ptr, key_len, val_ptr, val_len) = (arg(0)?, arg(1)?, arg(2)?, arg(3)?);
                check_len(key_len, MAX_KEY_LEN, "storage key")?;
                check_len(val_len, MAX_VALUE_LEN, "storage value")?;
                let bytes = u64::from(key_len).saturating_add(u64::from(val_len));
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(STORAGE_WRITE)
                        .saturating_add(bytes.saturating_mul(STORAGE_WRITE_PER_BYTE)),
                )?;
                let key = caller.read(key_ptr, key_len)?.to_vec();
                if self.exec.tracer.is_some() {
                    self.traced_key = Some(key.clone());
                }
                let value = caller.read(val_ptr, val_len)?.to_vec();
                self.overlay
                    .set_storage(self.call.address, key, Some(value));
                Ok(None)
            }
            HostFn::StorageRemove => {
                let (key_ptr, key_len) = (arg(0)?, arg(1)?);
                check_len(key_len, MAX_KEY_LEN, "storage key")?;
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(STORAGE_REMOVE)
                        .saturating_add(u64::from(key_len)),
                )?;
                let key = caller.read(key_ptr, key_len)?.to_vec();
                if self.exec.tracer.is_some() {
                    self.traced_key = Some(key.clone());
                }
                self.overlay.set_storage(self.call.address, key, None);
                Ok(None)
            }
            HostFn::Caller => {
                let ptr = arg(0)?;
                caller.charge_gas(HOST_BASE + 32)?;
                caller.write(ptr, &self.call.caller)?;
                Ok(None)
            }
            HostFn::Address => {
                let ptr = arg(0)?;
                caller.charge_gas(HOST_BASE + 32)?;
                caller.write(ptr, &self.call.address)?;
                Ok(None)
            }
            HostFn::Value => {
                let ptr = arg(0)?;
                caller.charge_gas(HOST_BASE + 16)?;
                caller.write(ptr, &self.call.value.to_le_bytes())?;
                Ok(None)
            }
            HostFn::Balance => {
                let (addr_ptr, out_ptr) = (arg(0)?, arg(1)?);
                caller.charge_gas(HOST_BASE + BALANCE)?;
                let addr: Address = caller
                    .read(addr_ptr, 32)?
                    .try_into()
                    .map_err(|_| HostError::new("address must be 32 bytes"))?;
                let balance = match self.overlay.account(&addr) {
                    Ok(a) => a.map_or(0, |a| a.balance),
                    Err(e) => return Err(self.fatal(e)),
                };
                caller.write(out_ptr, &balance.to_le_bytes())?;
                Ok(None)
            }
            HostFn::BlockHeight => {
                caller.charge_gas(HOST_BASE)?;
                Ok(Some(Value::I64(self.block.height as i64)))
            }
            HostFn::BlockTimestamp => {
                caller.charge_gas(HOST_BASE)?;
                Ok(Some(Value::I64(self.block.timestamp as i64)))
            }
            HostFn::EmitEvent => {
                let (topic_ptr, topic_len, data_ptr, data_len) =
                    (arg(0)?, arg(1)?, arg(2)?, arg(3)?);
                check_len(topic_len, MAX_TOPIC_LEN, "event topic")?;
                check_len(data_len, MAX_EVENT_DATA_LEN, "event data")?;
                let bytes = u64::from(topic_len).saturating_add(u64::from(data_len));
                // Per-transaction caps, checked before any charge or effect.
                if self.frame.events_before + self.events.len() >= MAX_EVENTS_PER_TX {
                    return Err(HostError::new(format!(
                        "too many events: limit {MAX_EVENTS_PER_TX} per transaction"
                    )));
                }
                let own = self.event_bytes.saturating_add(bytes);
                let total = self.frame.event_bytes_before.saturating_add(own);
                if total > MAX_EVENT_BYTES_PER_TX {
                    return Err(HostError::new(format!(
                        "event bytes exceed the limit of {MAX_EVENT_BYTES_PER_TX} per transaction \
                         ({total} with this event)"
                    )));
                }
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(EMIT_EVENT)
                        .saturating_add(bytes.saturating_mul(EMIT_EVENT_PER_BYTE)),
                )?;
                let topic = caller.read(topic_ptr, topic_len)?.to_vec();
                let data = caller.read(data_ptr, data_len)?.to_vec();
                self.events.push(Event {
                    contract: self.call.address,
                    topic,
                    data,
                });
                self.event_bytes = own;
                Ok(None)
            }
            HostFn::Abort => {
                let (ptr, len) = (arg(0)?, arg(1)?);
                caller.charge_gas(HOST_BASE)?;
                let bytes = caller.read(ptr, len)?;
                let kept = &bytes[..bytes.len().min(MAX_ABORT_MESSAGE_LEN as usize)];
                let message = String::from_utf8_lossy(kept).into_owned();
                let err = HostError::new(format!("abort: {message}"));
                self.abort_message = Some(message);
                Err(err)
            }
            HostFn::Keccak256 | HostFn::Sha256 | HostFn::Blake2b256 => {
                let (ptr, len, out_ptr) = (arg(0)?, arg(1)?, arg(2)?);
                let (base, per_byte) = match f {
                    HostFn::Keccak256 => (KECCAK256, KECCAK256_PER_BYTE),
                    HostFn::Sha256 => (SHA256, SHA256_PER_BYTE),
                    _ => (BLAKE2B_256, BLAKE2B_256_PER_BYTE),
                };
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(base)
                        .saturating_add(u64::from(len).saturating_mul(per_byte)),
                )?;
                let input = caller.read(ptr, len)?;
                let digest = hash(f, input);
                caller.write(out_ptr, &digest)?;
                Ok(None)
            }
            HostFn::Ed25519Verify => {
                let (sig_ptr, pk_ptr, msg_ptr, msg_len) = (arg(0)?, arg(1)?, arg(2)?, arg(3)?);
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(ED25519_VERIFY)
                        .saturating_add(u64::from(msg_len).saturating_mul(ED25519_VERIFY_PER_BYTE)),
                )?;
                let sig: [u8; 64] = caller
                    .read(sig_ptr, 64)?
                    .try_into()
                    .map_err(|_| HostError::new("signature read"))?;
                let pk: [u8; 32] = caller
                    .read(pk_ptr, 32)?
                    .try_into()
                    .map_err(|_| HostError::new("public key read"))?;
                let msg = caller.read(msg_ptr, msg_len)?;
                Ok(Some(Value::I32(i32::from(ed25519_verify(&sig, &pk, msg)))))
            }
            HostFn::CallContract => {
                let (addr_ptr, method_ptr, method_len, input_ptr, input_len, value_ptr) =
                    (arg(0)?, arg(1)?, arg(2)?, arg(3)?, arg(4)?, arg(5)?);
                let requested = arg64(6)?;
                check_len(method_len, MAX_METHOD_LEN, "method name")?;
                check_len(input_len, MAX_CALL_INPUT_LEN, "call input")?;
                let bytes = u64::from(method_len) + u64::from(input_len);
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(CALL_CONTRACT)
                        .saturating_add(bytes.saturating_mul(CALL_CONTRACT_PER_BYTE)),
                )?;
                let callee = read_address(caller, addr_ptr)?;
                let method = caller.read(method_ptr, method_len)?.to_vec();
                let input = caller.read(input_ptr, input_len)?.to_vec();
                let value = read_amount(caller, value_ptr)?;
                // A value moves two balances, the work `transfer` pays for: charged before
                // the call, whatever its outcome.
                if value != 0 {
                    caller.charge_gas(TRANSFER)?;
                }
                self.call_output.clear();
                if self.frame.depth >= MAX_CALL_DEPTH {
                    return Ok(Some(Value::I32(call_status::DEPTH_EXCEEDED)));
                }
                // A method name that is not UTF-8 cannot name an export.
                let Ok(method) = String::from_utf8(method) else {
                    return Ok(Some(Value::I32(call_status::METHOD_NOT_FOUND)));
                };
                // The value moves in `run_call`, once the callee and method are known.
                let from = self.call.address;
                let held = match self.overlay.account(&from) {
                    Ok(a) => a.map_or(0, |a| a.balance),
                    Err(e) => return Err(self.fatal(e)),
                };
                if held < value {
                    return Ok(Some(Value::I32(call_status::INSUFFICIENT_BALANCE)));
                }
                let checkpoint = self.overlay.checkpoint();
                self.nested(
                    caller,
                    checkpoint,
                    requested,
                    |exec, overlay, block, gas, frame| {
                        exec.run_call(
                            overlay, block, &from, &callee, &method, input, value, gas, frame,
                        )
                    },
                )
            }
            HostFn::CallOutputLen => {
                caller.charge_gas(HOST_BASE)?;
                // At most MAX_RETURN_DATA_LEN or MAX_CALL_INPUT_LEN: fits an i32.
                Ok(Some(Value::I32(self.call_output.len() as i32)))
            }
            HostFn::CallOutputRead => {
                let ptr = arg(0)?;
                caller.charge_gas(HOST_BASE.saturating_add(len64(self.call_output.len())))?;
                caller.write(ptr, &self.call_output)?;
                Ok(None)
            }
            HostFn::Revert => {
                let (ptr, len) = (arg(0)?, arg(1)?);
                check_len(len, MAX_RETURN_DATA_LEN, "revert data")?;
                caller.charge_gas(HOST_BASE.saturating_add(u64::from(len)))?;
                self.revert_data = Some(caller.read(ptr, len)?.to_vec());
                Err(HostError::new("revert"))
            }
            HostFn::Transfer => {
                let (to_ptr, amount_ptr) = (arg(0)?, arg(1)?);
                caller.charge_gas(HOST_BASE.saturating_add(TRANSFER))?;
                let to = read_address(caller, to_ptr)?;
                let amount = read_amount(caller, amount_ptr)?;
                let moved = self.move_value(&to, amount)?;
                Ok(Some(Value::I32(if moved {
                    call_status::SUCCESS
                } else {
                    call_status::INSUFFICIENT_BALANCE
                })))
            }
            HostFn::Instantiate => {
                let (hash_ptr, salt_ptr, salt_len, input_ptr, input_len, value_ptr) =
                    (arg(0)?, arg(1)?, arg(2)?, arg(3)?, arg(4)?, arg(5)?);
                let requested = arg64(6)?;
                let out_ptr = arg(7)?;
                check_len(salt_len, MAX_SALT_LEN, "salt")?;
                check_len(input_len, MAX_CALL_INPUT_LEN, "call input")?;
                let bytes = u64::from(salt_len) + u64::from(input_len);
                caller.charge_gas(
                    HOST_BASE
                        .saturating_add(INSTANTIATE)
                        .saturating_add(bytes.saturating_mul(CALL_CONTRACT_PER_BYTE)),
                )?;
                let code_hash = read_address(caller, hash_ptr)?;
                let salt = caller.read(salt_ptr, salt_len)?.to_vec();
                let input = caller.read(input_ptr, input_len)?.to_vec();
                let value = read_amount(caller, value_ptr)?;
                // The address is written before anything runs: known even on failure.
                let deployer = self.call.address;
                let address = crate::types::instance_address(&deployer, &code_hash, &salt);
                caller.write(out_ptr, &address)?;
                self.call_output.clear();
                if self.frame.depth >= MAX_CALL_DEPTH {
                    return Ok(Some(Value::I32(call_status::DEPTH_EXCEEDED)));
                }
                // The code's length only: the code is read once the forwarded gas is
                // known to pay for loading it (Executor::precheck_code_load).
                match self.overlay.code_len(&code_hash) {
                    Ok(Some(_)) => {}
                    Ok(None) => return Ok(Some(Value::I32(call_status::CODE_NOT_FOUND))),
                    Err(e) => return Err(self.fatal(e)),
                }
                let checkpoint = self.overlay.checkpoint();
                if !self.move_value(&address, value)? {
                    return Ok(Some(Value::I32(call_status::INSUFFICIENT_BALANCE)));
                }
                self.nested(
                    caller,
                    checkpoint,
                    requested,
                    |exec, overlay, block, gas, frame| {
                        let mut meter = GasMeter::new(gas);
                        if let Some(out_of_gas) =
                            exec.precheck_code_load(overlay, &code_hash, &mut meter)?
                        {
                            return Ok(out_of_gas);
                        }
                        let code = overlay
                            .code_by_hash(&code_hash)?
                            .ok_or_else(|| ChainError::Corrupt("code missing".into()))?;
                        exec.instantiate(
                            overlay, block, &deployer, address, &code_hash, &code, input, value,
                            gas, frame,
                        )
                    },
                )
            }
        }
    }
}

/// The 32-byte digest of `input` under the hash host function `f`.
fn hash(f: HostFn, input: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    match f {
        HostFn::Keccak256 => sha3::Keccak256::digest(input).into(),
        HostFn::Sha256 => sha2::Sha256::digest(input).into(),
        _ => <blake2::Blake2b<blake2::digest::consts::U32>>::digest(input).into(),
    }
}

/// Whether `sig` is a valid ed25519 signature of `msg` by public key `pk`, under
/// ed25519-dalek's `verify_strict` (RFC 8032 with canonical encodings required and
/// small-order keys refused), the rule transactions are checked with. A key that is not
/// a curve point is simply not valid.
fn ed25519_verify(sig: &[u8; 64], pk: &[u8; 32], msg: &[u8]) -> bool {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(pk) else {
        return false;
    };
    key.verify_strict(msg, &ed25519_dalek::Signature::from_bytes(sig))
        .is_ok()
}

/// The `call_status` code of a nested execution's outcome.
fn status_code(status: &ReceiptStatus) -> i32 {
    match status {
        ReceiptStatus::Success => call_status::SUCCESS,
        ReceiptStatus::Reverted => call_status::REVERTED,
        ReceiptStatus::Trapped(_) => call_status::TRAPPED,
        ReceiptStatus::OutOfGas => call_status::OUT_OF_GAS,
        ReceiptStatus::NotAContract => call_status::NOT_A_CONTRACT,
        ReceiptStatus::MethodNotFound => call_status::METHOD_NOT_FOUND,
        ReceiptStatus::AddressCollision => call_status::ADDRESS_COLLISION,
        ReceiptStatus::InvalidCode => call_status::INVALID_CODE,
    }
}

/// Topic plus data bytes of an event (what the per-transaction byte cap counts).
fn event_size(e: &Event) -> u64 {
    len64(e.topic.len()).saturating_add(len64(e.data.len()))
}

fn read_address(caller: &Caller<'_>, ptr: u32) -> Result<Address, HostError> {
    caller
        .read(ptr, 32)?
        .try_into()
        .map_err(|_| HostError::new("address must be 32 bytes"))
}

/// A little-endian u128 amount at `ptr`.
fn read_amount(caller: &Caller<'_>, ptr: u32) -> Result<u128, HostError> {
    let bytes: [u8; 16] = caller
        .read(ptr, 16)?
        .try_into()
        .map_err(|_| HostError::new("amount must be 16 bytes"))?;
    Ok(u128::from_le_bytes(bytes))
}

fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

fn check_len(len: u32, max: u32, what: &str) -> Result<(), HostError> {
    if len > max {
        Err(HostError::new(format!(
            "{what} too long: {len} bytes (limit {max})"
        )))
    } else {
        Ok(())
    }
}

impl<S: StateReader> Host for ContractHost<'_, '_, '_, S> {
    fn resolve_func(&mut self, module: &str, name: &str, ty: &FuncType) -> Option<u32> {
        HostFn::resolve(module, name, ty).map(|(id, _)| id)
    }

    fn call(
        &mut self,
        id: u32,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        let f = HostFn::from_id(id).ok_or_else(|| HostError::new("unknown host function"))?;
        let result = match &self.exec.tracer {
            None => self.dispatch(f, caller, args)?,
            Some(tracer) => {
                let tracer = std::sync::Arc::clone(tracer);
                let before = caller.gas_remaining();
                let children = tracer.children();
                let result = self.dispatch(f, caller, args);
                // A host call out of gas uses all that remained (the VM exhausts the
                // meter after it returns).
                let gas = match &result {
                    Err(e) if e.is_out_of_gas() => before,
                    _ => before.saturating_sub(caller.gas_remaining()),
                };
                tracer.host_call(f.name(), gas, self.traced_key.take(), children);
                result?
            }
        };
        match (result, results.first_mut()) {
            (Some(v), Some(slot)) => *slot = v,
            (None, None) => {}
            (None, Some(_)) | (Some(_), None) => {
                return Err(HostError::new("host call result arity mismatch"))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_checks_module_name_and_type() {
        let i32s = |n| vec![ValType::I32; n];
        let ty = FuncType::new(i32s(4), [ValType::I64]);
        assert!(is_host_import("metron", "storage_read", &ty));
        assert!(!is_host_import("env", "storage_read", &ty));
        assert!(!is_host_import("metron", "storage_write", &ty));
        assert!(!is_host_import("metron", "nope", &ty));
        let ty = FuncType::new([], [ValType::I32]);
        assert!(is_host_import("metron", "input_len", &ty));
        for (id, f) in ALL_HOST_FNS.iter().enumerate() {
            assert_eq!(HostFn::from_id(id as u32), Some(*f));
        }
        assert_eq!(HostFn::from_id(ALL_HOST_FNS.len() as u32), None);
    }
}
