//! The contract workload: the token contract (`metron_contracts::TOKEN_WASM`) doing
//! transfers against an in-memory implementation of the `metron` host ABI
//! (`docs/abi.md`), for both engines.
//!
//! Each transfer is one call as the chain makes it: a fresh instance of the compiled
//! module, the `transfer` export, host calls for input, storage and events. The host
//! logic ([`HostState::dispatch`]) is shared by both engines; only the glue differs.
//! Gas for host calls is charged on Metron's meter per the ABI; wasmi's fuel is not
//! charged by the host (its cost is one subtraction, negligible next to the storage
//! map).

use std::collections::BTreeMap;

use crate::engine::{metron_config, wasmi_engine, Runner};

/// Gas charged by every host call before its per-item costs (`docs/abi.md`).
const HOST_BASE: u64 = 50;

/// Longest abort message kept (the node's `MAX_ABORT_MESSAGE_LEN`).
const MAX_ABORT_MESSAGE_LEN: usize = 1024;

/// The host functions of the `metron` module: name, parameter count (all i32) and
/// whether they return an i64 (`Some(true)`), an i32 (`Some(false)`) or nothing.
const HOST_FNS: [(&str, usize, Option<bool>); 14] = [
    ("input_len", 0, Some(false)),
    ("input_read", 1, None),
    ("return_data", 2, None),
    ("storage_read", 4, Some(true)),
    ("storage_write", 4, None),
    ("storage_remove", 2, None),
    ("caller", 1, None),
    ("address", 1, None),
    ("value", 1, None),
    ("balance", 2, None),
    ("block_height", 0, Some(true)),
    ("block_timestamp", 0, Some(true)),
    ("emit_event", 4, None),
    ("abort", 2, None),
];

/// The deployer (and sender of every transfer).
const DEPLOYER: [u8; 32] = [0xd0; 32];
/// The contract's own address.
const CONTRACT: [u8; 32] = [0xc0; 32];
/// Initial supply minted to the deployer.
const SUPPLY: u128 = 1_000_000_000_000_000_000_000;

/// Memory and gas access of one host call, implemented per engine.
trait HostMem {
    /// Copies `len` bytes at `ptr` out of memory.
    fn read(&self, ptr: u32, len: u32) -> Result<Vec<u8>, String>;
    /// Writes `bytes` at `ptr`.
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), String>;
    /// Charges gas (Metron) or does nothing (wasmi).
    fn charge(&mut self, units: u64) -> Result<(), String>;
}

/// The chain state seen by the contract: storage, events, the current call's input and
/// return data.
#[derive(Clone, Debug, Default)]
pub struct HostState {
    storage: BTreeMap<Vec<u8>, Vec<u8>>,
    input: Vec<u8>,
    return_data: Vec<u8>,
    events: u64,
    event_hash: u64,
}

impl HostState {
    /// Runs host function `id` with `args` (i32 arguments as u32).
    fn dispatch(
        &mut self,
        id: usize,
        mem: &mut dyn HostMem,
        args: &[u32],
    ) -> Result<Option<i64>, String> {
        let arg = |i: usize| args.get(i).copied().ok_or("missing argument");
        mem.charge(HOST_BASE)?;
        Ok(match HOST_FNS.get(id).map(|f| f.0) {
            Some("input_len") => Some(self.input.len() as i64),
            Some("input_read") => {
                mem.charge(self.input.len() as u64)?;
                mem.write(arg(0)?, &self.input)?;
                None
            }
            Some("return_data") => {
                mem.charge(u64::from(arg(1)?))?;
                self.return_data = mem.read(arg(0)?, arg(1)?)?;
                None
            }
            Some("storage_read") => {
                let key = mem.read(arg(0)?, arg(1)?)?;
                mem.charge(200 + key.len() as u64)?;
                match self.storage.get(&key) {
                    None => Some(-1),
                    Some(v) => {
                        let n = v.len().min(arg(3)? as usize);
                        mem.charge(n as u64)?;
                        mem.write(arg(2)?, &v[..n])?;
                        Some(v.len() as i64)
                    }
                }
            }
            Some("storage_write") => {
                mem.charge(1000 + 10 * (u64::from(arg(1)?) + u64::from(arg(3)?)))?;
                let key = mem.read(arg(0)?, arg(1)?)?;
                let value = mem.read(arg(2)?, arg(3)?)?;
                self.storage.insert(key, value);
                None
            }
            Some("storage_remove") => {
                mem.charge(500 + u64::from(arg(1)?))?;
                let key = mem.read(arg(0)?, arg(1)?)?;
                self.storage.remove(&key);
                None
            }
            Some("caller") => {
                mem.charge(32)?;
                mem.write(arg(0)?, &DEPLOYER)?;
                None
            }
            Some("address") => {
                mem.charge(32)?;
                mem.write(arg(0)?, &CONTRACT)?;
                None
            }
            Some("value") => {
                mem.charge(16)?;
                mem.write(arg(0)?, &[0; 16])?;
                None
            }
            Some("balance") => {
                mem.charge(200)?;
                mem.read(arg(0)?, 32)?;
                mem.write(arg(1)?, &[0; 16])?;
                None
            }
            Some("block_height") => Some(1),
            Some("block_timestamp") => Some(1_700_000_000_000),
            Some("emit_event") => {
                mem.charge(300 + 5 * (u64::from(arg(1)?) + u64::from(arg(3)?)))?;
                let topic = mem.read(arg(0)?, arg(1)?)?;
                let data = mem.read(arg(2)?, arg(3)?)?;
                self.events += 1;
                for b in topic.iter().chain(&data) {
                    self.event_hash = self
                        .event_hash
                        .wrapping_mul(131)
                        .wrapping_add(u64::from(*b));
                }
                None
            }
            Some("abort") => {
                // The message is cut to its first MAX_ABORT_MESSAGE_LEN bytes before
                // it is decoded, as the node does (`chain-node/src/host.rs`): decoding
                // a 64 KiB message of invalid UTF-8 took 355 us for 50 gas.
                // Only the kept bytes are copied; the whole range is still checked
                // (its last byte read), as the node checks it.
                let (ptr, len) = (arg(0)?, arg(1)?);
                if len as usize > MAX_ABORT_MESSAGE_LEN {
                    mem.read(ptr.saturating_add(len - 1), 1)?;
                }
                let kept = mem.read(ptr, len.min(MAX_ABORT_MESSAGE_LEN as u32))?;
                return Err(format!("abort: {}", String::from_utf8_lossy(&kept)));
            }
            _ => return Err(format!("unknown host function {id}")),
        })
    }

    /// The host state of the calibration benchmark's host cases (`crate::gas`): call
    /// input of `input_len` bytes and one stored pair, `key` to `value`, so that every
    /// host function can be called with the largest sizes from a synthetic module.
    pub fn calibration(input_len: usize, key: Vec<u8>, value: Vec<u8>) -> HostState {
        let mut storage = BTreeMap::new();
        storage.insert(key, value);
        HostState {
            storage,
            input: vec![0x5a; input_len],
            ..HostState::default()
        }
    }

    /// Number of events emitted so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// A checksum of the storage and the events.
    fn checksum(&self) -> i64 {
        let mut h = self.events ^ self.event_hash.rotate_left(17);
        for (k, v) in &self.storage {
            for b in k.iter().chain(v) {
                h = h.wrapping_mul(31).wrapping_add(u64::from(*b));
            }
        }
        h as i64
    }
}

/// Input of transfer number `i`: a recipient among 64 addresses, amount `i + 1`.
fn transfer_input(i: u32) -> Vec<u8> {
    let mut input = vec![(i % 64) as u8 + 1; 32];
    input.extend_from_slice(&u128::from(i + 1).to_le_bytes());
    input
}

/// Token methods the calibration benchmark calls (`crate::gas`), with the input of
/// call number `i`.
pub const METHODS: &[&str] = &["transfer", "approve", "balance_of", "total_supply"];

/// Input of call number `i` of `method` (one of [`METHODS`]).
fn method_input(method: &str, i: u32) -> Vec<u8> {
    match method {
        // A spender among 64 addresses, amount `i + 1`: the same shape as a transfer.
        "transfer" | "approve" => transfer_input(i),
        "balance_of" => vec![(i % 64) as u8 + 1; 32],
        _ => Vec::new(),
    }
}

// ---- Metron ----

struct MetronMem<'a, 'b>(&'a mut metron_vm::Caller<'b>);

impl HostMem for MetronMem<'_, '_> {
    fn read(&self, ptr: u32, len: u32) -> Result<Vec<u8>, String> {
        self.0
            .read(ptr, len)
            .map(<[u8]>::to_vec)
            .map_err(|e| e.message().to_string())
    }
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), String> {
        self.0
            .write(ptr, bytes)
            .map_err(|e| e.message().to_string())
    }
    fn charge(&mut self, units: u64) -> Result<(), String> {
        self.0
            .charge_gas(units)
            .map_err(|e| e.message().to_string())
    }
}

impl metron_vm::Host for HostState {
    fn resolve_func(&mut self, module: &str, name: &str, _ty: &metron_vm::FuncType) -> Option<u32> {
        if module != "metron" {
            return None;
        }
        HOST_FNS.iter().position(|f| f.0 == name).map(|i| i as u32)
    }

    fn call(
        &mut self,
        id: u32,
        caller: &mut metron_vm::Caller<'_>,
        args: &[metron_vm::Value],
        results: &mut [metron_vm::Value],
    ) -> Result<(), metron_vm::HostError> {
        let args: Vec<u32> = args
            .iter()
            .map(|a| match a {
                metron_vm::Value::I32(v) => *v as u32,
                _ => 0,
            })
            .collect();
        let r = self
            .dispatch(id as usize, &mut MetronMem(caller), &args)
            .map_err(|e| {
                // A charge the meter refused: the VM must trap `OutOfGas`, not `Host`.
                if caller.gas_remaining() == 0 && e == metron_vm::OutOfGas.to_string() {
                    metron_vm::HostError::out_of_gas()
                } else {
                    metron_vm::HostError::new(e)
                }
            })?;
        match (r, results.first_mut(), HOST_FNS[id as usize].2) {
            (Some(v), Some(slot), Some(true)) => *slot = metron_vm::Value::I64(v),
            (Some(v), Some(slot), Some(false)) => *slot = metron_vm::Value::I32(v as i32),
            _ => {}
        }
        Ok(())
    }
}

/// The token workload on Metron.
pub struct MetronToken {
    module: metron_vm::Module,
    deployed: HostState,
    last_gas: u64,
}

impl MetronToken {
    /// Compiles the token contract and deploys it (runs `init`).
    ///
    /// # Errors
    /// A compile, instantiation or `init` failure, as text.
    pub fn new(metering: bool) -> Result<MetronToken, String> {
        let config = metron_config(metering);
        let module = metron_vm::Module::new(&config, metron_contracts::TOKEN_WASM)
            .map_err(|e| format!("metron: token: {e}"))?;
        let mut host = HostState {
            input: SUPPLY.to_le_bytes().to_vec(),
            ..HostState::default()
        };
        let mut gas = metron_vm::GasMeter::unlimited();
        let mut inst = metron_vm::Instance::new(&module, &mut host, &mut gas)
            .map_err(|e| format!("metron: token: {e}"))?;
        inst.invoke(&mut host, "init", &[], &mut gas)
            .map_err(|e| format!("metron: token init: {e}"))?;
        Ok(MetronToken {
            module,
            deployed: host,
            last_gas: 0,
        })
    }
}

impl MetronToken {
    /// Makes `n` calls of `method` (one of [`METHODS`]; a fresh instance per call, as
    /// the chain makes them) on a copy of the deployed state, charging one meter;
    /// returns the state's checksum and the gas used.
    ///
    /// # Errors
    /// An instantiation failure or a trap, as text.
    pub fn run_method(&mut self, method: &str, n: i32) -> Result<(i64, u64), String> {
        let mut host = self.deployed.clone();
        let mut gas = metron_vm::GasMeter::unlimited();
        for i in 0..n.max(0) as u32 {
            host.input = method_input(method, i);
            let mut inst = metron_vm::Instance::new(&self.module, &mut host, &mut gas)
                .map_err(|e| format!("metron: token: {e}"))?;
            inst.invoke(&mut host, method, &[], &mut gas)
                .map_err(|e| format!("metron: {method} {i}: {e}"))?;
        }
        self.last_gas = gas.used();
        Ok((host.checksum(), gas.used()))
    }
}

impl Runner for MetronToken {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        self.run_method("transfer", n).map(|(checksum, _)| checksum)
    }

    fn gas_used(&self) -> Option<u64> {
        Some(self.last_gas)
    }
}

// ---- wasmi ----

struct SliceMem<'a>(&'a mut [u8]);

impl HostMem for SliceMem<'_> {
    fn read(&self, ptr: u32, len: u32) -> Result<Vec<u8>, String> {
        let (p, l) = (ptr as usize, len as usize);
        self.0
            .get(p..p.saturating_add(l))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| "out of bounds memory access".to_string())
    }
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), String> {
        let p = ptr as usize;
        self.0
            .get_mut(p..p.saturating_add(bytes.len()))
            .ok_or_else(|| "out of bounds memory access".to_string())?
            .copy_from_slice(bytes);
        Ok(())
    }
    fn charge(&mut self, _units: u64) -> Result<(), String> {
        Ok(())
    }
}

/// The token workload on wasmi.
pub struct WasmiToken {
    metering: bool,
    engine: wasmi::Engine,
    module: wasmi::Module,
    linker: wasmi::Linker<HostState>,
    deployed: HostState,
}

impl WasmiToken {
    /// Compiles the token contract (eagerly) and deploys it (runs `init`).
    ///
    /// # Errors
    /// A compile, link or `init` failure, as text.
    pub fn new(metering: bool) -> Result<WasmiToken, String> {
        let engine = wasmi_engine(metering);
        let module = wasmi::Module::new(&engine, metron_contracts::TOKEN_WASM)
            .map_err(|e| format!("wasmi: token: {e}"))?;
        let mut linker = wasmi::Linker::<HostState>::new(&engine);
        for (id, (name, nparams, result)) in HOST_FNS.iter().enumerate() {
            let params = vec![wasmi::ValType::I32; *nparams];
            let results = match result {
                Some(true) => vec![wasmi::ValType::I64],
                Some(false) => vec![wasmi::ValType::I32],
                None => vec![],
            };
            let ty = wasmi::FuncType::new(params, results);
            linker
                .func_new("metron", name, ty, move |mut caller, params, results| {
                    let args: Vec<u32> = params
                        .iter()
                        .map(|v| match v {
                            wasmi::Val::I32(x) => *x as u32,
                            _ => 0,
                        })
                        .collect();
                    let memory = caller
                        .get_export("memory")
                        .and_then(wasmi::Extern::into_memory)
                        .ok_or_else(|| wasmi::Error::new("no memory export"))?;
                    let (data, state) = memory.data_and_store_mut(&mut caller);
                    let r = state
                        .dispatch(id, &mut SliceMem(data), &args)
                        .map_err(wasmi::Error::new)?;
                    match (r, results.first_mut(), result) {
                        (Some(v), Some(slot), Some(true)) => *slot = wasmi::Val::I64(v),
                        (Some(v), Some(slot), Some(false)) => *slot = wasmi::Val::I32(v as i32),
                        _ => {}
                    }
                    Ok(())
                })
                .map_err(|e| e.to_string())?;
        }
        let mut token = WasmiToken {
            metering,
            engine,
            module,
            linker,
            deployed: HostState::default(),
        };
        let host = HostState {
            input: SUPPLY.to_le_bytes().to_vec(),
            ..HostState::default()
        };
        token.deployed = token.call(host, "init")?;
        Ok(token)
    }

    /// One call: a fresh store and instance, then `export`.
    fn call(&self, host: HostState, export: &str) -> Result<HostState, String> {
        let mut store = wasmi::Store::new(&self.engine, host);
        if self.metering {
            store.set_fuel(1 << 60).map_err(|e| e.to_string())?;
        }
        let inst = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .map_err(|e| format!("wasmi: token: {e}"))?;
        let f = inst
            .get_typed_func::<(), ()>(&store, export)
            .map_err(|e| format!("wasmi: token {export}: {e}"))?;
        f.call(&mut store, ())
            .map_err(|e| format!("wasmi: token {export}: {e}"))?;
        Ok(store.into_data())
    }
}

impl Runner for WasmiToken {
    fn run(&mut self, n: i32) -> Result<i64, String> {
        let mut host = self.deployed.clone();
        for i in 0..n.max(0) as u32 {
            host.input = transfer_input(i);
            host = self.call(host, "transfer")?;
        }
        Ok(host.checksum())
    }

    fn gas_used(&self) -> Option<u64> {
        None
    }
}
