//! The `generated` part: seeded wasm-smith modules from `metron-fuzz`'s generator
//! ([`metron_fuzz::generate::seeded_modules`]) run on Metron with metering on.

use metron_fuzz::generate::{self, f32_edges, f64_edges, i32_edges, i64_edges};
use metron_fuzz::oracle::{zero_args, EXEC_GAS};
use metron_vm::{
    Config, ExternKind, GasMeter, Instance, InstantiationError, Module, NoHost, ValType, Value,
};

use crate::recorder::{
    encode_outcome, encode_value, encode_values, error_kind_name, record_memory, run_ordered,
    trap_name, Sink,
};

/// Default number of modules (a quick run).
pub const DEFAULT_MODULES: u64 = 2000;

/// Default seed: [`generate::DEFAULT_SEED`], the seed of `metron-fuzz`'s seeded tests.
pub const DEFAULT_SEED: u64 = generate::DEFAULT_SEED;

/// Runs modules `0..modules` of stream `seed` on up to `threads` threads and records
/// them in index order ([`run_module`]).
pub fn run(seed: u64, modules: u64, threads: usize, sink: &mut dyn Sink) {
    let n = usize::try_from(modules).unwrap_or(usize::MAX);
    // Generation is cheap next to execution and sequential by nature (one stream):
    // generate a batch, run it in parallel.
    let mut inputs = generate::seeded_modules(seed, modules).enumerate();
    let batch = threads.max(1) * 64;
    let mut start = 0;
    while start < n {
        let wasm: Vec<(usize, Option<Vec<u8>>)> = inputs.by_ref().take(batch).collect();
        let count = wasm.len();
        run_ordered(count, threads, sink, &|j, buf| {
            let (i, m) = &wasm[j];
            run_module(seed, *i as u64, m.as_deref(), buf);
        });
        start += count;
        if count == 0 {
            break;
        }
    }
}

/// Arguments derived from the seed and the module index: each parameter an edge-case
/// operand ([`i32_edges`], ...) picked by a xorshift stream.
pub fn seeded_args(seed: u64, index: u64, call: u64, params: &[ValType]) -> Vec<Value> {
    let mut state = (seed
        ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ call.wrapping_mul(0xd1b5_4a32_d192_ed03))
        | 1;
    params
        .iter()
        .map(|t| {
            let r = generate::stream_bytes(&mut state, 2);
            let k = usize::from(u16::from_le_bytes([r[0], r[1]]));
            match t {
                ValType::I32 => Value::I32(i32_edges()[k % i32_edges().len()]),
                ValType::I64 => Value::I64(i64_edges()[k % i64_edges().len()]),
                ValType::F32 => Value::F32(f32_edges()[k % f32_edges().len()]),
                ValType::F64 => Value::F64(f64_edges()[k % f64_edges().len()]),
                ValType::FuncRef => Value::FuncRef(None),
                ValType::ExternRef => Value::ExternRef(None),
            }
        })
        .collect()
}

/// Records module `index` (`wasm`, or `None` when the input made no module), items named
/// `module <index> ...`:
/// * `wasm`: the module's bytes' length (u64 LE), or `no module`;
/// * `compile`: `ok`, or the error kind ([`error_kind_name`]) and nothing more;
/// * `instantiate`: gas used (u64 LE), then `ok`, or the trap's name, or `link error`
///   (gas limit [`EXEC_GAS`], metering on, [`Config::default`]);
/// * for each exported function in export order, `export <name> zeros` then `export
///   <name> seeded`: the arguments ([`zero_args`], [`seeded_args`]), then `0` and the
///   results, or `1` and the trap's name, then gas used (u64 LE); each call with a fresh
///   meter of [`EXEC_GAS`]; calls go on after a trap;
/// * `memory`: every byte of the memory ([`record_memory`]), if any;
/// * `global <name>`: each exported global's value, in export order.
pub fn run_module(seed: u64, index: u64, wasm: Option<&[u8]>, sink: &mut dyn Sink) {
    let p = format!("module {index}");
    let Some(wasm) = wasm else {
        sink.item(&format!("{p} no module"), b"");
        return;
    };
    sink.item(&format!("{p} wasm"), &(wasm.len() as u64).to_le_bytes());
    let config = Config::default();
    let module = match Module::new(&config, wasm) {
        Ok(m) => m,
        Err(e) => {
            sink.item(
                &format!("{p} compile"),
                error_kind_name(e.kind()).as_bytes(),
            );
            return;
        }
    };
    sink.item(&format!("{p} compile"), b"ok");
    let mut gas = GasMeter::new(EXEC_GAS);
    let r = Instance::new(&module, &mut NoHost, &mut gas);
    let mut bytes = gas.used().to_le_bytes().to_vec();
    let mut instance = match r {
        Ok(i) => {
            bytes.extend_from_slice(b"ok");
            sink.item(&format!("{p} instantiate"), &bytes);
            i
        }
        Err(e) => {
            match e {
                InstantiationError::Trap(t) => {
                    bytes.extend_from_slice(trap_name(t.kind()).as_bytes())
                }
                _ => bytes.extend_from_slice(b"link error"),
            }
            sink.item(&format!("{p} instantiate"), &bytes);
            return;
        }
    };
    let exports: Vec<(String, ExternKind)> =
        module.exports().map(|(n, k)| (n.to_string(), k)).collect();
    for (name, kind) in &exports {
        if *kind != ExternKind::Func {
            continue;
        }
        let Some(ty) = module.export_func_type(name) else {
            continue;
        };
        let params = ty.params().to_vec();
        let calls = [
            ("zeros", zero_args(&params)),
            ("seeded", seeded_args(seed, index, 0, &params)),
        ];
        for (how, args) in calls {
            let mut gas = GasMeter::new(EXEC_GAS);
            let r = instance.invoke(&mut NoHost, name, &args, &mut gas);
            let mut bytes = Vec::new();
            encode_values(&mut bytes, &args);
            encode_outcome(&mut bytes, &r, gas.used());
            sink.item(&format!("{p} export {name} {how}"), &bytes);
        }
    }
    if let Some(m) = instance.memory() {
        record_memory(sink, &format!("{p} memory"), m);
    }
    for (name, kind) in &exports {
        if *kind == ExternKind::Global {
            let mut bytes = Vec::new();
            match instance.global(name) {
                Some(v) => encode_value(&mut bytes, &v),
                None => bytes.push(0xff),
            }
            sink.item(&format!("{p} global {name}"), &bytes);
        }
    }
}
