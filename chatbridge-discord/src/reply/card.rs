//! A portable [`Card`] as Discord shows it: an embed (title, text, fields, image, footer) and
//! action rows (up to five buttons in a row, a menu alone in its own).

use chatbridge_core::{Button, ButtonStyle as CardStyle, Card, CardElement, Select};
use serde_json::json;

use crate::{ButtonStyle, Component, Embed, SelectOption};

/// The card's embed, when it has anything an embed shows.
pub(crate) fn embed(card: &Card) -> Option<Embed> {
    let Card { title, text, fields, image, footer, .. } = card;
    if title.is_none() && text.is_none() && fields.is_empty() && image.is_none() && footer.is_none()
    {
        return None;
    }
    let mut embed = Embed::new();
    embed.title.clone_from(title);
    embed.description.clone_from(text);
    for (name, value) in fields {
        embed = embed.field(name, value, true);
    }
    if let Some(url) = image {
        embed = embed.image(url);
    }
    if let Some(footer) = footer {
        embed = embed.footer(footer);
    }
    Some(embed)
}

/// The card's action rows, laid out as [`Card::rows`] does (the card was checked to fit five).
pub(crate) fn rows(card: &Card) -> Vec<Component> {
    card.rows()
        .into_iter()
        .map(|row| Component::action_row(row.iter().filter_map(element)))
        .collect()
}

/// An element's component; `None` only for an element kind newer than this crate.
fn element(element: &CardElement) -> Option<Component> {
    match element {
        CardElement::Button(b) => Some(button(b)),
        CardElement::Select(s) => Some(select(s)),
        _ => None,
    }
}

fn button(button: &Button) -> Component {
    if let Some(url) = &button.url {
        return Component::link_button(url, &button.label);
    }
    let style = match button.style {
        CardStyle::Primary => ButtonStyle::Primary,
        CardStyle::Danger => ButtonStyle::Danger,
        _ => ButtonStyle::Secondary,
    };
    Component::button(style, &button.id, &button.label)
}

fn select(select: &Select) -> Component {
    let options = select.options.iter().map(|o| SelectOption::new(&o.label, &o.value));
    let mut component = Component::string_select(&select.id, options);
    if let Some(placeholder) = &select.placeholder {
        component = component.set("placeholder", placeholder.as_str());
    }
    if select.multi {
        component = component.set("min_values", 1).set("max_values", json!(select.options.len()));
    }
    component
}

#[cfg(test)]
mod tests {
    use chatbridge_core::{Button, ButtonStyle, Card, Select};
    use serde_json::json;

    use super::*;

    #[test]
    fn a_card_is_an_embed_and_action_rows() {
        let card = (0..6)
            .fold(Card::new().title("Lunch?").field("Where", "Canteen").footer("noon"), |c, i| {
                c.button(Button::new(format!("B{i}"), format!("b{i}")))
            })
            .button(Button::new("Stop", "stop").style(ButtonStyle::Danger))
            .select(Select::new("s").option("Cake", "cake").multi());
        let embed = serde_json::to_value(embed(&card).unwrap()).unwrap();
        assert_eq!(
            embed,
            json!({"title": "Lunch?", "fields": [{"name": "Where", "value": "Canteen", "inline": true}],
                   "footer": {"text": "noon"}})
        );
        let rows: Vec<serde_json::Value> =
            rows(&card).iter().map(|r| r.to_json().clone()).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["components"].as_array().unwrap().len(), 5);
        assert_eq!(
            rows[1]["components"][1],
            json!({"type": 2, "style": 4, "custom_id": "stop", "label": "Stop"})
        );
        assert_eq!(rows[2]["components"][0]["max_values"], 1);
        assert!(embed_of_buttons_only().is_none());
    }

    fn embed_of_buttons_only() -> Option<Embed> {
        embed(&Card::new().button(Button::new("a", "a")))
    }
}
