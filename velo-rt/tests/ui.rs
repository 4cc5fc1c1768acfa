//! Compile-fail tests of `velo_sql!`: a mistake in the SQL is a compile error at the macro call
//! that names the line and column inside the SQL (the `.stderr` files are checked in;
//! regenerate with `TRYBUILD=overwrite cargo test -p velo-rt --test ui`).

#[test]
fn sql_mistakes_are_compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
