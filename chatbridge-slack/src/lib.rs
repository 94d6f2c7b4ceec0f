#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adapter;
#[cfg(feature = "client")]
mod client;
mod command;
mod config;
#[cfg(feature = "client")]
mod context;
#[cfg(feature = "client")]
mod deliver;
mod events;
mod form;
mod interaction;
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub mod oauth;
mod own;
mod payload;
mod reply;
mod request;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod verify;

pub use adapter::{SlackAdapter, SlackAdapterBuilder};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{ApiError, DEFAULT_API_URL, SlackClient, SlackClientBuilder};
pub use command::SlashCommand;
pub use config::ConfigError;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use context::SlackContextExt;
pub use events::{Authorization, Block, Event, EventCallback, ReactionItem};
pub use interaction::{Action, Interaction, InteractionKind, View};
pub use own::{BotIds, OtherBots};
pub use payload::{SlackMessageExt, SlackPayload};
pub use reply::{SlackReply, SlackReplyExt};
