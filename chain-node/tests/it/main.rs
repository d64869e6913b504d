//! End-to-end tests of the Metron node: a real node (RocksDB in a temporary directory,
//! RPC on a free loopback port) driven through the typed jsonrpsee client, and the
//! `metron` binary run as a process.

mod abci;
mod accounts;
mod cli;
mod common;
mod contract_client;
mod datadir;
mod determinism;
mod dev;
mod devnet;
mod hardening;
mod logs;
mod negative;
mod rpc;
mod statefile;
mod token;
