//! Test support (feature `testing`): sign requests as Slack does, and write the payloads a
//! simulation needs; with `socket-mode`, a fake Socket Mode server ([`FakeSocketMode`]).
//!
//! ```
//! use chatbridge_core::adapter::{Accepted, Adapter};
//! use chatbridge_core::Secret;
//! use chatbridge_slack::SlackAdapter;
//! use chatbridge_slack::testing::{TestSigner, payload};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let signer = TestSigner::new("dev-signing-secret");
//! let adapter = SlackAdapter::builder(signer.secret().clone()).build().unwrap();
//! let body = payload::slash_command("/hello-there", "", "http://127.0.0.1:9/hook");
//! let request = signer.request("/slack/events", payload::FORM, body);
//! let accepted = adapter.accept(request).await.unwrap();
//! assert!(matches!(accepted, Accepted::Incoming(incoming) if incoming.message.text.is_empty()));
//! # });
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chatbridge_core::Secret;
use http::Request;

use crate::verify::sign;

#[cfg(feature = "socket-mode")]
mod socket_mode;
#[cfg(feature = "socket-mode")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket-mode")))]
pub use socket_mode::FakeSocketMode;

/// Signs request bodies with a signing secret, as Slack does.
#[derive(Clone)]
pub struct TestSigner {
    secret: Secret,
}

impl TestSigner {
    /// A signer for `secret`.
    pub fn new(secret: impl Into<Secret>) -> Self {
        Self { secret: secret.into() }
    }

    /// The signing secret (to configure the adapter under test with).
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// A signed `POST` of `body` to `path`, timestamped now.
    ///
    /// # Panics
    ///
    /// If `path` is not a valid URI path: this is test code.
    #[must_use]
    pub fn request(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Request<Bytes> {
        let body = body.into();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Request::post(path)
            .header(http::header::CONTENT_TYPE, content_type)
            .header("x-slack-request-timestamp", now.to_string())
            .header("x-slack-signature", sign(&self.secret, now, &body))
            .body(body)
            .expect("a valid test request")
    }
}

impl fmt::Debug for TestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestSigner").finish_non_exhaustive()
    }
}

/// Minimal payloads, shaped as Slack sends them.
pub mod payload {
    use std::sync::atomic::{AtomicU64, Ordering};

    use serde_json::json;

    /// The content type of slash commands and interactions.
    pub const FORM: &str = "application/x-www-form-urlencoded";
    /// The content type of Events API requests.
    pub const JSON: &str = "application/json";

    const TEAM: &str = "T0SIMULATE";
    const USER: &str = "U0SIMUSER";
    const APP: &str = "A0SIMAPP";

    static SEQUENCE: AtomicU64 = AtomicU64::new(1);

    fn next() -> u64 {
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    }

    /// A slash command form, replying through `response_url`.
    #[must_use]
    pub fn slash_command(command: &str, text: &str, response_url: &str) -> Vec<u8> {
        let n = next();
        form_urlencoded::Serializer::new(String::new())
            .append_pair("token", "unused-verification-token")
            .append_pair("team_id", TEAM)
            .append_pair("team_domain", "simulated")
            .append_pair("channel_id", "C0SIMCHAN")
            .append_pair("channel_name", "general")
            .append_pair("user_id", USER)
            .append_pair("user_name", "simulated.user")
            .append_pair("command", command)
            .append_pair("text", text)
            .append_pair("api_app_id", APP)
            .append_pair("is_enterprise_install", "false")
            .append_pair("response_url", response_url)
            .append_pair("trigger_id", &format!("{n}.simulated.trigger"))
            .finish()
            .into_bytes()
    }

    /// An `event_callback` carrying a `message` from a user in `channel`; `direct` makes it a
    /// DM (`channel_type: im`). Each call has a new `event_id` and `ts`.
    #[must_use]
    pub fn message(channel: &str, text: &str, direct: bool) -> Vec<u8> {
        let n = next();
        let ts = format!("1700000000.{n:06}");
        let event = json!({
            "type": "message",
            "channel": channel,
            "channel_type": if direct { "im" } else { "channel" },
            "user": USER,
            "text": text,
            "ts": ts,
            "event_ts": ts,
        });
        callback(event, n)
    }

    /// A `block_actions` payload (as the form Slack posts: `payload=` and the JSON): `user`
    /// pressed the button `action_id` with `value` on the message `message_ts` in `channel`.
    #[must_use]
    pub fn block_actions(
        action_id: &str,
        value: &str,
        user: &str,
        channel: &str,
        message_ts: &str,
        response_url: &str,
    ) -> Vec<u8> {
        let n = next();
        let payload = json!({
            "type": "block_actions",
            "user": {"id": user, "username": "simulated.user", "name": "simulated.user", "team_id": TEAM},
            "api_app_id": APP,
            "token": "unused-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": false},
            "trigger_id": format!("{n}.simulated.trigger"),
            "team": {"id": TEAM, "domain": "simulated"},
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", "ts": message_ts, "text": "", "user": "U0SIMBOT"},
            "response_url": response_url,
            "actions": [{
                "action_id": action_id, "block_id": format!("b{n}"), "type": "button",
                "text": {"type": "plain_text", "text": value, "emoji": true},
                "value": value, "action_ts": format!("1700000000.{n:06}"),
            }],
        });
        form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish()
            .into_bytes()
    }

    /// An `event_callback` carrying an `app_mention`.
    #[must_use]
    pub fn app_mention(channel: &str, text: &str) -> Vec<u8> {
        let n = next();
        let ts = format!("1700000000.{n:06}");
        let event = json!({
            "type": "app_mention", "channel": channel, "user": USER, "text": text,
            "ts": ts, "event_ts": ts,
        });
        callback(event, n)
    }

    fn callback(event: serde_json::Value, n: u64) -> Vec<u8> {
        let body = json!({
            "token": "unused-verification-token",
            "team_id": TEAM,
            "api_app_id": APP,
            "event": event,
            "type": "event_callback",
            "event_id": format!("Ev0SIM{n:06}"),
            "event_time": 1_700_000_000,
            "authorizations": [{"team_id": TEAM, "user_id": "U0SIMBOT", "is_bot": true, "is_enterprise_install": false}],
            "is_ext_shared_channel": false,
        });
        serde_json::to_vec(&body).unwrap_or_default()
    }
}
