//! Integration tests of the metron-vm interpreter: WAT modules through `Module::new`,
//! `Instance::new` and `invoke`, one module per feature.

mod common;
mod control;
mod float;
mod gas;
mod host;
mod int;
mod linking;
mod memory;
mod programs;
mod segments;
mod table;
