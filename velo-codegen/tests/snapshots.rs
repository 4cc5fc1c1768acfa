//! Golden generated code: every app in `apps/` expanded and formatted, snapshot-tested with
//! insta (review changes with `cargo insta review`, or `INSTA_UPDATE=always cargo test`).

use std::path::{Path, PathBuf};

fn apps() -> Vec<PathBuf> {
    velo_codegen::find_apps(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../apps"))
}

#[test]
fn generated_code_of_every_app() {
    let files = apps();
    assert!(files.len() >= 6, "apps/ holds the example apps");
    for file in files {
        let rel = file.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("../apps")).expect("under apps");
        let name = rel.with_extension("").to_string_lossy().replace(['/', '\\'], "__");
        let src = velo_codegen::load(&file).expect("read");
        let compiled = velo_codegen::compile(&src);
        let plan = compiled.plan.unwrap_or_else(|| panic!("{} has errors: {:?}", file.display(), compiled.diagnostics));
        let code = velo_codegen::generate_main(&plan).expect("formats");
        insta::assert_snapshot!(name, code);
    }
}
