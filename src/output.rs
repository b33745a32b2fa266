//! Tidy tables out: CSV and JSONL for files, aligned text for terminals.
//! Files are written to a temporary file beside the target and renamed on
//! success, so an interrupted or failed run never leaves half a file.

use crate::error::{Result, StanceError};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Str(String),
    Int(u64),
    /// Written with 6 decimals: stable bytes across platforms.
    Num(f64),
    /// Written in full (shortest round-trip form) in CSV and JSONL, so that
    /// reading it back gives the same number: for rows that are combined
    /// again later (score's article rows, read by compare).
    Exact(f64),
    Empty,
}

impl Cell {
    pub fn opt(v: Option<f64>) -> Cell {
        v.filter(|x| x.is_finite()).map_or(Cell::Empty, Cell::Num)
    }
    pub fn opt_exact(v: Option<f64>) -> Cell {
        v.filter(|x| x.is_finite()).map_or(Cell::Empty, Cell::Exact)
    }
    fn text(&self) -> String {
        match self {
            Cell::Str(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(x) => format!("{x:.6}"),
            Cell::Exact(x) => format!("{x}"),
            Cell::Empty => String::new(),
        }
    }
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
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

pub struct TableWriter {
    format: Format,
    header: Vec<String>,
    guard: bool,
    csv: Option<csv::Writer<Box<dyn Write>>>,
    out: Option<Box<dyn Write>>,
    rows: Vec<Vec<String>>,
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
        };
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
                let rec: Vec<String> = cells
                    .iter()
                    .map(|c| match c {
                        Cell::Str(s) if self.guard => guard(s),
                        other => other.text(),
                    })
                    .collect();
                self.csv
                    .as_mut()
                    .expect("csv writer")
                    .write_record(&rec)
                    .map_err(csv_err)?;
            }
            Format::Jsonl => {
                let mut line = String::from("{");
                for (i, (h, c)) in self.header.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&serde_json::to_string(h).unwrap_or_default());
                    line.push(':');
                    match c {
                        Cell::Str(s) => {
                            line.push_str(&serde_json::to_string(s).unwrap_or_default())
                        }
                        Cell::Int(n) => line.push_str(&n.to_string()),
                        Cell::Num(x) => line.push_str(&format!("{x:.6}")),
                        Cell::Exact(x) => line.push_str(&format!("{x}")),
                        Cell::Empty => line.push_str("null"),
                    }
                }
                line.push_str("}\n");
                self.out
                    .as_mut()
                    .expect("writer")
                    .write_all(line.as_bytes())
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
