//! Window functions over rows (`f(…) OVER (PARTITION BY … ORDER BY … ROWS …)`): the state one
//! OVER clause keeps per partition. Rows arrive in the order of the clause's ORDER BY (event-time
//! order in a stream), so every function is computed when its row arrives, over that row and the
//! rows before it in its partition. Each clause keeps only what its frame needs: LAG(x, n) the
//! last n values, `n PRECEDING` frames the last n + 1 values, unbounded frames one accumulator.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::Hash;

use crate::agg::{Accumulator, Retract};
use crate::error::EvalResult;

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

/// Rows of a statement waiting for values of later rows (LEAD) or of the whole input
/// (whole-partition functions), by arrival number. A row leaves when its last missing value
/// arrives; rows completed by one record leave in arrival order.
#[derive(Debug, Clone)]
pub struct Waiting<E> {
    rows: BTreeMap<u64, (usize, E)>,
    next: u64,
    done: Vec<u64>,
}

impl<E> Default for Waiting<E> {
    fn default() -> Self {
        Self { rows: BTreeMap::new(), next: 0, done: Vec::new() }
    }
}

impl<E> Waiting<E> {
    /// Holds the current row until `missing` values have been filled in; returns its arrival
    /// number. (A row waiting for the end of the input counts one value that never comes.)
    pub fn push(&mut self, missing: usize, row: E) -> u64 {
        let seq = self.next;
        self.next += 1;
        self.rows.insert(seq, (missing, row));
        seq
    }

    /// Fills in one missing value of row `seq` with `fill`.
    pub fn fill(&mut self, seq: u64, fill: impl FnOnce(&mut E)) {
        if let Some((missing, row)) = self.rows.get_mut(&seq) {
            fill(row);
            *missing = missing.saturating_sub(1);
            if *missing == 0 {
                self.done.push(seq);
            }
        }
    }

    /// Forgets row `seq` (its record failed after it was queued).
    pub fn cancel(&mut self, seq: u64) {
        self.rows.remove(&seq);
        self.done.retain(|d| *d != seq);
    }

    /// Moves the rows that have every value to `ready`, in arrival order.
    pub fn release(&mut self, ready: &mut Vec<E>) {
        self.done.sort_unstable();
        for seq in self.done.drain(..) {
            if let Some((_, row)) = self.rows.remove(&seq) {
                ready.push(row);
            }
        }
    }

    /// Takes every waiting row (end of the input), in arrival order.
    pub fn drain(&mut self) -> impl Iterator<Item = E> + '_ {
        self.done.clear();
        std::mem::take(&mut self.rows).into_values().map(|(_, row)| row)
    }
}

/// The arrival numbers of one LEAD partition's latest rows, newest last.
#[derive(Debug, Clone, Default)]
pub struct Latest {
    seqs: VecDeque<u64>,
}

impl Latest {
    /// Records the current row (arrival number `seq`), keeping the `keep` latest rows.
    pub fn push(&mut self, seq: u64, keep: usize) {
        self.seqs.push_back(seq);
        while self.seqs.len() > keep {
            self.seqs.pop_front();
        }
    }

    /// The row `d` rows before the newest (0: the newest), whose `LEAD(x, d)` is the newest
    /// row's `x`.
    pub fn back(&self, d: usize) -> Option<u64> {
        let i = self.seqs.len().checked_sub(d + 1)?;
        self.seqs.get(i).copied()
    }
}

/// Compares two ORDER BY values of one key: NULLs last unless `nulls_first` (in either
/// direction), the values reversed when `descending`; incomparable values (NaN) are peers.
pub fn compare<T: PartialOrd>(a: &Option<T>, b: &Option<T>, descending: bool, nulls_first: bool) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) if nulls_first => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) if nulls_first => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(y).unwrap_or(Ordering::Equal);
            if descending { o.reverse() } else { o }
        }
    }
}

/// A whole-partition function of rows given in arrival order: sorts their ORDER BY `keys` with
/// `cmp` (stably: peers keep arrival order), computes `values` over the sorted keys, and returns
/// each row's value in arrival order.
pub fn by_order<K: Clone, V: Clone + Default>(
    keys: &[K],
    cmp: impl Fn(&K, &K) -> Ordering,
    values: impl FnOnce(&[K]) -> Vec<V>,
) -> Vec<V> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| cmp(&keys[a], &keys[b]));
    let sorted: Vec<K> = order.iter().map(|&i| keys[i].clone()).collect();
    let mut out = vec![V::default(); keys.len()];
    for (i, v) in order.into_iter().zip(values(&sorted)) {
        out[i] = v;
    }
    out
}

/// The rows of each partition (by `key`), as indexes into `rows` in arrival order; partitions in
/// order of first appearance.
pub fn partitions<T, K: Hash + Eq>(rows: &[T], key: impl Fn(&T) -> &K) -> Vec<Vec<usize>> {
    let mut index: HashMap<&K, usize> = HashMap::new();
    let mut parts: Vec<Vec<usize>> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let p = *index.entry(key(row)).or_insert_with(|| {
            parts.push(Vec::new());
            parts.len() - 1
        });
        parts[p].push(i);
    }
    parts
}

/// (RANK, DENSE_RANK) of every row of a whole partition given in ORDER BY order: equal ORDER BY
/// values are peers.
fn peer_ranks<T: PartialEq>(orders: &[T]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let (mut rank, mut dense) = (1, 0);
    orders.iter().enumerate().map(move |(i, o)| {
        if i == 0 || *o != orders[i - 1] {
            rank = i + 1;
            dense += 1;
        }
        (rank, dense)
    })
}

/// `ROW_NUMBER()` of every row of a whole partition in ORDER BY order.
pub fn row_numbers<T>(orders: &[T]) -> Vec<Option<i64>> {
    (1..=orders.len()).map(|n| Some(n as i64)).collect()
}

/// `RANK()` of every row of a whole partition in ORDER BY order.
pub fn ranks<T: PartialEq>(orders: &[T]) -> Vec<Option<i64>> {
    peer_ranks(orders).map(|(rank, _)| Some(rank as i64)).collect()
}

/// `DENSE_RANK()` of every row of a whole partition in ORDER BY order.
pub fn dense_ranks<T: PartialEq>(orders: &[T]) -> Vec<Option<i64>> {
    peer_ranks(orders).map(|(_, dense)| Some(dense as i64)).collect()
}

/// `PERCENT_RANK()` of every row of a whole partition in ORDER BY order: (rank − 1) ÷
/// (rows − 1), 0 for a single row.
pub fn percent_ranks<T: PartialEq>(orders: &[T]) -> Vec<Option<f64>> {
    let n = orders.len();
    peer_ranks(orders).map(|(rank, _)| Some(if n > 1 { (rank - 1) as f64 / (n - 1) as f64 } else { 0.0 })).collect()
}

/// `CUME_DIST()` of every row of a whole partition in ORDER BY order: (rows up to the row's last
/// peer) ÷ rows.
pub fn cume_dists<T: PartialEq>(orders: &[T]) -> Vec<Option<f64>> {
    let n = orders.len();
    let mut out = vec![None; n];
    let mut end = n;
    for i in (0..n).rev() {
        if i + 1 < n && orders[i] != orders[i + 1] {
            end = i + 1;
        }
        out[i] = Some(end as f64 / n as f64);
    }
    out
}

/// `NTILE(buckets)` of `rows` rows in order: bucket sizes differ by at most one, larger first.
pub fn ntiles(rows: usize, buckets: usize) -> Vec<Option<i64>> {
    let (size, extra) = (rows / buckets.max(1), rows % buckets.max(1));
    (0..rows)
        .map(|i| {
            let big = extra * (size + 1);
            let b = if i < big { i / (size + 1) } else { extra + (i - big) / size.max(1) };
            Some(b as i64 + 1)
        })
        .collect()
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

/// Where a frame starts; it always ends at the current row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// `UNBOUNDED PRECEDING`.
    Unbounded,
    /// `ROWS n PRECEDING`.
    Rows(usize),
    /// `RANGE INTERVAL … PRECEDING` over a time ORDER BY: rows at most this many milliseconds
    /// before the current one.
    Range(i64),
}

/// The values of a bounded frame, oldest first, with their ORDER BY times for RANGE frames
/// (ROWS frames keep no times: a smaller ring to move through memory).
#[derive(Debug, Clone)]
struct FrameValues<In> {
    values: VecDeque<Option<In>>,
    /// The ORDER BY time of each value (RANGE frames only).
    times: VecDeque<i64>,
}

impl<In> Default for FrameValues<In> {
    fn default() -> Self {
        Self { values: VecDeque::new(), times: VecDeque::new() }
    }
}

impl<In> FrameValues<In> {
    /// The aggregate `A` of the newest `len` values.
    fn fold<A: Accumulator<In> + Default>(&self, len: usize) -> EvalResult<Option<A::Out>> {
        let mut acc = A::default();
        for v in self.values.iter().skip(self.values.len().saturating_sub(len)) {
            acc.update(v.as_ref())?;
        }
        acc.result()
    }

    /// Adds the current row (ORDER BY time `ts`) and hands every value that left the frame to
    /// `gone`.
    fn push(&mut self, v: Option<In>, ts: i64, frame: Frame, mut gone: impl FnMut(Option<In>)) {
        self.values.push_back(v);
        match frame {
            Frame::Rows(p) => {
                while self.values.len() > p + 1 {
                    if let Some(v) = self.values.pop_front() {
                        gone(v);
                    }
                }
            }
            Frame::Range(r) => {
                self.times.push_back(ts);
                while self.times.front().is_some_and(|t| *t < ts.saturating_sub(r)) {
                    self.times.pop_front();
                    if let Some(v) = self.values.pop_front() {
                        gone(v);
                    }
                }
            }
            Frame::Unbounded => {}
        }
    }
}

/// FIRST_VALUE / NTH_VALUE over a RANGE frame: the values of the frame's time span.
#[derive(Debug, Clone)]
pub struct Ranged<T> {
    frame: FrameValues<T>,
}

impl<T> Default for Ranged<T> {
    fn default() -> Self {
        Self { frame: FrameValues::default() }
    }
}

impl<T: Clone> Ranged<T> {
    /// Adds the current row (ORDER BY time `ts`) and returns the `n`-th value (from 1) of the rows
    /// at most `range` ms before it.
    pub fn nth(&mut self, v: Option<T>, ts: i64, n: usize, range: i64) -> Option<T> {
        self.frame.push(v, ts, Frame::Range(range), drop);
        self.frame.values.get(n.checked_sub(1)?).cloned().flatten()
    }
}

/// An aggregate over a frame ending at the current row: unbounded frames keep one running
/// accumulator; bounded ones keep their values and fold them for each row.
#[derive(Debug, Clone)]
pub struct Framed<A, In> {
    running: A,
    frame: FrameValues<In>,
}

impl<A: Default, In> Default for Framed<A, In> {
    fn default() -> Self {
        Self { running: A::default(), frame: FrameValues::default() }
    }
}

impl<A: Accumulator<In>, In: Clone> Framed<A, In> {
    /// Adds the current row's value (ORDER BY time `ts`, used by RANGE frames) and returns the
    /// aggregate over the frame.
    pub fn push(&mut self, v: Option<In>, ts: i64, frame: Frame) -> EvalResult<Option<A::Out>> {
        if frame == Frame::Unbounded {
            self.running.update(v.as_ref())?;
            return self.running.result();
        }
        self.frame.push(v, ts, frame, drop);
        self.frame.fold::<A>(usize::MAX)
    }

    /// At the end of the input, the aggregate of a row whose `FOLLOWING` rows never came: over
    /// the newest `len` values of the frame (an unbounded frame: over everything).
    pub fn tail(&self, len: usize, frame: Frame) -> EvalResult<Option<A::Out>> {
        match frame {
            Frame::Unbounded => self.running.result(),
            _ => self.frame.fold::<A>(len),
        }
    }
}

/// An invertible aggregate (COUNT, SUM and AVG of exact numbers) over a frame: values enter and
/// leave one accumulator, O(1) per row whatever the frame size.
#[derive(Debug, Clone)]
pub struct Sliding<A, In> {
    running: A,
    frame: FrameValues<In>,
}

impl<A: Default, In> Default for Sliding<A, In> {
    fn default() -> Self {
        Self { running: A::default(), frame: FrameValues::default() }
    }
}

impl<A: Retract<In>, In: Clone> Sliding<A, In> {
    /// Adds the current row's value and returns the aggregate over the frame.
    pub fn push(&mut self, v: Option<In>, ts: i64, frame: Frame) -> EvalResult<Option<A::Out>> {
        self.running.update(v.as_ref())?;
        if frame != Frame::Unbounded {
            let running = &mut self.running;
            self.frame.push(v, ts, frame, |old| running.retract(old.as_ref()));
        }
        self.running.result()
    }

    /// See [`Framed::tail`] (a sliding frame is always bounded).
    pub fn tail(&self, len: usize, _frame: Frame) -> EvalResult<Option<A::Out>>
    where
        A: Default,
    {
        self.frame.fold::<A>(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agg::{AvgDecimal, SumInt};
    use crate::decimal::Decimal;

    #[test]
    fn lag_looks_back_within_the_buffer() {
        let mut r = Recent::default();
        let got: Vec<_> = [Some(1), None, Some(3), Some(4)].into_iter().map(|v| r.lag(v, 2)).collect();
        assert_eq!(got, vec![None, None, Some(Some(1)), Some(None)]);
        assert_eq!(r.values.len(), 2, "LAG(x, 2) keeps two values");
        assert_eq!(Recent::default().lag(Some(7), 0), Some(Some(7)));
    }

    #[test]
    fn whole_partitions_are_ranked_in_their_order_and_answered_in_arrival_order() {
        let keys = [Some(20), None, Some(10), Some(20), Some(30)];
        let desc = |a: &Option<i32>, b: &Option<i32>| compare(a, b, true, false);
        // Sorted: 30, 20, 20 (arrival order among peers), 10, NULL (last in both directions).
        assert_eq!(by_order(&keys, desc, row_numbers), [Some(2), Some(5), Some(4), Some(3), Some(1)]);
        assert_eq!(by_order(&keys, desc, ranks), [Some(2), Some(5), Some(4), Some(2), Some(1)]);
        assert_eq!(by_order(&keys, desc, dense_ranks), [Some(2), Some(4), Some(3), Some(2), Some(1)]);
        let nulls_first = |a: &Option<i32>, b: &Option<i32>| compare(a, b, false, true);
        assert_eq!(by_order(&keys, nulls_first, ranks), [Some(3), Some(1), Some(2), Some(3), Some(5)]);
        assert_eq!(compare(&Some(f64::NAN), &Some(1.0), false, false), Ordering::Equal, "NaN is a peer");
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
    fn whole_partition_ranks() {
        let orders = [10, 20, 20, 30];
        assert_eq!(percent_ranks(&orders), vec![Some(0.0), Some(1.0 / 3.0), Some(1.0 / 3.0), Some(1.0)]);
        assert_eq!(cume_dists(&orders), vec![Some(0.25), Some(0.75), Some(0.75), Some(1.0)]);
        assert_eq!(percent_ranks(&[7]), vec![Some(0.0)]);
        let tiles = |n, k| ntiles(n, k).into_iter().map(Option::unwrap).collect::<Vec<_>>();
        assert_eq!(tiles(7, 3), vec![1, 1, 1, 2, 2, 3, 3]);
        assert_eq!(tiles(2, 4), vec![1, 2]);
    }

    #[test]
    fn leads_wait_for_the_rows_they_read() {
        // Rows (key, x) with LEAD(x) OVER (PARTITION BY key) and LEAD(x, 2) (no PARTITION BY).
        let mut waiting: Waiting<(char, i64, Option<i64>, Option<i64>)> = Waiting::default();
        let (mut by_key, mut all): (HashMap<char, Latest>, Latest) = Default::default();
        let mut out = Vec::new();
        for (key, x) in [('a', 1), ('b', 2), ('a', 3), ('b', 4), ('b', 5)] {
            let seq = waiting.push(2, (key, x, None, None));
            let mine = by_key.entry(key).or_default();
            mine.push(seq, 2);
            if let Some(t) = mine.back(1) {
                waiting.fill(t, |e| e.2 = Some(x));
            }
            all.push(seq, 3);
            if let Some(t) = all.back(2) {
                waiting.fill(t, |e| e.3 = Some(x));
            }
            waiting.release(&mut out);
        }
        let want = [('a', 1, Some(3), Some(3)), ('b', 2, Some(4), Some(4))];
        assert_eq!(out, want, "complete rows leave as soon as their last value arrives");
        let rest: Vec<_> = waiting.drain().collect();
        assert_eq!(
            rest,
            [('a', 3, None, Some(5)), ('b', 4, Some(5), None), ('b', 5, None, None)],
            "then in arrival order"
        );
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

    #[test]
    fn tails_fold_the_newest_values_of_the_frame() {
        // ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING keeps 3 rows; after 1, 2, 4, 8 the last row's
        // frame is (4, 8) and the one before it had (2, 4, 8) when 8 arrived.
        let (mut sliding, mut framed): (Sliding<SumInt, i64>, Framed<SumInt, i64>) = Default::default();
        for v in [1, 2, 4, 8] {
            sliding.push(Some(v), 0, Frame::Rows(2)).unwrap();
            framed.push(Some(v), 0, Frame::Rows(2)).unwrap();
        }
        assert_eq!(sliding.tail(2, Frame::Rows(2)).unwrap(), Some(12));
        assert_eq!(framed.tail(2, Frame::Rows(2)).unwrap(), Some(12));
        assert_eq!(sliding.tail(9, Frame::Rows(2)).unwrap(), Some(14), "never more than the frame holds");
        let mut running: Framed<SumInt, i64> = Framed::default();
        running.push(Some(5), 0, Frame::Unbounded).unwrap();
        running.push(Some(6), 0, Frame::Unbounded).unwrap();
        assert_eq!(running.tail(1, Frame::Unbounded).unwrap(), Some(11), "an unbounded start keeps everything");
        let mut waiting: Waiting<i64> = Waiting::default();
        let (a, b) = (waiting.push(1, 10), waiting.push(1, 20));
        waiting.fill(a, |v| *v += 1);
        waiting.cancel(a);
        waiting.fill(b, |v| *v += 2);
        let mut ready = Vec::new();
        waiting.release(&mut ready);
        assert_eq!(ready, [22], "a cancelled row never comes out");
    }

    #[test]
    fn frames_are_bounded_or_running() {
        let mut last2: Framed<SumInt, i64> = Framed::default();
        let got: Vec<_> = [1, 2, 6, 10].into_iter().map(|v| last2.push(Some(v), 0, Frame::Rows(1)).unwrap()).collect();
        assert_eq!(got, vec![Some(1), Some(3), Some(8), Some(16)]);
        let mut avg: Framed<AvgDecimal<0, 6>, Decimal<0>> = Framed::default();
        let got: Vec<_> = [1, 2, 6]
            .into_iter()
            .map(|v| avg.push(Some(Decimal(v)), 0, Frame::Unbounded).unwrap().map(|d| d.to_string()))
            .collect();
        assert_eq!(got, vec![Some("1.000000".into()), Some("1.500000".into()), Some("3.000000".into())]);
        let mut sliding: Sliding<SumInt, i64> = Sliding::default();
        let got: Vec<_> = [Some(1), Some(2), None, Some(6), None, None]
            .into_iter()
            .map(|v| sliding.push(v, 0, Frame::Rows(1)).unwrap())
            .collect();
        assert_eq!(got, vec![Some(1), Some(3), Some(2), Some(6), Some(6), None], "a frame of only NULLs sums to NULL");
        // RANGE 10 ms PRECEDING: rows at most 10 ms before the current one.
        let mut timed: Sliding<SumInt, i64> = Sliding::default();
        let got: Vec<_> = [(0, 1), (5, 2), (10, 4), (16, 8), (40, 16)]
            .into_iter()
            .map(|(t, v)| timed.push(Some(v), t, Frame::Range(10)).unwrap())
            .collect();
        assert_eq!(got, vec![Some(1), Some(3), Some(7), Some(12), Some(16)], "at 16: the rows at 10 and 16");
        let mut max: Framed<crate::agg::Max<i64>, i64> = Framed::default();
        let got: Vec<_> = [(0, 9), (5, 2), (12, 4)]
            .into_iter()
            .map(|(t, v)| max.push(Some(v), t, Frame::Range(10)).unwrap())
            .collect();
        assert_eq!(got, vec![Some(9), Some(9), Some(4)]);
        let mut first: Recent<i64> = Recent::default();
        let got: Vec<_> = [5, 6, 7].into_iter().map(|v| first.nth(Some(v), 1, Some(1))).collect();
        assert_eq!(got, vec![Some(5), Some(5), Some(6)], "FIRST_VALUE over 1 PRECEDING");
    }
}
