//! Metron devnet node library.
