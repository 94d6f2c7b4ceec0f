//! Response cards: V2's `imageResponseCard` messages and V1's generic `responseCard`.

use serde::{Deserialize, Serialize};

use crate::model::value::{opt_string, string};

/// A card with a title, an optional subtitle and image, and buttons.
///
/// One type for both versions: a V2 response carries it as an `ImageResponseCard` message, a
/// V1 response as one generic attachment of its `responseCard` (where `attachmentLinkUrl`
/// applies too; V2 has no such field and ignores it).
///
/// ```
/// use chatbridge_lex::{Button, ImageResponseCard};
///
/// let card = ImageResponseCard::new("Pizza size?")
///     .with_subtitle("pick one")
///     .with_button(Button::new("Large", "large"))
///     .with_button(Button::new("Small", "small"));
/// assert_eq!(card.buttons.len(), 2);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageResponseCard {
    /// The title.
    #[serde(default, with = "string")]
    pub title: String,
    /// The subtitle.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// An image to show.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// A link for the card (V1 only).
    #[serde(default, skip)]
    pub attachment_link_url: Option<String>,
    /// The buttons (V2 allows up to five).
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub buttons: Vec<Button>,
}

impl ImageResponseCard {
    /// A card with a title.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), ..Self::default() }
    }

    /// Sets the subtitle.
    #[must_use]
    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }

    /// Sets the image.
    #[must_use]
    pub fn with_image_url(mut self, url: impl Into<String>) -> Self {
        self.image_url = Some(url.into());
        self
    }

    /// Sets the link (V1 only).
    #[must_use]
    pub fn with_attachment_link_url(mut self, url: impl Into<String>) -> Self {
        self.attachment_link_url = Some(url.into());
        self
    }

    /// Adds a button.
    #[must_use]
    pub fn with_button(mut self, button: Button) -> Self {
        self.buttons.push(button);
        self
    }
}

/// A card's button: what it shows and what it sends back when pressed.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Button {
    /// The label.
    #[serde(default, with = "string")]
    pub text: String,
    /// The value sent back.
    #[serde(default, with = "string")]
    pub value: String,
}

impl Button {
    /// A button with a label and a value.
    #[must_use]
    pub fn new(text: impl Into<String>, value: impl Into<String>) -> Self {
        Self { text: text.into(), value: value.into() }
    }
}

/// The V1 `responseCard`: generic attachments, each a card.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResponseCard {
    /// The card format's version (1).
    #[serde(default = "one")]
    pub version: u32,
    /// `application/vnd.amazonaws.card.generic`.
    #[serde(default = "generic", with = "string")]
    pub content_type: String,
    /// The cards.
    #[serde(default, deserialize_with = "crate::model::value::null_default")]
    pub generic_attachments: Vec<GenericAttachment>,
}

impl ResponseCard {
    /// The content type of a generic card.
    pub const GENERIC: &'static str = "application/vnd.amazonaws.card.generic";

    /// A generic response card made of cards.
    #[must_use]
    pub fn generic(cards: impl IntoIterator<Item = ImageResponseCard>) -> Self {
        Self {
            version: 1,
            content_type: Self::GENERIC.to_owned(),
            generic_attachments: cards.into_iter().map(GenericAttachment::from).collect(),
        }
    }
}

fn one() -> u32 {
    1
}

fn generic() -> String {
    ResponseCard::GENERIC.to_owned()
}

/// One card of a V1 `responseCard`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GenericAttachment {
    /// The title.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The subtitle (`subTitle`).
    #[serde(
        default,
        rename = "subTitle",
        with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sub_title: Option<String>,
    /// An image to show.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// A link for the card.
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub attachment_link_url: Option<String>,
    /// The buttons.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub buttons: Vec<Button>,
}

impl From<ImageResponseCard> for GenericAttachment {
    fn from(card: ImageResponseCard) -> Self {
        Self {
            title: Some(card.title),
            sub_title: card.subtitle,
            image_url: card.image_url,
            attachment_link_url: card.attachment_link_url,
            buttons: card.buttons,
        }
    }
}
