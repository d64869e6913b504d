//! The devnet's block and clock controls over RPC: `dev_mine`, `dev_increaseTime`,
//! `dev_setNextBlockTimestamp`.

use metron_rpc::{codes, MetronApiClient, MAX_MINE_BLOCKS};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mining_and_time_travel() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    let start = c.chain_head().await.unwrap();
    let head = c.dev_mine(None).await.unwrap();
    assert_eq!(head.height, start.height + 1);
    let head = c.dev_mine(Some(3)).await.unwrap();
    assert_eq!(head.height, start.height + 4);
    assert_eq!(c.chain_head().await.unwrap(), head);
    assert_eq!(c.dev_mine(Some(0)).await.unwrap(), head);

    // An hour forward: every later block is at least an hour past the wall clock (the
    // head may be a few ms ahead of it: blocks sealed within one ms take parent + 1).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert_eq!(c.dev_increase_time(3_600_000).await.unwrap(), 3_600_000);
    let later = c.dev_mine(None).await.unwrap();
    assert!(
        later.timestamp >= now + 3_600_000,
        "{} vs {now}",
        later.timestamp
    );
    // The next block exactly; the one after back on the (moved) clock.
    c.dev_set_next_block_timestamp(later.timestamp + 7)
        .await
        .unwrap();
    let exact = c.dev_mine(None).await.unwrap();
    assert_eq!(exact.timestamp, later.timestamp + 7);
    assert!(c.dev_mine(None).await.unwrap().timestamp > exact.timestamp);

    // Refusals: a timestamp not after the head, too many blocks at once.
    let head = c.chain_head().await.unwrap();
    let (code, msg) = rpc_err(c.dev_set_next_block_timestamp(head.timestamp).await);
    assert_eq!(code, codes::INVALID_CALL, "{msg}");
    let (code, msg) = rpc_err(c.dev_mine(Some(MAX_MINE_BLOCKS + 1)).await);
    assert_eq!(code, codes::LIMIT_EXCEEDED, "{msg}");
    assert_eq!(c.chain_head().await.unwrap(), head);
}
