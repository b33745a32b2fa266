//! From captured page text to the article's own sentences.
//!
//! Web captures mix the article body with navigation, captions, pull quotes,
//! credits, teasers of other articles, author bios and repeated passages. The
//! cleaner works in four passes over the text, keeping byte offsets into the
//! original so that every kept sentence and every dropped block can be found
//! again by a researcher auditing the output:
//!
//! 1. lines → segments (hard-wrapped lines are re-joined when the page is
//!    wrapped at a fixed width);
//! 2. each segment is classified as body or as a kind of noise, and everything
//!    after the end of the article (a provenance note, "keep reading", a bio
//!    header, a call to comment) is footer: teasers, bios, navigation;
//! 3. segments whose words all stand elsewhere in the body (a layout repeat of
//!    a passage) are dropped, smallest first, so one copy always survives;
//! 4. a segment that stops mid-sentence is joined with the next one that
//!    starts in lower case (paragraphs cut by blank lines or by a photo), and
//!    the result is split into sentences; a sentence already kept is a repeat.

use crate::sentences;
use regex::Regex;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Why a block of text was not kept as body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    Navigation,
    FileName,
    Caption,
    Credit,
    PullQuote,
    Byline,
    Copyright,
    Provenance,
    Teaser,
    Bio,
    Footer,
    CallToComment,
    Repeat,
    Fragment,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Navigation => "navigation",
            DropReason::FileName => "file_name",
            DropReason::Caption => "caption",
            DropReason::Credit => "credit",
            DropReason::PullQuote => "pull_quote",
            DropReason::Byline => "byline",
            DropReason::Copyright => "copyright",
            DropReason::Provenance => "provenance",
            DropReason::Teaser => "teaser",
            DropReason::Bio => "bio",
            DropReason::Footer => "footer",
            DropReason::CallToComment => "call_to_comment",
            DropReason::Repeat => "repeat",
            DropReason::Fragment => "fragment",
        }
    }
}

/// A kept sentence: its index among the article's kept sentences, its byte
/// span in the original text, and its normalised text (NFC, white space
/// folded, markup residue removed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    pub index: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A block of the original text that was not kept, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    pub start: usize,
    pub end: usize,
    pub reason: DropReason,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    pub sentences: Vec<Sentence>,
    pub dropped: Vec<Dropped>,
}

#[derive(Debug, Clone, Copy)]
pub struct CleanOptions {
    /// When false, only split into paragraphs and sentences: for text that is
    /// already clean.
    pub clean: bool,
    pub splitter: sentences::Splitter,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions {
            clean: true,
            splitter: sentences::Splitter::Rules,
        }
    }
}

impl CleanOptions {
    pub fn with_clean(clean: bool) -> Self {
        CleanOptions {
            clean,
            ..Default::default()
        }
    }
}

/// Above this many segments, repeated passages are found by exact match only:
/// containment search is quadratic in the number of segments.
const MAX_SEGMENTS_FOR_CONTAINMENT: usize = 3000;

#[derive(Debug, Clone)]
struct Line {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
struct Segment {
    lines: Vec<Line>,
    start: usize,
    end: usize,
    /// White-space folded text of the segment (wrapped lines joined).
    text: String,
    /// `word_key` of the text and its number of words, computed once:
    /// every pass asks for them.
    key: Vec<u8>,
    /// Where each word of `key` stands in `text` and in `key`.
    spans: Vec<WordSpan>,
    words: usize,
    /// Whether any of the patterns that search a whole segment matched it.
    flagged: bool,
    reason: Option<DropReason>,
}

pub fn clean(text: &str, opts: CleanOptions) -> Cleaned {
    let lines = lines_of(text);
    let mut segs = segments(text, &lines);
    let mut out = Cleaned::default();
    if opts.clean {
        classify(text, &mut segs);
        drop_repeats(&mut segs);
    }
    // A line of bare markup ("**") folds to nothing: account for it as a
    // fragment so that every byte of the input is in a sentence or a drop.
    // (Found by the long property-test run.)
    for s in segs.iter_mut() {
        if s.text.is_empty() {
            s.reason = Some(DropReason::Fragment);
        }
    }
    for s in segs.iter().filter(|s| s.reason.is_some()) {
        out.dropped.push(Dropped {
            start: s.start,
            end: s.end,
            reason: s.reason.unwrap_or(DropReason::Footer),
            text: s.text.clone(),
        });
    }
    let kept: Vec<&Segment> = segs.iter().filter(|s| s.reason.is_none()).collect();
    let blocks = if opts.clean {
        join_continuations(&kept)
    } else {
        kept.iter().map(|s| vec![*s]).collect()
    };
    // Keys of the kept sentences: most are slices of their segment's key.
    let mut seen: rustc_hash::FxHashSet<std::borrow::Cow<[u8]>> = Default::default();
    // End of the last sentence: markup before a sentence is claimed only
    // back to here.
    let mut floor = 0usize;
    for block in blocks {
        // One search over the block instead of one per sentence: a sentence
        // that is a call to comment makes its block one, as long as the
        // sentence is the block's own text between white space (the
        // pattern's word boundaries then read the same).
        let verbatim_seg = match block.as_slice() {
            [seg] if is_verbatim(text, seg) => Some(*seg),
            _ => None,
        };
        let (btext, map, block_call) = match block.as_slice() {
            // Most paragraphs are one line whose folded text is the line
            // itself: it stands as it is, mapped by one run, and
            // classification already searched it (`flagged` is false when
            // no call to comment is in it).
            [seg] if is_verbatim(text, seg) => (
                std::borrow::Cow::Borrowed(seg.text.as_str()),
                OffsetMap::verbatim(seg.start),
                opts.clean && seg.flagged && is_call_to_comment(&seg.text),
            ),
            _ => {
                let (t, m) = block_text(text, &block);
                let call = opts.clean && is_call_to_comment(&t);
                (std::borrow::Cow::Owned(t), m, call)
            }
        };
        let mut comment_tail = false;
        for (s, e) in sentences::split_with(&btext, opts.splitter) {
            // Markup residue ("**") next to a sentence, even across white
            // space, belongs to it, so that every byte of the input is
            // accounted for.
            let (start, end) = claim_markup(text, map.start(s), map.end(e), floor);
            floor = end;
            let piece = &btext[s..e];
            // ASCII is always in NFC, and checking it is a vector scan.
            let nfc = piece.is_ascii()
                || unicode_normalization::is_nfc_quick(piece.chars())
                    == unicode_normalization::IsNormalized::Yes;
            let sent: String = if nfc {
                piece.to_string()
            } else {
                piece.nfc().collect()
            };
            let own_text = nfc
                && (s == 0 || btext[..s].ends_with(char::is_whitespace))
                && (e == btext.len() || btext[e..].starts_with(char::is_whitespace));
            if opts.clean {
                if comment_tail || ((block_call || !own_text) && is_call_to_comment(&sent)) {
                    comment_tail = true;
                    out.dropped.push(Dropped {
                        start,
                        end,
                        reason: DropReason::CallToComment,
                        text: sent,
                    });
                    continue;
                }
                // A sentence of a verbatim segment, as it stands there, has
                // for key a slice of the segment's key.
                let key = match verbatim_seg {
                    Some(seg) if nfc => key_slice(seg, s, e),
                    _ => None,
                };
                let key = key.map_or_else(
                    || std::borrow::Cow::Owned(word_key(&sent)),
                    std::borrow::Cow::Borrowed,
                );
                if !seen.insert(key) {
                    out.dropped.push(Dropped {
                        start,
                        end,
                        reason: DropReason::Repeat,
                        text: sent,
                    });
                    continue;
                }
            }
            let index = out.sentences.len();
            out.sentences.push(Sentence {
                index,
                start,
                end,
                text: sent,
            });
        }
    }
    out.dropped.sort_by_key(|d| (d.start, d.end));
    out
}

fn is_markup(c: char) -> bool {
    c == '*' || c == '_'
}

/// Widen [start, end) over neighbouring runs of white space and markup
/// characters, to the outermost markup character (never below `floor`).
fn claim_markup(text: &str, start: usize, end: usize, floor: usize) -> (usize, usize) {
    let mut new_start = start;
    let mut i = start;
    for (p, c) in text[floor.min(start)..start].char_indices().rev() {
        if !(c.is_whitespace() || is_markup(c)) {
            break;
        }
        i = floor.min(start) + p;
        if is_markup(c) {
            new_start = i;
        }
    }
    let _ = i;
    let mut new_end = end;
    for (p, c) in text[end..].char_indices() {
        if !(c.is_whitespace() || is_markup(c)) {
            break;
        }
        if is_markup(c) {
            new_end = end + p + c.len_utf8();
        }
    }
    (new_start, new_end)
}

/// Non-blank lines with byte offsets, trimmed of white space (including
/// no-break spaces, which `char::is_whitespace` covers).
fn lines_of(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = 0;
    for raw in text.split_inclusive('\n') {
        let body = raw.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start().len();
        let trimmed = body.trim();
        if !trimmed.is_empty() && trimmed.chars().any(|c| !is_invisible(c)) {
            out.push(Line {
                start: pos + lead,
                end: pos + lead + trimmed.len(),
            });
        }
        pos += raw.len();
    }
    out
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}'
        )
}

fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '”', '’', ')', ']', '*', '»']);
    t.ends_with(['.', '!', '?', '…', ':', ';'])
}

fn starts_lower(s: &str) -> bool {
    s.trim_start_matches(['*', '_'])
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase())
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Is the page hard-wrapped at a fixed width? Returns the width.
///
/// A wrapped page has most lines of about the same length and no long ones;
/// a page with one paragraph per line has a long tail of lengths.
fn wrap_width(text: &str, lines: &[Line]) -> Option<usize> {
    if lines.len() < 8 {
        return None;
    }
    let mut lens: Vec<usize> = lines
        .iter()
        .map(|l| char_len(&text[l.start..l.end]))
        .collect();
    lens.sort_unstable();
    let max = *lens.last()?;
    let p90 = lens[(lens.len() * 9) / 10];
    if max > 120 || p90 < 45 {
        return None;
    }
    let near = lens.iter().filter(|&&l| l * 4 >= p90 * 3).count();
    (near * 2 >= lens.len()).then_some(max)
}

fn segments(text: &str, lines: &[Line]) -> Vec<Segment> {
    let width = wrap_width(text, lines);
    let mut segs: Vec<Segment> = Vec::new();
    for line in lines {
        let lt = &text[line.start..line.end];
        let join = match (width, segs.last()) {
            (Some(w), Some(prev)) => {
                let last = prev.lines.last().expect("segment has a line");
                let pt = &text[last.start..last.end];
                let first_word = lt.split_whitespace().next().map_or(0, char_len);
                // A wrapped line rarely ends a sentence; a short first line
                // without a final stop is a heading. Inside a paragraph, a
                // line that stops without punctuation was wrapped. Capture tools
                // wrap early and unevenly, so "the next word would not have
                // fitted" alone misses many wraps.
                starts_lower(lt)
                    || (!ends_sentence(pt)
                        && (prev.lines.len() >= 2
                            || char_len(pt) * 5 >= w * 3
                            || char_len(pt) + 1 + first_word > w))
            }
            _ => false,
        };
        if join {
            let seg = segs.last_mut().expect("checked above");
            seg.lines.push(line.clone());
            seg.end = line.end;
        } else {
            segs.push(Segment {
                lines: vec![line.clone()],
                start: line.start,
                end: line.end,
                text: String::new(),
                key: Vec::new(),
                spans: Vec::new(),
                words: 0,
                flagged: false,
                reason: None,
            });
        }
    }
    for s in &mut segs {
        s.text = fold_text(text, &s.lines);
        // Spans hold 32-bit offsets: a segment too long for them has none,
        // and its key is sliced and hashed without them.
        s.key = if s.text.len() < SPAN_LIMIT {
            build_key(&s.text, |w| s.spans.push(w))
        } else {
            word_key(&s.text)
        };
        s.words = word_count(&s.text);
    }
    segs
}

/// The folded text of a segment's lines, as `block_text` makes it but
/// without the offset map: classification needs only the text.
fn fold_text(text: &str, lines: &[Line]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.end - l.start + 1).sum());
    for line in lines {
        let raw = &text[line.start..line.end];
        let markup = memchr::memchr2_iter(b'*', b'_', raw.as_bytes())
            .any(|i| raw.as_bytes().get(i + 1) == Some(&raw.as_bytes()[i]));
        let lt: std::borrow::Cow<str> = if markup {
            raw.replace("**", "").replace("__", "").into()
        } else {
            raw.into()
        };
        let hyphen = out.ends_with('-')
            && out[..out.len() - 1]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '.');
        if !out.is_empty() && !hyphen {
            out.push(' ');
        }
        let mut space = false;
        let bytes = lt.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // A stretch of visible ASCII is copied in one go.
            let (piece, visible) = if b < 0x80 {
                if ascii_space(b) {
                    space = true;
                    i += 1;
                    continue;
                }
                // Single spaces between visible ASCII fold to themselves, so
                // a sentence of plain words is one stretch.
                let mut end = i;
                loop {
                    // Eight bytes at a time while they are plain words; then
                    // byte by byte to the end of the run.
                    while crate::swar::load(bytes, end).is_some_and(crate::swar::plain_text) {
                        end += 8;
                    }
                    while end < bytes.len() && VISIBLE_ASCII[bytes[end] as usize] {
                        end += 1;
                    }
                    let next_visible =
                        |k: usize| bytes.get(k).is_some_and(|&n| VISIBLE_ASCII[n as usize]);
                    if end < bytes.len() && bytes[end] == b' ' && next_visible(end + 1) {
                        end += 1;
                    } else {
                        break;
                    }
                }
                (&lt[i..end], true)
            } else {
                let c = lt[i..].chars().next().expect("char boundary");
                let piece = &lt[i..i + c.len_utf8()];
                if is_invisible(c) {
                    space = space || c.is_whitespace();
                }
                (piece, !is_invisible(c))
            };
            i += piece.len();
            if !visible {
                continue;
            }
            if space && !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            space = false;
            out.push_str(piece);
        }
    }
    out
}

/// Where the bytes of a block's folded text came from in the original:
/// runs of characters copied verbatim, and single characters that stand for
/// something else (one space for a run of white space or a line break).
/// A run per stretch rather than a span per byte: the map was the largest
/// allocation of the cleaner.
#[derive(Debug, Default)]
struct OffsetMap {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, Copy)]
struct Piece {
    /// First byte of the piece in the folded text.
    out: usize,
    /// First byte in the original.
    src: usize,
    /// For a single stand-in character, the end of what it stands for in the
    /// original; VERBATIM for a copied run.
    src_end: usize,
}

const VERBATIM: usize = usize::MAX;

impl OffsetMap {
    fn piece(&self, o: usize) -> Piece {
        let k = self.pieces.partition_point(|p| p.out <= o);
        self.pieces[k.saturating_sub(1)]
    }

    /// Start in the original of the character at folded byte `o`.
    fn start(&self, o: usize) -> usize {
        let p = self.piece(o);
        if p.src_end == VERBATIM {
            p.src + (o - p.out)
        } else {
            p.src
        }
    }

    /// End in the original of the character that ends at folded byte `e`.
    fn end(&self, e: usize) -> usize {
        let p = self.piece(e - 1);
        if p.src_end == VERBATIM {
            p.src + (e - p.out)
        } else {
            p.src_end
        }
    }

    /// The map of a text copied whole from `src` on.
    fn verbatim(src: usize) -> Self {
        OffsetMap {
            pieces: vec![Piece {
                out: 0,
                src,
                src_end: VERBATIM,
            }],
        }
    }

    fn copied(&mut self, out: &mut String, text: &str, src: usize, len: usize) {
        let contiguous = self
            .pieces
            .last()
            .is_some_and(|p| p.src_end == VERBATIM && p.src + (out.len() - p.out) == src);
        if !contiguous {
            self.pieces.push(Piece {
                out: out.len(),
                src,
                src_end: VERBATIM,
            });
        }
        out.push_str(&text[src..src + len]);
    }

    fn stand_in(&mut self, out: &mut String, c: char, src: (usize, usize)) {
        self.pieces.push(Piece {
            out: out.len(),
            src: src.0,
            src_end: src.1,
        });
        out.push(c);
    }
}

/// Whether `block_text` of this segment alone would be its folded text,
/// byte for byte the original line: one line, nothing folded, and no
/// presentation form for `block_text` to replace.
fn is_verbatim(text: &str, seg: &Segment) -> bool {
    seg.lines.len() == 1
        && seg.text.as_bytes() == &text.as_bytes()[seg.start..seg.end]
        && !has_fi_ligature(seg.text.as_bytes())
}

/// ASCII bytes that are not white space (as `ascii_space` says).
const VISIBLE_ASCII: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = !matches!(b as u8, b'\t'..=b'\r' | b' ');
        b += 1;
    }
    t
};

/// Whether the text holds U+FB01, which `block_text` replaces. The finder
/// is built once: building it per paragraph cost more than the search.
fn has_fi_ligature(text: &[u8]) -> bool {
    static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    FINDER
        .get_or_init(|| memchr::memmem::Finder::new("\u{FB01}".as_bytes()))
        .find(text)
        .is_some()
}

/// Rust's `char::is_whitespace` on an ASCII byte.
fn ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The folded text of a run of segments, with the map from its bytes back
/// to the original text.
fn block_text(text: &str, segs: &[&Segment]) -> (String, OffsetMap) {
    let mut out = String::with_capacity(segs.iter().map(|s| s.end - s.start + 1).sum());
    let mut map = OffsetMap::default();
    let mut pending_space: Option<(usize, usize)> = None;
    let mut first = true;
    for seg in segs {
        for line in &seg.lines {
            if !first {
                // A line ending in a hyphen after a letter was wrapped inside a
                // compound ("U.S.-" / "enforced"): join without a space.
                let hyphen = out.ends_with('-')
                    && out[..out.len() - 1]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '.');
                if !hyphen && !out.is_empty() {
                    pending_space = Some((line.start, line.start));
                }
            }
            first = false;
            let lt = &text[line.start..line.end];
            let bytes = lt.as_bytes();
            let mut off = 0;
            while off < bytes.len() {
                let b = bytes[off];
                let abs = line.start + off;
                // Markdown bold/italic residue: drop "**" and "__" pairs.
                if (b == b'*' || b == b'_') && bytes.get(off + 1) == Some(&b) {
                    off += 2;
                    continue;
                }
                if b < 0x80 && !ascii_space(b) {
                    // A stretch of plain ASCII is copied in one go.
                    let mut end = off + 1;
                    while end < bytes.len() {
                        let n = bytes[end];
                        if n >= 0x80
                            || ascii_space(n)
                            || ((n == b'*' || n == b'_') && bytes.get(end + 1) == Some(&n))
                        {
                            break;
                        }
                        end += 1;
                    }
                    if let Some(sp) = pending_space.take() {
                        map.stand_in(&mut out, ' ', sp);
                    }
                    map.copied(&mut out, text, abs, end - off);
                    off = end;
                    continue;
                }
                let c = lt[off..].chars().next().expect("char boundary");
                let len = c.len_utf8();
                off += len;
                if is_invisible(c) {
                    if c.is_whitespace() && !out.is_empty() && pending_space.is_none() {
                        pending_space = Some((abs, abs + len));
                    }
                    continue;
                }
                if let Some(sp) = pending_space.take() {
                    map.stand_in(&mut out, ' ', sp);
                }
                // Keep curly quotes and dashes: they carry meaning. Fold only
                // look-alike spaces (done above) and the odd presentation
                // form that breaks matching.
                if c == '\u{FB01}' {
                    map.stand_in(&mut out, 'f', (abs, abs + len));
                } else {
                    map.copied(&mut out, text, abs, len);
                }
            }
        }
    }
    (out, map)
}

/// Word-sequence key: case, punctuation and markup do not make a sentence
/// new. The words of `s`, lower-cased, joined by single spaces, as UTF-8
/// bytes (keys are only compared and hashed, never read as text, so they
/// are not validated back into a `String`). Built in one pass: this runs
/// for every segment and sentence.
fn word_key(s: &str) -> Vec<u8> {
    build_key(s, |_| {})
}

/// Texts shorter than this have their word spans recorded: a key is at
/// most half as long again as its text, so every offset fits in 32 bits.
const SPAN_LIMIT: usize = (u32::MAX / 2) as usize;

/// A word of a key: bytes [text.0, text.1) of the text gave bytes
/// [key.0, key.1) of the key.
#[derive(Debug, Clone, Copy)]
struct WordSpan {
    text: (u32, u32),
    key: (u32, u32),
}

/// The key of bytes [s, e) of a segment's text, as a slice of the
/// segment's key; None when a word crosses either end (the key of the piece
/// then has part of a word, and is built afresh).
fn key_slice(seg: &Segment, s: usize, e: usize) -> Option<&[u8]> {
    if seg.text.len() >= SPAN_LIMIT {
        return None;
    }
    let (s, e) = (u32::try_from(s).ok()?, u32::try_from(e).ok()?);
    let spans = &seg.spans;
    let first = spans.partition_point(|w| w.text.0 < s);
    let end = spans.partition_point(|w| w.text.0 < e);
    if first > 0 && spans[first - 1].text.1 > s {
        return None;
    }
    if end == 0 || end <= first {
        // No word starts in the piece (and none crosses its start).
        return (end == 0 || spans[end - 1].text.1 <= s).then_some(&[][..]);
    }
    let last = spans[end - 1];
    if last.text.1 > e {
        return None;
    }
    seg.key
        .get(spans[first].key.0 as usize..last.key.1 as usize)
}

/// `word_key`, telling `word` where each word stands.
fn build_key(s: &str, mut word: impl FnMut(WordSpan)) -> Vec<u8> {
    let bytes = s.as_bytes();
    // Written by index into a buffer with room for what is left of the
    // input: an ASCII byte adds at most one byte (a space needs a byte of
    // gap before it), and room is made again after each other character,
    // whose lower case may be longer.
    let mut buf = vec![0u8; bytes.len() + 1];
    let mut n = 0;
    let mut gap = false;
    // Start of the current word in the text and in the key.
    let mut open: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            let l = ASCII_WORD[b as usize];
            if l == 0 {
                if let Some((ts, ks)) = open.take() {
                    word(span(ts, i, ks, n));
                }
                gap = true;
                i += 1;
                continue;
            }
            start_word(&mut buf, &mut n, &mut gap, &mut open, i);
            buf[n] = l;
            n += 1;
            i += 1;
            // Words and single spaces eight bytes at a time: the chunk is
            // its own key once lower-cased, and each space ends a word and
            // starts the next. (Room: n stays below what is left of the
            // input, see above.)
            while let Some((key, mut sp)) =
                crate::swar::load(bytes, i).and_then(crate::swar::alnum_words)
            {
                buf[n..n + 8].copy_from_slice(&key.to_le_bytes());
                while sp != 0 {
                    let k = (sp.trailing_zeros() / 8) as usize;
                    if let Some((ts, ks)) = open.take() {
                        word(span(ts, i + k, ks, n + k));
                    }
                    open = Some((i + k + 1, n + k + 1));
                    sp &= sp - 1;
                }
                n += 8;
                i += 8;
            }
            // The rest of a run of ASCII letters and digits: most of a text.
            while let Some(&l) = bytes.get(i).map(|&c| &ASCII_WORD[c as usize]) {
                if l == 0 {
                    break;
                }
                buf[n] = l;
                n += 1;
                i += 1;
            }
            continue;
        }
        let c = s[i..].chars().next().expect("char boundary");
        if c.is_alphanumeric() {
            let room = n + 1 + 3 * 4 + (bytes.len() - i) + 1;
            if buf.len() < room {
                buf.resize(room, 0);
            }
            start_word(&mut buf, &mut n, &mut gap, &mut open, i);
            for l in c.to_lowercase() {
                n += l.encode_utf8(&mut buf[n..]).len();
            }
        } else {
            if let Some((ts, ks)) = open.take() {
                word(span(ts, i, ks, n));
            }
            gap = true;
        }
        i += c.len_utf8();
    }
    if let Some((ts, ks)) = open {
        word(span(ts, bytes.len(), ks, n));
    }
    buf.truncate(n);
    buf
}

/// Open a word at text byte `i` unless one is open, after a space in the
/// key if a gap came before it.
#[inline]
fn start_word(
    buf: &mut [u8],
    n: &mut usize,
    gap: &mut bool,
    open: &mut Option<(usize, usize)>,
    i: usize,
) {
    if open.is_none() {
        if *gap && *n > 0 {
            buf[*n] = b' ';
            *n += 1;
        }
        *gap = false;
        *open = Some((i, *n));
    }
}

fn span(ts: usize, te: usize, ks: usize, ke: usize) -> WordSpan {
    // Only texts under SPAN_LIMIT record spans, so offsets fit.
    let u = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    WordSpan {
        text: (u(ts), u(te)),
        key: (u(ks), u(ke)),
    }
}

/// For each byte: its lower-case form if it is an ASCII letter or digit,
/// else 0 (also for every byte of a multi-byte character).
pub(crate) const ASCII_WORD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Longer than any entry of `nav_exact` with its surrounding punctuation.
const NAV_LABEL_MAX: usize = 80;

struct Patterns {
    nav_exact: HashSet<&'static str>,
    nav_prefix: Regex,
    pipe_label: Regex,
    file_name: Regex,
    credit: Regex,
    all_caps_credit: Regex,
    caption: Regex,
    byline_date: Regex,
    byline_by: Regex,
    copyright: Regex,
    provenance: Regex,
    end_marker: Regex,
    bio_header: Regex,
    bio_field: Regex,
    contact: Regex,
    comment_call: Regex,
    /// credit, caption, end_marker and comment_call in one automaton: body
    /// paragraphs match none of them, and one pass that says so replaces
    /// four.
    unanchored: regex::RegexSet,
}

const CREDIT: &str = r"(?i)^((top )?(photo|image|picture|video)( credit)?s?\s*:|(top )?(photo|image) credit|credit\s*:)|(?i)(via reuters|getty images|afp via|ap photo|/ ?reuters$|\(cc by[^)]*\)\s*$|shutterstock|wikimedia commons)";
const CAPTION: &str = r"(?i)(\((\d+(st|nd|rd|th)[ -])?(l|r|c|left|right|center|centre)\)|(?-u:\b)the (illustration|photo|image|picture) shows(?-u:\b)|(?-u:\b)pictured(?-u:\b)|(?-u:\b)poses? for (a|the) (group |family )?photo(?-u:\b)|(?-u:\b)looks on(?-u:\b)|^(photo|file photo|illustration)(?-u:\b))";
const END_MARKER: &str = r"(?i)^(keep reading|show less|read more|latest|newsletter|related|more from|recommended|most read|detail author|about the author|socials|subscribe)(?-u:\b)|keep readingshow less";
const COMMENT_CALL: &str = r"(?i)((?-u:\b)in the comments?(?-u:\b)|(?-u:\b)share your (thoughts|views|opinion)|(?-u:\b)leave a comment(?-u:\b)|(?-u:\b)let us know (what|in)(?-u:\b)|(?-u:\b)explore more (articles|stories)(?-u:\b)|(?-u:\b)what do you (think|believe)(?-u:\b)|(?-u:\b)join the (conversation|discussion)(?-u:\b)|(?-u:\b)subscribe to our(?-u:\b))";

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("static regex");
        Patterns {
            unanchored: regex::RegexSet::new([CREDIT, CAPTION, END_MARKER, COMMENT_CALL])
                .expect("static regex set"),
            nav_exact: [
                "follow us on social", "follow us", "latest", "qiosk", "newsletter", "table of contents",
                "contents", "share", "share this article", "share this", "advertisement", "subscribe",
                "subscribe now", "menu", "home", "keep reading", "show less", "keep readingshow less",
                "read more", "related", "related articles", "related stories", "tags", "socials",
                "print", "email", "comments", "most read", "most popular", "trending", "sign up",
                "skip to content", "listen to this article", "advertisement scroll to continue",
            ]
            .into_iter()
            .collect(),
            nav_prefix: re(r"(?i)^(related (categories|topics|articles|stories|content)|tags|topics|filed under|see also|read also|read more|also read|more on this|you may also like|recommended)\s*[:|]"),
            pipe_label: re(r"^[^.!?|]{1,40}(\s\|\s[^.!?|]{1,40})+$"),
            file_name: re(r"(?i)^(\S*_\S*|\S+\.(jpe?g|png|gif|webp|svg|avif))$"),
            credit: re(CREDIT),
            all_caps_credit: re(r"^[A-Z][A-Z .'\-]+/[A-Z .'\-/]+$"),
            caption: re(CAPTION),
            byline_date: re(r"(?i)(?-u:\b)(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.? \d{1,2}, \d{4}(?-u:\b)"),
            byline_by: re(r"^(By|BY|by) [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,4}( and [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3})?$"),
            copyright: re(r"(?i)^(©|copyright(?-u:\b)|\(c\)\s*\d{4}|all rights reserved)"),
            provenance: re(r"(?i)^(this|the) (article|piece|story|essay|commentary|op-ed|analysis|report)(?-u:\b).{0,80}(?-u:\b)(first appeared|originally (appeared|published|ran)|was first published|(has been |is |was )?republished|first published)|^(originally|first) (published|appeared) (in|on|by|at)(?-u:\b)"),
            end_marker: re(END_MARKER),
            bio_header: re(r"(?i)^(detail author|about the author|author( bio| profile| details)?|socials)\s*:?$"),
            bio_field: re(r"^\s*[•·\-*]\s*[\p{L} ]{1,24}\s?:\s"),
            contact: re(r"(?i)((?-u:\b)[\w.+-]+@[\w-]+\.[\w.]+(?-u:\b)|(?-u:\b)\d{3}[-. )]\d{3}[-. ]\d{4}(?-u:\b)|^(facebook|twitter|linkedin|tiktok|instagram|youtube|telegram|x)\s*:)"),
            comment_call: re(COMMENT_CALL),
        }
    })
}

/// Compile the cleaner's patterns now (they are otherwise compiled by the
/// first `clean`): a caller can do it on a thread of its own while it loads
/// a model, instead of after.
pub fn prepare() {
    let _ = patterns();
}

fn is_call_to_comment(sentence: &str) -> bool {
    patterns().comment_call.is_match(sentence)
}

/// Words of a folded text. Folding leaves no white space but ASCII spaces,
/// so counting word starts (a non-space after a space, or first) gives what
/// `split_whitespace` would; written over pairs of bytes so that it
/// compiles to vector code.
fn word_count(s: &str) -> usize {
    let b = s.as_bytes();
    match b.first() {
        None => 0,
        Some(&first) => {
            usize::from(first != b' ')
                + b.iter()
                    .zip(&b[1..])
                    .filter(|&(&p, &c)| p == b' ' && c != b' ')
                    .count()
        }
    }
}

/// Classify one segment on its own text.
/// `flagged`: whether `Patterns::unanchored` matched the text at all.
fn own_reason(t: &str, wc: usize, flagged: bool) -> Option<DropReason> {
    let p = patterns();
    // Navigation labels are short: lower-casing a long paragraph to compare
    // it with them would be wasted.
    let nav_label = t.len() <= NAV_LABEL_MAX && {
        let lower = t.to_lowercase();
        p.nav_exact
            .contains(lower.trim_matches(|c: char| !c.is_alphanumeric()))
    };
    if nav_label || p.nav_prefix.is_match(t) {
        return Some(DropReason::Navigation);
    }
    if wc <= 8 && p.pipe_label.is_match(t) {
        return Some(DropReason::Navigation);
    }
    if wc == 1 && p.file_name.is_match(t) {
        return Some(DropReason::FileName);
    }
    if p.copyright.is_match(t) {
        return Some(DropReason::Copyright);
    }
    if p.provenance.is_match(t) {
        return Some(DropReason::Provenance);
    }
    if p.bio_header.is_match(t) || p.bio_field.is_match(t) || (wc <= 12 && p.contact.is_match(t)) {
        return Some(DropReason::Bio);
    }
    if (wc <= 10 && p.all_caps_credit.is_match(t)) || (flagged && p.credit.is_match(t)) {
        return Some(DropReason::Credit);
    }
    if flagged && p.caption.is_match(t) {
        return Some(DropReason::Caption);
    }
    if !ends_sentence(t) && wc <= 16 && (p.byline_date.is_match(t) || p.byline_by.is_match(t)) {
        return Some(DropReason::Byline);
    }
    if wc <= 3 && ends_sentence(t) && !t.ends_with('?') && !t.ends_with(':') {
        return Some(DropReason::Fragment);
    }
    None
}

fn classify(text: &str, segs: &mut [Segment]) {
    let p = patterns();
    for s in segs.iter_mut() {
        s.flagged = p.unanchored.is_match(&s.text);
        s.reason = own_reason(&s.text, s.words, s.flagged);
    }
    // Non-sentences that recur are image captions or alt texts.
    let mut counts: rustc_hash::FxHashMap<&[u8], usize> = Default::default();
    for s in segs.iter() {
        if !ends_sentence(&s.text) {
            *counts.entry(s.key.as_slice()).or_insert(0usize) += 1;
        }
    }
    let mut first_seen = HashSet::new();
    let mut caption = vec![false; segs.len()];
    for (i, s) in segs.iter().enumerate() {
        // A headline printed twice (page title and article title) is kept once.
        if i < 3 && first_seen.insert(s.key.as_slice()) {
            continue;
        }
        caption[i] = s.reason.is_none()
            && !ends_sentence(&s.text)
            && counts.get(s.key.as_slice()).copied().unwrap_or(0) > 1;
    }
    for (s, c) in segs.iter_mut().zip(caption) {
        if c {
            s.reason = Some(DropReason::Caption);
        }
    }
    // Pull quotes: three or more consecutive short lines that end nowhere.
    let short = |s: &Segment| s.words <= 6 && char_len(&s.text) <= 45 && !ends_sentence(&s.text);
    let mut i = 0;
    while i < segs.len() {
        if segs[i].reason.is_none() && short(&segs[i]) {
            let mut j = i;
            let mut run = Vec::new();
            while j < segs.len() && (short(&segs[j]) || segs[j].reason.is_some()) {
                if segs[j].reason.is_none() {
                    run.push(j);
                }
                j += 1;
            }
            if run.len() >= 3 {
                for k in run {
                    segs[k].reason = Some(DropReason::PullQuote);
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    // The end of the article: the first end marker in the second part of the
    // page. Everything after it belongs to the page, not the article.
    let cut = text.len() * 2 / 5;
    let end_at = segs.iter().position(|s| {
        s.start >= cut
            && ((s.flagged && p.end_marker.is_match(&s.text))
                || s.reason == Some(DropReason::Provenance)
                || s.reason == Some(DropReason::Copyright)
                || p.bio_header.is_match(&s.text)
                || (s.flagged && is_call_to_comment(&s.text)))
    });
    if let Some(e) = end_at {
        let mut in_bio = false;
        // The segment holding a call to comment keeps the sentences before it.
        let first_footer =
            if segs[e].reason.is_none() && segs[e].flagged && is_call_to_comment(&segs[e].text) {
                e + 1
            } else {
                e
            };
        for s in segs.iter_mut().skip(first_footer) {
            if p.bio_header.is_match(&s.text) {
                in_bio = true;
            }
            s.reason = Some(if in_bio {
                DropReason::Bio
            } else {
                match s.reason {
                    Some(r) => r,
                    None if s.words >= 8 && ends_sentence(&s.text) => DropReason::Teaser,
                    None => DropReason::Footer,
                }
            });
        }
    }
}

/// Drop segments all of whose words stand, in order, in the rest of the body.
fn drop_repeats(segs: &mut [Segment]) {
    let kept = |segs: &[Segment]| -> Vec<usize> {
        (0..segs.len())
            .filter(|&i| segs[i].reason.is_none())
            .collect()
    };
    let live = kept(segs);
    if live.len() > MAX_SEGMENTS_FOR_CONTAINMENT {
        let mut seen = HashSet::new();
        for i in live {
            if segs[i].words >= 5 && !seen.insert(segs[i].key.clone()) {
                segs[i].reason = Some(DropReason::Repeat);
            }
        }
        return;
    }
    // Headings and short lines are only candidates when they are plainly a
    // piece of a sentence (start in lower case): a heading may well reappear
    // inside the body text.
    let mut cands: Vec<usize> = live
        .iter()
        .copied()
        .filter(|&i| !segs[i].key.is_empty() && (segs[i].words >= 5 || starts_lower(&segs[i].text)))
        .collect();
    cands.sort_by_key(|&i| (segs[i].key.len(), i));
    // A segment can only stand elsewhere if each of its words occurs at
    // least twice in the whole page (once in it, once elsewhere): counting
    // words once rules out almost every segment of a page without repeats,
    // at the cost of one pass instead of rebuilding the rest of the page
    // for each segment. Words are counted by hash in a table of counters
    // that stop at 2, indexed by the hash's top bits: two words that share
    // a counter only let a segment through to the exact test below. (A hash
    // map of exact counts cost as much as the rest of this function.)
    let words: usize = segs.iter().map(|s| s.words).sum();
    let slots = (words.max(1) * 4).next_power_of_two();
    let shift = 64 - slots.trailing_zeros();
    let slot = |h: u64| {
        if shift == 64 {
            0
        } else {
            (h >> shift) as usize
        }
    };
    let mut page = vec![0u8; slots];
    for s in segs.iter().filter(|s| !s.key.is_empty()) {
        for h in word_hashes(s) {
            let c = &mut page[slot(h)];
            *c = (*c + 1).min(2);
        }
    }
    let repeats: Vec<usize> = cands
        .into_iter()
        .filter(|&i| word_hashes(&segs[i]).all(|h| page[slot(h)] >= 2))
        .collect();
    // The exact test, in the original order, for the few left. The rest of
    // the body is the page's keys joined by spaces without the candidate:
    // `before + after`. Rather than build that string for every candidate
    // (quadratic in the page, and the largest cost of the cleaner on long
    // pages), one string of all kept keys is built and searched in three
    // places: inside `before`, inside `after`, and across the seam where
    // the candidate was cut out. It is rebuilt only when a segment drops.
    let mut hay = Hay::build(segs);
    for i in repeats {
        if hay.stands_elsewhere(segs, i) {
            segs[i].reason = Some(DropReason::Repeat);
            hay = Hay::build(segs);
        }
    }
}

/// The word keys of a page's kept segments, joined and framed by spaces,
/// with where each segment's key starts.
struct Hay {
    text: Vec<u8>,
    /// Byte offset in `text` of each segment's key (None: not in the hay).
    at: Vec<Option<usize>>,
}

impl Hay {
    fn build(segs: &[Segment]) -> Hay {
        let mut text = Vec::with_capacity(segs.iter().map(|s| s.key.len() + 1).sum::<usize>() + 1);
        text.push(b' ');
        let at = segs
            .iter()
            .map(|s| {
                (s.reason.is_none() && !s.key.is_empty()).then(|| {
                    let at = text.len();
                    text.extend_from_slice(&s.key);
                    text.push(b' ');
                    at
                })
            })
            .collect();
        Hay { text, at }
    }

    /// Whether " key " of segment `i` occurs in the hay with segment `i`
    /// taken out.
    fn stands_elsewhere(&self, segs: &[Segment], i: usize) -> bool {
        let key = segs[i].key.as_slice();
        let Some(at) = self.at[i] else {
            return false;
        };
        let mut needle = Vec::with_capacity(key.len() + 2);
        needle.push(b' ');
        needle.extend_from_slice(key);
        needle.push(b' ');
        let hay = self.text.as_slice();
        // `before` ends with the space before the key; `after` starts right
        // after the key's own trailing space.
        let before = &hay[..at];
        let after = &hay[at + key.len() + 1..];
        let finder = memchr::memmem::Finder::new(&needle);
        if finder.find(before).is_some() || finder.find(after).is_some() {
            return true;
        }
        // A match across the seam starts within the last needle-length
        // bytes of `before` and ends within the first of `after`.
        let n = needle.len();
        let mut seam = Vec::with_capacity(2 * n);
        seam.extend_from_slice(&before[before.len().saturating_sub(n - 1)..]);
        seam.extend_from_slice(&after[..after.len().min(n - 1)]);
        finder.find(&seam).is_some()
    }
}

/// A hash of each word of a segment's key, found through its spans (the
/// hasher then takes a word eight bytes at a time).
fn word_hashes(seg: &Segment) -> impl Iterator<Item = u64> + '_ {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let fx = |w: &[u8]| BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(w);
    let unspanned = seg.spans.is_empty() && !seg.key.is_empty();
    seg.spans
        .iter()
        .map(move |w| fx(&seg.key[w.key.0 as usize..w.key.1 as usize]))
        .chain(
            unspanned
                .then(|| seg.key.split(|&b| b == b' ').map(fx))
                .into_iter()
                .flatten(),
        )
}

/// Group kept segments into blocks: a segment that stops without ending its
/// sentence continues into the next one that starts in lower case.
fn join_continuations<'a>(kept: &[&'a Segment]) -> Vec<Vec<&'a Segment>> {
    let mut out: Vec<Vec<&Segment>> = Vec::new();
    for &s in kept {
        let cont = out
            .last()
            .and_then(|b| b.last())
            .is_some_and(|prev: &&Segment| !ends_sentence(&prev.text) && starts_lower(&s.text));
        if cont {
            out.last_mut().expect("checked").push(s);
        } else {
            out.push(vec![s]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paragraph_cut_mid_sentence() {
        let t = "Iran and Russia have actively\n\nramped up cooperation politically.\n";
        let c = clean(t, CleanOptions::default());
        assert_eq!(c.sentences.len(), 1);
        assert_eq!(
            c.sentences[0].text,
            "Iran and Russia have actively ramped up cooperation politically."
        );
    }

    #[test]
    fn bare_markup_lines_are_accounted_for() {
        // Found by the long property-test run: "**" alone folded to nothing
        // and was neither kept nor dropped.
        for t in [
            "**\n",
            "Russia backs Iran.\n\n__\n",
            "**\u{2000}aThe U.S. and Mr. Putin met.",
        ] {
            let c = clean(t, CleanOptions::default());
            let covered = |i: usize| {
                c.sentences.iter().any(|s| s.start <= i && i < s.end)
                    || c.dropped.iter().any(|d| d.start <= i && i < d.end)
            };
            for (i, ch) in t.char_indices() {
                assert!(
                    covered(i) || ch.is_whitespace(),
                    "{t:?}: byte {i} not accounted for"
                );
            }
        }
    }

    #[test]
    fn spans_point_into_original() {
        let t = "Title here\n\nMoscow **backs** Tehran. It does.\n";
        let c = clean(t, CleanOptions::default());
        for s in &c.sentences {
            assert!(s.end <= t.len() && s.start < s.end);
        }
        assert_eq!(c.sentences[1].text, "Moscow backs Tehran.");
        assert_eq!(
            &t[c.sentences[1].start..c.sentences[1].end],
            "Moscow **backs** Tehran."
        );
    }

    /// Real pages: the seeds, and each seed's lines re-joined and with odd
    /// characters (accents in capitals, a Kelvin sign, NBSP, ligature).
    fn pages() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                let t = std::fs::read_to_string(p).unwrap();
                out.push(t.replace(". ", ". \u{00C9}TAT \u{212A}ELVIN\u{00A0}x. "));
                out.push(t.replace("fi", "\u{FB01}").replace("  ", " "));
                out.push(t);
            }
        }
        assert!(out.len() >= 15);
        out
    }

    #[test]
    fn sentence_keys_sliced_from_segment_keys_equal_fresh_keys() {
        let mut sliced = 0;
        for page in pages() {
            let lines = lines_of(&page);
            for seg in segments(&page, &lines) {
                for (s, e) in sentences::split(&seg.text) {
                    if let Some(k) = key_slice(&seg, s, e) {
                        assert_eq!(
                            k,
                            word_key(&seg.text[s..e]).as_slice(),
                            "{:?}",
                            &seg.text[s..e]
                        );
                        sliced += 1;
                    }
                }
                // Pieces that cut words are refused, never wrong.
                for (s, _) in seg.text.char_indices().step_by(7) {
                    let e = seg.text.len();
                    if let Some(k) = key_slice(&seg, s, e) {
                        assert_eq!(k, word_key(&seg.text[s..e]).as_slice());
                    }
                }
            }
        }
        assert!(sliced > 500, "{sliced} sentences sliced");
    }

    #[test]
    fn word_count_and_verbatim_fold_agree_with_the_general_path() {
        for page in pages() {
            let lines = lines_of(&page);
            for seg in segments(&page, &lines) {
                assert_eq!(seg.words, seg.text.split_whitespace().count());
                if is_verbatim(&page, &seg) {
                    let (t, map) = block_text(&page, &[&seg]);
                    assert_eq!(t, seg.text);
                    let v = OffsetMap::verbatim(seg.start);
                    for (o, c) in t.char_indices() {
                        assert_eq!(map.start(o), v.start(o));
                        assert_eq!(map.end(o + c.len_utf8()), v.end(o + c.len_utf8()));
                    }
                }
            }
        }
    }
}
