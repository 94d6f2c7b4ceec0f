//! Token rotation: a bot (or user) token that expires within [`REFRESH_MARGIN`] is refreshed with
//! `oauth.v2.access` (`grant_type=refresh_token`) before it is used. Refresh tokens are single
//! use, so exactly one refresh may run per installation: in this process an async lock per
//! installation, across processes a short lock key taken with `put_if_absent`; the others
//! re-read the store.

use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::Secret;

use super::installation::REFRESH_MARGIN;
use super::{Inner, Installation, OAuthError, SlackOAuth, flow};

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

/// Whether the record's token still works now: the bot token of a workspace's record, the user
/// token of a user's.
fn still_valid(installation: &Installation, now: u64) -> bool {
    let i = installation;
    let works =
        |token: &Option<Secret>, at: Option<u64>| token.is_some() && at.is_none_or(|at| now < at);
    if i.bot_token.is_some() {
        works(&i.bot_token, i.bot_token_expires_at)
    } else {
        works(&i.user_token, i.user_token_expires_at)
    }
}

/// The record under `key`, its tokens refreshed first if they expire within the margin.
pub(super) async fn fresh(
    oauth: &SlackOAuth,
    key: String,
    record: Installation,
) -> Result<Option<Installation>, OAuthError> {
    if needs_refresh(&record, oauth.inner().clock.unix_seconds()) {
        refresh(oauth, key, record).await
    } else {
        Ok(Some(record))
    }
}

/// Refreshes the tokens of the record under `key`, once however many ask at the same time.
///
/// The refresh runs in its own task, so that it is never cancelled half way (a refresh token
/// Slack has spent must not be lost with its answer): a caller waits at most
/// [`REFRESH_WAIT`] while its current token still works, then goes on with that one.
async fn refresh(
    oauth: &SlackOAuth,
    key: String,
    installation: Installation,
) -> Result<Option<Installation>, OAuthError> {
    let now = oauth.inner().clock.unix_seconds();
    let current = still_valid(&installation, now).then_some(installation);
    let owned = oauth.clone();
    let mut task = tokio::spawn(async move {
        let inner = owned.inner();
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
            let refreshed = refresh_now(inner, key, current).await;
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
    key: &str,
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
        inner.installations.put_record(key, &installation).await?;
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
