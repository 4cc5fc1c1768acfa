//! Fuzz target `json_record`: A JSON Lines or JSON array file through the file source into generated row types.
//! The body and its properties: `velo_tests::fuzz::json_record` (tests/src/fuzz.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| velo_tests::fuzz::json_record(data));
