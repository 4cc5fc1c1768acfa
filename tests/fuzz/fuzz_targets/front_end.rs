//! Fuzz target `front_end`: An app's .sql file through the compiler's front end (parse → bind → plan, no emit).
//! The body and its properties: `velo_tests::fuzz::front_end` (tests/src/fuzz.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| velo_tests::fuzz::front_end(data));
