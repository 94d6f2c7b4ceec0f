//! [`MemoryStore`]: a store in this process's memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;

use super::Store;
use crate::StoreError;
use crate::clock::{SharedClock, system_clock};

/// Entries kept before expired ones are swept on write.
const SWEEP_EVERY: usize = 1024;

/// A store in this process's memory: for tests and single-process bots. Lost at exit.
///
/// ```
/// # tokio_test_block_on(async {
/// use chatbridge_core::store::{MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// assert!(store.put_if_absent("k", "v".into(), None).await?);
/// assert!(!store.put_if_absent("k", "w".into(), None).await?);
/// assert_eq!(store.get("k").await?.as_deref(), Some(&b"v"[..]));
/// # Ok::<_, chatbridge_core::StoreError>(()) });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub struct MemoryStore {
    entries: Mutex<Entries>,
    clock: SharedClock,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, (Bytes, Option<SystemTime>)>,
    writes_since_sweep: usize,
}

impl MemoryStore {
    /// An empty store on the system clock.
    #[must_use]
    pub fn new() -> Self {
        Self::with_clock(system_clock())
    }

    /// An empty store that reads time (for expiry) from `clock`.
    #[must_use]
    pub fn with_clock(clock: SharedClock) -> Self {
        Self { entries: Mutex::new(Entries::default()), clock }
    }

    fn with_entries<T>(&self, f: impl FnOnce(&mut Entries, SystemTime) -> T) -> T {
        let now = self.clock.now();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut entries, now)
    }

    /// When an entry put now with `ttl` expires; a time-to-live too large to add to the clock
    /// never expires.
    fn expiry(&self, ttl: Option<Duration>) -> Option<SystemTime> {
        ttl.and_then(|ttl| self.clock.now().checked_add(ttl))
    }
}

impl Entries {
    fn live(&self, key: &str, now: SystemTime) -> Option<&Bytes> {
        match self.map.get(key) {
            Some((value, expires)) if expires.is_none_or(|at| at > now) => Some(value),
            _ => None,
        }
    }

    fn insert(&mut self, key: &str, value: Bytes, expires: Option<SystemTime>, now: SystemTime) {
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= SWEEP_EVERY {
            self.writes_since_sweep = 0;
            self.map.retain(|_, (_, exp)| exp.is_none_or(|at| at > now));
        }
        self.map.insert(key.to_owned(), (value, expires));
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        Ok(self.with_entries(|e, now| e.live(key, now).cloned()))
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), StoreError> {
        let expires = self.expiry(ttl);
        self.with_entries(|e, now| e.insert(key, value, expires, now));
        Ok(())
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let expires = self.expiry(ttl);
        Ok(self.with_entries(|e, now| {
            if e.live(key, now).is_some() {
                false
            } else {
                e.insert(key, value, expires, now);
                true
            }
        }))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.with_entries(|e, _| e.map.remove(key));
        Ok(())
    }

    /// Looks at every entry: fine for the sizes a memory store holds.
    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, StoreError> {
        let mut found: Vec<(String, Bytes)> = self.with_entries(|e, now| {
            e.map
                .keys()
                .filter(|key| key.starts_with(prefix))
                .filter_map(|key| e.live(key, now).map(|value| (key.clone(), value.clone())))
                .collect()
        });
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.with_entries(|e, _| e.map.len());
        f.debug_struct("MemoryStore").field("entries", &len).finish()
    }
}
