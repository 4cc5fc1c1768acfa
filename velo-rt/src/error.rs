//! Errors raised while processing one record. They never abort the process: the record goes to
//! the dead-letter output and processing continues.

use std::fmt;

/// Why evaluating an expression on one record failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// A result does not fit its type (decimal beyond 38 digits, integer beyond 64 bits).
    Overflow,
    /// Division or modulo by zero.
    DivisionByZero,
    /// Text that should be a number is not one.
    InvalidNumber(String),
    /// A CAST that cannot convert its value.
    InvalidCast(String),
    /// A function argument outside the function's domain.
    InvalidArgument(String),
    /// A record whose windows had all fired when it arrived (event time and watermark in
    /// epoch milliseconds).
    Late {
        /// The record's event time.
        event_time: i64,
        /// The watermark when it arrived.
        watermark: i64,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Overflow => f.write_str("numeric overflow"),
            EvalError::DivisionByZero => f.write_str("division by zero"),
            EvalError::InvalidNumber(t) => write!(f, "invalid number `{t}`"),
            EvalError::InvalidCast(t) => write!(f, "cannot cast {t}"),
            EvalError::InvalidArgument(t) => write!(f, "invalid argument: {t}"),
            EvalError::Late { event_time, watermark } => write!(
                f,
                "late record: event time {} is behind the watermark {} (its windows were already emitted)",
                crate::time::Timestamp(*event_time),
                crate::time::Timestamp(*watermark)
            ),
        }
    }
}

impl std::error::Error for EvalError {}

/// The result type of every generated expression.
pub type EvalResult<T> = Result<T, EvalError>;

/// Why one input record could not be decoded into its typed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Human-readable reason, naming the column where known.
    pub message: String,
}

impl DecodeError {
    /// A decode error with the given reason.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// A decode error for column `column`.
    pub fn column(column: &str, reason: impl fmt::Display) -> Self {
        Self::new(format!("column `{column}`: {reason}"))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// A fatal error that stops the app (a missing input file, a full disk, a bad flag).
#[derive(Debug)]
pub struct FatalError(pub String);

impl fmt::Display for FatalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FatalError {}

impl From<std::io::Error> for FatalError {
    fn from(e: std::io::Error) -> Self {
        FatalError(e.to_string())
    }
}

impl From<csv::Error> for FatalError {
    fn from(e: csv::Error) -> Self {
        FatalError(e.to_string())
    }
}

impl From<serde_json::Error> for FatalError {
    fn from(e: serde_json::Error) -> Self {
        FatalError(e.to_string())
    }
}
