//! Hosts: what drives a [`Bot`](crate::Bot).
//!
//! | host | feature | entry |
//! | --- | --- | --- |
//! | any, tests | — | [`Bot::handle`](crate::Bot::handle) |
//! | tower | `tower` | `Bot` is a `tower::Service<http::Request<B>>` with `Error = Infallible` |
//! | local server | `server` | [`server::serve`], or [`server::router`] inside an axum app; long-lived [`connection`]s beside HTTP |
//! | AWS Lambda | `lambda` | [`lambda::run`], or [`lambda::LambdaHost`] for HTTP and raw (Lex) events |

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod connection;

#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub mod lambda;

use std::time::Instant;

use tokio_util::task::TaskTracker;

/// A request extension hosts set: when the request arrived, so that the budget counts time
/// spent before [`Bot::handle`](crate::Bot::handle) (reading the body, a cold start).
#[derive(Clone, Copy, Debug)]
pub struct ReceivedAt(pub Instant);

/// A request extension hosts set: the request's follow-ups and continuations are tracked here
/// too, besides the bot's own [`tasks`](crate::Bot::tasks). The Lambda host waits on it per
/// invocation.
#[derive(Clone, Debug)]
pub struct Continuations(pub TaskTracker);

/// A request extension the [inbox](crate::inbox) sets on a stored request it runs again after a
/// crash: when the request first arrived. Adapters check time windows (Slack's five-minute
/// signature window) against this time instead of now, so that a request verified on arrival
/// still verifies when it is recovered. Only core sets it; nothing from the network can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redelivery {
    /// When the request first arrived (the wall clock of the process that took it).
    pub received: std::time::SystemTime,
}

impl Redelivery {
    /// The arrival time as whole seconds since the Unix epoch.
    #[must_use]
    pub fn unix_seconds(&self) -> u64 {
        self.received.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }
}
