//! State files: the whole state at one height in one versioned file, written and read as a
//! stream ([`Chain::dump_state_file`], [`Chain::load_state_file`]; RPC `dev_dumpState` and
//! `dev_loadState`; `metron node --dev --dump-state/--load-state/--state`).
//!
//! A file holds every trie entry live at the height (key hash -> value, the trie's own
//! keys: preimages are not stored, and are not needed to rebuild the trie and its root)
//! and the contract code the accounts reference, in a fixed order, so the same state at
//! the same height always gives the same bytes (no timestamps, no map iteration order).
//!
//! # Format, version 1
//!
//! Integers are little-endian (SCALE); `len` is a SCALE `Compact<u32>` (1, 2 or 4 bytes).
//!
//! ```text
//! header   "METRONSF" (8) ++ format version u32 (4)
//!          ++ chain id u64 ++ gas schedule version u32 ++ height u64 ++ state root (32)
//!          ++ entries u64 ++ codes u64                                   (80 bytes)
//! codes    `codes` records, code hash ascending:
//!          0x01 ++ code hash (32) ++ len ++ code          (hash = keccak256(code))
//! entries  `entries` records, key hash ascending:
//!          0x02 ++ key hash (32) ++ len ++ value
//! trailer  0x00 ++ keccak256 of every byte before it, the 0x00 included (32)
//! ```
//!
//! The magic and the format version come first and never move: a reader matches on the
//! version ([`StateFileReader::open`]) and reads each version it knows, so a node of
//! format N+1 still reads files of format N; a version it does not know is refused with
//! both versions named ([`StateFileError::NewerVersion`], [`StateFileError::OlderVersion`]).
//! The trailer's checksum and the counts catch a truncated or altered file.
//!
//! # Loading
//!
//! [`Chain::load_state`] reads the file twice, a few records at a time: first to check it
//! whole (format, chain id, gas schedule version, order, counts, checksum) with nothing
//! changed, then to apply it. The loaded state replaces the head's: the file's entries
//! and the head's entries (paged from the store, [`crate::state::Store::live_entries`])
//! are both in key-hash order, so one merge walk finds the keys to write (new or changed
//! values) and the keys to delete (at the head, not in the file) without holding either
//! side in memory. The writes are sealed as blocks with no transactions, at most
//! [`LOAD_CHUNK`] trie writes each, like [`Chain::edit_state`], so the trie's in-memory
//! update stays small; code goes first, through the overlay's `put_code`. The head's state
//! root must then equal the file's; if it does not, or anything fails on the way, the
//! blocks the load sealed are removed again and the chain is as before.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

use jmt::{KeyHash, OwnedValue, Version};
use metron_rpc::types as wire;
use metron_rpc::RpcError;
use parity_scale_codec::{Compact, Decode, DecodeAll, Encode};
use sha3::{Digest, Keccak256};
use thiserror::Error;

use crate::chain::Chain;
use crate::error::ChainError;
use crate::state::{Overlay, Store};
use crate::types::{keccak256, Account, BlockHeader, Hash};

/// First bytes of every state file.
pub const MAGIC: [u8; 8] = *b"METRONSF";
/// The format version this node writes.
pub const FORMAT_VERSION: u32 = 1;
/// The oldest format version this node reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;
/// Trie writes per block when loading: bounds jmt's in-memory update batch.
pub const LOAD_CHUNK: usize = 10_000;
/// Directory of a node's data dir that holds the state files of `dev_dumpState` and
/// `dev_loadState`.
pub const STATES_DIR: &str = "states";

/// Code bytes per block when loading (a block is sealed once its code passes this).
const CODE_CHUNK_BYTES: usize = 16 << 20;
/// Entries read from the store per page.
const PAGE: usize = 10_000;
/// Longest code or value a record may hold: a bound on what a corrupt length makes the
/// reader allocate.
const MAX_RECORD_LEN: usize = 64 << 20;
/// Buffer size of file reads and writes.
const IO_BUFFER: usize = 256 << 10;

const TAG_END: u8 = 0;
const TAG_CODE: u8 = 1;
const TAG_ENTRY: u8 = 2;

/// Why a state file could not be written or loaded. Loading changes nothing in any case.
#[derive(Debug, Error)]
pub enum StateFileError {
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(String),
    /// The file does not start with [`MAGIC`].
    #[error("not a Metron state file (it does not start with \"METRONSF\")")]
    NotAStateFile,
    /// The file's format version is above [`FORMAT_VERSION`].
    #[error("state file format version {file} is newer than this node's {node}: upgrade metron")]
    NewerVersion {
        /// The file's version.
        file: u32,
        /// [`FORMAT_VERSION`].
        node: u32,
    },
    /// The file's format version is below [`OLDEST_FORMAT_VERSION`].
    #[error(
        "state file format version {file} is older than the oldest this node reads, \
         {oldest} (this node writes version {node})"
    )]
    OlderVersion {
        /// The file's version.
        file: u32,
        /// [`OLDEST_FORMAT_VERSION`].
        oldest: u32,
        /// [`FORMAT_VERSION`].
        node: u32,
    },
    /// The state was made on a chain with another chain id.
    #[error("state file is of chain id {file}, this node runs chain id {node}")]
    ChainIdMismatch {
        /// Chain id in the file.
        file: u64,
        /// This node's chain id.
        node: u64,
    },
    /// The state was made under another gas schedule: other rules.
    #[error(
        "state file was made under gas schedule version {file}, this node runs version \
         {node}: load it with a metron release of schedule version {file}"
    )]
    ScheduleVersionMismatch {
        /// Gas schedule version in the file.
        file: u32,
        /// This node's gas schedule version.
        node: u32,
    },
    /// The file ends early.
    #[error("state file is truncated: {0}")]
    Truncated(String),
    /// The file's content is inconsistent (order, counts, checksum, code hash, ...).
    #[error("state file is corrupt: {0}")]
    Corrupt(String),
    /// After loading, the head's state root is not the file's (nothing was kept).
    #[error(
        "loading gave state root 0x{}, the file records 0x{}; the load was undone",
        hex::encode(.loaded),
        hex::encode(.file)
    )]
    RootMismatch {
        /// Root after applying the file.
        loaded: Hash,
        /// Root recorded in the file.
        file: Hash,
    },
    /// A state file name given over RPC is not a plain file name.
    #[error(
        "invalid state file name {0:?}: give a plain file name (no path separators, not . or ..)"
    )]
    BadName(String),
    /// The chain failed (storage).
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl StateFileError {
    fn io(context: impl std::fmt::Display, e: &io::Error) -> StateFileError {
        StateFileError::Io(format!("{context}: {e}"))
    }
}

/// The header of a state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateFileHeader {
    /// Format version of the file.
    pub format_version: u32,
    /// Chain id of the chain the state was taken from.
    pub chain_id: u64,
    /// Gas schedule version that chain runs.
    pub schedule_version: u32,
    /// Height the state was taken at.
    pub height: u64,
    /// State root at that height.
    pub state_root: Hash,
    /// Number of trie entries.
    pub entries: u64,
    /// Number of contract codes.
    pub codes: u64,
}

/// The header body of format version 1 (after magic and version), SCALE.
#[derive(Encode, Decode)]
struct HeaderV1 {
    chain_id: u64,
    schedule_version: u32,
    height: u64,
    state_root: Hash,
    entries: u64,
    codes: u64,
}

/// Size of [`HeaderV1`]'s encoding.
const HEADER_V1_LEN: usize = 8 + 4 + 8 + 32 + 8 + 8;

/// What a dump wrote or a load read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateFileInfo {
    /// The file.
    pub path: PathBuf,
    /// Dump: the height written. Load: the head height after loading.
    pub height: u64,
    /// The file's state root (after a load, the head's too).
    pub state_root: Hash,
    /// Trie entries in the file.
    pub entries: u64,
    /// Contract codes in the file.
    pub codes: u64,
    /// File size in bytes.
    pub bytes: u64,
}

/// Keccak-256 and byte count of what passes through a reader or writer.
struct Hashing<T> {
    inner: T,
    hasher: Keccak256,
    bytes: u64,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Self {
        Hashing {
            inner,
            hasher: Keccak256::new(),
            bytes: 0,
        }
    }

    fn digest(&self) -> Hash {
        self.hasher.clone().finalize().into()
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        let written = buf.get(..n).unwrap_or_default();
        self.hasher.update(written);
        self.bytes = self.bytes.saturating_add(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        self.hasher.update(read);
        self.bytes = self.bytes.saturating_add(n as u64);
        Ok(n)
    }
}

/// Writes a state file record by record: the codes in ascending hash order, then the
/// entries in ascending key-hash order, exactly as many of each as the header says.
pub struct StateFileWriter<W: Write> {
    out: Hashing<W>,
    header: StateFileHeader,
    codes: u64,
    entries: u64,
    last_code: Option<Hash>,
    last_key: Option<KeyHash>,
}

impl<W: Write> StateFileWriter<W> {
    /// Writes the header (in [`FORMAT_VERSION`]; `header.format_version` is ignored).
    ///
    /// # Errors
    /// Write failures.
    pub fn new(out: W, header: StateFileHeader) -> Result<Self, StateFileError> {
        let mut out = Hashing::new(out);
        let body = HeaderV1 {
            chain_id: header.chain_id,
            schedule_version: header.schedule_version,
            height: header.height,
            state_root: header.state_root,
            entries: header.entries,
            codes: header.codes,
        };
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        body.encode_to(&mut bytes);
        out.write_all(&bytes)
            .map_err(|e| StateFileError::io("writing the state file", &e))?;
        Ok(StateFileWriter {
            out,
            header: StateFileHeader {
                format_version: FORMAT_VERSION,
                ..header
            },
            codes: 0,
            entries: 0,
            last_code: None,
            last_key: None,
        })
    }

    fn record(&mut self, tag: u8, hash: &Hash, data: &[u8]) -> Result<(), StateFileError> {
        let len = u32::try_from(data.len())
            .ok()
            .filter(|l| *l as usize <= MAX_RECORD_LEN)
            .ok_or_else(|| {
                StateFileError::Corrupt(format!(
                    "a record of {} bytes is above the limit of {MAX_RECORD_LEN}",
                    data.len()
                ))
            })?;
        let mut head = Vec::with_capacity(1 + 32 + 5);
        head.push(tag);
        head.extend_from_slice(hash);
        Compact(len).encode_to(&mut head);
        self.out
            .write_all(&head)
            .and_then(|()| self.out.write_all(data))
            .map_err(|e| StateFileError::io("writing the state file", &e))
    }

    /// Writes one contract code.
    ///
    /// # Errors
    /// [`StateFileError::Corrupt`] for a code out of order, after an entry or beyond the
    /// header's count; write failures.
    pub fn code(&mut self, hash: &Hash, code: &[u8]) -> Result<(), StateFileError> {
        if self.entries > 0
            || self.codes >= self.header.codes
            || self.last_code.is_some_and(|l| l >= *hash)
        {
            return Err(StateFileError::Corrupt(format!(
                "code 0x{} written out of order or beyond the header's {} codes",
                hex::encode(hash),
                self.header.codes
            )));
        }
        self.record(TAG_CODE, hash, code)?;
        self.codes += 1;
        self.last_code = Some(*hash);
        Ok(())
    }

    /// Writes one trie entry.
    ///
    /// # Errors
    /// [`StateFileError::Corrupt`] for an entry out of order or beyond the header's count;
    /// write failures.
    pub fn entry(&mut self, key: &KeyHash, value: &[u8]) -> Result<(), StateFileError> {
        if self.entries >= self.header.entries || self.last_key.is_some_and(|l| l >= *key) {
            return Err(StateFileError::Corrupt(format!(
                "entry 0x{} written out of order or beyond the header's {} entries",
                hex::encode(key.0),
                self.header.entries
            )));
        }
        self.record(TAG_ENTRY, &key.0, value)?;
        self.entries += 1;
        self.last_key = Some(*key);
        Ok(())
    }

    /// Writes the trailer and flushes; returns the writer and the file size in bytes.
    ///
    /// # Errors
    /// [`StateFileError::Corrupt`] if fewer records were written than the header says;
    /// write failures.
    pub fn finish(mut self) -> Result<(W, u64), StateFileError> {
        if (self.codes, self.entries) != (self.header.codes, self.header.entries) {
            return Err(StateFileError::Corrupt(format!(
                "{} codes and {} entries written, the header says {} and {}",
                self.codes, self.entries, self.header.codes, self.header.entries
            )));
        }
        let write = |out: &mut Hashing<W>| -> io::Result<()> {
            out.write_all(&[TAG_END])?;
            let digest = out.digest();
            out.write_all(&digest)?;
            out.flush()
        };
        write(&mut self.out).map_err(|e| StateFileError::io("writing the state file", &e))?;
        Ok((self.out.inner, self.out.bytes))
    }
}

/// One record of a state file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A contract code (its hash checked).
    Code {
        /// keccak256 of the code.
        hash: Hash,
        /// The code.
        code: Vec<u8>,
    },
    /// A trie entry.
    Entry {
        /// The trie key.
        key: KeyHash,
        /// Its value.
        value: Vec<u8>,
    },
}

/// Reads a state file record by record, checking it as it goes: order, counts, code
/// hashes and, at the end, the checksum.
pub struct StateFileReader<R: Read> {
    input: Hashing<R>,
    header: StateFileHeader,
    codes: u64,
    entries: u64,
    last_code: Option<Hash>,
    last_key: Option<KeyHash>,
    done: bool,
}

impl<R: Read> StateFileReader<R> {
    /// Reads the magic, the format version and the header of that version.
    ///
    /// # Errors
    /// [`StateFileError::NotAStateFile`], [`StateFileError::NewerVersion`],
    /// [`StateFileError::OlderVersion`], [`StateFileError::Truncated`], read failures.
    pub fn open(input: R) -> Result<Self, StateFileError> {
        let mut input = Hashing::new(input);
        let mut magic = [0u8; 8];
        read_exact(&mut input, &mut magic, || "in the header".into())?;
        if magic != MAGIC {
            return Err(StateFileError::NotAStateFile);
        }
        let mut version = [0u8; 4];
        read_exact(&mut input, &mut version, || "in the header".into())?;
        let version = u32::from_le_bytes(version);
        // One arm per format version this node reads; a new version adds an arm and keeps
        // the old ones.
        let header = match version {
            1 => {
                let mut body = [0u8; HEADER_V1_LEN];
                read_exact(&mut input, &mut body, || "in the header".into())?;
                let h = HeaderV1::decode_all(&mut &body[..])
                    .map_err(|e| StateFileError::Corrupt(format!("header: {e}")))?;
                StateFileHeader {
                    format_version: version,
                    chain_id: h.chain_id,
                    schedule_version: h.schedule_version,
                    height: h.height,
                    state_root: h.state_root,
                    entries: h.entries,
                    codes: h.codes,
                }
            }
            v if v > FORMAT_VERSION => {
                return Err(StateFileError::NewerVersion {
                    file: v,
                    node: FORMAT_VERSION,
                })
            }
            v => {
                return Err(StateFileError::OlderVersion {
                    file: v,
                    oldest: OLDEST_FORMAT_VERSION,
                    node: FORMAT_VERSION,
                })
            }
        };
        Ok(StateFileReader {
            input,
            header,
            codes: 0,
            entries: 0,
            last_code: None,
            last_key: None,
            done: false,
        })
    }

    /// The file's header.
    pub fn header(&self) -> &StateFileHeader {
        &self.header
    }

    /// Bytes read so far (the file size once [`StateFileReader::next_record`] returned `None`).
    pub fn bytes_read(&self) -> u64 {
        self.input.bytes
    }

    fn position(&self) -> String {
        format!(
            "after {} of {} codes and {} of {} entries",
            self.codes, self.header.codes, self.entries, self.header.entries
        )
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<(), StateFileError> {
        let at = self.position();
        read_exact(&mut self.input, buf, || at)
    }

    /// A record's hash and data (`Compact<u32>` length, at most [`MAX_RECORD_LEN`]).
    fn hash_and_data(&mut self) -> Result<(Hash, Vec<u8>), StateFileError> {
        let mut hash = [0u8; 32];
        self.read(&mut hash)?;
        let mut first = [0u8; 1];
        self.read(&mut first)?;
        let len = match first[0] & 0b11 {
            0 => usize::from(first[0] >> 2),
            1 => {
                let mut rest = [0u8; 1];
                self.read(&mut rest)?;
                usize::from(u16::from_le_bytes([first[0], rest[0]]) >> 2)
            }
            2 => {
                let mut rest = [0u8; 3];
                self.read(&mut rest)?;
                let v = u32::from_le_bytes([first[0], rest[0], rest[1], rest[2]]) >> 2;
                usize::try_from(v).unwrap_or(usize::MAX)
            }
            _ => usize::MAX,
        };
        if len > MAX_RECORD_LEN {
            return Err(StateFileError::Corrupt(format!(
                "a record {} is longer than {MAX_RECORD_LEN} bytes",
                self.position()
            )));
        }
        let mut data = vec![0u8; len];
        self.read(&mut data)?;
        Ok((hash, data))
    }

    /// The next record, `None` after the trailer (whose checksum is then verified, and
    /// after which the file must end).
    ///
    /// # Errors
    /// [`StateFileError::Truncated`] if the file ends early; [`StateFileError::Corrupt`]
    /// for records out of order, counts other than the header's, a code whose hash is not
    /// its keccak256, a checksum mismatch or bytes after the trailer; read failures.
    pub fn next_record(&mut self) -> Result<Option<Record>, StateFileError> {
        if self.done {
            return Ok(None);
        }
        let mut tag = [0u8; 1];
        self.read(&mut tag)?;
        match tag[0] {
            TAG_CODE => {
                let (hash, code) = self.hash_and_data()?;
                if self.entries > 0 || self.codes >= self.header.codes {
                    return Err(StateFileError::Corrupt(format!(
                        "unexpected code record {}",
                        self.position()
                    )));
                }
                if self.last_code.is_some_and(|l| l >= hash) {
                    return Err(StateFileError::Corrupt(format!(
                        "codes out of order at 0x{}",
                        hex::encode(hash)
                    )));
                }
                if keccak256(&code) != hash {
                    return Err(StateFileError::Corrupt(format!(
                        "code 0x{} does not hash to its hash",
                        hex::encode(hash)
                    )));
                }
                self.codes += 1;
                self.last_code = Some(hash);
                Ok(Some(Record::Code { hash, code }))
            }
            TAG_ENTRY => {
                let (key, value) = self.hash_and_data()?;
                let key = KeyHash(key);
                if self.codes != self.header.codes || self.entries >= self.header.entries {
                    return Err(StateFileError::Corrupt(format!(
                        "unexpected entry record {}",
                        self.position()
                    )));
                }
                if self.last_key.is_some_and(|l| l >= key) {
                    return Err(StateFileError::Corrupt(format!(
                        "entries out of order at 0x{}",
                        hex::encode(key.0)
                    )));
                }
                self.entries += 1;
                self.last_key = Some(key);
                Ok(Some(Record::Entry { key, value }))
            }
            TAG_END => {
                if (self.codes, self.entries) != (self.header.codes, self.header.entries) {
                    return Err(StateFileError::Corrupt(format!(
                        "the trailer comes {}",
                        self.position()
                    )));
                }
                let digest = self.input.digest();
                let mut stored = [0u8; 32];
                self.read(&mut stored)?;
                if stored != digest {
                    return Err(StateFileError::Corrupt(
                        "checksum mismatch: the file was altered".into(),
                    ));
                }
                let mut extra = [0u8; 1];
                let n = read_some(&mut self.input, &mut extra)?;
                if n != 0 {
                    return Err(StateFileError::Corrupt("bytes after the trailer".into()));
                }
                self.done = true;
                Ok(None)
            }
            other => Err(StateFileError::Corrupt(format!(
                "unknown record tag 0x{other:02x} {}",
                self.position()
            ))),
        }
    }
}

fn read_exact<R: Read>(
    input: &mut R,
    buf: &mut [u8],
    at: impl FnOnce() -> String,
) -> Result<(), StateFileError> {
    input.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            StateFileError::Truncated(format!("it ends {}", at()))
        } else {
            StateFileError::io("reading the state file", &e)
        }
    })
}

fn read_some<R: Read>(input: &mut R, buf: &mut [u8]) -> Result<usize, StateFileError> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r.map_err(|e| StateFileError::io("reading the state file", &e)),
        }
    }
}

/// Calls `f` on every trie entry live at `version`, in key-hash order, a page at a time.
fn for_each_entry(
    store: &Store,
    version: Version,
    mut f: impl FnMut(KeyHash, Vec<u8>) -> Result<(), StateFileError>,
) -> Result<(), StateFileError> {
    let mut after = None;
    loop {
        let page = store.live_entries(version, after.as_ref(), PAGE)?;
        let full = page.len() >= PAGE;
        for (key, value) in page {
            after = Some(key);
            f(key, value)?;
        }
        if !full {
            return Ok(());
        }
    }
}

/// The head's entries at a version as a stream, a page at a time (the merge walk's
/// second side).
struct HeadEntries<'a> {
    store: &'a Store,
    version: Version,
    page: VecDeque<(KeyHash, Vec<u8>)>,
    after: Option<KeyHash>,
    exhausted: bool,
}

impl HeadEntries<'_> {
    fn peek(&mut self) -> Result<Option<&(KeyHash, Vec<u8>)>, ChainError> {
        if self.page.is_empty() && !self.exhausted {
            let page = self
                .store
                .live_entries(self.version, self.after.as_ref(), PAGE)?;
            self.exhausted = page.len() < PAGE;
            self.after = page.last().map(|(k, _)| *k).or(self.after);
            self.page = page.into();
        }
        Ok(self.page.front())
    }

    fn pop(&mut self) -> Option<(KeyHash, Vec<u8>)> {
        self.page.pop_front()
    }
}

/// The writes of the block being filled by a load.
#[derive(Default)]
struct Chunk {
    writes: Vec<(KeyHash, Option<OwnedValue>)>,
    code: BTreeMap<Hash, Vec<u8>>,
    code_bytes: usize,
}

impl Chunk {
    fn full(&self) -> bool {
        self.writes.len() >= LOAD_CHUNK || self.code_bytes >= CODE_CHUNK_BYTES
    }
}

/// What [`Chain::load_state`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadedState {
    /// The file's header.
    pub header: StateFileHeader,
    /// File size in bytes.
    pub bytes: u64,
    /// Head height after the load.
    pub height: u64,
    /// Blocks the load sealed (0 if the state was already the file's).
    pub blocks: u64,
}

impl Chain {
    /// Writes the head's state to `out` as a state file, under the block producer's lock
    /// (no block is sealed meanwhile). Reads the state twice, a page at a time: to count
    /// the entries and find the code they reference, then to write them. Returns the
    /// header, the bytes written and `out` (flushed).
    ///
    /// # Errors
    /// Storage and write failures.
    pub fn dump_state<W: Write>(
        &self,
        out: W,
    ) -> Result<(StateFileHeader, u64, W), StateFileError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let (_, head) = self.head();
        let version = head.height;
        let mut entries = 0u64;
        // Code hashes referenced by accounts (a BTreeSet: written in hash order). An entry
        // is taken for an account if it decodes as one whole; a storage value that happens
        // to could only add a code that exists anyway, which changes nothing on load.
        let mut codes = BTreeSet::new();
        for_each_entry(&self.store, version, |_, value| {
            entries += 1;
            if let Ok(Account {
                code_hash: Some(h), ..
            }) = Account::decode_all(&mut &value[..])
            {
                if !codes.contains(&h) && self.store.code(&h)?.is_some() {
                    codes.insert(h);
                }
            }
            Ok(())
        })?;
        let header = StateFileHeader {
            format_version: FORMAT_VERSION,
            chain_id: self.chain_id(),
            schedule_version: self.schedule_version(),
            height: version,
            state_root: head.state_root,
            entries,
            codes: codes.len() as u64,
        };
        let mut writer = StateFileWriter::new(out, header)?;
        for hash in &codes {
            let code = self.store.code(hash)?.ok_or_else(|| {
                ChainError::Corrupt(format!("code 0x{} missing", hex::encode(hash)))
            })?;
            writer.code(hash, &code)?;
        }
        for_each_entry(&self.store, version, |key, value| {
            writer.entry(&key, &value)
        })?;
        let (out, bytes) = writer.finish()?;
        Ok((header, bytes, out))
    }

    /// Writes the head's state to the file `path` ([`Chain::dump_state`]): to
    /// `<path>.partial`, synced, then renamed over `path`, so a failed dump leaves any
    /// earlier file at `path` as it was.
    ///
    /// # Errors
    /// As [`Chain::dump_state`]; file creation failures.
    pub fn dump_state_file(&self, path: &Path) -> Result<StateFileInfo, StateFileError> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = File::create(&partial)
            .map_err(|e| StateFileError::io(format!("cannot create {}", partial.display()), &e))?;
        let written = self
            .dump_state(BufWriter::with_capacity(IO_BUFFER, file))
            .and_then(|(header, _, out)| {
                let file = out.into_inner().map_err(|e| {
                    StateFileError::io(format!("cannot write {}", partial.display()), e.error())
                })?;
                file.sync_all().map_err(|e| {
                    StateFileError::io(format!("cannot sync {}", partial.display()), &e)
                })?;
                std::fs::rename(&partial, path).map_err(|e| {
                    StateFileError::io(format!("cannot rename to {}", path.display()), &e)
                })?;
                Ok(header)
            });
        let header = match written {
            Ok(h) => h,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        let bytes = std::fs::metadata(path)
            .map_err(|e| StateFileError::io(format!("cannot stat {}", path.display()), &e))?
            .len();
        Ok(StateFileInfo {
            path: path.to_owned(),
            height: header.height,
            state_root: header.state_root,
            entries: header.entries,
            codes: header.codes,
            bytes,
        })
    }

    /// Loads the state file at `path` ([`Chain::load_state`]).
    ///
    /// # Errors
    /// As [`Chain::load_state`]; the file cannot be opened.
    pub fn load_state_file(&self, path: &Path) -> Result<StateFileInfo, StateFileError> {
        let open = || {
            File::open(path)
                .map(|f| BufReader::with_capacity(IO_BUFFER, f))
                .map_err(|e| {
                    StateFileError::io(format!("cannot open state file {}", path.display()), &e)
                })
        };
        let loaded = self.load_state(open)?;
        Ok(StateFileInfo {
            path: path.to_owned(),
            height: loaded.height,
            state_root: loaded.header.state_root,
            entries: loaded.header.entries,
            codes: loaded.header.codes,
            bytes: loaded.bytes,
        })
    }

    /// Replaces the head's state with a state file's, under the block producer's lock.
    /// `open` opens the file; it is called twice: the first read checks the whole file
    /// (format version, chain id, gas schedule version, order, counts, checksum) and
    /// changes nothing, the second applies it in blocks of at most [`LOAD_CHUNK`] trie
    /// writes with no transactions (see the module docs). The head's state root must then
    /// be the file's.
    ///
    /// # Errors
    /// The file's: [`StateFileError::NotAStateFile`], [`StateFileError::NewerVersion`],
    /// [`StateFileError::OlderVersion`], [`StateFileError::ChainIdMismatch`],
    /// [`StateFileError::ScheduleVersionMismatch`], [`StateFileError::Truncated`],
    /// [`StateFileError::Corrupt`]; [`StateFileError::RootMismatch`]; storage failures.
    /// In every case the chain is left as it was (blocks sealed by the load are removed).
    pub fn load_state<R: Read>(
        &self,
        mut open: impl FnMut() -> Result<R, StateFileError>,
    ) -> Result<LoadedState, StateFileError> {
        let _producer = self.producer.lock().unwrap_or_else(PoisonError::into_inner);
        let header = self.check_state_file(open()?)?;
        let (start_hash, start) = self.head();
        let applied = self
            .apply_state_file(open()?, &header, start.height)
            .and_then(|bytes| {
                let (_, head) = self.head();
                if head.state_root == header.state_root {
                    Ok((bytes, head.height))
                } else {
                    Err(StateFileError::RootMismatch {
                        loaded: head.state_root,
                        file: header.state_root,
                    })
                }
            });
        match applied {
            Ok((bytes, height)) => {
                tracing::info!(
                    height,
                    entries = header.entries,
                    codes = header.codes,
                    "loaded a state file"
                );
                Ok(LoadedState {
                    header,
                    bytes,
                    height,
                    blocks: height.saturating_sub(start.height),
                })
            }
            Err(e) => {
                self.undo_load(start_hash, start)?;
                Err(e)
            }
        }
    }

    /// Reads a whole state file and checks it against this chain; changes nothing.
    fn check_state_file<R: Read>(&self, input: R) -> Result<StateFileHeader, StateFileError> {
        let mut reader = StateFileReader::open(input)?;
        let header = *reader.header();
        if header.chain_id != self.chain_id() {
            return Err(StateFileError::ChainIdMismatch {
                file: header.chain_id,
                node: self.chain_id(),
            });
        }
        if header.schedule_version != self.schedule_version() {
            return Err(StateFileError::ScheduleVersionMismatch {
                file: header.schedule_version,
                node: self.schedule_version(),
            });
        }
        while reader.next_record()?.is_some() {}
        Ok(header)
    }

    /// The merge walk of a checked file against the state at `version` (the head when the
    /// load began), sealing a block whenever a chunk is full. Returns the file size.
    fn apply_state_file<R: Read>(
        &self,
        input: R,
        header: &StateFileHeader,
        version: Version,
    ) -> Result<u64, StateFileError> {
        let mut reader = StateFileReader::open(input)?;
        if reader.header() != header {
            return Err(StateFileError::Corrupt(
                "the file changed while it was being loaded".into(),
            ));
        }
        // Paged at the starting version: the blocks the load seals are above it, so the
        // pages stay those of the state being replaced.
        let mut head = HeadEntries {
            store: &self.store,
            version,
            page: VecDeque::new(),
            after: None,
            exhausted: false,
        };
        let mut chunk = Chunk::default();
        while let Some(record) = reader.next_record()? {
            match record {
                Record::Code { hash, code } => {
                    // Content-addressed: code already stored needs no write.
                    if self.store.code(&hash)?.is_none() {
                        chunk.code_bytes = chunk.code_bytes.saturating_add(code.len());
                        chunk.code.insert(hash, code);
                    }
                }
                Record::Entry { key, value } => {
                    // Head keys before this one are not in the file: deleted.
                    while let Some((k, _)) = head.peek()? {
                        if *k >= key {
                            break;
                        }
                        let k = *k;
                        head.pop();
                        chunk.writes.push((k, None));
                        if chunk.full() {
                            self.seal_chunk(&mut chunk)?;
                        }
                    }
                    let unchanged = match head.peek()? {
                        Some((k, v)) if *k == key => {
                            let same = *v == value;
                            head.pop();
                            same
                        }
                        _ => false,
                    };
                    if !unchanged {
                        chunk.writes.push((key, Some(value)));
                    }
                }
            }
            if chunk.full() {
                self.seal_chunk(&mut chunk)?;
            }
        }
        while let Some((k, _)) = head.peek()? {
            let k = *k;
            head.pop();
            chunk.writes.push((k, None));
            if chunk.full() {
                self.seal_chunk(&mut chunk)?;
            }
        }
        self.seal_chunk(&mut chunk)?;
        Ok(reader.bytes_read())
    }

    /// Seals the chunk's writes and code as a block with no transactions (nothing if the
    /// chunk is empty) and empties it. The caller holds the producer's lock.
    fn seal_chunk(&self, chunk: &mut Chunk) -> Result<(), StateFileError> {
        if chunk.writes.is_empty() && chunk.code.is_empty() {
            return Ok(());
        }
        let (parent_hash, parent) = self.head();
        let view = self.store.view(parent.height);
        let mut overlay = Overlay::new(&view);
        for (hash, code) in std::mem::take(&mut chunk.code) {
            overlay.put_code(hash, code);
        }
        for (key, value) in chunk.writes.drain(..) {
            overlay.set_raw(key, value);
        }
        chunk.code_bytes = 0;
        let ctx = self.next_block_context(&parent, true);
        self.seal(parent_hash, ctx, overlay, Vec::new(), Vec::new())?;
        Ok(())
    }

    /// Removes the blocks a failed load sealed and moves the head back to `start`. The
    /// caller holds the producer's lock.
    fn undo_load(&self, start_hash: Hash, start: BlockHeader) -> Result<(), StateFileError> {
        let head = self.head_height();
        if head > start.height {
            self.store.truncate(start.height, head)?;
            let removed = head - start.height;
            *self.head.write().unwrap_or_else(PoisonError::into_inner) = (start_hash, start);
            tracing::warn!(removed, "undid a failed state load");
        }
        Ok(())
    }
}

/// The file `name` in `states_dir`, if `name` is a plain file name: not empty, no path
/// separator or NUL, not `.` or `..` (an RPC caller names a file, never a path).
///
/// # Errors
/// [`StateFileError::BadName`].
pub fn resolve_name(states_dir: &Path, name: &str) -> Result<PathBuf, StateFileError> {
    let plain = !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0']);
    if !plain {
        return Err(StateFileError::BadName(name.to_owned()));
    }
    Ok(states_dir.join(name))
}

/// Maps a state file error to its RPC error: `-32602` for a bad name, `-32004` for a
/// file that does not load or cannot be written, storage failures as
/// [`crate::service::rpc_error_from_chain`].
pub fn rpc_error(e: StateFileError) -> RpcError {
    match e {
        StateFileError::BadName(_) => RpcError::InvalidParams(e.to_string()),
        StateFileError::Chain(c) => crate::service::rpc_error_from_chain(c),
        _ => RpcError::InvalidCall(e.to_string()),
    }
}

fn to_wire(info: &StateFileInfo) -> wire::StateFileInfo {
    wire::StateFileInfo {
        path: info.path.display().to_string(),
        height: info.height,
        state_root: wire::H256(info.state_root),
        entries: info.entries,
        codes: info.codes,
        bytes: info.bytes,
    }
}

fn states_path(states_dir: Option<&Path>, name: &str) -> Result<PathBuf, RpcError> {
    let dir = states_dir
        .ok_or_else(|| RpcError::InvalidCall("this node has no data dir for state files".into()))?;
    resolve_name(dir, name).map_err(rpc_error)
}

/// Serves `dev_dumpState`: dumps to `name` in `states_dir` (created if missing).
///
/// # Errors
/// `-32602` for a bad name, `-32004` if the file cannot be written.
pub fn serve_dump(
    chain: &Chain,
    states_dir: Option<&Path>,
    name: &str,
) -> Result<wire::StateFileInfo, RpcError> {
    let path = states_path(states_dir, name)?;
    if let Some(dir) = states_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| RpcError::InvalidCall(format!("cannot create {}: {e}", dir.display())))?;
    }
    let info = chain.dump_state_file(&path).map_err(rpc_error)?;
    Ok(to_wire(&info))
}

/// Serves `dev_loadState`: loads `name` from `states_dir`.
///
/// # Errors
/// `-32602` for a bad name, `-32004` for a file that does not load.
pub fn serve_load(
    chain: &Chain,
    states_dir: Option<&Path>,
    name: &str,
) -> Result<wire::StateFileInfo, RpcError> {
    let path = states_path(states_dir, name)?;
    let info = chain.load_state_file(&path).map_err(rpc_error)?;
    Ok(to_wire(&info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(entries: u64, codes: u64) -> StateFileHeader {
        StateFileHeader {
            format_version: FORMAT_VERSION,
            chain_id: 1337,
            schedule_version: 1,
            height: 7,
            state_root: [9; 32],
            entries,
            codes,
        }
    }

    fn file() -> Vec<u8> {
        let code = b"\0asm code".to_vec();
        let mut w = StateFileWriter::new(Vec::new(), header(2, 1)).unwrap();
        w.code(&keccak256(&code), &code).unwrap();
        w.entry(&KeyHash([1; 32]), b"one").unwrap();
        w.entry(&KeyHash([2; 32]), &vec![7; 300]).unwrap();
        let (bytes, n) = w.finish().unwrap();
        assert_eq!(n, bytes.len() as u64);
        bytes
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Record>, StateFileError> {
        let mut r = StateFileReader::open(bytes)?;
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push(rec);
        }
        Ok(out)
    }

    #[test]
    fn round_trip_and_layout() {
        let bytes = file();
        assert_eq!(&bytes[..8], b"METRONSF");
        assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
        assert_eq!(bytes[12 + HEADER_V1_LEN], TAG_CODE);
        let records = read_all(&bytes).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(
            records[1],
            Record::Entry {
                key: KeyHash([1; 32]),
                value: b"one".to_vec()
            }
        );
        let r = StateFileReader::open(&bytes[..]).unwrap();
        assert_eq!(*r.header(), header(2, 1));
    }

    #[test]
    fn other_versions_name_both() {
        let mut bytes = file();
        bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let e = read_all(&bytes).unwrap_err().to_string();
        assert!(e.contains("version 2 is newer than this node's 1"), "{e}");
        assert!(e.contains("upgrade metron"), "{e}");
        bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
        let e = read_all(&bytes).unwrap_err().to_string();
        assert!(
            e.contains("version 0 is older than the oldest this node reads, 1"),
            "{e}"
        );
    }

    #[test]
    fn truncation_and_damage_are_caught() {
        let bytes = file();
        for cut in [0, 5, 12, 40, 100, bytes.len() - 33, bytes.len() - 1] {
            let e = read_all(&bytes[..cut]).unwrap_err();
            assert!(matches!(e, StateFileError::Truncated(_)), "cut {cut}: {e}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 40;
        flipped[last] ^= 1;
        let e = read_all(&flipped).unwrap_err().to_string();
        assert!(e.contains("checksum mismatch"), "{e}");
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_all(&longer)
            .unwrap_err()
            .to_string()
            .contains("after the trailer"));
        let e = read_all(b"NOTSTATEFILE....").unwrap_err();
        assert!(matches!(e, StateFileError::NotAStateFile), "{e}");
    }

    #[test]
    fn writer_enforces_order_and_counts() {
        let mut w = StateFileWriter::new(Vec::new(), header(2, 0)).unwrap();
        w.entry(&KeyHash([2; 32]), b"x").unwrap();
        assert!(w.entry(&KeyHash([1; 32]), b"y").is_err());
        assert!(w.finish().is_err());
    }

    #[test]
    fn names_are_plain() {
        let dir = Path::new("/data/states");
        assert_eq!(resolve_name(dir, "a.state").unwrap(), dir.join("a.state"));
        for bad in ["", ".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "a\0"] {
            assert!(resolve_name(dir, bad).is_err(), "{bad:?}");
        }
        let e = rpc_error(resolve_name(dir, "..").unwrap_err());
        assert_eq!(e.code(), metron_rpc::codes::INVALID_PARAMS);
    }
}
