//! Window functions over rows: one `f(…) OVER (…)` call, its partition, order and frame.

use crate::ir::aggregate::AggCall;
use crate::ir::expr::TExpr;
use crate::ir::types::SqlType;

/// What one OVER call computes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OverFunc {
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
pub(crate) enum Frame {
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
pub(crate) struct OrderKey {
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
pub(crate) struct OverCall {
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

impl OverCall {
    /// Whether rows arrive in this call's ORDER BY order, so it is computed when its row arrives:
    /// no ORDER BY, or one led by an ascending time (TIMESTAMP, DATE or BIGINT epoch) key — a
    /// stream arrives in event-time order.
    pub(crate) fn in_arrival_order(&self) -> bool {
        self.order.first().is_none_or(|k| {
            !k.descending && matches!(k.expr.ty(), SqlType::Timestamp | SqlType::Date | SqlType::BigInt)
        })
    }

    /// Whether the value needs the whole partition (known at the end of the input):
    /// PERCENT_RANK, CUME_DIST, NTILE, and ROW_NUMBER/RANK/DENSE_RANK over an order rows do not
    /// arrive in.
    pub(crate) fn needs_whole_partition(&self) -> bool {
        match self.func {
            OverFunc::PercentRank | OverFunc::CumeDist | OverFunc::Ntile(_) => true,
            OverFunc::RowNumber | OverFunc::Rank | OverFunc::DenseRank => !self.in_arrival_order(),
            OverFunc::Aggregate(_) => self.frame == Frame::Partition,
            _ => false,
        }
    }

    /// How many later rows of its partition the row waits for: LEAD's offset, or the FOLLOWING
    /// rows of an aggregate's frame.
    pub(crate) fn waits_for(&self) -> Option<usize> {
        match self.func {
            OverFunc::Lead { offset, .. } => Some(offset),
            _ if self.following > 0 => Some(self.following),
            _ => None,
        }
    }

    /// Whether the row must wait for later rows: LEAD, FOLLOWING frames, and the
    /// whole-partition calls.
    pub(crate) fn is_deferred(&self) -> bool {
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
