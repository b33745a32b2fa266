//! Reading articles: text files, folders of them, JSONL and CSV corpora, and
//! standard input; and the metadata CSV that goes with text files.
//!
//! Readers stream: `ArticleReader` yields one article at a time, so memory
//! does not grow with the corpus.

use crate::error::{Result, StanceError};
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest article accepted, in bytes (16 MiB; the longest seed is 17 KB).
/// Longer records are rejected with an error naming them: beyond this a
/// record is almost always a broken capture (a whole site in one field), and
/// the cleaner keeps a byte-offset map of the article, so this limit is what
/// bounds memory per article.
pub const MAX_ARTICLE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub text: String,
    /// Metadata columns (outlet, date, url, ...), in a stable order.
    pub meta: BTreeMap<String, String>,
    /// Where it came from, for error messages: "file" or "file:line".
    pub origin: String,
    /// Invalid UTF-8 byte sequences replaced under --lossy.
    pub replaced: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// By extension: .jsonl/.ndjson, .csv, anything else is one text article;
    /// on stdin, JSONL if the first character is '{', else text.
    Auto,
    Text,
    Jsonl,
    Csv,
}

#[derive(Debug, Clone)]
pub struct InputOptions {
    pub format: InputFormat,
    /// File-name pattern for articles inside folders (default "*.txt").
    pub glob: Option<String>,
    pub lossy: bool,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            format: InputFormat::Auto,
            glob: None,
            lossy: false,
        }
    }
}

/// One input source after folders are expanded.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

/// Expand paths: folders recursively, sorted, files matching the glob.
pub fn expand(paths: &[PathBuf], opts: &InputOptions) -> Result<Vec<Source>> {
    let pattern = glob::Pattern::new(opts.glob.as_deref().unwrap_or("*.txt"))
        .map_err(|e| StanceError::Input(format!("--glob: {e}")))?;
    let mut out = Vec::new();
    if paths.is_empty() {
        return Err(StanceError::Input(
            "no input given (pass files, folders or - for stdin)".into(),
        ));
    }
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let md = std::fs::metadata(p).map_err(|e| StanceError::io(p, e))?;
        if md.is_dir() {
            let mut files = Vec::new();
            walk(p, &pattern, &mut files)?;
            if files.is_empty() {
                return Err(StanceError::file(
                    p,
                    format!("folder holds no file matching {}", pattern.as_str()),
                ));
            }
            files.sort();
            out.extend(files.into_iter().map(Source::File));
        } else {
            out.push(Source::File(p.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, pattern: &glob::Pattern, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| StanceError::io(dir, e))? {
        let entry = entry.map_err(|e| StanceError::io(dir, e))?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| StanceError::io(&path, e))?;
        if ft.is_dir() {
            walk(&path, pattern, out)?;
        } else if entry
            .file_name()
            .to_str()
            .is_some_and(|n| pattern.matches(n))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Decode bytes as UTF-8, or say where they are not.
pub fn decode(
    bytes: Vec<u8>,
    origin: &Path,
    first_line: usize,
    lossy: bool,
) -> Result<(String, usize)> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, 0)),
        Err(e) => {
            let bytes = e.into_bytes();
            if lossy {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let n = s.matches('\u{FFFD}').count();
                return Ok((s, n));
            }
            let bad = std::str::from_utf8(&bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            let line = first_line + bytes[..bad].iter().filter(|&&b| b == b'\n').count();
            Err(StanceError::Utf8 {
                path: origin.to_path_buf(),
                line,
                offset: bad,
            })
        }
    }
}

fn format_of(src: &Source, opts: &InputOptions, peek: Option<u8>) -> InputFormat {
    if opts.format != InputFormat::Auto {
        return opts.format;
    }
    match src {
        Source::Stdin => {
            if peek == Some(b'{') {
                InputFormat::Jsonl
            } else {
                InputFormat::Text
            }
        }
        Source::File(p) => match p
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
        {
            Some(e) if e == "jsonl" || e == "ndjson" => InputFormat::Jsonl,
            Some(e) if e == "csv" => InputFormat::Csv,
            _ => InputFormat::Text,
        },
    }
}

enum Current {
    None,
    Jsonl {
        path: PathBuf,
        lines: Box<dyn BufRead + Send>,
        line: usize,
    },
    Csv {
        path: PathBuf,
        // Boxed: the reader and its line tracking are large beside the
        // other variants.
        reader: Box<crate::csv_lines::Reader<Box<dyn Read + Send>>>,
        headers: Vec<String>,
        id_col: usize,
        text_col: usize,
    },
}

/// Streams articles from a list of sources, checking ids are unique.
pub(crate) fn id_hash(id: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys, twice with different salts: deterministic,
    // and two independent 64-bit halves.
    let half = |salt: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut h);
        id.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

pub struct ArticleReader {
    sources: std::vec::IntoIter<Source>,
    opts: InputOptions,
    current: Current,
    /// 128-bit hashes of the ids seen so far: duplicate ids are caught
    /// across a whole archive at 16 bytes per article instead of a copy of
    /// every id (a false alarm would need a 128-bit collision).
    seen: HashSet<u128>,
}

impl ArticleReader {
    pub fn new(sources: Vec<Source>, opts: InputOptions) -> Self {
        ArticleReader {
            sources: sources.into_iter(),
            opts,
            current: Current::None,
            seen: HashSet::new(),
        }
    }

    fn check_id(&mut self, a: &Article) -> Result<()> {
        if a.id.is_empty() {
            return Err(StanceError::Input(format!(
                "{}: empty article id",
                a.origin
            )));
        }
        if !self.seen.insert(id_hash(&a.id)) {
            return Err(StanceError::Input(format!(
                "{}: duplicate article id {:?}",
                a.origin, a.id
            )));
        }
        if a.text.trim().is_empty() {
            return Err(StanceError::Input(format!(
                "{}: article {:?} has empty text",
                a.origin, a.id
            )));
        }
        if a.text.len() > MAX_ARTICLE_BYTES {
            return Err(StanceError::Input(format!(
                "{}: article {:?} is {} bytes, over the limit of {} bytes",
                a.origin,
                a.id,
                a.text.len(),
                MAX_ARTICLE_BYTES
            )));
        }
        Ok(())
    }

    fn open(&mut self, src: Source) -> Result<Option<Article>> {
        let (path, mut reader): (PathBuf, Box<dyn BufRead + Send>) = match &src {
            Source::Stdin => (
                PathBuf::from("<stdin>"),
                Box::new(BufReader::new(std::io::stdin())),
            ),
            Source::File(p) => {
                let f = File::open(p).map_err(|e| StanceError::io(p, e))?;
                (p.clone(), Box::new(BufReader::with_capacity(1 << 16, f)))
            }
        };
        let peek = reader
            .fill_buf()
            .map_err(|e| StanceError::io(&path, e))?
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace());
        match format_of(&src, &self.opts, peek) {
            InputFormat::Text | InputFormat::Auto => {
                let mut bytes = Vec::new();
                reader
                    .read_to_end(&mut bytes)
                    .map_err(|e| StanceError::io(&path, e))?;
                let (text, replaced) = decode(bytes, &path, 1, self.opts.lossy)?;
                let id = match &src {
                    Source::Stdin => "stdin".to_string(),
                    Source::File(p) => p
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .ok_or_else(|| StanceError::file(p, "file name is not valid UTF-8"))?
                        .to_string(),
                };
                Ok(Some(Article {
                    id,
                    text,
                    meta: BTreeMap::new(),
                    origin: path.display().to_string(),
                    replaced,
                }))
            }
            InputFormat::Jsonl => {
                self.current = Current::Jsonl {
                    path,
                    lines: reader,
                    line: 0,
                };
                Ok(None)
            }
            InputFormat::Csv => {
                let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(
                    crate::csv_lines::Lines::new(Box::new(reader) as Box<dyn Read + Send>),
                );
                let headers: Vec<String> = r
                    .headers()
                    .map_err(|e| StanceError::record(&path, 1, format!("bad CSV header: {e}")))?
                    .iter()
                    .map(|h| h.trim().to_string())
                    .collect();
                let col = |name: &str| headers.iter().position(|h| h == name);
                let id_col = col("id")
                    .ok_or_else(|| StanceError::record(&path, 1, "CSV has no `id` column"))?;
                let text_col = col("text")
                    .ok_or_else(|| StanceError::record(&path, 1, "CSV has no `text` column"))?;
                self.current = Current::Csv {
                    path,
                    reader: Box::new(r),
                    headers,
                    id_col,
                    text_col,
                };
                Ok(None)
            }
        }
    }

    fn next_record(&mut self) -> Result<Option<Article>> {
        let lossy = self.opts.lossy;
        match &mut self.current {
            Current::None => Ok(None),
            Current::Jsonl { path, lines, line } => {
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    let n = lines
                        .read_until(b'\n', &mut buf)
                        .map_err(|e| StanceError::io(&*path, e))?;
                    if n == 0 {
                        self.current = Current::None;
                        return Ok(None);
                    }
                    *line += 1;
                    if buf.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    let (s, replaced) = decode(std::mem::take(&mut buf), path, *line, lossy)?;
                    return parse_jsonl(&s, path, *line, replaced).map(Some);
                }
            }
            Current::Csv {
                path,
                reader,
                headers,
                id_col,
                text_col,
            } => {
                let mut rec = csv::ByteRecord::new();
                let more = match reader.read_byte_record(&mut rec) {
                    Ok(more) => more,
                    Err(e) => {
                        let line = crate::csv_lines::error_line(&mut **reader, &e);
                        return Err(csv_record_error_at(path, line, e));
                    }
                };
                if !more {
                    self.current = Current::None;
                    return Ok(None);
                }
                let line = crate::csv_lines::fix_record_line(&mut **reader, &mut rec);
                let mut meta = BTreeMap::new();
                let mut id = String::new();
                let mut text = String::new();
                let mut replaced = 0;
                for (i, field) in rec.iter().enumerate() {
                    let (v, r) = decode(field.to_vec(), path, line, lossy)?;
                    replaced += r;
                    if i == *id_col {
                        id = v.trim().to_string();
                    } else if i == *text_col {
                        text = v;
                    } else if let Some(h) = headers.get(i) {
                        meta.insert(h.clone(), v);
                    }
                }
                Ok(Some(Article {
                    id,
                    text,
                    meta,
                    origin: format!("{}:{}", path.display(), line),
                    replaced,
                }))
            }
        }
    }
}

fn parse_jsonl(s: &str, path: &Path, line: usize, replaced: usize) -> Result<Article> {
    let v: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| StanceError::record(path, line, format!("not valid JSON: {e}")))?;
    // The text is taken out of the parsed record, not copied: it is most of
    // the bytes read.
    let serde_json::Value::Object(mut obj) = v else {
        return Err(StanceError::record(
            path,
            line,
            "a JSONL record must be an object",
        ));
    };
    let id = match obj.remove("id") {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(StanceError::record(
                path,
                line,
                "`id` must be a string or a number",
            ))
        }
        None => return Err(StanceError::record(path, line, "record has no `id` field")),
    };
    let text = match obj.remove("text") {
        Some(serde_json::Value::String(s)) => s,
        Some(_) => return Err(StanceError::record(path, line, "`text` must be a string")),
        None => {
            return Err(StanceError::record(
                path,
                line,
                "record has no `text` field",
            ))
        }
    };
    let meta = obj
        .into_iter()
        .map(|(k, v)| {
            let val = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, val)
        })
        .collect();
    Ok(Article {
        id,
        text,
        meta,
        origin: format!("{}:{}", path.display(), line),
        replaced,
    })
}

impl Iterator for ArticleReader {
    type Item = Result<Article>;

    fn next(&mut self) -> Option<Result<Article>> {
        loop {
            match self.next_record() {
                Ok(Some(a)) => {
                    return Some(self.check_id(&a).map(|_| a));
                }
                Ok(None) => {}
                Err(e) => {
                    // A bad record does not end its file; an I/O error does.
                    if !e.is_record_level() {
                        self.current = Current::None;
                    }
                    return Some(Err(e));
                }
            }
            let src = self.sources.next()?;
            match self.open(src) {
                Ok(Some(a)) => return Some(self.check_id(&a).map(|_| a)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// A whole CSV file read as UTF-8: its trimmed header names and a reader
/// over the records. Shared by the metadata, label and article-row readers.
/// A CSV reader over a file read whole into memory.
pub type CsvReader = crate::csv_lines::Reader<std::io::Cursor<Vec<u8>>>;

pub fn open_csv(path: &Path) -> Result<(Vec<String>, CsvReader)> {
    let bytes = std::fs::read(path).map_err(|e| StanceError::io(path, e))?;
    let (text, _) = decode(bytes, path, 1, false)?;
    let mut r = csv::ReaderBuilder::new().from_reader(crate::csv_lines::Lines::new(
        std::io::Cursor::new(text.into_bytes()),
    ));
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| StanceError::record(path, 1, format!("bad CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    Ok((headers, r))
}

/// A CSV record error at `line` (from `csv_lines`: the csv crate's own
/// line numbers run early after CRLF line ends).
pub fn csv_record_error_at(path: &Path, line: usize, e: csv::Error) -> StanceError {
    StanceError::record(
        path,
        line,
        format!("malformed CSV record: {}", crate::csv_lines::describe(&e)),
    )
}

/// Metadata keyed by article id, from a CSV with an `id` column.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub columns: Vec<String>,
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
}

impl Metadata {
    pub fn read(path: &Path) -> Result<Metadata> {
        let (headers, mut r) = open_csv(path)?;
        let id_col = headers
            .iter()
            .position(|h| h == "id")
            .ok_or_else(|| StanceError::record(path, 1, "metadata CSV has no `id` column"))?;
        let mut rows = BTreeMap::new();
        let mut rec = csv::StringRecord::new();
        while let Some(line) = crate::csv_lines::next_record(&mut r, &mut rec, path)? {
            let id = rec.get(id_col).unwrap_or("").trim().to_string();
            if id.is_empty() {
                return Err(StanceError::record(path, line, "empty `id`"));
            }
            let mut m = BTreeMap::new();
            for (i, v) in rec.iter().enumerate() {
                if i != id_col {
                    m.insert(headers[i].clone(), v.to_string());
                }
            }
            if rows.insert(id.clone(), m).is_some() {
                return Err(StanceError::record(
                    path,
                    line,
                    format!("duplicate id {id:?}"),
                ));
            }
        }
        let columns = headers.into_iter().filter(|h| h != "id").collect();
        Ok(Metadata { columns, rows })
    }
}
