//! [`Card`]: a portable message with a title, text, fields, an image, a footer, buttons and
//! menus. Slack renders it as Block Kit, Discord as an embed with action rows, Lex as a
//! response card.

use std::collections::HashSet;
use std::fmt;

/// The longest button or option label every platform shows whole (Slack's 75; Discord 80).
pub const MAX_LABEL: usize = 75;
/// The longest id every platform takes (Discord's `custom_id`: 100; Slack's `action_id`: 255).
pub const MAX_ID: usize = 100;
/// The longest value every platform takes (Discord's select option: 100).
pub const MAX_VALUE: usize = 100;
/// The most rows a card lays out into: a row holds up to five buttons, or one menu (Discord).
pub const MAX_ROWS: usize = 5;
/// The most buttons in a row.
pub const MAX_ROW_BUTTONS: usize = 5;
/// The most options in a menu (Discord's 25; Slack's 100).
pub const MAX_OPTIONS: usize = 25;
/// The longest title (Slack's header block: 150).
pub const MAX_TITLE: usize = 150;
/// The longest text (Slack's section: 3000).
pub const MAX_TEXT: usize = 3000;
/// The most fields (Slack's section: 10).
pub const MAX_FIELDS: usize = 10;

/// A card: the portable interactive message. Build it with chained calls, then attach it
/// with [`Reply::with_card`](crate::Reply::with_card), which checks it against what every
/// platform takes: an over-long label or too many buttons is an error there, never cut short.
///
/// ```
/// use chatbridge_core::{Button, ButtonStyle, Card, Reply};
///
/// let card = Card::new()
///     .title("Lunch?")
///     .button(Button::new("Pizza", "vote:p1:0").style(ButtonStyle::Primary))
///     .button(Button::new("Tacos", "vote:p1:1"));
/// let reply = Reply::text("Lunch?").with_card(card).unwrap();
/// assert_eq!(reply.card.unwrap().buttons().count(), 2);
///
/// let long = Card::new().button(Button::new("x".repeat(80), "too-long"));
/// let error = Reply::new().with_card(long).unwrap_err();
/// assert!(error.to_string().contains("75"), "{error}");
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
#[must_use]
pub struct Card {
    /// The title.
    pub title: Option<String>,
    /// The text (Markdown as the platform reads it).
    pub text: Option<String>,
    /// Name and value pairs.
    pub fields: Vec<(String, String)>,
    /// An image's URL.
    pub image: Option<String>,
    /// A line of small print at the bottom.
    pub footer: Option<String>,
    /// Buttons and menus, in order.
    pub elements: Vec<CardElement>,
}

/// A button or a menu on a card.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum CardElement {
    /// A button.
    Button(Button),
    /// A menu.
    Select(Select),
}

/// A button: pressed, it sends an action with its id (and its value, where the platform
/// carries one); a link button opens its URL instead.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
#[must_use]
pub struct Button {
    /// What it shows.
    pub label: String,
    /// The action id it sends (empty for a link button).
    pub id: String,
    /// The value it sends (Slack's `value`; Lex's utterance; Discord buttons carry none).
    pub value: Option<String>,
    /// Its look.
    pub style: ButtonStyle,
    /// The URL a link button opens.
    pub url: Option<String>,
}

/// A button's look.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub enum ButtonStyle {
    /// The platform's plain button.
    #[default]
    Default,
    /// The emphasised one (Slack `primary`, Discord blurple).
    Primary,
    /// The destructive one (Slack `danger`, Discord red).
    Danger,
}

/// A menu of options: one choice, or several.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
#[must_use]
pub struct Select {
    /// The action id it sends.
    pub id: String,
    /// The text shown before a choice.
    pub placeholder: Option<String>,
    /// The options.
    pub options: Vec<SelectOption>,
    /// Whether several options may be chosen.
    pub multi: bool,
}

/// One option of a [`Select`].
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct SelectOption {
    /// What it shows.
    pub label: String,
    /// What the action carries when it is chosen.
    pub value: String,
}

impl Card {
    /// An empty card.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the text.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Adds a field.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Sets the image.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.image = Some(url.into());
        self
    }

    /// Sets the footer.
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    /// Adds a button.
    pub fn button(mut self, button: Button) -> Self {
        self.elements.push(CardElement::Button(button));
        self
    }

    /// Adds a menu.
    pub fn select(mut self, select: Select) -> Self {
        self.elements.push(CardElement::Select(select));
        self
    }

    /// The buttons, in order.
    pub fn buttons(&self) -> impl Iterator<Item = &Button> {
        self.elements.iter().filter_map(|e| match e {
            CardElement::Button(b) => Some(b),
            CardElement::Select(_) => None,
        })
    }

    /// The elements laid out in rows: up to five buttons in a row, a menu alone in its own.
    #[must_use]
    pub fn rows(&self) -> Vec<&[CardElement]> {
        let mut rows = Vec::new();
        let mut start = 0;
        for (i, element) in self.elements.iter().enumerate() {
            let full = i - start == MAX_ROW_BUTTONS;
            let select = matches!(element, CardElement::Select(_));
            let after_select = i > start && matches!(self.elements[i - 1], CardElement::Select(_));
            if i > start && (full || select || after_select) {
                rows.push(&self.elements[start..i]);
                start = i;
            }
        }
        if start < self.elements.len() {
            rows.push(&self.elements[start..]);
        }
        rows
    }

    /// Checks the card against what every platform takes.
    ///
    /// # Errors
    ///
    /// The first limit the card is past, naming the label or id and the limit.
    pub fn validate(&self) -> Result<(), CardError> {
        check_len("title", self.title.as_deref(), MAX_TITLE)?;
        check_len("text", self.text.as_deref(), MAX_TEXT)?;
        if self.fields.len() > MAX_FIELDS {
            return Err(CardError::TooMany { what: "fields", limit: MAX_FIELDS });
        }
        let mut ids = HashSet::new();
        for element in &self.elements {
            let id = match element {
                CardElement::Button(button) => {
                    check_label(&button.label)?;
                    check_len("value", button.value.as_deref(), MAX_VALUE)?;
                    if button.url.is_none() && button.id.is_empty() {
                        return Err(CardError::Empty("a button's id"));
                    }
                    &button.id
                }
                CardElement::Select(select) => {
                    if select.options.is_empty() {
                        return Err(CardError::Empty("a menu's options"));
                    }
                    if select.options.len() > MAX_OPTIONS {
                        return Err(CardError::TooMany { what: "options", limit: MAX_OPTIONS });
                    }
                    for option in &select.options {
                        check_label(&option.label)?;
                        check_len("value", Some(&option.value), MAX_VALUE)?;
                    }
                    &select.id
                }
            };
            if id.chars().count() > MAX_ID {
                return Err(CardError::TooLong { what: "id", text: id.clone(), limit: MAX_ID });
            }
            if !id.is_empty() && !ids.insert(id.as_str()) {
                return Err(CardError::DuplicateId(id.clone()));
            }
        }
        if self.rows().len() > MAX_ROWS {
            return Err(CardError::TooMany { what: "rows of buttons and menus", limit: MAX_ROWS });
        }
        Ok(())
    }
}

fn check_label(label: &str) -> Result<(), CardError> {
    if label.trim().is_empty() {
        return Err(CardError::Empty("a label"));
    }
    check_len("label", Some(label), MAX_LABEL)
}

fn check_len(what: &'static str, text: Option<&str>, limit: usize) -> Result<(), CardError> {
    match text {
        Some(text) if text.chars().count() > limit => {
            Err(CardError::TooLong { what, text: text.to_owned(), limit })
        }
        _ => Ok(()),
    }
}

impl Button {
    /// A button that sends the action `id`.
    pub fn new(label: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            id: id.into(),
            value: None,
            style: ButtonStyle::Default,
            url: None,
        }
    }

    /// A button that opens `url`.
    pub fn link(label: impl Into<String>, url: impl Into<String>) -> Self {
        Self { url: Some(url.into()), ..Self::new(label, String::new()) }
    }

    /// Sets the value it sends.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Sets its look.
    pub fn style(mut self, style: ButtonStyle) -> Self {
        self.style = style;
        self
    }
}

impl Select {
    /// A menu that sends the action `id` with the chosen option's value.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), placeholder: None, options: Vec::new(), multi: false }
    }

    /// Adds an option.
    pub fn option(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(SelectOption { label: label.into(), value: value.into() });
        self
    }

    /// Sets the placeholder.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.placeholder = Some(text.into());
        self
    }

    /// Lets several options be chosen.
    pub fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
}

/// Why a card cannot be sent as it is.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// A text is longer than a platform shows.
    #[error("the {what} {text:?} is {} characters long; the limit is {limit}", text.chars().count())]
    TooLong {
        /// What it is: `label`, `id`, `title`, ….
        what: &'static str,
        /// The text.
        text: String,
        /// The limit, in characters.
        limit: usize,
    },
    /// More of something than a platform takes.
    #[error("too many {what}: the limit is {limit}")]
    TooMany {
        /// What there are too many of.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// Something required is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// Two elements share an id.
    #[error("two elements have the id {0:?}")]
    DuplicateId(String),
    /// What one platform cannot show at all.
    #[error("{platform} cannot show this card: {reason}")]
    Unsupported {
        /// The platform.
        platform: crate::Platform,
        /// Why.
        reason: String,
    },
}

impl fmt::Debug for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buttons(n: usize) -> Card {
        (0..n)
            .fold(Card::new(), |card, i| card.button(Button::new(format!("B{i}"), format!("b{i}"))))
    }

    #[test]
    fn rows_hold_five_buttons_and_a_menu_alone() {
        let card =
            buttons(7).select(Select::new("s").option("a", "a")).button(Button::new("x", "x"));
        let sizes: Vec<usize> = card.rows().iter().map(|r| r.len()).collect();
        assert_eq!(sizes, [5, 2, 1, 1]);
        assert!(card.validate().is_ok());
    }

    #[test]
    fn limits_are_errors_not_cuts() {
        assert!(buttons(25).validate().is_ok());
        assert_eq!(
            buttons(26).validate(),
            Err(CardError::TooMany { what: "rows of buttons and menus", limit: 5 })
        );
        let card = Card::new().button(Button::new("a", "same")).button(Button::new("b", "same"));
        assert_eq!(card.validate(), Err(CardError::DuplicateId("same".into())));
        let card = Card::new().button(Button::new(" ", "x"));
        assert_eq!(card.validate(), Err(CardError::Empty("a label")));
        let label = "é".repeat(MAX_LABEL);
        assert!(Card::new().button(Button::new(label.clone(), "x")).validate().is_ok());
        let long = Card::new().button(Button::new(format!("{label}!"), "x")).validate();
        assert!(matches!(long, Err(CardError::TooLong { what: "label", limit: 75, .. })));
        assert!(Card::new().button(Button::link("Docs", "https://example.com")).validate().is_ok());
    }
}
