//! Reading a `postgres://` URL: the connection settings for tokio-postgres, and the TLS
//! settings (`sslmode`, `sslrootcert`) this store reads itself, as libpq does.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use percent_encoding::percent_decode_str;
use tokio_postgres::config::{Config, Host};

use crate::StoreError;

/// How a connection uses TLS: libpq's `sslmode`, as far as this store implements it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TlsMode {
    /// Plain TCP: no `sslmode`, or `disable`.
    Disable,
    /// TLS when the server offers it, else plain; the certificate is not checked (`allow`,
    /// `prefer`).
    Prefer,
    /// TLS or no connection; the certificate is not checked (`require` without `sslrootcert`).
    Require,
    /// TLS with a certificate that chains to a trusted root, for any host name (`verify-ca`, or
    /// `require` with `sslrootcert`).
    VerifyCa,
    /// TLS with a certificate that chains to a trusted root and names the host (`verify-full`).
    VerifyFull,
}

impl TlsMode {
    /// The `sslmode` word for this mode.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// Where the trusted roots of `verify-ca` and `verify-full` come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Roots {
    /// The operating system's certificate store (no `sslrootcert`, or `sslrootcert=system`).
    System,
    /// The PEM certificates in a file (`sslrootcert=/path/ca.pem`).
    File(PathBuf),
}

/// A parsed connection URL.
#[derive(Clone)]
pub(super) struct Target {
    pub(super) config: Config,
    pub(super) tls: TlsMode,
    pub(super) roots: Roots,
}

impl Target {
    /// Parses `postgres://user:password@host:port/db?param=value&…`.
    ///
    /// Messages never repeat the URL: it may hold a password.
    pub(super) fn parse(url: &str) -> Result<Self, StoreError> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| invalid("expected a postgres:// or postgresql:// URL"))?;
        let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut mode = None;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = || {
                percent_decode_str(value)
                    .decode_utf8()
                    .map(|value| value.into_owned())
                    .map_err(|_| invalid("a URL parameter is not UTF-8"))
            };
            match name {
                "sslmode" => mode = Some(decoded()?),
                "sslrootcert" => root_cert = Some(decoded()?),
                _ => kept.push(pair),
            }
        }
        let rebuilt = if kept.is_empty() {
            format!("postgres://{base}")
        } else {
            format!("postgres://{base}?{}", kept.join("&"))
        };
        let config = Config::from_str(&rebuilt).map_err(|error| {
            StoreError::Backend(format!("invalid postgres URL: {error}").into())
        })?;
        if config.get_hosts().is_empty() {
            return Err(invalid("the URL names no host"));
        }
        let tls = match (mode.as_deref(), &root_cert) {
            (None | Some("disable"), _) => TlsMode::Disable,
            (Some("allow" | "prefer"), _) => TlsMode::Prefer,
            // As libpq: with a root certificate, `require` checks the chain.
            (Some("require"), None) => TlsMode::Require,
            (Some("require" | "verify-ca"), _) => TlsMode::VerifyCa,
            (Some("verify-full"), _) => TlsMode::VerifyFull,
            (Some(other), _) => {
                return Err(StoreError::Backend(
                    format!(
                        "invalid postgres URL: sslmode `{other}` is not one of disable, allow, \
                         prefer, require, verify-ca, verify-full"
                    )
                    .into(),
                ));
            }
        };
        let roots = match root_cert.as_deref() {
            None | Some("system") => Roots::System,
            Some("") => return Err(invalid("sslrootcert is empty")),
            Some(path) => Roots::File(PathBuf::from(path)),
        };
        Ok(Self { config, tls, roots })
    }
}

/// Where the URL points, never its password.
impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|host| match host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        f.debug_struct("Target")
            .field("hosts", &hosts)
            .field("ports", &self.config.get_ports())
            .field("dbname", &self.config.get_dbname())
            .field("user", &self.config.get_user())
            .field("sslmode", &self.tls.as_str())
            .finish_non_exhaustive()
    }
}

fn invalid(why: &str) -> StoreError {
    StoreError::Backend(format!("invalid postgres URL: {why}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> TlsMode {
        Target::parse(url).expect("valid URL").tls
    }

    #[test]
    fn plain_tcp_unless_the_url_asks_for_tls() {
        let target = Target::parse("postgres://bot:pw@db.example:5433/chat").expect("valid");
        assert_eq!(target.tls, TlsMode::Disable);
        assert_eq!(target.config.get_user(), Some("bot"));
        assert_eq!(target.config.get_ports(), &[5433]);
        assert_eq!(target.config.get_dbname(), Some("chat"));
        assert_eq!(target.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(mode("postgresql://h/db?sslmode=disable"), TlsMode::Disable);
        assert_eq!(mode("postgres://h/db?sslmode=prefer"), TlsMode::Prefer);
        assert_eq!(mode("postgres://h/db?sslmode=allow"), TlsMode::Prefer);
        assert_eq!(mode("postgres://h/db?sslmode=require"), TlsMode::Require);
        assert_eq!(mode("postgres://h/db?sslmode=verify-ca"), TlsMode::VerifyCa);
        assert_eq!(mode("postgres://h/db?sslmode=verify-full"), TlsMode::VerifyFull);
    }

    #[test]
    fn a_root_certificate_makes_require_check_the_chain() {
        let target = Target::parse("postgres://h/db?sslmode=require&sslrootcert=%2Fetc%2Fca.pem")
            .expect("valid");
        assert_eq!(target.tls, TlsMode::VerifyCa);
        assert_eq!(target.roots, Roots::File(PathBuf::from("/etc/ca.pem")));
        let target =
            Target::parse("postgres://h/db?sslrootcert=system&sslmode=verify-full").expect("valid");
        assert_eq!((target.tls, target.roots), (TlsMode::VerifyFull, Roots::System));
    }

    #[test]
    fn other_parameters_reach_the_driver() {
        let target = Target::parse(
            "postgres://h/db?application_name=my%20bot&sslmode=require&connect_timeout=7",
        )
        .expect("valid");
        assert_eq!(target.config.get_application_name(), Some("my bot"));
        assert_eq!(target.config.get_connect_timeout(), Some(&std::time::Duration::from_secs(7)));
        assert_eq!(target.tls, TlsMode::Require);
    }

    #[test]
    fn bad_urls_are_errors_that_hide_the_password() {
        for url in [
            "mysql://u:s3cret@h/db",
            "u:s3cret@h/db",
            "postgres://u:s3cret@h/db?sslmode=sometimes",
            "postgres://u:s3cret@h/db?sslcert=%2Fclient.pem",
            "postgres://u:s3cret@h/db?sslrootcert=",
            "postgres://u:s3cret@h:notaport/db",
            "postgres://u:s3cret@/db",
        ] {
            let error = Target::parse(url).map(|_| ()).expect_err(url);
            let shown = format!(
                "{error} {error:?} {}",
                std::error::Error::source(&error).map_or(String::new(), ToString::to_string)
            );
            assert!(shown.contains("postgres URL"), "{url}: {shown}");
            assert!(!shown.contains("s3cret"), "{url}: {shown}");
        }
    }

    #[test]
    fn debug_names_the_target_not_the_password() {
        let target = Target::parse("postgres://bot:s3cret@db.example:5433/chat?sslmode=require")
            .expect("valid");
        let debug = format!("{target:?}");
        assert!(debug.contains("db.example") && debug.contains("5433"), "{debug}");
        assert!(debug.contains("\"bot\"") && debug.contains("require"), "{debug}");
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
