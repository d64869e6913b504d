//! Metron contract SDK.
#![no_std]
