//! Per-partition state computed as each row arrives: LAG and FIRST/NTH_VALUE over ROWS frames
//! (the last values), ROW_NUMBER/RANK/DENSE_RANK in arrival order, and partition expiry.

use std::collections::VecDeque;

/// The last values of one partition, oldest first, at most `keep` of them.
#[derive(Debug, Clone)]
pub struct Recent<T> {
    values: VecDeque<Option<T>>,
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Self { values: VecDeque::new() }
    }
}

impl<T: Clone> Recent<T> {
    /// Adds the current row's value, keeping at most `keep` values.
    fn push(&mut self, v: Option<T>, keep: usize) {
        self.values.push_back(v);
        while self.values.len() > keep {
            self.values.pop_front();
        }
    }

    /// `LAG(x, offset)`: the value `offset` rows before the current one, then remembers the
    /// current value. `None` when there is no such row (LAG's default applies), `Some(None)` for a
    /// NULL value.
    pub fn lag(&mut self, v: Option<T>, offset: usize) -> Option<Option<T>> {
        if offset == 0 {
            return Some(v);
        }
        let out = (self.values.len() >= offset).then(|| self.values[self.values.len() - offset].clone());
        self.push(v, offset);
        out
    }

    /// FIRST_VALUE / NTH_VALUE(x, n) over `ROWS BETWEEN preceding PRECEDING AND CURRENT ROW`
    /// (`None` = unbounded): the `n`-th row of the frame, counted from 1, if the frame has it.
    pub fn nth(&mut self, v: Option<T>, n: usize, preceding: Option<usize>) -> Option<T> {
        match preceding {
            // Unbounded: only the first n values are ever needed.
            None => {
                if self.values.len() < n {
                    self.values.push_back(v);
                }
            }
            Some(p) => self.push(v, p + 1),
        }
        self.values.get(n.checked_sub(1)?).cloned().flatten()
    }
}

/// `EXPIRE AFTER … INACTIVITY`: when partitions idle longer than the expiry are dropped. Time is
/// the statement's ORDER BY time (or processing time); sweeps run every half expiry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expiry {
    newest: Option<i64>,
    last_sweep: i64,
}

impl Expiry {
    /// Notes the current row's time; returns the cutoff (partitions last seen before it are
    /// dropped) when a sweep is due.
    pub fn observe(&mut self, now: Option<i64>, after: i64) -> Option<i64> {
        let now = now?;
        let newest = self.newest.map_or(now, |n| n.max(now));
        if self.newest.is_none() {
            self.last_sweep = newest;
        }
        self.newest = Some(newest);
        if newest.saturating_sub(self.last_sweep) < (after / 2).max(1) {
            return None;
        }
        self.last_sweep = newest;
        Some(newest.saturating_sub(after))
    }
}

/// `ROW_NUMBER()`, `RANK()`, `DENSE_RANK()` within a partition, with rows arriving in ORDER BY
/// order: equal ORDER BY values are peers and share a rank.
#[derive(Debug, Clone)]
pub struct Ranks<T> {
    rows: i64,
    rank: i64,
    dense: i64,
    last: Option<Option<T>>,
}

impl<T> Default for Ranks<T> {
    fn default() -> Self {
        Self { rows: 0, rank: 0, dense: 0, last: None }
    }
}

impl<T: PartialEq> Ranks<T> {
    /// Counts the current row; `order` is its ORDER BY value.
    fn next(&mut self, order: Option<T>) {
        self.rows += 1;
        if self.last.as_ref() != Some(&order) {
            self.rank = self.rows;
            self.dense += 1;
            self.last = Some(order);
        }
    }

    /// `ROW_NUMBER()` (peers need not be found).
    pub fn row_number(&mut self) -> Option<i64> {
        self.rows += 1;
        Some(self.rows)
    }

    /// `RANK()`: 1 + the number of earlier rows that are not peers.
    pub fn rank(&mut self, order: Option<T>) -> Option<i64> {
        self.next(order);
        Some(self.rank)
    }

    /// `DENSE_RANK()`: 1 + the number of distinct earlier ORDER BY values.
    pub fn dense_rank(&mut self, order: Option<T>) -> Option<i64> {
        self.next(order);
        Some(self.dense)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_looks_back_within_the_buffer() {
        let mut r = Recent::default();
        let got: Vec<_> = [Some(1), None, Some(3), Some(4)].into_iter().map(|v| r.lag(v, 2)).collect();
        assert_eq!(got, vec![None, None, Some(Some(1)), Some(None)]);
        assert_eq!(r.values.len(), 2, "LAG(x, 2) keeps two values");
        assert_eq!(Recent::default().lag(Some(7), 0), Some(Some(7)));
    }

    #[test]
    fn expiry_sweeps_every_half_interval() {
        let mut e = Expiry::default();
        assert_eq!(e.observe(Some(0), 100), None);
        assert_eq!(e.observe(Some(49), 100), None);
        assert_eq!(e.observe(Some(50), 100), Some(-50));
        assert_eq!(e.observe(None, 100), None, "a row without a time changes nothing");
        assert_eq!(e.observe(Some(20), 100), None, "time never goes back");
        assert_eq!(e.observe(Some(130), 100), Some(30));
    }

    #[test]
    fn ranks_treat_equal_order_values_as_peers() {
        let mut rank = Ranks::default();
        let mut dense = Ranks::default();
        let mut number = Ranks::<()>::default();
        let r: Vec<_> = [10, 20, 20, 30].into_iter().map(|o| rank.rank(Some(o))).collect();
        let d: Vec<_> = [10, 20, 20, 30].into_iter().map(|o| dense.dense_rank(Some(o))).collect();
        let n: Vec<_> = (0..4).map(|_| number.row_number()).collect();
        assert_eq!(r, vec![Some(1), Some(2), Some(2), Some(4)]);
        assert_eq!(d, vec![Some(1), Some(2), Some(2), Some(3)]);
        assert_eq!(n, vec![Some(1), Some(2), Some(3), Some(4)]);
    }
}
