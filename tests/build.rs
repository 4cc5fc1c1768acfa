//! Compile proof: expands every app under `apps/` with the Velo compiler into one module each,
//! so building this crate proves that all generated code type-checks.

use std::path::{Path, PathBuf};

fn main() {
    let apps = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("apps");
    println!("cargo:rerun-if-changed={}", apps.display());
    let files = velo_codegen::find_apps(&apps);
    let mut out = String::new();
    let mut failures = Vec::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let src = velo_codegen::load(file).expect("read app");
        let compiled = velo_codegen::compile(&src);
        let Some(plan) = compiled.plan.as_ref() else {
            let text: Vec<String> = compiled.diagnostics.iter().map(|d| d.render(&src.file_name, &src.sql)).collect();
            failures.push(text.join("\n"));
            continue;
        };
        for f in plan.files_read() {
            println!("cargo:rerun-if-changed={}", f.display());
        }
        let module = module_name(&apps, file);
        let tokens = velo_codegen::app_module(plan, &module);
        out.push_str(&velo_codegen::format(tokens).expect("generated code parses"));
        out.push('\n');
    }
    if !failures.is_empty() {
        panic!("apps that do not compile:\n{}", failures.join("\n"));
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("apps.rs");
    std::fs::write(dest, out).expect("write apps.rs");
}

/// `apps/quickstart/02_filter.sql` → `quickstart_02_filter`, `apps/1brc/1brc.sql` → `_1brc_1brc`.
fn module_name(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    velo_codegen::names::snake(&rel.to_string_lossy())
}
