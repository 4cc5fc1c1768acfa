//! SQL operators over nullable values, as called by generated code.
//!
//! Every operand is an `Option` (NULL is `None`); arithmetic returns `EvalResult<Option<T>>`
//! because it can overflow or divide by zero; comparisons and logic return `Option<bool>`
//! (three-valued logic). The compiler inserts casts first, so both operands have one type.

use std::cmp::Ordering;

use crate::decimal::{self, Decimal};
use crate::error::{EvalError, EvalResult};

/// Addition, subtraction, remainder and negation of one numeric type.
pub trait Additive: Copy {
    /// `self + o`.
    fn add(self, o: Self) -> EvalResult<Self>;
    /// `self - o`.
    fn sub(self, o: Self) -> EvalResult<Self>;
    /// `self % o`, with the sign of `self`.
    fn rem(self, o: Self) -> EvalResult<Self>;
    /// `-self`.
    fn neg(self) -> EvalResult<Self>;
}

/// Multiplication and division of one non-decimal numeric type (decimals change scale, see
/// [`dec_mul`] and [`dec_div`]).
pub trait Multiplicative: Copy {
    /// `self * o`.
    fn mul(self, o: Self) -> EvalResult<Self>;
    /// `self / o`: integer division truncates; division by zero is an error.
    fn div(self, o: Self) -> EvalResult<Self>;
}

impl Additive for i64 {
    fn add(self, o: Self) -> EvalResult<Self> {
        self.checked_add(o).ok_or(EvalError::Overflow)
    }
    fn sub(self, o: Self) -> EvalResult<Self> {
        self.checked_sub(o).ok_or(EvalError::Overflow)
    }
    fn rem(self, o: Self) -> EvalResult<Self> {
        if o == 0 {
            return Err(EvalError::DivisionByZero);
        }
        self.checked_rem(o).ok_or(EvalError::Overflow)
    }
    fn neg(self) -> EvalResult<Self> {
        self.checked_neg().ok_or(EvalError::Overflow)
    }
}

impl Multiplicative for i64 {
    fn mul(self, o: Self) -> EvalResult<Self> {
        self.checked_mul(o).ok_or(EvalError::Overflow)
    }
    fn div(self, o: Self) -> EvalResult<Self> {
        if o == 0 {
            return Err(EvalError::DivisionByZero);
        }
        self.checked_div(o).ok_or(EvalError::Overflow)
    }
}

impl Additive for f64 {
    fn add(self, o: Self) -> EvalResult<Self> {
        Ok(self + o)
    }
    fn sub(self, o: Self) -> EvalResult<Self> {
        Ok(self - o)
    }
    fn rem(self, o: Self) -> EvalResult<Self> {
        if o == 0.0 {
            return Err(EvalError::DivisionByZero);
        }
        Ok(self % o)
    }
    fn neg(self) -> EvalResult<Self> {
        Ok(-self)
    }
}

impl Multiplicative for f64 {
    fn mul(self, o: Self) -> EvalResult<Self> {
        Ok(self * o)
    }
    fn div(self, o: Self) -> EvalResult<Self> {
        if o == 0.0 {
            return Err(EvalError::DivisionByZero);
        }
        Ok(self / o)
    }
}

impl<const S: u32> Additive for Decimal<S> {
    fn add(self, o: Self) -> EvalResult<Self> {
        Decimal::from_unscaled(self.0.checked_add(o.0).ok_or(EvalError::Overflow)?)
    }
    fn sub(self, o: Self) -> EvalResult<Self> {
        Decimal::from_unscaled(self.0.checked_sub(o.0).ok_or(EvalError::Overflow)?)
    }
    fn rem(self, o: Self) -> EvalResult<Self> {
        if o.0 == 0 {
            return Err(EvalError::DivisionByZero);
        }
        Ok(Decimal(self.0 % o.0))
    }
    fn neg(self) -> EvalResult<Self> {
        Ok(Decimal(-self.0))
    }
}

macro_rules! lift2 {
    ($(#[$m:meta])* $name:ident, $tr:ident, $method:ident) => {
        $(#[$m])*
        #[inline]
        pub fn $name<T: $tr>(a: Option<T>, b: Option<T>) -> EvalResult<Option<T>> {
            match (a, b) {
                (Some(a), Some(b)) => a.$method(b).map(Some),
                _ => Ok(None),
            }
        }
    };
}

lift2!(/// `a + b`; NULL if either is NULL.
    add, Additive, add);
lift2!(/// `a - b`; NULL if either is NULL.
    sub, Additive, sub);
lift2!(/// `a % b`; NULL if either is NULL.
    rem, Additive, rem);
lift2!(/// `a * b`; NULL if either is NULL.
    mul, Multiplicative, mul);
lift2!(/// `a / b`; NULL if either is NULL.
    div, Multiplicative, div);

/// `-a`; NULL if `a` is NULL.
#[inline]
pub fn neg<T: Additive>(a: Option<T>) -> EvalResult<Option<T>> {
    a.map(Additive::neg).transpose()
}

/// Decimal `a * b` rounded to scale `R`.
#[inline]
pub fn dec_mul<const A: u32, const B: u32, const R: u32>(
    a: Option<Decimal<A>>,
    b: Option<Decimal<B>>,
) -> EvalResult<Option<Decimal<R>>> {
    match (a, b) {
        (Some(a), Some(b)) => decimal::mul::<A, B, R>(a, b).map(Some),
        _ => Ok(None),
    }
}

/// Decimal `a / b` rounded HALF_UP to scale `R`.
#[inline]
pub fn dec_div<const A: u32, const B: u32, const R: u32>(
    a: Option<Decimal<A>>,
    b: Option<Decimal<B>>,
) -> EvalResult<Option<Decimal<R>>> {
    match (a, b) {
        (Some(a), Some(b)) => decimal::div::<A, B, R>(a, b).map(Some),
        _ => Ok(None),
    }
}

/// Compares two non-NULL values; `None` if either is NULL (or a DOUBLE is NaN).
#[inline]
pub fn compare<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> Option<Ordering> {
    match (a, b) {
        (Some(a), Some(b)) => a.partial_cmp(b),
        _ => None,
    }
}

macro_rules! comparison {
    ($(#[$m:meta])* $name:ident, $pat:pat) => {
        $(#[$m])*
        #[inline]
        pub fn $name<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> Option<bool> {
            compare(a, b).map(|o| matches!(o, $pat))
        }
    };
}

comparison!(/// `a = b` (NULL if either is NULL).
    eq, Ordering::Equal);
comparison!(/// `a <> b`.
    ne, Ordering::Less | Ordering::Greater);
comparison!(/// `a < b`.
    lt, Ordering::Less);
comparison!(/// `a <= b`.
    le, Ordering::Less | Ordering::Equal);
comparison!(/// `a > b`.
    gt, Ordering::Greater);
comparison!(/// `a >= b`.
    ge, Ordering::Greater | Ordering::Equal);

/// `a IS NOT DISTINCT FROM b`: NULL-safe equality (never NULL).
#[inline]
pub fn not_distinct<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(_), Some(_)) => eq(a, b) == Some(true),
        _ => false,
    }
}

/// Three-valued AND of an already evaluated left side and the right side.
#[inline]
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued OR.
#[inline]
pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Three-valued NOT.
#[inline]
pub fn not(a: Option<bool>) -> Option<bool> {
    a.map(|v| !v)
}

/// WHERE/HAVING/CASE keep a row only when the condition is TRUE (not FALSE, not NULL).
#[inline]
pub fn is_true(a: Option<bool>) -> bool {
    a == Some(true)
}

/// `a IN (list)`: TRUE if any element equals `a`; else NULL if `a` or any element is NULL.
#[inline]
pub fn in_list<T: PartialOrd>(a: &Option<T>, list: &[Option<T>]) -> Option<bool> {
    a.as_ref()?;
    let mut saw_null = false;
    for item in list {
        match eq(a, item) {
            Some(true) => return Some(true),
            None => saw_null = true,
            Some(false) => {}
        }
    }
    if saw_null { None } else { Some(false) }
}

/// `NULLIF(a, b)`: NULL when `a = b`, else `a`.
#[inline]
pub fn nullif<T: PartialOrd>(a: Option<T>, b: &Option<T>) -> Option<T> {
    if eq(&a, b) == Some(true) { None } else { a }
}

/// `a || b`: string concatenation; NULL if either is NULL.
#[inline]
pub fn concat_op(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.push_str(&b);
            Some(a)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_valued_logic_truth_tables() {
        let v = [Some(true), Some(false), None];
        for a in v {
            for b in v {
                let expect_and = match (a, b) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                };
                assert_eq!(and(a, b), expect_and);
                assert_eq!(or(a, b), not(and(not(a), not(b))), "De Morgan for {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn null_propagation_and_errors() {
        assert_eq!(add(Some(1i64), None), Ok(None));
        assert_eq!(div(Some(7i64), Some(2)), Ok(Some(3)));
        assert_eq!(div(Some(-7i64), Some(2)), Ok(Some(-3)));
        assert_eq!(rem(Some(-7i64), Some(2)), Ok(Some(-1)));
        assert_eq!(div(Some(1i64), Some(0)), Err(EvalError::DivisionByZero));
        assert_eq!(add(Some(i64::MAX), Some(1)), Err(EvalError::Overflow));
        assert_eq!(neg(Some(i64::MIN)), Err(EvalError::Overflow));
    }

    #[test]
    fn in_list_follows_sql() {
        assert_eq!(in_list(&Some(1), &[Some(2), None]), None);
        assert_eq!(in_list(&Some(2), &[Some(2), None]), Some(true));
        assert_eq!(in_list(&Some(3), &[Some(2)]), Some(false));
        assert_eq!(in_list(&None::<i64>, &[Some(2)]), None);
        assert!(not_distinct(&None::<i64>, &None));
        assert!(!not_distinct(&Some(1), &None));
    }

    #[test]
    fn decimal_equality_compares_values() {
        // 1.50 = 1.5 once both sides are cast to the common scale 2
        let a = Some(Decimal::<2>(150));
        let b = Some(Decimal::<1>(15).rescale::<2>().unwrap());
        assert_eq!(eq(&a, &b), Some(true));
    }
}
