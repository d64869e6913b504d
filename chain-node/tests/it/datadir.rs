//! What a data directory records at genesis and checks on resume: the gas schedule version
//! and the genesis accounts (the chain id is covered by the library's own tests). Real
//! RocksDB in temporary directories; a refused data dir must be left exactly as it was.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::TRANSFER_GAS;
use metron_node::dev::{self, DEV_BALANCE};
use metron_node::service::{Node, NodeConfig, NodeError};
use metron_node::state::Store;
use metron_node::types::{Action, Hash, Transaction};
use metron_node::{BlockHeader, Chain, ChainConfig, ChainError};
use metron_vm::GasSchedule;

/// The schedule version this node runs by default (read from the VM, never hard-coded).
fn default_version() -> u32 {
    metron_vm::Config::default().schedule.version
}

/// A version different from the default one.
fn other_version() -> u32 {
    if default_version() == 7 {
        8
    } else {
        7
    }
}

/// The devnet configuration with gas schedule `version`.
fn config_with_version(dir: &Path, version: u32) -> ChainConfig {
    let mut cfg = ChainConfig::dev(dir);
    cfg.vm.schedule = GasSchedule {
        version,
        ..GasSchedule::default()
    };
    cfg
}

/// Opens a fresh chain in `dir` with `cfg`, seals two transfers, closes it; returns the
/// head and state root.
fn create_chain(cfg: ChainConfig) -> ((Hash, BlockHeader), Hash) {
    let chain = Chain::open(cfg).expect("fresh data dir opens");
    let key = dev::dev_keys(1).remove(0);
    for nonce in 0..2 {
        let stx = Transaction {
            chain_id: chain.chain_id(),
            nonce,
            gas_limit: TRANSFER_GAS,
            gas_price: 1,
            action: Action::Transfer {
                to: [9; 32],
                amount: 5,
            },
        }
        .sign(&key);
        chain.submit(stx).expect("transfer included");
    }
    (chain.head(), chain.state_root(None).unwrap())
}

/// Head and state root of the chain in `dir`, reopened with the devnet defaults.
fn reopen_default(dir: &Path) -> ((Hash, BlockHeader), Hash) {
    let chain = Chain::open(ChainConfig::dev(dir)).expect("reopens with the right config");
    (chain.head(), chain.state_root(None).unwrap())
}

/// The meta records of the store in `dir`: head, chain id, schedule version.
fn meta(dir: &Path) -> (Option<u64>, Option<u64>, Option<u32>) {
    let store = Store::open(dir, metron_node::state::Durability::Sync).unwrap();
    (
        store.head_height().unwrap(),
        store.chain_id().unwrap(),
        store.schedule_version().unwrap(),
    )
}

/// Writes (`Some`) or deletes (`None`) `meta/gas_schedule_version` behind the node's back.
/// `None` makes `dir` look like a data dir written before the version was recorded: the
/// same column families and keys, without that one.
fn set_schedule_record(dir: &Path, version: Option<u32>) {
    let opts = rocksdb::Options::default();
    let cfs = rocksdb::DB::list_cf(&opts, dir).unwrap();
    let db = rocksdb::DB::open_cf(&opts, dir, &cfs).unwrap();
    let meta = db.cf_handle("meta").unwrap();
    match version {
        Some(v) => db.put_cf(meta, b"gas_schedule_version", v.to_be_bytes()),
        None => db.delete_cf(meta, b"gas_schedule_version"),
    }
    .unwrap();
}

#[test]
fn genesis_records_the_configured_schedule_version() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(ChainConfig::dev(dir.path())).unwrap();
    assert_eq!(chain.schedule_version(), default_version());
    drop(chain);
    assert_eq!(
        meta(dir.path()),
        (Some(0), Some(dev::DEV_CHAIN_ID), Some(default_version()))
    );

    // Another version is recorded as configured, and that chain resumes under it.
    let dir = tempfile::tempdir().unwrap();
    let (head, root) = create_chain(config_with_version(dir.path(), other_version()));
    assert_eq!(meta(dir.path()).2, Some(other_version()));
    let chain = Chain::open(config_with_version(dir.path(), other_version())).unwrap();
    assert_eq!(chain.schedule_version(), other_version());
    assert_eq!(
        (chain.head(), chain.state_root(None).unwrap()),
        (head, root)
    );
}

#[test]
fn reopen_with_the_same_config_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (head, root) = create_chain(ChainConfig::dev(dir.path()));
    assert_eq!(head.1.height, 2);
    for _ in 0..2 {
        assert_eq!(reopen_default(dir.path()), (head.clone(), root));
    }
    // The genesis check is on the genesis state, not the config's spelling: the same
    // accounts in another order, plus an account with a zero balance, are the same genesis.
    let mut cfg = ChainConfig::dev(dir.path());
    cfg.genesis_accounts.reverse();
    cfg.genesis_accounts.push(([42; 32], 0));
    let chain = Chain::open(cfg).expect("same genesis state");
    assert_eq!(chain.head(), head);
}

#[test]
fn another_schedule_version_is_refused_and_the_data_dir_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (head, root) = create_chain(ChainConfig::dev(dir.path()));
    let before = meta(dir.path());

    let refused = Chain::open(config_with_version(dir.path(), other_version()));
    let err = refused.err().expect("another schedule version is refused");
    assert_eq!(
        err,
        ChainError::ScheduleVersionMismatch {
            data_dir: dir.path().to_path_buf(),
            recorded: Some(default_version()),
            configured: other_version(),
        }
    );
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!(
            "data dir {} was created with gas schedule version {}; this node runs version {} \
             (start with --reset or another --data-dir)",
            dir.path().display(),
            default_version(),
            other_version()
        )
    );

    // Nothing was written: the records, head and state root are as before.
    assert_eq!(meta(dir.path()), before);
    assert_eq!(reopen_default(dir.path()), (head, root));

    // The other way round: a chain created under another version refuses the default.
    let dir = tempfile::tempdir().unwrap();
    create_chain(config_with_version(dir.path(), other_version()));
    assert_eq!(
        Chain::open(ChainConfig::dev(dir.path())).err(),
        Some(ChainError::ScheduleVersionMismatch {
            data_dir: dir.path().to_path_buf(),
            recorded: Some(other_version()),
            configured: default_version(),
        })
    );
}

#[test]
fn other_genesis_accounts_are_refused_and_the_data_dir_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (head, root) = create_chain(ChainConfig::dev(dir.path()));
    let before = meta(dir.path());
    let genesis_root = Chain::open(ChainConfig::dev(dir.path()))
        .unwrap()
        .block_by_number(0)
        .unwrap()
        .unwrap()
        .1
        .header
        .state_root;

    let variants: [fn(&mut ChainConfig); 3] = [
        // One balance differs.
        |cfg| cfg.genesis_accounts[3].1 = DEV_BALANCE - 1,
        // One more funded account.
        |cfg| cfg.genesis_accounts.push(([42; 32], 1)),
        // One account fewer.
        |cfg| {
            cfg.genesis_accounts.pop();
        },
    ];
    for change in variants {
        let mut cfg = ChainConfig::dev(dir.path());
        change(&mut cfg);
        match Chain::open(cfg) {
            Err(ChainError::GenesisMismatch {
                data_dir,
                recorded,
                configured,
            }) => {
                assert_eq!(data_dir, dir.path());
                assert_eq!(recorded, genesis_root);
                assert_ne!(configured, genesis_root);
                let msg = ChainError::GenesisMismatch {
                    data_dir,
                    recorded,
                    configured,
                }
                .to_string();
                assert!(msg.contains(&hex::encode(recorded)), "{msg}");
                assert!(msg.contains(&hex::encode(configured)), "{msg}");
                assert!(msg.contains("other genesis accounts"), "{msg}");
            }
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("other genesis accounts were accepted"),
        }
        assert_eq!(meta(dir.path()), before);
    }
    assert_eq!(reopen_default(dir.path()), (head, root));
}

#[test]
fn another_block_gas_limit_is_refused_and_the_data_dir_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (head, root) = create_chain(ChainConfig::dev(dir.path()));
    let before = meta(dir.path());
    let store = Store::open(dir.path(), metron_node::state::Durability::Sync).unwrap();
    assert_eq!(
        store.block_gas_limit().unwrap(),
        Some(dev::DEFAULT_BLOCK_GAS_LIMIT)
    );
    drop(store);

    let mut cfg = ChainConfig::dev(dir.path());
    cfg.block_gas_limit = dev::DEFAULT_BLOCK_GAS_LIMIT / 2;
    let err = Chain::open(cfg)
        .err()
        .expect("another block gas limit is refused");
    assert_eq!(
        err,
        ChainError::BlockGasLimitMismatch {
            data_dir: dir.path().to_path_buf(),
            recorded: Some(dev::DEFAULT_BLOCK_GAS_LIMIT),
            configured: dev::DEFAULT_BLOCK_GAS_LIMIT / 2,
        }
    );
    assert!(err.to_string().contains("--reset"), "{err}");
    assert_eq!(meta(dir.path()), before);
    assert_eq!(reopen_default(dir.path()), (head.clone(), root));

    // Node policy is not recorded: another minimum gas price or durability resumes.
    let mut cfg = ChainConfig::dev(dir.path());
    cfg.min_gas_price = 7;
    cfg.durability = metron_node::state::Durability::NoSync;
    assert_eq!(Chain::open(cfg).unwrap().head(), head);
}

#[test]
fn a_data_dir_without_a_recorded_schedule_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (head, root) = create_chain(ChainConfig::dev(dir.path()));
    set_schedule_record(dir.path(), None);
    let before = meta(dir.path());
    assert_eq!(before, (Some(2), Some(dev::DEV_CHAIN_ID), None));

    // Refused under every version: which schedule the old node ran is unknown.
    for version in [default_version(), other_version(), 1] {
        let err = Chain::open(config_with_version(dir.path(), version))
            .err()
            .expect("an unrecorded schedule version is refused");
        assert_eq!(
            err,
            ChainError::ScheduleVersionMismatch {
                data_dir: dir.path().to_path_buf(),
                recorded: None,
                configured: version,
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains("gas schedule version unrecorded"),
            "names the missing record: {msg}"
        );
        assert!(
            msg.contains(&format!("this node runs version {version}")),
            "{msg}"
        );
        assert!(msg.contains("--reset"), "{msg}");
        // The refusal records nothing (no version is guessed into the old data dir).
        assert_eq!(meta(dir.path()), before);
    }

    // The data is intact: with the record back, the chain resumes where it was.
    set_schedule_record(dir.path(), Some(default_version()));
    assert_eq!(reopen_default(dir.path()), (head, root));
}

#[test]
fn metron_node_refuses_an_unrecorded_data_dir_and_names_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("devnet");
    let chain_dir = data_dir.join("chain");
    create_chain(ChainConfig::dev(&chain_dir));
    set_schedule_record(&chain_dir, None);
    let before = meta(&chain_dir);

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_metron"))
        .args(["node", "--dev", "--port", "0", "--data-dir"])
        .arg(&data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A node that accepted the data dir would run until Ctrl-C: stop it and fail.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            child.kill().unwrap();
            let o = child.wait_with_output().unwrap();
            panic!(
                "the node started on an unrecorded data dir:\n{}",
                String::from_utf8_lossy(&o.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    let expected = format!(
        "data dir {} was created with gas schedule version unrecorded",
        chain_dir.display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(
        err.contains(&format!("this node runs version {}", default_version())),
        "{err}"
    );
    assert!(
        err.contains("(start with --reset or another --data-dir)"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(meta(&chain_dir), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_start_reports_the_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(NodeConfig::test(dir.path())).await.unwrap();
    assert_eq!(node.chain().schedule_version(), default_version());
    node.stop().await.unwrap();

    let mut cfg = NodeConfig::test(dir.path());
    cfg.chain.vm.schedule.version = other_version();
    match Node::start(cfg).await {
        Err(NodeError::Chain(ChainError::ScheduleVersionMismatch {
            data_dir,
            recorded,
            configured,
        })) => {
            assert_eq!(data_dir, dir.path().join("chain"));
            assert_eq!(recorded, Some(default_version()));
            assert_eq!(configured, other_version());
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("another schedule version was accepted"),
    }
    // The database was released: the right configuration starts.
    let node = Node::start(NodeConfig::test(dir.path())).await.unwrap();
    assert_eq!(node.chain().head_height(), 0);
    node.stop().await.unwrap();
}
