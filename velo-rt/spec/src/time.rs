//! The temporal text Velo reads: what schema inference calls a DATE or a TIMESTAMP is exactly
//! what a DATE or TIMESTAMP column decodes.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

const TIMESTAMP_FORMATS: &[&str] =
    &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"];

/// Days since 1970-01-01 of `YYYY-MM-DD` text.
pub fn parse_date(text: &str) -> Option<i32> {
    let d = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    i32::try_from((d - NaiveDate::default()).num_days()).ok()
}

/// Milliseconds since the epoch (UTC) of ISO 8601 text: `2024-01-01T10:00:00[.fff][Z|±hh:mm]`,
/// a space instead of `T`, minutes without seconds, or a bare date (midnight).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.timestamp_millis());
    }
    let naive = match TIMESTAMP_FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(t, f).ok()) {
        Some(n) => n,
        None => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?,
    };
    Some(naive.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_timestamp("2024-01-01T10:00:00"), Some(1_704_103_200_000));
        assert_eq!(parse_timestamp("2024-01-01T12:00:00+02:00"), Some(1_704_103_200_000));
        assert_eq!(parse_timestamp("2024-01-01 10:00:00.25"), Some(1_704_103_200_250));
        assert_eq!(parse_timestamp("2024-01-01T10:00"), Some(1_704_103_200_000));
        assert_eq!(parse_timestamp("2024-01-01"), Some(1_704_067_200_000));
        assert_eq!(parse_timestamp("10:00:00"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
