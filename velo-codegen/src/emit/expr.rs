//! Rust for typed SQL expressions. Each expression becomes one Rust expression of type
//! `Option<T>`, every operator a call into `velo_rt` (`rt::ops::dec_mul::<2, 0, 2>(a, b)?`);
//! fallible operations end in `?`, so the surrounding function returns the first evaluation
//! error. Deep expressions are flattened: once nesting passes [`MAX_NESTING`], the operands of
//! an operator are bound to `let t<n> = …;` first (left to right, so evaluation order and the
//! first error stay the same), which keeps generated code linear in the size of the SQL.

use proc_macro2::{Ident, Literal as Lit, TokenStream};
use quote::{format_ident, quote};

use super::ident;
use crate::ir::expr::{ArithOp, CmpOp, Func, Literal, TExpr};
use crate::ir::types::SqlType;
use crate::ir::window::{EventTime, TimeFormat};

/// Operator nesting beyond which operands are bound to locals.
const MAX_NESTING: usize = 8;

/// The Rust expression for `e` (see the module documentation).
pub(crate) fn expr(e: &TExpr) -> TokenStream {
    Block::default().expr(e).0
}

/// The `let`s of one Rust block and the names they bind.
#[derive(Default)]
struct Block {
    lets: Vec<TokenStream>,
    next: usize,
}

/// Emitted tokens and how deeply they nest operators.
type Emitted = (TokenStream, usize);

impl Block {
    /// `e` as a self-contained expression: `{ let t0 = …; … }` when it needed locals.
    fn expr(mut self, e: &TExpr) -> Emitted {
        let (tokens, depth) = self.emit(e);
        if self.lets.is_empty() {
            return (tokens, depth);
        }
        let lets = &self.lets;
        (quote!({ #(#lets)* #tokens }), depth + 1)
    }

    /// An operand evaluated only sometimes (AND's right side, CASE branches): its own block, so
    /// none of its work is hoisted out of the branch.
    fn lazy(&self, e: &TExpr) -> Emitted {
        Block::default().expr(e)
    }

    /// Emits the eager operands `parts` of one operator with `build`; binds them to locals first
    /// when the operator would nest too deeply.
    fn node(&mut self, parts: &[&TExpr], build: impl FnOnce(Vec<TokenStream>) -> TokenStream) -> Emitted {
        let mut emitted: Vec<(TokenStream, usize, usize)> = Vec::with_capacity(parts.len());
        for p in parts {
            let (tokens, depth) = self.emit(p);
            emitted.push((tokens, depth, self.lets.len()));
        }
        let depth = 1 + emitted.iter().map(|e| e.1).max().unwrap_or(0);
        let depth = if depth > MAX_NESTING { self.hoist(&mut emitted) } else { depth };
        (build(emitted.into_iter().map(|e| e.0).collect()), depth)
    }

    /// Binds every operand that is not a plain value to a local, each right after its own
    /// locals; returns the operator's nesting afterwards.
    fn hoist(&mut self, emitted: &mut [(TokenStream, usize, usize)]) -> usize {
        let names: Vec<Option<Ident>> = emitted
            .iter()
            .map(|(_, depth, _)| {
                (*depth > 0).then(|| {
                    self.next += 1;
                    format_ident!("t{}", self.next)
                })
            })
            .collect();
        for ((tokens, depth, at), name) in emitted.iter_mut().zip(names).rev() {
            if let Some(name) = name {
                self.lets.insert(*at, quote!(let #name = #tokens;));
                *tokens = quote!(#name);
                *depth = 0;
            }
        }
        1
    }

    fn emit(&mut self, e: &TExpr) -> Emitted {
        match e {
            TExpr::Literal(l, ty) => (literal(l, *ty), 0),
            TExpr::Column { field, ty, .. } => {
                let f = ident(field);
                (if ty.is_copy() { quote!(r.#f) } else { quote!(r.#f.clone()) }, 0)
            }
            TExpr::Local { name, ty } => {
                let v = ident(name);
                (if ty.is_copy() { quote!(#v) } else { quote!(#v.clone()) }, 0)
            }
            TExpr::RecordTime { time, .. } => (record_time(time), 1),
            TExpr::Cast { expr: inner, to, precision } => {
                let t = to.rust();
                let (to, precision) = (*to, *precision);
                self.node(&[inner], |x| match (precision, to) {
                    (Some(p), SqlType::Decimal(_, s)) => quote!(rt::cast_decimal::<_, #s>(#(#x)*, #p)?),
                    _ => quote!(rt::cast::<_, #t>(#(#x)*)?),
                })
            }
            TExpr::Neg(x) => self.node(&[x], |x| quote!(rt::ops::neg(#(#x)*)?)),
            TExpr::Not(x) => self.node(&[x], |x| quote!(rt::ops::not(#(#x)*))),
            TExpr::Arith { op, left, right, ty } => self.arith(*op, left, right, *ty),
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
                if let (Some(a), Some(b)) = (borrowed_text(left), borrowed_text(right)) {
                    return (quote!(rt::ops::#f(&#a, &#b)), 1);
                }
                self.node(&[left, right], |v| {
                    let (a, b) = (&v[0], &v[1]);
                    quote!(rt::ops::#f(&#a, &#b))
                })
            }
            TExpr::And(a, b) => self.short_circuit(a, b, quote!(Some(false)), quote!(and)),
            TExpr::Or(a, b) => self.short_circuit(a, b, quote!(Some(true)), quote!(or)),
            TExpr::IsNull { expr: x, negated } => {
                let negated = *negated;
                self.node(
                    &[x],
                    |x| if negated { quote!(Some(#(#x)*.is_some())) } else { quote!(Some(#(#x)*.is_none())) },
                )
            }
            TExpr::IsDistinct { left, right, negated } => {
                let negated = *negated;
                self.node(&[left, right], |v| {
                    let (a, b) = (&v[0], &v[1]);
                    if negated {
                        quote!(Some(rt::ops::not_distinct(&#a, &#b)))
                    } else {
                        quote!(Some(!rt::ops::not_distinct(&#a, &#b)))
                    }
                })
            }
            TExpr::InList { expr: x, list, negated } => {
                let negated = *negated;
                let parts: Vec<&TExpr> = std::iter::once(&**x).chain(list).collect();
                self.node(&parts, |v| {
                    let (x, items) = (&v[0], &v[1..]);
                    let test = quote!(rt::ops::in_list(&#x, &[#(#items),*]));
                    if negated { quote!(rt::ops::not(#test)) } else { test }
                })
            }
            TExpr::Like { expr: x, pattern, negated } => {
                let negated = *negated;
                self.node(&[x, pattern], |v| {
                    let (x, p) = (&v[0], &v[1]);
                    let test = quote!(rt::func::like(&#x, &#p));
                    if negated { quote!(rt::ops::not(#test)) } else { test }
                })
            }
            TExpr::Case { whens, otherwise, ty } => {
                let mut depth = 0;
                let mut branch = |e: &TExpr| {
                    let (tokens, d) = self.lazy(e);
                    depth = depth.max(d);
                    tokens
                };
                let conds: Vec<TokenStream> = whens.iter().map(|(c, _)| branch(c)).collect();
                let results: Vec<TokenStream> = whens.iter().map(|(_, r)| branch(r)).collect();
                let t = ty.rust();
                let other = match otherwise {
                    Some(o) => branch(o),
                    None => quote!(None::<#t>),
                };
                (quote!(#(if rt::ops::is_true(#conds) { #results } else)* { #other }), depth + 1)
            }
            TExpr::Coalesce(args, _) => {
                let Some((first, rest)) = args.split_first() else { return (quote!(None), 0) };
                let mut depth = 0;
                let rest = rest.iter().rev().fold(None, |inner: Option<TokenStream>, a| {
                    let (a, d) = self.lazy(a);
                    depth = depth.max(d);
                    Some(match inner {
                        None => a,
                        Some(inner) => quote!({ let v = #a; if v.is_some() { v } else { #inner } }),
                    })
                });
                let Some(rest) = rest else { return self.emit(first) };
                self.node(&[first], |v| {
                    let a = &v[0];
                    quote!({ let v = #a; if v.is_some() { v } else { #rest } })
                })
            }
            TExpr::Call { func, args, ty } => {
                let parts: Vec<&TExpr> = args.iter().collect();
                let input = args.first().map(TExpr::ty);
                let (func, ty) = (func.clone(), *ty);
                self.node(&parts, |a| call(&func, &a, input, ty))
            }
        }
    }

    /// AND / OR with SQL's three-valued logic, evaluating `b` only when `a` does not decide.
    fn short_circuit(&mut self, a: &TExpr, b: &TExpr, decides: TokenStream, f: TokenStream) -> Emitted {
        let (b, db) = self.lazy(b);
        let (tokens, depth) = self.node(&[a], |v| {
            let a = &v[0];
            quote!({ let l = #a; if l == #decides { #decides } else { rt::ops::#f(l, #b) } })
        });
        (tokens, depth.max(db + 1))
    }

    fn arith(&mut self, op: ArithOp, left: &TExpr, right: &TExpr, ty: SqlType) -> Emitted {
        let (sa, sb) = (scale(left), scale(right));
        self.node(&[left, right], |v| {
            let (a, b) = (&v[0], &v[1]);
            match (op, ty) {
                (ArithOp::Concat, _) => quote!(rt::ops::concat_op(#a, #b)),
                (ArithOp::Mul | ArithOp::Div, SqlType::Decimal(_, r)) => {
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
        })
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
        Some(c @ TExpr::Column { field, ty, .. }) => {
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
        TExpr::Column { field, ty: SqlType::String, .. } => {
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

/// A call of a runtime function on emitted arguments `a` (`input`: the first argument's type).
fn call(func: &Func, a: &[TokenStream], input: Option<SqlType>, ty: SqlType) -> TokenStream {
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
            match (input, ty) {
                (Some(SqlType::Decimal(_, s)), SqlType::Decimal(_, r)) => {
                    quote!(rt::func::round_dec::<#s, #r>(#x, #d)?)
                }
                (Some(SqlType::BigInt), _) => quote!(rt::func::round_i64(#x, #d)?),
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
