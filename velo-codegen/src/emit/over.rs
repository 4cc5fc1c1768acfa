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
        OverFunc::Lag { .. } | OverFunc::Nth { .. } => quote!(rt::over::Recent<#value_ty>),
        OverFunc::RowNumber | OverFunc::Rank | OverFunc::DenseRank => {
            let order = c.order.iter().map(|o| o.ty().rust());
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
        OverFunc::Last(_) => return None,
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

/// The calls of one PARTITION BY that keep state: (call index, state type) each.
type Members = Vec<(usize, TokenStream)>;

/// The calls that keep state, grouped by PARTITION BY: one table lookup per row serves every
/// call of a group.
fn partitions(s: &StatementPlan) -> Vec<(&[TExpr], Members)> {
    let mut groups: Vec<(&[TExpr], Members)> = Vec::new();
    for (i, c) in s.over.iter().enumerate() {
        let Some(state) = state_type(c) else { continue };
        match groups.iter_mut().find(|(p, _)| *p == c.partition.as_slice()) {
            Some((_, members)) => members.push((i, state)),
            None => groups.push((&c.partition, vec![(i, state)])),
        }
    }
    groups
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
            (format_ident!("p{}", j), quote!(rt::Groups<(#(Option<#keys>,)*), (#(#states,)*)>))
        })
        .unzip();
    quote! {
        #[doc = #doc]
        #[derive(Debug, Default)]
        pub struct #name {
            #(#fields: #tys,)*
        }
    }
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
            let o = expr(o);
            quote!(rt::EventTime::event_millis(#o)?)
        }
        _ => quote!(0),
    };
    let order = c.order.iter().map(expr);
    let order = quote!(Some((#(#order,)*)));
    match &c.func {
        OverFunc::Last(v) => expr(v),
        OverFunc::Lag { value, offset, default } => {
            let (v, d) = (expr(value), default.as_ref().map(expr).unwrap_or_else(|| quote!(None)));
            quote!(match #st.lag(#v, #offset) { Some(v) => v, None => #d })
        }
        OverFunc::Nth { value, n } => {
            let v = expr(value);
            quote!(#st.nth(#v, #n, #preceding))
        }
        OverFunc::RowNumber => quote!(#st.row_number(#order)),
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
    let stateless = s.over.iter().enumerate().filter(|(_, c)| state_type(c).is_none()).map(|(i, c)| {
        let (w, v) = (format_ident!("w{}", i), call_value(c, quote!()));
        quote!(let #w = #v;)
    });
    let grouped = partitions(s).into_iter().enumerate().map(|(j, (keys, members))| {
        let table = format_ident!("p{}", j);
        let lookup = group_lookup(keys, quote!(over.#table));
        let ws = members.iter().map(|(i, _)| format_ident!("w{}", i));
        let values = members.iter().enumerate().map(|(k, (i, _))| {
            let k = syn::Index::from(k);
            call_value(&s.over[*i], quote!(acc.#k))
        });
        quote! {
            let (#(#ws,)*) = {
                #lookup
                (#(#values,)*)
            };
        }
    });
    quote!(#(#stateless)* #(#grouped)*)
}

/// The type name of a statement's state, for `run` and `Pipeline`.
pub(super) fn state_name(s: &StatementPlan) -> Ident {
    names(s).0
}

/// The variable (and Pipeline field) of a statement's state.
pub(super) fn state_var(s: &StatementPlan) -> Ident {
    names(s).1
}
