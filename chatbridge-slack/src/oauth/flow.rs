//! The two endpoints of the install flow: [`InstallPage`] and [`OAuthRedirect`].

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::endpoint::Endpoint;
use chatbridge_core::{Secret, StoreError};
use http::{HeaderValue, Request, Response, StatusCode, header};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Inner, Installation, STATE_COOKIE, STATE_TTL, SlackOAuth, pages};
use crate::ApiError;
use crate::model::str_field;

/// `GET /slack/install`: the "Add to Slack" page, with a fresh state in the link and in a
/// cookie. Built by [`SlackOAuth::install_page`].
#[derive(Clone)]
pub struct InstallPage {
    oauth: SlackOAuth,
}

/// `GET /slack/oauth_redirect`: where Slack sends the browser back with a `code` (or an
/// `error`). Built by [`SlackOAuth::redirect`].
#[derive(Clone)]
pub struct OAuthRedirect {
    oauth: SlackOAuth,
}

impl InstallPage {
    pub(crate) fn new(oauth: SlackOAuth) -> Self {
        Self { oauth }
    }
}

impl OAuthRedirect {
    pub(crate) fn new(oauth: SlackOAuth) -> Self {
        Self { oauth }
    }
}

impl fmt::Debug for InstallPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstallPage").finish_non_exhaustive()
    }
}

impl fmt::Debug for OAuthRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthRedirect").finish_non_exhaustive()
    }
}

#[async_trait]
impl Endpoint for InstallPage {
    async fn call(&self, _request: Request<Bytes>) -> Response<Bytes> {
        let inner = self.oauth.inner();
        let mut bytes = [0_u8; 32];
        if getrandom::fill(&mut bytes).is_err() {
            tracing::error!("the operating system's random generator failed");
            return server_error(inner);
        }
        let state = hex::encode(bytes);
        let issued = inner.clock.unix_seconds().to_string();
        match inner
            .installations
            .store()
            .put(&state_key(&state), issued.into(), Some(STATE_TTL))
            .await
        {
            Ok(()) => {}
            Err(error) => {
                tracing::error!(%error, "oauth state could not be stored");
                return server_error(inner);
            }
        }
        let mut response = pages::install(&authorize_url(inner, &state));
        set_cookie(&mut response, inner, &state, STATE_TTL.as_secs());
        response
    }
}

#[async_trait]
impl Endpoint for OAuthRedirect {
    async fn call(&self, request: Request<Bytes>) -> Response<Bytes> {
        let inner = self.oauth.inner();
        let mut response = match redirect(inner, &request).await {
            Ok(response) => response,
            Err(refusal) => {
                tracing::info!(reason = refusal.log, "slack install refused");
                pages::failure(refusal.status, refusal.text, &inner.install_path)
            }
        };
        // The cookie has done its job, whatever the outcome.
        set_cookie(&mut response, inner, "", 0);
        response
    }
}

/// Why the redirect was refused: the status, the page's text, and a reason for the logs.
#[derive(Clone, Copy)]
struct Refusal {
    status: StatusCode,
    text: &'static str,
    log: &'static str,
}

fn refuse(status: StatusCode, text: &'static str, log: &'static str) -> Refusal {
    Refusal { status, text, log }
}

async fn redirect(inner: &Inner, request: &Request<Bytes>) -> Result<Response<Bytes>, Refusal> {
    let query = request.uri().query().unwrap_or_default();
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v)
    };
    let cookie = state_cookie(request);
    if let Some(error) = param("error") {
        // Spend the state so that the link cannot be used again.
        if let Some(state) =
            param("state").filter(|s| cookie.as_deref().is_some_and(|c| same(c, s)))
        {
            let _ = inner.installations.store().delete(&state_key(&state)).await;
        }
        return Err(if error == "access_denied" {
            refuse(
                StatusCode::FORBIDDEN,
                "The installation was cancelled in Slack.",
                "access_denied",
            )
        } else {
            refuse(
                StatusCode::BAD_REQUEST,
                "Slack reported an error during the installation.",
                "slack error",
            )
        });
    }
    let (Some(code), Some(state)) = (param("code"), param("state")) else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "The link is incomplete: no code or state.",
            "missing code or state",
        ));
    };
    let Some(cookie) = cookie else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "This browser did not start the installation (no state cookie). Please start again.",
            "no state cookie",
        ));
    };
    if !same(&cookie, &state) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "The installation link does not belong to this browser. Please start again.",
            "state does not match the cookie",
        ));
    }
    consume_state(inner, &state).await?;
    let answer = exchange(inner, &code).await?;
    let mut installation = installation_from(&answer, inner.clock.unix_seconds());
    if let Some(token) = &installation.bot_token {
        // The bot id is not in the answer: auth.test has it. Best effort.
        match inner.api.with_token(token.clone()).auth_test().await {
            Ok(ids) => installation.bot_id = ids.bot_id,
            Err(error) => tracing::warn!(%error, "auth.test after install failed; bot id unknown"),
        }
    }
    if let Err(error) = inner.installations.save(&installation).await {
        tracing::error!(%error, "installation could not be saved");
        return Err(store_refusal());
    }
    tracing::info!(team = ?installation.team_id, enterprise = ?installation.enterprise_id, "slack app installed");
    Ok(pages::installed(
        installation.team_name.as_deref().or(installation.enterprise_name.as_deref()),
    ))
}

/// Checks that the state was issued here, is fresh and unused, and uses it up.
async fn consume_state(inner: &Inner, state: &str) -> Result<(), Refusal> {
    let store = inner.installations.store();
    let key = state_key(state);
    let expired = refuse(
        StatusCode::FORBIDDEN,
        "The installation link has expired or was already used. Please start again.",
        "state unknown, expired or used",
    );
    let issued = store.get(&key).await.map_err(|e| store_error(&e))?.ok_or(expired)?;
    let issued: u64 = std::str::from_utf8(&issued).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    if inner.clock.unix_seconds().saturating_sub(issued) > STATE_TTL.as_secs() {
        let _ = store.delete(&key).await;
        return Err(expired);
    }
    // Exactly one request may use a state, however many arrive at once.
    let used = format!("{key}/used");
    if !store
        .put_if_absent(&used, Bytes::new(), Some(STATE_TTL))
        .await
        .map_err(|e| store_error(&e))?
    {
        return Err(expired);
    }
    store.delete(&key).await.map_err(|e| store_error(&e))?;
    Ok(())
}

fn store_error(error: &StoreError) -> Refusal {
    tracing::error!(%error, "oauth state store failed");
    store_refusal()
}

fn store_refusal() -> Refusal {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "The installation could not be recorded. Please try again later.",
        "store failed",
    )
}

/// Exchanges the code with `oauth.v2.access`.
async fn exchange(inner: &Inner, code: &str) -> Result<Value, Refusal> {
    let mut form = vec![("code", code)];
    if let Some(uri) = &inner.redirect_uri {
        form.push(("redirect_uri", uri));
    }
    match inner.api.oauth_v2_access(&inner.client_id, &inner.client_secret, &form).await {
        Ok(answer) => Ok(answer),
        Err(ApiError::Slack { code, .. }) => {
            tracing::warn!(error = %code, "oauth.v2.access refused the code");
            Err(refuse(
                StatusCode::BAD_REQUEST,
                "Slack refused the installation. Please start again.",
                "oauth.v2.access ok:false",
            ))
        }
        Err(error) => {
            tracing::warn!(%error, "oauth.v2.access failed");
            Err(refuse(
                StatusCode::BAD_GATEWAY,
                "Slack could not be reached. Please try again.",
                "oauth.v2.access unreachable",
            ))
        }
    }
}

/// An installation from `oauth.v2.access`'s answer.
pub(crate) fn installation_from(answer: &Value, now: u64) -> Installation {
    let object = |name: &str| answer.get(name).filter(|v| v.is_object());
    let mut installation = Installation::new(
        object("enterprise").and_then(|e| str_field(e, "id")),
        object("team").and_then(|t| str_field(t, "id")),
    );
    installation.enterprise_name = object("enterprise").and_then(|e| str_field(e, "name"));
    installation.team_name = object("team").and_then(|t| str_field(t, "name"));
    installation.is_enterprise_install =
        answer.get("is_enterprise_install").and_then(Value::as_bool).unwrap_or(false);
    installation.app_id = str_field(answer, "app_id");
    installation.bot_user_id = str_field(answer, "bot_user_id");
    installation.installed_at = now;
    let (token, scopes, refresh, expires) = tokens(answer, now);
    installation.bot_token = token;
    installation.bot_scopes = scopes;
    installation.bot_refresh_token = refresh;
    installation.bot_token_expires_at = expires;
    if let Some(user) = object("authed_user") {
        installation.user_id = str_field(user, "id");
        let (token, scopes, refresh, expires) = tokens(user, now);
        installation.user_token = token;
        installation.user_scopes = scopes;
        installation.user_refresh_token = refresh;
        installation.user_token_expires_at = expires;
    }
    installation
}

/// A token, its scopes, its refresh token and its expiry (Unix seconds).
pub(crate) type Tokens = (Option<Secret>, Vec<String>, Option<Secret>, Option<u64>);

/// A token, its scopes, and with rotation its refresh token and expiry.
pub(crate) fn tokens(value: &Value, now: u64) -> Tokens {
    let token = str_field(value, "access_token").filter(|t| !t.is_empty()).map(Secret::new);
    let scopes = str_field(value, "scope")
        .map(|s| s.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let refresh = str_field(value, "refresh_token").filter(|t| !t.is_empty()).map(Secret::new);
    let expires = value.get("expires_in").and_then(Value::as_u64).map(|s| now.saturating_add(s));
    (token, scopes, refresh, expires)
}

/// Slack's authorize URL with the app's parameters and the state.
fn authorize_url(inner: &Inner, state: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("client_id", &inner.client_id);
    query.append_pair("scope", &inner.scopes.join(","));
    query.append_pair("user_scope", &inner.user_scopes.join(","));
    if let Some(uri) = &inner.redirect_uri {
        query.append_pair("redirect_uri", uri);
    }
    query.append_pair("state", state);
    let separator = if inner.authorize_url.contains('?') { '&' } else { '?' };
    format!("{}{separator}{}", inner.authorize_url, query.finish())
}

/// The state's store key: its SHA-256, so the store never holds a usable state.
fn state_key(state: &str) -> String {
    format!("slack/oauth-state/{}", hex::encode(Sha256::digest(state.as_bytes())))
}

/// The state cookie's value, if the request has one.
fn state_cookie(request: &Request<Bytes>) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == STATE_COOKIE && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

/// Compares two states in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Sets (or, with `max_age` 0, clears) the state cookie.
fn set_cookie(response: &mut Response<Bytes>, inner: &Inner, value: &str, max_age: u64) {
    let secure = if inner.secure_cookie { "; Secure" } else { "" };
    let cookie = format!(
        "{STATE_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn server_error(inner: &Inner) -> Response<Bytes> {
    pages::failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong. Please try again.",
        &inner.install_path,
    )
}
