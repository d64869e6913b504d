//! `Store` and `Linker`: several instances sharing memories, tables and globals;
//! cross-instance calls (direct and through tables) are frame pushes with their own
//! memory, and instantiation failures keep the spec's partial effects.

use metron_vm::{
    Caller, Config, Extern, FuncType, GasMeter, Host, HostError, InstantiationError, Linker,
    Module, NoHost, Store, TrapKind, ValType, Value,
};

fn compile(wat: &str) -> Module {
    Module::new(&Config::default(), &wat::parse_str(wat).expect("valid WAT")).expect("valid")
}

fn setup() -> (Store, Linker) {
    (Store::new(&Config::default()), Linker::new())
}

#[test]
fn shared_memory_global_and_table_across_instances() {
    let (mut store, mut linker) = setup();
    let a = compile(
        r#"(module
          (memory (export "mem") 1)
          (global (export "g") (mut i32) (i32.const 1))
          (table (export "tab") 4 funcref)
          (func $id (export "id") (param i32) (result i32) (local.get 0))
          (func (export "peek") (result i32) (i32.load (i32.const 16)))
          (elem (i32.const 0) $id))"#,
    );
    let ia = linker
        .instantiate(&mut store, &a, &mut NoHost, &mut GasMeter::unlimited())
        .unwrap();
    linker.define_instance(&store, "a", ia);
    let b = compile(
        r#"(module
          (import "a" "mem" (memory 1))
          (import "a" "g" (global $g (mut i32)))
          (import "a" "tab" (table 4 funcref))
          (import "a" "peek" (func $peek (result i32)))
          (type $t (func (param i32) (result i32)))
          (func $mine (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
          (elem (i32.const 1) $mine)
          (func (export "run") (result i32)
            (i32.store (i32.const 16) (i32.const 100))
            (global.set $g (i32.add (global.get $g) (i32.const 1)))
            (i32.add
              (call $peek)
              (i32.add (call_indirect (type $t) (i32.const 5) (i32.const 0))
                       (call_indirect (type $t) (i32.const 5) (i32.const 1))))))"#,
    );
    let ib = linker
        .instantiate(&mut store, &b, &mut NoHost, &mut GasMeter::unlimited())
        .unwrap();
    let r = store
        .invoke(&mut NoHost, ib, "run", &[], &mut GasMeter::unlimited())
        .unwrap();
    assert_eq!(r, vec![Value::I32(100 + 5 + 15)]);
    // Instance a sees b's writes to the shared memory and global, and b's function in
    // the shared table (called from a, it runs in b's context).
    let g = store.export(ia, "g").unwrap();
    assert_eq!(store.global_value(g), Some(Value::I32(2)));
    assert_eq!(store.instance_memory(ia).unwrap()[16], 100);
    let tab_call = compile(
        r#"(module
          (import "a" "tab" (table 4 funcref))
          (type $t (func (param i32) (result i32)))
          (func (export "call") (param i32 i32) (result i32)
            (call_indirect (type $t) (local.get 1) (local.get 0))))"#,
    );
    let ic = linker
        .instantiate(
            &mut store,
            &tab_call,
            &mut NoHost,
            &mut GasMeter::unlimited(),
        )
        .unwrap();
    let call = |store: &mut Store, slot: i32| {
        store.invoke(
            &mut NoHost,
            ic,
            "call",
            &[Value::I32(slot), Value::I32(7)],
            &mut GasMeter::unlimited(),
        )
    };
    assert_eq!(call(&mut store, 1).unwrap(), vec![Value::I32(21)]);
    assert_eq!(
        call(&mut store, 2).unwrap_err().kind(),
        TrapKind::UninitializedElement
    );
}

#[test]
fn import_matching_errors() {
    let (mut store, mut linker) = setup();
    let mem = store.new_memory(1, Some(2)).unwrap();
    let g = store
        .new_global(ValType::I32, false, Value::I32(3))
        .unwrap();
    linker.define("m", "mem", mem);
    linker.define("m", "g", g);
    let mut inst = |wat: &str| {
        linker.instantiate(
            &mut store,
            &compile(wat),
            &mut NoHost,
            &mut GasMeter::unlimited(),
        )
    };
    assert!(
        inst(r#"(module (import "m" "mem" (memory 1 2)) (import "m" "g" (global i32)))"#).is_ok()
    );
    for bad in [
        r#"(module (import "m" "mem" (memory 2)))"#,
        r#"(module (import "m" "mem" (memory 1 1)))"#,
        r#"(module (import "m" "g" (global (mut i32))))"#,
        r#"(module (import "m" "g" (global i64)))"#,
        r#"(module (import "m" "g" (func)))"#,
    ] {
        assert!(
            matches!(
                inst(bad),
                Err(InstantiationError::IncompatibleImport { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        inst(r#"(module (import "m" "nope" (table 1 funcref)))"#),
        Err(InstantiationError::UnknownImport { .. })
    ));
    assert!(matches!(
        inst(r#"(module (import "m" "nope" (func)))"#),
        Err(InstantiationError::UnresolvedImport { .. })
    ));
}

#[test]
fn failed_instantiation_keeps_partial_effects() {
    let (mut store, mut linker) = setup();
    let table = store.new_table(ValType::FuncRef, 2, None).unwrap();
    let mem = store.new_memory(1, None).unwrap();
    linker.define("m", "t", table);
    linker.define("m", "mem", mem);
    // The first segment lands in the shared table and memory; the second is out of
    // bounds: instantiation traps, but the writes stay and the function stays callable.
    let m = compile(
        r#"(module
          (import "m" "t" (table 2 funcref))
          (import "m" "mem" (memory 1))
          (func $f (result i32) (i32.const 77))
          (elem (i32.const 0) $f)
          (data (i32.const 0) "hi")
          (data (i32.const 65535) "xy"))"#,
    );
    let e = linker
        .instantiate(&mut store, &m, &mut NoHost, &mut GasMeter::unlimited())
        .unwrap_err();
    assert!(matches!(&e, InstantiationError::Trap(t) if t.kind() == TrapKind::MemoryOutOfBounds));
    assert_eq!(&store.memory_data(mem).unwrap()[..2], b"hi");
    let caller = compile(
        r#"(module
          (import "m" "t" (table 2 funcref))
          (type $t (func (result i32)))
          (func (export "go") (result i32) (call_indirect (type $t) (i32.const 0))))"#,
    );
    let ic = linker
        .instantiate(&mut store, &caller, &mut NoHost, &mut GasMeter::unlimited())
        .unwrap();
    let r = store.invoke(&mut NoHost, ic, "go", &[], &mut GasMeter::unlimited());
    assert_eq!(r.unwrap(), vec![Value::I32(77)]);
}

/// A host whose function reports the length of the caller's memory.
struct MemLen;

impl Host for MemLen {
    fn resolve_func(&mut self, _: &str, name: &str, _: &FuncType) -> Option<u32> {
        (name == "mem_len").then_some(0)
    }
    fn call(
        &mut self,
        _id: u32,
        caller: &mut Caller<'_>,
        _args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        results[0] = Value::I64(caller.memory_size() as i64);
        Ok(())
    }
}

#[test]
fn host_functions_see_the_calling_instance_memory_and_deep_cross_calls_do_not_recurse() {
    let (mut store, mut linker) = setup();
    let a = compile(
        r#"(module
          (import "env" "mem_len" (func $len (result i64)))
          (memory 1)
          (func (export "len") (result i64) (call $len))
          (func $down (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    let ia = linker
        .instantiate(&mut store, &a, &mut MemLen, &mut GasMeter::unlimited())
        .unwrap();
    linker.define_instance(&store, "a", ia);
    let b = compile(
        r#"(module
          (import "a" "len" (func $alen (result i64)))
          (import "env" "mem_len" (func $len (result i64)))
          (import "a" "down" (func $down (param i32) (result i32)))
          (memory 3)
          (func (export "lens") (result i64 i64) (call $alen) (call $len))
          (func $ping (export "ping") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
              (else (call $down (i32.const 1)) (drop)
                    (call $ping (i32.sub (local.get 0) (i32.const 1)))))))"#,
    );
    let ib = linker
        .instantiate(&mut store, &b, &mut MemLen, &mut GasMeter::unlimited())
        .unwrap();
    let r = store
        .invoke(&mut MemLen, ib, "lens", &[], &mut GasMeter::unlimited())
        .unwrap();
    assert_eq!(r, vec![Value::I64(65536), Value::I64(3 * 65536)]);
    // Deep alternation between instances is bounded by the call depth limit (a trap,
    // not a native stack overflow).
    let r = store.invoke(
        &mut MemLen,
        ib,
        "ping",
        &[Value::I32(100_000)],
        &mut GasMeter::unlimited(),
    );
    assert_eq!(r.unwrap_err().kind(), TrapKind::CallStackExhausted);
    let r = store.invoke(
        &mut MemLen,
        ib,
        "ping",
        &[Value::I32(300)],
        &mut GasMeter::unlimited(),
    );
    assert_eq!(r.unwrap(), vec![Value::I32(1)]);
    assert!(matches!(store.export(ia, "len"), Some(Extern::Func(_))));
}
