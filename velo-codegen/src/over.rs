//! Window functions over rows: `f(…) OVER (PARTITION BY … ORDER BY … [ROWS frame])`. Each call
//! in the select list becomes a slot `w<i>` with its own per-partition state (`velo_rt::over`);
//! the select items are then bound with those slots as locals, like aggregates.
//!
//! Streaming semantics: rows arrive in event-time order, so a call ordered by time is computed
//! when its row arrives, over the rows before it in its partition (frames: `n PRECEDING`,
//! `UNBOUNDED PRECEDING`, `RANGE INTERVAL … PRECEDING`). Calls that need later rows — LEAD,
//! frames with `m FOLLOWING` — hold the row until those rows arrive; ranking functions over
//! another order rank the whole partition at the end of the input. Velostream's
//! `ROWS WINDOW BUFFER n ROWS` has been rewritten to `ROWS BETWEEN n-1 PRECEDING AND CURRENT ROW`
//! by the parser.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, NamedWindowDefinition, NamedWindowExpr, OrderBySort,
    Spanned, Value, VisitMut, VisitorMut, WindowFrameBound, WindowFrameUnits, WindowSpec, WindowType,
};

use crate::aggregate::{AggCall, bind_aggregate, is_aggregate, slot};
use crate::bind::{Binder, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::expr::TExpr;
use crate::types::SqlType;

/// What one OVER call computes.
#[derive(Debug, Clone, PartialEq)]
pub enum OverFunc {
    /// `LAG(x [, offset [, default]])`.
    Lag {
        /// The value.
        value: TExpr,
        /// Rows back.
        offset: usize,
        /// When there is no such row.
        default: Option<TExpr>,
    },
    /// `LEAD(x [, offset [, default]])`: the row waits until the row `offset` later in its
    /// partition arrives (or the input ends).
    Lead {
        /// The value.
        value: TExpr,
        /// Rows ahead.
        offset: usize,
        /// When there is no such row.
        default: Option<TExpr>,
    },
    /// `PERCENT_RANK()`, `CUME_DIST()`: need the whole partition, so rows wait for the end of
    /// the input.
    PercentRank,
    /// See [`OverFunc::PercentRank`].
    CumeDist,
    /// `NTILE(buckets)`, also at the end of the input.
    Ntile(usize),
    /// `ROW_NUMBER()`.
    RowNumber,
    /// `RANK()`.
    Rank,
    /// `DENSE_RANK()`.
    DenseRank,
    /// `FIRST_VALUE(x)` (n = 1) and `NTH_VALUE(x, n)`: the n-th row of the frame.
    Nth {
        /// The value.
        value: TExpr,
        /// 1-based row of the frame.
        n: usize,
    },
    /// `LAST_VALUE(x)`: frames end at the current row, so the current value.
    Last(TExpr),
    /// An aggregate over the frame.
    Aggregate(AggCall),
}

/// Where a frame starts (it ends at the current row, or [`OverCall::following`] rows later),
/// or the whole partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// `UNBOUNDED PRECEDING` (the default).
    Unbounded,
    /// `ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING`: every row of the partition.
    Partition,
    /// `ROWS n PRECEDING`.
    Rows(usize),
    /// `RANGE INTERVAL … PRECEDING`: milliseconds before the current row's ORDER BY time.
    Range(i64),
}

/// One ORDER BY key of an OVER clause.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    /// The value ordered by.
    pub expr: TExpr,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` (the default is NULLS LAST in both directions, as in DuckDB).
    pub nulls_first: bool,
}

impl std::fmt::Display for OrderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.expr)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        if self.nulls_first {
            f.write_str(" NULLS FIRST")?;
        }
        Ok(())
    }
}

/// One `f(…) OVER (…)` call of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct OverCall {
    /// The function.
    pub func: OverFunc,
    /// PARTITION BY expressions.
    pub partition: Vec<TExpr>,
    /// ORDER BY keys.
    pub order: Vec<OrderKey>,
    /// Where the frame starts.
    pub frame: Frame,
    /// `n FOLLOWING` rows at the end of the frame (0: it ends at the current row); the row waits
    /// for them.
    pub following: usize,
    /// Result type.
    pub ty: SqlType,
}

/// The select expressions with OVER calls replaced by `__w<i>`, the calls, and the scope to bind
/// the rewritten expressions in; `None` after an error. Statements without OVER get back their
/// expressions unchanged and no calls.
pub fn plan(
    exprs: &[Expr],
    named: &[NamedWindowDefinition],
    input: &Scope,
    diags: &mut Diagnostics,
) -> Option<(Vec<Expr>, Vec<OverCall>, Scope)> {
    let mut rw = Rewriter { input, named, diags, calls: Vec::new(), failed: false };
    let mut rewritten = exprs.to_vec();
    let _ = rewritten.visit(&mut rw);
    if rw.failed {
        return None;
    }
    let calls: Vec<OverCall> = rw.calls.into_iter().map(|(_, c)| c).collect();
    let mut scope = input.clone();
    for (i, c) in calls.iter().enumerate() {
        scope.locals.push((format!("__w{i}"), format!("w{i}"), c.ty));
    }
    Some((rewritten, calls, scope))
}

struct Rewriter<'a, 'b> {
    input: &'a Scope,
    /// `WINDOW w AS (…)` definitions of the statement.
    named: &'a [NamedWindowDefinition],
    diags: &'b mut Diagnostics,
    /// (call text, call): identical calls share a slot.
    calls: Vec<(String, OverCall)>,
    failed: bool,
}

impl VisitorMut for Rewriter<'_, '_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        let Expr::Function(f) = e else { return ControlFlow::Continue(()) };
        if f.over.is_none() {
            return ControlFlow::Continue(());
        }
        let text = e.to_string();
        let mut calls = std::mem::take(&mut self.calls);
        let i = slot(&mut calls, text, || self.bind(e));
        self.calls = calls;
        let Some(i) = i else {
            self.failed = true;
            return ControlFlow::Continue(());
        };
        *e = Expr::Identifier(Ident::new(format!("__w{i}")));
        ControlFlow::Continue(())
    }
}

fn span_of(e: &impl Spanned) -> Span {
    Span::from_sql(e.span())
}

impl Rewriter<'_, '_> {
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

    fn bind(&mut self, e: &Expr) -> Option<OverCall> {
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
                    Expr::Interval(i) => match crate::temporal::interval(i) {
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
        let mut binder = Binder { scope: self.input, diags: self.diags };
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
                let value = Binder { scope: self.input, diags: self.diags }.bind(args[0])?;
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
                    Some(d) => Some(Binder { scope: self.input, diags: self.diags }.bind(d)?.cast_to(value.ty())),
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
                let value = Binder { scope: self.input, diags: self.diags }.bind(args[0])?;
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

impl OverCall {
    /// Whether rows arrive in this call's ORDER BY order, so it is computed when its row arrives:
    /// no ORDER BY, or one led by an ascending time (TIMESTAMP, DATE or BIGINT epoch) key — a
    /// stream arrives in event-time order.
    pub fn in_arrival_order(&self) -> bool {
        self.order.first().is_none_or(|k| {
            !k.descending && matches!(k.expr.ty(), SqlType::Timestamp | SqlType::Date | SqlType::BigInt)
        })
    }

    /// Whether the value needs the whole partition (known at the end of the input):
    /// PERCENT_RANK, CUME_DIST, NTILE, and ROW_NUMBER/RANK/DENSE_RANK over an order rows do not
    /// arrive in.
    pub fn needs_whole_partition(&self) -> bool {
        match self.func {
            OverFunc::PercentRank | OverFunc::CumeDist | OverFunc::Ntile(_) => true,
            OverFunc::RowNumber | OverFunc::Rank | OverFunc::DenseRank => !self.in_arrival_order(),
            OverFunc::Aggregate(_) => self.frame == Frame::Partition,
            _ => false,
        }
    }

    /// How many later rows of its partition the row waits for: LEAD's offset, or the FOLLOWING
    /// rows of an aggregate's frame.
    pub fn waits_for(&self) -> Option<usize> {
        match self.func {
            OverFunc::Lead { offset, .. } => Some(offset),
            _ if self.following > 0 => Some(self.following),
            _ => None,
        }
    }

    /// Whether the row must wait for later rows: LEAD, FOLLOWING frames, and the
    /// whole-partition calls.
    pub fn is_deferred(&self) -> bool {
        self.waits_for().is_some() || self.needs_whole_partition()
    }
}

impl std::fmt::Display for OverCall {
    /// `LAG(price, 1) OVER (PARTITION BY symbol ORDER BY ts ROWS 9 PRECEDING)`, for `velo explain`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.func {
            OverFunc::Lag { value, offset, default } => {
                let d = default.as_ref().map(|d| format!(", {d}")).unwrap_or_default();
                write!(f, "LAG({value}, {offset}{d})")?;
            }
            OverFunc::Lead { value, offset, default } => {
                let d = default.as_ref().map(|d| format!(", {d}")).unwrap_or_default();
                write!(f, "LEAD({value}, {offset}{d})")?;
            }
            OverFunc::PercentRank => f.write_str("PERCENT_RANK()")?,
            OverFunc::CumeDist => f.write_str("CUME_DIST()")?,
            OverFunc::Ntile(n) => write!(f, "NTILE({n})")?,
            OverFunc::RowNumber => f.write_str("ROW_NUMBER()")?,
            OverFunc::Rank => f.write_str("RANK()")?,
            OverFunc::DenseRank => f.write_str("DENSE_RANK()")?,
            OverFunc::Nth { value, n } => write!(f, "NTH_VALUE({value}, {n})")?,
            OverFunc::Last(value) => write!(f, "LAST_VALUE({value})")?,
            OverFunc::Aggregate(a) => write!(f, "{a}")?,
        }
        fn list<T: std::fmt::Display>(v: &[T]) -> String {
            v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        }
        let mut parts = Vec::new();
        if !self.partition.is_empty() {
            parts.push(format!("PARTITION BY {}", list(&self.partition)));
        }
        if !self.order.is_empty() {
            parts.push(format!("ORDER BY {}", list(&self.order)));
        }
        parts.push(match (self.frame, self.following) {
            (Frame::Partition, _) => "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING".to_string(),
            (Frame::Unbounded, 0) => "ROWS UNBOUNDED PRECEDING".to_string(),
            (Frame::Rows(n), 0) => format!("ROWS {n} PRECEDING"),
            (Frame::Range(ms), _) => format!("RANGE {ms} ms PRECEDING"),
            (Frame::Unbounded, f) => format!("ROWS BETWEEN UNBOUNDED PRECEDING AND {f} FOLLOWING"),
            (Frame::Rows(0), f) => format!("ROWS BETWEEN CURRENT ROW AND {f} FOLLOWING"),
            (Frame::Rows(n), f) => format!("ROWS BETWEEN {n} PRECEDING AND {f} FOLLOWING"),
        });
        write!(f, " OVER ({})", parts.join(" "))
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
