//! Stores: one small async key-value trait with time-to-live, behind installations, OAuth
//! `state` and event de-duplication.
//!
//! | backend | feature | for | survives a restart | shared by processes |
//! | --- | --- | --- | --- | --- |
//! | [`MemoryStore`] | — | tests, one process | no | no |
//! | `SqliteStore` | `sqlite` | a bot on a local server (the embedded default) | yes | on one machine |
//! | `PostgresStore` | `postgres` | servers on several machines | yes | yes |
//! | `DynamoStore` | `dynamodb` | AWS Lambda, many instances | yes | yes |
//!
//! All of them pass the same suite, `testing::store_suite` (feature `testing`): get, put,
//! overwrite and delete, binary values, expiry read through an injectable
//! [`Clock`](crate::clock::Clock), put-if-absent with exactly one winner among concurrent
//! callers, and prefix scans. A value is opaque bytes; callers encode their own records (JSON, say) and namespace
//! their keys (`dedup/slack/Ev123`, `slack/installation/E1/T1`).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use chatbridge_core::store::{MemoryStore, SharedStore};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store: SharedStore = Arc::new(MemoryStore::new());
//! let ttl = Some(Duration::from_secs(600));
//! assert!(store.put_if_absent("oauth/state/abc", "nonce".into(), ttl).await?); // first use
//! assert!(!store.put_if_absent("oauth/state/abc", "nonce".into(), ttl).await?); // a replay
//! # Ok::<_, chatbridge_core::StoreError>(()) }).unwrap();
//! ```

#[cfg(feature = "dynamodb")]
mod dynamo;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::StoreError;

#[cfg(feature = "dynamodb")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamodb")))]
pub use dynamo::{DynamoStore, DynamoStoreBuilder};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{PostgresStore, PostgresStoreBuilder};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteStore;

/// A shared store handle.
pub type SharedStore = Arc<dyn Store>;

/// A key-value store with time-to-live. Keys are short strings namespaced by their users
/// (`dedup/slack/Ev123`, `slack/installation/E1/T1`).
///
/// Every backend passes the same test suite ([`testing::store_suite`](crate::testing)).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The value under `key`, unless absent or expired.
    ///
    /// # Errors
    ///
    /// The backend failed.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError>;

    /// Sets `key` to `value`, replacing what was there; it expires after `ttl` if given.
    ///
    /// # Errors
    ///
    /// The backend failed.
    async fn put(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), StoreError>;

    /// Sets `key` only if it is absent (or expired). Returns whether this call set it: of many
    /// concurrent calls with one key, exactly one wins.
    ///
    /// # Errors
    ///
    /// The backend failed.
    async fn put_if_absent(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError>;

    /// Removes `key`; removing an absent key is not an error.
    ///
    /// # Errors
    ///
    /// The backend failed.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Every live (unexpired) entry whose key starts with `prefix`, with its value, in key order
    /// (by Unicode code point, which is the byte order of the UTF-8 keys). An empty prefix
    /// matches every key.
    ///
    /// All matches come back at once, with no cap: scan prefixes under which a bounded number
    /// of entries live (work in progress, say), not a whole table. What a scan costs depends on
    /// the backend: an index range on SQLite and Postgres, every entry in memory, and on
    /// DynamoDB a `Scan` that reads the whole table (see each backend's docs). Entries written
    /// while a DynamoDB scan runs may or may not be in its answer; the other backends answer
    /// from one snapshot.
    ///
    /// # Errors
    ///
    /// The backend failed, or a matching value could not be read.
    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, StoreError>;

    /// Whether what is written survives the process (a file, a database): a bot turns its
    /// durable [inbox](crate::inbox) on by default only then. Defaults to `false`.
    fn is_durable(&self) -> bool {
        false
    }
}

/// The least string greater than every string that starts with `prefix`, or `None` when no
/// string is (an empty prefix, or one of only `char::MAX`): the exclusive upper bound of a
/// prefix scan over keys in code point order.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres", test)), allow(dead_code))]
fn prefix_end(prefix: &str) -> Option<String> {
    let mut end = prefix.to_owned();
    while let Some(last) = end.pop() {
        // The next scalar value after `last`, skipping the surrogate range.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            end.push(next);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_at_its_last_character_plus_one() {
        assert_eq!(prefix_end("inbox/").as_deref(), Some("inbox0"));
        assert_eq!(prefix_end("a%").as_deref(), Some("a&"));
        assert_eq!(prefix_end("\u{d7ff}").as_deref(), Some("\u{e000}"), "surrogates are skipped");
        assert_eq!(prefix_end("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10ffff}\u{10ffff}"), None);
        assert_eq!(prefix_end(""), None);
    }

    #[test]
    fn every_key_with_the_prefix_sorts_below_the_end() {
        for prefix in ["a", "a\u{10ffff}", "\u{7f}", "\u{ff}", "é"] {
            let end = prefix_end(prefix).expect("an end");
            for tail in ["", "\u{0}", "zz", "\u{10ffff}\u{10ffff}"] {
                let key = format!("{prefix}{tail}");
                assert!(key.as_str() < end.as_str(), "{key:?} < {end:?}");
                assert!(key.as_bytes() < end.as_bytes(), "byte order agrees");
            }
        }
    }
}
