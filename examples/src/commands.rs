//! The Discord commands of the examples, defined once: `register_commands` registers them and
//! the bots answer them.

use chatbridge_discord::model::OptionType;
use chatbridge_discord::register::{CommandDefinition, OptionDefinition};

use crate::bots::emojibot::EMOJIFY;

/// emojibot's commands: `/emoji text:<words>` and the "Emojify" message context menu.
#[must_use]
pub fn emojibot() -> Vec<CommandDefinition> {
    vec![
        CommandDefinition::chat_input("emoji", "Find an emoji for some words").option(
            OptionDefinition::new(OptionType::String, "text", "The words to emojify").required(),
        ),
        CommandDefinition::message(EMOJIFY),
    ]
}

/// hello_there's command: `/hello-there [text]` (`help` for usage).
#[must_use]
pub fn hello_there() -> Vec<CommandDefinition> {
    vec![
        CommandDefinition::chat_input("hello-there", "General Kenobi!")
            .option(OptionDefinition::new(OptionType::String, "text", "Say `help` for usage")),
    ]
}

/// poll's command: `/poll text:<Question? | A | B>`.
#[must_use]
pub fn poll() -> Vec<CommandDefinition> {
    vec![
        CommandDefinition::chat_input("poll", "Ask a question with 2 to 10 options").option(
            OptionDefinition::new(
                OptionType::String,
                "text",
                "Question? | Option 1 | Option 2 ...",
            )
            .required(),
        ),
    ]
}

/// Every command of the examples.
#[must_use]
pub fn all() -> Vec<CommandDefinition> {
    let mut all = emojibot();
    all.extend(hello_there());
    all.extend(poll());
    all
}
