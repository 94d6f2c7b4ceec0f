//! chatbridge-lex's integration tests, in one binary.

#![allow(clippy::unwrap_used, unreachable_pub, missing_docs)]

mod cards;
#[allow(dead_code)]
mod common;
mod echo;
mod logging;
mod models;
mod properties;
mod render;
mod server;
