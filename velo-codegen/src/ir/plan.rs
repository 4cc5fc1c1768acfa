//! The plan of a whole app: its sources, its statements (the operator graph: each statement
//! reads one source or an earlier statement) and the runtime properties.

use std::path::PathBuf;

use crate::bind::ScopeColumn;
use crate::ir::expr::TExpr;
use crate::ir::over::OverCall;
use crate::schema::Schema;
use crate::syntax::ObjectKind;
use crate::syntax::annotations::{AppAnnotations, JobAnnotations};

/// Where the app comes from.
#[derive(Debug, Clone)]
pub struct AppSource {
    /// The SQL text.
    pub sql: String,
    /// The file name shown in diagnostics.
    pub file_name: String,
    /// The folder of the SQL file (schema files and, as a fallback, data files resolve here).
    pub base_dir: PathBuf,
    /// The app name when no `@app` annotation gives one (the file stem).
    pub default_name: String,
}

/// A whole app, planned.
#[derive(Debug, Clone)]
pub struct Plan {
    /// App name, version and description.
    pub app: AppAnnotations,
    /// Sources, in order of first use.
    pub sources: Vec<SourcePlan>,
    /// Statements, in file order.
    pub statements: Vec<StatementPlan>,
    /// Runtime properties (`object.key`, value) embedded in the binary.
    pub properties: Vec<(String, String)>,
    /// Objects whose runtime properties may be overridden.
    pub objects: Vec<String>,
    /// Schema files read at build time, for rebuild tracking (sampled data files are not
    /// tracked: they can be large, and a changed file only matters if its inferred types change).
    pub files_read: Vec<PathBuf>,
}

/// One file source.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    /// Object name.
    pub name: String,
    /// Its schema.
    pub schema: Schema,
    /// Rust field name of each column.
    pub fields: Vec<String>,
    /// Rust struct name of its rows.
    pub struct_name: String,
    /// A snake_case identifier unique among the sources (`push_<ident>` in library mode).
    pub ident: String,
}

/// What a statement reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A source, by index.
    Source(usize),
    /// An earlier statement, by index.
    Statement(usize),
}

/// One output column of a statement.
#[derive(Debug, Clone)]
pub struct OutputItem {
    /// Column name in the output.
    pub name: String,
    /// Rust field name.
    pub field: String,
    /// The value.
    pub expr: TExpr,
}

/// One `CREATE STREAM|TABLE … AS SELECT …`, planned.
#[derive(Debug, Clone)]
pub struct StatementPlan {
    /// Stream/table name.
    pub name: String,
    /// STREAM or TABLE.
    pub kind: ObjectKind,
    /// What it reads.
    pub input: Input,
    /// WHERE.
    pub filter: Option<TExpr>,
    /// Select items.
    pub items: Vec<OutputItem>,
    /// SELECT DISTINCT.
    pub distinct: bool,
    /// LIMIT.
    pub limit: Option<u64>,
    /// Sink object, if the output is written somewhere.
    pub sink: Option<String>,
    /// Rust struct name of its rows.
    pub struct_name: String,
    /// A snake_case identifier unique among the statements and not `errors` (function, variable
    /// and `Output` field names derive from it).
    pub ident: String,
    /// JSON sinks write decimals as numbers (`'<sink>.decimal.format' = 'number'`).
    pub decimal_as_number: bool,
    /// PRIMARY KEY columns.
    pub key_columns: Vec<String>,
    /// Job annotations.
    pub job: JobAnnotations,
    /// GROUP BY and aggregates; the items are then expressions over keys and aggregate results.
    pub aggregate: Option<crate::ir::aggregate::AggregatePlan>,
    /// Window functions (`f(…) OVER (…)`); the items read them as locals `w<i>`.
    pub over: Vec<OverCall>,
    /// `EXPIRE AFTER` of the OVER clauses: idle partitions are dropped after this many ms.
    pub over_expiry: Option<i64>,
}

impl StatementPlan {
    /// The output columns, as a later statement (or a metric condition) sees them.
    pub fn columns(&self) -> Vec<ScopeColumn> {
        self.items
            .iter()
            .map(|it| ScopeColumn { name: it.name.clone(), field: it.field.clone(), ty: it.expr.ty() })
            .collect()
    }
}
