#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::unwrap_used)]

mod adapter;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
mod component;
mod embed;
#[cfg(feature = "client")]
mod emoji;
#[cfg(feature = "gateway")]
#[cfg_attr(docsrs, doc(cfg(feature = "gateway")))]
pub mod gateway;
mod message;
pub mod model;
pub mod register;
mod reply;
mod responder;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod verify;

pub use adapter::{DiscordAdapter, DiscordAdapterBuilder};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{DiscordClient, DiscordContextExt, RetryPolicy};
pub use component::{ButtonStyle, Component, SelectOption, TextInputStyle};
pub use embed::{Embed, EmbedField, EmbedMedia, EmbedText};
pub use message::DiscordMessageExt;
pub use reply::{AllowedMentions, Choice, DiscordParts, DiscordReplyExt, Modal};

/// Discord's REST base URL.
pub const DEFAULT_API_URL: &str = "https://discord.com/api/v10";
