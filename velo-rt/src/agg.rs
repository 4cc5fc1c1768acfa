//! Aggregation: accumulators for each aggregate function and the group table of a GROUP BY.
//!
//! Every accumulator skips NULL inputs (SQL semantics) and is mergeable, so partial states of
//! parallel workers can be combined. Decimal sums are exact `i128` and checked: overflow is a
//! per-record error, never a wrap.

use std::hash::Hash;

use crate::decimal::{Decimal, div_half_up, pow10};
use crate::error::{EvalError, EvalResult};
use crate::ops::Additive;
use crate::value::ToText;

/// The running state of one aggregate over values of type `In`.
pub trait Accumulator<In>: Default + Clone {
    /// The result type (non-NULL).
    type Out;
    /// Adds one input value; NULL is ignored.
    fn update(&mut self, v: Option<&In>) -> EvalResult<()>;
    /// Combines another partial state into this one.
    fn merge(&mut self, other: &Self) -> EvalResult<()>;
    /// The aggregate's value; NULL when no non-NULL input was seen (COUNT gives 0).
    fn result(&self) -> EvalResult<Option<Self::Out>>;
}

/// `COUNT(*)` (every row, including NULLs: call with `Some(&())`) and `COUNT(x)`.
#[derive(Debug, Clone, Default)]
pub struct Count {
    n: i64,
}

impl<T> Accumulator<T> for Count {
    type Out = i64;
    #[inline]
    fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
        self.n += i64::from(v.is_some());
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.n += other.n;
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<i64>> {
        Ok(Some(self.n))
    }
}

/// `COUNT(DISTINCT x)` / `COUNT_DISTINCT(x)`: values compared by their canonical text.
#[derive(Debug, Clone, Default)]
pub struct CountDistinct {
    seen: std::collections::HashSet<String>,
}

impl<T: ToText> Accumulator<T> for CountDistinct {
    type Out = i64;
    fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
        if let Some(v) = v {
            self.seen.insert(v.to_text());
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.seen.extend(other.seen.iter().cloned());
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<i64>> {
        Ok(Some(self.seen.len() as i64))
    }
}

/// `SUM(x)` for BIGINT (checked), DOUBLE, or DECIMAL(p, s) (exact, result DECIMAL(38, s)).
#[derive(Debug, Clone, Default)]
pub struct Sum<T> {
    sum: Option<T>,
}

impl<T: Additive + Default> Accumulator<T> for Sum<T> {
    type Out = T;
    #[inline]
    fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
        if let Some(v) = v {
            self.sum = Some(self.sum.unwrap_or_default().add(*v)?);
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.update(other.sum.as_ref())
    }
    fn result(&self) -> EvalResult<Option<T>> {
        Ok(self.sum)
    }
}

/// `AVG(x)` of a DECIMAL with scale `S` (BIGINT is scale 0), exact, rounded HALF_UP to scale `R`
/// (DIALECT.md: DECIMAL(38, max(s, 6))).
#[derive(Debug, Clone, Default)]
pub struct AvgDecimal<const S: u32, const R: u32> {
    sum: i128,
    n: i64,
}

impl<const S: u32, const R: u32> Accumulator<Decimal<S>> for AvgDecimal<S, R> {
    type Out = Decimal<R>;
    #[inline]
    fn update(&mut self, v: Option<&Decimal<S>>) -> EvalResult<()> {
        if let Some(v) = v {
            self.sum = self.sum.checked_add(v.0).ok_or(EvalError::Overflow)?;
            self.n += 1;
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        self.sum = self.sum.checked_add(other.sum).ok_or(EvalError::Overflow)?;
        self.n += other.n;
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<Decimal<R>>> {
        if self.n == 0 {
            return Ok(None);
        }
        let scaled = self.sum.checked_mul(pow10(R.saturating_sub(S))).ok_or(EvalError::Overflow)?;
        let divisor = (self.n as i128).checked_mul(pow10(S.saturating_sub(R))).ok_or(EvalError::Overflow)?;
        Decimal::from_unscaled(div_half_up(scaled, divisor)).map(Some)
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

/// `MIN(x)`.
#[derive(Debug, Clone)]
pub struct Min<T> {
    v: Option<T>,
}

/// `MAX(x)`.
#[derive(Debug, Clone)]
pub struct Max<T> {
    v: Option<T>,
}

impl<T> Default for Min<T> {
    fn default() -> Self {
        Self { v: None }
    }
}

impl<T> Default for Max<T> {
    fn default() -> Self {
        Self { v: None }
    }
}

macro_rules! extreme {
    ($ty:ident, $better:expr) => {
        impl<T: PartialOrd + Clone> Accumulator<T> for $ty<T> {
            type Out = T;
            #[inline]
            fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
                if let Some(v) = v {
                    let better: fn(&T, &T) -> bool = $better;
                    if self.v.as_ref().is_none_or(|cur| better(v, cur)) {
                        self.v = Some(v.clone());
                    }
                }
                Ok(())
            }
            fn merge(&mut self, other: &Self) -> EvalResult<()> {
                self.update(other.v.as_ref())
            }
            fn result(&self) -> EvalResult<Option<T>> {
                Ok(self.v.clone())
            }
        }
    };
}

extreme!(Min, |a, b| a < b);
extreme!(Max, |a, b| a > b);

/// The groups of a GROUP BY, in order of first appearance (so output order is deterministic).
/// The index is a hashbrown map with its default (foldhash) hasher: several times faster than
/// SipHash on short keys, and still seeded per process.
#[derive(Debug, Clone)]
pub struct Groups<K, A> {
    index: hashbrown::HashMap<K, usize>,
    entries: Vec<(K, A)>,
}

impl<K, A> Default for Groups<K, A> {
    fn default() -> Self {
        Self { index: hashbrown::HashMap::default(), entries: Vec::new() }
    }
}

impl<K: Hash + Eq + Clone, A: Default> Groups<K, A> {
    /// The accumulators of group `key`, created empty on first sight; also its index.
    #[inline]
    pub fn entry(&mut self, key: &K) -> (usize, &mut A) {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.entries.push((key.clone(), A::default()));
                self.index.insert(key.clone(), self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        (i, &mut self.entries[i].1)
    }

    /// Group `i` (key and accumulators).
    pub fn get(&self, i: usize) -> (&K, &A) {
        let (k, a) = &self.entries[i];
        (k, a)
    }

    /// All groups in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &A)> {
        self.entries.iter().map(|(k, a)| (k, a))
    }

    /// Folds `other` into these groups, in `other`'s order, combining accumulators with `merge`
    /// (so merging partial states in input order keeps first-appearance order).
    pub fn merge(&mut self, other: Self, merge: impl Fn(&mut A, &A) -> EvalResult<()>) -> EvalResult<()> {
        for (k, a) in other.entries {
            let (_, mine) = self.entry(&k);
            merge(mine, &a)?;
        }
        Ok(())
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A DOUBLE usable as a group key (NaN equals NaN; -0.0 equals 0.0).
#[derive(Debug, Clone, Copy)]
pub struct KeyF64(pub f64);

impl PartialEq for KeyF64 {
    fn eq(&self, o: &Self) -> bool {
        self.bits() == o.bits()
    }
}

impl Eq for KeyF64 {}

impl Hash for KeyF64 {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.bits().hash(h)
    }
}

impl KeyF64 {
    fn bits(self) -> u64 {
        if self.0 == 0.0 {
            0
        } else if self.0.is_nan() {
            u64::MAX
        } else {
            self.0.to_bits()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<A: Accumulator<T>, T>(vals: &[Option<T>]) -> Option<A::Out> {
        let mut a = A::default();
        for v in vals {
            a.update(v.as_ref()).unwrap();
        }
        a.result().unwrap()
    }

    #[test]
    fn aggregates_skip_nulls() {
        let vals = [Some(Decimal::<2>(1050)), None, Some(Decimal(-25))];
        assert_eq!(run::<Count, _>(&vals), Some(2));
        assert_eq!(run::<Sum<Decimal<2>>, _>(&vals), Some(Decimal(1025)));
        assert_eq!(run::<AvgDecimal<2, 6>, _>(&vals), Some(Decimal(5_125_000)));
        assert_eq!(run::<Min<Decimal<2>>, _>(&vals), Some(Decimal(-25)));
        assert_eq!(run::<Max<Decimal<2>>, _>(&vals), Some(Decimal(1050)));
        assert_eq!(run::<Sum<i64>, _>(&[None::<i64>]), None);
        assert_eq!(run::<AvgDecimal<0, 6>, _>(&[None::<Decimal<0>>]), None);
        assert_eq!(run::<Count, _>(&[None::<i64>]), Some(0));
    }

    #[test]
    fn average_rounds_half_up_and_sums_overflow_as_errors() {
        // (1 + 2) / 2 = 1.5 → scale 0 rounds to 2; -1.5 → -2
        assert_eq!(run::<AvgDecimal<0, 0>, _>(&[Some(Decimal::<0>(1)), Some(Decimal(2))]), Some(Decimal(2)));
        assert_eq!(run::<AvgDecimal<0, 0>, _>(&[Some(Decimal::<0>(-1)), Some(Decimal(-2))]), Some(Decimal(-2)));
        // 79.97 / 3 = 26.656666…
        let books = [Some(Decimal::<2>(2499)), Some(Decimal(1999)), Some(Decimal(3499))];
        assert_eq!(run::<AvgDecimal<2, 6>, _>(&books).map(|d| d.to_string()), Some("26.656667".into()));
        let mut s = Sum::<i64>::default();
        s.update(Some(&i64::MAX)).unwrap();
        assert_eq!(s.update(Some(&1)), Err(EvalError::Overflow));
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

    #[test]
    fn groups_keep_first_appearance_order() {
        let mut g: Groups<(Option<String>,), Count> = Groups::default();
        for k in ["b", "a", "b", "c"] {
            let (_, acc) = g.entry(&(Some(k.to_string()),));
            Accumulator::<()>::update(acc, Some(&())).unwrap();
        }
        let keys: Vec<_> =
            g.iter().map(|(k, a)| (k.0.clone().unwrap(), Accumulator::<()>::result(a).unwrap())).collect();
        assert_eq!(keys, vec![("b".into(), Some(2)), ("a".into(), Some(1)), ("c".into(), Some(1))]);
        assert_eq!(KeyF64(0.0), KeyF64(-0.0));
    }
}
