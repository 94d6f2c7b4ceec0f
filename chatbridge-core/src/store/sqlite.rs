//! [`SqliteStore`]: a store in an SQLite file (feature `sqlite`), the embedded default for a
//! bot on a local server.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::Mutex;

use super::Store;
use crate::StoreError;
use crate::clock::{SharedClock, system_clock};

/// Writes between two sweeps of expired rows.
const SWEEP_EVERY: usize = 256;

/// How long a statement waits for another connection's (or process's) write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema. `expires_at` is milliseconds since the Unix epoch, `NULL` for never.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS chatbridge_store (
        key        TEXT PRIMARY KEY NOT NULL,
        value      BLOB NOT NULL,
        expires_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS chatbridge_store_expires_at
        ON chatbridge_store (expires_at) WHERE expires_at IS NOT NULL;
";

const GET: &str = "SELECT value FROM chatbridge_store
    WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?2)";

const PUT: &str = "INSERT INTO chatbridge_store (key, value, expires_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at";

/// One statement, so atomic: it inserts, replaces an expired row, or changes nothing.
const PUT_IF_ABSENT: &str = "INSERT INTO chatbridge_store (key, value, expires_at)
    VALUES (?1, ?2, ?3)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
    WHERE chatbridge_store.expires_at IS NOT NULL AND chatbridge_store.expires_at <= ?4";

const DELETE: &str = "DELETE FROM chatbridge_store WHERE key = ?1";

/// A prefix scan as a key range, `[prefix, end)`, which the primary key's index serves.
const SCAN_RANGE: &str = "SELECT key, value FROM chatbridge_store
    WHERE key >= ?1 AND key < ?2 AND (expires_at IS NULL OR expires_at > ?3) ORDER BY key";

/// A prefix scan with no upper bound (see [`prefix_end`](super::prefix_end)).
const SCAN_FROM: &str = "SELECT key, value FROM chatbridge_store
    WHERE key >= ?1 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY key";

const SWEEP: &str = "DELETE FROM chatbridge_store
    WHERE expires_at IS NOT NULL AND expires_at <= ?1";

/// A store in an SQLite database file: survives restarts, safe under concurrent requests and
/// under several processes sharing the file.
///
/// SQLite is bundled (compiled in), so no system library is needed. The store keeps one
/// connection; each operation takes it in turn and runs on Tokio's blocking thread pool, so it
/// never blocks the async runtime (it must be used inside a Tokio runtime). The file is in WAL
/// mode with a busy timeout of 5 s, so readers do not block the writer and processes sharing
/// the file wait for each other instead of failing. [`put_if_absent`](Store::put_if_absent) is a
/// single `INSERT … ON CONFLICT DO UPDATE … WHERE expired` statement, atomic across processes.
/// [`scan`](Store::scan) is a range `key >= prefix AND key < end` over the primary key (SQLite
/// compares text byte by byte), so it reads only the matching rows.
///
/// Entries live in the table `chatbridge_store` (`key TEXT PRIMARY KEY, value BLOB, expires_at
/// INTEGER` in Unix milliseconds). Expiry is checked on every read against the store's clock;
/// expired rows are deleted every few hundred writes, or by
/// [`sweep_expired`](Self::sweep_expired).
///
/// ```no_run
/// use std::sync::Arc;
/// use chatbridge_core::Bot;
/// use chatbridge_core::store::{SqliteStore, Store};
///
/// # async fn run() -> Result<(), chatbridge_core::StoreError> {
/// let store = Arc::new(SqliteStore::open("chatbridge.sqlite3")?);
/// store.put("greeting", "hello".into(), None).await?;
/// assert_eq!(store.get("greeting").await?.as_deref(), Some(&b"hello"[..]));
/// let bot = Bot::builder().store(store).build();
/// # let _ = bot;
/// # Ok(()) }
/// ```
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    clock: SharedClock,
    path: Option<PathBuf>,
    writes: AtomicUsize,
}

impl SqliteStore {
    /// Opens (or creates) the database file at `path` and its table, on the system clock.
    ///
    /// This does blocking file I/O: call it at startup, or inside
    /// [`spawn_blocking`](tokio::task::spawn_blocking).
    ///
    /// # Errors
    ///
    /// The file cannot be opened or created, is not an SQLite database, or the table cannot be
    /// created.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(backend)?;
        configure(&conn, true).map_err(backend)?;
        tracing::debug!(path = %path.display(), "opened sqlite store");
        Ok(Self::new(conn, Some(path.to_owned())))
    }

    /// A private in-memory database: for tests. Lost when the store is dropped.
    ///
    /// # Errors
    ///
    /// SQLite could not allocate the database.
    pub fn in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(backend)?;
        configure(&conn, false).map_err(backend)?;
        Ok(Self::new(conn, None))
    }

    /// Reads time (for expiry) from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The database file, or `None` for an in-memory store.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Deletes every expired row now and returns how many there were. Reads never see expired
    /// rows anyway; this only reclaims space (writes also do it every few hundred calls).
    ///
    /// # Errors
    ///
    /// The database failed.
    pub async fn sweep_expired(&self) -> Result<usize, StoreError> {
        self.run(|conn, now| conn.prepare_cached(SWEEP)?.execute(params![now])).await
    }

    fn new(conn: Connection, path: Option<PathBuf>) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
            clock: system_clock(),
            path,
            writes: AtomicUsize::new(0),
        }
    }

    /// Runs `op` with the connection and the current time (Unix milliseconds) on the blocking
    /// pool. The connection's lock is awaited, not blocked on.
    async fn run<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn).lock_owned().await;
        let clock = Arc::clone(&self.clock);
        let joined = tokio::task::spawn_blocking(move || op(&conn, unix_millis(clock.now()))).await;
        match joined {
            Ok(result) => result.map_err(backend),
            Err(join_error) => Err(StoreError::Backend(Box::new(join_error))),
        }
    }

    /// Runs a write, sweeping expired rows afterwards every [`SWEEP_EVERY`] writes.
    async fn write<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    {
        let sweep = self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1;
        self.run(move |conn, now| {
            let out = op(conn, now)?;
            if sweep {
                // A failed sweep is no reason to fail the write that triggered it.
                match conn.prepare_cached(SWEEP).and_then(|mut s| s.execute(params![now])) {
                    Ok(swept) => tracing::debug!(swept, "swept expired sqlite store rows"),
                    Err(error) => {
                        tracing::warn!(%error, "sweeping expired sqlite store rows failed")
                    }
                }
            }
            Ok(out)
        })
        .await
    }

    fn expiry(&self, ttl: Option<Duration>) -> Option<i64> {
        ttl.map(|ttl| unix_millis(self.clock.now()).saturating_add(duration_millis(ttl)))
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        let key = key.to_owned();
        let value: Option<Vec<u8>> = self
            .run(move |conn, now| {
                conn.prepare_cached(GET)?.query_row(params![key, now], |row| row.get(0)).optional()
            })
            .await?;
        Ok(value.map(Bytes::from))
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), StoreError> {
        let (key, expires_at) = (key.to_owned(), self.expiry(ttl));
        self.write(move |conn, _| {
            conn.prepare_cached(PUT)?.execute(params![key, &value[..], expires_at]).map(drop)
        })
        .await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let (key, expires_at) = (key.to_owned(), self.expiry(ttl));
        self.write(move |conn, now| {
            let changed = conn.prepare_cached(PUT_IF_ABSENT)?.execute(params![
                key,
                &value[..],
                expires_at,
                now
            ])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.run(move |conn, _| conn.prepare_cached(DELETE)?.execute(params![key]).map(drop)).await
    }

    fn is_durable(&self) -> bool {
        self.path.as_ref().is_some_and(|p| p.as_os_str() != ":memory:")
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, StoreError> {
        let (from, end) = (prefix.to_owned(), super::prefix_end(prefix));
        let rows: Vec<(String, Vec<u8>)> = self
            .run(move |conn, now| {
                let row = |row: &rusqlite::Row<'_>| Ok((row.get(0)?, row.get(1)?));
                match end {
                    Some(end) => conn
                        .prepare_cached(SCAN_RANGE)?
                        .query_map(params![from, end, now], row)?
                        .collect(),
                    None => conn
                        .prepare_cached(SCAN_FROM)?
                        .query_map(params![from, now], row)?
                        .collect(),
                }
            })
            .await?;
        Ok(rows.into_iter().map(|(key, value)| (key, Bytes::from(value))).collect())
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Connection settings and the schema. `file`: WAL mode, which an in-memory database lacks.
fn configure(conn: &Connection, file: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if file {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "sqlite store could not switch to WAL mode");
        }
        // Durable across a crash of the process; a power loss may drop the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.execute_batch(SCHEMA)
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
