//! [`PostgresStoreBuilder`]: the URL, schema, pool size and clock of a [`PostgresStore`].

use std::fmt;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, Runtime};
use tokio_postgres::NoTls;

use super::url::Target;
use super::{PostgresStore, migrate, tls};
use crate::StoreError;
use crate::clock::{SharedClock, system_clock};

/// How long an operation waits for a free connection, and a new connection for the server.
const POOL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a returned connection's health check may take.
const RECYCLE_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a [`PostgresStore`]: `PostgresStore::builder(url)`, then what differs from the
/// defaults, then [`connect`](Self::connect).
///
/// ```no_run
/// use chatbridge_core::store::PostgresStore;
///
/// # async fn run() -> Result<(), chatbridge_core::StoreError> {
/// let store = PostgresStore::builder("postgres://bot:secret@db.internal:5432/chatbridge?sslmode=verify-full")
///     .schema("emojibot")
///     .max_connections(8)
///     .connect()
///     .await?;
/// # let _ = store; Ok(()) }
/// ```
#[must_use]
pub struct PostgresStoreBuilder {
    target: Result<Target, StoreError>,
    schema: String,
    max_connections: usize,
    clock: Option<SharedClock>,
}

impl PostgresStoreBuilder {
    pub(super) fn new(url: &str) -> Self {
        Self {
            target: Target::parse(url),
            schema: PostgresStore::DEFAULT_SCHEMA.to_owned(),
            max_connections: PostgresStore::DEFAULT_MAX_CONNECTIONS,
            clock: None,
        }
    }

    /// The schema that holds the store's tables (default `public`); created if missing. Bots
    /// sharing one database keep apart with a schema each.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The most connections the pool opens at once (default 16).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Reads time (for expiry) from `clock` instead of the system clock.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Opens the pool, connects once and applies the schema's missing migrations.
    ///
    /// # Errors
    ///
    /// The URL is invalid, the schema name is empty or longer than 63 bytes, a root certificate
    /// file cannot be read, the server cannot be reached or refuses the login, or a migration
    /// failed.
    pub async fn connect(self) -> Result<PostgresStore, StoreError> {
        let target = self.target?;
        if self.schema.is_empty() || self.schema.len() > 63 || self.schema.contains('\0') {
            return Err(StoreError::Backend(
                "a postgres schema name is 1 to 63 bytes, without NUL".into(),
            ));
        }
        let manager = match tls::connector(target.tls, &target.roots)? {
            None => {
                let mut config = target.config.clone();
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
                Manager::from_config(config, NoTls, ManagerConfig::default())
            }
            Some(connector) => {
                let mut config = target.config.clone();
                config.ssl_mode(match target.tls {
                    super::url::TlsMode::Prefer => tokio_postgres::config::SslMode::Prefer,
                    _ => tokio_postgres::config::SslMode::Require,
                });
                Manager::from_config(config, connector, ManagerConfig::default())
            }
        };
        let pool = Pool::builder(manager)
            .max_size(self.max_connections)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(RECYCLE_TIMEOUT))
            .build()
            .map_err(|error| StoreError::Backend(Box::new(error)))?;
        let mut client = pool.get().await.map_err(super::backend)?;
        let applied = migrate::migrate(&mut client, &self.schema).await.map_err(super::backend)?;
        drop(client);
        tracing::debug!(server = ?target, schema = %self.schema, ?applied, "connected postgres store");
        Ok(PostgresStore::new(pool, target, self.schema, self.clock.unwrap_or_else(system_clock)))
    }
}

/// Where the store connects, never the password.
impl fmt::Debug for PostgresStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStoreBuilder")
            .field("target", &self.target.as_ref().ok())
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}
