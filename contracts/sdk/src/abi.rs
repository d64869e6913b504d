//! The message ABI that `#[contract]` generates, and the calls its generated code makes.
//!
//! A message is a wasm export named like the message (`init` for the `#[init]` method).
//! Its input is the SCALE encoding of its arguments as a tuple, with nothing after it;
//! its return data is the SCALE encoding of its result (none for `()`); a result
//! `Err(e)` ends the call with `revert(SCALE(e))`: the receipt status `reverted`, the
//! writes, value and events undone, and the encoded error as the return data.
//! `docs/abi.md` describes why messages are dispatched by name and not by selector.

#[cfg(target_arch = "wasm32")]
use core::sync::atomic::{AtomicBool, Ordering};

use parity_scale_codec::{Decode, Encode};

use crate::buf::{decode_exact, Buf, Reader};
use crate::{Address, CallStatus};

/// How a method is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// The deploy-time constructor (export `init`).
    Init,
    /// A message that may write.
    Message,
    /// A read-only message: writing storage in it aborts the call.
    View,
}

impl MessageKind {
    /// `"init"`, `"message"` or `"view"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Init => "init",
            MessageKind::Message => "message",
            MessageKind::View => "view",
        }
    }
}

/// One message of a contract, as `#[contract]` records it.
#[derive(Clone, Copy, Debug)]
pub struct MessageSpec {
    /// Export name.
    pub name: &'static str,
    /// Init, message or view.
    pub kind: MessageKind,
    /// Whether it accepts a value.
    pub payable: bool,
    /// Whether it takes `&mut self`.
    pub mutates: bool,
    /// Argument names, in order.
    pub args: &'static [&'static str],
    /// Its doc comment.
    pub docs: &'static str,
}

/// The messages of a contract, implemented by `#[contract]` on its impl block.
pub trait ContractAbi {
    /// Every message, in source order.
    const MESSAGES: &'static [MessageSpec];
}

/// Runs a message by name, implemented by `#[contract]` on the impl block: what the
/// message's wasm export does (decode the input, run, set the return data or revert),
/// callable natively, for tests with the mock host.
pub trait Dispatch {
    /// Runs `message` (`"init"` for the `#[init]` method); `false` if there is none.
    fn dispatch(message: &str) -> bool;
}

/// An event type, implemented by `#[event]`.
pub trait Event: Encode {
    /// The event's name: the topic it is emitted with.
    const NAME: &'static str;
    /// The fields marked `#[topic]` (indexed, for the metadata).
    const TOPICS: &'static [&'static str];
}

/// Emits `event`: topic = its name, data = its SCALE encoding.
///
/// Host call `emit_event`; gas as [`emit_event`](crate::emit_event).
pub fn emit<E: Event>(event: &E) {
    crate::emit_event(E::NAME.as_bytes(), Buf::encode(event).as_slice())
}

/// Set while a `#[view]` runs: the SDK's storage writes abort then. (A wasm instance
/// runs one call on one thread.)
#[cfg(target_arch = "wasm32")]
static IN_VIEW: AtomicBool = AtomicBool::new(false);

#[cfg(target_arch = "wasm32")]
fn set_in_view(view: bool) {
    IN_VIEW.store(view, Ordering::Relaxed);
}

/// Whether a `#[view]` is running.
#[cfg(target_arch = "wasm32")]
pub fn in_view() -> bool {
    IN_VIEW.load(Ordering::Relaxed)
}

// Off wasm32 the flag is per thread, like the mock host's state: tests run in parallel.
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

#[cfg(not(target_arch = "wasm32"))]
std::thread_local! {
    static IN_VIEW: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn set_in_view(view: bool) {
    IN_VIEW.with(|f| f.set(view));
}

/// Whether a `#[view]` is running.
#[cfg(not(target_arch = "wasm32"))]
pub fn in_view() -> bool {
    IN_VIEW.with(|f| f.get())
}

/// Aborts the call with `"view cannot write storage"` inside a `#[view]`.
pub(crate) fn check_writable() {
    if in_view() {
        crate::abort("view cannot write storage");
    }
}

/// The start of every generated export: refuses a value sent to a method that is not
/// `payable` (abort `"not payable"`, one `value` host call) and marks a view.
#[doc(hidden)]
pub fn enter(payable: bool, view: bool) {
    if !payable && crate::value() != 0 {
        crate::abort("not payable");
    }
    set_in_view(view);
}

/// The arguments of a message: the call input, decoded one argument after the other.
/// Decoding argument by argument (and not as one tuple) shares one decoder per argument
/// type across all messages, which keeps contracts small.
#[doc(hidden)]
pub struct Args {
    input: Buf,
    pos: usize,
}

impl Args {
    /// Reads the call input (host calls `input_len` and `input_read`).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Args {
        Args {
            input: crate::input_buf(),
            pos: 0,
        }
    }

    /// The next argument; aborts with `"bad input"` if it does not decode.
    pub fn arg<T: Decode>(&mut self) -> T {
        let all = self.input.as_slice();
        let rest = all.get(self.pos..).unwrap_or(&[]);
        let mut r = Reader::new(rest);
        let Ok(v) = T::decode(&mut r) else {
            bad_input()
        };
        self.pos = all.len() - r.remaining();
        v
    }

    /// Aborts with `"bad input"` if bytes are left after the last argument.
    pub fn finish(self) {
        if self.pos != self.input.as_slice().len() {
            bad_input()
        }
    }
}

#[cold]
fn bad_input() -> ! {
    crate::abort("bad input")
}

/// For a message without arguments: aborts with `"bad input"` unless the input is empty.
#[doc(hidden)]
pub fn no_input() {
    if crate::input_len() != 0 {
        bad_input();
    }
}

/// Sets the return data to `SCALE(value)`.
#[doc(hidden)]
pub fn respond<T: Encode + ?Sized>(value: &T) {
    crate::set_return_data(Buf::encode(value).as_slice())
}

/// Ends the call with `revert(SCALE(error))`.
pub fn revert_with<E: Encode + ?Sized>(error: &E) -> ! {
    crate::revert(Buf::encode(error).as_slice())
}

/// Why a typed [`call`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallFailure<E> {
    /// The callee reverted with its typed error `E` (its revert data decoded as `E`).
    Reverted(E),
    /// The callee failed otherwise (or its revert data is not an `E`): the status.
    Failed(CallStatus),
}

/// Calls message `message` of the contract at `callee` with `SCALE(args)` (the argument
/// tuple: `&(to, amount)`), sending `value` and forwarding `gas` (0: all but a 64th of
/// what is left), and decodes the result as `R`; a revert's data is decoded as the
/// callee's error type `E`.
///
/// Host calls `call_contract`, then `call_output_len` and `call_output_read` after a
/// success or a revert; gas as [`call_contract`](crate::call_contract). Aborts with
/// `"call output does not decode"` if a successful callee's return data is not an `R`.
///
/// ```ignore
/// let r: Result<(), CallFailure<token::Error>> =
///     metron::call(&token, "transfer", &(to, amount), 0, 0);
/// ```
pub fn call<A: Encode + ?Sized, R: Decode, E: Decode>(
    callee: &Address,
    message: &str,
    args: &A,
    value: u128,
    gas: u64,
) -> Result<R, CallFailure<E>> {
    let status =
        crate::call_contract_raw(callee, message, Buf::encode(args).as_slice(), value, gas);
    match status {
        CallStatus::Success => match decode_exact(crate::call_output_buf().as_slice()) {
            Some(r) => Ok(r),
            None => crate::abort("call output does not decode"),
        },
        CallStatus::Reverted => match decode_exact(crate::call_output_buf().as_slice()) {
            Some(e) => Err(CallFailure::Reverted(e)),
            None => Err(CallFailure::Failed(status)),
        },
        other => Err(CallFailure::Failed(other)),
    }
}

/// Instantiates a contract from the code stored under `code_hash` at
/// `instance_address(this contract, code_hash, salt)`, sending `value`, running its `init`
/// with `SCALE(args)` (the argument tuple) and `gas` (0: all but a 64th of what is left).
/// Returns the new contract's address; on failure, the status (a revert's data decoded
/// as the new contract's error type `E`).
///
/// Host call `instantiate` (and `call_output_*` after a revert); gas as
/// [`instantiate`](crate::instantiate).
pub fn instantiate_with<A: Encode + ?Sized, E: Decode>(
    code_hash: &[u8; 32],
    salt: &[u8],
    args: &A,
    value: u128,
    gas: u64,
) -> Result<Address, CallFailure<E>> {
    let (address, status) =
        crate::instantiate_raw(code_hash, salt, Buf::encode(args).as_slice(), value, gas);
    match status {
        CallStatus::Success => Ok(address),
        CallStatus::Reverted => match decode_exact(crate::call_output_buf().as_slice()) {
            Some(e) => Err(CallFailure::Reverted(e)),
            None => Err(CallFailure::Failed(status)),
        },
        other => Err(CallFailure::Failed(other)),
    }
}
