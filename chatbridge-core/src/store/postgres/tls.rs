//! TLS for the Postgres store through rustls (with ring), as the URL's `sslmode` asks.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::url::{Roots, TlsMode};
use crate::StoreError;

/// The connector for `mode`, or `None` for plain TCP.
pub(super) fn connector(
    mode: TlsMode,
    roots: &Roots,
) -> Result<Option<MakeRustlsConnect>, StoreError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        TlsMode::Disable => return Ok(None),
        TlsMode::Prefer | TlsMode::Require => Arc::new(EncryptOnly { algorithms }),
        TlsMode::VerifyCa => Arc::new(ChainOnly { roots: load_roots(roots)?, algorithms }),
        TlsMode::VerifyFull => {
            WebPkiServerVerifier::builder_with_provider(load_roots(roots)?, Arc::clone(&provider))
                .build()
                .map_err(tls_error)?
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(MakeRustlsConnect::new(config)))
}

/// The trusted roots: the system's, or the certificates of a PEM file.
fn load_roots(roots: &Roots) -> Result<Arc<RootCertStore>, StoreError> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::debug!(%error, "skipped a system root certificate source");
            }
            store.add_parsable_certificates(found.certs);
        }
        Roots::File(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .map_err(|error| {
                    StoreError::Backend(
                        format!("cannot read sslrootcert {}: {error}", path.display()).into(),
                    )
                })?;
            let (_, ignored) = store.add_parsable_certificates(certs);
            if ignored > 0 {
                tracing::warn!(path = %path.display(), ignored, "sslrootcert has unusable certificates");
            }
        }
    }
    if store.is_empty() {
        return Err(StoreError::Backend(
            "no trusted root certificate for sslmode verify-ca or verify-full: set sslrootcert"
                .into(),
        ));
    }
    Ok(Arc::new(store))
}

fn tls_error(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// libpq's `require` and `prefer`: the connection is encrypted, the server's certificate is
/// not checked (the handshake's signatures still are).
#[derive(Debug)]
struct EncryptOnly {
    algorithms: WebPkiSupportedAlgorithms,
}

/// libpq's `verify-ca`: the certificate chains to a trusted root; its host names are not
/// checked.
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tcp_has_no_connector_and_the_rest_do() {
        assert!(connector(TlsMode::Disable, &Roots::System).unwrap().is_none());
        assert!(connector(TlsMode::Prefer, &Roots::System).unwrap().is_some());
        assert!(connector(TlsMode::Require, &Roots::System).unwrap().is_some());
    }

    #[test]
    fn a_missing_root_file_is_an_error_naming_it() {
        let roots = Roots::File("/nonexistent/chatbridge-ca.pem".into());
        for mode in [TlsMode::VerifyCa, TlsMode::VerifyFull] {
            let error = connector(mode, &roots).map(|_| ()).expect_err("no such file");
            let shown = std::error::Error::source(&error).map(ToString::to_string);
            assert!(
                shown.is_some_and(|s| s.contains("/nonexistent/chatbridge-ca.pem")),
                "{error:?}"
            );
        }
    }
}
