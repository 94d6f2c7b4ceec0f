//! The V2 code-hook response (the V2 guide, "AWS Lambda response format for Lex V2").

use serde::{Deserialize, Serialize};

use crate::ContentType;
use crate::model::card::ImageResponseCard;
use crate::model::v2::SessionState;
use crate::model::value::{Attributes, attributes, opt_string};

/// A Lex V2 code-hook response.
///
/// `sessionState` is always written with its `sessionAttributes` (an empty map when there are
/// none): AWS's response schema requires both.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Response {
    /// The session's state after this turn. Required.
    pub session_state: SessionState,
    /// The messages, in order.
    #[serde(
        default,
        deserialize_with = "crate::model::value::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub messages: Vec<V2Message>,
    /// Request attributes to return.
    #[serde(default, with = "attributes", skip_serializing_if = "Attributes::is_empty")]
    pub request_attributes: Attributes,
}

/// A V2 message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct V2Message {
    /// `PlainText`, `SSML`, `CustomPayload` or `ImageResponseCard`.
    pub content_type: ContentType,
    /// The content (not for a card).
    #[serde(default, with = "opt_string", skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The card, for `ImageResponseCard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_response_card: Option<ImageResponseCard>,
}

impl V2Message {
    /// A text-like message (`PlainText`, `SSML`, `CustomPayload`).
    #[must_use]
    pub fn new(content_type: ContentType, content: impl Into<String>) -> Self {
        Self { content_type, content: Some(content.into()), image_response_card: None }
    }

    /// An image response card.
    #[must_use]
    pub fn card(card: ImageResponseCard) -> Self {
        Self {
            content_type: ContentType::ImageResponseCard,
            content: None,
            image_response_card: Some(card),
        }
    }
}
