//! Long-lived connections the local server runs beside HTTP (Slack Socket Mode, the Discord
//! Gateway): the platform pushes its events over a socket the bot opened, so the bot needs no
//! public URL. A connection turns what it receives into [`Incoming`](crate::adapter::Incoming)s
//! and hands them to [`Bot::dispatch`], as an adapter does for a request.
//!
//! ```
//! use async_trait::async_trait;
//! use chatbridge_core::host::connection::{Connection, Readiness};
//! use chatbridge_core::{Bot, BoxError};
//! use tokio_util::sync::CancellationToken;
//!
//! struct Ticker;
//!
//! #[async_trait]
//! impl Connection for Ticker {
//!     fn name(&self) -> &str {
//!         "ticker"
//!     }
//!
//!     async fn run(
//!         self: Box<Self>,
//!         _bot: Bot,
//!         ready: Readiness,
//!         shutdown: CancellationToken,
//!     ) -> Result<(), BoxError> {
//!         ready.set(true); // connected: `/healthz` may say so
//!         shutdown.cancelled().await; // ... receive and dispatch until asked to stop
//!         Ok(())
//!     }
//! }
//! ```

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::{Bot, BoxError};

/// A connection the [`Server`](super::server::Server) runs for as long as it serves.
#[async_trait]
pub trait Connection: Send + Sync + 'static {
    /// A short name for logs and `/healthz` (`"slack-socket-mode"`, `"discord-gateway"`).
    fn name(&self) -> &str;

    /// Connects, receives and dispatches until `shutdown` is cancelled, reconnecting on its
    /// own when the platform asks or the socket drops. It reports through `ready` whether it is
    /// connected. When `shutdown` is cancelled it closes its sockets cleanly and returns; events
    /// it already dispatched are the bot's to finish ([`Bot::drain`]).
    ///
    /// # Errors
    ///
    /// Only what retrying cannot mend (a token the platform refuses): the error is logged and
    /// the server goes on serving without this connection, reported not ready.
    async fn run(
        self: Box<Self>,
        bot: Bot,
        ready: Readiness,
        shutdown: CancellationToken,
    ) -> Result<(), BoxError>;
}

/// Whether one connection is ready; the server's `/healthz` answers 200 only while every
/// connection's is set.
#[derive(Clone)]
pub struct Readiness {
    name: Arc<str>,
    ready: Arc<AtomicBool>,
}

impl Readiness {
    /// A flag for the connection called `name`, not ready yet.
    pub fn new(name: &str) -> Self {
        Self { name: name.into(), ready: Arc::new(AtomicBool::new(false)) }
    }

    /// Marks the connection ready (connected, the platform's greeting received) or not
    /// (reconnecting).
    pub fn set(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    /// Whether the connection is ready.
    pub fn get(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The connection's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness").field("name", &self.name).field("ready", &self.get()).finish()
    }
}
