//! Where secrets come from: the [`SecretSource`] trait, its errors, and the `CHATBRIDGE_SECRETS`
//! syntax.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::{BoxError, Secret};

/// A place that holds credentials by name: a Secrets Manager secret, a Parameter Store path.
///
/// A source is read whole, once at start-up and again when its values are older than the
/// refresh interval, so that every lookup after the first is a map read.
///
/// ```
/// use std::collections::HashMap;
/// use chatbridge_core::Secret;
/// use chatbridge_core::config::{SecretsError, SecretSource};
///
/// #[derive(Debug)]
/// struct Vault;
///
/// #[async_trait::async_trait]
/// impl SecretSource for Vault {
///     fn describe(&self) -> String {
///         "the vault".into()
///     }
///     async fn load(&self) -> Result<HashMap<String, Secret>, SecretsError> {
///         Ok(HashMap::from([("SLACK_SIGNING_SECRET".into(), Secret::new("8f74…"))]))
///     }
/// }
/// ```
#[async_trait]
pub trait SecretSource: Send + Sync + std::fmt::Debug + 'static {
    /// What the source is, for errors and logs (`Secrets Manager secret my-bot-secrets`);
    /// never a value.
    fn describe(&self) -> String;

    /// Reads every value the source holds, by name.
    ///
    /// # Errors
    ///
    /// [`SecretsError::Unavailable`] when the source cannot be read (it does not exist, no
    /// permission, no network); [`SecretsError::Malformed`] when what it holds is not a set of
    /// named values. Neither quotes a value.
    async fn load(&self) -> Result<HashMap<String, Secret>, SecretsError>;
}

/// Configuration that cannot be had. Messages name the secret, the key and the source, never a
/// value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// A required name is in no source.
    #[error("{name} is not set (looked in {looked_in})")]
    Missing {
        /// The name asked for (`SLACK_SIGNING_SECRET`).
        name: String,
        /// Where it was looked for, in order.
        looked_in: String,
    },
    /// A source could not be read.
    #[error("{origin} could not be read")]
    Unavailable {
        /// The source ([`SecretSource::describe`]).
        origin: String,
        /// Why (the service's error code and message).
        #[source]
        error: BoxError,
    },
    /// A source holds something that is not a set of named values.
    #[error("{origin} is malformed: {reason}")]
    Malformed {
        /// The source ([`SecretSource::describe`]).
        origin: String,
        /// What is wrong with it (never the value).
        reason: String,
    },
    /// `CHATBRIDGE_SECRETS` (or `CHATBRIDGE_SECRETS_REFRESH`) cannot be understood, or names a
    /// source this build has no feature for.
    #[error("invalid secrets configuration: {0}")]
    Invalid(String),
}

/// One entry of `CHATBRIDGE_SECRETS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Spec {
    /// `secretsmanager:<id or ARN>`: a secret holding a JSON object, one key per name.
    /// `secretsmanager:<id>#NAME`: a secret whose whole string is `NAME`'s value (or, when it is
    /// a JSON object, only its key `NAME`).
    SecretsManager { id: String, key: Option<String> },
    /// `ssm:/path/`: every parameter under the path, named by the rest of its name.
    /// `ssm:/path/NAME`: that one parameter, named by its last segment.
    Ssm { path: String },
}

/// Parses `CHATBRIDGE_SECRETS`: comma-separated entries, first match wins.
pub(crate) fn parse_specs(text: &str) -> Result<Vec<Spec>, SecretsError> {
    text.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let invalid = |why: &str| SecretsError::Invalid(format!("`{entry}`: {why}"));
            let (scheme, rest) = entry
                .split_once(':')
                .ok_or_else(|| invalid("expected `secretsmanager:` or `ssm:`"))?;
            match scheme.to_ascii_lowercase().as_str() {
                "secretsmanager" => {
                    let (id, key) = match rest.rsplit_once('#') {
                        Some((id, key)) if !key.is_empty() => (id, Some(key.to_owned())),
                        _ => (rest, None),
                    };
                    if id.is_empty() {
                        return Err(invalid("no secret id"));
                    }
                    Ok(Spec::SecretsManager { id: id.to_owned(), key })
                }
                "ssm" => {
                    if !rest.starts_with('/') || rest.len() < 2 {
                        return Err(invalid("an SSM path starts with `/` (`ssm:/my-bot/`)"));
                    }
                    Ok(Spec::Ssm { path: rest.to_owned() })
                }
                _ => Err(invalid("expected `secretsmanager:` or `ssm:`")),
            }
        })
        .collect()
}

/// The error for an entry whose feature this build lacks.
#[cfg_attr(all(feature = "secrets-manager", feature = "ssm"), allow(dead_code))]
pub(crate) fn missing_feature(spec: &Spec) -> SecretsError {
    let (entry, feature) = match spec {
        Spec::SecretsManager { .. } => ("secretsmanager:", "secrets-manager"),
        Spec::Ssm { .. } => ("ssm:", "ssm"),
    };
    SecretsError::Invalid(format!(
        "`{entry}` entries need chatbridge-core's `{feature}` feature, which this build lacks"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        let specs = parse_specs(
            "secretsmanager:my-bot-secrets, ssm:/my-bot/ ,secretsmanager:arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf#DISCORD_BOT_TOKEN",
        )
        .unwrap();
        assert_eq!(
            specs,
            [
                Spec::SecretsManager { id: "my-bot-secrets".into(), key: None },
                Spec::Ssm { path: "/my-bot/".into() },
                Spec::SecretsManager {
                    id: "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf".into(),
                    key: Some("DISCORD_BOT_TOKEN".into())
                },
            ]
        );
        assert!(parse_specs("").unwrap().is_empty());
        for bad in ["vault:x", "secretsmanager:", "ssm:my-bot", "nothing"] {
            let err = parse_specs(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }
}
