//! Eight bytes at a time: tests on a `u64` that say whether a chunk of text
//! is plain words, so that the cleaner's per-byte passes can take the
//! common case (ASCII words separated by single spaces) a chunk at a time.
//!
//! Written by hand: the tests are specific to the cleaner's rules (what
//! counts as a word byte, when a space folds to itself), and no crate
//! offers them. Each is exact per byte (no carries cross bytes: every
//! addition below is on bytes under 0x80 and stays under 0x100), and the
//! tests at the bottom check them against the byte-at-a-time definitions
//! on every byte value at every position.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `i` as a little-endian word (byte `i` lowest).
#[inline]
pub fn load(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// High bit of each byte of `x` that is zero.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    !(((x & !HI) + !HI) | x) & HI
}

/// High bit of each byte at least `n`, for bytes under 0x80 and
/// 1 <= n <= 0x80.
#[inline]
fn at_least(x: u64, n: u8) -> u64 {
    (x + LO * u64::from(0x80 - n)) & HI
}

/// High bit of each byte that is a space.
#[inline]
fn spaces(x: u64) -> u64 {
    zero_bytes(x ^ (LO * 0x20))
}

/// Single spaces each followed, inside the chunk, by a non-space: no two
/// spaces side by side and none in the last byte.
#[inline]
fn single_inner_spaces(sp: u64) -> bool {
    sp & (sp >> 8) == 0 && sp >> 63 == 0
}

/// Whether the chunk is visible ASCII (0x21..=0x7F) and single spaces,
/// none last: text the cleaner's fold copies as it is (a space there is
/// preceded by the visible byte before the chunk or inside it).
#[inline]
pub fn plain_text(x: u64) -> bool {
    if x & HI != 0 {
        return false;
    }
    let sp = spaces(x);
    let below_visible = !at_least(x, 0x21) & HI;
    below_visible & !sp == 0 && single_inner_spaces(sp)
}

/// If the chunk is ASCII letters and digits with single spaces between
/// them (first and last byte a letter or digit), its word key (letters
/// lower-cased) and the high bit of each space.
#[inline]
pub fn alnum_words(x: u64) -> Option<(u64, u64)> {
    if x & HI != 0 {
        return None;
    }
    let sp = spaces(x);
    let lower = x | (LO * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let ok = (letter | digit | sp) == HI && sp & 0x80 == 0 && single_inner_spaces(sp);
    // Digits and spaces already have the 0x20 bit: `lower` is the key.
    ok.then_some((lower, sp))
}

/// How many of the chunk's bytes, from the first, are ASCII letters or
/// digits (8 when all are): where a run of word bytes ends.
#[inline]
pub fn alnum_run(x: u64) -> usize {
    // High bits cleared so that no addition carries across bytes; the
    // bytes that had one are not ASCII, and `ascii` rules them out.
    let ascii = !x & HI;
    let x7 = x & !HI;
    let lower = x7 | (LO * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
    let digit = at_least(x7, b'0') & !at_least(x7, b'9' + 1);
    let stop = !((letter | digit) & ascii) & HI;
    (stop.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(b: u8) -> bool {
        (0x21..=0x7F).contains(&b)
    }

    /// The chunk definitions, a byte at a time.
    fn plain_ref(c: &[u8; 8]) -> bool {
        c.iter().all(|&b| visible(b) || b == b' ')
            && c.windows(2).all(|w| !(w[0] == b' ' && w[1] == b' '))
            && c[7] != b' '
    }

    fn alnum_ref(c: &[u8; 8]) -> Option<([u8; 8], u64)> {
        let ok = c.iter().all(|&b| b.is_ascii_alphanumeric() || b == b' ')
            && c.windows(2).all(|w| !(w[0] == b' ' && w[1] == b' '))
            && c[0] != b' '
            && c[7] != b' ';
        ok.then(|| {
            let key = c.map(|b| b.to_ascii_lowercase());
            let sp = (0..8)
                .filter(|&k| c[k] == b' ')
                .fold(0u64, |m, k| m | (0x80 << (8 * k)));
            (key, sp)
        })
    }

    fn check(c: [u8; 8]) {
        let x = u64::from_le_bytes(c);
        assert_eq!(plain_text(x), plain_ref(&c), "{c:?}");
        let got = alnum_words(x).map(|(k, sp)| (k.to_le_bytes(), sp));
        assert_eq!(got, alnum_ref(&c), "{c:?}");
        let run = c.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        assert_eq!(alnum_run(x), run, "{c:?}");
    }

    #[test]
    fn every_byte_value_at_every_position() {
        for base in [
            *b"abcdefgh",
            *b"ab cd ef",
            *b"A1 b2 C3",
            *b"x y z w1",
            *b"Zz09azAZ",
        ] {
            for pos in 0..8 {
                for v in 0..=255u8 {
                    let mut c = base;
                    c[pos] = v;
                    check(c);
                }
            }
        }
    }

    #[test]
    fn pairs_of_special_bytes() {
        let specials = [
            0u8, b' ', b'\t', b'\n', 0x1F, 0x20, 0x21, b'/', b'0', b'9', b':', b'@', b'A', b'Z',
            b'[', b'`', b'a', b'z', b'{', 0x7F, 0x80, 0xC3, 0xFF,
        ];
        for &a in &specials {
            for &b in &specials {
                for pos in 0..7 {
                    let mut c = *b"word key";
                    c[pos] = a;
                    c[pos + 1] = b;
                    check(c);
                }
            }
        }
    }

    #[test]
    fn load_reads_little_endian_and_refuses_short_tails() {
        assert_eq!(
            load(b"abcdefghi", 1),
            Some(u64::from_le_bytes(*b"bcdefghi"))
        );
        assert_eq!(load(b"abcdefgh", 1), None);
    }
}
