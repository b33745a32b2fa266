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
}

/// A word of up to `8 * N` bytes and its info: 16 bytes for words of up
/// to 8 bytes (most of them), 24 for the rest, so that the tables of a
/// model's words (some 9,000 with the sentiment lexicon) stay small in a
/// core's L2 cache beside everything else the scoring loop touches.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot<const N: usize> {
    words: [u64; N],
    id: u32,
    polarity: i8,
    /// Length of the word (0: empty slot), and NEGATOR.
    len_flags: u8,
}

const NEGATOR: u8 = 0x80;

impl<const N: usize> Slot<N> {
    const EMPTY: Slot<N> = Slot {
        words: [0; N],
        id: 0,
        polarity: 0,
        len_flags: 0,
    };

    fn new(words: [u64; N], len: u8, info: WordInfo) -> Slot<N> {
        Slot {
            words,
            id: info.id,
            polarity: info.polarity,
            len_flags: len | if info.negator { NEGATOR } else { 0 },
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

/// Open addressing with linear probes; a power of two of slots, at most
/// half full, so that lookups of words the model does not know (a good
/// share of all words) stop at an empty slot soon.
#[derive(Debug, Clone, PartialEq)]
struct Slots<const N: usize> {
    slots: Vec<Slot<N>>,
    shift: u32,
}

impl<const N: usize> Slots<N> {
    fn new(items: Vec<Slot<N>>) -> Slots<N> {
        let size = (2 * items.len()).next_power_of_two().max(16);
        let mut t = Slots {
            slots: vec![Slot::EMPTY; size],
            shift: 64 - size.trailing_zeros(),
        };
        let mask = size - 1;
        for s in items {
            let mut i = t.home(&s.words, s.len());
            while t.slots[i].len() != 0 {
                i = (i + 1) & mask;
            }
            t.slots[i] = s;
        }
        t
    }

    #[inline]
    fn home(&self, words: &[u64; N], len: u8) -> usize {
        let h = words
            .iter()
            .fold(u64::from(len), |h, &w| h.rotate_left(29) ^ w)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> self.shift) as usize
    }

    #[inline]
    fn get(&self, words: &[u64; N], len: u8) -> WordInfo {
        let mask = self.slots.len() - 1;
        let mut i = self.home(words, len);
        loop {
            let s = &self.slots[i];
            if s.words == *words && s.len() == len {
                return s.info();
            }
            if s.len() == 0 {
                return UNKNOWN;
            }
            i = (i + 1) & mask;
        }
    }
}

/// Word → info, for a fixed set of words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WordTable {
    /// Words of up to 8 bytes.
    one: Slots<1>,
    /// Words of 9 to 16 bytes.
    two: Slots<2>,
    /// Words that do not fit a slot.
    long: FxHashMap<Box<str>, WordInfo>,
}

impl WordTable {
    pub(crate) fn new(words: &FxHashMap<Box<str>, WordInfo>) -> WordTable {
        let mut one = Vec::new();
        let mut two = Vec::new();
        let mut long = FxHashMap::default();
        for (w, &info) in words {
            match Self::slot_key(w) {
                Some(k) if k.len() <= 8 => one.push(Slot::new([k.words[0]], k.len, info)),
                Some(k) => two.push(Slot::new(k.words, k.len, info)),
                None => {
                    long.insert(w.clone(), info);
                }
            }
        }
        WordTable {
            one: Slots::new(one),
            two: Slots::new(two),
            long,
        }
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
        if k.len() <= 8 {
            self.one.get(&[k.words[0]], k.len)
        } else {
            self.two.get(&k.words, k.len)
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
    fn slots_are_16_and_24_bytes() {
        assert_eq!(std::mem::size_of::<Slot<1>>(), 16);
        assert_eq!(std::mem::size_of::<Slot<2>>(), 24);
    }

    #[test]
    fn a_full_vocabulary_is_found_whole() {
        // Many words of each width (up to 8 bytes, 9 to 16, longer), so
        // that probes wrap and chains are long.
        let word = |i: u32, width: usize| format!("w{i:0>w$}", w = width - 1);
        let widths = [6, 13, 20];
        let map: FxHashMap<Box<str>, WordInfo> = (0..20_000u32)
            .flat_map(|i| widths.map(|w| (Box::from(word(i, w).as_str()), info(i * 3 + w as u32))))
            .collect();
        let t = WordTable::new(&map);
        for i in 0..20_000u32 {
            for w in widths {
                assert_eq!(t.get(&word(i, w)).id, i * 3 + w as u32);
            }
        }
        for i in 20_000..21_000u32 {
            for w in widths {
                assert_eq!(t.get(&word(i, w)), UNKNOWN);
            }
        }
    }
}
