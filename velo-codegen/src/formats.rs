//! What the compiler needs to know about file formats and temporal text at build time. The
//! runtime (`velo_rt::io::source`, `velo_rt::time`) accepts the same names and the same text; a
//! test in `tests/` checks that inference and decoding agree.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// A file format named in WITH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// CSV with a header row.
    Csv,
    /// CSV without a header.
    CsvNoHeader,
    /// JSON Lines.
    JsonLines,
    /// A JSON array (or JSON Lines).
    Json,
}

impl FileFormat {
    /// The format of a `format` value (same names as the runtime).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "csv" => Self::Csv,
            "csv_no_header" => Self::CsvNoHeader,
            "jsonl" | "jsonlines" | "json_lines" | "ndjson" => Self::JsonLines,
            "json" => Self::Json,
            _ => return None,
        })
    }

    /// The format a file extension implies, CSV when unknown.
    pub fn from_extension(path: &str) -> Self {
        let ext = std::path::Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Self::JsonLines,
            "json" => Self::Json,
            _ => Self::Csv,
        }
    }
}

/// Whether text is a `YYYY-MM-DD` date.
pub fn is_date(t: &str) -> bool {
    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").is_ok()
}

/// Whether text is an ISO 8601 date-time (with `T` or a space, optional fraction and offset).
pub fn is_timestamp(t: &str) -> bool {
    let t = t.trim();
    DateTime::parse_from_rfc3339(t).is_ok()
        || ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            .iter()
            .any(|f| NaiveDateTime::parse_from_str(t, f).is_ok())
}
