//! Dev accounts from a BIP-39 mnemonic (`metron node --dev --mnemonic … --accounts N
//! --balance B`): `dev_accounts` serves the derived keys, genesis funds them, they sign,
//! and a data dir created with them does not resume with other accounts.

use metron_node::dev::{DevAccounts, DevKeySource};
use metron_node::error::ChainError;
use metron_node::service::{Node, NodeConfig, NodeError};
use metron_node::types::Action;
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;

use crate::common::*;

/// Anvil's default mnemonic.
const JUNK: &str = "test test test test test test test test test test test junk";
const BALANCE: u128 = 123_456_789_000;

fn mnemonic_accounts() -> DevAccounts {
    DevAccounts::new(DevKeySource::mnemonic(JUNK).unwrap(), 3, BALANCE).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mnemonic_accounts_are_served_funded_and_sign() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = mnemonic_accounts();
    let mut config = NodeConfig::test(dir.path());
    config.set_dev_accounts(&accounts);
    let node = Node::start(config).await.expect("node starts");
    let c = client(&node);

    let keys = accounts.keys();
    let served = c.dev_accounts().await.unwrap();
    assert_eq!(served.len(), 3);
    for (i, a) in served.iter().enumerate() {
        assert_eq!(a.index as usize, i);
        assert_eq!(a.secret_key.0, keys[i].to_bytes());
        assert_eq!(a.address.0, keys[i].verifying_key().to_bytes());
        assert_eq!(balance(&c, a.address.0).await, BALANCE);
    }
    // Account 0 at m/44'/1337'/0'/0'/0' (the unit tests in dev.rs pin it).
    assert_eq!(
        metron_rpc::hex_serde::encode(&served[0].address.0),
        "0xb95362e2a44551edc90f75c3bdcd9f41b665567baf619e3427d0e19308af8b03"
    );
    // The well-known keys are not funded here.
    assert_eq!(balance(&c, addr(0)).await, 0);

    // Account 2 signs a transfer to account 0.
    let to = served[0].address.0;
    let r = send(
        &c,
        &keys[2],
        TRANSFER_GAS,
        Action::Transfer { to, amount: 1_000 },
    )
    .await;
    assert_eq!(r.status, wire::ExecStatus::Success, "{r:?}");
    assert_eq!(balance(&c, to).await, BALANCE + 1_000);
    assert_eq!(
        balance(&c, served[2].address.0).await,
        BALANCE - 1_000 - r.fee.0
    );
    node.stop().await.unwrap();

    // Genesis is consensus: the data dir does not resume with the default accounts...
    let e = Node::start(NodeConfig::test(dir.path()))
        .await
        .err()
        .expect("other accounts are refused");
    assert!(
        matches!(e, NodeError::Chain(ChainError::GenesisMismatch { .. })),
        "{e}"
    );
    // ...and does with the same ones.
    let mut config = NodeConfig::test(dir.path());
    config.set_dev_accounts(&mnemonic_accounts());
    let node = Node::start(config).await.expect("same accounts resume");
    assert_eq!(client(&node).dev_accounts().await.unwrap(), served);
    node.stop().await.unwrap();
}
