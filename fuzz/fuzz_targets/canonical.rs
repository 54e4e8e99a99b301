//! The Dispersed signer's canonical JSON body and query string.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| topup_core::fuzzing::canonical(data));
