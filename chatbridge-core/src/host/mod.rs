//! Hosts: what drives a [`Bot`](crate::Bot).
//!
//! | host | feature | entry |
//! | --- | --- | --- |
//! | any, tests | — | [`Bot::handle`](crate::Bot::handle) |
//! | tower | `tower` | `Bot` is a `tower::Service<http::Request<B>>` with `Error = Infallible` |
//! | local server | `server` | [`server::serve`], or [`server::router`] inside an axum app |
//! | AWS Lambda | `lambda` | [`lambda::run`], or [`lambda::LambdaHost`] for HTTP and raw (Lex) events |

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;

#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub mod lambda;
