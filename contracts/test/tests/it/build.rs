//! `Code::crate_name`: a workspace contract crate built for wasm32 by the harness.

use metron_example_macro_token::Error;
use metron_test::{BuildError, Code, Harness};

#[test]
fn a_workspace_crate_builds_and_runs() {
    let code = Code::crate_name("metron-example-macro-token");
    let bytes = code.bytes().expect("the crate builds");
    assert_eq!(&bytes[..4], b"\0asm");
    // Built once per process.
    assert!(std::sync::Arc::ptr_eq(&bytes, &code.bytes().unwrap()));

    let h = Harness::new();
    let (alice, bob) = (h.account(0), h.account(1));
    let token = h.deploy(alice, &code, &(10u128,)).unwrap();
    h.call(alice, token, "transfer", &(bob, 4u128))
        .assert_success();
    let overdraft = h.call(bob, token, "transfer", &(alice, 5u128));
    assert_eq!(
        overdraft.revert::<Error>(),
        Some(Error::InsufficientBalance)
    );
    assert_eq!(
        h.gas_report().rows()[0].label.as_deref(),
        Some("metron-example-macro-token")
    );
}

#[test]
fn unknown_and_non_contract_crates_are_build_errors() {
    let e = Code::crate_name("no-such-crate").bytes().unwrap_err();
    assert!(
        matches!(&e, BuildError::Locate(m) if m.contains("is not a member")),
        "{e}"
    );
    let e = Code::crate_name("metron-node").bytes().unwrap_err();
    assert!(
        matches!(&e, BuildError::Locate(m) if m.contains("no cdylib")),
        "{e}"
    );
}
