//! VM configuration: limits, gas schedule, metering switch and stack bounds.

use crate::{GasSchedule, Limits};

/// Configuration for loading and running modules.
///
/// Part of consensus: nodes must agree on every field (the schedule is versioned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Load-time resource limits.
    pub limits: Limits,
    /// Gas cost schedule (static costs are compiled into the module; dynamic ones are
    /// read by the interpreter).
    pub schedule: GasSchedule,
    /// Emit gas charges (`ConsumeGas`) when translating. Default `true`.
    pub metering: bool,
    /// Maximum call depth (frames) before `CallStackExhausted`. Default 1024.
    pub max_call_depth: u32,
    /// Stack budget in WebAssembly value slots: each active frame costs its function's
    /// params + locals + maximum operand-stack height (defined on wasm, see
    /// `docs/gas.md`), charged on entry and released on return. Default 2^20.
    pub max_stack_slots: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            schedule: GasSchedule::default(),
            metering: true,
            max_call_depth: 1024,
            max_stack_slots: 1 << 20,
        }
    }
}
