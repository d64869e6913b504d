//! Compiled example contracts.
