//! TIMESTAMP (milliseconds since the Unix epoch, UTC) and DATE (days since the epoch).

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike};

/// A point in time with millisecond precision, UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// A calendar date (days since 1970-01-01).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date(pub i32);

impl Timestamp {
    /// The timestamp `millis` after the epoch, when it lies in the calendar timestamps are
    /// written in (years −262,143 to 262,142): one outside could be printed only as a number,
    /// which no reader takes back as a TIMESTAMP.
    pub fn from_millis(millis: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(millis).map(|_| Timestamp(millis))
    }

    /// Parses ISO 8601 text: `2024-01-01T10:00:00[.fff][Z|±hh:mm]`, a space instead of `T`,
    /// or a bare date (midnight).
    pub fn parse(text: &str) -> Option<Self> {
        velo_spec::time::parse_timestamp(text).map(Timestamp)
    }

    fn to_naive(self) -> Option<NaiveDateTime> {
        DateTime::from_timestamp_millis(self.0).map(|d| d.naive_utc())
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        velo_spec::time::parse_date(text).map(Date)
    }

    fn to_naive(self) -> Option<NaiveDate> {
        NaiveDate::default().checked_add_signed(chrono::Duration::try_days(self.0 as i64)?)
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS`, with `.fff` only when the milliseconds are not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_naive() {
            Some(n) if n.nanosecond() == 0 => write!(f, "{}", n.format("%Y-%m-%dT%H:%M:%S")),
            Some(n) => write!(f, "{}", n.format("%Y-%m-%dT%H:%M:%S%.3f")),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_naive() {
            Some(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp::parse("2024-01-01T10:00:00").unwrap();
        assert_eq!(t.0, 1_704_103_200_000);
        assert_eq!(t.to_string(), "2024-01-01T10:00:00");
        assert_eq!(Timestamp::parse("2024-01-01 10:00:00.25").unwrap().to_string(), "2024-01-01T10:00:00.250");
        assert_eq!(Timestamp::parse("2024-01-01T12:00:00+02:00").unwrap(), t);
        assert_eq!(Timestamp::parse("2024-01-01").unwrap().to_string(), "2024-01-01T00:00:00");
        assert!(Timestamp::parse("yesterday").is_none());
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(Date::parse("1970-01-02").unwrap().0, 1);
        assert_eq!(Date::parse("1969-12-31").unwrap().to_string(), "1969-12-31");
        assert!(Date::parse("2024-13-01").is_none());
    }
}
