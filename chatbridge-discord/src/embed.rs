//! [`Embed`]: a rich card attached to a message.

use serde::Serialize;

/// A rich embed, built with chained calls.
///
/// ```
/// use chatbridge_discord::Embed;
///
/// let embed = Embed::new().title("Pizza").description("Margherita").color(0xE5_3B_2C).field(
///     "Price",
///     "9 €",
///     true,
/// );
/// let json = serde_json::to_value(&embed).unwrap();
/// assert_eq!(json["fields"][0]["name"], "Price");
/// ```
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct Embed {
    /// The title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The title's link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The colour bar, as RGB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<u32>,
    /// An ISO 8601 timestamp shown in the footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Name–value fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<EmbedField>,
    /// The footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<EmbedText>,
    /// The author line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<EmbedText>,
    /// A large image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<EmbedMedia>,
    /// A small image at the side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<EmbedMedia>,
}

/// One field of an embed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct EmbedField {
    /// The field's name.
    pub name: String,
    /// The field's value.
    pub value: String,
    /// Whether it sits beside other inline fields.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inline: bool,
}

/// A footer's `text` or an author's `name`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct EmbedText {
    /// The footer text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The author's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An image by URL.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct EmbedMedia {
    /// The image's URL.
    pub url: String,
}

impl Embed {
    /// An empty embed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the text.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the title's link.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the colour bar (RGB, `0xRRGGBB`).
    pub fn color(mut self, color: u32) -> Self {
        self.color = Some(color);
        self
    }

    /// Sets the timestamp (ISO 8601).
    pub fn timestamp(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = Some(timestamp.into());
        self
    }

    /// Adds a field.
    pub fn field(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
        inline: bool,
    ) -> Self {
        self.fields.push(EmbedField { name: name.into(), value: value.into(), inline });
        self
    }

    /// Sets the footer text.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer = Some(EmbedText { text: Some(text.into()), name: None });
        self
    }

    /// Sets the author line.
    pub fn author(mut self, name: impl Into<String>) -> Self {
        self.author = Some(EmbedText { text: None, name: Some(name.into()) });
        self
    }

    /// Sets the large image.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.image = Some(EmbedMedia { url: url.into() });
        self
    }

    /// Sets the thumbnail.
    pub fn thumbnail(mut self, url: impl Into<String>) -> Self {
        self.thumbnail = Some(EmbedMedia { url: url.into() });
        self
    }
}
