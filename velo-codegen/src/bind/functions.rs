//! The scalar function catalogue: names, arity, argument and result types, and how each call
//! maps onto `velo_rt::func`. Unknown names and wrong arity are compile-time errors.

use sqlparser::ast::{Expr, Spanned};

use crate::bind::Binder;
use crate::diagnostics::{Diagnostic, Span};
use crate::ir::expr::{ArithOp, Func, Literal, TExpr, common_type};
use crate::ir::types::SqlType;

/// How a function is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signature {
    /// `f(STRING) -> STRING`, runtime name.
    StrToStr(&'static str),
    /// `LENGTH(STRING) -> BIGINT`.
    Length,
    /// `f(STRING, STRING, STRING) -> STRING`, runtime name, fallible.
    Str3(&'static str, bool),
    /// `LEFT`/`RIGHT(STRING, BIGINT) -> STRING`.
    StrInt(&'static str),
    /// `SPLIT_PART(STRING, STRING, BIGINT)`.
    SplitPart,
    /// `REGEXP(STRING, STRING) -> BOOLEAN`.
    Regexp,
    /// `LPAD`/`RPAD(STRING, BIGINT [, STRING])`.
    Pad(&'static str),
    /// `POSITION(STRING, STRING) -> BIGINT`.
    Position,
    /// `SUBSTRING(STRING, BIGINT [, BIGINT])`.
    Substring,
    /// `CONCAT(any, …) -> STRING`.
    Concat,
    /// `ABS(n)`.
    Abs,
    /// `ROUND(n [, constant d])`.
    Round,
    /// `CEIL`/`FLOOR(n)`.
    CeilFloor,
    /// `SQRT(n) -> DOUBLE`.
    Sqrt,
    /// `POWER(n, n) -> DOUBLE`.
    Power,
    /// `MOD(a, b)` = `a % b`.
    Mod,
    /// `LEAST`/`GREATEST(…)`.
    Extreme(&'static str),
    /// `COALESCE(…)`.
    Coalesce,
    /// `NULLIF(a, b)`.
    NullIf,
    /// An aggregate used where only row values are allowed (WHERE, GROUP BY, an aggregate's
    /// argument).
    Aggregate,
    /// A date/time function with this many arguments (see `temporal::temporal_call`).
    Temporal(usize, usize),
    /// Known but not implemented yet; the text says why.
    Unsupported(&'static str),
}

impl Signature {
    /// (minimum, maximum) number of arguments.
    pub(crate) fn arity(self) -> (usize, Option<usize>) {
        match self {
            Signature::StrToStr(_) | Signature::Length | Signature::Abs | Signature::CeilFloor | Signature::Sqrt => {
                (1, Some(1))
            }
            Signature::Str3(..) | Signature::SplitPart => (3, Some(3)),
            Signature::StrInt(_)
            | Signature::Regexp
            | Signature::Position
            | Signature::Power
            | Signature::Mod
            | Signature::NullIf => (2, Some(2)),
            Signature::Pad(_) | Signature::Substring => (2, Some(3)),
            Signature::Round => (1, Some(2)),
            Signature::Concat | Signature::Extreme(_) | Signature::Coalesce => (1, None),
            Signature::Temporal(min, max) => (min, Some(max)),
            Signature::Unsupported(_) | Signature::Aggregate => (0, None),
        }
    }
}

const WINDOW_BOUND: &str = "window bounds exist only in a statement with a WINDOW clause";
const JSON: &str = "JSON functions are planned";
const HEADERS: &str = "message headers exist only with Kafka sources, which are planned";
const WINDOW: &str = "window functions need OVER support, which is planned";

const CATALOGUE: &[(&str, Signature)] = &[
    ("UPPER", Signature::StrToStr("upper")),
    ("LOWER", Signature::StrToStr("lower")),
    ("TRIM", Signature::StrToStr("trim")),
    ("LTRIM", Signature::StrToStr("ltrim")),
    ("RTRIM", Signature::StrToStr("rtrim")),
    ("LENGTH", Signature::Length),
    ("LEN", Signature::Length),
    ("CHAR_LENGTH", Signature::Length),
    ("REPLACE", Signature::Str3("replace", false)),
    ("REGEXP_REPLACE", Signature::Str3("regexp_replace", true)),
    ("LEFT", Signature::StrInt("left")),
    ("RIGHT", Signature::StrInt("right")),
    ("SPLIT_PART", Signature::SplitPart),
    ("REGEXP", Signature::Regexp),
    ("REGEXP_LIKE", Signature::Regexp),
    ("LPAD", Signature::Pad("lpad")),
    ("RPAD", Signature::Pad("rpad")),
    ("POSITION", Signature::Position),
    ("SUBSTRING", Signature::Substring),
    ("SUBSTR", Signature::Substring),
    ("CONCAT", Signature::Concat),
    ("ABS", Signature::Abs),
    ("ROUND", Signature::Round),
    ("CEIL", Signature::CeilFloor),
    ("CEILING", Signature::CeilFloor),
    ("FLOOR", Signature::CeilFloor),
    ("SQRT", Signature::Sqrt),
    ("POWER", Signature::Power),
    ("POW", Signature::Power),
    ("MOD", Signature::Mod),
    ("LEAST", Signature::Extreme("least")),
    ("GREATEST", Signature::Extreme("greatest")),
    ("COALESCE", Signature::Coalesce),
    ("NULLIF", Signature::NullIf),
    ("LAG", Signature::Unsupported(WINDOW)),
    ("LEAD", Signature::Unsupported(WINDOW)),
    ("ROW_NUMBER", Signature::Unsupported(WINDOW)),
    ("RANK", Signature::Unsupported(WINDOW)),
    ("DENSE_RANK", Signature::Unsupported(WINDOW)),
    ("NTH_VALUE", Signature::Unsupported(WINDOW)),
    ("PERCENT_RANK", Signature::Unsupported(WINDOW)),
    ("CUME_DIST", Signature::Unsupported(WINDOW)),
    ("NTILE", Signature::Unsupported(WINDOW)),
    ("NOW", Signature::Temporal(0, 0)),
    ("CURRENT_TIMESTAMP", Signature::Temporal(0, 0)),
    ("DATE_TRUNC", Signature::Temporal(2, 2)),
    ("DATEDIFF", Signature::Temporal(3, 3)),
    ("DATE_DIFF", Signature::Temporal(3, 3)),
    ("DATE_FORMAT", Signature::Temporal(2, 2)),
    ("FROM_UNIXTIME", Signature::Temporal(1, 1)),
    ("UNIX_TIMESTAMP", Signature::Temporal(0, 1)),
    ("TO_TIMESTAMP", Signature::Temporal(1, 2)),
    ("TUMBLE_START", Signature::Unsupported(WINDOW_BOUND)),
    ("TUMBLE_END", Signature::Unsupported(WINDOW_BOUND)),
    ("HOP_START", Signature::Unsupported(WINDOW_BOUND)),
    ("HOP_END", Signature::Unsupported(WINDOW_BOUND)),
    ("JSON_VALUE", Signature::Unsupported(JSON)),
    ("JSON_EXTRACT", Signature::Unsupported(JSON)),
    ("JSON_QUERY", Signature::Unsupported(JSON)),
    ("JSON_EXISTS", Signature::Unsupported(JSON)),
    ("HEADER", Signature::Unsupported(HEADERS)),
    ("HAS_HEADER", Signature::Unsupported(HEADERS)),
    ("HEADER_KEYS", Signature::Unsupported(HEADERS)),
    ("SET_HEADER", Signature::Unsupported(HEADERS)),
    ("REMOVE_HEADER", Signature::Unsupported(HEADERS)),
];

/// The signature of a function (name in upper case).
pub(crate) fn lookup(name: &str) -> Option<Signature> {
    if crate::bind::aggregate::is_aggregate(name) {
        return Some(Signature::Aggregate);
    }
    CATALOGUE.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// All function names, for "did you mean".
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().map(|(n, _)| *n).chain(crate::bind::aggregate::AGGREGATES.iter().copied())
}

/// `CEIL`/`FLOOR` of a bound numeric argument.
pub(crate) fn ceil_floor(name: &str, x: TExpr) -> Option<TExpr> {
    let ceil = name.starts_with("CEIL");
    match x.ty() {
        SqlType::BigInt => Some(x),
        SqlType::Double => Some(call(if ceil { "ceil_f64" } else { "floor_f64" }, vec![x], SqlType::Double)),
        SqlType::Decimal(p, s) => {
            let ty = SqlType::Decimal((p - s + 1).clamp(1, 38), 0);
            Some(call(if ceil { "ceil_dec" } else { "floor_dec" }, vec![x], ty))
        }
        _ => None,
    }
}

fn call(name: &'static str, args: Vec<TExpr>, ty: SqlType) -> TExpr {
    TExpr::Call { func: Func::Plain(name), args, ty }
}

fn fallible(name: &'static str, args: Vec<TExpr>, ty: SqlType) -> TExpr {
    TExpr::Call { func: Func::Fallible(name), args, ty }
}

fn span_of(e: &Expr) -> Span {
    Span::from_sql(e.span())
}

/// Binds a call of a known function whose arity was checked.
pub(crate) fn bind_call(
    b: &mut Binder<'_, '_>,
    name: &str,
    sig: Signature,
    args: &[&Expr],
    span: Span,
) -> Option<TExpr> {
    use SqlType::{BigInt, Boolean, Double, String};
    let s = |b: &mut Binder<'_, '_>, i: usize| b.typed_arg(args[i], String, name);
    let int = |b: &mut Binder<'_, '_>, i: usize| b.typed_arg(args[i], BigInt, name);
    Some(match sig {
        Signature::StrToStr(f) => call(f, vec![s(b, 0)?], String),
        Signature::Length => call("length", vec![s(b, 0)?], BigInt),
        Signature::Str3(f, can_fail) => {
            let a = vec![s(b, 0)?, s(b, 1)?, s(b, 2)?];
            if can_fail { fallible(f, a, String) } else { call(f, a, String) }
        }
        Signature::StrInt(f) => call(f, vec![s(b, 0)?, int(b, 1)?], String),
        Signature::SplitPart => fallible("split_part", vec![s(b, 0)?, s(b, 1)?, int(b, 2)?], String),
        Signature::Regexp => fallible("regexp", vec![s(b, 0)?, s(b, 1)?], Boolean),
        Signature::Pad(f) => {
            let fill = match args.get(2) {
                Some(_) => s(b, 2)?,
                None => TExpr::Literal(Literal::Str(" ".into()), String),
            };
            fallible(f, vec![s(b, 0)?, int(b, 1)?, fill], String)
        }
        Signature::Position => call("position", vec![s(b, 0)?, s(b, 1)?], BigInt),
        Signature::Substring => {
            let mut a = vec![s(b, 0)?, int(b, 1)?];
            if args.len() == 3 {
                a.push(int(b, 2)?);
            }
            let with_length = a.len() == 3;
            TExpr::Call { func: Func::Substring { with_length }, args: a, ty: String }
        }
        Signature::Concat => {
            let a: Vec<TExpr> = args.iter().map(|e| b.bind(e).map(|t| t.cast_to(String))).collect::<Option<_>>()?;
            TExpr::Call { func: Func::Variadic("concat"), args: a, ty: String }
        }
        Signature::Abs => {
            let x = number(b.bind(args[0])?);
            if !x.ty().is_numeric() {
                return numeric_error(b, name, args[0], &x);
            }
            let ty = x.ty();
            fallible("abs", vec![x], ty)
        }
        Signature::CeilFloor => {
            let x = number(b.bind(args[0])?);
            match ceil_floor(name, x.clone()) {
                Some(t) => t,
                None => return numeric_error(b, name, args[0], &x),
            }
        }
        Signature::Round => {
            let x = number(b.bind(args[0])?);
            let digits = match args.get(1) {
                None => 0,
                Some(e) => match b.bind(e)? {
                    TExpr::Literal(Literal::Int(d), _) => d,
                    _ => {
                        b.diags.push(Diagnostic::error(
                            "E0406",
                            span_of(e),
                            "ROUND's second argument must be a whole-number constant",
                        ));
                        return None;
                    }
                },
            };
            let ty = match x.ty() {
                SqlType::Decimal(p, s) => {
                    let r = digits.clamp(0, s as i64) as u32;
                    SqlType::Decimal((p - s + r + 1).min(38), r)
                }
                SqlType::BigInt | SqlType::Double => x.ty(),
                _ => return numeric_error(b, name, args[0], &x),
            };
            TExpr::Call { func: Func::Round(digits), args: vec![x], ty }
        }
        Signature::Sqrt => fallible("sqrt", vec![b.typed_arg(args[0], Double, name)?], Double),
        Signature::Power => {
            call("power", vec![b.typed_arg(args[0], Double, name)?, b.typed_arg(args[1], Double, name)?], Double)
        }
        Signature::Mod => {
            let (x, y) = (b.bind(args[0])?, b.bind(args[1])?);
            return b.arith(ArithOp::Mod, x, y, span);
        }
        Signature::Extreme(_) | Signature::Coalesce => {
            let bound: Vec<TExpr> = args.iter().map(|e| b.bind(e)).collect::<Option<_>>()?;
            let mut ty = SqlType::Null;
            for (t, e) in bound.iter().zip(args) {
                match common_type(ty, t.ty()) {
                    Some(u) => ty = u,
                    None => {
                        b.diags.push(Diagnostic::error(
                            "E0402",
                            span_of(e),
                            format!("{name} mixes {ty} and {}", t.ty()),
                        ));
                        return None;
                    }
                }
            }
            let a = bound.into_iter().map(|t| t.cast_to(ty)).collect();
            match sig {
                Signature::Extreme(f) => TExpr::Call { func: Func::Variadic(f), args: a, ty },
                _ => TExpr::Coalesce(a, ty),
            }
        }
        Signature::NullIf => {
            let (x, y) = (b.bind(args[0])?, b.bind(args[1])?);
            let Some(ty) = common_type(x.ty(), y.ty()) else {
                b.diags.push(Diagnostic::error("E0402", span, format!("NULLIF compares {} with {}", x.ty(), y.ty())));
                return None;
            };
            TExpr::Call { func: Func::NullIf, args: vec![x.cast_to(ty), y.cast_to(ty)], ty }
        }
        Signature::Temporal(..) => return b.temporal_call(name, args),
        Signature::Unsupported(_) | Signature::Aggregate => return None,
    })
}

/// A numeric function's argument: a bare NULL (a value of every type) is a BIGINT NULL, so
/// `ABS(NULL)` and `ROUND(NULL, 2)` are NULL, as `UPPER(NULL)` is.
pub(crate) fn number(x: TExpr) -> TExpr {
    if x.ty() == SqlType::Null { x.cast_to(SqlType::BigInt) } else { x }
}

fn numeric_error(b: &mut Binder<'_, '_>, name: &str, e: &Expr, x: &TExpr) -> Option<TExpr> {
    b.diags.push(Diagnostic::error("E0402", span_of(e), format!("{name} needs a number, found {}", x.ty())));
    None
}
