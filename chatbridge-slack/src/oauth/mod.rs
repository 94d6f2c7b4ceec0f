//! Multi-workspace install with OAuth v2 (feature `oauth`): the install page, the redirect
//! that exchanges the code, installations kept in any store, per-workspace tokens, and token
//! rotation.
//!
//! - `GET /slack/install` serves an "Add to Slack" page and sets a state cookie; the state is
//!   256 bits from the operating system's generator, kept (hashed) in the store for
//!   [`STATE_TTL`] and usable once.
//! - `GET /slack/oauth_redirect` checks the state against the cookie (in constant time) and the
//!   store, exchanges the code with `oauth.v2.access` (client id and secret by HTTP Basic),
//!   saves the [`Installation`] and shows a success page. Denied, expired, replayed or unbound
//!   states and Slack's refusals get an error page (400 or 403) and store nothing.
//! - Installations are kept as Bolt keeps them: the workspace's bot (the latest install wins)
//!   and one record per installing user, so that each keeps their own user token.
//! - A [`SlackAdapter`](crate::SlackAdapter) built with [`oauth`](crate::SlackAdapterBuilder::oauth)
//!   finds each request's installation and answers with that workspace's bot token, and the
//!   requesting user's own user token when they installed the app; rotating tokens are
//!   refreshed within 5 minutes of expiry, once, however many requests need them.
//! - `app_uninstalled` removes the installation and every user's; `tokens_revoked` removes the
//!   tokens it names.
//!
//! The store holds tokens in clear: protect it like any credential store.
//!
//! ```no_run
//! use std::sync::Arc;
//! use chatbridge_core::{Bot, Router, store::{MemoryStore, SharedStore}};
//! use chatbridge_slack::{SlackAdapter, oauth::SlackOAuth};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let store: SharedStore = Arc::new(MemoryStore::new());
//! // SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SCOPES, SLACK_REDIRECT_URI, …
//! let oauth = SlackOAuth::from_env(Arc::clone(&store))?;
//! // SLACK_SIGNING_SECRET; SLACK_BOT_TOKEN is not needed.
//! let adapter = SlackAdapter::env_builder()?.oauth(&oauth).build()?;
//! let bot = oauth
//!     .routes(Bot::builder().store(store).mount("/slack/events", adapter))
//!     .handler(Router::new())
//!     .build();
//! chatbridge_core::host::server::serve(bot, "127.0.0.1:3000").await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chatbridge_core::clock::SharedClock;
use chatbridge_core::store::SharedStore;
use chatbridge_core::{BotBuilder, ConfigError, Secret, StoreError};

use crate::{ApiError, SlackClient};

mod builder;
mod flow;
mod installation;
mod pages;
mod requests;
mod rotation;
mod store;

pub use builder::SlackOAuthBuilder;
pub use flow::{InstallPage, OAuthRedirect};
pub use installation::Installation;
pub(crate) use requests::installation_for;
pub use store::InstallationStore;

/// Slack's authorize page.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://slack.com/oauth/v2/authorize";
/// How long an install link's state stays valid.
pub const STATE_TTL: Duration = Duration::from_secs(10 * 60);
/// The state cookie's name.
pub const STATE_COOKIE: &str = "slack-oauth-state";

/// Why an OAuth operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The store failed.
    #[error("installation store failed")]
    Store(#[source] StoreError),
    /// Slack refused or could not be reached.
    #[error("slack oauth call failed")]
    Api(#[source] ApiError),
    /// Another process is refreshing an expired token and did not finish in time.
    #[error("a token refresh by another process did not finish in time")]
    RefreshPending,
}

impl From<StoreError> for OAuthError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<ApiError> for OAuthError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// The app's OAuth configuration and state: credentials, scopes, the installation store and
/// the in-process refresh locks. Cheap to clone (one `Arc`). See the [module docs](self).
#[derive(Clone)]
pub struct SlackOAuth {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) scopes: Vec<String>,
    pub(crate) user_scopes: Vec<String>,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) authorize_url: String,
    pub(crate) install_path: String,
    pub(crate) redirect_path: String,
    pub(crate) secure_cookie: bool,
    pub(crate) installations: InstallationStore,
    pub(crate) clock: SharedClock,
    pub(crate) api: SlackClient,
    /// One async lock per installation key: in-process single flight for refreshes.
    pub(crate) flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Whether the warning about an install link without bot scopes was given.
    pub(crate) warned_no_scopes: AtomicBool,
}

impl SlackOAuth {
    /// Starts building the configuration for an app's client id and secret, keeping states and
    /// installations in `store`.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: Secret,
        store: SharedStore,
    ) -> SlackOAuthBuilder {
        SlackOAuthBuilder::new(client_id.into(), client_secret, store)
    }

    /// The configuration from the environment: `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET`
    /// (required); `SLACK_SCOPES` and `SLACK_USER_SCOPES` (comma-separated),
    /// `SLACK_REDIRECT_URI`, `SLACK_API_URL` and `SLACK_AUTHORIZE_URL` (optional).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] naming a required variable that is unset or empty;
    /// [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn from_env(store: SharedStore) -> Result<Self, ConfigError> {
        Self::from_lookup(store, |name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chatbridge_core::store::MemoryStore;
    /// use chatbridge_core::ConfigError;
    /// use chatbridge_slack::oauth::SlackOAuth;
    ///
    /// let store = Arc::new(MemoryStore::new());
    /// let err = SlackOAuth::from_lookup(store.clone(), |_| None).unwrap_err();
    /// assert!(matches!(err, ConfigError::Missing("SLACK_CLIENT_ID")));
    /// let oauth = SlackOAuth::from_lookup(store, |name| match name {
    ///     "SLACK_CLIENT_ID" => Some("123.456".into()),
    ///     "SLACK_CLIENT_SECRET" => Some("shh".into()),
    ///     "SLACK_SCOPES" => Some("chat:write, reactions:write".into()),
    ///     _ => None,
    /// })
    /// .unwrap();
    /// assert!(!format!("{oauth:?}").contains("shh"));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(
        store: SharedStore,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let var = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());
        let id = var("SLACK_CLIENT_ID").ok_or(ConfigError::Missing("SLACK_CLIENT_ID"))?;
        let secret =
            var("SLACK_CLIENT_SECRET").ok_or(ConfigError::Missing("SLACK_CLIENT_SECRET"))?;
        let mut builder = Self::builder(id.trim(), Secret::new(secret), store);
        let list = |v: String| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        if let Some(scopes) = var("SLACK_SCOPES") {
            builder = builder.scopes(list(scopes));
        }
        if let Some(scopes) = var("SLACK_USER_SCOPES") {
            builder = builder.user_scopes(list(scopes));
        }
        if let Some(uri) = var("SLACK_REDIRECT_URI") {
            builder = builder.redirect_uri(uri);
        }
        if let Some(url) = var("SLACK_API_URL") {
            builder = builder.api_url(url);
        }
        if let Some(url) = var("SLACK_AUTHORIZE_URL") {
            builder = builder.authorize_url(url);
        }
        builder.build()
    }

    /// The installations.
    #[must_use]
    pub fn installations(&self) -> &InstallationStore {
        &self.inner.installations
    }

    /// The install page endpoint (`GET`).
    ///
    /// An install link that asks for no bot scopes gives no bot token: the first time such a
    /// page is built, a warning is logged.
    #[must_use]
    pub fn install_page(&self) -> InstallPage {
        let inner = self.inner();
        if inner.scopes.is_empty() && !inner.warned_no_scopes.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the slack install link asks for no bot scopes: an install gives no bot token \
                 (set SLACK_SCOPES or SlackOAuthBuilder::scopes)"
            );
        }
        InstallPage::new(self.clone())
    }

    /// The redirect endpoint (`GET`) Slack sends the browser back to.
    #[must_use]
    pub fn redirect(&self) -> OAuthRedirect {
        OAuthRedirect::new(self.clone())
    }

    /// Routes the install page and the redirect at their paths (default `/slack/install` and
    /// `/slack/oauth_redirect`).
    pub fn routes(&self, builder: BotBuilder) -> BotBuilder {
        builder
            .route(self.inner.install_path.clone(), self.install_page())
            .route(self.inner.redirect_path.clone(), self.redirect())
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}

impl fmt::Debug for SlackOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("SlackOAuth")
            .field("client_id", &inner.client_id)
            .field("client_secret", &inner.client_secret)
            .field("scopes", &inner.scopes)
            .field("user_scopes", &inner.user_scopes)
            .field("redirect_uri", &inner.redirect_uri)
            .field("install_path", &inner.install_path)
            .field("redirect_path", &inner.redirect_path)
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// The in-process lock for one installation's refreshes.
    pub(crate) fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(flights.entry(key.to_owned()).or_default())
    }

    /// Forgets an installation's lock once nobody else holds or waits on it. Locks are only
    /// handed out under the map's mutex, so a count of two (the map's and `flight`) is final.
    pub(crate) fn land(&self, key: &str, flight: Arc<tokio::sync::Mutex<()>>) {
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        if Arc::strong_count(&flight) <= 2 {
            flights.remove(key);
        }
    }
}
