//! Any Clara answer: the first two bytes choose the HTTP status, the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((status, body)) = topup_core::fuzzing::status_and_body(data) {
        topup_core::fuzzing::clara_answer(status, body);
    }
});
