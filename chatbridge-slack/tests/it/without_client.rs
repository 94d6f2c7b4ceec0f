//! Built without the `client` feature (`cargo test -p chatbridge-slack --no-default-features`):
//! requests are still verified, parsed and answered inline; a reply that needs the Web API
//! fails as unsupported.

use std::sync::{Arc, Mutex};

use crate::common::*;
use chatbridge_core::{Bot, BotError, DeliveryError, Reply};

#[tokio::test]
async fn requests_are_answered_inline_and_later_replies_are_unsupported() {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let hook = Arc::clone(&errors);
    let (recorder, mut seen) = Recorder::new(Some(Reply::text("inline")));
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(recorder)
        .on_error(move |error: &BotError| {
            if let BotError::Delivery { error, .. } = error {
                hook.lock().unwrap().push(matches!(error, DeliveryError::Unsupported { .. }));
            }
        })
        .build();

    let unsigned = bot.handle(unsigned(JSON, fixture("message_channel.json"))).await;
    assert_eq!(unsigned.status(), 401);

    let command = fixture_with_url("slash_command.txt", "https://hooks.slack.com/x", true);
    let response = bot.handle(signed(FORM, command)).await;
    assert_eq!(json_body(&response)["text"], "inline");
    seen.next().await;

    // An event's reply goes through chat.postMessage: not built in.
    let response = bot.handle(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(response.status(), 200);
    seen.next().await;
    tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while errors.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    assert_eq!(*errors.lock().unwrap(), [true], "one delivery, refused as unsupported");
}
