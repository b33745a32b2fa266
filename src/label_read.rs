//! Reading a label file as a stream of CSV records, so that a file of a
//! million rows is never held whole.
//!
//! The bytes are checked as UTF-8 and hashed (SHA-256, for the model's
//! provenance) while the CSV reader pulls them: one read of the file gives
//! records, its hash and, on bad bytes, the same located error as decoding
//! the whole file would.

use crate::error::{Result, StanceError};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A reader that hashes what passes through and stops at the first byte
/// that is not UTF-8, remembering its offset.
struct Checked<R> {
    inner: R,
    sha: Sha256,
    /// Bytes handed on so far.
    pos: u64,
    /// The start of a character cut by the end of the last read.
    carry: Vec<u8>,
    /// File offset of the first invalid byte.
    bad: Option<u64>,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.bad.is_some() {
            return Err(invalid());
        }
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        self.sha.update(chunk);
        if n == 0 {
            if !self.carry.is_empty() {
                // The file ends inside a character.
                self.bad = Some(self.pos - self.carry.len() as u64);
                return Err(invalid());
            }
            return Ok(0);
        }
        // Only a character cut by a read boundary needs a copy.
        let joined;
        let data: &[u8] = if self.carry.is_empty() {
            chunk
        } else {
            joined = [self.carry.as_slice(), chunk].concat();
            &joined
        };
        let base = self.pos - self.carry.len() as u64;
        self.carry.clear();
        if let Err(e) = std::str::from_utf8(data) {
            let ok = e.valid_up_to();
            match e.error_len() {
                None => self.carry.extend_from_slice(&data[ok..]),
                Some(_) => {
                    self.bad = Some(base + ok as u64);
                    return Err(invalid());
                }
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

fn invalid() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, "not valid UTF-8")
}

/// One label file being read.
pub struct LabelReader {
    path: PathBuf,
    csv: crate::csv_lines::Reader<Checked<std::fs::File>>,
    pub headers: Vec<String>,
    rows: usize,
}

impl LabelReader {
    pub fn open(path: &Path) -> Result<LabelReader> {
        let f = std::fs::File::open(path).map_err(|e| StanceError::io(path, e))?;
        let checked = Checked {
            inner: f,
            sha: Sha256::new(),
            pos: 0,
            carry: Vec::new(),
            bad: None,
        };
        let mut csv = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 16)
            .from_reader(crate::csv_lines::Lines::new(checked));
        let headers = match csv.byte_headers() {
            Ok(h) => h
                .iter()
                .map(|h| String::from_utf8_lossy(h).trim().to_string())
                .collect(),
            Err(e) => {
                return Err(
                    utf8_error(path, csv.get_ref().get_ref()).unwrap_or_else(|| {
                        StanceError::record(path, 1, format!("bad CSV header: {e}"))
                    }),
                )
            }
        };
        Ok(LabelReader {
            path: path.to_path_buf(),
            csv,
            headers,
            rows: 0,
        })
    }

    /// Read the next record into `rec` (reused, so that reading allocates
    /// nothing per row); false at the end of the file.
    pub fn next_into(&mut self, rec: &mut csv::ByteRecord) -> Result<bool> {
        match self.csv.read_byte_record(rec) {
            Ok(true) => {
                self.rows += 1;
                crate::csv_lines::fix_record_line(&mut self.csv, rec);
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => Err(
                utf8_error(&self.path, self.csv.get_ref().get_ref()).unwrap_or_else(|| {
                    let line = crate::csv_lines::error_line(&mut self.csv, &e);
                    crate::input::csv_record_error_at(&self.path, line, e)
                }),
            ),
        }
    }

    /// Rows read so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The file's SHA-256 (hex); meaningful once every record is read.
    pub fn sha256(&self) -> String {
        crate::actors::hex(&self.csv.get_ref().get_ref().sha.clone().finalize())
    }
}

/// The located UTF-8 error, if that is what stopped the reader. The line is
/// counted again from the file's start: only failing runs pay for it.
fn utf8_error(path: &Path, c: &Checked<std::fs::File>) -> Option<StanceError> {
    let offset = c.bad?;
    let mut newlines = 0usize;
    if let Ok(f) = std::fs::File::open(path) {
        let mut r = std::io::BufReader::new(f).take(offset);
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            newlines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        }
    }
    Some(StanceError::Utf8 {
        path: path.to_path_buf(),
        line: 1 + newlines,
        offset: offset as usize,
    })
}

/// A field of a record, trimmed; None when empty (as `LabelRow::get`).
pub fn field(rec: &csv::ByteRecord, i: Option<usize>) -> Option<&str> {
    let raw = rec.get(i?)?;
    // The reader let only valid UTF-8 through, and CSV splits at ASCII
    // bytes, so every field is valid UTF-8.
    let s = std::str::from_utf8(raw).ok()?.trim();
    (!s.is_empty()).then_some(s)
}

/// The line a record starts on.
pub fn line_of(rec: &csv::ByteRecord) -> usize {
    rec.position().map_or(0, |p| p.line() as usize)
}
