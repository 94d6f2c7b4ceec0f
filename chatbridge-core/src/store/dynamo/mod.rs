//! [`DynamoStore`]: a store in a DynamoDB table (feature `dynamodb`), for bots on AWS Lambda and
//! any number of instances.
//!
//! See [`DynamoStore`] for the table's schema.

mod builder;
mod table;

use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
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
///
/// One item per key, no sort key, no index. As the emojibot article keyed its token table by
/// Slack team id, installations here are keyed by enterprise and team inside `pk`.
/// [`create_table`](Self::create_table) creates such a table (on-demand billing) and turns its TTL on
/// for `expires_at`; in a deployment template, declare the same key schema and
/// `TimeToLiveSpecification { AttributeName: expires_at, Enabled: true }`.
///
/// DynamoDB deletes expired items lazily (typically within days), so reads also treat an item
/// whose `expires_at` has passed as absent, and put-if-absent may replace it. Reads are strongly
/// consistent. The IAM actions used are `dynamodb:GetItem`, `dynamodb:PutItem` and
/// `dynamodb:DeleteItem` (plus `CreateTable`, `DescribeTable`, `DescribeTimeToLive` and
/// `UpdateTimeToLive` for `create_table`).
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
        if let Some(expires_at) = item.get(EXPIRES_AT) {
            if parse_expiry(expires_at)? <= self.now() {
                return Ok(None);
            }
        }
        match item.remove(VALUE) {
            None => Ok(Some(Bytes::new())),
            Some(AttributeValue::B(blob)) => Ok(Some(Bytes::from(blob.into_inner()))),
            Some(_) => Err(StoreError::Corrupt(format!("attribute `{VALUE}` is not binary"))),
        }
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
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.item(key, value, ttl).into_iter().collect()))
            .condition_expression(ABSENT_OR_EXPIRED)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#expires_at", EXPIRES_AT)
            .expression_attribute_values(":now", AttributeValue::N(self.now().to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(backend(error)),
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

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}
