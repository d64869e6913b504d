//! The hasher every part feeds: named items in a fixed order into one Keccak-256, an
//! optional trace of the items, and the byte encodings of values, traps and errors.

use std::io::{self, Write};

use metron_vm::{ErrorKind, Trap, TrapKind, Value};
use sha3::{Digest, Keccak256};

/// Where a part's items go: a [`Recorder`], or a [`Buffer`] filled on a worker thread
/// and replayed into the recorder in order.
pub trait Sink {
    /// Records one item: its name (which is hashed too) and its bytes.
    fn item(&mut self, name: &str, bytes: &[u8]);
}

/// The result of one part: its Keccak-256 and the number of items hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartDigest {
    /// Part name (`spec`, `generated`, `workloads`, `chain`).
    pub part: String,
    /// Keccak-256 of the items in order.
    pub digest: [u8; 32],
    /// Number of items hashed.
    pub items: u64,
}

impl PartDigest {
    /// The digest as lowercase hex.
    pub fn hex(&self) -> String {
        hex::encode(self.digest)
    }
}

/// Hashes the items of one part. Each item is fed as `len(name) u64 LE ++ name ++
/// len(bytes) u64 LE ++ bytes`, so that item boundaries are part of the digest. With a
/// trace, each item is also written as one line `part<TAB>name<TAB>hex`.
pub struct Recorder<'t> {
    part: &'static str,
    hasher: Keccak256,
    items: u64,
    trace: Option<&'t mut dyn Write>,
    trace_error: Option<io::Error>,
}

impl<'t> Recorder<'t> {
    /// A recorder for part `part`, without a trace.
    pub fn new(part: &'static str) -> Self {
        Self {
            part,
            hasher: Keccak256::new(),
            items: 0,
            trace: None,
            trace_error: None,
        }
    }

    /// A recorder for part `part` that also writes each item to `trace` (see
    /// [`trace_line`]).
    pub fn with_trace(part: &'static str, trace: &'t mut dyn Write) -> Self {
        Self {
            trace: Some(trace),
            ..Self::new(part)
        }
    }

    /// The digest and item count.
    ///
    /// # Errors
    /// The first error writing the trace.
    pub fn finish(self) -> io::Result<PartDigest> {
        if let Some(e) = self.trace_error {
            return Err(e);
        }
        Ok(PartDigest {
            part: self.part.to_string(),
            digest: self.hasher.finalize().into(),
            items: self.items,
        })
    }
}

impl Sink for Recorder<'_> {
    fn item(&mut self, name: &str, bytes: &[u8]) {
        self.hasher.update((name.len() as u64).to_le_bytes());
        self.hasher.update(name.as_bytes());
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self.items += 1;
        if self.trace_error.is_none() {
            if let Some(t) = self.trace.as_mut() {
                if let Err(e) = t.write_all(trace_line(self.part, name, bytes).as_bytes()) {
                    self.trace_error = Some(e);
                }
            }
        }
    }
}

/// One trace line: `part<TAB>name<TAB>bytes<LF>`, the bytes in lowercase hex, except that
/// an all-zero item longer than 16 bytes is written `00*<len>` (memory is mostly zeros).
pub fn trace_line(part: &str, name: &str, bytes: &[u8]) -> String {
    let shown = if bytes.len() > 16 && bytes.iter().all(|&b| b == 0) {
        format!("00*{}", bytes.len())
    } else {
        hex::encode(bytes)
    };
    format!("{part}\t{name}\t{shown}\n")
}

/// Items recorded on a worker thread, replayed in order with [`Buffer::replay`].
#[derive(Debug, Default)]
pub struct Buffer {
    items: Vec<(String, Vec<u8>)>,
}

impl Buffer {
    /// Feeds the items to `sink` in the order they were recorded.
    pub fn replay(self, sink: &mut dyn Sink) {
        for (name, bytes) in self.items {
            sink.item(&name, &bytes);
        }
    }
}

impl Sink for Buffer {
    fn item(&mut self, name: &str, bytes: &[u8]) {
        self.items.push((name.to_string(), bytes.to_vec()));
    }
}

/// Runs `unit(i, buffer)` for `i` in `0..n` on up to `threads` threads and replays the
/// buffers into `sink` in index order: the items and their order do not depend on the
/// number of threads or the scheduling. Units run in batches, so that at most a few
/// buffers per thread are held at once.
pub fn run_ordered(
    n: usize,
    threads: usize,
    sink: &mut dyn Sink,
    unit: &(dyn Fn(usize, &mut Buffer) + Sync),
) {
    let threads = threads.max(1);
    let batch = threads * 4;
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let next = std::sync::atomic::AtomicUsize::new(start);
        let slots: Vec<std::sync::Mutex<Option<Buffer>>> =
            (start..end).map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..threads.min(end - start) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    let mut b = Buffer::default();
                    unit(i, &mut b);
                    if let Ok(mut slot) = slots[i - start].lock() {
                        *slot = Some(b);
                    }
                });
            }
        });
        for slot in slots {
            let b = slot.into_inner().ok().flatten();
            // A unit that panicked left no buffer; its thread's panic has already
            // propagated out of the scope, so this is not reached.
            b.expect("unit finished").replay(sink);
        }
        start = end;
    }
}

/// Appends a value: its type as the wasm value-type byte, then its exact bits little
/// endian (references: 0 for null, else 1 and the index or handle as u32).
pub fn encode_value(out: &mut Vec<u8>, v: &Value) {
    match *v {
        Value::I32(x) => {
            out.push(0x7f);
            out.extend_from_slice(&x.to_le_bytes());
        }
        Value::I64(x) => {
            out.push(0x7e);
            out.extend_from_slice(&x.to_le_bytes());
        }
        Value::F32(b) => {
            out.push(0x7d);
            out.extend_from_slice(&b.to_le_bytes());
        }
        Value::F64(b) => {
            out.push(0x7c);
            out.extend_from_slice(&b.to_le_bytes());
        }
        Value::FuncRef(r) => {
            out.push(0x70);
            encode_ref(out, r);
        }
        Value::ExternRef(r) => {
            out.push(0x6f);
            encode_ref(out, r);
        }
    }
}

fn encode_ref(out: &mut Vec<u8>, r: Option<u32>) {
    match r {
        None => out.push(0),
        Some(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_le_bytes());
        }
    }
}

/// Values as `count u32 LE` then each [`encode_value`].
pub fn encode_values(out: &mut Vec<u8>, values: &[Value]) {
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for v in values {
        encode_value(out, v);
    }
}

/// A call's outcome, appended to `out`: `0` then [`encode_values`] of its results, or `1`
/// then its [`trap_name`]; then the gas used (u64 LE).
pub fn encode_outcome(out: &mut Vec<u8>, outcome: &Result<Vec<Value>, Trap>, gas_used: u64) {
    match outcome {
        Ok(values) => {
            out.push(0);
            encode_values(out, values);
        }
        Err(t) => {
            out.push(1);
            out.extend_from_slice(trap_name(t.kind()).as_bytes());
        }
    }
    out.extend_from_slice(&gas_used.to_le_bytes());
}

/// The trap kind's variant name (`OutOfGas`, `MemoryOutOfBounds`, ...).
pub fn trap_name(k: TrapKind) -> String {
    format!("{k:?}")
}

/// A load error's kind without its message: `invalid`, `unsupported <feature>` or
/// `limit <field> <actual> <max>` (wasmparser's message and the byte offset are left
/// out).
pub fn error_kind_name(k: &ErrorKind) -> String {
    match k {
        ErrorKind::Invalid(_) => "invalid".to_string(),
        ErrorKind::Unsupported { feature } => format!("unsupported {feature}"),
        ErrorKind::LimitExceeded { limit, actual, max } => {
            format!("limit {limit} {actual} {max}")
        }
        _ => "other".to_string(),
    }
}

/// Bytes per memory item: memory is hashed in chunks so that a trace locates a
/// difference to a 4 KiB window.
pub const MEMORY_CHUNK: usize = 4096;

/// Records a linear memory: its length (u64 LE) as item `<name> len`, then every byte in
/// [`MEMORY_CHUNK`] items `<name> @0x<offset>`.
pub fn record_memory(sink: &mut dyn Sink, name: &str, memory: &[u8]) {
    sink.item(&format!("{name} len"), &(memory.len() as u64).to_le_bytes());
    for (i, chunk) in memory.chunks(MEMORY_CHUNK).enumerate() {
        sink.item(&format!("{name} @0x{:x}", i * MEMORY_CHUNK), chunk);
    }
}
