//! [`ConfigBuilder`]: sources, refresh interval, clock and environment of a [`Config`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::source::{Spec, parse_specs};
use super::{Config, DEFAULT_REFRESH, RefreshHook, SecretSource, SecretsError};
use crate::clock::SharedClock;

/// Builds a [`Config`]. Sources are consulted in the order they were added.
///
/// ```
/// use std::time::Duration;
/// use chatbridge_core::config::Config;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let config = Config::builder()
///     .refresh_interval(Duration::from_secs(60))
///     .environment([("DISCORD_APPLICATION_ID", "1234")])
///     .load()
///     .await
///     .unwrap();
/// assert_eq!(config.lookup("DISCORD_APPLICATION_ID").as_deref(), Some("1234"));
/// # });
/// ```
#[must_use]
pub struct ConfigBuilder {
    entries: Vec<Entry>,
    refresh: Duration,
    clock: Option<SharedClock>,
    environment: Option<HashMap<String, String>>,
    on_refresh_error: Option<RefreshHook>,
    #[cfg(any(feature = "secrets-manager", feature = "ssm"))]
    aws: Option<aws_config::SdkConfig>,
}

enum Entry {
    Spec(Spec),
    Source(Arc<dyn SecretSource>),
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            refresh: DEFAULT_REFRESH,
            clock: None,
            environment: None,
            on_refresh_error: None,
            #[cfg(any(feature = "secrets-manager", feature = "ssm"))]
            aws: None,
        }
    }
}

impl ConfigBuilder {
    /// Adds a source.
    pub fn source(mut self, source: impl SecretSource) -> Self {
        self.entries.push(Entry::Source(Arc::new(source)));
        self
    }

    /// Adds the sources of a `CHATBRIDGE_SECRETS`-style list (`secretsmanager:my-bot-secrets,
    /// ssm:/my-bot/`); see [the module docs](super).
    ///
    /// # Errors
    ///
    /// [`SecretsError::Invalid`]: an entry cannot be understood.
    pub fn sources_from(mut self, list: &str) -> Result<Self, SecretsError> {
        self.entries.extend(parse_specs(list)?.into_iter().map(Entry::Spec));
        Ok(self)
    }

    /// How old cached values may get before they are read again (default five minutes).
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh = interval;
        self
    }

    /// The clock that ages cached values (tests pass a
    /// [`ManualClock`](crate::clock::ManualClock)).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Uses these variables instead of the process environment (for tests).
    pub fn environment<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.environment = Some(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect());
        self
    }

    /// Called with every failed refresh (the cached values stay in use). It must not block.
    pub fn on_refresh_error(
        mut self,
        hook: impl Fn(&SecretsError) + Send + Sync + 'static,
    ) -> Self {
        self.on_refresh_error = Some(Arc::new(hook));
        self
    }

    /// The AWS configuration that `secretsmanager:` and `ssm:` entries use (default: loaded
    /// from the environment, as the AWS SDK does).
    #[cfg(any(feature = "secrets-manager", feature = "ssm"))]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "secrets-manager", feature = "ssm"))))]
    pub fn aws_config(mut self, config: aws_config::SdkConfig) -> Self {
        self.aws = Some(config);
        self
    }

    /// Reads every source once and builds the configuration.
    ///
    /// # Errors
    ///
    /// An entry names a source this build has no feature for; a source cannot be read or is
    /// malformed. The error names the source (and key), never a value.
    pub async fn load(self) -> Result<Config, SecretsError> {
        let sources = self.resolve_sources().await?;
        let mut maps = Vec::with_capacity(sources.len());
        for source in &sources {
            maps.push(source.load().await?);
            tracing::info!(source = %source.describe(), "secrets loaded");
        }
        Ok(Config::from_parts(
            sources,
            maps,
            self.refresh,
            self.clock,
            self.environment,
            self.on_refresh_error,
        ))
    }

    /// Builds a configuration of the environment alone, without awaiting anything. Sources
    /// added to this builder are not used (a warning is logged): [`load`](Self::load) reads them.
    pub fn build(self) -> Config {
        if !self.entries.is_empty() {
            tracing::warn!("ConfigBuilder::build ignores secret sources: use load");
        }
        Config::from_parts(
            Vec::new(),
            Vec::new(),
            self.refresh,
            self.clock,
            self.environment,
            self.on_refresh_error,
        )
    }

    async fn resolve_sources(&self) -> Result<Vec<Arc<dyn SecretSource>>, SecretsError> {
        #[cfg(any(feature = "secrets-manager", feature = "ssm"))]
        let mut aws = self.aws.clone();
        let mut sources = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let source = match entry {
                Entry::Source(source) => Arc::clone(source),
                #[cfg(any(feature = "secrets-manager", feature = "ssm"))]
                Entry::Spec(spec) => {
                    let sdk = match &aws {
                        Some(sdk) => sdk.clone(),
                        None => {
                            let behavior = aws_config::BehaviorVersion::latest();
                            let loaded = aws_config::load_defaults(behavior).await;
                            aws = Some(loaded.clone());
                            loaded
                        }
                    };
                    super::aws::from_spec(spec, &sdk)?
                }
                #[cfg(not(any(feature = "secrets-manager", feature = "ssm")))]
                Entry::Spec(spec) => return Err(super::source::missing_feature(spec)),
            };
            sources.push(source);
        }
        Ok(sources)
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("sources", &self.entries.len())
            .field("refresh", &self.refresh)
            .finish_non_exhaustive()
    }
}
