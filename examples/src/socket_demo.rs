//! Slack Socket Mode on this machine: a fake Slack plays `apps.connections.open` and the
//! WebSocket, and the bot's own start-up (`SLACK_APP_TOKEN` set, no signing secret, no public
//! URL) connects to it, as it would to Slack.

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use chatbridge_core::testing::FakeApi;
use chatbridge_core::{BoxError, Router};
use chatbridge_slack::testing::{FakeSocketMode, payload};

use crate::app::{build_bot, local_server};

/// How long the demo waits for the follow-up.
const FOLLOW_UP_WAIT: Duration = Duration::from_secs(30);

/// Serves `router` over Slack Socket Mode against a fake Slack, sends `/hello-there` and
/// prints the acknowledgement (with the inline answer) and the follow-up as they arrive.
///
/// # Errors
///
/// The bot could not be built or served, or Slack's side never heard back.
pub async fn slash_command(command: &str, router: Router) -> Result<(), BoxError> {
    let started = Instant::now();
    let api = FakeApi::start().await;
    let slack = FakeSocketMode::start(&api).await;
    let api_url = slack.api_url();
    let lookup = |name: &str| {
        let value = match name {
            "CHATBRIDGE_ADDR" => "127.0.0.1:0",
            "CHATBRIDGE_STORE" => ":memory:",
            "SLACK_APP_TOKEN" => "xapp-1-simulated-app-token",
            "SLACK_BOT_TOKEN" => "xoxb-simulated-token",
            "SLACK_API_URL" => api_url.as_str(),
            _ => return None,
        };
        Some(value.to_owned())
    };
    let bot = build_bot(router, &lookup).await?;
    let server = local_server(&lookup).await?;
    println!("chatbridge simulator: Slack Socket Mode, no public URL and no signing secret");
    println!("  fake Slack socket: ws://{}", slack.addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    slack.wait_connected(1).await;
    println!("  apps.connections.open, then the socket: Slack said hello");

    let response_url = format!("{}/hooks/response-url/socket", api.url());
    println!();
    println!("→ Slack slash command {command} over the socket (a slash_commands envelope)");
    let sent = Instant::now();
    let envelope = slack.send_command(&payload::slash_command(command, "", &response_url));
    let ack = slack.ack_of(&envelope, Duration::from_secs(5)).await.ok_or("no acknowledgement")?;
    println!(
        "← ack in {:.1} ms, the answer in its payload: {}",
        sent.elapsed().as_secs_f64() * 1000.0,
        ack["payload"]
    );
    let calls = api.wait_for(2, FOLLOW_UP_WAIT).await;
    for call in calls.iter().filter(|c| c.path.starts_with("/hooks/")) {
        let at = started.elapsed().as_secs_f64();
        println!(
            "⇢ +{at:.1} s  {} {}  — follow-up {}",
            call.method,
            call.path,
            call.json()["text"]
        );
    }
    let _ = stop.send(());
    serving.await??;
    let closes = slack.wait_closed(1).await;
    println!();
    println!("socket closed at shutdown (close code {closes:?})");
    Ok(())
}
