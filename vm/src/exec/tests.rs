//! Interpreter unit tests over hand-written IR (independent of the translator).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::host::NoHost;
use crate::instance::Instance;
use crate::ir::{Instr, Slot};
use crate::meter::GasMeter;
use crate::module::{CompiledFunc, Export, FrameShape, FuncDecl, FuncKind, Module, ModuleInner};
use crate::trap::TrapKind;
use crate::types::{ExternKind, FuncType, ValType};
use crate::value::Value;
use crate::{Config, GasSchedule, Limits};

struct F {
    ty: u32,
    params: u32,
    locals: u32,
    consts: Vec<u64>,
    frame: u32,
    results: u32,
    code: Vec<Instr>,
}

fn module(types: Vec<FuncType>, funcs: Vec<F>, exports: &[(&str, u32)], depth: u32) -> Module {
    let (mut code, mut consts) = (Vec::new(), Vec::new());
    let funcs = funcs
        .into_iter()
        .map(|f| {
            // The hand-written IR passes the frame check `Module::new` makes.
            for i in &f.code {
                assert!(
                    super::verify::implicit_slots(i, f.frame, &types),
                    "{i:?} outside a frame of {}",
                    f.frame
                );
            }
            // Pools in function order (the `pool` of each hand-written `enter`).
            consts.extend_from_slice(&f.consts);
            let compiled = CompiledFunc {
                type_index: f.ty,
                frame: FrameShape {
                    num_params: f.params,
                    num_locals: f.locals,
                    num_consts: f.consts.len() as u32,
                    frame_size: f.frame,
                    stack_cost: f.frame,
                    entry_gas: 0,
                },
                num_results: f.results,
                num_written: 0,
                code_start: code.len() as u32,
                code_len: f.code.len() as u32,
            };
            code.extend(f.code.into_iter().map(super::threaded::Op::from_translated));
            FuncDecl {
                type_index: f.ty,
                kind: FuncKind::Compiled(compiled),
            }
        })
        .collect::<Vec<_>>();
    let exports: BTreeMap<String, Export> = exports
        .iter()
        .map(|&(n, i)| {
            (
                n.to_string(),
                Export {
                    kind: ExternKind::Func,
                    index: i,
                },
            )
        })
        .collect();
    let config = Config::default();
    let call_targets = ModuleInner::call_targets_of(&funcs);
    Module {
        inner: Arc::new(ModuleInner {
            types,
            funcs,
            num_imported_funcs: 0,
            tables: vec![],
            memory: None,
            globals: vec![],
            exports,
            imports: vec![],
            start: None,
            elements: vec![],
            datas: vec![],
            schedule: GasSchedule::default(),
            metering: true,
            limits: Limits::default(),
            max_call_depth: depth,
            max_stack_slots: config.max_stack_slots,
            code,
            // `copy_consts` reads whole blocks (as `translate::compile` pads it).
            consts: {
                consts.extend([0; super::INIT_BLOCK as usize - 1]);
                consts.into()
            },
            call_targets,
        }),
    }
}

fn fib_module(depth: u32) -> Module {
    use Instr::*;
    let s = Slot;
    let fib = F {
        ty: 0,
        params: 1,
        locals: 0,
        consts: vec![2, 1],
        frame: 5,
        results: 1,
        code: vec![
            // The constants 2, 1 are the first pool of the arena (`module`).
            Enter {
                params: 1,
                consts: 2,
                gas: 3,
                locals: 0,
                pool: 0,
            },
            BrI64GeU {
                lhs: s(0),
                rhs: s(1),
                offset: 2,
                gas: 0,
            },
            ReturnOne { src: s(0) },
            I64Sub {
                dst: s(3),
                lhs: s(0),
                rhs: s(2),
            },
            Call {
                func: 0,
                args: s(3),
            },
            I64Sub {
                dst: s(4),
                lhs: s(0),
                rhs: s(1),
            },
            Call {
                func: 0,
                args: s(4),
            },
            I64Add {
                dst: s(3),
                lhs: s(3),
                rhs: s(4),
            },
            ReturnOne { src: s(3) },
        ],
    };
    // loop forever: [ConsumeGas 1; Br -1]
    let spin = F {
        ty: 1,
        params: 0,
        locals: 0,
        consts: vec![],
        frame: 0,
        results: 0,
        code: vec![ConsumeGas { amount: 1 }, Br { offset: -1, gas: 0 }],
    };
    // i32 add with a local and select: (a, b) -> if a != 0 { a + b } else { b - 1 }
    let misc = F {
        ty: 2,
        params: 2,
        locals: 1,
        consts: vec![1],
        // P + L + 4 (the constant's whole block; `verify::implicit_slots`).
        frame: 7,
        results: 1,
        code: vec![
            // Zero the local (slot 2), constant 1 to slot 3: the third pool of the
            // arena, after fib's two constants (`spin` has none).
            Enter {
                params: 2,
                consts: 1,
                gas: 0,
                locals: 1,
                pool: 2,
            },
            I32Add {
                dst: s(2),
                lhs: s(0),
                rhs: s(1),
            },
            I32Sub {
                dst: s(4),
                lhs: s(1),
                rhs: s(3),
            },
            Select {
                dst: s(5),
                cond: s(0),
                if_true: s(2),
            },
            Arg { slot: s(4) },
            Return {
                values: s(5),
                count: 1,
            },
        ],
    };
    module(
        vec![
            FuncType::new([ValType::I64], [ValType::I64]),
            FuncType::new([], []),
            FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        ],
        vec![fib, spin, misc],
        &[("fib", 0), ("spin", 1), ("misc", 2)],
        depth,
    )
}

#[test]
fn recursive_fib_on_hand_written_ir() {
    let m = fib_module(1024);
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::unlimited();
    let r = i
        .invoke(&mut NoHost, "fib", &[Value::I64(20)], &mut gas)
        .unwrap();
    assert_eq!(r, vec![Value::I64(6765)]);
    // fib(20) makes 21891 calls, each charging 3.
    assert_eq!(gas.used(), 21_891 * 3);
}

#[test]
fn select_locals_and_return() {
    let m = fib_module(1024);
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut g = GasMeter::unlimited();
    let r = i.invoke(&mut NoHost, "misc", &[Value::I32(2), Value::I32(3)], &mut g);
    assert_eq!(r.unwrap(), vec![Value::I32(5)]);
    let r = i.invoke(&mut NoHost, "misc", &[Value::I32(0), Value::I32(3)], &mut g);
    assert_eq!(r.unwrap(), vec![Value::I32(2)]);
    let r = i.invoke(&mut NoHost, "misc", &[Value::I32(0)], &mut g);
    assert_eq!(r.unwrap_err().kind(), TrapKind::Host);
}

#[test]
fn spin_runs_out_of_gas() {
    let m = fib_module(1024);
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut gas = GasMeter::new(1000);
    let e = i.invoke(&mut NoHost, "spin", &[], &mut gas).unwrap_err();
    assert_eq!(e.kind(), TrapKind::OutOfGas);
    assert_eq!(gas.used(), 1000);
}

#[test]
fn depth_limit() {
    let m = fib_module(10);
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    let mut g = GasMeter::unlimited();
    // fib(n) nests n frames deep (n-1 calls below the entry frame).
    assert!(i
        .invoke(&mut NoHost, "fib", &[Value::I64(10)], &mut g)
        .is_ok());
    let e = i
        .invoke(&mut NoHost, "fib", &[Value::I64(11)], &mut g)
        .unwrap_err();
    assert_eq!(e.kind(), TrapKind::CallStackExhausted);
    // Still usable afterwards.
    let r = i
        .invoke(&mut NoHost, "fib", &[Value::I64(5)], &mut g)
        .unwrap();
    assert_eq!(r, vec![Value::I64(5)]);
}

#[test]
fn public_handles_are_thread_safe() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Module>();
    send::<Instance>();
    send::<crate::trap::Trap>();
}
