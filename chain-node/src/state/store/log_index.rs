//! The event (log) index: column family `log_index`, written with each block by
//! [`Store::commit_block`] and removed with it by [`Store::truncate`]. Node-local (not
//! consensus): it only makes `chain_getLogs` a range scan instead of a read of every
//! receipt in a range.
//!
//! Keys (heights, transaction and event indexes big-endian, so that keys sort in block
//! order and each query is one range scan per prefix):
//! - `b'c' ++ contract (32) ++ height (u64) ++ tx index (u32) ++ log index (u32)` ->
//!   keccak256(topic) (32): the events of a contract;
//! - `b't' ++ keccak256(topic) (32) ++ height ++ tx index ++ log index` -> contract (32):
//!   the events with a topic (the value lets a topic scan filter by contract without
//!   reading receipts);
//! - `b'e' ++ height ++ tx index ++ log index` -> SCALE(`Event`): the events themselves,
//!   so that a log is one point read (not a read and decode of its whole receipt, up to
//!   128 events), and the scan of all events of a range is one range scan;
//! - `b'x' ++ height ++ tx index` -> tx hash (32) ++ block hash (32), for each transaction
//!   with at least one event.
//!
//! The log index of a key is the event's index in its receipt's `events`. Blocks committed
//! by a node older than the index have no entries: their events are not found.

use std::collections::BTreeSet;

use parity_scale_codec::{Decode, Encode};
use rocksdb::{ReadOptions, WriteBatch};

use super::{be_u64, Store, CF_LOG_INDEX, CF_META, META_HEAD};
use crate::error::ChainError;
use crate::types::{keccak256, Address, Event, Hash, Receipt};

const TAG_CONTRACT: u8 = b'c';
const TAG_TOPIC: u8 = b't';
const TAG_TX: u8 = b'x';
const TAG_EVENT: u8 = b'e';

/// Called with each entry (position suffix, value) of a scan; `false` stops the scan.
type EntryVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool, ChainError> + 'a;

/// Where an event is: block height, transaction index in the block, index in the
/// transaction's receipt. Orders as the chain does.
pub type LogPosition = (u64, u32, u32);

/// One indexed event with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedLog {
    /// Height of the block.
    pub block_height: u64,
    /// Hash of the block.
    pub block_hash: Hash,
    /// Hash of the transaction.
    pub tx_hash: Hash,
    /// Index of the transaction in its block.
    pub tx_index: u32,
    /// Index of the event in the transaction's receipt.
    pub log_index: u32,
    /// The event.
    pub event: Event,
}

/// What [`Store::logs`] looks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// First height (inclusive).
    pub from: u64,
    /// Last height (inclusive).
    pub to: u64,
    /// Only events of this contract.
    pub contract: Option<Address>,
    /// Only events whose topic hashes (keccak256) to one of these; empty: any topic.
    pub topic_hashes: BTreeSet<Hash>,
}

fn position_suffix(height: u64, tx: u32, ev: u32) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&height.to_be_bytes());
    k[8..12].copy_from_slice(&tx.to_be_bytes());
    k[12..].copy_from_slice(&ev.to_be_bytes());
    k
}

fn keyed(tag: u8, id: &[u8; 32], height: u64, tx: u32, ev: u32) -> [u8; 49] {
    let mut k = [0u8; 49];
    k[0] = tag;
    k[1..33].copy_from_slice(id);
    k[33..].copy_from_slice(&position_suffix(height, tx, ev));
    k
}

fn event_key(height: u64, tx: u32, ev: u32) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = TAG_EVENT;
    k[1..].copy_from_slice(&position_suffix(height, tx, ev));
    k
}

fn tx_key(height: u64, tx: u32) -> [u8; 13] {
    let mut k = [0u8; 13];
    k[0] = TAG_TX;
    k[1..9].copy_from_slice(&height.to_be_bytes());
    k[9..].copy_from_slice(&tx.to_be_bytes());
    k
}

fn parse_position(suffix: &[u8]) -> Result<LogPosition, ChainError> {
    let bad = || ChainError::Corrupt("log index: bad key".into());
    if suffix.len() != 16 {
        return Err(bad());
    }
    let height = u64::from_be_bytes(suffix[..8].try_into().map_err(|_| bad())?);
    let tx = u32::from_be_bytes(suffix[8..12].try_into().map_err(|_| bad())?);
    let ev = u32::from_be_bytes(suffix[12..].try_into().map_err(|_| bad())?);
    Ok((height, tx, ev))
}

/// The entries of the events of `receipts` (of the block `block_hash` at `height`):
/// `(key, value)` pairs. Receipts without events have none.
fn entries(height: u64, block_hash: &Hash, receipts: &[Receipt]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for r in receipts {
        if r.events.is_empty() {
            continue;
        }
        let mut tx_value = Vec::with_capacity(64);
        tx_value.extend_from_slice(&r.tx_hash);
        tx_value.extend_from_slice(block_hash);
        out.push((tx_key(height, r.index).to_vec(), tx_value));
        for (ev, e) in (0u32..).zip(&r.events) {
            let topic_hash = keccak256(&e.topic);
            out.push((
                keyed(TAG_CONTRACT, &e.contract, height, r.index, ev).to_vec(),
                topic_hash.to_vec(),
            ));
            out.push((
                keyed(TAG_TOPIC, &topic_hash, height, r.index, ev).to_vec(),
                e.contract.to_vec(),
            ));
            out.push((event_key(height, r.index, ev).to_vec(), e.encode()));
        }
    }
    out
}

impl Store {
    /// Adds the index entries of a block's events to `batch` (the block's own batch).
    pub(super) fn put_log_index(
        &self,
        batch: &mut WriteBatch,
        height: u64,
        block_hash: &Hash,
        receipts: &[Receipt],
    ) -> Result<(), ChainError> {
        let cf = self.cf(CF_LOG_INDEX)?;
        for (k, v) in entries(height, block_hash, receipts) {
            batch.put_cf(cf, k, v);
        }
        Ok(())
    }

    /// Adds deletes of the index entries of a block's events to `batch` (a truncation's).
    /// Deleting the entries of a block written before the index is a no-op.
    pub(super) fn delete_log_index(
        &self,
        batch: &mut WriteBatch,
        height: u64,
        block_hash: &Hash,
        receipts: &[Receipt],
    ) -> Result<(), ChainError> {
        let cf = self.cf(CF_LOG_INDEX)?;
        for (k, _) in entries(height, block_hash, receipts) {
            batch.delete_cf(cf, k);
        }
        Ok(())
    }

    /// The indexed events matching `query` at heights `query.from..=query.to` (clamped to
    /// the head), in (height, tx index, log index) order, read from one consistent
    /// database snapshot. Stops after `max + 1` matches, so a result longer than `max`
    /// means "more than `max`".
    ///
    /// # Errors
    /// [`ChainError::Corrupt`] for a malformed or missing entry; storage failures.
    pub fn logs(&self, query: &LogQuery, max: usize) -> Result<Vec<IndexedLog>, ChainError> {
        let snap = self.db.snapshot();
        let head = match snap.get_cf(self.cf(CF_META)?, META_HEAD)? {
            Some(b) => be_u64(&b, "head pointer")?,
            None => return Ok(Vec::new()),
        };
        let to = query.to.min(head);
        if query.from > to {
            return Ok(Vec::new());
        }
        let cf = self.cf(CF_LOG_INDEX)?;
        let limit = max.saturating_add(1);
        // Scans `tag ++ id ++ from..=to`, calling `each(position, value)` until it returns
        // false.
        let scan = |lower: Vec<u8>,
                    upper: Vec<u8>,
                    skip: usize,
                    each: &mut EntryVisitor<'_>|
         -> Result<(), ChainError> {
            let mut opts = ReadOptions::default();
            opts.set_snapshot(&snap);
            opts.set_iterate_upper_bound(upper);
            let mut it = self.db.raw_iterator_cf_opt(cf, opts);
            it.seek(&lower);
            while let (Some(k), Some(v)) = (it.key(), it.value()) {
                if !each(&k[skip..], v)? {
                    break;
                }
                it.next();
            }
            it.status()?;
            Ok(())
        };
        // Positions of matching events; a BTreeMap keeps them in chain order whatever the
        // order of the scans (determinism of the output).
        let mut found: BTreeSet<LogPosition> = BTreeSet::new();
        let range = |tag: u8, id: &[u8; 32]| {
            (
                keyed(tag, id, query.from, 0, 0).to_vec(),
                // Exclusive upper bound: the first key past height `to`.
                match to.checked_add(1) {
                    Some(next) => keyed(tag, id, next, 0, 0).to_vec(),
                    None => {
                        let mut k = vec![tag];
                        k.extend_from_slice(id);
                        k.extend_from_slice(&[0xff; 17]);
                        k
                    }
                },
            )
        };
        if !query.topic_hashes.is_empty() {
            for topic in &query.topic_hashes {
                let (lower, upper) = range(TAG_TOPIC, topic);
                scan(lower, upper, 33, &mut |suffix, contract| {
                    if query.contract.is_none_or(|c| c[..] == *contract) {
                        found.insert(parse_position(suffix)?);
                    }
                    Ok(found.len() < limit)
                })?;
                if found.len() >= limit {
                    break;
                }
            }
        } else if let Some(contract) = &query.contract {
            let (lower, upper) = range(TAG_CONTRACT, contract);
            scan(lower, upper, 33, &mut |suffix, _| {
                found.insert(parse_position(suffix)?);
                Ok(found.len() < limit)
            })?;
        }
        let parse_tx_value = |v: &[u8]| -> Result<(Hash, Hash), ChainError> {
            let bad = || ChainError::Corrupt("log index: bad transaction entry".into());
            if v.len() != 64 {
                return Err(bad());
            }
            Ok((
                v[..32].try_into().map_err(|_| bad())?,
                v[32..].try_into().map_err(|_| bad())?,
            ))
        };
        // Every event of the range, or the events at the positions found.
        let events: Vec<(LogPosition, Event)> =
            if query.topic_hashes.is_empty() && query.contract.is_none() {
                let lower = event_key(query.from, 0, 0).to_vec();
                let upper = match to.checked_add(1) {
                    Some(next) => event_key(next, 0, 0).to_vec(),
                    None => vec![TAG_EVENT + 1],
                };
                let mut events = Vec::new();
                scan(lower, upper, 1, &mut |suffix, v| {
                    events.push((parse_position(suffix)?, Event::decode(&mut &v[..])?));
                    Ok(events.len() < limit)
                })?;
                events
            } else {
                let mut events = Vec::with_capacity(found.len());
                for (height, tx, ev) in found {
                    let v = snap.get_cf(cf, event_key(height, tx, ev))?.ok_or_else(|| {
                        ChainError::Corrupt("log index: event entry missing".into())
                    })?;
                    events.push(((height, tx, ev), Event::decode(&mut &v[..])?));
                }
                events
            };
        // The transaction of the current event: events come in chain order, so each
        // transaction entry is read once.
        let mut current: Option<((u64, u32), Hash, Hash)> = None;
        let mut out = Vec::with_capacity(events.len());
        for ((height, tx, ev), event) in events {
            let (tx_hash, block_hash) = match current {
                Some((at, tx_hash, block_hash)) if at == (height, tx) => (tx_hash, block_hash),
                _ => {
                    let v = snap.get_cf(cf, tx_key(height, tx))?.ok_or_else(|| {
                        ChainError::Corrupt("log index: transaction entry missing".into())
                    })?;
                    let (tx_hash, block_hash) = parse_tx_value(&v)?;
                    current = Some(((height, tx), tx_hash, block_hash));
                    (tx_hash, block_hash)
                }
            };
            out.push(IndexedLog {
                block_height: height,
                block_hash,
                tx_hash,
                tx_index: tx,
                log_index: ev,
                event,
            });
        }
        Ok(out)
    }
}

impl Store {
    /// Bytes of the event index on disk (its SST files, after flushing its memtable).
    ///
    /// # Errors
    /// Storage failures.
    pub fn log_index_disk_size(&self) -> Result<u64, ChainError> {
        let cf = self.cf(CF_LOG_INDEX)?;
        self.db.flush_cf(cf)?;
        Ok(self
            .db
            .property_int_value_cf(cf, "rocksdb.total-sst-files-size")?
            .unwrap_or(0))
    }

    /// Number of entries in the event index (a full scan: tests only).
    #[cfg(test)]
    pub(crate) fn log_index_len(&self) -> usize {
        let cf = self.cf(CF_LOG_INDEX).expect("log index");
        self.db
            .iterator_cf(cf, rocksdb::IteratorMode::Start)
            .inspect(|kv| assert!(kv.is_ok(), "log index entry"))
            .count()
    }

    /// Deletes every event index entry, as in a data dir written before the index (tests).
    #[cfg(test)]
    pub(crate) fn clear_log_index(&self) {
        let cf = self.cf(CF_LOG_INDEX).expect("log index");
        let mut batch = WriteBatch::default();
        batch.delete_range_cf(cf, [0u8].as_slice(), [0xffu8; 64].as_slice());
        self.db.write(batch).expect("clear the log index");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_in_chain_order() {
        let id = [7u8; 32];
        let a = keyed(TAG_TOPIC, &id, 1, 300, 0);
        let b = keyed(TAG_TOPIC, &id, 2, 0, 0);
        let c = keyed(TAG_TOPIC, &id, 2, 0, 1);
        assert!(a < b && b < c);
        assert_eq!(parse_position(&c[33..]).unwrap(), (2, 0, 1));
        assert!(tx_key(1, 5) < tx_key(256, 0));
    }
}
