//! Checks the built modules: WebAssembly 2.0 without SIMD, the contract exports, and
//! imports only from module `"metron"` with the host ABI's signatures.

use std::collections::BTreeSet;

use wasmparser::types::EntityType;
use wasmparser::{ValType, Validator, WasmFeatures};

use crate::{COUNTER_WASM, TOKEN_WASM};

/// The features Metron's VM accepts: WebAssembly 2.0 without SIMD.
fn metron_features() -> WasmFeatures {
    WasmFeatures::WASM2.difference(WasmFeatures::SIMD)
}

/// The host ABI (`docs/abi.md`): import name, params, results.
const HOST_ABI: &[(&str, &[ValType], &[ValType])] = {
    use ValType::{I32, I64};
    &[
        ("input_len", &[], &[I32]),
        ("input_read", &[I32], &[]),
        ("return_data", &[I32, I32], &[]),
        ("storage_read", &[I32, I32, I32, I32], &[I64]),
        ("storage_write", &[I32, I32, I32, I32], &[]),
        ("storage_remove", &[I32, I32], &[]),
        ("caller", &[I32], &[]),
        ("address", &[I32], &[]),
        ("value", &[I32], &[]),
        ("balance", &[I32, I32], &[]),
        ("block_height", &[], &[I64]),
        ("block_timestamp", &[], &[I64]),
        ("emit_event", &[I32, I32, I32, I32], &[]),
        ("abort", &[I32, I32], &[]),
    ]
};

const COUNTER_METHODS: &[&str] = &["init", "increment", "get", "add"];
const TOKEN_METHODS: &[&str] = &[
    "init",
    "total_supply",
    "balance_of",
    "transfer",
    "approve",
    "allowance",
    "transfer_from",
];

/// Validates `wasm` and checks its imports and exports; returns the imported names.
fn check_module(name: &str, wasm: &[u8], methods: &[&str]) -> BTreeSet<String> {
    let types = Validator::new_with_features(metron_features())
        .validate_all(wasm)
        .unwrap_or_else(|e| panic!("{name}: not valid WebAssembly 2.0 without SIMD: {e}"));
    let types = types.as_ref();

    let mut imported = BTreeSet::new();
    for (module, field, ty) in types.core_imports().expect("a core module") {
        assert_eq!(
            module, "metron",
            "{name}: import {module}.{field} is not from \"metron\""
        );
        let EntityType::Func(id) = ty else {
            panic!("{name}: import metron.{field} is not a function");
        };
        let (_, params, results) = HOST_ABI
            .iter()
            .find(|(n, _, _)| *n == field)
            .unwrap_or_else(|| panic!("{name}: unknown host function metron.{field}"));
        let func = types[id].unwrap_func();
        assert_eq!(func.params(), *params, "{name}: params of metron.{field}");
        assert_eq!(
            func.results(),
            *results,
            "{name}: results of metron.{field}"
        );
        imported.insert(field.to_string());
    }

    let mut memory = false;
    let mut exported = BTreeSet::new();
    for (export, ty) in types.core_exports().expect("a core module") {
        match ty {
            EntityType::Memory(m) => {
                assert_eq!(export, "memory", "{name}: memory exported as {export}");
                assert!(
                    !m.memory64 && !m.shared,
                    "{name}: memory must be 32-bit, unshared"
                );
                // Stack (64 KiB, see the examples' build.rs) plus static data.
                assert!(m.initial <= 2, "{name}: {} initial pages", m.initial);
                memory = true;
            }
            EntityType::Func(id) => {
                let func = types[id].unwrap_func();
                assert!(
                    func.params().is_empty() && func.results().is_empty(),
                    "{name}: method {export} must be () -> ()"
                );
                exported.insert(export);
            }
            // The linker's `__heap_base` / `__data_end` (immutable i32): harmless.
            EntityType::Global(g) => assert!(!g.mutable, "{name}: mutable global {export}"),
            other => panic!("{name}: unexpected export {export}: {other:?}"),
        }
    }
    assert!(memory, "{name}: no memory export");
    let expected: BTreeSet<&str> = methods.iter().copied().collect();
    assert_eq!(exported, expected, "{name}: exported methods");
    imported
}

#[test]
fn sizes() {
    println!("counter.wasm: {} bytes", COUNTER_WASM.len());
    println!("token.wasm: {} bytes", TOKEN_WASM.len());
    assert!(
        COUNTER_WASM.len() < 4 * 1024,
        "counter.wasm is {} bytes",
        COUNTER_WASM.len()
    );
    assert!(
        TOKEN_WASM.len() < 8 * 1024,
        "token.wasm is {} bytes",
        TOKEN_WASM.len()
    );
}

#[test]
fn counter_module() {
    let imports = check_module("counter", COUNTER_WASM, COUNTER_METHODS);
    for f in [
        "input_len",
        "input_read",
        "storage_read",
        "storage_write",
        "return_data",
    ] {
        assert!(imports.contains(f), "counter does not import {f}");
    }
}

#[test]
fn token_module() {
    let imports = check_module("token", TOKEN_WASM, TOKEN_METHODS);
    for f in ["caller", "emit_event", "storage_remove", "abort"] {
        assert!(imports.contains(f), "token does not import {f}");
    }
}

/// The validator setup really rejects SIMD and accepts the rest of 2.0 (so the checks
/// above mean something).
#[test]
fn metron_features_reject_simd() {
    let simd = wat::parse_str("(module (func (result v128) v128.const i64x2 0 0))").unwrap();
    match Validator::new_with_features(metron_features()).validate_all(&simd) {
        Ok(_) => panic!("SIMD module accepted"),
        Err(e) => assert!(e.message().contains("SIMD"), "{e}"),
    }
    // ... while WebAssembly 2.0's other features are accepted.
    let wasm2 = wat::parse_str(
        "(module (memory 1) (func (param i32) (result i32) \
           (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)) (i32.extend8_s (local.get 0))))",
    )
    .unwrap();
    assert!(Validator::new_with_features(metron_features())
        .validate_all(&wasm2)
        .is_ok());
    assert!(Validator::new_with_features(WasmFeatures::WASM1)
        .validate_all(&wasm2)
        .is_err());
}

/// rustc's default target features for wasm32-unknown-unknown (recorded by build.rs)
/// must all be WebAssembly 2.0 non-SIMD features, which Metron's VM implements.
#[test]
fn rustc_default_wasm32_features_are_wasm2_without_simd() {
    let allowed = [
        "bulk-memory",
        "bulk-memory-opt",
        "call-indirect-overlong",
        "multivalue",
        "mutable-globals",
        "nontrapping-fptoint",
        "reference-types",
        "sign-ext",
    ];
    let features = include_str!(concat!(env!("OUT_DIR"), "/wasm32-target-features.txt"));
    println!(
        "rustc wasm32 default target features: {:?}",
        features.lines().collect::<Vec<_>>()
    );
    for f in features.lines().filter(|l| !l.is_empty()) {
        assert!(
            allowed.contains(&f),
            "rustc enables wasm32 target feature {f:?} by default"
        );
    }
}
