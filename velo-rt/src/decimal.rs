//! Exact fixed-point decimals.
//!
//! A `DECIMAL(p, s)` value is an `i128` holding `value * 10^s`; the scale `S` is a const generic
//! chosen by the compiler from the static schema, so every rescale factor is a compile-time
//! constant. Values never pass through `f64`. Arithmetic is checked: a result of more than 38
//! digits is an [`EvalError::Overflow`], never a silent wrap. Rounding is HALF_UP (away from zero
//! on ties), as in Flink and Spark.

use std::cmp::Ordering;
use std::fmt;

use crate::error::EvalError;

/// The largest number of decimal digits a value may have (`DECIMAL(38, s)`).
pub const MAX_PRECISION: u32 = 38;

/// `10^n` for `n` in `0..=38`.
pub const fn pow10(n: u32) -> i128 {
    let mut v: i128 = 1;
    let mut i = 0;
    while i < n {
        v *= 10;
        i += 1;
    }
    v
}

const MAX_UNSCALED: i128 = pow10(MAX_PRECISION) - 1;

/// `POW10[n] == 10^n`, for scale factors known only at run time.
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// An exact decimal with `S` digits after the point, stored as an unscaled `i128`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal<const S: u32>(pub i128);

impl<const S: u32> Decimal<S> {
    /// Builds a decimal from its unscaled value, checking the 38-digit limit.
    #[inline]
    pub fn from_unscaled(v: i128) -> Result<Self, EvalError> {
        if (-MAX_UNSCALED..=MAX_UNSCALED).contains(&v) { Ok(Self(v)) } else { Err(EvalError::Overflow) }
    }

    /// Converts an integer exactly.
    #[inline]
    pub fn from_i64(v: i64) -> Result<Self, EvalError> {
        if S <= 19 {
            // |v| < 2^63 ≈ 9.2·10^18, so v·10^19 stays below 10^38: no overflow possible.
            return Ok(Self(i128::from(v) * const { pow10(S) }));
        }
        i128::from(v).checked_mul(pow10(S)).ok_or(EvalError::Overflow).and_then(Self::from_unscaled)
    }

    /// Converts to the nearest `f64` (used only where SQL mixes DECIMAL with DOUBLE).
    pub fn to_f64(self) -> f64 {
        // Parsing the exact text gives the correctly rounded double.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Rounds a double to this scale (HALF_UP on the decimal text of the double).
    pub fn from_f64(v: f64) -> Result<Self, EvalError> {
        if !v.is_finite() {
            return Err(EvalError::InvalidCast(format!("{v} to DECIMAL")));
        }
        // `{:e}` is the shortest exact representation; parse it without f64 arithmetic.
        let text = format!("{v:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().map_err(|_| EvalError::Overflow)?;
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, mantissa),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        let all: String = format!("{int_part}{frac_part}");
        let point = int_part.len() as i32 + exp; // position of the decimal point in `all`
        let mut unscaled: i128 = 0;
        let wanted = point + S as i32; // number of leading digits of `all` kept
        for (i, c) in all.chars().enumerate() {
            if (i as i32) >= wanted {
                if i as i32 == wanted && c >= '5' {
                    unscaled = unscaled.checked_add(1).ok_or(EvalError::Overflow)?;
                }
                break;
            }
            unscaled = unscaled
                .checked_mul(10)
                .and_then(|u| u.checked_add(c as i128 - '0' as i128))
                .ok_or(EvalError::Overflow)?;
        }
        let kept = (all.len() as i32).min(wanted.max(0));
        for _ in kept..wanted {
            unscaled = unscaled.checked_mul(10).ok_or(EvalError::Overflow)?;
        }
        Self::from_unscaled(if negative { -unscaled } else { unscaled })
    }

    /// Changes the scale to `R`, rounding HALF_UP when digits are dropped.
    pub fn rescale<const R: u32>(self) -> Result<Decimal<R>, EvalError> {
        Decimal::<R>::from_unscaled(rescale_raw(self.0, S, R)?)
    }

    /// Truncates towards zero to an integer.
    pub fn trunc_i64(self) -> Result<i64, EvalError> {
        i64::try_from(self.0 / pow10(S)).map_err(|_| EvalError::Overflow)
    }

    /// Checks that the value has at most `precision` digits in all.
    pub fn check_precision(self, precision: u32) -> Result<Self, EvalError> {
        if precision < MAX_PRECISION && self.0.unsigned_abs() >= pow10(precision) as u128 {
            return Err(EvalError::Overflow);
        }
        Ok(self)
    }

    /// Parses decimal text for a column of this type: like [`Decimal::parse`], but a value with
    /// more than `S` significant fraction digits does not fit and is an error (not rounded).
    pub fn parse_exact(text: &str) -> Result<Self, EvalError> {
        let frac = text.trim().split_once('.').map_or("", |(_, f)| f);
        if frac.len() > S as usize && frac.as_bytes()[S as usize..].iter().any(|b| *b != b'0') {
            return Err(EvalError::InvalidNumber(format!("{text} (more than {S} fraction digits)")));
        }
        Self::parse(text)
    }

    /// The hot path of [`Decimal::parse_exact`] for the common shape `[-+]digits[.digits]`, at
    /// most 18 digits and at most `S` fraction digits, in 64-bit arithmetic. `None` means "not
    /// this shape": the caller falls back to the general parser (which also reports errors).
    #[inline]
    pub fn parse_plain(bytes: &[u8]) -> Option<Self> {
        // Written without data-dependent branches: field shapes vary from record to record, and
        // mispredicted branches cost more than the arithmetic.
        let first = *bytes.first()?;
        let negative = first == b'-';
        let body = &bytes[usize::from(negative || first == b'+')..];
        if body.is_empty() || body.len() > 19 {
            return None;
        }
        let (mut value, mut digits, mut fraction, mut points, mut other) = (0u64, 0usize, 0usize, 0usize, false);
        for &b in body {
            let d = b.wrapping_sub(b'0');
            let is_digit = d < 10;
            // at most 19 digits: no overflow
            value = if is_digit { value * 10 + u64::from(d) } else { value };
            digits += usize::from(is_digit);
            fraction += usize::from(is_digit && points > 0);
            points += usize::from(b == b'.');
            other |= !is_digit && b != b'.';
        }
        if other || points > 1 || digits == 0 || digits > 18 || fraction > S as usize {
            return None;
        }
        let unscaled = i128::from(value).checked_mul(POW10[S as usize - fraction])?;
        let unscaled = if negative { -unscaled } else { unscaled };
        // At most 18 digits scaled by at most 10^20 cannot exceed 38 digits.
        if S <= 20 { Some(Self(unscaled)) } else { Self::from_unscaled(unscaled).ok() }
    }

    /// Parses decimal text (`-12.50`, `+3`, `.5`; `1e3` is rejected) exactly, rounding HALF_UP
    /// if it has more than `S` fraction digits.
    pub fn parse(text: &str) -> Result<Self, EvalError> {
        let bad = || EvalError::InvalidNumber(text.to_string());
        let t = text.trim();
        let (negative, digits) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mut unscaled: i128 = 0;
        for b in int_part.bytes() {
            unscaled =
                unscaled.checked_mul(10).and_then(|u| u.checked_add((b - b'0') as i128)).ok_or(EvalError::Overflow)?;
        }
        let frac = frac_part.as_bytes();
        for i in 0..S as usize {
            let d = frac.get(i).map_or(0, |b| (b - b'0') as i128);
            unscaled = unscaled.checked_mul(10).and_then(|u| u.checked_add(d)).ok_or(EvalError::Overflow)?;
        }
        if frac.get(S as usize).is_some_and(|b| *b >= b'5') {
            unscaled = unscaled.checked_add(1).ok_or(EvalError::Overflow)?;
        }
        Self::from_unscaled(if negative { -unscaled } else { unscaled })
    }
}

/// Rescales an unscaled value from scale `from` to scale `to`, rounding HALF_UP.
#[inline]
pub fn rescale_raw(v: i128, from: u32, to: u32) -> Result<i128, EvalError> {
    match to.cmp(&from) {
        Ordering::Equal => Ok(v),
        Ordering::Greater => checked_mul(v, pow10(to - from)).ok_or(EvalError::Overflow),
        Ordering::Less => Ok(div_half_up(v, pow10(from - to))),
    }
}

/// `a * b`, `None` on overflow; two factors that fit 64 bits skip the slow checked 128-bit
/// multiply (their product always fits).
#[inline]
pub fn checked_mul(a: i128, b: i128) -> Option<i128> {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) => Some(i128::from(x) * i128::from(y)),
        _ => a.checked_mul(b),
    }
}

/// Integer division rounding HALF_UP (ties away from zero). `d` must not be zero.
#[inline]
pub fn div_half_up(n: i128, d: i128) -> i128 {
    // 64-bit division is several times faster than the 128-bit library routine.
    if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d))
        && d > 0
    {
        let (q, r) = (n / d, n % d);
        let r_abs = r.unsigned_abs();
        let up = r != 0 && r_abs >= d.unsigned_abs() - r_abs;
        return i128::from(if !up {
            q
        } else if n < 0 {
            q - 1
        } else {
            q + 1
        });
    }
    div_half_up_wide(n, d)
}

/// [`div_half_up`] in 128-bit arithmetic.
fn div_half_up_wide(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r == 0 {
        return q;
    }
    let r_abs = r.unsigned_abs();
    let d_abs = d.unsigned_abs();
    if r_abs >= d_abs - r_abs { if (n < 0) == (d < 0) { q + 1 } else { q - 1 } } else { q }
}

/// `a * b` with operand scales `A`, `B`, rounded to result scale `R`.
#[inline]
pub fn mul<const A: u32, const B: u32, const R: u32>(a: Decimal<A>, b: Decimal<B>) -> Result<Decimal<R>, EvalError> {
    let raw = checked_mul(a.0, b.0).ok_or(EvalError::Overflow)?;
    Decimal::from_unscaled(rescale_raw(raw, A + B, R)?)
}

/// `a / b` with operand scales `A`, `B`, rounded HALF_UP to result scale `R`.
pub fn div<const A: u32, const B: u32, const R: u32>(a: Decimal<A>, b: Decimal<B>) -> Result<Decimal<R>, EvalError> {
    if b.0 == 0 {
        return Err(EvalError::DivisionByZero);
    }
    // a/b = (a.0 / 10^A) / (b.0 / 10^B); scaled by 10^R: a.0 * 10^(R + B - A) / b.0
    let shift = R as i64 + B as i64 - A as i64;
    if shift.unsigned_abs() > MAX_PRECISION as u64 {
        return Err(EvalError::Overflow);
    }
    let (n, d) = if shift >= 0 {
        let n = a.0.checked_mul(pow10(shift as u32)).ok_or(EvalError::Overflow)?;
        (n, b.0)
    } else {
        let d = b.0.checked_mul(pow10((-shift) as u32)).ok_or(EvalError::Overflow)?;
        (a.0, d)
    };
    Decimal::from_unscaled(div_half_up(n, d))
}

impl<const S: u32> fmt::Display for Decimal<S> {
    /// Prints with exactly `S` fraction digits and never in exponent form (`-0.50`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        if S == 0 {
            return write!(f, "{sign}{abs}");
        }
        // 64-bit division is several times faster than 128-bit; most values fit.
        if let (Ok(abs), Ok(p)) = (u64::try_from(abs), u64::try_from(pow10(S))) {
            return write!(f, "{sign}{}.{:0width$}", abs / p, abs % p, width = S as usize);
        }
        let p = pow10(S) as u128;
        write!(f, "{sign}{}.{:0width$}", abs / p, abs % p, width = S as usize)
    }
}

impl<const S: u32> fmt::Debug for Decimal<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print_keep_scale() {
        assert_eq!(Decimal::<2>::parse("100.5").unwrap().to_string(), "100.50");
        assert_eq!(Decimal::<2>::parse("-0.5").unwrap().to_string(), "-0.50");
        assert_eq!(Decimal::<2>::parse("+7").unwrap().to_string(), "7.00");
        assert_eq!(Decimal::<0>::parse("-12").unwrap().to_string(), "-12");
        assert_eq!(Decimal::<1>::parse(".25").unwrap().to_string(), "0.3");
        assert_eq!(Decimal::<1>::parse("-0.25").unwrap().to_string(), "-0.3");
        assert!(Decimal::<2>::parse("1e3").is_err());
        assert!(Decimal::<2>::parse("").is_err());
        assert!(Decimal::<2>::parse("1.2.3").is_err());
        assert!(Decimal::<2>::parse("abc").is_err());
        assert!(Decimal::<2>::parse_exact("1.234").is_err());
        assert!(Decimal::<1>::parse_exact("1.é").is_err(), "non-ASCII text is an error, not a panic");
        assert!(Decimal::<2>::parse_exact("1.5€").is_err());
        assert_eq!(Decimal::<2>::parse_exact("1.2300").unwrap().to_string(), "1.23");
    }

    #[test]
    fn the_fast_parser_agrees_with_the_general_one_or_defers() {
        for text in ["0", "-0.5", "+7", "12.3", "1.", ".25", "999999999999999999", "-12.34", "5.0"] {
            let fast = Decimal::<2>::parse_plain(text.as_bytes());
            assert_eq!(fast, Decimal::<2>::parse_exact(text).ok(), "{text}");
        }
        // Shapes it leaves to the general parser: too long, too many fraction digits, blanks,
        // exponents, lone signs or points.
        for text in ["1234567890123456789", "9999999999999999999", "1.234", " 1", "1e3", "-", ".", "1.2.3", "1,5", ""] {
            assert_eq!(Decimal::<2>::parse_plain(text.as_bytes()), None, "{text}");
        }
        assert_eq!(Decimal::<38>::parse_plain(b"12"), None, "does not fit: left to the general parser's error");
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let big = Decimal::<0>::parse(&"9".repeat(38)).unwrap();
        assert!(mul::<0, 0, 0>(big, Decimal::<0>(10)).is_err());
        assert!(Decimal::<0>::parse(&"9".repeat(39)).is_err());
        assert!(Decimal::<5>(1).check_precision(3).is_ok());
        assert!(Decimal::<2>(12345).check_precision(4).is_err());
    }

    #[test]
    fn division_rounds_half_up() {
        let one = Decimal::<2>(100);
        let three = Decimal::<0>(3);
        assert_eq!(div::<2, 0, 6>(one, three).unwrap().to_string(), "0.333333");
        let two = Decimal::<0>(2);
        assert_eq!(div::<2, 0, 6>(Decimal::<2>(-100), Decimal::<0>(-3)).unwrap().to_string(), "0.333333");
        assert_eq!(div::<0, 0, 6>(two, three).unwrap().to_string(), "0.666667");
        assert_eq!(div::<0, 0, 6>(Decimal::<0>(-2), three).unwrap().to_string(), "-0.666667");
        assert_eq!(div::<2, 2, 6>(Decimal::<2>(100), Decimal::<2>(200)).unwrap().to_string(), "0.500000");
        assert!(div::<0, 0, 6>(two, Decimal::<0>(0)).is_err());
    }

    #[test]
    fn the_64_bit_division_rounds_like_the_128_bit_one() {
        let edges = [i64::MIN, i64::MIN + 1, -1_000_001, -15, -5, -1, 0, 1, 5, 15, 1_000_001, i64::MAX - 1, i64::MAX];
        let divisors = [1, 2, 3, 4, 10, 7, 1_000_000, i64::MAX, -1, -2, -3];
        for &n in &edges {
            for &d in &divisors {
                let (n, d) = (i128::from(n), i128::from(d));
                assert_eq!(div_half_up(n, d), div_half_up_wide(n, d), "{n} / {d}");
            }
        }
        assert_eq!(div_half_up(-15, 10), -2, "ties round away from zero");
        assert_eq!(div_half_up(25, 10), 3);
        assert_eq!(checked_mul(i128::from(i64::MIN), i128::from(i64::MIN)), Some(1i128 << 126));
        assert_eq!(checked_mul(i128::MAX, 2), None);
    }

    #[test]
    fn rescale_rounds_half_up_both_signs() {
        assert_eq!(Decimal::<3>(12345).rescale::<2>().unwrap().to_string(), "12.35");
        assert_eq!(Decimal::<3>(-12345).rescale::<2>().unwrap().to_string(), "-12.35");
        assert_eq!(Decimal::<3>(-12344).rescale::<2>().unwrap().to_string(), "-12.34");
        assert_eq!(Decimal::<1>(5).rescale::<3>().unwrap().to_string(), "0.500");
    }

    #[test]
    fn f64_conversions_are_exact_where_possible() {
        assert_eq!(Decimal::<2>::from_f64(0.125).unwrap().to_string(), "0.13");
        assert_eq!(Decimal::<2>::from_f64(-2.5).unwrap().to_string(), "-2.50");
        assert_eq!(Decimal::<1>::from_f64(1e20).unwrap().to_string(), "100000000000000000000.0");
        assert_eq!(Decimal::<3>::from_f64(1.5e-3).unwrap().to_string(), "0.002");
        assert_eq!(Decimal::<2>::from_f64(5e-4).unwrap().to_string(), "0.00");
        assert_eq!(Decimal::<2>(150).to_f64(), 1.5);
    }
}
