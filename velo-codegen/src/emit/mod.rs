//! The emitter: turns a [`Plan`] into Rust — one module per app with a record struct per source
//! and per statement ([`rows`]), one evaluation function per statement (its WHERE and select
//! list, [`expr`]; GROUP BY in [`aggregate`], window functions in [`over`]), the [`dataflow`]
//! that pushes each record through the statements, `run` for the binary and `Pipeline` for
//! library mode ([`library`]). Operators are plain function calls into `velo_rt`, so the whole
//! pipeline monomorphises and inlines.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

mod aggregate;
mod dataflow;
mod expr;
mod library;
mod over;
mod rows;

use self::expr::expr;
use crate::ir::plan::{Input, Plan, StatementPlan};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The app module: `pub mod <module> { … }` with a `pub fn main()`.
pub(crate) fn app_module(plan: &Plan, module: &str) -> TokenStream {
    let module = ident(module);
    let sources = plan.sources.iter().map(rows::source_struct);
    let outputs = plan.statements.iter().map(rows::output_struct);
    let evals = plan.statements.iter().map(|s| match &s.aggregate {
        Some(agg) => aggregate::items(plan, s, agg),
        None => eval_fn(plan, s),
    });
    let spec = app_spec(plan);
    let dataflow = dataflow::dataflow(plan);
    let run = dataflow::run_items(plan);
    let library = library::library_mode(plan);
    let doc = format!(" The `{}` app, compiled by Velo.", plan.app.name.as_deref().unwrap_or("app"));
    quote! {
        #[doc = #doc]
        pub mod #module {
            #![allow(clippy::all, unused_parens, unused_variables, unused_imports, non_snake_case, non_camel_case_types, dead_code)]
            use ::velo_rt::__private as rt;
            use rt::Rejects as _;
            #(#sources)*
            #(#outputs)*
            #(#evals)*
            #spec
            #dataflow
            #run
            #library
            /// Runs the app with the command-line flags and environment of this process.
            pub fn main() -> ::std::process::ExitCode {
                rt::app::main(&APP, run)
            }
        }
    }
}

/// A whole `main.rs` for a binary: the app module and `fn main`.
pub(crate) fn main_file(plan: &Plan) -> TokenStream {
    let module = app_module(plan, "app");
    quote! {
        #module
        #[global_allocator]
        static ALLOCATOR: velo_rt::FastAllocator = velo_rt::FastAllocator;
        fn main() -> ::std::process::ExitCode {
            app::main()
        }
    }
}

/// Formats tokens as Rust source with prettyplease.
pub(crate) fn format(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("internal error: generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn input_struct(plan: &Plan, input: Input) -> Ident {
    match input {
        Input::Source(i) => ident(&plan.sources[i].struct_name),
        Input::Statement(i) => ident(&plan.statements[i].struct_name),
    }
}

fn eval_fn(plan: &Plan, s: &StatementPlan) -> TokenStream {
    let name = format_ident!("eval_{}", s.ident);
    let input = input_struct(plan, s.input);
    let output = ident(&s.struct_name);
    let doc = format!(" Evaluates `{}` on one input row: `None` when WHERE filters it out.", s.name);
    let filter = s.filter.as_ref().map(|f| {
        let f = expr(f);
        quote!(if !rt::ops::is_true(#f) { return Ok(None); })
    });
    let body = projection_body(s, &output);
    if s.over.is_empty() {
        return quote! {
            #[doc = #doc]
            #[inline]
            pub fn #name(r: &#input) -> rt::EvalResult<Option<#output>> {
                #filter
                #body
            }
        };
    }
    // Window functions see the rows that pass WHERE, in arrival order.
    let state = over::state_struct(s);
    if over::has_waiting_rows(s) {
        let items = over::waiting_items(s, &input, &output, &name, body);
        return quote!(#state #items);
    }
    let state_name = over::state_name(s);
    let values = over::values(s);
    quote! {
        #state
        #[doc = #doc]
        #[inline]
        pub fn #name(r: &#input, over: &mut #state_name) -> rt::EvalResult<Option<#output>> {
            #filter
            #values
            #body
        }
    }
}

/// Evaluates the select items into locals `v0…` and builds the output row.
fn projection_body(s: &StatementPlan, output: &Ident) -> TokenStream {
    let locals: Vec<Ident> = (0..s.items.len()).map(|i| format_ident!("v{}", i)).collect();
    let values = s.items.iter().map(|i| expr(&i.expr));
    let fields = s.items.iter().map(|i| ident(&i.field));
    quote! {
        #(let #locals = #values;)*
        Ok(Some(#output { #(#fields: #locals,)* }))
    }
}

/// `APP`: the app's name, WITH properties, objects, statements and sources.
fn app_spec(plan: &Plan) -> TokenStream {
    let name = plan.app.name.clone().unwrap_or_default();
    let version = plan.app.version.clone().unwrap_or_default();
    let keys = plan.properties.iter().map(|(k, _)| k);
    let values = plan.properties.iter().map(|(_, v)| v);
    let objects = &plan.objects;
    let statements = plan.statements.iter().map(|s| {
        let name = &s.name;
        let sink = match &s.sink {
            Some(k) => {
                let object = &k.object;
                quote!(Some(#object))
            }
            None => quote!(None),
        };
        let distinct = s.distinct;
        let limit = match s.limit {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        quote!(rt::StatementSpec { name: #name, sink: #sink, options: rt::OutputOptions { distinct: #distinct, limit: #limit } })
    });
    let sources = plan.sources.iter().enumerate().map(|(si, src)| {
        let name = &src.name;
        let first = plan.statements.iter().position(|s| s.input == Input::Source(si)).unwrap_or(0);
        quote!(rt::SourceSpec { name: #name, first_reader: #first })
    });
    quote! {
        /// What the compiler knew about this app: its name, WITH properties, statements and
        /// sources.
        pub static APP: rt::AppSpec = rt::AppSpec {
            name: #name,
            version: #version,
            properties: &[#((#keys, #values)),*],
            objects: &[#(#objects),*],
            statements: &[#(#statements),*],
            sources: &[#(#sources),*],
        };
    }
}
