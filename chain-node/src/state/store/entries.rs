//! Paging through the state at a version in key-hash order, straight from the `jmt_values`
//! column (no trie walk): what state files are written from and merged against.

use jmt::{KeyHash, Version};

use super::{Store, CF_JMT_VALUES};
use crate::error::ChainError;

/// The key hash right after `key` (big-endian increment), `None` after the last one.
fn successor(key: &KeyHash) -> Option<KeyHash> {
    let mut next = key.0;
    for byte in next.iter_mut().rev() {
        let (b, carry) = byte.overflowing_add(1);
        *byte = b;
        if !carry {
            return Some(KeyHash(next));
        }
    }
    None
}

impl Store {
    /// Up to `limit` (at least 1) trie entries of the state at `version`, in ascending
    /// key-hash order, starting after `after` (at the first key if `None`): each key whose
    /// latest write at or below `version` is a value (not a deletion), with that value.
    /// Page through the whole state by passing the last key of a page as the next
    /// `after`; an empty or short page is the end.
    ///
    /// One forward scan of the values column (keys are key hash ++ version big-endian, so
    /// a key's versions are adjacent and ascending); every page opens a new iterator, so
    /// no iterator pins memtables for long. Writes at versions above `version` are
    /// skipped: paging at a version stays consistent while later blocks are committed.
    ///
    /// # Errors
    /// [`ChainError::Corrupt`] for a malformed key or value; storage failures.
    pub fn live_entries(
        &self,
        version: Version,
        after: Option<&KeyHash>,
        limit: usize,
    ) -> Result<Vec<(KeyHash, Vec<u8>)>, ChainError> {
        let limit = limit.max(1);
        let mut it = self.db.raw_iterator_cf(self.cf(CF_JMT_VALUES)?);
        match after {
            None => it.seek_to_first(),
            Some(key) => match successor(key) {
                Some(next) => it.seek(next.0),
                None => return Ok(Vec::new()),
            },
        }
        let mut out = Vec::new();
        // The key being scanned and its latest value at or below `version` so far
        // (`None`: no write at or below it yet, or a deletion).
        let mut current: Option<([u8; 32], Option<Vec<u8>>)> = None;
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            let (Ok(hash), Ok(ver)) = (
                <[u8; 32]>::try_from(k.get(..32).unwrap_or_default()),
                <[u8; 8]>::try_from(k.get(32..).unwrap_or_default()),
            ) else {
                return Err(ChainError::Corrupt("trie value key is not 40 bytes".into()));
            };
            if current.as_ref().map(|c| c.0) != Some(hash) {
                if let Some((done, Some(value))) = current.take() {
                    out.push((KeyHash(done), value));
                    if out.len() >= limit {
                        it.status()?;
                        return Ok(out);
                    }
                }
                current = Some((hash, None));
            }
            if u64::from_be_bytes(ver) <= version {
                let live = match v.split_first() {
                    Some((0, _)) => None,
                    Some((1, rest)) => Some(rest.to_vec()),
                    _ => return Err(ChainError::Corrupt("bad trie value encoding".into())),
                };
                if let Some(c) = current.as_mut() {
                    c.1 = live;
                }
            }
            it.next();
        }
        it.status()?;
        if let Some((done, Some(value))) = current {
            out.push((KeyHash(done), value));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn successor_carries() {
        let mut k = [0u8; 32];
        k[31] = 0xff;
        let mut want = [0u8; 32];
        want[30] = 1;
        assert_eq!(successor(&KeyHash(k)), Some(KeyHash(want)));
        assert_eq!(successor(&KeyHash([0xff; 32])), None);
    }

    #[test]
    fn pages_at_a_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), super::super::Durability::NoSync).unwrap();
        let key = |b: u8| KeyHash([b; 32]);
        let commit = |writes: Vec<(KeyHash, Option<Vec<u8>>)>, version: Version| {
            let (_, trie) = store.prepare_state(writes, version).unwrap();
            let mut batch = rocksdb::WriteBatch::default();
            let cf = store.cf(CF_JMT_VALUES).unwrap();
            for ((v, k), value) in trie.node_batch.values() {
                batch.put_cf(
                    cf,
                    super::super::value_key(k, *v),
                    super::super::encode_value(value),
                );
            }
            store.db.write(batch).unwrap();
        };
        commit(
            vec![
                (key(1), Some(vec![1])),
                (key(2), Some(vec![2])),
                (key(3), Some(vec![3])),
            ],
            0,
        );
        commit(
            vec![
                (key(2), None),
                (key(3), Some(vec![33])),
                (key(4), Some(vec![4])),
            ],
            1,
        );
        let all = |version| {
            let mut out = Vec::new();
            let mut after = None;
            loop {
                let page = store.live_entries(version, after.as_ref(), 1).unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.0);
                out.extend(page);
            }
            out
        };
        assert_eq!(
            all(0),
            vec![(key(1), vec![1]), (key(2), vec![2]), (key(3), vec![3])]
        );
        assert_eq!(
            all(1),
            vec![(key(1), vec![1]), (key(3), vec![33]), (key(4), vec![4])]
        );
        assert_eq!(store.live_entries(1, None, 10).unwrap().len(), 3);
    }
}
