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

/// Writes between two sweeps of expired entries, at least (a quarter of the entries, at most).
const SWEEP_EVERY: usize = 1024;

/// A store in this process's memory: for tests and single-process bots. Lost at exit.
///
/// Its memory is bounded: it keeps at most [`DEFAULT_MAX_EXPIRING`](Self::DEFAULT_MAX_EXPIRING)
/// entries that have a time-to-live (de-duplication marks, claims; see
/// [`max_expiring`](Self::max_expiring)). Past that, it drops the quarter of them closest to
/// their end, so a bot under sustained load keeps the most recent marks, in flat memory, instead
/// of every mark for its whole time-to-live. Entries without a time-to-live are never dropped.
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

struct Entries {
    map: HashMap<String, (Bytes, Option<SystemTime>)>,
    /// How many entries of `map` have an expiry.
    expiring: usize,
    max_expiring: usize,
    writes_since_sweep: usize,
}

impl MemoryStore {
    /// How many entries with a time-to-live a store keeps unless told otherwise: about an hour
    /// of de-duplication marks at 25 requests a second, in some 15 MiB.
    pub const DEFAULT_MAX_EXPIRING: usize = 100_000;

    /// An empty store on the system clock.
    #[must_use]
    pub fn new() -> Self {
        Self::with_clock(system_clock())
    }

    /// An empty store that reads time (for expiry) from `clock`.
    #[must_use]
    pub fn with_clock(clock: SharedClock) -> Self {
        let entries = Entries {
            map: HashMap::new(),
            expiring: 0,
            max_expiring: Self::DEFAULT_MAX_EXPIRING,
            writes_since_sweep: 0,
        };
        Self { entries: Mutex::new(entries), clock }
    }

    /// Keeps at most `max` entries with a time-to-live (at least 4): past that, the quarter of
    /// them closest to their end are dropped early.
    ///
    /// ```
    /// # tokio_test_block_on(async {
    /// use std::time::Duration;
    /// use chatbridge_core::store::{MemoryStore, Store};
    ///
    /// let store = MemoryStore::new().max_expiring(1_000);
    /// let hour = Some(Duration::from_secs(3600));
    /// for i in 0..=1_000 {
    ///     store.put(&format!("dedup/{i}"), "".into(), hour).await?;
    /// }
    /// assert!(store.get("dedup/1000").await?.is_some()); // the latest are kept
    /// assert!(store.get("dedup/0").await?.is_none()); // the earliest were dropped
    /// # Ok::<_, chatbridge_core::StoreError>(()) });
    /// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    #[must_use]
    pub fn max_expiring(self, max: usize) -> Self {
        self.with_entries(|e, _| e.max_expiring = max.max(4));
        self
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
        if self.writes_since_sweep >= SWEEP_EVERY.max(self.map.len() / 4) {
            self.writes_since_sweep = 0;
            self.keep(|expires| expires.is_none_or(|at| at > now));
        }
        let replaced = self.map.insert(key.to_owned(), (value, expires));
        self.expiring += usize::from(expires.is_some());
        self.expiring -= usize::from(replaced.is_some_and(|(_, old)| old.is_some()));
        if self.expiring > self.max_expiring {
            self.shrink(now);
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some((_, expires)) = self.map.remove(key) {
            self.expiring -= usize::from(expires.is_some());
        }
    }

    /// Drops the expired entries, then, if that is not enough, the expiring ones closest to
    /// their end, down to three quarters of the bound.
    fn shrink(&mut self, now: SystemTime) {
        self.keep(|expires| expires.is_none_or(|at| at > now));
        let target = self.max_expiring / 4 * 3;
        if self.expiring <= target {
            return;
        }
        let mut ends: Vec<SystemTime> = self.map.values().filter_map(|(_, at)| *at).collect();
        let (_, cut, _) = ends.select_nth_unstable(self.expiring - target - 1);
        let cut = *cut;
        self.keep(|expires| expires.is_none_or(|at| at > cut));
    }

    fn keep(&mut self, keep: impl Fn(Option<SystemTime>) -> bool) {
        self.map.retain(|_, (_, expires)| keep(*expires));
        self.expiring = self.map.values().filter(|(_, expires)| expires.is_some()).count();
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
        self.with_entries(|e, _| e.remove(key));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn expiring_entries_stay_within_the_bound_and_the_rest_are_never_dropped() {
        block_on(async {
            let store = MemoryStore::new().max_expiring(100);
            store.put("installation/T1", "token".into(), None).await.unwrap();
            let hour = Some(Duration::from_secs(3600));
            for i in 0..1_000 {
                assert!(
                    store.put_if_absent(&format!("dedup/{i}"), Bytes::new(), hour).await.unwrap()
                );
                let (len, expiring) = store.with_entries(|e, _| (e.map.len(), e.expiring));
                assert!(expiring <= 100, "{expiring} expiring entries after {i}");
                assert_eq!(len, expiring + 1);
            }
            assert!(store.get("dedup/999").await.unwrap().is_some());
            assert!(store.get("dedup/0").await.unwrap().is_none());
            assert_eq!(store.get("installation/T1").await.unwrap().as_deref(), Some(&b"token"[..]));
            // Overwriting and deleting keep the count right.
            store.put("dedup/999", Bytes::new(), None).await.unwrap();
            store.delete("dedup/998").await.unwrap();
            let (len, expiring) = store.with_entries(|e, _| (e.map.len(), e.expiring));
            assert_eq!(len, expiring + 2);
        });
    }
}
