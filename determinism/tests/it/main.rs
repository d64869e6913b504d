//! Integration tests of `metron-determinism`.

mod digest;
