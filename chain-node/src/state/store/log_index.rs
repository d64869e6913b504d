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
//! - `b'x' ++ height ++ tx index` -> tx hash (32) ++ block hash (32), for each transaction
//!   with at least one event: the scan of all events of a range, and where a log's
//!   receipt and block hash are.
//!
//! The log index of a key is the event's index in its receipt's `events`. Blocks committed
//! by a node older than the index have no entries: their events are not found.

use std::collections::BTreeSet;

use rocksdb::{ReadOptions, WriteBatch};

use super::{be_u64, Store, CF_LOG_INDEX, CF_META, CF_RECEIPTS, META_HEAD};
use crate::error::ChainError;
use crate::types::{keccak256, Address, Event, Hash, Receipt};

const TAG_CONTRACT: u8 = b'c';
const TAG_TOPIC: u8 = b't';
const TAG_TX: u8 = b'x';

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
    /// [`ChainError::Corrupt`] for a malformed entry or a missing receipt; storage
    /// failures.
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
                    each: &mut dyn FnMut(&[u8], &[u8]) -> Result<bool, ChainError>|
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
        let read_receipt = |tx_hash: &Hash| -> Result<Receipt, ChainError> {
            let bytes = snap
                .get_cf(self.cf(CF_RECEIPTS)?, tx_hash)?
                .ok_or_else(|| {
                    ChainError::Corrupt(format!(
                        "log index names transaction 0x{} which has no receipt",
                        hex::encode(tx_hash)
                    ))
                })?;
            Ok(parity_scale_codec::Decode::decode(&mut &bytes[..])?)
        };
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
        let mut out = Vec::new();
        if query.topic_hashes.is_empty() && query.contract.is_none() {
            // Every event of the range: the transactions with events, then their receipts.
            let lower = tx_key(query.from, 0).to_vec();
            let upper = match to.checked_add(1) {
                Some(next) => tx_key(next, 0).to_vec(),
                None => vec![TAG_TX + 1],
            };
            let mut txs = Vec::new();
            scan(lower, upper, 1, &mut |suffix, v| {
                let bad = || ChainError::Corrupt("log index: bad transaction key".into());
                let height = u64::from_be_bytes(suffix[..8].try_into().map_err(|_| bad())?);
                let tx = u32::from_be_bytes(suffix[8..12].try_into().map_err(|_| bad())?);
                txs.push((height, tx, parse_tx_value(v)?));
                Ok(true)
            })?;
            for (height, tx, (tx_hash, block_hash)) in txs {
                let receipt = read_receipt(&tx_hash)?;
                for (ev, event) in (0u32..).zip(receipt.events) {
                    if out.len() >= limit {
                        return Ok(out);
                    }
                    out.push(IndexedLog {
                        block_height: height,
                        block_hash,
                        tx_hash,
                        tx_index: tx,
                        log_index: ev,
                        event,
                    });
                }
            }
            return Ok(out);
        }
        // The receipt of the current transaction: positions come in chain order, so each
        // receipt is read once and only one is held.
        let mut current: Option<((u64, u32), Hash, Hash, Receipt)> = None;
        for (height, tx, ev) in found {
            if current.as_ref().is_none_or(|c| c.0 != (height, tx)) {
                let v = snap.get_cf(cf, tx_key(height, tx))?.ok_or_else(|| {
                    ChainError::Corrupt("log index: transaction entry missing".into())
                })?;
                let (tx_hash, block_hash) = parse_tx_value(&v)?;
                let receipt = read_receipt(&tx_hash)?;
                current = Some(((height, tx), tx_hash, block_hash, receipt));
            }
            let Some((_, tx_hash, block_hash, receipt)) = &current else {
                continue;
            };
            let event = usize::try_from(ev)
                .ok()
                .and_then(|i| receipt.events.get(i))
                .cloned()
                .ok_or_else(|| ChainError::Corrupt("log index: event index out of range".into()))?;
            out.push(IndexedLog {
                block_height: height,
                block_hash: *block_hash,
                tx_hash: *tx_hash,
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
            .map(|kv| kv.expect("log index entry"))
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
