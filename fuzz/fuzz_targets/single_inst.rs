//! One numeric instruction with edge-case (or arbitrary) operands against wasmi.
//! A panic inside wasmi is wasmi's bug: printed, input rejected, not a crash
//! (`metron_fuzz::findings::fuzz_verdict`; the message names the instruction and operands).
#![no_main]
use arbitrary::Unstructured;
use libfuzzer_sys::{fuzz_target, Corpus};
use metron_fuzz::{engine, findings, generate, oracle};
use metron_vm::{ValType, Value};

fn operand(u: &mut Unstructured<'_>, t: ValType) -> arbitrary::Result<Value> {
    let edge: bool = u.arbitrary()?;
    Ok(match t {
        ValType::I32 if edge => Value::I32(*u.choose(generate::i32_edges())?),
        ValType::I64 if edge => Value::I64(*u.choose(generate::i64_edges())?),
        ValType::F32 if edge => Value::F32(*u.choose(generate::f32_edges())?),
        ValType::F64 if edge => Value::F64(*u.choose(generate::f64_edges())?),
        ValType::I32 => Value::I32(u.arbitrary()?),
        ValType::I64 => Value::I64(u.arbitrary()?),
        ValType::F32 => Value::F32(u.arbitrary()?),
        ValType::F64 => Value::F64(u.arbitrary()?),
        _ => Value::I32(0),
    })
}

fuzz_target!(init: engine::install_panic_hook(), |data: &[u8]| -> Corpus {
    let mut u = Unstructured::new(data);
    let insts = oracle::instructions();
    let Ok(inst) = u.choose(insts) else {
        return Corpus::Keep;
    };
    let args: Result<Vec<Value>, _> = inst.1.iter().map(|&t| operand(&mut u, t)).collect();
    let Ok(args) = args else {
        return Corpus::Keep;
    };
    if findings::fuzz_verdict(oracle::single_inst(inst, &args), None) {
        Corpus::Keep
    } else {
        Corpus::Reject
    }
});
