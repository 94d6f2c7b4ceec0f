//! `PostgresStore`'s `sslmode`, checked from the server's side: `pg_stat_ssl` says whether each
//! of the store's connections is encrypted. The local cluster takes plain and TLS connections
//! and has a certificate for `localhost` and `127.0.0.1` from the CA of
//! `CHATBRIDGE_TEST_POSTGRES_ROOT_CERT`; `other-ca.crt` beside it signed nothing.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use chatbridge_core::StoreError;
use chatbridge_core::store::{PostgresStore, Store};

use crate::store_postgres::{admin, url};

/// The script's URL with `query` added; `alias`: the host is a name the certificate does not
/// hold, reached at 127.0.0.1 through `hostaddr`.
fn url_with(query: &str, alias: bool) -> String {
    let mut url = url();
    if alias {
        url = url.replace("@127.0.0.1:", "@db.chatbridge.invalid:");
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    let hostaddr = if alias { "hostaddr=127.0.0.1&" } else { "" };
    format!("{url}{joiner}{hostaddr}{query}")
}

fn root_cert() -> String {
    crate::local::POSTGRES_ROOT_CERT.endpoint()
}

fn other_ca() -> String {
    let root = root_cert();
    let other = Path::new(&root).with_file_name("other-ca.crt");
    assert!(other.exists(), "{} is made by scripts/postgres-local.sh", other.display());
    other.display().to_string()
}

fn app_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("chatbridge-tls-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

const SCHEMA: &str = "chatbridge_tls_tests";

/// Connects with `query` and reports, from the server, whether the store's connections are
/// encrypted.
async fn encrypted(query: &str, alias: bool) -> Result<bool, StoreError> {
    let app = app_name();
    let url = url_with(&format!("application_name={app}&{query}"), alias);
    let store = PostgresStore::builder(&url).schema(SCHEMA).connect().await?;
    store.put("tls/probe", "v".into(), None).await?;
    let rows = admin()
        .await
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
             WHERE a.application_name = $1",
            &[&app],
        )
        .await
        .expect("pg_stat_ssl");
    assert!(!rows.is_empty(), "the store's connection is open on the server ({query})");
    let ssl: Vec<bool> = rows.iter().map(|row| row.get(0)).collect();
    assert!(ssl.iter().all(|&s| s == ssl[0]), "{ssl:?}");
    Ok(ssl[0])
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_only_when_the_url_asks_for_it() {
    let ca = root_cert();
    let cases = [
        ("", false, false),
        ("sslmode=disable", false, false),
        ("sslmode=prefer", false, true),
        ("sslmode=allow", false, true),
        ("sslmode=require", false, true),
        ("sslmode=require", true, true),
        (&*format!("sslmode=verify-full&sslrootcert={ca}"), false, true),
        (&*format!("sslmode=verify-ca&sslrootcert={ca}"), true, true),
        (&*format!("sslmode=require&sslrootcert={ca}"), true, true),
    ];
    for (query, alias, want) in cases {
        let got = encrypted(query, alias).await;
        assert!(
            matches!(got, Ok(ssl) if ssl == want),
            "{query:?} (alias host: {alias}): encrypted {want} expected, got {got:?}"
        );
    }
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_that_fails_the_check_refuses_the_connection() {
    let (ca, other) = (root_cert(), other_ca());
    let cases = [
        // The certificate does not name the URL's host.
        (format!("sslmode=verify-full&sslrootcert={ca}"), true),
        // The certificate does not chain to the trusted root.
        (format!("sslmode=verify-full&sslrootcert={other}"), false),
        (format!("sslmode=verify-ca&sslrootcert={other}"), false),
        (format!("sslmode=require&sslrootcert={other}"), false),
        // The system's roots do not hold the test CA.
        ("sslmode=verify-full".to_owned(), false),
    ];
    for (query, alias) in cases {
        let error = match encrypted(&query, alias).await {
            Ok(ssl) => panic!("{query:?} (alias host: {alias}) connected (encrypted: {ssl})"),
            Err(error) => error,
        };
        assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
        let mut shown = String::new();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            shown.push_str(&format!("{cause} / "));
            source = cause.source();
        }
        assert!(
            shown.contains("certificate") || shown.contains("root"),
            "{query:?}: the error says why: {shown}"
        );
    }
}
