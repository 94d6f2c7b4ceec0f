//! [`Installation`]: one workspace's (or organisation's) install of the app, and
//! [`InstallationStore`], which keeps installations in any [`Store`](chatbridge_core::store::Store).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::store::SharedStore;
use chatbridge_core::{Secret, StoreError};
use serde::{Deserialize, Serialize};

use crate::BotIds;

/// The prefix of every installation key.
pub(crate) const KEY_PREFIX: &str = "slack/installation/";

/// One install of the app: into a workspace, or org-wide into an Enterprise Grid organisation.
///
/// `Debug` redacts the tokens. The JSON an [`InstallationStore`] writes holds them in clear:
/// the store must be protected like any other credential store.
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

    /// The store key: `slack/installation/{enterprise or -}/{team or -}`; an org-wide install
    /// has no team part.
    #[must_use]
    pub fn key(&self) -> String {
        let team = if self.is_enterprise_install { None } else { self.team_id.as_deref() };
        key(self.enterprise_id.as_deref(), team)
    }
}

/// The key for an enterprise and team; ids are percent-encoded outside `[A-Za-z0-9_-]`.
pub(crate) fn key(enterprise: Option<&str>, team: Option<&str>) -> String {
    format!("{KEY_PREFIX}{}/{}", part(enterprise), part(team))
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

/// Installations in a [`SharedStore`], as JSON under
/// `slack/installation/{enterprise or -}/{team or -}`.
///
/// ```
/// use std::sync::Arc;
/// use chatbridge_core::{Secret, store::MemoryStore};
/// use chatbridge_slack::oauth::{Installation, InstallationStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = InstallationStore::new(Arc::new(MemoryStore::new()));
/// let mut installation = Installation::new(None, Some("T1".into()));
/// installation.bot_token = Some(Secret::new("xoxb-1"));
/// store.save(&installation).await?;
/// let found = store.find(None, Some("T1")).await?.unwrap();
/// assert_eq!(found.bot_token, Some(Secret::new("xoxb-1")));
/// # Ok::<_, chatbridge_core::StoreError>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct InstallationStore {
    store: SharedStore,
}

impl InstallationStore {
    /// Installations kept in `store`.
    #[must_use]
    pub fn new(store: SharedStore) -> Self {
        Self { store }
    }

    /// The store underneath.
    #[must_use]
    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// Saves an installation, replacing the one with the same enterprise and team.
    ///
    /// # Errors
    ///
    /// The store failed, or the installation could not be encoded.
    pub async fn save(&self, installation: &Installation) -> Result<(), StoreError> {
        let json =
            serde_json::to_vec(installation).map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.store.put(&installation.key(), Bytes::from(json), None).await
    }

    /// The installation for a workspace: its own, else its organisation's org-wide install
    /// (else, for a request that names an organisation, one saved without it). With no team,
    /// only an org-wide install is found.
    ///
    /// # Errors
    ///
    /// The store failed. A record that no longer decodes counts as absent (and is logged).
    pub async fn find(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
    ) -> Result<Option<Installation>, StoreError> {
        let mut keys = Vec::with_capacity(3);
        if team.is_some() {
            keys.push(key(enterprise, team));
        }
        if enterprise.is_some() {
            keys.push(key(enterprise, None));
            if team.is_some() {
                keys.push(key(None, team));
            }
        }
        for key in keys {
            if let Some(found) = self.load(&key).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The installation under exactly this key, if any.
    pub(crate) async fn load(&self, key: &str) -> Result<Option<Installation>, StoreError> {
        let Some(bytes) = self.store.get(key).await? else { return Ok(None) };
        match serde_json::from_slice(&bytes) {
            Ok(installation) => Ok(Some(installation)),
            Err(error) => {
                tracing::warn!(%error, "a stored slack installation does not decode; ignored");
                Ok(None)
            }
        }
    }

    /// Removes the installation with this enterprise and team (an org-wide one with no team).
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn delete(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
    ) -> Result<(), StoreError> {
        self.store.delete(&key(enterprise, team)).await
    }

    /// Removes the tokens `tokens_revoked` names: the bot token when the installation's bot
    /// user is among `bot_users`, the user token when its installing user is among `users`.
    /// An installation left with no token is removed. Returns whether anything changed.
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn revoke(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
        bot_users: &[String],
        users: &[String],
    ) -> Result<bool, StoreError> {
        let Some(mut installation) = self.find(enterprise, team).await? else {
            return Ok(false);
        };
        let named =
            |id: &Option<String>, list: &[String]| id.as_ref().is_some_and(|id| list.contains(id));
        let mut changed = false;
        if installation.bot_token.is_some() && named(&installation.bot_user_id, bot_users) {
            installation.bot_token = None;
            installation.bot_refresh_token = None;
            installation.bot_token_expires_at = None;
            changed = true;
        }
        if installation.user_token.is_some() && named(&installation.user_id, users) {
            installation.user_token = None;
            installation.user_refresh_token = None;
            installation.user_token_expires_at = None;
            changed = true;
        }
        if !changed {
            return Ok(false);
        }
        if installation.bot_token.is_none() && installation.user_token.is_none() {
            self.store.delete(&installation.key()).await?;
        } else {
            self.save(&installation).await?;
        }
        Ok(true)
    }
}

impl fmt::Debug for InstallationStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstallationStore").finish_non_exhaustive()
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
