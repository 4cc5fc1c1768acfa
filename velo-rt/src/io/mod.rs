//! File sources and sinks, and the dead-letter queue.

pub mod dlq;
pub mod sink;
pub mod source;

/// Strips a `file://` scheme from a configured path.
pub fn strip_file_scheme(path: &str) -> &str {
    path.strip_prefix("file://").unwrap_or(path)
}
