//! `metron logs`: the events of a block range, filtered by contract and topic
//! (`chain_getLogs`), decoded by the emitter's metadata when the contract book has it.

use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use super::args::parse_address;
use super::client::{book_lookup, rpc_err, topic_text, RpcOpts};
use super::metadata::Metadata;

/// `metron logs [--from-block N] [--to-block N] [--contract ADDRESS] [--topic T]...`.
#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// First block (default: the head).
    #[arg(long, value_name = "HEIGHT")]
    pub from_block: Option<u64>,
    /// Last block (default: the head).
    #[arg(long, value_name = "HEIGHT")]
    pub to_block: Option<u64>,
    /// Only events of this contract (0x or dev index).
    #[arg(long, value_name = "ADDRESS")]
    pub contract: Option<String>,
    /// Only events with this topic: its text (`Transfer`) or 0x hex; repeatable (any of
    /// them).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Print the logs as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub rpc: RpcOpts,
}

fn topic_bytes(t: &str) -> anyhow::Result<Vec<u8>> {
    if t.starts_with("0x") {
        metron_rpc::hex_serde::decode(t).map_err(|e| anyhow!("invalid topic {t:?}: {e}"))
    } else {
        Ok(t.as_bytes().to_vec())
    }
}

/// `metron logs`: one line per event, in chain order.
///
/// # Errors
/// Bad arguments, RPC errors (a range over the node's cap says how to page).
pub async fn logs(a: LogsArgs) -> anyhow::Result<ExitCode> {
    let topics = a
        .topics
        .iter()
        .map(|t| topic_bytes(t).map(wire::Bytes))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let filter = wire::LogFilter {
        from_block: a.from_block,
        to_block: a.to_block,
        contract: a
            .contract
            .as_deref()
            .map(parse_address)
            .transpose()?
            .map(wire::H256),
        topics: (!topics.is_empty()).then_some(topics),
    };
    let c = a.rpc.client()?;
    let logs = c.chain_get_logs(filter).await.map_err(rpc_err)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&logs)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut metadata: std::collections::BTreeMap<[u8; 32], Option<Metadata>> =
        std::collections::BTreeMap::new();
    for l in &logs {
        let meta = metadata
            .entry(l.contract.0)
            .or_insert_with(|| book_lookup(&l.contract.0).and_then(|p| Metadata::load(&p).ok()));
        let data = meta
            .as_ref()
            .and_then(|m| m.decode_event(&l.topic.0, &l.data.0))
            .and_then(Result::ok)
            .unwrap_or_else(|| l.data.to_string());
        println!(
            "block {} tx {} #{} contract {} topic {} data {data}",
            l.block_height,
            l.tx_hash,
            l.log_index,
            l.contract,
            topic_text(&l.topic.0)
        );
    }
    eprintln!("{} logs", logs.len());
    Ok(ExitCode::SUCCESS)
}
