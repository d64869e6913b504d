//! Gas by Wasm function and call path: the call profile of an [`crate::Instance`] or
//! [`crate::Store`] that has one switched on ([`crate::Instance::enable_call_profile`]).
//!
//! The interpreter reports every function entry and exit, and every host function call,
//! with the gas remaining at that point. From those readings the profile builds a call
//! tree: one [`CallNode`] per distinct call path (the chain of functions from the
//! invoked export down), with the number of calls along that path, the gas spent in the
//! function itself (its "self gas": its metered blocks, entry charge and dynamic charges
//! such as `memory.grow` and bulk memory) and the gas of the host functions it called.
//! A node's self gas plus its host gas plus its children's totals is exactly the gas
//! that the calls on that path used: the figures are readings of the one meter, nothing
//! is estimated.
//!
//! Determinism and cost: the profile is diagnostics for people (`contract_trace`), never
//! part of a result, state or gas. With it on, every call and return of the threaded
//! handlers goes through the interpreter loop (which reports them), so a profiled run is
//! slower; with it off (the default) no handler and no loop step does any extra work
//! beyond one `None` test per call, return and host call in the loop, which the threaded
//! handlers reach only when they cannot make the call themselves.
//!
//! Memory: one node per distinct call path, created only by a call (which pays at least
//! its entry charge), and paths deeper than [`MAX_PROFILE_DEPTH`] fold into the node at
//! that depth, so a deep recursion costs [`MAX_PROFILE_DEPTH`] nodes, not its depth
//! squared.

use std::collections::BTreeMap;

/// Call paths longer than this (in functions) are cut: deeper calls are counted in the
/// node at this depth, as part of its self gas (a recursion deeper than this shows as one
/// node whose gas is the whole tail's).
pub const MAX_PROFILE_DEPTH: usize = 256;

/// One call path of a [`CallProfile`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallNode {
    /// Index of the parent node in [`CallProfile::nodes`] (`None` for an entry: a
    /// function invoked from outside the VM).
    pub parent: Option<u32>,
    /// The store's index of the instance whose function this is (0 for an
    /// [`crate::Instance`]).
    pub instance: u32,
    /// The function's index in its module's function index space (imports first), the
    /// index the name section uses.
    pub func: u32,
    /// Calls made along this path.
    pub calls: u64,
    /// Gas units charged while this function ran itself: its metered blocks, its entry
    /// charge and its dynamic charges (`memory.grow`, bulk memory, table operations).
    pub self_gas: u64,
    /// Gas units of the host functions it called (for a host function that runs nested
    /// executions, theirs included).
    pub host_gas: u64,
    /// Host function calls it made.
    pub host_calls: u64,
}

/// An open call: its node, the gas remaining when it was entered, and the gas of what it
/// called so far.
#[derive(Clone, Copy, Debug)]
struct Open {
    node: u32,
    fuel_at_entry: u64,
    /// Gas of its finished callees and host calls.
    inner: u64,
    /// Calls nested below it past [`MAX_PROFILE_DEPTH`] (counted in its node).
    folded: u32,
}

/// The call tree of the runs made while profiling was on; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct CallProfile {
    nodes: Vec<CallNode>,
    /// Child lookup: (parent node or `u32::MAX` for an entry, instance, function) to
    /// node. A `BTreeMap`: the node order depends only on the calls made.
    index: BTreeMap<(u32, u32, u32), u32>,
    open: Vec<Open>,
    /// The node whose function was running when a run trapped.
    trap_node: Option<u32>,
    /// The node that made each host call, in call order.
    host_call_nodes: Vec<u32>,
}

impl CallProfile {
    /// The call paths, in the order they were first entered (a parent before its
    /// children).
    pub fn nodes(&self) -> &[CallNode] {
        &self.nodes
    }

    /// The call path that was running when the last profiled run trapped (out of gas
    /// included), if it did.
    pub fn trap_node(&self) -> Option<u32> {
        self.trap_node
    }

    /// The node that made each host function call, in the order of the calls (one entry
    /// per call made from Wasm while profiling).
    pub fn host_call_nodes(&self) -> &[u32] {
        &self.host_call_nodes
    }

    /// Gas of all profiled runs: the sum over entries of their totals.
    pub fn total_gas(&self) -> u64 {
        self.nodes
            .iter()
            .map(|n| n.self_gas.saturating_add(n.host_gas))
            .fold(0u64, u64::saturating_add)
    }

    /// Function `func` of `instance` is entered with `fuel` gas remaining (before its
    /// entry charge).
    pub(crate) fn enter(&mut self, instance: u32, func: u32, fuel: u64) {
        if self.open.len() >= MAX_PROFILE_DEPTH {
            if let Some(top) = self.open.last_mut() {
                top.folded += 1;
                self.nodes[top.node as usize].calls += 1;
            }
            return;
        }
        let parent = self.open.last().map(|o| o.node);
        let key = (parent.unwrap_or(u32::MAX), instance, func);
        let node = match self.index.get(&key) {
            Some(&n) => n,
            None => {
                let n = self.nodes.len() as u32;
                self.nodes.push(CallNode {
                    parent,
                    instance,
                    func,
                    calls: 0,
                    self_gas: 0,
                    host_gas: 0,
                    host_calls: 0,
                });
                self.index.insert(key, n);
                n
            }
        };
        self.nodes[node as usize].calls += 1;
        self.open.push(Open {
            node,
            fuel_at_entry: fuel,
            inner: 0,
            folded: 0,
        });
    }

    /// The running function returns with `fuel` gas remaining.
    pub(crate) fn exit(&mut self, fuel: u64) {
        if let Some(top) = self.open.last_mut() {
            if top.folded > 0 {
                // A call folded into this node returns: its gas stays in this node's
                // self gas, counted when this node exits.
                top.folded -= 1;
                return;
            }
        }
        let Some(o) = self.open.pop() else { return };
        let total = o.fuel_at_entry.saturating_sub(fuel);
        let n = &mut self.nodes[o.node as usize];
        n.self_gas = n.self_gas.saturating_add(total.saturating_sub(o.inner));
        if let Some(parent) = self.open.last_mut() {
            parent.inner = parent.inner.saturating_add(total);
        }
    }

    /// The running function called a host function that used `gas` units.
    pub(crate) fn host(&mut self, gas: u64) {
        if let Some(top) = self.open.last_mut() {
            top.inner = top.inner.saturating_add(gas);
            let n = &mut self.nodes[top.node as usize];
            n.host_gas = n.host_gas.saturating_add(gas);
            n.host_calls += 1;
            self.host_call_nodes.push(top.node);
        }
    }

    /// A run ended with `fuel` gas remaining; `trapped` if by a trap. Calls still open
    /// (those a trap interrupted) are closed as if they returned then, and the innermost
    /// becomes the trap node.
    pub(crate) fn end_run(&mut self, fuel: u64, trapped: bool) {
        if trapped {
            self.trap_node = self.open.last().map(|o| o.node);
        }
        while let Some(top) = self.open.last_mut() {
            top.folded = 0;
            self.exit(fuel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_gas_excludes_callees_and_host_calls() {
        let mut p = CallProfile::default();
        p.enter(0, 5, 1000); // f
        p.enter(0, 6, 900); // g, called by f
        p.host(30);
        p.exit(800); // g used 100: 30 host, 70 self
        p.enter(0, 6, 790); // g again under f: the same node
        p.exit(780);
        p.exit(700); // f used 300: 110 in g, 190 self
        p.end_run(700, false);
        let n = p.nodes();
        assert_eq!(n.len(), 2);
        assert_eq!((n[0].func, n[0].calls, n[0].self_gas), (5, 1, 190));
        assert_eq!((n[1].func, n[1].calls, n[1].self_gas), (6, 2, 80));
        assert_eq!((n[1].host_gas, n[1].host_calls), (30, 1));
        assert_eq!(p.host_call_nodes(), &[1]);
        assert_eq!(p.total_gas(), 300);
        assert_eq!(p.trap_node(), None);
    }

    #[test]
    fn a_trap_closes_the_open_calls_and_names_the_innermost() {
        let mut p = CallProfile::default();
        p.enter(0, 1, 100);
        p.enter(0, 2, 90);
        p.end_run(0, true);
        assert_eq!(p.trap_node(), Some(1));
        assert_eq!(p.nodes()[1].self_gas, 90);
        assert_eq!(p.nodes()[0].self_gas, 10);
        assert_eq!(p.total_gas(), 100);
    }

    #[test]
    fn deep_recursion_folds_past_the_depth_limit() {
        let mut p = CallProfile::default();
        let depth = MAX_PROFILE_DEPTH as u64 + 100;
        for i in 0..depth {
            p.enter(0, 7, 10_000 - i);
        }
        for i in 0..depth {
            p.exit(10_000 - depth - i);
        }
        p.end_run(10_000 - 2 * depth + 1, false);
        assert_eq!(p.nodes().len(), MAX_PROFILE_DEPTH);
        // Entered with 10 000, left with 10 000 - depth - (depth - 1).
        assert_eq!(p.total_gas(), 2 * depth - 1);
        let calls: u64 = p.nodes().iter().map(|n| n.calls).sum();
        assert_eq!(calls, depth);
    }
}
