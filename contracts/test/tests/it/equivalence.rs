//! The harness and a node agree: the same signed transactions (deploy, calls, a typed
//! revert, a trap, a missing method, a plain transfer) give the same receipts (status,
//! gas, return data, events) and the same state, transactions and receipts roots after
//! every block; the same dry runs give the same results. The node is a real one
//! (`metron_node::service::Node`), driven over JSON-RPC. No contract here reads the block
//! time: the two chains' clocks differ.

use metron_example_macro_token::Error;
use metron_node::service::{to_wire_call_result, to_wire_receipt, Node, NodeConfig};
use metron_node::{Action, ReceiptStatus, SignedTransaction};
use metron_rpc::types as wire;
use metron_rpc::MetronApiClient;
use metron_test::{CallOutcome, Code, Harness};
use parity_scale_codec::Encode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_gives_the_nodes_receipts_and_state_roots() {
    // The sequence, through the harness.
    let h = Harness::new();
    let (alice, bob, carol) = (h.account(0), h.account(1), h.account(2));
    let code = Code::wasm(metron_contracts::MACRO_TOKEN_WASM);
    let deployed = h.deploy_outcome(alice, &code, &(1_000_000u128,)).unwrap();
    let token = deployed.contract_address().expect("deployed");
    let counter = h
        .deploy_outcome(bob, &Code::wasm(metron_contracts::COUNTER_WASM), &())
        .unwrap();
    let mut outcomes: Vec<CallOutcome> = vec![deployed, counter];
    outcomes.push(h.call(alice, token, "transfer", &(bob, 250u128)));
    outcomes.push(h.call(bob, token, "approve", &(carol, 100u128)));
    outcomes.push(h.call(carol, token, "transfer_from", &(bob, carol, 60u128)));
    let overdraft = h.call(carol, token, "transfer", &(alice, 61u128));
    assert_eq!(
        overdraft.revert::<Error>(),
        Some(Error::InsufficientBalance)
    );
    outcomes.push(overdraft);
    outcomes.push(h.call(alice, token, "transfer", &[1u8, 2, 3]));
    outcomes.push(h.call(alice, token, "no_such_message", &()));
    outcomes.push(h.call_with_value(alice, token, "transfer", &(bob, 1u128), 5));
    outcomes.push(
        h.send(
            alice,
            Action::Transfer {
                to: carol,
                amount: 12_345,
            },
        )
        .unwrap(),
    );
    outcomes.push(h.call(bob, token, "transfer", &(alice, 190u128)));
    let statuses: Vec<ReceiptStatus> = outcomes.iter().map(|o| o.status).collect();
    assert!(statuses.contains(&ReceiptStatus::Reverted));
    assert!(statuses.contains(&ReceiptStatus::MethodNotFound));
    assert!(statuses
        .iter()
        .any(|s| matches!(s, ReceiptStatus::Trapped(_))));
    assert!(outcomes.iter().filter(|o| o.is_success()).count() >= 6);

    // The same signed transactions, through a node.
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(NodeConfig::test(dir.path()))
        .await
        .expect("node starts");
    let c = metron_rpc::http_client(&node.rpc_url()).expect("client");
    let genesis = c.chain_get_block(0.into()).await.unwrap().unwrap();
    assert_eq!(
        genesis.header.state_root.0,
        h.chain().state_root(Some(0)).unwrap()
    );
    for outcome in &outcomes {
        let stx: &SignedTransaction = outcome.transaction.as_ref().unwrap();
        let ours = outcome.receipt.as_ref().unwrap();
        let hash = c
            .tx_submit(wire::Bytes(stx.to_bytes()), None)
            .await
            .expect("admitted");
        assert_eq!(hash.0, stx.hash());
        let theirs = c.tx_get_receipt(hash).await.unwrap().expect("receipt");
        assert_eq!(
            to_wire_receipt(ours),
            theirs,
            "receipt of {:?}",
            stx.tx.action
        );
        assert_eq!(theirs.gas_used, outcome.gas_used);
        let block = c
            .chain_get_block(theirs.block_height.into())
            .await
            .unwrap()
            .unwrap();
        let (_, mine) = h
            .chain()
            .block_by_number(ours.block_height)
            .unwrap()
            .unwrap();
        assert_eq!(block.header.state_root.0, mine.header.state_root);
        assert_eq!(
            block.header.transactions_root.0,
            mine.header.transactions_root
        );
        assert_eq!(block.header.receipts_root.0, mine.header.receipts_root);
    }
    let head = c.chain_head().await.unwrap();
    assert_eq!(head.height, h.block_height());
    assert_eq!(head.state_root.0, h.state_root());

    // Dry runs.
    for (method, input) in [
        ("balance_of", (bob,).encode()),
        ("allowance", (bob, carol).encode()),
        ("total_supply", Vec::new()),
        ("transfer", (carol, 1u128).encode()),
    ] {
        let ours = h
            .chain()
            .dry_run_call([0; 32], token, method, input.clone(), 0, h.gas_limit());
        let theirs = c
            .contract_call(wire::CallRequest {
                from: None,
                contract: wire::H256(token),
                method: method.into(),
                input: wire::Bytes(input),
                value: None,
                gas_limit: Some(h.gas_limit()),
                at: None,
            })
            .await
            .expect("contract_call");
        assert_eq!(to_wire_call_result(&ours.unwrap()), theirs, "{method}");
    }
    let q = h.query(token, "balance_of", &(bob,));
    assert_eq!(q.decode::<u128>(), Ok(0));
    node.stop().await.expect("clean stop");
}
