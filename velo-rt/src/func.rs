//! Scalar SQL functions (DIALECT.md §7) over nullable values. NULL in gives NULL out unless a
//! function says otherwise. Positions are 1-based and count characters, not bytes.

pub use crate::temporal::{
    TimeUnit, add_interval, date_format, date_trunc, datediff, extract, from_unixtime, now, to_timestamp,
    to_timestamp_with, unix_timestamp, unix_timestamp_now,
};
use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use crate::decimal::{Decimal, pow10};
use crate::error::{EvalError, EvalResult};
use crate::ops::{Additive, compare};

/// `UPPER(s)`.
pub fn upper(s: Option<String>) -> Option<String> {
    s.map(|s| s.to_uppercase())
}

/// `LOWER(s)`.
pub fn lower(s: Option<String>) -> Option<String> {
    s.map(|s| s.to_lowercase())
}

/// `TRIM(s)`: removes leading and trailing white space.
pub fn trim(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string())
}

/// `LTRIM(s)`.
pub fn ltrim(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim_start().to_string())
}

/// `RTRIM(s)`.
pub fn rtrim(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim_end().to_string())
}

/// `LENGTH(s)` in characters.
pub fn length(s: Option<String>) -> Option<i64> {
    s.map(|s| s.chars().count() as i64)
}

/// `SUBSTRING(s, start [, len])`, 1-based; positions before 1 shorten the result as in
/// PostgreSQL; a negative length is an error.
pub fn substring(s: Option<String>, start: Option<i64>, len: Option<Option<i64>>) -> EvalResult<Option<String>> {
    let (Some(s), Some(start)) = (s, start) else {
        return Ok(None);
    };
    let end = match len {
        None => i64::MAX,
        Some(None) => return Ok(None),
        Some(Some(l)) if l < 0 => {
            return Err(EvalError::InvalidArgument("negative SUBSTRING length".into()));
        }
        Some(Some(l)) => start.saturating_add(l),
    };
    let from = start.max(1);
    if end <= from {
        return Ok(Some(String::new()));
    }
    let take = (end - from) as usize;
    Ok(Some(s.chars().skip((from - 1) as usize).take(take).collect()))
}

/// `REPLACE(s, from, to)`: every occurrence.
pub fn replace(s: Option<String>, from: Option<String>, to: Option<String>) -> Option<String> {
    let (s, from, to) = (s?, from?, to?);
    if from.is_empty() {
        return Some(s);
    }
    Some(s.replace(&from, &to))
}

/// `CONCAT(a, b, …)`: NULL arguments are skipped (as in PostgreSQL and Velostream).
pub fn concat(parts: Vec<Option<String>>) -> Option<String> {
    Some(parts.into_iter().flatten().collect())
}

/// `LEFT(s, n)`: the first `n` characters (all but the last `-n` when negative).
pub fn left(s: Option<String>, n: Option<i64>) -> Option<String> {
    let (s, n) = (s?, n?);
    let count = s.chars().count() as i64;
    let take = if n >= 0 { n } else { count.saturating_add(n).max(0) };
    Some(s.chars().take(take as usize).collect())
}

/// `RIGHT(s, n)`: the last `n` characters (all but the first `-n` when negative).
pub fn right(s: Option<String>, n: Option<i64>) -> Option<String> {
    let (s, n) = (s?, n?);
    let count = s.chars().count() as i64;
    let skip = if n >= 0 { count.saturating_sub(n).max(0) } else { n.saturating_neg().min(count) };
    Some(s.chars().skip(skip as usize).collect())
}

/// `POSITION(sub IN s)`: 1-based character position of the first match, 0 if absent.
pub fn position(sub: Option<String>, s: Option<String>) -> Option<i64> {
    let (sub, s) = (sub?, s?);
    Some(match s.find(&sub) {
        Some(byte) => s[..byte].chars().count() as i64 + 1,
        None => 0,
    })
}

/// `SPLIT_PART(s, delimiter, n)`: the `n`-th piece (1-based; negative counts from the end);
/// '' when out of range.
pub fn split_part(s: Option<String>, delim: Option<String>, n: Option<i64>) -> EvalResult<Option<String>> {
    let (Some(s), Some(delim), Some(n)) = (s, delim, n) else {
        return Ok(None);
    };
    if n == 0 {
        return Err(EvalError::InvalidArgument("SPLIT_PART field position must not be 0".into()));
    }
    let pieces: Vec<&str> = if delim.is_empty() { vec![s.as_str()] } else { s.split(delim.as_str()).collect() };
    let idx = if n > 0 { n - 1 } else { pieces.len() as i64 + n };
    Ok(Some(usize::try_from(idx).ok().and_then(|i| pieces.get(i)).unwrap_or(&"").to_string()))
}

/// `LPAD(s, len [, fill])`: pads on the left to `len` characters (truncates if longer).
pub fn lpad(s: Option<String>, len: Option<i64>, fill: Option<String>) -> EvalResult<Option<String>> {
    pad(s, len, fill, true)
}

/// `RPAD(s, len [, fill])`.
pub fn rpad(s: Option<String>, len: Option<i64>, fill: Option<String>) -> EvalResult<Option<String>> {
    pad(s, len, fill, false)
}

/// The longest result LPAD/RPAD build (characters): a larger length fails the record, it is
/// never an allocation failure or a silently shorter string.
const MAX_PAD: i64 = 1 << 20;

fn pad(s: Option<String>, len: Option<i64>, fill: Option<String>, left: bool) -> EvalResult<Option<String>> {
    let (Some(s), Some(len), Some(fill)) = (s, len, fill) else { return Ok(None) };
    if len > MAX_PAD {
        let name = if left { "LPAD" } else { "RPAD" };
        return Err(EvalError::InvalidArgument(format!(
            "{name} length {len} is over the limit of {MAX_PAD} characters"
        )));
    }
    let len = len.max(0) as usize;
    let count = s.chars().count();
    if count >= len || fill.is_empty() {
        return Ok(Some(s.chars().take(len).collect()));
    }
    let padding: String = fill.chars().cycle().take(len - count).collect();
    Ok(Some(if left { padding + &s } else { s + &padding }))
}

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

fn with_regex<T>(pattern: &str, f: impl FnOnce(&Regex) -> T) -> EvalResult<T> {
    REGEX_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            let re =
                Regex::new(pattern).map_err(|e| EvalError::InvalidArgument(format!("bad regular expression: {e}")))?;
            if cache.len() >= 256 {
                cache.clear();
            }
            cache.insert(pattern.to_string(), re);
        }
        Ok(f(&cache[pattern]))
    })
}

/// `REGEXP(s, pattern)`: TRUE if the pattern matches anywhere in `s`.
pub fn regexp(s: Option<String>, pattern: Option<String>) -> EvalResult<Option<bool>> {
    let (Some(s), Some(p)) = (s, pattern) else {
        return Ok(None);
    };
    with_regex(&p, |re| Some(re.is_match(&s)))
}

/// `REGEXP_REPLACE(s, pattern, replacement)`: replaces every match; `$1` names a group.
pub fn regexp_replace(s: Option<String>, pattern: Option<String>, repl: Option<String>) -> EvalResult<Option<String>> {
    let (Some(s), Some(p), Some(r)) = (s, pattern, repl) else {
        return Ok(None);
    };
    with_regex(&p, |re| Some(re.replace_all(&s, r.as_str()).into_owned()))
}

/// `s LIKE pattern`: `%` matches any run, `_` one character; case-sensitive; `\` escapes.
pub fn like(s: &Option<String>, pattern: &Option<String>) -> Option<bool> {
    let (s, p) = (s.as_ref()?, pattern.as_ref()?);
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    Some(like_match(&s, &p))
}

fn like_match(s: &[char], p: &[char]) -> bool {
    // Iterative wildcard matching with single-star backtracking.
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some('%') => {
                star = Some((pi, si));
                pi += 1;
                continue;
            }
            Some('_') => {
                si += 1;
                pi += 1;
                continue;
            }
            Some('\\') if p.get(pi + 1).is_some_and(|c| *c == s[si]) => {
                si += 1;
                pi += 2;
                continue;
            }
            Some(c) if *c != '\\' && *c == s[si] => {
                si += 1;
                pi += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

/// `ABS(x)`.
pub fn abs<T: Additive + PartialOrd + Default>(x: Option<T>) -> EvalResult<Option<T>> {
    match x {
        Some(v) if v < T::default() => v.neg().map(Some),
        other => Ok(other),
    }
}

/// `ROUND(x, d)` for DOUBLE: HALF away from zero at `d` fraction digits. A `d` past what a
/// double holds leaves `x` as it is (or gives 0 for a large negative `d`), never NaN.
pub fn round_f64(x: Option<f64>, d: i64) -> Option<f64> {
    let unit = 10f64.powi(d.unsigned_abs().min(400) as i32);
    x.map(|v| {
        if !v.is_finite() {
            v
        } else if d >= 0 {
            let scaled = v * unit;
            // From 2^52 on, a double has no fraction digits left to round.
            if scaled.is_finite() && scaled.abs() < 4_503_599_627_370_496.0 { scaled.round() / unit } else { v }
        } else if unit.is_finite() {
            (v / unit).round() * unit
        } else {
            0.0 * v.signum()
        }
    })
}

/// `ROUND(x, d)` for DECIMAL(p, S) into scale `R = max(0, min(S, d))`, HALF_UP. A negative `d`
/// rounds to tens, hundreds, … (`ROUND(1250, -2)` = 1300).
pub fn round_dec<const S: u32, const R: u32>(x: Option<Decimal<S>>, d: i64) -> EvalResult<Option<Decimal<R>>> {
    let Some(v) = x else { return Ok(None) };
    let r: Decimal<R> = v.rescale()?;
    if d >= 0 {
        return Ok(Some(r));
    }
    let unit = pow10((-d).min(38) as u32);
    Ok(Some(Decimal(crate::decimal::div_half_up(r.0, unit) * unit)))
}

/// `ROUND(x, d)` for BIGINT: unchanged for `d >= 0`, else rounded HALF_UP to `10^-d`.
pub fn round_i64(x: Option<i64>, d: i64) -> EvalResult<Option<i64>> {
    let Some(v) = x else { return Ok(None) };
    if d >= 0 {
        return Ok(Some(v));
    }
    let unit = pow10((-d).min(38) as u32);
    i64::try_from(crate::decimal::div_half_up(v as i128, unit) * unit).map(Some).map_err(|_| EvalError::Overflow)
}

/// `CEIL(x)` for DECIMAL: the smallest integer ≥ x, as DECIMAL(p, 0).
pub fn ceil_dec<const S: u32>(x: Option<Decimal<S>>) -> Option<Decimal<0>> {
    x.map(|v| {
        let p = pow10(S);
        Decimal(v.0.div_euclid(p) + i128::from(v.0.rem_euclid(p) != 0))
    })
}

/// `FLOOR(x)` for DECIMAL: the largest integer ≤ x, as DECIMAL(p, 0).
pub fn floor_dec<const S: u32>(x: Option<Decimal<S>>) -> Option<Decimal<0>> {
    x.map(|v| Decimal(v.0.div_euclid(pow10(S))))
}

/// `CEIL(x)` for DOUBLE.
pub fn ceil_f64(x: Option<f64>) -> Option<f64> {
    x.map(f64::ceil)
}

/// `FLOOR(x)` for DOUBLE.
pub fn floor_f64(x: Option<f64>) -> Option<f64> {
    x.map(f64::floor)
}

/// `SQRT(x)`; negative input is an error.
pub fn sqrt(x: Option<f64>) -> EvalResult<Option<f64>> {
    match x {
        Some(v) if v < 0.0 => Err(EvalError::InvalidArgument(format!("SQRT of negative number {v}"))),
        other => Ok(other.map(f64::sqrt)),
    }
}

/// `POWER(x, y)`.
pub fn power(x: Option<f64>, y: Option<f64>) -> Option<f64> {
    Some(x?.powf(y?))
}

/// `LEAST(a, b, …)`: the smallest non-NULL argument (NULL only if all are NULL).
pub fn least<T: PartialOrd>(args: Vec<Option<T>>) -> Option<T> {
    pick(args, std::cmp::Ordering::Less)
}

/// `GREATEST(a, b, …)`: the largest non-NULL argument.
pub fn greatest<T: PartialOrd>(args: Vec<Option<T>>) -> Option<T> {
    pick(args, std::cmp::Ordering::Greater)
}

fn pick<T: PartialOrd>(args: Vec<Option<T>>, want: std::cmp::Ordering) -> Option<T> {
    let mut best: Option<T> = None;
    for a in args.into_iter().flatten() {
        let a = Some(a);
        if best.is_none() || compare(&a, &best) == Some(want) {
            best = a;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn string_functions() {
        assert_eq!(substring(s("hello"), Some(2), Some(Some(3))), Ok(s("ell")));
        assert_eq!(substring(s("hello"), Some(0), Some(Some(2))), Ok(s("h")));
        assert_eq!(substring(s("héllo"), Some(2), None), Ok(s("éllo")));
        assert!(substring(s("x"), Some(1), Some(Some(-1))).is_err());
        assert_eq!(left(s("hello"), Some(-2)), s("hel"));
        assert_eq!(right(s("hello"), Some(2)), s("lo"));
        assert_eq!(position(s("l"), s("héllo")), Some(3));
        assert_eq!(position(s("z"), s("hello")), Some(0));
        assert_eq!(split_part(s("a,b,c"), s(","), Some(-1)), Ok(s("c")));
        assert_eq!(split_part(s("a,b,c"), s(","), Some(5)), Ok(s("")));
        assert_eq!(lpad(s("7"), Some(3), s("0")), Ok(s("007")));
        assert_eq!(rpad(s("abcd"), Some(2), s("0")), Ok(s("ab")));
        assert_eq!(lpad(s("7"), Some(-3), s("0")), Ok(s("")));
        assert_eq!(lpad(s("7"), Some(MAX_PAD), s("ab")).map(|r| r.map(|r| r.len())), Ok(Some(1 << 20)));
        let e = rpad(s("7"), Some(1_000_000_000), s("x")).unwrap_err().to_string();
        assert!(e.contains("RPAD length 1000000000 is over the limit of 1048576 characters"), "{e}");
        assert_eq!(concat(vec![s("a"), None, s("b")]), s("ab"));
        assert_eq!(regexp_replace(s("a1b22"), s("[0-9]+"), s("#")), Ok(s("a#b#")));
        assert!(regexp(s("a"), s("(")).is_err());
    }

    #[test]
    fn like_patterns() {
        let m = |a: &str, p: &str| like(&s(a), &s(p)) == Some(true);
        assert!(m("abc", "a%"));
        assert!(m("abc", "%c"));
        assert!(m("abc", "a_c"));
        assert!(!m("abc", "a.c"));
        assert!(m("a%c", "a\\%c"));
        assert!(!m("abc", "a\\%c"));
        assert!(m("mississippi", "%iss%ppi"));
        assert!(!m("abc", "ABC"));
        assert_eq!(like(&None, &s("%")), None);
    }

    #[test]
    fn math_functions() {
        assert_eq!(round_dec::<3, 1>(Some(Decimal(12345)), 1), Ok(Some(Decimal(123))));
        assert_eq!(round_dec::<2, 0>(Some(Decimal(-250)), 0), Ok(Some(Decimal(-3))));
        assert_eq!(round_dec::<0, 0>(Some(Decimal(1250)), -2), Ok(Some(Decimal(1300))));
        assert_eq!(ceil_dec::<2>(Some(Decimal(-150))), Some(Decimal(-1)));
        assert_eq!(floor_dec::<2>(Some(Decimal(-150))), Some(Decimal(-2)));
        assert_eq!(round_f64(Some(2.5), 0), Some(3.0));
        assert_eq!(round_f64(Some(1.25), 1), Some(1.3));
        assert_eq!(round_f64(Some(1250.0), -2), Some(1300.0));
        for d in [17, 300, 400, i64::MAX] {
            assert_eq!(round_f64(Some(1.5e-5), d), Some(1.5e-5), "ROUND(x, {d}) keeps x");
            assert_eq!(round_f64(Some(1e300), d), Some(1e300), "ROUND(1e300, {d})");
        }
        for d in [-309, -400, i64::MIN] {
            assert_eq!(round_f64(Some(123.0), d), Some(0.0), "ROUND(x, {d}) is 0");
        }
        assert!(round_f64(Some(f64::NAN), 2).is_some_and(f64::is_nan));
        assert_eq!(round_f64(Some(f64::INFINITY), 2), Some(f64::INFINITY));
        assert_eq!(abs(Some(Decimal::<2>(-5))), Ok(Some(Decimal(5))));
        assert_eq!(least(vec![Some(3), None, Some(1)]), Some(1));
        assert_eq!(greatest::<i64>(vec![None, None]), None);
        assert!(sqrt(Some(-1.0)).is_err());
    }
}
