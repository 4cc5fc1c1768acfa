//! Window shapes, watermark settings, late-data strategies and event-time formats: the planner
//! parses them from SQL and WITH keys, generated code passes them to the runtime's window state.

use std::borrow::Cow;

/// How records are assigned to windows (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// `TUMBLING([ts,] size)`: epoch-aligned windows `[k·size, (k+1)·size)`.
    Tumbling {
        /// Window length.
        size: i64,
    },
    /// `SLIDING([ts,] size, advance)`: windows of `size` starting every `advance`.
    Sliding {
        /// Window length.
        size: i64,
        /// Distance between window starts (at most `size`).
        advance: i64,
    },
    /// `SESSION([ts,] gap)`: per key, events less than `gap` apart.
    Session {
        /// Inactivity that ends a session.
        gap: i64,
    },
}

/// Fixed-size windows of `size` ms starting every `advance` ms (tumbling when they are equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    /// Window length.
    pub size: i64,
    /// Distance between window starts.
    pub advance: i64,
}

impl WindowKind {
    /// The fixed windows of a tumbling or sliding shape (`None` for sessions).
    pub fn hop(self) -> Option<Hop> {
        match self {
            WindowKind::Tumbling { size } => Some(Hop { size, advance: size }),
            WindowKind::Sliding { size, advance } => Some(Hop { size, advance }),
            WindowKind::Session { .. } => None,
        }
    }
}

/// What happens to a record whose windows have all fired (`'late.data.strategy'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateStrategy {
    /// `drop` (the default): counted and dropped.
    Drop,
    /// `dead_letter`: counted and written to the statement's dead-letter output.
    DeadLetter,
    /// `update_previous_window`: folded into its fired window, whose row is emitted again, while
    /// the watermark is less than the window end plus the allowed lateness.
    UpdatePreviousWindow,
}

impl LateStrategy {
    /// Parses a `'late.data.strategy'` value.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "drop" => Some(LateStrategy::Drop),
            "dead_letter" | "dead-letter" | "dlq" => Some(LateStrategy::DeadLetter),
            "update_previous_window" | "update_previous" | "update" => Some(LateStrategy::UpdatePreviousWindow),
            _ => None,
        }
    }
}

/// When windows close and how late records are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermarks {
    /// `'watermark.max_out_of_orderness'`: how far behind the largest event time the watermark is.
    pub out_of_orderness: i64,
    /// `'allowed.lateness'`: how long a fired window still accepts late records.
    pub allowed_lateness: i64,
    /// What happens to late records.
    pub late: LateStrategy,
}

/// How a text or number event-time column is read (`'event.time.format'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// `epoch_millis`: milliseconds since the epoch (text or BIGINT).
    EpochMillis,
    /// `epoch_seconds`: seconds since the epoch (text or BIGINT).
    EpochSeconds,
    /// `iso8601`: ISO 8601 text, as a TIMESTAMP column reads it.
    Iso8601,
    /// A chrono/strftime pattern, e.g. `%d/%m/%Y %H:%M:%S`.
    Pattern(Cow<'static, str>),
}

impl TimeFormat {
    /// Parses a `'event.time.format'` value: a name, or a pattern containing `%`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "epoch_millis" | "epoch_ms" | "millis" => Some(TimeFormat::EpochMillis),
            "epoch_seconds" | "epoch" | "seconds" => Some(TimeFormat::EpochSeconds),
            "iso8601" | "iso_8601" | "iso" => Some(TimeFormat::Iso8601),
            _ if value.contains('%') => Some(TimeFormat::Pattern(Cow::Owned(value.to_string()))),
            _ => None,
        }
    }

    /// A pattern format, usable in constants.
    pub const fn pattern(pattern: &'static str) -> Self {
        TimeFormat::Pattern(Cow::Borrowed(pattern))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_strategies_and_formats() {
        assert_eq!(WindowKind::Tumbling { size: 5 }.hop(), Some(Hop { size: 5, advance: 5 }));
        assert_eq!(WindowKind::Session { gap: 5 }.hop(), None);
        assert_eq!(LateStrategy::parse("Dead-Letter"), Some(LateStrategy::DeadLetter));
        assert_eq!(
            LateStrategy::parse("update_previous"),
            Some(LateStrategy::UpdatePreviousWindow),
            "Velostream's short form"
        );
        assert_eq!(LateStrategy::parse("keep"), None);
        assert_eq!(TimeFormat::parse("epoch"), Some(TimeFormat::EpochSeconds));
        assert_eq!(TimeFormat::parse("%Y"), Some(TimeFormat::pattern("%Y")));
        assert_eq!(TimeFormat::parse("yyyy"), None);
    }
}
