//! Configuration and credentials: from the environment by default, or from AWS Secrets Manager
//! and SSM Parameter Store by configuration alone.
//!
//! [`Config::from_env`] reads `CHATBRIDGE_SECRETS`, a comma-separated list of sources:
//!
//! | entry | reads | feature |
//! | --- | --- | --- |
//! | `secretsmanager:my-bot-secrets` | the secret's JSON object: `SLACK_SIGNING_SECRET` is its key of that name | `secrets-manager` |
//! | `secretsmanager:my-token#DISCORD_BOT_TOKEN` | a secret holding one plain value, under that name | `secrets-manager` |
//! | `ssm:/my-bot/` | every parameter under the path: `/my-bot/SLACK_BOT_TOKEN` is `SLACK_BOT_TOKEN` (decrypted) | `ssm` |
//! | `ssm:/my-bot/SLACK_BOT_TOKEN` | that one parameter | `ssm` |
//!
//! **Precedence**: a name is looked up in the sources in the order listed (the first that has
//! it wins), then in the process environment. So the credentials live in the secret, and
//! settings that are not secret (`SLACK_API_URL`, `DISCORD_APPLICATION_ID`) can stay in plain
//! environment variables. An empty value counts as unset.
//!
//! Sources are read once, when the configuration loads (a cold start on Lambda): a secret that
//! does not exist or is malformed fails start-up with an error naming it. Values older than the
//! refresh interval (`CHATBRIDGE_SECRETS_REFRESH` seconds, default 300) are read again on next
//! use, so a rotated secret is picked up; a failed refresh keeps serving the values it had,
//! logs a warning and calls [`ConfigBuilder::on_refresh_error`].
//!
//! Adapters take their credentials through a lookup function:
//!
//! ```no_run
//! use chatbridge_core::config::Config;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_env().await?;
//! let signing_secret = config.require("SLACK_SIGNING_SECRET")?; // a `Secret`
//! // Adapters with a `from_lookup` constructor:
//! // let slack = SlackAdapter::from_lookup(|name| config.lookup(name))?;
//! # let _ = signing_secret;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use crate::Secret;
use crate::clock::{SharedClock, system_clock};

#[cfg(any(feature = "secrets-manager", feature = "ssm"))]
mod aws;
mod builder;
mod source;

#[cfg(any(feature = "secrets-manager", feature = "ssm"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "secrets-manager", feature = "ssm"))))]
pub use aws::*;
pub use builder::ConfigBuilder;
pub use source::{SecretSource, SecretsError};

/// The environment variable that lists the secret sources.
pub const SECRETS_VAR: &str = "CHATBRIDGE_SECRETS";
/// The environment variable with the refresh interval, in seconds.
pub const REFRESH_VAR: &str = "CHATBRIDGE_SECRETS_REFRESH";
/// The default refresh interval: five minutes.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(300);

/// Called with a refresh that failed (the cached values stay in use).
pub(crate) type RefreshHook = Arc<dyn Fn(&SecretsError) + Send + Sync>;

/// Configuration values by name, from secret sources and then the environment. Cheap to clone
/// (one `Arc`); clones share the cache.
///
/// ```
/// use chatbridge_core::config::Config;
///
/// let config = Config::builder().environment([("SLACK_API_URL", "http://127.0.0.1:9")]).build();
/// assert_eq!(config.lookup("SLACK_API_URL").as_deref(), Some("http://127.0.0.1:9"));
/// let err = config.require("SLACK_SIGNING_SECRET").unwrap_err();
/// assert_eq!(err.to_string(), "SLACK_SIGNING_SECRET is not set (looked in the environment)");
/// ```
#[derive(Clone)]
pub struct Config {
    inner: Arc<Inner>,
}

struct Inner {
    sources: Vec<Arc<dyn SecretSource>>,
    /// One map per source, in order; replaced whole by a successful refresh of that source.
    values: RwLock<Cached>,
    refresh: Duration,
    clock: SharedClock,
    environment: Option<HashMap<String, String>>,
    on_refresh_error: Option<RefreshHook>,
    refreshing: AtomicBool,
    refresh_lock: tokio::sync::Mutex<()>,
}

struct Cached {
    maps: Vec<HashMap<String, Secret>>,
    read_at: SystemTime,
}

impl Config {
    /// The process environment only: what adapters' `from_env` constructors read.
    #[must_use]
    pub fn env() -> Self {
        Self::builder().build()
    }

    /// Reads `CHATBRIDGE_SECRETS` and `CHATBRIDGE_SECRETS_REFRESH`, then every source they
    /// name, once. AWS credentials and region come from the usual AWS environment (the Lambda
    /// role, `AWS_REGION`, `AWS_ENDPOINT_URL`…).
    ///
    /// # Errors
    ///
    /// The variables cannot be understood or name a source this build has no feature for; a
    /// source cannot be read or is malformed (the error names it, never a value).
    pub async fn from_env() -> Result<Self, SecretsError> {
        let mut builder = Self::builder();
        if let Ok(specs) = std::env::var(SECRETS_VAR) {
            builder = builder.sources_from(&specs)?;
        }
        if let Ok(secs) = std::env::var(REFRESH_VAR) {
            let secs: u64 = secs.trim().parse().map_err(|_| {
                SecretsError::Invalid(format!("{REFRESH_VAR} is not a number of seconds"))
            })?;
            builder = builder.refresh_interval(Duration::from_secs(secs));
        }
        builder.load().await
    }

    /// Starts building a configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The value of `name`: from the first source that has it, else from the environment.
    /// `None` when unset or empty.
    ///
    /// Does not wait: when the cached values are older than the refresh interval, a refresh
    /// starts in the background (inside a Tokio runtime) and the cached value is returned;
    /// [`get_fresh`](Self::get_fresh) waits for it instead.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Secret> {
        if self.is_stale() {
            self.refresh_in_background();
        }
        self.cached(name)
    }

    /// Like [`get`](Self::get), but a stale cache is refreshed first (once, whoever asks).
    pub async fn get_fresh(&self, name: &str) -> Option<Secret> {
        if self.is_stale() {
            let _ = self.refresh_if_stale().await;
        }
        self.cached(name)
    }

    /// The value of `name`, which must be set.
    ///
    /// # Errors
    ///
    /// [`SecretsError::Missing`], naming `name` and every place it was looked for.
    pub fn require(&self, name: &str) -> Result<Secret, SecretsError> {
        self.get(name).ok_or_else(|| SecretsError::Missing {
            name: name.to_owned(),
            looked_in: self.looked_in(),
        })
    }

    /// The value of `name` as a plain string: for `from_lookup(|name| config.lookup(name))`
    /// constructors, which wrap secrets themselves.
    #[must_use]
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).map(|secret| secret.expose_secret().to_owned())
    }

    /// Reads every source again now. A source that fails keeps its cached values.
    ///
    /// # Errors
    ///
    /// The first source that failed (the others were refreshed all the same).
    pub async fn refresh(&self) -> Result<(), SecretsError> {
        let _one_at_a_time = self.inner.refresh_lock.lock().await;
        self.reload().await
    }

    fn cached(&self, name: &str) -> Option<Secret> {
        let from_sources = {
            let cached = self.inner.values.read().unwrap_or_else(PoisonError::into_inner);
            cached.maps.iter().find_map(|map| map.get(name).cloned())
        };
        from_sources.or_else(|| self.env_var(name)).filter(|secret| !secret.is_empty())
    }

    fn env_var(&self, name: &str) -> Option<Secret> {
        match &self.inner.environment {
            Some(map) => map.get(name).map(|v| Secret::new(v.as_str())),
            None => std::env::var(name).ok().map(Secret::new),
        }
    }

    fn looked_in(&self) -> String {
        let mut places: Vec<String> = self.inner.sources.iter().map(|s| s.describe()).collect();
        places.push("the environment".to_owned());
        places.join(", then ")
    }

    fn is_stale(&self) -> bool {
        if self.inner.sources.is_empty() {
            return false;
        }
        let read_at = self.inner.values.read().unwrap_or_else(PoisonError::into_inner).read_at;
        let age = self.inner.clock.now().duration_since(read_at).unwrap_or(Duration::ZERO);
        age >= self.inner.refresh
    }

    fn refresh_in_background(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if self.inner.refreshing.swap(true, Ordering::SeqCst) {
            return;
        }
        let config = self.clone();
        runtime.spawn(async move {
            let _ = config.refresh_if_stale().await;
            config.inner.refreshing.store(false, Ordering::SeqCst);
        });
    }

    async fn refresh_if_stale(&self) -> Result<(), SecretsError> {
        let _one_at_a_time = self.inner.refresh_lock.lock().await;
        if !self.is_stale() {
            return Ok(()); // someone else refreshed while we waited
        }
        self.reload().await
    }

    /// Reads every source; keeps the old map of any that fails. The caller holds the lock.
    async fn reload(&self) -> Result<(), SecretsError> {
        let mut first_error = None;
        let mut maps = Vec::with_capacity(self.inner.sources.len());
        for source in &self.inner.sources {
            match source.load().await {
                Ok(map) => maps.push(Some(map)),
                Err(error) => {
                    let reason = std::error::Error::source(&error).map(ToString::to_string);
                    tracing::warn!(
                        source = %source.describe(),
                        %error,
                        reason = reason.as_deref().unwrap_or(""),
                        "secret refresh failed; keeping the cached values"
                    );
                    if let Some(hook) = &self.inner.on_refresh_error {
                        hook(&error);
                    }
                    first_error.get_or_insert(error);
                    maps.push(None);
                }
            }
        }
        let mut cached = self.inner.values.write().unwrap_or_else(PoisonError::into_inner);
        for (slot, map) in cached.maps.iter_mut().zip(maps) {
            if let Some(map) = map {
                *slot = map;
            }
        }
        // A failed refresh is retried after another interval, not on every lookup.
        cached.read_at = self.inner.clock.now();
        drop(cached);
        match first_error {
            None => {
                tracing::debug!("secrets refreshed");
                Ok(())
            }
            Some(error) => Err(error),
        }
    }

    pub(crate) fn from_parts(
        sources: Vec<Arc<dyn SecretSource>>,
        maps: Vec<HashMap<String, Secret>>,
        refresh: Duration,
        clock: Option<SharedClock>,
        environment: Option<HashMap<String, String>>,
        on_refresh_error: Option<RefreshHook>,
    ) -> Self {
        let clock = clock.unwrap_or_else(system_clock);
        let read_at = clock.now();
        Self {
            inner: Arc::new(Inner {
                sources,
                values: RwLock::new(Cached { maps, read_at }),
                refresh,
                clock,
                environment,
                on_refresh_error,
                refreshing: AtomicBool::new(false),
                refresh_lock: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names of sources only: no value, not even a key list.
        f.debug_struct("Config")
            .field("sources", &self.inner.sources.iter().map(|s| s.describe()).collect::<Vec<_>>())
            .field("refresh", &self.inner.refresh)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
