//! Any Dispersed answer: the first two bytes choose the HTTP status, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let [a, b, body @ ..] = data {
        let status = 100 + u16::from_le_bytes([*a, *b]) % 500;
        topup_core::fuzzing::dispersed_answer(status, body);
    }
});
