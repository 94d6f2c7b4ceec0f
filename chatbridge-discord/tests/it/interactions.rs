//! Every interaction type, from payloads written from Discord's docs, becomes the right
//! `Message` with its typed interaction reachable through `msg.discord()`.

use crate::common::*;
use chatbridge_core::adapter::{Accepted, Timing};
use chatbridge_core::{Message, MessageKind, Platform};
use chatbridge_discord::DiscordMessageExt;
use chatbridge_discord::model::{
    CommandType, ComponentType, ContextType, InteractionData, InteractionType, OptionType,
    OptionValue, Target,
};

fn parse(body: Vec<u8>) -> Message {
    match accept(&adapter(), signed("/discord", body)).unwrap() {
        Accepted::Incoming(incoming) => {
            assert_eq!(incoming.timing, Timing::Inline(std::time::Duration::from_millis(2500)));
            incoming.message
        }
        other => panic!("not a message: {other:?}"),
    }
}

#[test]
fn a_chat_input_command_with_every_option_type() {
    let msg = parse(fixture("command_options.json"));
    assert_eq!(msg.platform, Platform::DISCORD);
    assert_eq!(msg.kind, MessageKind::Command);
    assert_eq!(msg.command_name(), Some("order"));
    let args = "margherita 2 32.5 true 1130000000000000001 1160000000000000002 \
                1120000000000000003 1120000000000000003 1110000000000000004 {\"shape\":\"unknown\"}";
    assert_eq!(msg.command.as_ref().unwrap().args, args);
    assert_eq!(msg.text, args);
    assert_eq!(msg.conversation, "1160000000000000000");
    assert_eq!(msg.workspace.as_ref().unwrap(), "1170000000000000000");
    assert!(!msg.is_direct);
    assert_eq!(msg.sender.id, "1100000000000000005");
    assert_eq!(msg.sender.name.as_deref(), Some("General Grievous"));

    let interaction = msg.discord().unwrap();
    assert_eq!(interaction.kind, InteractionType::ApplicationCommand);
    assert_eq!(interaction.context, Some(ContextType::Guild));
    assert_eq!(interaction.locale.as_deref(), Some("en-GB"));
    assert_eq!(interaction.guild_locale.as_deref(), Some("en-US"));
    assert_eq!(interaction.app_permissions.as_deref(), Some("442368"));
    assert_eq!(interaction.channel.as_ref().unwrap().name.as_deref(), Some("general"));
    let data = interaction.command().unwrap();
    assert_eq!(data.kind, CommandType::ChatInput);
    assert_eq!(data.option("kind"), Some(&OptionValue::String("margherita".into())));
    assert_eq!(data.option("count"), Some(&OptionValue::Integer(2)));
    assert_eq!(data.option("size"), Some(&OptionValue::Number(32.5)));
    assert_eq!(data.option("extra_cheese"), Some(&OptionValue::Boolean(true)));
    let Some(OptionValue::User(user)) = data.option("for") else { panic!() };
    assert_eq!(data.resolved.user(user).unwrap().display_name(), "Obi-Wan");
    assert_eq!(data.resolved.member(user).unwrap().nick.as_deref(), Some("Ben"));
    let Some(OptionValue::Channel(channel)) = data.option("deliver_to") else { panic!() };
    assert_eq!(data.resolved.channel(channel).unwrap().name.as_deref(), Some("kitchen"));
    let Some(OptionValue::Role(role)) = data.option("notify") else { panic!() };
    assert_eq!(data.resolved.role(role).unwrap().name, "Chefs");
    assert!(matches!(data.option("cc"), Some(OptionValue::Mentionable(_))));
    let Some(OptionValue::Attachment(file)) = data.option("photo") else { panic!() };
    assert_eq!(data.resolved.attachment(file).unwrap().filename, "pizza.png");
    // An option type from the future parses instead of failing the request.
    let Some(OptionValue::Unknown { kind, value }) = data.option("future") else { panic!() };
    assert_eq!(*kind, OptionType::Unknown(99));
    assert!(value.is_some());
    // The interaction token never shows in Debug.
    assert!(!format!("{interaction:?}").contains("aW50ZXJhY3Rpb24"));
}

#[test]
fn nested_subcommands_in_a_dm_with_the_user_as_invoker() {
    let msg = parse(fixture("command_subcommand_dm.json"));
    assert_eq!(msg.command_name(), Some("admin"));
    assert_eq!(msg.command.as_ref().unwrap().args, "users ban 1130000000000000001 too many pizzas");
    assert!(msg.is_direct);
    assert!(msg.workspace.is_none());
    // `user` in a DM gives the same sender as `member.user` in a guild.
    assert_eq!(msg.sender.id, "1100000000000000005");
    assert_eq!(msg.sender.name.as_deref(), Some("grievous"));
    let interaction = msg.discord().unwrap();
    assert_eq!(interaction.context, Some(ContextType::BotDm));
    let data = interaction.command().unwrap();
    assert_eq!(data.subcommand_path(), ["users", "ban"]);
    assert_eq!(data.leaf_options().len(), 2);
    assert_eq!(data.option("reason"), Some(&OptionValue::String("too many pizzas".into())));
}

#[test]
fn user_and_message_context_menu_commands_carry_their_targets() {
    let msg = parse(fixture("command_user.json"));
    assert_eq!(msg.command_name(), Some("High Five"));
    assert_eq!(msg.command.as_ref().unwrap().args, "1130000000000000001");
    let data = msg.discord().unwrap().command().unwrap();
    assert_eq!(data.kind, CommandType::User);
    let Some(Target::User { user, member }) = data.target() else { panic!() };
    assert_eq!(user.username, "kenobi");
    assert_eq!(member.unwrap().nick.as_deref(), Some("Ben"));

    let msg = parse(fixture("command_message.json"));
    assert_eq!(msg.command_name(), Some("Emojify"));
    assert_eq!(msg.text, "hello there");
    assert_eq!(msg.id.as_ref().unwrap(), "1165000000000000007");
    let data = msg.discord().unwrap().command().unwrap();
    let Some(Target::Message(target)) = data.target() else { panic!() };
    assert_eq!(target.author.as_ref().unwrap().username, "kenobi");
}

#[test]
fn buttons_and_every_select_are_actions() {
    let msg = parse(fixture("component_button.json"));
    assert_eq!(msg.kind, MessageKind::Action);
    assert_eq!(msg.text, "order:confirm");
    assert!(msg.command.is_none());
    assert_eq!(msg.id.as_ref().unwrap(), "1165000000000000008");
    let interaction = msg.discord().unwrap();
    assert_eq!(interaction.component().unwrap().component_type, ComponentType::Button);
    assert_eq!(interaction.message.as_ref().unwrap().content, "Confirm your order?");

    let msg = parse(fixture("component_string_select.json"));
    let data = msg.discord().unwrap().component().unwrap();
    assert_eq!(data.component_type, ComponentType::StringSelect);
    assert_eq!(data.values, ["olives", "basil"]);

    let msg = parse(fixture("component_user_select.json"));
    let data = msg.discord().unwrap().component().unwrap();
    assert_eq!(data.component_type, ComponentType::UserSelect);
    assert_eq!(data.resolved.user(&data.values[0]).unwrap().display_name(), "Obi-Wan");
    assert_eq!(data.resolved.member(&data.values[0]).unwrap().nick.as_deref(), Some("Ben"));

    let msg = parse(fixture("component_mentionable_select.json"));
    let data = msg.discord().unwrap().component().unwrap();
    assert_eq!(data.component_type, ComponentType::MentionableSelect);
    assert!(data.resolved.user(&data.values[0]).is_some());
    assert_eq!(data.resolved.role(&data.values[1]).unwrap().name, "Chefs");

    let items = fixture_items("component_role_channel_select.json");
    let role = parse(items[0].clone());
    let data = role.discord().unwrap().component().unwrap();
    assert_eq!(data.component_type, ComponentType::RoleSelect);
    assert!(data.resolved.role(&data.values[0]).is_some());
    let channel = parse(items[1].clone());
    let data = channel.discord().unwrap().component().unwrap();
    assert_eq!(data.component_type, ComponentType::ChannelSelect);
    assert_eq!(data.resolved.channel(&data.values[0]).unwrap().name.as_deref(), Some("kitchen"));
}

#[test]
fn autocomplete_exposes_the_focused_option() {
    let msg = parse(fixture("autocomplete.json"));
    assert_eq!(msg.kind, MessageKind::Autocomplete);
    assert_eq!(msg.text, "marg");
    // Not routed as the command itself: autocomplete has its own kind.
    assert!(msg.command.is_none());
    let interaction = msg.discord().unwrap();
    assert_eq!(interaction.kind, InteractionType::ApplicationCommandAutocomplete);
    let data = interaction.command().unwrap();
    assert_eq!(data.name, "menu");
    let focused = data.focused().unwrap();
    assert_eq!(focused.name, "kind");
    assert_eq!(focused.value, OptionValue::Partial("marg".into()));
    assert_eq!(data.option("size"), Some(&OptionValue::Integer(30)));
}

#[test]
fn modal_submits_in_both_shapes() {
    let msg = parse(fixture("modal_action_rows.json"));
    assert_eq!(msg.kind, MessageKind::Submission);
    assert_eq!(msg.text, "feedback");
    let modal = msg.discord().unwrap().modal().unwrap();
    assert_eq!(modal.value("name"), Some("Grievous"));
    assert_eq!(modal.value("comment"), Some("More crust, please.\nThanks"));
    assert_eq!(modal.fields.len(), 2);

    let msg = parse(fixture("modal_labels.json"));
    assert_eq!(msg.text, "order_form");
    assert!(msg.is_direct);
    assert_eq!(msg.sender.id, "1100000000000000005");
    let modal = msg.discord().unwrap().modal().unwrap();
    assert_eq!(modal.value("address"), Some("1 Utapau Way"));
    let size = modal.fields.iter().find(|f| f.custom_id == "size").unwrap();
    assert_eq!(size.values, ["large"]);
    assert_eq!(size.kind, Some(ComponentType::StringSelect));
    let courier = modal.fields.iter().find(|f| f.custom_id == "courier").unwrap();
    assert!(modal.resolved.user(&courier.values[0]).is_some());
    assert_eq!(modal.fields.len(), 3);
}

#[test]
fn unknown_interaction_and_component_types_parse() {
    let items = fixture_items("unknown_types.json");
    let msg = parse(items[0].clone());
    assert_eq!(msg.kind, MessageKind::Other("interaction-42".into()));
    let interaction = msg.discord().unwrap();
    assert_eq!(interaction.kind, InteractionType::Unknown(42));
    assert!(matches!(&interaction.data, InteractionData::Unknown(v) if v["something"] == "new"));

    let msg = parse(items[1].clone());
    assert_eq!(msg.kind, MessageKind::Action);
    let data = msg.discord().unwrap().component().unwrap();
    assert_eq!(data.component_type, ComponentType::Unknown(77));
}

#[test]
fn option_values_that_do_not_match_their_type_are_kept_as_sent() {
    use chatbridge_discord::model::Interaction;
    let body = br#"{"id":"1","application_id":"2","type":2,"token":"t","version":1,
        "data":{"id":"3","name":"odd","type":1,"options":[
            {"name":"who","type":6,"value":1100000000000000005},
            {"name":"word","type":3,"value":7},
            {"name":"count","type":4,"value":"seven"},
            {"name":"bare","type":3}]}}"#;
    let interaction = Interaction::from_slice(body).unwrap();
    let data = interaction.command().unwrap();
    // An id sent as a number still reads as the id.
    assert_eq!(data.option("who"), Some(&OptionValue::User("1100000000000000005".into())));
    // A STRING option must be a string, an INTEGER one an integer.
    let Some(OptionValue::Unknown { kind, value }) = data.option("word") else { panic!() };
    assert_eq!((*kind, value.as_ref()), (OptionType::String, Some(&serde_json::json!(7))));
    let Some(OptionValue::Unknown { kind, value }) = data.option("count") else { panic!() };
    assert_eq!((*kind, value.as_ref()), (OptionType::Integer, Some(&serde_json::json!("seven"))));
    assert_eq!(
        data.option("bare"),
        Some(&OptionValue::Unknown { kind: OptionType::String, value: None })
    );
}

#[test]
fn a_signed_body_that_is_not_an_interaction_is_a_400_without_quoting_it() {
    for body in [
        &b"{not json"[..],
        b"[1,2]",
        b"{}",
        // `type` must be an integer from 0 to 255.
        br#"{"id":"1","type":"2","token":"t"}"#,
        br#"{"id":"1","type":300,"token":"t"}"#,
        br#"{"id":"1","type":null,"token":"t"}"#,
        // Not UTF-8, inside a string and outside one.
        b"{\"id\":\"1\xff\",\"application_id\":\"2\",\"type\":1,\"token\":\"t\"}",
        b"{\"id\":\"1\",\"application_id\":\"2\",\"type\":1,\"token\":\"t\"}\xff",
    ] {
        let error = accept(&adapter(), signed("/discord", body.to_vec())).unwrap_err();
        assert_eq!(error.status(), http::StatusCode::BAD_REQUEST);
        assert_eq!(error.to_string(), "bad request: not a discord interaction");
    }
}

#[test]
fn a_known_type_makes_an_interaction_whatever_else_is_missing() {
    // discord-interactions-js's minimal PING, and the same with nothing but the type.
    for ping in [
        &br#"{"id":"787053080478613555","token":"ThisIsAToken","type":1,"version":1}"#[..],
        br#"{"type":1}"#,
    ] {
        let accepted = accept(&adapter(), signed("/discord", ping.to_vec())).unwrap();
        assert!(matches!(accepted, Accepted::Respond(_)), "{accepted:?}");
    }
    // A command with neither `application_id`, invoker nor channel.
    let msg = parse(
        br#"{"id":"7","token":"t","type":2,"version":1,"data":{"id":"8","name":"test"}}"#.to_vec(),
    );
    assert_eq!((&msg.kind, msg.command_name()), (&MessageKind::Command, Some("test")));
    let interaction = msg.discord().unwrap();
    assert_eq!((interaction.id.as_str(), interaction.application_id.as_str()), ("7", ""));
    assert!(interaction.invoker().is_none() && interaction.channel_id().is_none());
    // Just the type: each known type gets its own kind of message, with empty data.
    let msg = parse(br#"{"type":3}"#.to_vec());
    assert_eq!((&msg.kind, msg.text.as_str()), (&MessageKind::Action, ""));
    assert_eq!(parse(br#"{"type":4}"#.to_vec()).kind, MessageKind::Autocomplete);
    assert_eq!(parse(br#"{"type":5}"#.to_vec()).kind, MessageKind::Submission);
    assert_eq!(parse(br#"{"type":2}"#.to_vec()).kind, MessageKind::Command);
}

#[test]
fn fields_of_another_shape_read_as_absent_and_odd_data_is_kept_raw() {
    let body = br#"{"id":1190000000000000001,"type":2,"token":"t","member":"someone",
        "user":{"id":"1100000000000000005","bot":null},"channel":{},"channel_id":1160000000000000000,
        "context":"guild","entitlements":{},"authorizing_integration_owners":[],
        "data":{"name":"odd","options":"none","resolved":[]}}"#;
    let msg = parse(body.to_vec());
    let interaction = msg.discord().unwrap();
    // Snowflakes sent as numbers still read as ids.
    assert_eq!(interaction.id, "1190000000000000001");
    assert_eq!(interaction.channel_id(), Some("1160000000000000000"));
    assert!(interaction.member.is_none() && interaction.context.is_none());
    assert_eq!(msg.sender.id, "1100000000000000005");
    assert_eq!(msg.command_name(), Some("odd"));
    assert!(interaction.command().unwrap().options.is_empty());

    // Data that is not an object of its type's shape is kept as it came, routed as `Other`.
    let msg = parse(br#"{"id":"2","type":3,"token":"t","data":["not","an","object"]}"#.to_vec());
    assert_eq!(msg.kind, MessageKind::Other("interaction-3".into()));
    let InteractionData::Unknown(raw) = &msg.discord().unwrap().data else { panic!() };
    assert_eq!(raw, &serde_json::json!(["not", "an", "object"]));
}

#[cfg(feature = "testing")]
#[test]
fn the_testing_payloads_parse_into_messages() {
    use chatbridge_discord::testing::{TestSigner, payload};
    let signer = TestSigner::from_seed([3; 32]);
    let adapter = chatbridge_discord::DiscordAdapter::builder(signer.public_key_hex(), APP_ID)
        .build()
        .unwrap();
    let parse = |body: Vec<u8>| match accept(&adapter, signer.request("/d", body)).unwrap() {
        Accepted::Incoming(incoming) => incoming.message,
        other => panic!("{other:?}"),
    };
    let msg = parse(payload::command(APP_ID, "hello-there", &[("who", "Kenobi")]));
    assert_eq!((msg.command_name(), msg.text.as_str()), (Some("hello-there"), "Kenobi"));
    let msg = parse(payload::message_command(APP_ID, "Emojify", "I love pizzas"));
    assert_eq!(msg.text, "I love pizzas");
    assert!(msg.id.is_some());
    let msg = parse(payload::button(APP_ID, "again"));
    assert_eq!((msg.kind, msg.text.as_str()), (MessageKind::Action, "again"));
    assert!(matches!(
        accept(&adapter, signer.request("/d", payload::ping(APP_ID))).unwrap(),
        Accepted::Respond(_)
    ));
}

#[test]
fn a_user_installed_command_in_the_bots_dm_is_a_direct_command() {
    // Discord's "Developing a user-installable app" sample, its placeholder comments removed.
    let body = br#"{"app_permissions":"442368","application_id":"234248956100616262",
        "authorizing_integration_owners":{"1":"1090372582781497424"},"channel":{},
        "channel_id":"1234563982236504123","context":1,
        "data":{"id":"1234358421659193405","name":"link","type":1},"entitlements":[],
        "id":"1234968734674853908","locale":"en-US","token":"a really long token","type":2,
        "user":{},"version":1}"#;
    let msg = parse(body.to_vec());
    assert_eq!((msg.kind.clone(), msg.command_name()), (MessageKind::Command, Some("link")));
    assert!(msg.is_direct);
    assert_eq!(msg.conversation, "1234563982236504123");
    assert!(msg.workspace.is_none());
    let interaction = msg.discord().unwrap();
    assert_eq!(interaction.context, Some(ContextType::BotDm));
    assert_eq!(interaction.authorizing_integration_owners["1"], "1090372582781497424");
    assert!(interaction.member.is_none() && interaction.user.is_some());
}

#[test]
fn modal_fields_of_every_newer_input_are_read() {
    // The shapes of Discord's "Component Reference" examples: labels wrapping a radio group,
    // a checkbox group, a checkbox and a file upload.
    let body = br#"{"id":"1","type":5,"token":"t","data":{"custom_id":"signup","components":[
        {"id":1,"type":18,"component":{"custom_id":"class","id":2,"type":21,"value":"warrior"}},
        {"id":3,"type":18,"component":{"custom_id":"days","id":4,"type":22,"values":["march-5","march-10"]}},
        {"id":5,"type":18,"component":{"custom_id":"like","id":6,"type":23,"value":true}},
        {"id":7,"type":18,"component":{"custom_id":"shot","id":8,"type":19,"values":["111"]}},
        {"id":9,"type":10}]}}"#;
    let msg = parse(body.to_vec());
    assert_eq!((msg.kind.clone(), msg.text.as_str()), (MessageKind::Submission, "signup"));
    let modal = msg.discord().unwrap().modal().unwrap();
    assert_eq!(modal.value("class"), Some("warrior"));
    assert_eq!(modal.field("class").unwrap().kind, Some(ComponentType::RadioGroup));
    assert_eq!(modal.field("days").unwrap().values, ["march-5", "march-10"]);
    assert_eq!(modal.field("like").unwrap().checked, Some(true));
    assert_eq!(modal.field("like").unwrap().value, None);
    assert_eq!(modal.field("shot").unwrap().kind, Some(ComponentType::FileUpload));
    assert_eq!(modal.fields.len(), 4, "the text display holds no input");
}
