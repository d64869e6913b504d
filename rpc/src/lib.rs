//! Metron JSON-RPC API.
