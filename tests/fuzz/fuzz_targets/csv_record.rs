//! Fuzz target `csv_record`: A CSV file of one or more records through the file source into generated row types.
//! The body and its properties: `velo_tests::fuzz::csv_record` (tests/src/fuzz.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| velo_tests::fuzz::csv_record(data));
