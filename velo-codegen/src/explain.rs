//! `velo explain`: the schemas (declared or inferred) and the typed plan, as text.

use std::fmt::Write as _;

use crate::ir::plan::{Input, Plan};
use crate::ir::window::{WindowKind, WindowPlan};

/// `TUMBLING 60000 ms on ts (watermark −5000 ms, late: DeadLetter)`.
fn describe_window(w: &WindowPlan) -> String {
    let kind = match w.kind {
        WindowKind::Tumbling { size } => format!("TUMBLING {size} ms"),
        WindowKind::Sliding { size, advance } => format!("SLIDING {size} ms every {advance} ms"),
        WindowKind::Session { gap } => format!("SESSION gap {gap} ms"),
    };
    let time = w.time.column.as_ref().map(ToString::to_string).unwrap_or_else(|| "processing time".into());
    let format = w.time.format.as_ref().map(|f| format!(" read as {f:?}")).unwrap_or_default();
    format!(
        "{kind} on {time}{format} (watermark −{} ms, allowed lateness {} ms, late records: {:?})",
        w.out_of_orderness, w.allowed_lateness, w.late
    )
}

/// Describes a plan for people.
pub(crate) fn explain(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "app {}{}",
        plan.app.name.as_deref().unwrap_or("app"),
        plan.app.version.as_ref().map(|v| format!(" {v}")).unwrap_or_default()
    );
    for s in &plan.sources {
        let _ = writeln!(out, "\nsource {} ({}, {:?}) — {}", s.name, s.connector.name(), s.format, s.schema.origin);
        for c in &s.schema.columns {
            let _ = writeln!(out, "  {:<24} {}{}", c.name, c.ty, if c.nullable { "" } else { " NOT NULL" });
        }
    }
    for s in &plan.statements {
        let input = match s.input {
            Input::Source(i) => format!("source {}", plan.sources[i].name),
            Input::Statement(i) => format!("statement {}", plan.statements[i].name),
        };
        let kind = match s.kind {
            crate::syntax::ObjectKind::Stream => "stream",
            crate::syntax::ObjectKind::Table => "table",
        };
        let _ = writeln!(out, "\n{kind} {} ← {input}", s.name);
        if let Some(f) = &s.filter {
            let _ = writeln!(out, "  filter   {f}");
        }
        if s.distinct {
            let _ = writeln!(out, "  distinct");
        }
        if let Some(l) = s.limit {
            let _ = writeln!(out, "  limit    {l}");
        }
        if let Some(a) = &s.aggregate {
            for (i, k) in a.keys.iter().enumerate() {
                let _ = writeln!(out, "  group    k{i} = {k}");
            }
            for (j, c) in a.calls.iter().enumerate() {
                let _ = writeln!(out, "  agg      a{j} = {c}");
            }
            if let Some(w) = &a.window {
                let _ = writeln!(out, "  window   {}", describe_window(w));
            }
            let _ = writeln!(out, "  emit     {:?}", a.emit);
        }
        for (i, c) in s.over.iter().enumerate() {
            let _ = writeln!(out, "  over     w{i} = {c}");
        }
        for it in &s.items {
            let _ = writeln!(out, "  {:<24} {:<16} = {}", it.name, it.expr.ty().to_string(), it.expr);
        }
        if !s.key_columns.is_empty() {
            let _ = writeln!(out, "  key      {}", s.key_columns.join(", "));
        }
        match &s.sink {
            Some(k) => {
                let path = plan
                    .properties
                    .iter()
                    .find(|(p, _)| *p == format!("{}.path", k.object))
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("?");
                let _ = writeln!(out, "  sink     {} ({}, {:?}) → {path}", k.object, k.connector.name(), k.format);
            }
            None => {
                let _ = writeln!(out, "  sink     (none: read by later statements only)");
            }
        }
    }
    out
}
