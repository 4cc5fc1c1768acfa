//! `WINDOW TUMBLING(…)` / `SLIDING(…)` / `SESSION(…)` clauses and durations: their syntax, as
//! the planner reads them into a window plan.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::window::WindowKind;
use crate::syntax::WindowClause;
use crate::syntax::duration::parse_duration;

/// A parsed WINDOW clause: the window shape and the event-time column it names, if any.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct WindowClauseSpec {
    /// Window shape.
    pub kind: WindowKind,
    /// `TUMBLING(ts, …)`: the event-time column.
    pub time_column: Option<String>,
}

/// Parses `TUMBLING(1m)`, `TUMBLING(ts, 1m)`, `TUMBLING(ts, INTERVAL '1' MINUTE)`,
/// `SLIDING([ts,] 5m, 1m)`; reports E0217 for anything else (E0901 for SESSION).
pub(super) fn parse_clause(clause: &WindowClause, diags: &mut Diagnostics) -> Option<WindowClauseSpec> {
    let span = clause.span.clone();
    let mut bad = |msg: String, help: &str| {
        diags.push(Diagnostic::error("E0217", span.clone(), msg).with_help(help.to_string()));
        None
    };
    let text = clause.text.trim();
    let Some((kind, rest)) = text.split_once('(') else {
        return bad(format!("`WINDOW {text}` is not a window"), "write TUMBLING(ts, 1m) or SLIDING(ts, 5m, 1m)");
    };
    let Some(args) = rest.strip_suffix(')') else {
        return bad(format!("`WINDOW {text}` is not closed"), "write TUMBLING(ts, 1m) or SLIDING(ts, 5m, 1m)");
    };
    let mut args: Vec<&str> = args.split(',').map(str::trim).collect();
    let kind = kind.trim().to_ascii_uppercase();
    let wanted = match kind.as_str() {
        "TUMBLING" | "TUMBLE" => 1,
        "SLIDING" | "HOPPING" | "HOP" => 2,
        "SESSION" => 1,
        _ => return bad(format!("unknown window kind `{kind}`"), "Velo has TUMBLING and SLIDING windows"),
    };
    let time_column = if args.len() == wanted + 1 {
        let col = args.remove(0);
        if parse_duration(col).is_some() || !is_identifier(col) {
            return bad(format!("`{col}` is not a column name"), "the first argument names the event-time column");
        }
        Some(col.to_string())
    } else {
        None
    };
    if args.len() != wanted {
        let form = match (kind.as_str(), wanted) {
            ("SESSION", _) => "SESSION([ts,] gap)",
            (_, 1) => "TUMBLING([ts,] size)",
            _ => "SLIDING([ts,] size, advance)",
        };
        return bad(format!("{kind} takes {form}"), "sizes are like 30s, 5m, 1h, 500ms or INTERVAL '5' MINUTE");
    }
    let mut sizes = Vec::new();
    for a in &args {
        match parse_duration(a) {
            Some(ms) if ms > 0 => sizes.push(ms),
            _ => {
                return bad(
                    format!("`{a}` is not a window duration"),
                    "sizes are like 30s, 5m, 1h, 2d, 500ms or INTERVAL '5' MINUTE, and at least 1 ms",
                );
            }
        }
    }
    let kind = match sizes.as_slice() {
        [gap] if kind == "SESSION" => WindowKind::Session { gap: *gap },
        [size] => WindowKind::Tumbling { size: *size },
        [size, advance] if advance <= size => WindowKind::Sliding { size: *size, advance: *advance },
        _ => return bad("a SLIDING window must advance by at most its size".into(), "e.g. SLIDING(ts, 5m, 1m)"),
    };
    Some(WindowClauseSpec { kind, time_column })
}

fn is_identifier(s: &str) -> bool {
    let s = s.trim_matches('"');
    s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A duration property value (`'5s'`, `'INTERVAL 5 SECOND'`, a bare number of milliseconds) in
/// milliseconds; `None` when it is not one (or negative).
pub(super) fn duration_value(value: &str) -> Option<i64> {
    let ms = match value.trim().parse::<i64>() {
        Ok(ms) => Some(ms),
        Err(_) => parse_duration(value),
    };
    ms.filter(|ms| *ms >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    #[test]
    fn durations_in_every_spelling() {
        for (text, ms) in [
            ("30s", 30_000),
            ("5m", 300_000),
            ("1h", 3_600_000),
            ("2d", 172_800_000),
            ("1w", 604_800_000),
            ("500ms", 500),
            ("30", 30_000),
            ("INTERVAL'1'MINUTE", 60_000),
            ("INTERVAL '5' MINUTES", 300_000),
            ("interval '2 hours'", 7_200_000),
            ("INTERVAL'250'MILLISECOND", 250),
        ] {
            assert_eq!(parse_duration(text), Some(ms), "{text}");
        }
        for text in ["", "m", "5x", "250us", "INTERVAL'1'FORTNIGHT", "1.5m", "-5s"] {
            assert_eq!(parse_duration(text), None, "{text}");
        }
    }

    fn clause(text: &str) -> (Option<WindowClauseSpec>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let c = WindowClause { text: text.into(), span: Span { line: 1, column: 1, end_line: 1, end_column: 2 } };
        (parse_clause(&c, &mut diags), diags)
    }

    #[test]
    fn clauses_with_and_without_a_time_column() {
        let spec = clause("TUMBLING(ts,1m)").0.unwrap();
        assert_eq!(
            spec,
            WindowClauseSpec { kind: WindowKind::Tumbling { size: 60_000 }, time_column: Some("ts".into()) }
        );
        let spec = clause("TUMBLING(INTERVAL'1'MINUTE)").0.unwrap();
        assert_eq!(spec.time_column, None);
        let spec = clause("SLIDING(ts,5m,1m)").0.unwrap();
        assert_eq!(spec.kind, WindowKind::Sliding { size: 300_000, advance: 60_000 });
        for bad in ["SLIDING(ts,1m,5m)", "TUMBLING(ts)", "TUMBLING(1m,ts)", "ROLLING(1m)", "TUMBLING(ts,0s)"] {
            let (spec, diags) = clause(bad);
            assert!(spec.is_none() && diags.has_errors(), "{bad}");
        }
        assert_eq!(clause("SESSION(ts,30s)").0.map(|s| s.kind), Some(WindowKind::Session { gap: 30_000 }));
        assert!(clause("SESSION(ts,30s,user_id)").1.has_errors(), "Velostream's partition argument: use GROUP BY");
    }
}
