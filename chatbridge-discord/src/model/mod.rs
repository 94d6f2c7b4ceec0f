//! Interaction payloads as Discord sends them, parsed leniently: only the interaction's `type`
//! is required; missing fields are `None` or empty, unknown fields are ignored, unknown type
//! numbers become `Unknown(n)` and data of an unexpected shape is kept as raw JSON, instead of
//! failing the request.
//!
//! The models are this crate's own rather than `twilight-model`'s, which refuses an interaction
//! without `application_id`, `id`, `token`, `attachment_size_limit` or
//! `authorizing_integration_owners`: fields that Discord's own examples leave out.
//!
//! Ids are snowflakes kept as the strings Discord writes (a number in their place is written out).

mod command;
mod component;
mod interaction;
mod lenient;
mod resolved;

pub use command::{CommandData, CommandOption, CommandType, OptionType, OptionValue, Target};
pub use component::{ComponentData, ComponentType, ModalField, ModalSubmitData};
pub use interaction::{
    ContextType, Interaction, InteractionData, InteractionToken, InteractionType, PartialChannel,
};
pub use resolved::{Attachment, Member, PartialMessage, Resolved, Role, User};

/// Defines a forward-compatible `u8` enum: known values get variants, every other value is
/// kept in `Unknown`, and (de)serialization goes through the number.
macro_rules! u8_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Deserialize, serde::Serialize)]
        #[serde(from = "u8", into = "u8")]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version does not know, kept as sent.
            Unknown(u8),
        }

        impl From<u8> for $name {
            fn from(value: u8) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> Self {
                match value {
                    $( $name::$variant => $value, )*
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}
pub(crate) use u8_enum;
