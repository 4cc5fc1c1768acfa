//! Fuzz target `decimal`: Decimal text through the runtime's decimal parsers and printer.
//! The body and its properties: `velo_tests::fuzz::decimal` (tests/src/fuzz.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| velo_tests::fuzz::decimal(data));
