//! The Velo SQL parser: a thin wrapper over `sqlparser` (DataFusion's `DFParser` pattern).
//!
//! sqlparser tokenizes the whole file and parses every standard part (the SELECT query, column
//! definitions, expressions). The Velostream extensions that standard SQL lacks are recognised at
//! token level, at parenthesis depth 0, and lifted out of the token stream before the rest is
//! handed to sqlparser, so all spans still point into the original file:
//!
//! ```text
//! CREATE STREAM|TABLE name [(col type, …)] AS
//!   SELECT [DISTINCT] item [PRIMARY KEY], … FROM source|'uri' [alias] …
//!   [WHERE …] [GROUP BY …] [WINDOW kind(…)] [HAVING …] [ORDER BY …] [LIMIT n]   -- any order
//!   [EMIT CHANGES|FINAL] [INTO sink|'uri'] [WITH ('k' = 'v', …)] ;
//! SELECT … INTO sink [WITH (…)] ;              -- an unnamed stream, named after its sink
//! ```
//! Comments of the form `-- @key: value` are annotations (see [`annotations`]).

pub(crate) mod annotations;
pub(crate) mod duration;
mod nesting;

use std::fmt;

use sqlparser::ast::{ColumnDef, Expr, Ident, Query, SetExpr};
use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::syntax::annotations::Annotation;

/// A whole app file.
#[derive(Debug, Clone)]
pub(crate) struct ParsedApp {
    /// The statements, in file order.
    pub statements: Vec<CreateStatement>,
    /// Every annotation comment in the file, with the index of the statement it precedes or sits in.
    pub annotations: Vec<(usize, Annotation)>,
}

/// STREAM (append-only) or TABLE (upsert changelog).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    /// `CREATE STREAM`.
    Stream,
    /// `CREATE TABLE`.
    Table,
}

/// `EMIT CHANGES` or `EMIT FINAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmitMode {
    /// A result row per input record.
    Changes,
    /// One row per group when its window closes or the bounded input ends.
    Final,
}

/// Where a statement's output goes (`INTO …`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SinkTarget {
    /// A named sink object configured in WITH.
    Name(Ident),
    /// A URI such as `'file:///out/x.csv'`.
    Uri(String, Span),
}

/// One `'key' = 'value'` pair of a WITH list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Property {
    /// The key, e.g. `orders.path`.
    pub key: String,
    /// The value.
    pub value: String,
    /// Where the key is.
    pub key_span: Span,
    /// Where the value is.
    pub value_span: Span,
}

/// A source written as a URI (`FROM 'file:///data/x.csv'`), given a synthetic name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UriSource {
    /// The name the query uses for it.
    pub name: String,
    /// The URI.
    pub uri: String,
    /// Where it is.
    pub span: Span,
}

/// A `WINDOW kind(args)` clause, kept as text until windows are planned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WindowClause {
    /// The clause text, e.g. `TUMBLING(ts, 1m)`.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// `CREATE STREAM|TABLE name AS SELECT …` with its Velostream clauses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreateStatement {
    /// STREAM or TABLE.
    pub kind: ObjectKind,
    /// The created object's name.
    pub name: Ident,
    /// The optional declared column list.
    pub columns: Vec<ColumnDef>,
    /// The query.
    pub query: Box<Query>,
    /// Indexes of select items marked `PRIMARY KEY`.
    pub key_items: Vec<usize>,
    /// `EMIT …`, if written.
    pub emit: Option<EmitMode>,
    /// `INTO …`, if written.
    pub into: Option<SinkTarget>,
    /// The WITH properties.
    pub with: Vec<Property>,
    /// `WINDOW …`, if written.
    pub window: Option<WindowClause>,
    /// Sources written as URIs.
    pub uri_sources: Vec<UriSource>,
    /// `EXPIRE AFTER …` of its OVER clauses: partitions idle this many milliseconds are dropped.
    pub over_expiry: Option<i64>,
    /// Where the statement starts.
    pub span: Span,
    /// Written as a bare `SELECT … INTO` (no CREATE).
    pub implicit: bool,
}

impl CreateStatement {
    /// The SELECT of the query, when it is a plain SELECT (not UNION etc.).
    pub(crate) fn select(&self) -> Option<&sqlparser::ast::Select> {
        match self.query.body.as_ref() {
            SetExpr::Select(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses a whole app file, collecting every problem.
pub(crate) fn parse_app(text: &str, diags: &mut Diagnostics) -> ParsedApp {
    let dialect = GenericDialect {};
    let tokens = match Tokenizer::new(&dialect, text).tokenize_with_location() {
        Ok(t) => t,
        Err(e) => {
            let span = Span::at(e.location.line, e.location.column, 1);
            diags.push(Diagnostic::error("E0001", span, format!("syntax error: {}", e.message)));
            return ParsedApp { statements: Vec::new(), annotations: Vec::new() };
        }
    };
    let mut app = ParsedApp { statements: Vec::new(), annotations: Vec::new() };
    for chunk in split_statements(tokens) {
        let index = app.statements.len();
        for t in &chunk {
            if let Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) = &t.token
                && let Some(a) = crate::syntax::annotations::parse_comment(comment, Span::from_sql(t.span))
            {
                app.annotations.push((index, a));
            }
        }
        let significant: Vec<TokenWithSpan> =
            chunk.into_iter().filter(|t| !matches!(t.token, Token::Whitespace(_))).collect();
        if significant.is_empty() {
            continue;
        }
        if let Some(stmt) = parse_statement(significant, index, diags) {
            app.statements.push(stmt);
        }
    }
    if app.statements.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error("E0002", Span::at(1, 1, 1), "the file has no statements")
                .with_help("an app is one or more `CREATE STREAM name AS SELECT … ;` statements"),
        );
    }
    app
}

/// Splits the token stream at `;` outside parentheses; trailing comments form a last chunk.
fn split_statements(tokens: Vec<TokenWithSpan>) -> Vec<Vec<TokenWithSpan>> {
    let mut chunks = vec![Vec::new()];
    let mut depth = 0i32;
    for t in tokens {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::SemiColon if depth <= 0 => {
                chunks.push(Vec::new());
                depth = 0;
                continue;
            }
            Token::EOF => continue,
            _ => {}
        }
        if let Some(last) = chunks.last_mut() {
            last.push(t);
        }
    }
    chunks
}

fn word_is(t: &Token, text: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(text))
}

fn span_of(t: &TokenWithSpan) -> Span {
    Span::from_sql(t.span)
}

/// The text of a string-like token: `'x'`, `"x"`, or a bare word.
fn string_value(t: &Token) -> Option<String> {
    match t {
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
        Token::Word(w) => Some(w.value.clone()),
        Token::Number(n, _) => Some(n.clone()),
        _ => None,
    }
}

/// Parses one statement from its significant tokens.
fn parse_statement(tokens: Vec<TokenWithSpan>, index: usize, diags: &mut Diagnostics) -> Option<CreateStatement> {
    let first = &tokens[0];
    let start_span = span_of(first);
    let implicit = word_is(&first.token, "SELECT");
    if !implicit && !word_is(&first.token, "CREATE") {
        diags.push(
            Diagnostic::error("E0003", start_span, format!("expected `CREATE STREAM` or `CREATE TABLE`, found `{}`", first.token))
                .with_help("every statement is `CREATE STREAM|TABLE name AS SELECT …`; anything else after the last `;` must be a comment"),
        );
        return None;
    }
    let Some(select_at) = find_depth0(&tokens, 0, |t| word_is(t, "SELECT")) else {
        diags.push(Diagnostic::error("E0004", start_span, "expected `AS SELECT …` in this statement"));
        return None;
    };
    if !nesting::check(&tokens, diags) {
        return None;
    }
    let mut ext = Extensions::default();
    let mut over_expiry = None;
    let query_tokens =
        rewrite_row_buffers(lift_extensions(&tokens[select_at..], &mut ext, diags)?, &mut over_expiry, diags);
    let mut all: Vec<TokenWithSpan> = tokens[..select_at].to_vec();
    all.extend(query_tokens);
    let end = all.last().map(|t| t.span.end).unwrap_or(Location { line: 0, column: 0 });
    all.push(TokenWithSpan::new(Token::EOF, sqlparser::tokenizer::Span::new(end, end)));

    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect).with_recursion_limit(2 * nesting::MAX_DEPTH).with_tokens_with_locations(all);
    let result = (|| -> Result<CreateStatement, ParserError> {
        let (kind, name, columns) = if implicit {
            let name = match &ext.into {
                Some(SinkTarget::Name(n)) => n.clone(),
                Some(SinkTarget::Uri(uri, span)) => Ident::with_span(to_sql_span(span), uri_name(uri)),
                None => Ident::new(format!("query_{}", index + 1)),
            };
            (ObjectKind::Stream, name, Vec::new())
        } else {
            parser.expect_keyword(Keyword::CREATE)?;
            let kind = if parser.parse_keyword(Keyword::TABLE) {
                ObjectKind::Table
            } else if word_is(&parser.peek_token().token, "STREAM") {
                parser.next_token();
                ObjectKind::Stream
            } else {
                return parser.expected("STREAM or TABLE after CREATE", parser.peek_token());
            };
            let name = parser.parse_identifier()?;
            let columns =
                if parser.peek_token().token == Token::LParen { parser.parse_columns()?.0 } else { Vec::new() };
            parser.expect_keyword(Keyword::AS)?;
            (kind, name, columns)
        };
        let query = parser.parse_query()?;
        let next = parser.peek_token();
        if next.token != Token::EOF {
            return parser.expected("the end of the statement (`;`)", next);
        }
        Ok(CreateStatement {
            kind,
            name,
            columns,
            query,
            key_items: std::mem::take(&mut ext.key_items),
            emit: ext.emit,
            into: ext.into.clone(),
            with: std::mem::take(&mut ext.with),
            window: ext.window.take(),
            uri_sources: std::mem::take(&mut ext.uri_sources),
            over_expiry,
            span: start_span.clone(),
            implicit,
        })
    })();
    match result {
        Ok(s) => Some(s),
        Err(e) => {
            diags.push(parser_error(&e, &start_span));
            None
        }
    }
}

fn to_sql_span(s: &Span) -> sqlparser::tokenizer::Span {
    sqlparser::tokenizer::Span::new(Location::new(s.line, s.column), Location::new(s.end_line, s.end_column))
}

/// Turns a sqlparser error ("… at Line: l, Column: c") into a diagnostic at that place.
fn parser_error(e: &ParserError, fallback: &Span) -> Diagnostic {
    let text = match e {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s.clone(),
        ParserError::RecursionLimitExceeded => "the statement is nested too deeply".to_string(),
    };
    let (message, span) = match text.rfind(" at Line: ") {
        Some(at) => {
            let loc = &text[at + " at Line: ".len()..];
            let mut parts = loc.split(", Column: ");
            let line = parts.next().and_then(|l| l.trim().parse().ok());
            let col = parts.next().and_then(|c| c.trim().parse().ok());
            match (line, col) {
                (Some(l), Some(c)) => (text[..at].to_string(), Span::at(l, c, 1)),
                _ => (text.clone(), fallback.clone()),
            }
        }
        None => (text.clone(), fallback.clone()),
    };
    Diagnostic::error("E0001", span, format!("syntax error: {message}"))
}

/// The Velostream clauses lifted out of one statement.
#[derive(Default)]
struct Extensions {
    key_items: Vec<usize>,
    emit: Option<EmitMode>,
    into: Option<SinkTarget>,
    with: Vec<Property>,
    window: Option<WindowClause>,
    uri_sources: Vec<UriSource>,
}

fn find_depth0(tokens: &[TokenWithSpan], from: usize, pred: impl Fn(&Token) -> bool) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(from) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ if depth == 0 && pred(&t.token) => return Some(i),
            _ => {}
        }
    }
    None
}

/// Rewrites Velostream's `OVER (ROWS WINDOW BUFFER n ROWS [PARTITION BY …] [ORDER BY …] [frame]
/// [EMIT EVERY RECORD])` into standard SQL: the buffer becomes the frame `ROWS BETWEEN n-1
/// PRECEDING AND CURRENT ROW` unless the clause has its own frame (each OVER keeps its own frame,
/// never a buffer shared across clauses). `EXPIRE AFTER INTERVAL … [INACTIVITY]` is lifted into
/// `expiry` (the shortest of the statement's clauses); `EXPIRE AFTER NEVER` is the default.
fn rewrite_row_buffers(q: Vec<TokenWithSpan>, expiry: &mut Option<i64>, diags: &mut Diagnostics) -> Vec<TokenWithSpan> {
    let mut out = Vec::with_capacity(q.len());
    let mut i = 0;
    while i < q.len() {
        let is_over = word_is(&q[i].token, "OVER") && q.get(i + 1).is_some_and(|t| t.token == Token::LParen);
        let end = if is_over { close_paren(&q, i + 1) } else { None };
        let Some(end) = end else {
            out.push(q[i].clone());
            i += 1;
            continue;
        };
        // q[i] = OVER, q[i + 1] = `(`, q[end - 1] = `)`.
        let inner = &q[i + 2..end - 1];
        let words: Vec<&Token> = inner.iter().map(|t| &t.token).collect();
        let buffer = match words.as_slice() {
            [r, w, b, Token::Number(n, _), r2, ..]
                if word_is(r, "ROWS") && word_is(w, "WINDOW") && word_is(b, "BUFFER") && word_is(r2, "ROWS") =>
            {
                n.parse::<u64>().ok()
            }
            _ => None,
        };
        out.extend_from_slice(&q[i..i + 2]);
        let mut body: Vec<TokenWithSpan> = inner[if buffer.is_some() { 5 } else { 0 }..].to_vec();
        // `EMIT EVERY RECORD` is how every OVER behaves; `EMIT ON BUFFER FULL` is not supported.
        if let Some(at) = body.iter().position(|t| word_is(&t.token, "EMIT")) {
            let every = body.get(at + 1).is_some_and(|t| word_is(&t.token, "EVERY"));
            if !every {
                diags.push(Diagnostic::error(
                    "E0901",
                    span_of(&body[at]),
                    "only `EMIT EVERY RECORD` is supported in OVER",
                ));
            }
            body.truncate(at);
        }
        if let Some(at) = body.iter().position(|t| word_is(&t.token, "EXPIRE")) {
            let rest: Vec<&Token> = body[at + 1..].iter().map(|t| &t.token).collect();
            match rest.as_slice() {
                [after, never] if word_is(after, "AFTER") && word_is(never, "NEVER") => {}
                [after, interval @ ..] if word_is(after, "AFTER") => {
                    let words: Vec<&Token> = interval.iter().copied().filter(|t| !word_is(t, "INACTIVITY")).collect();
                    let text: String = words.iter().map(|t| t.to_string()).collect();
                    match duration::parse_duration(&text) {
                        Some(ms) if ms > 0 => *expiry = Some(expiry.map_or(ms, |e: i64| e.min(ms))),
                        _ => diags.push(
                            Diagnostic::error(
                                "E0221",
                                span_of(&body[at]),
                                format!("`{text}` is not an expiry duration"),
                            )
                            .with_help("write EXPIRE AFTER INTERVAL '10' MINUTE INACTIVITY or EXPIRE AFTER NEVER"),
                        ),
                    }
                }
                _ => diags.push(
                    Diagnostic::error("E0221", span_of(&body[at]), "EXPIRE must be followed by AFTER")
                        .with_help("write EXPIRE AFTER INTERVAL '10' MINUTE INACTIVITY or EXPIRE AFTER NEVER"),
                ),
            }
            body.truncate(at);
        }
        let framed = body.iter().any(|t| word_is(&t.token, "ROWS") || word_is(&t.token, "RANGE"));
        out.extend(body);
        if let (Some(n), false) = (buffer, framed) {
            let at = q[i + 2].span;
            let tok = |t: Token| TokenWithSpan::new(t, at);
            let word = |w: &str| tok(Token::make_keyword(w));
            out.extend([
                word("ROWS"),
                word("BETWEEN"),
                tok(Token::Number(n.saturating_sub(1).to_string(), false)),
                word("PRECEDING"),
                word("AND"),
                word("CURRENT"),
                word("ROW"),
            ]);
        }
        out.push(q[end - 1].clone());
        i = end;
    }
    out
}

/// Index just past the parenthesised group starting at `open` (which must be `(`).
fn close_paren(tokens: &[TokenWithSpan], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Like [`close_paren`]; an unclosed parenthesis of clause `what` is reported (E0001).
fn closed(tokens: &[TokenWithSpan], open: usize, what: &str, diags: &mut Diagnostics) -> Option<usize> {
    let end = close_paren(tokens, open);
    if end.is_none() {
        diags.push(
            Diagnostic::error(
                "E0001",
                span_of(&tokens[open]),
                format!("syntax error: the `(` of {what} is not closed"),
            )
            .with_help("close it with `)` before the `;` that ends the statement"),
        );
    }
    end
}

/// The standard clauses after FROM, in the order sqlparser expects them.
const CLAUSES: &[&[&str]] = &[&["WHERE"], &["GROUP", "BY"], &["HAVING"], &["ORDER", "BY"], &["LIMIT"]];

fn clause_at(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    CLAUSES.iter().position(|words| {
        words.iter().enumerate().all(|(k, w)| tokens.get(i + k).is_some_and(|t| word_is(&t.token, w)))
    })
}

/// Removes the Velostream clauses from a query's tokens (recording them in `ext`) and puts the
/// standard clauses after FROM into standard order.
fn lift_extensions(q: &[TokenWithSpan], ext: &mut Extensions, diags: &mut Diagnostics) -> Option<Vec<TokenWithSpan>> {
    let from_at = find_depth0(q, 0, |t| word_is(t, "FROM")).unwrap_or(q.len());
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(q.len());
    let mut depth = 0;
    let mut item = 0;
    let mut i = 0;
    while i < q.len() {
        let t = &q[i];
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        if depth != 0 {
            out.push(t.clone());
            i += 1;
            continue;
        }
        let next_is = |w: &str| q.get(i + 1).is_some_and(|n| word_is(&n.token, w));
        if i < from_at {
            if t.token == Token::Comma {
                item += 1;
            } else if word_is(&t.token, "PRIMARY") && next_is("KEY") {
                ext.key_items.push(item);
                i += 2;
                continue;
            }
            out.push(t.clone());
            i += 1;
            continue;
        }
        let after_from_or_join = i > 0 && (word_is(&q[i - 1].token, "FROM") || word_is(&q[i - 1].token, "JOIN"));
        match &t.token {
            Token::SingleQuotedString(uri) if after_from_or_join => {
                let name = uri_name(uri);
                ext.uri_sources.push(UriSource { name: name.clone(), uri: uri.clone(), span: span_of(t) });
                out.push(TokenWithSpan::new(Token::make_word(&name, Some('"')), t.span));
                i += 1;
            }
            _ if word_is(&t.token, "EMIT") => {
                let mode = q.get(i + 1).and_then(|n| {
                    if word_is(&n.token, "CHANGES") {
                        Some(EmitMode::Changes)
                    } else if word_is(&n.token, "FINAL") {
                        Some(EmitMode::Final)
                    } else {
                        None
                    }
                });
                match mode {
                    Some(m) => {
                        if ext.emit.is_some() {
                            diags.push(Diagnostic::error("E0005", span_of(t), "EMIT is written twice"));
                        }
                        ext.emit = Some(m);
                        i += 2;
                    }
                    None => {
                        diags.push(Diagnostic::error(
                            "E0001",
                            span_of(t),
                            "syntax error: expected CHANGES or FINAL after EMIT",
                        ));
                        return None;
                    }
                }
            }
            _ if word_is(&t.token, "INTO") => {
                let target = q.get(i + 1);
                match target.map(|n| &n.token) {
                    Some(Token::SingleQuotedString(uri)) => {
                        ext.into = Some(SinkTarget::Uri(uri.clone(), target.map(span_of).unwrap_or_default()));
                    }
                    // Any word names the sink (`out` is a keyword to sqlparser), but not a clause.
                    Some(Token::Word(w))
                        if w.quote_style.is_some()
                            || !["WITH", "EMIT"].iter().any(|c| w.value.eq_ignore_ascii_case(c)) =>
                    {
                        ext.into = Some(SinkTarget::Name(Ident {
                            value: w.value.clone(),
                            quote_style: w.quote_style,
                            span: target.map(|n| n.span).unwrap_or(t.span),
                        }));
                    }
                    _ => {
                        diags.push(Diagnostic::error(
                            "E0001",
                            span_of(t),
                            "syntax error: expected a sink name or URI after INTO",
                        ));
                        return None;
                    }
                }
                i += 2;
            }
            _ if word_is(&t.token, "WITH") && q.get(i + 1).is_some_and(|n| n.token == Token::LParen) => {
                let end = closed(q, i + 1, "WITH", diags)?;
                parse_properties(&q[i + 2..end.saturating_sub(1)], &mut ext.with, diags);
                i = end;
            }
            _ if word_is(&t.token, "WINDOW") && q.get(i + 2).is_some_and(|n| n.token == Token::LParen) => {
                let end = closed(q, i + 2, "WINDOW", diags)?;
                let text: String = q[i + 1..end].iter().map(|t| t.token.to_string()).collect::<Vec<_>>().join("");
                let mut span = span_of(&q[i + 1]);
                if let Some(last) = q.get(end - 1) {
                    span.end_line = last.span.end.line;
                    span.end_column = last.span.end.column;
                }
                ext.window = Some(WindowClause { text, span });
                i = end;
            }
            _ => {
                out.push(t.clone());
                i += 1;
            }
        }
    }
    Some(reorder_clauses(out, diags))
}

/// Reorders `WHERE / GROUP BY / HAVING / ORDER BY / LIMIT` (any order in Velostream) into the
/// standard order; a clause written twice is an error.
fn reorder_clauses(tokens: Vec<TokenWithSpan>, diags: &mut Diagnostics) -> Vec<TokenWithSpan> {
    let Some(from_at) = find_depth0(&tokens, 0, |t| word_is(t, "FROM")) else {
        return tokens;
    };
    let mut head: Vec<TokenWithSpan> = Vec::new();
    let mut clauses: Vec<Option<Vec<TokenWithSpan>>> = vec![None; CLAUSES.len()];
    let mut current: Option<usize> = None;
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        if depth == 0
            && i > from_at
            && let Some(c) = clause_at(&tokens, i)
        {
            // `ORDER BY` inside `OVER (…)` is at depth > 0; `BY` of GROUP/ORDER is not a start.
            if clauses[c].is_some() {
                diags.push(Diagnostic::error(
                    "E0005",
                    span_of(t),
                    format!("{} is written twice", CLAUSES[c].join(" ")),
                ));
            }
            clauses[c] = Some(Vec::new());
            current = Some(c);
        }
        match current {
            Some(c) => clauses[c].get_or_insert_with(Vec::new).push(t.clone()),
            None => head.push(t.clone()),
        }
    }
    head.extend(clauses.into_iter().flatten().flatten());
    head
}

/// Parses `'k' = 'v', …` (keys and values may use single or double quotes; values may be bare
/// words, numbers or booleans).
fn parse_properties(tokens: &[TokenWithSpan], out: &mut Vec<Property>, diags: &mut Diagnostics) {
    for item in tokens.split(|t| t.token == Token::Comma) {
        if item.is_empty() {
            continue;
        }
        let Some(eq) = item.iter().position(|t| t.token == Token::Eq) else {
            diags.push(Diagnostic::error("E0006", span_of(&item[0]), "expected `'key' = 'value'` in WITH"));
            continue;
        };
        let key: Option<String> = if eq == 1 {
            string_value(&item[0].token)
        } else {
            // bare dotted keys: a.b.c
            item[..eq]
                .iter()
                .map(|t| string_value(&t.token).or_else(|| (t.token == Token::Period).then(|| ".".into())))
                .collect()
        };
        let value = match &item[eq + 1..] {
            [v] => string_value(&v.token),
            [] => None,
            rest => Some(rest.iter().map(|t| t.token.to_string()).collect()),
        };
        match (key, value) {
            (Some(key), Some(value)) if eq > 0 => {
                let mut key_span = span_of(&item[0]);
                key_span.end_line = item[eq - 1].span.end.line;
                key_span.end_column = item[eq - 1].span.end.column;
                out.push(Property { key, value, key_span, value_span: span_of(&item[eq + 1]) });
            }
            _ => diags.push(Diagnostic::error("E0006", span_of(&item[0]), "expected `'key' = 'value'` in WITH")),
        }
    }
}

/// A name for a URI source or sink: the file stem or the topic (`file:///d/trades.csv` → `trades`).
pub(crate) fn uri_name(uri: &str) -> String {
    let last = uri.trim_end_matches('/').rsplit('/').next().unwrap_or(uri);
    let stem = last.split('.').next().unwrap_or(last);
    let name: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if name.is_empty() { "uri_source".into() } else { name }
}

impl fmt::Display for CreateStatement {
    /// Prints the statement in canonical form; parsing the output gives the same statement.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.implicit {
            let kind = match self.kind {
                ObjectKind::Stream => "STREAM",
                ObjectKind::Table => "TABLE",
            };
            write!(f, "CREATE {kind} {}", self.name)?;
            if !self.columns.is_empty() {
                let cols: Vec<String> = self.columns.iter().map(|c| c.to_string()).collect();
                write!(f, " ({})", cols.join(", "))?;
            }
            write!(f, " AS ")?;
        }
        match self.select() {
            Some(select) => {
                write!(f, "SELECT ")?;
                if let Some(d) = &select.distinct {
                    write!(f, "{d} ")?;
                }
                for (i, item) in select.projection.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                    if self.key_items.contains(&i) {
                        write!(f, " PRIMARY KEY")?;
                    }
                }
                if !select.from.is_empty() {
                    let from: Vec<String> = select.from.iter().map(|t| t.to_string()).collect();
                    write!(f, " FROM {}", from.join(", "))?;
                }
                if let Some(w) = &select.selection {
                    write!(f, " WHERE {w}")?;
                }
                if let sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &select.group_by
                    && !exprs.is_empty()
                {
                    let g: Vec<String> = exprs.iter().map(Expr::to_string).collect();
                    write!(f, " GROUP BY {}", g.join(", "))?;
                }
                if let Some(w) = &self.window {
                    write!(f, " WINDOW {}", w.text)?;
                }
                if let Some(h) = &select.having {
                    write!(f, " HAVING {h}")?;
                }
                if let Some(o) = &self.query.order_by {
                    write!(f, " {o}")?;
                }
                if let Some(l) = &self.query.limit_clause {
                    write!(f, "{l}")?;
                }
            }
            None => write!(f, "{}", self.query)?,
        }
        match self.emit {
            Some(EmitMode::Changes) => write!(f, " EMIT CHANGES")?,
            Some(EmitMode::Final) => write!(f, " EMIT FINAL")?,
            None => {}
        }
        match &self.into {
            Some(SinkTarget::Name(n)) => write!(f, " INTO {n}")?,
            Some(SinkTarget::Uri(u, _)) => write!(f, " INTO '{}'", u.replace('\'', "''"))?,
            None => {}
        }
        if !self.with.is_empty() {
            let props: Vec<String> = self
                .with
                .iter()
                .map(|p| format!("'{}' = '{}'", p.key.replace('\'', "''"), p.value.replace('\'', "''")))
                .collect();
            write!(f, " WITH ({})", props.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(sql: &str) -> ParsedApp {
        let mut d = Diagnostics::default();
        let app = parse_app(sql, &mut d);
        assert!(!d.has_errors(), "{:?}", d.into_sorted());
        app
    }

    fn round_trip(sql: &str) -> String {
        let app = parse_ok(sql);
        let printed: Vec<String> = app.statements.iter().map(|s| s.to_string()).collect();
        let again = parse_ok(&(printed.join(";\n") + ";"));
        let reprinted: Vec<String> = again.statements.iter().map(|s| s.to_string()).collect();
        assert_eq!(printed, reprinted);
        // The ASTs match too (spans differ, so compare the printed forms of each part).
        let kv = |s: &CreateStatement| s.with.iter().map(|p| (p.key.clone(), p.value.clone())).collect::<Vec<_>>();
        for (a, b) in app.statements.iter().zip(&again.statements) {
            assert_eq!(a.query.to_string(), b.query.to_string());
            assert_eq!(kv(a), kv(b));
            assert_eq!(a.key_items, b.key_items);
        }
        printed.join(";\n")
    }

    #[test]
    fn velostream_clauses_round_trip() {
        let sql = "-- @app: demo\nCREATE STREAM out AS SELECT id PRIMARY KEY, 'it''s' AS s FROM src WHERE a > 1 EMIT CHANGES INTO sink WITH ('src.type' = 'file_source', \"src.path\" = \"x.csv\");";
        assert_eq!(
            round_trip(sql),
            "CREATE STREAM out AS SELECT id PRIMARY KEY, 'it''s' AS s FROM src WHERE a > 1 EMIT CHANGES INTO sink WITH ('src.type' = 'file_source', 'src.path' = 'x.csv')"
        );
    }

    #[test]
    fn clause_order_is_free_after_from() {
        let printed = round_trip(
            "CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s LIMIT 5 HAVING COUNT(*) > 1 GROUP BY k WHERE x = 1",
        );
        assert_eq!(
            printed,
            "CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WHERE x = 1 GROUP BY k HAVING COUNT(*) > 1 LIMIT 5"
        );
    }

    #[test]
    fn uri_sources_and_bare_select_into() {
        let app = parse_ok("SELECT * FROM 'file:///data/trades.csv' INTO 'file:///out/x.jsonl';");
        let s = &app.statements[0];
        assert!(s.implicit);
        assert_eq!(s.uri_sources[0].name, "trades");
        assert_eq!(s.name.value, "x");
        round_trip("SELECT * FROM 'file:///data/trades.csv' INTO 'file:///out/x.jsonl'");
    }

    #[test]
    fn several_statements_and_trailing_comments() {
        let app =
            parse_ok("CREATE STREAM a AS SELECT * FROM s;\n/* c */ CREATE STREAM b AS SELECT x FROM a; -- done\n");
        assert_eq!(app.statements.len(), 2);
        assert_eq!(app.statements[1].name.value, "b");
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        let mut d = Diagnostics::default();
        parse_app("CREATE STREAM a AS SELECT * FROM s; garbage here", &mut d);
        let errs = d.into_sorted();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].code, errs[0].span.line, errs[0].span.column), ("E0003", 1, 37));
        let mut d = Diagnostics::default();
        parse_app("CREATE STREAM a AS SELECT * FROM s garbage tokens", &mut d);
        let errs = d.into_sorted();
        assert_eq!(errs[0].code, "E0001");
        assert_eq!(errs[0].span.column, 44);
    }

    #[test]
    fn an_unclosed_with_or_window_is_an_error() {
        for sql in [
            "CREATE STREAM a AS SELECT * FROM s WITH ('s.type' = 'file_source', 's.path' = 'x.csv'",
            "CREATE STREAM a AS SELECT * FROM s WITH (",
            "CREATE STREAM a AS SELECT COUNT(*) AS n FROM s WINDOW TUMBLING(ts, 1m",
        ] {
            let mut d = Diagnostics::default();
            parse_app(sql, &mut d);
            let errs = d.into_sorted();
            assert!(errs.iter().any(|e| e.message.contains("is not closed")), "{sql}: {errs:?}");
        }
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let mut d = Diagnostics::default();
        parse_app("CREATE STREAM a AS\nSELECT a +* FROM s", &mut d);
        let errs = d.into_sorted();
        assert_eq!((errs[0].span.line, errs[0].span.column), (2, 11));
    }

    #[test]
    fn row_buffers_become_frames_unless_a_frame_is_written() {
        let mut diags = Diagnostics::default();
        let app = parse_app(
            "CREATE STREAM s AS SELECT LAG(p) OVER (ROWS WINDOW BUFFER 10 ROWS PARTITION BY k ORDER BY t) AS a,
                 SUM(p) OVER (ROWS WINDOW BUFFER 5 ROWS PARTITION BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS b,
                 AVG(p) OVER (ROWS WINDOW BUFFER 3 ROWS ORDER BY t EMIT EVERY RECORD) AS c FROM src",
            &mut diags,
        );
        assert!(!diags.has_errors(), "{diags:?}");
        let sql = app.statements[0].query.to_string();
        assert!(sql.contains("OVER (PARTITION BY k ORDER BY t ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)"), "{sql}");
        assert!(sql.contains("OVER (PARTITION BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"), "{sql}");
        assert!(sql.contains("OVER (ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)"), "{sql}");
        let mut diags = Diagnostics::default();
        let app = parse_app(
            "CREATE STREAM s AS SELECT LAG(p) OVER (ORDER BY t EXPIRE AFTER INTERVAL '5' MINUTE INACTIVITY) AS a,
                 LAG(p) OVER (ORDER BY t EXPIRE AFTER INTERVAL '1' MINUTE) AS b,
                 LAG(p) OVER (ORDER BY t EXPIRE AFTER NEVER) AS c FROM src",
            &mut diags,
        );
        assert!(!diags.has_errors(), "{diags:?}");
        assert_eq!(app.statements[0].over_expiry, Some(60_000), "the shortest expiry");
        parse_app("CREATE STREAM s AS SELECT LAG(p) OVER (ORDER BY t EXPIRE AFTER soon) AS a FROM src", &mut diags);
        assert!(diags.has_errors(), "a bad expiry is an error, not ignored");
    }

    #[test]
    fn windows_and_keys_are_lifted() {
        let app = parse_ok(
            "CREATE TABLE t AS SELECT sym PRIMARY KEY, COUNT(*) AS n FROM s WINDOW TUMBLING(ts, 1m) GROUP BY sym EMIT FINAL",
        );
        let s = &app.statements[0];
        assert_eq!(s.key_items, vec![0]);
        assert_eq!(s.window.as_ref().map(|w| w.text.as_str()), Some("TUMBLING(ts,1m)"));
        assert_eq!(s.emit, Some(EmitMode::Final));
    }
}
