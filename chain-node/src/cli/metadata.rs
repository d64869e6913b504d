//! Contract metadata for the CLI: message arguments by name, decoded results, typed
//! errors and events. The implementation is the library's [`metron_node::metadata`]
//! (shared with the typed Rust client, [`metron_node::contract_client`]); this module
//! re-exports it under its CLI path.

pub use metron_node::metadata::{parse_named_args, Message, Metadata};
