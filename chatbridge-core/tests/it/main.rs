//! chatbridge-core's integration tests, in one binary.

#![allow(clippy::unwrap_used, unreachable_pub, missing_docs)]

mod bot;
#[allow(dead_code)]
mod common;
#[cfg(feature = "server")]
mod connections;
mod deferral;
mod endpoints;
#[cfg(feature = "server")]
mod hosts;
#[cfg(any(feature = "lambda", feature = "server"))]
#[cfg_attr(not(all(feature = "lambda", feature = "server")), allow(unused))]
mod jobs;
#[cfg(feature = "lambda")]
mod lambda;
#[cfg(feature = "lambda")]
mod lambda_http_events;
#[allow(dead_code)]
mod local;
mod routes;
#[cfg(all(feature = "secrets-manager", feature = "ssm"))]
mod secrets;
#[cfg(all(feature = "dynamodb", feature = "testing"))]
mod store_dynamodb;
#[cfg(all(feature = "dynamodb", feature = "testing"))]
mod store_dynamodb_retry;
#[cfg(feature = "testing")]
mod store_memory;
#[cfg(all(feature = "sqlite", feature = "testing"))]
mod store_sqlite;
