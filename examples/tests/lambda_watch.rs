//! The Lambda host for real on this machine: `scripts/lambda-watch-test.sh` runs the timing bot
//! under `cargo lambda watch` (the Lambda runtime API and Function URLs, emulated on loopback)
//! and points this test at it. Without that script's variables the test says it is skipped.

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use chatbridge_core::testing::FakeApi;
use chatbridge_discord::testing::{TestSigner as DiscordSigner, payload as discord_payload};
use chatbridge_slack::testing::{TestSigner as SlackSigner, payload as slack_payload};

/// Must match what `scripts/lambda-watch-test.sh` gives the function.
const SLACK_SECRET: &str = "lambda-watch-test-signing-secret";
const DISCORD_SEED: [u8; 32] = [42; 32];
const APP_ID: &str = "1000000000000000001";

struct Target {
    url: String,
    api: FakeApi,
    slack: SlackSigner,
    discord: DiscordSigner,
    client: reqwest::Client,
}

struct Answer {
    status: u16,
    body: String,
    elapsed: Duration,
}

impl Target {
    async fn from_env() -> Option<Self> {
        let url = std::env::var("CHATBRIDGE_TEST_LAMBDA_URL").ok()?;
        let api_addr = std::env::var("CHATBRIDGE_TEST_FAKE_API_ADDR").ok()?;
        let discord = DiscordSigner::from_seed(DISCORD_SEED);
        if let Ok(key) = std::env::var("CHATBRIDGE_TEST_DISCORD_PUBLIC_KEY") {
            assert_eq!(
                key,
                discord.public_key_hex(),
                "the script and the test disagree on the key"
            );
        }
        Some(Self {
            url,
            api: FakeApi::start_on(&api_addr).await,
            slack: SlackSigner::new(SLACK_SECRET),
            discord,
            client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().ok()?,
        })
    }

    async fn send(&self, request: http::Request<bytes::Bytes>) -> Answer {
        let (parts, body) = request.into_parts();
        let started = Instant::now();
        let response = self
            .client
            .post(format!("{}{}", self.url, parts.uri.path()))
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .expect("the emulated function answers");
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        Answer { status, body, elapsed: started.elapsed() }
    }

    async fn slack_command(&self, command: &str) -> Answer {
        let response_url = format!("{}/hooks{command}", self.api.url());
        let body = slack_payload::slash_command(command, "", &response_url);
        self.send(self.slack.request("/slack/events", slack_payload::FORM, body)).await
    }

    async fn discord_command(&self, name: &str) -> Answer {
        let body = discord_payload::command(APP_ID, name, &[]);
        self.send(self.discord.request("/discord/interactions", body)).await
    }

    async fn calls_after(&self, settle: Duration) -> Vec<chatbridge_core::testing::Recorded> {
        tokio::time::sleep(settle).await;
        self.api.requests()
    }
}

fn json(answer: &Answer) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs cargo lambda watch: run scripts/lambda-watch-test.sh"]
async fn replies_are_on_time_under_cargo_lambda_watch() {
    let t = Target::from_env()
        .await
        .expect("the emulated function's URL: run scripts/lambda-watch-test.sh");

    // A handler that answers in 10 ms: inline, and no follow-up call.
    let quick = t.slack_command("/quick").await;
    assert_eq!(quick.status, 200);
    assert_eq!(json(&quick)["text"], "quick answer");
    let quick = t.discord_command("quick").await;
    assert_eq!(json(&quick)["type"], 4);
    assert_eq!(json(&quick)["data"]["content"], "quick answer");
    assert!(t.calls_after(Duration::from_millis(500)).await.is_empty());

    // A handler that sleeps 10 s: acknowledged within the platform's 3 s, then the reply
    // arrives at the response_url.
    let slow = t.slack_command("/slow").await;
    assert_eq!(slow.status, 200);
    assert!(slow.elapsed < Duration::from_secs(3), "Slack ack took {:?}", slow.elapsed);
    let calls = t.api.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/hooks/slow");
    assert_eq!(calls[0].json()["text"], "slow answer, delivered as a follow-up");

    // On Discord: type 5 in time, then exactly one PATCH @original.
    let slow = t.discord_command("slow").await;
    assert_eq!(json(&slow)["type"], 5);
    assert!(slow.elapsed < Duration::from_secs(3), "Discord ack took {:?}", slow.elapsed);
    t.api.wait_for(2, Duration::from_secs(20)).await;
    let calls = &t.calls_after(Duration::from_secs(1)).await[1..];
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].method, "PATCH");
    assert!(calls[0].path.ends_with("/messages/@original"), "{}", calls[0].path);
    assert_eq!(calls[0].json()["content"], "slow answer, delivered as a follow-up");

    // /hello-there: "General Kenobi!" inline, "You _are_ a bold one." about 5 s later.
    let hello = t.slack_command("/hello-there").await;
    assert_eq!(json(&hello)["text"], "General Kenobi!");
    let calls = t.api.wait_for(3, Duration::from_secs(15)).await;
    assert_eq!(calls[2].path, "/hooks/hello-there");
    assert_eq!(calls[2].json()["text"], "You _are_ a bold one.");
    let hello = t.discord_command("hello-there").await;
    assert_eq!(json(&hello)["data"]["content"], "General Kenobi!");
    let calls = t.api.wait_for(4, Duration::from_secs(15)).await;
    assert_eq!(calls[3].method, "POST");
    assert_eq!(calls[3].json()["content"], "You _are_ a bold one.");
}
