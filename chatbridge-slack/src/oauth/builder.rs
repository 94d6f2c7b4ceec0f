//! [`SlackOAuthBuilder`]: how a [`SlackOAuth`] is configured.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use chatbridge_core::clock::{SharedClock, system_clock};
use chatbridge_core::store::SharedStore;
use chatbridge_core::{ConfigError, Platform, Secret};

use super::{DEFAULT_AUTHORIZE_URL, Inner, InstallationStore, SlackOAuth};
use crate::SlackClient;

/// Builds a [`SlackOAuth`].
#[must_use]
pub struct SlackOAuthBuilder {
    client_id: String,
    client_secret: Secret,
    store: SharedStore,
    scopes: Vec<String>,
    user_scopes: Vec<String>,
    redirect_uri: Option<String>,
    authorize_url: String,
    api_url: Option<String>,
    install_path: String,
    redirect_path: String,
    secure_cookie: Option<bool>,
    clock: Option<SharedClock>,
}

impl SlackOAuthBuilder {
    pub(super) fn new(client_id: String, client_secret: Secret, store: SharedStore) -> Self {
        Self {
            client_id,
            client_secret,
            store,
            scopes: Vec::new(),
            user_scopes: Vec::new(),
            redirect_uri: None,
            authorize_url: DEFAULT_AUTHORIZE_URL.to_owned(),
            api_url: None,
            install_path: "/slack/install".to_owned(),
            redirect_path: "/slack/oauth_redirect".to_owned(),
            secure_cookie: None,
            clock: None,
        }
    }

    /// The bot scopes to ask for (`chat:write`, `reactions:write`, …): none by default, and a
    /// link without them gives no bot token (the install page warns of it).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The user scopes to ask for (none by default).
    pub fn user_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.user_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The redirect URI, as configured for the app (default: the app's only one).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// Slack's authorize page (default [`DEFAULT_AUTHORIZE_URL`]).
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = url.into();
        self
    }

    /// The Web API base URL for `oauth.v2.access` and `auth.test` (default
    /// `https://slack.com/api/`).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The paths [`SlackOAuth::routes`] serves (default `/slack/install` and
    /// `/slack/oauth_redirect`).
    pub fn paths(mut self, install: impl Into<String>, redirect: impl Into<String>) -> Self {
        self.install_path = install.into();
        self.redirect_path = redirect.into();
        self
    }

    /// Whether the state cookie is `Secure` (HTTPS only). Default: yes, unless the redirect
    /// URI is plain `http://` (a local test).
    pub fn secure_cookie(mut self, secure: bool) -> Self {
        self.secure_cookie = Some(secure);
        self
    }

    /// The clock for state lifetimes and token expiry (default: the system's).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when the client id or secret is empty;
    /// [`ConfigError::Client`] when the HTTP client cannot be set up.
    pub fn build(self) -> Result<SlackOAuth, ConfigError> {
        if self.client_id.trim().is_empty() {
            return Err(ConfigError::Missing("SLACK_CLIENT_ID"));
        }
        if self.client_secret.expose_secret().trim().is_empty() {
            return Err(ConfigError::Missing("SLACK_CLIENT_SECRET"));
        }
        let mut api = SlackClient::builder();
        if let Some(url) = self.api_url {
            api = api.api_url(url);
        }
        let api = api
            .build()
            .map_err(|e| ConfigError::Client { platform: Platform::SLACK, source: Box::new(e) })?;
        let plain_http = self.redirect_uri.as_deref().is_some_and(|u| u.starts_with("http://"));
        Ok(SlackOAuth {
            inner: Arc::new(Inner {
                client_id: self.client_id,
                client_secret: self.client_secret,
                scopes: self.scopes,
                user_scopes: self.user_scopes,
                redirect_uri: self.redirect_uri,
                authorize_url: self.authorize_url,
                install_path: self.install_path,
                redirect_path: self.redirect_path,
                secure_cookie: self.secure_cookie.unwrap_or(!plain_http),
                installations: InstallationStore::new(self.store),
                clock: self.clock.unwrap_or_else(system_clock),
                api,
                flights: Mutex::new(HashMap::new()),
                warned_no_scopes: AtomicBool::new(false),
            }),
        })
    }
}

impl fmt::Debug for SlackOAuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackOAuthBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}
