//! A small FNV-1a hasher for the normaliser's lookup tables.
//!
//! The tables are built once from the rules and only read afterwards, with
//! short keys (a few words). `SipHash`'s flood resistance buys nothing there, and
//! hashing is a visible share of the per-string cost.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64-bit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A `HashMap` with [`Fnv`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
/// A `HashSet` with [`Fnv`].
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_keys_hash_apart_and_maps_work() {
        let mut m: FastMap<String, u8> = FastMap::default();
        m.insert("fantasy".into(), 1);
        m.insert("fantasia".into(), 2);
        assert_eq!(m.get("fantasy"), Some(&1));
        assert_eq!(m.get("fantasia"), Some(&2));
        assert_eq!(m.get("fantas"), None);
        let mut a = Fnv::default();
        a.write(b"a");
        let mut b = Fnv::default();
        b.write(b"b");
        assert_ne!(a.finish(), b.finish());
    }
}
