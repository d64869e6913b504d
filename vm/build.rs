//! Chooses the interpreter's dispatch backend (`exec::threaded`).
//!
//! `metron_tail_dispatch` is set when the build optimizes (`opt-level` 2, 3, `s` or `z`)
//! for a target whose LLVM backend turns the handlers' calls in tail position into
//! jumps (x86-64 and AArch64 Unix targets, where the handlers' six arguments all travel
//! in registers; the targets this has been checked on). Without it the
//! handlers return to a loop instead, so an unoptimized build never grows the native
//! stack per executed instruction; the `portable-dispatch` feature forces the loop
//! (sanitizer builds such as the fuzz targets). Both backends run the same handlers: the choice
//! changes speed, never results or gas.

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    println!("cargo::rerun-if-env-changed=CARGO_CFG_TARGET_ARCH");
    println!("cargo::rerun-if-env-changed=CARGO_CFG_TARGET_FAMILY");
    println!("cargo::rerun-if-env-changed=CARGO_FEATURE_PORTABLE_DISPATCH");
    println!("cargo::rustc-check-cfg=cfg(metron_tail_dispatch)");
    let opt = env::var("OPT_LEVEL").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimizing = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    // Unix targets only: there six integer arguments travel in registers (System V and
    // AAPCS64); elsewhere (Windows x64 passes four) the loop backend is the safe default.
    let unix = env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|x| x == "unix"));
    let tail_calls = matches!(arch.as_str(), "x86_64" | "aarch64") && unix;
    // The `portable-dispatch` feature forces the loop backend.
    let forced_loop = env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    if optimizing && tail_calls && !forced_loop {
        println!("cargo::rustc-cfg=metron_tail_dispatch");
    }
}
