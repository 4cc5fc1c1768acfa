//! GROUP BY on typed expressions. The select list and HAVING of an aggregating statement are
//! bound with each aggregate call read as a local `a<j>` (see `bind::Calls`); here every
//! subexpression equal to a GROUP BY key becomes that key's local `k<i>`, and whatever still
//! reads the input row — a column outside GROUP BY and the aggregates — is an error at that
//! column. Keys match by meaning, not spelling: `GROUP BY Sym` groups `sym`.

use sqlparser::ast::{Expr, GroupByExpr, Select, Spanned};

use crate::bind::{Binder, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::ir::expr::TExpr;
use crate::ir::types::SqlType;
use crate::ir::window::{WINDOW_END_FUNCTIONS, WINDOW_END_NAMES, WINDOW_START_FUNCTIONS, WINDOW_START_NAMES};

/// Binds the GROUP BY keys over `input`. In a windowed statement the window is an implicit key:
/// `GROUP BY _window_start, sym` groups by `sym` per window.
pub(crate) fn keys(select: &Select, input: &Scope, windowed: bool, diags: &mut Diagnostics) -> Option<Vec<TExpr>> {
    let group: &[Expr] = match &select.group_by {
        GroupByExpr::Expressions(e, _) => e,
        GroupByExpr::All(_) => &[],
    };
    let mut keys = Vec::new();
    for g in group.iter().filter(|g| !(windowed && is_window_bound(g))) {
        let k = Binder::new(input, diags).bind(g)?;
        if k.ty() == SqlType::Double {
            diags.push(
                Diagnostic::error("E0901", Span::from_sql(g.span()), "GROUP BY a DOUBLE is not supported yet")
                    .with_help("CAST it to DECIMAL or BIGINT"),
            );
            return None;
        }
        keys.push(k);
    }
    Some(keys)
}

/// Whether `e` names a window bound (`_window_start`, `window_end`, `TUMBLE_START(…)`, …).
fn is_window_bound(e: &Expr) -> bool {
    let is = |names: &[&str], n: &str| names.iter().any(|w| w.eq_ignore_ascii_case(n));
    match e {
        Expr::Identifier(id) => is(WINDOW_START_NAMES, &id.value) || is(WINDOW_END_NAMES, &id.value),
        Expr::Function(f) if f.over.is_none() => {
            let n = f.name.to_string();
            is(WINDOW_START_FUNCTIONS, &n) || is(WINDOW_END_FUNCTIONS, &n)
        }
        _ => false,
    }
}

/// `e` over the groups: key subexpressions read their key; a column of the input row left
/// outside the keys and aggregates is reported.
pub(crate) fn over_groups(e: TExpr, keys: &[TExpr], diags: &mut Diagnostics) -> TExpr {
    if let Some(i) = keys.iter().position(|k| *k == e) {
        return TExpr::Local { name: format!("k{i}"), ty: e.ty() };
    }
    match e {
        TExpr::Column { ref at, .. } => {
            let name = &at.text;
            diags.push(
                Diagnostic::error(
                    "E0212",
                    at.span.clone(),
                    format!("column `{name}` must appear in GROUP BY or be used in an aggregate function"),
                )
                .with_help(format!("add `{name}` to GROUP BY, or aggregate it, e.g. `MAX({name})`")),
            );
            e
        }
        TExpr::RecordTime { ref at, .. } => {
            let name = &at.text;
            diags.push(
                Diagnostic::error(
                    "E0212",
                    at.span.clone(),
                    format!("`{name}` belongs to input records, not to this row"),
                )
                .with_help(format!(
                    "aggregate it, e.g. `MAX({name})`, or select it in the statement that reads the records"
                )),
            );
            e
        }
        other => other.map_operands(|x| over_groups(x, keys, diags)),
    }
}
