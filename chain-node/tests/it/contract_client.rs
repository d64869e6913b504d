//! The typed Rust client by name (`metron_node::contract_client::ContractClient`) against
//! an in-process node, with the macro token and its metadata.

use metron_node::contract_client::{ClientError, ContractClient, Outcome};
use metron_node::metadata::Metadata;

use crate::common::*;

fn token_metadata() -> Metadata {
    Metadata::parse(&metron_example_macro_token::__metron_contract_metadata()).expect("metadata")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn macro_token_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let node = start_node(dir.path()).await;
    let c = client(&node);

    let (token, deployed) = ContractClient::deploy(
        c.clone(),
        &key(0),
        metron_contracts::MACRO_TOKEN_WASM,
        token_metadata(),
        &[("supply", "1_000_000")],
    )
    .await
    .expect("deploy");
    let token = token.expect("deployed");
    assert!(deployed.output.is_success(), "{deployed:?}");
    assert_eq!(deployed.contract_address, Some(token.address()));
    assert_eq!(deployed.output.events.len(), 1);
    assert_eq!(deployed.output.events[0].name, "Transfer");

    // The same contract through `new`, as a client of an existing address.
    let token = ContractClient::new(c.clone(), token.address(), token_metadata());
    let supply = token
        .query("balance_of", &[("owner", "dev:0")])
        .await
        .unwrap();
    assert_eq!(supply.outcome, Outcome::Returned(Some("1000000".into())));

    let sent = token
        .call(&key(0), "transfer", &[("to", "dev:1"), ("amount", "250")])
        .await
        .expect("transfer");
    assert!(sent.output.is_success(), "{sent:?}");
    assert_eq!(sent.output.outcome, Outcome::Returned(None));
    assert!(sent.fee > 0 && sent.output.gas_used > 0);
    let [event] = sent.output.events.as_slice() else {
        panic!("one event: {sent:?}")
    };
    assert_eq!(event.contract, token.address());
    assert_eq!(event.name, "Transfer");
    assert!(event.decoded);
    assert_eq!(
        event.data,
        format!(
            "Transfer {{ from: {}, to: {}, amount: 250 }}",
            metron_rpc::hex_serde::encode(&addr(0)),
            metron_rpc::hex_serde::encode(&addr(1))
        )
    );

    let b = token
        .query("balance_of", &[("owner", "dev:1")])
        .await
        .unwrap();
    assert_eq!(b.value(), Some("250"));
    assert_eq!(
        token_balance(&c, wire_addr(token.address()), addr(1)).await,
        250
    );

    // dev 1 holds 250: sending 251 reverts with the typed error, decoded by name.
    let over = token
        .call(&key(1), "transfer", &[("to", "dev:2"), ("amount", "251")])
        .await
        .expect("a revert is a receipt");
    assert_eq!(
        over.output.outcome,
        Outcome::Reverted("InsufficientBalance".into())
    );
    assert_eq!(over.output.revert(), Some("InsufficientBalance"));
    assert!(over.output.events.is_empty());
    let dry = token
        .query_from(
            Some(addr(1)),
            "transfer",
            &[("to", "dev:2"), ("amount", "251")],
        )
        .await
        .unwrap();
    assert_eq!(dry.revert(), Some("InsufficientBalance"));

    // Argument errors name what is wrong, before anything is sent.
    let err = token
        .call(&key(0), "transfer", &[("to", "dev:1")])
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Args(_)));
    assert!(
        err.to_string().contains("missing argument --amount"),
        "{err}"
    );
    let err = token.query("nope", &[]).await.unwrap_err();
    assert!(err.to_string().contains("no message \"nope\""), "{err}");

    node.stop().await.unwrap();
}

fn wire_addr(a: [u8; 32]) -> metron_rpc::types::H256 {
    metron_rpc::types::H256(a)
}
