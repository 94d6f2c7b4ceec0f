//! [`DynamoStoreBuilder`]: table, region, endpoint and credentials for a [`DynamoStore`].

use std::fmt;

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};

use super::DynamoStore;
use crate::clock::{SharedClock, system_clock};
use crate::{Secret, StoreError};

/// Builds a [`DynamoStore`]. What is not set comes from the environment the way every AWS SDK
/// reads it: `AWS_REGION`, `AWS_ENDPOINT_URL`, credentials from the environment, the profile
/// files, web identity, ECS or EC2 instance metadata (on Lambda, the function's role).
///
/// Profiles that need SSO or a credential process are not compiled in; for those, configure a
/// client yourself and use [`DynamoStore::from_client`].
///
/// ```no_run
/// use chatbridge_core::store::DynamoStore;
///
/// # async fn run() -> Result<(), chatbridge_core::StoreError> {
/// let store = DynamoStore::builder()
///     .table("my-bot")
///     .endpoint_url("http://127.0.0.1:8000")
///     .region("us-east-1")
///     .static_credentials("test", "test")
///     .build()
///     .await?;
/// # let _ = store; Ok(()) }
/// ```
#[derive(Default)]
#[must_use]
pub struct DynamoStoreBuilder {
    table: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    credentials: Option<(String, Secret)>,
    clock: Option<SharedClock>,
}

impl DynamoStoreBuilder {
    /// The table (default [`DynamoStore::DEFAULT_TABLE`]).
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// The AWS region, such as `eu-west-1` (default: from the environment).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Another endpoint than AWS's, such as a local DynamoDB-compatible server
    /// (`http://127.0.0.1:8000`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Fixed credentials instead of the environment's: for a local server, or keys kept in a
    /// secret manager. The secret key is never shown by `Debug`.
    pub fn static_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<Secret>,
    ) -> Self {
        self.credentials = Some((access_key_id.into(), secret_access_key.into()));
        self
    }

    /// Reads time (for expiry) from `clock` instead of the system clock.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Loads the AWS configuration and builds the store. Nothing is sent to DynamoDB yet.
    ///
    /// # Errors
    ///
    /// No region was set and none was found in the environment.
    pub async fn build(self) -> Result<DynamoStore, StoreError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = self.region {
            loader = loader.region(Region::new(region));
        }
        if let Some(url) = self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some((access_key_id, secret)) = self.credentials {
            let credentials =
                Credentials::new(access_key_id, secret.expose_secret(), None, None, "chatbridge");
            loader = loader.credentials_provider(credentials);
        }
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(StoreError::Backend(
                "no AWS region: set one on the builder or in AWS_REGION".into(),
            ));
        }
        let table = self.table.unwrap_or_else(|| DynamoStore::DEFAULT_TABLE.to_owned());
        let store = DynamoStore::from_client(Client::new(&config), table);
        Ok(store.with_clock(self.clock.unwrap_or_else(system_clock)))
    }
}

impl fmt::Debug for DynamoStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoStoreBuilder")
            .field("table", &self.table)
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("access_key_id", &self.credentials.as_ref().map(|(id, _)| id))
            .field("secret_access_key", &self.credentials.as_ref().map(|(_, secret)| secret))
            .finish_non_exhaustive()
    }
}
