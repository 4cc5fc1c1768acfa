//! Date/time functions (DIALECT.md §7) over TIMESTAMP (UTC, millisecond precision): EXTRACT,
//! DATE_TRUNC, DATEDIFF, DATE_FORMAT, FROM_UNIXTIME, UNIX_TIMESTAMP, TO_TIMESTAMP, NOW and
//! INTERVAL arithmetic. NULL in, NULL out; a value outside chrono's calendar range or a bad
//! pattern is a record error, never a panic.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Timelike};

use crate::error::{EvalError, EvalResult};
use crate::time::Timestamp;

/// A calendar or clock unit, as written in EXTRACT, DATE_TRUNC and DATEDIFF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Milliseconds.
    Millisecond,
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// ISO weeks (starting on Monday).
    Week,
    /// Calendar months.
    Month,
    /// Quarters (3 months).
    Quarter,
    /// Calendar years.
    Year,
    /// EXTRACT only: day of the week, 0 = Sunday.
    DayOfWeek,
    /// EXTRACT only: day of the year, 1-based.
    DayOfYear,
    /// EXTRACT only: seconds since the epoch.
    Epoch,
}

const MS_PER: [(TimeUnit, i64); 6] = [
    (TimeUnit::Millisecond, 1),
    (TimeUnit::Second, 1_000),
    (TimeUnit::Minute, 60_000),
    (TimeUnit::Hour, 3_600_000),
    (TimeUnit::Day, 86_400_000),
    (TimeUnit::Week, 604_800_000),
];

fn fixed_millis(unit: TimeUnit) -> Option<i64> {
    MS_PER.iter().find(|(u, _)| *u == unit).map(|(_, ms)| *ms)
}

fn out_of_range(ts: Timestamp) -> EvalError {
    EvalError::InvalidArgument(format!("timestamp {} ms is outside the calendar", ts.0))
}

fn naive(ts: Timestamp) -> EvalResult<NaiveDateTime> {
    DateTime::from_timestamp_millis(ts.0).map(|d| d.naive_utc()).ok_or_else(|| out_of_range(ts))
}

fn from_naive(n: NaiveDateTime) -> Timestamp {
    Timestamp(n.and_utc().timestamp_millis())
}

/// `EXTRACT(unit FROM ts)`: YEAR, QUARTER, MONTH, WEEK (ISO), DAY, DOW (0 = Sunday), DOY, HOUR,
/// MINUTE, SECOND (whole seconds), MILLISECOND (seconds × 1000 + milliseconds, as in PostgreSQL and
/// DuckDB), EPOCH (whole seconds since 1970, floored).
pub fn extract(unit: TimeUnit, ts: Option<Timestamp>) -> EvalResult<Option<i64>> {
    let Some(ts) = ts else { return Ok(None) };
    let n = naive(ts)?;
    let ms_of_second = i64::from(n.nanosecond() / 1_000_000);
    Ok(Some(match unit {
        TimeUnit::Year => i64::from(n.year()),
        TimeUnit::Quarter => i64::from((n.month() - 1) / 3 + 1),
        TimeUnit::Month => i64::from(n.month()),
        TimeUnit::Week => i64::from(n.iso_week().week()),
        TimeUnit::Day => i64::from(n.day()),
        TimeUnit::DayOfWeek => i64::from(n.weekday().num_days_from_sunday()),
        TimeUnit::DayOfYear => i64::from(n.ordinal()),
        TimeUnit::Hour => i64::from(n.hour()),
        TimeUnit::Minute => i64::from(n.minute()),
        TimeUnit::Second => i64::from(n.second()),
        TimeUnit::Millisecond => i64::from(n.second()) * 1000 + ms_of_second,
        TimeUnit::Epoch => ts.0.div_euclid(1000),
    }))
}

/// `DATE_TRUNC(unit, ts)`: the start of the unit containing `ts` (weeks start on Monday).
pub fn date_trunc(unit: TimeUnit, ts: Option<Timestamp>) -> EvalResult<Option<Timestamp>> {
    let Some(ts) = ts else { return Ok(None) };
    if let Some(ms) = fixed_millis(unit).filter(|_| unit != TimeUnit::Week) {
        return Ok(Some(Timestamp(ts.0.div_euclid(ms) * ms)));
    }
    let n = naive(ts)?;
    let day = n.date();
    let first =
        |d: Option<NaiveDate>| d.and_then(|d| d.and_hms_opt(0, 0, 0)).map(from_naive).ok_or_else(|| out_of_range(ts));
    let month0 = |m: u32| NaiveDate::from_ymd_opt(day.year(), m, 1);
    Ok(Some(match unit {
        TimeUnit::Week => {
            first(day.checked_sub_days(chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))))?
        }
        TimeUnit::Month => first(month0(day.month()))?,
        TimeUnit::Quarter => first(month0((day.month() - 1) / 3 * 3 + 1))?,
        TimeUnit::Year => first(month0(1))?,
        other => return Err(EvalError::InvalidArgument(format!("DATE_TRUNC cannot truncate to {other:?}"))),
    }))
}

/// `DATEDIFF(unit, start, end)`: how many whole units lie between the two (negative when `end`
/// is before `start`). Months, quarters and years count calendar months: a month is complete
/// when the end's day and time of month reach the start's.
pub fn datediff(unit: TimeUnit, start: Option<Timestamp>, end: Option<Timestamp>) -> EvalResult<Option<i64>> {
    let (Some(a), Some(b)) = (start, end) else { return Ok(None) };
    if let Some(ms) = fixed_millis(unit) {
        let diff = b.0.checked_sub(a.0).ok_or(EvalError::Overflow)?;
        return Ok(Some(diff / ms));
    }
    let (x, y) = (naive(a)?, naive(b)?);
    let months = |n: &NaiveDateTime| i64::from(n.year()) * 12 + i64::from(n.month0());
    // Whole months from `from` to a later `to`: a month is complete when moving `from` by it
    // (the day clamped to the month's end, as `ts + INTERVAL '1' MONTH` does) does not pass
    // `to`, so Jan 31 → Feb 29 is one month. Backwards is the same count, negated (DuckDB).
    let whole = |from: NaiveDateTime, to: NaiveDateTime| {
        let m = months(&to) - months(&from);
        if m > 0 && shift_months(from, m).is_none_or(|moved| moved > to) { m - 1 } else { m }
    };
    let m = if y >= x { whole(x, y) } else { -whole(y, x) };
    Ok(Some(match unit {
        TimeUnit::Month => m,
        TimeUnit::Quarter => m / 3,
        TimeUnit::Year => m / 12,
        other => return Err(EvalError::InvalidArgument(format!("DATEDIFF cannot count {other:?}"))),
    }))
}

/// `n` moved by `months` calendar months, the day clamped to the month's end.
fn shift_months(n: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let by = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 { n.checked_add_months(by) } else { n.checked_sub_months(by) }
}

/// `DATE_FORMAT(ts, pattern)` with a strftime pattern (`%Y-%m-%d %H:%M`); a bad pattern is a
/// record error.
pub fn date_format(ts: Option<Timestamp>, pattern: Option<String>) -> EvalResult<Option<String>> {
    let (Some(ts), Some(pattern)) = (ts, pattern) else { return Ok(None) };
    let items: Vec<Item<'_>> = StrftimeItems::new(&pattern).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(EvalError::InvalidArgument(format!("`{pattern}` is not a date format")));
    }
    Ok(Some(naive(ts)?.format_with_items(items.into_iter()).to_string()))
}

/// `FROM_UNIXTIME(seconds)` / `TO_TIMESTAMP(seconds)`.
pub fn from_unixtime(seconds: Option<i64>) -> EvalResult<Option<Timestamp>> {
    seconds.map(|s| s.checked_mul(1000).and_then(Timestamp::from_millis).ok_or(EvalError::Overflow)).transpose()
}

/// `UNIX_TIMESTAMP(ts)`: whole seconds since the epoch (floored).
pub fn unix_timestamp(ts: Option<Timestamp>) -> Option<i64> {
    ts.map(|t| t.0.div_euclid(1000))
}

/// `NOW()`, `CURRENT_TIMESTAMP`: the wall clock when the record is evaluated.
pub fn now() -> Option<Timestamp> {
    Some(Timestamp(crate::window::processing_time()))
}

/// `UNIX_TIMESTAMP()`: the wall clock in whole seconds.
pub fn unix_timestamp_now() -> Option<i64> {
    unix_timestamp(now())
}

/// `TO_TIMESTAMP(text)`: ISO 8601 text (as a TIMESTAMP column reads it); anything else is a
/// record error.
pub fn to_timestamp(text: Option<String>) -> EvalResult<Option<Timestamp>> {
    text.map(|t| Timestamp::parse(&t).ok_or_else(|| EvalError::InvalidArgument(format!("`{t}` is not a timestamp"))))
        .transpose()
}

/// `TO_TIMESTAMP(text, pattern)` with a strftime pattern; a pattern without a time of day reads a
/// date at midnight.
pub fn to_timestamp_with(text: Option<String>, pattern: Option<String>) -> EvalResult<Option<Timestamp>> {
    let (Some(text), Some(pattern)) = (text, pattern) else { return Ok(None) };
    let parsed = NaiveDateTime::parse_from_str(&text, &pattern)
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&text, &pattern).ok().and_then(|d| d.and_hms_opt(0, 0, 0)));
    parsed
        .map(|n| Some(from_naive(n)))
        .ok_or_else(|| EvalError::InvalidArgument(format!("`{text}` does not match the format `{pattern}`")))
}

/// `ts + INTERVAL …` (and `-`, with negated parts): calendar months first, then milliseconds.
pub fn add_interval(ts: Option<Timestamp>, months: i32, millis: i64) -> EvalResult<Option<Timestamp>> {
    let Some(ts) = ts else { return Ok(None) };
    let moved = if months == 0 {
        ts
    } else {
        from_naive(shift_months(naive(ts)?, i64::from(months)).ok_or(EvalError::Overflow)?)
    };
    moved.0.checked_add(millis).and_then(Timestamp::from_millis).map(Some).ok_or(EvalError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Option<Timestamp> {
        Timestamp::parse(text)
    }

    #[test]
    fn extract_every_part() {
        let t = ts("2024-02-29T13:45:30.250"); // a Thursday, ISO week 9, day 60
        let got: Vec<i64> = [
            TimeUnit::Year,
            TimeUnit::Quarter,
            TimeUnit::Month,
            TimeUnit::Week,
            TimeUnit::Day,
            TimeUnit::DayOfWeek,
            TimeUnit::DayOfYear,
            TimeUnit::Hour,
            TimeUnit::Minute,
            TimeUnit::Second,
            TimeUnit::Millisecond,
        ]
        .into_iter()
        .map(|u| extract(u, t).unwrap().unwrap())
        .collect();
        assert_eq!(got, vec![2024, 1, 2, 9, 29, 4, 60, 13, 45, 30, 30_250]);
        assert_eq!(extract(TimeUnit::Epoch, Some(Timestamp(-1))).unwrap(), Some(-1), "floored");
        assert_eq!(extract(TimeUnit::Year, None).unwrap(), None);
        assert!(extract(TimeUnit::Year, Some(Timestamp(i64::MAX))).is_err(), "outside the calendar: an error");
    }

    #[test]
    fn truncation_and_whole_unit_differences() {
        let t = ts("2024-02-29T13:45:30.250");
        let trunc = |u| date_trunc(u, t).unwrap().unwrap().to_string();
        assert_eq!(trunc(TimeUnit::Minute), "2024-02-29T13:45:00");
        assert_eq!(trunc(TimeUnit::Week), "2024-02-26T00:00:00");
        assert_eq!(trunc(TimeUnit::Quarter), "2024-01-01T00:00:00");
        assert_eq!(date_trunc(TimeUnit::Hour, Some(Timestamp(-1))).unwrap(), Some(Timestamp(-3_600_000)));
        let diff = |u, a: &str, b: &str| datediff(u, ts(a), ts(b)).unwrap().unwrap();
        assert_eq!(diff(TimeUnit::Day, "2024-01-01T10:00:00", "2024-01-03T09:59:59"), 1);
        assert_eq!(diff(TimeUnit::Day, "2024-01-03T09:59:59", "2024-01-01T10:00:00"), -1);
        assert_eq!(diff(TimeUnit::Month, "2024-01-15T00:00:00", "2024-03-14T23:00:00"), 1);
        assert_eq!(diff(TimeUnit::Month, "2024-03-14T23:00:00", "2024-01-15T00:00:00"), -1);
        assert_eq!(diff(TimeUnit::Year, "2020-06-01T00:00:00", "2024-06-01T00:00:00"), 4);
        // Month ends: adding the months, clamped, must reach the end (Flink's TIMESTAMPDIFF,
        // DuckDB's date_sub).
        assert_eq!(diff(TimeUnit::Month, "2024-01-31T10:00:00", "2024-02-29T10:00:00"), 1);
        assert_eq!(diff(TimeUnit::Month, "2024-01-31T10:00:00", "2024-02-29T09:59:59"), 0);
        assert_eq!(diff(TimeUnit::Year, "2024-02-29T00:00:00", "2025-02-28T00:00:00"), 1);
        assert_eq!(diff(TimeUnit::Month, "2023-04-30T00:00:00", "2023-03-31T00:00:00"), -1);
        assert_eq!(diff(TimeUnit::Month, "2023-03-31T00:00:00", "2023-04-30T00:00:00"), 1);
        assert_eq!(diff(TimeUnit::Quarter, "2023-11-30T00:00:00", "2024-02-29T00:00:00"), 1);
        // Month ends, leap days and both directions, each value computed by DuckDB's `date_sub`.
        for (unit, a, b, duckdb) in [
            ("month", "2024-02-29T00:00:00", "2024-02-28T23:59:59.999", 0),
            ("year", "2023-02-28T23:59:59.999", "2023-02-28T10:00:00", 0),
            ("month", "2023-01-31T23:59:59.999", "2023-04-30T00:00:00", 2),
            ("month", "2024-02-28T10:00:00", "2023-02-28T00:00:00", -12),
            ("month", "2024-06-30T10:00:00", "2023-01-31T23:59:59.999", -16),
            ("month", "2023-04-30T23:59:59.999", "2025-02-28T23:59:59.999", 22),
            ("month", "2024-12-31T23:59:59.999", "2024-02-28T00:00:00", -10),
            ("quarter", "2023-01-31T23:59:59.999", "2023-08-31T00:00:00", 2),
            ("year", "2024-02-28T00:00:00", "2024-06-30T00:00:00", 0),
            ("month", "2024-01-31T23:59:59.999", "2023-08-31T23:59:59.999", -5),
            ("month", "2023-02-28T23:59:59.999", "2024-12-31T23:59:59.999", 22),
            ("month", "2024-02-29T00:00:00", "2024-06-30T23:59:59.999", 4),
            ("quarter", "2024-12-31T00:00:00", "2024-12-31T00:00:00", 0),
            ("quarter", "2025-02-28T23:59:59.999", "2024-02-28T10:00:00", -4),
            ("month", "2024-12-31T10:00:00", "2024-02-29T10:00:00", -10),
            ("month", "2024-05-15T00:00:00", "2020-02-29T00:00:00", -50),
            ("quarter", "2024-12-31T10:00:00", "2024-06-30T10:00:00", -2),
            ("month", "2020-02-29T10:00:00", "2024-01-31T23:59:59.999", 47),
            ("quarter", "2023-02-28T23:59:59.999", "2024-02-28T00:00:00", 3),
            ("year", "2023-03-31T10:00:00", "2024-02-28T00:00:00", 0),
            ("quarter", "2023-02-28T23:59:59.999", "2024-12-31T10:00:00", 7),
            ("year", "2020-02-29T10:00:00", "2024-12-31T10:00:00", 4),
            ("quarter", "2024-05-15T10:00:00", "2023-02-28T00:00:00", -4),
            ("month", "2024-03-31T23:59:59.999", "2025-02-28T00:00:00", 10),
        ] {
            let unit = match unit {
                "month" => TimeUnit::Month,
                "quarter" => TimeUnit::Quarter,
                _ => TimeUnit::Year,
            };
            assert_eq!(diff(unit, a, b), duckdb, "DATEDIFF({unit:?}, {a}, {b})");
        }
    }

    #[test]
    fn formats_epochs_and_intervals() {
        let t = ts("2024-01-31T08:05:00");
        assert_eq!(date_format(t, Some("%d/%m/%Y %H:%M".into())).unwrap().as_deref(), Some("31/01/2024 08:05"));
        assert!(date_format(t, Some("%Q".into())).is_err(), "a bad pattern is an error, not a panic");
        assert_eq!(from_unixtime(Some(1_704_067_200)).unwrap(), ts("2024-01-01T00:00:00"));
        assert!(from_unixtime(Some(i64::MAX / 1000)).is_err(), "outside the calendar");
        assert_eq!(unix_timestamp(ts("2024-01-01T00:00:00.999")), Some(1_704_067_200));
        assert_eq!(to_timestamp(Some("2024-01-01 10:00:00".into())).unwrap(), ts("2024-01-01T10:00:00"));
        assert!(to_timestamp(Some("soon".into())).is_err());
        assert_eq!(to_timestamp_with(Some("31.01.2024".into()), Some("%d.%m.%Y".into())).unwrap(), ts("2024-01-31"));
        assert_eq!(add_interval(t, 1, 0).unwrap(), ts("2024-02-29T08:05:00"), "month end is clamped");
        assert_eq!(add_interval(t, -1, -300_000).unwrap(), ts("2023-12-31T08:00:00"));
        assert!(add_interval(Some(Timestamp(i64::MAX)), 0, 1).is_err());
        let last = Timestamp::parse("+262142-12-31T23:59:59.999").unwrap();
        assert!(add_interval(Some(last), 0, 1).is_err(), "past the calendar's end: an error, not a number");
        assert_eq!(add_interval(Some(last), 0, -1).unwrap().unwrap().to_string(), "+262142-12-31T23:59:59.998");
    }
}
