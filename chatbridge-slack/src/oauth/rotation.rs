//! Token rotation: a bot (or user) token that expires within [`REFRESH_MARGIN`] is refreshed with
//! `oauth.v2.access` (`grant_type=refresh_token`) before it is used. Refresh tokens are single
//! use, so exactly one refresh may run per installation: in this process an async lock per
//! installation, across processes a short lock key taken with `put_if_absent`; the others
//! re-read the store.
//!
//! Also here: which workspace a request comes from, and the lifecycle events.

use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::{AdapterError, Secret};
use serde_json::Value;

use super::installation::REFRESH_MARGIN;
use super::{Inner, Installation, OAuthError, SlackOAuth, flow};
use crate::SlackPayload;
use crate::events::str_field;

/// How long a cross-process refresh lock lives if its holder dies.
const LOCK_TTL: Duration = Duration::from_secs(30);
/// How long to wait for another process's refresh of an already expired token.
const WAIT_FOR_OTHERS: Duration = Duration::from_secs(2);
/// How long a request waits for a refresh while its current token still works: requests
/// are answered within Slack's 3 seconds.
const REFRESH_WAIT: Duration = Duration::from_millis(1500);
const POLL: Duration = Duration::from_millis(100);

/// Whether the bot or the user token rotates and expires within the margin.
pub(super) fn needs_refresh(installation: &Installation, now: u64) -> bool {
    let i = installation;
    expiring(i.bot_refresh_token.as_ref(), i.bot_token_expires_at, now)
        || expiring(i.user_refresh_token.as_ref(), i.user_token_expires_at, now)
}

fn expiring(refresh: Option<&Secret>, expires_at: Option<u64>, now: u64) -> bool {
    refresh.is_some()
        && expires_at.is_some_and(|at| now.saturating_add(REFRESH_MARGIN.as_secs()) >= at)
}

/// Whether the bot token still works now.
fn still_valid(installation: &Installation, now: u64) -> bool {
    installation.bot_token.is_some() && installation.bot_token_expires_at.is_none_or(|at| now < at)
}

/// Refreshes an installation's tokens, once however many ask at the same time.
///
/// The refresh runs in its own task, so that it is never cancelled half way (a refresh token
/// Slack has spent must not be lost with its answer): a caller waits at most
/// [`REFRESH_WAIT`] while its current token still works, then goes on with that one.
pub(super) async fn refresh(
    oauth: &SlackOAuth,
    installation: Installation,
) -> Result<Option<Installation>, OAuthError> {
    let now = oauth.inner().clock.unix_seconds();
    let current = still_valid(&installation, now).then(|| installation.clone());
    let owned = oauth.clone();
    let mut task = tokio::spawn(async move {
        let inner = owned.inner();
        let key = installation.key();
        let flight = inner.flight(&key);
        let result = {
            let _one_at_a_time = flight.lock().await;
            refresh_locked(inner, &key).await
        };
        inner.land(&key, flight);
        result
    });
    let joined = match (tokio::time::timeout(REFRESH_WAIT, &mut task).await, current) {
        (Ok(joined), _) => joined,
        (Err(_), Some(current)) => {
            tracing::debug!("token refresh still running; the current token serves");
            return Ok(Some(current));
        }
        (Err(_), None) => task.await,
    };
    joined.map_err(|_| OAuthError::RefreshPending)?
}

/// The refresh itself, with this process's lock for the installation held.
async fn refresh_locked(inner: &Inner, key: &str) -> Result<Option<Installation>, OAuthError> {
    let store = inner.installations.store();
    let lock =
        format!("slack/refresh-lock/{}", key.trim_start_matches(super::installation::KEY_PREFIX));
    let started = tokio::time::Instant::now();
    loop {
        // Whoever held the lock before may have refreshed already.
        let Some(current) = inner.installations.load(key).await? else { return Ok(None) };
        let now = inner.clock.unix_seconds();
        if !needs_refresh(&current, now) {
            return Ok(Some(current));
        }
        if store.put_if_absent(&lock, Bytes::new(), Some(LOCK_TTL)).await? {
            // Read again under the lock: another process may have refreshed, spending the
            // refresh token read above, and released its lock since.
            let current = match inner.installations.load(key).await {
                Ok(Some(current)) if needs_refresh(&current, now) => current,
                reread => {
                    if let Err(error) = store.delete(&lock).await {
                        tracing::warn!(%error, "refresh lock could not be released; it expires");
                    }
                    return Ok(reread?);
                }
            };
            let refreshed = refresh_now(inner, current).await;
            // After a failure the lock stays until it expires: a backoff, so that a refused
            // refresh is not retried by every request.
            let done = refreshed.as_ref().is_ok_and(|i| !needs_refresh(i, now));
            let released = if done { store.delete(&lock).await } else { Ok(()) };
            if let Err(error) = released {
                tracing::warn!(%error, "refresh lock could not be released; it expires");
            }
            return refreshed.map(Some);
        }
        // Another process is refreshing: the current token serves while it lasts.
        if still_valid(&current, now) {
            return Ok(Some(current));
        }
        if started.elapsed() > WAIT_FOR_OTHERS {
            return Err(OAuthError::RefreshPending);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Refreshes whichever tokens expire soon (the bot's, the installing user's) and saves the
/// new ones. A failed bot refresh is an error only once the bot token has expired; a failed
/// user refresh is logged (requests run on the bot token).
async fn refresh_now(
    inner: &Inner,
    mut installation: Installation,
) -> Result<Installation, OAuthError> {
    let now = inner.clock.unix_seconds();
    let mut changed = false;
    let i = &installation;
    if let Some(refresh) = i
        .bot_refresh_token
        .clone()
        .filter(|_| expiring(i.bot_refresh_token.as_ref(), i.bot_token_expires_at, now))
    {
        match exchange(inner, &refresh).await {
            Ok((token, scopes, refresh, expires)) => {
                let bot = &mut installation;
                bot.bot_token = token.or(bot.bot_token.take());
                if !scopes.is_empty() {
                    bot.bot_scopes = scopes;
                }
                // The old refresh token is spent: never keep it.
                bot.bot_refresh_token = refresh;
                bot.bot_token_expires_at = expires;
                changed = true;
            }
            Err(error) if still_valid(&installation, now) => {
                tracing::warn!(%error, team = ?installation.team_id, "bot token refresh failed; the current token still works");
            }
            Err(error) => return Err(error.into()),
        }
    }
    let i = &installation;
    if let Some(refresh) = i
        .user_refresh_token
        .clone()
        .filter(|_| expiring(i.user_refresh_token.as_ref(), i.user_token_expires_at, now))
    {
        match exchange(inner, &refresh).await {
            Ok((token, scopes, refresh, expires)) => {
                let user = &mut installation;
                user.user_token = token.or(user.user_token.take());
                if !scopes.is_empty() {
                    user.user_scopes = scopes;
                }
                user.user_refresh_token = refresh;
                user.user_token_expires_at = expires;
                changed = true;
            }
            Err(error) => {
                tracing::warn!(%error, team = ?installation.team_id, "user token refresh failed");
            }
        }
    }
    if changed {
        inner.installations.save(&installation).await?;
        tracing::info!(team = ?installation.team_id, enterprise = ?installation.enterprise_id, "tokens refreshed");
    }
    Ok(installation)
}

/// One `oauth.v2.access` call with `grant_type=refresh_token`.
async fn exchange(inner: &Inner, refresh: &Secret) -> Result<flow::Tokens, crate::ApiError> {
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh.expose_secret())];
    let answer = inner.api.oauth_v2_access(&inner.client_id, &inner.client_secret, &form).await?;
    Ok(flow::tokens(&answer, inner.clock.unix_seconds()))
}

/// The enterprise and team a request comes from.
pub(crate) fn workspace_of(payload: &SlackPayload) -> (Option<String>, Option<String>) {
    match payload {
        SlackPayload::Event(callback) => match callback.authorizations.first() {
            Some(auth) if auth.team_id.is_some() || auth.enterprise_id.is_some() => {
                (auth.enterprise_id.clone(), auth.team_id.clone())
            }
            _ => (
                callback.enterprise_id.clone().or_else(|| callback.context_enterprise_id.clone()),
                callback.team_id.clone().or_else(|| callback.context_team_id.clone()),
            ),
        },
        SlackPayload::Command(command) => {
            let team = command.team_id().map(|t| t.as_str().to_owned());
            (command.enterprise_id().map(str::to_owned), team)
        }
        SlackPayload::Interaction(interaction) => {
            let raw = &interaction.raw;
            let enterprise = raw
                .get("enterprise")
                .and_then(|e| str_field(e, "id"))
                .or_else(|| raw.get("team").and_then(|t| str_field(t, "enterprise_id")))
                .or_else(|| raw.get("user").and_then(|u| str_field(u, "enterprise_id")));
            (enterprise, interaction.team_id.clone())
        }
    }
}

/// Whether an event type changes installations.
pub(crate) fn is_lifecycle(kind: &str) -> bool {
    matches!(kind, "app_uninstalled" | "tokens_revoked")
}

impl SlackOAuth {
    /// Applies `app_uninstalled` (the installation goes) and `tokens_revoked` (the tokens it
    /// names go). Returns whether the event was one of these.
    pub(crate) async fn lifecycle(&self, payload: &SlackPayload) -> Result<bool, AdapterError> {
        let Some(callback) = payload.as_event() else { return Ok(false) };
        if !is_lifecycle(&callback.event.kind) {
            return Ok(false);
        }
        let (enterprise, team) = workspace_of(payload);
        let (enterprise, team) = (enterprise.as_deref(), team.as_deref());
        let installations = self.installations();
        let result = if callback.event.kind == "app_uninstalled" {
            match installations.find(enterprise, team).await {
                Ok(Some(found)) => installations.store().delete(&found.key()).await,
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

/// What [`SlackAdapter::prepare`](crate::SlackAdapter) needs from OAuth for one request: the
/// lifecycle events applied, then the workspace's installation, if it has one.
pub(crate) async fn prepare(
    oauth: &SlackOAuth,
    payload: &SlackPayload,
) -> Result<Option<Installation>, AdapterError> {
    if oauth.lifecycle(payload).await? {
        return Ok(None);
    }
    let (enterprise, team) = workspace_of(payload);
    match oauth.authorize(enterprise.as_deref(), team.as_deref()).await {
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
