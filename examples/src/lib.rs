//! Shared pieces of the chatbridge example bots.

pub mod emoji;
