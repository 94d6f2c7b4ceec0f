//! Shared helpers for the fuzz targets: adapters with fixed test keys, signing inside the
//! target so the parsers behind verification are reached, and the checks every target makes.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Ack, Adapter};
use chatbridge_core::clock::ManualClock;
use chatbridge_core::{AdapterError, Reply, Secret};
use chatbridge_discord::DiscordAdapter;
use chatbridge_discord::testing::TestSigner;
use chatbridge_lex::LexAdapter;
use chatbridge_slack::SlackAdapter;
use http::Request;

/// The Slack signing secret the targets sign with.
pub const SLACK_SECRET: &str = "fuzz-signing-secret";
/// The targets' "now" (Unix seconds).
pub const NOW: u64 = 1_700_000_000;
/// The Discord test key's seed.
pub const DISCORD_SEED: [u8; 32] = [7; 32];

/// The Slack adapter, built once, its clock fixed at [`NOW`].
pub fn slack() -> &'static SlackAdapter {
    static ADAPTER: OnceLock<SlackAdapter> = OnceLock::new();
    ADAPTER.get_or_init(|| {
        SlackAdapter::builder(Secret::new(SLACK_SECRET))
            .clock(Arc::new(ManualClock::at_unix(NOW)))
            .build()
            .expect("the fuzz adapter builds")
    })
}

/// A Slack request with `body`, signed correctly at [`NOW`].
pub fn slack_signed(content_type: &str, body: Vec<u8>) -> Request<Bytes> {
    let signature = chatbridge_slack::verify::sign(&Secret::new(SLACK_SECRET), NOW, &body);
    Request::post("/slack/events")
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", NOW.to_string())
        .header("x-slack-signature", signature)
        .body(Bytes::from(body))
        .expect("a valid request")
}

/// The Discord test signer.
pub fn discord_signer() -> &'static TestSigner {
    static SIGNER: OnceLock<TestSigner> = OnceLock::new();
    SIGNER.get_or_init(|| TestSigner::from_seed(DISCORD_SEED))
}

/// The Discord adapter for the test key (no client: nothing leaves the process).
pub fn discord() -> &'static DiscordAdapter {
    static ADAPTER: OnceLock<DiscordAdapter> = OnceLock::new();
    ADAPTER.get_or_init(|| {
        DiscordAdapter::builder(discord_signer().public_key_hex(), "1100000000000000001")
            .build()
            .expect("the fuzz adapter builds")
    })
}

/// The Lex adapter.
pub fn lex() -> &'static LexAdapter {
    static ADAPTER: OnceLock<LexAdapter> = OnceLock::new();
    ADAPTER.get_or_init(LexAdapter::new)
}

/// Has the adapter accept a request and, when it gives a message, has its responder render a
/// reply and the acknowledgements: nothing may panic, and a refusal must be a 4xx (a 500 from
/// reading a request is a bug).
pub fn exercise(adapter: &dyn Adapter, request: &Request<Bytes>) -> Option<Accepted> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    match runtime.block_on(adapter.accept(request.clone())) {
        Ok(Accepted::Incoming(incoming)) => {
            let responder = &incoming.responder;
            let _ = responder.respond(vec![Reply::text("fuzz reply")]);
            let _ = responder.respond(Vec::new());
            let _ = responder.acknowledge(Ack::Nothing);
            let _ = responder.acknowledge(Ack::Duplicate);
            Some(Accepted::Incoming(incoming))
        }
        Ok(other) => Some(other),
        Err(error) => {
            assert_refusal(&error);
            None
        }
    }
}

/// A refusal is a 4xx, never an internal error.
pub fn assert_refusal(error: &AdapterError) {
    assert!(error.status().is_client_error(), "accept refused with {}: {error}", error.status());
}

/// Splits fuzz input into `n` parts at newlines (the last part takes the rest).
pub fn split(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = data;
    for _ in 1..n {
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + 1..];
            }
            None => {
                parts.push(rest);
                rest = &[];
            }
        }
    }
    parts.push(rest);
    parts
}
