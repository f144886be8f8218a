//! Ingest: find the inputs (files, folders, JSONL, stdin), decode them and read metadata.
//!
//! Every problem with one input becomes an [`InputError`] naming the file and the reason;
//! the other inputs are still read. Invalid UTF-8 is decoded lossily (U+FFFD) with a
//! warning, binary files (NUL bytes) are skipped, empty files are skipped with a warning.

pub mod metadata;

use crate::document::Document;
use serde::Deserialize;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// Where articles come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// A plain-text article.
    Text(PathBuf),
    /// One article per line: {"id","text", optional "title","date","source","url"}.
    Jsonl(PathBuf),
    /// Plain text on standard input.
    Stdin,
}

impl Input {
    /// A key that orders inputs as `Ord` does: the variant, then the path component by
    /// component (`Path`'s order), each component as its kind and its text.
    fn order_key(&self) -> (u8, Vec<(u8, std::ffi::OsString)>) {
        use std::path::Component;
        let (variant, path) = match self {
            Input::Text(p) => (0, Some(p)),
            Input::Jsonl(p) => (1, Some(p)),
            Input::Stdin => (2, None),
        };
        let components = path.map_or_else(Vec::new, |p| {
            p.components()
                .map(|c| {
                    let kind = match c {
                        Component::Prefix(_) => 0,
                        Component::RootDir => 1,
                        Component::CurDir => 2,
                        Component::ParentDir => 3,
                        Component::Normal(_) => 4,
                    };
                    (kind, c.as_os_str().to_owned())
                })
                .collect()
        });
        (variant, components)
    }
}

/// A problem with one input. `fatal` ones mean an article was lost.
#[derive(Debug, Clone)]
pub struct InputError {
    pub path: String,
    pub message: String,
    pub fatal: bool,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = if self.fatal { "error" } else { "warning" };
        write!(f, "{level}: {}: {}", self.path, self.message)
    }
}

fn err(path: &Path, message: impl Into<String>, fatal: bool) -> InputError {
    InputError {
        path: path.display().to_string(),
        message: message.into(),
        fatal,
    }
}

/// Expands the command-line arguments into inputs, sorted within each folder so that the
/// output does not depend on the order of files on disk. Folders are searched
/// recursively for `*.txt` and `*.jsonl`.
pub fn collect(args: &[PathBuf], errors: &mut Vec<InputError>) -> Vec<Input> {
    let mut inputs = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if arg.is_dir() {
            let mut found = Vec::new();
            let mut seen = std::collections::HashSet::new();
            walk(arg, &mut found, &mut seen, errors);
            // In `Input`'s order, by a key made once per file: comparing two paths walks
            // their components, which a sort of a big folder repeated ~20 times per file.
            found.sort_by_cached_key(Input::order_key);
            if found.is_empty() {
                errors.push(err(arg, "folder holds no .txt or .jsonl files", false));
            }
            inputs.extend(found);
        } else if arg.exists() {
            inputs.push(classify(arg));
        } else {
            errors.push(err(arg, "no such file or folder", true));
        }
    }
    inputs
}

fn classify(path: &Path) -> Input {
    match path.extension().and_then(|e| e.to_str()) {
        Some("jsonl") | Some("ndjson") => Input::Jsonl(path.to_path_buf()),
        _ => Input::Text(path.to_path_buf()),
    }
}

/// Walks `dir` recursively; `seen` holds the canonical folders already walked, so that a
/// symbolic link back up the tree neither loops nor reads a file twice.
fn walk(
    dir: &Path,
    out: &mut Vec<Input>,
    seen: &mut std::collections::HashSet<PathBuf>,
    errors: &mut Vec<InputError>,
) {
    if let Ok(real) = std::fs::canonicalize(dir) {
        if !seen.insert(real) {
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(err(dir, format!("cannot read folder: {e}"), true));
            return;
        }
    };
    for entry in entries {
        let (path, file_type) = match entry {
            Ok(e) => (e.path(), e.file_type()),
            Err(e) => {
                errors.push(err(dir, format!("cannot read folder entry: {e}"), true));
                continue;
            }
        };
        // The entry's type comes with the folder listing on most file systems: no `stat`
        // system call per file. A symbolic link (or an unknown type) is followed by
        // `is_dir`, as before.
        let is_dir = match file_type {
            Ok(t) if !t.is_symlink() => t.is_dir(),
            _ => path.is_dir(),
        };
        if is_dir {
            walk(&path, out, seen, errors);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("txt") | Some("jsonl") | Some("ndjson")
        ) {
            out.push(classify(&path));
        }
    }
}

/// The id of a text file: its file name (as gold and exports name articles).
pub fn file_id(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Decodes bytes as UTF-8; binary content is refused, invalid UTF-8 decoded lossily.
pub fn decode(bytes: Vec<u8>, path: &Path, errors: &mut Vec<InputError>) -> Option<String> {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        errors.push(err(path, "binary file (NUL bytes), skipped", true));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(err(
                path,
                format!(
                    "invalid UTF-8 at byte {}, decoded with U+FFFD replacement characters",
                    e.utf8_error().valid_up_to()
                ),
                false,
            ));
            Some(String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

#[derive(Deserialize)]
struct JsonlRecord {
    id: serde_json::Value,
    text: String,
    title: Option<String>,
    date: Option<String>,
    source: Option<String>,
    url: Option<String>,
}

/// Reads one input into documents (one for a text file, one per line of JSONL), calling
/// `sink` for each so that large JSONL files stream.
pub fn read(input: &Input, errors: &mut Vec<InputError>, sink: &mut dyn FnMut(Document)) {
    match input {
        Input::Text(path) => match read_file(path) {
            Ok(bytes) => text_document(bytes, path, &file_id(path), errors, sink),
            Err(e) => errors.push(err(path, format!("cannot read file: {e}"), true)),
        },
        Input::Stdin => {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => text_document(bytes, Path::new("-"), "stdin", errors, sink),
                Err(e) => errors.push(err(Path::new("-"), format!("cannot read stdin: {e}"), true)),
            }
        }
        Input::Jsonl(path) => match std::fs::File::open(path) {
            Ok(f) => read_jsonl(std::io::BufReader::new(f), path, errors, sink),
            Err(e) => errors.push(err(path, format!("cannot read file: {e}"), true)),
        },
    }
}

/// The bytes of a file, by reads until the end: `std::fs::read` (and `File::read_to_end`)
/// first asks the file's size (a `statx` system call per file, a fifth of the calls for
/// an article), which a buffer the size of most articles does without; a longer file
/// grows it. Trimmed to the text, as it lives on in the document.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    /// Room for most news articles (a few kilobytes) in one read.
    const FIRST_READ: usize = 32 * 1024;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(FIRST_READ);
    // `take` hides the `File` (whose `read_to_end` asks for the size); it never ends the
    // reads early.
    file.take(u64::MAX).read_to_end(&mut bytes)?;
    bytes.shrink_to_fit();
    Ok(bytes)
}

fn text_document(
    bytes: Vec<u8>,
    path: &Path,
    id: &str,
    errors: &mut Vec<InputError>,
    sink: &mut dyn FnMut(Document),
) {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        errors.push(err(path, "empty file, skipped", false));
        return;
    }
    if let Some(text) = decode(bytes, path, errors) {
        sink(Document::new(id, text));
    }
}

/// Reads JSONL records; a malformed line is reported with its line number and skipped.
pub fn read_jsonl(
    reader: impl BufRead,
    path: &Path,
    errors: &mut Vec<InputError>,
    sink: &mut dyn FnMut(Document),
) {
    for (n, line) in reader.split(b'\n').enumerate() {
        let line_no = n + 1;
        let bytes = match line {
            Ok(b) => b,
            Err(e) => {
                errors.push(err(path, format!("line {line_no}: cannot read: {e}"), true));
                return;
            }
        };
        // A byte order mark at the start of the file is not part of the first record.
        let bytes = match bytes.strip_prefix(b"\xef\xbb\xbf") {
            Some(rest) if n == 0 => rest,
            _ => &bytes[..],
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let rec: JsonlRecord = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(
                    path,
                    format!("line {line_no}: invalid record: {e}"),
                    true,
                ));
                continue;
            }
        };
        let id = match rec.id {
            serde_json::Value::String(s) if !s.is_empty() => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                errors.push(err(
                    path,
                    format!("line {line_no}: \"id\" must be a non-empty string or a number"),
                    true,
                ));
                continue;
            }
        };
        let mut doc = Document::new(id, rec.text);
        doc.meta.title = rec.title;
        doc.meta.date = rec.date;
        doc.meta.source = rec.source;
        doc.meta.url = rec.url;
        sink(doc);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_key_sorts_inputs_as_their_order_does() {
        use super::Input;
        use std::path::PathBuf;
        let paths = [
            "a/b",
            "a-b",
            "a/b/c",
            "a.txt",
            "./a",
            "a//b",
            "a/./b",
            "a/../b",
            "/a",
            "A",
            "a b",
            "é/x",
            "a/b.jsonl",
            "",
            "..",
            "a/",
            "a-b/c",
            "a/b-c",
        ];
        let mut inputs: Vec<Input> = vec![Input::Stdin];
        for p in paths {
            inputs.push(Input::Text(PathBuf::from(p)));
            inputs.push(Input::Jsonl(PathBuf::from(p)));
        }
        let mut by_ord = inputs.clone();
        by_ord.sort();
        let mut by_key = inputs.clone();
        by_key.reverse();
        by_key.sort_by_cached_key(Input::order_key);
        assert_eq!(by_key, by_ord);
        // Equal keys exactly for equal inputs.
        for a in &inputs {
            for b in &inputs {
                assert_eq!(a.order_key().cmp(&b.order_key()), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    use super::*;

    #[test]
    fn read_file_equals_std_fs_read_for_every_size() {
        let dir = std::env::temp_dir().join(format!("claimgraph-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [
            0,
            1,
            31,
            32,
            4096,
            32 * 1024 - 1,
            32 * 1024,
            32 * 1024 + 1,
            100_000,
        ] {
            let path = dir.join(format!("{len}.txt"));
            let data: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&path, &data).unwrap();
            assert_eq!(read_file(&path).unwrap(), std::fs::read(&path).unwrap());
        }
        assert!(read_file(&dir.join("missing.txt")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn jsonl_bad_lines_are_reported_with_their_number_and_skipped() {
        let data = "{\"id\":\"a\",\"text\":\"Wei said so.\",\"date\":\"2017-11-03\"}\nnot json\n\n{\"id\":7,\"text\":\"x\"}\n{\"text\":\"no id\"}\n";
        let mut errors = Vec::new();
        let mut docs = Vec::new();
        read_jsonl(
            data.as_bytes(),
            Path::new("in.jsonl"),
            &mut errors,
            &mut |d| docs.push(d),
        );
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, "a");
        assert_eq!(docs[0].meta.date.as_deref(), Some("2017-11-03"));
        assert_eq!(docs[1].id, "7");
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].to_string().contains("in.jsonl: line 2"),
            "{}",
            errors[0]
        );
        assert!(errors[1].to_string().contains("line 5"), "{}", errors[1]);
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily_with_a_warning_and_binary_is_refused() {
        let mut errors = Vec::new();
        let s = decode(b"caf\xe9 said".to_vec(), Path::new("x.txt"), &mut errors).unwrap();
        assert_eq!(s, "caf\u{fffd} said");
        assert!(!errors[0].fatal);
        assert!(decode(b"\x00\x01ELF".to_vec(), Path::new("b.txt"), &mut errors).is_none());
        assert!(errors[1].fatal && errors[1].message.contains("binary"));
    }
}
