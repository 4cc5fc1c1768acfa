//! Compile-proof and end-to-end tests live in `tests/`.
