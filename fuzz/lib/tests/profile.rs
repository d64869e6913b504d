//! The VM's call profile (`metron_vm::profile`, what `contract_trace` reports per Wasm
//! function) over seeded wasm-smith modules: with it on, every export returns the same
//! values or traps the same way, with the same gas and memory, as with it off; and the
//! profile accounts for exactly the gas the call used. `METRON_FUZZ_MODULES` overrides
//! the number of modules (default 500), `METRON_FUZZ_SEED` the seed.

use arbitrary::Unstructured;
use metron_fuzz::engine::exported_funcs;
use metron_fuzz::generate;
use metron_fuzz::seed::{bytes, env};
use metron_vm::{Config, GasMeter, Instance, Module, NoHost, Value};

/// One export's outcome: results or the trap kind, gas left, memory 0.
type Run = (Result<Vec<Value>, String>, u64, Option<Vec<u8>>);

#[test]
fn profiling_changes_nothing_and_accounts_for_all_gas() {
    let n = env("METRON_FUZZ_MODULES", 500);
    let mut state = env("METRON_FUZZ_SEED", 0x6d65_7472_6f6e) ^ 0x70_726f_6669_6c65;
    let config = Config::default();
    // Gas per call: enough for most generated code to finish, small enough that some
    // calls run out (the profile then closes the open calls at the trap).
    let gas_limit = 2_000_000;
    let (mut calls, mut profiled_nodes, mut traps) = (0u64, 0usize, 0u64);
    for i in 0..n {
        let data = bytes(&mut state, 2048);
        let Ok(wasm) = generate::module(&mut Unstructured::new(&data)) else {
            continue;
        };
        let Ok(module) = Module::new(&config, &wasm) else {
            continue;
        };
        let new = || {
            let mut gas = GasMeter::new(gas_limit);
            Instance::new(&module, &mut NoHost, &mut gas).ok()
        };
        let (Some(mut plain), Some(mut profiled)) = (new(), new()) else {
            continue;
        };
        for (export, params, _) in exported_funcs(&wasm) {
            let args: Vec<Value> = params.iter().map(|&t| Value::default_of(t)).collect();
            let mut run = |inst: &mut Instance, profile: bool| -> (Run, u64) {
                if profile {
                    inst.enable_call_profile();
                }
                let mut gas = GasMeter::new(gas_limit);
                let r = inst
                    .invoke(&mut NoHost, &export, &args, &mut gas)
                    .map_err(|t| format!("{:?}", t.kind()));
                let total = match inst.take_call_profile() {
                    Some(p) => {
                        profiled_nodes += p.nodes().len();
                        if r.is_err() && p.nodes().is_empty() {
                            // A trap before the export was entered (argument checks).
                            0
                        } else {
                            assert_eq!(r.is_err(), p.trap_node().is_some(), "module {i} {export}");
                            p.total_gas()
                        }
                    }
                    None => 0,
                };
                let memory = inst.memory().map(<[u8]>::to_vec);
                ((r, gas.remaining(), memory), total)
            };
            let (a, _) = run(&mut plain, false);
            let (b, profiled_gas) = run(&mut profiled, true);
            calls += 1;
            traps += u64::from(a.0.is_err());
            assert_eq!(
                a, b,
                "module {i}, export {export}: profiling changed the outcome"
            );
            assert_eq!(
                profiled_gas,
                gas_limit - b.1,
                "module {i}, export {export}: the profile does not sum to the gas used"
            );
        }
    }
    eprintln!("{calls} calls ({traps} trapped), {profiled_nodes} profile nodes");
    assert!(calls > n / 2, "too few calls ran: {calls}");
    assert!(
        profiled_nodes as u64 > calls,
        "the modules made no nested calls"
    );
}
