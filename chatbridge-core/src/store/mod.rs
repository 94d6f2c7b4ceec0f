//! Stores: one small async key-value trait with time-to-live, behind installations, OAuth
//! `state` and event de-duplication.
//!
//! | backend | feature | for | survives a restart | shared by processes |
//! | --- | --- | --- | --- | --- |
//! | [`MemoryStore`] | — | tests, one process | no | no |
//! | `SqliteStore` | `sqlite` | a bot on a local server (the embedded default) | yes | on one machine |
//! | `DynamoStore` | `dynamodb` | AWS Lambda, many instances | yes | yes |
//!
//! All of them pass the same suite, `testing::store_suite` (feature `testing`): get, put,
//! overwrite and delete, binary values, expiry read through an injectable
//! [`Clock`](crate::clock::Clock), and put-if-absent with exactly one winner among concurrent
//! callers. A value is opaque bytes; callers encode their own records (JSON, say) and namespace
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
}
