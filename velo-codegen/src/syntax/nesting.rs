//! How deep a statement's expressions nest, measured on its tokens before anything is parsed:
//! a chain of binary operators (`a + b + … `, `x AND y AND …`) parses into a tree as deep as
//! the chain is long, parentheses and `CASE … END` nest, and every later stage walks that tree
//! recursively (sqlparser too: its recursion limit is set above this depth, so the diagnostic
//! here is the one a user sees). Statements deeper than
//! [`MAX_DEPTH`] are refused with a diagnostic instead of exhausting the stack.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::diagnostics::{Diagnostic, Diagnostics, Span};

/// The deepest expression a statement may hold: operators in one chain plus parentheses
/// around it. Generated SQL with thousands of terms fits; the compiler runs on a large stack
/// (see `crate::on_large_stack`) so this depth is safe in every stage.
pub(crate) const MAX_DEPTH: usize = 2500;

/// Words that separate one expression from the next at the same parenthesis level.
const SEPARATORS: &[&str] =
    &["SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "BY", "WHEN", "THEN", "ELSE", "AS", "ON", "LIMIT"];

/// Word operators that join two operands.
const WORD_OPERATORS: &[&str] = &["AND", "OR", "NOT", "IS", "LIKE", "ILIKE", "IN", "BETWEEN"];

/// Reports E0001 at the first token past [`MAX_DEPTH`]; `false` when the statement is too deep.
pub(crate) fn check(tokens: &[TokenWithSpan], diags: &mut Diagnostics) -> bool {
    let mut depth = Depth { levels: vec![0], total: 0 };
    for t in tokens {
        match &t.token {
            Token::LParen => depth.open(),
            Token::RParen => depth.close(),
            Token::Comma => depth.reset(),
            Token::Word(w) if w.quote_style.is_none() => {
                let word = w.value.to_ascii_uppercase();
                if word == "CASE" {
                    depth.open(); // CASE … END nests like a parenthesis
                } else if word == "END" {
                    depth.close();
                } else if SEPARATORS.contains(&word.as_str()) {
                    depth.reset();
                } else if WORD_OPERATORS.contains(&word.as_str()) {
                    depth.bump();
                }
            }
            token if is_operator(token) => depth.bump(),
            _ => {}
        }
        if depth.total > MAX_DEPTH {
            diags.push(
                Diagnostic::error(
                    "E0001",
                    Span::from_sql(t.span),
                    format!("this expression nests more than {MAX_DEPTH} levels deep"),
                )
                .with_help("split it: compute parts in earlier statements, or use IN (…) instead of a chain of ORs"),
            );
            return false;
        }
    }
    true
}

/// Operators in the current expression of every open parenthesis level, and the depth they
/// add up to (with one level per parenthesis).
struct Depth {
    levels: Vec<usize>,
    total: usize,
}

impl Depth {
    fn open(&mut self) {
        self.levels.push(0);
        self.total += 1;
    }

    fn close(&mut self) {
        if self.levels.len() > 1 {
            self.reset();
            self.levels.pop();
            self.total -= 1;
        }
    }

    fn reset(&mut self) {
        if let Some(top) = self.levels.last_mut() {
            self.total -= *top;
            *top = 0;
        }
    }

    fn bump(&mut self) {
        if let Some(top) = self.levels.last_mut() {
            *top += 1;
            self.total += 1;
        }
    }
}

fn is_operator(token: &Token) -> bool {
    matches!(
        token,
        Token::Plus
            | Token::Minus
            | Token::Mul
            | Token::Div
            | Token::Mod
            | Token::StringConcat
            | Token::Eq
            | Token::DoubleEq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::Spaceship
            | Token::Caret
            | Token::Ampersand
            | Token::Pipe
            | Token::ShiftLeft
            | Token::ShiftRight
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::GenericDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn deep_enough(sql: &str) -> bool {
        let tokens = Tokenizer::new(&GenericDialect {}, sql).tokenize_with_location().unwrap();
        let tokens: Vec<TokenWithSpan> =
            tokens.into_iter().filter(|t| !matches!(t.token, Token::Whitespace(_))).collect();
        check(&tokens, &mut Diagnostics::default())
    }

    #[test]
    fn long_chains_are_refused_wide_lists_are_not() {
        let chain = |n: usize, op: &str| vec!["x"; n].join(op);
        assert!(deep_enough(&format!("SELECT {} FROM s", chain(2000, " + "))));
        assert!(!deep_enough(&format!("SELECT {} FROM s", chain(3000, " + "))));
        assert!(!deep_enough(&format!("SELECT a FROM s WHERE {}", chain(100_000, " AND "))));
        assert!(!deep_enough(&format!("SELECT {} FROM s", chain(100_000, " || "))));
        // Many items, many arguments, many CASE branches: wide, not deep.
        assert!(deep_enough(&format!("SELECT {} FROM s", chain(10_000, " + 1, "))));
        assert!(deep_enough(&format!("SELECT f({}) FROM s", chain(10_000, ", "))));
        let branches = (0..5000).map(|i| format!("WHEN x = {i} THEN {i}")).collect::<Vec<_>>().join(" ");
        assert!(deep_enough(&format!("SELECT CASE {branches} END FROM s")));
        assert!(deep_enough(&format!("SELECT a FROM s WHERE x IN ({})", chain(50_000, ", "))));
        // Nested CASE and parentheses are deep.
        let nested_case = |n: usize| "CASE WHEN x > 0 THEN ".repeat(n) + "x" + &" ELSE 0 END".repeat(n);
        assert!(deep_enough(&format!("SELECT {} FROM s", nested_case(2000))));
        assert!(!deep_enough(&format!("SELECT {} FROM s", nested_case(3000))));
        assert!(!deep_enough(&format!("SELECT {}x{} FROM s", "(".repeat(3000), ")".repeat(3000))));
    }
}
