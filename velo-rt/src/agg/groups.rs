//! The group table of a GROUP BY.

use std::hash::{BuildHasher, Hash};

use crate::error::EvalResult;

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
    use crate::agg::{Accumulator, Count};

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
