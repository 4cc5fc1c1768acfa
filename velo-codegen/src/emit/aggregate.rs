//! Emission of GROUP BY statements: a key tuple type, an accumulator struct, `update_<stmt>`
//! (WHERE, keys, arguments, then every accumulator) and `result_<stmt>` (HAVING and the select
//! list over one group).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::expr::{borrowed_text, event_millis, expr};
use super::{ident, input_struct, projection_body};
use crate::ir::aggregate::{AggCall, AggKind, AggregatePlan};
use crate::ir::expr::TExpr;
use crate::ir::plan::{Plan, StatementPlan};
use crate::ir::types::SqlType;
use crate::ir::window::WindowKind;
use velo_spec::Hop;

/// Rust names of one aggregating statement's items.
pub(super) struct Names {
    /// The key tuple type.
    pub key: Ident,
    /// The accumulator struct.
    pub acc: Ident,
    /// `update_<stmt>`.
    pub update: Ident,
    /// `result_<stmt>`.
    pub result: Ident,
    /// The group table variable / field.
    pub groups: Ident,
}

pub(super) fn names(s: &StatementPlan) -> Names {
    let base = s.struct_name.strip_suffix("Row").unwrap_or(&s.struct_name);
    let snake = &s.ident;
    Names {
        key: format_ident!("{}Key", base),
        acc: format_ident!("{}Acc", base),
        update: format_ident!("update_{}", snake),
        result: format_ident!("result_{}", snake),
        groups: format_ident!("groups_{}", snake),
    }
}

/// The type of a statement's aggregation state: a group table, or windows of group tables.
pub(super) fn state_type(n: &Names, agg: &AggregatePlan) -> TokenStream {
    let (k, a) = (&n.key, &n.acc);
    match agg.window.as_ref().map(|w| w.kind) {
        Some(WindowKind::Session { .. }) => quote!(rt::Sessions<#k, #a>),
        Some(_) => quote!(rt::Windows<#k, #a>),
        None => quote!(rt::Groups<#k, #a>),
    }
}

/// The empty aggregation state (window shape and watermark settings are compile-time constants).
pub(super) fn state_init(n: &Names, agg: &AggregatePlan) -> TokenStream {
    let (k, a) = (&n.key, &n.acc);
    let Some(w) = &agg.window else {
        return quote!(rt::Groups::<#k, #a>::default());
    };
    let shape = match w.kind.hop() {
        Some(Hop { size, advance }) => quote!(rt::window::Hop { size: #size, advance: #advance }),
        None => match w.kind {
            WindowKind::Session { gap } => quote!(#gap),
            _ => quote!(),
        },
    };
    let table = match w.kind {
        WindowKind::Session { .. } => quote!(rt::Sessions),
        _ => quote!(rt::Windows),
    };
    let late = ident(&format!("{:?}", w.late));
    let (ooo, lateness) = (w.out_of_orderness, w.allowed_lateness);
    quote! {
        #table::<#k, #a>::new(#shape, rt::window::Watermarks {
            out_of_orderness: #ooo,
            allowed_lateness: #lateness,
            late: rt::window::LateStrategy::#late,
        })
    }
}

/// (accumulator type, its input type, the input value) of one call.
pub(super) fn accumulator(c: &AggCall) -> (TokenStream, TokenStream, TokenStream) {
    let arg_ty = c.arg.as_ref().map(|a| a.ty().rust()).unwrap_or_else(|| quote!(()));
    let arg = c.arg.as_ref().map(expr).unwrap_or_else(|| quote!(Some(())));
    let plain = |acc: TokenStream| (acc, arg_ty.clone(), arg.clone());
    match &c.kind {
        AggKind::CountStar | AggKind::Count => plain(quote!(rt::agg::Count)),
        AggKind::CountDistinct => plain(quote!(rt::agg::CountDistinct)),
        AggKind::Sum => match c.ty {
            SqlType::BigInt => plain(quote!(rt::agg::SumInt)),
            SqlType::Decimal(_, s) => plain(quote!(rt::agg::SumDecimal<#s>)),
            _ => plain(quote!(rt::agg::SumDouble)),
        },
        AggKind::Avg => match (c.ty, c.arg.as_ref().map(|a| a.ty())) {
            (SqlType::Decimal(_, r), Some(SqlType::Decimal(_, s))) => plain(quote!(rt::agg::AvgDecimal<#s, #r>)),
            _ => plain(quote!(rt::agg::AvgDouble)),
        },
        AggKind::Min => plain(quote!(rt::agg::Min<#arg_ty>)),
        AggKind::Max => plain(quote!(rt::agg::Max<#arg_ty>)),
        AggKind::First => plain(quote!(rt::agg::First<#arg_ty>)),
        AggKind::Last => plain(quote!(rt::agg::Last<#arg_ty>)),
        AggKind::Moments(k) => plain(quote!(rt::agg::Moments<#k>)),
        // Constant parameters travel with each value: (value, separator) / (value, fraction).
        AggKind::StringAgg(sep) => {
            (quote!(rt::agg::StringAgg), quote!((String, &'static str)), quote!(#arg.map(|v| (v, #sep))))
        }
        AggKind::PercentileCont(p) => {
            (quote!(rt::agg::PercentileCont), quote!((f64, f64)), quote!(#arg.map(|v| (v, #p))))
        }
        AggKind::PercentileDisc(p) => {
            (quote!(rt::agg::PercentileDisc<#arg_ty>), quote!((#arg_ty, f64)), quote!(#arg.map(|v| (v, #p))))
        }
        AggKind::CoMoments(k) => {
            let x = c.arg2.as_ref().map(expr).unwrap_or_else(|| quote!(None::<f64>));
            (quote!(rt::agg::CoMoments<#k>), quote!((f64, f64)), quote!(#arg.zip(#x)))
        }
    }
}

/// Finds (or creates) the record's group: `let (g, acc) = …`. Text key columns are probed as
/// borrowed `Option<&str>` (hashing like the owned `Option<String>`), so a record of an existing
/// group allocates nothing; the owned key is built only for a new group.
pub(super) fn group_lookup(keys: &[TExpr], table: TokenStream) -> TokenStream {
    let KeyProbe { lets, probe, matches, owned } = key_probe(keys);
    quote! {
        #lets
        let (g, acc) = #table.entry_by(#probe, #matches, #owned);
    }
}

/// The pieces of a borrowed-key lookup: `let k<i> = …;`, the probe, the `matches` closure and
/// the `to_owned` closure of `Groups::entry_by`.
struct KeyProbe {
    lets: TokenStream,
    probe: TokenStream,
    matches: TokenStream,
    owned: TokenStream,
}

fn key_probe(keys: &[TExpr]) -> KeyProbe {
    let mut lets = Vec::new();
    let (mut probe, mut matches, mut owned) = (Vec::new(), Vec::new(), Vec::new());
    for (i, k) in keys.iter().enumerate() {
        let local = format_ident!("k{}", i);
        let index = syn::Index::from(i);
        match borrowed_text(k) {
            Some(text) => {
                lets.push(quote!(let #local = #text;));
                probe.push(quote!(#local));
                matches.push(quote!(key.#index.as_deref() == #local));
                owned.push(quote!(#local.map(str::to_owned)));
            }
            None => {
                let value = expr(k);
                lets.push(quote!(let #local = #value;));
                probe.push(quote!(&#local));
                matches.push(quote!(key.#index == #local));
                owned.push(quote!(#local.clone()));
            }
        }
    }
    let matches = if matches.is_empty() { quote!(true) } else { quote!(#(#matches)&&*) };
    KeyProbe {
        lets: quote!(#(#lets)*),
        probe: quote!(&(#(#probe,)*)),
        matches: quote!(|key| #matches),
        owned: quote!(|| (#(#owned,)*)),
    }
}

/// The types and functions of one aggregating statement.
pub(super) fn items(plan: &Plan, s: &StatementPlan, agg: &AggregatePlan) -> TokenStream {
    let n = names(s);
    let (key, acc, update, result) = (&n.key, &n.acc, &n.update, &n.result);
    let input = input_struct(plan, s.input);
    let output = ident(&s.struct_name);
    let key_tys = agg.keys.iter().map(|k| k.ty().rust());
    let lookup = group_lookup(&agg.keys, quote!(groups));
    let key_locals: Vec<Ident> = (0..agg.keys.len()).map(|i| format_ident!("k{}", i)).collect();
    let key_index = (0..agg.keys.len()).map(syn::Index::from);
    let fields: Vec<Ident> = (0..agg.calls.len()).map(|j| format_ident!("a{}", j)).collect();
    let args: Vec<Ident> = (0..agg.calls.len()).map(|j| format_ident!("x{}", j)).collect();
    let mut acc_tys = Vec::new();
    let mut in_tys = Vec::new();
    let mut arg_values = Vec::new();
    for c in &agg.calls {
        let (acc, input, value) = accumulator(c);
        acc_tys.push(acc);
        in_tys.push(input);
        arg_values.push(value);
    }
    // A record that fails (a SUM overflowing) must leave its group untouched: fallible updates run
    // first, and when there are several they run on a copy that replaces the group on success.
    let fallible = |c: &AggCall| matches!(c.kind, AggKind::Sum | AggKind::Avg) && matches!(c.ty, SqlType::Decimal(..));
    let mut order: Vec<usize> = (0..agg.calls.len()).collect();
    order.sort_by_key(|&j| !fallible(&agg.calls[j]));
    let copy = agg.calls.iter().filter(|c| fallible(c)).count() > 1;
    let target = if copy { quote!(next) } else { quote!(acc) };
    let steps = order.iter().map(|&j| {
        let (acc_ty, in_ty, field, arg) = (&acc_tys[j], &in_tys[j], &fields[j], &args[j]);
        quote!(<#acc_ty as rt::Accumulator<#in_ty>>::update(&mut #target.#field, #arg.as_ref())?;)
    });
    let updates = if copy {
        quote! {
            let mut next = acc.clone();
            #(#steps)*
            *acc = next;
        }
    } else {
        quote!(#(#steps)*)
    };
    let filter = s.filter.as_ref().map(|f| {
        let f = expr(f);
        quote!(if !rt::ops::is_true(#f) { return Ok(None); })
    });
    let having = agg.having.as_ref().map(|h| {
        let h = expr(h);
        quote!(if !rt::ops::is_true(#h) { return Ok(None); })
    });
    let body = projection_body(s, &output);
    let key_doc = format!(" The GROUP BY key of `{}`.", s.name);
    let acc_doc = format!(" The running aggregates of one `{}` group.", s.name);
    let update_doc = format!(" Folds one input row into its `{}` group; `None` when WHERE filters it out.", s.name);
    let result_doc = format!(" The `{}` row of one group; `None` when HAVING filters it out.", s.name);
    let mut return_session = None;
    let update_fn = match &agg.window {
        None => quote! {
            #[doc = #update_doc]
            #[inline]
            pub fn #update(r: &#input, groups: &mut rt::Groups<#key, #acc>) -> rt::EvalResult<Option<usize>> {
                #filter
                #(let #args = #arg_values;)*
                #lookup
                #updates
                Ok(Some(g))
            }
        },
        Some(w) => {
            let doc = format!(
                " Folds one input row into its `{}` group of every window containing its event time; \
                 `None` when WHERE filters it out.",
                s.name
            );
            let time = event_millis(&w.time);
            if let WindowKind::Session { .. } = w.kind {
                let KeyProbe { lets, probe, matches, owned } = key_probe(&agg.keys);
                return_session = Some(quote! {
                    #[doc = #doc]
                    #[inline]
                    pub fn #update(r: &#input, windows: &mut rt::Sessions<#key, #acc>) -> rt::EvalResult<Option<rt::Fate>> {
                        #filter
                        let ts = #time;
                        #(let #args = #arg_values;)*
                        #lets
                        windows.update(ts, #probe, #matches, #owned, #acc::merge, |acc| {
                            #updates
                            Ok(())
                        }).map(Some)
                    }
                });
            }
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #update(r: &#input, windows: &mut rt::Windows<#key, #acc>) -> rt::EvalResult<Option<rt::Fate>> {
                    #filter
                    let ts = #time;
                    #(let #args = #arg_values;)*
                    windows.update(ts, |groups| {
                        #lookup
                        #updates
                        Ok(g)
                    }).map(Some)
                }
            }
        }
    };
    let update_fn = return_session.unwrap_or(update_fn);
    let (window_param, window_locals) = match agg.window {
        Some(_) => {
            (quote!(, w: rt::WindowBounds), quote!(let window_start = w.start_ts(); let window_end = w.end_ts();))
        }
        None => (quote!(), quote!()),
    };
    quote! {
        #[doc = #key_doc]
        pub type #key = (#(Option<#key_tys>,)*);
        #[doc = #acc_doc]
        #[derive(Debug, Clone, Default)]
        pub struct #acc {
            #(#fields: #acc_tys,)*
        }
        impl #acc {
            /// Combines the partial aggregates of another reader thread into these.
            pub fn merge(&mut self, other: &Self) -> rt::EvalResult<()> {
                #(<#acc_tys as rt::Accumulator<#in_tys>>::merge(&mut self.#fields, &other.#fields)?;)*
                Ok(())
            }
        }
        #update_fn
        #[doc = #result_doc]
        pub fn #result(key: #key, acc: &#acc #window_param) -> rt::EvalResult<Option<#output>> {
            #window_locals
            #(let #key_locals = key.#key_index;)*
            #(let #fields = <#acc_tys as rt::Accumulator<#in_tys>>::result(&acc.#fields)?;)*
            #having
            #body
        }
    }
}
