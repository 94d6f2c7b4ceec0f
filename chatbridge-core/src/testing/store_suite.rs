//! The store test suite: the checks every [`Store`](crate::store::Store) backend passes.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::sync::Barrier;

use crate::clock::ManualClock;
use crate::store::SharedStore;

/// How many tasks race in the concurrency checks.
const RACERS: usize = 32;

/// A key with characters that need quoting or escaping somewhere.
const ODD_KEY: &str = "keys/odd: spaces, 'quotes', \"dq\", %25, ünïcödé 🦀, tab\t/end/";

/// A 900-character key name.
fn long_key() -> String {
    format!("keys/long/{}", "k".repeat(900))
}

/// Runs the store test suite against `store`, panicking with a message on the first failure.
///
/// `store` must read the time from `clock` (for example
/// [`MemoryStore::with_clock`](crate::store::MemoryStore::with_clock)): the suite moves the clock
/// forward to expire entries instead of sleeping. It never moves the clock back, so it can run
/// several times against one store and one clock. Start the clock near the real time
/// (`ManualClock::at_unix(now)`) for a backend whose server deletes expired entries itself, such
/// as DynamoDB.
///
/// Every key the suite writes starts with a prefix unique to this run, and the suite deletes its
/// keys at the end, so it can run against a shared, persistent table. It checks:
///
/// - get, put, overwrite and delete, absent keys, deleting an absent key;
/// - empty, binary (every byte value) and large (64 KiB) values, long and unusual keys;
/// - expiry with the clock: entries live until their time-to-live has passed, an overwrite
///   replaces the expiry, an entry without a time-to-live never expires;
/// - put-if-absent: over an absent, a present, a deleted and an expired entry;
/// - 32 concurrent put-if-absent calls on one key (also on an expired key): exactly one wins,
///   and its value is the one stored; 32 concurrent puts on distinct keys all land;
/// - scan: every live key under a prefix with its value, in key order; nothing outside the
///   prefix (neighbours that sort just before or after it, keys differing only in case);
///   expired and deleted entries left out; an empty answer; prefixes with `%`, `_`, `\`,
///   quotes, non-ASCII and `char::MAX`, which a `LIKE` pattern or a naive range would get wrong.
///
/// Spawned tasks run on the caller's Tokio runtime; a multi-threaded runtime makes the races
/// real races.
///
/// # Panics
///
/// When the store breaks the [`Store`](crate::store::Store) contract or returns an error.
///
/// ```
/// use std::sync::Arc;
/// use chatbridge_core::store::MemoryStore;
/// use chatbridge_core::testing::{ManualClock, store_suite};
///
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let clock = ManualClock::at_unix(1_700_000_000);
/// let store = Arc::new(MemoryStore::with_clock(Arc::new(clock.clone())));
/// store_suite(store, clock).await;
/// # });
/// ```
pub async fn store_suite(store: SharedStore, clock: ManualClock) {
    let s = Suite { store, clock, prefix: unique_prefix(), keys: Mutex::default() };
    s.basics().await;
    s.values_and_keys().await;
    s.expiry().await;
    s.put_if_absent_cases().await;
    s.races().await;
    s.scans().await;
    s.cleanup().await;
}

struct Suite {
    store: SharedStore,
    clock: ManualClock,
    prefix: String,
    keys: Mutex<BTreeSet<String>>,
}

impl Suite {
    /// The run's key for `name`, remembered for the clean-up.
    fn key(&self, name: &str) -> String {
        let key = format!("{}{name}", self.prefix);
        self.keys.lock().unwrap_or_else(PoisonError::into_inner).insert(key.clone());
        key
    }

    async fn get(&self, key: &str) -> Option<Bytes> {
        match self.store.get(key).await {
            Ok(value) => value,
            Err(error) => panic!("get({key:?}) failed: {error} ({error:?})"),
        }
    }

    async fn put(&self, key: &str, value: impl Into<Bytes>, ttl: Option<Duration>) {
        if let Err(error) = self.store.put(key, value.into(), ttl).await {
            panic!("put({key:?}) failed: {error} ({error:?})");
        }
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: impl Into<Bytes>,
        ttl: Option<Duration>,
    ) -> bool {
        match self.store.put_if_absent(key, value.into(), ttl).await {
            Ok(won) => won,
            Err(error) => panic!("put_if_absent({key:?}) failed: {error} ({error:?})"),
        }
    }

    async fn delete(&self, key: &str) {
        if let Err(error) = self.store.delete(key).await {
            panic!("delete({key:?}) failed: {error} ({error:?})");
        }
    }

    async fn expect(&self, key: &str, want: Option<&[u8]>, what: &str) {
        let got = self.get(key).await;
        assert_eq!(got.as_deref(), want, "{what} (key {key:?})");
    }

    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    async fn basics(&self) {
        let k = self.key("basics");
        self.expect(&k, None, "a key never written is absent").await;
        self.delete(&k).await;
        self.put(&k, "one", None).await;
        self.expect(&k, Some(b"one"), "get returns what put stored").await;
        self.put(&k, "two", None).await;
        self.expect(&k, Some(b"two"), "put overwrites").await;
        self.expect(&self.key("basics/other"), None, "keys are independent").await;
        self.expect(&self.key("basic"), None, "a prefix of a key is another key").await;
        self.expect(&self.key("BASICS"), None, "keys are case-sensitive").await;
        self.delete(&k).await;
        self.expect(&k, None, "delete removes").await;
        self.delete(&k).await;
    }

    async fn values_and_keys(&self) {
        let k = self.key("values/empty");
        self.put(&k, Bytes::new(), None).await;
        self.expect(&k, Some(b""), "an empty value is present, not absent").await;

        let every_byte: Vec<u8> = (0..=255u8).rev().chain(0..=255u8).collect();
        let k = self.key("values/binary");
        self.put(&k, every_byte.clone(), None).await;
        self.expect(&k, Some(&every_byte), "binary values round-trip byte for byte").await;

        let large: Vec<u8> = (0..64 * 1024).map(|i: u32| (i.wrapping_mul(31) >> 3) as u8).collect();
        let k = self.key("values/large");
        self.put(&k, large.clone(), None).await;
        self.expect(&k, Some(&large), "a 64 KiB value round-trips").await;

        let long = self.key(&long_key());
        self.put(&long, "long", None).await;
        self.expect(&long, Some(b"long"), "a 900-character key works").await;
        let odd = self.key(ODD_KEY);
        self.put(&odd, "odd", None).await;
        self.expect(&odd, Some(b"odd"), "unusual characters in keys work").await;
        assert!(!self.put_if_absent(&odd, "again", None).await, "an odd key is found again");
    }

    async fn expiry(&self) {
        let k = self.key("ttl/minute");
        self.put(&k, "v", Some(Duration::from_secs(60))).await;
        self.expect(&k, Some(b"v"), "an entry is present before its TTL").await;
        self.advance(59);
        self.expect(&k, Some(b"v"), "an entry is present 1 s before its TTL").await;
        self.advance(2);
        self.expect(&k, None, "an entry is absent after its TTL").await;

        let k = self.key("ttl/fraction");
        self.put(&k, "v", Some(Duration::from_millis(1500))).await;
        self.advance(1);
        self.expect(&k, Some(b"v"), "a 1.5 s TTL has not passed after 1 s").await;
        self.advance(2);
        self.expect(&k, None, "a 1.5 s TTL has passed after 3 s").await;

        let k = self.key("ttl/forever");
        self.put(&k, "v", None).await;
        self.advance(400 * 24 * 3600);
        self.expect(&k, Some(b"v"), "an entry without TTL never expires").await;

        let k = self.key("ttl/huge");
        self.put(&k, "v", Some(Duration::MAX)).await;
        self.advance(10 * 365 * 24 * 3600);
        self.expect(&k, Some(b"v"), "a TTL too large for the clock never expires").await;

        let k = self.key("ttl/cleared");
        self.put(&k, "short", Some(Duration::from_secs(10))).await;
        self.put(&k, "long", None).await;
        self.advance(20);
        self.expect(&k, Some(b"long"), "overwriting without a TTL clears the expiry").await;
        self.put(&k, "short", Some(Duration::from_secs(10))).await;
        self.advance(11);
        self.expect(&k, None, "overwriting with a TTL sets the expiry").await;

        let k = self.key("ttl/rewritten");
        self.put(&k, "v", Some(Duration::from_secs(10))).await;
        self.advance(11);
        self.put(&k, "w", Some(Duration::from_secs(10))).await;
        self.expect(&k, Some(b"w"), "put over an expired entry stores the new value").await;
    }

    async fn put_if_absent_cases(&self) {
        let k = self.key("pia/plain");
        assert!(self.put_if_absent(&k, "first", None).await, "put_if_absent wins on an absent key");
        assert!(
            !self.put_if_absent(&k, "second", None).await,
            "put_if_absent loses on a present key"
        );
        self.expect(&k, Some(b"first"), "a losing put_if_absent changes nothing").await;
        self.delete(&k).await;
        assert!(self.put_if_absent(&k, "third", None).await, "put_if_absent wins after a delete");
        self.expect(&k, Some(b"third"), "put_if_absent stores its value").await;

        let k = self.key("pia/ttl");
        assert!(self.put_if_absent(&k, "old", Some(Duration::from_secs(30))).await);
        self.advance(29);
        assert!(!self.put_if_absent(&k, "early", None).await, "a live entry with a TTL is present");
        self.expect(&k, Some(b"old"), "a losing put_if_absent keeps the old TTL entry").await;
        self.advance(2);
        assert!(
            self.put_if_absent(&k, "new", Some(Duration::from_secs(100))).await,
            "put_if_absent wins over an expired entry"
        );
        self.expect(&k, Some(b"new"), "put_if_absent replaced the expired entry").await;
        self.advance(50);
        self.expect(&k, Some(b"new"), "the new entry carries its own TTL, not the old one").await;
        self.advance(51);
        self.expect(&k, None, "the new entry expires on its own TTL").await;
        assert!(self.put_if_absent(&k, "forever", None).await);
        self.advance(365 * 24 * 3600);
        self.expect(&k, Some(b"forever"), "put_if_absent over an expired entry without TTL").await;
    }

    async fn races(&self) {
        let k = self.key("race/one-key");
        self.race_one_key(&k, "an absent key").await;

        self.put(&k, "stale", Some(Duration::from_secs(5))).await;
        self.advance(6);
        self.race_one_key(&k, "an expired key").await;

        let barrier = Arc::new(Barrier::new(RACERS));
        let tasks: Vec<_> = (0..RACERS)
            .map(|i| {
                let (store, barrier) = (Arc::clone(&self.store), Arc::clone(&barrier));
                let key = self.key(&format!("race/many/{i}"));
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.put(&key, Bytes::from(i.to_string()), None).await
                })
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => panic!("concurrent put {i} failed: {error} ({error:?})"),
                Err(error) => panic!("concurrent put {i} panicked: {error}"),
            }
        }
        for i in 0..RACERS {
            let key = self.key(&format!("race/many/{i}"));
            self.expect(&key, Some(i.to_string().as_bytes()), "every concurrent put landed").await;
        }
    }

    async fn race_one_key(&self, key: &str, what: &str) {
        let barrier = Arc::new(Barrier::new(RACERS));
        let tasks: Vec<_> = (0..RACERS)
            .map(|i| {
                let (store, barrier, key) =
                    (Arc::clone(&self.store), Arc::clone(&barrier), key.to_owned());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let won = store
                        .put_if_absent(
                            &key,
                            Bytes::from(format!("racer {i}")),
                            Some(Duration::from_secs(600)),
                        )
                        .await;
                    (i, won)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await {
                Ok((i, Ok(true))) => winners.push(i),
                Ok((_, Ok(false))) => {}
                Ok((i, Err(error))) => panic!("racer {i} on {what} failed: {error} ({error:?})"),
                Err(error) => panic!("a racer on {what} panicked: {error}"),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "exactly one of {RACERS} concurrent put_if_absent calls on {what} wins: {winners:?}"
        );
        let winner = format!("racer {}", winners[0]);
        self.expect(key, Some(winner.as_bytes()), "the winner's value is stored").await;
    }

    async fn scan(&self, prefix: &str) -> Vec<(String, Bytes)> {
        match self.store.scan(prefix).await {
            Ok(found) => found,
            Err(error) => panic!("scan({prefix:?}) failed: {error} ({error:?})"),
        }
    }

    /// Scans `prefix` (under the run's prefix) and checks the keys (under the run's prefix)
    /// and values found.
    async fn expect_scan(&self, prefix: &str, want: &[(&str, &[u8])], what: &str) {
        let found = self.scan(&format!("{}{prefix}", self.prefix)).await;
        let found: Vec<(&str, &[u8])> = found
            .iter()
            .map(|(key, value)| (key.strip_prefix(&self.prefix).unwrap_or(key), &value[..]))
            .collect();
        assert_eq!(found, want, "{what} (scan of {prefix:?})");
    }

    async fn scans(&self) {
        let every_byte: Vec<u8> = (0..=255u8).collect();
        let keys: [(&str, &[u8]); 10] = [
            ("scan/a", b"exact"),
            ("scan/a/1", b"one"),
            ("scan/a/2", &every_byte),
            ("scan/a/3", b""),
            ("scan/a\u{10ffff}", b"max"),
            ("scan/ab", b"ab"),
            ("scan/b", b"b"),
            ("scan/A/1", b"upper"),
            ("scan/%_\\'\"/x", b"odd"),
            ("scan/ünï/x", b"u"),
        ];
        // Written out of order: the answer's order is the store's doing.
        for (name, value) in keys.iter().rev() {
            self.put(&self.key(name), value.to_vec(), None).await;
        }
        let temporary = self.key("scan/a/temporary");
        self.put(&temporary, "soon gone", Some(Duration::from_secs(30))).await;
        let deleted = self.key("scan/a/deleted");
        self.put(&deleted, "gone", None).await;
        self.delete(&deleted).await;

        self.expect_scan("scan/nothing/", &[], "a prefix nothing starts with").await;
        self.expect_scan(
            "scan/a/",
            &[
                ("scan/a/1", b"one"),
                ("scan/a/2", &every_byte),
                ("scan/a/3", b""),
                ("scan/a/temporary", b"soon gone"),
            ],
            "the keys under a prefix, in order, with their values; a deleted key is gone",
        )
        .await;
        self.expect_scan(
            "scan/a",
            &[
                ("scan/a", b"exact"),
                ("scan/a/1", b"one"),
                ("scan/a/2", &every_byte),
                ("scan/a/3", b""),
                ("scan/a/temporary", b"soon gone"),
                ("scan/ab", b"ab"),
                ("scan/a\u{10ffff}", b"max"),
            ],
            "a key equal to the prefix is in; code point order",
        )
        .await;
        self.expect_scan("scan/A", &[("scan/A/1", b"upper")], "prefixes are case-sensitive").await;
        self.expect_scan(
            "scan/a\u{10ffff}",
            &[("scan/a\u{10ffff}", b"max")],
            "a prefix ending in char::MAX",
        )
        .await;
        self.expect_scan("scan/%", &[("scan/%_\\'\"/x", b"odd")], "`%` is not a wildcard").await;
        self.expect_scan("scan/%_", &[("scan/%_\\'\"/x", b"odd")], "`_` is not a wildcard").await;
        self.expect_scan("scan/_", &[], "`_` matches only itself").await;
        self.expect_scan("scan/%_\\'\"/", &[("scan/%_\\'\"/x", b"odd")], "quotes and backslashes")
            .await;
        self.expect_scan("scan/ünï", &[("scan/ünï/x", b"u")], "a non-ASCII prefix").await;
        self.expect_scan("scan/ü", &[("scan/ünï/x", b"u")], "a prefix ending mid-word").await;

        self.advance(31);
        self.expect_scan(
            "scan/a/",
            &[("scan/a/1", b"one"), ("scan/a/2", &every_byte), ("scan/a/3", b"")],
            "an expired entry is left out",
        )
        .await;

        let whole = self.scan(&self.prefix).await;
        assert!(
            whole.windows(2).all(|pair| pair[0].0 < pair[1].0),
            "a scan of the run's prefix is in strictly increasing key order"
        );
        assert!(
            whole.iter().all(|(key, _)| key.starts_with(&self.prefix)),
            "a scan returns only keys under its prefix"
        );
        assert!(
            whole.iter().any(|(key, _)| key.ends_with("scan/b")),
            "a scan of the run's prefix finds the run's keys"
        );
    }

    async fn cleanup(&self) {
        let keys = std::mem::take(&mut *self.keys.lock().unwrap_or_else(PoisonError::into_inner));
        for key in &keys {
            self.delete(key).await;
            self.expect(key, None, "the suite cleaned up after itself").await;
        }
        let left = self.scan(&self.prefix).await;
        assert!(left.is_empty(), "the suite left nothing under its prefix: {left:?}");
    }
}

/// A key prefix no other run of the suite uses, even against a shared table.
fn unique_prefix() -> String {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    format!("store-suite/{nanos:x}-{}-{run}/", std::process::id())
}
