//! hello_there as a real process on a SQLite `CHATBRIDGE_STORE`: a signed `/hello-there` gets
//! "General Kenobi!" inline, the process is killed with SIGKILL during its 5 s pause, and the
//! same bot started again on the same store delivers exactly one "You _are_ a bold one."
//! (within 30 s) and never a second "General Kenobi!". Counted at the fake platform API.
//!
//! The same on PostgreSQL with the `postgres` feature and `--ignored` (the database in
//! `CHATBRIDGE_TEST_POSTGRES_URL`, from `scripts/postgres-local.sh start`).

mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use chatbridge_discord::testing::{TestSigner as DiscordSigner, payload as discord_payload};
use chatbridge_slack::testing::{TestSigner as SlackSigner, payload as slack_payload};
use support::{APP_ID, DISCORD_SEED, SLACK_SECRET, Setup, kill, stop, texts};

const BOLD: &str = "You _are_ a bold one.";
const KENOBI: &str = "General Kenobi!";

/// Kill after the inline answer, restart, count: exactly one follow-up, no second greeting.
async fn killed_mid_pause_then_restarted(
    store: Option<String>,
    platform: &str,
    request: impl Fn(&Setup) -> http::Request<Bytes>,
    inline_text: impl Fn(&serde_json::Value) -> String,
    follow_up_path: impl Fn(&str) -> bool,
) {
    let setup = Setup::new(store).await;
    let first = setup.start("hello_there", 1).await;
    let answer = setup.send(&first, request(&setup)).await;
    assert_eq!(inline_text(&answer), KENOBI);
    kill(first);
    assert!(setup.api.requests().is_empty(), "nothing followed before the kill");

    let restarted_at = Instant::now();
    let second = setup.start("hello_there", 2).await;
    let calls = setup.api.wait_for(1, Duration::from_secs(30)).await;
    assert!(restarted_at.elapsed() <= Duration::from_secs(30), "{}", setup.log(2));
    assert_eq!(texts(&calls), [BOLD], "{}", setup.log(2));
    assert!(follow_up_path(&calls[0].path), "{}", calls[0].path);
    setup.wait_for_empty_inbox(platform).await;
    // Stopped gracefully, the bot delivers whatever it still had; after that nothing can come.
    stop(second);
    assert_eq!(texts(&setup.api.requests()), [BOLD], "{}", setup.log(2));
}

async fn slack(store: Option<String>) {
    killed_mid_pause_then_restarted(
        store,
        "slack",
        |setup| {
            let response_url = format!("{}/hooks/response-url/crash", setup.api.url());
            let form = slack_payload::slash_command("/hello-there", "", &response_url);
            SlackSigner::new(SLACK_SECRET).request("/slack/events", slack_payload::FORM, form)
        },
        |answer| answer["text"].as_str().unwrap_or_default().to_owned(),
        |path| path == "/hooks/response-url/crash",
    )
    .await;
}

async fn discord(store: Option<String>) {
    killed_mid_pause_then_restarted(
        store,
        "discord",
        |_| {
            let body = discord_payload::command(APP_ID, "hello-there", &[]);
            DiscordSigner::from_seed(DISCORD_SEED).request("/discord/interactions", body)
        },
        |answer| answer["data"]["content"].as_str().unwrap_or_default().to_owned(),
        |path| path.starts_with(&format!("/api/v10/webhooks/{APP_ID}/")),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_slack_hello_there_killed_mid_pause_delivers_the_follow_up_once_after_a_restart() {
    slack(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_discord_hello_there_killed_mid_pause_delivers_the_follow_up_once_after_a_restart() {
    discord(None).await;
}

#[cfg(feature = "postgres")]
fn postgres_url() -> Option<String> {
    match std::env::var("CHATBRIDGE_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => panic!(
            "CHATBRIDGE_TEST_POSTGRES_URL is not set: run \
             `eval \"$(scripts/postgres-local.sh start)\"` first"
        ),
    }
}

/// One test for both platforms, one after the other: the bots on a shared database sweep
/// every request in it, so two scenarios at once would recover each other's.
#[cfg(feature = "postgres")]
#[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_hello_there_killed_mid_pause_delivers_the_follow_up_once_after_a_restart() {
    slack(postgres_url()).await;
    discord(postgres_url()).await;
}
