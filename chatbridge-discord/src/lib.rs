#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adapter;
mod batch;
#[cfg(feature = "client")]
mod client;
mod component;
#[cfg(feature = "client")]
mod deliver;
mod embed;
mod emoji;
mod error;
mod ext;
mod map;
pub mod model;
mod original;
pub mod register;
mod reply_ext;
mod response;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod verify;

pub use adapter::{ACK_BUDGET, DEFAULT_EMPTY_REPLY, DiscordAdapter, DiscordAdapterBuilder};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{DiscordClient, RetryPolicy, USER_AGENT};
pub use component::{ButtonStyle, Component, SelectOption, TextInputStyle};
#[cfg(feature = "client")]
pub use deliver::TOKEN_LIFETIME;
pub use embed::{Embed, EmbedField, EmbedMedia, EmbedText};
pub use error::ConfigError;
pub use ext::{DiscordContext, DiscordContextExt, DiscordMessageExt};
pub use reply_ext::{AllowedMentions, Choice, DiscordParts, DiscordReplyExt, Modal};
pub use response::{EPHEMERAL, MAX_CHOICES, MessageBody, ResponseType, pong};
pub use verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER, Verifier};

/// Discord's REST base URL.
pub const DEFAULT_API_URL: &str = "https://discord.com/api/v10";
