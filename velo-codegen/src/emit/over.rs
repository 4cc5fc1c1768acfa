//! Emission of window functions over rows: a state struct per statement (one per-partition table
//! per OVER call) and the code that computes each call's value `w<i>` for the current row.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::aggregate::{accumulator, group_lookup};
use super::expr;
use crate::over::{OverCall, OverFunc};
use crate::plan::StatementPlan;

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
            quote!(rt::over::Framed<#acc, #input>)
        }
        OverFunc::Last(_) => return None,
    })
}

/// The state struct of a statement with OVER calls.
pub(super) fn state_struct(s: &StatementPlan) -> TokenStream {
    let (name, _) = names(s);
    let doc = format!(" Per-partition state of the window functions of `{}`.", s.name);
    let (fields, tys): (Vec<Ident>, Vec<TokenStream>) = s
        .over
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let state = state_type(c)?;
            let keys = c.partition.iter().map(|k| k.ty().rust());
            Some((format_ident!("w{}", i), quote!(rt::Groups<(#(Option<#keys>,)*), #state>)))
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

/// `let w<i> = …;` for every call, reading and updating `over`.
pub(super) fn values(s: &StatementPlan) -> TokenStream {
    let lets = s.over.iter().enumerate().map(|(i, c)| {
        let w = format_ident!("w{}", i);
        let preceding = match c.preceding {
            Some(p) => quote!(Some(#p)),
            None => quote!(None),
        };
        let order = c.order.iter().map(expr);
        let order = quote!(Some((#(#order,)*)));
        let value = match &c.func {
            OverFunc::Last(v) => {
                let v = expr(v);
                return quote!(let #w = #v;);
            }
            OverFunc::Lag { value, offset, default } => {
                let (v, d) = (expr(value), default.as_ref().map(expr).unwrap_or_else(|| quote!(None)));
                quote!(match acc.lag(#v, #offset) { Some(v) => v, None => #d })
            }
            OverFunc::Nth { value, n } => {
                let v = expr(value);
                quote!(acc.nth(#v, #n, #preceding))
            }
            OverFunc::RowNumber => quote!(acc.row_number(#order)),
            OverFunc::Rank => quote!(acc.rank(#order)),
            OverFunc::DenseRank => quote!(acc.dense_rank(#order)),
            OverFunc::Aggregate(a) => {
                let (_, _, v) = accumulator(a);
                quote!(acc.push(#v, #preceding)?)
            }
        };
        let lookup = group_lookup(&c.partition, quote!(over.#w));
        quote! {
            let #w = {
                #lookup
                #value
            };
        }
    });
    quote!(#(#lets)*)
}

/// The type name of a statement's state, for `run` and `Pipeline`.
pub(super) fn state_name(s: &StatementPlan) -> Ident {
    names(s).0
}

/// The variable (and Pipeline field) of a statement's state.
pub(super) fn state_var(s: &StatementPlan) -> Ident {
    names(s).1
}
