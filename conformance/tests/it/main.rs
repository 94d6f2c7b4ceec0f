//! Every corpus file through every path it belongs to.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation, missing_docs, unreachable_pub)]

mod corpus;
mod credentials;
mod discord;
#[allow(dead_code)] // shared support: each platform's tests use part of it
mod harness;
mod interactive;
mod lambda;
mod lex;
mod slack;
mod socket_mode;
mod stores;
