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

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// One aggregate call of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    /// Which function.
    pub kind: AggKind,
    /// Its argument over the input row (None for COUNT(*)), already cast to the accumulator's
    /// input type.
    pub arg: Option<TExpr>,
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
}

/// Whether a function name is an aggregate Velo computes.
pub fn is_aggregate(name: &str) -> bool {
    matches!(name.to_ascii_uppercase().as_str(), "COUNT" | "COUNT_DISTINCT" | "SUM" | "AVG" | "MIN" | "MAX")
}

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

/// Rewrites key expressions and aggregate calls inside one expression.
struct Rewriter<'a, 'b> {
    keys: &'a [String],
    input: &'a Scope,
    calls: &'a mut Vec<(String, AggCall)>,
    diags: &'b mut Diagnostics,
    failed: bool,
}

impl VisitorMut for Rewriter<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        let text = e.to_string();
        if let Some(i) = self.keys.iter().position(|k| *k == text) {
            *e = Expr::Identifier(Ident::new(format!("__k{i}")));
            return ControlFlow::Continue(());
        }
        if let Expr::Function(f) = e
            && f.over.is_none()
            && is_aggregate(&f.name.to_string())
        {
            let j = match self.calls.iter().position(|(t, _)| *t == text) {
                Some(j) => j,
                None => match self.bind_call(e) {
                    Some(call) => {
                        self.calls.push((text, call));
                        self.calls.len() - 1
                    }
                    None => {
                        self.failed = true;
                        return ControlFlow::Continue(());
                    }
                },
            };
            *e = Expr::Identifier(Ident::new(format!("__a{j}")));
        }
        ControlFlow::Continue(())
    }
}

impl Rewriter<'_, '_> {
    fn bind_call(&mut self, e: &Expr) -> Option<AggCall> {
        let Expr::Function(f) = e else { return None };
        let name = f.name.to_string().to_ascii_uppercase();
        let span = Span::from_sql(e.span());
        let FunctionArguments::List(list) = &f.args else {
            self.diags.push(Diagnostic::error("E0205", span, format!("{name} needs an argument")));
            return None;
        };
        let distinct = matches!(list.duplicate_treatment, Some(sqlparser::ast::DuplicateTreatment::Distinct));
        let star = matches!(list.args.as_slice(), [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]);
        let arg = match list.args.as_slice() {
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(a))] => Some(a),
            _ if star && name == "COUNT" && !distinct => None,
            _ => {
                self.diags.push(Diagnostic::error("E0205", span, format!("{name} takes exactly one argument")));
                return None;
            }
        };
        let Some(arg) = arg else {
            return Some(AggCall { kind: AggKind::CountStar, arg: None, ty: SqlType::BigInt });
        };
        if aggregates_inside(arg) {
            self.diags.push(Diagnostic::error("E0213", span, "aggregate calls cannot be nested"));
            return None;
        }
        let x = Binder { scope: self.input, diags: self.diags }.bind(arg)?;
        let t = x.ty();
        let numeric = |diags: &mut Diagnostics| {
            if t.is_numeric() || t == SqlType::Null {
                true
            } else {
                diags.push(Diagnostic::error("E0402", span.clone(), format!("{name} needs a number, found {t}")));
                false
            }
        };
        let (kind, arg, ty) = match name.as_str() {
            "COUNT" if distinct => (AggKind::CountDistinct, x, SqlType::BigInt),
            "COUNT_DISTINCT" => (AggKind::CountDistinct, x, SqlType::BigInt),
            "COUNT" => (AggKind::Count, x, SqlType::BigInt),
            "MIN" | "MAX" => {
                let kind = if name == "MIN" { AggKind::Min } else { AggKind::Max };
                if t == SqlType::Boolean {
                    self.diags.push(Diagnostic::error("E0402", span, format!("{name} of a BOOLEAN is not supported")));
                    return None;
                }
                (kind, x, t)
            }
            "SUM" => {
                if !numeric(self.diags) {
                    return None;
                }
                let ty = match t {
                    SqlType::Decimal(_, s) => SqlType::Decimal(MAX_PRECISION, s),
                    SqlType::Null => SqlType::BigInt,
                    other => other,
                };
                (AggKind::Sum, x.cast_to(ty), ty)
            }
            "AVG" => {
                if !numeric(self.diags) {
                    return None;
                }
                match t {
                    SqlType::Double => (AggKind::Avg, x, SqlType::Double),
                    _ => {
                        let (p, s) = t.as_decimal().unwrap_or((19, 0));
                        (AggKind::Avg, x.cast_to(SqlType::Decimal(p, s)), SqlType::Decimal(MAX_PRECISION, s.max(6)))
                    }
                }
            }
            _ => return None,
        };
        if distinct && kind != AggKind::CountDistinct {
            self.diags.push(Diagnostic::error("E0901", span, format!("{name}(DISTINCT …) is not supported yet")));
            return None;
        }
        Some(AggCall { kind, arg: Some(arg), ty })
    }
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
    diags: &mut Diagnostics,
) -> Option<(AggregatePlan, Vec<Expr>, Scope)> {
    let group: &[Expr] = match &select.group_by {
        GroupByExpr::Expressions(e, _) => e,
        GroupByExpr::All(_) => &[],
    };
    let mut keys = Vec::new();
    for g in group {
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
    let mut rw = Rewriter { keys: &key_texts, input, calls: &mut calls, diags, failed: false };
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
    scope.ungrouped = input.columns.iter().map(|c| c.name.clone()).collect();
    let having = match &having {
        Some(h) => Some(Binder { scope: &scope, diags }.bind_condition(h, "HAVING")?),
        None => None,
    };
    let plan = AggregatePlan {
        keys,
        calls: calls.into_iter().map(|(_, c)| c).collect(),
        having,
        emit: emit.unwrap_or(EmitMode::Changes),
    };
    Some((plan, rewritten, scope))
}
