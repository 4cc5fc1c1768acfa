//! Emission of window functions over rows: a state struct per statement (one per-partition table
//! per OVER call) and the code that computes each call's value `w<i>` for the current row.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::aggregate::{accumulator, group_lookup};
use super::expr;
use crate::aggregate::{AggCall, AggKind};
use crate::expr::TExpr;
use crate::over::{Frame, OverCall, OverFunc};
use crate::plan::StatementPlan;
use crate::types::SqlType;

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
        OverFunc::Aggregate(a) => {
            let (acc, input, _) = accumulator(a);
            if c.frame != Frame::Unbounded && invertible(a) {
                quote!(rt::over::Sliding<#acc, #input>)
            } else {
                quote!(rt::over::Framed<#acc, #input>)
            }
        }
        OverFunc::Last(_) | OverFunc::Lead { .. } | OverFunc::PercentRank | OverFunc::CumeDist | OverFunc::Ntile(_) => {
            return None;
        }
    })
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
    let leads = has_lead(s).then(|| {
        let pending = pending_name(s);
        let (tables, keys): (Vec<Ident>, Vec<TokenStream>) = lead_partitions(s)
            .into_iter()
            .enumerate()
            .map(|(j, (keys, _))| {
                let keys = keys.iter().map(|k| k.ty().rust());
                (format_ident!("leads{}", j), quote!((#(Option<#keys>,)*)))
            })
            .unzip();
        quote! {
            waiting: rt::over::Waiting<#pending>,
            #(#tables: rt::Groups<#keys, rt::over::Latest>,)*
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

fn is_lead(c: &OverCall) -> bool {
    c.is_deferred()
}

/// The statement's LEAD calls as (call index, offset), grouped by PARTITION BY. One table per
/// group remembers each partition's latest rows.
fn lead_partitions(s: &StatementPlan) -> ByPartition<'_, (usize, usize)> {
    by_partition(s, |i, c| match c.func {
        OverFunc::Lead { offset, .. } => Some((i, offset)),
        _ => None,
    })
}

/// Whether the statement's rows wait for LEAD or whole-partition values.
pub(super) fn has_lead(s: &StatementPlan) -> bool {
    s.over.iter().any(is_lead)
}

fn pending_name(s: &StatementPlan) -> Ident {
    let base = s.struct_name.strip_suffix("Row").unwrap_or(&s.struct_name);
    format_ident!("{}Pending", base)
}

/// `finish_<stmt>` and `flush_<stmt>`.
pub(super) fn lead_fn_names(s: &StatementPlan) -> (Ident, Ident) {
    (format_ident!("finish_{}", s.ident), format_ident!("flush_{}", s.ident))
}

/// For a statement with LEAD: the pending-row struct, `eval_<stmt>` (which queues the row and
/// hands back the rows whose LEAD values are now known), `finish_<stmt>` (a pending row's output
/// row) and `flush_<stmt>` (every waiting row, at the end of the input, in arrival order).
pub(super) fn lead_items(
    s: &StatementPlan,
    input: &Ident,
    output: &Ident,
    eval: &Ident,
    body: TokenStream,
) -> TokenStream {
    let pending = pending_name(s);
    let state = names(s).0;
    let (finish, flush) = lead_fn_names(s);
    let others: Vec<(Ident, TokenStream)> = s
        .over
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_lead(c))
        .map(|(i, c)| (format_ident!("w{}", i), c.ty.rust()))
        .collect();
    let (other_ws, other_tys): (Vec<&Ident>, Vec<&TokenStream>) = others.iter().map(|(w, t)| (w, t)).unzip();
    let leads: Vec<(usize, &OverCall)> =
        s.over.iter().enumerate().filter(|(_, c)| matches!(c.func, OverFunc::Lead { .. })).collect();
    let wholes: Vec<(usize, &OverCall)> =
        s.over.iter().enumerate().filter(|(_, c)| c.needs_whole_partition()).collect();
    let whole_ws: Vec<Ident> = wholes.iter().map(|(i, _)| format_ident!("w{}", i)).collect();
    let whole_orders: Vec<Ident> = wholes.iter().map(|(i, _)| format_ident!("o{}", i)).collect();
    let whole_parts: Vec<Ident> = wholes.iter().map(|(i, _)| format_ident!("q{}", i)).collect();
    let part_tys = wholes.iter().map(|(_, c)| {
        let tys = c.partition.iter().map(|p| p.ty().rust());
        quote!((#(Option<#tys>,)*))
    });
    let part_values = wholes.iter().map(|(_, c)| {
        let values = c.partition.iter().map(expr);
        quote!((#(#values,)*))
    });
    let whole_tys: Vec<TokenStream> = wholes.iter().map(|(_, c)| c.ty.rust()).collect();
    let order_tys = wholes.iter().map(|(_, c)| {
        let tys = c.order.iter().map(|o| o.expr.ty().rust());
        quote!((#(Option<#tys>,)*))
    });
    let order_values = wholes.iter().map(|(_, c)| {
        let values = c.order.iter().map(|o| expr(&o.expr));
        quote!((#(#values,)*))
    });
    let computes = wholes.iter().map(|(i, c)| {
        let (w, o, q) = (format_ident!("w{}", i), format_ident!("o{}", i), format_ident!("q{}", i));
        let function = match c.func {
            OverFunc::PercentRank => quote!(rt::over::percent_ranks),
            OverFunc::CumeDist => quote!(rt::over::cume_dists),
            OverFunc::Ntile(n) => quote!(|k: &[_]| rt::over::ntiles(k.len(), #n)),
            OverFunc::RowNumber => quote!(rt::over::row_numbers),
            OverFunc::Rank => quote!(rt::over::ranks),
            _ => quote!(rt::over::dense_ranks),
        };
        let compare = order_comparison(c);
        quote! {
            for part in rt::over::partitions(&rows, |e| &e.#q) {
                let keys: Vec<_> = part.iter().map(|&j| rows[j].#o.clone()).collect();
                for (&j, v) in part.iter().zip(rt::over::by_order(&keys, #compare, #function)) {
                    rows[j].#w = v;
                }
            }
        }
    });
    let lead_ws: Vec<Ident> = leads.iter().map(|(i, _)| format_ident!("w{}", i)).collect();
    let lead_inputs: Vec<Ident> = leads.iter().map(|(i, _)| format_ident!("x{}", i)).collect();
    let lead_tys = leads.iter().map(|(_, c)| c.ty.rust());
    let (mut lead_values, mut defaults) = (Vec::new(), Vec::new());
    for (_, c) in &leads {
        if let OverFunc::Lead { value, default, .. } = &c.func {
            lead_values.push(expr(value));
            defaults.push(default.as_ref().map(expr).unwrap_or_else(|| quote!(None)));
        }
    }
    // Each LEAD value fills one missing value; whole-partition values come at the end of the
    // input, so such a row counts one more that never arrives.
    let missing = leads.len() + usize::from(!wholes.is_empty());
    // Per LEAD PARTITION BY: note the row among its partition's latest rows, and give it as the
    // LEAD value to the row `offset` rows before it.
    let fills = lead_partitions(s).into_iter().enumerate().map(|(j, (keys, members))| {
        let lookup = group_lookup(keys, {
            let table = format_ident!("leads{}", j);
            quote!(over.#table)
        });
        let keep = members.iter().map(|(_, o)| o + 1).max().unwrap_or(1);
        let fill = members.iter().map(|(i, offset)| {
            let (w, x) = (format_ident!("w{}", i), format_ident!("x{}", i));
            quote!(if let Some(t) = acc.back(#offset) { over.waiting.fill(t, |e| e.#w = Some(#x.clone())); })
        });
        quote! {{
            #lookup
            acc.push(seq, #keep);
            #(#fill)*
        }}
    });
    let filter = s.filter.as_ref().map(|f| {
        let f = expr(f);
        quote!(if !rt::ops::is_true(#f) { return Ok(()); })
    });
    let own_values = values(s); // every OVER value but the LEADs
    let rows = if wholes.is_empty() { quote!(rows) } else { quote!(mut rows) };
    let doc = format!(" A row of `{}` waiting for the rows its LEAD values come from.", s.name);
    let eval_doc = format!(
        " Queues one input row of `{}` and appends to `ready` the rows whose LEAD values are now known.",
        s.name
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #pending {
            row: #input,
            #(#other_ws: Option<#other_tys>,)*
            #(#lead_ws: Option<Option<#lead_tys>>,)*
            #(#whole_ws: Option<#whole_tys>,)*
            #(#whole_orders: #order_tys,)*
            #(#whole_parts: #part_tys,)*
        }
        #[doc = #eval_doc]
        pub fn #eval(r: &#input, over: &mut #state, ready: &mut Vec<#pending>) -> rt::EvalResult<()> {
            #filter
            #own_values
            #(let #lead_inputs = #lead_values;)*
            #(let #whole_orders = #order_values;)*
            #(let #whole_parts = #part_values;)*
            let row = #pending { row: r.clone(), #(#other_ws,)* #(#lead_ws: None,)* #(#whole_ws: None,)* #(#whole_orders,)* #(#whole_parts,)* };
            let seq = over.waiting.push(#missing, row);
            #(#fills)*
            over.waiting.release(ready);
            Ok(())
        }
        /// The output row of a pending row (its missing LEAD values take their default).
        pub fn #finish(e: &#pending) -> rt::EvalResult<Option<#output>> {
            let r = &e.row;
            #(let #other_ws = e.#other_ws.clone();)*
            #(let #lead_ws = match &e.#lead_ws { Some(v) => v.clone(), None => #defaults };)*
            #(let #whole_ws = e.#whole_ws;)*
            #body
        }
        /// Every row still waiting (end of the input), in arrival order, with its
        /// whole-partition values.
        pub fn #flush(over: &mut #state) -> Vec<#pending> {
            let #rows: Vec<#pending> = over.waiting.drain().collect();
            #(#computes)*
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
        Frame::Unbounded => (quote!(None), quote!(rt::over::Frame::Unbounded)),
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
    let stateless = s.over.iter().enumerate().filter(|(_, c)| state_type(c).is_none() && !is_lead(c)).map(|(i, c)| {
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
