//! Date/time functions and INTERVAL arithmetic: unit names, interval literals, and the binding of
//! EXTRACT, DATE_TRUNC, DATEDIFF, DATE_FORMAT, FROM_UNIXTIME, UNIX_TIMESTAMP, TO_TIMESTAMP and NOW
//! (the runtime side is `velo_rt::temporal`).

use sqlparser::ast::{Expr, Interval, Spanned, Value};

use crate::bind::Binder;
use crate::diagnostics::{Diagnostic, Span};
use crate::ir::expr::{Func, TExpr};
use crate::ir::types::SqlType;

/// The runtime `TimeUnit` variant of a unit name (`'day'`, `DAYS`, `dow`, …); `None` if unknown.
pub(crate) fn unit(name: &str) -> Option<&'static str> {
    let n = name.trim().trim_matches('\'').to_ascii_lowercase();
    Some(match n.as_str() {
        "millisecond" | "milliseconds" | "ms" => "Millisecond",
        "second" | "seconds" | "s" => "Second",
        "minute" | "minutes" | "m" => "Minute",
        "hour" | "hours" | "h" => "Hour",
        "day" | "days" | "d" => "Day",
        "week" | "weeks" | "w" => "Week",
        "month" | "months" => "Month",
        "quarter" | "quarters" => "Quarter",
        "year" | "years" => "Year",
        "dow" | "dayofweek" | "day_of_week" => "DayOfWeek",
        "doy" | "dayofyear" | "day_of_year" => "DayOfYear",
        "epoch" => "Epoch",
        _ => return None,
    })
}

/// Units that only EXTRACT understands.
const EXTRACT_ONLY: &[&str] = &["DayOfWeek", "DayOfYear", "Epoch"];

/// `(months, milliseconds)` of an INTERVAL literal: `INTERVAL '5' MINUTE`, `INTERVAL '2 hours'`,
/// `INTERVAL '1' MONTH`; `None` when it is not a whole number of one known unit.
pub(crate) fn interval(i: &Interval) -> Option<(i32, i64)> {
    let text = match &*i.value {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::Number(s, _) => s.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let (number, unit_name) = match &i.leading_field {
        Some(f) => (text.trim().to_string(), f.to_string()),
        None => {
            let t = text.trim();
            let end = t.find(|c: char| !c.is_ascii_digit() && c != '-').unwrap_or(t.len());
            (t[..end].to_string(), t[end..].trim().to_string())
        }
    };
    if i.last_field.is_some() || i.fractional_seconds_precision.is_some() {
        return None;
    }
    let n: i64 = number.parse().ok()?;
    let months = |k: i64| i32::try_from(n.checked_mul(k)?).ok().map(|m| (m, 0));
    match unit(&unit_name)? {
        "Month" => months(1),
        "Quarter" => months(3),
        "Year" => months(12),
        u @ ("Millisecond" | "Second" | "Minute" | "Hour" | "Day" | "Week") => {
            let ms = match u {
                "Millisecond" => 1,
                "Second" => 1_000,
                "Minute" => 60_000,
                "Hour" => 3_600_000,
                "Day" => 86_400_000,
                _ => 604_800_000,
            };
            n.checked_mul(ms).map(|ms| (0, ms))
        }
        _ => None,
    }
}

fn span_of(e: &impl Spanned) -> Span {
    Span::from_sql(e.span())
}

impl Binder<'_, '_> {
    /// A TIMESTAMP argument: TIMESTAMP, DATE (midnight) or BIGINT epoch milliseconds (Velostream's
    /// representation of time).
    pub(crate) fn time_arg(&mut self, e: &Expr, name: &str) -> Option<TExpr> {
        let x = self.bind(e)?;
        match x.ty() {
            SqlType::Timestamp | SqlType::Null => Some(x.cast_to(SqlType::Timestamp)),
            SqlType::Date | SqlType::BigInt => {
                Some(TExpr::Cast { expr: Box::new(x), to: SqlType::Timestamp, precision: None })
            }
            t => {
                self.diags.push(Diagnostic::error("E0402", span_of(e), format!("{name} needs a TIMESTAMP, found {t}")));
                None
            }
        }
    }

    /// A constant unit argument (`'day'`, or a bare `day`), checked against what `name` accepts.
    fn unit_arg(&mut self, e: &Expr, name: &str) -> Option<&'static str> {
        let text = match e {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => Some(s.clone()),
                _ => None,
            },
            Expr::Identifier(id) => Some(id.value.clone()),
            _ => None,
        };
        match text.as_deref().and_then(unit) {
            Some(u) if !EXTRACT_ONLY.contains(&u) => Some(u),
            _ => {
                self.diags.push(
                    Diagnostic::error("E0407", span_of(e), format!("`{e}` is not a unit for {name}"))
                        .with_help("units: millisecond, second, minute, hour, day, week, month, quarter, year"),
                );
                None
            }
        }
    }

    /// `EXTRACT(part FROM ts)`.
    pub(crate) fn extract(&mut self, field: &str, x: &Expr, whole: &Expr) -> Option<TExpr> {
        let Some(u) = unit(field) else {
            return self.unit_error(whole, field, "EXTRACT");
        };
        let ts = self.time_arg(x, "EXTRACT")?;
        Some(TExpr::Call { func: Func::Unit("extract", u), args: vec![ts], ty: SqlType::BigInt })
    }

    fn unit_error(&mut self, at: &Expr, field: &str, name: &str) -> Option<TExpr> {
        self.diags.push(
            Diagnostic::error("E0407", span_of(at), format!("`{field}` is not a unit for {name}")).with_help(
                "parts: year, quarter, month, week, day, dow, doy, hour, minute, second, millisecond, epoch",
            ),
        );
        None
    }

    /// `ts ± INTERVAL …` (either order for `+`); `None` when neither side is an interval.
    pub(crate) fn interval_arith(&mut self, l: &Expr, plus: bool, r: &Expr, whole: &Expr) -> Option<Option<TExpr>> {
        let (ts, iv) = match (l, r) {
            (_, Expr::Interval(i)) => (l, i),
            (Expr::Interval(i), _) if plus => (r, i),
            _ => return None,
        };
        let Some((months, millis)) = interval(iv) else {
            self.diags.push(
                Diagnostic::error(
                    "E0407",
                    span_of(whole),
                    format!("`{}` is not an interval Velo understands", Expr::Interval(iv.clone())),
                )
                .with_help("write e.g. INTERVAL '5' MINUTE, INTERVAL '2 hours' or INTERVAL '1' MONTH"),
            );
            return Some(None);
        };
        let Some(ts) = self.time_arg(ts, "INTERVAL arithmetic") else { return Some(None) };
        let (months, millis) = if plus { (months, millis) } else { (-months, -millis) };
        Some(Some(TExpr::Call { func: Func::Interval { months, millis }, args: vec![ts], ty: SqlType::Timestamp }))
    }

    /// The date/time functions of the catalogue.
    pub(crate) fn temporal_call(&mut self, name: &str, args: &[&Expr]) -> Option<TExpr> {
        use SqlType::{BigInt, String, Timestamp};
        let call = |func, args, ty| Some(TExpr::Call { func, args, ty });
        match (name, args.len()) {
            ("NOW" | "CURRENT_TIMESTAMP", _) => call(Func::Plain("now"), vec![], Timestamp),
            ("UNIX_TIMESTAMP", 0) => call(Func::Plain("unix_timestamp_now"), vec![], BigInt),
            ("UNIX_TIMESTAMP", _) => call(Func::Plain("unix_timestamp"), vec![self.time_arg(args[0], name)?], BigInt),
            ("DATE_TRUNC", _) => {
                let u = self.unit_arg(args[0], name)?;
                call(Func::Unit("date_trunc", u), vec![self.time_arg(args[1], name)?], Timestamp)
            }
            ("DATEDIFF" | "DATE_DIFF", _) => {
                let u = self.unit_arg(args[0], name)?;
                let (a, b) = (self.time_arg(args[1], name)?, self.time_arg(args[2], name)?);
                call(Func::Unit("datediff", u), vec![a, b], BigInt)
            }
            ("DATE_FORMAT", _) => {
                let ts = self.time_arg(args[0], name)?;
                call(Func::Fallible("date_format"), vec![ts, self.typed_arg(args[1], String, name)?], String)
            }
            ("FROM_UNIXTIME", _) => {
                call(Func::Fallible("from_unixtime"), vec![self.typed_arg(args[0], BigInt, name)?], Timestamp)
            }
            ("TO_TIMESTAMP", 2) => {
                let (t, p) = (self.typed_arg(args[0], String, name)?, self.typed_arg(args[1], String, name)?);
                call(Func::Fallible("to_timestamp_with"), vec![t, p], Timestamp)
            }
            ("TO_TIMESTAMP", _) => {
                let x = self.bind(args[0])?;
                match x.ty() {
                    BigInt => call(Func::Fallible("from_unixtime"), vec![x], Timestamp),
                    _ => call(Func::Fallible("to_timestamp"), vec![self.typed_arg(args[0], String, name)?], Timestamp),
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::GenericDialect;
    use sqlparser::parser::Parser;

    fn iv(sql: &str) -> Option<(i32, i64)> {
        match Parser::new(&GenericDialect {}).try_with_sql(sql).ok()?.parse_expr().ok()? {
            Expr::Interval(i) => interval(&i),
            _ => None,
        }
    }

    #[test]
    fn interval_literals() {
        assert_eq!(iv("INTERVAL '5' MINUTE"), Some((0, 300_000)));
        assert_eq!(iv("INTERVAL '2 hours'"), Some((0, 7_200_000)));
        assert_eq!(iv("INTERVAL '1' MONTH"), Some((1, 0)));
        assert_eq!(iv("INTERVAL '2' YEAR"), Some((24, 0)));
        assert_eq!(iv("INTERVAL '1.5' HOUR"), None);
        assert_eq!(iv("INTERVAL '1' FORTNIGHT"), None);
        assert_eq!(unit("Days"), Some("Day"));
        assert_eq!(unit("dow"), Some("DayOfWeek"));
    }
}
