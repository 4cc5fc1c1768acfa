//! File formats and their options (`format`, `header`, `delimiter`), read the same way by the
//! planner at build time and by a binary at start-up, after overrides.

/// How a file's records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// CSV with a header row.
    Csv,
    /// CSV without a header; columns are positional.
    CsvNoHeader,
    /// One JSON object per line.
    JsonLines,
    /// A JSON array of objects (a file of one object per line is also read).
    Json,
}

/// The `format` values Velo knows, for messages.
pub const FORMAT_NAMES: &[&str] = &["csv", "csv_no_header", "json", "jsonl", "jsonlines", "ndjson"];

impl FileFormat {
    /// The format a `format` value names.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "csv" => Self::Csv,
            "csv_no_header" => Self::CsvNoHeader,
            "jsonl" | "jsonlines" | "json_lines" | "ndjson" => Self::JsonLines,
            "json" => Self::Json,
            _ => return None,
        })
    }

    /// The format a file name implies: JSON for `.json`, JSON Lines for `.jsonl`/`.ndjson`,
    /// CSV otherwise.
    pub fn from_path(path: &str) -> Self {
        let ext = std::path::Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Self::JsonLines,
            "json" => Self::Json,
            _ => Self::Csv,
        }
    }

    /// The format of an object: its `format` value (else the path's extension), and CSV without
    /// a header when `header` is false.
    pub fn configured(format: Option<&str>, path: &str, header: bool) -> Result<Self, String> {
        let format = match format {
            Some(name) => Self::from_name(name).ok_or_else(|| format!("unknown file format `{name}`"))?,
            None => Self::from_path(path),
        };
        Ok(if format == Self::Csv && !header { Self::CsvNoHeader } else { format })
    }

    /// Whether records are CSV.
    pub fn is_csv(self) -> bool {
        matches!(self, Self::Csv | Self::CsvNoHeader)
    }
}

/// A CSV delimiter: one ASCII character other than a quote or a line break; `\t` or `tab` for a
/// tab.
pub fn parse_delimiter(value: &str) -> Result<u8, String> {
    match value {
        "\\t" => return Ok(b'\t'),
        v if v.eq_ignore_ascii_case("tab") => return Ok(b'\t'),
        _ => {}
    }
    match value.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err(format!("the delimiter `{value}` must be one character other than a quote or a line break")),
    }
}

/// A boolean option: `true` or `false` in any case.
pub fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names_paths_and_header() {
        assert_eq!(FileFormat::from_name("NDJSON"), Some(FileFormat::JsonLines));
        assert_eq!(FileFormat::from_name("parquet"), None);
        assert_eq!(FileFormat::from_path("a/b.JSON"), FileFormat::Json);
        assert_eq!(FileFormat::from_path("a/b.tsv"), FileFormat::Csv);
        assert_eq!(FileFormat::configured(None, "x.csv", false), Ok(FileFormat::CsvNoHeader));
        assert_eq!(FileFormat::configured(Some("jsonl"), "x.csv", false), Ok(FileFormat::JsonLines));
        assert!(FileFormat::configured(Some("xml"), "x.csv", true).is_err());
        for name in FORMAT_NAMES {
            assert!(FileFormat::from_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn delimiters_and_flags() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        assert_eq!(parse_delimiter("TAB"), Ok(b'\t'));
        for bad in ["\"", "\n", ",,", "", "§"] {
            assert!(parse_delimiter(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_flag(" TRUE "), Some(true));
        assert_eq!(parse_flag("1"), None);
    }
}
