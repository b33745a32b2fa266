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
        let mut b = String::new();
        self.write_to(&mut b);
        b
    }
    /// The cell's text, appended to `buf`.
    fn write_to(&self, buf: &mut String) {
        use std::fmt::Write as _;
        match self {
            Cell::Str(s) => buf.push_str(s),
            Cell::Ref(s) => buf.push_str(s),
            Cell::Int(i) => buf.push_str(itoa::Buffer::new().format(*i)),
            Cell::Num(x) => fixed6(*x, buf),
            Cell::Exact(x) => {
                let _ = write!(buf, "{x}");
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
pub fn fixed6(x: f64, buf: &mut String) {
    use std::fmt::Write as _;
    let scaled = x.abs() * 1e6;
    let frac = scaled - scaled.floor();
    if !x.is_finite() || scaled >= 1e15 || (frac - 0.5).abs() < 1e-6 {
        let _ = write!(buf, "{x:.6}");
        return;
    }
    let r = scaled.round() as u64;
    if x.is_sign_negative() {
        buf.push('-');
    }
    let (int, frac) = (r / 1_000_000, r % 1_000_000);
    buf.push_str(itoa::Buffer::new().format(int));
    buf.push('.');
    let mut digits = [b'0'; 6];
    let mut f = frac;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (f % 10) as u8;
        f /= 10;
    }
    buf.push_str(std::str::from_utf8(&digits).expect("ASCII digits"));
}

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

pub struct TableWriter {
    format: Format,
    header: Vec<String>,
    guard: bool,
    csv: Option<csv::Writer<Box<dyn Write>>>,
    out: Option<Box<dyn Write>>,
    rows: Vec<Vec<String>>,
    /// JSON-quoted header names, made once.
    json_keys: Vec<String>,
    /// Reused for each cell and each JSON line.
    buf: String,
    line: Vec<u8>,
}

impl TableWriter {
    pub fn new(
        w: Box<dyn Write>,
        format: Format,
        header: Vec<String>,
        guard_cells: bool,
    ) -> Result<Self> {
        let mut t = TableWriter {
            format,
            header,
            guard: guard_cells,
            csv: None,
            out: None,
            rows: Vec::new(),
            json_keys: Vec::new(),
            buf: String::new(),
            line: Vec::new(),
        };
        t.json_keys = t
            .header
            .iter()
            .map(|h| serde_json::to_string(h).unwrap_or_default())
            .collect();
        match format {
            Format::Csv => {
                let mut c = csv::WriterBuilder::new().from_writer(w);
                c.write_record(&t.header).map_err(csv_err)?;
                t.csv = Some(c);
            }
            _ => t.out = Some(w),
        }
        Ok(t)
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<()> {
        debug_assert_eq!(cells.len(), self.header.len());
        match self.format {
            Format::Csv => {
                let csv = self.csv.as_mut().expect("csv writer");
                for c in cells {
                    let text = match c {
                        Cell::Str(s) => s.as_str(),
                        Cell::Ref(s) => s,
                        other => {
                            self.buf.clear();
                            other.write_to(&mut self.buf);
                            csv.write_field(&self.buf).map_err(csv_err)?;
                            continue;
                        }
                    };
                    if self.guard && needs_guard(text) {
                        csv.write_field(guard(text)).map_err(csv_err)?;
                    } else {
                        csv.write_field(text).map_err(csv_err)?;
                    }
                }
                csv.write_record(None::<&[u8]>).map_err(csv_err)?;
            }
            Format::Jsonl => {
                let line = &mut self.line;
                line.clear();
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
                        other => {
                            self.buf.clear();
                            other.write_to(&mut self.buf);
                            line.extend_from_slice(self.buf.as_bytes());
                        }
                    }
                }
                line.extend_from_slice(b"}\n");
                self.out
                    .as_mut()
                    .expect("writer")
                    .write_all(line)
                    .map_err(io_err)?;
            }
            Format::Table => self.rows.push(
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Exact(x) => format!("{x:.6}"),
                        other => other.text(),
                    })
                    .collect(),
            ),
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        match self.format {
            Format::Csv => {
                self.csv
                    .as_mut()
                    .expect("csv writer")
                    .flush()
                    .map_err(io_err)?;
            }
            Format::Jsonl => self.out.as_mut().expect("writer").flush().map_err(io_err)?,
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

fn csv_err(e: csv::Error) -> StanceError {
    StanceError::Input(format!("writing CSV: {e}"))
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
        Ok(Box::new(std::io::BufWriter::new(f)))
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
