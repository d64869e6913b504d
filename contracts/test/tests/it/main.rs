//! The harness's integration tests: one binary, a module per feature.

mod build;
mod equivalence;
mod time;
mod token;
