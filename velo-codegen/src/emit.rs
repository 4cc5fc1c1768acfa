//! The emitter: turns a [`Plan`] into Rust — one module per app with a record struct per source
//! and per statement, one evaluation function per statement, and a `run` function that wires
//! sources to statements, statements to sinks and to the statements that read them. Operators are
//! plain function calls into `velo_rt`, so the whole pipeline monomorphises and inlines.

use proc_macro2::{Ident, Literal as Lit, Span, TokenStream};
use quote::{format_ident, quote};

mod aggregate;
mod over;

use crate::expr::{ArithOp, CmpOp, Func, Literal, TExpr};
use crate::parse::EmitMode;
use crate::plan::{Input, Plan, SourcePlan, StatementPlan};
use crate::types::SqlType;
use crate::window::{EventTime, TimeFormat};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The app module: `pub mod <module> { … }` with a `pub fn main()`.
pub fn app_module(plan: &Plan, module: &str) -> TokenStream {
    let module = ident(module);
    let sources = plan.sources.iter().map(source_struct);
    let outputs = plan.statements.iter().map(output_struct);
    let evals = plan.statements.iter().map(|s| match &s.aggregate {
        Some(agg) => aggregate::items(plan, s, agg),
        None => eval_fn(plan, s),
    });
    let spec = app_spec(plan);
    let run = run_fn(plan);
    let library = library_mode(plan);
    let doc = format!(" The `{}` app, compiled by Velo.", plan.app.name.as_deref().unwrap_or("app"));
    quote! {
        #[doc = #doc]
        pub mod #module {
            #![allow(clippy::all, unused_parens, unused_variables, non_snake_case, non_camel_case_types, dead_code)]
            use ::velo_rt::__private as rt;
            #(#sources)*
            #(#outputs)*
            #(#evals)*
            #spec
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
pub fn main_file(plan: &Plan) -> TokenStream {
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
pub fn format(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("internal error: generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn column_list(names: &[String]) -> TokenStream {
    quote!(&[#(#names),*])
}

fn source_struct(s: &SourcePlan) -> TokenStream {
    let name = ident(&s.struct_name);
    let doc = format!(" A row of source `{}` ({}).", s.name, s.schema.origin);
    let fields: Vec<Ident> = s.fields.iter().map(|f| ident(f)).collect();
    let tys = s.schema.columns.iter().map(|c| c.ty.rust());
    let renames = s.schema.columns.iter().map(|c| &c.name);
    let names: Vec<String> = s.schema.columns.iter().map(|c| c.name.clone()).collect();
    let columns = column_list(&names);
    let decodes = s.schema.columns.iter().zip(&fields).enumerate().map(|(i, (c, field))| {
        let read = if c.nullable { quote!(read) } else { quote!(read_not_null) };
        let i = Lit::usize_unsuffixed(i);
        quote!(f.#read(#i, &mut self.#field)?;)
    });
    let required: Vec<(&String, &crate::schema::Column)> =
        s.fields.iter().zip(&s.schema.columns).filter(|(_, c)| !c.nullable).collect();
    let validate = (!required.is_empty()).then(|| {
        let fields = required.iter().map(|(f, _)| ident(f));
        let names = required.iter().map(|(_, c)| &c.name);
        quote! {
            fn validate(&self) -> Result<(), rt::DecodeError> {
                #(if self.#fields.is_none() {
                    return Err(rt::DecodeError::column(#names, "NULL in a NOT NULL column"));
                })*
                Ok(())
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq, rt::serde::Deserialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name {
            #(#[serde(default, rename = #renames)] pub #fields: Option<#tys>,)*
        }
        impl rt::SourceRow for #name {
            const COLUMNS: &'static [&'static str] = #columns;
            fn decode_csv(&mut self, f: &rt::CsvFields<'_>) -> Result<(), rt::DecodeError> {
                #(#decodes)*
                Ok(())
            }
            #validate
        }
    }
}

fn output_struct(s: &StatementPlan) -> TokenStream {
    let name = ident(&s.struct_name);
    let doc = format!(" A row of `{}`.", s.name);
    let fields: Vec<Ident> = s.items.iter().map(|i| ident(&i.field)).collect();
    let tys = s.items.iter().map(|i| i.expr.ty().rust());
    let attrs = s.items.iter().map(|i| {
        let rename = &i.name;
        if s.decimal_as_number && matches!(i.expr.ty(), SqlType::Decimal(..)) {
            quote!(#[serde(rename = #rename, serialize_with = "rt::decimal_as_number")])
        } else {
            quote!(#[serde(rename = #rename)])
        }
    });
    let names: Vec<String> = s.items.iter().map(|i| i.name.clone()).collect();
    let columns = column_list(&names);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name {
            #(#attrs pub #fields: Option<#tys>,)*
        }
        impl rt::SinkRow for #name {
            const COLUMNS: &'static [&'static str] = #columns;
            fn encode_csv(&self, out: &mut rt::CsvOut) {
                #(out.field(&self.#fields);)*
            }
        }
    }
}

fn input_struct(plan: &Plan, input: Input) -> Ident {
    match input {
        Input::Source(i) => ident(&plan.sources[i].struct_name),
        Input::Statement(i) => ident(&plan.statements[i].struct_name),
    }
}

fn eval_name(s: &StatementPlan) -> Ident {
    format_ident!("eval_{}", s.ident)
}

fn var_name(s: &StatementPlan) -> Ident {
    format_ident!("stmt_{}", s.ident)
}

fn eval_fn(plan: &Plan, s: &StatementPlan) -> TokenStream {
    let name = eval_name(s);
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

/// The arguments after the row of statement `s`'s eval function (its OVER state, if any), in
/// `run` (`self_ = false`) or in the library-mode `Pipeline` (`self_ = true`).
fn eval_state(s: &StatementPlan, self_: bool) -> TokenStream {
    if s.over.is_empty() {
        return quote!();
    }
    let var = over::state_var(s);
    if self_ { quote!(, &mut self.#var) } else { quote!(, &mut #var) }
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

fn app_spec(plan: &Plan) -> TokenStream {
    let name = plan.app.name.clone().unwrap_or_default();
    let version = plan.app.version.clone().unwrap_or_default();
    let keys = plan.properties.iter().map(|(k, _)| k);
    let values = plan.properties.iter().map(|(_, v)| v);
    let objects = &plan.objects;
    quote! {
        /// What the compiler knew about this app: its name and WITH properties.
        pub static APP: rt::AppSpec = rt::AppSpec {
            name: #name,
            version: #version,
            properties: &[#((#keys, #values)),*],
            objects: &[#(#objects),*],
        };
    }
}

/// The `push` call of statement `i` on `row` (an expression of its input type), with its
/// downstream statements nested inside.
fn push_call(plan: &Plan, i: usize, row: TokenStream) -> TokenStream {
    let s = &plan.statements[i];
    let var = var_name(s);
    let eval = eval_name(s);
    let downstream = downstream_of(plan, i);
    let Some(agg) = &s.aggregate else {
        let state = eval_state(s, false);
        if over::has_waiting_rows(s) {
            // Rows wait for their LEAD values: this record may release several earlier rows.
            let (finish, _) = over::waiting_fn_names(s);
            return quote! {{
                let mut ready = Vec::new();
                match #eval(#row #state, &mut ready) {
                    Err(e) => #var.reject(&e, rec),
                    Ok(()) => {
                        let mut flow = rt::Flow::Continue;
                        for e in &ready {
                            flow = #var.push(#finish(e), rec, #downstream)?;
                        }
                        Ok(flow)
                    }
                }
            }};
        }
        return quote!(#var.push(#eval(#row #state), rec, #downstream));
    };
    let n = aggregate::names(s);
    let (update, result, groups) = (&n.update, &n.result, &n.groups);
    if let Some(w) = &agg.window {
        // Rows of this record, then the windows its event time closed.
        let (touched, rows) = window_rows(agg.emit);
        let dead_letter = w.late == crate::window::LateStrategy::DeadLetter;
        return quote! {
            match #update(#row, &mut #groups) {
                Err(e) => #var.reject(&e, rec),
                Ok(None) => Ok(rt::Flow::Continue),
                Ok(Some(rt::Fate::Late { event_time, watermark })) => {
                    #var.late(&rt::EvalError::Late { event_time, watermark }, rec, #dead_letter)
                }
                Ok(Some(rt::Fate::Placed)) => {
                    for (w, k, a) in #groups.#touched() {
                        #var.push(#result(k.clone(), a, w), rec, #downstream)?;
                    }
                    #groups.fire(false, #rows, |w, k, a| #var.push_final(#result(k.into_owned(), a, w), #downstream).map(|_| ()))?;
                    Ok(rt::Flow::Continue)
                }
            }
        };
    }
    let changed = match agg.emit {
        EmitMode::Changes => quote! {
            let res = { let (k, a) = #groups.get(g); #result(k.clone(), a) };
            #var.push(res, rec, #downstream)
        },
        EmitMode::Final => quote!(Ok(rt::Flow::Continue)),
    };
    quote! {
        match #update(#row, &mut #groups) {
            Err(e) => #var.reject(&e, rec),
            Ok(None) => Ok(rt::Flow::Continue),
            Ok(Some(g)) => { #changed }
        }
    }
}

/// What a windowed statement emits per record — the `Windows` method listing those groups (EMIT
/// CHANGES: every group the record updated; EMIT FINAL: corrections of fired windows) — and
/// whether firing a window emits its rows (EMIT FINAL only).
fn window_rows(emit: EmitMode) -> (TokenStream, bool) {
    match emit {
        EmitMode::Changes => (quote!(touched), false),
        EmitMode::Final => (quote!(amended), true),
    }
}

/// The downstream closure of statement `i` (statements reading it), for a final flush.
fn downstream_of(plan: &Plan, i: usize) -> TokenStream {
    let children: Vec<usize> =
        (0..plan.statements.len()).filter(|&c| plan.statements[c].input == Input::Statement(i)).collect();
    if children.is_empty() {
        return quote!(rt::no_downstream);
    }
    let calls = children.iter().map(|&c| push_call(plan, c, quote!(out)));
    let flows: Vec<Ident> = (0..children.len()).map(|k| format_ident!("f{}", k)).collect();
    quote! {
        |out, rec| {
            let flow = rt::Flow::Stop;
            #(let #flows = #calls?; let flow = flow.max(#flows);)*
            Ok(flow)
        }
    }
}

/// Whether a source can be read on several threads: every statement reading it is an
/// `EMIT FINAL` aggregation, whose partial states merge into the same result.
fn parallel_source(plan: &Plan, si: usize) -> bool {
    let mut consumers = plan.statements.iter().filter(|s| s.input == Input::Source(si)).peekable();
    consumers.peek().is_some()
        && consumers.all(|s| s.aggregate.as_ref().is_some_and(|a| a.emit == EmitMode::Final && a.window.is_none()))
}

/// Reads source `si` on `ctx.partitions(..)` threads into partial group tables, then merges them
/// in input order and reports dead letters in input order.
fn parallel_read(plan: &Plan, si: usize) -> TokenStream {
    let src = &plan.sources[si];
    let row_ty = ident(&src.struct_name);
    let name = &src.name;
    let consumers: Vec<usize> =
        (0..plan.statements.len()).filter(|&c| plan.statements[c].input == Input::Source(si)).collect();
    let names: Vec<aggregate::Names> = consumers.iter().map(|&c| aggregate::names(&plan.statements[c])).collect();
    let vars: Vec<Ident> = consumers.iter().map(|&c| var_name(&plan.statements[c])).collect();
    let stmt_names = consumers.iter().map(|&c| &plan.statements[c].name);
    let groups: Vec<&Ident> = names.iter().map(|n| &n.groups).collect();
    let keys = names.iter().map(|n| &n.key);
    let accs: Vec<&Ident> = names.iter().map(|n| &n.acc).collect();
    let updates = names.iter().map(|n| &n.update);
    let idx: Vec<usize> = (0..consumers.len()).collect();
    let declared = match plan.statements[consumers[0]].job.num_partitions {
        Some(n) => {
            let n = n as usize;
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    quote! {
        {
            #[derive(Default)]
            struct Partial {
                #(#groups: rt::Groups<#keys, #accs>,)*
                rejected: Vec<(usize, rt::Rejected)>,
            }
            let spec = rt::FileSourceSpec::from_config(&ctx.config, #name)?;
            let partitions = ctx.partitions(#declared);
            let (states, records) = rt::read_file_source_parallel::<#row_ty, Partial>(&spec, partitions, Partial::default, |st, row, rec| {
                let row = match row {
                    Ok(row) => row,
                    Err(e) => {
                        st.rejected.push((0, rt::Rejected::new(&e, rec)));
                        return Ok(());
                    }
                };
                #(if let Err(e) = #updates(row, &mut st.#groups) {
                    st.rejected.push((#idx, rt::Rejected::new(&e, rec)));
                })*
                Ok(())
            })?;
            for st in states {
                #(#groups.merge(st.#groups, #accs::merge).map_err(|e| {
                    rt::FatalError(format!("combining the partial aggregates of `{}`: {e}", #stmt_names))
                })?;)*
                for (k, r) in &st.rejected {
                    #(if *k == #idx { #vars.reject_later(r)?; })*
                }
            }
            ctx.source_done(#name, &spec.path, records);
        }
    }
}

/// The end-of-input work of every statement — `final_flush` for EMIT FINAL groups, `waiting_flush`
/// for rows waiting for later rows — in statement order: a statement reads only earlier ones, so
/// the rows an upstream statement flushes reach its readers before they flush in turn.
fn end_of_input(
    plan: &Plan,
    final_flush: impl Fn(FinalStatement) -> TokenStream,
    waiting_flush: impl Fn(usize, &StatementPlan) -> TokenStream,
) -> Vec<TokenStream> {
    let mut flushes: Vec<(usize, TokenStream)> =
        final_statements(plan).into_iter().map(|f| (f.index, final_flush(f))).collect();
    for (i, s) in plan.statements.iter().enumerate().filter(|(_, s)| over::has_waiting_rows(s)) {
        flushes.push((i, waiting_flush(i, s)));
    }
    flushes.sort_by_key(|(i, _)| *i);
    flushes.into_iter().map(|(_, flush)| flush).collect()
}

/// Statements with `EMIT FINAL`, which emit at the end of the input.
struct FinalStatement {
    index: usize,
    names: aggregate::Names,
    /// A global aggregate without windows: one row even for an empty input.
    global: bool,
    windowed: bool,
}

fn final_statements(plan: &Plan) -> Vec<FinalStatement> {
    plan.statements
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.aggregate {
            Some(a) if a.emit == EmitMode::Final => Some(FinalStatement {
                index: i,
                names: aggregate::names(s),
                global: a.keys.is_empty() && a.window.is_none(),
                windowed: a.window.is_some(),
            }),
            _ => None,
        })
        .collect()
}

fn run_fn(plan: &Plan) -> TokenStream {
    let opens = plan.statements.iter().map(|s| {
        let var = var_name(s);
        let out = ident(&s.struct_name);
        let name = &s.name;
        let sink = match &s.sink {
            Some(k) => quote!(Some(#k)),
            None => quote!(None),
        };
        let distinct = s.distinct;
        let limit = match s.limit {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        quote! {
            let mut #var = rt::Statement::<#out>::open(ctx, #name, #sink, rt::OutputOptions { distinct: #distinct, limit: #limit })?;
        }
    });
    let reads = plan.sources.iter().enumerate().map(|(si, src)| {
        if parallel_source(plan, si) {
            return parallel_read(plan, si);
        }
        let consumers: Vec<usize> =
            (0..plan.statements.len()).filter(|&c| plan.statements[c].input == Input::Source(si)).collect();
        let row_ty = ident(&src.struct_name);
        let name = &src.name;
        let first = var_name(&plan.statements[consumers[0]]);
        let calls = consumers.iter().map(|&c| push_call(plan, c, quote!(row)));
        let flows: Vec<Ident> = (0..consumers.len()).map(|k| format_ident!("f{}", k)).collect();
        quote! {
            {
                let spec = rt::FileSourceSpec::from_config(&ctx.config, #name)?;
                let records = rt::read_file_source::<#row_ty>(&spec, |row, rec| {
                    let row = match row {
                        Ok(row) => row,
                        Err(e) => return #first.reject(&e, rec),
                    };
                    let flow = rt::Flow::Stop;
                    #(let #flows = #calls?; let flow = flow.max(#flows);)*
                    Ok(flow)
                })?;
                ctx.source_done(#name, &spec.path, records);
            }
        }
    });
    let groups = plan.statements.iter().filter_map(|s| {
        let agg = s.aggregate.as_ref()?;
        let n = aggregate::names(s);
        let (g, init) = (&n.groups, aggregate::state_init(&n, agg));
        Some(quote!(let mut #g = #init;))
    });
    let overs = plan.statements.iter().filter(|s| !s.over.is_empty()).map(|s| {
        let (var, ty) = (over::state_var(s), over::state_name(s));
        quote!(let mut #var = #ty::default();)
    });
    // EMIT FINAL: one row per group (per window) once every source has ended; rows still
    // waiting for later rows.
    let flushes = end_of_input(
        plan,
        |f| {
            let var = var_name(&plan.statements[f.index]);
            let (g, result) = (&f.names.groups, &f.names.result);
            let downstream = downstream_of(plan, f.index);
            if f.windowed {
                return quote! {
                    #g.fire(true, true, |w, k, a| #var.push_final(#result(k.into_owned(), a, w), #downstream).map(|_| ()))?;
                };
            }
            let global = f.global.then(|| quote!(if #g.is_empty() { #g.entry(&()); }));
            quote! {
                #global
                for (k, a) in #g.drain() {
                    #var.push_final(#result(k, &a), #downstream)?;
                }
            }
        },
        |i, s| {
            let (var, state) = (var_name(s), over::state_var(s));
            let (finish, flush) = over::waiting_fn_names(s);
            let downstream = downstream_of(plan, i);
            quote! {
                for e in #flush(&mut #state) {
                    #var.push_final(#finish(&e), #downstream)?;
                }
            }
        },
    );
    let finishes = plan.statements.iter().map(|s| {
        let var = var_name(s);
        quote!(#var.finish(ctx)?;)
    });
    quote! {
        /// Reads every source to its end, pushing each record through the statements.
        pub fn run(ctx: &mut rt::Context) -> Result<(), rt::FatalError> {
            #(#opens)*
            #(#groups)*
            #(#overs)*
            #(#reads)*
            #(#flushes)*
            #(#finishes)*
            Ok(())
        }
    }
}

/// Library mode: a `Pipeline` that takes typed input rows and returns typed output rows, with
/// no files involved.
fn library_mode(plan: &Plan) -> TokenStream {
    let stmts = &plan.statements;
    let fields: Vec<Ident> = stmts.iter().map(|s| ident(&s.ident)).collect();
    let rows: Vec<Ident> = stmts.iter().map(|s| ident(&s.struct_name)).collect();
    let field_docs = stmts.iter().map(|s| format!(" Rows of `{}`.", s.name));
    let gates: Vec<Ident> = stmts.iter().map(var_name).collect();
    let options = stmts.iter().map(|s| {
        let distinct = s.distinct;
        let limit = match s.limit {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        quote!(rt::OutputOptions { distinct: #distinct, limit: #limit })
    });
    let aggregating: Vec<(aggregate::Names, &crate::aggregate::AggregatePlan)> =
        stmts.iter().filter_map(|s| Some((aggregate::names(s), s.aggregate.as_ref()?))).collect();
    let group_fields: Vec<&Ident> = aggregating.iter().map(|(n, _)| &n.groups).collect();
    let group_types = aggregating.iter().map(|(n, a)| aggregate::state_type(n, a));
    let group_inits = aggregating.iter().map(|(n, a)| aggregate::state_init(n, a));
    let windowed: Vec<&StatementPlan> = stmts.iter().filter(|s| !s.over.is_empty()).collect();
    let over_fields: Vec<Ident> = windowed.iter().map(|s| over::state_var(s)).collect();
    let over_types: Vec<Ident> = windowed.iter().map(|s| over::state_name(s)).collect();
    let flushes = end_of_input(
        plan,
        |f| {
            let (g, result) = (&f.names.groups, &f.names.result);
            let emit = library_emit(plan, f.index, quote!(res));
            if f.windowed {
                return quote! {
                    let _ = self.#g.fire(true, true, |w, k, a| {
                        let res = #result(k.into_owned(), a, w);
                        #emit
                        Ok::<(), ()>(())
                    });
                };
            }
            let global = f.global.then(|| quote!(if self.#g.is_empty() { self.#g.entry(&()); }));
            quote! {
                #global
                for (k, a) in self.#g.iter() {
                    let res = #result(k.clone(), a);
                    #emit
                }
            }
        },
        |i, s| {
            let state = over::state_var(s);
            let (finish, flush) = over::waiting_fn_names(s);
            let emit = library_emit(plan, i, quote!(res));
            quote! {
                for e in #flush(&mut self.#state) {
                    let res = #finish(&e);
                    #emit
                }
            }
        },
    );
    let finish_body = if flushes.is_empty() {
        quote!(Output::default())
    } else {
        quote! {
            let mut out = Output::default();
            #(#flushes)*
            out
        }
    };
    let pushes = plan.sources.iter().enumerate().map(|(si, src)| {
        let row_ty = ident(&src.struct_name);
        let snake = &src.ident;
        let push = format_ident!("push_{}", snake);
        let process = format_ident!("process_{}", snake);
        let consumers = (0..stmts.len())
            .filter(|&c| stmts[c].input == Input::Source(si))
            .map(|c| library_push(plan, c, quote!(row)));
        let push_doc = format!(" Pushes one row of source `{}` through every statement that reads it.", src.name);
        let process_doc = format!(" Pushes every row of `rows` into source `{}` and returns what came out.", src.name);
        quote! {
            #[doc = #push_doc]
            pub fn #push(&mut self, row: &#row_ty, out: &mut Output) {
                #(#consumers)*
            }
            #[doc = #process_doc]
            pub fn #process(&mut self, rows: impl IntoIterator<Item = #row_ty>) -> Output {
                let mut out = Output::default();
                for row in rows {
                    self.#push(&row, &mut out);
                }
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
        /// The app's statements in library mode: push typed rows in, get typed rows out. DISTINCT
        /// and LIMIT keep their state across pushes.
        #[derive(Debug)]
        pub struct Pipeline {
            #(#gates: rt::Gate,)*
            #(#group_fields: #group_types,)*
            #(#over_fields: #over_types,)*
        }
        impl Default for Pipeline {
            fn default() -> Self {
                Self {
                    #(#gates: rt::Gate::new(#options),)*
                    #(#group_fields: #group_inits,)*
                    #(#over_fields: #over_types::default(),)*
                }
            }
        }
        impl Pipeline {
            /// A pipeline with empty state.
            pub fn new() -> Self {
                Self::default()
            }
            #(#pushes)*
            /// Ends the input: returns the rows of `EMIT FINAL` statements, one per group.
            pub fn finish(&mut self) -> Output {
                #finish_body
            }
        }
    }
}

/// Library-mode evaluation of statement `i` on `row`, then of the statements that read it.
fn library_push(plan: &Plan, i: usize, row: TokenStream) -> TokenStream {
    let s = &plan.statements[i];
    let name = &s.name;
    let Some(agg) = &s.aggregate else {
        let (eval, state) = (eval_name(s), eval_state(s, true));
        if over::has_waiting_rows(s) {
            let (finish, _) = over::waiting_fn_names(s);
            let emit = library_emit(plan, i, quote!(res));
            return quote! {{
                let mut ready = Vec::new();
                match #eval(#row #state, &mut ready) {
                    Err(e) => out.errors.push((#name, e)),
                    Ok(()) => {
                        for e in &ready {
                            let res = #finish(e);
                            #emit
                        }
                    }
                }
            }};
        }
        return library_emit(plan, i, quote!(#eval(#row #state)));
    };
    let n = aggregate::names(s);
    let (update, result, groups) = (&n.update, &n.result, &n.groups);
    if let Some(w) = &agg.window {
        let (touched, rows) = window_rows(agg.emit);
        let late = (w.late == crate::window::LateStrategy::DeadLetter)
            .then(|| quote!(out.errors.push((#name, rt::EvalError::Late { event_time, watermark }));));
        let emit = library_emit(plan, i, quote!(res));
        return quote! {
            match #update(#row, &mut self.#groups) {
                Ok(Some(rt::Fate::Placed)) => {
                    for (w, k, a) in self.#groups.#touched() {
                        let res = #result(k.clone(), a, w);
                        #emit
                    }
                    let _ = self.#groups.fire(false, #rows, |w, k, a| {
                        let res = #result(k.into_owned(), a, w);
                        #emit
                        Ok::<(), ()>(())
                    });
                }
                Ok(Some(rt::Fate::Late { event_time, watermark })) => { #late }
                Ok(None) => {}
                Err(e) => out.errors.push((#name, e)),
            }
        };
    }
    let changed = match agg.emit {
        EmitMode::Changes => library_emit(plan, i, quote!({ let (k, a) = self.#groups.get(g); #result(k.clone(), a) })),
        EmitMode::Final => quote!(),
    };
    quote! {
        match #update(#row, &mut self.#groups) {
            Ok(Some(g)) => { #changed }
            Ok(None) => {}
            Err(e) => out.errors.push((#name, e)),
        }
    }
}

/// Library-mode handling of one evaluation `result` of statement `i`: DISTINCT/LIMIT, the
/// statements that read it, and the output vector.
fn library_emit(plan: &Plan, i: usize, result: TokenStream) -> TokenStream {
    let s = &plan.statements[i];
    let gate = var_name(s);
    let field = ident(&s.ident);
    let name = &s.name;
    let children = (0..plan.statements.len())
        .filter(|&c| plan.statements[c].input == Input::Statement(i))
        .map(|c| library_push(plan, c, quote!(&r)));
    quote! {
        match #result {
            Ok(Some(r)) => {
                if self.#gate.admit(&r) {
                    #(#children)*
                    out.#field.push(r);
                }
            }
            Ok(None) => {}
            Err(e) => out.errors.push((#name, e)),
        }
    }
}

/// The Rust expression (of type `Option<T>`) for a typed SQL expression. Fallible operations end
/// in `?`, so the surrounding function returns the first evaluation error.
pub fn expr(e: &TExpr) -> TokenStream {
    match e {
        TExpr::Literal(l, ty) => literal(l, *ty),
        TExpr::Column { field, ty } => {
            let f = ident(field);
            if ty.is_copy() { quote!(r.#f) } else { quote!(r.#f.clone()) }
        }
        TExpr::Local { name, ty } => {
            let v = ident(name);
            if ty.is_copy() { quote!(#v) } else { quote!(#v.clone()) }
        }
        TExpr::RecordTime(time) => record_time(time),
        TExpr::Cast { expr: inner, to, precision } => {
            let x = expr(inner);
            let t = to.rust();
            match (precision, to) {
                (Some(p), SqlType::Decimal(_, s)) => quote!(rt::cast_decimal::<_, #s>(#x, #p)?),
                _ => quote!(rt::cast::<_, #t>(#x)?),
            }
        }
        TExpr::Neg(x) => {
            let x = expr(x);
            quote!(rt::ops::neg(#x)?)
        }
        TExpr::Not(x) => {
            let x = expr(x);
            quote!(rt::ops::not(#x))
        }
        TExpr::Arith { op, left, right, ty } => arith(*op, left, right, *ty),
        TExpr::Compare { op, left, right } => {
            let f = match op {
                CmpOp::Eq => quote!(eq),
                CmpOp::Ne => quote!(ne),
                CmpOp::Lt => quote!(lt),
                CmpOp::Le => quote!(le),
                CmpOp::Gt => quote!(gt),
                CmpOp::Ge => quote!(ge),
            };
            // Text compares borrowed: no clone of a column, no allocation for a literal.
            let (a, b) = match (borrowed_text(left), borrowed_text(right)) {
                (Some(a), Some(b)) => (a, b),
                _ => (expr(left), expr(right)),
            };
            quote!(rt::ops::#f(&#a, &#b))
        }
        TExpr::And(a, b) => {
            let (a, b) = (expr(a), expr(b));
            quote!({ let l = #a; if l == Some(false) { Some(false) } else { rt::ops::and(l, #b) } })
        }
        TExpr::Or(a, b) => {
            let (a, b) = (expr(a), expr(b));
            quote!({ let l = #a; if l == Some(true) { Some(true) } else { rt::ops::or(l, #b) } })
        }
        TExpr::IsNull { expr: x, negated } => {
            let x = expr(x);
            if *negated { quote!(Some(#x.is_some())) } else { quote!(Some(#x.is_none())) }
        }
        TExpr::IsDistinct { left, right, negated } => {
            let (a, b) = (expr(left), expr(right));
            if *negated {
                quote!(Some(rt::ops::not_distinct(&#a, &#b)))
            } else {
                quote!(Some(!rt::ops::not_distinct(&#a, &#b)))
            }
        }
        TExpr::InList { expr: x, list, negated } => {
            let x = expr(x);
            let items = list.iter().map(expr);
            let test = quote!(rt::ops::in_list(&#x, &[#(#items),*]));
            if *negated { quote!(rt::ops::not(#test)) } else { test }
        }
        TExpr::Like { expr: x, pattern, negated } => {
            let (x, p) = (expr(x), expr(pattern));
            let test = quote!(rt::func::like(&#x, &#p));
            if *negated { quote!(rt::ops::not(#test)) } else { test }
        }
        TExpr::Case { whens, otherwise, ty } => {
            let conds = whens.iter().map(|(c, _)| expr(c));
            let results = whens.iter().map(|(_, r)| expr(r));
            let t = ty.rust();
            let other = match otherwise {
                Some(o) => expr(o),
                None => quote!(None::<#t>),
            };
            quote!(#(if rt::ops::is_true(#conds) { #results } else)* { #other })
        }
        TExpr::Coalesce(args, _) => {
            let mut it = args.iter().rev();
            let last = it.next().map(expr).unwrap_or_else(|| quote!(None));
            it.fold(last, |rest, a| {
                let a = expr(a);
                quote!({ let v = #a; if v.is_some() { v } else { #rest } })
            })
        }
        TExpr::Call { func, args, ty } => call(func, args, *ty),
    }
}

/// The event time of the record `r` in milliseconds (`?` on a NULL or unreadable time).
pub(crate) fn event_millis(time: &EventTime) -> TokenStream {
    let Some(t) = &time.column else {
        return quote!(rt::window::processing_time());
    };
    let format = match &time.format {
        Some(TimeFormat::EpochSeconds) if t.ty() == SqlType::BigInt => {
            let t = expr(t);
            return quote!(rt::window::seconds_event_time(#t)?);
        }
        None | Some(TimeFormat::EpochMillis) if t.ty() != SqlType::String => {
            let t = expr(t);
            return quote!(rt::EventTime::event_millis(#t)?);
        }
        None | Some(TimeFormat::EpochMillis) => quote!(EpochMillis),
        Some(TimeFormat::EpochSeconds) => quote!(EpochSeconds),
        Some(TimeFormat::Iso8601) => quote!(Iso8601),
        Some(TimeFormat::Pattern(p)) => {
            let p = p.as_ref();
            quote!(pattern(#p))
        }
    };
    let text = borrowed_text(t).unwrap_or_else(|| expr(t));
    quote!(rt::window::text_event_time(#text, &rt::window::TimeFormat::#format)?)
}

/// `_event_time` or `_timestamp` as an `Option<Timestamp>`: NULL when the event-time column is.
fn record_time(time: &EventTime) -> TokenStream {
    match &time.column {
        Some(c @ TExpr::Column { field, ty }) => {
            if *ty == SqlType::Timestamp && time.format.is_none() {
                return expr(c);
            }
            let (f, millis) = (ident(field), event_millis(time));
            quote!(if r.#f.is_some() { Some(rt::Timestamp(#millis)) } else { None })
        }
        _ => {
            let millis = event_millis(time);
            quote!(Some(rt::Timestamp(#millis)))
        }
    }
}

/// An `Option<&str>` view of a text column, local or literal, if the expression is one.
pub(crate) fn borrowed_text(e: &TExpr) -> Option<TokenStream> {
    match e {
        TExpr::Column { field, ty: SqlType::String } => {
            let f = ident(field);
            Some(quote!(r.#f.as_deref()))
        }
        TExpr::Local { name, ty: SqlType::String } => {
            let v = ident(name);
            Some(quote!(#v.as_deref()))
        }
        TExpr::Literal(Literal::Str(s), _) => Some(quote!(Some(#s))),
        _ => None,
    }
}

fn literal(l: &Literal, ty: SqlType) -> TokenStream {
    match l {
        Literal::Null => {
            let t = ty.rust();
            quote!(None::<#t>)
        }
        Literal::Bool(b) => quote!(Some(#b)),
        Literal::Int(i) => {
            let v = Lit::i64_suffixed(*i);
            quote!(Some(#v))
        }
        Literal::Decimal(v) => {
            let s = match ty {
                SqlType::Decimal(_, s) => s,
                _ => 0,
            };
            let v = Lit::i128_suffixed(*v);
            quote!(Some(rt::Decimal::<#s>(#v)))
        }
        Literal::Double(d) => {
            let v = Lit::f64_suffixed(*d);
            quote!(Some(#v))
        }
        Literal::Str(s) => quote!(Some(::std::string::String::from(#s))),
    }
}

fn scale(t: &TExpr) -> u32 {
    match t.ty() {
        SqlType::Decimal(_, s) => s,
        _ => 0,
    }
}

fn arith(op: ArithOp, left: &TExpr, right: &TExpr, ty: SqlType) -> TokenStream {
    let (a, b) = (expr(left), expr(right));
    match (op, ty) {
        (ArithOp::Concat, _) => quote!(rt::ops::concat_op(#a, #b)),
        (ArithOp::Mul | ArithOp::Div, SqlType::Decimal(_, r)) => {
            let (sa, sb) = (scale(left), scale(right));
            let f = if op == ArithOp::Mul { quote!(dec_mul) } else { quote!(dec_div) };
            quote!(rt::ops::#f::<#sa, #sb, #r>(#a, #b)?)
        }
        _ => {
            let f = match op {
                ArithOp::Add => quote!(add),
                ArithOp::Sub => quote!(sub),
                ArithOp::Mul => quote!(mul),
                ArithOp::Div => quote!(div),
                ArithOp::Mod | ArithOp::Concat => quote!(rem),
            };
            quote!(rt::ops::#f(#a, #b)?)
        }
    }
}

fn call(func: &Func, args: &[TExpr], ty: SqlType) -> TokenStream {
    let a: Vec<TokenStream> = args.iter().map(expr).collect();
    match func {
        Func::Plain(name) => {
            let f = ident(name);
            quote!(rt::func::#f(#(#a),*))
        }
        Func::Fallible(name) => {
            let f = ident(name);
            quote!(rt::func::#f(#(#a),*)?)
        }
        Func::Variadic(name) => {
            let f = ident(name);
            quote!(rt::func::#f(vec![#(#a),*]))
        }
        Func::Substring { with_length } => {
            let (s, start) = (&a[0], &a[1]);
            let len = if *with_length {
                let l = &a[2];
                quote!(Some(#l))
            } else {
                quote!(None)
            };
            quote!(rt::func::substring(#s, #start, #len)?)
        }
        Func::Round(d) => {
            let x = &a[0];
            let d = Lit::i64_suffixed(*d);
            match (args[0].ty(), ty) {
                (SqlType::Decimal(_, s), SqlType::Decimal(_, r)) => {
                    quote!(rt::func::round_dec::<#s, #r>(#x, #d)?)
                }
                (SqlType::BigInt, _) => quote!(rt::func::round_i64(#x, #d)?),
                _ => quote!(rt::func::round_f64(#x, #d)),
            }
        }
        Func::NullIf => {
            let (x, y) = (&a[0], &a[1]);
            quote!(rt::ops::nullif(#x, &#y))
        }
        Func::Unit(name, unit) => {
            let (f, u) = (ident(name), ident(unit));
            quote!(rt::func::#f(rt::func::TimeUnit::#u, #(#a),*)?)
        }
        Func::Interval { months, millis } => {
            let ts = &a[0];
            quote!(rt::func::add_interval(#ts, #months, #millis)?)
        }
    }
}
