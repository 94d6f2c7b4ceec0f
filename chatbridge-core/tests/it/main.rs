//! chatbridge-core's integration tests, in one binary.

#![allow(clippy::unwrap_used, unreachable_pub, missing_docs)]

mod bot;
#[allow(dead_code)]
mod common;
#[cfg(feature = "server")]
mod connections;
#[cfg(feature = "testing")]
mod counters;
mod deferral;
mod endpoints;
#[cfg(feature = "server")]
mod hosts;
#[cfg(feature = "testing")]
mod inbox;
#[cfg(any(feature = "lambda", feature = "server"))]
#[cfg_attr(not(all(feature = "lambda", feature = "server")), allow(unused))]
mod jobs;
#[cfg(feature = "testing")]
mod jobs_shared;
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
mod store_dynamodb_inbox;
#[cfg(all(feature = "dynamodb", feature = "testing"))]
mod store_dynamodb_retry;
#[cfg(feature = "testing")]
mod store_memory;
#[cfg(all(feature = "postgres", feature = "testing"))]
mod store_postgres;
#[cfg(all(feature = "postgres", feature = "testing", feature = "sqlite"))]
mod store_postgres_inbox;
#[cfg(all(feature = "postgres", feature = "testing"))]
mod store_postgres_tls;
#[cfg(all(feature = "sqlite", feature = "testing"))]
mod store_sqlite;
