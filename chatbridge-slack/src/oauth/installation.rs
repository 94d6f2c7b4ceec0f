//! [`Installation`]: one install of the app into a workspace (or an organisation), by one user,
//! and the store keys it lives under.

use std::time::Duration;

use chatbridge_core::Secret;
use serde::{Deserialize, Serialize};

use crate::BotIds;

/// The prefix of every installation key.
pub(crate) const KEY_PREFIX: &str = "slack/installation/";

/// One install of the app: into a workspace, or org-wide into an Enterprise Grid organisation,
/// by one user.
///
/// Found through an [`InstallationStore`](super::InstallationStore), it holds the workspace's
/// bot (the latest install's) and one user's user token: the installing user's of
/// [`find`](super::InstallationStore::find), or the requesting user's own in what a handler
/// sees.
///
/// `Debug` redacts the tokens. The JSON an [`InstallationStore`](super::InstallationStore)
/// writes holds them in clear: the store must be protected like any other credential store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Installation {
    /// The Enterprise Grid organisation, if any.
    pub enterprise_id: Option<String>,
    /// The organisation's name.
    pub enterprise_name: Option<String>,
    /// The workspace; `None` for an org-wide install.
    pub team_id: Option<String>,
    /// The workspace's name.
    pub team_name: Option<String>,
    /// Whether the app is installed for the whole organisation.
    pub is_enterprise_install: bool,
    /// The app's id (`A…`).
    pub app_id: Option<String>,
    /// The bot token (`xoxb-…`); `None` once revoked.
    #[serde(with = "opt_secret")]
    pub bot_token: Option<Secret>,
    /// The bot user's id (`U…`).
    pub bot_user_id: Option<String>,
    /// The bot's id (`B…`), from `auth.test` after the install.
    pub bot_id: Option<String>,
    /// The bot token's scopes.
    pub bot_scopes: Vec<String>,
    /// With token rotation: the single-use refresh token for the bot token.
    #[serde(with = "opt_secret")]
    pub bot_refresh_token: Option<Secret>,
    /// With token rotation: when the bot token expires, in Unix seconds.
    pub bot_token_expires_at: Option<u64>,
    /// The user who installed the app.
    pub user_id: Option<String>,
    /// The installing user's token (`xoxp-…`), when user scopes were asked for.
    #[serde(with = "opt_secret")]
    pub user_token: Option<Secret>,
    /// The user token's scopes.
    pub user_scopes: Vec<String>,
    /// With token rotation: the user token's refresh token.
    #[serde(with = "opt_secret")]
    pub user_refresh_token: Option<Secret>,
    /// With token rotation: when the user token expires, in Unix seconds.
    pub user_token_expires_at: Option<u64>,
    /// When the app was installed, in Unix seconds.
    pub installed_at: u64,
}

impl Installation {
    /// An installation for a workspace (or, with `team_id` `None`, an organisation).
    #[must_use]
    pub fn new(enterprise_id: Option<String>, team_id: Option<String>) -> Self {
        let is_enterprise_install = team_id.is_none() && enterprise_id.is_some();
        Self { enterprise_id, team_id, is_enterprise_install, ..Self::default() }
    }

    /// The bot's ids in this installation, for the self-message filter.
    #[must_use]
    pub fn bot_ids(&self) -> BotIds {
        let mut ids = BotIds::new();
        ids.user_id.clone_from(&self.bot_user_id);
        ids.bot_id.clone_from(&self.bot_id);
        ids.app_id.clone_from(&self.app_id);
        ids
    }

    /// The key of the workspace's record (its bot): `slack/installation/{enterprise or -}/{team
    /// or -}`; an org-wide install has no team part.
    #[must_use]
    pub fn key(&self) -> String {
        let team = if self.is_enterprise_install { None } else { self.team_id.as_deref() };
        key(self.enterprise_id.as_deref(), team)
    }

    /// The key of the installing user's own record (their user token):
    /// `{key}/user/{user}`. `None` without a user.
    #[must_use]
    pub fn user_key(&self) -> Option<String> {
        Some(user_key(&self.key(), self.user_id.as_deref()?))
    }

    /// Whether it holds a bot or a user token.
    pub(crate) fn has_token(&self) -> bool {
        self.bot_token.is_some() || self.user_token.is_some()
    }

    /// Forgets the bot token, its refresh token and its expiry.
    pub(crate) fn clear_bot_token(&mut self) {
        self.bot_token = None;
        self.bot_refresh_token = None;
        self.bot_token_expires_at = None;
    }

    /// Forgets the user token, its refresh token and its expiry.
    pub(crate) fn clear_user_token(&mut self) {
        self.user_token = None;
        self.user_refresh_token = None;
        self.user_token_expires_at = None;
    }

    /// Takes the user, their token and its scopes from `other` (`None`: no user at all).
    pub(crate) fn set_user(&mut self, other: Option<&Self>) {
        let other = other.cloned().unwrap_or_default();
        self.user_id = other.user_id;
        self.user_token = other.user_token;
        self.user_scopes = other.user_scopes;
        self.user_refresh_token = other.user_refresh_token;
        self.user_token_expires_at = other.user_token_expires_at;
    }
}

/// The key for an enterprise and team; ids are percent-encoded outside `[A-Za-z0-9_]`.
pub(crate) fn key(enterprise: Option<&str>, team: Option<&str>) -> String {
    format!("{KEY_PREFIX}{}/{}", part(enterprise), part(team))
}

/// The key of a user's record under a workspace's key.
pub(crate) fn user_key(workspace: &str, user: &str) -> String {
    format!("{workspace}/user/{}", part(Some(user)))
}

fn part(id: Option<&str>) -> String {
    match id.filter(|id| !id.is_empty()) {
        None => "-".to_owned(),
        Some(id) => id
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect(),
    }
}

/// A `Secret` has no `Serialize` on purpose: installations opt in, field by field.
mod opt_secret {
    use chatbridge_core::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<Secret>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(secret) => serializer.serialize_some(secret.expose_secret()),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Secret>, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map(Secret::new))
    }
}

/// How long before expiry a rotating token is refreshed.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
