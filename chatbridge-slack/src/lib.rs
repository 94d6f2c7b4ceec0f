#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used)]

mod adapter;
#[cfg(feature = "client")]
mod client;
mod message;
mod model;
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub mod oauth;
mod own;
mod read;
mod reply;
mod responder;
#[cfg(feature = "socket-mode")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket-mode")))]
pub mod socket;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod verify;

pub use adapter::{SlackAdapter, SlackAdapterBuilder};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{ApiError, SlackClient, SlackClientBuilder, SlackContextExt};
pub use message::SlackMessageExt;
pub use model::{
    Action, Authorization, Block, Event, EventCallback, Interaction, InteractionKind, ReactionItem,
    SlackPayload, SlashCommand, View,
};
pub use own::{BotIds, OtherBots};
pub use reply::{SlackReply, SlackReplyExt, home_view};

// Adapters, payloads and replies cross tasks: checked when the crate compiles.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SlackAdapter>();
    send_sync::<SlackPayload>();
    send_sync::<SlackReply>();
    send_sync::<verify::Verifier>();
    #[cfg(feature = "socket-mode")]
    send_sync::<socket::SocketMode>();
    #[cfg(feature = "client")]
    {
        send_sync::<SlackClient>();
        send_sync::<ApiError>();
    }
};
