//! Annotations: comment lines `-- @key: value` (DIALECT.md §9) and Velostream's header form
//! `-- SQL Application: name`, `-- Version: …`, `-- Description: …`.

use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// One annotation comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Annotation {
    /// The key without `@`, lower-case (`app`, `num_partitions`, `metric_type`, …).
    pub key: String,
    /// The value, trimmed.
    pub value: String,
    /// Where the comment is.
    pub span: Span,
}

/// Parses the text of one `--` comment (without the `--`), if it is an annotation.
pub(crate) fn parse_comment(comment: &str, span: Span) -> Option<Annotation> {
    let text = comment.trim();
    let header = [("SQL Application:", "app"), ("Version:", "version"), ("Description:", "description")];
    for (prefix, key) in header {
        if let Some(rest) = text.strip_prefix(prefix) {
            return Some(Annotation { key: key.into(), value: rest.trim().into(), span });
        }
    }
    let rest = text.strip_prefix('@')?;
    let (key, value) = rest.split_once(':').unwrap_or((rest, ""));
    let key = key.trim().to_ascii_lowercase();
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        return None;
    }
    // Free text keeps its `#`s; other values may end in a `# comment`.
    let value = if ["description", "metric_help"].contains(&key.as_str()) { value } else { without_comment(value) };
    Some(Annotation { key, value: value.trim().into(), span })
}

/// A value without a trailing `# comment` (as Velostream's annotate tool writes:
/// `-- @job_mode: adaptive  # Options: simple, transactional, adaptive`): a `#` at the start or
/// after white space, outside single quotes, starts it.
fn without_comment(value: &str) -> &str {
    let mut quoted = false;
    let mut previous = ' ';
    for (i, c) in value.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '#' if !quoted && previous.is_whitespace() => return &value[..i],
            _ => {}
        }
        previous = c;
    }
    value
}

/// App-level settings from annotations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AppAnnotations {
    /// `@app` / `-- SQL Application:`.
    pub name: Option<String>,
    /// `@version`.
    pub version: Option<String>,
    /// `@description`.
    pub description: Option<String>,
}

/// Job-level settings of one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JobAnnotations {
    /// `@job_mode`: simple | transactional | adaptive.
    pub job_mode: Option<String>,
    /// `@batch_size`.
    pub batch_size: Option<u64>,
    /// `@num_partitions`.
    pub num_partitions: Option<u64>,
    /// `@partitioning_strategy`.
    pub partitioning_strategy: Option<String>,
}

const APP_KEYS: &[&str] = &[
    "app",
    "application",
    "version",
    "description",
    "author",
    "phase",
    "data_retention",
    "compliance",
    "tag",
    "dependencies",
];
const APP_PREFIXES: &[&str] = &["observability.", "deployment.", "sla.", "data."];
const JOB_KEYS: &[&str] = &["job_mode", "batch_size", "num_partitions", "partitioning_strategy", "name"];
const METRIC_KEYS: &[&str] = &[
    "metric",
    "metric_type",
    "metric_help",
    "metric_labels",
    "metric_field",
    "metric_condition",
    "metric_buckets",
    "metric_sample_rate",
];
const IGNORED_KEYS: &[&str] = &["sticky-partition-id", "partition-count", "depends_on"];

/// Splits annotations into app-level settings and per-statement job settings, reporting unknown
/// keys and bad values.
pub(crate) fn interpret(
    all: &[(usize, Annotation)],
    statements: usize,
    diags: &mut Diagnostics,
) -> (AppAnnotations, Vec<JobAnnotations>) {
    let mut app = AppAnnotations::default();
    let mut jobs = vec![JobAnnotations::default(); statements];
    for (index, a) in all {
        let key = a.key.as_str();
        let number = |diags: &mut Diagnostics| match a.value.parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                diags.push(Diagnostic::error(
                    "E0601",
                    a.span.clone(),
                    format!("@{key} must be a positive whole number, found `{}`", a.value),
                ));
                None
            }
        };
        match key {
            "app" | "application" => app.name = Some(a.value.clone()),
            "version" => app.version = Some(a.value.clone()),
            "description" => app.description = Some(a.value.clone()),
            _ if APP_KEYS.contains(&key) || APP_PREFIXES.iter().any(|p| key.starts_with(p)) => {}
            _ if METRIC_KEYS.contains(&key) || IGNORED_KEYS.contains(&key) => {}
            _ if JOB_KEYS.contains(&key) => {
                let Some(job) = jobs.get_mut(*index) else {
                    continue;
                };
                match key {
                    "job_mode" => {
                        if !["simple", "transactional", "adaptive"].contains(&a.value.as_str()) {
                            diags.push(
                                Diagnostic::error("E0601", a.span.clone(), format!("unknown @job_mode `{}`", a.value))
                                    .with_help("use simple, transactional or adaptive"),
                            );
                        }
                        job.job_mode = Some(a.value.clone());
                    }
                    "batch_size" => job.batch_size = number(diags),
                    "num_partitions" => match number(diags) {
                        Some(n) if n > velo_spec::MAX_PARTITIONS => diags.push(Diagnostic::error(
                            "E0601",
                            a.span.clone(),
                            format!("@num_partitions is at most {} (reader threads)", velo_spec::MAX_PARTITIONS),
                        )),
                        n => job.num_partitions = n,
                    },
                    "partitioning_strategy" => job.partitioning_strategy = Some(a.value.clone()),
                    _ => {}
                }
            }
            _ => {
                let known = APP_KEYS.iter().chain(JOB_KEYS).chain(METRIC_KEYS).copied();
                let mut d =
                    Diagnostic::warning("W0602", a.span.clone(), format!("unknown annotation `@{key}` is ignored"));
                if let Some(s) = crate::diagnostics::did_you_mean(key, known) {
                    d = d.with_help(format!("did you mean `@{s}`?"));
                }
                diags.push(d);
            }
        }
    }
    (app, jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_annotation_forms() {
        let a = parse_comment(" @num_partitions: 4", Span::default()).unwrap();
        assert_eq!((a.key.as_str(), a.value.as_str()), ("num_partitions", "4"));
        let a = parse_comment(" SQL Application: hello_world", Span::default()).unwrap();
        assert_eq!((a.key.as_str(), a.value.as_str()), ("app", "hello_world"));
        assert!(parse_comment(" just a comment: with colon", Span::default()).is_none());
        let value = |c: &str| parse_comment(c, Span::default()).unwrap().value;
        assert_eq!(value(" @job_mode: adaptive  # Options: simple, transactional, adaptive"), "adaptive");
        assert_eq!(value(" @metric_help: trades #1 to #9"), "trades #1 to #9", "free text keeps its `#`");
        assert_eq!(value(" @metric_condition: symbol = '#AAPL' # a tag"), "symbol = '#AAPL'");
        assert_eq!(value(" @metric_labels: a#b"), "a#b", "a `#` inside a word is not a comment");
    }

    #[test]
    fn interprets_and_reports() {
        let all = vec![
            (0, parse_comment("@app: demo", Span::default()).unwrap()),
            (0, parse_comment("@num_partitions: 0", Span::default()).unwrap()),
            (0, parse_comment("@batch_sise: 10", Span::default()).unwrap()),
            (0, parse_comment("@num_partitions: 100000000", Span::default()).unwrap()),
        ];
        let mut d = Diagnostics::default();
        let (app, _) = interpret(&all, 1, &mut d);
        assert_eq!(app.name.as_deref(), Some("demo"));
        let ds = d.into_sorted();
        assert_eq!(ds.len(), 3);
        assert!(ds.iter().any(|x| x.message == "@num_partitions is at most 256 (reader threads)"));
        assert!(ds.iter().any(|x| x.code == "E0601"));
        assert!(ds.iter().any(|x| x.help.as_deref() == Some("did you mean `@batch_size`?")));
    }
}
