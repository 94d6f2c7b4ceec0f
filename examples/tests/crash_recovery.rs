//! hello_there as a real process on a SQLite `CHATBRIDGE_STORE`: a signed `/hello-there` gets
//! "General Kenobi!" inline, the process is killed with SIGKILL during its 5 s pause, and the
//! same bot started again on the same store delivers exactly one "You _are_ a bold one."
//! (within 30 s) and never a second "General Kenobi!". Counted at the fake platform API.
//!
//! The same on PostgreSQL with the `postgres` feature and `--ignored` (the database in
//! `CHATBRIDGE_TEST_POSTGRES_URL`, from `scripts/postgres-local.sh start`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatbridge_core::store::SharedStore;
use chatbridge_core::testing::{FakeApi, Recorded};
use chatbridge_discord::testing::{TestSigner as DiscordSigner, payload as discord_payload};
use chatbridge_slack::testing::{TestSigner as SlackSigner, payload as slack_payload};

const SLACK_SECRET: &str = "crash-recovery-signing-secret";
const DISCORD_SEED: [u8; 32] = [7; 32];
const APP_ID: &str = "1000000000000000001";
const BOLD: &str = "You _are_ a bold one.";
const KENOBI: &str = "General Kenobi!";

/// The bot's process and where it listens, with its environment to start it again.
struct Bot {
    child: Child,
    url: String,
}

struct Setup {
    dir: tempfile::TempDir,
    api: FakeApi,
    port: u16,
    /// `CHATBRIDGE_STORE`: a SQLite file in `dir`, or a PostgreSQL URL.
    store: String,
}

impl Setup {
    async fn new(postgres: Option<String>) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let sqlite: PathBuf = dir.path().join("hello_there.db");
        let store = postgres.unwrap_or_else(|| sqlite.display().to_string());
        Self { dir, api: FakeApi::start().await, port, store }
    }

    async fn open_store(&self) -> SharedStore {
        let lookup = |name: &str| (name == "CHATBRIDGE_STORE").then(|| self.store.clone());
        chatbridge_examples::app::open_store(&lookup).await.expect("the store opens")
    }

    /// Starts the hello_there process and waits until it serves.
    async fn start(&self, run: usize) -> Bot {
        let log = std::fs::File::create(self.dir.path().join(format!("run{run}.log"))).unwrap();
        let api = self.api.url();
        let child = Command::new(env!("CARGO_BIN_EXE_bots"))
            .args(["hello_there", "serve"])
            .env("CHATBRIDGE_STORE", &self.store)
            .env("CHATBRIDGE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("SLACK_SIGNING_SECRET", SLACK_SECRET)
            .env("SLACK_BOT_TOKEN", "xoxb-crash-test")
            .env("SLACK_API_URL", format!("{api}/api/"))
            .env("DISCORD_PUBLIC_KEY", DiscordSigner::from_seed(DISCORD_SEED).public_key_hex())
            .env("DISCORD_APPLICATION_ID", APP_ID)
            .env("DISCORD_BOT_TOKEN", "crash-test-discord-token")
            .env("DISCORD_API_URL", format!("{api}/api/v10"))
            .env("RUST_LOG", "info")
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the bots binary starts");
        let url = format!("http://127.0.0.1:{}", self.port);
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let health = client.get(format!("{url}/healthz")).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Bot { child, url };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("hello_there did not start: {}", self.log(run));
    }

    fn log(&self, run: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("run{run}.log"))).unwrap_or_default()
    }

    /// Sends a request and gives the response's JSON.
    async fn send(&self, bot: &Bot, request: http::Request<Bytes>) -> serde_json::Value {
        let (parts, body) = request.into_parts();
        let response = reqwest::Client::new()
            .post(format!("{}{}", bot.url, parts.uri.path()))
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .expect("the bot answers");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("a JSON answer")
    }

    /// Waits until the store's inbox holds nothing of `platform`: the recovered handler
    /// finished.
    async fn wait_for_empty_inbox(&self, platform: &str) {
        let store = self.open_store().await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !store.scan(&format!("inbox/{platform}/")).await.unwrap().is_empty() {
            assert!(Instant::now() < deadline, "the request never finished");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn kill(mut bot: Bot) {
    bot.child.kill().expect("SIGKILL"); // `Child::kill` is SIGKILL on Unix
    let _ = bot.child.wait();
}

fn texts(calls: &[Recorded]) -> Vec<String> {
    calls
        .iter()
        .map(|c| {
            let json = c.json();
            json["text"].as_str().or(json["content"].as_str()).unwrap_or_default().to_owned()
        })
        .collect()
}

/// Kill after the inline answer, restart, count: exactly one follow-up, no second greeting.
async fn killed_mid_pause_then_restarted(
    store: Option<String>,
    platform: &str,
    request: impl Fn(&Setup) -> http::Request<Bytes>,
    inline_text: impl Fn(&serde_json::Value) -> String,
    follow_up_path: impl Fn(&str) -> bool,
) {
    let setup = Setup::new(store).await;
    let first = setup.start(1).await;
    let answer = setup.send(&first, request(&setup)).await;
    assert_eq!(inline_text(&answer), KENOBI);
    kill(first);
    assert!(setup.api.requests().is_empty(), "nothing followed before the kill");

    let restarted_at = Instant::now();
    let second = setup.start(2).await;
    let calls = setup.api.wait_for(1, Duration::from_secs(30)).await;
    assert!(restarted_at.elapsed() <= Duration::from_secs(30), "{}", setup.log(2));
    assert_eq!(texts(&calls), [BOLD], "{}", setup.log(2));
    assert!(follow_up_path(&calls[0].path), "{}", calls[0].path);
    setup.wait_for_empty_inbox(platform).await;
    // Stopped gracefully, the bot delivers whatever it still had; after that nothing can come.
    stop(second);
    assert_eq!(texts(&setup.api.requests()), [BOLD], "{}", setup.log(2));
}

/// SIGTERM, and wait for the graceful shutdown (which delivers pending follow-ups) to end.
fn stop(mut bot: Bot) {
    let pid = bot.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(sent.success());
    let status = bot.child.wait().expect("the bot exits");
    assert!(status.success(), "{status}");
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
