//! `velo_sql!`: streaming SQL checked at compile time. A thin shell over `velo-codegen`: it reads
//! the SQL, runs the same parse → bind → plan → emit as `velo build`, and either returns the
//! generated module or turns every diagnostic into a `compile_error!` that names the line and
//! column inside the SQL. Use it through `velo_rt::velo_sql!`.

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// `velo_sql!(file = "app.sql")` or `velo_sql!("CREATE STREAM …")`, optionally followed by
/// `, module = name`. Expands to `pub mod <name> { … }` (default: the app name) holding a record
/// struct per source and statement, `Pipeline` (library mode), `run` and `main`.
#[proc_macro]
pub fn velo_sql(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as MacroInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

enum SqlSource {
    Inline(LitStr),
    File(LitStr),
}

struct MacroInput {
    sql: SqlSource,
    module: Option<Ident>,
}

impl Parse for MacroInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let sql = if input.peek(LitStr) {
            SqlSource::Inline(input.parse()?)
        } else {
            let key: Ident = input.parse()?;
            if key != "file" {
                return Err(syn::Error::new(key.span(), "expected a SQL string or `file = \"app.sql\"`"));
            }
            input.parse::<Token![=]>()?;
            SqlSource::File(input.parse()?)
        };
        let mut module = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "module" {
                return Err(syn::Error::new(key.span(), "expected `module = name`"));
            }
            input.parse::<Token![=]>()?;
            module = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(Self { sql, module })
    }
}

fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default()
}

fn expand(input: &MacroInput) -> syn::Result<proc_macro2::TokenStream> {
    let root = manifest_dir();
    let (src, lit, file) = match &input.sql {
        SqlSource::Inline(lit) => {
            let src = velo_codegen::AppSource {
                sql: lit.value(),
                file_name: "<inline SQL>".into(),
                base_dir: root.clone(),
                default_name: "app".into(),
            };
            (src, lit, None)
        }
        SqlSource::File(lit) => {
            let path = root.join(lit.value());
            let src = velo_codegen::load(&path).map_err(|e| syn::Error::new(lit.span(), e.to_string()))?;
            (src, lit, Some(path))
        }
    };
    let compiled = velo_codegen::compile(&src);
    let errors: Vec<&velo_codegen::Diagnostic> =
        compiled.diagnostics.iter().filter(|d| d.severity == velo_codegen::Severity::Error).collect();
    if let Some(plan) = compiled.plan.as_ref().filter(|_| errors.is_empty()) {
        let module =
            input.module.as_ref().map(|m| m.to_string()).unwrap_or_else(|| velo_codegen::names::snake(plan.name()));
        let body = velo_codegen::app_module(plan, &module);
        let tracked = file.iter().chain(plan.files_read()).filter_map(|p| track(p));
        return Ok(quote! {
            #(#tracked)*
            #body
        });
    }
    let mut combined: Option<syn::Error> = None;
    for d in errors {
        let msg = format!(
            "{}:{}:{}: error[{}]: {}{}",
            src.file_name,
            d.span.line,
            d.span.column,
            d.code,
            d.message,
            d.help.as_ref().map(|h| format!("\n  = help: {h}")).unwrap_or_default()
        );
        let e = syn::Error::new(lit.span(), msg);
        match &mut combined {
            Some(c) => c.combine(e),
            None => combined = Some(e),
        }
    }
    Err(combined.unwrap_or_else(|| syn::Error::new(Span::call_site(), "velo_sql!: the app could not be compiled")))
}

/// `const _: &[u8] = include_bytes!("…");` so that editing a file the macro read recompiles the crate.
fn track(path: &Path) -> Option<proc_macro2::TokenStream> {
    let abs = path.canonicalize().ok()?;
    let text = abs.to_str()?;
    Some(quote!(
        const _: &[u8] = ::core::include_bytes!(#text);
    ))
}
