//! Emission of window functions over rows: a state struct per statement (per PARTITION BY, a
//! table of the calls' states) and the code that computes each call's value `w<i>` for the
//! current row. Rows that wait for later rows (LEAD, FOLLOWING frames) or for the end of the input
//! (whole-partition functions) go through a pending-row struct, `eval_<stmt>`, `finish_<stmt>`
//! and `flush_<stmt>` (see [`waiting_items`]).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::aggregate::{accumulator, group_lookup};
use super::expr::expr;
use crate::ir::aggregate::{AggCall, AggKind};
use crate::ir::expr::TExpr;
use crate::ir::over::{Frame, OverCall, OverFunc};
use crate::ir::plan::StatementPlan;
use crate::ir::types::SqlType;

/// The name of a statement's OVER state struct and of its variable / Pipeline field.
fn names(s: &StatementPlan) -> (Ident, Ident) {
    let base = s.struct_name.strip_suffix("Row").unwrap_or(&s.struct_name);
    (format_ident!("{}Over", base), format_ident!("over_{}", s.ident))
}

/// The per-partition state type of one call (`None`: the call needs no state).
fn state_type(c: &OverCall) -> Option<TokenStream> {
    let value_ty = c.ty.rust();
    Some(match &c.func {
        OverFunc::Nth { .. } if matches!(c.frame, Frame::Range(_)) => quote!(rt::over::Ranged<#value_ty>),
        OverFunc::Lag { .. } | OverFunc::Nth { .. } => quote!(rt::over::Recent<#value_ty>),
        _ if c.needs_whole_partition() => return None,
        OverFunc::RowNumber => quote!(rt::over::Ranks<()>),
        OverFunc::Rank | OverFunc::DenseRank => {
            let order = c.order.iter().map(|o| o.expr.ty().rust());
            quote!(rt::over::Ranks<(#(Option<#order>,)*)>)
        }
        OverFunc::Aggregate(_) if c.following > 0 => return None,
        OverFunc::Aggregate(a) => aggregate_state(a, c.frame),
        OverFunc::Last(_) | OverFunc::Lead { .. } | OverFunc::PercentRank | OverFunc::CumeDist | OverFunc::Ntile(_) => {
            return None;
        }
    })
}

/// The state of an aggregate over `frame`: sliding (O(1) per row) when the aggregate can take
/// values out again exactly, else the frame's values, folded per row.
fn aggregate_state(a: &AggCall, frame: Frame) -> TokenStream {
    let (acc, input, _) = accumulator(a);
    if frame != Frame::Unbounded && invertible(a) {
        quote!(rt::over::Sliding<#acc, #input>)
    } else {
        quote!(rt::over::Framed<#acc, #input>)
    }
}

/// Whether an aggregate can take values out again exactly (`velo_rt::agg::Retract`): COUNT, and
/// SUM/AVG of BIGINT and DECIMAL. Such bounded frames slide in O(1) per row.
fn invertible(a: &AggCall) -> bool {
    match a.kind {
        AggKind::CountStar | AggKind::Count => true,
        AggKind::Sum => matches!(a.ty, SqlType::BigInt | SqlType::Decimal(..)),
        AggKind::Avg => matches!(a.ty, SqlType::Decimal(..)),
        _ => false,
    }
}

/// Calls grouped by PARTITION BY, each with what `by_partition` picked of them.
type ByPartition<'a, T> = Vec<(&'a [TExpr], Vec<T>)>;

/// The calls `pick` selects (with what it returns for each), grouped by PARTITION BY in order of
/// first appearance.
fn by_partition<T>(s: &StatementPlan, pick: impl Fn(usize, &OverCall) -> Option<T>) -> ByPartition<'_, T> {
    let mut groups: ByPartition<'_, T> = Vec::new();
    for (i, c) in s.over.iter().enumerate() {
        let Some(member) = pick(i, c) else { continue };
        match groups.iter_mut().find(|(p, _)| *p == c.partition.as_slice()) {
            Some((_, members)) => members.push(member),
            None => groups.push((&c.partition, vec![member])),
        }
    }
    groups
}

/// The calls that keep state, as (call index, state type), grouped by PARTITION BY: one table
/// lookup per row serves every call of a group.
fn partitions(s: &StatementPlan) -> ByPartition<'_, (usize, TokenStream)> {
    by_partition(s, |i, c| state_type(c).map(|state| (i, state)))
}

/// The state struct of a statement with OVER calls: per PARTITION BY, a table of the tuples of
/// its calls' states.
pub(super) fn state_struct(s: &StatementPlan) -> TokenStream {
    let (name, _) = names(s);
    let doc = format!(" Per-partition state of the window functions of `{}`.", s.name);
    let (fields, tys): (Vec<Ident>, Vec<TokenStream>) = partitions(s)
        .into_iter()
        .enumerate()
        .map(|(j, (keys, members))| {
            let keys = keys.iter().map(|k| k.ty().rust());
            let states = members.iter().map(|(_, t)| t);
            // With EXPIRE AFTER, each partition also remembers when it last saw a row.
            let seen = s.over_expiry.map(|_| quote!(i64,));
            (format_ident!("p{}", j), quote!(rt::Groups<(#(Option<#keys>,)*), (#(#states,)* #seen)>))
        })
        .unzip();
    let expiry = s.over_expiry.map(|_| quote!(expiry: rt::over::Expiry,));
    let leads = has_waiting_rows(s).then(|| {
        let pending = pending_name(s);
        let (tables, keys): (Vec<Ident>, Vec<TokenStream>) = waiting_partitions(s)
            .into_iter()
            .enumerate()
            .map(|(j, (keys, members))| {
                let keys = keys.iter().map(|k| k.ty().rust());
                let states = members.iter().filter_map(|(i, _)| following_state(&s.over[*i]));
                (
                    format_ident!("latest{}", j),
                    quote!(rt::Groups<(#(Option<#keys>,)*), (rt::over::Latest, #(#states,)*)>),
                )
            })
            .unzip();
        quote! {
            waiting: rt::over::Waiting<#pending>,
            #(#tables: #keys,)*
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Default)]
        pub struct #name {
            #(#fields: #tys,)*
            #leads
            #expiry
        }
    }
}

/// The calls that wait for later rows (LEAD, FOLLOWING frames) as (call index, rows waited
/// for), grouped by PARTITION BY. One table per group remembers each partition's latest rows
/// (and the FOLLOWING calls' states).
fn waiting_partitions(s: &StatementPlan) -> ByPartition<'_, (usize, usize)> {
    by_partition(s, |i, c| c.waits_for().map(|n| (i, n)))
}

/// Whether the statement's rows wait for later rows or for the end of the input.
pub(super) fn has_waiting_rows(s: &StatementPlan) -> bool {
    s.over.iter().any(OverCall::is_deferred)
}

fn pending_name(s: &StatementPlan) -> Ident {
    let base = s.struct_name.strip_suffix("Row").unwrap_or(&s.struct_name);
    format_ident!("{}Pending", base)
}

/// `finish_<stmt>` and `flush_<stmt>`.
pub(super) fn waiting_fn_names(s: &StatementPlan) -> (Ident, Ident) {
    (format_ident!("finish_{}", s.ident), format_ident!("flush_{}", s.ident))
}

/// Code pieces of the calls whose values a waiting row receives later.
struct Deferred {
    /// Fields of the pending-row struct.
    fields: TokenStream,
    /// `let`s of `eval_<stmt>` computing what the fields are built from.
    lets: TokenStream,
    /// The fields' initial values in the pending-row literal.
    inits: TokenStream,
    /// `let w<i> = …;` in `finish_<stmt>`.
    reads: TokenStream,
}

/// Whole-partition calls: each row keeps its ORDER BY and PARTITION BY values, and at the end of
/// the input every partition is ranked (`computes`, over `rows`).
fn whole_partition(s: &StatementPlan) -> (Deferred, TokenStream) {
    let wholes: Vec<(usize, &OverCall)> =
        s.over.iter().enumerate().filter(|(_, c)| c.needs_whole_partition()).collect();
    let (mut fields, mut lets, mut inits, mut reads, mut computes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, c) in wholes {
        let (w, o, q) = (format_ident!("w{}", i), format_ident!("o{}", i), format_ident!("q{}", i));
        let ty = c.ty.rust();
        if let OverFunc::Aggregate(a) = &c.func {
            // An aggregate of the whole partition: one fold per partition, in arrival order.
            let (acc, input, value) = accumulator(a);
            let part_tys = c.partition.iter().map(|p| p.ty().rust());
            fields.push(quote!(#w: Option<#ty>, #o: Option<#input>, #q: (#(Option<#part_tys>,)*),));
            let part_values = c.partition.iter().map(expr);
            lets.push(quote!(let #o = #value; let #q = (#(#part_values,)*);));
            inits.push(quote!(#w: None, #o, #q,));
            reads.push(quote!(let #w = e.#w.clone();));
            computes.push(quote! {
                for part in rt::over::partitions(&rows, |e| &e.#q) {
                    let mut total = <#acc>::default();
                    let folded = part.iter().try_for_each(|&j| rt::Accumulator::<#input>::update(&mut total, rows[j].#o.as_ref()));
                    let value = folded.and_then(|()| rt::Accumulator::<#input>::result(&total));
                    for &j in &part {
                        match &value {
                            Ok(v) => rows[j].#w = v.clone(),
                            Err(err) => rows[j].failed = Some(err.clone()),
                        }
                    }
                }
            });
            continue;
        }
        let order_tys = c.order.iter().map(|o| o.expr.ty().rust());
        let part_tys = c.partition.iter().map(|p| p.ty().rust());
        fields.push(quote!(#w: Option<#ty>, #o: (#(Option<#order_tys>,)*), #q: (#(Option<#part_tys>,)*),));
        let order_values = c.order.iter().map(|o| expr(&o.expr));
        let part_values = c.partition.iter().map(expr);
        lets.push(quote!(let #o = (#(#order_values,)*); let #q = (#(#part_values,)*);));
        inits.push(quote!(#w: None, #o, #q,));
        reads.push(quote!(let #w = e.#w;));
        let function = match c.func {
            OverFunc::PercentRank => quote!(rt::over::percent_ranks),
            OverFunc::CumeDist => quote!(rt::over::cume_dists),
            OverFunc::Ntile(n) => quote!(|k: &[_]| rt::over::ntiles(k.len(), #n)),
            OverFunc::RowNumber => quote!(rt::over::row_numbers),
            OverFunc::Rank => quote!(rt::over::ranks),
            _ => quote!(rt::over::dense_ranks),
        };
        let compare = order_comparison(c);
        computes.push(quote! {
            for part in rt::over::partitions(&rows, |e| &e.#q) {
                let keys: Vec<_> = part.iter().map(|&j| rows[j].#o.clone()).collect();
                for (&j, v) in part.iter().zip(rt::over::by_order(&keys, #compare, #function)) {
                    rows[j].#w = v;
                }
            }
        });
    }
    let deferred = Deferred {
        fields: quote!(#(#fields)*),
        lets: quote!(#(#lets)*),
        inits: quote!(#(#inits)*),
        reads: quote!(#(#reads)*),
    };
    (deferred, quote!(#(#computes)*))
}

/// The frame a FOLLOWING call's state keeps: its own rows before the current one plus the
/// following ones (an unbounded start stays unbounded).
fn following_frame(c: &OverCall) -> Frame {
    match c.frame {
        Frame::Rows(n) => Frame::Rows(n + c.following),
        other => other,
    }
}

/// The runtime frame value of `frame`.
fn frame_value(frame: Frame) -> TokenStream {
    match frame {
        Frame::Unbounded | Frame::Partition => quote!(rt::over::Frame::Unbounded),
        Frame::Rows(p) => quote!(rt::over::Frame::Rows(#p)),
        Frame::Range(ms) => quote!(rt::over::Frame::Range(#ms)),
    }
}

/// The state of a FOLLOWING call, kept per partition next to the partition's latest rows.
fn following_state(c: &OverCall) -> Option<TokenStream> {
    let OverFunc::Aggregate(a) = &c.func else { return None };
    (c.following > 0).then(|| aggregate_state(a, following_frame(c)))
}

/// Calls that wait for later rows (LEAD, FOLLOWING frames): their value slots, and per PARTITION
/// BY the code that notes each row among its partition's latest rows and hands the row `offset`
/// rows back its value (`fills`, in `eval_<stmt>`) — and, at the end of the input, gives the rows
/// whose FOLLOWING rows never came the aggregate of what came (`tails`, in `flush_<stmt>`).
fn later_rows(s: &StatementPlan) -> (Deferred, TokenStream, TokenStream) {
    let (mut fields, mut lets, mut inits, mut reads) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, c) in s.over.iter().enumerate().filter(|(_, c)| c.waits_for().is_some()) {
        let (w, ty) = (format_ident!("w{}", i), c.ty.rust());
        fields.push(quote!(#w: Option<Option<#ty>>,));
        inits.push(quote!(#w: None,));
        let default = match &c.func {
            OverFunc::Lead { value, default, .. } => {
                let (x, v) = (format_ident!("x{}", i), expr(value));
                lets.push(quote!(let #x = #v;));
                default.as_ref().map(expr).unwrap_or_else(|| quote!(None))
            }
            _ => quote!(None),
        };
        reads.push(quote!(let #w = match &e.#w { Some(v) => v.clone(), None => #default };));
    }
    let (mut fills, mut tails) = (Vec::new(), Vec::new());
    for (j, (keys, members)) in waiting_partitions(s).into_iter().enumerate() {
        let table = format_ident!("latest{}", j);
        let lookup = group_lookup(keys, quote!(over.#table));
        let keep = members.iter().map(|(_, o)| o + 1).max().unwrap_or(1);
        let mut state = 0;
        let mut fill = Vec::new();
        for &(i, offset) in &members {
            let (c, w) = (&s.over[i], format_ident!("w{}", i));
            let OverFunc::Aggregate(a) = &c.func else {
                let x = format_ident!("x{}", i);
                fill.push(
                    quote!(if let Some(t) = acc.0.back(#offset) { over.waiting.fill(t, |e| e.#w = Some(#x.clone())); }),
                );
                continue;
            };
            state += 1;
            let (k, (_, _, v)) = (syn::Index::from(state), accumulator(a));
            let frame = frame_value(following_frame(c));
            let start = match c.frame {
                Frame::Rows(n) => n + 1,
                _ => 0,
            };
            fill.push(quote! {
                let value = acc.#k.push(#v, 0, #frame)?;
                if let Some(t) = acc.0.back(#offset) { over.waiting.fill(t, |e| e.#w = Some(value)); }
            });
            tails.push(quote! {
                for (_, acc) in over.#table.iter() {
                    for d in 0..#offset {
                        let Some(t) = acc.0.back(d) else { break };
                        match acc.#k.tail(d + #start, #frame) {
                            Ok(value) => over.waiting.fill(t, |e| e.#w = Some(value)),
                            Err(err) => over.waiting.fill(t, |e| e.failed = Some(err)),
                        }
                    }
                }
            });
        }
        fills.push(quote! {{
            #lookup
            acc.0.push(seq, #keep);
            #(#fill)*
        }});
    }
    let deferred = Deferred {
        fields: quote!(#(#fields)*),
        lets: quote!(#(#lets)*),
        inits: quote!(#(#inits)*),
        reads: quote!(#(#reads)*),
    };
    (deferred, quote!(#(#fills)*), quote!(#(#tails)*))
}

/// For a statement whose rows wait (LEAD, FOLLOWING frames, whole-partition functions): the
/// pending-row struct, `eval_<stmt>` (which queues the row and hands back the rows that now have
/// every value), `finish_<stmt>` (a pending row's output row) and `flush_<stmt>` (every waiting
/// row, at the end of the input, in arrival order).
pub(super) fn waiting_items(
    s: &StatementPlan,
    input: &Ident,
    output: &Ident,
    eval: &Ident,
    body: TokenStream,
) -> TokenStream {
    let pending = pending_name(s);
    let state = names(s).0;
    let (finish, flush) = waiting_fn_names(s);
    let others: Vec<(Ident, TokenStream)> = s
        .over
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_deferred())
        .map(|(i, c)| (format_ident!("w{}", i), c.ty.rust()))
        .collect();
    let (other_ws, other_tys): (Vec<&Ident>, Vec<&TokenStream>) = others.iter().map(|(w, t)| (w, t)).unzip();
    let (whole, computes) = whole_partition(s);
    let (later, fills, tails) = later_rows(s);
    let has_whole = s.over.iter().any(OverCall::needs_whole_partition);
    // Each later row's value fills one missing value; whole-partition values come at the end of
    // the input, so such a row counts one more that never arrives.
    let missing = s.over.iter().filter(|c| c.waits_for().is_some()).count() + usize::from(has_whole);
    // A FOLLOWING aggregate can fail after the row was queued: then the row is taken back.
    let following = s.over.iter().any(|c| c.following > 0);
    // A waiting row can fail at the end of the input (FOLLOWING tails, whole-partition aggregates).
    let can_fail = following || s.over.iter().any(|c| c.frame == Frame::Partition);
    let fills = if following {
        quote! {
            let filled = (|| -> rt::EvalResult<()> { #fills Ok(()) })();
            if let Err(e) = filled {
                over.waiting.cancel(seq);
                return Err(e);
            }
        }
    } else {
        fills
    };
    let failed = can_fail.then(|| quote!(failed: Option<rt::EvalError>,));
    let failed_init = can_fail.then(|| quote!(failed: None,));
    let failed_check = can_fail.then(|| {
        quote!(if let Some(err) = &e.failed {
            return Err(err.clone());
        })
    });
    let filter = s.filter.as_ref().map(|f| {
        let f = expr(f);
        quote!(if !rt::ops::is_true(#f) { return Ok(()); })
    });
    let own_values = values(s); // every OVER value computed as the row arrives
    let rows = if has_whole { quote!(mut rows) } else { quote!(rows) };
    let (fields, lets, inits, reads) = (
        [&later.fields, &whole.fields],
        [&later.lets, &whole.lets],
        [&later.inits, &whole.inits],
        [&later.reads, &whole.reads],
    );
    let doc = format!(" A row of `{}` waiting for values that come from later rows.", s.name);
    let eval_doc =
        format!(" Queues one input row of `{}` and appends to `ready` the rows that now have every value.", s.name);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #pending {
            row: #input,
            #(#other_ws: Option<#other_tys>,)*
            #(#fields)*
            #failed
        }
        #[doc = #eval_doc]
        pub fn #eval(r: &#input, over: &mut #state, ready: &mut Vec<#pending>) -> rt::EvalResult<()> {
            #filter
            #own_values
            #(#lets)*
            let row = #pending { row: r.clone(), #(#other_ws,)* #(#inits)* #failed_init };
            let seq = over.waiting.push(#missing, row);
            #fills
            over.waiting.release(ready);
            Ok(())
        }
        /// The output row of a pending row (missing LEAD values take their default).
        pub fn #finish(e: &#pending) -> rt::EvalResult<Option<#output>> {
            #failed_check
            let r = &e.row;
            #(let #other_ws = e.#other_ws.clone();)*
            #(#reads)*
            #body
        }
        /// Every row still waiting (end of the input), in arrival order, with its
        /// whole-partition values.
        pub fn #flush(over: &mut #state) -> Vec<#pending> {
            #tails
            let #rows: Vec<#pending> = over.waiting.drain().collect();
            #computes
            rows
        }
    }
}

/// A closure comparing two ORDER BY tuples of call `c`, key by key.
fn order_comparison(c: &OverCall) -> TokenStream {
    let keys = c.order.iter().enumerate().map(|(j, k)| {
        let (j, desc, nulls_first) = (syn::Index::from(j), k.descending, k.nulls_first);
        quote!(rt::over::compare(&a.#j, &b.#j, #desc, #nulls_first))
    });
    quote!(|a, b| ::std::cmp::Ordering::Equal #(.then_with(|| #keys))*)
}

/// The value of call `c` from its state `st` (an expression of `&mut` state type).
fn call_value(c: &OverCall, st: TokenStream) -> TokenStream {
    let (preceding, frame) = match c.frame {
        Frame::Unbounded | Frame::Partition => (quote!(None), quote!(rt::over::Frame::Unbounded)),
        Frame::Rows(p) => (quote!(Some(#p)), quote!(rt::over::Frame::Rows(#p))),
        Frame::Range(ms) => (quote!(None), quote!(rt::over::Frame::Range(#ms))),
    };
    // The ORDER BY time of the row, for RANGE frames (the planner checked there is one).
    let ts = match (c.frame, c.order.first()) {
        (Frame::Range(_), Some(o)) => {
            let o = expr(&o.expr);
            quote!(rt::EventTime::event_millis(#o)?)
        }
        _ => quote!(0),
    };
    let order = c.order.iter().map(|o| expr(&o.expr));
    let order = quote!(Some((#(#order,)*)));
    match &c.func {
        OverFunc::Last(v) => expr(v),
        _ if c.is_deferred() => quote!(None),
        OverFunc::Lead { .. } | OverFunc::PercentRank | OverFunc::CumeDist | OverFunc::Ntile(_) => quote!(None),
        OverFunc::Lag { value, offset, default } => {
            let (v, d) = (expr(value), default.as_ref().map(expr).unwrap_or_else(|| quote!(None)));
            quote!(match #st.lag(#v, #offset) { Some(v) => v, None => #d })
        }
        OverFunc::Nth { value, n } => {
            let v = expr(value);
            match c.frame {
                Frame::Range(ms) => quote!(#st.nth(#v, #ts, #n, #ms)),
                _ => quote!(#st.nth(#v, #n, #preceding)),
            }
        }
        OverFunc::RowNumber => quote!(#st.row_number()),
        OverFunc::Rank => quote!(#st.rank(#order)),
        OverFunc::DenseRank => quote!(#st.dense_rank(#order)),
        OverFunc::Aggregate(a) => {
            let (_, _, v) = accumulator(a);
            quote!(#st.push(#v, #ts, #frame)?)
        }
    }
}

/// `let w<i> = …;` for every call, reading and updating `over`: one partition lookup per
/// PARTITION BY, then each call of it on its own state.
pub(super) fn values(s: &StatementPlan) -> TokenStream {
    let stateless =
        s.over.iter().enumerate().filter(|(_, c)| state_type(c).is_none() && !c.is_deferred()).map(|(i, c)| {
            let (w, v) = (format_ident!("w{}", i), call_value(c, quote!()));
            quote!(let #w = #v;)
        });
    let groups = partitions(s);
    let grouped = groups.iter().enumerate().map(|(j, (keys, members))| {
        let table = format_ident!("p{}", j);
        let lookup = group_lookup(keys, quote!(over.#table));
        let ws = members.iter().map(|(i, _)| format_ident!("w{}", i));
        let values = members.iter().enumerate().map(|(k, (i, _))| {
            let k = syn::Index::from(k);
            call_value(&s.over[*i], quote!(acc.#k))
        });
        let seen = s.over_expiry.map(|_| {
            let last = syn::Index::from(members.len());
            quote!(if let Some(now) = now { acc.#last = now; })
        });
        quote! {
            let (#(#ws,)*) = {
                #lookup
                #seen
                (#(#values,)*)
            };
        }
    });
    let Some(after) = s.over_expiry else {
        return quote!(#(#stateless)* #(#grouped)*);
    };
    // EXPIRE AFTER: time is the first TIMESTAMP/BIGINT ORDER BY of the statement's OVER calls,
    // else the wall clock; idle partitions are swept out every half expiry.
    let clock = s
        .over
        .iter()
        .find_map(|c| match c.order.as_slice() {
            [o] if matches!(o.expr.ty(), SqlType::Timestamp | SqlType::BigInt) => Some(&o.expr),
            _ => None,
        })
        .map(|o| {
            let o = expr(o);
            quote!(rt::EventTime::event_millis(#o).ok())
        })
        .unwrap_or_else(|| quote!(Some(rt::window::processing_time())));
    let sweeps = groups.iter().enumerate().map(|(j, (_, members))| {
        let (table, last) = (format_ident!("p{}", j), syn::Index::from(members.len()));
        quote!(over.#table.retain(|_, st| st.#last >= cutoff);)
    });
    quote! {
        let now: Option<i64> = #clock;
        #(#stateless)*
        #(#grouped)*
        if let Some(cutoff) = over.expiry.observe(now, #after) {
            #(#sweeps)*
        }
    }
}

/// The type name of a statement's state, for `run` and `Pipeline`.
pub(super) fn state_name(s: &StatementPlan) -> Ident {
    names(s).0
}

/// The variable (and Pipeline field) of a statement's state.
pub(super) fn state_var(s: &StatementPlan) -> Ident {
    names(s).1
}
