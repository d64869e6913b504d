//! Shared helpers: compile WAT, instantiate, invoke.

use metron_vm::{Config, GasMeter, Instance, Module, NoHost, Trap, TrapKind, Value};

/// Compiles a WAT module with the default config.
pub fn module(wat: &str) -> Module {
    module_with(&Config::default(), wat)
}

/// Compiles a WAT module with `config`.
pub fn module_with(config: &Config, wat: &str) -> Module {
    let wasm = wat::parse_str(wat).expect("valid WAT");
    Module::new(config, &wasm).unwrap_or_else(|e| panic!("module rejected: {e}"))
}

/// Instantiates a WAT module without imports and with unlimited gas.
pub fn inst(wat: &str) -> Instance {
    let m = module(wat);
    Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited())
        .unwrap_or_else(|e| panic!("instantiation failed: {e}"))
}

/// Invokes `name` with unlimited gas.
pub fn call(i: &mut Instance, name: &str, args: &[Value]) -> Result<Vec<Value>, Trap> {
    i.invoke(&mut NoHost, name, args, &mut GasMeter::unlimited())
}

/// Invokes `name`, expecting exactly one result.
pub fn call1(i: &mut Instance, name: &str, args: &[Value]) -> Value {
    let r = call(i, name, args).unwrap_or_else(|t| panic!("{name}{args:?} trapped: {t}"));
    assert_eq!(r.len(), 1, "{name} results");
    r[0]
}

/// Invokes `name`, expecting a trap; returns its kind.
pub fn trap(i: &mut Instance, name: &str, args: &[Value]) -> TrapKind {
    match call(i, name, args) {
        Ok(r) => panic!("{name}{args:?} returned {r:?}, expected a trap"),
        Err(t) => t.kind(),
    }
}

pub fn i32(v: i32) -> Value {
    Value::I32(v)
}
pub fn i64(v: i64) -> Value {
    Value::I64(v)
}
pub fn f32(v: f32) -> Value {
    Value::F32(v.to_bits())
}
pub fn f64(v: f64) -> Value {
    Value::F64(v.to_bits())
}
