//! Aggregate calls: the catalogue of aggregate functions, whether a statement aggregates, and
//! binding one call (`SUM(x)`, `COUNT(*)`, …) over the statement's input.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Select, Spanned};

use crate::bind::{Binder, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::ir::aggregate::{AggCall, AggKind};
use crate::ir::expr::TExpr;
use crate::ir::types::{MAX_PRECISION, SqlType};

/// Whether a function name is an aggregate Velo computes.
pub(crate) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name.to_ascii_uppercase().as_str())
}

/// Every aggregate function name Velo computes.
pub(crate) const AGGREGATES: &[&str] = &[
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
pub(crate) fn aggregates(select: &Select) -> bool {
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

/// Binds one aggregate call (`SUM(x)`, `COUNT(*)`, …) over `input`: its kind, argument and type.
pub(crate) fn bind_aggregate(e: &Expr, input: &Scope, diags: &mut Diagnostics) -> Option<AggCall> {
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
    let x = Binder::new(input, diags).bind(args[0])?;
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
            let x2 = Binder::new(input, diags).typed_arg(args[1], SqlType::Double, &name)?;
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
