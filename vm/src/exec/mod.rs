//! The IR interpreter. Most instructions run as handlers chained by tail calls
//! ([`threaded`]: numeric operations, moves, loads, stores, branches, calls and returns
//! inside an instance, globals); this module's loop over the current function's code
//! runs the rest (host calls, calls across instances, bulk memory, tables,
//! `memory.grow`, ...) and hands everything else to the handlers.
//!
//! * Value stack: one heap `Vec<u64>` of untyped cells; a frame is a window
//!   `[base, base + frame_size)` (layout in `docs/ir.md`). Slots are frame-relative.
//! * Call stack: a heap `Vec<Frame>` of caller states. The executor never recurses on the
//!   native stack, not for wasm->wasm calls and not for host calls.
//! * Instances: the loop runs over a [`Store`]; each frame records its instance. A call
//!   to a function of another instance (an imported function, or a table element) is a
//!   frame push that switches the current instance's context (module, memory, index
//!   maps); the return switches back.
//! * Limits (determinism): entering a function charges its wasm-defined frame cost
//!   (`FrameShape::stack_cost`: params + locals + maximum wasm operand height, see
//!   `docs/gas.md`) against `max_stack_slots`, released on return, and needs
//!   `active frames <= max_call_depth`; else `CallStackExhausted`. Both depend only on
//!   the wasm code and the call sequence, never on the IR or the machine. The IR value
//!   stack grows on the heap as needed (not a consensus limit).
//! * Gas: `ConsumeGas` charges static block costs; dynamic costs (memory.grow pages, bulk
//!   bytes, table elements) are charged before the operation runs, when metering is on.
//!
//! * Operands are read and written through a raw frame pointer `fp` (`stack` data +
//!   `base`), kept in a local and re-derived after anything that may move or reborrow the
//!   value stack (entering a frame, returning, host calls, `copy_span`). No bounds check
//!   per access: [`verify::frame_slots`] proves at `Module::new`, on every function's
//!   finished IR, that each slot an instruction touches is below the function's
//!   `frame_size`, and [`enter`] makes the stack at least `base + frame_size` long. A
//!   translator bug therefore rejects the module instead of reading outside the frame.
//!   Measured with `metron-bench` (`docs/changelog.md`): 1.3-2x faster than checked
//!   indexing, whose bounds checks and reloads of the `Vec` pointer dominated the
//!   handlers. Semantics and gas are unchanged (same operations in the same order).
//!
//! Numeric semantics live in [`int`] and [`float`]; host calls, indirect-call resolution
//! and bulk memory/table operations in [`calls`] and [`bulk`].

pub(crate) mod bulk;
pub(crate) mod calls;
#[cfg(all(test, feature = "cost-counters"))]
mod cost_tests;
pub(crate) mod float;
pub(crate) mod int;
#[cfg(test)]
mod tests;
pub(crate) mod threaded;
pub(crate) mod verify;

use crate::host::Host;
use crate::ir::{Instr, Slot};
use crate::memory::Memory;
use crate::meter::GasMeter;
use crate::module::{CallTarget, ModuleInner};
use crate::store::{FuncInst, InstanceData, Store};
use crate::trap::{Trap, TrapKind};
use crate::value::Value;
use threaded::Op;

/// A suspended caller: where to resume when the callee returns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Instance of the caller (index in the store).
    instance: u32,
    /// Instruction to resume at (inside the caller's `CompiledFunc::code`, which the
    /// store keeps alive for the whole run).
    ip: ResumeIp,
    /// Caller's frame base in the value stack.
    base: u32,
    /// Stack budget used (wasm frame costs) when the caller was running.
    stack_used: u32,
}

/// A return address: an instruction of a caller's code.
///
/// Only dereferenced by the run that pushed it, while the store (which owns every
/// instance's module, and so the code) is borrowed by that run. Frames left behind by a
/// trap are cleared at the start of the next run, never resumed.
#[derive(Clone, Copy, Debug)]
struct ResumeIp(*const Op);

// SAFETY: a `ResumeIp` is an address into immutable, `Send + Sync` code, dereferenced
// only inside the run that created it (see the type's docs).
unsafe impl Send for ResumeIp {}
// SAFETY: as above.
unsafe impl Sync for ResumeIp {}

/// Writes the interpreter's fuel register back to the caller's counter on every exit.
struct FuelWriteBack<'a> {
    out: &'a mut u64,
    fuel: u64,
}

impl Drop for FuelWriteBack<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        *self.out = self.fuel;
    }
}

/// Reusable execution buffers of an instance (allocated once, reused by every call).
#[derive(Debug, Default)]
pub(crate) struct Stacks {
    /// The value stack.
    pub values: Vec<u64>,
    /// The call stack (callers of the running function).
    pub frames: Vec<Frame>,
    /// Scratch for host-call arguments and results.
    pub host_values: Vec<Value>,
}

/// The call record of compiled function `idx`.
///
/// # Errors
/// An internal trap if `idx` is an import (the translator never produces that).
#[inline(always)]
fn compiled(module: &ModuleInner, idx: u32) -> Result<&CallTarget, Trap> {
    match module.call_targets.get(idx as usize) {
        Some(t) if t.entry != CallTarget::IMPORT => Ok(t),
        _ => Err(internal("frame of a non-compiled function")),
    }
}

#[cold]
#[inline(never)]
fn internal(what: &str) -> Trap {
    Trap::with_message(TrapKind::Unreachable, format!("internal VM error: {what}"))
}

/// Prepares the frame of callee `t` at `base`: charges its wasm-defined frame cost
/// against the stack budget (`stack_used` += cost, at most `max_stack`) and grows the
/// stack buffer if needed. The callee's `enter` instruction (its first, when it has
/// locals or constants) then zeroes the declared locals and copies the constants in.
#[inline(always)]
fn enter(
    stack: &mut Vec<u64>,
    t: &CallTarget,
    base: usize,
    stack_used: &mut u32,
    max_stack: u32,
) -> Result<(), TrapKind> {
    match stack_used.checked_add(t.frame.stack_cost) {
        Some(u) if u <= max_stack => *stack_used = u,
        _ => return Err(TrapKind::CallStackExhausted),
    }
    let end = base + t.frame.frame_size as usize;
    if stack.len() < end {
        grow_stack(stack, end);
    }
    Ok(())
}

/// Cells [`zero_locals`] and [`copy_consts`] write per loop iteration: they zero and
/// copy whole blocks, so they write up to `INIT_BLOCK - 1` cells past the locals and
/// past the constants (a frame is sized for that: `FuncTranslator::finish`, checked by
/// `verify::implicit_slots`), and read up to `INIT_BLOCK - 1` cells past a pool (the
/// constant arena ends in that many zeros).
pub(crate) const INIT_BLOCK: u32 = 4;

/// Cells `enter_small` copies into a frame (`Instr::EnterSmall`): a function whose
/// zeroed locals and pooled constants number at most this many gets that instruction,
/// and its frame is at least this many cells past its parameters. Most functions that
/// set up a frame qualify (json build: 50 of 52, regex 238 of 251). The constant arena
/// ends in `SMALL_INIT - 1` zero cells, so an image at its end can be read whole.
pub(crate) const SMALL_INIT: u32 = 8;

/// `n` cells rounded up to whole [`INIT_BLOCK`]s (u64: no overflow).
#[inline(always)]
pub(crate) fn init_span(n: u32) -> u64 {
    u64::from(n).div_ceil(u64::from(INIT_BLOCK)) * u64::from(INIT_BLOCK)
}

/// An empty `asm!` (no instruction) that may touch memory: a loop containing it is not
/// a plain copy loop, which LLVM would turn into a `memset`/`memcpy` call, nor one LLVM
/// unrolls (as it does loops without calls). Values read from memory before it are
/// read again after it, rather than kept in registers across it.
#[inline(always)]
pub(crate) fn barrier() {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: emits nothing.
    unsafe {
        core::arch::asm!("", options(nostack, preserves_flags))
    };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

/// Sets up the declared locals and constants of a frame (the `enter` instruction, a
/// function's first when it has any), in two halves: [`zero_locals`] zeroes the `l`
/// cells at `locals`, then [`copy_consts`] copies the `c` cells at `pool` (the
/// function's constant pool in the module's arena) to the cells right after them.
///
/// Determinism: locals start at zero, never at whatever a previous frame left. The
/// cells written past the locals are then overwritten by the constants, and those
/// past the constants are temporaries, which the code writes before it reads them.
///
/// Whole blocks of [`INIT_BLOCK`] cells (two 16-byte stores where the target has them),
/// a count and a pointer per loop: no tail, no `memset`/`memcpy` call (which would make
/// the handler save the interpreter's argument registers), few live registers. Measured
/// with callgrind on json, one cell per iteration cost 30% more instructions per call,
/// LLVM's own 8-fold unrolling more spills. It runs in the callee's first instruction
/// rather than in the `call` handler, which then stays small enough to keep its
/// registers (`docs/changelog.md` has the measurement).
///
/// The two halves are separate so that the `enter` handler reads the fields the second
/// needs again after the first, rather than keeping them in registers across its loop
/// (x86-64: no callee-saved register to save on every call).
///
/// This first half zeroes `init_span(l)` cells at `locals`.
///
/// # Safety
/// `locals` is valid for writing `init_span(l)` cells.
#[inline(always)]
pub(crate) unsafe fn zero_locals(locals: *mut u64, l: usize) {
    const B: usize = INIT_BLOCK as usize;
    // Plain writes, which LLVM merges into 16-byte moves: not `write_unaligned`, whose
    // debug-build checks take a local's address (and a handler with an escaping local
    // cannot end in a jump).
    // SAFETY: the caller's contract covers every cell written.
    unsafe {
        let (mut d, mut n) = (locals, l.div_ceil(B));
        while n != 0 {
            d.write(0);
            d.add(1).write(0);
            d.add(2).write(0);
            d.add(3).write(0);
            d = d.add(B);
            n -= 1;
            barrier();
        }
    }
}

/// The second half of a frame's set-up ([`zero_locals`]): copies `init_span(c)` cells
/// from `pool` to `dst`.
///
/// # Safety
/// `dst` is valid for writing and `pool` for reading `init_span(c)` cells.
#[inline(always)]
pub(crate) unsafe fn copy_consts(dst: *mut u64, pool: *const u64, c: usize) {
    const B: usize = INIT_BLOCK as usize;
    // SAFETY: the caller's contract covers every cell written and read.
    unsafe {
        let (mut d, mut s, mut n) = (dst, pool, c.div_ceil(B));
        while n != 0 {
            let v = [*s, *s.add(1), *s.add(2), *s.add(3)];
            d.write(v[0]);
            d.add(1).write(v[1]);
            d.add(2).write(v[2]);
            d.add(3).write(v[3]);
            d = d.add(B);
            s = s.add(B);
            n -= 1;
            barrier();
        }
    }
}

/// The frame set-up of `enter_small` (`Instr::EnterSmall`): copies [`SMALL_INIT`] cells
/// from `image` (a function's zeroed locals and constants in the module's constant arena)
/// to `dst`, in straight-line code: no loop, so no exit branch whose outcome changes with
/// the callee (a loop's exit mispredicts when calls alternate between functions with
/// different counts), and fewer instructions than `zero_locals` and `copy_consts`.
///
/// Determinism: every cell written is a copy of a cell of the arena, which the module
/// fixes; the cells past the image are written-first locals or temporaries, which the
/// code writes before it reads them (as for `zero_locals`).
///
/// # Safety
/// `dst` is valid for writing and `image` for reading `SMALL_INIT` cells.
#[inline(always)]
pub(crate) unsafe fn copy_image(dst: *mut u64, image: *const u64) {
    // SAFETY: the caller's contract covers every cell written and read.
    unsafe {
        let v: [u64; SMALL_INIT as usize] = image.cast::<[u64; SMALL_INIT as usize]>().read();
        dst.cast::<[u64; SMALL_INIT as usize]>().write(v);
    }
}

/// Adds `n` to cost counter `c` (feature `cost-counters`; saturating).
#[cfg(feature = "cost-counters")]
#[inline(always)]
fn count(c: &mut u64, n: u64) {
    *c = c.saturating_add(n);
}

/// Grows the value-stack buffer to at least `end` cells (amortized doubling).
#[cold]
#[inline(never)]
fn grow_stack(stack: &mut Vec<u64>, end: usize) {
    let target = end.max(stack.len().saturating_mul(2)).max(64);
    stack.resize(target, 0);
}

/// Charges a dynamic cost from `fuel` when metering is on.
#[inline(always)]
fn charge(module: &ModuleInner, fuel: &mut u64, units: u64) -> Result<(), Trap> {
    if module.metering {
        consume(fuel, units)?;
    }
    Ok(())
}

/// Takes `units` from `fuel`; on shortage `fuel` becomes 0 (used == limit) and the
/// result is an `OutOfGas` trap.
#[inline(always)]
fn consume(fuel: &mut u64, units: u64) -> Result<(), Trap> {
    take(fuel, units).map_err(Trap::new)
}

/// [`consume`] with the trap kind as the error.
#[inline(always)]
fn take(fuel: &mut u64, units: u64) -> Result<(), TrapKind> {
    if units <= *fuel {
        *fuel -= units;
        Ok(())
    } else {
        *fuel = 0;
        Err(TrapKind::OutOfGas)
    }
}

/// The consensus limits of the call stack (`Config::max_stack_slots`,
/// `Config::max_call_depth`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallLimits {
    /// Stack budget in wasm-defined frame costs.
    pub max_stack: u32,
    /// Maximum number of active frames.
    pub max_depth: usize,
}

/// Calls compiled function `t` of `module` with its frame at stack index `args_at`:
/// the call-depth check, the frame cost and stack size ([`enter`]), the caller's frame record
/// `caller` (whose `stack_used` is the budget used before the call), and the entry
/// charge (`FrameShape::entry_gas`), in this order. Returns the callee's first
/// instruction to run. The one definition of a call, used by the loop below and by the
/// `call` handlers of [`threaded`].
///
/// # Errors
/// `CallStackExhausted` (depth or stack budget), `OutOfGas` (entry charge; `fuel`
/// becomes 0).
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the call's state, each part borrowed separately
fn push_frame(
    stack: &mut Vec<u64>,
    frames: &mut Vec<Frame>,
    t: &CallTarget,
    module: &ModuleInner,
    args_at: usize,
    caller: Frame,
    stack_used: &mut u32,
    limits: CallLimits,
    fuel: &mut u64,
) -> Result<*const Op, TrapKind> {
    if frames.len() + 1 >= limits.max_depth {
        return Err(TrapKind::CallStackExhausted);
    }
    enter(stack, t, args_at, stack_used, limits.max_stack)?;
    frames.push(caller);
    take(fuel, u64::from(t.frame.entry_gas))?;
    Ok(entry_ip(module.code.as_ptr(), t))
}

/// The first instruction a call to compiled function `t` runs, in the code arena `code`.
#[inline(always)]
fn entry_ip(code: *const Op, t: &CallTarget) -> *const Op {
    // SAFETY: `entry` is `code_start` plus 0, or 1 when the function's first instruction
    // is a `consume_gas`, which never ends the code (verified): an instruction of the
    // arena.
    unsafe { code.add(t.entry as usize) }
}

/// The memory of instance `inst` as a host function sees it (`None` without memory).
#[inline(always)]
fn host_memory<'m>(inst: Option<&InstanceData>, mem: &'m mut Memory) -> Option<&'m mut Memory> {
    match inst {
        Some(i) if i.has_memory => Some(mem),
        _ => None,
    }
}

/// Runs the function at store address `func` with its arguments already in
/// `store.stacks.values[0..P]`; on success its results are in `store.stacks.values[0..R]`.
/// `instance` is the instance on whose behalf a host function runs when `func` is one
/// (its memory is the host's `Caller` memory; `u32::MAX` for none).
///
/// # Errors
/// The first trap raised.
pub(crate) fn execute<H: Host>(
    store: &mut Store,
    host: &mut H,
    gas: &mut GasMeter,
    instance: u32,
    func: u32,
) -> Result<(), Trap> {
    // The remaining gas lives in a local ("fuel") while the loop runs: one compare and
    // one subtraction per charge. It is written back on every exit and around host
    // calls, so the meter is exact whenever anyone else can observe it.
    let mut fuel = gas.remaining();
    let result = run(store, host, gas, &mut fuel, instance, func);
    gas.set_remaining(fuel);
    if let Some(p) = store.profile.as_deref_mut() {
        p.end_run(fuel, result.is_err());
    }
    result
}

/// The interpreter loop; see [`execute`]. `gas` is only valid around host calls, where
/// it is synchronized with `fuel`.
fn run<H: Host>(
    store: &mut Store,
    host: &mut H,
    gas: &mut GasMeter,
    fuel_out: &mut u64,
    entry_instance: u32,
    func: u32,
) -> Result<(), Trap> {
    // The fuel counter as a local of this function (written back by the guard's drop on
    // every exit), so that the compiler can keep it in a register across the loop
    // instead of loading and storing through the caller's pointer at every charge.
    let mut fuel_reg = FuelWriteBack {
        fuel: *fuel_out,
        out: fuel_out,
    };
    let fuel: &mut u64 = &mut fuel_reg.fuel;
    let max_stack = store.max_stack_slots;
    let mut stack_used: u32 = 0;
    let max_depth = store.max_call_depth as usize;
    let limits = CallLimits {
        max_stack,
        max_depth,
    };
    let Store {
        funcs,
        memories,
        tables,
        globals,
        instances,
        segments,
        stacks,
        #[cfg(feature = "cost-counters")]
        cost,
        profile,
        ..
    } = store;
    // The call profile (`crate::profile`): `None` unless switched on. When on, the
    // threaded runs hand every call and return to this loop (see the threaded arm),
    // which reports them here.
    let mut profile: Option<&mut crate::profile::CallProfile> = profile.as_deref_mut();
    let funcs: &[FuncInst] = funcs;
    let instances: &[InstanceData] = instances;
    stacks.frames.clear();
    let Stacks {
        values: stack,
        frames,
        host_values,
    } = stacks;

    // Entry.
    let (mut ci, entry_index) = match funcs.get(func as usize) {
        Some(&FuncInst::Wasm { instance, index }) => (instance, index),
        Some(FuncInst::Host { id, ty }) => {
            let mem = match instances.get(entry_instance as usize) {
                Some(i) if i.has_memory => memories.get_mut(i.memory as usize),
                _ => None,
            };
            gas.set_remaining(*fuel);
            let r = calls::call_host(ty, *id, mem, stack, host_values, host, gas, 0);
            *fuel = gas.remaining();
            return r;
        }
        None => return Err(internal("no such function")),
    };
    let mut inst: &InstanceData = &instances[ci as usize];
    let mut module: &ModuleInner = &inst.module.inner;
    let mut mem: &mut Memory = &mut memories[inst.memory as usize];
    let entry = compiled(module, entry_index)?;
    if max_depth == 0 {
        return Err(Trap::new(TrapKind::CallStackExhausted));
    }
    #[cfg(feature = "cost-counters")]
    let stack_before = stack.len();
    if let Err(k) = enter(stack, entry, 0, &mut stack_used, max_stack) {
        return Err(Trap::new(k));
    }
    #[cfg(feature = "cost-counters")]
    count(
        &mut cost.alloc_bytes,
        8 * (stack.len() - stack_before) as u64,
    );

    // The instruction pointer. Sound without bounds checks because `verify` proved, at
    // `Module::new`, that every branch target and every fall-through successor of the
    // function's code is inside it (its last instruction never falls through), that
    // `select` is followed by its `arg` and `br_table` by its `len + 1` entries.
    let mut ip: *const Op;
    /// Starts executing function `$f` whose frame was just entered: charges its entry
    /// block when the call does that (`FrameShape::entry_gas`) and points `ip` at its
    /// first instruction to run.
    macro_rules! start {
        ($f:expr, $m:expr) => {{
            let t: &CallTarget = $f;
            consume(fuel, u64::from(t.frame.entry_gas))?;
            ip = entry_ip($m.code.as_ptr(), t);
        }};
    }
    if let Some(p) = profile.as_deref_mut() {
        p.enter(ci, entry_index, *fuel);
    }
    start!(entry, module);
    let mut base: usize = 0;
    let mut fp: *mut u64 = stack.as_mut_ptr();

    /// Re-derives the frame pointer after the value stack was used or moved.
    macro_rules! sync_fp {
        () => {{
            // SAFETY: `enter` made `stack.len() >= base + frame_size`.
            fp = unsafe { stack.as_mut_ptr().add(base) };
        }};
    }

    /// Advances to the next instruction.
    macro_rules! next {
        () => {{
            // SAFETY: only instructions that may fall through use it, and no such
            // instruction ends its function's code (verified).
            ip = unsafe { ip.add(1) };
        }};
    }
    /// Makes instance `$i` the current one (module, memory and index maps).
    macro_rules! switch_to {
        ($i:expr) => {{
            ci = $i;
            inst = &instances[ci as usize];
            module = &inst.module.inner;
            mem = &mut memories[inst.memory as usize];
        }};
    }

    /// Reads a slot of the current frame.
    macro_rules! get {
        ($s:expr) => {
            // SAFETY: `verify::frame_slots` proved `$s < frame_size` for every operand of
            // this function's code, and `fp + frame_size <= stack.len()` (`enter`); `fp`
            // is re-derived after every use of `stack` that could invalidate it.
            unsafe { *fp.add($s.0 as usize) }
        };
    }
    /// Writes a slot of the current frame.
    macro_rules! set {
        ($s:expr, $v:expr) => {{
            let v: u64 = $v;
            // SAFETY: as for `get!`.
            unsafe { *fp.add($s.0 as usize) = v };
        }};
    }
    /// Unwraps a `Result<_, TrapKind>`.
    macro_rules! t {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(k) => return Err(Trap::new(k)),
            }
        };
    }
    /// Enters wasm function `$f` (function `$index` of instance `$instance`, which
    /// becomes current right after) with its frame at stack index `$args_at`: call-depth
    /// check, frame cost and set-up (`enter`), the caller's frame record, the entry
    /// charge and the new frame pointer.
    macro_rules! push_frame {
        ($f:expr, $m:expr, $instance:expr, $index:expr, $args_at:expr) => {{
            let args_at: usize = $args_at;
            if let Some(p) = profile.as_deref_mut() {
                p.enter($instance, $index, *fuel);
            }
            let caller = Frame {
                instance: ci,
                // SAFETY: a call never ends the code (verified), so `ip + 1`
                // is an instruction of this function.
                ip: ResumeIp(unsafe { ip.add(1) }),
                base: base as u32,
                stack_used,
            };
            #[cfg(feature = "cost-counters")]
            let stack_before = stack.len();
            ip = t!(push_frame(
                stack,
                frames,
                $f,
                $m,
                args_at,
                caller,
                &mut stack_used,
                limits,
                fuel
            ));
            #[cfg(feature = "cost-counters")]
            count(
                &mut cost.alloc_bytes,
                8 * (stack.len() - stack_before) as u64,
            );
            base = args_at;
            sync_fp!();
        }};
    }
    /// Calls the function at store address `$addr` (of any instance, or the host) with
    /// arguments at stack index `$args_at`.
    macro_rules! call_addr {
        ($addr:expr, $args_at:expr) => {{
            let args_at: usize = $args_at;
            match &funcs[$addr as usize] {
                &FuncInst::Wasm { instance, index } => {
                    let m = &instances[instance as usize].module.inner;
                    let f = compiled(m, index)?;
                    push_frame!(f, m, instance, index, args_at);
                    if instance != ci {
                        switch_to!(instance);
                    }
                }
                FuncInst::Host { id, ty } => {
                    gas.set_remaining(*fuel);
                    let r = calls::call_host(
                        ty,
                        *id,
                        host_memory(Some(inst), &mut *mem),
                        stack,
                        host_values,
                        host,
                        gas,
                        args_at,
                    );
                    if let Some(p) = profile.as_deref_mut() {
                        p.host(fuel.saturating_sub(gas.remaining()));
                    }
                    *fuel = gas.remaining();
                    sync_fp!();
                    r?;
                    next!();
                }
            }
        }};
    }
    /// Pops the current frame (results already in slots `0..R`).
    macro_rules! ret {
        () => {{
            if let Some(p) = profile.as_deref_mut() {
                p.exit(*fuel);
            }
            match frames.pop() {
                None => return Ok(()),
                Some(fr) => {
                    if fr.instance != ci {
                        switch_to!(fr.instance);
                    }
                    stack_used = fr.stack_used;
                    ip = fr.ip.0;
                    base = fr.base as usize;
                    sync_fp!();
                }
            }
        }};
    }

    // What stays the same for the whole run is set once; the rest before each threaded
    // run (`cx` fields), since the loop changes it or uses the buffers in between.
    let mut threaded_cx = threaded::Cx::new(limits, globals.as_mut_ptr(), funcs);
    loop {
        // SAFETY: `ip` points into the current function's code (see its declaration).
        let instr = unsafe { (*ip).instr };
        // Every instruction the loop executes is one dispatched; the threaded runs
        // (the last arm) count their handlers themselves.
        #[cfg(feature = "cost-counters")]
        count(&mut cost.dispatched, 1);
        match instr {
            // ---- control, variables, calls ----
            Instr::CopySpan { dst, src, len } => {
                let s = base + src.0 as usize;
                stack.copy_within(s..s + len as usize, base + dst.0 as usize);
                #[cfg(feature = "cost-counters")]
                count(&mut cost.cells_moved, u64::from(len));
                sync_fp!();
                next!();
            }
            Instr::FillNull { dst, len } => {
                let d = base + dst.0 as usize;
                stack[d..d + len as usize].fill(crate::value::NULL_REF);
                #[cfg(feature = "cost-counters")]
                count(&mut cost.cells_moved, u64::from(len));
                sync_fp!();
                next!();
            }
            Instr::Arg { .. } => next!(),
            Instr::Unreachable {} => return Err(Trap::new(TrapKind::Unreachable)),
            Instr::Return { values, count } => {
                let s = base + values.0 as usize;
                stack.copy_within(s..s + count as usize, base);
                #[cfg(feature = "cost-counters")]
                self::count(&mut cost.cells_moved, u64::from(count));
                ret!();
            }
            Instr::ReturnOne { src } => {
                set!(Slot(0), get!(src));
                #[cfg(feature = "cost-counters")]
                count(&mut cost.cells_moved, 1);
                ret!();
            }
            Instr::ReturnNone {} => ret!(),
            Instr::Call { func, args } => {
                // A defined function (`call_import` for the others): compiled, so an
                // `IMPORT` record is an internal error (`compiled`).
                let t = &module.call_targets[func as usize];
                if t.entry == CallTarget::IMPORT {
                    return Err(internal("call of an imported function"));
                }
                push_frame!(t, module, ci, func, base + args.0 as usize)
            }
            Instr::CallImport { func, args } => {
                call_addr!(inst.funcs[func as usize], base + args.0 as usize)
            }
            Instr::CallIndirect {
                type_index,
                table,
                params,
                args,
            } => {
                let index = get!(Slot(args.0 + u32::from(params))) as u32;
                let addr = calls::resolve_indirect(
                    module,
                    ci,
                    inst,
                    funcs,
                    instances,
                    tables,
                    type_index,
                    u32::from(table),
                    index,
                )?;
                call_addr!(addr, base + args.0 as usize)
            }

            // ---- memory ----
            Instr::MemoryGrow { dst, delta } => {
                let delta = get!(delta) as u32;
                charge(module, fuel, module.schedule.memory_grow_dynamic(delta))?;
                let r = mem.grow(delta).unwrap_or(u32::MAX);
                #[cfg(feature = "cost-counters")]
                if r != u32::MAX {
                    count(&mut cost.alloc_bytes, u64::from(delta) * 65_536);
                }
                set!(dst, u64::from(r));
                next!();
            }
            Instr::MemoryInit { data, args } => {
                let (d, s, n) = (
                    get!(args) as u32,
                    get!(Slot(args.0 + 1)) as u32,
                    get!(Slot(args.0 + 2)) as u32,
                );
                charge(module, fuel, module.schedule.bulk_memory_dynamic(n))?;
                t!(bulk::memory_init(
                    module,
                    &segments[ci as usize],
                    mem,
                    data,
                    d,
                    s,
                    n
                ));
                #[cfg(feature = "cost-counters")]
                count(&mut cost.bulk_bytes, u64::from(n));
                next!();
            }
            Instr::DataDrop { data } => {
                bulk::data_drop(&mut segments[ci as usize], data);
                next!();
            }

            // ---- tables and references ----
            Instr::TableGet { table, dst, index } => {
                let v = t!(tables[inst.tables[table as usize] as usize].get(get!(index) as u32));
                set!(dst, v);
                next!();
            }
            Instr::TableSet {
                table,
                index,
                value,
            } => {
                let v = get!(value);
                t!(tables[inst.tables[table as usize] as usize].set(get!(index) as u32, v));
                next!();
            }
            Instr::TableSize { table, dst } => {
                set!(
                    dst,
                    u64::from(tables[inst.tables[table as usize] as usize].size())
                );
                next!();
            }
            Instr::TableGrow { table, args } => {
                let (init, delta) = (get!(args), get!(Slot(args.0 + 1)) as u32);
                charge(module, fuel, module.schedule.table_dynamic(delta))?;
                let r = tables[inst.tables[table as usize] as usize]
                    .grow(delta, init)
                    .unwrap_or(u32::MAX);
                #[cfg(feature = "cost-counters")]
                if r != u32::MAX {
                    count(&mut cost.alloc_bytes, 8 * u64::from(delta));
                }
                set!(args, u64::from(r));
                next!();
            }
            Instr::TableFill { table, args } => {
                let (d, v, n) = (
                    get!(args) as u32,
                    get!(Slot(args.0 + 1)),
                    get!(Slot(args.0 + 2)) as u32,
                );
                charge(module, fuel, module.schedule.table_dynamic(n))?;
                t!(tables[inst.tables[table as usize] as usize].fill(d, v, n));
                #[cfg(feature = "cost-counters")]
                count(&mut cost.bulk_bytes, 8 * u64::from(n));
                next!();
            }
            Instr::TableCopy {
                dst_table,
                src_table,
                args,
            } => {
                let (d, s, n) = (
                    get!(args) as u32,
                    get!(Slot(args.0 + 1)) as u32,
                    get!(Slot(args.0 + 2)) as u32,
                );
                charge(module, fuel, module.schedule.table_dynamic(n))?;
                t!(crate::table::copy_between(
                    tables,
                    inst.tables[dst_table as usize],
                    d,
                    inst.tables[src_table as usize],
                    s,
                    n
                ));
                #[cfg(feature = "cost-counters")]
                count(&mut cost.bulk_bytes, 8 * u64::from(n));
                next!();
            }
            Instr::TableInit { elem, table, args } => {
                let (d, s, n) = (
                    get!(args) as u32,
                    get!(Slot(args.0 + 1)) as u32,
                    get!(Slot(args.0 + 2)) as u32,
                );
                charge(module, fuel, module.schedule.table_dynamic(n))?;
                t!(bulk::table_init(
                    &segments[ci as usize],
                    &mut tables[inst.tables[table as usize] as usize],
                    elem,
                    d,
                    s,
                    n
                ));
                #[cfg(feature = "cost-counters")]
                count(&mut cost.bulk_bytes, 8 * u64::from(n));
                next!();
            }
            Instr::ElemDrop { elem } => {
                bulk::elem_drop(&mut segments[ci as usize], elem);
                next!();
            }
            Instr::RefFunc { dst, func } => {
                set!(dst, u64::from(inst.funcs[func as usize]));
                next!();
            }

            // ---- everything with a handler (numeric, moves, loads, stores, branches) ----
            _ => {
                // The handlers count themselves (this instruction's included).
                #[cfg(feature = "cost-counters")]
                {
                    cost.dispatched = cost.dispatched.wrapping_sub(1);
                    count(&mut cost.runs, 1);
                }
                // Only instructions with a handler get here (the others have arms
                // above); checked so that a missing arm is an error, not a loop.
                // SAFETY: `ip` points into the current function's code.
                if !threaded::has_handler(unsafe { &*ip }) {
                    return Err(internal("instruction without handler or arm"));
                }
                let (mem_ptr, mem_len) = mem.raw_parts();
                let cx = &mut threaded_cx;
                cx.base = base;
                cx.stack_used = stack_used;
                cx.ci = ci;
                cx.module = module;
                cx.targets = module.call_targets.as_ptr();
                cx.code = module.code.as_ptr();
                cx.consts = module.consts.as_ptr();
                cx.stack_base = stack.as_mut_ptr();
                cx.stack_len = stack.len();
                let frames_base = frames.as_mut_ptr();
                cx.frames_base = frames_base;
                // SAFETY: `len <= capacity`, and `max_depth - 1 >= len` (`max_depth >= 1`,
                // checked at entry; `push_frame` keeps `len + 1 < max_depth` after a push):
                // pointers inside the buffer or one past its records.
                unsafe {
                    cx.frames_top = frames_base.add(frames.len());
                    cx.frames_end = frames_base.add(frames.capacity().min(max_depth - 1));
                }
                // Profiling: the handlers see an empty call stack that is also full, so
                // every call (`frames_top == frames_end`) and every return (no caller
                // record above `frames_base`) comes back to this loop, which reports it.
                if profile.is_some() {
                    cx.frames_base = cx.frames_top;
                    cx.frames_end = cx.frames_top;
                }
                cx.inst_globals = inst.globals.as_ptr();
                cx.tables = tables.as_ptr();
                cx.inst_tables = inst.tables.as_ptr();
                // SAFETY: `ip` is an instruction of the current function's code, which
                // passed `verify`; `fp` is its frame (`enter` made `frame_size` cells)
                // at `base`; the memory does not move while the handlers run, and the
                // buffers `cx` points at are not used here until the run returns.
                let next = unsafe { threaded::run(ip, fp, *fuel, mem_ptr, mem_len, cx) };
                // SAFETY: the handlers push and pop records only between `frames_base`
                // and `frames_end` (inside the capacity), each record below `frames_top`
                // written (`Frame` is `Copy`: nothing to drop).
                unsafe {
                    let len = cx.frames_top.offset_from(frames_base) as usize;
                    frames.set_len(len);
                }
                #[cfg(feature = "cost-counters")]
                {
                    cost.add(&cx.cost);
                    cx.cost = crate::cost::Counters::default();
                }
                *fuel = cx.fuel;
                base = cx.base;
                stack_used = cx.stack_used;
                sync_fp!();
                if next.is_null() {
                    return Err(Trap::new(cx.trap));
                }
                ip = next;
            }
        }
    }
}
