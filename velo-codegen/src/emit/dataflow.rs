//! The dataflow of an app: one `Dataflow<M>` struct holding every statement's output and
//! operator state, a public `push_<source>` per source, and per statement a `push_<statement>`
//! (its input: evaluate, fold into groups or windows) and an `emit_<statement>` (its output:
//! DISTINCT/LIMIT, the sink, then the `push_` of every statement that reads it). Each statement
//! adds the same few functions whatever reads it, so generated code grows linearly with the
//! app. The same dataflow runs in the binary (`M = rt::Run`, see [`run_items`]) and in library
//! mode (`M = rt::Library`, see `library`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{aggregate, ident, input_struct, over};
use crate::ir::plan::{Input, Plan, SourcePlan, StatementPlan};
use crate::ir::window::LateStrategy;
use crate::syntax::EmitMode;
use velo_spec::ConnectorKind;

/// The dataflow field holding statement `s`'s output.
pub(super) fn output_field(s: &StatementPlan) -> Ident {
    ident(&s.ident)
}

fn push_name(ident: &str) -> Ident {
    format_ident!("push_{}", ident)
}

fn emit_name(s: &StatementPlan) -> Ident {
    format_ident!("emit_{}", s.ident)
}

fn fire_name(s: &StatementPlan) -> Ident {
    format_ident!("fire_{}", s.ident)
}

fn rows_field(s: &StatementPlan) -> Ident {
    format_ident!("rows_{}", s.ident)
}

fn readers(plan: &Plan, input: Input) -> impl Iterator<Item = usize> + '_ {
    (0..plan.statements.len()).filter(move |&c| plan.statements[c].input == input)
}

/// The flow of a source or statement read by `calls` (each a `Result<Flow>` expression): it
/// stops only when every statement reading it has stopped.
fn flows(calls: &[TokenStream]) -> TokenStream {
    match calls {
        [] => quote!(rt::Flow::Continue),
        [first, rest @ ..] => quote!(#first?#(.max(#rest?))*),
    }
}

/// Whether another statement reads statement `i` (then its rows are emitted through a buffer, as
/// its readers need the whole dataflow).
fn is_read(plan: &Plan, i: usize) -> bool {
    readers(plan, Input::Statement(i)).next().is_some()
}

/// Whether statement `s` keeps windows or sessions.
fn windowed(s: &StatementPlan) -> bool {
    s.aggregate.as_ref().is_some_and(|a| a.window.is_some())
}

/// The `Dataflow` struct, its constructor and the functions every mode shares.
pub(super) fn dataflow(plan: &Plan) -> TokenStream {
    let stmts = &plan.statements;
    let outputs: Vec<Ident> = stmts.iter().map(output_field).collect();
    let rows: Vec<Ident> = stmts.iter().map(|s| ident(&s.struct_name)).collect();
    let index: Vec<usize> = (0..stmts.len()).collect();
    let mut state_fields = Vec::new();
    let mut state_inits = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        if let Some(agg) = &s.aggregate {
            let n = aggregate::names(s);
            let (groups, ty, init) = (&n.groups, aggregate::state_type(&n, agg), aggregate::state_init(&n, agg));
            state_fields.push(quote!(#groups: #ty,));
            state_inits.push(quote!(#groups: #init,));
            if agg.window.is_some() && is_read(plan, i) {
                let (buf, row) = (rows_field(s), ident(&s.struct_name));
                state_fields.push(quote!(#buf: Vec<rt::EvalResult<Option<#row>>>,));
                state_inits.push(quote!(#buf: Vec::new(),));
            }
        }
        if !s.over.is_empty() {
            let (var, ty) = (over::state_var(s), over::state_name(s));
            state_fields.push(quote!(#var: #ty,));
            state_inits.push(quote!(#var: #ty::default(),));
        }
    }
    let sources = plan.sources.iter().enumerate().map(|(si, src)| source_push(plan, si, src));
    let statements = stmts.iter().enumerate().map(|(i, s)| statement_fns(plan, i, s));
    let end_of_input = end_of_input(plan);
    let over_processing_time = |s: &&StatementPlan| {
        s.aggregate.as_ref().and_then(|a| a.window.as_ref()).is_some_and(|w| w.time.column.is_none())
    };
    let timers: Vec<TokenStream> = stmts
        .iter()
        .filter(over_processing_time)
        .map(|s| {
            let (groups, fire) = (aggregate::names(s).groups, fire_name(s));
            quote! {
                self.#groups.advance(now);
                self.#fire(false)?;
            }
        })
        .collect();
    let now = if timers.is_empty() { quote!(_now) } else { quote!(now) };
    quote! {
        /// The app's statements: each one's output and operator state, and one `push_` function
        /// per statement that the statements it reads call. `M` says where results go:
        /// `rt::Run` (sinks, dead-letter files) or `rt::Library` (vectors, see [`Pipeline`]).
        pub struct Dataflow<M: rt::Mode> {
            rejects: M::Rejects,
            #(#outputs: rt::Output<#rows, M>,)*
            #(#state_fields)*
        }
        impl<M: rt::Mode> Dataflow<M> {
            /// The dataflow with empty state, its outputs opened.
            pub fn new(env: &M::Env) -> Result<Self, M::Error> {
                Ok(Self {
                    rejects: M::rejects(env, APP.statements, APP.sources)?,
                    #(#outputs: rt::Output::open(env, APP.statements, #index)?,)*
                    #(#state_inits)*
                })
            }
            #(#sources)*
            #(#statements)*
            #end_of_input
            /// Processing time has reached `now`: windows over processing time fire.
            pub fn advance_time(&mut self, #now: i64) -> Result<(), rt::FatalError> {
                #(#timers)*
                Ok(())
            }
        }
    }
}

/// `push_<source>`: one record of a source into every statement that reads it.
fn source_push(plan: &Plan, si: usize, src: &SourcePlan) -> TokenStream {
    let (push, row) = (push_name(&src.ident), ident(&src.struct_name));
    let doc = format!(" Pushes one record of source `{}` into every statement that reads it.", src.name);
    let calls = readers(plan, Input::Source(si))
        .map(|c| {
            let f = push_name(&plan.statements[c].ident);
            quote!(self.#f(row, rec))
        })
        .collect::<Vec<_>>();
    let flow = match calls.as_slice() {
        [one] => one.clone(),
        calls => {
            let flows = flows(calls);
            quote!(Ok(#flows))
        }
    };
    quote! {
        #[doc = #doc]
        pub fn #push(&mut self, row: &#row, rec: &rt::Record<'_>) -> Result<rt::Flow, rt::FatalError> {
            #flow
        }
    }
}

/// `push_<statement>` and `emit_<statement>` (and `fire_<statement>` for windows).
fn statement_fns(plan: &Plan, i: usize, s: &StatementPlan) -> TokenStream {
    let (push, emit) = (push_name(&s.ident), emit_name(s));
    let (input, row) = (input_struct(plan, s.input), ident(&s.struct_name));
    let out = output_field(s);
    let read = is_read(plan, i);
    let body = push_body(i, s, read);
    let fire = windowed(s).then(|| fire_fn(s, read));
    let children: Vec<TokenStream> = readers(plan, Input::Statement(i))
        .map(|c| {
            let f = push_name(&plan.statements[c].ident);
            quote!(self.#f(&row, rec))
        })
        .collect();
    let output = if children.is_empty() {
        quote! {
            self.#out.emit(result, rec, &mut self.rejects)?;
            Ok(self.#out.flow(rt::Flow::Continue))
        }
    } else {
        let below = flows(&children);
        quote! {
            let Some(row) = self.#out.admit(result, rec, &mut self.rejects)? else {
                return Ok(self.#out.flow(rt::Flow::Continue));
            };
            let below = #below;
            self.#out.write(row)?;
            Ok(self.#out.flow(below))
        }
    };
    let emit_doc = format!(" One result of `{}`: to its output, then to the statements that read it.", s.name);
    // A window nobody reads writes its rows straight to its output (see `push_body`).
    let emit_fn = (!windowed(s) || read).then(|| {
        quote! {
            #[doc = #emit_doc]
            fn #emit(&mut self, result: rt::EvalResult<Option<#row>>, rec: &rt::Record<'_>) -> Result<rt::Flow, rt::FatalError> {
                #output
            }
        }
    });
    let push_doc = format!(" One input row of `{}`.", s.name);
    quote! {
        #[doc = #push_doc]
        fn #push(&mut self, r: &#input, rec: &rt::Record<'_>) -> Result<rt::Flow, rt::FatalError> {
            #body
        }
        #emit_fn
        #fire
    }
}

/// The body of `push_<statement>` for statement `i` (`read`: other statements read it).
fn push_body(i: usize, s: &StatementPlan, read: bool) -> TokenStream {
    let emit = emit_name(s);
    let Some(agg) = &s.aggregate else {
        let eval = format_ident!("eval_{}", s.ident);
        if s.over.is_empty() {
            return quote!(self.#emit(#eval(r), rec));
        }
        let state = over::state_var(s);
        if !over::has_waiting_rows(s) {
            return quote! {
                let result = #eval(r, &mut self.#state);
                self.#emit(result, rec)
            };
        }
        // Rows wait for their LEAD values: this record may release several earlier rows.
        let (finish, _) = over::waiting_fn_names(s);
        return quote! {
            let mut ready = Vec::new();
            if let Err(e) = #eval(r, &mut self.#state, &mut ready) {
                return self.rejects.record(#i, e, rec);
            }
            let mut flow = rt::Flow::Continue;
            for e in &ready {
                flow = self.#emit(#finish(e), rec)?;
            }
            Ok(flow)
        };
    };
    let n = aggregate::names(s);
    let (update, result, groups) = (&n.update, &n.result, &n.groups);
    let Some(w) = &agg.window else {
        let changed = match agg.emit {
            EmitMode::Changes => quote! {
                let (k, a) = self.#groups.get(g);
                let result = #result(k.clone(), a);
                self.#emit(result, rec)
            },
            // EMIT FINAL: rows come at the end of the input.
            EmitMode::Final => {
                return quote! {
                    match #update(r, &mut self.#groups) {
                        Err(e) => self.rejects.record(#i, e, rec),
                        Ok(_) => Ok(rt::Flow::Continue),
                    }
                };
            }
        };
        return quote! {
            match #update(r, &mut self.#groups) {
                Err(e) => self.rejects.record(#i, e, rec),
                Ok(None) => Ok(rt::Flow::Continue),
                Ok(Some(g)) => { #changed }
            }
        };
    };
    // The rows of this record (EMIT CHANGES: every group it updated; EMIT FINAL: corrections of
    // fired windows), then the windows its event time closed.
    let (touched, fire, buf, out) = (window_rows(agg.emit).0, fire_name(s), rows_field(s), output_field(s));
    let dead_letter = w.late == LateStrategy::DeadLetter;
    // Rows nobody else reads go straight to the output; else through a buffer, as the readers'
    // `push_` functions need the whole dataflow.
    let placed = if read {
        quote! {
            let mut rows = std::mem::take(&mut self.#buf);
            rows.extend(self.#groups.#touched().map(|(w, k, a)| #result(k.clone(), a, w)));
            for row in rows.drain(..) {
                self.#emit(row, rec)?;
            }
            self.#buf = rows;
        }
    } else {
        quote! {
            for (w, k, a) in self.#groups.#touched() {
                self.#out.emit(#result(k.clone(), a, w), rec, &mut self.rejects)?;
            }
        }
    };
    quote! {
        match #update(r, &mut self.#groups) {
            Err(e) => self.rejects.record(#i, e, rec),
            Ok(None) => Ok(rt::Flow::Continue),
            Ok(Some(rt::Fate::Late { event_time, watermark })) => {
                self.rejects.late(#i, rt::EvalError::Late { event_time, watermark }, rec, #dead_letter)
            }
            Ok(Some(rt::Fate::Placed)) => {
                #placed
                self.#fire(false)?;
                Ok(rt::Flow::Continue)
            }
        }
    }
}

/// What a windowed statement emits per record — the `Windows` method listing those groups (EMIT
/// CHANGES: every group the record updated; EMIT FINAL: corrections of fired windows) — and
/// whether firing a window emits its rows (EMIT FINAL only).
fn window_rows(emit: EmitMode) -> (Ident, bool) {
    match emit {
        EmitMode::Changes => (format_ident!("touched"), false),
        EmitMode::Final => (format_ident!("amended"), true),
    }
}

/// `fire_<statement>`: fires the windows the watermark has passed (all of them with `flush`) and
/// emits their rows (EMIT FINAL) — straight to the output, or through a buffer when other
/// statements read this one (`read`).
fn fire_fn(s: &StatementPlan, read: bool) -> TokenStream {
    let n = aggregate::names(s);
    let (groups, result, emit, fire, buf) = (&n.groups, &n.result, emit_name(s), fire_name(s), rows_field(s));
    let out = output_field(s);
    let rows = s.aggregate.as_ref().is_some_and(|a| window_rows(a.emit).1);
    let name = &s.name;
    let doc =
        format!(" Fires the windows of `{}` the watermark has passed (all of them at the end of the input).", s.name);
    let body = if read {
        quote! {
            let mut rows = std::mem::take(&mut self.#buf);
            let fired = self.#groups.fire(flush, #rows, |w, k, a| {
                rows.push(#result(k.into_owned(), a, w));
                Ok::<(), std::convert::Infallible>(())
            });
            let Ok(()) = fired;
            for row in rows.drain(..) {
                self.#emit(row, &rec)?;
            }
            self.#buf = rows;
            Ok(())
        }
    } else {
        quote! {
            let (out, rejects) = (&mut self.#out, &mut self.rejects);
            self.#groups.fire(flush, #rows, |w, k, a| out.emit(#result(k.into_owned(), a, w), &rec, rejects))
        }
    };
    quote! {
        #[doc = #doc]
        fn #fire(&mut self, flush: bool) -> Result<(), rt::FatalError> {
            let rec = rt::Record::derived(#name);
            #body
        }
    }
}

/// `end_of_input`: in statement order (a statement reads only earlier ones, so rows an upstream
/// statement flushes reach its readers before they flush in turn), EMIT FINAL groups and windows,
/// then the rows still waiting for later rows.
fn end_of_input(plan: &Plan) -> TokenStream {
    let flushes = plan.statements.iter().filter_map(|s| {
        let name = &s.name;
        if let Some(agg) = s.aggregate.as_ref().filter(|a| a.emit == EmitMode::Final) {
            if agg.window.is_some() {
                let fire = fire_name(s);
                return Some(quote!(self.#fire(true)?;));
            }
            let n = aggregate::names(s);
            let (groups, result, emit) = (&n.groups, &n.result, emit_name(s));
            // A global aggregate without windows has one row even for an empty input.
            let global = agg.keys.is_empty().then(|| quote!(if self.#groups.is_empty() { self.#groups.entry(&()); }));
            return Some(quote! {
                #global
                let mut groups = std::mem::take(&mut self.#groups);
                let rec = rt::Record::derived(#name);
                for (k, a) in groups.drain() {
                    self.#emit(#result(k, &a), &rec)?;
                }
            });
        }
        over::has_waiting_rows(s).then(|| {
            let (state, emit) = (over::state_var(s), emit_name(s));
            let (finish, flush) = over::waiting_fn_names(s);
            quote! {
                let rec = rt::Record::derived(#name);
                for e in #flush(&mut self.#state) {
                    self.#emit(#finish(&e), &rec)?;
                }
            }
        })
    });
    let flushes: Vec<TokenStream> = flushes.collect();
    quote! {
        /// The input has ended: EMIT FINAL groups and windows, and rows still waiting for later
        /// rows, are emitted.
        pub fn end_of_input(&mut self) -> Result<(), rt::FatalError> {
            #(#flushes)*
            Ok(())
        }
    }
}

/// Whether a source can be read on several threads: a file source every reader of which is an
/// `EMIT FINAL` aggregation without windows, whose partial states merge into the same result.
fn parallel_source(plan: &Plan, si: usize) -> bool {
    if plan.sources[si].connector != ConnectorKind::FileSource {
        return false;
    }
    let mut consumers = readers(plan, Input::Source(si)).map(|c| &plan.statements[c]).peekable();
    consumers.peek().is_some()
        && consumers.all(|s| s.aggregate.as_ref().is_some_and(|a| a.emit == EmitMode::Final && a.window.is_none()))
}

/// The binary's items: `rt::Dataflow` for `Dataflow<rt::Run>` (flush, close), the partial states
/// of sources read on several threads, and `run`.
pub(super) fn run_items(plan: &Plan) -> TokenStream {
    let outputs: Vec<Ident> = plan.statements.iter().map(output_field).collect();
    let partials = (0..plan.sources.len()).filter(|&si| parallel_source(plan, si)).map(|si| partial(plan, si));
    // Sources are opened (their files must exist) before any output is created.
    let inputs = plan.sources.iter().enumerate().map(|(si, src)| {
        let (name, row, push) = (&src.name, ident(&src.struct_name), push_name(&src.ident));
        if parallel_source(plan, si) {
            let (state, merge) = partial_names(src);
            let declared =
                match plan.statements[readers(plan, Input::Source(si)).next().unwrap_or(0)].job.num_partitions {
                    Some(n) => {
                        let n = n as usize;
                        quote!(Some(#n))
                    }
                    None => quote!(None),
                };
            return quote! {
                rt::read_parallel(
                    rt::FileSourceSpec::from_config(&ctx.config, #name)?,
                    ctx.partitions(#declared),
                    #state::default,
                    #state::step,
                    Dataflow::<rt::Run>::#merge,
                )
            };
        }
        quote! {
            rt::read(rt::open_source::<#row>(&ctx.config, #name)?, |d: &mut Dataflow<rt::Run>, row, rec| match row {
                Ok(row) => d.#push(row, rec),
                Err(e) => d.rejects.undecodable(#si, &e, rec),
            })
        }
    });
    quote! {
        impl rt::Dataflow for Dataflow<rt::Run> {
            fn tick(&mut self, now: i64) -> Result<(), rt::FatalError> {
                self.advance_time(now)
            }
            fn finish(&mut self) -> Result<(), rt::FatalError> {
                self.end_of_input()
            }
            fn flush(&mut self) -> Result<(), rt::FatalError> {
                #(self.#outputs.flush()?;)*
                Ok(())
            }
            fn close(self, ctx: &mut rt::Context) -> Result<(), rt::FatalError> {
                #(self.#outputs.close(&self.rejects, ctx)?;)*
                self.rejects.close(ctx)
            }
        }
        #(#partials)*
        /// Runs the app: every source into the dataflow, until the inputs end or a signal stops
        /// the run.
        pub fn run(ctx: &mut rt::Context) -> Result<(), rt::FatalError> {
            let inputs: Vec<Box<dyn rt::Input<Dataflow<rt::Run>>>> = Vec::from([#(#inputs),*]);
            let dataflow = Dataflow::<rt::Run>::new(ctx)?;
            rt::drive(ctx, dataflow, inputs)
        }
    }
}

fn partial_names(src: &SourcePlan) -> (Ident, Ident) {
    let base = src.struct_name.strip_suffix("Row").unwrap_or(&src.struct_name);
    (format_ident!("{}Partial", base), format_ident!("merge_{}", src.ident))
}

/// The partial state of one reader thread of source `si` (its readers' group tables and the
/// records that failed), and `merge_<source>`, which folds it into the dataflow in input order.
fn partial(plan: &Plan, si: usize) -> TokenStream {
    let src = &plan.sources[si];
    let (state, merge) = partial_names(src);
    let row = ident(&src.struct_name);
    let consumers: Vec<usize> = readers(plan, Input::Source(si)).collect();
    let names: Vec<aggregate::Names> = consumers.iter().map(|&c| aggregate::names(&plan.statements[c])).collect();
    let groups: Vec<&Ident> = names.iter().map(|n| &n.groups).collect();
    let (keys, accs): (Vec<&Ident>, Vec<&Ident>) = names.iter().map(|n| (&n.key, &n.acc)).unzip();
    let updates = names.iter().map(|n| &n.update);
    let stmt_names = consumers.iter().map(|&c| &plan.statements[c].name);
    let doc = format!(" The partial state of one reader thread of source `{}`.", src.name);
    let merge_doc = format!(" Folds one reader thread's partial state of `{}` into the dataflow.", src.name);
    quote! {
        #[doc = #doc]
        #[derive(Default)]
        pub struct #state {
            #(#groups: rt::Groups<#keys, #accs>,)*
            rejected: Vec<rt::Rejected>,
        }
        impl #state {
            /// Folds one record into the groups of every statement reading the source.
            fn step(&mut self, row: Result<&#row, rt::DecodeError>, rec: &rt::Record<'_>) {
                let row = match row {
                    Ok(row) => row,
                    Err(e) => return self.rejected.push(rt::Rejected::new(None, &e, rec)),
                };
                #(if let Err(e) = #updates(row, &mut self.#groups) {
                    self.rejected.push(rt::Rejected::new(Some(#consumers), &e, rec));
                })*
            }
        }
        impl Dataflow<rt::Run> {
            #[doc = #merge_doc]
            fn #merge(&mut self, partial: #state) -> Result<(), rt::FatalError> {
                #(self.#groups.merge(partial.#groups, #accs::merge).map_err(|e| {
                    rt::FatalError(format!("combining the partial aggregates of `{}`: {e}", #stmt_names))
                })?;)*
                for r in &partial.rejected {
                    self.rejects.replay(#si, r)?;
                }
                Ok(())
            }
        }
    }
}
