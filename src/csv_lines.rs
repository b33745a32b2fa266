//! True line numbers for CSV records.
//!
//! The csv crate counts a line when it consumes a `\n`. A record that ends
//! in `\r\n` (what Excel and Python's csv module write) is ended by the
//! `\r`, and the next record's position is taken before its `\n` is read,
//! so every record after such a line was reported one line early; a record
//! after blank lines, several. Errors must name the right line, so the
//! readers count lines from the bytes themselves: `Lines` wraps the input
//! and notes where each CR and LF is, and `line_at` turns a record's byte
//! offset (which the csv crate gets right) into its line.
//!
//! Memory stays bounded: records are asked for in order, and the breaks
//! before a record are dropped once it is asked for, so only the breaks of
//! the csv reader's read-ahead buffer are held.

use std::collections::VecDeque;
use std::io::Read;

/// A reader that notes the offsets of line breaks as bytes pass.
pub struct Lines<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of CR and LF bytes not yet passed by a record: `offset << 1`,
    /// low bit set for LF.
    breaks: VecDeque<u64>,
    /// LFs before the breaks still held.
    lf_before: u64,
}

impl<R> Lines<R> {
    pub fn new(inner: R) -> Self {
        Lines {
            inner,
            offset: 0,
            breaks: VecDeque::new(),
            lf_before: 0,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The line (from 1) on which the record at byte `start` begins: after
    /// every LF before `start`, and after the line breaks that follow
    /// `start` directly (the rest of a CRLF, blank lines), which the csv
    /// reader skips before the record's first byte. Calls must come in
    /// order of `start`.
    pub fn line_at(&mut self, start: u64) -> usize {
        while let Some(&b) = self.breaks.front() {
            if b >> 1 >= start {
                break;
            }
            self.lf_before += b & 1;
            self.breaks.pop_front();
        }
        let mut at = start;
        while let Some(&b) = self.breaks.front() {
            if b >> 1 != at {
                break;
            }
            self.lf_before += b & 1;
            self.breaks.pop_front();
            at += 1;
        }
        usize::try_from(1 + self.lf_before).unwrap_or(usize::MAX)
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
            let at = self.offset + i as u64;
            self.breaks.push_back(at << 1 | u64::from(buf[i] == b'\n'));
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// A csv reader over `Lines`.
pub type Reader<R> = csv::Reader<Lines<R>>;

/// The true line of a record (or error) at `pos` (0 when there is none).
pub fn line_of<R: Read>(r: &mut Reader<R>, pos: Option<&csv::Position>) -> usize {
    pos.map_or(0, |p| r.get_mut().line_at(p.byte()))
}

/// The true line of the record just read into `rec`, written into its
/// position too (so that later errors about the record name it).
pub fn fix_record_line<R: Read>(r: &mut Reader<R>, rec: &mut csv::ByteRecord) -> usize {
    let Some(mut pos) = rec.position().cloned() else {
        return 0;
    };
    let line = r.get_mut().line_at(pos.byte());
    pos.set_line(line as u64);
    rec.set_position(Some(pos));
    line
}

/// The true line of the record a csv error is about (0 when it has none).
pub fn error_line<R: Read>(r: &mut Reader<R>, e: &csv::Error) -> usize {
    line_of(r, e.position())
}

/// Read the next record of the file at `path` into `rec`: its true line,
/// or None at the end; a malformed record is an error naming its line.
pub fn next_record<R: Read>(
    r: &mut Reader<R>,
    rec: &mut csv::StringRecord,
    path: &std::path::Path,
) -> crate::error::Result<Option<usize>> {
    match r.read_record(rec) {
        Ok(true) => Ok(Some(line_of(r, rec.position()))),
        Ok(false) => Ok(None),
        Err(e) => {
            let line = error_line(r, &e);
            Err(crate::input::csv_record_error_at(path, line, e))
        }
    }
}

/// What is wrong with a record, without the csv crate's own position
/// (whose line runs early after CRLF line ends; the caller names the line).
pub fn describe(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "found a record with {len} fields, but the previous record has {expected_len} fields"
        ),
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "field {} is not valid UTF-8 (from byte {})",
            err.field() + 1,
            err.valid_up_to()
        ),
        csv::ErrorKind::Io(err) => format!("read error: {err}"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of the records of `text` as the readers now report them.
    fn lines(text: &str) -> Vec<usize> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(Lines::new(text.as_bytes()));
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            out.push(fix_record_line(&mut r, &mut rec));
        }
        out
    }

    #[test]
    fn crlf_lf_blank_lines_and_quoted_breaks() {
        assert_eq!(lines("a\nb\nc\n"), [1, 2, 3]);
        assert_eq!(lines("a\r\nb\r\nc\r\n"), [1, 2, 3]);
        assert_eq!(lines("a\r\n\r\n\r\nb\r\nc"), [1, 4, 5]);
        assert_eq!(lines("a\n\n\nb\nc"), [1, 4, 5]);
        assert_eq!(lines("a\r\n\"x\r\ny\"\r\nb\r\n"), [1, 2, 4]);
        assert_eq!(lines("a\rb\rc"), [1, 1, 1]);
    }

    #[test]
    fn line_numbers_hold_across_read_ahead_buffers() {
        let text: String = (0..20_000).map(|i| format!("r{i},x\r\n")).collect();
        let got = lines(&text);
        assert_eq!(got.len(), 20_000);
        assert!(got.iter().enumerate().all(|(i, &l)| l == i + 1));
    }
}
