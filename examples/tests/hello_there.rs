//! `/hello-there` over the real server, with signed requests, on every platform it serves.

use std::time::{Duration, Instant};

use chatbridge_examples::bots::hello_there::{USAGE, router_with_pause};
use chatbridge_examples::simulate::{Platform, Session};

/// Well past the 300 ms the simulator waits after a response for calls that follow at once, so
/// that the follow-up is not taken for one of them however busy the machine is.
const PAUSE: Duration = Duration::from_secs(1);

async fn session() -> Session {
    Session::start("hello_there", router_with_pause(PAUSE)).await.unwrap()
}

#[tokio::test]
async fn slack_general_kenobi_inline_then_the_follow_up_at_the_response_url() {
    let s = session().await;
    let asked = Instant::now();
    let exchange = s.say(Platform::Slack, "/hello-there").await.unwrap();
    let json = exchange.json();
    assert_eq!(json["response_type"], "in_channel");
    assert_eq!(json["text"], "General Kenobi!");
    assert!(s.simulator().api().requests().is_empty(), "no follow-up before the pause");
    let calls = s.simulator().api_calls(1, Duration::from_secs(5)).await;
    assert!(asked.elapsed() >= PAUSE, "the follow-up came after the pause");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/hooks/response-url/hello-there");
    assert_eq!(calls[0].json()["text"], "You _are_ a bold one.");
    assert_eq!(calls[0].json()["response_type"], "in_channel");
    s.finish().await;
}

#[tokio::test]
async fn discord_general_kenobi_inline_then_one_follow_up() {
    let s = session().await;
    let exchange = s.say(Platform::Discord, "/hello-there").await.unwrap();
    let json = exchange.json();
    assert_eq!(json["type"], 4);
    assert_eq!(json["data"]["content"], "General Kenobi!");
    let calls = s.simulator().api_calls(1, Duration::from_secs(5)).await;
    assert!(s.simulator().bot().drain(Duration::from_secs(5)).await);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "POST");
    assert!(calls[0].path.starts_with("/api/v10/webhooks/1000000000000000001/"));
    assert_eq!(calls[0].json()["content"], "You _are_ a bold one.");
    assert!(calls[0].header("authorization").is_none(), "webhooks carry no bot token");
    s.finish().await;
}

#[tokio::test]
async fn help_gives_usage_ephemerally_and_nothing_follows() {
    let s = session().await;
    let slack = s.say(Platform::Slack, "/hello-there help").await.unwrap().json();
    assert_eq!(slack["response_type"], "ephemeral");
    assert_eq!(slack["text"], USAGE);
    let discord = s.say(Platform::Discord, "/hello-there help").await.unwrap().json();
    assert_eq!(discord["data"]["content"], USAGE);
    assert_eq!(discord["data"]["flags"], 64);
    assert!(s.simulator().bot().drain(Duration::from_secs(5)).await);
    assert!(s.simulator().api().requests().is_empty());
    s.finish().await;
}

#[tokio::test]
async fn lex_closes_the_intent_with_general_kenobi() {
    let s = session().await;
    let json = s.say(Platform::Lex, "Hello there").await.unwrap().json();
    assert_eq!(json["sessionState"]["dialogAction"]["type"], "Close");
    assert_eq!(json["sessionState"]["intent"]["state"], "Fulfilled");
    assert_eq!(json["messages"][0]["content"], "General Kenobi!");
    assert_eq!(json["messages"].as_array().map(Vec::len), Some(1));
    s.finish().await;
}

/// With `SLACK_APP_TOKEN` set and no signing secret: the example's own start-up opens Socket
/// Mode against a fake Slack on loopback; the command is answered in its acknowledgement, and
/// the follow-up goes to its `response_url` after the pause.
#[tokio::test]
async fn slack_over_socket_mode_general_kenobi_in_the_ack_then_the_follow_up() {
    use chatbridge_core::testing::FakeApi;
    use chatbridge_examples::app;
    use chatbridge_slack::testing::{FakeSocketMode, payload};

    let api = FakeApi::start().await;
    let slack = FakeSocketMode::start(&api).await;
    let api_url = slack.api_url();
    let lookup = |name: &str| {
        let value = match name {
            "CHATBRIDGE_ADDR" => "127.0.0.1:0",
            "CHATBRIDGE_STORE" => ":memory:",
            "SLACK_APP_TOKEN" => "xapp-1-A0SIMAPP-example-token",
            "SLACK_BOT_TOKEN" => "xoxb-example-token",
            "SLACK_API_URL" => api_url.as_str(),
            _ => return None,
        };
        Some(value.to_owned())
    };
    let bot = app::build_bot(router_with_pause(PAUSE), &lookup).await.unwrap();
    let server = app::local_server(&lookup).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    slack.wait_connected(1).await;

    let hook = format!("{}/hooks/socket/hello-there", api.url());
    let asked = Instant::now();
    let envelope = slack.send_command(&payload::slash_command("/hello-there", "", &hook));
    let ack = slack.ack_of(&envelope, Duration::from_secs(5)).await.expect("acknowledged");
    assert_eq!(ack["payload"]["text"], "General Kenobi!");
    assert_eq!(ack["payload"]["response_type"], "in_channel");
    let follow_up = api.wait_for(2, Duration::from_secs(10)).await; // connections.open, then it
    assert!(asked.elapsed() >= PAUSE, "the follow-up came after the pause");
    let paths: Vec<_> = follow_up.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["/api/apps.connections.open", "/hooks/socket/hello-there"]);
    assert_eq!(follow_up[1].json()["text"], "You _are_ a bold one.");

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert_eq!(slack.wait_closed(1).await, [1000]);
}
