//! Rows that wait for values of later rows (LEAD, FOLLOWING frames) or of the whole input.

use std::collections::{BTreeMap, VecDeque};

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
}
