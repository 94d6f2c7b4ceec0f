#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used)]

mod action;
pub mod adapter;
mod answer;
mod bot;
pub mod card;
pub mod clock;
pub mod config;
mod context;
pub mod counters;
pub mod endpoint;
mod error;
pub mod form;
mod handler;
mod handler_run;
pub mod host;
mod id_pattern;
mod ids;
pub mod inbox;
pub mod jobs;
pub mod journal;
mod message;
mod platform;
mod reply;
mod respond;
mod router;
mod secret;
pub mod store;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use action::{Action, Captures, SourceMessage};
pub use bot::{Bot, BotBuilder};
pub use card::{Button, ButtonStyle, Card, CardElement, CardError, Select, SelectOption};
pub use context::Context;
pub use error::{
    AdapterError, BotError, BoxError, ConfigError, DeliveryError, HandlerError, StoreError,
};
pub use form::{FieldKind, Form, FormField};
pub use handler::{Handler, HandlerFn, HandlerOutput, handler_fn};
pub use id_pattern::IdPattern;
pub use ids::{ConversationId, MessageId, Text, ThreadId, UserId, WorkspaceId};
pub use message::{Command, Message, MessageKind, Sender};
pub use platform::Platform;
pub use reply::{Emoji, IntoReply, Reply, Visibility};
pub(crate) use respond::plain;
pub use router::{Pattern, Router};
pub use secret::Secret;
