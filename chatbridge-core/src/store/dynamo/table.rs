//! Creating the table a [`DynamoStore`] needs, for tests and first deploys.

use std::time::Duration;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};

use super::{DynamoStore, EXPIRES_AT, PK, backend};
use crate::StoreError;

/// How long `create_table` waits for a new table to become active.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(60);
const POLL_EVERY: Duration = Duration::from_millis(250);

impl DynamoStore {
    /// Creates the store's table if it does not exist (partition key `pk` of type string,
    /// on-demand billing), waits until it is active, and turns on its TTL for `expires_at`.
    /// Calling it again on an existing table changes nothing.
    ///
    /// Against a local server that does not implement TTL settings (such as dynalite), the TTL
    /// step is skipped with a warning: reads ignore expired items either way.
    ///
    /// Needs `dynamodb:CreateTable`, `DescribeTable`, `DescribeTimeToLive` and
    /// `UpdateTimeToLive`; a deployment template that declares the table does not need this.
    ///
    /// # Errors
    ///
    /// DynamoDB refused a call, or the table did not become active within 60 s.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let key = KeySchemaElement::builder()
            .attribute_name(PK)
            .key_type(KeyType::Hash)
            .build()
            .map_err(backend)?;
        let attribute = AttributeDefinition::builder()
            .attribute_name(PK)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(backend)?;
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .key_schema(key)
            .attribute_definitions(attribute)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        match created {
            Ok(_) => tracing::info!(table = %self.table, "created dynamodb store table"),
            Err(error)
                if error.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                tracing::debug!(table = %self.table, "dynamodb store table exists");
            }
            Err(error) => return Err(backend(error)),
        }
        self.wait_until_active().await?;
        self.enable_ttl().await
    }

    async fn wait_until_active(&self) -> Result<(), StoreError> {
        let deadline = tokio::time::Instant::now() + ACTIVE_TIMEOUT;
        loop {
            let out = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(backend)?;
            let status = out.table().and_then(|t| t.table_status());
            if status == Some(&TableStatus::Active) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(StoreError::Backend(
                    format!("table {} is not active after {ACTIVE_TIMEOUT:?}", self.table).into(),
                ));
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    async fn enable_ttl(&self) -> Result<(), StoreError> {
        let described = self.client.describe_time_to_live().table_name(&self.table).send().await;
        let on = described.map_err(backend)?.time_to_live_description.is_some_and(|d| {
            matches!(
                d.time_to_live_status(),
                Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            ) && d.attribute_name() == Some(EXPIRES_AT)
        });
        if on {
            return Ok(());
        }
        let spec = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(EXPIRES_AT)
            .build()
            .map_err(backend)?;
        let updated = self
            .client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(spec)
            .send()
            .await;
        match updated {
            Ok(_) => {
                tracing::info!(table = %self.table, "enabled dynamodb store table ttl");
                Ok(())
            }
            Err(error) if error.code() == Some("UnknownOperationException") => {
                tracing::warn!(table = %self.table, "server has no TTL settings; skipped");
                Ok(())
            }
            Err(error) => Err(backend(error)),
        }
    }
}
