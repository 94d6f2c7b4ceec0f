//! Events API JSON, correctly signed, through the Slack adapter's accept.
#![no_main]

use chatbridge_fuzz::{exercise, slack, slack_signed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let request = slack_signed("application/json", data.to_vec());
    exercise(slack(), &request);
});
