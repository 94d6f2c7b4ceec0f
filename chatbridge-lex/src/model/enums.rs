//! The string enums of the Lex protocol. Each has an `Unknown` fallback that keeps the value
//! Lex sent, so a value AWS adds later never fails a request, and writes it back unchanged.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::value::LexString;

macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)*, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know, kept as Lex sent it.
            Unknown(String),
        }

        impl $name {
            /// The value as Lex writes it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text $(| $alias)* => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match Self::from(text.as_str()) {
                    Self::Unknown(_) => Self::Unknown(text),
                    known => known,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                LexString::deserialize(d).map(|s| Self::from(s.into_string()))
            }
        }
    };
}

string_enum! {
    /// Why Lex called the code hook.
    ///
    /// ```
    /// use chatbridge_lex::InvocationSource;
    ///
    /// assert_eq!(InvocationSource::from("DialogCodeHook"), InvocationSource::DialogCodeHook);
    /// assert_eq!(InvocationSource::from("Later").as_str(), "Later");
    /// ```
    InvocationSource {
        /// Validation after each user input.
        DialogCodeHook = "DialogCodeHook",
        /// Fulfilment, once every required slot is filled.
        FulfillmentCodeHook = "FulfillmentCodeHook",
    }
}

string_enum! {
    /// What Lex does next (`dialogAction.type`).
    DialogActionType {
        /// No answer is expected from the user.
        Close = "Close",
        /// Ask the user to confirm the intent.
        ConfirmIntent = "ConfirmIntent",
        /// Let Lex choose from the bot's configuration.
        Delegate = "Delegate",
        /// Ask the user what they want.
        ElicitIntent = "ElicitIntent",
        /// Ask the user for one slot.
        ElicitSlot = "ElicitSlot",
    }
}

string_enum! {
    /// A V1 `Close` action's `fulfillmentState`.
    FulfillmentState {
        /// The intent was fulfilled.
        Fulfilled = "Fulfilled",
        /// The intent could not be fulfilled.
        Failed = "Failed",
        /// Everything is there; the client fulfils the intent.
        ReadyForFulfillment = "ReadyForFulfillment",
    }
}

string_enum! {
    /// The user's answer to a confirmation prompt (V1 `confirmationStatus`, V2
    /// `confirmationState`).
    ConfirmationStatus {
        /// No confirmation asked for or answered yet.
        None = "None",
        /// The user said yes.
        Confirmed = "Confirmed",
        /// The user said no.
        Denied = "Denied",
    }
}

string_enum! {
    /// A V2 intent's `state`.
    IntentState {
        /// The intent could not be fulfilled.
        Failed = "Failed",
        /// The intent was fulfilled.
        Fulfilled = "Fulfilled",
        /// Fulfilment is under way.
        FulfillmentInProgress = "FulfillmentInProgress",
        /// Slots are still being elicited.
        InProgress = "InProgress",
        /// Every slot is filled; ready to fulfil.
        ReadyForFulfillment = "ReadyForFulfillment",
        /// Waiting for the user (streaming conversations).
        Waiting = "Waiting",
    }
}

string_enum! {
    /// A message's `contentType`.
    ContentType {
        /// Plain text.
        PlainText = "PlainText",
        /// Speech Synthesis Markup Language.
        Ssml = "SSML",
        /// Application-defined content the client interprets.
        CustomPayload = "CustomPayload",
        /// A V2 image response card (the card is in `imageResponseCard`).
        ImageResponseCard = "ImageResponseCard",
    }
}

string_enum! {
    /// How the user spoke to a V2 bot (`inputMode`).
    InputMode {
        /// Typed text.
        Text = "Text",
        /// Speech.
        Speech = "Speech",
        /// Touch-tone keys.
        Dtmf = "DTMF",
    }
}

string_enum! {
    /// What a V1 client expects back (`outputDialogMode`).
    OutputDialogMode {
        /// Text.
        Text = "Text",
        /// Voice.
        Voice = "Voice",
    }
}

string_enum! {
    /// A V2 slot's `shape`.
    SlotShape {
        /// One value.
        Scalar = "Scalar",
        /// Several values, in `values`.
        List = "List",
        /// Sub-slots.
        Composite = "Composite",
    }
}

string_enum! {
    /// The messaging platform a request came through (the `x-amz-lex:` channel attributes).
    ///
    /// V1 writes Twilio as `Twilio-SMS` (`x-amz-lex:channel-type`), V2 as `Twilio`
    /// (`x-amz-lex:channels:platform`); both read as [`TwilioSms`](Self::TwilioSms), which
    /// writes `Twilio-SMS`.
    ///
    /// ```
    /// use chatbridge_lex::ChannelPlatform;
    ///
    /// assert_eq!(ChannelPlatform::from("Twilio-SMS"), ChannelPlatform::TwilioSms);
    /// assert_eq!(ChannelPlatform::from("Twilio"), ChannelPlatform::TwilioSms);
    /// ```
    ChannelPlatform {
        /// Facebook Messenger.
        Facebook = "Facebook",
        /// Kik.
        Kik = "Kik",
        /// Slack.
        Slack = "Slack",
        /// Twilio SMS.
        TwilioSms = "Twilio-SMS" | "Twilio",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        let t: DialogActionType = serde_json::from_str(r#""Teleport""#).unwrap();
        assert_eq!(t, DialogActionType::Unknown("Teleport".into()));
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""Teleport""#);
        let c: ContentType = serde_json::from_str(r#""SSML""#).unwrap();
        assert_eq!(c, ContentType::Ssml);
    }
}
