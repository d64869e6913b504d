//! The contract host ABI (Seam 2): the `metron` import module, implemented as a
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

use metron_vm::{Caller, FuncType, Host, HostError, ValType, Value};

use crate::error::ChainError;
use crate::state::{AccountReader, Overlay, StateReader, StorageReader};
use crate::types::{Address, Event};

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
}

/// Import ids are positions in this list: new functions go at the end.
const ALL_HOST_FNS: [HostFn; 18] = [
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
        }
    }

    /// (number of i32 params, result type).
    fn signature(self) -> (usize, Option<ValType>) {
        match self {
            HostFn::InputLen => (0, Some(ValType::I32)),
            HostFn::InputRead => (1, None),
            HostFn::ReturnData => (2, None),
            HostFn::StorageRead => (4, Some(ValType::I64)),
            HostFn::StorageWrite => (4, None),
            HostFn::StorageRemove => (2, None),
            HostFn::Caller | HostFn::Address | HostFn::Value => (1, None),
            HostFn::Balance => (2, None),
            HostFn::BlockHeight | HostFn::BlockTimestamp => (0, Some(ValType::I64)),
            HostFn::EmitEvent => (4, None),
            HostFn::Abort => (2, None),
            HostFn::Keccak256 | HostFn::Sha256 | HostFn::Blake2b256 => (3, None),
            HostFn::Ed25519Verify => (4, Some(ValType::I32)),
        }
    }

    fn matches(self, ty: &FuncType) -> bool {
        let (params, result) = self.signature();
        ty.params().len() == params
            && ty.params().iter().all(|p| *p == ValType::I32)
            && ty.results() == result.as_slice()
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

/// The host of one contract execution.
pub struct ContractHost<'o, 'a, S> {
    overlay: &'o mut Overlay<'a, S>,
    block: BlockContext,
    call: CallContext,
    return_data: Vec<u8>,
    events: Vec<Event>,
    /// Topic plus data bytes of `events`.
    event_bytes: u64,
    abort_message: Option<String>,
    fatal: Option<ChainError>,
}

impl<'o, 'a, S: StateReader> ContractHost<'o, 'a, S> {
    /// A host writing to `overlay`.
    pub fn new(overlay: &'o mut Overlay<'a, S>, block: BlockContext, call: CallContext) -> Self {
        ContractHost {
            overlay,
            block,
            call,
            return_data: Vec::new(),
            events: Vec::new(),
            event_bytes: 0,
            abort_message: None,
            fatal: None,
        }
    }

    /// Return data set by the last `return_data` call.
    pub fn take_return_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.return_data)
    }

    /// Events emitted so far, in order.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The message of an `abort` call, if the contract aborted.
    pub fn take_abort_message(&mut self) -> Option<String> {
        self.abort_message.take()
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
                if self.events.len() >= MAX_EVENTS_PER_TX {
                    return Err(HostError::new(format!(
                        "too many events: limit {MAX_EVENTS_PER_TX} per transaction"
                    )));
                }
                let total = self.event_bytes.saturating_add(bytes);
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
                self.event_bytes = total;
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

impl<S: StateReader> Host for ContractHost<'_, '_, S> {
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
        let result = self.dispatch(f, caller, args)?;
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
