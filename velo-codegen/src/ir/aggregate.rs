//! Aggregate calls and the GROUP BY part of a statement.

use crate::ir::expr::TExpr;
use crate::ir::types::SqlType;
use crate::ir::window::WindowPlan;
use crate::syntax::EmitMode;

/// An aggregate function.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AggKind {
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
pub(crate) struct AggCall {
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
pub(crate) struct AggregatePlan {
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
