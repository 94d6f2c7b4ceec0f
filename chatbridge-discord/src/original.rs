//! What an interaction's original response is, shared by the adapter's `acknowledge` (which
//! records a deferral's visibility) and `deliver` (which fills, or replaces, that response).

use std::sync::atomic::{AtomicBool, Ordering};

/// The state of one interaction's original response. One per interaction, behind an `Arc` in
/// the message's and the handler context's extensions.
#[derive(Debug, Default)]
pub(crate) struct Original {
    /// Whether `@original` holds a real reply yet, or is gone (a deferral's first message
    /// reply fills or deletes it).
    filled: AtomicBool,
    /// Whether the deferral that went out was ephemeral. Unrecorded, it counts as public, the
    /// automatic deferral's visibility: the safe guess for a private reply.
    deferred_ephemeral: AtomicBool,
}

impl Original {
    /// Records that a deferral (type 5) went out, and whether it was ephemeral.
    pub(crate) fn deferred(&self, ephemeral: bool) {
        self.deferred_ephemeral.store(ephemeral, Ordering::SeqCst);
    }

    /// Whether the deferral is known to be ephemeral.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn deferred_ephemeral(&self) -> bool {
        self.deferred_ephemeral.load(Ordering::SeqCst)
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn filled(&self) -> bool {
        self.filled.load(Ordering::SeqCst)
    }

    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn mark_filled(&self) {
        self.filled.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrecorded_deferral_counts_as_public() {
        let original = Original::default();
        assert!(!original.deferred_ephemeral());
        original.deferred(true);
        assert!(original.deferred_ephemeral());
        original.deferred(false);
        assert!(!original.deferred_ephemeral());
        assert!(!original.filled());
        original.mark_filled();
        assert!(original.filled());
    }
}
