#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used)]

mod adapter;
mod message;
mod model;
mod reply;
mod responder;
mod verify;

pub use adapter::{DEFAULT_BUDGET, DEFAULT_TIMEOUT_MESSAGE, LexAdapter};
pub use message::LexMessageExt;
pub use model::attributes::{Channel, LEX_PREFIX, RequestAttributes};
pub use model::card::{Button, GenericAttachment, ImageResponseCard, ResponseCard};
pub use model::enums::{
    ChannelPlatform, ConfirmationStatus, ContentType, DialogActionType, FulfillmentState,
    InputMode, IntentState, InvocationSource, OutputDialogMode, SlotShape,
};
pub use model::value::{Attributes, Extra, LexString, Slots};
pub use model::{EventError, LexEvent, LexVersion, v1, v2};
pub use reply::{LexAction, LexMessage, LexReply, LexReplyExt};

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
