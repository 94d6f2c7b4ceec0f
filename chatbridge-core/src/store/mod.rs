//! Stores: one small async key-value trait with time-to-live, behind installations, OAuth
//! `state` and event de-duplication.
//!
//! | backend | feature | for |
//! | --- | --- | --- |
//! | [`MemoryStore`] | — | tests, one process |

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::StoreError;

mod memory;

pub use memory::MemoryStore;

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
