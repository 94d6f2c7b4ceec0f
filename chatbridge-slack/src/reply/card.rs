//! A portable [`Card`] as Block Kit: a header, a section of text, a section of fields, an
//! image, an actions block of buttons and menus, and a context line.

use std::borrow::Cow;

use chatbridge_core::{Button, ButtonStyle, Card, CardElement, Reply, Select};
use serde_json::{Map, Value, json};

use super::SlackReplyExt;

/// A reply's blocks: its card's, then any set with [`SlackReplyExt::slack_blocks`].
pub(crate) fn reply_blocks(reply: &Reply) -> Option<Cow<'_, Value>> {
    let raw = reply.slack_parts().and_then(|p| p.blocks.as_ref());
    let Some(card) = &reply.card else { return raw.map(Cow::Borrowed) };
    let mut blocks = blocks(card);
    if let Some(Value::Array(more)) = raw {
        blocks.extend(more.iter().cloned());
    }
    Some(Cow::Owned(Value::Array(blocks)))
}

/// An App Home tab showing a card, for [`SlackClient::views_publish`](crate::SlackClient::views_publish).
///
/// ```
/// use chatbridge_core::{Button, Card};
///
/// let home = chatbridge_slack::home_view(&Card::new().title("Welcome").button(Button::new("Start", "start")));
/// assert_eq!(home["type"], "home");
/// assert_eq!(home["blocks"][1]["elements"][0]["action_id"], "start");
/// ```
#[must_use]
pub fn home_view(card: &Card) -> Value {
    json!({"type": "home", "blocks": blocks(card)})
}

/// The card's blocks.
pub(crate) fn blocks(card: &Card) -> Vec<Value> {
    let mut blocks = Vec::new();
    if let Some(title) = &card.title {
        blocks.push(json!({"type": "header", "text": plain(title)}));
    }
    if let Some(text) = &card.text {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
    }
    if !card.fields.is_empty() {
        let fields: Vec<Value> = card
            .fields
            .iter()
            .map(|(name, value)| json!({"type": "mrkdwn", "text": format!("*{name}*\n{value}")}))
            .collect();
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if let Some(url) = &card.image {
        let alt = card.title.as_deref().unwrap_or("image");
        blocks.push(json!({"type": "image", "image_url": url, "alt_text": alt}));
    }
    if !card.elements.is_empty() {
        let elements: Vec<Value> = card.elements.iter().filter_map(element).collect();
        blocks.push(json!({"type": "actions", "elements": elements}));
    }
    if let Some(footer) = &card.footer {
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]}));
    }
    blocks
}

/// An element's JSON; `None` only for an element kind newer than this crate.
fn element(element: &CardElement) -> Option<Value> {
    match element {
        CardElement::Button(b) => Some(button(b)),
        CardElement::Select(s) => Some(select(s)),
        _ => None,
    }
}

fn button(button: &Button) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!("button"));
    out.insert("text".into(), plain(&button.label));
    if !button.id.is_empty() {
        out.insert("action_id".into(), json!(button.id));
    }
    if let Some(value) = &button.value {
        out.insert("value".into(), json!(value));
    }
    if let Some(url) = &button.url {
        out.insert("url".into(), json!(url));
    }
    match button.style {
        ButtonStyle::Primary => {
            out.insert("style".into(), json!("primary"));
        }
        ButtonStyle::Danger => {
            out.insert("style".into(), json!("danger"));
        }
        _ => {}
    }
    Value::Object(out)
}

fn select(select: &Select) -> Value {
    let kind = if select.multi { "multi_static_select" } else { "static_select" };
    let options: Vec<Value> =
        select.options.iter().map(|o| json!({"text": plain(&o.label), "value": o.value})).collect();
    let mut out = json!({"type": kind, "action_id": select.id, "options": options});
    if let Some(placeholder) = &select.placeholder {
        out["placeholder"] = plain(placeholder);
    }
    out
}

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text, "emoji": true})
}

#[cfg(test)]
mod tests {
    use chatbridge_core::{Button, ButtonStyle, Card, Reply, Select};
    use serde_json::json;

    use super::*;

    #[test]
    fn a_card_is_block_kit() {
        let card = Card::new()
            .title("Lunch?")
            .text("Pick one")
            .field("Where", "Canteen")
            .footer("closes at noon")
            .button(Button::new("Pizza · 2", "vote:p:0").value("0").style(ButtonStyle::Primary))
            .button(Button::link("Menu", "https://example.com/menu"))
            .select(Select::new("dessert").option("Cake", "cake").placeholder("Dessert?").multi());
        let blocks = blocks(&card);
        assert_eq!(
            blocks[0],
            json!({"type": "header", "text": {"type": "plain_text", "text": "Lunch?", "emoji": true}})
        );
        assert_eq!(blocks[2]["fields"][0]["text"], "*Where*\nCanteen");
        let actions = &blocks[3]["elements"];
        assert_eq!(
            actions[0],
            json!({"type": "button", "text": {"type": "plain_text", "text": "Pizza · 2", "emoji": true},
                   "action_id": "vote:p:0", "value": "0", "style": "primary"})
        );
        assert_eq!(actions[1]["url"], "https://example.com/menu");
        assert!(actions[1].get("action_id").is_none());
        assert_eq!(actions[2]["type"], "multi_static_select");
        assert_eq!(actions[2]["options"][0]["value"], "cake");
        assert_eq!(blocks[4]["type"], "context");
        let reply = Reply::text("Lunch?").with_card(Card::new().title("t")).unwrap();
        let reply = reply.slack_blocks(json!([{"type": "divider"}]));
        let all = reply_blocks(&reply).unwrap().into_owned();
        assert_eq!(all[1], json!({"type": "divider"}), "raw blocks follow the card's");
    }
}
