//! `CAST(x AS T)` and the implicit widenings the compiler inserts (BIGINT → DECIMAL → DOUBLE).

use crate::decimal::Decimal;
use crate::error::{EvalError, EvalResult};
use crate::time::{Date, Timestamp};
use crate::value::{FromText, ToText};

/// Conversion of a non-NULL value of type `F` into `Self`.
pub trait CastFrom<F>: Sized {
    /// Converts `v`, or explains why it cannot be converted.
    fn cast_from(v: F) -> EvalResult<Self>;
}

/// `CAST(v AS T)`; NULL stays NULL.
#[inline]
pub fn cast<F, T: CastFrom<F>>(v: Option<F>) -> EvalResult<Option<T>> {
    v.map(T::cast_from).transpose()
}

/// `CAST(v AS DECIMAL(p, s))`: also checks that the value has at most `p` digits.
#[inline]
pub fn cast_decimal<F, const S: u32>(v: Option<F>, precision: u32) -> EvalResult<Option<Decimal<S>>>
where
    Decimal<S>: CastFrom<F>,
{
    cast::<F, Decimal<S>>(v)?.map(|d| d.check_precision(precision)).transpose()
}

macro_rules! to_string_casts {
    ($($t:ty),*) => {$(
        impl CastFrom<$t> for String {
            fn cast_from(v: $t) -> EvalResult<Self> {
                Ok(v.to_text())
            }
        }
    )*};
}
to_string_casts!(i64, f64, bool, Timestamp, Date);

impl<const S: u32> CastFrom<Decimal<S>> for String {
    fn cast_from(v: Decimal<S>) -> EvalResult<Self> {
        Ok(v.to_text())
    }
}

macro_rules! from_string_casts {
    ($($t:ty),*) => {$(
        impl CastFrom<String> for $t {
            fn cast_from(v: String) -> EvalResult<Self> {
                <$t>::from_text(&v).map_err(EvalError::InvalidCast)
            }
        }
    )*};
}
from_string_casts!(i64, f64, bool, Timestamp, Date);

impl<const S: u32> CastFrom<String> for Decimal<S> {
    /// Rounds HALF_UP to the target scale.
    fn cast_from(v: String) -> EvalResult<Self> {
        Decimal::parse(&v).map_err(|_| EvalError::InvalidCast(format!("`{v}` to DECIMAL")))
    }
}

impl CastFrom<i64> for f64 {
    fn cast_from(v: i64) -> EvalResult<Self> {
        Ok(v as f64)
    }
}

impl CastFrom<i64> for bool {
    fn cast_from(v: i64) -> EvalResult<Self> {
        Ok(v != 0)
    }
}

impl CastFrom<bool> for i64 {
    fn cast_from(v: bool) -> EvalResult<Self> {
        Ok(v as i64)
    }
}

impl CastFrom<f64> for i64 {
    /// Truncates towards zero, like Flink; out of range is an error.
    fn cast_from(v: f64) -> EvalResult<Self> {
        if v.is_finite() && v >= i64::MIN as f64 && v < i64::MAX as f64 {
            Ok(v.trunc() as i64)
        } else {
            Err(EvalError::InvalidCast(format!("{v} to BIGINT")))
        }
    }
}

impl<const S: u32> CastFrom<i64> for Decimal<S> {
    fn cast_from(v: i64) -> EvalResult<Self> {
        Decimal::from_i64(v)
    }
}

impl<const S: u32> CastFrom<f64> for Decimal<S> {
    fn cast_from(v: f64) -> EvalResult<Self> {
        Decimal::from_f64(v)
    }
}

impl<const S: u32> CastFrom<Decimal<S>> for f64 {
    fn cast_from(v: Decimal<S>) -> EvalResult<Self> {
        Ok(v.to_f64())
    }
}

impl<const S: u32> CastFrom<Decimal<S>> for i64 {
    /// Truncates towards zero.
    fn cast_from(v: Decimal<S>) -> EvalResult<Self> {
        v.trunc_i64()
    }
}

impl<const A: u32, const B: u32> CastFrom<Decimal<A>> for Decimal<B> {
    /// Rescales, rounding HALF_UP.
    fn cast_from(v: Decimal<A>) -> EvalResult<Self> {
        v.rescale::<B>()
    }
}

impl CastFrom<Timestamp> for Date {
    fn cast_from(v: Timestamp) -> EvalResult<Self> {
        i32::try_from(v.0.div_euclid(86_400_000))
            .map(Date)
            .map_err(|_| EvalError::InvalidCast(format!("{} ms to DATE", v.0)))
    }
}

impl CastFrom<String> for String {
    /// Identity (a NULL-typed expression used as text).
    fn cast_from(v: String) -> EvalResult<Self> {
        Ok(v)
    }
}

impl CastFrom<Date> for Timestamp {
    fn cast_from(v: Date) -> EvalResult<Self> {
        Ok(Timestamp(v.0 as i64 * 86_400_000))
    }
}

impl CastFrom<Timestamp> for i64 {
    /// Epoch milliseconds.
    fn cast_from(v: Timestamp) -> EvalResult<Self> {
        Ok(v.0)
    }
}

impl CastFrom<i64> for Timestamp {
    /// Epoch milliseconds, within the calendar ([`Timestamp::from_millis`]).
    fn cast_from(v: i64) -> EvalResult<Self> {
        Timestamp::from_millis(v).ok_or(EvalError::Overflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_the_dialect() {
        assert_eq!(cast::<f64, i64>(Some(3.7)), Ok(Some(3)));
        assert_eq!(cast::<f64, i64>(Some(-3.7)), Ok(Some(-3)));
        assert_eq!(cast::<String, i64>(None), Ok(None));
        assert!(cast::<String, i64>(Some("x".into())).is_err());
        assert_eq!(cast::<Decimal<3>, Decimal<2>>(Some(Decimal(1235))), Ok(Some(Decimal(124))));
        assert_eq!(cast::<Decimal<2>, String>(Some(Decimal(-50))), Ok(Some("-0.50".into())));
        assert!(cast_decimal::<i64, 2>(Some(1000), 4).is_err());
        assert_eq!(cast_decimal::<i64, 2>(Some(99), 4), Ok(Some(Decimal(9900))));
        assert_eq!(cast::<Timestamp, Date>(Some(Timestamp(-1))), Ok(Some(Date(-1))));
        assert_eq!(cast::<i64, Timestamp>(Some(-1)), Ok(Some(Timestamp(-1))));
        assert_eq!(cast::<i64, Timestamp>(Some(i64::MAX)), Err(EvalError::Overflow), "outside the calendar");
    }
}
