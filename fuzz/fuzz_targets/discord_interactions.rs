//! Interaction JSON, signed inside the target with the fixed test key, through the Discord
//! adapter's accept.
#![no_main]

use chatbridge_fuzz::{discord, discord_signer, exercise};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let request = discord_signer().request("/discord/interactions", data.to_vec());
    exercise(discord(), &request);
});
