//! chatbridge-discord's integration tests, in one binary.

#![allow(clippy::unwrap_used, unreachable_pub, missing_docs)]

#[cfg(feature = "client")]
mod client;
#[allow(dead_code)]
mod common;
#[cfg(feature = "client")]
mod deliver;
#[cfg(feature = "client")]
mod end_to_end;
#[cfg(feature = "client")]
mod faults;
#[cfg(all(feature = "gateway", feature = "testing"))]
mod gateway;
mod interactions;
mod interactive;
mod properties;
mod replays;
mod responses;
mod traits;
mod verify;
#[cfg(not(feature = "client"))]
mod without_client;
