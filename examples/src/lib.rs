//! Shared pieces of the chatbridge example bots.
