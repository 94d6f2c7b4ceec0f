//! [`InstallationStore`]: installations in any [`Store`](chatbridge_core::store::Store), kept as
//! Bolt keeps them: one record per workspace for the bot (the latest install wins), and one per
//! installing user for their user token.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::StoreError;
use chatbridge_core::store::SharedStore;

use super::Installation;
use super::installation::{KEY_PREFIX, key, user_key};

/// How long the lock on a workspace's list of users lives if its holder dies.
const LOCK_TTL: Duration = Duration::from_secs(10);
/// How long a writer waits for another to release that lock.
const LOCK_WAIT: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(20);

/// Installations in a [`SharedStore`], as JSON:
///
/// - `slack/installation/{enterprise or -}/{team or -}`: the workspace's record, with the bot
///   token of the latest install (and the id and scopes of the user who made it);
/// - `…/user/{user}`: each installing user's record, with their user token;
/// - `…/users`: the list of those users, so that an uninstall removes every one.
///
/// Each token is stored once: the bot's in the workspace's record, a user's in theirs.
///
/// ```
/// use std::sync::Arc;
/// use chatbridge_core::{Secret, store::MemoryStore};
/// use chatbridge_slack::oauth::{Installation, InstallationStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let store = InstallationStore::new(Arc::new(MemoryStore::new()));
/// for (user, token) in [("U1", "xoxp-1"), ("U2", "xoxp-2")] {
///     let mut installation = Installation::new(None, Some("T1".into()));
///     installation.bot_token = Some(Secret::new(format!("xoxb-by-{user}")));
///     installation.user_id = Some(user.into());
///     installation.user_token = Some(Secret::new(token));
///     store.save(&installation).await?;
/// }
/// let first = store.find_user(None, Some("T1"), Some("U1")).await?.unwrap();
/// assert_eq!(first.user_token, Some(Secret::new("xoxp-1")));
/// assert_eq!(first.bot_token, Some(Secret::new("xoxb-by-U2")), "the latest bot token");
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

    /// Saves an installation: the workspace's record (replacing the one with the same
    /// enterprise and team: the latest install wins) and, when it names its installing user,
    /// that user's record (replacing only their own earlier one).
    ///
    /// # Errors
    ///
    /// The store failed, or the installation could not be encoded.
    pub async fn save(&self, installation: &Installation) -> Result<(), StoreError> {
        let workspace = installation.key();
        self.keep_earlier_user(&workspace, installation.user_id.as_deref()).await?;
        let mut bot = installation.clone();
        if installation.user_id.is_some() {
            self.save_user(&workspace, installation).await?;
            bot.clear_user_token();
        }
        self.put_record(&workspace, &bot).await
    }

    /// Saves a user's own record (without the bot token) and lists the user.
    async fn save_user(
        &self,
        workspace: &str,
        installation: &Installation,
    ) -> Result<(), StoreError> {
        let Some(user) = installation.user_id.as_deref() else { return Ok(()) };
        let mut own = installation.clone();
        own.clear_bot_token();
        self.put_record(&user_key(workspace, user), &own).await?;
        self.update_users(workspace, |users| {
            if !users.iter().any(|known| known == user) {
                users.push(user.to_owned());
            }
        })
        .await
    }

    /// A workspace record saved before users had records of their own holds its installing
    /// user's token: before another user's install replaces it, that user gets their record.
    async fn keep_earlier_user(
        &self,
        workspace: &str,
        installing: Option<&str>,
    ) -> Result<(), StoreError> {
        let Some(earlier) = self.load(workspace).await? else { return Ok(()) };
        let Some(user) = earlier.user_id.as_deref().filter(|_| earlier.user_token.is_some()) else {
            return Ok(());
        };
        if Some(user) == installing || self.store.get(&user_key(workspace, user)).await?.is_some() {
            return Ok(());
        }
        self.save_user(workspace, &earlier).await
    }

    /// The installation for a workspace: its own, else its organisation's org-wide install
    /// (else, for a request that names an organisation, one saved without it). With no team,
    /// only an org-wide install is found. It carries the latest install's bot token and the
    /// user token of the user who made that install.
    ///
    /// # Errors
    ///
    /// The store failed. A record that no longer decodes counts as absent (and is logged).
    pub async fn find(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
    ) -> Result<Option<Installation>, StoreError> {
        let Some((workspace, Some(mut bot))) = self.locate(enterprise, team).await? else {
            return Ok(None);
        };
        if let Some(user) = bot.user_id.clone().filter(|_| bot.user_token.is_none())
            && let Some(own) = self.load(&user_key(&workspace, &user)).await?
        {
            bot.set_user(Some(&own));
        }
        Ok(Some(bot))
    }

    /// The installation a user's request is served with: the workspace's bot (the latest
    /// install's), and the user's own user token when they installed the app. The user fields
    /// are empty for a user who did not (or for `None`, a request with no user): another user's
    /// token is never handed out. A user whose workspace has no bot token left still finds
    /// their own record.
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn find_user(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
        user: Option<&str>,
    ) -> Result<Option<Installation>, StoreError> {
        let Some((workspace, bot)) = self.locate(enterprise, team).await? else {
            return Ok(None);
        };
        let own = match user {
            Some(user) => self.load(&user_key(&workspace, user)).await?,
            None => None,
        };
        Ok(match (bot, own) {
            (Some(bot), own) => Some(with_user(bot, own.as_ref(), user)),
            (None, own) => own,
        })
    }

    /// Where a workspace's records are, and its bot record if it has one: the first of the
    /// keys [`find`](Self::find) tries that holds a bot record or a list of users.
    pub(crate) async fn locate(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
    ) -> Result<Option<(String, Option<Installation>)>, StoreError> {
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
        for workspace in keys {
            if let Some(found) = self.load(&workspace).await? {
                return Ok(Some((workspace, Some(found))));
            }
            if self.store.get(&users_key(&workspace)).await?.is_some() {
                return Ok(Some((workspace, None)));
            }
        }
        Ok(None)
    }

    /// The record under exactly this key, if any.
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

    /// Writes a record under exactly this key.
    pub(crate) async fn put_record(
        &self,
        key: &str,
        installation: &Installation,
    ) -> Result<(), StoreError> {
        let json =
            serde_json::to_vec(installation).map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.store.put(key, Bytes::from(json), None).await
    }

    /// Removes the installation with this enterprise and team (an org-wide one with no team):
    /// the bot's record and every installing user's.
    ///
    /// # Errors
    ///
    /// The store failed.
    pub async fn delete(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
    ) -> Result<(), StoreError> {
        self.delete_workspace(&key(enterprise, team)).await
    }

    /// Removes every record under a workspace's key.
    pub(crate) async fn delete_workspace(&self, workspace: &str) -> Result<(), StoreError> {
        let mut removed = Vec::new();
        self.update_users(workspace, |users| removed = std::mem::take(users)).await?;
        for user in removed {
            self.store.delete(&user_key(workspace, &user)).await?;
        }
        self.store.delete(workspace).await
    }

    /// Removes the tokens `tokens_revoked` names: the bot token when the workspace's bot user
    /// is among `bot_users`, and the records of the installing users among `users`. A
    /// workspace record left with no token is removed. Returns whether anything changed.
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
        let Some((workspace, bot)) = self.locate(enterprise, team).await? else {
            return Ok(false);
        };
        let named =
            |id: &Option<String>, list: &[String]| id.as_ref().is_some_and(|id| list.contains(id));
        let mut changed = false;
        if let Some(mut bot) = bot {
            let mut revoked = false;
            if bot.bot_token.is_some() && named(&bot.bot_user_id, bot_users) {
                bot.clear_bot_token();
                revoked = true;
            }
            // A record saved before users had records of their own holds its user's token.
            if bot.user_token.is_some() && named(&bot.user_id, users) {
                bot.clear_user_token();
                revoked = true;
            }
            if revoked && bot.has_token() {
                self.put_record(&workspace, &bot).await?;
            } else if revoked {
                self.store.delete(&workspace).await?;
            }
            changed |= revoked;
        }
        for user in users {
            let key = user_key(&workspace, user);
            if self.store.get(&key).await?.is_some() {
                self.store.delete(&key).await?;
                self.update_users(&workspace, |list| list.retain(|known| known != user)).await?;
                changed = true;
            }
        }
        Ok(changed)
    }

    /// Changes a workspace's list of users under a lock (`put_if_absent`, so across processes
    /// too): two installs at once must not lose one of them.
    async fn update_users(
        &self,
        workspace: &str,
        change: impl FnOnce(&mut Vec<String>),
    ) -> Result<(), StoreError> {
        let lock = format!(
            "slack/installation-lock/{}",
            workspace.strip_prefix(KEY_PREFIX).unwrap_or(workspace)
        );
        let started = tokio::time::Instant::now();
        while !self.store.put_if_absent(&lock, Bytes::new(), Some(LOCK_TTL)).await? {
            if started.elapsed() > LOCK_WAIT {
                return Err(StoreError::Backend("the installation's user list is locked".into()));
            }
            tokio::time::sleep(POLL).await;
        }
        let changed = self.change_users(workspace, change).await;
        if let Err(error) = self.store.delete(&lock).await {
            tracing::warn!(%error, "installation lock could not be released; it expires");
        }
        changed
    }

    async fn change_users(
        &self,
        workspace: &str,
        change: impl FnOnce(&mut Vec<String>),
    ) -> Result<(), StoreError> {
        let key = users_key(workspace);
        let mut users: Vec<String> = match self.store.get(&key).await? {
            Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                tracing::warn!(%error, "a stored list of slack installers does not decode");
                Vec::new()
            }),
            None => Vec::new(),
        };
        let before = users.clone();
        change(&mut users);
        if users == before {
            return Ok(());
        }
        if users.is_empty() {
            return self.store.delete(&key).await;
        }
        let json = serde_json::to_vec(&users).map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.store.put(&key, Bytes::from(json), None).await
    }
}

impl fmt::Debug for InstallationStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstallationStore").finish_non_exhaustive()
    }
}

/// The key of a workspace's list of installing users.
fn users_key(workspace: &str) -> String {
    format!("{workspace}/users")
}

/// The workspace's bot record with `user`'s own user fields: from their record, or, for a
/// record saved before users had records of their own, from the bot record when it is theirs;
/// none otherwise.
pub(crate) fn with_user(
    mut bot: Installation,
    own: Option<&Installation>,
    user: Option<&str>,
) -> Installation {
    match own {
        Some(own) => bot.set_user(Some(own)),
        None if bot.user_token.is_some() && user.is_some() && bot.user_id.as_deref() == user => {}
        None => bot.set_user(None),
    }
    bot
}
