//! `WINDOW TUMBLING(…)` / `SLIDING(…)` / `SESSION(…)` clauses and durations: their syntax, as
//! the planner reads them into a window plan.

use super::Planner;
use crate::bind::Scope;
use crate::diagnostics::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::ir::expr::{Origin, TExpr};
use crate::ir::plan::Input;
use crate::ir::types::SqlType;
use crate::ir::window::{
    EVENT_TIME_COLUMN, EventTime, LateStrategy, TIMESTAMP_COLUMN, TimeFormat, Unreadable, WindowKind, WindowPlan,
};
use crate::syntax::WindowClause;
use crate::syntax::duration::parse_duration;

const FORMAT_HELP: &str = "use epoch_millis, epoch_seconds, iso8601 or a pattern like '%d/%m/%Y %H:%M:%S'";

impl Planner<'_> {
    /// The configured event time of `input` records (`'event.time.field'` and
    /// `'event.time.format'`), for `_event_time`; an error says why it cannot be read.
    pub(super) fn configured_event_time(&self, input: Input, scope: &Scope) -> Result<EventTime, Unreadable> {
        let format = match self.input_prop(input, "event.time.format") {
            Some(p) => Some(TimeFormat::parse(&p.value).ok_or_else(|| Unreadable {
                why: format!("`{}` is not an event-time format", p.value),
                help: Some(FORMAT_HELP.into()),
            })?),
            None => None,
        };
        let column = self.input_prop(input, "event.time.field").map(|p| p.value);
        event_time_column(column.as_deref(), format, scope)
    }

    /// Plans a WINDOW clause: its shape, the event time (the column named in the clause, else
    /// `'<source>.event.time.field'` or `'event.time.field'`, else processing time) and the
    /// watermark properties.
    pub(super) fn window(
        &mut self,
        statement: &str,
        clause: &WindowClause,
        input: Input,
        scope: &Scope,
    ) -> Option<WindowPlan> {
        let spec = parse_clause(clause, self.diags)?;
        let format = self
            .property_value(
                self.input_prop(input, "event.time.format"),
                "an event-time format",
                FORMAT_HELP,
                TimeFormat::parse,
            )
            .ok()?;
        let configured = || self.input_prop(input, "event.time.field").map(|p| p.value);
        let system = |name: &str, system: &str| {
            name.eq_ignore_ascii_case(system) && !scope.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name))
        };
        let column = match spec.time_column {
            Some(c) if system(&c, TIMESTAMP_COLUMN) => None,
            Some(c) if system(&c, EVENT_TIME_COLUMN) => configured(),
            Some(c) => Some(c),
            None => configured(),
        };
        let time = match event_time_column(column.as_deref(), format, scope) {
            Ok(time) => time,
            Err(Unreadable { why, help }) => {
                let mut d = Diagnostic::error("E0218", clause.span.clone(), why);
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                self.diags.push(d);
                return None;
            }
        };
        if time.column.is_none() {
            self.diags.push(
                Diagnostic::warning("W0220", clause.span.clone(), "this window uses processing time")
                    .with_help("name the event-time column, e.g. TUMBLING(ts, 1m), or set 'event.time.field'"),
            );
        }
        // `'<statement>.<key>'` overrides the app-wide `'<key>'`.
        let own = |this: &Self, key: &str| this.prop(statement, key).or(this.props.get(key)).cloned();
        let duration = |this: &mut Self, key: &str| {
            let p = own(this, key);
            let what = format!("a duration for `{key}`");
            let help = "write e.g. '5s', '2m', '500ms' or a number of milliseconds";
            this.property_value(p, &what, help, duration_value).map(|ms| ms.unwrap_or(0))
        };
        let out_of_orderness = duration(self, "watermark.max_out_of_orderness").ok()?;
        let allowed_lateness = duration(self, "allowed.lateness").ok()?;
        let late = self
            .property_value(
                own(self, "late.data.strategy"),
                "a late-data strategy",
                "use drop, dead_letter or update_previous_window",
                LateStrategy::parse,
            )
            .ok()?
            .unwrap_or(LateStrategy::Drop);
        Some(WindowPlan { kind: spec.kind, time, out_of_orderness, allowed_lateness, late })
    }
}

/// The event time read from `column` (a column of `scope`) with `format`; no column means
/// processing time.
fn event_time_column(column: Option<&str>, format: Option<TimeFormat>, scope: &Scope) -> Result<EventTime, Unreadable> {
    let Some(name) = column else {
        return Ok(EventTime { column: None, format });
    };
    let Some(col) = scope.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)) else {
        let help =
            did_you_mean(name, scope.columns.iter().map(|c| c.name.as_str())).map(|s| format!("did you mean `{s}`?"));
        return Err(Unreadable { why: format!("the event-time column `{name}` is not a column of the input"), help });
    };
    let readable = match (&format, col.ty) {
        (None, ty) => matches!(ty, SqlType::Timestamp | SqlType::BigInt),
        (Some(TimeFormat::EpochMillis | TimeFormat::EpochSeconds), SqlType::BigInt) => true,
        (Some(_), ty) => ty == SqlType::String,
    };
    if !readable {
        return Err(Unreadable {
            why: format!("the event-time column `{}` is {}, which cannot be read as a time", col.name, col.ty),
            help: Some(
                "use a TIMESTAMP or BIGINT (epoch milliseconds) column, or a STRING column with 'event.time.format'"
                    .into(),
            ),
        });
    }
    let at = Origin { span: Span::default(), text: col.name.clone() };
    Ok(EventTime { column: Some(TExpr::Column { field: col.field.clone(), ty: col.ty, at }), format })
}

/// A parsed WINDOW clause: the window shape and the event-time column it names, if any.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct WindowClauseSpec {
    /// Window shape.
    pub kind: WindowKind,
    /// `TUMBLING(ts, …)`: the event-time column.
    pub time_column: Option<String>,
}

/// Parses `TUMBLING(1m)`, `TUMBLING(ts, 1m)`, `TUMBLING(ts, INTERVAL '1' MINUTE)`,
/// The longest window (100 years, in ms): window arithmetic stays far from overflow.
const MAX_WINDOW_MS: i64 = 100 * 366 * 24 * 3_600_000;
/// The most windows one record may fall in (`size / advance` of a SLIDING window).
const MAX_WINDOWS_PER_RECORD: i64 = 10_000;

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
            Some(ms) if ms > MAX_WINDOW_MS => {
                return bad(format!("`{a}` is longer than a window may be"), "a window lasts at most 100 years");
            }
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
        [size, advance] if size / advance > MAX_WINDOWS_PER_RECORD => {
            return bad(
                format!("SLIDING({}, {}) puts each record in {} windows", args[0], args[1], size / advance),
                "a record may be in at most 10000 windows: advance by at least size / 10000",
            );
        }
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
        for text in
            ["", "m", "5x", "250us", "INTERVAL'1'FORTNIGHT", "1.5m", "-5s", "t\u{fffd}\u{fffd}0s", "INTERVA\u{e9}"]
        {
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
