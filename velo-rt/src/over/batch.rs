//! Rankings of whole partitions by their ORDER BY, computed at the end of the input: ROW_NUMBER,
//! RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST and NTILE over an order rows do not arrive in.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hash;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn whole_partition_ranks() {
        let orders = [10, 20, 20, 30];
        assert_eq!(percent_ranks(&orders), vec![Some(0.0), Some(1.0 / 3.0), Some(1.0 / 3.0), Some(1.0)]);
        assert_eq!(cume_dists(&orders), vec![Some(0.25), Some(0.75), Some(0.75), Some(1.0)]);
        assert_eq!(percent_ranks(&[7]), vec![Some(0.0)]);
        let tiles = |n, k| ntiles(n, k).into_iter().map(Option::unwrap).collect::<Vec<_>>();
        assert_eq!(tiles(7, 3), vec![1, 1, 1, 2, 2, 3, 3]);
        assert_eq!(tiles(2, 4), vec![1, 2]);
    }
}
