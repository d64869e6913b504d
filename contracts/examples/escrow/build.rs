//! Link settings for the `wasm32` build of this contract.

fn main() {
    // Contracts need little stack: 64 KiB instead of rustc's default 1 MiB keeps the
    // initial linear memory (and so the memory the host allocates per call) small.
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-cdylib-link-arg=-zstack-size=65536");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
