//! Word lookups for scoring: short ASCII words are found in an
//! open-addressing table whose slots hold the words themselves; longer or
//! non-ASCII words fall back to a hash map.
//!
//! The scoring loop looks up every word of every sentence that mentions an
//! actor. With a map of boxed strings each lookup hashed the word, chased a
//! pointer to the stored key and called `memcmp` on it: together about half
//! of the time of feature counting. Here a word of up to 16 bytes is packed
//! into two integers while it is lower-cased, hashed with one multiply, and
//! compared in two integer comparisons inside the slot. No crate offers a
//! map keyed by inline short strings with a lookup from pre-packed keys.

use crate::vectorize::{WordInfo, UNKNOWN};
use rustc_hash::FxHashMap;

/// Longest word held in a slot.
pub(crate) const SHORT: usize = 16;

/// A lower-case ASCII word of at most `SHORT` bytes, zero-padded. Words
/// never hold a zero byte, so the padding cannot be mistaken for a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShortKey {
    words: [u64; 2],
    len: u8,
}

impl ShortKey {
    /// `bytes` lower-cased, or None when longer than `SHORT` or not ASCII.
    #[inline]
    pub(crate) fn lower(bytes: &[u8]) -> Option<ShortKey> {
        if bytes.len() > SHORT {
            return None;
        }
        let mut b = [0u8; SHORT];
        let mut ascii = true;
        for (d, &c) in b.iter_mut().zip(bytes) {
            ascii &= c < 0x80;
            *d = c.to_ascii_lowercase();
        }
        if !ascii {
            return None;
        }
        Some(ShortKey::from_padded(b, bytes.len()))
    }

    fn from_padded(b: [u8; SHORT], len: usize) -> ShortKey {
        let (lo, hi) = b.split_at(8);
        ShortKey {
            words: [
                u64::from_le_bytes(lo.try_into().expect("8 bytes")),
                u64::from_le_bytes(hi.try_into().expect("8 bytes")),
            ],
            len: len as u8,
        }
    }

    fn bytes(&self) -> [u8; SHORT] {
        let mut b = [0u8; SHORT];
        b[..8].copy_from_slice(&self.words[0].to_le_bytes());
        b[8..].copy_from_slice(&self.words[1].to_le_bytes());
        b
    }

    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The word without its last `n` bytes.
    pub(crate) fn truncate(&self, n: usize) -> ShortKey {
        let keep = self.len() - n;
        let mut b = self.bytes();
        b[keep..].fill(0);
        ShortKey::from_padded(b, keep)
    }

    /// Whether the word ends with `suffix`.
    pub(crate) fn ends_with(&self, suffix: &[u8]) -> bool {
        self.bytes()[..self.len()].ends_with(suffix)
    }

    /// The word as text (ASCII by construction).
    pub(crate) fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let b = self.bytes();
        f(std::str::from_utf8(&b[..self.len()]).unwrap_or(""))
    }

    #[inline]
    fn hash(&self, shift: u32) -> usize {
        let h = (self.words[0] ^ self.words[1].rotate_left(29) ^ u64::from(self.len))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> shift) as usize
    }
}

/// A word and its info in 24 bytes, so that the table of a model's words
/// (some 9,000 with the sentiment lexicon) stays in a core's L2 cache.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    words: [u64; 2],
    id: u32,
    polarity: i8,
    /// Length of the word (0: empty slot), and NEGATOR.
    len_flags: u8,
}

const NEGATOR: u8 = 0x80;

impl Slot {
    const EMPTY: Slot = Slot {
        words: [0, 0],
        id: 0,
        polarity: 0,
        len_flags: 0,
    };

    fn new(k: ShortKey, info: WordInfo) -> Slot {
        Slot {
            words: k.words,
            id: info.id,
            polarity: info.polarity,
            len_flags: k.len | if info.negator { NEGATOR } else { 0 },
        }
    }

    fn len(&self) -> u8 {
        self.len_flags & !NEGATOR
    }

    fn info(&self) -> WordInfo {
        WordInfo {
            id: self.id,
            polarity: self.polarity,
            negator: self.len_flags & NEGATOR != 0,
        }
    }
}

/// Word → info, for a fixed set of words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WordTable {
    /// A power of two, at most half full; an empty slot has length 0.
    slots: Vec<Slot>,
    shift: u32,
    /// Words that do not fit a slot.
    long: FxHashMap<Box<str>, WordInfo>,
}

impl WordTable {
    pub(crate) fn new(words: &FxHashMap<Box<str>, WordInfo>) -> WordTable {
        let mut short = Vec::new();
        let mut long = FxHashMap::default();
        for (w, &info) in words {
            match Self::slot_key(w) {
                Some(k) => short.push(Slot::new(k, info)),
                None => {
                    long.insert(w.clone(), info);
                }
            }
        }
        // At most half full: lookups of words the model does not know (a
        // good share of all words) stop at the first empty slot, soon.
        let size = (2 * short.len()).next_power_of_two().max(16);
        let mut t = WordTable {
            slots: vec![Slot::EMPTY; size],
            shift: 64 - size.trailing_zeros(),
            long,
        };
        let mask = size - 1;
        for s in short {
            let key = ShortKey {
                words: s.words,
                len: s.len(),
            };
            let mut i = key.hash(t.shift);
            while t.slots[i].len() != 0 {
                i = (i + 1) & mask;
            }
            t.slots[i] = s;
        }
        t
    }

    /// The slot key of a word that goes in a slot: short, ASCII, and its
    /// own lower case (lookups are lower-cased, so a word with capitals
    /// is never found, in a slot or in the map: it stays in the map).
    fn slot_key(w: &str) -> Option<ShortKey> {
        if w.is_empty() || w.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        ShortKey::lower(w.as_bytes())
    }

    /// Info of a word packed by `ShortKey::lower`.
    #[inline]
    pub(crate) fn get_short(&self, k: &ShortKey) -> WordInfo {
        let mask = self.slots.len() - 1;
        let mut i = k.hash(self.shift);
        loop {
            let s = &self.slots[i];
            if s.words == k.words && s.len() == k.len {
                return s.info();
            }
            if s.len() == 0 {
                return UNKNOWN;
            }
            i = (i + 1) & mask;
        }
    }

    /// Info of any word, as a map holding every word would give it.
    pub(crate) fn get(&self, w: &str) -> WordInfo {
        match Self::slot_key(w) {
            Some(k) => self.get_short(&k),
            None => self.long.get(w).copied().unwrap_or(UNKNOWN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: u32) -> WordInfo {
        WordInfo { id, ..UNKNOWN }
    }

    #[test]
    fn finds_what_a_map_finds() {
        let words = [
            "a",
            "war",
            "iran's",
            "u.s",
            "anti-war",
            "sixteen-letters!",
            "seventeen-letters",
            "Capital",
            "élan",
            "lex_pos",
            "<target>",
            "n't",
            "do",
        ];
        let map: FxHashMap<Box<str>, WordInfo> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (Box::from(*w), info(i as u32)))
            .collect();
        let t = WordTable::new(&map);
        let probes = [
            "a",
            "b",
            "war",
            "wars",
            "iran's",
            "u.s",
            "anti-war",
            "sixteen-letters!",
            "sixteen-letters",
            "seventeen-letters",
            "Capital",
            "capital",
            "élan",
            "lex_pos",
            "<target>",
            "n't",
            "do",
            "",
            "aa",
            "wa",
        ];
        for p in probes {
            let want = map.get(p).copied().unwrap_or(UNKNOWN);
            assert_eq!(t.get(p), want, "{p:?}");
            if let Some(k) = WordTable::slot_key(p) {
                assert_eq!(t.get_short(&k), want, "{p:?} packed");
            }
        }
    }

    #[test]
    fn keys_lower_case_truncate_and_end_like_strings() {
        let k = ShortKey::lower(b"DON'T").expect("short ASCII");
        assert!(k.ends_with(b"n't"));
        assert_eq!(k.truncate(3), ShortKey::lower(b"do").expect("short"));
        k.with_str(|s| assert_eq!(s, "don't"));
        assert!(ShortKey::lower("café".as_bytes()).is_none());
        assert!(ShortKey::lower(&[b'a'; 17]).is_none());
        assert!(ShortKey::lower(&[b'a'; 16]).is_some());
    }

    #[test]
    fn slots_are_24_bytes() {
        assert_eq!(std::mem::size_of::<Slot>(), 24);
    }

    #[test]
    fn a_full_vocabulary_is_found_whole() {
        // Many words, so that probes wrap and chains are long.
        let map: FxHashMap<Box<str>, WordInfo> = (0..20_000u32)
            .map(|i| (Box::from(format!("w{i}").as_str()), info(i)))
            .collect();
        let t = WordTable::new(&map);
        for i in 0..20_000u32 {
            assert_eq!(t.get(&format!("w{i}")).id, i);
        }
        for i in 20_000..21_000u32 {
            assert_eq!(t.get(&format!("w{i}")), UNKNOWN);
        }
    }
}
