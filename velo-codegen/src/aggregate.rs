//! Planning GROUP BY and aggregates. The select list and HAVING of an aggregating statement are
//! rewritten before binding: an expression equal to a GROUP BY expression becomes a reference to
//! that key, and each aggregate call becomes a reference to its accumulator. What is left is bound
//! like any expression, over the keys and accumulator results only; a bare input column there is
//! an error ("must appear in GROUP BY").

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, Select, Spanned, VisitMut, VisitorMut,
};

use crate::bind::{Binder, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::expr::TExpr;
use crate::parse::EmitMode;
use crate::types::{MAX_PRECISION, SqlType};
use crate::window::{WINDOW_END_FUNCTIONS, WINDOW_END_NAMES, WINDOW_START_FUNCTIONS, WINDOW_START_NAMES, WindowPlan};

/// An aggregate function.
#[derive(Debug, Clone, PartialEq)]
pub enum AggKind {
    /// `COUNT(*)`.
    CountStar,
    /// `COUNT(x)`.
    Count,
    /// `COUNT(DISTINCT x)`, `COUNT_DISTINCT(x)`.
    CountDistinct,
    /// `SUM(x)`.
    Sum,
    /// `AVG(x)`.
    Avg,
    /// `MIN(x)`.
    Min,
    /// `MAX(x)`.
    Max,
    /// `FIRST_VALUE(x)`: first non-NULL value in input order.
    First,
    /// `LAST_VALUE(x)`: last non-NULL value in input order.
    Last,
    /// `STRING_AGG(x, sep)` with a constant separator.
    StringAgg(String),
    /// Variance or standard deviation (`velo_rt::agg::stat` code).
    Moments(u8),
    /// Covariance, correlation or regression of `(y, x)` (`velo_rt::agg::stat` code).
    CoMoments(u8),
    /// `PERCENTILE_CONT(x, p)`, `MEDIAN(x)`.
    PercentileCont(f64),
    /// `PERCENTILE_DISC(x, p)`.
    PercentileDisc(f64),
}

/// One aggregate call of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    /// Which function.
    pub kind: AggKind,
    /// Its argument over the input row (None for COUNT(*)), already cast to the accumulator's
    /// input type.
    pub arg: Option<TExpr>,
    /// The second argument of two-argument statistics (`x` of `CORR(y, x)`), as DOUBLE.
    pub arg2: Option<TExpr>,
    /// The result type.
    pub ty: SqlType,
}

/// The GROUP BY part of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregatePlan {
    /// Group keys over the input row.
    pub keys: Vec<TExpr>,
    /// Aggregate calls, deduplicated.
    pub calls: Vec<AggCall>,
    /// HAVING, over keys (`k<i>`) and results (`a<j>`).
    pub having: Option<TExpr>,
    /// When rows come out.
    pub emit: EmitMode,
    /// The event-time window, if the statement has a WINDOW clause.
    pub window: Option<WindowPlan>,
}

/// The select-scope names the window bounds are rewritten to.
const WINDOW_START_LOCAL: &str = "__window_start";
const WINDOW_END_LOCAL: &str = "__window_end";

/// Whether `e` reads a window bound (`_window_start`, `window_end`, `TUMBLE_START(…)`, …), and
/// which: the local it is rewritten to.
fn window_bound(e: &Expr) -> Option<&'static str> {
    let is = |names: &[&str], n: &str| names.iter().any(|w| w.eq_ignore_ascii_case(n));
    let name = match e {
        Expr::Identifier(id) => id.value.clone(),
        Expr::Function(f) if f.over.is_none() => {
            let n = f.name.to_string();
            if is(WINDOW_START_FUNCTIONS, &n) {
                return Some(WINDOW_START_LOCAL);
            }
            if is(WINDOW_END_FUNCTIONS, &n) {
                return Some(WINDOW_END_LOCAL);
            }
            return None;
        }
        _ => return None,
    };
    if is(WINDOW_START_NAMES, &name) {
        Some(WINDOW_START_LOCAL)
    } else if is(WINDOW_END_NAMES, &name) {
        Some(WINDOW_END_LOCAL)
    } else {
        None
    }
}

impl std::fmt::Display for AggCall {
    /// `SUM(price)`, `COUNT(*)`, `STRING_AGG(name, ', ')`, for `velo explain`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let arg = self.arg.as_ref().map(ToString::to_string).unwrap_or_default();
        match &self.kind {
            AggKind::CountStar => f.write_str("COUNT(*)"),
            AggKind::CountDistinct => write!(f, "COUNT(DISTINCT {arg})"),
            AggKind::First => write!(f, "FIRST_VALUE({arg})"),
            AggKind::Last => write!(f, "LAST_VALUE({arg})"),
            AggKind::StringAgg(sep) => write!(f, "STRING_AGG({arg}, '{sep}')"),
            AggKind::PercentileCont(p) => write!(f, "PERCENTILE_CONT({arg}, {p})"),
            AggKind::PercentileDisc(p) => write!(f, "PERCENTILE_DISC({arg}, {p})"),
            AggKind::Moments(_) | AggKind::CoMoments(_) => {
                let x = self.arg2.as_ref().map(|x| format!(", {x}")).unwrap_or_default();
                write!(f, "{:?}({arg}{x})", self.kind)
            }
            kind => write!(f, "{}({arg})", format!("{kind:?}").to_ascii_uppercase()),
        }
    }
}

/// Whether a function name is an aggregate Velo computes.
pub fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name.to_ascii_uppercase().as_str())
}

/// Every aggregate function name Velo computes.
pub const AGGREGATES: &[&str] = &[
    "COUNT",
    "COUNT_DISTINCT",
    "APPROX_COUNT_DISTINCT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "FIRST_VALUE",
    "FIRST",
    "LAST_VALUE",
    "LAST",
    "STRING_AGG",
    "LISTAGG",
    "GROUP_CONCAT",
    "STDDEV",
    "STDDEV_SAMP",
    "STDDEV_POP",
    "VARIANCE",
    "VAR_SAMP",
    "VAR_POP",
    "MEDIAN",
    "PERCENTILE_CONT",
    "PERCENTILE_DISC",
    "CORR",
    "COVAR_POP",
    "COVAR_SAMP",
    "REGR_SLOPE",
    "REGR_INTERCEPT",
    "REGR_R2",
];

/// Whether a statement aggregates (GROUP BY, or an aggregate call in its select list or HAVING).
pub fn aggregates(select: &Select) -> bool {
    let grouped = matches!(&select.group_by, GroupByExpr::Expressions(e, _) if !e.is_empty());
    let mut found = false;
    let mut items: Vec<Expr> = select
        .projection
        .iter()
        .filter_map(|i| match i {
            sqlparser::ast::SelectItem::UnnamedExpr(e) | sqlparser::ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                Some(e.clone())
            }
            _ => None,
        })
        .chain(select.having.clone())
        .collect();
    let _ = sqlparser::ast::visit_expressions_mut(&mut items, |e| {
        if let Expr::Function(f) = e
            && f.over.is_none()
            && is_aggregate(&f.name.to_string())
        {
            found = true;
        }
        ControlFlow::<()>::Continue(())
    });
    grouped || found
}

/// Rewrites key expressions, window bounds and aggregate calls inside one expression.
struct Rewriter<'a, 'b> {
    keys: &'a [String],
    windowed: bool,
    input: &'a Scope,
    calls: &'a mut Vec<(String, AggCall)>,
    diags: &'b mut Diagnostics,
    failed: bool,
}

impl VisitorMut for Rewriter<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if self.windowed
            && let Some(local) = window_bound(e)
        {
            *e = Expr::Identifier(Ident::new(local));
            return ControlFlow::Continue(());
        }
        let text = e.to_string();
        if let Some(i) = self.keys.iter().position(|k| *k == text) {
            *e = Expr::Identifier(Ident::new(format!("__k{i}")));
            return ControlFlow::Continue(());
        }
        if let Expr::Function(f) = e
            && f.over.is_none()
            && is_aggregate(&f.name.to_string())
        {
            let Some(j) = slot(self.calls, text, || bind_aggregate(e, self.input, self.diags)) else {
                self.failed = true;
                return ControlFlow::Continue(());
            };
            *e = Expr::Identifier(Ident::new(format!("__a{j}")));
        }
        ControlFlow::Continue(())
    }
}

/// The slot of a call among `calls`: identical call text shares one slot; a new call is bound
/// with `bind` (`None` when that fails).
pub(crate) fn slot<C>(calls: &mut Vec<(String, C)>, text: String, bind: impl FnOnce() -> Option<C>) -> Option<usize> {
    if let Some(i) = calls.iter().position(|(t, _)| *t == text) {
        return Some(i);
    }
    calls.push((text, bind()?));
    Some(calls.len() - 1)
}

/// Binds one aggregate call (`SUM(x)`, `COUNT(*)`, …) over `input`: its kind, argument and type.
pub fn bind_aggregate(e: &Expr, input: &Scope, diags: &mut Diagnostics) -> Option<AggCall> {
    let Expr::Function(f) = e else { return None };
    let name = f.name.to_string().to_ascii_uppercase();
    let span = Span::from_sql(e.span());
    let FunctionArguments::List(list) = &f.args else {
        diags.push(Diagnostic::error("E0205", span, format!("{name} needs an argument")));
        return None;
    };
    let distinct = matches!(list.duplicate_treatment, Some(sqlparser::ast::DuplicateTreatment::Distinct));
    if matches!(list.args.as_slice(), [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]) && name == "COUNT" && !distinct
    {
        return Some(AggCall { kind: AggKind::CountStar, arg: None, arg2: None, ty: SqlType::BigInt });
    }
    let mut args = Vec::new();
    for a in &list.args {
        match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) => args.push(a),
            _ => {
                diags.push(Diagnostic::error("E0206", span, format!("unsupported argument in {name}")));
                return None;
            }
        }
    }
    let wanted = match name.as_str() {
        "STRING_AGG" | "LISTAGG" | "GROUP_CONCAT" => 1..=2,
        "PERCENTILE_CONT" | "PERCENTILE_DISC" | "CORR" | "COVAR_POP" | "COVAR_SAMP" | "REGR_SLOPE"
        | "REGR_INTERCEPT" | "REGR_R2" => 2..=2,
        _ => 1..=1,
    };
    if !wanted.contains(&args.len()) {
        let n = if wanted.start() == wanted.end() {
            wanted.start().to_string()
        } else {
            format!("{} to {}", wanted.start(), wanted.end())
        };
        diags.push(Diagnostic::error("E0205", span, format!("{name} takes {n} argument(s), found {}", args.len())));
        return None;
    }
    if args.iter().any(|a| aggregates_inside(a)) {
        diags.push(Diagnostic::error("E0213", span, "aggregate calls cannot be nested"));
        return None;
    }
    let x = Binder { scope: input, diags }.bind(args[0])?;
    let t = x.ty();
    let numeric = t.is_numeric() || t == SqlType::Null;
    let need_number = |diags: &mut Diagnostics| {
        diags.push(Diagnostic::error("E0402", span.clone(), format!("{name} needs a number, found {t}")));
    };
    let call = |kind, arg: TExpr, ty| Some(AggCall { kind, arg: Some(arg), arg2: None, ty });
    let result = match name.as_str() {
        "COUNT" if distinct => call(AggKind::CountDistinct, x, SqlType::BigInt),
        "COUNT_DISTINCT" | "APPROX_COUNT_DISTINCT" => call(AggKind::CountDistinct, x, SqlType::BigInt),
        "COUNT" => call(AggKind::Count, x, SqlType::BigInt),
        "MIN" | "MAX" | "FIRST_VALUE" | "FIRST" | "LAST_VALUE" | "LAST" => {
            let kind = match name.as_str() {
                "MIN" => AggKind::Min,
                "MAX" => AggKind::Max,
                "FIRST_VALUE" | "FIRST" => AggKind::First,
                _ => AggKind::Last,
            };
            if t == SqlType::Boolean && matches!(kind, AggKind::Min | AggKind::Max) {
                diags.push(Diagnostic::error("E0402", span, format!("{name} of a BOOLEAN is not supported")));
                return None;
            }
            call(kind, x, t)
        }
        "SUM" if numeric => {
            let ty = match t {
                SqlType::Decimal(_, s) => SqlType::Decimal(MAX_PRECISION, s),
                SqlType::Null => SqlType::BigInt,
                other => other,
            };
            call(AggKind::Sum, x.cast_to(ty), ty)
        }
        "AVG" if numeric => match t {
            SqlType::Double => call(AggKind::Avg, x, SqlType::Double),
            _ => {
                let (p, s) = t.as_decimal().unwrap_or((19, 0));
                call(AggKind::Avg, x.cast_to(SqlType::Decimal(p, s)), SqlType::Decimal(MAX_PRECISION, s.max(6)))
            }
        },
        "STRING_AGG" | "LISTAGG" | "GROUP_CONCAT" => {
            let sep = match args.get(1) {
                None => ",".to_string(),
                Some(Expr::Value(v)) => match &v.value {
                    sqlparser::ast::Value::SingleQuotedString(sep) => sep.clone(),
                    _ => return constant_error(diags, &name, "a text constant", span),
                },
                Some(_) => return constant_error(diags, &name, "a text constant", span),
            };
            call(AggKind::StringAgg(sep), x.cast_to(SqlType::String), SqlType::String)
        }
        "STDDEV" | "STDDEV_SAMP" | "STDDEV_POP" | "VARIANCE" | "VAR_SAMP" | "VAR_POP" if numeric => {
            let code = match name.as_str() {
                "STDDEV" | "STDDEV_SAMP" => 2,
                "STDDEV_POP" => 3,
                "VAR_POP" => 1,
                _ => 0,
            };
            call(AggKind::Moments(code), x.cast_to(SqlType::Double), SqlType::Double)
        }
        "MEDIAN" if numeric => call(AggKind::PercentileCont(0.5), x.cast_to(SqlType::Double), SqlType::Double),
        "PERCENTILE_CONT" | "PERCENTILE_DISC" => {
            let p = match args.get(1).map(|a| a.to_string().parse::<f64>()) {
                Some(Ok(p)) if (0.0..=1.0).contains(&p) => p,
                _ => return constant_error(diags, &name, "a constant fraction between 0 and 1", span),
            };
            if name == "PERCENTILE_CONT" {
                if !numeric {
                    need_number(diags);
                    return None;
                }
                call(AggKind::PercentileCont(p), x.cast_to(SqlType::Double), SqlType::Double)
            } else {
                call(AggKind::PercentileDisc(p), x, t)
            }
        }
        "CORR" | "COVAR_POP" | "COVAR_SAMP" | "REGR_SLOPE" | "REGR_INTERCEPT" | "REGR_R2" if numeric => {
            let code = match name.as_str() {
                "COVAR_SAMP" => 4,
                "COVAR_POP" => 5,
                "CORR" => 6,
                "REGR_SLOPE" => 7,
                "REGR_INTERCEPT" => 8,
                _ => 9,
            };
            let x2 = Binder { scope: input, diags }.typed_arg(args[1], SqlType::Double, &name)?;
            Some(AggCall {
                kind: AggKind::CoMoments(code),
                arg: Some(x.cast_to(SqlType::Double)),
                arg2: Some(x2),
                ty: SqlType::Double,
            })
        }
        _ => {
            need_number(diags);
            None
        }
    };
    if distinct && result.as_ref().is_some_and(|c| c.kind != AggKind::CountDistinct) {
        diags.push(Diagnostic::error("E0901", span, format!("{name}(DISTINCT …) is not supported yet")));
        return None;
    }
    result
}

fn constant_error(diags: &mut Diagnostics, name: &str, what: &str, span: Span) -> Option<AggCall> {
    diags.push(Diagnostic::error("E0406", span, format!("{name}'s second argument must be {what}")));
    None
}

fn aggregates_inside(e: &Expr) -> bool {
    let mut e = e.clone();
    let mut found = false;
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::Function(f) = x
            && is_aggregate(&f.name.to_string())
        {
            found = true;
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// Rewrites and binds the GROUP BY keys, the aggregate calls in `exprs` (select items, in order)
/// and HAVING. Returns the plan and the rewritten select expressions (to bind over the output
/// scope that [`output_scope`] builds).
pub fn plan(
    select: &Select,
    exprs: &[Expr],
    input: &Scope,
    emit: Option<EmitMode>,
    window: Option<WindowPlan>,
    diags: &mut Diagnostics,
) -> Option<(AggregatePlan, Vec<Expr>, Scope)> {
    let group: Vec<Expr> = match &select.group_by {
        GroupByExpr::Expressions(e, _) => e.clone(),
        GroupByExpr::All(_) => Vec::new(),
    };
    // The window is an implicit key: `GROUP BY _window_start, sym` groups by `sym` per window.
    let windowed = window.is_some();
    let group: Vec<Expr> = group.into_iter().filter(|g| !(windowed && window_bound(g).is_some())).collect();
    let mut keys = Vec::new();
    for g in &group {
        let k = Binder { scope: input, diags }.bind(g)?;
        if k.ty() == SqlType::Double {
            diags.push(
                Diagnostic::error("E0901", Span::from_sql(g.span()), "GROUP BY a DOUBLE is not supported yet")
                    .with_help("CAST it to DECIMAL or BIGINT"),
            );
            return None;
        }
        keys.push(k);
    }
    let key_texts: Vec<String> = group.iter().map(Expr::to_string).collect();
    let mut calls: Vec<(String, AggCall)> = Vec::new();
    let mut rewritten: Vec<Expr> = exprs.to_vec();
    let mut having = select.having.clone();
    let mut rw = Rewriter { keys: &key_texts, windowed, input, calls: &mut calls, diags, failed: false };
    let _ = rewritten.visit(&mut rw);
    let _ = having.visit(&mut rw);
    if rw.failed {
        return None;
    }
    let mut scope = Scope { qualifiers: input.qualifiers.clone(), ..Scope::default() };
    for (i, k) in keys.iter().enumerate() {
        scope.locals.push((format!("__k{i}"), format!("k{i}"), k.ty()));
    }
    for (j, (_, c)) in calls.iter().enumerate() {
        scope.locals.push((format!("__a{j}"), format!("a{j}"), c.ty));
    }
    if windowed {
        scope.locals.push((WINDOW_START_LOCAL.into(), "window_start".into(), SqlType::Timestamp));
        scope.locals.push((WINDOW_END_LOCAL.into(), "window_end".into(), SqlType::Timestamp));
    }
    scope.ungrouped = input.columns.iter().map(|c| c.name.clone()).collect();
    let having = match &having {
        Some(h) => Some(Binder { scope: &scope, diags }.bind_condition(h, "HAVING")?),
        None => None,
    };
    let plan = AggregatePlan {
        keys,
        calls: calls.into_iter().map(|(_, c)| c).collect(),
        having,
        // Windows emit once per window by default; plain GROUP BY a running row per record.
        emit: emit.unwrap_or(if windowed { EmitMode::Final } else { EmitMode::Changes }),
        window,
    };
    Some((plan, rewritten, scope))
}
