//! Library mode: a `Pipeline` over `Dataflow<rt::Library>` that takes typed input rows and
//! returns typed output rows (and the records that failed), with no files involved.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::dataflow::output_field;
use super::ident;
use crate::ir::plan::Plan;

pub(super) fn library_mode(plan: &Plan) -> TokenStream {
    let stmts = &plan.statements;
    let fields: Vec<Ident> = stmts.iter().map(output_field).collect();
    let rows: Vec<Ident> = stmts.iter().map(|s| ident(&s.struct_name)).collect();
    let field_docs = stmts.iter().map(|s| format!(" Rows of `{}`.", s.name));
    let pushes = plan.sources.iter().map(|src| {
        let row = ident(&src.struct_name);
        let push = format_ident!("push_{}", src.ident);
        let process = format_ident!("process_{}", src.ident);
        let name = &src.name;
        let push_doc = format!(" Pushes one row of source `{}` through every statement that reads it.", src.name);
        let process_doc = format!(" Pushes every row of `rows` into source `{}` and returns what came out.", src.name);
        quote! {
            #[doc = #push_doc]
            pub fn #push(&mut self, row: &#row, out: &mut Output) {
                // Library mode cannot fail: rows and errors go to vectors.
                let _ = self.dataflow.#push(row, &rt::Record::derived(#name));
                self.collect(out);
            }
            #[doc = #process_doc]
            pub fn #process(&mut self, rows: impl IntoIterator<Item = #row>) -> Output {
                let mut out = Output::default();
                let rec = rt::Record::derived(#name);
                self.swap(&mut out);
                for row in rows {
                    let _ = self.dataflow.#push(&row, &rec);
                }
                self.swap(&mut out);
                out
            }
        }
    });
    quote! {
        /// Rows that came out of a [`Pipeline`], per statement, and the records that failed.
        #[derive(Debug, Default, Clone, PartialEq)]
        pub struct Output {
            #(#[doc = #field_docs] pub #fields: Vec<#rows>,)*
            /// Records whose evaluation failed: (statement, error).
            pub errors: Vec<(&'static str, rt::EvalError)>,
        }
        /// The app's statements in library mode: push typed rows in, get typed rows out. State
        /// (groups, windows, DISTINCT, LIMIT) is kept across pushes.
        pub struct Pipeline {
            dataflow: Dataflow<rt::Library>,
        }
        impl Default for Pipeline {
            fn default() -> Self {
                let Ok(dataflow) = Dataflow::new(&());
                Self { dataflow }
            }
        }
        impl Pipeline {
            /// A pipeline with empty state.
            pub fn new() -> Self {
                Self::default()
            }
            #(#pushes)*
            /// Ends the input: returns the rows of `EMIT FINAL` statements, one per group (per
            /// window), and the rows that waited for later rows.
            pub fn finish(&mut self) -> Output {
                let mut out = Output::default();
                self.swap(&mut out);
                let _ = self.dataflow.end_of_input();
                self.swap(&mut out);
                out
            }
            /// Moves what the last push produced to `out`.
            fn collect(&mut self, out: &mut Output) {
                #(rt::move_rows(self.dataflow.#fields.rows(), &mut out.#fields);)*
                rt::move_rows(self.dataflow.rejects.errors(), &mut out.errors);
            }
            /// Swaps `out`'s vectors with the dataflow's, so a batch of pushes writes straight to
            /// them.
            fn swap(&mut self, out: &mut Output) {
                #(std::mem::swap(&mut out.#fields, self.dataflow.#fields.rows());)*
                std::mem::swap(&mut out.errors, self.dataflow.rejects.errors());
            }
        }
    }
}
