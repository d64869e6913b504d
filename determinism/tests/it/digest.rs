//! The digests are reproducible, independent of threads, and sensitive to every byte.

use metron_determinism::recorder::{record_memory, Buffer};
use metron_determinism::{generated, run_part, Options, Part, Recorder, Sink};

fn generated_digest(modules: u64, threads: usize) -> metron_determinism::PartDigest {
    let opts = Options {
        modules,
        threads,
        ..Options::default()
    };
    run_part(Part::Generated, &opts, None).expect("generated part")
}

#[test]
fn generated_part_is_reproducible_and_thread_independent() {
    let a = generated_digest(40, 1);
    let b = generated_digest(40, 1);
    let c = generated_digest(40, 3);
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert!(a.items > 40, "{} items", a.items);
    // Another module count is another corpus.
    assert_ne!(a.digest, generated_digest(39, 2).digest);
}

#[test]
fn generated_trace_has_one_line_per_item() {
    let mut trace = Vec::new();
    let opts = Options {
        modules: 5,
        ..Options::default()
    };
    let d = run_part(Part::Generated, &opts, Some(&mut trace)).unwrap();
    let text = String::from_utf8(trace).unwrap();
    assert_eq!(text.lines().count() as u64, d.items);
    assert!(text.lines().all(|l| l.starts_with("generated\tmodule ")));
}

fn digest(items: &[(&str, &[u8])]) -> [u8; 32] {
    let mut r = Recorder::new("test");
    for (n, b) in items {
        r.item(n, b);
    }
    r.finish().unwrap().digest
}

#[test]
fn one_changed_byte_or_name_or_boundary_changes_the_digest() {
    let base = digest(&[("a", &[1, 2, 3]), ("b", &[4])]);
    assert_eq!(base, digest(&[("a", &[1, 2, 3]), ("b", &[4])]));
    assert_ne!(base, digest(&[("a", &[1, 2, 3]), ("b", &[5])]));
    assert_ne!(base, digest(&[("a", &[1, 2, 7]), ("b", &[4])]));
    assert_ne!(base, digest(&[("a", &[1, 2, 3]), ("c", &[4])]));
    // Same bytes, other item boundaries.
    assert_ne!(base, digest(&[("a", &[1, 2]), ("b", &[3, 4])]));
    assert_ne!(base, digest(&[("a", &[1, 2, 3])]));
}

#[test]
fn one_changed_memory_byte_changes_a_module_digest() {
    let mut memory = vec![0u8; 3 * 4096 + 5];
    let run = |m: &[u8]| {
        let mut b = Buffer::default();
        record_memory(&mut b, "module 0 memory", m);
        let mut r = Recorder::new("generated");
        b.replay(&mut r);
        r.finish().unwrap()
    };
    let a = run(&memory);
    memory[2 * 4096 + 17] = 1;
    let b = run(&memory);
    assert_eq!(a.items, b.items);
    assert_ne!(a.digest, b.digest);
}

#[test]
fn a_module_the_vm_rejects_is_hashed_by_error_kind() {
    let mut b = Buffer::default();
    generated::run_module(1, 0, Some(b"\0asm\x01\0\0\0\x05"), &mut b);
    let mut r = Recorder::new("generated");
    b.replay(&mut r);
    let d = r.finish().unwrap();
    assert_eq!(d.items, 2); // wasm length, compile error kind
}
