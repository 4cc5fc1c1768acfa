//! The typed expression tree the binder produces and the emitter turns into Rust, plus the type
//! rules of DIALECT.md §4 (result types of arithmetic, common types of comparisons).

use crate::diagnostics::Span;
use crate::ir::types::{MAX_PRECISION, SqlType};

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// NULL (of the expression's type).
    Null,
    /// TRUE / FALSE.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal: unscaled value (the scale is in the type).
    Decimal(i128),
    /// A double.
    Double(f64),
    /// A string.
    Str(String),
}

/// Arithmetic and string operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%` / MOD
    Mod,
    /// `||`
    Concat,
}

impl ArithOp {
    /// The operator as written in SQL.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
            ArithOp::Concat => "||",
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    /// `=`
    Eq,
    /// `<>` / `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Where an expression was written, for diagnostics about it (a column outside GROUP BY). It is
/// never part of the expression's meaning: two expressions that differ only in where they were
/// written are equal, which is how GROUP BY keys are matched.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin {
    /// Its place in the SQL text.
    pub span: Span,
    /// The name as written.
    pub text: String,
}

impl PartialEq for Origin {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A typed expression. Operands of an operator already have the operator's input type (the
/// binder inserted [`TExpr::Cast`]s), so the emitter never reasons about types.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TExpr {
    /// A constant of type `ty`.
    Literal(Literal, SqlType),
    /// A column of the input row, named `field` in its struct.
    Column { field: String, ty: SqlType, at: Origin },
    /// An earlier select item, by its local variable name.
    Local { name: String, ty: SqlType },
    /// A conversion; `precision` is checked for an explicit `CAST(… AS DECIMAL(p, s))`.
    Cast { expr: Box<TExpr>, to: SqlType, precision: Option<u32> },
    /// Unary minus.
    Neg(Box<TExpr>),
    /// NOT.
    Not(Box<TExpr>),
    /// Arithmetic or concatenation with result type `ty`.
    Arith { op: ArithOp, left: Box<TExpr>, right: Box<TExpr>, ty: SqlType },
    /// A comparison of two operands of one type.
    Compare { op: CmpOp, left: Box<TExpr>, right: Box<TExpr> },
    /// Three-valued AND.
    And(Box<TExpr>, Box<TExpr>),
    /// Three-valued OR.
    Or(Box<TExpr>, Box<TExpr>),
    /// `IS [NOT] NULL`.
    IsNull { expr: Box<TExpr>, negated: bool },
    /// `IS [NOT] DISTINCT FROM`.
    IsDistinct { left: Box<TExpr>, right: Box<TExpr>, negated: bool },
    /// `[NOT] IN (list)`.
    InList { expr: Box<TExpr>, list: Vec<TExpr>, negated: bool },
    /// `[NOT] LIKE pattern`.
    Like { expr: Box<TExpr>, pattern: Box<TExpr>, negated: bool },
    /// `CASE WHEN c THEN v … ELSE e END` (a simple CASE is rewritten to this form).
    Case { whens: Vec<(TExpr, TExpr)>, otherwise: Option<Box<TExpr>>, ty: SqlType },
    /// `COALESCE(a, b, …)`.
    Coalesce(Vec<TExpr>, SqlType),
    /// A call of a runtime function (`velo_rt::func::<name>`).
    Call { func: Func, args: Vec<TExpr>, ty: SqlType },
    /// The system columns `_event_time` (read from the event-time column) and `_timestamp` (no
    /// column: the time the record is read), as a TIMESTAMP.
    RecordTime { time: Box<crate::ir::window::EventTime>, at: Origin },
}

/// How a runtime function is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Func {
    /// `func::<name>(args…)`, returning `Option<T>`.
    Plain(&'static str),
    /// `func::<name>(args…)?`, returning `EvalResult<Option<T>>`.
    Fallible(&'static str),
    /// `func::<name>(vec![args…])`.
    Variadic(&'static str),
    /// `func::<name>(args…)` where the last argument is an optional `Option<Option<i64>>`.
    Substring { with_length: bool },
    /// `ROUND(x, d)` with a constant `d`.
    Round(i64),
    /// `NULLIF(a, b)`.
    NullIf,
    /// `func::<name>(TimeUnit::<unit>, args…)?`: EXTRACT, DATE_TRUNC, DATEDIFF.
    Unit(&'static str, &'static str),
    /// `ts + INTERVAL …`: `func::add_interval(ts, months, millis)?`.
    Interval {
        /// Calendar months (negative for `-`).
        months: i32,
        /// Milliseconds (negative for `-`).
        millis: i64,
    },
}

impl TExpr {
    /// The result type.
    pub(crate) fn ty(&self) -> SqlType {
        match self {
            TExpr::Literal(_, t) | TExpr::Column { ty: t, .. } | TExpr::Local { ty: t, .. } => *t,
            TExpr::Cast { to, .. } => *to,
            TExpr::RecordTime { .. } => SqlType::Timestamp,
            TExpr::Neg(e) => e.ty(),
            TExpr::Arith { ty, .. } | TExpr::Case { ty, .. } | TExpr::Coalesce(_, ty) | TExpr::Call { ty, .. } => *ty,
            TExpr::Not(_)
            | TExpr::Compare { .. }
            | TExpr::And(..)
            | TExpr::Or(..)
            | TExpr::IsNull { .. }
            | TExpr::IsDistinct { .. }
            | TExpr::InList { .. }
            | TExpr::Like { .. } => SqlType::Boolean,
        }
    }

    /// This expression converted to `to` (no-op when it already has that Rust type).
    pub(crate) fn cast_to(self, to: SqlType) -> TExpr {
        let from = self.ty();
        let same_rust = match (from, to) {
            (SqlType::Decimal(_, a), SqlType::Decimal(_, b)) => a == b,
            _ => from == to,
        };
        if same_rust {
            return self;
        }
        if let Some(folded) = fold_literal_cast(&self, to) {
            return folded;
        }
        TExpr::Cast { expr: Box::new(self), to, precision: None }
    }
}

impl TExpr {
    /// This expression with every direct operand replaced by `f(operand)`.
    pub(crate) fn map_operands(self, mut f: impl FnMut(TExpr) -> TExpr) -> TExpr {
        let mut b = |e: Box<TExpr>| Box::new(f(*e));
        match self {
            leaf @ (TExpr::Literal(..) | TExpr::Column { .. } | TExpr::Local { .. } | TExpr::RecordTime { .. }) => leaf,
            TExpr::Cast { expr, to, precision } => TExpr::Cast { expr: b(expr), to, precision },
            TExpr::Neg(x) => TExpr::Neg(b(x)),
            TExpr::Not(x) => TExpr::Not(b(x)),
            TExpr::Arith { op, left, right, ty } => TExpr::Arith { op, left: b(left), right: b(right), ty },
            TExpr::Compare { op, left, right } => TExpr::Compare { op, left: b(left), right: b(right) },
            TExpr::And(x, y) => TExpr::And(b(x), b(y)),
            TExpr::Or(x, y) => TExpr::Or(b(x), b(y)),
            TExpr::IsNull { expr, negated } => TExpr::IsNull { expr: b(expr), negated },
            TExpr::IsDistinct { left, right, negated } => TExpr::IsDistinct { left: b(left), right: b(right), negated },
            TExpr::InList { expr, list, negated } => {
                let expr = b(expr);
                TExpr::InList { expr, list: list.into_iter().map(&mut f).collect(), negated }
            }
            TExpr::Like { expr, pattern, negated } => TExpr::Like { expr: b(expr), pattern: b(pattern), negated },
            TExpr::Case { whens, otherwise, ty } => {
                let whens = whens.into_iter().map(|(c, r)| (f(c), f(r))).collect();
                TExpr::Case { whens, otherwise: otherwise.map(|o| Box::new(f(*o))), ty }
            }
            TExpr::Coalesce(args, ty) => TExpr::Coalesce(args.into_iter().map(f).collect(), ty),
            TExpr::Call { func, args, ty } => TExpr::Call { func, args: args.into_iter().map(f).collect(), ty },
        }
    }
}

/// Converts a constant at compile time when that is exact (NULL, widening numeric casts).
fn fold_literal_cast(e: &TExpr, to: SqlType) -> Option<TExpr> {
    let TExpr::Literal(lit, from) = e else {
        return None;
    };
    let lit = match (lit, *from, to) {
        (Literal::Null, _, _) => Literal::Null,
        (Literal::Int(i), _, SqlType::Decimal(_, s)) => {
            Literal::Decimal((*i as i128).checked_mul(10i128.checked_pow(s)?)?)
        }
        (Literal::Decimal(v), SqlType::Decimal(_, s1), SqlType::Decimal(_, s2)) if s2 >= s1 => {
            Literal::Decimal(v.checked_mul(10i128.checked_pow(s2 - s1)?)?)
        }
        (Literal::Int(i), _, SqlType::Double) => Literal::Double(*i as f64),
        _ => return None,
    };
    Some(TExpr::Literal(lit, to))
}

/// The type two operands are converted to for comparison, IN, CASE branches, COALESCE, etc.
pub(crate) fn common_type(a: SqlType, b: SqlType) -> Option<SqlType> {
    use SqlType::*;
    Some(match (a, b) {
        _ if a == b => a,
        (Null, t) | (t, Null) => t,
        (Double, t) | (t, Double) if t.is_numeric() => Double,
        (Decimal(..) | BigInt, Decimal(..) | BigInt) => {
            let ((p1, s1), (p2, s2)) = (a.as_decimal()?, b.as_decimal()?);
            let s = s1.max(s2);
            let int_digits = (p1 - s1).max(p2 - s2);
            Decimal((int_digits + s).min(MAX_PRECISION), s)
        }
        (Date, Timestamp) | (Timestamp, Date) => Timestamp,
        _ => return None,
    })
}

/// The result type of `a op b` for numeric operands, or None if the operator does not apply.
pub(crate) fn arith_type(op: ArithOp, a: SqlType, b: SqlType) -> Option<SqlType> {
    use SqlType::*;
    if op == ArithOp::Concat {
        return Some(String);
    }
    let (a, b) = match (a, b) {
        (Null, Null) => (BigInt, BigInt),
        (Null, t) => (t, t),
        (t, Null) => (t, t),
        _ => (a, b),
    };
    if !a.is_numeric() || !b.is_numeric() {
        return None;
    }
    if a == Double || b == Double {
        return Some(Double);
    }
    if a == BigInt && b == BigInt {
        return Some(BigInt);
    }
    let ((p1, s1), (p2, s2)) = (a.as_decimal()?, b.as_decimal()?);
    let cap = |p: u32| p.min(MAX_PRECISION);
    Some(match op {
        ArithOp::Add | ArithOp::Sub => {
            let s = s1.max(s2);
            Decimal(cap((p1 - s1).max(p2 - s2) + s + 1), s)
        }
        ArithOp::Mod => {
            let s = s1.max(s2);
            Decimal(cap((p1 - s1).min(p2 - s2) + s), s)
        }
        ArithOp::Mul => {
            let s = (s1 + s2).min(MAX_PRECISION);
            Decimal(cap(p1 + p2 + 1).max(s), s)
        }
        ArithOp::Div => {
            let int_digits = (p1 - s1 + s2).min(MAX_PRECISION);
            let mut s = 6.max(s1 + p2 + 1);
            if int_digits + s > MAX_PRECISION {
                s = 6.max(MAX_PRECISION - int_digits);
            }
            let s = s.min(MAX_PRECISION);
            Decimal(cap(int_digits + s), s)
        }
        ArithOp::Concat => String,
    })
}

impl std::fmt::Display for TExpr {
    /// SQL-like text of the typed expression, with the casts the binder inserted made explicit.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[TExpr]| items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
        match self {
            TExpr::Literal(l, ty) => match l {
                Literal::Null => write!(f, "NULL"),
                Literal::Bool(b) => write!(f, "{}", if *b { "TRUE" } else { "FALSE" }),
                Literal::Int(i) => write!(f, "{i}"),
                Literal::Decimal(v) => {
                    let s = match ty {
                        SqlType::Decimal(_, s) => *s as usize,
                        _ => 0,
                    };
                    let digits = format!("{:0>width$}", v.unsigned_abs(), width = s + 1);
                    let (int, frac) = digits.split_at(digits.len() - s);
                    let sign = if *v < 0 { "-" } else { "" };
                    if s == 0 { write!(f, "{sign}{int}") } else { write!(f, "{sign}{int}.{frac}") }
                }
                Literal::Double(d) => write!(f, "{d:e}"),
                Literal::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            },
            TExpr::Column { field, .. } => write!(f, "{field}"),
            TExpr::Local { name, .. } => write!(f, "{name}"),
            TExpr::RecordTime { time: t, .. } => match &t.column {
                Some(c) => write!(f, "_event_time({c})"),
                None => write!(f, "_timestamp"),
            },
            TExpr::Cast { expr, to, .. } => write!(f, "CAST({expr} AS {to})"),
            TExpr::Neg(e) => write!(f, "-({e})"),
            TExpr::Not(e) => write!(f, "NOT ({e})"),
            TExpr::Arith { op, left, right, .. } => {
                write!(f, "({left} {} {right})", op.symbol())
            }
            TExpr::Compare { op, left, right } => {
                let o = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, "({left} {o} {right})")
            }
            TExpr::And(a, b) => write!(f, "({a} AND {b})"),
            TExpr::Or(a, b) => write!(f, "({a} OR {b})"),
            TExpr::IsNull { expr, negated } => {
                write!(f, "({expr} IS {}NULL)", if *negated { "NOT " } else { "" })
            }
            TExpr::IsDistinct { left, right, negated } => {
                write!(f, "({left} IS {}DISTINCT FROM {right})", if *negated { "NOT " } else { "" })
            }
            TExpr::InList { expr, list: items, negated } => {
                write!(f, "({expr} {}IN ({}))", if *negated { "NOT " } else { "" }, list(items))
            }
            TExpr::Like { expr, pattern, negated } => {
                write!(f, "({expr} {}LIKE {pattern})", if *negated { "NOT " } else { "" })
            }
            TExpr::Case { whens, otherwise, .. } => {
                write!(f, "CASE")?;
                for (c, r) in whens {
                    write!(f, " WHEN {c} THEN {r}")?;
                }
                if let Some(o) = otherwise {
                    write!(f, " ELSE {o}")?;
                }
                write!(f, " END")
            }
            TExpr::Coalesce(items, _) => write!(f, "COALESCE({})", list(items)),
            TExpr::Call { func, args, .. } => {
                let name = match func {
                    Func::Plain(n) | Func::Fallible(n) | Func::Variadic(n) => n.to_ascii_uppercase(),
                    Func::Substring { .. } => "SUBSTRING".into(),
                    Func::Round(d) => return write!(f, "ROUND({}, {d})", list(args)),
                    Func::NullIf => "NULLIF".into(),
                    Func::Unit(n, unit) => return write!(f, "{}({unit}, {})", n.to_ascii_uppercase(), list(args)),
                    Func::Interval { months, millis } => {
                        return write!(f, "({} + INTERVAL {months} MONTH {millis} MILLISECOND)", list(args));
                    }
                };
                write!(f, "{name}({})", list(args))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SqlType::*;

    #[test]
    fn decimal_result_types_follow_the_dialect() {
        assert_eq!(arith_type(ArithOp::Add, Decimal(5, 2), Decimal(4, 1)), Some(Decimal(6, 2)));
        assert_eq!(arith_type(ArithOp::Mul, Decimal(5, 2), Decimal(4, 1)), Some(Decimal(10, 3)));
        assert_eq!(arith_type(ArithOp::Mul, Decimal(5, 2), BigInt), Some(Decimal(25, 2)));
        assert_eq!(arith_type(ArithOp::Div, Decimal(5, 2), Decimal(4, 1)), Some(Decimal(11, 7)));
        assert_eq!(arith_type(ArithOp::Div, BigInt, BigInt), Some(BigInt));
        assert_eq!(arith_type(ArithOp::Div, Decimal(38, 10), Decimal(38, 10)), Some(Decimal(38, 6)));
        assert_eq!(arith_type(ArithOp::Add, Decimal(5, 2), Double), Some(Double));
        assert_eq!(arith_type(ArithOp::Add, String, BigInt), None);
    }

    #[test]
    fn common_types() {
        assert_eq!(common_type(Decimal(5, 2), Decimal(3, 1)), Some(Decimal(5, 2)));
        assert_eq!(common_type(BigInt, Decimal(5, 2)), Some(Decimal(21, 2)));
        assert_eq!(common_type(Null, String), Some(String));
        assert_eq!(common_type(String, BigInt), None);
        assert_eq!(common_type(Date, Timestamp), Some(Timestamp));
    }
}
