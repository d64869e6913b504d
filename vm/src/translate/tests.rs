//! Unit tests for the translator: error paths, limits, IR shape, gas block costs.

use crate::{Config, Error, ErrorKind, Limits, Module};

fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).expect("valid wat")
}

fn compile(src: &str) -> Result<Module, Error> {
    Module::new(&Config::default(), &wat(src))
}

fn compile_nometer(src: &str) -> Module {
    let config = Config {
        metering: false,
        ..Config::default()
    };
    Module::new(&config, &wat(src)).expect("compiles")
}

fn dis(m: &Module, f: u32) -> String {
    m.disassemble(f).expect("defined function")
}

fn err(src: &str) -> Error {
    compile(src).expect_err("must be rejected")
}

fn unsupported(e: &Error) -> &'static str {
    match e.kind() {
        ErrorKind::Unsupported { feature } => feature,
        other => panic!("expected Unsupported, got {other:?}: {e}"),
    }
}

fn limit(e: &Error) -> &'static str {
    match e.kind() {
        ErrorKind::LimitExceeded { limit, .. } => limit,
        other => panic!("expected LimitExceeded, got {other:?}: {e}"),
    }
}

// ---- IR shape ----------------------------------------------------------------------

#[test]
fn add_reads_params_in_place() {
    let m = compile_nometer(
        "(module (func (export \"f\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))",
    );
    assert_eq!(
        dis(&m, 0),
        "   0: i32.add dst=t0 lhs=p0 rhs=p1\n   1: return_one src=t0\n"
    );
}

#[test]
fn constants_are_used_in_place_and_interned() {
    // `div_u`/`rem_u` have no immediate forms: the constant is read in place from the
    // pool, one entry for both uses.
    let m = compile_nometer(
        "(module (func (param i32) (result i32) local.get 0 i32.const 7 i32.div_u i32.const 7 i32.rem_u))",
    );
    assert_eq!(
        dis(&m, 0),
        "   0: enter_small params=1 pool=0\n   1: i32.div_u dst=t0 lhs=p0 rhs=c0\n   2: i32.rem_u.rl dst=t0 lhs=t0 rhs=c0\n   3: return_one src=t0\n"
    );
    assert_eq!(frame_of(&m, 0).num_consts, 1);
}

/// The frame shape of defined function `f`.
fn frame_of(m: &Module, f: usize) -> crate::module::FrameShape {
    match &m.inner.funcs[f].kind {
        crate::module::FuncKind::Compiled(c) => c.frame,
        crate::module::FuncKind::Import(_) => panic!("function {f} is an import"),
    }
}

#[test]
fn integer_constants_become_immediates_and_leave_the_pool() {
    // Right operands, a commuted left operand, a mirrored compare (`7 < x` is
    // `x > 7`), `sub` as `add` of the negation, a fused compare with an immediate, an
    // i64 constant that fits 32 bits sign-extended, and `local.set` of a constant: no
    // constant is read as a slot, so the frame holds none and a call copies none.
    let m = compile_nometer(
        "(module (func (param i32 i64) (result i32) (local i32)
            i32.const 5 local.set 2
            block local.get 0 i32.const 3 i32.lt_u br_if 0 end
            i32.const 7 local.get 0 i32.lt_s
            i32.const 9 local.get 0 i32.mul i32.add
            local.get 0 i32.const 2 i32.sub i32.add
            local.get 1 i64.const -8 i64.and i32.wrap_i64 i32.add))",
    );
    let d = dis(&m, 0);
    for expected in [
        // Written before any read (at the top level): no `enter`, a `w` cell (the head
        // of a pair with the branch after it).
        "const+br.i32.lt_u.imm dst=w0 lo=5 hi=0",
        "br.i32.lt_u.imm lhs=p0 imm=3",
        "i32.gt_s.imm dst=t0 lhs=p0 imm=7",
        "i32.mul.imm dst=t1 lhs=p0 imm=9",
        "i32.add.imm dst=t1 lhs=p0 imm=4294967294",
        "i64.and.imm dst=t1 lhs=p1 imm=4294967288",
    ] {
        assert!(d.contains(expected), "{expected} missing in\n{d}");
    }
    assert_eq!(frame_of(&m, 0).num_consts, 0, "{d}");
    // An i64 constant that does not fit 32 bits sign-extended stays in the pool.
    let m = compile_nometer(
        "(module (func (param i64) (result i64) local.get 0 i64.const 0x100000000 i64.add))",
    );
    assert!(dis(&m, 0).contains("i64.add dst=t0 lhs=p0 rhs=c0"));
    assert_eq!(frame_of(&m, 0).num_consts, 1);
}

/// `enter` zeroes a declared local only where some read may find it unassigned
/// (definite assignment, `FuncTranslator::assigned`), and every such read sees 0, never
/// what an earlier call left in the cell: each case runs right after `dirty`, which
/// fills the same cells with -1.
#[test]
fn locals_zeroed_where_a_read_may_find_them_unassigned() {
    use crate::{GasMeter, Instance, NoHost, Value};
    let dirty_locals = "(local i64)".repeat(80);
    let dirty_sets: String = (0..80)
        .map(|i| format!("i64.const -1 local.set {i} "))
        .collect();
    let wide_locals = "(local i64)".repeat(70);
    let src = format!(
        r#"(module
        (func (export "dirty") {dirty_locals} {dirty_sets})
        (func (export "block") (param i32) (result i64) (local i64)
            block local.get 0 br_if 0 i64.const 5 local.set 1 end local.get 1)
        (func (export "if") (param i32) (result i64) (local i64)
            local.get 0 if i64.const 5 local.set 1 end local.get 1)
        (func (export "if_else") (param i32) (result i64) (local i64)
            local.get 0 if i64.const 5 local.set 1 else i64.const 6 local.set 1 end
            local.get 1)
        (func (export "loop") (param i32) (result i64) (local i64 i64)
            loop local.get 1 local.set 2 i64.const 9 local.set 1
                local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end
            local.get 2)
        (func (export "table") (param i32) (result i64) (local i64)
            block block local.get 0 br_table 0 1 end i64.const 7 local.set 1 end
            local.get 1)
        (func (export "top") (param i32) (result i64) (local i64)
            i64.const 3 local.set 1 local.get 1)
        (func (export "nested") (param i32) (result i64) (local i64)
            block i64.const 4 local.set 1 local.get 0 br_if 0 end local.get 1)
        (func (export "wide") (param i32) (result i64) {wide_locals}
            i64.const 8 local.set 1 local.get 1 local.get 69 i64.add))"#
    );
    let m = compile_nometer(&src);
    let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).expect("instantiates");
    let mut run = |name: &str, arg: i32| {
        i.invoke(&mut NoHost, "dirty", &[], &mut GasMeter::unlimited())
            .expect("runs");
        let out = i
            .invoke(
                &mut NoHost,
                name,
                &[Value::I32(arg)],
                &mut GasMeter::unlimited(),
            )
            .expect("runs");
        match out[..] {
            [Value::I64(v)] => v,
            _ => panic!("{name}: {out:?}"),
        }
    };
    assert_eq!((run("block", 1), run("block", 0)), (0, 5));
    assert_eq!((run("if", 0), run("if", 1)), (0, 5));
    assert_eq!((run("if_else", 0), run("if_else", 1)), (6, 5));
    assert_eq!((run("loop", 1), run("loop", 2)), (0, 9));
    assert_eq!((run("table", 0), run("table", 1)), (7, 0));
    assert_eq!(run("top", 0), 3);
    assert_eq!((run("nested", 0), run("nested", 1)), (4, 4));
    // Local 69 is past the tracked ones: always zeroed.
    assert_eq!(run("wide", 0), 8);
    // Zeroed declared locals per function (defined functions 1..): the ones some path
    // reads unassigned, and the untracked ones (`wide`: 70 - 64, local 1 is written
    // first; locals 2..63 are never accessed and get no cell).
    let zeroed: Vec<u32> = (1..9).map(|f| frame_of(&m, f).num_locals).collect();
    assert_eq!(zeroed, [1, 1, 0, 1, 1, 0, 0, 6]);
    // A function whose locals are all written first has no `enter`.
    assert!(!dis(&m, 6).contains("enter"), "{}", dis(&m, 6));
}

#[test]
fn local_set_retargets_producer() {
    let m = compile_nometer(
        "(module (func (param i32) (local i32) local.get 0 i32.const 1 i32.add local.set 1))",
    );
    assert_eq!(
        dis(&m, 0),
        "   0: i32.add.imm dst=w0 lhs=p0 imm=1\n   1: return_none\n"
    );
}

#[test]
fn local_set_preserves_pending_reads() {
    // local.get 0 is still on the stack when local 0 is overwritten.
    let m = compile_nometer(
        "(module (func (param i32) (result i32) local.get 0 i32.const 5 local.set 0 local.get 0 i32.add))",
    );
    let d = dis(&m, 0);
    assert_eq!(
        d,
        "   0: copy dst=t0 src=p0\n   1: const dst=p0 lo=5 hi=0\n   2: i32.add.rr dst=t0 lhs=t0 rhs=p0\n   3: return_one src=t0\n"
    );
}

/// Runs export `f` of `m` with `args` (no host, unlimited gas).
fn run_f(m: &Module, args: &[crate::Value]) -> Vec<crate::Value> {
    use crate::{GasMeter, Instance, NoHost};
    let mut i = Instance::new(m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
    i.invoke(&mut NoHost, "f", args, &mut GasMeter::unlimited())
        .unwrap()
}

#[test]
fn local_set_retargets_producer_after_saving_pending_reads() {
    // `a, b = b, a + b`: the old `b` is still on the stack when `b` is overwritten. Its
    // copy goes in front of the `add`, which then writes `b` itself (no copy from a
    // temporary afterwards).
    let src = "(module (func (export \"f\") (param i64 i64) (result i64)
        local.get 1 local.get 0 local.get 1 i64.add local.set 1 local.set 0
        local.get 0 local.get 1 i64.mul))";
    let m = compile_nometer(src);
    assert_eq!(
        dis(&m, 0),
        "   0: copy dst=t0 src=p1\n   1: i64.add dst=p1 lhs=p0 rhs=p1\n   2: copy dst=p0 src=t0\n   3: i64.mul.rl dst=t0 lhs=p0 rhs=p1\n   4: return_one src=t0\n"
    );
    let out = run_f(&m, &[crate::Value::I64(3), crate::Value::I64(5)]);
    // a = 5, b = 8: 40.
    assert_eq!(out, vec![crate::Value::I64(40)]);
}

#[test]
fn repeated_constant_set_dropped_on_a_straight_path() {
    // `fib`'s shape as LLVM emits it: `acc = 0`, a `br_if` out of the block, `acc = 0`
    // again. On the fall-through the local already holds 0: one `const`, not two.
    let src = "(module (func (export \"f\") (param i32) (result i64) (local i64)
        i64.const 0 local.set 1
        block local.get 0 i32.const 2 i32.lt_u br_if 0
          i64.const 0 local.set 1
          local.get 0 i64.extend_i32_u local.get 1 i64.add local.set 1
        end
        local.get 1))";
    let m = compile_nometer(src);
    let d = dis(&m, 0);
    // (`: const` alone or as the head of `const+br.i32.lt_u.imm`.)
    assert_eq!(d.matches(": const").count(), 1, "{d}");
    assert_eq!(
        run_f(&m, &[crate::Value::I32(1)]),
        vec![crate::Value::I64(0)]
    );
    assert_eq!(
        run_f(&m, &[crate::Value::I32(9)]),
        vec![crate::Value::I64(9)]
    );
}

#[test]
fn constant_set_kept_where_another_path_arrives() {
    // Each second `local.set 1 (i64.const 7)` is reached by a path on which the local
    // may hold something else, so each stays: after a block's end that a branch
    // reaches, at a loop header (the back edge), in an `else` arm (the then arm wrote
    // 7), after an `if`'s end (its false path), and after another write of the local.
    let src = "(module (func (export \"f\") (param i32) (result i64) (local i64)
        i64.const 7 local.set 1
        block local.get 0 br_if 0 i64.const 1 local.set 1 end
        i64.const 7 local.set 1
        loop i64.const 7 local.set 1 local.get 0 i64.extend_i32_u local.set 1 end
        local.get 0 if i64.const 7 local.set 1 else i64.const 7 local.set 1 end
        local.get 0 if i64.const 2 local.set 1 end
        i64.const 7 local.set 1
        local.get 0 i64.extend_i32_u local.set 1
        i64.const 7 local.set 1
        local.get 1))";
    let m = compile_nometer(src);
    let d = dis(&m, 0);
    assert_eq!(d.matches(" lo=7 ").count(), 7, "{d}");
    assert_eq!(
        run_f(&m, &[crate::Value::I32(0)]),
        vec![crate::Value::I64(7)]
    );
    assert_eq!(
        run_f(&m, &[crate::Value::I32(3)]),
        vec![crate::Value::I64(7)]
    );
}

#[test]
fn register_forms_follow_their_producer_but_never_at_a_branch_target() {
    // `i32.add` writes l0 right before the loop header, which reads l0: the header is a
    // branch target (the back edge arrives with something else in the register), so it
    // keeps its slot operand; the `br_if` right after the header's `sub` reads the
    // condition the `sub` just wrote from the register. (The two adds also make a pair,
    // `pairs::partner_at_a_branch_target`.)
    let m = compile_nometer(
        "(module (func (param i32) (result i32) (local i32)
            local.get 0 i32.const 1 i32.add local.set 1
            loop local.get 1 i32.const 1 i32.sub local.tee 1 br_if 0 end
            local.get 1))",
    );
    let d = dis(&m, 0);
    assert_eq!(
        d,
        "   0: i32.add.imm+i32.add.imm dst=w0 lhs=p0 imm=1\n   1: i32.add.imm dst=w0 lhs=w0 imm=4294967295\n   2: br_if_nez.rc cond=w0 ->1\n   3: return_one src=w0\n"
    );
}

#[test]
fn register_forms_cover_operand_positions() {
    // Left and right operands, a load address, a stored value, a fused compare.
    let m = compile_nometer(
        "(module (memory 1) (func (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.mul i32.const 3 i32.xor
            i32.const 7 local.get 0 local.get 1 i32.add i32.sub
            i32.add i32.load
            local.get 0 local.get 1 i32.add local.get 0 i32.store
            local.get 0 local.get 1 i32.add i32.const 9 i32.store
            block local.get 0 local.get 1 i32.sub i32.const 4 i32.lt_u br_if 0 end
            local.get 0 local.get 1 i32.add local.get 0 i32.xor
            block local.get 0 local.get 1 i32.sub local.get 0 i32.lt_u br_if 0 end
            i32.add))",
    );
    let d = dis(&m, 0);
    for form in [
        "i32.xor.imm.rl",
        "i32.xor.rl",
        "i32.sub.rr",
        "i32.load.rp",
        "i32.store.rp",
        "br.i32.lt_u.imm.rl",
        "br.i32.lt_u.rl",
    ] {
        assert!(d.contains(form), "{form} missing in\n{d}");
    }
}

/// Runs export `f` of `m` with `args`; returns its results and global 0 afterwards
/// (read through export `sp`).
fn run_with_global(m: &Module, args: &[crate::Value]) -> (Vec<crate::Value>, crate::Value) {
    use crate::{GasMeter, Instance, NoHost};
    let mut i = Instance::new(m, &mut NoHost, &mut GasMeter::unlimited()).expect("instantiates");
    let out = i
        .invoke(&mut NoHost, "f", args, &mut GasMeter::unlimited())
        .expect("runs");
    let sp = i
        .invoke(&mut NoHost, "sp", &[], &mut GasMeter::unlimited())
        .expect("runs");
    (out, sp[0])
}

#[test]
fn shadow_stack_prologue_and_epilogue_fuse() {
    use crate::Value;
    // A compiled Rust function's frame: `sp -= 16` kept in a local (the prologue, one
    // instruction), a store through it, `sp = fp + 16` (the epilogue, one instruction).
    // The stack pointer starts at 8, so the subtraction wraps.
    let src = r#"(module (memory 1) (global $sp (mut i32) (i32.const 8))
        (func (export "sp") (result i32) global.get $sp)
        (func (export "f") (param i32) (result i32) (local i32)
            global.get $sp i32.const 16 i32.sub local.tee 1 global.set $sp
            local.get 0 i32.const 1 i32.add
            local.get 1 i32.const 16 i32.add global.set $sp))"#;
    let m = compile_nometer(src);
    let d = dis(&m, 1);
    assert_eq!(
        d,
        "   0: global.get.i32.sub.set dst=w0 global=0 imm=16
   1: i32.add.imm dst=t0 lhs=p0 imm=1
   2: global.set.i32.add global=0 lhs=w0 imm=16
   3: return_one src=t0
"
    );
    let (out, sp) = run_with_global(&m, &[Value::I32(41)]);
    assert_eq!(out, vec![Value::I32(42)]);
    assert_eq!(sp, Value::I32(8), "prologue and epilogue cancel out");

    // Without the local (the temp is set), and a value read after the prologue.
    let src = r#"(module (global $sp (mut i32) (i32.const 100))
        (func (export "sp") (result i32) global.get $sp)
        (func (export "f") (result i32)
            global.get $sp i32.const 30 i32.sub global.set $sp
            global.get $sp))"#;
    let m = compile_nometer(src);
    assert!(dis(&m, 1).starts_with(
        "   0: global.get.i32.sub.set dst=t0 global=0 imm=30
"
    ));
    assert_eq!(
        run_with_global(&m, &[]),
        (vec![Value::I32(70)], Value::I32(70))
    );
}

#[test]
fn shadow_stack_fusion_only_where_nothing_lies_between() {
    use crate::Value;
    // The `global.set` fuses only when it stores the value the instruction right before
    // computed: not for another global, not across a block, not when the local was
    // changed in between (the old value is set); `local.set` + `local.get` of the same
    // local is the same value and fuses. An `i32.sub` whose left operand is not the
    // `global.get` right before does not fuse at all.
    let src = r#"(module (global $sp (mut i32) (i32.const 64)) (global $g (mut i32) (i32.const 0))
        (func (export "sp") (result i32) global.get $sp)
        (func (export "f") (result i32) (local i32)
            global.get $sp i32.const 16 i32.sub local.tee 0 global.set $g
            global.get $sp i32.const 8 i32.sub local.tee 0 block end global.set $sp
            global.get $sp i32.const 4 i32.sub local.set 0 local.get 0 global.set $sp
            global.get $sp i32.const 2 i32.sub local.tee 0
            local.get 0 i32.const 1000 i32.add local.set 0 global.set $sp
            i32.const 1 global.get $sp i32.sub global.set $g
            global.get $g local.get 0 i32.add))"#;
    let m = compile_nometer(src);
    let d = dis(&m, 1);
    assert_eq!(d.matches("global.get.i32.sub.set ").count(), 1, "{d}");
    assert_eq!(d.matches("global.get.i32.sub ").count(), 3, "{d}");
    assert_eq!(d.matches("global.set ").count(), 4, "{d}");
    // sp: 64 - 8 = 56, 56 - 4 = 52, 52 - 2 = 50; $g = 1 - 50; the local ends at 1050.
    assert_eq!(
        run_with_global(&m, &[]),
        (vec![Value::I32(1 - 50 + 1050)], Value::I32(50))
    );
}

/// Runs export `f` with metering off and on; both must give `expected` (the global's
/// value read by `f` itself after the code under test).
fn run_both(src: &str, args: &[crate::Value], expected: &[crate::Value]) {
    use crate::{GasMeter, Instance, NoHost};
    for metering in [false, true] {
        let config = Config {
            metering,
            ..Config::default()
        };
        let m = Module::new(&config, &wat(src)).expect("compiles");
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let out = i
            .invoke(&mut NoHost, "f", args, &mut GasMeter::unlimited())
            .unwrap();
        assert_eq!(out, expected, "metering {metering}:\n{}", dis(&m, 0));
    }
}

#[test]
fn no_fusion_across_a_label_with_metering_off() {
    use crate::Value;
    // `global.set` of a local that the instruction before a block's end wrote: a
    // `br_if` to that end must still find the `global.set` after the label (it once was
    // fused into the instruction before the label, which the branch skips).
    let src = r#"(module (global $g (mut i32) (i32.const 5))
        (func (export "f") (param i32) (result i32) (local i32)
            i32.const 7 local.set 1
            block
                local.get 0 br_if 0
                global.get $g i32.const 16 i32.sub local.set 1
            end
            local.get 1 global.set $g
            global.get $g))"#;
    run_both(src, &[Value::I32(1)], &[Value::I32(7)]);
    run_both(src, &[Value::I32(0)], &[Value::I32(5 - 16)]);
    // The same at a loop header: the `global.set` runs on every iteration.
    let src = r#"(module (global $g (mut i32) (i32.const 100))
        (func (export "f") (param i32) (result i32) (local i32)
            global.get $g i32.const 1 i32.sub local.set 1
            loop
                local.get 1 global.set $g
                local.get 1 i32.const 1 i32.sub local.set 1
                local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0
            end
            global.get $g))"#;
    // Three iterations set 99, 98, 97.
    run_both(src, &[Value::I32(3)], &[Value::I32(97)]);
    // A loop with a param: the value set on entry is the producer's; later iterations
    // set the value carried by the back edge.
    let src = r#"(module (global $g (mut i32) (i32.const 0))
        (type $p (func (param i32)))
        (func (export "f") (param i32) (result i32) (local i32)
            local.get 0 i32.const 10 i32.add
            loop (type $p)
                local.set 1
                local.get 1 global.set $g
                local.get 1 i32.const 1 i32.add
                local.get 1 i32.const 12 i32.lt_u br_if 0
                drop
            end
            global.get $g))"#;
    run_both(src, &[Value::I32(0)], &[Value::I32(12)]);
}

#[test]
fn locals_materialized_at_block_entry() {
    let m = compile_nometer(
        "(module (func (param i32) (result i32)
            local.get 0
            block i32.const 1 local.set 0 end
            ))",
    );
    let d = dis(&m, 0);
    assert!(d.starts_with("   0: copy dst=t0 src=p0\n"), "{d}");
}

#[test]
fn fused_compare_and_branch() {
    let m = compile_nometer(
        "(module (func (param i32 i32) (result i32)
            block local.get 0 local.get 1 i32.lt_s br_if 0 i32.const 1 return end
            i32.const 2))",
    );
    let d = dis(&m, 0);
    assert!(d.contains("br.i32.lt_s lhs=p0 rhs=p1"), "{d}");
    assert!(!d.contains("i32.lt_s dst"), "{d}");
}

#[test]
fn if_else_with_result() {
    let m = compile_nometer(
        "(module (func (param i32) (result i32)
            local.get 0 if (result i32) i32.const 10 else i32.const 20 end))",
    );
    let d = dis(&m, 0);
    assert_eq!(
        d,
        "   0: br_if_eqz cond=p0 ->3\n   1: const+br dst=t0 lo=10 hi=0\n   2: br ->4\n   3: const dst=t0 lo=20 hi=0\n   4: return_one src=t0\n"
    );
}

#[test]
fn loop_backedge_and_gas() {
    let m = compile(
        "(module (func (param i32)
            loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end))",
    )
    .unwrap();
    let d = dis(&m, 0);
    // The empty entry block merges with the loop header; body: get, const, sub, tee,
    // br_if = 1+1+1+1+2. The empty fall-through and after-end blocks merge too. The back
    // edge charges the header's block itself (gas=6) and jumps past its consume_gas,
    // to the add that heads a pair with the `br_if` (docs/ir.md, "Pairs").
    assert_eq!(
        d,
        "   0: consume_gas amount=6\n   1: i32.add.imm+br_if_nez.rc dst=p0 lhs=p0 imm=4294967295\n   2: br_if_nez.rc cond=p0 ->1 gas=6\n   3: consume_gas amount=0\n   4: return_none\n"
    );
}

#[test]
fn call_args_consecutive() {
    let m = compile_nometer(
        "(module
            (func $g (param i32 i32) (result i32) local.get 0)
            (func (param i32) (result i32) local.get 0 i32.const 3 call $g))",
    );
    // The move into the argument slot heads a pair with the call (docs/ir.md, "Pairs").
    assert_eq!(
        dis(&m, 1),
        "   0: const dst=t1 lo=3 hi=0\n   1: copy+call dst=t0 src=p0\n   2: call func=0 args=t0\n   3: return_one src=t0\n"
    );
    // The argument constant is a `const` instruction: it does not stay in the frame.
    assert_eq!(frame_of(&m, 1).num_consts, 0);
}

#[test]
fn br_table_with_values_uses_trampolines() {
    let m = compile_nometer(
        "(module (func (param i32) (result i32)
            block (result i32)
              block (result i32)
                i32.const 1 i32.const 9 local.get 0 br_table 0 1 2
              end
              drop i32.const 5
            end))",
    );
    let d = dis(&m, 0);
    assert!(d.contains("br_table"), "{d}");
    assert!(d.contains("return_one"), "{d}");
}

#[test]
fn unreachable_code_not_emitted() {
    let m = compile_nometer(
        "(module (func (result i32) i32.const 1 return i32.const 2 i32.const 3 i32.add))",
    );
    assert_eq!(
        dis(&m, 0),
        "   0: enter_small params=0 pool=0\n   1: return_one src=c0\n"
    );
}

#[test]
fn multi_value_block_params() {
    let m = compile_nometer(
        "(module (func (param i32 i32) (result i32 i32)
            local.get 0 local.get 1
            block (param i32 i32) (result i32 i32) end))",
    );
    let d = dis(&m, 0);
    assert!(d.contains("return values=t0 count=2"), "{d}");
}

// ---- errors ------------------------------------------------------------------------

#[test]
fn simd_rejected_naming_simd() {
    let e = err("(module (func (result v128) v128.const i32x4 0 0 0 0))");
    assert_eq!(unsupported(&e), "SIMD");
    assert!(
        e.to_string()
            .starts_with("SIMD is not supported (at offset 0x"),
        "{e}"
    );
    // A SIMD op in a body that otherwise has no v128 types.
    let e = err("(module (func i32.const 0 i8x16.splat drop))");
    assert_eq!(unsupported(&e), "SIMD", "{e}");
}

#[test]
fn threads_rejected() {
    let e = err("(module (memory 1 1 shared))");
    assert_eq!(unsupported(&e), "threads", "{e}");
    let e = err("(module (memory 1) (func atomic.fence))");
    assert_eq!(unsupported(&e), "threads", "{e}");
}

#[test]
fn other_proposals_rejected() {
    assert_eq!(
        unsupported(&err("(module (func return_call 0))")),
        "tail calls"
    );
    assert_eq!(unsupported(&err("(module (memory i64 1))")), "memory64");
    assert_eq!(
        unsupported(&err("(module (memory 1) (memory 1))")),
        "multi-memory"
    );
    assert_eq!(
        unsupported(&err(
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"
        )),
        "extended constant expressions"
    );
    assert_eq!(
        unsupported(&err("(module (tag) (func throw 0))")),
        "exception handling"
    );
}

#[test]
fn invalid_module_reads_like_spec() {
    let e = err("(module (func (result i32) i64.const 0))");
    assert!(matches!(e.kind(), ErrorKind::Invalid(_)));
    assert!(e.to_string().contains("type mismatch"), "{e}");
    assert!(e.to_string().contains("(at offset 0x"), "{e}");
}

#[test]
fn malformed_bytes_error_not_panic() {
    for bytes in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x01",
        b"\0asm\x01\0\0\0\x0a\x05\x01\x03\0\x41",
        b"garbage garbage",
    ] {
        assert!(Module::new(&Config::default(), bytes).is_err());
    }
    // Truncations of a valid module never panic.
    let good = wat("(module (func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end))");
    for n in 0..good.len() {
        let _ = Module::new(&Config::default(), &good[..n]);
    }
}

// ---- limits ------------------------------------------------------------------------

fn with_limits(l: Limits, src: &str) -> Error {
    Module::new(
        &Config {
            limits: l,
            ..Config::default()
        },
        &wat(src),
    )
    .expect_err("limit")
}

#[test]
fn reference_locals_start_null_in_bulk() {
    use crate::Value;
    // Runs of reference locals across the tracked (first 64) and untracked parts, after
    // other locals: every one reads null, on every call, though the caller wrote others.
    // The fill is one `fill_null` per part (tracked, untracked), not one per local.
    for (before, refs) in [(0usize, 1usize), (3, 61), (10, 200), (70, 4000)] {
        let src = format!(
            r#"(module (table 1 funcref)
                (func $g (param i32) (result i32) (local {pre} {refs_decl})
                    (local.set {first} (ref.func $g))
                    (local.set {last} (ref.func $g))
                    (i32.add
                        (ref.is_null (local.get {mid}))
                        (i32.add (ref.is_null (local.get {last_null}))
                                 (ref.is_null (local.get {first_next})))))
                (func (export "f") (result i32)
                    (i32.add (call $g (i32.const 0)) (call $g (i32.const 0))))
                (elem declare func $g))"#,
            pre = "i64 ".repeat(before.max(1)),
            refs_decl = "funcref ".repeat(refs),
            first = 1 + before.max(1),
            last = before.max(1) + refs,
            mid = 1 + before.max(1) + refs / 2,
            last_null = (before.max(1) + refs - 1).max(1 + before.max(1)),
            first_next = (2 + before.max(1)).min(before.max(1) + refs),
        );
        let m = compile_nometer(&src);
        let code = dis(&m, 0);
        assert!(code.lines().count() < 64 + 40, "{refs} refs: {code}");
        let fills = code.matches("fill_null").count();
        assert!((1..=2).contains(&fills), "{refs} refs: {code}");
        assert!(!code.contains("copy_span"), "{refs} refs: {code}");
        // Three null reads per call, except where the read local is one the call set.
        let expected = |r: usize| {
            let first = 1 + before.max(1);
            let last = before.max(1) + r;
            let reads = [
                1 + before.max(1) + r / 2,
                (before.max(1) + r - 1).max(first),
                (2 + before.max(1)).min(last),
            ];
            2 * reads.iter().filter(|&&i| i != first && i != last).count() as i32
        };
        run_both(&src, &[], &[Value::I32(expected(refs))]);
    }
}

#[test]
fn branches_carrying_many_values_move_them_as_a_span() {
    use crate::Value;
    // Five values carried out of a block whose label sits below an extra value, by a
    // br_if (kept on the fall-through) and a br; locals and constants among them.
    let src = r#"(module (type $t (func (result i32 i32 i32 i32 i32)))
        (func $g (param i32) (result i32 i32 i32 i32 i32) (local i32)
            (local.set 1 (i32.const 40))
            (block (type $t)
                (i32.const 1) (local.get 1) (i32.const 3) (local.get 0) (i32.const 5)
                (br_if 0 (local.get 0))
                (drop) (drop) (drop) (drop) (drop)
                (i32.const 6) (i32.const 7) (local.get 1) (i32.const 9) (i32.const 10)
                (br 0)))
        (func (export "f") (param i32) (result i32)
            (call $g (local.get 0))
            (i32.add) (i32.add) (i32.add) (i32.add)))"#;
    run_both(src, &[Value::I32(2)], &[Value::I32(1 + 40 + 3 + 2 + 5)]);
    run_both(src, &[Value::I32(0)], &[Value::I32(6 + 7 + 40 + 9 + 10)]);
    let m = compile_nometer(src);
    assert!(dis(&m, 0).contains("copy_span"), "{}", dis(&m, 0));
}

#[test]
fn label_arity_limits() {
    // Results of any type, params of a type used as a block type, and a br_table's
    // label arity; each one past its limit is rejected, at the limit it loads.
    let many = |n: usize| vec!["i32"; n].join(" ");
    let ok = compile(&format!("(module (type (func (result {}))))", many(16)));
    assert!(ok.is_ok(), "{ok:?}");
    let e = err(&format!("(module (type (func (result {}))))", many(17)));
    assert_eq!(limit(&e), "max_results");
    let loop_with = |n: usize| {
        format!(
            "(module (type $t (func (param {}))) (func {} loop (type $t) {} end))",
            many(n),
            "i32.const 0 ".repeat(n),
            "drop ".repeat(n)
        )
    };
    assert!(compile(&loop_with(16)).is_ok());
    assert_eq!(limit(&err(&loop_with(17))), "max_results");
    let table = |n: usize| {
        format!(
            "(module (type $t (func (result {m}))) (func (result {m})
               block (type $t) {c} i32.const 0 br_table 0 0 0 end))",
            m = many(n),
            c = "i32.const 1 ".repeat(n)
        )
    };
    assert!(compile(&table(1)).is_ok());
    assert_eq!(limit(&err(&table(2))), "max_br_table_arity");
    // The limits are per config: the spec suite's lifts them.
    let lifted = Limits {
        max_results: u32::MAX,
        max_br_table_arity: u32::MAX,
        ..Limits::default()
    };
    assert!(with_limits_ok(lifted, &table(40)));
}

fn with_limits_ok(limits: Limits, src: &str) -> bool {
    let config = Config {
        limits,
        ..Config::default()
    };
    Module::new(&config, &wat(src)).is_ok()
}

#[test]
fn limits_enforced() {
    let d = Limits::default;
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_code_size: 7,
                ..d()
            },
            "(module)"
        )),
        "max_code_size"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_functions: 1,
                ..d()
            },
            "(module (func) (func))"
        )),
        "max_functions"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_params: 1,
                ..d()
            },
            "(module (func (param i32 i32)))"
        )),
        "max_params"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_locals: 3,
                ..d()
            },
            "(module (func (param i32) (local i32 i32 i32)))"
        )),
        "max_locals"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_globals: 1,
                ..d()
            },
            "(module (global i32 (i32.const 0)) (global i32 (i32.const 0)))"
        )),
        "max_globals"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_table_elements: 10,
                ..d()
            },
            "(module (table 11 funcref))"
        )),
        "max_table_elements"
    );
    assert_eq!(limit(&err("(module (memory 257))")), "max_memory_pages");
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_data_segments: 1,
                ..d()
            },
            "(module (memory 1) (data (i32.const 0) \"a\") (data (i32.const 0) \"b\"))"
        )),
        "max_data_segments"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_element_segments: 1,
                ..d()
            },
            "(module (table 1 funcref) (elem (i32.const 0) func) (elem (i32.const 0) func))"
        )),
        "max_element_segments"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_function_body_size: 4,
                ..d()
            },
            "(module (func i32.const 1 drop i32.const 1 drop))"
        )),
        "max_function_body_size"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_types: 1,
                ..d()
            },
            "(module (type (func)) (type (func (param i32))))"
        )),
        "max_types"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_imports: 1,
                ..d()
            },
            "(module (import \"a\" \"b\" (func)) (import \"a\" \"c\" (func)))"
        )),
        "max_imports"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_exports: 1,
                ..d()
            },
            "(module (func) (export \"a\" (func 0)) (export \"b\" (func 0)))"
        )),
        "max_exports"
    );
    assert_eq!(
        limit(&with_limits(
            Limits {
                max_tables: 1,
                ..d()
            },
            "(module (table 1 funcref) (table 1 funcref))"
        )),
        "max_tables"
    );
}

#[test]
fn memory_max_is_clamped() {
    let m = compile("(module (memory 1))").unwrap();
    assert_eq!(m.inner.memory.as_ref().unwrap().max_pages, 256);
    let m = compile("(module (memory 1 65536))").unwrap();
    assert_eq!(m.inner.memory.as_ref().unwrap().max_pages, 256);
    let m = compile("(module (memory 1 2))").unwrap();
    assert_eq!(m.inner.memory.as_ref().unwrap().max_pages, 2);
}

// ---- gas ---------------------------------------------------------------------------

fn gas_amounts(m: &Module, f: u32) -> Vec<u32> {
    match &m.inner.funcs[f as usize].kind {
        crate::module::FuncKind::Compiled(c) => {
            c.code(&m.inner)
                .iter()
                .filter_map(|op| match &op.instr() {
                    crate::ir::Instr::ConsumeGas { amount } => Some(*amount),
                    // The entry block's charge, fused into the frame set-up.
                    crate::ir::Instr::Enter { gas, .. }
                    | crate::ir::Instr::EnterSmall { gas, .. } => Some(u32::from(*gas)),
                    _ => None,
                })
                .collect()
        }
        _ => panic!(),
    }
}

#[test]
fn gas_block_costs() {
    // Entry block: 3 x local.get/const (1 each) + i32.add (1) + i32.div_u (4) = 8.
    let m = compile(
        "(module (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add i32.const 3 i32.div_u))",
    )
    .unwrap();
    assert_eq!(gas_amounts(&m, 0), vec![8]);
    // if/else arms are separate blocks: entry = local.get + if(2) = 3; then = const 1;
    // else = const 1 + const 1 + add 1 = 3; after end = nothing.
    let m = compile(
        "(module (func (param i32) (result i32)
            local.get 0 if (result i32) i32.const 1 else i32.const 2 i32.const 3 i32.add end))",
    )
    .unwrap();
    assert_eq!(gas_amounts(&m, 0), vec![3, 1, 3, 0]);
    // Call costs 15; unreachable code costs nothing.
    let m = compile("(module (func $f) (func call $f return call $f call $f))").unwrap();
    assert_eq!(gas_amounts(&m, 1), vec![17]);
}

#[test]
fn no_gas_when_metering_off() {
    let m = compile_nometer("(module (func (param i32) loop local.get 0 br_if 0 end))");
    assert!(gas_amounts(&m, 0).is_empty());
}

// ---- scale (linear time) -------------------------------------------------------------

#[test]
fn deep_nesting_and_big_br_table_compile() {
    let n = 15_000;
    let mut s = String::from("(module (func (param i32)");
    for _ in 0..n {
        s.push_str(" block");
    }
    s.push_str(" local.get 0 br_table");
    for i in 0..n {
        s.push_str(&format!(" {i}"));
    }
    s.push_str(" 0");
    for _ in 0..n {
        s.push_str(" end");
    }
    s.push_str("))");
    let config = Config {
        limits: Limits {
            max_function_body_size: 1 << 20,
            max_code_size: 1 << 21,
            ..Limits::default()
        },
        ..Config::default()
    };
    let m = Module::new(&config, &wat(&s)).unwrap();
    assert!(m.disassemble(0).is_some());
}

#[test]
fn many_locals_refs_then_set_is_linear() {
    // `local.get 0` pushed many times then `local.set 0` repeatedly: each set copies only
    // the chain of local 0, once.
    let n = 20_000;
    let mut s = String::from("(module (func (param i32)");
    for _ in 0..n {
        s.push_str(" local.get 0 i32.const 1 local.set 0");
    }
    for _ in 0..n {
        s.push_str(" drop");
    }
    s.push_str("))");
    let config = Config {
        limits: Limits {
            max_function_body_size: 1 << 20,
            max_code_size: 1 << 21,
            ..Limits::default()
        },
        ..Config::default()
    };
    Module::new(&config, &wat(&s)).unwrap();
}

// ---- stack limit ---------------------------------------------------------------------

fn stack_cost(m: &Module, f: u32) -> u32 {
    match &m.inner.funcs[f as usize].kind {
        crate::module::FuncKind::Compiled(c) => c.frame.stack_cost,
        crate::module::FuncKind::Import(_) => panic!("import"),
    }
}

#[test]
fn stack_cost_is_locals_plus_max_operand_height() {
    let m = compile(
        "(module (func (param i32) (local i64 i64) i32.const 1 i32.const 2 i32.const 3 \
         i32.add i32.add drop))",
    )
    .unwrap();
    assert_eq!(stack_cost(&m, 0), 1 + 2 + 3);
    // Unreachable code counts too (the validator's height, as in the spec algorithm).
    let m = compile("(module (func unreachable i32.const 1 i32.const 2 drop drop))").unwrap();
    assert_eq!(stack_cost(&m, 0), 2);
    // Heights are totals over nested blocks.
    let m = compile(
        "(module (func (result i32) i32.const 1 block (result i32) i32.const 2 i32.const 3 \
         i32.add end i32.add))",
    )
    .unwrap();
    assert_eq!(stack_cost(&m, 0), 3);
}

#[test]
fn stack_limit_is_exact_on_wasm_costs() {
    use crate::{GasMeter, Instance, NoHost, TrapKind, Value};
    // cost(down) = 1 param + max height 3 (local.get, i32.const, then call result...)
    let src = r#"(module (func $down (export "down") (param i32) (result i32)
        local.get 0 i32.eqz if (result i32) i32.const 0
        else local.get 0 i32.const 1 i32.sub call $down end))"#;
    let m = compile(src).unwrap();
    let cost = stack_cost(&m, 0);
    assert_eq!(cost, 1 + 2);
    // down(n) has n + 1 active frames.
    for n in [0u32, 5, 40] {
        let budget = (n + 1) * cost;
        let config = Config {
            max_stack_slots: budget,
            ..Config::default()
        };
        let m = Module::new(&config, &wat(src)).unwrap();
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let arg = [Value::I32(n as i32)];
        let ok = i.invoke(&mut NoHost, "down", &arg, &mut GasMeter::unlimited());
        assert_eq!(ok.unwrap(), vec![Value::I32(0)]);
        let config = Config {
            max_stack_slots: budget - 1,
            ..Config::default()
        };
        let m = Module::new(&config, &wat(src)).unwrap();
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let e = i
            .invoke(&mut NoHost, "down", &arg, &mut GasMeter::unlimited())
            .unwrap_err();
        assert_eq!(e.kind(), TrapKind::CallStackExhausted);
    }
}

// ---- execution of translator edge cases (through the interpreter) ------------------

mod exec {
    use crate::{Config, GasMeter, Instance, Module, NoHost, Value};

    fn run(src: &str, name: &str, args: &[Value]) -> Vec<Value> {
        let m = Module::new(&Config::default(), &wat::parse_str(src).unwrap()).unwrap();
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        i.invoke(&mut NoHost, name, args, &mut GasMeter::unlimited())
            .unwrap_or_else(|t| panic!("trap: {t}\n{}", m.disassemble(0).unwrap_or_default()))
    }

    fn run1(src: &str, args: &[Value]) -> Value {
        run(src, "f", args)[0]
    }

    use Value::I32;

    /// Regression (found by the seeded `gas_model`/`exec_diff` oracles): declared
    /// reference-typed locals start as null, not as function 0.
    #[test]
    fn ref_locals_start_null() {
        let src = r#"(module (func (export "f") (result i32 i32) (local i32 funcref externref)
            local.get 1 ref.is_null local.get 2 ref.is_null))"#;
        assert_eq!(run(src, "f", &[]), vec![I32(1), I32(1)]);
        let src = r#"(module (func (export "f") (result funcref) (local funcref) local.get 0))"#;
        assert_eq!(run(src, "f", &[]), vec![Value::FuncRef(None)]);
    }

    /// The constant pool is capped (`MAX_POOLED_CONSTS`): past it, constants are
    /// materialized by `const` instructions, values stay exact (64-bit patterns, too), and
    /// the frame stays small however many distinct constants the code has.
    #[test]
    fn constant_pool_is_capped() {
        use crate::translate::MAX_POOLED_CONSTS;
        let n = MAX_POOLED_CONSTS as u64 + 300;
        let mut body = String::from("i64.const 0\n");
        let mut expect = 0u64;
        for k in 0..n {
            // Distinct values with both halves set, so a lost high word shows.
            let v = (k << 33) | (k + 1);
            body += &format!("i64.const {} i64.xor\n", v as i64);
            expect ^= v;
        }
        let src = format!("(module (func (export \"f\") (result i64) {body}))");
        assert_eq!(run(&src, "f", &[]), vec![Value::I64(expect as i64)]);

        let m = Module::new(&Config::default(), &wat::parse_str(&src).unwrap()).unwrap();
        let f = match &m.inner.funcs[0].kind {
            crate::module::FuncKind::Compiled(c) => c,
            crate::module::FuncKind::Import(_) => unreachable!(),
        };
        assert!(
            f.frame.num_consts as usize <= MAX_POOLED_CONSTS + 2,
            "{}",
            f.frame.num_consts
        );
        // The bound of `MAX_POOLED_CONSTS`' docs (with the room for `enter`'s blocks).
        let room = MAX_POOLED_CONSTS as u32 + 2 + crate::exec::INIT_BLOCK;
        assert!(f.frame.frame_size <= f.frame.stack_cost + room);
        assert!(m.disassemble(0).unwrap().contains("const "));
    }

    #[test]
    fn local_hazards() {
        let src = "(module (func (export \"f\") (param i32) (result i32)
            local.get 0 local.get 0 i32.const 5 local.set 0 i32.add local.get 0 i32.add))";
        assert_eq!(run1(src, &[I32(10)]), I32(25));
        let src = "(module (func (export \"f\") (param i32) (result i32)
            local.get 0 block i32.const 9 local.set 0 end local.get 0 i32.add))";
        assert_eq!(run1(src, &[I32(1)]), I32(10));
        // tee while an older ref is live
        let src = "(module (func (export \"f\") (param i32) (result i32)
            local.get 0 local.get 0 i32.const 3 i32.add local.tee 0 i32.mul local.get 0 i32.sub))";
        assert_eq!(run1(src, &[I32(4)]), I32(4 * 7 - 7));
    }

    #[test]
    fn loop_with_locals_on_stack() {
        // Local ref on the stack across a loop that modifies the local.
        let src = "(module (func (export \"f\") (param i32) (result i32) (local i32)
            local.get 0
            loop
              local.get 1 local.get 0 i32.add local.set 1
              local.get 0 i32.const 1 i32.sub local.tee 0
              br_if 0
            end
            local.get 1 i32.add))";
        // stack keeps the original n; sum n..1 = n(n+1)/2
        assert_eq!(run1(src, &[I32(10)]), I32(10 + 55));
    }

    #[test]
    fn br_if_carries_values() {
        let src = "(module (func (export \"f\") (param i32 i32) (result i32)
            block (result i32)
              local.get 0 local.get 1 br_if 0
              i32.const 100 i32.add
            end))";
        assert_eq!(run1(src, &[I32(5), I32(1)]), I32(5));
        assert_eq!(run1(src, &[I32(5), I32(0)]), I32(105));
        // br_if to the function with two results
        let src = "(module (func (export \"f\") (param i32) (result i32 i32)
            i32.const 1 i32.const 2 local.get 0 br_if 0 drop drop i32.const 3 i32.const 4))";
        assert_eq!(run(src, "f", &[I32(1)]), vec![I32(1), I32(2)]);
        assert_eq!(run(src, "f", &[I32(0)]), vec![I32(3), I32(4)]);
    }

    #[test]
    fn if_with_params_and_multi_value() {
        let src = "(module (func (export \"f\") (param i32 i32) (result i32)
            local.get 0 local.get 1
            if (param i32) (result i32) i32.const 1 i32.add else i32.const 2 i32.mul end))";
        assert_eq!(run1(src, &[I32(7), I32(1)]), I32(8));
        assert_eq!(run1(src, &[I32(7), I32(0)]), I32(14));
        let src = "(module (func (export \"f\") (param i32) (result i32)
            i32.const 0 local.get 0
            loop (param i32 i32) (result i32)
              ;; acc n
              local.set 0 local.get 0 i32.add
              local.get 0 i32.const 1 i32.sub
              local.get 0 i32.const 1 i32.gt_s
              if (param i32 i32) (result i32 i32) br 1 end
              drop
            end))";
        // acc = n + (n-1) + ... + 1
        assert_eq!(run1(src, &[I32(5)]), I32(15));
    }

    #[test]
    fn br_table_targets() {
        let src = "(module (func (export \"f\") (param i32) (result i32)
            block (result i32)
              block (result i32)
                block (result i32)
                  i32.const 7 i32.const 8 local.get 0 br_table 0 1 2 3
                end
                i32.const 100 i32.add return
              end
              i32.const 200 i32.add return
            end
            i32.const 300 i32.add))";
        // stack [7, 8]: each target receives the top value 8
        assert_eq!(run1(src, &[I32(0)]), I32(108));
        assert_eq!(run1(src, &[I32(1)]), I32(208));
        assert_eq!(run1(src, &[I32(2)]), I32(308));
        assert_eq!(run1(src, &[I32(3)]), I32(8)); // function label: return 8
        assert_eq!(run1(src, &[I32(99)]), I32(8)); // default
    }

    #[test]
    fn select_calls_and_recursion() {
        let src = "(module
            (func $fib (param i32) (result i32)
              local.get 0 i32.const 2 i32.lt_u
              if (result i32) local.get 0
              else local.get 0 i32.const 1 i32.sub call $fib
                   local.get 0 i32.const 2 i32.sub call $fib i32.add end)
            (func (export \"f\") (param i32) (result i32)
              local.get 0 call $fib
              i32.const -1
              local.get 0 i32.const 20 i32.le_u select))";
        assert_eq!(run1(src, &[I32(10)]), I32(55));
        assert_eq!(run1(src, &[I32(21)]), I32(-1));
    }

    #[test]
    fn call_indirect_and_tables() {
        let src = "(module
            (type $t (func (param i32) (result i32)))
            (table 2 funcref)
            (elem (i32.const 0) $inc $dbl)
            (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)
            (func $dbl (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
            (func (export \"f\") (param i32 i32) (result i32)
              local.get 0 local.get 1 call_indirect (type $t)))";
        assert_eq!(run1(src, &[I32(5), I32(0)]), I32(6));
        assert_eq!(run1(src, &[I32(5), I32(1)]), I32(10));
    }

    #[test]
    fn out_of_gas_in_loop_uses_all_gas() {
        let src = "(module (func (export \"f\") loop br 0 end))";
        let m = Module::new(&Config::default(), &wat::parse_str(src).unwrap()).unwrap();
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let mut gas = GasMeter::new(1000);
        let t = i.invoke(&mut NoHost, "f", &[], &mut gas).unwrap_err();
        assert_eq!(t.kind(), crate::TrapKind::OutOfGas);
        assert_eq!(gas.used(), 1000);
    }
}

#[test]
fn float_compare_fuses_into_branch_when_true_only() {
    let m = compile(
        "(module
          (func (param f64 f64) (result i32)
            block local.get 0 local.get 1 f64.lt br_if 0 i32.const 0 return end i32.const 1)
          (func (param f64 f64) (result i32)
            local.get 0 local.get 1 f64.lt if (result i32) i32.const 1 else i32.const 0 end)
          (func (param f32 f32) (result i32)
            local.get 0 local.get 1 f32.eq if (result i32) i32.const 1 else i32.const 0 end))",
    )
    .unwrap();
    // br_if branches when the compare holds: fused.
    let d = dis(&m, 0);
    assert!(d.contains("br.f64.lt lhs=p0 rhs=p1"), "{d}");
    assert!(!d.contains("f64.lt dst"), "{d}");
    // `if` branches when it does not hold: !(a < b) is not a >= b with NaN, so the
    // compare stays and the branch tests its result.
    let d = dis(&m, 1);
    assert!(d.contains("f64.lt dst="), "{d}");
    assert!(d.contains("br_if_eqz"), "{d}");
    assert!(!d.contains("br.f64.ge"), "{d}");
    // eq/ne are exact negations of each other, NaN included.
    let d = dis(&m, 2);
    assert!(d.contains("br.f32.ne lhs=p0 rhs=p1"), "{d}");
}

/// Pair heads (`ir::PAIRS`, docs/ir.md "Pairs"): every pair is made from code a compiler
/// emits, and its head computes what its two instructions compute one after the other
/// (results, NaN canonicalization, traps, branches both ways, a partner that is also a
/// branch target), with the same gas.
mod pairs {
    use crate::ir::PAIRS;
    use crate::{Config, GasMeter, Instance, Module, NoHost, TrapKind, Value};
    use Value::{F64, I32, I64};

    /// Compiles `body` as export "f", checks that its code has the head `head`
    /// (mnemonic), runs it on each of `cases` (arguments, expected results) with
    /// metering on, and returns the gas each run used.
    fn check(func: &str, head: &str, cases: &[Case]) -> Vec<u64> {
        check_with(&Config::default(), func, head, cases)
    }

    /// Arguments, and the results or the trap.
    type Case = (Vec<Value>, Result<Vec<Value>, TrapKind>);

    /// `func` as export "f" of a module with one page of memory, and the function's
    /// disassembly.
    fn compile(config: &Config, func: &str) -> (Module, String) {
        let src = format!("(module (memory 1) (func (export \"f\") {func}))");
        let m = Module::new(config, &wat::parse_str(&src).unwrap()).unwrap();
        let d = m.disassemble(0).unwrap();
        (m, d)
    }

    /// `check` with `config`.
    fn check_with(config: &Config, func: &str, head: &str, cases: &[Case]) -> Vec<u64> {
        let (m, d) = compile(config, func);
        assert!(d.contains(&format!(": {head} ")), "no `{head}` in\n{d}");
        let mut used = Vec::new();
        for (args, expect) in cases {
            let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
            let mut gas = GasMeter::new(1_000_000);
            let got = i
                .invoke(&mut NoHost, "f", args, &mut gas)
                .map_err(|t| t.kind());
            assert_eq!(&got, expect, "{head} on {args:?}\n{d}");
            used.push(gas.used());
        }
        used
    }

    fn canon(x: f64) -> u64 {
        if x.is_nan() {
            0x7ff8_0000_0000_0000
        } else {
            x.to_bits()
        }
    }

    /// A NaN with a payload and the sign set: must come out canonical.
    const ODD_NAN: u64 = 0xfff0_0000_0000_0123;

    #[test]
    fn every_pair_runs_like_its_two_instructions() {
        let mut seen = Vec::new();
        let mut note = |h: &'static str| seen.push(h);

        // i64.add, then a chain of adds each reading the previous sum.
        let f = "(param i64 i64 i64 i64 i64) (result i64) local.get 4 local.get 3 local.get 0
                 local.get 1 local.get 2 i64.add i64.add i64.add i64.add";
        for head in ["i64.add+i64.add.rr", "i64.add.rr+i64.add.rr"] {
            let args = [i64::MAX, 1, -5, 1 << 40, 3];
            let sum = args.iter().fold(0i64, |a, &b| a.wrapping_add(b));
            check(f, head, &[(args.map(I64).to_vec(), Ok(vec![I64(sum)]))]);
            note(head);
        }

        // Two independent adds of constants.
        let f = "(param i32 i32) (result i32) (local i32 i32)
                 local.get 0 i32.const 5 i32.add local.set 2
                 local.get 1 i32.const -7 i32.add local.set 3 local.get 2 local.get 3 i32.mul";
        let r = |a: i32, b: i32| I32(a.wrapping_add(5).wrapping_mul(b.wrapping_sub(7)));
        check(
            f,
            "i32.add.imm+i32.add.imm",
            &[
                (vec![I32(-1), I32(3)], Ok(vec![r(-1, 3)])),
                (
                    vec![I32(i32::MAX), I32(i32::MIN)],
                    Ok(vec![r(i32::MAX, i32::MIN)]),
                ),
            ],
        );
        note("i32.add.imm+i32.add.imm");

        // x + (a - b) * c, the product read as the add's right operand.
        let float_cases = |f: fn(f64, f64, f64, f64) -> f64| {
            let inputs = [
                [1.5, 0.25, -3.0, 10.0],
                [f64::from_bits(ODD_NAN), 1.0, 2.0, 3.0],
                [f64::INFINITY, 0.0, 0.0, 1.0],
                [1e308, -1e308, 10.0, -1.0],
            ];
            inputs
                .iter()
                .map(|x| {
                    let args = x.iter().map(|v| F64(v.to_bits())).collect();
                    (args, Ok(vec![F64(canon(f(x[0], x[1], x[2], x[3])))]))
                })
                .collect::<Vec<_>>()
        };
        let f = "(param f64 f64 f64 f64) (result f64) local.get 3 local.get 0 local.get 1
                 f64.sub local.get 2 f64.mul f64.add";
        check(
            f,
            "f64.mul.rl+f64.add.rr",
            &float_cases(|a, b, c, x| x + (a - b) * c),
        );
        note("f64.mul.rl+f64.add.rr");
        let f = "(param f64 f64 f64 f64) (result f64) local.get 3 local.get 2 local.get 0
                 local.get 1 f64.sub f64.mul f64.add";
        check(
            f,
            "f64.mul.rr+f64.add.rr",
            &float_cases(|a, b, c, x| x + c * (a - b)),
        );
        note("f64.mul.rr+f64.add.rr");

        let f = "(param f64 f64 f64 f64) (result f64) local.get 3 local.get 0 local.get 1
                 f64.sub f64.add";
        check(
            f,
            "f64.sub+f64.add.rr",
            &float_cases(|a, b, _, x| x + (a - b)),
        );
        note("f64.sub+f64.add.rr");

        // Counted loops closed by an add and a branch on its result.
        let f = "(param i32 i32 i32) (result i32)
                 loop local.get 0 local.get 1 i32.add local.tee 0 local.get 2 i32.lt_u br_if 0 end
                 local.get 0";
        let gas = check(
            f,
            "i32.add+br.i32.lt_u.rl",
            &[
                (vec![I32(0), I32(3), I32(10)], Ok(vec![I32(12)])),
                (vec![I32(-2), I32(1), I32(5)], Ok(vec![I32(-1)])),
                (vec![I32(0), I32(1), I32(4)], Ok(vec![I32(4)])),
            ],
        );
        // Four iterations cost the same whatever the step; three more than one
        // iteration cost three times one iteration's charge.
        assert_eq!(gas[0], gas[2]);
        assert!(gas[0] > gas[1] && (gas[0] - gas[1]).is_multiple_of(3));
        note("i32.add+br.i32.lt_u.rl");
        let f = "(param i32 i32) (result i32) (local i32)
                 loop local.get 2 local.get 0 i32.xor local.set 2
                      local.get 1 local.get 0 i32.const 1 i32.add local.tee 0 i32.ne br_if 0 end
                 local.get 2";
        let r = |a: i32, b: i32| I32((a..b).fold(0, |x, i| x ^ i));
        check(
            f,
            "i32.add.imm+br.i32.ne.rr",
            &[
                (vec![I32(0), I32(10)], Ok(vec![r(0, 10)])),
                (vec![I32(-3), I32(2)], Ok(vec![r(-3, 2)])),
            ],
        );
        note("i32.add.imm+br.i32.ne.rr");
        let f = "(param i32) (result i32)
                 loop local.get 0 i32.const 3 i32.add local.tee 0 i32.const 30 i32.ne br_if 0 end
                 local.get 0";
        check(
            f,
            "i32.add.imm+br.i32.ne.imm.rl",
            &[
                (vec![I32(0)], Ok(vec![I32(30)])),
                (vec![I32(27)], Ok(vec![I32(30)])),
            ],
        );
        note("i32.add.imm+br.i32.ne.imm.rl");
        let f = "(param i32) (result i32) (local i32)
                 loop local.get 1 local.get 0 i32.add local.set 1
                      local.get 0 i32.const -1 i32.add local.tee 0 br_if 0 end
                 local.get 1";
        check(
            f,
            "i32.add.imm+br_if_nez.rc",
            &[
                (vec![I32(100)], Ok(vec![I32(5050)])),
                (vec![I32(1)], Ok(vec![I32(1)])),
            ],
        );
        note("i32.add.imm+br_if_nez.rc");

        // A sum stored through the register, and an out-of-bounds store (a trap after
        // the head's first half ran; the run stops there).
        let f = "(param i32 f64 f64 f64) (result f64) local.get 0 local.get 1 local.get 2
                 local.get 3 f64.mul f64.add f64.store local.get 0 f64.load";
        let bits = |v: f64| F64(v.to_bits());
        check(
            f,
            "f64.add.rr+f64.store.rv",
            &[
                (
                    vec![I32(8), bits(1.0), bits(2.0), bits(3.0)],
                    Ok(vec![bits(7.0)]),
                ),
                (
                    vec![I32(16), F64(ODD_NAN), bits(2.0), bits(3.0)],
                    Ok(vec![F64(0x7ff8_0000_0000_0000)]),
                ),
                (
                    vec![I32(65536 - 4), bits(1.0), bits(2.0), bits(3.0)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note("f64.add.rr+f64.store.rv");

        // An address computed and loaded from: the bits of a NaN come back as stored
        // (loads and stores do not canonicalize), and an access past the end traps.
        let f = "(param i32 f64) (result f64) local.get 0 local.get 1 f64.store offset=8
                 local.get 0 i32.const 8 i32.add f64.load";
        check(
            f,
            "i32.add.imm+f64.load.rp",
            &[
                (vec![I32(0), bits(-0.5)], Ok(vec![bits(-0.5)])),
                (vec![I32(100), F64(ODD_NAN)], Ok(vec![F64(ODD_NAN)])),
                (
                    vec![I32(65536 - 8), bits(1.0)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note("i32.add.imm+f64.load.rp");
        let f = "(param i32 i32) (result i32) i32.const 100 i32.const 0xabcd i32.store16
                 local.get 0 local.get 1 i32.add i32.load8_u";
        check(
            f,
            "i32.add+i32.load8_u.rp",
            &[
                (vec![I32(50), I32(50)], Ok(vec![I32(0xcd)])),
                (vec![I32(100), I32(1)], Ok(vec![I32(0xab)])),
                (vec![I32(65535), I32(1)], Err(TrapKind::MemoryOutOfBounds)),
            ],
        );
        note("i32.add+i32.load8_u.rp");
        let f = "(param i32 i32 i32) (result i32) local.get 0 i32.const 0x107 i32.store8
                 local.get 1 local.get 2 i32.add local.get 0 i32.load8_u i32.add";
        check(
            f,
            "i32.store8.imm+i32.add",
            &[
                (vec![I32(3), I32(-1), I32(10)], Ok(vec![I32(16)])),
                (
                    vec![I32(65536), I32(1), I32(2)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note("i32.store8.imm+i32.add");

        // Moves: a swap through a local.
        let f = "(param i32 i32) (result i32) (local i32) local.get 0 local.set 2
                 local.get 1 local.set 0 local.get 2 local.set 1 local.get 0 local.get 1 i32.sub";
        check(f, "copy+copy", &[(vec![I32(5), I32(12)], Ok(vec![I32(7)]))]);
        note("copy+copy");

        // Address arithmetic: shifts (counts taken mod 32) and rotates into an add / xor.
        let f = "(param i32 i32) (result i32) local.get 1 local.get 0 i32.const 3 i32.shl i32.add";
        check(
            f,
            "i32.shl.imm+i32.add.rr",
            &[(
                vec![I32(0x2000_0001), I32(5)],
                Ok(vec![I32(5i32.wrapping_add(0x2000_0001i32 << 3))]),
            )],
        );
        note("i32.shl.imm+i32.add.rr");
        let f = "(param i32 i32) (result i32) local.get 1 local.get 0 i32.const 1 i32.xor
                 i32.const 35 i32.shl i32.add";
        check(
            f,
            "i32.shl.imm.rl+i32.add.rr",
            &[(
                vec![I32(6), I32(-100)],
                Ok(vec![I32(-100 + ((6 ^ 1) << 3))]),
            )],
        );
        note("i32.shl.imm.rl+i32.add.rr");
        let f = "(param i32 i32) (result i32) local.get 1 local.get 0 i32.const 7 i32.rotl i32.xor";
        check(
            f,
            "i32.rotl.imm+i32.xor.rr",
            &[(
                vec![I32(0x8765_4321u32 as i32), I32(0x0f0f_0f0f)],
                Ok(vec![I32(
                    (0x8765_4321u32.rotate_left(7) ^ 0x0f0f_0f0f) as i32
                )]),
            )],
        );
        note("i32.rotl.imm+i32.xor.rr");
        let f =
            "(param i64 i64) (result i64) local.get 0 local.get 1 i64.xor i64.const 13 i64.rotl";
        check(
            f,
            "i64.xor+i64.rotl.imm.rl",
            &[(
                vec![I64(0x0123_4567_89ab_cdef), I64(-1)],
                Ok(vec![
                    I64((!0x0123_4567_89ab_cdefu64).rotate_left(13) as i64),
                ]),
            )],
        );
        note("i64.xor+i64.rotl.imm.rl");

        let f = "(param i64 i64) (result i64) local.get 1 local.get 0 i64.const -3 i64.xor i64.and";
        check(
            f,
            "i64.xor.imm+i64.and.rr",
            &[(
                vec![I64(0x00ff_00ff_00ff_00ff), I64(0x0f0f_0f0f_0f0f_0f0f)],
                Ok(vec![I64(
                    0x0f0f_0f0f_0f0f_0f0f & (0x00ff_00ff_00ff_00ff ^ -3)
                )]),
            )],
        );
        note("i64.xor.imm+i64.and.rr");

        // A float sum compared and branched on (taken, not taken, NaN: not taken).
        let f = "(param f64 f64 f64) (result i32) block local.get 2 local.get 0 local.get 1
                 f64.mul f64.add f64.const 4 f64.le br_if 0 i32.const 0 return end i32.const 1";
        check(
            f,
            "f64.add.rr+br.f64.le.rl",
            &[
                (vec![bits(1.0), bits(2.0), bits(1.0)], Ok(vec![I32(1)])),
                (vec![bits(1.0), bits(2.0), bits(2.5)], Ok(vec![I32(0)])),
                (vec![F64(ODD_NAN), bits(2.0), bits(0.0)], Ok(vec![I32(0)])),
            ],
        );
        note("f64.add.rr+br.f64.le.rl");

        // Independent float products (`|z|²` of a complex number), a product read by the
        // next product, a product beside an independent sum, two loads.
        let f = "(param f64 f64) (result f64) (local f64 f64) local.get 0 local.get 0 f64.mul
                 local.set 2 local.get 1 local.get 1 f64.mul local.set 3 local.get 2 local.get 3
                 f64.sub";
        let cases = |f: fn(f64, f64) -> f64| {
            [
                [1.5, -2.0],
                [f64::from_bits(ODD_NAN), 1.0],
                [1e200, 3.0],
                [-0.0, 0.0],
            ]
            .iter()
            .map(|x| {
                let args = vec![F64(x[0].to_bits()), F64(x[1].to_bits())];
                (args, Ok(vec![F64(canon(f(x[0], x[1])))]))
            })
            .collect::<Vec<_>>()
        };
        check(f, "f64.mul+f64.mul", &cases(|a, b| a * a - b * b));
        note("f64.mul+f64.mul");
        let f = "(param f64 f64) (result f64) local.get 1 local.get 0 local.get 0 f64.mul f64.mul";
        check(f, "f64.mul+f64.mul.rr", &cases(|a, b| b * (a * a)));
        note("f64.mul+f64.mul.rr");
        let f = "(param f64 f64) (result f64) (local f64) local.get 0 local.get 1 f64.sub
                 local.get 1 f64.mul local.set 2 local.get 0 local.get 0 f64.add local.get 2 f64.div";
        check(
            f,
            "f64.mul.rl+f64.add",
            &cases(|a, b| (a + a) / ((a - b) * b)),
        );
        note("f64.mul.rl+f64.add");
        let f = "(param i32) (result f64) i32.const 0 f64.const 1.5 f64.store
                 i32.const 8 f64.const -2.25 f64.store
                 local.get 0 f64.load local.get 0 f64.load offset=8 f64.sub";
        check(
            f,
            "f64.load+f64.load",
            &[
                (vec![I32(0)], Ok(vec![bits(3.75)])),
                (vec![I32(8)], Ok(vec![bits(-2.25)])),
                (vec![I32(65528)], Err(TrapKind::MemoryOutOfBounds)),
                (vec![I32(65529)], Err(TrapKind::MemoryOutOfBounds)),
            ],
        );
        note("f64.load+f64.load");

        // Squares of a value just computed: both operands from the float register
        // (`f64.mul.sq`), alone and as pair heads.
        let f = "(param f64 f64) (result f64) (local f64) local.get 0 local.get 1 f64.sub
                 local.tee 2 local.get 2 f64.mul";
        check(f, "f64.mul.sq", &cases(|a, b| (a - b) * (a - b)));
        let f = "(param f64 f64) (result f64) (local f64) local.get 1 local.get 0 local.get 1
                 f64.sub local.tee 2 local.get 2 f64.mul f64.add";
        check(
            f,
            "f64.mul.sq+f64.add.rr",
            &cases(|a, b| b + (a - b) * (a - b)),
        );
        note("f64.mul.sq+f64.add.rr");
        let f = "(param f64 f64) (result f64) (local f64 f64) local.get 0 local.get 1 f64.sub
                 local.tee 2 local.get 2 f64.mul local.set 3 local.get 0 local.get 1 f64.add
                 local.get 3 f64.div";
        check(
            f,
            "f64.mul.sq+f64.add",
            &cases(|a, b| (a + b) / ((a - b) * (a - b))),
        );
        note("f64.mul.sq+f64.add");
        // The same square with its operand read from a slot (not the value just
        // computed): the plain form.
        let f = "(param f64 f64) (result f64) local.get 0 local.get 0 f64.mul local.get 1 f64.add";
        check(f, "f64.mul", &cases(|a, b| a * a + b));

        // Memory pairs (round 11): two loads, two stores, a load whose result the next
        // instruction stores or adds, an address or value computed and then used; each
        // also with the second access out of bounds (the first one's effects stay, the
        // pair traps where its partner would).
        let oob = Err(TrapKind::MemoryOutOfBounds);
        let f = "(param i32 i32 i32) (result i64) local.get 0 local.get 1 i32.store
                 local.get 0 local.get 2 i32.store offset=4 local.get 0 i64.load";
        let both = |a: i32, b: i32| I64(((b as u32 as i64) << 32) | a as u32 as i64);
        check(
            f,
            "i32.store+i32.store",
            &[
                (vec![I32(8), I32(-1), I32(7)], Ok(vec![both(-1, 7)])),
                (
                    vec![I32(65532), I32(1), I32(2)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
                (
                    vec![I32(65533), I32(1), I32(2)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note("i32.store+i32.store");
        let f = "(param i32 i32 i32) (result i32) local.get 1 local.get 2 i32.store
                 local.get 1 i32.const 40 i32.store offset=4
                 local.get 0 i32.load local.get 0 i32.load offset=4 i32.sub";
        check(
            f,
            "i32.load+i32.load",
            &[
                (
                    vec![I32(16), I32(16), I32(i32::MIN)],
                    Ok(vec![I32(i32::MIN.wrapping_sub(40))]),
                ),
                (vec![I32(65532), I32(0), I32(0)], oob.clone()),
                (vec![I32(65533), I32(0), I32(0)], oob.clone()),
            ],
        );
        note("i32.load+i32.load");
        let f = "(param i32 i32) (result i32) local.get 0 i32.const 2147483647 i32.store
                 local.get 0 i32.load local.get 1 i32.add";
        check(
            f,
            "i32.load+i32.add.rl",
            &[
                (vec![I32(0), I32(1)], Ok(vec![I32(i32::MIN)])),
                (vec![I32(100), I32(-5)], Ok(vec![I32(i32::MAX - 5)])),
            ],
        );
        note("i32.load+i32.add.rl");
        let f = "(param i32 i32 i32) (result i32) local.get 0 i32.const 99 i32.store offset=4
                 local.get 1 local.get 0 local.get 2 i32.add i32.load i32.store
                 local.get 1 i32.load";
        check(
            f,
            "i32.load.rp+i32.store.rv",
            &[
                (vec![I32(0), I32(100), I32(4)], Ok(vec![I32(99)])),
                (vec![I32(0), I32(65533), I32(4)], oob.clone()),
                (vec![I32(0), I32(100), I32(65533)], oob.clone()),
            ],
        );
        note("i32.load.rp+i32.store.rv");
        let f = "(param i32 i32) (result i64) local.get 0 i64.const -2 i64.store
                 local.get 1 local.get 0 i64.load i64.store local.get 1 i64.load";
        check(
            f,
            "i64.load+i64.store.rv",
            &[
                (vec![I32(0), I32(8)], Ok(vec![I64(-2)])),
                (vec![I32(0), I32(65529)], oob.clone()),
            ],
        );
        note("i64.load+i64.store.rv");
        let f = "(param i32 i32) (result i32) local.get 0 i32.const 200 i32.store8 offset=1
                 local.get 1 local.get 0 i32.const 1 i32.add i32.load8_u i32.add";
        check(
            f,
            "i32.load8_u.rp+i32.add.rr",
            &[
                (vec![I32(0), I32(5)], Ok(vec![I32(205)])),
                (vec![I32(65534), I32(-1)], Ok(vec![I32(199)])),
            ],
        );
        note("i32.load8_u.rp+i32.add.rr");
        let f = "(param i32 i32) (result i32) local.get 0 local.get 1 i32.const 7 i32.add
                 i32.store local.get 0 i32.load";
        check(
            f,
            "i32.add.imm+i32.store.rv",
            &[
                (vec![I32(0), I32(-10)], Ok(vec![I32(-3)])),
                (vec![I32(12), I32(i32::MAX)], Ok(vec![I32(i32::MIN + 6)])),
                (vec![I32(65533), I32(0)], oob.clone()),
            ],
        );
        note("i32.add.imm+i32.store.rv");

        // An add and an independent move; a mask added to a base.
        let f = "(param i32 i32) (result i32) (local i32 i32) local.get 0 i32.const 5 i32.add
                 local.set 2 local.get 1 local.set 3 local.get 2 local.get 3 i32.mul";
        check(
            f,
            "i32.add.imm+copy",
            &[
                (vec![I32(2), I32(3)], Ok(vec![I32(21)])),
                (
                    vec![I32(i32::MAX), I32(2)],
                    Ok(vec![I32(i32::MAX.wrapping_add(5).wrapping_mul(2))]),
                ),
            ],
        );
        note("i32.add.imm+copy");
        let f =
            "(param i32 i32) (result i32) local.get 1 local.get 0 i32.const 255 i32.and i32.add";
        check(
            f,
            "i32.and.imm+i32.add.rr",
            &[
                (vec![I32(0x1234), I32(10)], Ok(vec![I32(0x34 + 10)])),
                (
                    vec![I32(-1), I32(i32::MAX)],
                    Ok(vec![I32(i32::MAX.wrapping_add(255))]),
                ),
            ],
        );
        note("i32.and.imm+i32.add.rr");

        // A call whose argument is a local moved into place: recursion to depth `n`, and
        // past the call-depth limit (the loop makes that call and traps).
        let f = "(param i32) (result i32) (local i32 i32) local.get 0 i32.eqz if (result i32)
                 i32.const 100 else local.get 0 i32.const -1 i32.add local.set 1
                 local.get 0 i32.const 3 i32.mul local.set 2 local.get 1 call 0
                 local.get 2 i32.add end";
        let depth = |n: i32| (1..=n).map(|k| 3 * k).sum::<i32>() + 100;
        check(
            f,
            "copy+call",
            &[
                (vec![I32(0)], Ok(vec![I32(100)])),
                (vec![I32(1)], Ok(vec![I32(depth(1))])),
                (vec![I32(30)], Ok(vec![I32(depth(30))])),
                (vec![I32(1_000_000)], Err(TrapKind::CallStackExhausted)),
            ],
        );
        note("copy+call");

        // A call whose argument is computed in place: the same recursion with the
        // argument `n - 1` written by the add.
        let f = "(param i32) (result i32) local.get 0 i32.eqz if (result i32) i32.const 100
                 else local.get 0 i32.const -1 i32.add call 0 local.get 0 i32.add end";
        let sum = |n: i32| (1..=n).sum::<i32>() + 100;
        check(
            f,
            "i32.add.imm+call",
            &[
                (vec![I32(0)], Ok(vec![I32(100)])),
                (vec![I32(1)], Ok(vec![I32(sum(1))])),
                (vec![I32(40)], Ok(vec![I32(sum(40))])),
                (vec![I32(1_000_000)], Err(TrapKind::CallStackExhausted)),
            ],
        );
        note("i32.add.imm+call");

        // An indirect call whose table index is a local moved into place: recursion
        // through the table (entry 0 is `f`, entry 1 a function of another type, entry 2
        // null), then each way the loop resolves instead: the wrong type, a null entry,
        // an index past the table, and the depth limit.
        let f = "(param i32 i32) (result i32) local.get 0 i32.eqz if (result i32) i32.const 7
                 else local.get 0 i32.const -1 i32.add local.get 1 local.get 1
                 call_indirect (param i32 i32) (result i32) i32.const 2 i32.mul end)
                 (table 3 funcref) (elem (i32.const 0) 0 1)
                 (func (param i32) (result i32) local.get 0";
        check(
            f,
            "copy+call_indirect",
            &[
                (vec![I32(0), I32(0)], Ok(vec![I32(7)])),
                (vec![I32(10), I32(0)], Ok(vec![I32(7 << 10)])),
                (
                    vec![I32(3), I32(1)],
                    Err(TrapKind::IndirectCallTypeMismatch),
                ),
                (vec![I32(3), I32(2)], Err(TrapKind::UninitializedElement)),
                (vec![I32(3), I32(3)], Err(TrapKind::TableOutOfBounds)),
                (
                    vec![I32(1_000_000), I32(0)],
                    Err(TrapKind::CallStackExhausted),
                ),
            ],
        );
        note("copy+call_indirect");

        // A difference stored through the register (nbody's velocity updates).
        let f = "(param i32 f64 f64 f64) (result f64) local.get 0 local.get 1 local.get 2
                 local.get 3 f64.mul f64.sub f64.store local.get 0 f64.load";
        check(
            f,
            "f64.sub.rr+f64.store.rv",
            &[
                (
                    vec![I32(8), bits(1.0), bits(2.0), bits(3.0)],
                    Ok(vec![bits(-5.0)]),
                ),
                (
                    vec![I32(16), F64(ODD_NAN), bits(2.0), bits(3.0)],
                    Ok(vec![F64(0x7ff8_0000_0000_0000)]),
                ),
                (
                    vec![I32(65536 - 4), bits(1.0), bits(2.0), bits(3.0)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note("f64.sub.rr+f64.store.rv");

        // An `if` with a result: the then arm moves its value to the merge and jumps
        // over the else arm.
        let f = "(param i32 i32 i32) (result i32) local.get 0 if (result i32) local.get 1
                 else local.get 2 end";
        let gas = check(
            f,
            "copy+br",
            &[
                (vec![I32(1), I32(7), I32(9)], Ok(vec![I32(7)])),
                (vec![I32(0), I32(7), I32(9)], Ok(vec![I32(9)])),
                (vec![I32(-1), I32(-7), I32(9)], Ok(vec![I32(-7)])),
            ],
        );
        assert_eq!(gas[0], gas[2]);
        note("copy+br");
        let f = "(param i32) (result i64) local.get 0 if (result i64) i64.const 0x123456789
                 else i64.const -2 end";
        check(
            f,
            "const+br",
            &[
                (vec![I32(1)], Ok(vec![I64(0x1_2345_6789)])),
                (vec![I32(0)], Ok(vec![I64(-2)])),
            ],
        );
        note("const+br");

        // A byte copied: loads and stores of either end past the memory trap (the store
        // after the load's slot write).
        let f = "(param i32 i32) (result i32) local.get 0 i32.const 0xab i32.store8 offset=3
                 local.get 1 local.get 0 i32.load8_u offset=3 i32.store8 local.get 1 i32.load8_u";
        check(
            f,
            "i32.load8_u+i32.store8.rv",
            &[
                (vec![I32(0), I32(100)], Ok(vec![I32(0xab)])),
                (vec![I32(5), I32(5)], Ok(vec![I32(0xab)])),
                (vec![I32(8), I32(65535)], Ok(vec![I32(0xab)])),
                (vec![I32(65533), I32(0)], Err(TrapKind::MemoryOutOfBounds)),
                (vec![I32(0), I32(65536)], Err(TrapKind::MemoryOutOfBounds)),
            ],
        );
        note("i32.load8_u+i32.store8.rv");

        // A counter set up right before a loop entered by falling through: the loop
        // header's charge runs in the same dispatch; the back edge lands past it.
        let f = "(param i32) (result i32) (local i32)
                 local.get 0 i32.const 1 i32.add local.set 1
                 loop local.get 1 i32.const 3 i32.mul local.set 1
                      local.get 0 i32.const -1 i32.add local.tee 0 br_if 0 end
                 local.get 1";
        let gas = check(
            f,
            "i32.add.imm+consume_gas",
            &[
                (vec![I32(1)], Ok(vec![I32(6)])),
                (vec![I32(2)], Ok(vec![I32(27)])),
                (vec![I32(4)], Ok(vec![I32(5 * 81)])),
            ],
        );
        // Every iteration costs the same (1, 2 and 4 iterations).
        assert_eq!((gas[1] - gas[0]) * 3, gas[2] - gas[0]);
        note("i32.add.imm+consume_gas");
        // One unit short of the run's cost: out of gas, with all gas used.
        let (m, _) = compile(&Config::default(), f);
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let mut gas_meter = GasMeter::new(gas[0] - 1);
        let got = i.invoke(&mut NoHost, "f", &[I32(1)], &mut gas_meter);
        assert_eq!(got.map_err(|t| t.kind()), Err(TrapKind::OutOfGas));
        assert_eq!(gas_meter.used(), gas[0] - 1);

        // Xorshift steps and the high half of a product (a random byte generator).
        let xs = 0x0123_4567_89ab_cdefu64;
        let f = "(param i64) (result i64) local.get 0 i64.const 12 i64.shr_u local.get 0 i64.xor";
        let head = "i64.shr_u.imm+i64.xor.rl";
        check(
            f,
            head,
            &[(
                vec![I64(xs as i64)],
                Ok(vec![I64((xs ^ (xs >> 12)) as i64)]),
            )],
        );
        note(head);
        let g = |a: u64, b: u64| a ^ b;
        // (Shift counts past 63 wrap: 91 is 27, 89 is 25.)
        for (op, head, h) in [
            (
                "i64.const 91 i64.shr_u",
                "i64.shr_u.imm.rl+i64.xor.rl",
                (|x: u64| x >> 27) as fn(u64) -> u64,
            ),
            (
                "i64.const 89 i64.shl",
                "i64.shl.imm.rl+i64.xor.rl",
                |x: u64| x << 25,
            ),
        ] {
            let f = format!(
                "(param i64 i64) (result i64) (local i64) local.get 0 local.get 1 i64.xor
                 local.tee 2 {op} local.get 2 i64.xor"
            );
            let x = g(xs, 0xffff_0000_ffff_0000);
            check(
                &f,
                head,
                &[(
                    vec![I64(xs as i64), I64(0xffff_0000_ffff_0000u64 as i64)],
                    Ok(vec![I64((h(x) ^ x) as i64)]),
                )],
            );
            note(head);
        }
        let m = 0x2545_f491_4f6c_dd1du64;
        let f = "(param i64 i64) (result i64) local.get 0 local.get 1 i64.xor
                 i64.const 0x2545F4914F6CDD1D i64.mul i64.const 32 i64.shr_u local.get 1 i64.add";
        let head = "i64.mul.rl+i64.shr_u.imm.rl";
        check(
            f,
            head,
            &[(
                vec![I64(xs as i64), I64(-7)],
                Ok(vec![I64(
                    ((xs ^ (-7i64 as u64)).wrapping_mul(m) >> 32).wrapping_sub(7) as i64,
                )]),
            )],
        );
        note(head);

        // Parity, `a & !b`, choose: chains of bitwise operations.
        let f =
            "(param i64 i64 i64 i64) (result i64) local.get 0 local.get 1 local.get 2 local.get 3
                 i64.xor i64.xor i64.xor";
        let head = "i64.xor.rr+i64.xor.rr";
        check(
            f,
            head,
            &[(vec![I64(1), I64(2), I64(4), I64(-1)], Ok(vec![I64(!7)]))],
        );
        note(head);
        let f = "(param i64 i64 i64) (result i64) local.get 1 local.get 0 local.get 2 i64.add
                 i64.const -1 i64.xor i64.and";
        let head = "i64.xor.imm.rl+i64.and.rr";
        check(
            f,
            head,
            &[
                (
                    vec![I64(0xf0), I64(0xff), I64(0x0f)],
                    Ok(vec![I64(0xff & !0xff)]),
                ),
                (
                    vec![I64(0x30), I64(0xff), I64(0x10)],
                    Ok(vec![I64(0xff & !0x40)]),
                ),
            ],
        );
        note(head);
        let f =
            "(param i32 i32 i32) (result i32) local.get 2 local.get 0 local.get 1 i32.xor i32.and";
        let head = "i32.xor+i32.and.rr";
        check(
            f,
            head,
            &[(
                vec![I32(0b1100), I32(0b1010), I32(0b0111)],
                Ok(vec![I32(0b0110)]),
            )],
        );
        note(head);
        let f =
            "(param i32 i32 i32 i32) (result i32) local.get 3 local.get 2 local.get 0 local.get 1
                 i32.add i32.xor i32.add";
        let head = "i32.xor.rr+i32.add.rr";
        let r = |a: i32, b: i32, c: i32, d: i32| I32(d.wrapping_add(c ^ a.wrapping_add(b)));
        check(
            f,
            head,
            &[(
                vec![I32(i32::MAX), I32(1), I32(-1), I32(5)],
                Ok(vec![r(i32::MAX, 1, -1, 5)]),
            )],
        );
        note(head);
        let f = "(param i32 i32 i32) (result i32) (local i32) local.get 2 local.get 0 local.get 1
                 i32.xor i32.add local.set 3 local.get 0 i32.const 7 i32.rotl local.get 3 i32.xor";
        let head = "i32.add.rr+i32.rotl.imm";
        let r =
            |a: i32, b: i32, c: i32| I32((a as u32).rotate_left(7) as i32 ^ c.wrapping_add(a ^ b));
        check(
            f,
            head,
            &[(
                vec![I32(0x8000_0001u32 as i32), I32(3), I32(-9)],
                Ok(vec![r(0x8000_0001u32 as i32, 3, -9)]),
            )],
        );
        note(head);
        let f =
            "(param i32 i32) (result i32) local.get 1 local.get 0 i32.const 35 i32.shr_u i32.xor";
        let head = "i32.shr_u.imm+i32.xor.rr";
        check(
            f,
            head,
            &[(
                vec![I32(-16), I32(0x55)],
                Ok(vec![I32(((-16i32 as u32) >> 3) as i32 ^ 0x55)]),
            )],
        );
        note(head);

        // A distance masked to 16 bits (wrapping below zero).
        let f =
            "(param i32 i32) (result i32) local.get 0 local.get 1 i32.sub i32.const 65535 i32.and
                 local.get 0 i32.add";
        let head = "i32.sub+i32.and.imm.rl";
        check(
            f,
            head,
            &[
                (vec![I32(3), I32(5)], Ok(vec![I32(65534 + 3)])),
                (
                    vec![I32(0x12345), I32(0x45)],
                    Ok(vec![I32(0x2300 + 0x12345)]),
                ),
            ],
        );
        note(head);

        // `u16` loads at a bumped address: the add wraps at 32 bits before the offset
        // is added; past the end traps.
        let f = "(param i32 i32) (result i32) i32.const 0 i32.const 0xbeef i32.store16 offset=2
                 local.get 0 local.get 1 i32.add i32.const 2 i32.add i32.load16_u";
        let head = "i32.add.imm.rl+i32.load16_u.rp";
        check(
            f,
            head,
            &[
                (vec![I32(0), I32(0)], Ok(vec![I32(0xbeef)])),
                (vec![I32(-2), I32(0)], Ok(vec![I32(0)])),
                (vec![I32(-4), I32(0)], oob.clone()),
                (vec![I32(65530), I32(4)], oob.clone()),
            ],
        );
        note(head);
        let f = "(param i32) (result i32) i32.const 0 i32.const 0xcafe i32.store16 offset=6
                 local.get 0 i32.const 6 i32.add i32.load16_u";
        let head = "i32.add.imm+i32.load16_u.rp";
        check(
            f,
            head,
            &[
                (vec![I32(0)], Ok(vec![I32(0xcafe)])),
                (vec![I32(-6)], Ok(vec![I32(0)])),
                (vec![I32(-7)], oob.clone()),
                (vec![I32(65529)], oob.clone()),
            ],
        );
        note(head);

        // A compare feeding a `select` and a count.
        let f =
            "(param i32 i32 i32 i32) (result i32) local.get 2 local.get 3 local.get 0 local.get 1
                 i32.add local.get 1 i32.lt_u select";
        let head = "i32.lt_u.rl+select";
        check(
            f,
            head,
            &[
                (vec![I32(1), I32(2), I32(10), I32(20)], Ok(vec![I32(20)])),
                (vec![I32(-1), I32(2), I32(10), I32(20)], Ok(vec![I32(10)])),
                (vec![I32(0), I32(2), I32(10), I32(20)], Ok(vec![I32(20)])),
            ],
        );
        note(head);
        let f =
            "(param i32 i32 i32) (result i32) local.get 2 local.get 0 local.get 1 i32.lt_u i32.add";
        let head = "i32.lt_u+i32.add.rr";
        check(
            f,
            head,
            &[
                (vec![I32(1), I32(-1), I32(7)], Ok(vec![I32(8)])),
                (vec![I32(-1), I32(1), I32(7)], Ok(vec![I32(7)])),
                (vec![I32(5), I32(5), I32(7)], Ok(vec![I32(7)])),
            ],
        );
        note(head);

        // Loops closed on a bumped index: up to a limit, and down to 1.
        let f = "(param i32 i32) (result i32) loop local.get 0 i32.const 3 i32.add local.tee 0
                 local.get 1 i32.lt_u br_if 0 end local.get 0";
        let head = "i32.add.imm+br.i32.lt_u.rl";
        let gas = check(
            f,
            head,
            &[
                (vec![I32(0), I32(10)], Ok(vec![I32(12)])),
                (vec![I32(5), I32(3)], Ok(vec![I32(8)])),
                (vec![I32(0), I32(9)], Ok(vec![I32(9)])),
                (vec![I32(-5), I32(10)], Ok(vec![I32(-2)])),
            ],
        );
        // 4 iterations, then 1, 3 and 1 (the same cost each).
        assert_eq!((gas[0] - gas[1]) * 2, (gas[2] - gas[1]) * 3);
        note(head);
        let f = "(param i32) (result i32) loop local.get 0 i32.const -2 i32.add local.tee 0
                 i32.const 1 i32.gt_u br_if 0 end local.get 0";
        let head = "i32.add.imm+br.i32.gt_u.imm.rl";
        check(
            f,
            head,
            &[
                (vec![I32(10)], Ok(vec![I32(0)])),
                (vec![I32(9)], Ok(vec![I32(1)])),
                (vec![I32(3)], Ok(vec![I32(1)])),
            ],
        );
        note(head);

        // Two rotations of one word, added.
        let f = "(param i32) (result i32) local.get 0 i32.const 7 i32.rotl local.get 0 i32.const 13
                 i32.rotl i32.add";
        let head = "i32.rotl.imm+i32.rotl.imm";
        let x = 0x8765_4321u32;
        check(
            f,
            head,
            &[(
                vec![I32(x as i32)],
                Ok(vec![I32(
                    x.rotate_left(7).wrapping_add(x.rotate_left(13)) as i32
                )]),
            )],
        );
        note(head);
        let f =
            "(param i32 i32 i32) (result i32) local.get 2 local.get 0 local.get 1 i32.mul i32.add
                 i32.const 1116352408 i32.add";
        let head = "i32.add.rr+i32.add.imm.rl";
        let r = |a: i32, b: i32, c: i32| {
            I32(c
                .wrapping_add(a.wrapping_mul(b))
                .wrapping_add(1_116_352_408))
        };
        check(
            f,
            head,
            &[(
                vec![I32(3), I32(-5), I32(i32::MAX)],
                Ok(vec![r(3, -5, i32::MAX)]),
            )],
        );
        note(head);
        let f = "(param i64 i64 i64) (result i64) (local i64 i64) local.get 0 local.get 1 i64.and
                 local.get 2 i64.xor local.tee 3 local.set 4 local.get 3 local.get 4 i64.sub
                 local.get 4 i64.add";
        let head = "i64.xor.rl+copy.rs";
        check(
            f,
            head,
            &[(vec![I64(0xff), I64(0x0f), I64(0x100)], Ok(vec![I64(0x10f)]))],
        );
        note(head);

        // A local set before a base-case test, both ways.
        let f = "(param i32) (result i64) (local i64) i64.const 7 local.set 1 block local.get 0
                 i32.const 2 i32.lt_u br_if 0 local.get 1 i64.const 5 i64.add local.set 1 end
                 local.get 1";
        let head = "const+br.i32.lt_u.imm";
        check(
            f,
            head,
            &[
                (vec![I32(1)], Ok(vec![I64(7)])),
                (vec![I32(2)], Ok(vec![I64(12)])),
                (vec![I32(-1)], Ok(vec![I64(12)])),
            ],
        );
        note(head);
        let f = "(param i32 i64) (result i64) local.get 1 local.get 0 i64.extend_i32_u i64.add";
        let head = "i64.extend_i32_u+i64.add.rr";
        check(
            f,
            head,
            &[(vec![I32(-1), I64(5)], Ok(vec![I64(0xffff_ffff + 5)]))],
        );
        note(head);

        // A field at a pointer, and a loaded word tested for zero; past the end traps.
        let f = "(param i32) (result i32) i32.const 0 i32.const 0x12345678 i32.store offset=8
                 local.get 0 i32.const 8 i32.add i32.load";
        let head = "i32.add.imm+i32.load.rp";
        check(
            f,
            head,
            &[
                (vec![I32(0)], Ok(vec![I32(0x1234_5678)])),
                (vec![I32(-8)], Ok(vec![I32(0)])),
                (vec![I32(-9)], oob.clone()),
                (vec![I32(65524)], Ok(vec![I32(0)])),
                (vec![I32(65525)], oob.clone()),
            ],
        );
        note(head);
        let f =
            "(param i32) (result i32) i32.const 0 i32.const 9 i32.store offset=4 block local.get 0
                 i32.load i32.eqz br_if 0 i32.const 1 return end i32.const 0";
        let head = "i32.load+br_if_eqz.rc";
        check(
            f,
            head,
            &[
                (vec![I32(4)], Ok(vec![I32(1)])),
                (vec![I32(0)], Ok(vec![I32(0)])),
                (vec![I32(65533)], oob.clone()),
            ],
        );
        note(head);
        let f =
            "(param i32 i32) (result i32) block local.get 1 local.get 0 i32.const 0xffff i32.and
                 i32.eq br_if 0 i32.const 1 return end i32.const 0";
        let head = "i32.and.imm+br.i32.eq.rr";
        check(
            f,
            head,
            &[
                (vec![I32(0x12345), I32(0x2345)], Ok(vec![I32(0)])),
                (vec![I32(0x12345), I32(0x12345)], Ok(vec![I32(1)])),
            ],
        );
        note(head);

        // nbody's `d * sqrt(d)`, a product of a product, a load beside a product (NaN
        // operands give the canonical NaN; a load past the end traps).
        let f =
            "(param f64 f64) (result f64) (local f64) local.get 0 local.get 1 f64.add local.tee 2
                 local.get 2 f64.sqrt f64.mul";
        let head = "f64.sqrt.rs+f64.mul.rr";
        check(
            f,
            head,
            &[
                (vec![bits(3.0), bits(6.0)], Ok(vec![bits(27.0)])),
                (vec![bits(-4.0), bits(0.0)], Ok(vec![F64(canon(f64::NAN))])),
                (
                    vec![F64(ODD_NAN), bits(1.0)],
                    Ok(vec![F64(canon(f64::NAN))]),
                ),
            ],
        );
        note(head);
        let f = "(param f64 f64 f64 f64) (result f64) local.get 2 local.get 0 local.get 1 f64.add
                 local.get 3 f64.mul f64.mul";
        let head = "f64.mul.rl+f64.mul.rr";
        check(
            f,
            head,
            &[
                (
                    vec![bits(1.5), bits(0.5), bits(-3.0), bits(4.0)],
                    Ok(vec![bits(-24.0)]),
                ),
                (
                    vec![bits(f64::INFINITY), bits(0.0), bits(1.0), bits(0.0)],
                    Ok(vec![F64(canon(f64::NAN))]),
                ),
            ],
        );
        note(head);
        let f = "(param i32 f64 f64) (result f64) i32.const 0 f64.const 2.5 f64.store
                 local.get 0 f64.load local.get 1 local.get 2 f64.mul f64.add";
        let head = "f64.load+f64.mul";
        check(
            f,
            head,
            &[
                (vec![I32(0), bits(2.0), bits(-3.0)], Ok(vec![bits(-3.5)])),
                (
                    vec![I32(0), F64(ODD_NAN), bits(1.0)],
                    Ok(vec![F64(canon(f64::NAN))]),
                ),
                (vec![I32(65529), bits(2.0), bits(3.0)], oob.clone()),
            ],
        );
        note(head);

        // Every pair of the table was made and run above.
        for p in PAIRS {
            let m = p.head_mnemonic();
            assert!(seen.contains(&m), "pair `{m}` not covered");
        }
    }

    /// Triple heads (`ir::TRIPLES`): every triple is made from code a compiler emits, and
    /// its head computes what its three instructions compute one after the other
    /// (results, NaN canonicalization, traps after the first two wrote their slots,
    /// branches both ways).
    #[test]
    fn every_triple_runs_like_its_three_instructions() {
        use crate::ir::TRIPLES;
        let mut seen = Vec::new();
        let mut note = |h: &'static str| seen.push(h);
        let bits = |v: f64| F64(v.to_bits());
        let nan = F64(0x7ff8_0000_0000_0000);

        // `x + c * (a - b)` (or `x + (a - b) * c`) stored, then read back; a store past
        // the end traps.
        let stored = |f: fn(f64, f64, f64, f64) -> f64| {
            let mut cases: Vec<Case> = [
                [1.5, 0.25, -3.0, 10.0],
                [f64::from_bits(ODD_NAN), 1.0, 2.0, 3.0],
                [f64::INFINITY, 0.0, 0.0, 1.0],
                [1e308, -1e308, 10.0, -1.0],
            ]
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut args = vec![I32(8 * i as i32)];
                args.extend(x.iter().map(|&v| bits(v)));
                (args, Ok(vec![F64(canon(f(x[0], x[1], x[2], x[3])))]))
            })
            .collect();
            cases.push((
                vec![I32(65536 - 4), bits(1.0), bits(2.0), bits(3.0), bits(4.0)],
                Err(TrapKind::MemoryOutOfBounds),
            ));
            cases
        };
        let f = "(param i32 f64 f64 f64 f64) (result f64) local.get 0 local.get 4 local.get 3
                 local.get 1 local.get 2 f64.sub f64.mul f64.add f64.store local.get 0 f64.load";
        let head = "f64.mul.rr+f64.add.rr+f64.store.rv";
        check(f, head, &stored(|a, b, c, x| x + c * (a - b)));
        note(head);
        let f = "(param i32 f64 f64 f64 f64) (result f64) local.get 0 local.get 4 local.get 1
                 local.get 2 f64.sub local.get 3 f64.mul f64.add f64.store local.get 0 f64.load";
        let head = "f64.mul.rl+f64.add.rr+f64.store.rv";
        check(f, head, &stored(|a, b, c, x| x + (a - b) * c));
        note(head);

        // `b * (a * a) + m[p]`: the load after the products; a load past the end traps.
        let f = "(param f64 f64 i32) (result f64) local.get 2 f64.const 0.5 f64.store
                 local.get 1 local.get 0 local.get 0 f64.mul f64.mul local.get 2 f64.load f64.add";
        let head = "f64.mul+f64.mul.rr+f64.load";
        let r = |a: f64, b: f64| F64(canon(b * (a * a) + 0.5));
        check(
            f,
            head,
            &[
                (vec![bits(1.5), bits(-2.0), I32(0)], Ok(vec![r(1.5, -2.0)])),
                (
                    vec![F64(ODD_NAN), bits(1.0), I32(8)],
                    Ok(vec![r(f64::NAN, 1.0)]),
                ),
                (
                    vec![bits(1e200), bits(3.0), I32(16)],
                    Ok(vec![r(1e200, 3.0)]),
                ),
                (
                    vec![bits(1.0), bits(1.0), I32(65530)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note(head);

        // `b + (a - b)^2 <= 4`, the branch taken and not (a NaN compares false).
        let f = "(param f64 f64) (result i32) (local f64)
                 block local.get 1 local.get 0 local.get 1 f64.sub local.tee 2 local.get 2
                       f64.mul f64.add f64.const 4 f64.le br_if 0 i32.const 0 return end
                 i32.const 1";
        let head = "f64.mul.sq+f64.add.rr+br.f64.le.rl";
        let gas = check(
            f,
            head,
            &[
                (vec![bits(1.0), bits(1.0)], Ok(vec![I32(1)])),
                (vec![bits(2.0), bits(1.0)], Ok(vec![I32(1)])),
                (vec![bits(5.0), bits(0.0)], Ok(vec![I32(0)])),
                (vec![F64(ODD_NAN), bits(0.0)], Ok(vec![I32(0)])),
                (vec![bits(3.0), bits(1.0)], Ok(vec![I32(0)])),
            ],
        );
        // Each direction costs the same whatever the values.
        assert_eq!(gas[0], gas[1]);
        assert_eq!(gas[2], gas[3]);
        assert_eq!(gas[3], gas[4]);
        note(head);

        // `(x + (a - b)) * (c + x)`: the third reads its own operands.
        let f = "(param f64 f64 f64 f64) (result f64) local.get 3 local.get 0 local.get 1
                 f64.sub f64.add local.get 2 local.get 3 f64.add f64.mul";
        let head = "f64.sub+f64.add.rr+f64.add";
        let r = |a: f64, b: f64, c: f64, x: f64| F64(canon((x + (a - b)) * (c + x)));
        check(
            f,
            head,
            &[
                (
                    vec![bits(1.5), bits(0.25), bits(-3.0), bits(10.0)],
                    Ok(vec![r(1.5, 0.25, -3.0, 10.0)]),
                ),
                (
                    vec![bits(1.0), bits(2.0), F64(ODD_NAN), bits(3.0)],
                    Ok(vec![nan]),
                ),
                (
                    vec![bits(1e308), bits(-1e308), bits(1.0), bits(0.0)],
                    Ok(vec![r(1e308, -1e308, 1.0, 0.0)]),
                ),
            ],
        );
        note(head);

        // A loop latch: a count bumped, the next value moved into place, the back edge.
        let f = "(param i32 i32) (result i32) (local i32 i32)
                 block loop
                   local.get 0 local.get 1 i32.ge_u br_if 1
                   local.get 0 i32.const 1 i32.shl local.set 2
                   local.get 3 i32.const 1 i32.add local.set 3
                   local.get 2 local.set 0
                   br 0
                 end end
                 local.get 3";
        let head = "i32.add.imm+copy+br";
        let gas = check(
            f,
            head,
            &[
                (vec![I32(1), I32(100)], Ok(vec![I32(7)])),
                (vec![I32(5), I32(5)], Ok(vec![I32(0)])),
                (vec![I32(3), I32(1000)], Ok(vec![I32(9)])),
                (vec![I32(3), I32(6)], Ok(vec![I32(1)])),
            ],
        );
        // Every iteration costs the same.
        assert_eq!((gas[0] - gas[1]) * 9, (gas[2] - gas[1]) * 7);
        assert_eq!(gas[0] - gas[1], (gas[3] - gas[1]) * 7);
        note(head);

        // A random byte stored: the high half of a product; a store past the end traps.
        let m = 0x2545_f491_4f6c_dd1du64;
        let f = "(param i32 i64 i64) (result i32) local.get 0 local.get 1 local.get 2 i64.xor
                 i64.const 0x2545F4914F6CDD1D i64.mul i64.const 32 i64.shr_u i64.store8
                 local.get 0 i32.load8_u";
        let head = "i64.mul.rl+i64.shr_u.imm.rl+i64.store8.rv";
        let byte = |a: u64, b: u64| I32((((a ^ b).wrapping_mul(m) >> 32) & 0xff) as i32);
        check(
            f,
            head,
            &[
                (
                    vec![I32(0), I64(0x0123_4567), I64(-1)],
                    Ok(vec![byte(0x0123_4567, u64::MAX)]),
                ),
                (vec![I32(65535), I64(99), I64(3)], Ok(vec![byte(99, 3)])),
                (
                    vec![I32(65536), I64(99), I64(3)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note(head);

        // A distance masked to 16 bits checked against a limit (both ways; the masked
        // value is read after the branch).
        let f = "(param i32 i32 i32) (result i32) (local i32) block local.get 0 local.get 1 i32.sub
                 i32.const 65535 i32.and local.tee 3 local.get 2 i32.gt_u br_if 0 local.get 3 return end
                 i32.const -1";
        let head = "i32.sub+i32.and.imm.rl+br.i32.gt_u.rl";
        check(
            f,
            head,
            &[
                (vec![I32(10), I32(3), I32(7)], Ok(vec![I32(7)])),
                (vec![I32(10), I32(2), I32(7)], Ok(vec![I32(-1)])),
                (vec![I32(3), I32(5), I32(65535)], Ok(vec![I32(65534)])),
                (vec![I32(3), I32(5), I32(65533)], Ok(vec![I32(-1)])),
            ],
        );
        note(head);

        // An indexed `u16` load (`base + 2 * i`, wrapping at 32 bits); past the end traps.
        let f = "(param i32 i32) (result i32) i32.const 0 i32.const 0xbeef i32.store16 offset=10
                 local.get 1 local.get 0 i32.const 1 i32.shl i32.add i32.load16_u";
        let head = "i32.shl.imm+i32.add.rr+i32.load16_u.rp";
        check(
            f,
            head,
            &[
                (vec![I32(3), I32(4)], Ok(vec![I32(0xbeef)])),
                (
                    vec![I32(0x8000_0005u32 as i32), I32(0)],
                    Ok(vec![I32(0xbeef)]),
                ),
                (vec![I32(0), I32(65535)], Err(TrapKind::MemoryOutOfBounds)),
            ],
        );
        note(head);

        // Two counters bumped, the loop closed on the second.
        let f = "(param i32) (result i32) (local i32 i32) loop local.get 1 i32.const 2 i32.add
                 local.set 1 local.get 0 local.get 2 i32.const 1 i32.add local.tee 2 i32.ne br_if 0
                 end local.get 1";
        let head = "i32.add.imm+i32.add.imm+br.i32.ne.rr";
        let gas = check(
            f,
            head,
            &[
                (vec![I32(1)], Ok(vec![I32(2)])),
                (vec![I32(3)], Ok(vec![I32(6)])),
                (vec![I32(5)], Ok(vec![I32(10)])),
            ],
        );
        assert_eq!(gas[1] - gas[0], gas[2] - gas[1]);
        note(head);

        // A byte flag tested (both ways, wrapping address); past the end traps.
        let f = "(param i32 i32) (result i32) i32.const 0 i32.const 0x100 i32.store16 offset=6 block
                 local.get 0 local.get 1 i32.add i32.load8_u br_if 0 i32.const 5 return end i32.const 9";
        let head = "i32.add+i32.load8_u.rp+br_if_nez.rc";
        check(
            f,
            head,
            &[
                (vec![I32(3), I32(4)], Ok(vec![I32(9)])),
                (vec![I32(0), I32(0)], Ok(vec![I32(5)])),
                (vec![I32(-1), I32(8)], Ok(vec![I32(9)])),
                (vec![I32(65535), I32(1)], Err(TrapKind::MemoryOutOfBounds)),
            ],
        );
        note(head);

        // SHA-256's sigma: two rotations xored.
        let f =
            "(param i32) (result i32) local.get 0 i32.const 30 i32.rotl local.get 0 i32.const 19
                 i32.rotl i32.xor";
        let head = "i32.rotl.imm+i32.rotl.imm+i32.xor.rr";
        let x = 0x8765_4321u32;
        check(
            f,
            head,
            &[(
                vec![I32(x as i32)],
                Ok(vec![I32((x.rotate_left(30) ^ x.rotate_left(19)) as i32)]),
            )],
        );
        note(head);

        // Two arguments moved, then an indirect call through a computed index: each
        // entry, a function of another type, an index past the table.
        let f =
            "(param i32 i32) (result i32) local.get 1 local.get 0 local.get 0 i32.const 3 i32.and
                 call_indirect (param i32 i32) (result i32))
                 (table 3 funcref) (elem (i32.const 0) 1 2 3)
                 (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub)
                 (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.mul)
                 (func (param i32) (result i32) local.get 0";
        let head = "copy+copy+call_indirect";
        check(
            f,
            head,
            &[
                (vec![I32(4), I32(10)], Ok(vec![I32(6)])),
                (vec![I32(5), I32(-3)], Ok(vec![I32(-15)])),
                (
                    vec![I32(6), I32(1)],
                    Err(TrapKind::IndirectCallTypeMismatch),
                ),
                (vec![I32(7), I32(1)], Err(TrapKind::TableOutOfBounds)),
            ],
        );
        note(head);

        // A word copied from a field of one pointer to another; either access past the
        // end traps (the store after the load's slot write).
        let f = "(param i32 i32) (result i32) local.get 0 i32.const 99 i32.store offset=4
                 local.get 1 local.get 0 i32.const 4 i32.add i32.load i32.store
                 local.get 1 i32.load";
        let head = "i32.add.imm+i32.load.rp+i32.store.rv";
        check(
            f,
            head,
            &[
                (vec![I32(0), I32(100)], Ok(vec![I32(99)])),
                (vec![I32(8), I32(8)], Ok(vec![I32(99)])),
                (vec![I32(0), I32(65533)], Err(TrapKind::MemoryOutOfBounds)),
                (vec![I32(65532), I32(0)], Err(TrapKind::MemoryOutOfBounds)),
            ],
        );
        note(head);

        // nbody: a coordinate of another body loaded and subtracted (wrapping address,
        // past the end traps); a velocity loaded beside `m * d * mag`.
        let f = "(param i32 f64) (result f64) i32.const 0 f64.const 2.5 f64.store offset=56
                 local.get 1 local.get 0 i32.const 56 i32.add f64.load f64.sub";
        let head = "i32.add.imm+f64.load.rp+f64.sub.rr";
        check(
            f,
            head,
            &[
                (vec![I32(0), bits(1.0)], Ok(vec![bits(-1.5)])),
                (vec![I32(-56), bits(1.0)], Ok(vec![bits(1.0)])),
                (vec![I32(0), F64(ODD_NAN)], Ok(vec![nan])),
                (
                    vec![I32(65480), bits(1.0)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note(head);
        let f = "(param i32 f64 f64 f64) (result f64) i32.const 0 f64.const 2.5 f64.store
                 local.get 0 f64.load local.get 3 local.get 1 local.get 2 f64.mul f64.mul f64.sub";
        let head = "f64.load+f64.mul+f64.mul.rr";
        check(
            f,
            head,
            &[
                (
                    vec![I32(0), bits(2.0), bits(3.0), bits(0.5)],
                    Ok(vec![bits(-0.5)]),
                ),
                (
                    vec![I32(0), F64(ODD_NAN), bits(3.0), bits(0.5)],
                    Ok(vec![nan]),
                ),
                (
                    vec![I32(65529), bits(2.0), bits(3.0), bits(0.5)],
                    Err(TrapKind::MemoryOutOfBounds),
                ),
            ],
        );
        note(head);

        // Every triple of the table was made and run above.
        for t in TRIPLES {
            let m = t.head_mnemonic();
            assert!(seen.contains(&m), "triple `{m}` not covered");
        }
    }

    /// The heads of `ir::TEMP_FIRST` leave their first result uncanonicalized, so they
    /// are made only when that result is a temporary. Here `inf * -0` (a NaN with the
    /// sign set on x86-64) goes to a local through `local.tee` before the add reads it:
    /// no pair, and the local holds the canonical NaN. Through a temporary, the pair is
    /// made and the sum is the canonical NaN.
    #[test]
    fn uncanonicalized_first_results_stay_in_temporaries() {
        let canonical = I64(0x7ff8_0000_0000_0000);
        let f = "(param f64 f64 f64) (result i64) (local f64) local.get 2 local.get 0
                 local.get 1 f64.neg f64.mul local.tee 3 f64.add drop
                 local.get 3 i64.reinterpret_f64";
        let (m, d) = compile(&Config::default(), f);
        assert!(d.contains("f64.mul.rr dst="), "{d}");
        assert!(!d.contains("f64.mul.rr+f64.add.rr"), "{d}");
        let mut i = Instance::new(&m, &mut NoHost, &mut GasMeter::unlimited()).unwrap();
        let args = [
            F64(f64::INFINITY.to_bits()),
            F64(0f64.to_bits()),
            F64(1f64.to_bits()),
        ];
        let got = i.invoke(&mut NoHost, "f", &args, &mut GasMeter::unlimited());
        assert_eq!(got.map_err(|t| t.kind()), Ok(vec![canonical]));
        let f = "(param f64 f64 f64) (result i64) local.get 2 local.get 0 local.get 1
                 f64.neg f64.mul f64.add i64.reinterpret_f64";
        check(
            f,
            "f64.mul.rr+f64.add.rr",
            &[(
                vec![
                    F64(f64::INFINITY.to_bits()),
                    F64(0f64.to_bits()),
                    F64(1f64.to_bits()),
                ],
                Ok(vec![canonical]),
            )],
        );
    }

    /// A triple's third instruction that is also a branch target runs on its own when
    /// branched to: the loop header here is the third (without metering, so no
    /// `consume_gas` sits before it).
    #[test]
    fn third_at_a_branch_target() {
        let config = Config {
            metering: false,
            ..Config::default()
        };
        let f = "(param f64 f64 f64 i32) (result f64) (local f64)
                 local.get 2 local.get 0 local.get 1 f64.sub f64.add local.set 4
                 loop local.get 4 local.get 4 f64.add local.set 4
                      local.get 3 i32.const -1 i32.add local.tee 3 br_if 0 end
                 local.get 4";
        let bits = |v: f64| F64(v.to_bits());
        check_with(
            &config,
            f,
            "f64.sub+f64.add.rr+f64.add",
            &[
                (
                    vec![bits(5.0), bits(1.5), bits(0.25), I32(3)],
                    Ok(vec![bits((0.25 + (5.0 - 1.5)) * 8.0)]),
                ),
                (
                    vec![bits(5.0), bits(1.5), bits(0.25), I32(1)],
                    Ok(vec![bits((0.25 + (5.0 - 1.5)) * 2.0)]),
                ),
            ],
        );
    }

    /// A partner that is also a branch target runs on its own when branched to: the
    /// loop header here is the partner of the add before the loop (without metering: with
    /// it, the header's `consume_gas` sits between them).
    #[test]
    fn partner_at_a_branch_target() {
        let config = Config {
            metering: false,
            ..Config::default()
        };
        let check = |f, head, cases: &[Case]| check_with(&config, f, head, cases);
        let f = "(param i32) (result i32) (local i32)
                 local.get 0 i32.const 1 i32.add local.set 1
                 loop local.get 1 i32.const -1 i32.add local.tee 1 br_if 0 end local.get 0";
        check(
            f,
            "i32.add.imm+i32.add.imm",
            &[(vec![I32(41)], Ok(vec![I32(41)]))],
        );
        let f = "(param i32) (result i32) (local i32 i32)
                 local.get 0 i32.const 1 i32.add local.set 1
                 loop local.get 1 i32.const -1 i32.add local.tee 1
                      local.get 2 i32.const 2 i32.add local.set 2 br_if 0 end local.get 2";
        check(
            f,
            "i32.add.imm+i32.add.imm",
            &[(vec![I32(9)], Ok(vec![I32(20)]))],
        );
    }
}
