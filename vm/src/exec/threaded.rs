//! Threaded dispatch: one handler function per IR instruction.
//!
//! Every instruction that computes, moves values, accesses linear memory, branches, or
//! calls and returns inside the current instance has a handler here (arithmetic,
//! compares, conversions, loads, stores, `copy`, `const`, `select`, `consume_gas`, `br`,
//! `br_if`, `br_table`, fused compare-and-branch, `global.get/set`, `memory.size`,
//! `memory.fill`, `memory.copy`, `call`, `call_indirect` to a function of this instance
//! with the expected type, `return`, and the register forms of `docs/ir.md`). Each
//! instruction is stored as an [`Op`] with its handler's address; a handler reads its
//! operands, writes its result and calls the next instruction's handler (direct
//! threading). Everything else (host calls, calls and returns across instances, tables,
//! `memory.init`, `data.drop`, `memory.grow`, traps with messages) is left to the loop
//! in `exec::run`: its `Op` holds [`exit`], which
//! returns the instruction to the loop, and so do the handlers of `call`, `return` and
//! `call_indirect` for the cases they do not handle. The state a handler needs travels
//! in seven argument registers (instruction pointer, frame pointer, remaining gas, linear
//! memory base, the context [`Cx`], the register `r` holding the value the previous
//! instruction wrote, and the float register `fr` holding it instead when it is an
//! `f64`); what calls and returns need is in [`Cx`].
//!
//! Why (measured; the figures are in `docs/changelog.md`): a single `match` in a loop sends every
//! instruction through one shared indirect jump and makes one 6000-instruction function
//! whose register allocation changes with unrelated edits. With a handler per
//! instruction each one ends in its own indirect jump, which the branch predictor learns
//! per instruction, and each is compiled on its own. wasmi 2 is built the same way; its
//! loop-dispatch build (`portable-dispatch`) is about 3x slower than its threaded one on
//! our workloads.
//!
//! Two backends run the same handlers (chosen by `build.rs`):
//! * `metron_tail_dispatch` (optimized builds on x86-64 and AArch64 Unix): the next handler is
//!   called in tail position, which LLVM turns into a jump. As a guard against a call
//!   that is not turned into a jump, every taken branch compares the native stack
//!   pointer with a floor set on entry and, below it, returns to the loop (which resumes
//!   at the same instruction with the stack unwound): slower, never a stack overflow, the
//!   same results and gas. Debug-assertion builds (our tests, `opt-level = 3` for this
//!   crate in the dev profile) check on every instruction that the stack did not grow.
//! * otherwise: each handler returns the next instruction to a loop here.
//!
//! Determinism: the backend and the stack guard only decide when control passes through
//! the loop in `exec::run`; every instruction does the same thing with the same gas in
//! the same order either way.

#![allow(non_snake_case)] // handlers are named after their `Instr` variant

use super::{
    barrier, copy_consts, copy_image, float as fl, int as it, zero_locals, CallLimits, Frame,
    ResumeIp,
};
use crate::ir::{Instr, Slot, Tag, FIRST_RAW, FLOAT_OPERAND, FLOAT_RESULT, NUM_TAGS};
use crate::memory::{access_class, access_limits, access_start};
use crate::module::{CallTarget, ModuleInner};
use crate::store::FuncInst;
use crate::table::Table;
use crate::trap::TrapKind;
use crate::value::NULL_REF;

/// State shared by the handlers of one threaded run through memory: what calls,
/// returns and globals need (written by `exec::run` before each run and read back after
/// it), the exit state, and the stack guard.
#[derive(Debug)]
pub(crate) struct Cx {
    /// Remaining gas when the run returned.
    pub fuel: u64,
    /// The trap, when the run returned a null instruction pointer.
    pub trap: TrapKind,
    /// The current instance's linear memory as its access limits
    /// (`memory::access_limits`, set when a run starts): for the loads and stores of
    /// `2^k` bytes, one past the highest effective address where such an access lies
    /// inside. A handler tests `start < limit`, the bounds rule of `access_start` in one
    /// comparison with nothing to add (two instructions fewer per access than
    /// `start + len <= mem_len`, with the sum kept for the access). Entry 0 is the
    /// memory's length in bytes ([`Cx::mem_len`]).
    pub access_limits: [u64; 4],
    /// The register between two handlers (loop backend; the tail backend passes it as
    /// an argument).
    #[cfg_attr(metron_tail_dispatch, allow(dead_code))]
    r: u64,
    /// The float register between two handlers (loop backend; see `r`).
    #[cfg_attr(metron_tail_dispatch, allow(dead_code))]
    fr: FReg,
    /// The frame pointer between two handlers (loop backend; calls and returns change
    /// it).
    #[cfg_attr(metron_tail_dispatch, allow(dead_code))]
    fp: *mut u64,
    /// Frame base of the running function (index in the value stack).
    pub base: usize,
    /// Stack budget used (wasm frame costs, see `exec::enter`).
    pub stack_used: u32,
    /// Store index of the current instance.
    pub ci: u32,
    /// Stack budget in wasm-defined frame costs (`CallLimits::max_stack`).
    max_stack: u32,
    /// The current instance's module.
    pub module: *const ModuleInner,
    /// Its call records (`ModuleInner::call_targets`, one per function index).
    pub targets: *const CallTarget,
    /// Its code arena (`ModuleInner::code`).
    pub code: *const Op,
    /// Its constant arena (`ModuleInner::consts`).
    pub consts: *const u64,
    /// The value stack's buffer: `stack_len` cells from `stack_base`. Only the loop
    /// grows it (`push_frame`), between runs.
    pub stack_base: *mut u64,
    /// See `stack_base`.
    pub stack_len: usize,
    /// The call stack's buffer: frame records `frames_base..frames_top`. A handler pushes
    /// only while `frames_top < frames_end`, where `frames_end` is `frames_base` plus the
    /// smaller of the buffer's capacity and the depth limit less one (`push_frame`'s
    /// `frames.len() + 1 < max_depth`): both checks in one compare. The loop grows the
    /// buffer and raises the trap; it sets these before a run and the length after.
    pub frames_base: *mut Frame,
    /// See `frames_base`.
    pub frames_top: *mut Frame,
    /// See `frames_base`.
    pub frames_end: *mut Frame,
    /// The store's global cells.
    globals: *mut u64,
    /// The current instance's global index map (module index to store index).
    pub inst_globals: *const u32,
    /// The store's tables.
    pub tables: *const Table,
    /// The current instance's table index map.
    pub inst_tables: *const u32,
    /// The store's functions (`funcs_len` of them).
    funcs: *const FuncInst,
    /// Number of functions in the store.
    funcs_len: usize,
    /// Lowest native stack address a taken branch may run at (tail backend).
    #[cfg_attr(not(metron_tail_dispatch), allow(dead_code))]
    stack_floor: usize,
    /// Native stack pointer on entry (tail backend, debug-assertion builds).
    #[cfg_attr(not(metron_tail_dispatch), allow(dead_code))]
    entry_sp: usize,
    /// Set by `exit` and traps (loop backend).
    stop: bool,
    /// Work counted by the handlers of this run (feature `cost-counters`): `exec::run`
    /// adds it to the store's counters after each run.
    #[cfg(feature = "cost-counters")]
    pub cost: crate::cost::Counters,
}

impl Cx {
    /// Length in bytes of the current instance's linear memory: the limit of one-byte
    /// accesses (`memory::access_limits`: `mem_len + 1 - 1`).
    #[inline(always)]
    pub(crate) fn mem_len(&self) -> usize {
        self.access_limits[0] as usize
    }

    /// A context for [`run`] in a store with call limits `limits`, global cells at
    /// `globals` and functions `funcs` (the parts fixed for a whole execution).
    pub(crate) fn new(limits: CallLimits, globals: *mut u64, funcs: &[FuncInst]) -> Cx {
        Cx {
            fuel: 0,
            trap: TrapKind::Unreachable,
            access_limits: [0; 4],
            r: 0,
            fr: freg(0),
            fp: core::ptr::null_mut(),
            base: 0,
            stack_used: 0,
            ci: 0,
            max_stack: limits.max_stack,
            module: core::ptr::null(),
            targets: core::ptr::null(),
            code: core::ptr::null(),
            consts: core::ptr::null(),
            stack_base: core::ptr::null_mut(),
            stack_len: 0,
            frames_base: core::ptr::null_mut(),
            frames_top: core::ptr::null_mut(),
            frames_end: core::ptr::null_mut(),
            globals,
            inst_globals: core::ptr::null(),
            tables: core::ptr::null(),
            inst_tables: core::ptr::null(),
            funcs: funcs.as_ptr(),
            funcs_len: funcs.len(),
            stack_floor: 0,
            entry_sp: 0,
            stop: false,
            #[cfg(feature = "cost-counters")]
            cost: crate::cost::Counters::default(),
        }
    }
}

/// An instruction as the interpreter runs it: its handler next to it (direct
/// threading: the dispatch to the next instruction is one load and one jump, no table
/// lookup by tag). Built by [`Op::new`] when a function's translation finishes. The
/// handler is a code address of this process, used only to dispatch: it decides nothing
/// about results or gas (determinism).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct Op {
    handler: Handler,
    /// The instruction.
    pub instr: Instr,
}

impl Op {
    /// `instr` with its handler ([`exit`] for instructions the loop in `exec::run` runs).
    /// Its branch offset, if any, is in bytes ([`to_byte_offset`]).
    #[inline]
    pub(crate) fn new(instr: Instr) -> Op {
        Op {
            handler: HANDLERS[instr.raw_tag() as usize],
            instr,
        }
    }

    /// `instr`, its branch offset in instructions, as an `Op` ([`Op::new`] after
    /// [`to_byte_offset`]). For code written by hand in tests.
    #[cfg(test)]
    pub(crate) fn from_translated(mut instr: Instr) -> Op {
        if let Some(offset) = instr.branch_offset_mut() {
            *offset = to_byte_offset(*offset);
        }
        Op::new(instr)
    }

    /// The instruction as translated: branch offsets in instructions. For disassembly
    /// and tests; handlers read `instr`, offsets in bytes.
    pub(crate) fn instr(&self) -> Instr {
        in_instructions(self.instr)
    }
}

/// `instr` with its branch offset, if any, back from bytes ([`to_byte_offset`]) to
/// instructions: for messages and disassembly.
pub(crate) fn in_instructions(mut instr: Instr) -> Instr {
    if let Some(offset) = instr.branch_offset_mut() {
        *offset /= OP_BYTES as i32;
    }
    instr
}

/// Size of an [`Op`] in bytes: the unit of the branch offsets the handlers read.
pub(crate) const OP_BYTES: usize = core::mem::size_of::<Op>();

/// Most instructions a function's code may have: every branch offset, at most the code's
/// length, then fits an `i32` in bytes ([`to_byte_offset`]). Far above what the module
/// limits let a function body produce.
pub(crate) const MAX_CODE_LEN: usize = i32::MAX as usize / OP_BYTES;

/// A branch offset of `offset` instructions in bytes, as the handlers read it: a taken
/// branch adds it to the instruction pointer as it is, two machine instructions fewer
/// per jump than scaling an index. `|offset| <= MAX_CODE_LEN` (the caller's code), so the
/// product fits.
#[inline(always)]
pub(crate) fn to_byte_offset(offset: i32) -> i32 {
    offset.wrapping_mul(OP_BYTES as i32)
}

/// The float register's type: an `f64` where moving one between registers and memory
/// keeps every bit (SSE2 on x86-64, the FP/SIMD registers on AArch64), so an `f64`
/// result stays in a float register between two handlers. Elsewhere the bits in an
/// integer: determinism, a NaN's payload must never depend on how the value moved
/// (x87 loads quiet signaling NaNs).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
type FReg = f64;
/// See above.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
type FReg = u64;

/// The float register holding the `f64` with bits `v`.
#[inline(always)]
#[allow(clippy::useless_conversion)]
fn freg(v: u64) -> FReg {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    return f64::from_bits(v);
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    return v;
}

/// The bits of the `f64` in float register `fr`.
#[inline(always)]
fn freg_bits(fr: FReg) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    return fr.to_bits();
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    return fr;
}

/// A handler: executes the instruction at `ip` and continues with the next one.
/// Returns the instruction the loop in `exec::run` must execute next, or null after a
/// trap (`Cx::trap`); `Cx::fuel` holds the remaining gas either way.
type Handler = unsafe fn(
    ip: *const Op,
    fp: *mut u64,
    fuel: u64,
    mem: *mut u8,
    cx: *mut Cx,
    r: u64,
    fr: FReg,
) -> *const Op;

/// Native stack a chain of handlers may use below the entry before a taken branch
/// returns to the loop (tail backend; only reached if a tail call was not turned into
/// a jump).
#[cfg(metron_tail_dispatch)]
const STACK_BUDGET: usize = 128 * 1024;

/// Native stack growth tolerated on entry to a handler in debug-assertion builds of the
/// tail backend before it reports a tail call that was not turned into a jump.
#[cfg(all(metron_tail_dispatch, debug_assertions))]
const DEBUG_STACK_SLACK: usize = 4096;

/// The native stack pointer.
#[cfg(all(metron_tail_dispatch, target_arch = "x86_64"))]
#[inline(always)]
fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register; no memory access, no stack use, flags preserved.
    unsafe {
        core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

/// The native stack pointer.
#[cfg(all(metron_tail_dispatch, target_arch = "aarch64"))]
#[inline(always)]
fn sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register; no memory access, no stack use, flags preserved.
    unsafe {
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

/// Whether `op` has a handler (else the loop in `exec::run` executes it).
#[inline(always)]
pub(crate) fn has_handler(op: &Op) -> bool {
    op.handler as usize != exit as Handler as usize
}

/// Runs handlers from `ip` (an instruction with a handler) until an instruction
/// without one, a trap, or (tail backend) the stack guard of a taken branch.
///
/// Returns the next instruction for the loop in `exec::run`, or null after a trap
/// (`cx.trap`); `cx.fuel` is the remaining gas.
///
/// # Safety
/// `ip` points into the code of a function that passed `exec::verify` (branch targets,
/// `select` arguments and fall-through successors inside the code, every slot operand
/// below `frame_size`); `fp` points at a frame of at least `frame_size` cells of that
/// function; `mem..mem + mem_len` is the current instance's linear memory, which does
/// not move while the handlers run (none grows it). `cx`'s state fields describe the
/// running function (`base` with `fp == stack + base`, `stack_used`, `ci`, `module`, and
/// that module's `targets`, `code` and `consts`, copied from it so that a call reads them
/// with one load) and point at live buffers (`stack`, `frames`, `globals`, `inst_globals`) that nothing
/// else touches during the run; `exec::run` reads `base` and `stack_used` back after it.
/// Calls and returns handled here stay inside the current instance.
pub(crate) unsafe fn run(
    ip: *const Op,
    fp: *mut u64,
    fuel: u64,
    mem: *mut u8,
    mem_len: usize,
    cx: &mut Cx,
) -> *const Op {
    cx.access_limits = access_limits(mem_len);
    // The register as the previous instruction would have left it. The translator only
    // makes an instruction a register form when the instruction before it is a handler
    // that writes the slot and falls through to it, so a run never starts at one (runs
    // start at function entries, branch targets, return addresses and after
    // instructions the loop executes); the register is loaded from the slot anyway, so
    // that correctness does not rest on that argument.
    // SAFETY: `ip` and `fp` are valid (caller's contract); the slot is in the frame.
    let (mut r, mut fr) = (0, freg(0));
    // Tests can make calls leave to the loop, which then makes them in full
    // (`guard_fallback_*` tests): until a return in this run frees a record,
    // `enter_compiled!` finds no room for one. Set here, once per run, so that no call
    // handler carries a test hook.
    #[cfg(test)]
    if tests::FORCE_GUARD.with(|f| f.get()) {
        cx.frames_end = cx.frames_top;
    }
    if let Some(s) = unsafe { (*ip).instr.register_operand() } {
        // SAFETY: as above.
        let v = unsafe { *fp.add(s.0 as usize) };
        if unsafe { (*ip).instr.float_operand() } {
            fr = freg(v);
        } else {
            r = v;
        }
    }
    #[cfg(metron_tail_dispatch)]
    {
        let here = sp();
        cx.stack_floor = here.saturating_sub(STACK_BUDGET);
        // Tests can make every taken branch leave to the loop, the path the stack guard
        // takes when a call was not turned into a jump (`guard_fallback_*` tests).
        #[cfg(test)]
        if tests::FORCE_GUARD.with(|f| f.get()) {
            cx.stack_floor = usize::MAX;
        }
        cx.entry_sp = here;
        // SAFETY: the caller's contract; the tag indexes a table of `NUM_TAGS` entries.
        unsafe { handler_of(ip)(ip, fp, fuel, mem, cx, r, fr) }
    }
    #[cfg(not(metron_tail_dispatch))]
    {
        cx.stop = false;
        let (mut ip, mut fp, mut fuel) = (ip, fp, fuel);
        loop {
            // SAFETY: as above.
            let next = unsafe { handler_of(ip)(ip, fp, fuel, mem, cx, r, fr) };
            if cx.stop {
                return next;
            }
            ip = next;
            fp = cx.fp;
            fuel = cx.fuel;
            r = cx.r;
            fr = cx.fr;
        }
    }
}

/// [`access_class`] of the access that writes `bytes`.
#[inline(always)]
fn class_of<const N: usize>(_bytes: &[u8; N]) -> usize {
    const { access_class(N) }
}

/// The handler of the instruction at `ip`.
///
/// # Safety
/// `ip` points at an instruction.
#[inline(always)]
unsafe fn handler_of(ip: *const Op) -> Handler {
    // SAFETY: `ip` is valid (caller).
    unsafe { (*ip).handler }
}

/// Stops the run at `ip` (an instruction for the loop in `exec::run`).
#[cold]
unsafe fn exit(
    ip: *const Op,
    _fp: *mut u64,
    fuel: u64,
    _mem: *mut u8,
    cx: *mut Cx,
    _r: u64,
    _fr: FReg,
) -> *const Op {
    // SAFETY: `cx` is the run's context (valid for the whole run).
    unsafe {
        (*cx).fuel = fuel;
        (*cx).stop = true;
    }
    ip
}

/// Stops the run with trap `kind`.
#[cold]
#[inline(never)]
unsafe fn trap(cx: *mut Cx, fuel: u64, kind: TrapKind) -> *const Op {
    // SAFETY: as in `exit`.
    unsafe {
        (*cx).fuel = fuel;
        (*cx).trap = kind;
        (*cx).stop = true;
    }
    // Opaque to the optimizer: with a known constant result, a handler calls `trap` and
    // then returns null itself, which needs a stack frame; the frame set-up is then
    // hoisted onto the handler's hot paths. Returned as is, the call is a tail jump.
    core::hint::black_box(core::ptr::null())
}

/// Reads `N` bytes at `p`.
///
/// Byte by byte (one load after optimization): `ptr::read_unaligned` goes through a
/// local buffer whose address its debug-build precondition check takes, and a handler
/// with an escaping local cannot turn its call to the next handler into a jump.
///
/// # Safety
/// `p..p + N` is inside the linear memory.
#[inline(always)]
unsafe fn read_bytes<const N: usize>(p: *const u8) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        // SAFETY: `i < N` (caller's contract).
        *b = unsafe { *p.add(i) };
    }
    out
}

/// Writes `bytes` at `p` (byte by byte, see [`read_bytes`]).
///
/// # Safety
/// `p..p + N` is inside the linear memory.
#[inline(always)]
unsafe fn write_bytes<const N: usize>(p: *mut u8, bytes: [u8; N]) {
    for (i, b) in bytes.into_iter().enumerate() {
        // SAFETY: `i < N` (caller's contract).
        unsafe { *p.add(i) = b };
    }
}

/// An operand a handler reads: a frame [`Slot`] or an immediate carried by the
/// instruction ([`Imm32`], [`Imm64`]), so that one handler body serves both forms.
trait ReadOperand {
    /// The operand's 64-bit cell value.
    ///
    /// # Safety
    /// For a slot: `fp` has more than `self.0` cells (`verify::frame_slots`).
    unsafe fn read(self, fp: *const u64) -> u64;
}

impl ReadOperand for Slot {
    #[inline(always)]
    unsafe fn read(self, fp: *const u64) -> u64 {
        // SAFETY: the caller's contract.
        unsafe { *fp.add(self.0 as usize) }
    }
}

/// The immediate of an i32 operation: the value itself (zero-extended, as an i32 cell).
#[derive(Clone, Copy)]
struct Imm32(u32);

impl ReadOperand for Imm32 {
    #[inline(always)]
    unsafe fn read(self, _fp: *const u64) -> u64 {
        u64::from(self.0)
    }
}

/// The immediate of an i64 operation: 32 bits sign-extended to 64 (the translator
/// uses it only for constants that round-trip).
#[derive(Clone, Copy)]
struct Imm64(u32);

impl ReadOperand for Imm64 {
    #[inline(always)]
    unsafe fn read(self, _fp: *const u64) -> u64 {
        self.0 as i32 as i64 as u64
    }
}

/// Defines the handler of variant `$name`: binds its fields, provides the operand and
/// control macros the bodies use, and runs `$body`, which ends by continuing with the
/// next instruction (`next!`, `jump!`) or stopping.
macro_rules! handler {
    ($(#[$attr:meta])* $name:ident { $($field:ident),* } => $body:expr) => {
        #[allow(unused_mut, unused_macros, unused_variables, clippy::unnecessary_cast)]
        $(#[$attr])*
        unsafe fn $name(
            mut ip: *const Op,
            mut fp: *mut u64,
            mut fuel: u64,
            mem: *mut u8,
            cx: *mut Cx,
            mut r: u64,
            mut fr: FReg,
        ) -> *const Op {
            let _ = (fp, mem, r, fr);
            /// Adds `$amount` to the work counter `$which` of this run (feature
            /// `cost-counters`; without it, nothing: `$amount` is not evaluated).
            /// Wrapping: no overflow check, no panic path in a handler.
            macro_rules! count {
                ($which:ident, $amount:expr) => {
                    #[cfg(feature = "cost-counters")]
                    // SAFETY: `cx` is valid for the whole run.
                    unsafe {
                        (*cx).cost.$which = (*cx).cost.$which.wrapping_add($amount as u64)
                    };
                };
            }
            // Every handler entered is one instruction dispatched.
            count!(dispatched, 1);
            // SAFETY: the table maps `Tag::$name` to this handler, so `*ip` is a
            // `$name` (and `ip` is valid: `run`'s contract).
            let Instr::$name { $($field),* } = (unsafe { (*ip).instr }) else {
                // SAFETY: see above.
                unsafe { core::hint::unreachable_unchecked() }
            };
            /// Continues with the instruction at `$next`.
            macro_rules! dispatch {
                ($next:expr) => {{
                    let next: *const Op = $next;
                    #[cfg(metron_tail_dispatch)]
                    {
                        #[cfg(debug_assertions)]
                        // SAFETY: `cx` is valid for the whole run.
                        if sp() + DEBUG_STACK_SLACK < unsafe { (*cx).entry_sp } {
                            panic!(concat!("threaded dispatch: the call after `", stringify!($name), "` was not turned into a jump"));
                        }
                        // SAFETY: `next` is an instruction of the code (verified).
                        return unsafe { handler_of(next)(next, fp, fuel, mem, cx, r, fr) };
                    }
                    #[cfg(not(metron_tail_dispatch))]
                    {
                        // SAFETY: `cx` is valid for the whole run.
                        unsafe {
                            (*cx).fuel = fuel;
                            (*cx).r = r;
                            (*cx).fr = fr;
                            (*cx).fp = fp;
                        }
                        return next;
                    }
                }};
            }
            /// Advances to the next instruction.
            macro_rules! next {
                () => {{
                    // SAFETY: no instruction with a handler ends its function's code
                    // (the code ends in a terminator; verified).
                    dispatch!(unsafe { ip.add(1) })
                }};
            }
            /// Falls through a conditional branch that was not taken. When the next
            /// instruction is the `consume_gas` of the metered block that starts there
            /// (every conditional branch with metering on, `gas::analysis`), its charge
            /// is made here and the run continues after it: one dispatch fewer per
            /// branch not taken, the same charge at the same point (nothing runs between
            /// the two). Tested on the tag, one compare that goes the same way at every
            /// branch of a module (metering on or off).
            macro_rules! fall_through {
                () => {{
                    // SAFETY: a branch never ends the code (verified).
                    let following = unsafe { ip.add(1) };
                    // SAFETY: as above.
                    if let Instr::ConsumeGas { amount } = unsafe { (*following).instr } {
                        charge!(u64::from(amount));
                        // SAFETY: a `consume_gas` never ends the code (verified).
                        dispatch!(unsafe { ip.add(2) })
                    }
                    next!()
                }};
            }
            /// Takes a branch: `$offset` bytes from `ip` (`to_byte_offset`; inside the
            /// code: verified). The tail backend first checks the native stack (see the
            /// module docs).
            macro_rules! jump {
                ($offset:expr) => {{
                    // SAFETY: every branch target is inside the function's code (verified),
                    // `$offset` bytes away, a whole number of instructions (`to_byte_offset`).
                    let next = unsafe { ip.byte_offset($offset as isize) };
                    // The guard as one compare of the stack pointer with the floor in
                    // memory and a jump (asm goto); Rust code needs the stack pointer in
                    // a register first, one instruction more per taken branch.
                    #[cfg(all(metron_tail_dispatch, target_arch = "x86_64"))]
                    // SAFETY: reads `Cx::stack_floor` (`cx` is valid for the whole run);
                    // no stack use, no write.
                    unsafe {
                        core::arch::asm!(
                            "cmp rsp, qword ptr [{cx} + {floor}]",
                            "jb {below}",
                            cx = in(reg) cx,
                            floor = const core::mem::offset_of!(Cx, stack_floor),
                            // SAFETY: as above.
                            below = label { return unsafe { exit(next, fp, fuel, mem, cx, r, fr) } },
                            options(nostack, readonly),
                        )
                    }
                    #[cfg(all(metron_tail_dispatch, not(target_arch = "x86_64")))]
                    // SAFETY: `cx` is valid for the whole run.
                    if sp() < unsafe { (*cx).stack_floor } {
                        // SAFETY: as above.
                        return unsafe { exit(next, fp, fuel, mem, cx, r, fr) };
                    }
                    dispatch!(next)
                }};
            }
            /// The instruction after this one (for `select`: its `arg`, verified).
            macro_rules! following {
                () => {
                    // SAFETY: only used by `select`, which never ends the code.
                    unsafe { (*ip.add(1)).instr }
                };
            }
            /// Moves to a pair head's partner, the next instruction (`pair_handler!`):
            /// `here!`, `next!` and `jump!` are then the partner's.
            macro_rules! to_partner {
                () => {
                    // SAFETY: a pair head is followed by its partner (`Instr::make_pair_head`).
                    move_to!(unsafe { ip.add(1) })
                };
            }
            /// Moves to the instruction at `$p` (a pair's partner, a `br_table` entry):
            /// `here!`, `next!` and `jump!` are then its.
            macro_rules! move_to {
                ($p:expr) => {
                    ip = $p
                };
            }
            /// Continues after this instruction's `arg` word.
            macro_rules! skip_arg {
                () => {{
                    // SAFETY: the `arg` never ends the code (verified).
                    dispatch!(unsafe { ip.add(2) })
                }};
            }
            /// `select`: `dst = cond != 0 ? if_true : if_false`, the last from the
            /// `arg` word after this instruction; continues after it.
            macro_rules! select {
                ($dst:ident, $cond:ident, $if_true:ident) => {{
                    // `select` is followed by its `arg` (verified), which never ends the
                    // code.
                    let Instr::Arg { slot: if_false } = following!() else {
                        stop!(TrapKind::Unreachable)
                    };
                    let v = if get!($cond) as u32 != 0 { get!($if_true) } else { get!(if_false) };
                    set!($dst, v);
                    skip_arg!()
                }};
            }
            /// The run's context, `&mut Cx`.
            macro_rules! ctx {
                () => {
                    // SAFETY: `cx` is valid for the whole run and only handlers use it.
                    unsafe { &mut *cx }
                };
            }
            /// The base address of the current instance's linear memory (`mem_len`
            /// bytes, `Cx::mem_len()`).
            macro_rules! mem_base {
                () => {
                    mem
                };
            }
            /// Marks the register dead (no instruction reads it after this one): frees
            /// its machine register for the handler's own use.
            macro_rules! reg_dead {
                () => {
                    r = 0
                };
            }
            /// The current frame's slot 0 (`*mut u64`).
            macro_rules! frame_ptr {
                () => {
                    fp
                };
            }
            /// This instruction's address.
            macro_rules! here {
                () => {
                    ip
                };
            }
            /// Switches to the frame at `$p` (a frame pointer of the value stack).
            macro_rules! set_fp {
                ($p:expr) => {
                    fp = $p
                };
            }
            /// Calls compiled function `$t` (a `CallTarget`) of the current instance with
            /// arguments at slot `$args`: the steps of the loop's `push_frame` (depth,
            /// stack budget, the caller's frame record, entry charge) when none can fail
            /// or allocate, then continues at its first instruction; every other call
            /// (a trap, a buffer to grow) is left to the loop, which makes it in full.
            /// Determinism: the buffers' sizes are allocation state, not consensus
            /// state; they only choose between this path and the loop's, whose effects
            /// are the same.
            macro_rules! enter_compiled {
                ($c:ident, $t:ident, $args:ident) => {{
                    let t: &CallTarget = $t;
                    let args_at = $c.base + $args.0 as usize;
                    // Neither the callee's first instruction nor the one after the call
                    // reads the register (`Instr::register_result` of a call is none).
                    reg_dead!();
                    let top = $c.frames_top;
                    if top == $c.frames_end {
                        to_loop!()
                    }
                    // The caller's record is written before the other checks, field by
                    // field, each value read right before its write (the writes may
                    // alias `Cx` for the optimizer, so the reads stay in this order):
                    // nothing is held in a register across the checks (x86-64: no
                    // callee-saved register to push and pop on every call). If a check
                    // fails, `frames_top` is not advanced and the loop overwrites the
                    // record.
                    // SAFETY: `top < frames_end`, inside the buffer's capacity (`Cx`); a
                    // call never ends the code (verified).
                    unsafe {
                        core::ptr::addr_of_mut!((*top).ip).write(ResumeIp(ip.add(1)));
                        core::ptr::addr_of_mut!((*top).instance).write($c.ci);
                        core::ptr::addr_of_mut!((*top).base).write($c.base as u32);
                    }
                    let caller_used = $c.stack_used;
                    // SAFETY: as above.
                    unsafe { core::ptr::addr_of_mut!((*top).stack_used).write(caller_used) };
                    // u64: the sum of two u32 cannot wrap.
                    let used = u64::from(caller_used) + u64::from(t.frame.stack_cost);
                    let gas = u64::from(t.frame.entry_gas);
                    if used > u64::from($c.max_stack)
                        || $c.stack_len < args_at + t.frame.frame_size as usize
                        || gas > fuel
                    {
                        to_loop!()
                    }
                    // Read again rather than kept in a register (see above).
                    // SAFETY: as above (`frames_top` is still `top`).
                    $c.frames_top = unsafe { $c.frames_top.add(1) };
                    $c.stack_used = used as u32;
                    fuel -= gas;
                    $c.base = args_at;
                    // SAFETY: `args_at + frame_size <= stack_len` (checked above).
                    fp = unsafe { $c.stack_base.add(args_at) };
                    // SAFETY: `entry` is `code_start` plus 0, or 1 when the function's
                    // first instruction is a `consume_gas`, which never ends the code
                    // (verified): an instruction of the current module's arena.
                    let entry = unsafe { $c.code.add(t.entry as usize) };
                    // A callee starting with `enter_small` (a small frame of locals or
                    // pooled constants, the common set-up): its handler is reached by a
                    // direct jump, not the indirect one through the instruction (a
                    // call's indirect jump is hard to predict: its target changes with
                    // the callee). The same handler either way. Not `enter` too: a
                    // second test on every call cost more (callgrind, fib_recursive)
                    // than that rare instruction's indirect jump.
                    #[cfg(metron_tail_dispatch)]
                    // SAFETY: as above.
                    if unsafe { (*entry).instr.raw_tag() } == Tag::EnterSmall as u16 {
                        // SAFETY: `entry` is an `enter_small`, which `EnterSmall` handles.
                        return unsafe { EnterSmall(entry, fp, fuel, mem, cx, r, fr) };
                    }
                    dispatch!(entry)
                }};
            }
            /// `call $func` with arguments at slot `$args` (`call`: a defined function of
            /// the current instance).
            macro_rules! call_defined {
                ($func:ident, $args:ident) => {{
                    let c = ctx!();
                    // SAFETY: `func` is a defined function's index (`call_import` for the
                    // others; validated) and `targets` holds one record per function
                    // index (`run`'s contract): a compiled function's record.
                    let t = unsafe { &*c.targets.add($func as usize) };
                    enter_compiled!(c, t, $args)
                }};
            }
            /// `call_indirect` through table `$table` with the callee's index after the
            /// arguments at slot `$args` (`$params` of them) and expected type
            /// `$type_index`: the fast case in place, every other case in the loop.
            macro_rules! call_indirect {
                ($type_index:ident, $table:ident, $params:ident, $args:ident) => {{
                    let c = ctx!();
                    // `params` is the type's parameter count (`verify::implicit_slots`).
                    let index = get!(Slot($args.0 + u32::from($params))) as u32;
                    // SAFETY: `table` is a table index of the module (validated), mapped
                    // by the instance to a table of the store (instantiation); `tables`
                    // is the store's table list.
                    let t = unsafe { &*c.tables.add(*c.inst_tables.add($table as usize) as usize) };
                    // The fast case: a function of this instance with the expected type
                    // index. Every other case (trap, null, another instance, host,
                    // structural type check) goes through the loop, which resolves it in
                    // full (`calls::resolve_indirect`).
                    let Ok(elem) = t.get(index) else { to_loop!() };
                    // SAFETY: `funcs` is the store's function list of `funcs_len` entries.
                    let funcs = unsafe { core::slice::from_raw_parts(c.funcs, c.funcs_len) };
                    let Some(&FuncInst::Wasm { instance, index: fi }) = funcs.get(elem as usize)
                    else {
                        to_loop!()
                    };
                    if instance != c.ci {
                        to_loop!()
                    }
                    // SAFETY: a `FuncInst::Wasm` of the current instance names a defined
                    // function of its module (`FuncInst`), which `targets` covers: a
                    // compiled function's record.
                    let t = unsafe { &*c.targets.add(fi as usize) };
                    debug_assert_ne!(t.entry, CallTarget::IMPORT);
                    if t.type_index != $type_index {
                        to_loop!()
                    }
                    enter_compiled!(c, t, $args)
                }};
            }
            /// Continues in the caller at `$at`, the instruction after its call (a
            /// return). When that is a `copy` (a call's result moved to a local: 40% of
            /// the returns of our workloads), it runs here, as its handler would: one
            /// dispatch fewer per such return, the same writes in the same order.
            macro_rules! resume {
                ($at:expr) => {{
                    let at: *const Op = $at;
                    // SAFETY: a return address is an instruction of the caller's code
                    // (`Frame::ip`, one past a call, which never ends the code).
                    if let Instr::Copy { dst, src } = unsafe { (*at).instr } {
                        // The caller's code passed `exec::verify`: `dst` and `src` are
                        // inside its frame, now at `fp` (`get!`, `set!` on an integer
                        // register, as the `copy` handler's).
                        set!(dst, get!(src));
                        count!(cells_moved, 1);
                        // SAFETY: a `copy` never ends the code (verified).
                        dispatch!(unsafe { at.add(1) })
                    }
                    dispatch!(at)
                }};
            }
            /// Pops the caller's frame record `$fr` (the top one, `caller_frame`) and
            /// continues in the caller (`resume!`): its budget, base and frame back.
            macro_rules! return_to {
                ($c:ident, $fr:ident) => {{
                    // SAFETY: a record was there (`caller_frame`).
                    $c.frames_top = unsafe { $c.frames_top.sub(1) };
                    $c.stack_used = $fr.stack_used;
                    $c.base = $fr.base as usize;
                    // SAFETY: the caller's frame is below the callee's, inside the stack.
                    set_fp!(unsafe { $c.stack_base.add($c.base) });
                    resume!($fr.ip.0)
                }};
            }
            /// Leaves this instruction to the loop in `exec::run` (nothing done yet).
            macro_rules! to_loop {
                () => {{
                    // The loop counts the instruction it executes: this handler's count
                    // is taken back.
                    #[cfg(feature = "cost-counters")]
                    // SAFETY: `cx` is valid for the whole run.
                    unsafe {
                        (*cx).cost.dispatched = (*cx).cost.dispatched.wrapping_sub(1)
                    };
                    // SAFETY: `cx` is valid for the whole run.
                    return unsafe { exit(ip, fp, fuel, mem, cx, r, fr) }
                }};
            }
            /// Stops the run with trap `$kind`.
            macro_rules! stop {
                ($kind:expr) => {
                    // SAFETY: `cx` is valid for the whole run.
                    return unsafe { trap(cx, fuel, $kind) }
                };
            }
            /// Charges `$units` gas; on shortage all gas is used and the run traps.
            macro_rules! charge {
                ($units:expr) => {{
                    let units: u64 = $units;
                    if units > fuel {
                        // SAFETY: `cx` is valid for the whole run.
                        return unsafe { trap(cx, 0, TrapKind::OutOfGas) };
                    }
                    fuel -= units;
                }};
            }
            /// Reads a slot of the current frame.
            macro_rules! get {
                // The register: the value the previous instruction wrote (register forms).
                // The float register for a form reading an `f64` (`FLOAT_OPERAND`, a
                // constant per handler).
                (REG) => {
                    if FLOAT_OPERAND[Tag::$name as usize] {
                        freg_bits(fr)
                    } else {
                        r
                    }
                };
                // A slot, or an immediate operand (`Imm32`, `Imm64`).
                ($s:expr) => {
                    // SAFETY: for a slot, `verify::frame_slots` proved `$s < frame_size`
                    // for every operand of this function's code, and `fp` has
                    // `frame_size` cells.
                    unsafe { ReadOperand::read($s, fp) }
                };
            }
            /// Writes `$v` to slot `$s` of the current frame only, not the register
            /// (before a call, whose handlers read none: `enter_compiled!`).
            macro_rules! set_slot {
                ($s:expr, $v:expr) => {{
                    let v: u64 = $v;
                    // SAFETY: as for `get!`.
                    unsafe { *fp.add($s.0 as usize) = v };
                }};
            }
            /// Whether this handler leaves a pair's first `f64` result uncanonicalized
            /// (`ir::FIRST_RAW`, a constant per handler; `exec::float::f64_add_first`).
            macro_rules! raw_first {
                () => {
                    FIRST_RAW[Tag::$name as usize]
                };
            }
            /// Writes `$v` to slot `$s` of the current frame and to the register.
            macro_rules! set {
                ($s:expr, $v:expr) => {{
                    let v: u64 = $v;
                    set_slot!($s, v);
                    // Written through: the next instruction may read it from the register,
                    // the float one for an `f64` result (`FLOAT_RESULT`, a constant per
                    // handler; the value stays in a float register, no move to `r`).
                    if FLOAT_RESULT[Tag::$name as usize] {
                        fr = freg(v);
                    } else {
                        r = v;
                    }
                }};
            }
            /// Unwraps a `Result<_, TrapKind>` (traps on `Err`).
            macro_rules! t {
                ($e:expr) => {
                    match $e {
                        Ok(v) => v,
                        // SAFETY: `cx` is valid for the whole run.
                        Err(k) => return unsafe { trap(cx, fuel, k) },
                    }
                };
            }
            macro_rules! bin32 {
                ($dst:ident, $lhs:ident, $rhs:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let $a = get!($lhs) as u32;
                    let $b = get!($rhs) as u32;
                    set!($dst, u64::from($e));
                    next!()
                }};
            }
            macro_rules! bin32t {
                ($dst:ident, $lhs:ident, $rhs:ident, $f:path) => {{
                    let v = t!($f(get!($lhs) as u32, get!($rhs) as u32));
                    set!($dst, u64::from(v));
                    next!()
                }};
            }
            macro_rules! bin64 {
                ($dst:ident, $lhs:ident, $rhs:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let $a = get!($lhs);
                    let $b = get!($rhs);
                    set!($dst, $e);
                    next!()
                }};
            }
            macro_rules! cmp64 {
                ($dst:ident, $lhs:ident, $rhs:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let $a = get!($lhs);
                    let $b = get!($rhs);
                    set!($dst, u64::from($e));
                    next!()
                }};
            }
            macro_rules! bin64t {
                ($dst:ident, $lhs:ident, $rhs:ident, $f:path) => {{
                    let v = t!($f(get!($lhs), get!($rhs)));
                    set!($dst, v);
                    next!()
                }};
            }
            macro_rules! un {
                ($dst:ident, $src:ident, |$a:ident| $e:expr) => {{
                    let $a = get!($src);
                    set!($dst, $e);
                    next!()
                }};
            }
            /// Fused compare and branch: charges `$gas` and jumps when `$e` holds.
            /// Takes this instruction's branch: its gas `$gas` charged, then the jump by
            /// `$offset` (`br`, and every branch taken).
            macro_rules! take_branch {
                ($offset:ident, $gas:ident) => {{
                    charge!(u64::from($gas));
                    jump!($offset)
                }};
            }
            /// Takes the branch when `$taken`, else falls through.
            macro_rules! branch_if {
                ($taken:expr, $offset:ident, $gas:ident) => {{
                    if $taken {
                        take_branch!($offset, $gas)
                    } else {
                        fall_through!()
                    }
                }};
            }
            macro_rules! br_cmp {
                ($lhs:ident, $rhs:ident, $offset:ident, $gas:ident, |$a:ident, $b:ident| $e:expr) => {{
                    let $a = get!($lhs);
                    let $b = get!($rhs);
                    branch_if!($e, $offset, $gas)
                }};
            }
            /// The `$n` bytes at `ptr + offset` (bounds rule: `access_start`; traps when
            /// out of bounds).
            macro_rules! read_at {
                ($ptr:tt, $offset:expr, $n:literal) => {{
                    let ea = access!($ptr, $offset, { const { access_class($n) } });
                    // SAFETY: `ea + $n <= mem_len` (`access!`).
                    let bytes: [u8; $n] = unsafe { read_bytes(mem.add(ea)) };
                    bytes
                }};
            }
            /// The effective address of an access of `2^$k` bytes at `ptr + offset`, or
            /// a `MemoryOutOfBounds` trap when any byte of it is outside the linear
            /// memory: `access_start`'s rule, as one comparison with
            /// `Cx::access_limits` (`access_limits`).
            macro_rules! access {
                ($ptr:tt, $offset:expr, $k:expr) => {{
                    // u64: the sum of two u32 cannot wrap.
                    let start = u64::from(get!($ptr) as u32) + u64::from($offset);
                    if start >= ctx!().access_limits[$k] {
                        stop!(TrapKind::MemoryOutOfBounds)
                    }
                    // `start < mem_len`: a `usize`.
                    start as usize
                }};
            }
            /// Writes `$bytes` at `ptr + offset` (bounds rule: `access_start`; nothing is
            /// written when out of bounds, where it traps).
            macro_rules! write_at {
                ($ptr:tt, $offset:expr, $bytes:expr) => {{
                    let bytes = $bytes;
                    let ea = access!($ptr, $offset, class_of(&bytes));
                    // SAFETY: `ea + bytes.len() <= mem_len` (`access!`).
                    unsafe { write_bytes(mem.add(ea), bytes) };
                }};
            }
            /// Loads `$n` bytes at `ptr + offset` into `$dst`.
            macro_rules! load {
                ($dst:ident, $ptr:ident, $offset:ident, $n:literal, |$b:ident| $e:expr) => {{
                    let $b = read_at!($ptr, $offset, $n);
                    set!($dst, $e);
                    next!()
                }};
            }
            /// Stores the bytes `$e` at `ptr + offset`.
            macro_rules! store {
                ($ptr:ident, $value:ident, $offset:ident, |$v:ident| $e:expr) => {{
                    let $v = get!($value);
                    write_at!($ptr, $offset, $e);
                    next!()
                }};
            }
            $body
        }
    };
}

/// The handlers of a binary operation and of its two register forms, from one
/// definition: `$helper!($op)` computes the result from `lhs` and `rhs`; the forms read
/// `lhs` (`$l`) or `rhs` (`$r`) from the register (`docs/ir.md`, "Register forms").
macro_rules! binary_handlers {
    ($base:ident, $l:ident, $r:ident: $helper:ident!($($op:tt)*)) => {
        handler!($base { dst, lhs, rhs } => $helper!(dst, lhs, rhs, $($op)*));
        handler!($l { dst, lhs, rhs } => $helper!(dst, REG, rhs, $($op)*));
        handler!($r { dst, lhs, rhs } => $helper!(dst, lhs, REG, $($op)*));
    };
    // With the immediate forms (`$imm`: `Imm32` or `Imm64`), same body.
    ($base:ident, $l:ident, $r:ident / $i:ident, $il:ident, $imm:ident: $helper:ident!($($op:tt)*)) => {
        binary_handlers!($base, $l, $r: $helper!($($op)*));
        binary_imm_handlers!($i, $il: $helper!($($op)*), $imm);
    };
}

/// A unary operation and its register form (`src` from the register).
macro_rules! unary_handlers {
    ($base:ident, $s:ident: $helper:ident!($($op:tt)*)) => {
        handler!($base { dst, src } => $helper!(dst, src, $($op)*));
        handler!($s { dst, src } => $helper!(dst, REG, $($op)*));
    };
}

/// A load and its register form (the address from the register).
macro_rules! load_handlers {
    ($base:ident, $p:ident: $helper:ident!($($op:tt)*)) => {
        handler!($base { dst, ptr, offset } => $helper!(dst, ptr, offset, $($op)*));
        handler!($p { dst, ptr, offset } => $helper!(dst, REG, offset, $($op)*));
    };
}

/// A store and its register forms (the value, or the address, from the register).
macro_rules! store_handlers {
    ($base:ident, $v:ident, $p:ident: $helper:ident!($($op:tt)*)) => {
        handler!($base { ptr, value, offset } => $helper!(ptr, value, offset, $($op)*));
        handler!($v { ptr, value, offset } => $helper!(ptr, REG, offset, $($op)*));
        handler!($p { ptr, value, offset } => $helper!(REG, value, offset, $($op)*));
    };
    // With the store of a constant and its register form, same body.
    ($base:ident, $v:ident, $p:ident / $i:ident, $ip:ident, $imm:ident: $helper:ident!($($op:tt)*)) => {
        store_handlers!($base, $v, $p: $helper!($($op)*));
        store_imm_handlers!($i, $ip: $helper!($($op)*), $imm);
    };
}

/// A binary operation with a constant right operand and its register form (`lhs` from
/// the register): `$imm` is `Imm32` (i32 operations) or `Imm64` (i64: sign-extended).
macro_rules! binary_imm_handlers {
    ($base:ident, $l:ident: $helper:ident!($($op:tt)*), $imm:ident) => {
        handler!($base { dst, lhs, imm } => {
            let imm = $imm(imm);
            $helper!(dst, lhs, imm, $($op)*)
        });
        handler!($l { dst, lhs, imm } => {
            let imm = $imm(imm);
            $helper!(dst, REG, imm, $($op)*)
        });
    };
}

/// A store of a constant and its register form (the address from the register).
macro_rules! store_imm_handlers {
    ($base:ident, $p:ident: $helper:ident!($($op:tt)*), $imm:ident) => {
        handler!($base { ptr, imm, offset } => {
            let imm = $imm(imm);
            $helper!(ptr, imm, offset, $($op)*)
        });
        handler!($p { ptr, imm, offset } => {
            let imm = $imm(imm);
            $helper!(REG, imm, offset, $($op)*)
        });
    };
}

/// A fused compare-and-branch with a constant right operand and its register form.
macro_rules! branch_imm_handlers {
    ($base:ident, $l:ident: $helper:ident!($($op:tt)*), $imm:ident) => {
        handler!($base { lhs, imm, offset, gas } => {
            let imm = $imm(imm);
            $helper!(lhs, imm, offset, gas, $($op)*)
        });
        handler!($l { lhs, imm, offset, gas } => {
            let imm = $imm(imm);
            $helper!(REG, imm, offset, gas, $($op)*)
        });
    };
}

/// A fused compare-and-branch and its register forms (`lhs` or `rhs` from the register).
macro_rules! branch_handlers {
    ($base:ident, $l:ident, $r:ident: $helper:ident!($($op:tt)*)) => {
        handler!($base { lhs, rhs, offset, gas } => $helper!(lhs, rhs, offset, gas, $($op)*));
        handler!($l { lhs, rhs, offset, gas } => $helper!(REG, rhs, offset, gas, $($op)*));
        handler!($r { lhs, rhs, offset, gas } => $helper!(lhs, REG, offset, gas, $($op)*));
    };
    // With the immediate forms, same body.
    ($base:ident, $l:ident, $r:ident / $i:ident, $il:ident, $imm:ident: $helper:ident!($($op:tt)*)) => {
        branch_handlers!($base, $l, $r: $helper!($($op)*));
        branch_imm_handlers!($i, $il: $helper!($($op)*), $imm);
    };
}

// ---- control and moves ----
handler!(ConsumeGas { amount } => {
    charge!(u64::from(amount));
    next!()
});
// Never inlined: inlined into the call handlers (which jump to `enter_small` directly,
// `enter_compiled!`), its loops would take callee-saved registers on every call.
handler!(#[inline(never)] Enter { params, consts, gas, locals, pool } => {
    charge!(u64::from(gas));
    // A function's first instruction is never a register form.
    reg_dead!();
    // The frame set-up in two halves, the fields of the second read again after the
    // first (`barrier`; why: `zero_locals`).
    // SAFETY: `params + locals + consts <= frame_size` (`verify::implicit_slots`) and
    // the call that entered this frame made `fp + frame_size <= stack.len()`.
    unsafe { zero_locals(frame_ptr!().add(usize::from(params)), locals as usize) };
    barrier();
    // SAFETY: as in the handler's first read.
    let Instr::Enter { params, consts, locals, pool, .. } = (unsafe { (*here!()).instr }) else {
        // SAFETY: as above.
        unsafe { core::hint::unreachable_unchecked() }
    };
    let c = ctx!();
    // SAFETY: as above, and `pool .. pool + consts` is this function's pool in the
    // module's constant arena (made together by `FuncTranslator::finish`).
    unsafe {
        copy_consts(
            frame_ptr!().add(usize::from(params) + locals as usize),
            c.consts.add(pool as usize),
            usize::from(consts),
        )
    };
    // The cells written: whole blocks of each half (`zero_locals`, `copy_consts`).
    count!(frame_cells, super::init_span(locals).wrapping_add(super::init_span(u32::from(consts))));
    next!()
});
// Never inlined: the call handlers jump to it directly (`enter_compiled!`).
handler!(#[inline(never)] EnterSmall { params, gas, pool } => {
    charge!(u64::from(gas));
    // A function's first instruction is never a register form.
    reg_dead!();
    let c = ctx!();
    // SAFETY: `params + SMALL_INIT <= frame_size` (`verify::implicit_slots`) and the
    // call that entered this frame made `fp + frame_size <= stack.len()`; `pool` is this
    // function's image in the module's constant arena (`FuncTranslator::finish`), which
    // ends in `SMALL_INIT - 1` zero cells (`compile_module`).
    unsafe { copy_image(frame_ptr!().add(usize::from(params)), c.consts.add(pool as usize)) };
    count!(frame_cells, super::SMALL_INIT);
    next!()
});
handler!(Copy { dst, src } => {
    set!(dst, get!(src));
    next!()
});
// Never inlined: its loop would take registers in the handlers it was inlined into.
handler!(#[inline(never)] CopySpan { dst, src, len } => {
    // Ascending, one cell at a time: the translator emits it with `dst <= src` or
    // disjoint ranges (branches carrying values to an enclosing label, `br_table`
    // trampolines), for which this is a move.
    let (mut d, mut s, mut n) = (dst.0 as usize, src.0 as usize, len as usize);
    while n != 0 {
        // SAFETY: `verify::frame_slots` proved `dst + len <= frame_size` and
        // `src + len <= frame_size`, and the call that entered this frame made
        // `fp + frame_size <= stack.len()`.
        unsafe { frame_ptr!().add(d).write(frame_ptr!().add(s).read()) };
        d += 1;
        s += 1;
        n -= 1;
    }
    count!(cells_moved, len);
    next!()
});
// Never inlined, as `copy_span`.
handler!(#[inline(never)] FillNull { dst, len } => {
    let (mut d, mut n) = (dst.0 as usize, len as usize);
    while n != 0 {
        // SAFETY: `verify::frame_slots` proved `dst + len <= frame_size`, and the call
        // that entered this frame made `fp + frame_size <= stack.len()`.
        unsafe { frame_ptr!().add(d).write(crate::value::NULL_REF) };
        d += 1;
        n -= 1;
    }
    count!(cells_moved, len);
    next!()
});
handler!(Const { dst, lo, hi } => {
    set!(dst, (u64::from(hi) << 32) | u64::from(lo));
    next!()
});
handler!(Select { dst, cond, if_true } => select!(dst, cond, if_true));
handler!(Br { offset, gas } => take_branch!(offset, gas));
handler!(BrIfNez { cond, offset, gas } => branch_if!(get!(cond) as u32 != 0, offset, gas));
handler!(BrIfEqz { cond, offset, gas } => branch_if!(get!(cond) as u32 == 0, offset, gas));
handler!(RefIsNull { dst, src } => {
    set!(dst, u64::from(get!(src) == NULL_REF));
    next!()
});

// ---- i32 binary ----
binary_handlers!(I32Add, I32AddL, I32AddR / I32AddI, I32AddIL, Imm32: bin32!(|a, b| a.wrapping_add(b)));
binary_handlers!(I32Sub, I32SubL, I32SubR: bin32!(|a, b| a.wrapping_sub(b)));
binary_handlers!(I32Mul, I32MulL, I32MulR / I32MulI, I32MulIL, Imm32: bin32!(|a, b| a.wrapping_mul(b)));
binary_handlers!(I32DivS, I32DivSL, I32DivSR: bin32t!(it::i32_div_s));
binary_handlers!(I32DivU, I32DivUL, I32DivUR: bin32t!(it::i32_div_u));
binary_handlers!(I32RemS, I32RemSL, I32RemSR: bin32t!(it::i32_rem_s));
binary_handlers!(I32RemU, I32RemUL, I32RemUR: bin32t!(it::i32_rem_u));
binary_handlers!(I32And, I32AndL, I32AndR / I32AndI, I32AndIL, Imm32: bin32!(|a, b| a & b));
binary_handlers!(I32Or, I32OrL, I32OrR / I32OrI, I32OrIL, Imm32: bin32!(|a, b| a | b));
binary_handlers!(I32Xor, I32XorL, I32XorR / I32XorI, I32XorIL, Imm32: bin32!(|a, b| a ^ b));
binary_handlers!(I32Shl, I32ShlL, I32ShlR / I32ShlI, I32ShlIL, Imm32: bin32!(|a, b| it::i32_shl(a, b)));
binary_handlers!(I32ShrS, I32ShrSL, I32ShrSR / I32ShrSI, I32ShrSIL, Imm32: bin32!(|a, b| it::i32_shr_s(a, b)));
binary_handlers!(I32ShrU, I32ShrUL, I32ShrUR / I32ShrUI, I32ShrUIL, Imm32: bin32!(|a, b| it::i32_shr_u(a, b)));
binary_handlers!(I32Rotl, I32RotlL, I32RotlR / I32RotlI, I32RotlIL, Imm32: bin32!(|a, b| it::i32_rotl(a, b)));
binary_handlers!(I32Rotr, I32RotrL, I32RotrR / I32RotrI, I32RotrIL, Imm32: bin32!(|a, b| it::i32_rotr(a, b)));
binary_handlers!(I32Eq, I32EqL, I32EqR / I32EqI, I32EqIL, Imm32: bin32!(|a, b| a == b));
binary_handlers!(I32Ne, I32NeL, I32NeR / I32NeI, I32NeIL, Imm32: bin32!(|a, b| a != b));
binary_handlers!(I32LtS, I32LtSL, I32LtSR / I32LtSI, I32LtSIL, Imm32: bin32!(|a, b| (a as i32) < (b as i32)));
binary_handlers!(I32LtU, I32LtUL, I32LtUR / I32LtUI, I32LtUIL, Imm32: bin32!(|a, b| a < b));
binary_handlers!(I32GtS, I32GtSL, I32GtSR / I32GtSI, I32GtSIL, Imm32: bin32!(|a, b| (a as i32) > (b as i32)));
binary_handlers!(I32GtU, I32GtUL, I32GtUR / I32GtUI, I32GtUIL, Imm32: bin32!(|a, b| a > b));
binary_handlers!(I32LeS, I32LeSL, I32LeSR / I32LeSI, I32LeSIL, Imm32: bin32!(|a, b| (a as i32) <= (b as i32)));
binary_handlers!(I32LeU, I32LeUL, I32LeUR / I32LeUI, I32LeUIL, Imm32: bin32!(|a, b| a <= b));
binary_handlers!(I32GeS, I32GeSL, I32GeSR / I32GeSI, I32GeSIL, Imm32: bin32!(|a, b| (a as i32) >= (b as i32)));
binary_handlers!(I32GeU, I32GeUL, I32GeUR / I32GeUI, I32GeUIL, Imm32: bin32!(|a, b| a >= b));

// ---- i64 binary ----
binary_handlers!(I64Add, I64AddL, I64AddR / I64AddI, I64AddIL, Imm64: bin64!(|a, b| a.wrapping_add(b)));
binary_handlers!(I64Sub, I64SubL, I64SubR: bin64!(|a, b| a.wrapping_sub(b)));
binary_handlers!(I64Mul, I64MulL, I64MulR / I64MulI, I64MulIL, Imm64: bin64!(|a, b| a.wrapping_mul(b)));
binary_handlers!(I64DivS, I64DivSL, I64DivSR: bin64t!(it::i64_div_s));
binary_handlers!(I64DivU, I64DivUL, I64DivUR: bin64t!(it::i64_div_u));
binary_handlers!(I64RemS, I64RemSL, I64RemSR: bin64t!(it::i64_rem_s));
binary_handlers!(I64RemU, I64RemUL, I64RemUR: bin64t!(it::i64_rem_u));
binary_handlers!(I64And, I64AndL, I64AndR / I64AndI, I64AndIL, Imm64: bin64!(|a, b| a & b));
binary_handlers!(I64Or, I64OrL, I64OrR / I64OrI, I64OrIL, Imm64: bin64!(|a, b| a | b));
binary_handlers!(I64Xor, I64XorL, I64XorR / I64XorI, I64XorIL, Imm64: bin64!(|a, b| a ^ b));
binary_handlers!(I64Shl, I64ShlL, I64ShlR / I64ShlI, I64ShlIL, Imm64: bin64!(|a, b| it::i64_shl(a, b)));
binary_handlers!(I64ShrS, I64ShrSL, I64ShrSR / I64ShrSI, I64ShrSIL, Imm64: bin64!(|a, b| it::i64_shr_s(a, b)));
binary_handlers!(I64ShrU, I64ShrUL, I64ShrUR / I64ShrUI, I64ShrUIL, Imm64: bin64!(|a, b| it::i64_shr_u(a, b)));
binary_handlers!(I64Rotl, I64RotlL, I64RotlR / I64RotlI, I64RotlIL, Imm64: bin64!(|a, b| it::i64_rotl(a, b)));
binary_handlers!(I64Rotr, I64RotrL, I64RotrR / I64RotrI, I64RotrIL, Imm64: bin64!(|a, b| it::i64_rotr(a, b)));
binary_handlers!(I64Eq, I64EqL, I64EqR / I64EqI, I64EqIL, Imm64: cmp64!(|a, b| a == b));
binary_handlers!(I64Ne, I64NeL, I64NeR / I64NeI, I64NeIL, Imm64: cmp64!(|a, b| a != b));
binary_handlers!(I64LtS, I64LtSL, I64LtSR / I64LtSI, I64LtSIL, Imm64: cmp64!(|a, b| (a as i64) < (b as i64)));
binary_handlers!(I64LtU, I64LtUL, I64LtUR / I64LtUI, I64LtUIL, Imm64: cmp64!(|a, b| a < b));
binary_handlers!(I64GtS, I64GtSL, I64GtSR / I64GtSI, I64GtSIL, Imm64: cmp64!(|a, b| (a as i64) > (b as i64)));
binary_handlers!(I64GtU, I64GtUL, I64GtUR / I64GtUI, I64GtUIL, Imm64: cmp64!(|a, b| a > b));
binary_handlers!(I64LeS, I64LeSL, I64LeSR / I64LeSI, I64LeSIL, Imm64: cmp64!(|a, b| (a as i64) <= (b as i64)));
binary_handlers!(I64LeU, I64LeUL, I64LeUR / I64LeUI, I64LeUIL, Imm64: cmp64!(|a, b| a <= b));
binary_handlers!(I64GeS, I64GeSL, I64GeSR / I64GeSI, I64GeSIL, Imm64: cmp64!(|a, b| (a as i64) >= (b as i64)));
binary_handlers!(I64GeU, I64GeUL, I64GeUR / I64GeUI, I64GeUIL, Imm64: cmp64!(|a, b| a >= b));

// ---- f32 binary ----
binary_handlers!(F32Add, F32AddL, F32AddR: bin32!(|a, b| fl::f32_add(a, b)));
binary_handlers!(F32Sub, F32SubL, F32SubR: bin32!(|a, b| fl::f32_sub(a, b)));
binary_handlers!(F32Mul, F32MulL, F32MulR: bin32!(|a, b| fl::f32_mul(a, b)));
binary_handlers!(F32Div, F32DivL, F32DivR: bin32!(|a, b| fl::f32_div(a, b)));
binary_handlers!(F32Min, F32MinL, F32MinR: bin32!(|a, b| fl::f32_min(a, b)));
binary_handlers!(F32Max, F32MaxL, F32MaxR: bin32!(|a, b| fl::f32_max(a, b)));
binary_handlers!(F32Copysign, F32CopysignL, F32CopysignR: bin32!(|a, b| fl::f32_copysign(a, b)));
binary_handlers!(F32Eq, F32EqL, F32EqR: bin32!(|a, b| fl::f32_eq(a, b)));
binary_handlers!(F32Ne, F32NeL, F32NeR: bin32!(|a, b| fl::f32_ne(a, b)));
binary_handlers!(F32Lt, F32LtL, F32LtR: bin32!(|a, b| fl::f32_lt(a, b)));
binary_handlers!(F32Gt, F32GtL, F32GtR: bin32!(|a, b| fl::f32_gt(a, b)));
binary_handlers!(F32Le, F32LeL, F32LeR: bin32!(|a, b| fl::f32_le(a, b)));
binary_handlers!(F32Ge, F32GeL, F32GeR: bin32!(|a, b| fl::f32_ge(a, b)));

// ---- f64 binary ----
binary_handlers!(F64Add, F64AddL, F64AddR: bin64!(|a, b| fl::f64_add(a, b)));
binary_handlers!(F64Sub, F64SubL, F64SubR: bin64!(|a, b| fl::f64_sub(a, b)));
binary_handlers!(F64Mul, F64MulL, F64MulR: bin64!(|a, b| fl::f64_mul(a, b)));
binary_handlers!(F64Div, F64DivL, F64DivR: bin64!(|a, b| fl::f64_div(a, b)));
binary_handlers!(F64Min, F64MinL, F64MinR: bin64!(|a, b| fl::f64_min(a, b)));
binary_handlers!(F64Max, F64MaxL, F64MaxR: bin64!(|a, b| fl::f64_max(a, b)));
binary_handlers!(F64Copysign, F64CopysignL, F64CopysignR: bin64!(|a, b| fl::f64_copysign(a, b)));
binary_handlers!(F64Eq, F64EqL, F64EqR: cmp64!(|a, b| fl::f64_eq(a, b)));
binary_handlers!(F64Ne, F64NeL, F64NeR: cmp64!(|a, b| fl::f64_ne(a, b)));
binary_handlers!(F64Lt, F64LtL, F64LtR: cmp64!(|a, b| fl::f64_lt(a, b)));
binary_handlers!(F64Gt, F64GtL, F64GtR: cmp64!(|a, b| fl::f64_gt(a, b)));
binary_handlers!(F64Le, F64LeL, F64LeR: cmp64!(|a, b| fl::f64_le(a, b)));
binary_handlers!(F64Ge, F64GeL, F64GeR: cmp64!(|a, b| fl::f64_ge(a, b)));

// ---- integer unary ----
unary_handlers!(I32Eqz, I32EqzS: un!(|a| u64::from(a as u32 == 0)));
unary_handlers!(I32Clz, I32ClzS: un!(|a| u64::from((a as u32).leading_zeros())));
unary_handlers!(I32Ctz, I32CtzS: un!(|a| u64::from((a as u32).trailing_zeros())));
unary_handlers!(I32Popcnt, I32PopcntS: un!(|a| u64::from((a as u32).count_ones())));
unary_handlers!(I32Extend8S, I32Extend8SS: un!(|a| u64::from(a as i8 as i32 as u32)));
unary_handlers!(I32Extend16S, I32Extend16SS: un!(|a| u64::from(a as i16 as i32 as u32)));
unary_handlers!(I64Eqz, I64EqzS: un!(|a| u64::from(a == 0)));
unary_handlers!(I64Clz, I64ClzS: un!(|a| u64::from(a.leading_zeros())));
unary_handlers!(I64Ctz, I64CtzS: un!(|a| u64::from(a.trailing_zeros())));
unary_handlers!(I64Popcnt, I64PopcntS: un!(|a| u64::from(a.count_ones())));
unary_handlers!(I64Extend8S, I64Extend8SS: un!(|a| a as i8 as i64 as u64));
unary_handlers!(I64Extend16S, I64Extend16SS: un!(|a| a as i16 as i64 as u64));
unary_handlers!(I64Extend32S, I64Extend32SS: un!(|a| a as i32 as i64 as u64));
unary_handlers!(I32WrapI64, I32WrapI64S: un!(|a| u64::from(a as u32)));
unary_handlers!(I64ExtendI32S, I64ExtendI32SS: un!(|a| a as i32 as i64 as u64));
unary_handlers!(I64ExtendI32U, I64ExtendI32US: un!(|a| u64::from(a as u32)));

// ---- float unary ----
unary_handlers!(F32Abs, F32AbsS: un!(|a| u64::from(fl::f32_abs(a as u32))));
unary_handlers!(F32Neg, F32NegS: un!(|a| u64::from(fl::f32_neg(a as u32))));
unary_handlers!(F32Ceil, F32CeilS: un!(|a| u64::from(fl::f32_ceil(a as u32))));
unary_handlers!(F32Floor, F32FloorS: un!(|a| u64::from(fl::f32_floor(a as u32))));
unary_handlers!(F32Trunc, F32TruncS: un!(|a| u64::from(fl::f32_trunc(a as u32))));
unary_handlers!(F32Nearest, F32NearestS: un!(|a| u64::from(fl::f32_nearest(a as u32))));
unary_handlers!(F32Sqrt, F32SqrtS: un!(|a| u64::from(fl::f32_sqrt(a as u32))));
unary_handlers!(F64Abs, F64AbsS: un!(|a| fl::f64_abs(a)));
unary_handlers!(F64Neg, F64NegS: un!(|a| fl::f64_neg(a)));
unary_handlers!(F64Ceil, F64CeilS: un!(|a| fl::f64_ceil(a)));
unary_handlers!(F64Floor, F64FloorS: un!(|a| fl::f64_floor(a)));
unary_handlers!(F64Trunc, F64TruncS: un!(|a| fl::f64_trunc(a)));
unary_handlers!(F64Nearest, F64NearestS: un!(|a| fl::f64_nearest(a)));
unary_handlers!(F64Sqrt, F64SqrtS: un!(|a| fl::f64_sqrt(a)));

// ---- conversions ----
unary_handlers!(I32TruncF32S, I32TruncF32SS: un!(|a| u64::from(t!(fl::i32_trunc_s(fl::widen( a as u32 ))))));
unary_handlers!(I32TruncF32U, I32TruncF32US: un!(|a| u64::from(t!(fl::i32_trunc_u(fl::widen( a as u32 ))))));
unary_handlers!(I32TruncF64S, I32TruncF64SS: un!(|a| u64::from(t!(fl::i32_trunc_s(fl::f64_val(a))))));
unary_handlers!(I32TruncF64U, I32TruncF64US: un!(|a| u64::from(t!(fl::i32_trunc_u(fl::f64_val(a))))));
unary_handlers!(I64TruncF32S, I64TruncF32SS: un!(|a| t!(fl::i64_trunc_s(fl::widen(a as u32)))));
unary_handlers!(I64TruncF32U, I64TruncF32US: un!(|a| t!(fl::i64_trunc_u(fl::widen(a as u32)))));
unary_handlers!(I64TruncF64S, I64TruncF64SS: un!(|a| t!(fl::i64_trunc_s(fl::f64_val(a)))));
unary_handlers!(I64TruncF64U, I64TruncF64US: un!(|a| t!(fl::i64_trunc_u(fl::f64_val(a)))));
unary_handlers!(I32TruncSatF32S, I32TruncSatF32SS: un!(|a| u64::from(fl::i32_trunc_sat_s(fl::widen( a as u32 )))));
unary_handlers!(I32TruncSatF32U, I32TruncSatF32US: un!(|a| u64::from(fl::i32_trunc_sat_u(fl::widen( a as u32 )))));
unary_handlers!(I32TruncSatF64S, I32TruncSatF64SS: un!(|a| u64::from(fl::i32_trunc_sat_s(fl::f64_val(a)))));
unary_handlers!(I32TruncSatF64U, I32TruncSatF64US: un!(|a| u64::from(fl::i32_trunc_sat_u(fl::f64_val(a)))));
unary_handlers!(I64TruncSatF32S, I64TruncSatF32SS: un!(|a| fl::i64_trunc_sat_s(fl::widen(a as u32))));
unary_handlers!(I64TruncSatF32U, I64TruncSatF32US: un!(|a| fl::i64_trunc_sat_u(fl::widen(a as u32))));
unary_handlers!(I64TruncSatF64S, I64TruncSatF64SS: un!(|a| fl::i64_trunc_sat_s(fl::f64_val(a))));
unary_handlers!(I64TruncSatF64U, I64TruncSatF64US: un!(|a| fl::i64_trunc_sat_u(fl::f64_val(a))));
unary_handlers!(F32ConvertI32S, F32ConvertI32SS: un!(|a| u64::from(fl::f32_convert_i32_s(a as u32))));
unary_handlers!(F32ConvertI32U, F32ConvertI32US: un!(|a| u64::from(fl::f32_convert_i32_u(a as u32))));
unary_handlers!(F32ConvertI64S, F32ConvertI64SS: un!(|a| u64::from(fl::f32_convert_i64_s(a))));
unary_handlers!(F32ConvertI64U, F32ConvertI64US: un!(|a| u64::from(fl::f32_convert_i64_u(a))));
unary_handlers!(F32DemoteF64, F32DemoteF64S: un!(|a| u64::from(fl::f32_demote_f64(a))));
unary_handlers!(F64ConvertI32S, F64ConvertI32SS: un!(|a| fl::f64_convert_i32_s(a as u32)));
unary_handlers!(F64ConvertI32U, F64ConvertI32US: un!(|a| fl::f64_convert_i32_u(a as u32)));
unary_handlers!(F64ConvertI64S, F64ConvertI64SS: un!(|a| fl::f64_convert_i64_s(a)));
unary_handlers!(F64ConvertI64U, F64ConvertI64US: un!(|a| fl::f64_convert_i64_u(a)));
unary_handlers!(F64PromoteF32, F64PromoteF32S: un!(|a| fl::f64_promote_f32(a as u32)));

// ---- loads ----
load_handlers!(I32Load, I32LoadP: load!(4, |b| u64::from(u32::from_le_bytes(b))));
load_handlers!(I64Load, I64LoadP: load!(8, |b| u64::from_le_bytes(b)));
load_handlers!(F32Load, F32LoadP: load!(4, |b| u64::from(u32::from_le_bytes(b))));
load_handlers!(F64Load, F64LoadP: load!(8, |b| u64::from_le_bytes(b)));
load_handlers!(I32Load8S, I32Load8SP: load!(1, |b| u64::from(b[0] as i8 as i32 as u32)));
load_handlers!(I32Load8U, I32Load8UP: load!(1, |b| u64::from(b[0])));
load_handlers!(I32Load16S, I32Load16SP: load!(2, |b| u64::from( i16::from_le_bytes(b) as i32 as u32 )));
load_handlers!(I32Load16U, I32Load16UP: load!(2, |b| u64::from(u16::from_le_bytes(b))));
load_handlers!(I64Load8S, I64Load8SP: load!(1, |b| b[0] as i8 as i64 as u64));
load_handlers!(I64Load8U, I64Load8UP: load!(1, |b| u64::from(b[0])));
load_handlers!(I64Load16S, I64Load16SP: load!(2, |b| i16::from_le_bytes(b) as i64 as u64));
load_handlers!(I64Load16U, I64Load16UP: load!(2, |b| u64::from(u16::from_le_bytes(b))));
load_handlers!(I64Load32S, I64Load32SP: load!(4, |b| i32::from_le_bytes(b) as i64 as u64));
load_handlers!(I64Load32U, I64Load32UP: load!(4, |b| u64::from(u32::from_le_bytes(b))));

// ---- stores ----
store_handlers!(I32Store, I32StoreV, I32StoreP / I32StoreI, I32StoreIP, Imm32: store!(|v| (v as u32).to_le_bytes()));
store_handlers!(F32Store, F32StoreV, F32StoreP / F32StoreI, F32StoreIP, Imm32: store!(|v| (v as u32).to_le_bytes()));
store_handlers!(I64Store, I64StoreV, I64StoreP / I64StoreI, I64StoreIP, Imm64: store!(|v| v.to_le_bytes()));
store_handlers!(F64Store, F64StoreV, F64StoreP / F64StoreI, F64StoreIP, Imm64: store!(|v| v.to_le_bytes()));
store_handlers!(I32Store8, I32Store8V, I32Store8P / I32Store8I, I32Store8IP, Imm32: store!(|v| [v as u8]));
store_handlers!(I64Store8, I64Store8V, I64Store8P / I64Store8I, I64Store8IP, Imm32: store!(|v| [v as u8]));
store_handlers!(I32Store16, I32Store16V, I32Store16P / I32Store16I, I32Store16IP, Imm32: store!(|v| (v as u16).to_le_bytes()));
store_handlers!(I64Store16, I64Store16V, I64Store16P / I64Store16I, I64Store16IP, Imm32: store!(|v| (v as u16).to_le_bytes()));
store_handlers!(I64Store32, I64Store32V, I64Store32P / I64Store32I, I64Store32IP, Imm32: store!(|v| (v as u32).to_le_bytes()));

// ---- fused compare and branch ----
branch_handlers!(BrI32Eq, BrI32EqL, BrI32EqR / BrI32EqI, BrI32EqIL, Imm32: br_cmp!(|a, b| a as u32 == b as u32));
branch_handlers!(BrI32Ne, BrI32NeL, BrI32NeR / BrI32NeI, BrI32NeIL, Imm32: br_cmp!(|a, b| a as u32 != b as u32));
branch_handlers!(BrI32LtS, BrI32LtSL, BrI32LtSR / BrI32LtSI, BrI32LtSIL, Imm32: br_cmp!(|a, b| (a as i32) < (b as i32)));
branch_handlers!(BrI32LtU, BrI32LtUL, BrI32LtUR / BrI32LtUI, BrI32LtUIL, Imm32: br_cmp!(|a, b| (a as u32) < (b as u32)));
branch_handlers!(BrI32GtS, BrI32GtSL, BrI32GtSR / BrI32GtSI, BrI32GtSIL, Imm32: br_cmp!(|a, b| (a as i32) > (b as i32)));
branch_handlers!(BrI32GtU, BrI32GtUL, BrI32GtUR / BrI32GtUI, BrI32GtUIL, Imm32: br_cmp!(|a, b| (a as u32) > (b as u32)));
branch_handlers!(BrI32LeS, BrI32LeSL, BrI32LeSR / BrI32LeSI, BrI32LeSIL, Imm32: br_cmp!(|a, b| (a as i32) <= (b as i32)));
branch_handlers!(BrI32LeU, BrI32LeUL, BrI32LeUR / BrI32LeUI, BrI32LeUIL, Imm32: br_cmp!(|a, b| (a as u32) <= (b as u32)));
branch_handlers!(BrI32GeS, BrI32GeSL, BrI32GeSR / BrI32GeSI, BrI32GeSIL, Imm32: br_cmp!(|a, b| (a as i32) >= (b as i32)));
branch_handlers!(BrI32GeU, BrI32GeUL, BrI32GeUR / BrI32GeUI, BrI32GeUIL, Imm32: br_cmp!(|a, b| (a as u32) >= (b as u32)));
branch_handlers!(BrI64Eq, BrI64EqL, BrI64EqR / BrI64EqI, BrI64EqIL, Imm64: br_cmp!(|a, b| a == b));
branch_handlers!(BrI64Ne, BrI64NeL, BrI64NeR / BrI64NeI, BrI64NeIL, Imm64: br_cmp!(|a, b| a != b));
branch_handlers!(BrI64LtS, BrI64LtSL, BrI64LtSR / BrI64LtSI, BrI64LtSIL, Imm64: br_cmp!(|a, b| (a as i64) < (b as i64)));
branch_handlers!(BrI64LtU, BrI64LtUL, BrI64LtUR / BrI64LtUI, BrI64LtUIL, Imm64: br_cmp!(|a, b| a < b));
branch_handlers!(BrI64GtS, BrI64GtSL, BrI64GtSR / BrI64GtSI, BrI64GtSIL, Imm64: br_cmp!(|a, b| (a as i64) > (b as i64)));
branch_handlers!(BrI64GtU, BrI64GtUL, BrI64GtUR / BrI64GtUI, BrI64GtUIL, Imm64: br_cmp!(|a, b| a > b));
branch_handlers!(BrI64LeS, BrI64LeSL, BrI64LeSR / BrI64LeSI, BrI64LeSIL, Imm64: br_cmp!(|a, b| (a as i64) <= (b as i64)));
branch_handlers!(BrI64LeU, BrI64LeUL, BrI64LeUR / BrI64LeUI, BrI64LeUIL, Imm64: br_cmp!(|a, b| a <= b));
branch_handlers!(BrI64GeS, BrI64GeSL, BrI64GeSR / BrI64GeSI, BrI64GeSIL, Imm64: br_cmp!(|a, b| (a as i64) >= (b as i64)));
branch_handlers!(BrI64GeU, BrI64GeUL, BrI64GeUR / BrI64GeUI, BrI64GeUIL, Imm64: br_cmp!(|a, b| a >= b));
branch_handlers!(BrF32Eq, BrF32EqL, BrF32EqR: br_cmp!(|a, b| fl::f32_eq(a as u32, b as u32)));
branch_handlers!(BrF32Ne, BrF32NeL, BrF32NeR: br_cmp!(|a, b| fl::f32_ne(a as u32, b as u32)));
branch_handlers!(BrF32Lt, BrF32LtL, BrF32LtR: br_cmp!(|a, b| fl::f32_lt(a as u32, b as u32)));
branch_handlers!(BrF32Gt, BrF32GtL, BrF32GtR: br_cmp!(|a, b| fl::f32_gt(a as u32, b as u32)));
branch_handlers!(BrF32Le, BrF32LeL, BrF32LeR: br_cmp!(|a, b| fl::f32_le(a as u32, b as u32)));
branch_handlers!(BrF32Ge, BrF32GeL, BrF32GeR: br_cmp!(|a, b| fl::f32_ge(a as u32, b as u32)));
branch_handlers!(BrF64Eq, BrF64EqL, BrF64EqR: br_cmp!(|a, b| fl::f64_eq(a as u64, b as u64)));
branch_handlers!(BrF64Ne, BrF64NeL, BrF64NeR: br_cmp!(|a, b| fl::f64_ne(a as u64, b as u64)));
branch_handlers!(BrF64Lt, BrF64LtL, BrF64LtR: br_cmp!(|a, b| fl::f64_lt(a as u64, b as u64)));
branch_handlers!(BrF64Gt, BrF64GtL, BrF64GtR: br_cmp!(|a, b| fl::f64_gt(a as u64, b as u64)));
branch_handlers!(BrF64Le, BrF64LeL, BrF64LeR: br_cmp!(|a, b| fl::f64_le(a as u64, b as u64)));
branch_handlers!(BrF64Ge, BrF64GeL, BrF64GeR: br_cmp!(|a, b| fl::f64_ge(a as u64, b as u64)));

// ---- globals ----
/// The store cell of global `$global` of the current instance.
macro_rules! global_cell {
    ($c:ident, $global:expr) => {
        // SAFETY: `global` is a valid global index of the module (validated) and the
        // instance maps it to a cell of the store (instantiation).
        unsafe {
            $c.globals
                .add(*$c.inst_globals.add($global as usize) as usize)
        }
    };
}
handler!(GlobalGet { dst, global } => {
    let c = ctx!();
    let cell = global_cell!(c, global);
    // SAFETY: `cell` is a valid cell.
    set!(dst, unsafe { *cell });
    next!()
});
handler!(GlobalSet { global, src } => {
    let v = get!(src);
    let c = ctx!();
    let cell = global_cell!(c, global);
    // SAFETY: `cell` is valid (and the global mutable: validated).
    unsafe { *cell = v };
    next!()
});
handler!(GlobalGetI32Sub { dst, global, imm } => {
    let c = ctx!();
    let cell = global_cell!(c, global);
    // SAFETY: `cell` is a valid cell.
    let v = u64::from((unsafe { *cell } as u32).wrapping_sub(imm));
    set!(dst, v);
    next!()
});
handler!(GlobalGetI32SubSet { dst, global, imm } => {
    let c = ctx!();
    let cell = global_cell!(c, global);
    // SAFETY: as in `GlobalSet` (the fused `global.set` validated).
    let v = u64::from((unsafe { *cell } as u32).wrapping_sub(imm));
    // SAFETY: as above.
    unsafe { *cell = v };
    set!(dst, v);
    next!()
});
handler!(GlobalSetI32Add { global, lhs, imm } => {
    let v = u64::from((get!(lhs) as u32).wrapping_add(imm));
    let c = ctx!();
    let cell = global_cell!(c, global);
    // SAFETY: as in `GlobalSet`.
    unsafe { *cell = v };
    next!()
});

// ---- bulk memory ----
/// Charges the dynamic cost of a bulk memory operation over `$len` bytes when the module
/// is metered (as `exec::run`'s `charge`: `GasSchedule::bulk_memory_dynamic`).
macro_rules! charge_bulk {
    ($c:ident, $len:expr) => {{
        // SAFETY: `module` is the current instance's (`run`'s contract).
        let module = unsafe { &*$c.module };
        if module.metering {
            charge!(module.schedule.bulk_memory_dynamic($len));
        }
    }};
}
handler!(MemorySize { dst } => {
    set!(dst, u64::from(crate::memory::pages(ctx!().mem_len())));
    next!()
});
handler!(MemoryFill { dst, value, len } => {
    let n = get!(len) as u32;
    let c = ctx!();
    charge_bulk!(c, n);
    let Some(start) = access_start(get!(dst) as u32, 0, u64::from(n), c.mem_len()) else {
        stop!(TrapKind::MemoryOutOfBounds)
    };
    let byte = get!(value) as u8;
    // SAFETY: `start + n <= mem_len` (`access_start`).
    unsafe { crate::memory::bulk::fill_bytes(mem_base!().add(start), byte, n as usize) };
    count!(bulk_bytes, n);
    next!()
});
handler!(MemoryCopy { dst, src, len } => {
    let n = get!(len) as u32;
    let c = ctx!();
    charge_bulk!(c, n);
    // Both ranges are checked before any byte is written (spec: trap, memory unchanged).
    let (Some(from), Some(to)) = (
        access_start(get!(src) as u32, 0, u64::from(n), c.mem_len()),
        access_start(get!(dst) as u32, 0, u64::from(n), c.mem_len()),
    ) else {
        stop!(TrapKind::MemoryOutOfBounds)
    };
    // SAFETY: both ranges are inside the memory (`access_start`); `move_bytes` allows
    // overlap (`memmove`).
    unsafe { crate::memory::bulk::move_bytes(mem_base!().add(from), mem_base!().add(to), n as usize) };
    count!(bulk_bytes, n);
    next!()
});

// ---- br_table, calls and returns inside the current instance ----
handler!(BrTable { index, len } => {
    let i = (get!(index) as u32).min(len);
    // SAFETY: `br_table` is followed by its `len + 1` entries (verified).
    let entry = unsafe { here!().add(1 + i as usize) };
    // The entry is a `br` (`FuncTranslator::visit_br_table`): taken here, as its handler
    // would (charge, then jump from the entry's address), one dispatch fewer per
    // `br_table`.
    // SAFETY: as above.
    if let Instr::Br { offset, gas } = unsafe { (*entry).instr } {
        move_to!(entry);
        take_branch!(offset, gas)
    }
    dispatch!(entry)
});
handler!(Call { func, args } => call_defined!(func, args));
handler!(CallIndirect { type_index, table, params, args } => call_indirect!(type_index, table, params, args));
/// The caller's frame record when a return can stay in the threaded run (`None`: the
/// run's first frame, or a caller of another instance: the loop returns).
#[inline(always)]
fn caller_frame(c: &Cx) -> Option<Frame> {
    if c.frames_top == c.frames_base {
        return None;
    }
    // SAFETY: `frames_base < frames_top`: the top record is initialized (`Cx`).
    let fr = unsafe { *c.frames_top.sub(1) };
    (fr.instance == c.ci).then_some(fr)
}
handler!(ReturnOne { src } => {
    let c = ctx!();
    let Some(fr) = caller_frame(c) else { to_loop!() };
    set!(Slot(0), get!(src));
    count!(cells_moved, 1);
    return_to!(c, fr)
});
handler!(ReturnNone {} => {
    let c = ctx!();
    let Some(fr) = caller_frame(c) else { to_loop!() };
    return_to!(c, fr)
});
handler!(Return { values, count } => {
    let c = ctx!();
    let Some(fr) = caller_frame(c) else { to_loop!() };
    // Ascending copy to slots 0.. (`values >= 0`, so a cell is read before any write
    // reaches it); inline, not a `memmove` call: `count` is a few results at most.
    for i in 0..count {
        set!(Slot(i), get!(Slot(values.0 + i)));
    }
    count!(cells_moved, count);
    return_to!(c, fr)
});

handler!(CopyS { dst, src } => {
    set!(dst, get!(REG));
    next!()
});
handler!(F64MulSq { dst, lhs, rhs } => bin64!(dst, REG, REG, |a, b| fl::f64_mul(a, b)));
handler!(BrIfNezC { cond, offset, gas } => branch_if!(get!(REG) as u32 != 0, offset, gas));
handler!(BrIfEqzC { cond, offset, gas } => branch_if!(get!(REG) as u32 == 0, offset, gas));

/// The handler of pair head `$head` (`docs/ir.md`, "Pairs"): `$first` does the first
/// instruction's work (the head's fields are its fields; it writes its result with
/// `set!`) and evaluates to that result (0 when it has none); then the partner, the
/// next instruction, runs `$second`, its handler's body with its own fields, reading the
/// first instruction's result as the operand `$v` (a [`Val`]) where its handler reads
/// the register; it continues or branches from its own address.
macro_rules! pair_handler {
    ($head:ident { $($f:ident),* } => $first:expr; $partner:ident { $($pf:ident),* } => |$v:ident| $second:expr) => {
        handler!($head { $($f),* } => {
            let $v = Val($first);
            to_partner!();
            // SAFETY: an instruction gets the head's tag only when the next one is its
            // partner (`Instr::make_pair_head`), which keeps its tag (`FuncTranslator::
            // finish`), and the code does not change afterwards.
            let Instr::$partner { $($pf),* } = (unsafe { (*here!()).instr }) else {
                // SAFETY: see above.
                unsafe { core::hint::unreachable_unchecked() }
            };
            $second
        });
    };
}

/// Defines a triple head's handler (`ir::TRIPLES`): the first instruction's work (as a
/// pair head's), then the partner's, whose value goes on to the third instruction, then
/// the third's, which continues as its own handler would. `$mid` is the partner's work
/// as a value; `$last` the third's handler body.
macro_rules! triple_handler {
    ($head:ident { $($f:ident),* } => $first:expr;
        $second:ident { $($sf:ident),* } => |$v:ident| $mid:expr;
        $third:ident { $($tf:ident),* } => |$w:ident| $last:expr) => {
        handler!($head { $($f),* } => {
            let $v = Val($first);
            to_partner!();
            // SAFETY: an instruction gets a triple head's tag only when the next two are
            // its pair's partner and its third (`Instr::make_triple_head`), which keep
            // their tags (`FuncTranslator::finish`); the code does not change afterwards.
            let Instr::$second { $($sf),* } = (unsafe { (*here!()).instr }) else {
                // SAFETY: see above.
                unsafe { core::hint::unreachable_unchecked() }
            };
            let $w = Val($mid);
            to_partner!();
            // SAFETY: as above.
            let Instr::$third { $($tf),* } = (unsafe { (*here!()).instr }) else {
                // SAFETY: see above.
                unsafe { core::hint::unreachable_unchecked() }
            };
            $last
        });
    };
}

/// A value computed by a pair head's first half, read by its partner as an operand
/// (`pair_handler!`): no register class to agree on.
#[derive(Clone, Copy)]
struct Val(u64);

impl ReadOperand for Val {
    #[inline(always)]
    unsafe fn read(self, _fp: *const u64) -> u64 {
        self.0
    }
}

/// `$e` written to slot `$dst` (and the register), as the value of the block.
macro_rules! result {
    ($set:ident!($dst:ident, $e:expr)) => {{
        let v: u64 = $e;
        $set!($dst, v);
        v
    }};
}

pair_handler!(PairI64AddRI64AddR { dst, lhs, rhs } => result!(set!(dst, get!(lhs).wrapping_add(get!(REG))));
    I64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI64AddI64AddR { dst, lhs, rhs } => result!(set!(dst, get!(lhs).wrapping_add(get!(rhs))));
    I64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32AddII32AddI { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
I32AddI { dst, lhs, imm } => |_v| {
    let imm = Imm32(imm);
    bin32!(dst, lhs, imm, |a, b| a.wrapping_add(b))
});
pair_handler!(PairF64MulLF64AddR { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul_first(get!(REG), get!(rhs), raw_first!())));
    F64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_add(a, b)));
pair_handler!(PairF64MulRF64AddR { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul_first(get!(lhs), get!(REG), raw_first!())));
    F64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_add(a, b)));
pair_handler!(PairF64SubF64AddR { dst, lhs, rhs } => result!(set!(dst, fl::f64_sub_first(get!(lhs), get!(rhs), raw_first!())));
    F64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_add(a, b)));
pair_handler!(PairI32AddBrI32LtUL { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(get!(rhs) as u32))));
    BrI32LtUL { lhs, rhs, offset, gas } => |v| br_cmp!(v, rhs, offset, gas, |a, b| (a as u32) < (b as u32)));
pair_handler!(PairI32AddIBrI32NeR { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    BrI32NeR { lhs, rhs, offset, gas } => |v| br_cmp!(lhs, v, offset, gas, |a, b| a as u32 != b as u32));
pair_handler!(PairI32AddIBrI32NeIL { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
BrI32NeIL { lhs, imm, offset, gas } => |v| {
    let imm = Imm32(imm);
    br_cmp!(v, imm, offset, gas, |a, b| a as u32 != b as u32)
});
pair_handler!(PairI32AddIBrIfNezC { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
BrIfNezC { cond, offset, gas } => |v| branch_if!(get!(v) as u32 != 0, offset, gas));
pair_handler!(PairF64AddRF64StoreV { dst, lhs, rhs } => result!(set!(dst, fl::f64_add(get!(lhs), get!(REG))));
    F64StoreV { ptr, value, offset } => |v| store!(ptr, v, offset, |x| x.to_le_bytes()));
pair_handler!(PairI32AddIF64LoadP { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    F64LoadP { dst, ptr, offset } => |v| load!(dst, v, offset, 8, |b| u64::from_le_bytes(b)));
pair_handler!(PairI32AddI32Load8UP { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(get!(rhs) as u32))));
    I32Load8UP { dst, ptr, offset } => |v| load!(dst, v, offset, 1, |b| u64::from(b[0])));
pair_handler!(PairI32Store8II32Add { ptr, imm, offset } => {
        write_at!(ptr, offset, [imm as u8]);
        0
    };
    I32Add { dst, lhs, rhs } => |_v| bin32!(dst, lhs, rhs, |a, b| a.wrapping_add(b)));
pair_handler!(PairCopyCopy { dst, src } => result!(set!(dst, get!(src)));
Copy { dst, src } => |_v| {
    set!(dst, get!(src));
    next!()
});
pair_handler!(PairI32ShlII32AddR { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_shl(get!(lhs) as u32, imm))));
    I32AddR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32ShlILI32AddR { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_shl(get!(REG) as u32, imm))));
    I32AddR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32RotlII32XorR { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_rotl(get!(lhs) as u32, imm))));
    I32XorR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a ^ b));
pair_handler!(PairI64XorI64RotlIL { dst, lhs, rhs } => result!(set!(dst, get!(lhs) ^ get!(rhs)));
I64RotlIL { dst, lhs, imm } => |v| {
    let imm = Imm64(imm);
    bin64!(dst, v, imm, |a, b| it::i64_rotl(a, b))
});
pair_handler!(PairI64XorII64AndR { dst, lhs, imm } => result!(set!(dst, get!(lhs) ^ get!(Imm64(imm))));
    I64AndR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| a & b));
pair_handler!(PairF64MulF64Mul { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul(get!(lhs), get!(rhs))));
    F64Mul { dst, lhs, rhs } => |_v| bin64!(dst, lhs, rhs, |a, b| fl::f64_mul(a, b)));
pair_handler!(PairF64MulF64MulR { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul_first(get!(lhs), get!(rhs), raw_first!())));
    F64MulR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_mul(a, b)));
pair_handler!(PairF64MulLF64Add { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul(get!(REG), get!(rhs))));
    F64Add { dst, lhs, rhs } => |_v| bin64!(dst, lhs, rhs, |a, b| fl::f64_add(a, b)));
pair_handler!(PairF64LoadF64Load { dst, ptr, offset } => result!(set!(dst, u64::from_le_bytes(read_at!(ptr, offset, 8))));
    F64Load { dst, ptr, offset } => |_v| load!(dst, ptr, offset, 8, |b| u64::from_le_bytes(b)));
pair_handler!(PairF64AddRBrF64LeL { dst, lhs, rhs } => result!(set!(dst, fl::f64_add_first(get!(lhs), get!(REG), raw_first!())));
    BrF64LeL { lhs, rhs, offset, gas } => |v| br_cmp!(v, rhs, offset, gas, |a, b| fl::f64_le(a as u64, b as u64)));
pair_handler!(PairF64MulSqF64AddR { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul(get!(REG), get!(REG))));
    F64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_add(a, b)));
pair_handler!(PairF64MulSqF64Add { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul(get!(REG), get!(REG))));
    F64Add { dst, lhs, rhs } => |_v| bin64!(dst, lhs, rhs, |a, b| fl::f64_add(a, b)));
pair_handler!(PairI32LoadI32Load { dst, ptr, offset } => result!(set!(dst, u64::from(u32::from_le_bytes(read_at!(ptr, offset, 4)))));
    I32Load { dst, ptr, offset } => |_v| load!(dst, ptr, offset, 4, |b| u64::from(u32::from_le_bytes(b))));
pair_handler!(PairI32LoadI32AddL { dst, ptr, offset } => result!(set!(dst, u64::from(u32::from_le_bytes(read_at!(ptr, offset, 4)))));
    I32AddL { dst, lhs, rhs } => |v| bin32!(dst, v, rhs, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32LoadPI32StoreV { dst, ptr, offset } => result!(set!(dst, u64::from(u32::from_le_bytes(read_at!(REG, offset, 4)))));
    I32StoreV { ptr, value, offset } => |v| store!(ptr, v, offset, |x| (x as u32).to_le_bytes()));
pair_handler!(PairI64LoadI64StoreV { dst, ptr, offset } => result!(set!(dst, u64::from_le_bytes(read_at!(ptr, offset, 8))));
    I64StoreV { ptr, value, offset } => |v| store!(ptr, v, offset, |x| x.to_le_bytes()));
pair_handler!(PairI32Load8UPI32AddR { dst, ptr, offset } => result!(set!(dst, u64::from(read_at!(REG, offset, 1)[0])));
    I32AddR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32StoreI32Store { ptr, value, offset } => {
        write_at!(ptr, offset, (get!(value) as u32).to_le_bytes());
        0
    };
    I32Store { ptr, value, offset } => |_v| store!(ptr, value, offset, |x| (x as u32).to_le_bytes()));
pair_handler!(PairI32AddII32StoreV { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    I32StoreV { ptr, value, offset } => |v| store!(ptr, v, offset, |x| (x as u32).to_le_bytes()));
pair_handler!(PairI32AddICopy { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
Copy { dst, src } => |_v| {
    set!(dst, get!(src));
    next!()
});
pair_handler!(PairI32AndII32AddR { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32) & imm)));
    I32AddR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairCopyCall { dst, src } => {
        set_slot!(dst, get!(src));
        0
    };
    Call { func, args } => |_v| call_defined!(func, args));
pair_handler!(PairI32AddICall { dst, lhs, imm } => {
        set_slot!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm)));
        0
    };
    Call { func, args } => |_v| call_defined!(func, args));
pair_handler!(PairCopyCallIndirect { dst, src } => {
        set_slot!(dst, get!(src));
        0
    };
    CallIndirect { type_index, table, params, args } => |_v| call_indirect!(type_index, table, params, args));
pair_handler!(PairF64SubRF64StoreV { dst, lhs, rhs } => result!(set!(dst, fl::f64_sub(get!(lhs), get!(REG))));
    F64StoreV { ptr, value, offset } => |v| store!(ptr, v, offset, |x| x.to_le_bytes()));
pair_handler!(PairCopyBr { dst, src } => result!(set!(dst, get!(src)));
Br { offset, gas } => |_v| take_branch!(offset, gas));
pair_handler!(PairConstBr { dst, lo, hi } => result!(set!(dst, (u64::from(hi) << 32) | u64::from(lo)));
Br { offset, gas } => |_v| take_branch!(offset, gas));
pair_handler!(PairI32Load8UI32Store8V { dst, ptr, offset } => result!(set!(dst, u64::from(read_at!(ptr, offset, 1)[0])));
    I32Store8V { ptr, value, offset } => |v| store!(ptr, v, offset, |x| [x as u8]));
pair_handler!(PairI32AddIConsumeGas { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
ConsumeGas { amount } => |_v| {
    charge!(u64::from(amount));
    next!()
});
pair_handler!(PairI64ShrUII64XorL { dst, lhs, imm } => result!(set!(dst, it::i64_shr_u(get!(lhs), get!(Imm64(imm)))));
    I64XorL { dst, lhs, rhs } => |v| bin64!(dst, v, rhs, |a, b| a ^ b));
pair_handler!(PairI64ShrUILI64XorL { dst, lhs, imm } => result!(set!(dst, it::i64_shr_u(get!(REG), get!(Imm64(imm)))));
    I64XorL { dst, lhs, rhs } => |v| bin64!(dst, v, rhs, |a, b| a ^ b));
pair_handler!(PairI64ShlILI64XorL { dst, lhs, imm } => result!(set!(dst, it::i64_shl(get!(REG), get!(Imm64(imm)))));
    I64XorL { dst, lhs, rhs } => |v| bin64!(dst, v, rhs, |a, b| a ^ b));
pair_handler!(PairI64MulLI64ShrUIL { dst, lhs, rhs } => result!(set!(dst, get!(REG).wrapping_mul(get!(rhs))));
I64ShrUIL { dst, lhs, imm } => |v| {
    let imm = Imm64(imm);
    bin64!(dst, v, imm, |a, b| it::i64_shr_u(a, b))
});
pair_handler!(PairI64XorRI64XorR { dst, lhs, rhs } => result!(set!(dst, get!(lhs) ^ get!(REG)));
    I64XorR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| a ^ b));
pair_handler!(PairI64XorILI64AndR { dst, lhs, imm } => result!(set!(dst, get!(REG) ^ get!(Imm64(imm))));
    I64AndR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| a & b));
pair_handler!(PairI32XorI32AndR { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32) ^ (get!(rhs) as u32))));
    I32AndR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a & b));
pair_handler!(PairI32XorRI32AddR { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32) ^ (get!(REG) as u32))));
    I32AddR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32AddRI32RotlI { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(get!(REG) as u32))));
I32RotlI { dst, lhs, imm } => |_v| {
    let imm = Imm32(imm);
    bin32!(dst, lhs, imm, |a, b| it::i32_rotl(a, b))
});
pair_handler!(PairI32ShrUII32XorR { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_shr_u(get!(lhs) as u32, imm))));
    I32XorR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a ^ b));
pair_handler!(PairI32SubI32AndIL { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_sub(get!(rhs) as u32))));
I32AndIL { dst, lhs, imm } => |v| {
    let imm = Imm32(imm);
    bin32!(dst, v, imm, |a, b| a & b)
});
pair_handler!(PairI32AddILI32Load16UP { dst, lhs, imm } => result!(set!(dst, u64::from((get!(REG) as u32).wrapping_add(imm))));
    I32Load16UP { dst, ptr, offset } => |v| load!(dst, v, offset, 2, |b| u64::from(u16::from_le_bytes(b))));
pair_handler!(PairI32AddII32Load16UP { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    I32Load16UP { dst, ptr, offset } => |v| load!(dst, v, offset, 2, |b| u64::from(u16::from_le_bytes(b))));
pair_handler!(PairI32LtULSelect { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(REG) as u32) < (get!(rhs) as u32))));
Select { dst, cond, if_true } => |_v| select!(dst, cond, if_true));
pair_handler!(PairI32LtUI32AddR { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32) < (get!(rhs) as u32))));
    I32AddR { dst, lhs, rhs } => |v| bin32!(dst, lhs, v, |a, b| a.wrapping_add(b)));
triple_handler!(TripleI64MulLI64ShrUILI64Store8V { dst, lhs, rhs } => result!(set!(dst, get!(REG).wrapping_mul(get!(rhs))));
    I64ShrUIL { dst, lhs, imm } => |v| result!(set!(dst, it::i64_shr_u(get!(v), get!(Imm64(imm)))));
    I64Store8V { ptr, value, offset } => |w| store!(ptr, w, offset, |x| [x as u8]));
triple_handler!(TripleI32SubI32AndILBrI32GtUL { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_sub(get!(rhs) as u32))));
    I32AndIL { dst, lhs, imm } => |v| result!(set!(dst, u64::from((get!(v) as u32) & imm)));
    BrI32GtUL { lhs, rhs, offset, gas } => |w| br_cmp!(w, rhs, offset, gas, |a, b| (a as u32) > (b as u32)));
triple_handler!(TripleI32ShlII32AddRI32Load16UP { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_shl(get!(lhs) as u32, imm))));
    I32AddR { dst, lhs, rhs } => |v| result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(get!(v) as u32))));
    I32Load16UP { dst, ptr, offset } => |w| load!(dst, w, offset, 2, |b| u64::from(u16::from_le_bytes(b))));
pair_handler!(PairI32AddIBrI32LtUL { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    BrI32LtUL { lhs, rhs, offset, gas } => |v| br_cmp!(v, rhs, offset, gas, |a, b| (a as u32) < (b as u32)));
pair_handler!(PairI32AddIBrI32GtUIL { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
BrI32GtUIL { lhs, imm, offset, gas } => |v| {
    let imm = Imm32(imm);
    br_cmp!(v, imm, offset, gas, |a, b| (a as u32) > (b as u32))
});
pair_handler!(PairI32RotlII32RotlI { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_rotl(get!(lhs) as u32, imm))));
I32RotlI { dst, lhs, imm } => |_v| {
    let imm = Imm32(imm);
    bin32!(dst, lhs, imm, |a, b| it::i32_rotl(a, b))
});
pair_handler!(PairI32AddRI32AddIL { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(get!(REG) as u32))));
I32AddIL { dst, lhs, imm } => |v| {
    let imm = Imm32(imm);
    bin32!(dst, v, imm, |a, b| a.wrapping_add(b))
});
pair_handler!(PairI64XorLCopyS { dst, lhs, rhs } => result!(set!(dst, get!(REG) ^ get!(rhs)));
CopyS { dst, src } => |v| {
    set!(dst, get!(v));
    next!()
});
pair_handler!(PairConstBrI32LtUI { dst, lo, hi } => result!(set!(dst, (u64::from(hi) << 32) | u64::from(lo)));
BrI32LtUI { lhs, imm, offset, gas } => |_v| {
    let imm = Imm32(imm);
    br_cmp!(lhs, imm, offset, gas, |a, b| (a as u32) < (b as u32))
});
pair_handler!(PairI64ExtendI32UI64AddR { dst, src } => result!(set!(dst, u64::from(get!(src) as u32)));
    I64AddR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| a.wrapping_add(b)));
pair_handler!(PairI32AddII32LoadP { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    I32LoadP { dst, ptr, offset } => |v| load!(dst, v, offset, 4, |b| u64::from(u32::from_le_bytes(b))));
pair_handler!(PairI32LoadBrIfEqzC { dst, ptr, offset } => result!(set!(dst, u64::from(u32::from_le_bytes(read_at!(ptr, offset, 4)))));
BrIfEqzC { cond, offset, gas } => |v| branch_if!(get!(v) as u32 == 0, offset, gas));
pair_handler!(PairI32AndIBrI32EqR { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32) & imm)));
    BrI32EqR { lhs, rhs, offset, gas } => |v| br_cmp!(lhs, v, offset, gas, |a, b| a as u32 == b as u32));
triple_handler!(TripleI32AddII32AddIBrI32NeR { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    I32AddI { dst, lhs, imm } => |_v| result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    BrI32NeR { lhs, rhs, offset, gas } => |w| br_cmp!(lhs, w, offset, gas, |a, b| a as u32 != b as u32));
triple_handler!(TripleI32AddI32Load8UPBrIfNezC { dst, lhs, rhs } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(get!(rhs) as u32))));
    I32Load8UP { dst, ptr, offset } => |v| result!(set!(dst, u64::from(read_at!(v, offset, 1)[0])));
BrIfNezC { cond, offset, gas } => |w| branch_if!(get!(w) as u32 != 0, offset, gas));
triple_handler!(TripleI32RotlII32RotlII32XorR { dst, lhs, imm } => result!(set!(dst, u64::from(it::i32_rotl(get!(lhs) as u32, imm))));
    I32RotlI { dst, lhs, imm } => |_v| result!(set!(dst, u64::from(it::i32_rotl(get!(lhs) as u32, imm))));
    I32XorR { dst, lhs, rhs } => |w| bin32!(dst, lhs, w, |a, b| a ^ b));
triple_handler!(TripleCopyCopyCallIndirect { dst, src } => result!(set!(dst, get!(src)));
Copy { dst, src } => |_v| {
    set_slot!(dst, get!(src));
    0
};
    CallIndirect { type_index, table, params, args } => |_w| call_indirect!(type_index, table, params, args));
triple_handler!(TripleI32AddII32LoadPI32StoreV { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    I32LoadP { dst, ptr, offset } => |v| result!(set!(dst, u64::from(u32::from_le_bytes(read_at!(v, offset, 4)))));
    I32StoreV { ptr, value, offset } => |w| store!(ptr, w, offset, |x| (x as u32).to_le_bytes()));
pair_handler!(PairF64SqrtSF64MulR { dst, src } => result!(set!(dst, fl::f64_sqrt(get!(REG))));
    F64MulR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_mul(a, b)));
pair_handler!(PairF64MulLF64MulR { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul(get!(REG), get!(rhs))));
    F64MulR { dst, lhs, rhs } => |v| bin64!(dst, lhs, v, |a, b| fl::f64_mul(a, b)));
pair_handler!(PairF64LoadF64Mul { dst, ptr, offset } => result!(set!(dst, u64::from_le_bytes(read_at!(ptr, offset, 8))));
    F64Mul { dst, lhs, rhs } => |_v| bin64!(dst, lhs, rhs, |a, b| fl::f64_mul(a, b)));
triple_handler!(TripleI32AddIF64LoadPF64SubR { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
    F64LoadP { dst, ptr, offset } => |v| result!(set!(dst, u64::from_le_bytes(read_at!(v, offset, 8))));
    F64SubR { dst, lhs, rhs } => |w| bin64!(dst, lhs, w, |a, b| fl::f64_sub(a, b)));
triple_handler!(TripleF64LoadF64MulF64MulR { dst, ptr, offset } => result!(set!(dst, u64::from_le_bytes(read_at!(ptr, offset, 8))));
    F64Mul { dst, lhs, rhs } => |_v| result!(set!(dst, fl::f64_mul(get!(lhs), get!(rhs))));
    F64MulR { dst, lhs, rhs } => |w| bin64!(dst, lhs, w, |a, b| fl::f64_mul(a, b)));
triple_handler!(TripleI32AddICopyBr { dst, lhs, imm } => result!(set!(dst, u64::from((get!(lhs) as u32).wrapping_add(imm))));
Copy { dst, src } => |_v| result!(set!(dst, get!(src)));
Br { offset, gas } => |_w| take_branch!(offset, gas));
triple_handler!(TripleF64MulRF64AddRF64StoreV { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul_first(get!(lhs), get!(REG), raw_first!())));
    F64AddR { dst, lhs, rhs } => |v| result!(set!(dst, fl::f64_add(get!(lhs), get!(v))));
    F64StoreV { ptr, value, offset } => |w| store!(ptr, w, offset, |x| x.to_le_bytes()));
triple_handler!(TripleF64MulLF64AddRF64StoreV { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul_first(get!(REG), get!(rhs), raw_first!())));
    F64AddR { dst, lhs, rhs } => |v| result!(set!(dst, fl::f64_add(get!(lhs), get!(v))));
    F64StoreV { ptr, value, offset } => |w| store!(ptr, w, offset, |x| x.to_le_bytes()));
triple_handler!(TripleF64MulF64MulRF64Load { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul_first(get!(lhs), get!(rhs), raw_first!())));
    F64MulR { dst, lhs, rhs } => |v| result!(set!(dst, fl::f64_mul(get!(lhs), get!(v))));
    F64Load { dst, ptr, offset } => |_w| load!(dst, ptr, offset, 8, |b| u64::from_le_bytes(b)));
triple_handler!(TripleF64MulSqF64AddRBrF64LeL { dst, lhs, rhs } => result!(set!(dst, fl::f64_mul(get!(REG), get!(REG))));
    F64AddR { dst, lhs, rhs } => |v| result!(set!(dst, fl::f64_add(get!(lhs), get!(v))));
    BrF64LeL { lhs, rhs, offset, gas } => |w| br_cmp!(w, rhs, offset, gas, |a, b| fl::f64_le(a as u64, b as u64)));
triple_handler!(TripleF64SubF64AddRF64Add { dst, lhs, rhs } => result!(set!(dst, fl::f64_sub_first(get!(lhs), get!(rhs), raw_first!())));
    F64AddR { dst, lhs, rhs } => |v| result!(set!(dst, fl::f64_add(get!(lhs), get!(v))));
    F64Add { dst, lhs, rhs } => |_w| bin64!(dst, lhs, rhs, |a, b| fl::f64_add(a, b)));

/// Declares instructions the loop in `exec::run` executes (calls of imports, `memory.grow`,
/// tables, segments, ...): each is a constant named after it, equal to [`exit`], which
/// [`HANDLERS`] takes as its entry, so that a threaded run leaves to the loop there.
macro_rules! loop_only {
    ($($name:ident),* $(,)?) => {
        $(
            #[allow(non_upper_case_globals)]
            #[doc = concat!("`", stringify!($name), "` is executed by the loop in `exec::run`.")]
            const $name: Handler = exit as Handler;
        )*
    };
}

/// Builds [`HANDLERS`] from the instruction table (`crate::for_each_instr!`): entry `T`
/// is the value named `T`, a handler function (`handler!`, `pair_handler!`, ...) or, for
/// an instruction the loop in `exec::run` executes, a [`loop_only!`] constant equal to
/// [`exit`]. An instruction with neither, or with both, does not compile.
macro_rules! handler_table {
    (
        [other]
        $( $(#[doc = $doc:literal])+ $name:ident { $($field:ident : $ty:ident),* } = $m:literal, )*
        [binary] $( $bname:ident, $bl:ident, $br:ident = $bm:literal, )*
        [unary] $( $uname:ident, $us:ident = $um:literal, )*
        [load] $( $lname:ident, $lp:ident = $lm:literal, )*
        [store] $( $sname:ident, $sv:ident, $sp:ident = $sm:literal, )*
        [br_cmp] $( $cname:ident, $cl:ident, $cr:ident = $cm:literal, )*
        [binary_imm] $( $iname:ident, $il:ident = $im:literal, )*
        [br_cmp_imm] $( $jname:ident, $jl:ident = $jm:literal, )*
        [store_imm] $( $kname:ident, $kp:ident = $km:literal, )*
    ) => {
        /// The handler of every instruction, indexed by [`Tag`].
        static HANDLERS: [Handler; NUM_TAGS] = {
            // Every entry is written below: the instruction table lists every tag.
            let mut t: [Handler; NUM_TAGS] = [exit as Handler; NUM_TAGS];
            $( t[Tag::$name as usize] = $name; )*
            $( t[Tag::$bname as usize] = $bname; t[Tag::$bl as usize] = $bl; t[Tag::$br as usize] = $br; )*
            $( t[Tag::$uname as usize] = $uname; t[Tag::$us as usize] = $us; )*
            $( t[Tag::$lname as usize] = $lname; t[Tag::$lp as usize] = $lp; )*
            $( t[Tag::$sname as usize] = $sname; t[Tag::$sv as usize] = $sv; t[Tag::$sp as usize] = $sp; )*
            $( t[Tag::$cname as usize] = $cname; t[Tag::$cl as usize] = $cl; t[Tag::$cr as usize] = $cr; )*
            $( t[Tag::$iname as usize] = $iname; t[Tag::$il as usize] = $il; )*
            $( t[Tag::$jname as usize] = $jname; t[Tag::$jl as usize] = $jl; )*
            $( t[Tag::$kname as usize] = $kname; t[Tag::$kp as usize] = $kp; )*
            t
        };
    };
}

loop_only!(
    Arg,
    Unreachable,
    CallImport,
    MemoryGrow,
    MemoryInit,
    DataDrop,
    TableGet,
    TableSet,
    TableSize,
    TableGrow,
    TableFill,
    TableCopy,
    TableInit,
    ElemDrop,
    RefFunc,
);

crate::for_each_instr!(handler_table);

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use crate::host::NoHost;
    use crate::instance::Instance;
    use crate::meter::GasMeter;
    use crate::value::Value;
    use crate::{Config, Module};

    thread_local! {
        /// Makes every taken branch of a threaded run, and its calls, return to the loop
        /// (see `run`).
        pub(crate) static FORCE_GUARD: Cell<bool> = const { Cell::new(false) };
    }

    /// Results and gas used of `f(args)` in `src`, with the stack guard forced or not.
    fn run(src: &str, args: &[Value], forced: bool) -> (Result<Vec<Value>, String>, u64) {
        let m = Module::new(&Config::default(), &wat::parse_str(src).unwrap()).unwrap();
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let mut gas = GasMeter::new(10_000_000);
        FORCE_GUARD.with(|f| f.set(forced));
        let r = i.invoke(&mut NoHost, "f", args, &mut gas);
        FORCE_GUARD.with(|f| f.set(false));
        (r.map_err(|t| t.to_string()), gas.used())
    }

    /// The stack guard's way out (leave to the loop at a taken branch, re-enter there)
    /// gives the same results, traps and gas as running straight through: loops with
    /// register forms right after branch targets, calls and returns, float chains, and
    /// running out of gas inside a loop.
    #[test]
    fn guard_fallback_changes_nothing() {
        let programs = [
            // A counted loop summing i * i, register forms inside.
            (
                r#"(module (func (export "f") (param i32) (result i64) (local i64)
                    loop
                      local.get 1 local.get 0 i64.extend_i32_u local.tee 1 drop
                      local.get 0 i64.extend_i32_u local.get 0 i64.extend_i32_u i64.mul i64.add local.set 1
                      local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0
                    end local.get 1))"#,
                vec![Value::I32(1000)],
            ),
            // Recursion through calls and returns, with branches in each frame.
            (
                r#"(module (func $fib (export "f") (param i32) (result i32)
                    local.get 0 i32.const 2 i32.lt_u if (result i32) local.get 0
                    else local.get 0 i32.const 1 i32.sub call $fib
                         local.get 0 i32.const 2 i32.sub call $fib i32.add end))"#,
                vec![Value::I32(18)],
            ),
            // A float chain in a loop (NaN canonicalization, register forms).
            (
                r#"(module (func (export "f") (param i32) (result f64) (local f64)
                    f64.const 0.5 local.set 1
                    loop
                      local.get 1 local.get 1 f64.mul f64.const 0.25 f64.add f64.sqrt local.set 1
                      local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0
                    end local.get 1))"#,
                vec![Value::I32(500)],
            ),
            // Out of gas inside an endless loop.
            (
                r#"(module (func (export "f") (param i32) (result i32)
                    loop local.get 0 i32.const 1 i32.add local.set 0 br 0 end
                    local.get 0))"#,
                vec![Value::I32(0)],
            ),
        ];
        for (src, args) in programs {
            let straight = run(src, &args, false);
            let guarded = run(src, &args, true);
            assert_eq!(straight, guarded, "{src}");
        }
    }

    /// Functions without results end in `return_none` (`return` with no values,
    /// `br_if` and `br_table` to the function's label, and the end), from a threaded
    /// caller, from the run's first frame, and followed in the caller by a `copy` (run
    /// by the return, `resume!`): the same sums, with the stack guard forced or not.
    #[test]
    fn return_none_in_every_position() {
        let src = r#"(module (global $g (mut i32) (i32.const 0))
            (func $bump (param i32) global.get $g local.get 0 i32.add global.set $g)
            (func $early (param i32)
              local.get 0 i32.const 3 i32.rem_u i32.eqz br_if 0
              local.get 0 i32.const 3 i32.rem_u i32.const 1 i32.eq if
                i32.const 1000 call $bump return end
              block local.get 0 i32.const 1 i32.and br_table 0 1 end
              i32.const 7 call $bump)
            (func (export "top") i32.const 5 call $bump)
            (func (export "f") (param i32) (result i32) (local i32 i32)
              loop
                local.get 0 call $bump local.get 0 local.set 1
                local.get 0 call $early local.get 1 local.get 2 i32.add local.set 2
                local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0
              end
              local.get 2 i32.const 16 i32.shl global.get $g i32.xor))"#;
        // The model: sum of 1..=n, plus 1000 for each i % 3 == 1 and 7 for each even i
        // with i % 3 == 2; local 2 sums 1..=n.
        let model = |n: i32| {
            let (mut g, mut l2) = (0i32, 0i32);
            for i in 1..=n {
                g = g.wrapping_add(i);
                l2 = l2.wrapping_add(i);
                match i % 3 {
                    1 => g += 1000,
                    2 if i % 2 == 0 => g += 7,
                    _ => {}
                }
            }
            (l2 << 16) ^ g
        };
        for n in [1, 2, 3, 100] {
            let want = Ok(vec![Value::I32(model(n))]);
            for forced in [false, true] {
                assert_eq!(run(src, &[Value::I32(n)], forced).0, want, "n = {n}");
            }
        }
        let m = Module::new(&Config::default(), &wat::parse_str(src).unwrap()).unwrap();
        let dis = m.disassemble(1).unwrap();
        assert_eq!(dis.matches("return_none").count(), 4, "{dis}");
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let r = i.invoke(&mut NoHost, "top", &[], &mut GasMeter::unlimited());
        assert_eq!(r.unwrap(), vec![]);
    }

    /// `access_limits` makes the handlers' one comparison the rule of `access_start`, for
    /// every access size and memory lengths around each boundary.
    #[test]
    fn access_limits_follow_access_start() {
        for mem_len in [0usize, 1, 2, 3, 4, 7, 8, 9, 65536, 131072] {
            let limits = crate::memory::access_limits(mem_len);
            for n in [1u64, 2, 4, 8] {
                let limit = limits[crate::memory::access_class(n as usize)];
                for start in
                    (0..20u64).chain(mem_len as u64 - 10.min(mem_len as u64)..mem_len as u64 + 10)
                {
                    let (addr, offset) = ((start / 2) as u32, (start - start / 2) as u32);
                    let inside = crate::memory::access_start(addr, offset, n, mem_len).is_some();
                    assert_eq!(
                        start < limit,
                        inside,
                        "mem_len {mem_len}, n {n}, start {start}"
                    );
                }
            }
        }
    }

    /// Loads and stores of every size at the last address where they fit and one past
    /// it, through the address and through the offset, before and after `memory.grow`
    /// (a new length, new limits) and in a memory of no pages.
    #[test]
    fn loads_and_stores_trap_exactly_past_the_end() {
        let ops = [
            ("i32.load8_u", "i32.store8", 1u32),
            ("i32.load16_u", "i32.store16", 2),
            ("i32.load", "i32.store", 4),
            ("i64.load32_u", "i64.store32", 4),
            ("i64.load", "i64.store", 8),
        ];
        for (load, store, n) in ops {
            let ty = if load.starts_with("i64") {
                "i64"
            } else {
                "i32"
            };
            let src = format!(
                r#"(module (memory 1)
                  (func (export "load") (param i32) (result {ty}) local.get 0 {load} offset=0)
                  (func (export "load_off") (param i32) (result {ty}) local.get 0 {load} offset=100)
                  (func (export "store") (param i32) local.get 0 {ty}.const 7 {store} offset=0)
                  (func (export "store_off") (param i32) local.get 0 {ty}.const 7 {store} offset=100)
                  (func (export "grow") (result i32) i32.const 1 memory.grow))"#
            );
            let m = Module::new(&Config::default(), &wat::parse_str(&src).unwrap()).unwrap();
            let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
            let call = |i: &mut Instance, f: &str, a: u32| {
                let r = i.invoke(
                    &mut NoHost,
                    f,
                    &[Value::I32(a as i32)],
                    &mut GasMeter::unlimited(),
                );
                r.map(|_| ()).map_err(|t| t.to_string())
            };
            for size in [65536u32, 131072] {
                let last = size - n;
                for (f, base) in [
                    ("store", 0),
                    ("store_off", 100),
                    ("load", 0),
                    ("load_off", 100),
                ] {
                    assert_eq!(
                        call(&mut i, f, last - base),
                        Ok(()),
                        "{f} {n} at {last} of {size}"
                    );
                    let e = call(&mut i, f, last + 1 - base).unwrap_err();
                    assert!(
                        e.contains("out of bounds memory access"),
                        "{f} {n} past {last}: {e}"
                    );
                }
                // The wide end: an address near 2^32 with the offset past it.
                assert!(call(&mut i, "load_off", u32::MAX).is_err());
                if size == 65536 {
                    let r = i.invoke(&mut NoHost, "grow", &[], &mut GasMeter::unlimited());
                    assert_eq!(r.unwrap(), vec![Value::I32(1)]);
                }
            }
            let empty = format!(
                r#"(module (memory 0) (func (export "load") (param i32) (result {ty}) local.get 0 {load}))"#
            );
            let m = Module::new(&Config::default(), &wat::parse_str(&empty).unwrap()).unwrap();
            let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
            let r = i.invoke(
                &mut NoHost,
                "load",
                &[Value::I32(0)],
                &mut GasMeter::unlimited(),
            );
            assert!(r.is_err(), "{load} in a memory of no pages");
        }
    }

    /// Frames of `l` zeroed locals and `c` pooled constants, on both sides of
    /// `SMALL_INIT` (`enter_small` up to it, `enter` past it): each local reads zero
    /// although a frame written with other values lay at the same place just before,
    /// each constant reads its value, and values kept past the image (temporaries of a
    /// deep expression, written-first locals) survive the set-up; called from threaded
    /// code, and from the run's first frame (`g` exported).
    #[test]
    fn small_frames_are_set_up_like_large_ones() {
        let small = crate::exec::SMALL_INIT;
        for (l, c) in [
            (0, 1),
            (1, 0),
            (3, 5),
            (8, 0),
            (0, 8),
            (4, 4),
            (5, 4),
            (0, 9),
            (9, 0),
            (7, 7),
        ] {
            let locals = " i64".repeat(l as usize);
            // Every local read before any write (so zeroed on entry), then a constant
            // divisor each (no immediate form of `rem_u`: pooled), then a written-first
            // local and a deep expression whose temporaries lie past the image.
            let reads: String = (1..=l).map(|i| format!(" local.get {i} i64.add")).collect();
            let rems: String = (0..c)
                .map(|k| format!(" local.get 0 i64.const {} i64.rem_u i64.add", k + 3))
                .collect();
            let src = format!(
                r#"(module
                  (func $dirty (param i64) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
                    (local.set 1 (i64.const -1)) (local.set 2 (i64.const -2)) (local.set 3 (i64.const -3))
                    (local.set 4 (i64.const -4)) (local.set 5 (i64.const -5)) (local.set 6 (i64.const -6))
                    (local.set 7 (i64.const -7)) (local.set 8 (i64.const -8)) (local.set 9 (i64.const -9))
                    (local.set 10 (i64.const -10)) (local.set 11 (i64.const -11)) (local.set 12 (i64.const -12))
                    (local.set 13 (i64.const -13)) (local.set 14 (i64.const -14)) (local.set 15 (i64.const -15))
                    (local.set 16 (i64.const -16))
                    local.get 1 local.get 16 i64.add local.get 0 i64.add)
                  (func $g (export "g") (param i64) (result i64) (local{locals} i64)
                    local.get 0{reads}{rems}
                    local.get 0 i64.const 1 i64.add local.set {w}
                    local.get {w} local.get {w} local.get {w} local.get {w} i64.add i64.add i64.add
                    i64.add)
                  (func (export "f") (param i64) (result i64)
                    local.get 0 call $dirty drop
                    local.get 0 call $g
                    local.get 0 call $dirty
                    call $g i64.add))"#,
                w = l + 1
            );
            let g = |x: u64| {
                let rems: u64 = (0..c).map(|k| x % u64::from(k + 3)).sum();
                x.wrapping_add(rems)
                    .wrapping_add(x.wrapping_add(1).wrapping_mul(4))
            };
            let m = Module::new(&Config::default(), &wat::parse_str(&src).unwrap()).unwrap();
            let dis = m.disassemble(1).unwrap();
            let first = dis.lines().next().unwrap_or_default();
            let want_small = l + c <= small;
            assert_eq!(
                first.contains("enter_small"),
                want_small,
                "l = {l}, c = {c}: {dis}"
            );
            assert_eq!(
                first.contains("enter "),
                !want_small,
                "l = {l}, c = {c}: {dis}"
            );
            for x in [0u64, 5, 1 << 40] {
                // `dirty(x)` is x - 17.
                let want = g(x).wrapping_add(g(x.wrapping_sub(17)));
                for forced in [false, true] {
                    FORCE_GUARD.with(|f| f.set(forced));
                    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
                    let args = [Value::I64(x as i64)];
                    let r = i.invoke(&mut NoHost, "f", &args, &mut GasMeter::new(10_000_000));
                    let direct = i.invoke(&mut NoHost, "g", &args, &mut GasMeter::new(10_000_000));
                    FORCE_GUARD.with(|f| f.set(false));
                    assert_eq!(
                        r.unwrap(),
                        vec![Value::I64(want as i64)],
                        "l = {l}, c = {c}, x = {x}"
                    );
                    assert_eq!(
                        direct.unwrap(),
                        vec![Value::I64(g(x) as i64)],
                        "l = {l}, c = {c}"
                    );
                }
            }
        }
    }
}
