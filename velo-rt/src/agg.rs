//! Aggregation: accumulators for each aggregate function and the group table of a GROUP BY.
//!
//! Every accumulator skips NULL inputs (SQL semantics) and is mergeable, so partial states of
//! parallel workers can be combined. Decimal sums are exact `i128` and checked: overflow is a
//! per-record error, never a wrap.

use std::hash::{BuildHasher, Hash};

use crate::decimal::{Decimal, checked_mul, div_half_up, pow10};
use crate::error::{EvalError, EvalResult};
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

/// An accumulator that can also take a value out again (exactly): a sliding frame of an OVER
/// aggregate updates it in O(1) per row instead of folding the whole frame.
pub trait Retract<In>: Accumulator<In> {
    /// Removes one value that was added before; NULL is ignored.
    fn retract(&mut self, v: Option<&In>);
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

impl<T> Retract<T> for Count {
    fn retract(&mut self, v: Option<&T>) {
        self.n -= i64::from(v.is_some());
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

/// An aggregate that keeps one of its inputs: `keep(new, current)` says whether a non-NULL input
/// replaces the value kept so far.
macro_rules! keep_one {
    ($(#[$doc:meta])* $name:ident, $keep:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<T> {
            v: Option<T>,
        }

        impl<T> Default for $name<T> {
            fn default() -> Self {
                Self { v: None }
            }
        }

        impl<T: PartialOrd + Clone> Accumulator<T> for $name<T> {
            type Out = T;
            #[inline]
            fn update(&mut self, v: Option<&T>) -> EvalResult<()> {
                if let Some(v) = v {
                    let keep: fn(&T, Option<&T>) -> bool = $keep;
                    if keep(v, self.v.as_ref()) {
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

keep_one!(
    /// `MIN(x)`.
    Min,
    |new, cur| cur.is_none_or(|c| new < c)
);
keep_one!(
    /// `MAX(x)`.
    Max,
    |new, cur| cur.is_none_or(|c| new > c)
);
keep_one!(
    /// `FIRST_VALUE(x)`: the first non-NULL value in input order.
    First,
    |_, cur| cur.is_none()
);
keep_one!(
    /// `LAST_VALUE(x)`: the last non-NULL value in input order.
    Last,
    |_, _| true
);

/// `STRING_AGG(x, sep)` / `LISTAGG`: non-NULL values joined by a constant separator, in input
/// order. Each input carries the separator: `(value, sep)`.
#[derive(Debug, Clone, Default)]
pub struct StringAgg {
    joined: Option<String>,
    sep: &'static str,
}

impl Accumulator<(String, &'static str)> for StringAgg {
    type Out = String;
    fn update(&mut self, v: Option<&(String, &'static str)>) -> EvalResult<()> {
        if let Some((v, sep)) = v {
            self.sep = sep;
            match &mut self.joined {
                Some(s) => {
                    s.push_str(sep);
                    s.push_str(v);
                }
                None => self.joined = Some(v.clone()),
            }
        }
        Ok(())
    }
    fn merge(&mut self, other: &Self) -> EvalResult<()> {
        if let Some(o) = &other.joined {
            self.update(Some(&(o.clone(), other.sep)))?;
        }
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<String>> {
        Ok(self.joined.clone())
    }
}

/// Which statistic [`Moments`] reports.
pub mod stat {
    /// `VAR_SAMP` / `VARIANCE`.
    pub const VAR_SAMP: u8 = 0;
    /// `VAR_POP`.
    pub const VAR_POP: u8 = 1;
    /// `STDDEV_SAMP` / `STDDEV`.
    pub const STDDEV_SAMP: u8 = 2;
    /// `STDDEV_POP`.
    pub const STDDEV_POP: u8 = 3;
    /// `COVAR_SAMP(y, x)`.
    pub const COVAR_SAMP: u8 = 4;
    /// `COVAR_POP(y, x)`.
    pub const COVAR_POP: u8 = 5;
    /// `CORR(y, x)`.
    pub const CORR: u8 = 6;
    /// `REGR_SLOPE(y, x)`.
    pub const REGR_SLOPE: u8 = 7;
    /// `REGR_INTERCEPT(y, x)`.
    pub const REGR_INTERCEPT: u8 = 8;
    /// `REGR_R2(y, x)`.
    pub const REGR_R2: u8 = 9;
}

/// Variance and standard deviation of a DOUBLE, by Welford's algorithm (numerically stable and
/// mergeable with Chan's formula).
#[derive(Debug, Clone, Default)]
pub struct Moments<const K: u8> {
    n: f64,
    mean: f64,
    m2: f64,
}

impl<const K: u8> Accumulator<f64> for Moments<K> {
    type Out = f64;
    fn update(&mut self, v: Option<&f64>) -> EvalResult<()> {
        if let Some(x) = v {
            self.n += 1.0;
            let d = x - self.mean;
            self.mean += d / self.n;
            self.m2 += d * (x - self.mean);
        }
        Ok(())
    }
    fn merge(&mut self, o: &Self) -> EvalResult<()> {
        if o.n == 0.0 {
            return Ok(());
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.m2 += o.m2 + d * d * self.n * o.n / n;
        self.mean += d * o.n / n;
        self.n = n;
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<f64>> {
        let var = match K {
            stat::VAR_POP | stat::STDDEV_POP if self.n >= 1.0 => self.m2 / self.n,
            stat::VAR_SAMP | stat::STDDEV_SAMP if self.n >= 2.0 => self.m2 / (self.n - 1.0),
            _ => return Ok(None),
        };
        Ok(Some(if matches!(K, stat::STDDEV_POP | stat::STDDEV_SAMP) { var.sqrt() } else { var }))
    }
}

/// Covariance, correlation and linear regression of pairs `(y, x)`; a pair with a NULL is skipped.
#[derive(Debug, Clone, Default)]
pub struct CoMoments<const K: u8> {
    n: f64,
    mean_x: f64,
    mean_y: f64,
    c: f64,
    m2_x: f64,
    m2_y: f64,
}

impl<const K: u8> Accumulator<(f64, f64)> for CoMoments<K> {
    type Out = f64;
    fn update(&mut self, v: Option<&(f64, f64)>) -> EvalResult<()> {
        if let Some(&(y, x)) = v {
            self.n += 1.0;
            let dx = x - self.mean_x;
            let dy = y - self.mean_y;
            self.mean_x += dx / self.n;
            self.mean_y += dy / self.n;
            self.c += dx * (y - self.mean_y);
            self.m2_x += dx * (x - self.mean_x);
            self.m2_y += dy * (y - self.mean_y);
        }
        Ok(())
    }
    fn merge(&mut self, o: &Self) -> EvalResult<()> {
        if o.n == 0.0 {
            return Ok(());
        }
        let n = self.n + o.n;
        let (dx, dy) = (o.mean_x - self.mean_x, o.mean_y - self.mean_y);
        let w = self.n * o.n / n;
        self.c += o.c + dx * dy * w;
        self.m2_x += o.m2_x + dx * dx * w;
        self.m2_y += o.m2_y + dy * dy * w;
        self.mean_x += dx * o.n / n;
        self.mean_y += dy * o.n / n;
        self.n = n;
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<f64>> {
        let n = self.n;
        Ok(match K {
            stat::COVAR_POP if n >= 1.0 => Some(self.c / n),
            stat::COVAR_SAMP if n >= 2.0 => Some(self.c / (n - 1.0)),
            stat::CORR if n >= 1.0 && self.m2_x > 0.0 && self.m2_y > 0.0 => {
                Some(self.c / (self.m2_x * self.m2_y).sqrt())
            }
            stat::REGR_SLOPE if n >= 1.0 && self.m2_x > 0.0 => Some(self.c / self.m2_x),
            stat::REGR_INTERCEPT if n >= 1.0 && self.m2_x > 0.0 => Some(self.mean_y - self.c / self.m2_x * self.mean_x),
            stat::REGR_R2 if n >= 1.0 && self.m2_x > 0.0 => {
                Some(if self.m2_y == 0.0 { 1.0 } else { self.c * self.c / (self.m2_x * self.m2_y) })
            }
            _ => None,
        })
    }
}

/// `PERCENTILE_CONT(x, p)` and `MEDIAN(x)` (p = 0.5): linear interpolation between the two
/// nearest values at position `p·(n−1)`. Keeps every value of the group. Inputs are `(x, p)`.
#[derive(Debug, Clone, Default)]
pub struct PercentileCont {
    values: Vec<f64>,
    p: f64,
}

impl Accumulator<(f64, f64)> for PercentileCont {
    type Out = f64;
    fn update(&mut self, v: Option<&(f64, f64)>) -> EvalResult<()> {
        if let Some(&(x, p)) = v {
            self.values.push(x);
            self.p = p;
        }
        Ok(())
    }
    fn merge(&mut self, o: &Self) -> EvalResult<()> {
        self.values.extend_from_slice(&o.values);
        if !o.values.is_empty() {
            self.p = o.p;
        }
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<f64>> {
        if self.values.is_empty() {
            return Ok(None);
        }
        let mut v = self.values.clone();
        v.sort_by(f64::total_cmp);
        let pos = self.p * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        Ok(Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)))
    }
}

/// `PERCENTILE_DISC(x, p)`: the smallest value whose cumulative share of the group is at least
/// `p`. Keeps every value of the group. Inputs are `(x, p)`.
#[derive(Debug, Clone)]
pub struct PercentileDisc<T> {
    values: Vec<T>,
    p: f64,
}

impl<T> Default for PercentileDisc<T> {
    fn default() -> Self {
        Self { values: Vec::new(), p: 0.0 }
    }
}

impl<T: PartialOrd + Clone> Accumulator<(T, f64)> for PercentileDisc<T> {
    type Out = T;
    fn update(&mut self, v: Option<&(T, f64)>) -> EvalResult<()> {
        if let Some((x, p)) = v {
            self.values.push(x.clone());
            self.p = *p;
        }
        Ok(())
    }
    fn merge(&mut self, o: &Self) -> EvalResult<()> {
        self.values.extend(o.values.iter().cloned());
        if !o.values.is_empty() {
            self.p = o.p;
        }
        Ok(())
    }
    fn result(&self) -> EvalResult<Option<T>> {
        if self.values.is_empty() {
            return Ok(None);
        }
        let mut v = self.values.clone();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        let k = ((self.p * v.len() as f64).ceil() as usize).clamp(1, v.len());
        Ok(Some(v[k - 1].clone()))
    }
}

/// The groups of a GROUP BY, in order of first appearance (so output order is deterministic).
/// The index is a hashbrown table with its default (foldhash) hasher: several times faster than
/// SipHash on short keys, and still seeded per process. Lookups take a *borrowed* probe (for a
/// text key, `Option<&str>` straight from the decoded row), so a record of an existing group
/// allocates nothing; the owned key is built only when a group is created.
#[derive(Clone)]
pub struct Groups<K, A> {
    hasher: hashbrown::DefaultHashBuilder,
    /// `(hash, index into entries)`.
    index: hashbrown::HashTable<(u64, usize)>,
    entries: Vec<(K, A)>,
}

impl<K: std::fmt::Debug, A: std::fmt::Debug> std::fmt::Debug for Groups<K, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(k, a)| (k, a))).finish()
    }
}

impl<K, A> Default for Groups<K, A> {
    fn default() -> Self {
        Self { hasher: Default::default(), index: hashbrown::HashTable::new(), entries: Vec::new() }
    }
}

impl<K: Hash + Eq + Clone, A: Default> Groups<K, A> {
    /// The accumulators of group `key`, created empty on first sight; also its index.
    #[inline]
    pub fn entry(&mut self, key: &K) -> (usize, &mut A) {
        self.entry_by(key, |k| k == key, || key.clone())
    }

    /// Like [`Groups::entry`], looked up by a borrowed `probe` that hashes exactly like the key
    /// it stands for (`(Option<&str>,)` for `(Option<String>,)`: std hashes `String` as `str`).
    /// `matches` tells whether a stored key is the probe's; `to_owned` builds the key of a new
    /// group.
    #[inline]
    pub fn entry_by<Q: Hash + ?Sized>(
        &mut self,
        probe: &Q,
        matches: impl Fn(&K) -> bool,
        to_owned: impl FnOnce() -> K,
    ) -> (usize, &mut A) {
        let hash = self.hasher.hash_one(probe);
        let entries = &self.entries;
        let i = match self.index.find(hash, |&(h, i)| h == hash && matches(&entries[i].0)) {
            Some(&(_, i)) => i,
            None => {
                let key = to_owned();
                debug_assert_eq!(self.hasher.hash_one(&key), hash, "a probe must hash like its key");
                let i = self.entries.len();
                self.entries.push((key, A::default()));
                self.index.insert_unique(hash, (hash, i), |&(h, _)| h);
                i
            }
        };
        (i, &mut self.entries[i].1)
    }

    /// Group `i` (key and accumulators).
    pub fn get(&self, i: usize) -> (&K, &A) {
        let (k, a) = &self.entries[i];
        (k, a)
    }

    /// Group `i`, its accumulators writable.
    pub fn get_mut(&mut self, i: usize) -> (&K, &mut A) {
        let (k, a) = &mut self.entries[i];
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

    /// Every group's accumulators, writable, in order of first appearance.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut A> {
        self.entries.iter_mut().map(|(_, a)| a)
    }

    /// Keeps only the groups for which `keep` is true (in their order); O(groups).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &A) -> bool) {
        self.entries.retain(|(k, a)| keep(k, a));
        self.index.clear();
        for (i, (k, _)) in self.entries.iter().enumerate() {
            let hash = self.hasher.hash_one(k);
            self.index.insert_unique(hash, (hash, i), |&(h, _)| h);
        }
    }

    /// Takes every group out in order of first appearance, keeping the allocated capacity.
    pub fn drain(&mut self) -> impl Iterator<Item = (K, A)> + '_ {
        self.index.clear();
        self.entries.drain(..)
    }

    /// Removes every group, keeping the allocated capacity for reuse.
    pub fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
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
        assert_eq!(run::<SumDecimal<2>, _>(&vals), Some(Decimal(1025)));
        assert_eq!(run::<AvgDecimal<2, 6>, _>(&vals), Some(Decimal(5_125_000)));
        assert_eq!(run::<Min<Decimal<2>>, _>(&vals), Some(Decimal(-25)));
        assert_eq!(run::<Max<Decimal<2>>, _>(&vals), Some(Decimal(1050)));
        assert_eq!(run::<SumInt, _>(&[None::<i64>]), None);
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

    #[test]
    fn statistics_match_textbook_values() {
        let xs = [Some(2.0), Some(4.0), None, Some(4.0), Some(4.0), Some(5.0), Some(5.0), Some(7.0), Some(9.0)];
        assert_eq!(run::<Moments<{ stat::STDDEV_POP }>, _>(&xs), Some(2.0));
        assert_eq!(run::<Moments<{ stat::VAR_POP }>, _>(&xs), Some(4.0));
        assert!((run::<Moments<{ stat::VAR_SAMP }>, _>(&xs).unwrap() - 32.0 / 7.0).abs() < 1e-12);
        assert_eq!(run::<Moments<{ stat::VAR_SAMP }>, _>(&[Some(1.0)]), None, "one value has no sample variance");
        let pairs: Vec<Option<(f64, f64)>> = (0..10).map(|i| Some((3.0 * i as f64 + 1.0, i as f64))).collect();
        assert!((run::<CoMoments<{ stat::REGR_SLOPE }>, _>(&pairs).unwrap() - 3.0).abs() < 1e-12);
        assert!((run::<CoMoments<{ stat::REGR_INTERCEPT }>, _>(&pairs).unwrap() - 1.0).abs() < 1e-12);
        assert!((run::<CoMoments<{ stat::CORR }>, _>(&pairs).unwrap() - 1.0).abs() < 1e-12);
        let med = [Some((1.0, 0.5)), Some((3.0, 0.5)), Some((2.0, 0.5)), Some((10.0, 0.5))];
        assert_eq!(run::<PercentileCont, _>(&med), Some(2.5));
        let disc = [
            Some((Decimal::<1>(10), 0.5)),
            Some((Decimal(30), 0.5)),
            Some((Decimal(20), 0.5)),
            Some((Decimal(40), 0.5)),
        ];
        assert_eq!(run::<PercentileDisc<Decimal<1>>, _>(&disc), Some(Decimal(20)));
        let words = [Some(("a".to_string(), ", ")), None, Some(("b".to_string(), ", "))];
        assert_eq!(run::<StringAgg, _>(&words).as_deref(), Some("a, b"));
        assert_eq!(run::<First<i64>, _>(&[None, Some(3), Some(4)]), Some(3));
        assert_eq!(run::<Last<i64>, _>(&[Some(3), Some(4), None]), Some(4));
    }

    #[test]
    fn statistics_merge_like_one_pass() {
        let xs: Vec<Option<f64>> = (0..50).map(|i| Some((i * i % 17) as f64 * 1.5 - 3.0)).collect();
        let mut a = Moments::<{ stat::VAR_SAMP }>::default();
        let mut b = Moments::<{ stat::VAR_SAMP }>::default();
        xs[..20].iter().for_each(|v| a.update(v.as_ref()).unwrap());
        xs[20..].iter().for_each(|v| b.update(v.as_ref()).unwrap());
        a.merge(&b).unwrap();
        let one = run::<Moments<{ stat::VAR_SAMP }>, _>(&xs).unwrap();
        assert!((a.result().unwrap().unwrap() - one).abs() < 1e-9);
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
        // A borrowed probe finds the group its owned key created, and hashes the same way.
        for k in [Some("a"), Some("b"), None] {
            let probe = (k,);
            let (i, _) = g.entry_by(&probe, |o| o.0.as_deref() == k, || (k.map(str::to_owned),));
            assert_eq!(g.get(i).0.0.as_deref(), k);
        }
        assert_eq!(g.len(), 4, "only the NULL key is new");
        g.retain(|k, _| k.0.as_deref() != Some("a"));
        let left: Vec<_> = g.iter().map(|(k, _)| k.0.clone()).collect();
        assert_eq!(left, vec![Some("b".to_string()), Some("c".to_string()), None]);
        let (i, _) = g.entry(&(Some("c".to_string()),));
        assert_eq!((i, g.len()), (1, 3), "lookups still find the kept groups");
    }
}
