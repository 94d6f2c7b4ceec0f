//! [`ConfigError`]: why an adapter could not be configured.

/// Why a [`SlackAdapter`](crate::SlackAdapter) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is unset or empty. Names the variable, never a value.
    #[error("environment variable {0} is not set")]
    MissingVar(&'static str),
    /// The signing secret is empty: every request signed with an empty key would pass.
    #[error("the signing secret is empty")]
    EmptySigningSecret,
    /// The HTTP client could not be set up.
    #[error("the slack web api client could not be set up")]
    Client(#[source] chatbridge_core::BoxError),
}
