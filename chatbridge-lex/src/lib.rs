#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used)]

mod adapter;
mod attributes;
mod card;
mod enums;
mod event;
mod message;
mod render;
mod reply;
mod responder;
pub mod v1;
pub mod v2;
mod value;

pub use adapter::{DEFAULT_BUDGET, DEFAULT_TIMEOUT_MESSAGE, LexAdapter};
pub use attributes::{Channel, LEX_PREFIX, RequestAttributes};
pub use card::{Button, GenericAttachment, ImageResponseCard, ResponseCard};
pub use enums::{
    ChannelPlatform, ConfirmationStatus, ContentType, DialogActionType, FulfillmentState,
    InputMode, IntentState, InvocationSource, OutputDialogMode, SlotShape,
};
pub use event::{EventError, LexEvent, LexVersion};
pub use message::LexMessageExt;
pub use reply::{LexAction, LexMessage, LexReply, LexReplyExt};
pub use value::{Attributes, Extra, LexString, Slots};

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        send_sync::<LexAdapter>();
        send_sync::<LexEvent>();
        send_sync::<v1::V1Response>();
        send_sync::<v2::V2Response>();
        send_sync::<RequestAttributes>();
        send_sync::<Channel>();
        send_sync::<LexReply>();
        send_sync::<EventError>();
    }
}
