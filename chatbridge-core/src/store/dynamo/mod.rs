//! [`DynamoStore`]: a store in a DynamoDB table (feature `dynamodb`), for bots on AWS Lambda and
//! any number of instances.
//!
//! See [`DynamoStore`] for the table's schema.

mod builder;
mod scan;
mod table;

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use bytes::Bytes;

pub use self::builder::DynamoStoreBuilder;
use super::Store;
use crate::StoreError;
use crate::clock::{SharedClock, system_clock};

/// The partition key attribute.
const PK: &str = "pk";
/// The value attribute.
const VALUE: &str = "v";
/// The expiry attribute (Unix seconds), the table's TTL attribute.
const EXPIRES_AT: &str = "expires_at";
/// The random token of the put-if-absent call that wrote the item.
const WRITE_TOKEN: &str = "w";

/// The condition of put-if-absent: no item, or an expired one.
const ABSENT_OR_EXPIRED: &str = "attribute_not_exists(#pk) OR #expires_at <= :now";

/// A store in a DynamoDB table: shared by every process and Lambda instance, with
/// put-if-absent as a conditional write.
///
/// Build one with [`DynamoStore::builder`] (credentials from the environment, as every AWS SDK
/// finds them) or from a client you configured with [`DynamoStore::from_client`].
///
/// # The table
///
/// | attribute | type | what |
/// | --- | --- | --- |
/// | `pk` | `S`, the partition (hash) key | the store key, such as `slack/installation/E1/T1` |
/// | `v` | `B` | the value; absent when the value is empty |
/// | `expires_at` | `N` | Unix seconds after which the entry is gone; absent for no expiry; the table's TTL attribute |
/// | `w` | `S` | a random token of the put-if-absent call that wrote the item (see below) |
///
/// One item per key, no sort key, no index. As the emojibot article keyed its token table by
/// Slack team id, installations here are keyed by enterprise and team inside `pk`.
/// [`create_table`](Self::create_table) creates such a table (on-demand billing) and turns its TTL on
/// for `expires_at`; in a deployment template, declare the same key schema and
/// `TimeToLiveSpecification { AttributeName: expires_at, Enabled: true }`.
///
/// DynamoDB deletes expired items lazily (typically within days), so reads also treat an item
/// whose `expires_at` has passed as absent, and put-if-absent may replace it. Reads are strongly
/// consistent. The IAM actions used are `dynamodb:GetItem`, `dynamodb:PutItem`,
/// `dynamodb:DeleteItem` and `dynamodb:Scan` (plus `CreateTable`, `DescribeTable`,
/// `DescribeTimeToLive` and `UpdateTimeToLive` for `create_table`).
///
/// [`scan`](Store::scan) is a `Scan` of the whole table filtered on `begins_with(pk, :prefix)`,
/// page after page, strongly consistent, sorted by key in the store: the table is keyed by `pk`
/// alone, so no index narrows it, and its cost (read capacity, time) grows with the whole
/// table, not with the matches. That suits an occasional scan (on start, or a periodic sweep),
/// not one per request.
///
/// Put-if-absent is a `PutItem` with the condition `attribute_not_exists(pk) OR expires_at <=
/// :now`. The SDK retries a call whose answer was lost; so that a retry of a write that had
/// landed does not report a loss, the item carries the call's token `w`, and a failed condition
/// check returns the item found (`ReturnValuesOnConditionCheckFailure`): if it holds this
/// call's token, this call won.
///
/// Keys are limited to 2048 bytes and an item to 400 KB by DynamoDB.
///
/// # Example
///
/// ```no_run
/// use std::sync::Arc;
/// use chatbridge_core::Bot;
/// use chatbridge_core::store::{DynamoStore, Store};
///
/// # async fn run() -> Result<(), chatbridge_core::StoreError> {
/// let store = DynamoStore::builder()
///     .table("chatbridge")
///     .region("eu-west-1")
///     // .endpoint_url("http://127.0.0.1:8000") // a local DynamoDB-compatible server
///     .build()
///     .await?;
/// store.create_table().await?; // once, or declare the table in your deployment template
/// store.put("greeting", "hello".into(), None).await?;
/// let bot = Bot::builder().store(Arc::new(store)).build();
/// # let _ = bot;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    clock: SharedClock,
}

impl DynamoStore {
    /// The table name a builder uses when given none.
    pub const DEFAULT_TABLE: &'static str = "chatbridge";

    /// A builder: table, region, endpoint and credentials, the rest from the environment.
    pub fn builder() -> DynamoStoreBuilder {
        DynamoStoreBuilder::default()
    }

    /// A store on `table` through an existing client (with your own region, credentials,
    /// retries, timeouts), on the system clock.
    ///
    /// ```no_run
    /// use chatbridge_core::store::DynamoStore;
    ///
    /// # async fn run() {
    /// let config = aws_config::load_from_env().await;
    /// let store = DynamoStore::from_client(aws_sdk_dynamodb::Client::new(&config), "chatbridge");
    /// # let _ = store; }
    /// ```
    pub fn from_client(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), clock: system_clock() }
    }

    /// Reads time (for expiry) from `clock` instead of the system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The table's name.
    #[must_use]
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The DynamoDB client.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn key(key: &str) -> AttributeValue {
        AttributeValue::S(key.to_owned())
    }

    fn now(&self) -> u64 {
        self.clock.unix_seconds()
    }

    /// An item for `put`: `expires_at` rounded up to the next second, so an entry never
    /// expires early.
    fn item(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Vec<(String, AttributeValue)> {
        let mut item = vec![(PK.to_owned(), Self::key(key))];
        if !value.is_empty() {
            item.push((VALUE.to_owned(), AttributeValue::B(Blob::new(value))));
        }
        // A time-to-live too large to add to the clock never expires.
        let expiry = ttl.and_then(|ttl| self.clock.now().checked_add(ttl));
        if let Some(at) = expiry.and_then(|at| at.duration_since(UNIX_EPOCH).ok()) {
            let secs = at.as_secs() + u64::from(at.subsec_nanos() > 0);
            item.push((EXPIRES_AT.to_owned(), AttributeValue::N(secs.to_string())));
        }
        item
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, Self::key(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        let Some(mut item) = out.item else { return Ok(None) };
        if let Some(expires_at) = item.get(EXPIRES_AT)
            && parse_expiry(expires_at)? <= self.now()
        {
            return Ok(None);
        }
        value_of(&mut item).map(Some)
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.item(key, value, ttl).into_iter().collect()))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let token = write_token();
        let mut item: HashMap<_, _> = self.item(key, value, ttl).into_iter().collect();
        item.insert(WRITE_TOKEN.to_owned(), AttributeValue::S(token.clone()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(ABSENT_OR_EXPIRED)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_values(":now", AttributeValue::N(self.now().to_string()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let error = match result {
            Ok(_) => return Ok(true),
            Err(error) => error,
        };
        match error.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                // The SDK retries a call whose answer was lost; if the first attempt had
                // landed, the item found is this call's own write.
                let own = written_by(failed.item(), &token);
                if own {
                    tracing::debug!(table = %self.table, "put_if_absent retry found its own write");
                }
                Ok(own)
            }
            _ => Err(backend(error)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(PK, Self::key(key))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    fn is_durable(&self) -> bool {
        true
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, StoreError> {
        self.scan_prefix(prefix).await
    }
}

impl fmt::Debug for DynamoStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.client.config();
        f.debug_struct("DynamoStore")
            .field("table", &self.table)
            .field("region", &config.region().map(ToString::to_string))
            .finish_non_exhaustive()
    }
}

/// The value an item holds: its `v` attribute, or empty when it has none.
fn value_of(item: &mut HashMap<String, AttributeValue>) -> Result<Bytes, StoreError> {
    match item.remove(VALUE) {
        None => Ok(Bytes::new()),
        Some(AttributeValue::B(blob)) => Ok(Bytes::from(blob.into_inner())),
        Some(_) => Err(StoreError::Corrupt(format!("attribute `{VALUE}` is not binary"))),
    }
}

fn parse_expiry(value: &AttributeValue) -> Result<u64, StoreError> {
    let secs = match value {
        // Written by someone else, a fraction or a negative number still means a time.
        AttributeValue::N(n) => n
            .parse::<u64>()
            .ok()
            .or_else(|| n.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f.max(0.0) as u64)),
        _ => None,
    };
    secs.ok_or_else(|| StoreError::Corrupt(format!("attribute `{EXPIRES_AT}` is not a number")))
}

/// Whether `item` (as a failed condition check returned it) was written with `token`.
fn written_by(item: Option<&HashMap<String, AttributeValue>>, token: &str) -> bool {
    item.and_then(|item| item.get(WRITE_TOKEN))
        .is_some_and(|w| matches!(w, AttributeValue::S(w) if w == token))
}

/// 128 bits no other call uses: 64 from a randomly keyed hasher, 64 from the clock.
fn write_token() -> String {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let random = RandomState::new().hash_one(CALLS.fetch_add(1, Ordering::Relaxed));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{random:016x}{:016x}", now.as_nanos() as u64)
}

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_tokens_differ() {
        let tokens: std::collections::HashSet<String> =
            (0..10_000).map(|_| write_token()).collect();
        assert_eq!(tokens.len(), 10_000);
        assert!(tokens.iter().all(|t| t.len() == 32));
    }

    #[test]
    fn a_retry_recognises_only_its_own_write() {
        let item: HashMap<String, AttributeValue> = [
            (PK.to_owned(), AttributeValue::S("k".into())),
            (WRITE_TOKEN.to_owned(), AttributeValue::S("abc".into())),
        ]
        .into_iter()
        .collect();
        assert!(written_by(Some(&item), "abc"));
        assert!(!written_by(Some(&item), "abd"));
        assert!(!written_by(None, "abc"));
        let plain: HashMap<String, AttributeValue> =
            [(PK.to_owned(), AttributeValue::S("k".into()))].into_iter().collect();
        assert!(!written_by(Some(&plain), "abc"), "an item from put has no token");
    }

    #[test]
    fn expiry_parses_whatever_a_number_holds() {
        assert_eq!(parse_expiry(&AttributeValue::N("1700000000".into())).ok(), Some(1_700_000_000));
        assert_eq!(
            parse_expiry(&AttributeValue::N("1700000000.9".into())).ok(),
            Some(1_700_000_000)
        );
        assert_eq!(parse_expiry(&AttributeValue::N("-5".into())).ok(), Some(0));
        assert!(parse_expiry(&AttributeValue::N("soon".into())).is_err());
        assert!(parse_expiry(&AttributeValue::S("1".into())).is_err());
    }
}
