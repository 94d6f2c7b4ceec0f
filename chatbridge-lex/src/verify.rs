//! The one check Lex allows: Lex signs nothing when it invokes a Lambda function, so a bot
//! served over HTTP can require a shared-secret header (see
//! [`LexAdapter::require_header`](crate::LexAdapter::require_header)).

use chatbridge_core::{AdapterError, Secret};
use http::{HeaderMap, HeaderName};
use subtle::ConstantTimeEq;

/// Whether header `name` carries exactly `expected`, compared in constant time.
pub(crate) fn shared_secret(
    headers: &HeaderMap,
    name: &HeaderName,
    expected: &Secret,
) -> Result<(), AdapterError> {
    let given = chatbridge_core::adapter::single_header(headers, name).unwrap_or_default();
    if bool::from(given.ct_eq(expected.expose_secret().as_bytes())) {
        Ok(())
    } else {
        Err(AdapterError::Unauthorized("missing or wrong shared-secret header"))
    }
}
