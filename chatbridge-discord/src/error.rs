//! Errors of building an adapter from its configuration.

use chatbridge_core::BoxError;

/// Why a [`DiscordAdapter`](crate::DiscordAdapter) could not be built. Messages name a
/// setting or an environment variable, never its value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The public key is not 64 hex characters of a usable Ed25519 key.
    #[error("invalid discord public key: {0}")]
    PublicKey(&'static str),
    /// A required setting was not given.
    #[error("missing discord setting: {0}")]
    Missing(&'static str),
    /// An environment variable is set but unusable.
    #[error("invalid environment variable {name}: {reason}")]
    InvalidVar {
        /// The variable's name.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The API base URL does not parse.
    #[error("invalid discord api url")]
    ApiUrl,
    /// The HTTP client could not be built.
    #[error("discord http client could not be built")]
    Client(#[source] BoxError),
}
