//! What a request needs from OAuth: whose installation serves it (the workspace's bot and the
//! requesting user's own token), and the lifecycle events that change installations.

use chatbridge_core::AdapterError;
use serde_json::Value;

use super::installation::user_key;
use super::store::with_user;
use super::{Installation, OAuthError, SlackOAuth, rotation};
use crate::SlackPayload;
use crate::model::str_field;

/// Where a request comes from: its enterprise, its workspace, its user.
#[derive(Debug, Default)]
pub(crate) struct Origin {
    pub(crate) enterprise: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) user: Option<String>,
}

impl SlackOAuth {
    /// A workspace's installation, as [`InstallationStore::find`](super::InstallationStore::find)
    /// finds it (the latest install's bot and its installing user's token), its tokens
    /// refreshed first if they expire within five minutes. `None` when the app is not
    /// installed there.
    ///
    /// # Errors
    ///
    /// The store failed; the refresh failed and the token has already expired; another
    /// process's refresh of an expired token took too long.
    pub async fn authorize(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
    ) -> Result<Option<Installation>, OAuthError> {
        self.authorize_as(enterprise, team, None, true).await
    }

    /// The installation a user's request is served with, as
    /// [`InstallationStore::find_user`](super::InstallationStore::find_user) finds it (the
    /// workspace's latest bot, and this user's own user token when they installed the app),
    /// each token refreshed first if it expires within five minutes.
    ///
    /// # Errors
    ///
    /// As [`authorize`](Self::authorize), for the bot token; a user token that cannot be
    /// refreshed is logged and served as it is.
    pub async fn authorize_user(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
        user: Option<&str>,
    ) -> Result<Option<Installation>, OAuthError> {
        self.authorize_as(enterprise, team, user, false).await
    }

    /// The workspace's bot with `user`'s token, or with its installing user's when `installer`.
    async fn authorize_as(
        &self,
        enterprise: Option<&str>,
        team: Option<&str>,
        user: Option<&str>,
        installer: bool,
    ) -> Result<Option<Installation>, OAuthError> {
        let installations = self.installations();
        let Some((workspace, bot)) = installations.locate(enterprise, team).await? else {
            return Ok(None);
        };
        let bot = match bot {
            Some(bot) => rotation::fresh(self, workspace.clone(), bot).await?,
            None => None,
        };
        let user = if installer {
            bot.as_ref().and_then(|b| b.user_id.clone())
        } else {
            user.map(str::to_owned)
        };
        let own = match &user {
            Some(user) => self.own_record(&user_key(&workspace, user)).await?,
            None => None,
        };
        Ok(match bot {
            Some(bot) => Some(with_user(bot, own.as_ref(), user.as_deref())),
            None => own,
        })
    }

    /// A user's own record, its token refreshed if it can be.
    async fn own_record(&self, key: &str) -> Result<Option<Installation>, OAuthError> {
        let Some(record) = self.installations().load(key).await? else { return Ok(None) };
        match rotation::fresh(self, key.to_owned(), record.clone()).await {
            Ok(fresh) => Ok(fresh),
            Err(error) => {
                tracing::warn!(%error, "user token refresh failed; the current one serves");
                Ok(Some(record))
            }
        }
    }

    /// Applies `app_uninstalled` (the installation and every user's go) and `tokens_revoked`
    /// (the tokens it names go). Returns whether the event was one of these.
    pub(crate) async fn lifecycle(&self, payload: &SlackPayload) -> Result<bool, AdapterError> {
        let Some(callback) = payload.as_event() else { return Ok(false) };
        if !is_lifecycle(&callback.event.kind) {
            return Ok(false);
        }
        let Origin { enterprise, team, .. } = origin(payload);
        let (enterprise, team) = (enterprise.as_deref(), team.as_deref());
        let installations = self.installations();
        let result = if callback.event.kind == "app_uninstalled" {
            match installations.locate(enterprise, team).await {
                Ok(Some((workspace, _))) => installations.delete_workspace(&workspace).await,
                Ok(None) => Ok(()),
                Err(error) => Err(error),
            }
        } else {
            let list = |name: &str| -> Vec<String> {
                callback.event.raw["tokens"][name]
                    .as_array()
                    .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                    .unwrap_or_default()
            };
            installations.revoke(enterprise, team, &list("bot"), &list("oauth")).await.map(drop)
        };
        match result {
            Ok(()) => {
                tracing::info!(
                    event = callback.event.kind,
                    ?team,
                    ?enterprise,
                    "installation updated"
                );
                Ok(true)
            }
            // A 5xx: Slack retries the event later.
            Err(error) => Err(AdapterError::Internal(Box::new(error))),
        }
    }
}

/// Where a request comes from.
pub(crate) fn origin(payload: &SlackPayload) -> Origin {
    match payload {
        SlackPayload::Event(callback) => {
            let (enterprise, team) = match callback.authorizations.first() {
                Some(auth) if auth.team_id.is_some() || auth.enterprise_id.is_some() => {
                    (auth.enterprise_id.clone(), auth.team_id.clone())
                }
                _ => (
                    callback
                        .enterprise_id
                        .clone()
                        .or_else(|| callback.context_enterprise_id.clone()),
                    callback.team_id.clone().or_else(|| callback.context_team_id.clone()),
                ),
            };
            Origin { enterprise, team, user: callback.event.user.clone() }
        }
        SlackPayload::Command(command) => Origin {
            enterprise: command.enterprise_id().map(str::to_owned),
            team: command.team_id().map(|t| t.as_str().to_owned()),
            user: Some(command.user_id().as_str().to_owned()).filter(|u| !u.is_empty()),
        },
        SlackPayload::Interaction(interaction) => {
            let raw = &interaction.raw;
            let enterprise = raw
                .get("enterprise")
                .and_then(|e| str_field(e, "id"))
                .or_else(|| raw.get("team").and_then(|t| str_field(t, "enterprise_id")))
                .or_else(|| raw.get("user").and_then(|u| str_field(u, "enterprise_id")));
            Origin {
                enterprise,
                team: interaction.team_id.clone(),
                user: interaction.user_id.clone(),
            }
        }
    }
}

/// Whether an event type changes installations.
pub(crate) fn is_lifecycle(kind: &str) -> bool {
    matches!(kind, "app_uninstalled" | "tokens_revoked")
}

/// What the adapter needs from OAuth for one request: the lifecycle events applied (whether or
/// not a handler wants them), then the installation that serves the request, if there is one.
pub(crate) async fn installation_for(
    oauth: &SlackOAuth,
    payload: &SlackPayload,
) -> Result<Option<Installation>, AdapterError> {
    if oauth.lifecycle(payload).await? {
        return Ok(None);
    }
    let Origin { enterprise, team, user } = origin(payload);
    match oauth.authorize_user(enterprise.as_deref(), team.as_deref(), user.as_deref()).await {
        Ok(Some(installation)) => Ok(Some(installation)),
        Ok(None) => {
            tracing::warn!(?team, ?enterprise, "no installation for this workspace");
            Ok(None)
        }
        Err(error) => {
            tracing::warn!(%error, ?team, "installation lookup failed");
            Err(AdapterError::Internal(Box::new(error)))
        }
    }
}
