//! emojibot on the Discord Gateway, configured as a deployment is (`DISCORD_GATEWAY=1`,
//! `DISCORD_BOT_TOKEN`, `DISCORD_API_URL`), against the fake Gateway and the fake REST API.

use std::time::Duration;

use chatbridge_core::host::server::Server;
use chatbridge_core::testing::FakeApi;
use chatbridge_discord::testing::gateway::{FakeGateway, events};
use chatbridge_examples::app::{build_bot, with_connections};
use chatbridge_examples::bots::emojibot;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn emojibot_reacts_to_pizzas_in_a_channel_and_answers_a_dm_over_the_gateway() {
    let api = FakeApi::start().await;
    let gateway = FakeGateway::start().await;
    gateway.serve_gateway_bot(&api, 1);
    gateway.require_token("discord-bot-token");
    let api_url = api.url();
    let lookup = move |name: &str| {
        let value = match name {
            "CHATBRIDGE_STORE" => ":memory:",
            "DISCORD_GATEWAY" => "1",
            "DISCORD_BOT_TOKEN" => "discord-bot-token",
            "DISCORD_API_URL" => api_url.as_str(),
            _ => return None,
        };
        Some(value.to_owned())
    };
    let bot = build_bot(emojibot::router(), &lookup).await.unwrap();
    let server = with_connections(Server::bind("127.0.0.1:0").await.unwrap(), &lookup).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    assert_eq!(gateway.wait_for_op(2, 1, WAIT).await.len(), 1, "IDENTIFY");

    let in_channel = events::message("I love pizzas");
    gateway.dispatch("MESSAGE_CREATE", in_channel.clone());
    let dm = events::direct_message("I love pizzas");
    gateway.dispatch("MESSAGE_CREATE", dm.clone());

    // GET /gateway/bot, the reaction and the reply.
    let calls = api.wait_for(3, WAIT).await;
    let reaction = calls.iter().find(|c| c.method == "PUT").expect("a reaction");
    assert_eq!(
        reaction.path,
        format!(
            "/channels/{}/messages/{}/reactions/%F0%9F%8D%95/@me",
            events::CHANNEL,
            events::id_of(&in_channel)
        )
    );
    let reply = calls.iter().find(|c| c.method == "POST").expect("a reply to the DM");
    assert_eq!(reply.path, format!("/channels/{}/messages", events::DM_CHANNEL));
    assert_eq!(reply.json()["content"], "🍕");
    assert_eq!(reply.json()["message_reference"]["message_id"], events::id_of(&dm));
    assert_eq!(reply.header("authorization"), Some("Bot discord-bot-token"));

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert_eq!(gateway.wait_for_close(WAIT).await, [1000]);
    assert_eq!(api.requests().len(), 3, "nothing else was sent: {:?}", api.requests());
}
