//! Execution workloads of the benchmark suite, compiled to `wasm32-unknown-unknown` by
//! `metron-bench`'s build script (profile `bench-wasm`, opt-level 3).
//!
//! Every workload is an exported `extern "C" fn(n: i32) -> i64`: `n` scales the work
//! (the harness picks it), the result is a checksum that both engines must agree on.
//! Inputs are generated inside the module from a fixed-seed generator, so a workload
//! depends on nothing but `n`.

use core::hint::black_box;

/// A small deterministic pseudo-random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
}

/// `n` as a non-negative size.
fn size(n: i32) -> usize {
    n.max(0) as usize
}

fn fib(n: u32) -> u64 {
    if n < 2 {
        u64::from(n)
    } else {
        fib(n - 1).wrapping_add(fib(n - 2))
    }
}

/// Recursive Fibonacci: `fib(n)` with two calls per level (call-heavy).
#[no_mangle]
pub extern "C" fn fib_recursive(n: i32) -> i64 {
    fib(black_box(n.max(0) as u32)) as i64
}

/// Iterative Fibonacci modulo 2^64, `n` steps (a tight arithmetic loop).
#[no_mangle]
pub extern "C" fn fib_iterative(n: i32) -> i64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..black_box(n) {
        let c = a.wrapping_add(b);
        a = b;
        b = c;
    }
    a as i64
}

/// Sieve of Eratosthenes: the number of primes below `n`.
#[no_mangle]
pub extern "C" fn sieve(n: i32) -> i64 {
    let n = size(n);
    let mut composite = vec![false; n];
    let mut count = 0i64;
    let mut i = 2;
    while i < n {
        if !composite[i] {
            count += 1;
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
        }
        i += 1;
    }
    count
}

/// Dense `n x n` f64 matrix multiply (naive i-k-j loop); returns the bits of the sum.
#[no_mangle]
pub extern "C" fn matmul(n: i32) -> i64 {
    let n = size(n);
    let mut rng = Rng::new(7);
    let a: Vec<f64> = (0..n * n)
        .map(|_| f64::from(rng.next_u32() % 1000) / 100.0)
        .collect();
    let b: Vec<f64> = (0..n * n)
        .map(|_| f64::from(rng.next_u32() % 1000) / 100.0)
        .collect();
    let mut c = vec![0.0f64; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            let row = &b[k * n..k * n + n];
            let out = &mut c[i * n..i * n + n];
            for (o, bkj) in out.iter_mut().zip(row) {
                *o += aik * bkj;
            }
        }
    }
    c.iter().sum::<f64>().to_bits() as i64
}

/// Sorts `n` pseudo-random u32 (pattern-defeating quicksort, then a stable merge sort of
/// pairs); returns a position-weighted checksum.
#[no_mangle]
pub extern "C" fn sort(n: i32) -> i64 {
    let n = size(n);
    let mut rng = Rng::new(11);
    let mut v: Vec<u32> = (0..n).map(|_| rng.next_u32()).collect();
    v.sort_unstable();
    let mut pairs: Vec<(u16, u32)> = (0..n)
        .map(|_| (rng.next_u32() as u16, rng.next_u32()))
        .collect();
    pairs.sort_by_key(|p| p.0);
    let mut sum = 0u64;
    for (i, x) in v.iter().enumerate() {
        sum = sum.wrapping_mul(31).wrapping_add(u64::from(*x) ^ i as u64);
    }
    for (k, x) in &pairs {
        sum = sum
            .wrapping_mul(31)
            .wrapping_add(u64::from(*k) ^ u64::from(*x));
    }
    sum as i64
}

/// Generates `len` pseudo-random bytes.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.next_u32() as u8).collect()
}

/// Keccak-256 (`sha3` crate) of `n` KiB of data, hashed 1 KiB at a time and chained.
#[no_mangle]
pub extern "C" fn keccak256(n: i32) -> i64 {
    use sha3::{Digest, Keccak256};
    let data = random_bytes(3, 1024);
    let mut state = [0u8; 32];
    for _ in 0..size(n) {
        let mut h = Keccak256::new();
        h.update(state);
        h.update(&data);
        state = h.finalize().into();
    }
    i64::from_le_bytes(state[..8].try_into().unwrap_or_default())
}

/// SHA-256 (`sha2` crate) of `n` KiB of data, hashed 1 KiB at a time and chained.
#[no_mangle]
pub extern "C" fn sha256(n: i32) -> i64 {
    use sha2::{Digest, Sha256};
    let data = random_bytes(5, 1024);
    let mut state = [0u8; 32];
    for _ in 0..size(n) {
        let mut h = Sha256::new();
        h.update(state);
        h.update(&data);
        state = h.finalize().into();
    }
    i64::from_le_bytes(state[..8].try_into().unwrap_or_default())
}

/// Compressible text: words drawn from a small vocabulary.
fn text(seed: u64, len: usize) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "gas ",
        "block ",
        "chain ",
        "metron ",
        "wasm ",
        "state ",
        "trie ",
        "node ",
        "the ",
        "of ",
        "and ",
        "contract ",
        "transfer ",
        "balance ",
        "event ",
        "root ",
    ];
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(WORDS[(rng.next_u32() % 16) as usize].as_bytes());
    }
    out.truncate(len);
    out
}

/// DEFLATE (`miniz_oxide`, level 6) of `n` KiB of text, then inflate and verify; returns
/// the compressed size and a checksum (or -1 if the round trip fails).
#[no_mangle]
pub extern "C" fn deflate(n: i32) -> i64 {
    let input = text(13, size(n) * 1024);
    let packed = miniz_oxide::deflate::compress_to_vec(&input, 6);
    let Ok(unpacked) = miniz_oxide::inflate::decompress_to_vec(&packed) else {
        return -1;
    };
    if unpacked != input {
        return -1;
    }
    let sum = packed
        .iter()
        .fold(0u64, |s, b| s.wrapping_mul(131).wrapping_add(u64::from(*b)));
    ((packed.len() as u64) << 40 ^ sum) as i64
}

/// N-body simulation (the benchmarks-game Jovian planets), `n` steps of dt = 0.01;
/// returns the bits of the final energy.
#[no_mangle]
#[allow(clippy::needless_range_loop)] // index loops, as in the reference program
pub extern "C" fn nbody(n: i32) -> i64 {
    const PI: f64 = core::f64::consts::PI;
    const SOLAR_MASS: f64 = 4.0 * PI * PI;
    const DAYS: f64 = 365.24;
    #[derive(Clone, Copy)]
    struct Body {
        p: [f64; 3],
        v: [f64; 3],
        m: f64,
    }
    let mut b = [
        Body {
            p: [0.0; 3],
            v: [0.0; 3],
            m: SOLAR_MASS,
        },
        Body {
            p: [
                4.841_431_442_464_72,
                -1.160_320_044_027_428_4,
                -0.103_622_044_471_123_1,
            ],
            v: [
                0.001_660_076_642_744_037 * DAYS,
                0.007_699_011_184_197_404 * DAYS,
                -6.904_600_169_720_63e-5 * DAYS,
            ],
            m: 9.547_919_384_243_266e-4 * SOLAR_MASS,
        },
        Body {
            p: [
                8.343_366_718_244_58,
                4.124_798_564_124_305,
                -0.403_523_417_114_321_4,
            ],
            v: [
                -0.002_767_425_107_268_624 * DAYS,
                0.004_998_528_012_349_172 * DAYS,
                2.304_172_975_737_639_3e-5 * DAYS,
            ],
            m: 2.858_859_806_661_308e-4 * SOLAR_MASS,
        },
        Body {
            p: [
                12.894_369_562_139_131,
                -15.111_151_401_698_631,
                -0.223_307_578_892_655_73,
            ],
            v: [
                0.002_964_601_375_647_616 * DAYS,
                0.002_378_471_739_594_809_5 * DAYS,
                -2.965_895_685_402_375_6e-5 * DAYS,
            ],
            m: 4.366_244_043_351_563e-5 * SOLAR_MASS,
        },
        Body {
            p: [
                15.379_697_114_850_917,
                -25.919_314_609_987_964,
                0.179_258_772_950_371_18,
            ],
            v: [
                0.002_680_677_724_903_893_2 * DAYS,
                0.001_628_241_700_382_423 * DAYS,
                -9.515_922_545_197_159e-5 * DAYS,
            ],
            m: 5.151_389_020_466_114_5e-5 * SOLAR_MASS,
        },
    ];
    let mut mom = [0.0f64; 3];
    for body in &b {
        for k in 0..3 {
            mom[k] += body.v[k] * body.m;
        }
    }
    for k in 0..3 {
        b[0].v[k] = -mom[k] / SOLAR_MASS;
    }
    let dt = 0.01;
    for _ in 0..black_box(n) {
        for i in 0..b.len() {
            for j in i + 1..b.len() {
                let d = [
                    b[i].p[0] - b[j].p[0],
                    b[i].p[1] - b[j].p[1],
                    b[i].p[2] - b[j].p[2],
                ];
                let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                let mag = dt / (d2 * d2.sqrt());
                let (mi, mj) = (b[i].m, b[j].m);
                for k in 0..3 {
                    b[i].v[k] -= d[k] * mj * mag;
                    b[j].v[k] += d[k] * mi * mag;
                }
            }
        }
        for body in &mut b {
            for k in 0..3 {
                body.p[k] += dt * body.v[k];
            }
        }
    }
    let mut e = 0.0;
    for i in 0..b.len() {
        let v = b[i].v;
        e += 0.5 * b[i].m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for j in i + 1..b.len() {
            let d = [
                b[i].p[0] - b[j].p[0],
                b[i].p[1] - b[j].p[1],
                b[i].p[2] - b[j].p[2],
            ];
            e -= b[i].m * b[j].m / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        }
    }
    e.to_bits() as i64
}

/// Mandelbrot set on an `n x n` grid, up to 50 iterations per point; returns the number
/// of points inside.
#[no_mangle]
pub extern "C" fn mandelbrot(n: i32) -> i64 {
    let n = size(n).max(1);
    let mut inside = 0i64;
    for y in 0..n {
        let ci = 2.0 * y as f64 / n as f64 - 1.0;
        for x in 0..n {
            let cr = 2.0 * x as f64 / n as f64 - 1.5;
            let (mut zr, mut zi) = (0.0f64, 0.0f64);
            let mut i = 0;
            while i < 50 && zr * zr + zi * zi <= 4.0 {
                let t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                i += 1;
            }
            if i == 50 {
                inside += 1;
            }
        }
    }
    inside
}

/// Bulk memory: `n` rounds of large `memory.copy` and `memory.fill` (64 KiB buffers;
/// rustc lowers `copy_from_slice`/`fill` to the bulk-memory instructions).
#[no_mangle]
pub extern "C" fn bulk_memory(n: i32) -> i64 {
    const LEN: usize = 64 * 1024;
    let mut a = random_bytes(17, LEN);
    let mut b = vec![0u8; LEN];
    let mut sum = 0u64;
    for round in 0..size(n) {
        let shift = round % 4096;
        b[..LEN - shift].copy_from_slice(black_box(&a[shift..]));
        b[LEN - shift..].fill(black_box(round as u8));
        a.copy_within(black_box(1..LEN), 0);
        sum = sum
            .wrapping_add(u64::from(b[round % LEN]))
            .wrapping_add(u64::from(a[0]));
    }
    sum as i64
}

/// A shape for the dynamic-dispatch workload.
trait Shape {
    fn area(&self) -> u64;
    fn scale(&mut self, k: u64);
}

struct Square(u64);
struct Rect(u64, u64);
struct Tri(u64, u64);
struct Circle(u64);

impl Shape for Square {
    fn area(&self) -> u64 {
        self.0.wrapping_mul(self.0)
    }
    fn scale(&mut self, k: u64) {
        self.0 = self.0.wrapping_add(k) & 0xffff;
    }
}
impl Shape for Rect {
    fn area(&self) -> u64 {
        self.0.wrapping_mul(self.1)
    }
    fn scale(&mut self, k: u64) {
        self.0 = self.0.wrapping_add(k) & 0xffff;
        self.1 ^= k;
    }
}
impl Shape for Tri {
    fn area(&self) -> u64 {
        self.0.wrapping_mul(self.1) / 2
    }
    fn scale(&mut self, k: u64) {
        self.1 = self.1.wrapping_add(k) & 0xfff;
    }
}
impl Shape for Circle {
    fn area(&self) -> u64 {
        self.0.wrapping_mul(self.0).wrapping_mul(3)
    }
    fn scale(&mut self, k: u64) {
        self.0 = (self.0 ^ k) & 0xfff;
    }
}

fn op_add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}
fn op_xor(a: u64, b: u64) -> u64 {
    a ^ b.rotate_left(7)
}
fn op_mul(a: u64, b: u64) -> u64 {
    a.wrapping_mul(b | 1)
}
fn op_sub(a: u64, b: u64) -> u64 {
    a.wrapping_sub(b >> 3)
}

/// `call_indirect`-heavy dispatch: `n` passes over 256 trait objects (two virtual calls
/// each) and a table of function pointers chosen by data.
#[no_mangle]
pub extern "C" fn dispatch(n: i32) -> i64 {
    let mut rng = Rng::new(19);
    let mut shapes: Vec<Box<dyn Shape>> = (0..256)
        .map(|_| -> Box<dyn Shape> {
            let a = u64::from(rng.next_u32() % 1000);
            let b = u64::from(rng.next_u32() % 1000);
            match rng.next_u32() % 4 {
                0 => Box::new(Square(a)),
                1 => Box::new(Rect(a, b)),
                2 => Box::new(Tri(a, b)),
                _ => Box::new(Circle(a)),
            }
        })
        .collect();
    let ops: [fn(u64, u64) -> u64; 4] = black_box([op_add, op_xor, op_mul, op_sub]);
    let mut acc = 0u64;
    for round in 0..size(n) {
        for (i, s) in shapes.iter_mut().enumerate() {
            let a = s.area();
            acc = ops[(a as usize ^ i) & 3](acc, a);
            s.scale(round as u64);
        }
    }
    acc as i64
}
