//! AWS sources: Secrets Manager (`secrets-manager` feature) and SSM Parameter Store (`ssm`).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::source::Spec;
use super::{SecretSource, SecretsError};
use crate::Secret;

/// The source an entry of `CHATBRIDGE_SECRETS` names, with clients from `sdk`.
pub(super) fn from_spec(
    spec: &Spec,
    sdk: &aws_config::SdkConfig,
) -> Result<Arc<dyn SecretSource>, SecretsError> {
    let _ = sdk;
    match spec {
        #[cfg(feature = "secrets-manager")]
        Spec::SecretsManager { id, key } => {
            let source = SecretsManagerSource::new(aws_sdk_secretsmanager::Client::new(sdk), id);
            Ok(Arc::new(match key {
                Some(key) => source.single(key),
                None => source,
            }))
        }
        #[cfg(feature = "ssm")]
        Spec::Ssm { path } => Ok(Arc::new(SsmSource::new(aws_sdk_ssm::Client::new(sdk), path))),
        #[allow(unreachable_patterns)]
        other => Err(super::source::missing_feature(other)),
    }
}

/// An AWS Secrets Manager secret: a JSON object whose keys are names
/// (`{"DISCORD_PUBLIC_KEY": "…", "DISCORD_BOT_TOKEN": "…"}`), or one plain value
/// ([`single`](Self::single)). Needs `secretsmanager:GetSecretValue` on the secret (and
/// `kms:Decrypt` when it is encrypted with a customer-managed key).
///
/// ```no_run
/// use chatbridge_core::config::{Config, SecretsManagerSource};
///
/// # async fn run() -> Result<(), chatbridge_core::config::SecretsError> {
/// let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let client = aws_sdk_secretsmanager::Client::new(&aws);
/// let config = Config::builder()
///     .source(SecretsManagerSource::new(client, "my-bot-secrets"))
///     .load()
///     .await?;
/// let token = config.require("DISCORD_BOT_TOKEN")?;
/// # let _ = token;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "secrets-manager")]
#[cfg_attr(docsrs, doc(cfg(feature = "secrets-manager")))]
#[derive(Debug, Clone)]
pub struct SecretsManagerSource {
    client: aws_sdk_secretsmanager::Client,
    id: String,
    key: Option<String>,
}

#[cfg(feature = "secrets-manager")]
impl SecretsManagerSource {
    /// The secret with this name or ARN, read with `client`.
    pub fn new(client: aws_sdk_secretsmanager::Client, secret_id: impl Into<String>) -> Self {
        Self { client, id: secret_id.into(), key: None }
    }

    /// Provides only `name`: the secret's whole string, or its key `name` when it holds a JSON
    /// object (which must then have that key).
    #[must_use]
    pub fn single(mut self, name: impl Into<String>) -> Self {
        self.key = Some(name.into());
        self
    }

    fn malformed(&self, reason: impl Into<String>) -> SecretsError {
        SecretsError::Malformed { origin: self.describe(), reason: reason.into() }
    }
}

#[cfg(feature = "secrets-manager")]
#[async_trait]
impl SecretSource for SecretsManagerSource {
    fn describe(&self) -> String {
        format!("Secrets Manager secret {}", self.id)
    }

    async fn load(&self) -> Result<HashMap<String, Secret>, SecretsError> {
        let output =
            self.client.get_secret_value().secret_id(&self.id).send().await.map_err(|error| {
                let reason = aws_sdk_secretsmanager::error::DisplayErrorContext(&error);
                SecretsError::Unavailable {
                    origin: self.describe(),
                    error: reason.to_string().into(),
                }
            })?;
        let Some(text) = output.secret_string() else {
            return Err(self.malformed("it holds binary data, not a string"));
        };
        // Never put serde's message in the error: it may quote part of the value.
        let object = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).ok();
        let Some(object) = object else {
            return match &self.key {
                Some(name) => Ok(HashMap::from([(name.clone(), Secret::new(text))])),
                None => Err(self.malformed("it is not a JSON object of names to string values")),
            };
        };
        let mut values = HashMap::with_capacity(object.len());
        for (name, value) in object {
            if self.key.as_ref().is_some_and(|key| *key != name) {
                continue;
            }
            // Numbers and booleans (an application id typed as a number) read as their JSON text.
            let value = match value {
                serde_json::Value::String(value) => value,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return Err(self.malformed(format!("the value of key {name} is not a string"))),
            };
            values.insert(name, Secret::new(value));
        }
        if let Some(key) = &self.key
            && values.is_empty()
        {
            return Err(self.malformed(format!("it has no key {key}")));
        }
        Ok(values)
    }
}

/// SSM Parameter Store: every parameter under a path (`/my-bot/`, named by the rest of its
/// name), or one parameter (`/my-bot/SLACK_BOT_TOKEN`, named by its last segment).
/// `SecureString` parameters are decrypted. Needs `ssm:GetParametersByPath` (a path) or
/// `ssm:GetParameter` (one parameter), and `kms:Decrypt` for a customer-managed key.
///
/// ```no_run
/// use chatbridge_core::config::{Config, SsmSource};
///
/// # async fn run() -> Result<(), chatbridge_core::config::SecretsError> {
/// let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let config = Config::builder()
///     .source(SsmSource::new(aws_sdk_ssm::Client::new(&aws), "/my-bot/"))
///     .load()
///     .await?;
/// let secret = config.require("SLACK_SIGNING_SECRET")?;
/// # let _ = secret;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "ssm")]
#[cfg_attr(docsrs, doc(cfg(feature = "ssm")))]
#[derive(Debug, Clone)]
pub struct SsmSource {
    client: aws_sdk_ssm::Client,
    path: String,
}

#[cfg(feature = "ssm")]
impl SsmSource {
    /// Parameters under `path` (ending in `/`), or the one parameter `path` names.
    pub fn new(client: aws_sdk_ssm::Client, path: impl Into<String>) -> Self {
        Self { client, path: path.into() }
    }

    fn unavailable(&self, error: impl std::fmt::Display) -> SecretsError {
        SecretsError::Unavailable { origin: self.describe(), error: error.to_string().into() }
    }

    async fn load_path(&self) -> Result<HashMap<String, Secret>, SecretsError> {
        use aws_sdk_ssm::error::DisplayErrorContext;
        let mut values = HashMap::new();
        let mut next = None;
        loop {
            let page = self
                .client
                .get_parameters_by_path()
                .path(self.path.trim_end_matches('/'))
                .with_decryption(true)
                .recursive(false)
                .set_next_token(next)
                .send()
                .await
                .map_err(|error| self.unavailable(DisplayErrorContext(&error)))?;
            for parameter in page.parameters() {
                let (Some(name), Some(value)) = (parameter.name(), parameter.value()) else {
                    continue;
                };
                let name = name.rsplit('/').next().unwrap_or(name);
                values.insert(name.to_owned(), Secret::new(value));
            }
            next = page.next_token().map(str::to_owned);
            if next.is_none() {
                break;
            }
        }
        if values.is_empty() {
            return Err(SecretsError::Malformed {
                origin: self.describe(),
                reason: "no parameters there (or no permission to list them)".into(),
            });
        }
        Ok(values)
    }
}

#[cfg(feature = "ssm")]
#[async_trait]
impl SecretSource for SsmSource {
    fn describe(&self) -> String {
        if self.path.ends_with('/') {
            format!("SSM parameters under {}", self.path)
        } else {
            format!("SSM parameter {}", self.path)
        }
    }

    async fn load(&self) -> Result<HashMap<String, Secret>, SecretsError> {
        if self.path.ends_with('/') {
            return self.load_path().await;
        }
        let output = self
            .client
            .get_parameter()
            .name(&self.path)
            .with_decryption(true)
            .send()
            .await
            .map_err(|error| self.unavailable(aws_sdk_ssm::error::DisplayErrorContext(&error)))?;
        let value = output.parameter().and_then(|p| p.value()).unwrap_or_default();
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        Ok(HashMap::from([(name.to_owned(), Secret::new(value))]))
    }
}
