//! Statistics: variance and standard deviation, covariance, correlation and regression, and
//! percentiles (MEDIAN, PERCENTILE_CONT, PERCENTILE_DISC).

use super::Accumulator;
use crate::error::EvalResult;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agg::{First, Last, StringAgg, run};
    use crate::decimal::Decimal;

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
}
