//! The chatbridge example bots, their shared start-up code and the local simulator.
//!
//! `cargo run --example emojibot`, `cargo run --example hello_there`: serve on
//! `CHATBRIDGE_ADDR` (default `127.0.0.1:3000`), or on AWS Lambda when run there.
//! `cargo run --example demo`: both bots, simulated end to end on this machine.

pub mod app;
pub mod bots;
pub mod commands;
pub mod digest;
pub mod emoji;
pub mod gateway_demo;
pub mod simulate;
pub mod socket_demo;
pub mod tally;

/// The workspace README's code, compiled as a doctest so that it stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
