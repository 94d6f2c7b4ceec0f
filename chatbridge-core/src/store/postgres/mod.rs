//! [`PostgresStore`]: a store in a PostgreSQL database (feature `postgres`), shared by every
//! process that reaches the database.

mod builder;
mod migrate;
mod tls;
mod url;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use deadpool_postgres::Pool;

pub use self::builder::PostgresStoreBuilder;
use self::migrate::quote_ident;
use self::url::Target;
use super::Store;
use crate::StoreError;
use crate::clock::SharedClock;

/// Writes between two sweeps of expired rows.
const SWEEP_EVERY: usize = 256;

/// A store in a PostgreSQL database: survives restarts and is shared by every process and
/// machine that connects to it, with put-if-absent atomic across all of them.
///
/// [`connect`](Self::connect) takes a URL, `postgres://user:password@host:port/database`,
/// opens a pool of connections (tokio-postgres, deadpool) and applies the schema's migrations.
/// Connections are plain TCP unless the URL's `sslmode` asks for TLS, as libpq reads it:
///
/// | `sslmode` | TLS | the server's certificate |
/// | --- | --- | --- |
/// | absent, `disable` | no | — |
/// | `allow`, `prefer` | when the server offers it | not checked |
/// | `require` | yes | not checked; with `sslrootcert`, as `verify-ca` |
/// | `verify-ca` | yes | chains to a trusted root |
/// | `verify-full` | yes | chains to a trusted root and names the URL's host |
///
/// The trusted roots are the PEM certificates of `sslrootcert=/path/ca.pem`, or the system's
/// when it is absent or `system`. TLS is rustls (ring); client certificates are not supported.
/// Other URL parameters are tokio-postgres's (`connect_timeout`, `application_name`, …);
/// nothing is read from `PG*` environment variables.
///
/// # The schema
///
/// | table | columns |
/// | --- | --- |
/// | `chatbridge_store` | `key text COLLATE "C" PRIMARY KEY`, `value bytea NOT NULL`, `expires_at bigint` (Unix milliseconds, `NULL` for never; indexed) |
/// | `chatbridge_migrations` | `version integer PRIMARY KEY`, `name text`, `applied_at timestamptz` |
///
/// Both live in the builder's [`schema`](PostgresStoreBuilder::schema) (`public` by default).
/// On connect, the migrations the schema lacks run in one transaction under a
/// transaction-level advisory lock, so processes starting together apply each migration once.
/// The login needs to create tables in the schema on first start (and the schema, unless it
/// exists), then only to read and write the table.
///
/// Expiry is checked on every read against the store's clock (the system clock of the
/// process: keep the machines' clocks in sync); expired rows are deleted every few hundred
/// writes, or by [`sweep_expired`](Self::sweep_expired). Put-if-absent is one
/// `INSERT … ON CONFLICT (key) DO UPDATE … WHERE expired` statement: of concurrent callers in
/// any number of processes, exactly one inserts or replaces an expired row.
/// [`scan`](Store::scan) is a range of the primary key (`key >= prefix AND key < end`), reading
/// only the matching rows. Keys cannot hold the NUL character (PostgreSQL text cannot).
///
/// # Example
///
/// ```no_run
/// use std::sync::Arc;
/// use chatbridge_core::Bot;
/// use chatbridge_core::store::{PostgresStore, Store};
///
/// # async fn run() -> Result<(), chatbridge_core::StoreError> {
/// let store = PostgresStore::connect("postgres://bot:secret@127.0.0.1:5432/chatbridge").await?;
/// store.put("greeting", "hello".into(), None).await?;
/// let bot = Bot::builder().store(Arc::new(store)).build();
/// # let _ = bot;
/// # Ok(()) }
/// ```
pub struct PostgresStore {
    pool: Pool,
    target: Target,
    schema: String,
    clock: SharedClock,
    sql: Statements,
    writes: AtomicUsize,
}

/// The store's SQL, naming its schema's table.
struct Statements {
    get: String,
    put: String,
    put_if_absent: String,
    delete: String,
    scan_range: String,
    scan_from: String,
    sweep: String,
}

impl Statements {
    fn new(schema: &str) -> Self {
        let table = format!("{}.chatbridge_store", quote_ident(schema));
        let live = "(expires_at IS NULL OR expires_at > $NOW)";
        Self {
            get: format!(
                "SELECT value FROM {table} WHERE key = $1 AND {}",
                live.replace("$NOW", "$2")
            ),
            put: format!(
                "INSERT INTO {table} (key, value, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE
                 SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at"
            ),
            // One statement: it inserts, replaces an expired row, or changes nothing.
            put_if_absent: format!(
                "INSERT INTO {table} AS s (key, value, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE
                 SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                 WHERE s.expires_at IS NOT NULL AND s.expires_at <= $4"
            ),
            delete: format!("DELETE FROM {table} WHERE key = $1"),
            scan_range: format!(
                "SELECT key, value FROM {table} WHERE key >= $1 AND key < $2 AND {} ORDER BY key",
                live.replace("$NOW", "$3")
            ),
            scan_from: format!(
                "SELECT key, value FROM {table} WHERE key >= $1 AND {} ORDER BY key",
                live.replace("$NOW", "$2")
            ),
            sweep: format!("DELETE FROM {table} WHERE expires_at IS NOT NULL AND expires_at <= $1"),
        }
    }
}

impl PostgresStore {
    /// The schema a builder uses when given none.
    pub const DEFAULT_SCHEMA: &'static str = "public";

    /// The pool size a builder uses when given none.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 16;

    /// Connects to the database at `url` with the defaults (schema `public`, 16 connections,
    /// the system clock) and applies the migrations it lacks.
    ///
    /// # Errors
    ///
    /// As [`PostgresStoreBuilder::connect`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::builder(url).connect().await
    }

    /// A builder for a store on the database at `url`: schema, pool size, clock.
    pub fn builder(url: &str) -> PostgresStoreBuilder {
        PostgresStoreBuilder::new(url)
    }

    /// Reads time (for expiry) from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The schema that holds the store's tables.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Deletes every expired row now and returns how many there were. Reads never see expired
    /// rows anyway; this only reclaims space (writes also do it every few hundred calls).
    ///
    /// # Errors
    ///
    /// The database failed.
    pub async fn sweep_expired(&self) -> Result<u64, StoreError> {
        let client = self.pool.get().await.map_err(backend)?;
        let statement = client.prepare_cached(&self.sql.sweep).await.map_err(backend)?;
        client.execute(&statement, &[&self.now()]).await.map_err(backend)
    }

    fn new(pool: Pool, target: Target, schema: String, clock: SharedClock) -> Self {
        let sql = Statements::new(&schema);
        Self { pool, target, schema, clock, sql, writes: AtomicUsize::new(0) }
    }

    fn now(&self) -> i64 {
        unix_millis(self.clock.now())
    }

    fn expiry(&self, ttl: Option<Duration>) -> Option<i64> {
        ttl.map(|ttl| self.now().saturating_add(duration_millis(ttl)))
    }

    /// Runs a write and returns how many rows it changed, sweeping expired rows afterwards every
    /// [`SWEEP_EVERY`] writes on the same connection.
    async fn write(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let client = self.pool.get().await.map_err(backend)?;
        let statement = client.prepare_cached(sql).await.map_err(backend)?;
        let rows = client.execute(&statement, params).await.map_err(backend)?;
        if self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            // A failed sweep is no reason to fail the write that triggered it.
            let swept = match client.prepare_cached(&self.sql.sweep).await {
                Ok(sweep) => client.execute(&sweep, &[&self.now()]).await,
                Err(error) => Err(error),
            };
            match swept {
                Ok(swept) => tracing::debug!(swept, "swept expired postgres store rows"),
                Err(error) => tracing::warn!(%error, "sweeping expired postgres store rows failed"),
            }
        }
        Ok(rows)
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        let client = self.pool.get().await.map_err(backend)?;
        let statement = client.prepare_cached(&self.sql.get).await.map_err(backend)?;
        let row = client.query_opt(&statement, &[&key, &self.now()]).await.map_err(backend)?;
        row.map(|row| column::<Vec<u8>>(&row, 0).map(Bytes::from)).transpose()
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), StoreError> {
        let expires_at = self.expiry(ttl);
        self.write(&self.sql.put, &[&key, &&value[..], &expires_at]).await.map(drop)
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let expires_at = self.expiry(ttl);
        let now = self.now();
        let changed =
            self.write(&self.sql.put_if_absent, &[&key, &&value[..], &expires_at, &now]).await?;
        Ok(changed == 1)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(backend)?;
        let statement = client.prepare_cached(&self.sql.delete).await.map_err(backend)?;
        client.execute(&statement, &[&key]).await.map_err(backend)?;
        Ok(())
    }

    fn is_durable(&self) -> bool {
        true
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, StoreError> {
        let client = self.pool.get().await.map_err(backend)?;
        let now = self.now();
        let rows = match super::prefix_end(prefix) {
            Some(end) => {
                let statement =
                    client.prepare_cached(&self.sql.scan_range).await.map_err(backend)?;
                client.query(&statement, &[&prefix, &end, &now]).await
            }
            None => {
                let statement =
                    client.prepare_cached(&self.sql.scan_from).await.map_err(backend)?;
                client.query(&statement, &[&prefix, &now]).await
            }
        }
        .map_err(backend)?;
        rows.iter()
            .map(|row| Ok((column(row, 0)?, Bytes::from(column::<Vec<u8>>(row, 1)?))))
            .collect()
    }
}

/// Where the store connects, never the password.
impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .field("schema", &self.schema)
            .field("connections", &status.size)
            .field("max_connections", &status.max_size)
            .finish_non_exhaustive()
    }
}

/// Column `index` of `row`, or why it could not be read.
fn column<T>(row: &tokio_postgres::Row, index: usize) -> Result<T, StoreError>
where
    T: for<'a> tokio_postgres::types::FromSql<'a>,
{
    row.try_get(index).map_err(|error| StoreError::Corrupt(error.to_string()))
}

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

fn unix_millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH).map_or(0, duration_millis)
}

fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
