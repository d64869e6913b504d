//! The frame-slot check that makes the interpreter's unchecked slot access sound.
//!
//! The interpreter reads and writes operands through a raw frame pointer without bounds
//! checks (see the module docs of [`crate::exec`]). That is sound only if every slot an
//! instruction can touch lies inside its function's frame. The translator guarantees it
//! by construction; this check re-proves it on the finished IR of every function, once,
//! at `Module::new`, folded into the translator's final relocation walk
//! (`FuncTranslator::finish`: one compare per slot), so that a translator bug rejects
//! the module instead of touching memory outside the frame.

use crate::ir::{Instr, Slot};
#[cfg(test)]
use crate::module::CompiledFunc;
use crate::types::FuncType;

/// Whether `instr`'s slot operands start runs that may be empty or a callee frame
/// (`call`, `copy_span`, `return`): such a slot may equal the frame size, and
/// [`implicit_slots`] checks the run instead. Every other slot operand must be below the
/// frame size.
#[inline]
pub(crate) fn has_slot_runs(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Call { .. }
            | Instr::CallImport { .. }
            | Instr::CopySpan { .. }
            | Instr::Return { .. }
    )
}

/// Checks the slots of `instr` that are not plain operands, for a frame of `size`
/// slots: the `call_indirect` table index after the arguments (needs `types`), the
/// operand runs of `memory.init` and the table instructions, the spans of `copy_span`,
/// `fill_null` and `return`, and the callee frame start of `call`. `true` for other instructions.
#[inline]
pub(crate) fn implicit_slots(instr: &Instr, size: u32, types: &[FuncType]) -> bool {
    let size = u64::from(size);
    // `slot + extra` must be inside the frame (u64: no overflow).
    let inside = |s: Slot, extra: u64| u64::from(s.0) + extra < size;
    // A run of `len` slots from `s` must be inside the frame (an empty run is fine).
    let run = |s: Slot, len: u32| len == 0 || u64::from(s.0) + u64::from(len) <= size;
    match *instr {
        // The callee frame starts at `args` (right at the end of this frame when there
        // are no arguments); `enter` sizes the stack for it.
        Instr::Call { args, .. } | Instr::CallImport { args, .. } => u64::from(args.0) <= size,
        Instr::CopySpan { dst, src, len } => run(dst, len) && run(src, len),
        // `dst` is a plain operand (below the frame size); the run too.
        Instr::FillNull { dst, len } => run(dst, len),
        Instr::Return { values, count } => run(values, count),
        Instr::CallIndirect {
            type_index,
            params,
            args,
            ..
        } => match types.get(type_index as usize) {
            // The handler finds the table index at `args + params`.
            Some(ty) => ty.params().len() == usize::from(params) && inside(args, params.into()),
            None => false,
        },
        Instr::MemoryInit { args, .. }
        | Instr::TableFill { args, .. }
        | Instr::TableCopy { args, .. }
        | Instr::TableInit { args, .. } => inside(args, 2),
        Instr::TableGrow { args, .. } => inside(args, 1),
        Instr::Enter {
            params,
            consts,
            locals,
            ..
        } => {
            // `zero_locals` and `copy_consts` write whole blocks.
            let (p, l) = (u64::from(params), u64::from(locals));
            p + super::init_span(locals) <= size
                && p + l + super::init_span(u32::from(consts)) <= size
        }
        // `copy_image` writes `SMALL_INIT` cells.
        Instr::EnterSmall { params, .. } => {
            u64::from(params) + u64::from(super::SMALL_INIT) <= size
        }
        _ => true,
    }
}

/// The control-flow half of the check, for instruction `pc` of a function's finished
/// `code` whose last instruction is a terminator ([`Instr::is_terminator`]): a branch
/// target is inside the code, `select` is followed by its `arg`, and `br_table` by its
/// `len + 1` entries. Together with the terminator at the end, this makes the
/// interpreter's unchecked instruction pointer sound: every successor of every
/// instruction is an instruction of the same code.
#[cfg(test)]
pub(crate) fn control_ok(code: &[Instr], pc: usize) -> bool {
    match code.get(pc) {
        Some(instr) => control_ok_at(code, pc, instr.branch_offset()),
        None => false,
    }
}

/// [`control_ok`] for instruction `pc` (inside `code`) whose branch offset the caller
/// already has (`Instr::branch_offset`).
#[inline]
pub(crate) fn control_ok_at(code: &[Instr], pc: usize, branch_offset: Option<i32>) -> bool {
    let len = code.len() as i64;
    let instr = &code[pc];
    if let Some(offset) = branch_offset {
        let target = pc as i64 + i64::from(offset);
        if !(0..len).contains(&target) {
            return false;
        }
    }
    match *instr {
        Instr::Select { .. } => matches!(code.get(pc + 1), Some(Instr::Arg { .. })),
        Instr::BrTable { len: n, .. } => (pc as u64) + 1 + u64::from(n) < len as u64,
        _ => true,
    }
}

/// The error text for instruction `pc` failing the control-flow check.
#[cold]
pub(crate) fn describe_control(pc: usize, code: &[Instr]) -> String {
    match code.get(pc) {
        Some(i) => format!("instruction {pc} ({i}) has a successor outside the code"),
        None => "function code is empty or does not end in a terminator".to_string(),
    }
}

/// The error text for instruction `pc` failing the check.
#[cold]
pub(crate) fn describe(pc: usize, instr: &Instr, size: u32) -> String {
    format!("instruction {pc} ({instr}) addresses a slot outside its frame of {size} slots")
}

/// The whole check on a finished function: params, locals and constants fit the frame,
/// every plain slot operand is below `frame_size` and [`implicit_slots`] holds. The
/// translator runs the same check folded into its relocation walk
/// (`FuncTranslator::finish`); this standalone form is its reference in tests.
///
/// # Errors
/// A description of the first offending instruction.
#[cfg(test)]
pub(crate) fn frame_slots(
    f: &CompiledFunc,
    code: &[Instr],
    types: &[FuncType],
) -> Result<(), String> {
    let size = f.frame.frame_size;
    let fixed = u64::from(f.frame.num_params)
        + u64::from(f.frame.num_locals)
        + u64::from(f.frame.num_consts)
        + u64::from(f.num_written);
    if fixed > u64::from(size) {
        return Err(format!(
            "frame of {size} slots smaller than its {fixed} fixed slots"
        ));
    }
    if !code.last().is_some_and(Instr::is_terminator) {
        return Err(describe_control(code.len(), code));
    }
    for (pc, instr) in code.iter().enumerate() {
        if !control_ok(code, pc) {
            return Err(describe_control(pc, code));
        }
        let runs = has_slot_runs(instr);
        let mut ok = true;
        let mut each = *instr;
        each.for_each_slot_mut(|s| ok &= runs || s.0 < size);
        if !(ok && implicit_slots(instr, size, types)) {
            return Err(describe(pc, instr, size));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A function and its code.
    type Func = (CompiledFunc, Vec<Instr>);

    /// [`super::frame_slots`] on a test function.
    fn frame_slots(f: &Func, types: &[FuncType]) -> Result<(), String> {
        super::frame_slots(&f.0, &f.1, types)
    }

    /// A function with `code`, ended by `unreachable` unless it already ends in a
    /// terminator.
    fn func(frame_size: u32, mut code: Vec<Instr>) -> Func {
        if !code.last().is_some_and(Instr::is_terminator) {
            code.push(Instr::Unreachable {});
        }
        raw_func(frame_size, code)
    }

    fn raw_func(frame_size: u32, code: Vec<Instr>) -> Func {
        let f = CompiledFunc {
            type_index: 0,
            frame: crate::module::FrameShape {
                num_params: 1,
                num_consts: 1,
                frame_size,
                stack_cost: 2,
                ..Default::default()
            },
            num_results: 1,
            num_written: 0,
            code_start: 0,
            code_len: code.len() as u32,
        };
        (f, code)
    }

    #[test]
    fn accepts_slots_inside_the_frame() {
        let f = func(
            3,
            vec![
                Instr::I32Add {
                    dst: Slot(2),
                    lhs: Slot(0),
                    rhs: Slot(1),
                },
                Instr::ReturnOne { src: Slot(2) },
            ],
        );
        assert!(frame_slots(&f, &[]).is_ok());
    }

    #[test]
    fn rejects_a_slot_outside_the_frame() {
        let f = func(
            3,
            vec![Instr::I32Add {
                dst: Slot(3),
                lhs: Slot(0),
                rhs: Slot(1),
            }],
        );
        let e = frame_slots(&f, &[]).unwrap_err();
        assert!(e.contains("instruction 0"), "{e}");
    }

    #[test]
    fn rejects_successors_outside_the_code() {
        let ret = Instr::ReturnOne { src: Slot(0) };
        // Falling off the end of the code.
        let e = frame_slots(&raw_func(3, vec![Instr::Arg { slot: Slot(0) }]), &[]).unwrap_err();
        assert!(e.contains("terminator"), "{e}");
        assert!(frame_slots(&raw_func(3, vec![]), &[]).is_err());
        // Branches before the start and past the end.
        for offset in [-1, 2, i32::MAX, i32::MIN] {
            let f = func(3, vec![Instr::Br { offset, gas: 0 }, ret]);
            let e = frame_slots(&f, &[]).unwrap_err();
            assert!(e.contains("instruction 0"), "{offset}: {e}");
        }
        assert!(frame_slots(&func(3, vec![Instr::Br { offset: 1, gas: 0 }, ret]), &[]).is_ok());
        assert!(frame_slots(&func(3, vec![Instr::Br { offset: 0, gas: 0 }]), &[]).is_ok());
        // `select` without its `arg`, `br_table` without all its entries.
        let select = Instr::Select {
            dst: Slot(0),
            cond: Slot(1),
            if_true: Slot(2),
        };
        assert!(frame_slots(&func(3, vec![select, ret]), &[]).is_err());
        let arg = Instr::Arg { slot: Slot(0) };
        assert!(frame_slots(&func(3, vec![select, arg, ret]), &[]).is_ok());
        let table = |len| Instr::BrTable {
            index: Slot(0),
            len,
        };
        let br = Instr::Br { offset: 0, gas: 0 };
        assert!(frame_slots(&func(3, vec![table(1), br]), &[]).is_err());
        assert!(frame_slots(&func(3, vec![table(1), br, br]), &[]).is_ok());
        assert!(frame_slots(&func(3, vec![table(u32::MAX), br]), &[]).is_err());
    }

    #[test]
    fn rejects_implicit_operands_outside_the_frame() {
        let ty = FuncType::new(vec![crate::ValType::I32], vec![]);
        // call_indirect's table index sits after the one argument: slot 2 + 1 = 3.
        let call_indirect = |params, args| {
            func(
                3,
                vec![Instr::CallIndirect {
                    type_index: 0,
                    table: 0,
                    params,
                    args: Slot(args),
                }],
            )
        };
        assert!(frame_slots(&call_indirect(1, 2), std::slice::from_ref(&ty)).is_err());
        assert!(frame_slots(&call_indirect(1, 1), std::slice::from_ref(&ty)).is_ok());
        // `params` must be the type's: the handler reads the index at `args + params`.
        assert!(frame_slots(&call_indirect(0, 1), std::slice::from_ref(&ty)).is_err());
        let f = func(
            3,
            vec![Instr::MemoryInit {
                data: 0,
                args: Slot(1),
            }],
        );
        assert!(frame_slots(&f, &[]).is_err());
        let f = func(
            3,
            vec![Instr::CopySpan {
                dst: Slot(0),
                src: Slot(2),
                len: 2,
            }],
        );
        assert!(frame_slots(&f, &[]).is_err());
        // Empty runs and argument-less calls may start at the end of the frame.
        let f = func(
            3,
            vec![
                Instr::Call {
                    func: 0,
                    args: Slot(3),
                },
                Instr::Return {
                    values: Slot(3),
                    count: 0,
                },
            ],
        );
        assert!(frame_slots(&f, &[]).is_ok());
        // A frame too small for params + locals + constants.
        assert!(frame_slots(&func(1, vec![]), &[]).is_err());
    }
}
