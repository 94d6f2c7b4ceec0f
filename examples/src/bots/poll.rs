//! poll: `/poll Lunch? | Pizza | Tacos | Salad` posts a poll with one button per option;
//! each press counts the user's vote (one per user, moved by pressing another option) and
//! updates the poll to show every option with its count (`Pizza · 2`).
//!
//! | platform | what the user does | what the bot does |
//! | --- | --- | --- |
//! | Slack | `/poll Lunch? \| Pizza \| Tacos` | posts the question with a button per option |
//! | Slack | presses an option | updates the poll (`response_url`, `replace_original`) |
//! | Discord | `/poll text:Lunch? \| Pizza \| Tacos` | answers (type 4) with a row of buttons |
//! | Discord | presses an option | updates the message (type 7) |
//! | Lex | intent `Poll`, "Lunch? \| Pizza \| Tacos" | a response card with the options |
//!
//! Counts live in the bot's store ([`crate::tally`]): they survive a restart and concurrent
//! presses all count. A press on a poll the store does not know gets a polite ephemeral answer.

use chatbridge_core::{
    Button, Card, Context, HandlerError, Message, Platform, Reply, Router, Visibility,
};

use crate::tally::{self, Poll, VoteError};

/// The usage text.
pub const USAGE: &str = "Usage: `/poll Question? | Option 1 | Option 2 ...`: a question and \
                         2 to 10 options, separated by `|`.";
/// The answer to a press on a poll this bot does not know.
pub const UNKNOWN_POLL: &str =
    "Sorry, I don't know this poll any more (it may come from another deployment of the bot).";
/// The most options a poll takes.
pub const MAX_OPTIONS: usize = 10;
/// The most options Lex shows on its card.
pub const MAX_LEX_OPTIONS: usize = 5;
/// The longest option: a button label with its count (`· 999`) stays within every platform's.
pub const MAX_OPTION_LEN: usize = 60;

/// The routes: `/poll` (and the Lex intent `Poll`), and presses on `vote:{poll}:{option}`.
pub fn router() -> Router {
    Router::new().command("poll", create).action("vote:{poll}:{option}", vote)
}

/// A question and its options, from `Question? | A | B`.
///
/// # Errors
///
/// What is wrong with the text, for the user.
pub fn parse(text: &str) -> Result<(String, Vec<String>), String> {
    let mut parts = text.split('|').map(str::trim);
    let question = parts.next().unwrap_or_default().to_owned();
    let options: Vec<String> = parts.filter(|p| !p.is_empty()).map(str::to_owned).collect();
    if question.is_empty() || question.eq_ignore_ascii_case("help") || options.len() < 2 {
        return Err(USAGE.to_owned());
    }
    if options.len() > MAX_OPTIONS {
        return Err(format!("A poll takes at most {MAX_OPTIONS} options. {USAGE}"));
    }
    if let Some(long) = options.iter().find(|o| o.chars().count() > MAX_OPTION_LEN) {
        return Err(format!("The option {long:?} is longer than {MAX_OPTION_LEN} characters."));
    }
    Ok((question, options))
}

/// The poll as a message: the question, and a button per option, with counts once there are
/// votes (`Pizza · 2`).
///
/// # Errors
///
/// A card past a platform's limits (the options were checked by [`parse`]).
pub fn render(id: &str, poll: &Poll, counted: bool) -> Result<Reply, chatbridge_core::CardError> {
    let counts = poll.counts();
    let card = poll.options.iter().enumerate().fold(
        Card::new().title(poll.question.as_str()),
        |card, (i, option)| {
            let label = if counted { format!("{option} · {}", counts[i]) } else { option.clone() };
            card.button(Button::new(label, format!("vote:{id}:{i}")).value(option.as_str()))
        },
    );
    Reply::text(poll.question.as_str()).with_card(card)
}

/// `/poll Question? | A | B`: saves the poll and posts it in the channel.
///
/// # Errors
///
/// The store failed, or a reply was refused.
pub async fn create(cx: Context, msg: Message) -> Result<Option<Reply>, HandlerError> {
    let text = msg.command.as_ref().map_or(msg.text.as_str(), |c| c.args.as_str());
    let (question, options) = match parse(text) {
        Ok(parsed) => parsed,
        Err(usage) => return Ok(Some(Reply::text(usage).ephemeral())),
    };
    if msg.platform == Platform::LEX && options.len() > MAX_LEX_OPTIONS {
        let text = format!("On this channel a poll shows at most {MAX_LEX_OPTIONS} options.");
        return Ok(Some(Reply::text(text)));
    }
    let poll = Poll::new(question, options);
    let id = loop {
        let id = new_id();
        if tally::create(&**cx.store(), &id, &poll).await? {
            break id;
        }
    };
    let mut reply = render(&id, &poll, false)?;
    reply.visibility = Visibility::InChannel;
    Ok(Some(reply))
}

/// A press on `vote:{poll}:{option}`: counts the vote and updates the poll.
///
/// # Errors
///
/// The store failed, or the update was refused.
pub async fn vote(cx: Context, msg: Message) -> Result<(), HandlerError> {
    let (Some(id), Some(option)) = (msg.param("poll"), msg.param("option")) else {
        return Ok(());
    };
    let Ok(option) = option.parse::<usize>() else {
        cx.reply(Reply::text(UNKNOWN_POLL).ephemeral()).await?;
        return Ok(());
    };
    match tally::vote(&**cx.store(), id, msg.sender.id.as_str(), option).await {
        Ok(poll) => cx.update(render(id, &poll, true)?).await?,
        Err(VoteError::UnknownPoll | VoteError::UnknownOption) => {
            cx.reply(Reply::text(UNKNOWN_POLL).ephemeral()).await?;
        }
        Err(error) => return Err(error.into()),
    }
    Ok(())
}

/// A new poll id: 10 random lowercase letters and digits.
fn new_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..10).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_a_question_and_two_to_ten_options() {
        let (q, options) = parse(" Lunch? | Pizza | Tacos |  Salad ").unwrap();
        assert_eq!(q, "Lunch?");
        assert_eq!(options, ["Pizza", "Tacos", "Salad"]);
        assert_eq!(parse("help").unwrap_err(), USAGE);
        assert_eq!(parse("Lunch? | Pizza").unwrap_err(), USAGE);
        assert_eq!(parse("").unwrap_err(), USAGE);
        let eleven = format!("Q{}", " | x".repeat(11));
        assert!(parse(&eleven).unwrap_err().contains("at most 10"));
        let long = format!("Q | a | {}", "y".repeat(61));
        assert!(parse(&long).unwrap_err().contains("longer than 60"));
    }
}
