//! Test support (feature `testing`): sign requests as Discord does, and write the interaction
//! payloads a simulation needs.
//!
//! ```
//! use chatbridge_core::{Bot, Router};
//! use chatbridge_discord::DiscordAdapter;
//! use chatbridge_discord::testing::{TestSigner, payload};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let signer = TestSigner::from_seed([7; 32]);
//! let adapter = DiscordAdapter::builder(signer.public_key_hex(), "1").build().unwrap();
//! let bot = Bot::builder().mount("/discord/interactions", adapter).handler(Router::new()).build();
//! let request = signer.request("/discord/interactions", payload::ping("1"));
//! assert_eq!(&bot.handle(request).await.body()[..], br#"{"type":1}"#);
//! # });
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ed25519_dalek::{Signer, SigningKey};
use http::Request;

use crate::verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER};

#[cfg(feature = "gateway")]
#[cfg_attr(docsrs, doc(cfg(feature = "gateway")))]
pub mod gateway;

/// Signs request bodies with a fixed Ed25519 key, as Discord signs with its own.
#[derive(Clone)]
pub struct TestSigner {
    key: SigningKey,
}

impl TestSigner {
    /// A signer whose key is derived from a fixed 32-byte seed.
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self { key: SigningKey::from_bytes(&seed) }
    }

    /// The public key, as the developer portal shows it (64 hex characters).
    #[must_use]
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// The hex signature of `timestamp` followed by `body`.
    #[must_use]
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.extend_from_slice(body);
        hex::encode(self.key.sign(&message).to_bytes())
    }

    /// A signed `POST` of `body` to `path`, timestamped now.
    ///
    /// # Panics
    ///
    /// If `path` is not a valid URI path: this is test code.
    #[must_use]
    pub fn request(&self, path: &str, body: impl Into<Bytes>) -> Request<Bytes> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.request_at(path, body, &now.to_string())
    }

    /// A signed `POST` of `body` to `path` with the given timestamp: an old one, for a
    /// verifier with a freshness window; a fixed one, for requests that are the same bytes on
    /// every run (Ed25519 verification takes a time that depends on the signature).
    ///
    /// ```
    /// use chatbridge_discord::testing::TestSigner;
    /// use chatbridge_discord::verify::Verifier;
    ///
    /// let signer = TestSigner::from_seed([7; 32]);
    /// let request = signer.request_at("/interactions", &b"{}"[..], "1700000000");
    /// assert_eq!(request.headers()["x-signature-timestamp"], "1700000000");
    /// let verifier = Verifier::new(&signer.public_key_hex()).unwrap();
    /// assert!(verifier.verify_request(&request).is_ok());
    /// ```
    ///
    /// # Panics
    ///
    /// If `path` is not a valid URI path, or `timestamp` not a valid header value: this is
    /// test code.
    #[must_use]
    pub fn request_at(
        &self,
        path: &str,
        body: impl Into<Bytes>,
        timestamp: &str,
    ) -> Request<Bytes> {
        let body = body.into();
        Request::post(path)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, self.sign(timestamp, &body))
            .header(TIMESTAMP_HEADER, timestamp)
            .body(body)
            .expect("a valid test request")
    }
}

impl fmt::Debug for TestSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestSigner").field("public_key", &self.public_key_hex()).finish()
    }
}

/// Minimal interaction payloads, shaped as Discord sends them: each has an interaction id (and
/// token) of its own, as each of Discord's does, so that a bot, which runs an interaction id
/// once, runs every one.
pub mod payload {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    use serde_json::{Value, json};

    const GUILD: &str = "1170000000000000000";
    const CHANNEL: &str = "1160000000000000000";
    const USER: &str = "1100000000000000005";

    /// A fresh interaction id, a snowflake as Discord makes them: milliseconds since 2015 in
    /// the high bits, so that ids from another run (a bot with a persistent store) differ too.
    fn next_id() -> String {
        const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
        static NEXT: OnceLock<AtomicU64> = OnceLock::new();
        let next = NEXT.get_or_init(|| {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
            let since = u64::try_from(now).unwrap_or(u64::MAX).saturating_sub(DISCORD_EPOCH_MS);
            AtomicU64::new(since << 22)
        });
        next.fetch_add(1, Ordering::Relaxed).to_string()
    }

    fn envelope(application_id: &str, kind: u8, data: Value) -> Vec<u8> {
        let id = next_id();
        let body = json!({
            "id": id,
            "application_id": application_id,
            "type": kind,
            "token": format!("test-token-{id}"),
            "version": 1,
            "guild_id": GUILD,
            "channel_id": CHANNEL,
            "context": 0,
            "locale": "en-US",
            "member": {"roles": [], "user": {"id": USER, "username": "tester", "discriminator": "0"}},
            "data": data,
        });
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// A PING.
    #[must_use]
    pub fn ping(application_id: &str) -> Vec<u8> {
        let body = json!({"id": "1", "application_id": application_id, "type": 1, "token": "t", "version": 1});
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// A chat-input command with string options, in a guild channel.
    #[must_use]
    pub fn command(application_id: &str, name: &str, options: &[(&str, &str)]) -> Vec<u8> {
        let options: Vec<Value> = options
            .iter()
            .map(|(name, value)| json!({"name": name, "type": 3, "value": value}))
            .collect();
        let data =
            json!({"id": "1140000000000000000", "name": name, "type": 1, "options": options});
        envelope(application_id, 2, data)
    }

    /// A MESSAGE context-menu command on a message with `content`.
    #[must_use]
    pub fn message_command(application_id: &str, name: &str, content: &str) -> Vec<u8> {
        let target = "1165000000000000100";
        let data = json!({
            "id": "1140000000000000001", "name": name, "type": 3, "target_id": target,
            "resolved": {"messages": {target: {"id": target, "channel_id": CHANNEL, "content": content,
                "author": {"id": "1130000000000000001", "username": "author", "discriminator": "0"}}}}
        });
        envelope(application_id, 2, data)
    }

    /// A button press on a message of the bot's.
    #[must_use]
    pub fn button(application_id: &str, custom_id: &str) -> Vec<u8> {
        button_by(application_id, custom_id, USER)
    }

    /// A button press on a message of the bot's, by the user `user_id`.
    #[must_use]
    pub fn button_by(application_id: &str, custom_id: &str, user_id: &str) -> Vec<u8> {
        let data = json!({"component_type": 2, "custom_id": custom_id});
        let mut body: Value =
            serde_json::from_slice(&envelope(application_id, 3, data)).unwrap_or_default();
        body["member"]["user"]["id"] = json!(user_id);
        body["message"] =
            json!({"id": "1165000000000000101", "channel_id": CHANNEL, "content": ""});
        serde_json::to_vec(&body).unwrap_or_default()
    }
}
