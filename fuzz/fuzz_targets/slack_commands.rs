//! Slash-command forms (any form body), correctly signed, through the Slack adapter's accept.
#![no_main]

use chatbridge_fuzz::{exercise, slack, slack_signed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let request = slack_signed("application/x-www-form-urlencoded; charset=utf-8", data.to_vec());
    exercise(slack(), &request);
});
