//! Exact sums and averages: SUM and AVG over BIGINT and DECIMAL (an `i128` total, checked), and
//! over DOUBLE.

use super::{Accumulator, Retract};
use crate::decimal::{Decimal, checked_mul, div_half_up, pow10};
use crate::error::{EvalError, EvalResult};

/// An exact running total of unscaled integers and how many were added: the state of SUM and AVG
/// over BIGINT and DECIMAL. The `i128` total cannot overflow while adding 64-bit values, and
/// values can be taken out again exactly (sliding OVER frames).
#[derive(Debug, Clone, Copy, Default)]
struct Total {
    sum: i128,
    /// Non-NULL values added (none: the SUM or AVG is NULL).
    n: i64,
}

impl Total {
    #[inline]
    fn add(&mut self, v: Option<i128>) -> EvalResult<()> {
        if let Some(v) = v {
            self.sum = self.sum.checked_add(v).ok_or(EvalError::Overflow)?;
            self.n += 1;
        }
        Ok(())
    }

    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.sum = self.sum.checked_add(other.sum).ok_or(EvalError::Overflow)?;
        self.n += other.n;
        Ok(())
    }

    /// Takes out a value that was added before (so this cannot overflow).
    fn retract(&mut self, v: Option<i128>) {
        if let Some(v) = v {
            self.sum -= v;
            self.n -= 1;
        }
    }

    /// The total, NULL when nothing was added.
    fn sum(&self) -> Option<i128> {
        (self.n > 0).then_some(self.sum)
    }
}

/// `SUM(x)` of a BIGINT. The running sum is an `i128`, so it never overflows while adding; a
/// total outside BIGINT fails when the group's row is produced. Partial sums therefore merge
/// exactly, whatever the order or the number of threads.
#[derive(Debug, Clone, Default)]
pub struct SumInt {
    total: Total,
}

impl Accumulator<i64> for SumInt {
    type Out = i64;
    #[inline]
    fn update(&mut self, v: Option<&i64>) -> EvalResult<()> {
        self.total.add(v.map(|v| i128::from(*v)))
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.total.merge(&other.total)
    }
    fn result(&self) -> EvalResult<Option<i64>> {
        self.total.sum().map(|s| i64::try_from(s).map_err(|_| EvalError::Overflow)).transpose()
    }
}

impl Retract<i64> for SumInt {
    fn retract(&mut self, v: Option<&i64>) {
        self.total.retract(v.map(|v| i128::from(*v)));
    }
}

/// `SUM(x)` of a DECIMAL(p, S): exact, result DECIMAL(38, S). Like [`SumInt`], the 38-digit limit
/// is checked on the total, so partial sums merge exactly.
#[derive(Debug, Clone, Default)]
pub struct SumDecimal<const S: u32> {
    total: Total,
}

impl<const S: u32> Accumulator<Decimal<S>> for SumDecimal<S> {
    type Out = Decimal<S>;
    #[inline]
    fn update(&mut self, v: Option<&Decimal<S>>) -> EvalResult<()> {
        self.total.add(v.map(|v| v.0))
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.total.merge(&other.total)
    }
    fn result(&self) -> EvalResult<Option<Decimal<S>>> {
        self.total.sum().map(Decimal::from_unscaled).transpose()
    }
}

impl<const S: u32> Retract<Decimal<S>> for SumDecimal<S> {
    fn retract(&mut self, v: Option<&Decimal<S>>) {
        self.total.retract(v.map(|v| v.0));
    }
}

/// `SUM(x)` of a DOUBLE.
#[derive(Debug, Clone, Default)]
pub struct SumDouble {
    sum: Option<f64>,
}

impl Accumulator<f64> for SumDouble {
    type Out = f64;
    fn update(&mut self, v: Option<&f64>) -> EvalResult<()> {
        if let Some(v) = v {
            self.sum = Some(self.sum.unwrap_or(0.0) + v);
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.update(other.sum.as_ref())
    }
    fn result(&self) -> EvalResult<Option<f64>> {
        Ok(self.sum)
    }
}

/// `AVG(x)` of a DECIMAL with scale `S` (BIGINT is scale 0), exact, rounded HALF_UP to scale `R`
/// (DIALECT.md: DECIMAL(38, max(s, 6))).
#[derive(Debug, Clone, Default)]
pub struct AvgDecimal<const S: u32, const R: u32> {
    total: Total,
}

impl<const S: u32, const R: u32> Accumulator<Decimal<S>> for AvgDecimal<S, R> {
    type Out = Decimal<R>;
    #[inline]
    fn update(&mut self, v: Option<&Decimal<S>>) -> EvalResult<()> {
        self.total.add(v.map(|v| v.0))
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.total.merge(&other.total)
    }
    fn result(&self) -> EvalResult<Option<Decimal<R>>> {
        let Some(sum) = self.total.sum() else { return Ok(None) };
        let scaled = checked_mul(sum, pow10(R.saturating_sub(S))).ok_or(EvalError::Overflow)?;
        let divisor = checked_mul(i128::from(self.total.n), pow10(S.saturating_sub(R))).ok_or(EvalError::Overflow)?;
        Decimal::from_unscaled(div_half_up(scaled, divisor)).map(Some)
    }
}

impl<const S: u32, const R: u32> Retract<Decimal<S>> for AvgDecimal<S, R> {
    fn retract(&mut self, v: Option<&Decimal<S>>) {
        self.total.retract(v.map(|v| v.0));
    }
}

/// `AVG(x)` of a DOUBLE.
#[derive(Debug, Clone, Default)]
pub struct AvgDouble {
    sum: f64,
    n: i64,
}

impl Accumulator<f64> for AvgDouble {
    type Out = f64;
    fn update(&mut self, v: Option<&f64>) -> EvalResult<()> {
        if let Some(v) = v {
            self.sum += v;
            self.n += 1;
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.sum += other.sum;
        self.n += other.n;
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<f64>> {
        Ok((self.n > 0).then(|| self.sum / self.n as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agg::run;

    #[test]
    fn average_rounds_half_up_and_sums_overflow_as_errors() {
        // (1 + 2) / 2 = 1.5 → scale 0 rounds to 2; -1.5 → -2
        assert_eq!(run::<AvgDecimal<0, 0>, _>(&[Some(Decimal::<0>(1)), Some(Decimal(2))]), Some(Decimal(2)));
        assert_eq!(run::<AvgDecimal<0, 0>, _>(&[Some(Decimal::<0>(-1)), Some(Decimal(-2))]), Some(Decimal(-2)));
        // 79.97 / 3 = 26.656666…
        let books = [Some(Decimal::<2>(2499)), Some(Decimal(1999)), Some(Decimal(3499))];
        assert_eq!(run::<AvgDecimal<2, 6>, _>(&books).map(|d| d.to_string()), Some("26.656667".into()));
        // A BIGINT total outside i64 fails when produced, whatever the order of the inputs.
        let mut s = SumInt::default();
        for v in [i64::MAX, 1, -1] {
            s.update(Some(&v)).unwrap();
        }
        assert_eq!(s.result(), Ok(Some(i64::MAX)));
        s.update(Some(&1)).unwrap();
        assert_eq!(s.result(), Err(EvalError::Overflow));
    }

    #[test]
    fn merge_equals_one_pass() {
        let vals: Vec<Option<Decimal<1>>> = (0..100).map(|i| (i % 7 != 0).then_some(Decimal(i * 13 - 400))).collect();
        let (left, right) = vals.split_at(37);
        let mut a = AvgDecimal::<1, 6>::default();
        let mut b = AvgDecimal::<1, 6>::default();
        left.iter().for_each(|v| a.update(v.as_ref()).unwrap());
        right.iter().for_each(|v| b.update(v.as_ref()).unwrap());
        a.merge(&b).unwrap();
        assert_eq!(a.result().unwrap(), run::<AvgDecimal<1, 6>, _>(&vals));
    }
}
