//! The binder: resolves names in sqlparser expressions against a statement's input columns and
//! earlier select aliases, checks types, and produces typed [`TExpr`]s. Every problem becomes a
//! diagnostic at the offending span; binding goes on so that all problems are reported.
//!
//! In a select list (and HAVING) the binder also meets aggregate calls (`SUM(x)`) and window
//! functions (`LAG(x) OVER (…)`): each distinct call is bound once into [`Calls`] and the
//! expression reads it as a local (`a<j>`, `w<i>`); window bounds (`_window_start`) read the
//! window's locals. The planner then matches GROUP BY keys on the typed result
//! (`plan::grouping`). The catalogue of functions is in [`functions`] (scalar), [`temporal`]
//! (date/time), [`aggregate`] and [`over`].

pub(crate) mod aggregate;
pub(crate) mod functions;
pub(crate) mod over;
pub(crate) mod temporal;

use sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    InTarget, NamedWindowDefinition, Spanned, UnaryOperator, Value,
};

use self::functions::Signature;
use crate::diagnostics::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::ir::aggregate::AggCall;
use crate::ir::expr::{ArithOp, CmpOp, Func, Literal, Origin, TExpr, arith_type, common_type};
use crate::ir::over::OverCall;
use crate::ir::types::{MAX_PRECISION, SqlType};
use crate::ir::window::{
    EVENT_TIME_COLUMN, EventTime, TIMESTAMP_COLUMN, Unreadable, WINDOW_END_FUNCTIONS, WINDOW_END_NAMES,
    WINDOW_START_FUNCTIONS, WINDOW_START_NAMES,
};

/// A column a statement can read.
#[derive(Debug, Clone)]
pub(crate) struct ScopeColumn {
    /// Its SQL name.
    pub name: String,
    /// The field of the input struct.
    pub field: String,
    /// Its type.
    pub ty: SqlType,
}

/// What names mean inside one statement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// The input columns.
    pub columns: Vec<ScopeColumn>,
    /// Names that may qualify a column (`src.col`): the input's name and alias.
    pub qualifiers: Vec<String>,
    /// Earlier select aliases: (alias, local variable, type).
    pub locals: Vec<(String, String, SqlType)>,
    /// Whether aliases win over input columns of the same name (in a GROUP BY select list, where
    /// the output row is what later items read).
    pub aliases_first: bool,
    /// Select items a name may mean when nothing else does (HAVING on an alias, as Velostream
    /// allows): (alias, its expression).
    pub outputs: Vec<(String, TExpr)>,
    /// The event time of an input record, for `_event_time` and `_timestamp`: `None` where no
    /// input record is in scope (after aggregation), an error message when the configured
    /// event-time column cannot be read.
    pub event_time: Option<Result<EventTime, Unreadable>>,
}

/// The aggregate and window-function calls of one select list (and HAVING), each bound once.
pub(crate) struct Calls<'s> {
    /// Aggregates are allowed (a GROUP BY statement); else window functions are.
    grouped: bool,
    /// The statement has a WINDOW clause: its bounds are locals.
    windowed: bool,
    /// What call arguments read: the statement's input.
    input: &'s Scope,
    /// The statement's `WINDOW name AS (…)` definitions.
    named: &'s [NamedWindowDefinition],
    /// Aggregate calls, read as locals `a<j>`.
    pub aggregates: Vec<AggCall>,
    /// Window-function calls, read as locals `w<i>`.
    pub over: Vec<OverCall>,
}

impl<'s> Calls<'s> {
    /// The calls of a statement over `input`: aggregates when `grouped`, else window functions.
    pub(crate) fn new(grouped: bool, windowed: bool, input: &'s Scope, named: &'s [NamedWindowDefinition]) -> Self {
        Self { grouped, windowed, input, named, aggregates: Vec::new(), over: Vec::new() }
    }
}

/// The slot of `call` among `calls`: an equal call shares it.
fn slot<C: PartialEq>(calls: &mut Vec<C>, call: C) -> usize {
    match calls.iter().position(|c| *c == call) {
        Some(i) => i,
        None => {
            calls.push(call);
            calls.len() - 1
        }
    }
}

/// Binds expressions of one scope.
pub(crate) struct Binder<'a, 'c> {
    /// The names in scope.
    pub scope: &'a Scope,
    /// Where problems go.
    pub diags: &'a mut Diagnostics,
    /// The calls of the select list being bound (`None`: aggregates and window functions are
    /// not allowed here).
    calls: Option<&'a mut Calls<'c>>,
}

fn span_of(e: &impl Spanned) -> Span {
    Span::from_sql(e.span())
}

impl<'a, 'c> Binder<'a, 'c> {
    /// A binder of plain expressions (WHERE, GROUP BY, call arguments).
    pub(crate) fn new(scope: &'a Scope, diags: &'a mut Diagnostics) -> Self {
        Self { scope, diags, calls: None }
    }

    /// A binder of a select list or HAVING, collecting its calls into `calls`.
    pub(crate) fn with_calls(scope: &'a Scope, diags: &'a mut Diagnostics, calls: &'a mut Calls<'c>) -> Self {
        Self { scope, diags, calls: Some(calls) }
    }
}

impl Binder<'_, '_> {
    fn error(&mut self, code: &'static str, span: Span, msg: impl Into<String>) -> Option<TExpr> {
        self.diags.push(Diagnostic::error(code, span, msg));
        None
    }

    /// Binds a condition (WHERE/HAVING): it must be BOOLEAN.
    pub(crate) fn bind_condition(&mut self, e: &Expr, clause: &str) -> Option<TExpr> {
        let t = self.bind(e)?;
        match t.ty() {
            SqlType::Boolean => Some(t),
            SqlType::Null => Some(t.cast_to(SqlType::Boolean)),
            other => {
                let span = span_of(e);
                self.diags.push(
                    Diagnostic::error("E0403", span, format!("{clause} needs a BOOLEAN condition, found {other}"))
                        .with_help("compare the value, e.g. `col > 0` or `col IS NOT NULL`"),
                );
                None
            }
        }
    }

    /// Binds one expression.
    pub(crate) fn bind(&mut self, e: &Expr) -> Option<TExpr> {
        match e {
            Expr::Identifier(id) => self.column(None, id),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] => self.column(Some(q), c),
                _ => self.error("E0201", span_of(e), format!("unknown column `{e}`")),
            },
            Expr::Value(v) => self.literal(&v.value, span_of(e)),
            Expr::Nested(inner) => self.bind(inner),
            Expr::UnaryOp { op, expr } => self.unary(*op, expr, e),
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, e),
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                let x = self.bind(x)?;
                Some(TExpr::IsNull { expr: Box::new(x), negated: matches!(e, Expr::IsNotNull(_)) })
            }
            Expr::IsTrue(x) | Expr::IsFalse(x) | Expr::IsNotTrue(x) | Expr::IsNotFalse(x) => {
                // x IS [NOT] TRUE ≡ x IS [NOT] DISTINCT FROM TRUE, with NOT swapped: IS TRUE is
                // IS NOT DISTINCT FROM TRUE.
                let want = matches!(e, Expr::IsTrue(_) | Expr::IsNotTrue(_));
                let x = self.bind_condition(x, "IS TRUE/FALSE")?;
                let lit = TExpr::Literal(Literal::Bool(want), SqlType::Boolean);
                let is = matches!(e, Expr::IsTrue(_) | Expr::IsFalse(_));
                Some(TExpr::IsDistinct { left: Box::new(x), right: Box::new(lit), negated: is })
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let (a, b) = self.unify_pair(a, b, span_of(e), "IS DISTINCT FROM")?;
                Some(TExpr::IsDistinct {
                    left: Box::new(a),
                    right: Box::new(b),
                    negated: matches!(e, Expr::IsNotDistinctFrom(..)),
                })
            }
            Expr::In { expr, target: InTarget::List(list), negated, global: false } => {
                let x = self.bind(expr)?;
                let items: Vec<TExpr> = list.iter().map(|i| self.bind(i)).collect::<Option<_>>()?;
                let mut ty = x.ty();
                for (item, src) in items.iter().zip(list) {
                    match common_type(ty, item.ty()) {
                        Some(t) => ty = t,
                        None => {
                            return self.error(
                                "E0402",
                                span_of(src),
                                format!("IN list mixes {} with {}", x.ty(), item.ty()),
                            );
                        }
                    }
                }
                let list = items.into_iter().map(|i| i.cast_to(ty)).collect();
                Some(TExpr::InList { expr: Box::new(x.cast_to(ty)), list, negated: *negated })
            }
            Expr::Between { expr, negated, low, high } => {
                let (x1, lo) = self.unify_pair(expr, low, span_of(e), "BETWEEN")?;
                let (x2, hi) = self.unify_pair(expr, high, span_of(e), "BETWEEN")?;
                let ge = TExpr::Compare { op: CmpOp::Ge, left: Box::new(x1), right: Box::new(lo) };
                let le = TExpr::Compare { op: CmpOp::Le, left: Box::new(x2), right: Box::new(hi) };
                let both = TExpr::And(Box::new(ge), Box::new(le));
                Some(if *negated { TExpr::Not(Box::new(both)) } else { both })
            }
            Expr::Like { negated, any: false, expr, pattern, escape_char: None } => {
                let x = self.string_arg(expr, "LIKE")?;
                let p = self.string_arg(pattern, "LIKE")?;
                Some(TExpr::Like { expr: Box::new(x), pattern: Box::new(p), negated: *negated })
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                self.case(operand.as_deref(), conditions, else_result.as_deref())
            }
            Expr::Cast { kind, expr, data_type, format: None } => self.cast(kind, expr, data_type, e),
            Expr::Substring { substring_from: None, substring_for: None, .. } => {
                self.error("E0205", span_of(e), "SUBSTRING takes 2 to 3 argument(s), found 1")
            }
            Expr::Substring { expr, substring_from, substring_for, .. } => {
                let s = self.string_arg(expr, "SUBSTRING")?;
                let mut args = vec![s];
                let from = match substring_from {
                    Some(f) => self.typed_arg(f, SqlType::BigInt, "SUBSTRING")?,
                    None => TExpr::Literal(Literal::Int(1), SqlType::BigInt),
                };
                args.push(from);
                if let Some(len) = substring_for {
                    args.push(self.typed_arg(len, SqlType::BigInt, "SUBSTRING")?);
                }
                let with_length = args.len() == 3;
                Some(TExpr::Call { func: Func::Substring { with_length }, args, ty: SqlType::String })
            }
            Expr::Position { expr, r#in } => {
                let sub = self.string_arg(expr, "POSITION")?;
                let s = self.string_arg(r#in, "POSITION")?;
                Some(TExpr::Call { func: Func::Plain("position"), args: vec![sub, s], ty: SqlType::BigInt })
            }
            Expr::Trim { expr, trim_where: None, trim_what: None, trim_characters: None } => {
                let s = self.string_arg(expr, "TRIM")?;
                Some(TExpr::Call { func: Func::Plain("trim"), args: vec![s], ty: SqlType::String })
            }
            Expr::Ceil { expr, .. } | Expr::Floor { expr, .. } => {
                let name = if matches!(e, Expr::Ceil { .. }) { "CEIL" } else { "FLOOR" };
                let x = functions::number(self.bind(expr)?);
                functions::ceil_floor(name, x)
                    .or_else(|| self.error("E0402", span_of(expr.as_ref()), format!("{name} needs a number")))
            }
            Expr::Function(f) => self.function(f, e),
            Expr::Extract { field, expr, .. } => self.extract(&field.to_string(), expr, e),
            _ => self.error("E0901", span_of(e), format!("`{e}` is not supported yet")),
        }
    }

    fn column(&mut self, qualifier: Option<&Ident>, id: &Ident) -> Option<TExpr> {
        if let Some(q) = qualifier
            && !self.scope.qualifiers.iter().any(|n| n.eq_ignore_ascii_case(&q.value))
        {
            let mut d =
                Diagnostic::error("E0204", Span::from_sql(q.span), format!("unknown source or alias `{}`", q.value));
            if let Some(s) = did_you_mean(&q.value, self.scope.qualifiers.iter().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return None;
        }
        let name = &id.value;
        if qualifier.is_none()
            && let Some(local) = self.window_bound(name)
        {
            return Some(local);
        }
        let alias = || {
            let found = self.scope.locals.iter().rev().find(|(a, ..)| a.eq_ignore_ascii_case(name));
            found.filter(|_| qualifier.is_none()).map(|(_, local, ty)| TExpr::Local { name: local.clone(), ty: *ty })
        };
        if self.scope.aliases_first
            && let Some(local) = alias()
        {
            return Some(local);
        }
        let exact = self.scope.columns.iter().find(|c| &c.name == name);
        let folded = || {
            let mut it = self.scope.columns.iter().filter(|c| c.name.eq_ignore_ascii_case(name));
            match (it.next(), it.next()) {
                (Some(c), None) if id.quote_style.is_none() => Some(c),
                _ => None,
            }
        };
        if let Some(c) = exact.or_else(folded) {
            let at = Origin { span: Span::from_sql(id.span), text: name.clone() };
            return Some(TExpr::Column { field: c.field.clone(), ty: c.ty, at });
        }
        if let Some(local) = alias() {
            return Some(local);
        }
        if qualifier.is_none() && [EVENT_TIME_COLUMN, TIMESTAMP_COLUMN].iter().any(|c| c.eq_ignore_ascii_case(name)) {
            return self.record_time(id);
        }
        if let Some((_, e)) =
            self.scope.outputs.iter().find(|(a, _)| a.eq_ignore_ascii_case(name)).filter(|_| qualifier.is_none())
        {
            return Some(e.clone());
        }
        let candidates = self.scope.columns.iter().map(|c| c.name.as_str());
        let candidates = candidates.chain(self.scope.locals.iter().map(|l| l.0.as_str()));
        let candidates = candidates.chain(self.scope.outputs.iter().map(|o| o.0.as_str()));
        let mut d = Diagnostic::error("E0201", Span::from_sql(id.span), format!("unknown column `{name}`"));
        d = match did_you_mean(name, candidates) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!(
                "the input has: {}",
                self.scope.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
            )),
        };
        self.diags.push(d);
        None
    }

    /// `_event_time` or `_timestamp` (a column of the input of that name wins).
    fn record_time(&mut self, id: &Ident) -> Option<TExpr> {
        let span = Span::from_sql(id.span);
        let name = id.value.to_ascii_lowercase();
        let time = match &self.scope.event_time {
            None => {
                let d = Diagnostic::error("E0212", span, format!("`{name}` belongs to input records, not to this row"))
                    .with_help(format!(
                        "aggregate it, e.g. `MAX({name})`, or select it in the statement that reads the records"
                    ));
                self.diags.push(d);
                return None;
            }
            Some(_) if name == TIMESTAMP_COLUMN => EventTime::default(),
            Some(Ok(time)) => time.clone(),
            Some(Err(Unreadable { why, help })) => {
                let mut d = Diagnostic::error("E0218", span, format!("`_event_time` cannot be read: {why}"));
                if let Some(help) = help {
                    d = d.with_help(help.clone());
                }
                self.diags.push(d);
                return None;
            }
        };
        Some(TExpr::RecordTime { time: Box::new(time), at: Origin { span, text: name } })
    }

    /// `_window_start`/`window_end` (and `TUMBLE_START(…)`, …): the window's bound, in a
    /// windowed statement's select list.
    fn window_bound(&self, name: &str) -> Option<TExpr> {
        let windowed = self.calls.as_ref().is_some_and(|c| c.windowed);
        let is = |names: &[&str]| names.iter().any(|w| w.eq_ignore_ascii_case(name));
        let local = match () {
            _ if !windowed => return None,
            _ if is(WINDOW_START_NAMES) || is(WINDOW_START_FUNCTIONS) => "window_start",
            _ if is(WINDOW_END_NAMES) || is(WINDOW_END_FUNCTIONS) => "window_end",
            _ => return None,
        };
        Some(TExpr::Local { name: local.into(), ty: SqlType::Timestamp })
    }

    fn literal(&mut self, v: &Value, span: Span) -> Option<TExpr> {
        Some(match v {
            Value::Null => TExpr::Literal(Literal::Null, SqlType::Null),
            Value::Boolean(b) => TExpr::Literal(Literal::Bool(*b), SqlType::Boolean),
            Value::SingleQuotedString(s) => TExpr::Literal(Literal::Str(s.clone()), SqlType::String),
            Value::Number(n, _) => return self.number(n, span),
            _ => return self.error("E0901", span, format!("literal `{v}` is not supported")),
        })
    }

    fn number(&mut self, n: &str, span: Span) -> Option<TExpr> {
        if n.contains(['e', 'E']) {
            return match n.parse::<f64>() {
                Ok(d) if d.is_finite() => Some(TExpr::Literal(Literal::Double(d), SqlType::Double)),
                _ => self.error("E0404", span, format!("the number `{n}` is out of the range of DOUBLE")),
            };
        }
        match n.split_once('.') {
            None => match n.parse::<i64>() {
                Ok(i) => Some(TExpr::Literal(Literal::Int(i), SqlType::BigInt)),
                Err(_) => self.decimal_literal(n, "", span),
            },
            Some((int, frac)) => self.decimal_literal(int, frac, span),
        }
    }

    fn decimal_literal(&mut self, int: &str, frac: &str, span: Span) -> Option<TExpr> {
        let digits = format!("{int}{frac}");
        let significant = int.trim_start_matches('0').len() as u32 + frac.len() as u32;
        let p = significant.max(frac.len() as u32).max(1);
        match digits.parse::<i128>() {
            Ok(v) if p <= MAX_PRECISION => {
                Some(TExpr::Literal(Literal::Decimal(v), SqlType::Decimal(p, frac.len() as u32)))
            }
            _ => self.error("E0404", span, format!("the number `{int}.{frac}` has more than 38 digits")),
        }
    }

    fn unary(&mut self, op: UnaryOperator, x: &Expr, whole: &Expr) -> Option<TExpr> {
        let t = self.bind(x)?;
        match op {
            UnaryOperator::Not => {
                let t = self.expect_bool(t, x, "NOT")?;
                Some(TExpr::Not(Box::new(t)))
            }
            UnaryOperator::Minus => {
                if let TExpr::Literal(Literal::Int(i), _) = t {
                    return Some(TExpr::Literal(Literal::Int(-i), SqlType::BigInt));
                }
                if let TExpr::Literal(Literal::Decimal(v), ty) = t {
                    return Some(TExpr::Literal(Literal::Decimal(-v), ty));
                }
                if t.ty() == SqlType::Null {
                    return Some(t);
                }
                if !t.ty().is_numeric() {
                    return self.error("E0402", span_of(whole), format!("cannot negate a {}", t.ty()));
                }
                Some(TExpr::Neg(Box::new(t)))
            }
            UnaryOperator::Plus => Some(t),
            _ => self.error("E0901", span_of(whole), format!("operator `{op}` is not supported")),
        }
    }

    fn expect_bool(&mut self, t: TExpr, src: &Expr, what: &str) -> Option<TExpr> {
        match t.ty() {
            SqlType::Boolean => Some(t),
            SqlType::Null => Some(t.cast_to(SqlType::Boolean)),
            other => self.error("E0402", span_of(src), format!("{what} needs a BOOLEAN, found {other}")),
        }
    }

    fn binary(&mut self, l: &Expr, op: &BinaryOperator, r: &Expr, whole: &Expr) -> Option<TExpr> {
        let cmp = match op {
            BinaryOperator::Eq => Some(CmpOp::Eq),
            BinaryOperator::NotEq => Some(CmpOp::Ne),
            BinaryOperator::Lt => Some(CmpOp::Lt),
            BinaryOperator::LtEq => Some(CmpOp::Le),
            BinaryOperator::Gt => Some(CmpOp::Gt),
            BinaryOperator::GtEq => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(cmp) = cmp {
            let (a, b) = self.unify_pair(l, r, span_of(whole), &format!("`{op}`"))?;
            return Some(TExpr::Compare { op: cmp, left: Box::new(a), right: Box::new(b) });
        }
        if matches!(op, BinaryOperator::And | BinaryOperator::Or) {
            let a = self.bind(l);
            let b = self.bind(r);
            let (a, b) = (self.expect_bool(a?, l, &op.to_string())?, self.expect_bool(b?, r, &op.to_string())?);
            return Some(if *op == BinaryOperator::And {
                TExpr::And(Box::new(a), Box::new(b))
            } else {
                TExpr::Or(Box::new(a), Box::new(b))
            });
        }
        let arith = match op {
            BinaryOperator::Plus => ArithOp::Add,
            BinaryOperator::Minus => ArithOp::Sub,
            BinaryOperator::Multiply => ArithOp::Mul,
            BinaryOperator::Divide => ArithOp::Div,
            BinaryOperator::Modulo => ArithOp::Mod,
            BinaryOperator::StringConcat => ArithOp::Concat,
            _ => {
                return self.error("E0901", span_of(whole), format!("operator `{op}` is not supported yet"));
            }
        };
        if matches!(arith, ArithOp::Add | ArithOp::Sub)
            && let Some(shifted) = self.interval_arith(l, arith == ArithOp::Add, r, whole)
        {
            return shifted;
        }
        let a = self.bind(l);
        let b = self.bind(r);
        self.arith(arith, a?, b?, span_of(whole))
    }

    /// Builds `a op b`, inserting the casts the type rules require.
    pub(crate) fn arith(&mut self, op: ArithOp, a: TExpr, b: TExpr, span: Span) -> Option<TExpr> {
        let Some(ty) = arith_type(op, a.ty(), b.ty()) else {
            let mut d = Diagnostic::error(
                "E0402",
                span,
                format!("cannot apply `{}` to {} and {}", op.symbol(), a.ty(), b.ty()),
            );
            if a.ty() == SqlType::String || b.ty() == SqlType::String {
                d = d.with_help("use `||` or CONCAT to join strings, or CAST text to a number");
            }
            self.diags.push(d);
            return None;
        };
        let (a, b) = match (op, ty) {
            (ArithOp::Concat, _) => (a.cast_to(SqlType::String), b.cast_to(SqlType::String)),
            (ArithOp::Mul | ArithOp::Div, SqlType::Decimal(..)) => {
                // Decimal multiply/divide take each operand at its own scale.
                let as_dec = |t: TExpr| {
                    let (p, s) = t.ty().as_decimal().unwrap_or((19, 0));
                    t.cast_to(SqlType::Decimal(p, s))
                };
                (as_dec(a), as_dec(b))
            }
            _ => (a.cast_to(ty), b.cast_to(ty)),
        };
        // Integer constants fold at compile time (exact; an overflow stays a per-record error).
        if let (TExpr::Literal(Literal::Int(x), _), TExpr::Literal(Literal::Int(y), _)) = (&a, &b) {
            let folded = match op {
                ArithOp::Add => x.checked_add(*y),
                ArithOp::Sub => x.checked_sub(*y),
                ArithOp::Mul => x.checked_mul(*y),
                _ => None,
            };
            if let Some(v) = folded {
                return Some(TExpr::Literal(Literal::Int(v), SqlType::BigInt));
            }
        }
        Some(TExpr::Arith { op, left: Box::new(a), right: Box::new(b), ty })
    }

    /// Binds two expressions and converts both to their common type.
    fn unify_pair(&mut self, l: &Expr, r: &Expr, span: Span, what: &str) -> Option<(TExpr, TExpr)> {
        let a = self.bind(l);
        let b = self.bind(r);
        let (a, b) = (a?, b?);
        let (a, b) = coerce_temporal_literal(a, b);
        match common_type(a.ty(), b.ty()) {
            Some(t) => Some((a.cast_to(t), b.cast_to(t))),
            None => {
                let d =
                    Diagnostic::error("E0402", span, format!("cannot compare {} with {} in {what}", a.ty(), b.ty()))
                        .with_help("CAST one side to the other's type");
                self.diags.push(d);
                None
            }
        }
    }

    fn string_arg(&mut self, e: &Expr, func: &str) -> Option<TExpr> {
        self.typed_arg(e, SqlType::String, func)
    }

    /// Binds an argument that must have type `want` (NULL is allowed; BIGINT → DECIMAL/DOUBLE
    /// widens).
    pub(crate) fn typed_arg(&mut self, e: &Expr, want: SqlType, func: &str) -> Option<TExpr> {
        let t = self.bind(e)?;
        let ok = match (t.ty(), want) {
            (a, b) if a == b => true,
            (SqlType::Null, _) => true,
            (SqlType::BigInt | SqlType::Decimal(..), SqlType::Double) => true,
            _ => false,
        };
        if !ok {
            return self.error("E0402", span_of(e), format!("{func} expects {want} here, found {}", t.ty()));
        }
        Some(t.cast_to(want))
    }

    fn case(
        &mut self,
        operand: Option<&Expr>,
        whens: &[sqlparser::ast::CaseWhen],
        otherwise: Option<&Expr>,
    ) -> Option<TExpr> {
        let mut conds = Vec::new();
        let mut results = Vec::new();
        let mut ok = true;
        for w in whens {
            let cond = match operand {
                // CASE x WHEN v …  ≡  CASE WHEN x = v …
                Some(x) => self
                    .unify_pair(x, &w.condition, span_of(&w.condition), "CASE")
                    .map(|(a, b)| TExpr::Compare { op: CmpOp::Eq, left: Box::new(a), right: Box::new(b) }),
                None => self.bind_condition(&w.condition, "WHEN"),
            };
            let res = self.bind(&w.result);
            match (cond, res) {
                (Some(c), Some(r)) => {
                    conds.push(c);
                    results.push((r, &w.result));
                }
                _ => ok = false,
            }
        }
        let other = match otherwise {
            Some(e) => Some((self.bind(e)?, e)),
            None => None,
        };
        if !ok {
            return None;
        }
        let mut ty = SqlType::Null;
        for (r, src) in results.iter().chain(other.iter()) {
            match common_type(ty, r.ty()) {
                Some(t) => ty = t,
                None => {
                    return self.error("E0402", span_of(*src), format!("CASE branches mix {ty} and {}", r.ty()));
                }
            }
        }
        let whens = conds.into_iter().zip(results).map(|(c, (r, _))| (c, r.cast_to(ty))).collect();
        Some(TExpr::Case { whens, otherwise: other.map(|(o, _)| Box::new(o.cast_to(ty))), ty })
    }

    fn cast(&mut self, kind: &CastKind, x: &Expr, dt: &DataType, whole: &Expr) -> Option<TExpr> {
        let t = self.bind(x)?;
        let text = dt.to_string();
        let Some(to) = SqlType::parse(&text) else {
            return self.error("E0405", span_of(whole), format!("cannot CAST to `{text}`"));
        };
        let from = t.ty();
        if from == SqlType::Null {
            return Some(t.cast_to(to));
        }
        let allowed = from == to
            || from == SqlType::Null
            || from == SqlType::String
            || to == SqlType::String
            || (from.is_numeric() && to.is_numeric())
            || matches!((from, to), (SqlType::BigInt, SqlType::Boolean) | (SqlType::Boolean, SqlType::BigInt))
            || matches!((from, to), (SqlType::Date, SqlType::Timestamp) | (SqlType::Timestamp, SqlType::Date))
            || matches!((from, to), (SqlType::Timestamp, SqlType::BigInt) | (SqlType::BigInt, SqlType::Timestamp));
        if !allowed {
            return self.error("E0405", span_of(whole), format!("cannot CAST {from} to {to}"));
        }
        if matches!(kind, CastKind::TryCast | CastKind::SafeCast) {
            return self.error("E0901", span_of(whole), "TRY_CAST is not supported yet");
        }
        let precision = match to {
            SqlType::Decimal(p, _) if p < MAX_PRECISION => Some(p),
            _ => None,
        };
        let same = from == to && precision.is_none();
        if same {
            return Some(t);
        }
        Some(TExpr::Cast { expr: Box::new(t), to, precision })
    }

    fn function(&mut self, f: &Function, whole: &Expr) -> Option<TExpr> {
        // `user`, `current_date`, … parse as niladic functions; a column of that name wins.
        if let (FunctionArguments::None, [part]) = (&f.args, f.name.0.as_slice())
            && let Some(id) = part.as_ident()
            && self.scope.columns.iter().any(|c| c.name.eq_ignore_ascii_case(&id.value))
        {
            return self.column(None, id);
        }
        let name = f.name.to_string().to_ascii_uppercase();
        let span = span_of(&f.name);
        if f.over.is_none()
            && let Some(bound) = self.window_bound(&name)
        {
            return Some(bound);
        }
        if f.over.is_some() {
            return self.over_call(whole);
        }
        if let Some(calls) = self.calls.as_deref_mut().filter(|c| c.grouped)
            && aggregate::is_aggregate(&name)
        {
            let call = aggregate::bind_aggregate(whole, calls.input, self.diags)?;
            let ty = call.ty;
            let j = slot(&mut calls.aggregates, call);
            return Some(TExpr::Local { name: format!("a{j}"), ty });
        }
        let args: Vec<&Expr> = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(list) => {
                if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                    return self.error("E0901", span_of(whole), format!("`{whole}` is not supported yet"));
                }
                let mut out = Vec::new();
                for a in &list.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.push(e),
                        _ => {
                            return self.error("E0206", span_of(whole), format!("unsupported argument in `{whole}`"));
                        }
                    }
                }
                out
            }
            FunctionArguments::Subquery(_) => {
                return self.error("E0901", span_of(whole), "subqueries are not supported yet");
            }
        };
        let Some(sig) = functions::lookup(&name) else {
            let mut d = Diagnostic::error("E0202", span, format!("unknown function `{}`", f.name));
            if let Some(s) = did_you_mean(&name, functions::names()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return None;
        };
        if sig == Signature::Aggregate {
            return self.error(
                "E0215",
                span,
                format!("the aggregate {name} cannot be used here (WHERE, GROUP BY, or inside another aggregate)"),
            );
        }
        if let Signature::Unsupported(why) = sig {
            return self.error("E0901", span, format!("{name} is not supported yet: {why}"));
        }
        let (min, max) = sig.arity();
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let expected = match max {
                Some(m) if m == min => format!("{min}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return self.error(
                "E0205",
                span_of(whole),
                format!("{name} takes {expected} argument(s), found {}", args.len()),
            );
        }
        functions::bind_call(self, &name, sig, &args, span_of(whole))
    }
}

impl Binder<'_, '_> {
    /// `f(…) OVER (…)` in a select list: bound once, read as local `w<i>`.
    fn over_call(&mut self, whole: &Expr) -> Option<TExpr> {
        let Some(calls) = self.calls.as_deref_mut().filter(|c| !c.grouped) else {
            let d = match self.calls {
                Some(_) => Diagnostic::error(
                    "E0901",
                    span_of(whole),
                    "window functions (OVER) cannot be mixed with GROUP BY yet",
                )
                .with_help(
                    "aggregate in one statement and apply the window function in a second statement that reads it",
                ),
                None => Diagnostic::error("E0215", span_of(whole), "a window function (OVER) cannot be used here")
                    .with_help("window functions belong in the select list"),
            };
            self.diags.push(d);
            return None;
        };
        let call = over::OverBinder { input: calls.input, named: calls.named, diags: self.diags }.bind(whole)?;
        let ty = call.ty;
        let i = slot(&mut calls.over, call);
        Some(TExpr::Local { name: format!("w{i}"), ty })
    }
}

/// Lets `ts > '2024-01-01T10:00:00'` compare a TIMESTAMP/DATE with a text literal.
fn coerce_temporal_literal(a: TExpr, b: TExpr) -> (TExpr, TExpr) {
    let temporal = |t: SqlType| matches!(t, SqlType::Timestamp | SqlType::Date);
    let is_text_lit = |t: &TExpr| matches!(t, TExpr::Literal(Literal::Str(_), _));
    if temporal(a.ty()) && is_text_lit(&b) {
        let to = a.ty();
        (a, b.cast_to(to))
    } else if temporal(b.ty()) && is_text_lit(&a) {
        let to = b.ty();
        (a.cast_to(to), b)
    } else {
        (a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(sql: &str) -> TExpr {
        let dialect = sqlparser::dialect::GenericDialect {};
        let e = sqlparser::parser::Parser::new(&dialect).try_with_sql(sql).and_then(|mut p| p.parse_expr()).unwrap();
        let (scope, mut diags) = (Scope::default(), Diagnostics::default());
        Binder::new(&scope, &mut diags).bind(&e).unwrap()
    }

    #[test]
    fn integer_constants_fold_exactly() {
        assert_eq!(bind("1 + 2 * 3 - 4"), TExpr::Literal(Literal::Int(3), SqlType::BigInt));
        assert_eq!(bind("-(2 * 3)"), TExpr::Literal(Literal::Int(-6), SqlType::BigInt));
        assert!(matches!(bind("9223372036854775807 + 1"), TExpr::Arith { .. }), "an overflow is left to run time");
        assert!(matches!(bind("7 / 2"), TExpr::Arith { .. }), "division keeps the runtime's rounding");
    }

    #[test]
    fn null_is_a_number_for_numeric_functions() {
        for sql in ["ABS(NULL)", "ROUND(NULL, 2)", "CEIL(NULL)", "FLOOR(NULL)"] {
            assert_eq!(bind(sql).ty(), SqlType::BigInt, "{sql}");
        }
    }
}
