//! A portable [`Card`] as a Lex response card: the title, the text (with fields and footer as
//! lines) as the subtitle, the image, and at most five buttons whose values are what the user
//! says when pressing them. Lex shows no menus and no link buttons: such a card is refused.

use chatbridge_core::{Card, CardElement};

use crate::model::card::{Button, ImageResponseCard};

/// Lex's limits on a card (V2 `ImageResponseCard`).
const MAX_BUTTONS: usize = 5;
const MAX_BUTTON_TEXT: usize = 50;
const MAX_TITLE: usize = 250;

/// The response card, or why Lex cannot show the card.
pub(crate) fn to_lex(card: &Card) -> Result<ImageResponseCard, &'static str> {
    let mut lines: Vec<String> = card.text.iter().cloned().collect();
    lines.extend(card.fields.iter().map(|(name, value)| format!("{name}: {value}")));
    lines.extend(card.footer.iter().cloned());
    let subtitle = (!lines.is_empty()).then(|| lines.join("\n"));
    let Some(title) = card.title.clone() else {
        return Err("a Lex response card needs a title");
    };
    if title.chars().count() > MAX_TITLE
        || subtitle.as_ref().is_some_and(|s| s.chars().count() > MAX_TITLE)
    {
        return Err("a Lex response card's title and subtitle take at most 250 characters each");
    }
    let mut out = ImageResponseCard::new(title);
    out.subtitle = subtitle;
    out.image_url.clone_from(&card.image);
    for element in &card.elements {
        let CardElement::Button(button) = element else {
            return Err("Lex response cards have buttons only, no menus");
        };
        if button.url.is_some() {
            return Err("Lex response cards have no link buttons");
        }
        // What the user says when pressing it: the value, else the label.
        let value = button.value.clone().unwrap_or_else(|| button.label.clone());
        if button.label.chars().count() > MAX_BUTTON_TEXT || value.chars().count() > MAX_BUTTON_TEXT
        {
            return Err("a Lex button's text and value take at most 50 characters each");
        }
        out = out.with_button(Button::new(&button.label, value));
    }
    if out.buttons.len() > MAX_BUTTONS {
        return Err("a Lex response card takes at most 5 buttons");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chatbridge_core::{Button, Card, Select};

    use super::to_lex;
    use crate::model::card::Button as LexButton;

    #[test]
    fn a_card_becomes_a_response_card_or_a_clear_refusal() {
        let card = Card::new().title("Lunch?").text("Pick one").field("Where", "Canteen");
        let card = card
            .button(Button::new("Pizza", "vote:p:0"))
            .button(Button::new("Tacos", "t").value("tacos"));
        let lex = to_lex(&card).unwrap();
        assert_eq!(lex.subtitle.as_deref(), Some("Pick one\nWhere: Canteen"));
        assert_eq!(
            lex.buttons,
            [LexButton::new("Pizza", "Pizza"), LexButton::new("Tacos", "tacos")]
        );
        let six = (0..6).fold(Card::new().title("t"), |c, i| {
            c.button(Button::new(format!("{i}"), format!("{i}")))
        });
        assert_eq!(to_lex(&six).unwrap_err(), "a Lex response card takes at most 5 buttons");
        let menu = Card::new().title("t").select(Select::new("s").option("a", "a"));
        assert!(to_lex(&menu).unwrap_err().contains("no menus"));
        assert!(to_lex(&Card::new().text("x")).unwrap_err().contains("title"));
    }
}
