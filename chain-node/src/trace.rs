//! Execution traces: where a transaction's gas went, call by call (`contract_trace`).
//!
//! A trace is a tree of [`CallFrame`]s, one per contract execution (the transaction's
//! deploy or call, and each `call_contract` / `instantiate` below it), each with its
//! host calls in order: name, gas and the storage key touched. A frame's gas splits into
//! its host calls' own gas, its children's gas and the rest, spent executing its Wasm
//! ([`CallFrame::wasm_gas`]). The gas figures are the executor's own charges, recorded
//! while a copy of the transaction re-executes on the state before it, so they are exact,
//! and the re-execution's receipt is checked against the stored one.
//!
//! Within a frame, the Wasm gas splits further by function and call path
//! ([`FunctionGas`]): the VM's call profile ([`metron_vm::profile`]) of the frame's
//! invocation, named from the module's name section (`func[N]` or the export name when
//! it has none). What the profile does not cover, the code load, the instantiation and a
//! start function, is the frame's [`CallFrame::load_gas`].
//!
//! Tracing costs nothing when off: the executor holds no tracer, and the host checks for
//! one once per host call.

use std::sync::{Mutex, PoisonError};

use crate::types::{Address, ReceiptStatus};

/// One host function call of a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCall {
    /// Host function name (`storage_read`, `emit_event`, ...).
    pub name: &'static str,
    /// Gas it charged itself (for `call_contract` and `instantiate`: without the gas of
    /// the nested execution, which is the child frame's).
    pub gas: u64,
    /// The storage key it read or wrote, for the storage functions.
    pub key: Option<Vec<u8>>,
    /// How many child frames began before this call (its place among them).
    pub children_before: usize,
    /// The function that made it: an index into the frame's [`CallFrame::functions`]
    /// (`None` for a host call made while instantiating, outside the profile).
    pub function: Option<usize>,
}

/// One call path of a frame's Wasm functions (a node of its call tree): the gas the
/// function spent itself on that path, over all the calls along it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionGas {
    /// The caller's entry in [`CallFrame::functions`] (`None` for the invoked export).
    pub parent: Option<usize>,
    /// The function's index in the module (imports first).
    pub index: u32,
    /// Its name: from the module's name section, else an export name, else `func[N]`.
    pub name: String,
    /// Calls along this path.
    pub calls: u64,
    /// Gas it charged itself on this path: its metered blocks, entry charges and dynamic
    /// charges, without its callees and host calls.
    pub self_gas: u64,
    /// Gas of the host calls it made on this path (nested frames' gas included).
    pub host_gas: u64,
}

/// What a frame executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A deploy transaction's code and `init`.
    Deploy,
    /// A call of an exported method.
    Call,
    /// `instantiate` of stored code by hash, with its `init`.
    Instantiate,
}

/// One contract execution and everything below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallFrame {
    /// What it executed.
    pub kind: FrameKind,
    /// The contract executed.
    pub contract: Address,
    /// The method (`init` for deploys and instantiations).
    pub method: String,
    /// Gas it was given.
    pub gas_limit: u64,
    /// Gas it used, everything below it included.
    pub gas_used: u64,
    /// Its outcome.
    pub status: ReceiptStatus,
    /// The error text of a failed frame: the trap, abort message or revert.
    pub error: Option<String>,
    /// Its host calls, in order.
    pub host_calls: Vec<HostCall>,
    /// The frames it called, in order.
    pub calls: Vec<CallFrame>,
    /// Its Wasm functions' gas, by call path: a tree whose parents come before their
    /// children. Empty when the frame failed before its method ran.
    pub functions: Vec<FunctionGas>,
    /// The entry of [`CallFrame::functions`] that was running when the frame trapped.
    pub trap_function: Option<usize>,
}

impl CallFrame {
    /// The part of [`CallFrame::wasm_gas`] outside its functions: loading the code,
    /// instantiating (segments, the start function) and the checks before the method.
    pub fn load_gas(&self) -> u64 {
        let functions: u64 = self.functions.iter().map(|f| f.self_gas).sum();
        self.wasm_gas().saturating_sub(functions)
    }

    /// Gas of its own Wasm execution (with the code load): what it used less its host
    /// calls and children.
    pub fn wasm_gas(&self) -> u64 {
        let host: u64 = self.host_calls.iter().map(|h| h.gas).sum();
        let children: u64 = self.calls.iter().map(|c| c.gas_used).sum();
        self.gas_used.saturating_sub(host).saturating_sub(children)
    }

    /// The trace as "folded stacks", the input of flame graph tools (one line per call
    /// path: frames joined by `;`, then a space and the gas): each frame's Wasm gas on
    /// its own path, each host function's gas summed per name under it. `label` names a
    /// frame (e.g. by the contract's metadata).
    pub fn folded(&self, label: &dyn Fn(&CallFrame) -> String) -> Vec<String> {
        let mut out = Vec::new();
        self.fold(&mut String::new(), label, &mut out);
        out
    }

    fn fold(&self, path: &mut String, label: &dyn Fn(&CallFrame) -> String, out: &mut Vec<String>) {
        let len = path.len();
        if !path.is_empty() {
            path.push(';');
        }
        // Flame graph tools split on ';' and the last space: keep both out of names.
        path.push_str(&label(self).replace([';', ' '], "_"));
        let fn_paths = function_paths(&self.functions, |f| f.parent, |f| &f.name);
        let load = self.load_gas();
        if load > 0 {
            let leaf = if self.functions.is_empty() {
                "wasm"
            } else {
                "load"
            };
            out.push(format!("{path};{leaf} {load}"));
        }
        for (f, p) in self.functions.iter().zip(&fn_paths) {
            if f.self_gas > 0 {
                out.push(format!("{path};{p} {}", f.self_gas));
            }
        }
        // Host gas by calling function and host function name, in that order
        // (deterministic output).
        let mut by_name: std::collections::BTreeMap<(Option<usize>, &str), u64> =
            Default::default();
        for h in &self.host_calls {
            *by_name.entry((h.function, h.name)).or_default() += h.gas;
        }
        for ((function, name), gas) in by_name {
            if gas > 0 {
                match function.and_then(|i| fn_paths.get(i)) {
                    Some(p) => out.push(format!("{path};{p};host:{name} {gas}")),
                    None => out.push(format!("{path};host:{name} {gas}")),
                }
            }
        }
        for c in &self.calls {
            c.fold(path, label, out);
        }
        path.truncate(len);
    }
}

/// The call path of each node of a function call tree (`parent` before child), as
/// names joined by `;` with `;` and spaces replaced (flame graph tools split on them).
pub fn function_paths<T>(
    nodes: &[T],
    parent: impl Fn(&T) -> Option<usize>,
    name: impl Fn(&T) -> &str,
) -> Vec<String> {
    let mut paths: Vec<String> = Vec::with_capacity(nodes.len());
    for n in nodes {
        let me = name(n).replace([';', ' '], "_");
        let p = match parent(n).and_then(|i| paths.get(i)) {
            Some(up) => format!("{up};{me}"),
            None => me,
        };
        paths.push(p);
    }
    paths
}

/// The names of a module's functions by index: the name section's function names, else
/// the first export name, else `func[N]` (resolved by [`name_of`]). Malformed sections
/// are skipped: names are for people, the code was validated when deployed.
pub fn function_names(code: &[u8]) -> std::collections::BTreeMap<u32, String> {
    use wasmparser::{KnownCustom, Name, Payload};
    let mut names = std::collections::BTreeMap::new();
    let mut exports = std::collections::BTreeMap::new();
    for payload in wasmparser::Parser::new(0).parse_all(code) {
        match payload {
            Ok(Payload::ExportSection(reader)) => {
                for e in reader.into_iter().flatten() {
                    if e.kind == wasmparser::ExternalKind::Func {
                        exports.entry(e.index).or_insert_with(|| e.name.to_owned());
                    }
                }
            }
            Ok(Payload::CustomSection(c)) => {
                if let KnownCustom::Name(reader) = c.as_known() {
                    for sub in reader.into_iter().flatten() {
                        if let Name::Function(map) = sub {
                            for n in map.into_iter().flatten() {
                                // Rust symbols (`_ZN…E`, `_R…`) demangled, without the
                                // hash suffix; other names as they are.
                                let name = format!("{:#}", rustc_demangle::demangle(n.name));
                                names.insert(n.index, name);
                            }
                        }
                    }
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    for (index, name) in exports {
        names.entry(index).or_insert(name);
    }
    names
}

/// The name of function `index` in `names` ([`function_names`]), or `func[index]`.
pub fn name_of(names: &std::collections::BTreeMap<u32, String>, index: u32) -> String {
    names
        .get(&index)
        .cloned()
        .unwrap_or_else(|| format!("func[{index}]"))
}

/// Collects the frames of one execution. Held by a tracing [`crate::executor::Executor`].
#[derive(Debug, Default)]
pub struct Tracer {
    inner: Mutex<TracerState>,
}

#[derive(Debug, Default)]
struct TracerState {
    /// Frames entered and not yet exited, outermost first.
    open: Vec<CallFrame>,
    /// The outermost frame, once it exited.
    done: Option<CallFrame>,
    /// Function names of the code executed, by code hash.
    names: std::collections::BTreeMap<crate::types::Hash, std::collections::BTreeMap<u32, String>>,
}

impl Tracer {
    fn state(&self) -> std::sync::MutexGuard<'_, TracerState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A frame begins.
    pub(crate) fn enter(&self, kind: FrameKind, contract: Address, method: &str, gas_limit: u64) {
        self.state().open.push(CallFrame {
            kind,
            contract,
            method: method.to_owned(),
            gas_limit,
            gas_used: 0,
            status: ReceiptStatus::Success,
            error: None,
            host_calls: Vec::new(),
            calls: Vec::new(),
            functions: Vec::new(),
            trap_function: None,
        });
    }

    /// Code `code` with hash `code_hash` is about to run: its function names are read
    /// once per trace.
    pub(crate) fn note_code(&self, code_hash: &crate::types::Hash, code: &[u8]) {
        let mut st = self.state();
        if !st.names.contains_key(code_hash) {
            st.names.insert(*code_hash, function_names(code));
        }
    }

    /// The innermost open frame's invocation of code `code_hash` ran with call profile
    /// `profile`: its functions' gas, and which function made each of its host calls.
    pub(crate) fn profile(
        &self,
        code_hash: &crate::types::Hash,
        profile: &metron_vm::profile::CallProfile,
    ) {
        let mut st = self.state();
        let st = &mut *st;
        let empty = std::collections::BTreeMap::new();
        let names = st.names.get(code_hash).unwrap_or(&empty);
        let Some(frame) = st.open.last_mut() else {
            return;
        };
        frame.functions = profile
            .nodes()
            .iter()
            .map(|n| FunctionGas {
                parent: n.parent.map(|p| p as usize),
                index: n.func,
                name: name_of(names, n.func),
                calls: n.calls,
                self_gas: n.self_gas,
                host_gas: n.host_gas,
            })
            .collect();
        frame.trap_function = profile.trap_node().map(|n| n as usize);
        // The profile saw the host calls made while the method ran, the last ones of the
        // frame (those made while instantiating come first).
        let nodes = profile.host_call_nodes();
        let skip = frame.host_calls.len().saturating_sub(nodes.len());
        for (h, &n) in frame.host_calls.iter_mut().skip(skip).zip(nodes) {
            h.function = Some(n as usize);
        }
    }

    /// The innermost open frame ends with `status` after using `gas_used`.
    pub(crate) fn exit(&self, status: ReceiptStatus, gas_used: u64, error: Option<&str>) {
        let mut st = self.state();
        let Some(mut frame) = st.open.pop() else {
            return;
        };
        frame.status = status;
        frame.gas_used = gas_used;
        frame.error = error.map(str::to_owned);
        match st.open.last_mut() {
            Some(parent) => parent.calls.push(frame),
            None => st.done = Some(frame),
        }
    }

    /// The number of child frames of the innermost open frame so far (taken before a host
    /// call, so that [`Tracer::host_call`] can tell its own gas from its children's).
    pub(crate) fn children(&self) -> usize {
        self.state().open.last().map_or(0, |f| f.calls.len())
    }

    /// The innermost open frame made a host call that charged `gas` in all, its children
    /// begun since `children_before` included.
    pub(crate) fn host_call(
        &self,
        name: &'static str,
        gas: u64,
        key: Option<Vec<u8>>,
        children_before: usize,
    ) {
        let mut st = self.state();
        let Some(frame) = st.open.last_mut() else {
            return;
        };
        let nested: u64 = frame
            .calls
            .get(children_before..)
            .unwrap_or_default()
            .iter()
            .map(|c| c.gas_used)
            .sum();
        frame.host_calls.push(HostCall {
            name,
            gas: gas.saturating_sub(nested),
            key,
            children_before,
            function: None,
        });
    }

    /// The outermost frame, if the execution got as far as one.
    pub fn finish(&self) -> Option<CallFrame> {
        let mut st = self.state();
        // Frames left open (an execution that failed before they exited) close under
        // their parents, outermost last.
        while st.open.len() > 1 {
            if let Some(frame) = st.open.pop() {
                if let Some(parent) = st.open.last_mut() {
                    parent.calls.push(frame);
                }
            }
        }
        if let Some(frame) = st.open.pop() {
            st.done = Some(frame);
        }
        st.done.take()
    }
}

/// A transaction's trace ([`Chain::trace_transaction`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxTrace {
    /// The receipt of the re-execution (equal to the stored one in status and gas).
    pub receipt: crate::types::Receipt,
    /// Its intrinsic gas (paid before any frame runs).
    pub intrinsic_gas: u64,
    /// The deploy or call frame; `None` for a transfer.
    pub root: Option<CallFrame>,
}

impl crate::chain::Chain {
    /// Re-executes included transaction `tx_hash` on the state before it (the block's
    /// earlier transactions first, untraced) with a tracer, and returns its trace.
    /// `None` for an unknown transaction.
    ///
    /// # Errors
    /// [`crate::error::ChainError::Corrupt`] if the re-execution's status or gas differs
    /// from the stored receipt (the node's data is inconsistent); storage failures.
    pub fn trace_transaction(
        &self,
        tx_hash: &crate::types::Hash,
    ) -> Result<Option<TxTrace>, crate::error::ChainError> {
        use crate::error::{ChainError, TxError};
        let Some((stx, loc)) = self.transaction(tx_hash)? else {
            return Ok(None);
        };
        let stored = self
            .receipt(tx_hash)?
            .ok_or_else(|| ChainError::Corrupt("receipt missing".into()))?;
        let (_, block) = self
            .block_by_number(loc.block_height)?
            .ok_or_else(|| ChainError::Corrupt(format!("block {} missing", loc.block_height)))?;
        let view = self.store.view(loc.block_height.saturating_sub(1));
        let mut overlay = crate::state::Overlay::new(&view);
        let ctx = crate::host::BlockContext {
            height: block.header.height,
            timestamp: block.header.timestamp,
        };
        let as_chain = |e: TxError| match e {
            TxError::Chain(c) => c,
            other => ChainError::Corrupt(format!(
                "an included transaction fails to re-execute: {other}"
            )),
        };
        // Signatures were checked when the block was sealed; impersonated senders may
        // have changed since.
        for (i, earlier) in block
            .transactions
            .iter()
            .enumerate()
            .take(loc.index as usize)
        {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            self.executor
                .execute(&mut overlay, ctx, earlier, index, false)
                .map_err(as_chain)?;
        }
        let tracer = std::sync::Arc::new(Tracer::default());
        let exec = crate::executor::Executor {
            tracer: Some(std::sync::Arc::clone(&tracer)),
            ..self.executor.clone()
        };
        let receipt = exec
            .execute(&mut overlay, ctx, &stx, loc.index, false)
            .map_err(as_chain)?;
        if receipt.status != stored.status || receipt.gas_used != stored.gas_used {
            return Err(ChainError::Corrupt(format!(
                "re-executing 0x{} gave {:?} with {} gas, the receipt says {:?} with {}",
                hex::encode(tx_hash),
                receipt.status,
                receipt.gas_used,
                stored.status,
                stored.gas_used
            )));
        }
        Ok(Some(TxTrace {
            intrinsic_gas: self.intrinsic_gas(&stx),
            receipt,
            root: tracer.finish(),
        }))
    }

    /// [`crate::chain::Chain::dry_run_call_at`] with a tracer: the dry run's result and
    /// its call frame.
    ///
    /// # Errors
    /// As [`crate::chain::Chain::dry_run_call_at`].
    #[allow(clippy::too_many_arguments)]
    pub fn trace_call(
        &self,
        at: Option<u64>,
        from: Address,
        contract: Address,
        method: &str,
        input: Vec<u8>,
        value: u128,
        gas_limit: u64,
    ) -> Result<(crate::types::CallResult, Option<CallFrame>), crate::error::ChainError> {
        let tracer = std::sync::Arc::new(Tracer::default());
        let exec = crate::executor::Executor {
            tracer: Some(std::sync::Arc::clone(&tracer)),
            ..self.executor.clone()
        };
        let result =
            self.dry_run_call_with(&exec, at, from, contract, method, input, value, gas_limit)?;
        Ok((result, tracer.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_from_the_name_section_then_exports_then_indices() {
        let code = wat::parse_str(
            r#"(module
                (import "metron" "caller" (func $caller (param i32)))
                (func $_ZN10metron_sdk4wasm3raw5abort17h0bfd030664769dfcE)
                (func (export "run") (export "alias"))
                (func))"#,
        )
        .unwrap();
        let names = function_names(&code);
        assert_eq!(name_of(&names, 0), "caller");
        assert_eq!(name_of(&names, 1), "metron_sdk::wasm::raw::abort");
        assert_eq!(name_of(&names, 2), "run");
        assert_eq!(name_of(&names, 3), "func[3]");
        // Malformed bytes give no names, never a panic.
        assert!(function_names(b"\0asm\x01\0\0\0\x07\xff").is_empty());
    }
}
