//! Exports: one format enum with extension and media type, one dispatch point
//! ([`write`]), every file written atomically (temporary file, then rename).

pub mod csv;
pub mod dot;
pub mod graphml;
pub mod json;
pub mod jsonld;
pub mod rdf;

use crate::graph::Graph;
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Turtle,
    NTriples,
    NQuads,
    TriG,
    JsonLd,
    Dot,
    Json,
    Csv,
    GraphMl,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::Turtle,
        Format::NTriples,
        Format::NQuads,
        Format::TriG,
        Format::JsonLd,
        Format::Dot,
        Format::Json,
        Format::Csv,
        Format::GraphMl,
    ];
    /// Written by `build` unless `--format` says otherwise.
    pub const DEFAULT: [Format; 4] = [Format::Turtle, Format::NQuads, Format::Dot, Format::Json];

    pub fn name(self) -> &'static str {
        match self {
            Format::Turtle => "ttl",
            Format::NTriples => "nt",
            Format::NQuads => "nq",
            Format::TriG => "trig",
            Format::JsonLd => "jsonld",
            Format::Dot => "dot",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::GraphMl => "graphml",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Turtle => "text/turtle",
            Format::NTriples => "application/n-triples",
            Format::NQuads => "application/n-quads",
            Format::TriG => "application/trig",
            Format::JsonLd => "application/ld+json",
            Format::Dot => "text/vnd.graphviz",
            Format::Json => "application/json",
            Format::Csv => "text/csv",
            Format::GraphMl => "application/graphml+xml",
        }
    }

    /// The file(s) a format writes into the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "nodes.csv",
            _ => match self {
                Format::Turtle => "graph.ttl",
                Format::NTriples => "graph.nt",
                Format::NQuads => "graph.nq",
                Format::TriG => "graph.trig",
                Format::JsonLd => "graph.jsonld",
                Format::Dot => "graph.dot",
                Format::GraphMl => "graph.graphml",
                _ => "graph.json",
            },
        }
    }

    pub fn parse(s: &str) -> Result<Format> {
        let s = s.trim().to_ascii_lowercase();
        for f in Format::ALL {
            if f.name() == s
                || (s == "turtle" && f == Format::Turtle)
                || (s == "ntriples" && f == Format::NTriples)
                || (s == "nquads" && f == Format::NQuads)
                || (s == "json-ld" && f == Format::JsonLd)
            {
                return Ok(f);
            }
        }
        bail!(
            "unknown export format {s:?} (known: {})",
            Format::ALL.map(Format::name).join(", ")
        )
    }
}

/// Export settings.
pub struct Options {
    /// Base IRI for nodes ("https://w3id.org/claimgraph/id/").
    pub base: String,
    /// What `graph.dot` / `graph.svg` draw (`build --focus NAME --depth N`).
    pub dot: dot::DotOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: "https://w3id.org/claimgraph/id/".to_string(),
            dot: dot::DotOptions::default(),
        }
    }
}

/// Writes `graph` in `format` into `dir`, returning the files written.
pub fn write(graph: &Graph, format: Format, dir: &Path, opts: &Options) -> Result<Vec<PathBuf>> {
    let file = dir.join(format.file_name());
    match format {
        Format::Json => Ok(vec![atomic_write(&file, |w| json::write(graph, w))?]),
        Format::JsonLd => Ok(vec![atomic_write(&file, |w| {
            jsonld::write(graph, w, opts)
        })?]),
        Format::Turtle | Format::NTriples | Format::NQuads | Format::TriG => {
            Ok(vec![atomic_write(&file, |w| {
                rdf::write(graph, format, w, opts)
            })?])
        }
        Format::Dot => dot::write_files(graph, dir, opts),
        Format::Csv => csv::write_files(graph, dir),
        Format::GraphMl => Ok(vec![graphml::write_file(graph, dir)?]),
    }
}

/// Writes a file through a temporary sibling and renames it into place, so a failure
/// never leaves a truncated export.
pub fn atomic_write(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    let result = (|| {
        let f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut w = std::io::BufWriter::new(f);
        body(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))?;
    Ok(path.to_path_buf())
}
