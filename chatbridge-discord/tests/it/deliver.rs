//! Delivery failures reach the bot's error hook as typed errors: an interaction token older
//! than 15 minutes, a reaction without a bot token, what only an initial response can carry.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chatbridge_core::host::ReceivedAt;
use chatbridge_core::testing::FakeApi;
use chatbridge_core::{Bot, BotError, Context, DeliveryError, Message, Reply, Router, Visibility};
use chatbridge_discord::{Component, DiscordReplyExt, Modal, TextInputStyle};

use crate::common::*;

/// Runs `router` on a fixture; returns the delivery errors and the calls the fake API got.
async fn run(
    router: Router,
    bot_token: Option<&str>,
    received: Instant,
    body: Vec<u8>,
) -> (Vec<String>, usize) {
    let api = FakeApi::start().await;
    let mut adapter = builder().api_url(format!("{}/api/v10", api.url()));
    if let Some(token) = bot_token {
        adapter = adapter.bot_token(token);
    }
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&errors);
    let bot = Bot::builder()
        .mount("/discord", adapter.build().unwrap())
        .handler(router)
        .ack_budget(Duration::from_millis(100))
        .on_error(move |error| {
            if let BotError::Delivery { error, .. } = error {
                let kind = match error {
                    DeliveryError::Expired { .. } => "expired",
                    DeliveryError::Unsupported { .. } => "unsupported",
                    _ => "other",
                };
                seen.lock().unwrap().push(kind.to_owned());
            }
        })
        .build();
    let mut request = signed("/discord", body);
    request.extensions_mut().insert(ReceivedAt(received));
    let response = bot.handle(request).await;
    assert_eq!(response.status(), 200);
    assert!(bot.drain(Duration::from_secs(5)).await);
    let errors = errors.lock().unwrap().clone();
    (errors, api.requests().len())
}

#[tokio::test]
async fn a_reply_after_15_minutes_is_reported_expired_without_a_call() {
    let Some(long_ago) = Instant::now().checked_sub(Duration::from_secs(16 * 60)) else {
        return; // a machine up for less than 16 minutes cannot express the instant
    };
    let router = Router::new().fallback(|_cx: Context, _msg: Message| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        "too late"
    });
    let (errors, calls) = run(router, None, long_ago, fixture("command_options.json")).await;
    assert_eq!(errors, ["expired"]);
    assert_eq!(calls, 0);
}

#[tokio::test]
async fn a_reaction_without_a_bot_token_is_unsupported() {
    // Reactions go out in the background: the failure reaches the error hook.
    let router = Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.reply(Reply::reaction("pizza")).await.expect("a reaction is sent in the background");
    });
    let (errors, calls) = run(router, None, Instant::now(), fixture("component_button.json")).await;
    assert_eq!(errors, ["unsupported"]);
    assert_eq!(calls, 0);
    // With the token, the same reply reaches the API.
    let router =
        Router::new().fallback(|_cx: Context, _msg: Message| async { Reply::reaction("pizza") });
    let (errors, calls) =
        run(router, Some("bot"), Instant::now(), fixture("component_button.json")).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(calls, 1);
}

#[tokio::test]
async fn a_modal_after_a_deferral_is_unsupported() {
    let router = Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.defer(Visibility::Default);
        let field = Component::label("Why", Component::text_input("why", TextInputStyle::Short));
        Reply::new().modal(Modal::new("m", "Too late", [field]))
    });
    let (errors, calls) = run(router, None, Instant::now(), fixture("command_options.json")).await;
    assert_eq!(errors, ["unsupported"]);
    assert_eq!(calls, 0);
}

#[tokio::test]
async fn a_follow_up_to_autocomplete_is_unsupported() {
    // Autocomplete takes its choices as the response and nothing after it.
    let router = Router::new().fallback(|cx: Context, _msg: Message| async move {
        let _ = cx.reply(Reply::new().choices([])).await;
        let _ = cx.reply("and another thing").await;
    });
    let (errors, calls) = run(router, None, Instant::now(), fixture("autocomplete.json")).await;
    assert_eq!(errors, ["unsupported"]);
    assert_eq!(calls, 0);
}
