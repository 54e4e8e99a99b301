//! What a person types in the amount field.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| topup_core::fuzzing::amount(input));
