//! Tidy tables out: CSV and JSONL for files, aligned text for terminals.
//! Files are written to a temporary file beside the target and renamed on
//! success, so an interrupted or failed run never leaves half a file.

use crate::error::{Result, StanceError};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Str(String),
    /// Text borrowed from the row's source: writing a million rows should
    /// not copy every sentence first.
    Ref(&'a str),
    Int(u64),
    /// Written with 6 decimals: stable bytes across platforms.
    Num(f64),
    /// Written in full (shortest round-trip form) in CSV and JSONL, so that
    /// reading it back gives the same number: for rows that are combined
    /// again later (score's article rows, read by compare).
    Exact(f64),
    Empty,
}

impl Cell<'_> {
    pub fn opt(v: Option<f64>) -> Cell<'static> {
        v.filter(|x| x.is_finite()).map_or(Cell::Empty, Cell::Num)
    }
    pub fn opt_exact(v: Option<f64>) -> Cell<'static> {
        v.filter(|x| x.is_finite()).map_or(Cell::Empty, Cell::Exact)
    }
    fn text(&self) -> String {
        let mut b = Vec::new();
        self.write_to(&mut b);
        String::from_utf8(b).expect("cells are text")
    }
    /// The cell's text, appended to `out`.
    #[inline]
    fn write_to(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        match self {
            Cell::Str(s) => out.extend_from_slice(s.as_bytes()),
            Cell::Ref(s) => out.extend_from_slice(s.as_bytes()),
            Cell::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
            Cell::Num(x) => fixed6(*x, out),
            Cell::Exact(x) => {
                let _ = write!(out, "{x}");
            }
            Cell::Empty => {}
        }
    }
}

/// `format!("{x:.6}")`, without the general formatter on the common case.
/// Scores and probabilities fill most cells of a large output, and the
/// exact-decimal formatter cost more than everything else in writing them.
/// A product `|x| * 1e6` that lands within 1e-6 of a rounding tie goes to
/// the formatter, so the digits are always those of the exact decimal
/// expansion (a property test checks both agree).
pub fn fixed6(x: f64, out: &mut Vec<u8>) {
    use std::io::Write as _;
    let scaled = x.abs() * 1e6;
    let frac = scaled - scaled.floor();
    if !x.is_finite() || scaled >= 1e15 || (frac - 0.5).abs() < 1e-6 {
        let _ = write!(out, "{x:.6}");
        return;
    }
    let r = scaled.round() as u64;
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let (int, frac) = (r / 1_000_000, r % 1_000_000);
    if int < 10 {
        out.push(b'0' + int as u8);
    } else {
        out.extend_from_slice(itoa::Buffer::new().format(int).as_bytes());
    }
    let three = |k: u64| &THREE_DIGITS[3 * k as usize..3 * k as usize + 3];
    let (hi, lo) = (three(frac / 1000), three(frac % 1000));
    out.extend_from_slice(&[b'.', hi[0], hi[1], hi[2], lo[0], lo[1], lo[2]]);
}

/// "000001002…999": three decimal digits for each number below 1000, so
/// that six decimals are two slices.
const THREE_DIGITS: &[u8] = {
    const BYTES: [u8; 3000] = {
        let mut t = [0u8; 3000];
        let mut k = 0;
        while k < 1000 {
            t[3 * k] = b'0' + (k / 100) as u8;
            t[3 * k + 1] = b'0' + (k / 10 % 10) as u8;
            t[3 * k + 2] = b'0' + (k % 10) as u8;
            k += 1;
        }
        t
    };
    &BYTES
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
    Table,
}

impl Format {
    /// From a file's extension; None when it says nothing.
    pub fn from_path(p: &Path) -> Option<Format> {
        match p.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

/// Spreadsheet formula guard: a text cell starting with = + - @ or a tab or
/// carriage return would run as a formula when the CSV is opened in Excel or
/// LibreOffice; prefix it with a single quote. Numbers we write are never
/// text cells, so negative scores are untouched.
pub fn guard(s: &str) -> String {
    if needs_guard(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn needs_guard(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Append `s` as a JSON string literal (serde_json's escaping).
fn json_string(s: &str, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

/// How the rows of one table become bytes. It holds no writer and can be
/// shared between threads, so that rows are formatted on the threads that
/// make them (`Rows`) and only written, in order, by the `TableWriter`.
#[derive(Debug, Clone)]
pub struct RowFormat {
    format: Format,
    guard: bool,
    /// JSON-quoted header names, made once.
    json_keys: Vec<String>,
}

/// Rows formatted by a `RowFormat`, waiting to be written: bytes for CSV
/// and JSONL, cell texts for a terminal table (whose column widths are
/// known only at the end).
#[derive(Debug, Default)]
pub struct Rows {
    bytes: Vec<u8>,
    table: Vec<Vec<String>>,
}

impl Rows {
    /// Make room for `bytes` more bytes of rows.
    pub fn reserve(&mut self, bytes: usize) {
        self.bytes.reserve(bytes);
    }
}

impl RowFormat {
    pub fn new(format: Format, header: &[String], guard_cells: bool) -> RowFormat {
        RowFormat {
            format,
            guard: guard_cells,
            json_keys: header
                .iter()
                .map(|h| serde_json::to_string(h).unwrap_or_default())
                .collect(),
        }
    }

    /// Append one row to `rows`.
    pub fn append(&self, cells: &[Cell], rows: &mut Rows) {
        debug_assert_eq!(cells.len(), self.json_keys.len());
        let Rows { bytes, table } = rows;
        match self.format {
            Format::Csv => {
                let line = bytes;
                let begin = line.len();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    match c {
                        Cell::Str(s) => csv_text(s, self.guard, line),
                        Cell::Ref(s) => csv_text(s, self.guard, line),
                        // Numbers hold nothing that needs quoting.
                        other => other.write_to(line),
                    }
                }
                csv_end_record(cells.len(), line.len() == begin, line);
            }
            Format::Jsonl => {
                let line = bytes;
                line.push(b'{');
                for (i, (k, c)) in self.json_keys.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    line.extend_from_slice(k.as_bytes());
                    line.push(b':');
                    match c {
                        Cell::Str(s) => json_string(s, line),
                        Cell::Ref(s) => json_string(s, line),
                        Cell::Empty => line.extend_from_slice(b"null"),
                        other => other.write_to(line),
                    }
                }
                line.extend_from_slice(b"}\n");
            }
            Format::Table => table.push(
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Exact(x) => format!("{x:.6}"),
                        other => other.text(),
                    })
                    .collect(),
            ),
        }
    }
}

pub struct TableWriter {
    header: Vec<String>,
    fmt: RowFormat,
    out: Option<Box<dyn Write>>,
    /// A terminal table's rows, held until `finish`.
    rows: Vec<Vec<String>>,
    /// For `row`: one row at a time.
    scratch: Rows,
}

impl TableWriter {
    pub fn new(
        w: Box<dyn Write>,
        format: Format,
        header: Vec<String>,
        guard_cells: bool,
    ) -> Result<Self> {
        let mut t = TableWriter {
            fmt: RowFormat::new(format, &header, guard_cells),
            header,
            out: Some(w),
            rows: Vec::new(),
            scratch: Rows::default(),
        };
        if format == Format::Csv {
            let mut line = Vec::new();
            for (i, h) in t.header.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                csv_field(h.as_bytes(), &mut line);
            }
            csv_end_record(t.header.len(), line.is_empty(), &mut line);
            t.out
                .as_mut()
                .expect("writer")
                .write_all(&line)
                .map_err(io_err)?;
        }
        Ok(t)
    }

    /// The format of this table's rows, for formatting them elsewhere.
    pub fn row_format(&self) -> &RowFormat {
        &self.fmt
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        let mut rows = std::mem::take(&mut self.scratch);
        self.fmt.append(cells, &mut rows);
        let r = self.write_rows(&mut rows);
        self.scratch = rows;
        r
    }

    /// Write rows made by this table's `row_format`, and empty `rows` for
    /// reuse.
    pub fn write_rows(&mut self, rows: &mut Rows) -> Result<()> {
        if !rows.bytes.is_empty() {
            self.out
                .as_mut()
                .expect("writer")
                .write_all(&rows.bytes)
                .map_err(io_err)?;
            rows.bytes.clear();
        }
        self.rows.append(&mut rows.table);
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        match self.fmt.format {
            Format::Csv | Format::Jsonl => {
                self.out.as_mut().expect("writer").flush().map_err(io_err)?
            }
            Format::Table => {
                let out = self.out.as_mut().expect("writer");
                let ncol = self.header.len();
                let mut width = vec![0usize; ncol];
                let clip = |s: &str| -> String {
                    let one_line = s.replace(['\n', '\r', '\t'], " ");
                    if one_line.chars().count() > 60 {
                        format!("{}…", one_line.chars().take(59).collect::<String>())
                    } else {
                        one_line
                    }
                };
                let rows: Vec<Vec<String>> = self
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| clip(c)).collect())
                    .collect();
                for r in std::iter::once(&self.header).chain(rows.iter()) {
                    for (i, c) in r.iter().enumerate() {
                        width[i] = width[i].max(c.chars().count());
                    }
                }
                let line = |r: &Vec<String>| -> String {
                    let cells: Vec<String> = r
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let numeric = c.parse::<f64>().is_ok();
                            let pad = width[i] - c.chars().count();
                            if numeric {
                                format!("{}{}", " ".repeat(pad), c)
                            } else {
                                format!("{}{}", c, " ".repeat(pad))
                            }
                        })
                        .collect();
                    cells.join("  ").trim_end().to_string()
                };
                writeln!(out, "{}", line(&self.header)).map_err(io_err)?;
                writeln!(
                    out,
                    "{}",
                    width
                        .iter()
                        .map(|w| "-".repeat(*w))
                        .collect::<Vec<_>>()
                        .join("  ")
                )
                .map_err(io_err)?;
                for r in &rows {
                    writeln!(out, "{}", line(r)).map_err(io_err)?;
                }
                out.flush().map_err(io_err)?;
            }
        }
        Ok(())
    }
}

/// One CSV field as the csv crate writes it with its default settings
/// (`QuoteStyle::Necessary`): quoted when it holds a comma, a double quote,
/// CR or LF, with inner quotes doubled. Written by hand because the csv
/// crate's field-by-field state machine cost more than everything else in
/// writing a scored row; `csv_matches_the_csv_crate` checks both give the
/// same bytes.
fn csv_field(s: &[u8], out: &mut Vec<u8>) {
    // Vector searches: a sentence is scanned whole when it holds no comma.
    let special =
        memchr::memchr3(b',', b'"', b'\n', s).is_some() || memchr::memchr(b'\r', s).is_some();
    if !special {
        out.extend_from_slice(s);
        return;
    }
    out.push(b'"');
    let mut rest = s;
    while let Some(p) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=p]);
        out.push(b'"');
        rest = &rest[p + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// A text cell, with the formula guard when asked for.
fn csv_text(s: &str, guard_cells: bool, out: &mut Vec<u8>) {
    if guard_cells && needs_guard(s) {
        csv_field(guard(s).as_bytes(), out);
    } else {
        csv_field(s.as_bytes(), out);
    }
}

/// End a record; a record of one empty field is written `""` so that it
/// reads back as a field rather than a blank line (as the csv crate does).
fn csv_end_record(ncells: usize, empty: bool, line: &mut Vec<u8>) {
    if ncells == 1 && empty {
        line.extend_from_slice(b"\"\"");
    }
    line.push(b'\n');
}

fn io_err(e: std::io::Error) -> StanceError {
    StanceError::Input(format!("writing output: {e}"))
}

/// A file being written: a temporary file in the target's folder, renamed
/// over the target by `commit`. Dropped without commit, it disappears.
pub struct AtomicFile {
    target: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".stance-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| StanceError::io(target, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
        })
    }

    pub fn writer(&self) -> Result<Box<dyn Write>> {
        let f = self
            .tmp
            .reopen()
            .map_err(|e| StanceError::io(&self.target, e))?;
        // Rows come an article at a time, tens of kilobytes each: a large
        // buffer turns one write call per article into one per megabyte.
        Ok(Box::new(std::io::BufWriter::with_capacity(1 << 20, f)))
    }

    pub fn commit(self) -> Result<()> {
        let target = self.target.clone();
        // Temporary files are created private (0600); an output is an
        // ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ =
                std::fs::set_permissions(self.tmp.path(), std::fs::Permissions::from_mode(0o644));
        }
        self.tmp
            .persist(&target)
            .map_err(|e| StanceError::io(&target, e.error))?;
        Ok(())
    }
}

/// Refuse to write over any of the inputs.
pub fn check_not_input(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let Ok(o) = out.canonicalize() else {
        return Ok(()); // does not exist yet
    };
    for i in inputs {
        if let Ok(c) = i.canonicalize() {
            if c == o
                || (c.is_dir() && o.starts_with(&c) && o.extension().is_some_and(|e| e == "txt"))
            {
                return Err(StanceError::file(
                    out,
                    "refusing to overwrite an input file",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A record through the row formatter the writers use, after another
    /// row (so that an empty record is judged on its own bytes).
    fn ours(record: &[String]) -> Vec<u8> {
        let f = RowFormat::new(Format::Csv, record, false);
        let cells: Vec<Cell> = record.iter().map(|s| Cell::Ref(s)).collect();
        let mut rows = Rows::default();
        f.append(&cells, &mut rows);
        let first = rows.bytes.len();
        f.append(&cells, &mut rows);
        assert_eq!(rows.bytes[..first], rows.bytes[first..]);
        rows.bytes.truncate(first);
        rows.bytes
    }

    fn theirs(record: &[String]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(record).unwrap();
        w.into_inner().unwrap()
    }

    #[test]
    fn csv_matches_the_csv_crate_on_seed_lines() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            // Whole pages (quotes, commas, line breaks) and each line alone.
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            for rec in lines.chunks(3) {
                assert_eq!(ours(rec), theirs(rec));
                n += 1;
            }
            let whole = [text.clone(), String::new(), text];
            assert_eq!(ours(&whole), theirs(&whole));
        }
        assert!(n > 100, "seed lines were read");
        for rec in [vec![String::new()], vec![String::new(), String::new()]] {
            assert_eq!(ours(&rec), theirs(&rec));
        }
    }

    proptest! {
        #[test]
        fn csv_matches_the_csv_crate(record in prop::collection::vec("[a-c,\"\r\n '=\u{e9}\u{201c}]{0,12}", 1..5)) {
            prop_assert_eq!(ours(&record), theirs(&record));
        }
    }
}
