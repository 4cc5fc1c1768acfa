//! Event-time windows of a GROUP BY: tumbling and sliding (hopping) windows, the watermark that
//! closes them, and what happens to records that arrive after their window closed.
//!
//! The watermark is the largest event time seen so far minus the allowed out-of-orderness. A
//! window `[start, end)` fires — EMIT FINAL emits one row per group — once the watermark reaches
//! `end`. A record all of whose windows have fired is *late*: it is counted and dropped or
//! dead-lettered, or (`update_previous_window`) folded into the fired window, whose row is then
//! emitted again, until the watermark passes `end + allowed lateness`. The end of a bounded input
//! fires every window. Windows are evicted once they can no longer change, so memory is bounded
//! by the windows the watermark has not yet passed.

mod clock;
mod fixed;
mod sessions;

pub use fixed::Windows;
pub use sessions::Sessions;
pub use velo_spec::window::{Hop, LateStrategy, TimeFormat, Watermarks};

use crate::error::{EvalError, EvalResult};
use crate::time::Timestamp;

/// The bounds of one window (`_window_start`, `_window_end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowBounds {
    /// First millisecond in the window.
    pub start: i64,
    /// First millisecond after the window.
    pub end: i64,
}

impl WindowBounds {
    /// `_window_start` as a TIMESTAMP.
    pub fn start_ts(self) -> Option<Timestamp> {
        Some(Timestamp(self.start))
    }

    /// `_window_end` as a TIMESTAMP.
    pub fn end_ts(self) -> Option<Timestamp> {
        Some(Timestamp(self.end))
    }
}

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Folded into at least one window.
    Placed,
    /// Every window of the record had fired: see [`LateStrategy`].
    Late {
        /// The record's event time.
        event_time: i64,
        /// The watermark it arrived behind.
        watermark: i64,
    },
}

impl Fate {
    /// The dead-letter error of a late record.
    pub fn error(self) -> Option<EvalError> {
        match self {
            Fate::Placed => None,
            Fate::Late { event_time, watermark } => Some(EvalError::Late { event_time, watermark }),
        }
    }
}

/// The event time of a record in milliseconds: a TIMESTAMP, or a BIGINT of epoch milliseconds.
pub trait EventTime {
    /// Milliseconds since the epoch; NULL is an error (the record has no place in time).
    fn event_millis(self) -> EvalResult<i64>;
}

impl EventTime for Option<Timestamp> {
    fn event_millis(self) -> EvalResult<i64> {
        self.map(|t| t.0).ok_or_else(null_event_time)
    }
}

impl EventTime for Option<i64> {
    fn event_millis(self) -> EvalResult<i64> {
        self.ok_or_else(null_event_time)
    }
}

fn null_event_time() -> EvalError {
    EvalError::InvalidArgument("the event time is NULL".into())
}

/// The event time of a text column read with `format`; NULL or text that does not match is a
/// record error.
pub fn text_event_time(text: Option<&str>, format: &TimeFormat) -> EvalResult<i64> {
    let text = text.ok_or_else(null_event_time)?;
    let bad = || EvalError::InvalidArgument(format!("event time `{text}` does not match its format {format:?}"));
    let number = || text.trim().parse::<i64>().map_err(|_| bad());
    match format {
        TimeFormat::EpochMillis => number(),
        TimeFormat::EpochSeconds => number()?.checked_mul(1000).ok_or(EvalError::Overflow),
        TimeFormat::Iso8601 => Timestamp::parse(text).map(|t| t.0).ok_or_else(bad),
        TimeFormat::Pattern(p) => crate::temporal::to_timestamp_with(Some(text.to_string()), Some(p.to_string()))?
            .map(|t| t.0)
            .ok_or_else(bad),
    }
}

/// The event time of a BIGINT column of epoch seconds.
pub fn seconds_event_time(v: Option<i64>) -> EvalResult<i64> {
    v.ok_or_else(null_event_time)?.checked_mul(1000).ok_or(EvalError::Overflow)
}

/// Milliseconds since the epoch now: the event time of windows over processing time.
pub fn processing_time() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_times_in_every_format() {
        assert_eq!(text_event_time(Some("1704067200000"), &TimeFormat::EpochMillis), Ok(1_704_067_200_000));
        assert_eq!(text_event_time(Some("1704067200"), &TimeFormat::EpochSeconds), Ok(1_704_067_200_000));
        assert_eq!(text_event_time(Some("2024-01-01T00:00:00Z"), &TimeFormat::Iso8601), Ok(1_704_067_200_000));
        assert_eq!(
            text_event_time(Some("01/01/2024 00:00:01"), &TimeFormat::pattern("%d/%m/%Y %H:%M:%S")),
            Ok(1_704_067_201_000)
        );
        assert!(text_event_time(Some("yesterday"), &TimeFormat::Iso8601).is_err());
        assert!(text_event_time(None, &TimeFormat::EpochMillis).is_err());
        assert_eq!(seconds_event_time(Some(2)), Ok(2000));
    }
}
