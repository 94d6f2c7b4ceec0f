//! Public types are `Send + Sync`, and nothing secret shows in `Debug`.

use chatbridge_core::Secret;
use chatbridge_discord::model::{Interaction, InteractionToken};
use chatbridge_discord::register::CommandDefinition;
use chatbridge_discord::verify::Verifier;
use chatbridge_discord::{DiscordAdapter, DiscordAdapterBuilder};

fn send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<DiscordAdapter>();
    send_sync::<DiscordAdapterBuilder>();
    #[cfg(feature = "client")]
    send_sync::<chatbridge_discord::DiscordClient>();
    #[cfg(feature = "client")]
    send_sync::<chatbridge_discord::client::MessageBody>();
    send_sync::<Verifier>();
    send_sync::<Interaction>();
    send_sync::<CommandDefinition>();
}

#[test]
fn debug_redacts_the_bot_token_and_the_interaction_token() {
    let builder = crate::common::builder().bot_token(Secret::new("MTIz.bot-token-value"));
    let printed = format!("{builder:?}");
    assert!(!printed.contains("bot-token-value"), "{printed}");
    let adapter: DiscordAdapter = builder.build().unwrap();
    for printed in [format!("{adapter:?}"), format!("{adapter:#?}")] {
        assert!(!printed.contains("bot-token-value"), "{printed}");
    }
    #[cfg(feature = "client")]
    for printed in [format!("{adapter:?}"), format!("{:?}", adapter.client())] {
        assert!(!printed.contains("bot-token-value"), "{printed}");
        assert!(printed.contains("Secret([REDACTED])"), "{printed}");
    }
    let token = InteractionToken::new("aW50ZXJhY3Rpb24tdG9rZW4");
    assert_eq!(format!("{token:?}"), "InteractionToken([REDACTED])");
    let interaction =
        Interaction::from_slice(&crate::common::fixture("command_options.json")).unwrap();
    assert!(!format!("{interaction:#?}").contains(interaction.token.expose()));
}

#[test]
fn an_interaction_reads_the_same_from_bytes_and_from_a_json_value() {
    let body = crate::common::fixture("command_options.json");
    let from_bytes = Interaction::from_slice(&body).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let from_value: Interaction = serde_json::from_value(value).unwrap();
    assert_eq!(format!("{from_bytes:?}"), format!("{from_value:?}"));
    assert!(from_value.command().is_some());
}
