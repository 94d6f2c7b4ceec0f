//! Stopping mid-work, with a real server process: this test binary runs itself again as the
//! server (`child_server`, which does nothing unless `CHATBRIDGE_CHILD_API` is set), and the
//! parent signals it with `kill`.
//!
//! - SIGTERM while a follow-up is pending: the follow-up reaches the (fake) platform before the
//!   process exits, within the shutdown bound.
//! - SIGKILL: nothing drains. A request the server had not answered gets no 2xx, so the
//!   platform retries it, and a fresh process handles the retry; a follow-up of a request
//!   already answered is lost (see `docs/security.md`, "Stopping").

#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::*;
use chatbridge_core::host::server::Server;
use chatbridge_core::testing::FakeApi;
use chatbridge_core::{Bot, Context, Message, Router, Secret};

const CHILD_ENV: &str = "CHATBRIDGE_CHILD_API";
/// How long the child's handler works before its follow-up.
const FOLLOW_UP_AFTER: Duration = Duration::from_millis(800);

/// The server process. Not a real test: without the variable it returns at once.
#[test]
fn child_server() {
    let Ok(api) = std::env::var(CHILD_ENV) else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        async fn hello(cx: Context, _msg: Message) {
            let _ = cx.reply("accepted").await;
            tokio::time::sleep(FOLLOW_UP_AFTER).await;
            let _ = cx.reply("follow-up").await;
        }
        async fn slow(_cx: Context, _msg: Message) -> &'static str {
            tokio::time::sleep(Duration::from_secs(2)).await;
            "finally"
        }
        let adapter = builder()
            .bot_token(Secret::new("xoxb-child"))
            .api_url(format!("{api}/api/"))
            .build()
            .unwrap();
        let router = Router::new().command("hello-there", hello).command("slow", slow);
        let bot = Bot::builder().mount(PATH, adapter).handler(router).build();
        let server =
            Server::bind("127.0.0.1:0").await.unwrap().shutdown_timeout(Duration::from_secs(5));
        println!("LISTENING {}", server.local_addr().unwrap());
        server.serve(bot).await.unwrap();
        println!("STOPPED");
    });
}

struct Process {
    child: Child,
    addr: String,
}

fn spawn(api: &str) -> Process {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "stopping::child_server", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, api)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        // The harness may print `test child_server ... ` on the same line.
        .find_map(|line| line.split_once("LISTENING ").map(|(_, addr)| addr.trim().to_owned()))
        .expect("the child reports its address");
    // Keep draining its output so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Process { child, addr }
}

impl Process {
    fn signal(&self, signal: &str) {
        let status =
            Command::new("kill").args([signal, &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `bound` (a bounded wait, not a timing check).
    async fn exited_within(&mut self, bound: Duration) -> std::process::ExitStatus {
        let exited = async {
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(bound, exited).await.expect("the process exits")
    }

    async fn send(&self, body: Vec<u8>) -> reqwest::Result<reqwest::Response> {
        let request = signed(FORM, body);
        let (parts, body) = request.into_parts();
        reqwest::Client::new()
            .post(format!("http://{}{PATH}", self.addr))
            .headers(parts.headers)
            .body(body)
            .send()
            .await
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(name: &str, response_url: &str) -> Vec<u8> {
    let body = fixture_with_url("slash_command.txt", response_url, true);
    String::from_utf8(body).unwrap().replace("hello-there", name).into_bytes()
}

#[tokio::test]
async fn sigterm_delivers_pending_follow_ups_before_exit() {
    let api = FakeApi::start().await;
    let mut process = spawn(&api.url());
    let hook = format!("{}/hook/term", api.url());
    let response = process.send(command("hello-there", &hook)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("accepted"));
    // The follow-up is still FOLLOW_UP_AFTER away when the signal lands.
    assert!(api.requests().is_empty());
    process.signal("-TERM");
    let status = process.exited_within(Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");
    // Nothing had gone when the signal landed; whatever the fake API has now, the process sent
    // before it exited.
    let calls = api.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].path, "/hook/term");
    assert_eq!(calls[0].json()["text"], "follow-up");
}

#[tokio::test]
async fn sigkill_loses_only_what_the_platform_was_not_told_was_accepted() {
    let api = FakeApi::start().await;
    let mut process = spawn(&api.url());

    // 1. A request still being handled (no response yet) when the process dies gets no 2xx:
    //    the platform sees a failed delivery and retries it.
    let in_flight = {
        let body = command("slow", "https://hooks.slack.com/unused");
        let addr = process.addr.clone();
        tokio::spawn(async move {
            let request = signed(FORM, body);
            let (parts, body) = request.into_parts();
            reqwest::Client::new()
                .post(format!("http://{addr}{PATH}"))
                .headers(parts.headers)
                .body(body)
                .send()
                .await
        })
    };
    // 2. A request answered (accepted) whose follow-up is still pending.
    let hook = format!("{}/hook/kill", api.url());
    let accepted = process.send(command("hello-there", &hook)).await.unwrap();
    assert_eq!(accepted.status(), 200);
    process.signal("-KILL");
    let status = process.exited_within(Duration::from_secs(5)).await;
    assert!(!status.success());
    let outcome = in_flight.await.unwrap();
    assert!(outcome.is_err(), "the unanswered request got no response: {outcome:?}");

    // The retry reaches a fresh process and is handled there.
    let fresh = spawn(&api.url());
    let retried = fresh.send(command("slow", "https://hooks.slack.com/unused")).await.unwrap();
    assert_eq!(retried.status(), 200);
    assert!(retried.text().await.unwrap().contains("finally"));

    // The accepted request's pending follow-up died with the process: nothing buffers it.
    tokio::time::sleep(FOLLOW_UP_AFTER).await;
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}
