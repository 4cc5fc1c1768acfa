//! Binding window functions over rows: `f(…) OVER (PARTITION BY … ORDER BY … [ROWS frame])`,
//! with `WINDOW w AS (…)` definitions. Each call becomes an [`OverCall`] with its own
//! per-partition state (`velo_rt::over`), read by the select list as a local `w<i>`.
//!
//! Streaming semantics: rows arrive in event-time order, so a call ordered by time is computed
//! when its row arrives, over the rows before it in its partition (frames: `n PRECEDING`,
//! `UNBOUNDED PRECEDING`, `RANGE INTERVAL … PRECEDING`). Calls that need later rows — LEAD,
//! frames with `m FOLLOWING` — hold the row until those rows arrive; ranking functions over
//! another order rank the whole partition at the end of the input. Velostream's
//! `ROWS WINDOW BUFFER n ROWS` has been rewritten to `ROWS BETWEEN n-1 PRECEDING AND CURRENT ROW`
//! by the parser.

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, NamedWindowDefinition, NamedWindowExpr, OrderBySort,
    Spanned, Value, WindowFrameBound, WindowFrameUnits, WindowSpec, WindowType,
};

use crate::bind::aggregate::{bind_aggregate, is_aggregate};
use crate::bind::{Binder, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::ir::expr::TExpr;
use crate::ir::over::{Frame, OrderKey, OverCall, OverFunc};
use crate::ir::types::SqlType;

fn span_of(e: &impl Spanned) -> Span {
    Span::from_sql(e.span())
}

/// Binds the OVER calls of one statement.
pub(crate) struct OverBinder<'a, 'b> {
    /// What call arguments, PARTITION BY and ORDER BY read: the statement's input.
    pub(crate) input: &'a Scope,
    /// `WINDOW w AS (…)` definitions of the statement.
    pub(crate) named: &'a [NamedWindowDefinition],
    pub(crate) diags: &'b mut Diagnostics,
}

impl OverBinder<'_, '_> {
    fn error<T>(&mut self, code: &'static str, span: Span, msg: impl Into<String>) -> Option<T> {
        self.diags.push(Diagnostic::error(code, span, msg));
        None
    }

    /// The definition of the named window `name` (`WINDOW name AS (…)` or `AS other`).
    fn named_spec(&mut self, name: &Ident, span: &Span, depth: usize) -> Option<WindowSpec> {
        let found = self.named.iter().find(|d| d.0.value.eq_ignore_ascii_case(&name.value));
        match found.map(|d| d.1.clone()) {
            Some(NamedWindowExpr::WindowSpec(spec)) if depth < self.named.len() => {
                self.resolve_at(spec, span, depth + 1)
            }
            Some(NamedWindowExpr::NamedWindow(other)) if depth < self.named.len() => {
                self.named_spec(&other, span, depth + 1)
            }
            Some(_) => {
                self.error("E0221", span.clone(), format!("window `{}` is defined in terms of itself", name.value))
            }
            None => {
                let mut d =
                    Diagnostic::error("E0201", Span::from_sql(name.span), format!("unknown window `{}`", name.value));
                let names = self.named.iter().map(|d| d.0.value.as_str());
                d = match did_you_mean(&name.value, names) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!(
                        "define it after FROM: WINDOW {} AS (PARTITION BY … ORDER BY …)",
                        name.value
                    )),
                };
                self.diags.push(d);
                None
            }
        }
    }

    /// `OVER (w …)`: the named window `w` refined by the clause — it may add an ORDER BY or a
    /// frame to `w`, not replace those `w` has (as in standard SQL).
    fn resolve(&mut self, spec: WindowSpec, span: &Span) -> Option<WindowSpec> {
        self.resolve_at(spec, span, 0)
    }

    fn resolve_at(&mut self, mut spec: WindowSpec, span: &Span, depth: usize) -> Option<WindowSpec> {
        let Some(name) = spec.window_name.take() else { return Some(spec) };
        let base = self.named_spec(&name, span, depth)?;
        let clash = |what: &str| format!("OVER ({} …) cannot set {what}: window `{}` has one", name.value, name.value);
        if !spec.partition_by.is_empty() {
            return self.error("E0221", span.clone(), clash("a PARTITION BY"));
        }
        if !spec.order_by.is_empty() && !base.order_by.is_empty() {
            return self.error("E0221", span.clone(), clash("an ORDER BY"));
        }
        if spec.window_frame.is_some() && base.window_frame.is_some() {
            return self.error("E0221", span.clone(), clash("a frame"));
        }
        Some(WindowSpec {
            window_name: None,
            partition_by: base.partition_by,
            order_by: if spec.order_by.is_empty() { base.order_by } else { spec.order_by },
            window_frame: spec.window_frame.or(base.window_frame),
        })
    }

    /// Binds one `f(…) OVER (…)` call.
    pub(crate) fn bind(&mut self, e: &Expr) -> Option<OverCall> {
        let Expr::Function(f) = e else { return None };
        let name = f.name.to_string().to_ascii_uppercase();
        let span = span_of(e);
        let spec = match &f.over {
            Some(WindowType::WindowSpec(spec)) => self.resolve(spec.clone(), &span)?,
            Some(WindowType::NamedWindow(name)) => self.named_spec(name, &span, 0)?,
            None => return None,
        };
        let whole = spec.window_frame.as_ref().is_some_and(|f| {
            f.start_bound == WindowFrameBound::Preceding(None) && f.end_bound == Some(WindowFrameBound::Following(None))
        });
        let following = match spec.window_frame.as_ref().and_then(|f| f.end_bound.as_ref()) {
            _ if whole => 0,
            None | Some(WindowFrameBound::CurrentRow) => 0,
            Some(WindowFrameBound::Following(Some(n)))
                if spec.window_frame.as_ref().is_some_and(|f| f.units == WindowFrameUnits::Rows) =>
            {
                match constant(n) {
                    Some(n) => n,
                    None => return self.error("E0221", span_of(&**n), "a frame bound must be a whole-number constant"),
                }
            }
            Some(_) => {
                return self.error(
                    "E0901",
                    span,
                    "frames must end at the current row or `n FOLLOWING` (ROWS), or be the whole partition (UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING); other UNBOUNDED FOLLOWING and RANGE … FOLLOWING frames are not supported yet",
                );
            }
        };
        let frame = match &spec.window_frame {
            None => Frame::Unbounded,
            Some(_) if whole => Frame::Partition,
            Some(frame) => match (&frame.units, &frame.start_bound) {
                (_, WindowFrameBound::Preceding(None)) => Frame::Unbounded,
                (WindowFrameUnits::Rows, WindowFrameBound::CurrentRow) => Frame::Rows(0),
                (WindowFrameUnits::Rows, WindowFrameBound::Preceding(Some(n))) => match constant(n) {
                    Some(n) => Frame::Rows(n),
                    None => {
                        return self.error("E0221", span_of(&**n), "a frame bound must be a whole-number constant");
                    }
                },
                (WindowFrameUnits::Range, WindowFrameBound::Preceding(Some(iv))) => match &**iv {
                    Expr::Interval(i) => match crate::bind::temporal::interval(i) {
                        Some((0, ms)) if ms >= 0 => Frame::Range(ms),
                        _ => {
                            return self.error(
                                "E0221",
                                span_of(&**iv),
                                "a RANGE frame needs a fixed interval (milliseconds to weeks)",
                            );
                        }
                    },
                    _ => {
                        return self.error(
                            "E0221",
                            span_of(&**iv),
                            "a RANGE frame bound must be an INTERVAL, e.g. RANGE INTERVAL '1' HOUR PRECEDING",
                        );
                    }
                },
                _ => {
                    return self.error(
                            "E0901",
                            span,
                            "frames start at `n PRECEDING`, `UNBOUNDED PRECEDING`, `CURRENT ROW` or `INTERVAL … PRECEDING` (RANGE)",
                        );
                }
            },
        };
        let mut binder = Binder::new(self.input, self.diags);
        let partition: Vec<TExpr> = spec.partition_by.iter().map(|p| binder.bind(p)).collect::<Option<_>>()?;
        let order: Vec<OrderKey> = spec
            .order_by
            .iter()
            .map(|o| {
                let descending = matches!(o.options.sort, Some(OrderBySort::Desc));
                Some(OrderKey {
                    expr: binder.bind(&o.expr)?,
                    descending,
                    nulls_first: o.options.nulls_first == Some(true),
                })
            })
            .collect::<Option<_>>()?;
        let args: Vec<&Expr> = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(list) => list
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect(),
            FunctionArguments::Subquery(_) => return self.error("E0901", span, "subqueries are not supported yet"),
        };
        let arity = |lo: usize, hi: usize, this: &mut Self| {
            if (lo..=hi).contains(&args.len()) {
                Some(())
            } else {
                this.diags.push(Diagnostic::error(
                    "E0205",
                    span.clone(),
                    format!(
                        "{name} takes {lo}{} argument(s), found {}",
                        if hi > lo { format!(" to {hi}") } else { String::new() },
                        args.len()
                    ),
                ));
                None
            }
        };
        let func = match name.as_str() {
            "LAG" | "LEAD" => {
                arity(1, 3, self)?;
                let value = Binder::new(self.input, self.diags).bind(args[0])?;
                let offset = match args.get(1) {
                    None => 1,
                    Some(a) => match constant(a) {
                        Some(n) => n,
                        None => {
                            return self.error("E0221", span_of(*a), "LAG's offset must be a whole-number constant");
                        }
                    },
                };
                let default = match args.get(2) {
                    None => None,
                    Some(d) => Some(Binder::new(self.input, self.diags).bind(d)?.cast_to(value.ty())),
                };
                if name == "LEAD" {
                    OverFunc::Lead { value, offset, default }
                } else {
                    OverFunc::Lag { value, offset, default }
                }
            }
            "ROW_NUMBER" | "RANK" | "DENSE_RANK" => {
                arity(0, 0, self)?;
                match name.as_str() {
                    "ROW_NUMBER" => OverFunc::RowNumber,
                    "RANK" => OverFunc::Rank,
                    _ => OverFunc::DenseRank,
                }
            }
            "FIRST_VALUE" | "LAST_VALUE" | "NTH_VALUE" => {
                let n_args = if name == "NTH_VALUE" { 2 } else { 1 };
                arity(n_args, n_args, self)?;
                let value = Binder::new(self.input, self.diags).bind(args[0])?;
                match name.as_str() {
                    "FIRST_VALUE" => OverFunc::Nth { value, n: 1 },
                    "LAST_VALUE" => OverFunc::Last(value),
                    _ => match constant(args[1]).filter(|n| *n >= 1) {
                        Some(n) => OverFunc::Nth { value, n },
                        None => return self.error("E0221", span_of(args[1]), "NTH_VALUE's n must be a constant ≥ 1"),
                    },
                }
            }
            "PERCENT_RANK" | "CUME_DIST" => {
                arity(0, 0, self)?;
                if name == "CUME_DIST" { OverFunc::CumeDist } else { OverFunc::PercentRank }
            }
            "NTILE" => {
                arity(1, 1, self)?;
                match constant(args[0]).filter(|n| *n >= 1) {
                    Some(n) => OverFunc::Ntile(n),
                    None => {
                        return self.error("E0221", span_of(args[0]), "NTILE's bucket count must be a constant ≥ 1");
                    }
                }
            }
            _ if is_aggregate(&name) => {
                let plain = strip_over(e);
                OverFunc::Aggregate(bind_aggregate(&plain, self.input, self.diags)?)
            }
            _ => return self.error("E0202", span, format!("{name} is not a window function")),
        };
        let ty = match &func {
            OverFunc::Lag { value, .. }
            | OverFunc::Lead { value, .. }
            | OverFunc::Nth { value, .. }
            | OverFunc::Last(value) => value.ty(),
            OverFunc::RowNumber | OverFunc::Rank | OverFunc::DenseRank | OverFunc::Ntile(_) => SqlType::BigInt,
            OverFunc::PercentRank | OverFunc::CumeDist => SqlType::Double,
            OverFunc::Aggregate(c) => c.ty,
        };
        if let Frame::Range(_) = frame {
            let timed = matches!(order.as_slice(), [o] if !o.descending && matches!(o.expr.ty(), SqlType::Timestamp | SqlType::BigInt));
            if !timed || !matches!(func, OverFunc::Aggregate(_) | OverFunc::Nth { .. } | OverFunc::Last(_)) {
                return self.error(
                    "E0221",
                    span,
                    "a RANGE frame needs one TIMESTAMP (or BIGINT milliseconds) ORDER BY, and an aggregate, FIRST_VALUE, NTH_VALUE or LAST_VALUE",
                );
            }
        }
        if (following > 0 || frame == Frame::Partition) && !matches!(func, OverFunc::Aggregate(_)) {
            return self.error("E0901", span, format!("{name} over a frame with FOLLOWING rows is not supported yet"));
        }
        let call = OverCall { func, partition, order, frame, following, ty };
        // Rankings and whole-partition aggregates do not depend on the arrival order.
        let batch = call.frame == Frame::Partition
            || matches!(
                call.func,
                OverFunc::RowNumber
                    | OverFunc::Rank
                    | OverFunc::DenseRank
                    | OverFunc::PercentRank
                    | OverFunc::CumeDist
                    | OverFunc::Ntile(_)
            );
        if !batch && !call.in_arrival_order() {
            let first = &call.order[0];
            let d = Diagnostic::error(
                "E0222",
                span,
                format!("rows arrive in event-time order, not in the order of `{first}`, so {name} cannot be computed as they arrive"),
            )
            .with_help("order by the event time (a TIMESTAMP, DATE or BIGINT epoch column, ascending); ROW_NUMBER, RANK and the other ranking functions accept any ORDER BY");
            self.diags.push(d);
            return None;
        }
        Some(call)
    }
}

/// A whole-number literal.
fn constant(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// The call without its OVER clause, for aggregate binding.
fn strip_over(e: &Expr) -> Expr {
    let mut e = e.clone();
    if let Expr::Function(f) = &mut e {
        f.over = None;
    }
    e
}
