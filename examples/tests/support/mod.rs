//! Example bots as real processes: started on a store, sent signed requests, killed or
//! stopped; the platform's API is a fake on loopback that counts what they send.

#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatbridge_core::store::SharedStore;
use chatbridge_core::testing::{FakeApi, Recorded};
use chatbridge_discord::testing::TestSigner as DiscordSigner;

pub const SLACK_SECRET: &str = "crash-recovery-signing-secret";
pub const DISCORD_SEED: [u8; 32] = [7; 32];
pub const APP_ID: &str = "1000000000000000001";

/// A bot's process and where it listens.
pub struct Bot {
    pub child: Child,
    pub url: String,
}

/// A test that fails leaves no process behind.
impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Setup {
    pub dir: tempfile::TempDir,
    pub api: FakeApi,
    /// `CHATBRIDGE_STORE`: a SQLite file in `dir`, or a PostgreSQL URL.
    pub store: String,
}

impl Setup {
    pub async fn new(postgres: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let sqlite: PathBuf = dir.path().join("hello_there.db");
        let store = postgres.unwrap_or_else(|| sqlite.display().to_string());
        Self { dir, api: FakeApi::start().await, store }
    }

    pub async fn open_store(&self) -> SharedStore {
        let lookup = |name: &str| (name == "CHATBRIDGE_STORE").then(|| self.store.clone());
        chatbridge_examples::app::open_store(&lookup).await.expect("the store opens")
    }

    /// Starts `count` processes of example bot `name` on one store, runs 1 to `count`.
    pub async fn start_many(&self, name: &str, count: usize) -> Vec<Option<Bot>> {
        let mut bots = Vec::with_capacity(count);
        for run in 1..=count {
            bots.push(Some(self.start(name, run).await));
        }
        bots
    }

    /// Starts example bot `name` as a process on a free port and waits until it serves.
    pub async fn start(&self, name: &str, run: usize) -> Bot {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::fs::File::create(self.dir.path().join(format!("run{run}.log"))).unwrap();
        let api = self.api.url();
        let mut child = Command::new(env!("CARGO_BIN_EXE_bots"))
            .args([name, "serve"])
            .env("CHATBRIDGE_STORE", &self.store)
            .env("CHATBRIDGE_ADDR", format!("127.0.0.1:{port}"))
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
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let health = client.get(format!("{url}/healthz")).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Bot { child, url };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("{name} did not start: {}", self.log(run));
    }

    pub fn log(&self, run: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("run{run}.log"))).unwrap_or_default()
    }

    /// Sends a request and gives the response's JSON.
    pub async fn send(&self, bot: &Bot, request: http::Request<Bytes>) -> serde_json::Value {
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
    pub async fn wait_for_empty_inbox(&self, platform: &str) {
        let store = self.open_store().await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while !store.scan(&format!("inbox/{platform}/")).await.unwrap().is_empty() {
            assert!(Instant::now() < deadline, "the request never finished");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub fn kill(mut bot: Bot) {
    bot.child.kill().expect("SIGKILL"); // `Child::kill` is SIGKILL on Unix
    let _ = bot.child.wait();
}

pub fn texts(calls: &[Recorded]) -> Vec<String> {
    calls
        .iter()
        .map(|c| {
            let json = c.json();
            json["text"].as_str().or(json["content"].as_str()).unwrap_or_default().to_owned()
        })
        .collect()
}

/// SIGTERM, and wait for the graceful shutdown (which delivers pending follow-ups) to end.
pub fn stop(mut bot: Bot) {
    let pid = bot.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(sent.success());
    let status = bot.child.wait().expect("the bot exits");
    assert!(status.success(), "{status}");
}
