//! [`DynamoStore`]'s prefix scan: a paginated `Scan` of the whole table.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use bytes::Bytes;

use super::{DynamoStore, EXPIRES_AT, PK, backend, parse_expiry, value_of};
use crate::StoreError;

impl DynamoStore {
    /// Every live item whose key starts with `prefix`, sorted by key. The table is keyed by
    /// `pk` alone, so this is a `Scan` (strongly consistent, every page) filtered on
    /// `begins_with(pk, :prefix)`: it reads, and is billed for, the whole table.
    pub(super) async fn scan_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, Bytes)>, StoreError> {
        let now = self.now();
        let mut found = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let mut request = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .set_exclusive_start_key(start.take());
            if !prefix.is_empty() {
                request = request
                    .filter_expression("begins_with(#pk, :prefix)")
                    .expression_attribute_names("#pk", PK)
                    .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()));
            }
            let page = request.send().await.map_err(backend)?;
            for mut item in page.items.unwrap_or_default() {
                let Some(AttributeValue::S(key)) = item.remove(PK) else {
                    return Err(StoreError::Corrupt(format!("attribute `{PK}` is not a string")));
                };
                // The filter already holds on the server; checked again for an empty prefix.
                if !key.starts_with(prefix) {
                    continue;
                }
                if let Some(expires_at) = item.get(EXPIRES_AT)
                    && parse_expiry(expires_at)? <= now
                {
                    continue;
                }
                found.push((key, value_of(&mut item)?));
            }
            match page.last_evaluated_key {
                Some(last) if !last.is_empty() => start = Some(last),
                _ => break,
            }
        }
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }
}
