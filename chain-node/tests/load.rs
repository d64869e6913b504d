//! The load test of `examples/load.rs`, reduced for CI: 3 s, 2 submitters, 1 reader,
//! 1 caller, on a node in a temporary dir. Every acknowledged transaction must have a
//! successful receipt in its block at or below the head, no unexpected error may occur,
//! and each submitter must get at least one transaction acknowledged.

use std::time::Duration;

use metron_node::state::Durability;

#[path = "../loadtest/mod.rs"]
mod loadtest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_reduced() {
    let config = loadtest::LoadConfig {
        duration: Duration::from_secs(3),
        submitters: 2,
        readers: 1,
        callers: 1,
        data_dir: None,
        durability: Durability::Sync,
    };
    let report = loadtest::run(&config).await.expect("load test runs");
    let table = report.table();
    println!("{table}");
    let r = &report.receipts;
    assert_eq!(r.missing, 0, "missing receipts\n{table}");
    assert_eq!(r.failed(), 0, "receipt check failed\n{table}");
    assert_eq!(r.checked, report.acknowledged_total(), "{table}");
    assert_eq!(report.unexpected_errors(), 0, "unexpected errors\n{table}");
    assert_eq!(report.acknowledged.len(), 2, "{table}");
    for (i, n) in report.acknowledged.iter().enumerate() {
        assert!(
            *n >= 1,
            "submitter {i} got no transaction acknowledged\n{table}"
        );
    }
    assert!(
        report.head.requests > 0 && report.call.requests > 0,
        "{table}"
    );
    assert!(report.failures().is_empty(), "{table}");
}
