//! The Slack adapter's integration tests, one binary: a module per topic, helpers in `common`.

#![allow(clippy::unwrap_used)] // tests fail loudly

mod common;

#[cfg(feature = "client")]
mod client;
mod duplicates;
#[cfg(feature = "client")]
mod end_to_end;
#[cfg(feature = "client")]
mod faults;
mod hostile;
#[cfg(feature = "oauth")]
mod install_page;
#[cfg(feature = "oauth")]
mod installations;
mod interactive;
#[cfg(feature = "client")]
mod logging;
#[cfg(feature = "oauth")]
mod oauth;
#[cfg(feature = "oauth")]
mod oauth_logging;
#[cfg(feature = "oauth")]
mod oauth_sqlite;
mod properties;
mod replays;
mod requests;
#[cfg(feature = "oauth")]
mod rotation;
#[cfg(all(feature = "socket-mode", feature = "testing"))]
mod socket_mode;
#[cfg(all(unix, feature = "client"))]
mod stopping;
#[cfg(feature = "client")]
mod timing;
mod verification;
#[cfg(not(feature = "client"))]
mod without_client;
