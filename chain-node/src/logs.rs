//! Event queries: [`Chain::logs`] (the chain-level `chain_getLogs`) over the store's event
//! index ([`crate::state::store::log_index`]), and the serving of `chain_getLogs` and
//! `chain_subscribeLogs` ([`wire_logs`], [`serve_log_subscription`]).
//!
//! The index is node-local, not consensus; results are in (height, tx index, log index)
//! order whatever the filter (positions are collected in ordered sets, never hash maps).

use std::collections::BTreeSet;
use std::sync::Arc;

use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::PendingSubscriptionSink;
use metron_rpc::types as wire;
use metron_rpc::{MAX_LOGS, MAX_LOG_RANGE, MAX_LOG_TOPICS};
use tokio::sync::broadcast::error::RecvError;

use crate::chain::Chain;
use crate::error::ChainError;
use crate::state::store::LogQuery;
use crate::types::{keccak256, Address};

pub use crate::state::store::IndexedLog as LogEntry;

/// Which events [`Chain::logs`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First height (inclusive); `None`: the head.
    pub from: Option<u64>,
    /// Last height (inclusive); `None`: the head.
    pub to: Option<u64>,
    /// Only events of this contract.
    pub contract: Option<Address>,
    /// Only events with one of these topics (exact bytes); empty: any topic.
    pub topics: Vec<Vec<u8>>,
}

impl LogFilter {
    /// The filter of a wire `LogFilter`.
    pub fn from_wire(f: wire::LogFilter) -> LogFilter {
        LogFilter {
            from: f.from_block,
            to: f.to_block,
            contract: f.contract.map(|c| c.0),
            topics: f
                .topics
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.0)
                .collect(),
        }
    }

    fn topic_hashes(&self) -> Result<BTreeSet<[u8; 32]>, ChainError> {
        if self.topics.len() > MAX_LOG_TOPICS {
            return Err(ChainError::InvalidQuery(format!(
                "{} topics in the log filter; at most {MAX_LOG_TOPICS}",
                self.topics.len()
            )));
        }
        Ok(self.topics.iter().map(|t| keccak256(t)).collect())
    }
}

/// The wire form of a log.
pub fn to_wire_log(l: &LogEntry) -> wire::Log {
    wire::Log {
        block_height: l.block_height,
        block_hash: wire::H256(l.block_hash),
        tx_hash: wire::H256(l.tx_hash),
        tx_index: l.tx_index,
        log_index: l.log_index,
        contract: wire::H256(l.event.contract),
        topic: wire::Bytes(l.event.topic.clone()),
        data: wire::Bytes(l.event.data.clone()),
    }
}

impl Chain {
    /// The events of blocks `filter.from..=filter.to` (each defaulting to the head)
    /// matching `filter`, in (height, tx index, log index) order. Reads blocks at or below
    /// the head only, from one consistent database snapshot. Events of blocks committed by
    /// a node older than the event index are not found.
    ///
    /// # Errors
    /// [`ChainError::UnknownHeight`] if `to` is above the head; [`ChainError::InvalidQuery`]
    /// if `from > to` or for more than [`MAX_LOG_TOPICS`] topics;
    /// [`ChainError::QueryTooLarge`] for more than [`MAX_LOG_RANGE`] blocks or more than
    /// [`MAX_LOGS`] matching events; storage failures.
    pub fn logs(&self, filter: &LogFilter) -> Result<Vec<LogEntry>, ChainError> {
        let topic_hashes = filter.topic_hashes()?;
        let head = self.head_height();
        let to = filter.to.unwrap_or(head);
        if to > head {
            return Err(ChainError::UnknownHeight {
                requested: to,
                head,
            });
        }
        let from = filter.from.unwrap_or(head);
        if from > to {
            return Err(ChainError::InvalidQuery(format!(
                "fromBlock {from} is above toBlock {to}"
            )));
        }
        let blocks = (to - from).saturating_add(1);
        if blocks > MAX_LOG_RANGE {
            let last = from.saturating_add(MAX_LOG_RANGE - 1);
            return Err(ChainError::QueryTooLarge(format!(
                "block range {from}..={to} is {blocks} blocks; at most {MAX_LOG_RANGE} per \
                 request: ask for fromBlock {from} to toBlock {last}, then continue from {}",
                last.saturating_add(1)
            )));
        }
        let query = LogQuery {
            from,
            to,
            contract: filter.contract,
            topic_hashes,
        };
        let logs = self.store.logs(&query, MAX_LOGS)?;
        if logs.len() > MAX_LOGS {
            return Err(ChainError::QueryTooLarge(format!(
                "more than {MAX_LOGS} logs match in blocks {from}..={to}; narrow the block \
                 range or the filter (contract, topics)"
            )));
        }
        Ok(logs)
    }

    /// The events of blocks `from..=to` matching `filter`'s contract and topics, with no
    /// cap on the range or the count (`chain_subscribeLogs` reads one block, or the few it
    /// missed, at a time). `to` is clamped to the head.
    ///
    /// # Errors
    /// [`ChainError::InvalidQuery`] for more than [`MAX_LOG_TOPICS`] topics; storage
    /// failures.
    pub fn logs_of_blocks(
        &self,
        from: u64,
        to: u64,
        filter: &LogFilter,
    ) -> Result<Vec<LogEntry>, ChainError> {
        let query = LogQuery {
            from,
            to: to.min(self.head_height()),
            contract: filter.contract,
            topic_hashes: filter.topic_hashes()?,
        };
        self.store.logs(&query, usize::MAX - 1)
    }
}

impl Chain {
    /// Bytes of the event index on disk (load tests; flushes the index's memtable first).
    ///
    /// # Errors
    /// Storage failures.
    pub fn log_index_disk_size(&self) -> Result<u64, ChainError> {
        self.store.log_index_disk_size()
    }
}

/// Serves `chain_getLogs`.
///
/// # Errors
/// As [`Chain::logs`].
pub fn wire_logs(chain: &Chain, filter: wire::LogFilter) -> Result<Vec<wire::Log>, ChainError> {
    let logs = chain.logs(&LogFilter::from_wire(filter))?;
    Ok(logs.iter().map(to_wire_log).collect())
}

/// The most blocks a log subscription catches up on after missing heads (a lagging
/// subscriber, heads sealed faster than it reads): beyond, it skips to the new head.
const MAX_CATCH_UP: u64 = 256;

/// Serves `chain_subscribeLogs`: for each new head, the matching events of the blocks since
/// the last one it sent (at most [`MAX_CATCH_UP`] blocks), each as a `chain_log`
/// notification. Events of a block that was reverted before they were read are not sent.
///
/// # Errors
/// A filter with too many topics is refused before the subscription is accepted.
pub async fn serve_log_subscription(
    chain: Arc<Chain>,
    pending: PendingSubscriptionSink,
    filter: wire::LogFilter,
) -> SubscriptionResult {
    let filter = LogFilter::from_wire(filter);
    if let Err(e) = filter.topic_hashes() {
        pending
            .reject(crate::service::rpc_error_from_chain(e))
            .await;
        return Ok(());
    }
    let mut heads = chain.subscribe_heads();
    let sink = pending.accept().await?;
    // The next height to read; None until the first head arrives.
    let mut next: Option<u64> = None;
    loop {
        let head = tokio::select! {
            _ = sink.closed() => break,
            next = heads.recv() => match next {
                Ok(nh) => nh,
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            },
        };
        let height = head.header.height;
        let from = match next {
            Some(n) if n <= height && height - n < MAX_CATCH_UP => n,
            _ => height,
        };
        next = Some(height.saturating_add(1));
        let reader = Arc::clone(&chain);
        let f = filter.clone();
        let logs =
            tokio::task::spawn_blocking(move || reader.logs_of_blocks(from, height, &f)).await?;
        let logs = match logs {
            Ok(logs) => logs,
            Err(e) => {
                tracing::warn!(error = %e, "log subscription: reading logs failed");
                continue;
            }
        };
        for log in &logs {
            // A block replaced after a revert: its events are read with the new block.
            if log.block_height == height && log.block_hash != head.hash {
                continue;
            }
            let msg = serde_json::value::to_raw_value(&to_wire_log(log))?;
            if sink.send(msg).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}
