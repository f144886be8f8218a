//! The persistent store: `claimgraph build --store DIR` keeps the graph in an on-disk
//! oxigraph store (RocksDB, cargo feature `store`) that later builds add articles to;
//! `serve --store DIR` and `query --store DIR` read it.
//!
//! Besides the quads of the graph (those of `graph.nq`), the store keeps
//!
//! - every article it was given, as a `cg:inputRecord` of the article: its JSONL record
//!   (id, text and the title, date, source and url given with it) plus its input order;
//! - the resolution key of every entity node (`cg:resolutionKey "person:ho lance"`).
//!
//! A build into a store ([`update`]) reads the stored articles back, adds the new ones (an
//! article whose id is stored replaces it and keeps its place), runs the pipeline over all
//! of them in input order and resolves them together, with the node ids the store gave to
//! each key kept ([`resolve::build_keeping_ids`]); then it writes the difference between
//! the new contents and the stored ones in one transaction.
//!
//! Why resolve everything again rather than only the new articles against the stored
//! nodes: resolution decides with the whole corpus in view (a short name joins the one
//! full name that contains it, spelling variants join when they share an article or a
//! partner, acronyms join their unique expansion, statement words are weighed by their
//! frequency in the run), so an incremental merge would either reimplement every rule
//! against stored nodes or give different answers than a build of all the articles at
//! once. Re-reading keeps one code path: the store always holds exactly the graph of its
//! articles (with the current rules), plus stable IRIs. The price is work linear in the
//! stored text per build (about 4 MB of text per second and core).

use crate::document::Document;
use crate::export::rdf::vocab::cg;
use crate::export::{self, Format};
use crate::graph::{article_node_id, Graph};
use crate::pipeline::{Findings, Pipeline};
use crate::resolve;
use anyhow::{bail, Context, Result};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};
use oxigraph::store::Store;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Opens (creating it if needed) the store in `dir` for a build.
#[cfg(feature = "store")]
pub fn open(dir: &Path) -> Result<Store> {
    Store::open(dir).with_context(|| format!("opening the store {}", dir.display()))
}

/// Opens the store in `dir` read-only (for `serve` and `query`). A build must not write
/// into it meanwhile: restart the server after a build.
#[cfg(feature = "store")]
pub fn open_read_only(dir: &Path) -> Result<Store> {
    if !dir.join("CURRENT").is_file() {
        bail!(
            "{} is not a claimgraph store (build one with `claimgraph build --store {}`)",
            dir.display(),
            dir.display()
        );
    }
    Store::open_read_only(dir).with_context(|| format!("opening the store {}", dir.display()))
}

/// Without the `store` feature there is no on-disk store: says how to get one.
#[cfg(not(feature = "store"))]
pub fn open(dir: &Path) -> Result<Store> {
    bail!(
        "--store {}: this claimgraph was built without the persistent store; rebuild it with \
         `cargo build --release --features store` (RocksDB; needs libclang, Debian package \
         libclang-dev, and about 10 minutes)",
        dir.display()
    )
}

/// Without the `store` feature there is no on-disk store: says how to get one.
#[cfg(not(feature = "store"))]
pub fn open_read_only(dir: &Path) -> Result<Store> {
    open(dir)
}

/// One article kept in the store: its JSONL input record (see [`crate::ingest`]) and its
/// place in the input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub order: u64,
    pub id: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Article {
    /// The document to analyze, with the metadata it was given.
    pub fn document(&self) -> Document {
        let mut doc = Document::new(self.id.clone(), self.text.clone());
        doc.meta.title = self.title.clone();
        doc.meta.date = self.date.clone();
        doc.meta.source = self.source.clone();
        doc.meta.url = self.url.clone();
        doc
    }
}

/// The articles of a store in input order, by id.
#[derive(Debug, Default)]
pub struct Articles {
    list: Vec<Article>,
    by_id: HashMap<String, usize>,
}

/// What adding a document to [`Articles`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    /// An article with this id was stored with another text or metadata.
    Replaced,
    /// The very same article was stored already.
    Unchanged,
}

impl Articles {
    /// Adds a document as given by ingest (before analysis, so that its metadata is what
    /// was given, not what the pipeline found): a new id goes last, a stored id keeps its
    /// place.
    pub fn add(&mut self, doc: &Document) -> Added {
        let order = match self.by_id.get(&doc.id) {
            Some(&i) => self.list[i].order,
            None => self.list.last().map_or(0, |a| a.order + 1),
        };
        let article = Article {
            order,
            id: doc.id.clone(),
            text: doc.text.clone(),
            title: doc.meta.title.clone(),
            date: doc.meta.date.clone(),
            source: doc.meta.source.clone(),
            url: doc.meta.url.clone(),
        };
        match self.by_id.get(&doc.id) {
            Some(&i) if self.list[i] == article => Added::Unchanged,
            Some(&i) => {
                self.list[i] = article;
                Added::Replaced
            }
            None => {
                self.by_id.insert(article.id.clone(), self.list.len());
                self.list.push(article);
                Added::New
            }
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Article> {
        self.list.iter()
    }
}

/// The articles kept in `store`, in input order.
pub fn read_articles(store: &Store) -> Result<Articles> {
    let mut list = Vec::new();
    for q in store.quads_for_pattern(None, Some(cg::INPUT_RECORD), None, None) {
        let q = q.context("reading the store")?;
        let Term::Literal(record) = &q.object else {
            bail!("the store holds a cg:inputRecord that is not a literal: {q}");
        };
        let article: Article = serde_json::from_str(record.value()).with_context(|| {
            format!("the store holds an invalid cg:inputRecord on {}", q.subject)
        })?;
        list.push(article);
    }
    list.sort_by_key(|a| a.order);
    let mut articles = Articles::default();
    for a in list {
        match articles.by_id.get(&a.id) {
            // Two records of one id (not written by claimgraph): the later one wins.
            Some(&i) => articles.list[i] = a,
            None => {
                articles.by_id.insert(a.id.clone(), articles.list.len());
                articles.list.push(a);
            }
        }
    }
    Ok(articles)
}

/// Resolution key -> node id, as the store records them (`cg:resolutionKey`). Node IRIs
/// must start with `base`, the base IRI of this build.
pub fn known_ids(store: &Store, base: &str) -> Result<HashMap<String, String>> {
    let mut known = HashMap::new();
    for q in store.quads_for_pattern(None, Some(cg::RESOLUTION_KEY), None, None) {
        let q = q.context("reading the store")?;
        let (oxigraph::model::NamedOrBlankNode::NamedNode(node), Term::Literal(key)) =
            (&q.subject, &q.object)
        else {
            bail!("the store holds an invalid cg:resolutionKey: {q}");
        };
        let Some(id) = node.as_str().strip_prefix(base) else {
            bail!(
                "the store's nodes have another base IRI than {base:?} (e.g. <{}>): give the \
                 --base the store was built with",
                node.as_str()
            );
        };
        known.insert(key.value().to_string(), id.to_string());
    }
    Ok(known)
}

/// What [`update`] did.
#[derive(Debug)]
pub struct Update {
    /// The graph of every article of the store.
    pub graph: Graph,
    /// Articles in the store after the update, and how many of them came new, replaced a
    /// stored article or were stored already.
    pub articles: usize,
    pub new: usize,
    pub replaced: usize,
    pub unchanged: usize,
    /// Articles whose analysis failed (id, reason): they stay stored, out of the graph.
    pub failed: Vec<(String, String)>,
    /// Quads written, removed and held in the end.
    pub added: usize,
    pub removed: usize,
    pub quads: usize,
}

/// Adds `docs` (as ingest reads them) to the store and brings the stored graph up to date
/// with all its articles; see the module documentation.
pub fn update(
    store: &Store,
    docs: Vec<Document>,
    pipeline: &Pipeline,
    opts: &export::Options,
) -> Result<Update> {
    let known = known_ids(store, &opts.base)?;
    let mut articles = read_articles(store)?;
    let (mut new, mut replaced, mut unchanged) = (0, 0, 0);
    for doc in &docs {
        match articles.add(doc) {
            Added::New => new += 1,
            Added::Replaced => replaced += 1,
            Added::Unchanged => unchanged += 1,
        }
    }
    drop(docs);
    let analyzed: Vec<Result<Findings, (String, String)>> = articles
        .list
        .par_iter()
        .map(|a| pipeline.run_isolated(a.document()))
        .collect();
    let mut findings = Vec::with_capacity(analyzed.len());
    let mut failed = Vec::new();
    for r in analyzed {
        match r {
            Ok(f) => findings.push(f),
            Err(e) => failed.push(e),
        }
    }
    let graph = resolve::build_keeping_ids(findings.iter().collect(), &pipeline.lexicon, &known);
    drop(findings);
    let (added, removed, quads) = write(store, &graph, &articles, opts)?;
    Ok(Update {
        graph,
        articles: articles.len(),
        new,
        replaced,
        unchanged,
        failed,
        added,
        removed,
        quads,
    })
}

/// Makes the store hold exactly the quads of `graph` (as in N-Quads), the resolution keys
/// of its nodes and the records of `articles`, in one transaction. Returns the number of
/// quads added, removed and held.
fn write(
    store: &Store,
    graph: &Graph,
    articles: &Articles,
    opts: &export::Options,
) -> Result<(usize, usize, usize)> {
    let node = |id: &str| -> Result<NamedNode> {
        NamedNode::new(format!("{}{id}", opts.base))
            .with_context(|| format!("invalid IRI for node {id} (check the base IRI)"))
    };
    let mut wanted = export::rdf::quads(graph, Format::NQuads, opts)?;
    for n in graph.g.node_weights() {
        if let Some(key) = &n.key {
            wanted.push(Quad::new(
                node(&n.id)?,
                cg::RESOLUTION_KEY,
                Literal::new_simple_literal(key),
                GraphName::DefaultGraph,
            ));
        }
    }
    for a in articles.iter() {
        let art = node(&article_node_id(&a.id))?;
        let record = serde_json::to_string(a).context("encoding an article record")?;
        wanted.push(Quad::new(
            art.clone(),
            cg::INPUT_RECORD,
            Literal::new_simple_literal(record),
            GraphName::NamedNode(art),
        ));
    }
    // Compared in the store's own encoding (it normalizes literals: an
    // xsd:nonNegativeInteger reads back as xsd:integer), through an in-memory store.
    let target = Store::new().context("creating an in-memory store")?;
    target.extend(wanted).context("indexing the new contents")?;
    let mut tx = store
        .start_transaction()
        .context("starting a transaction")?;
    let mut stale = Vec::new();
    for q in tx.iter() {
        let q = q.context("reading the store")?;
        if !target.contains(&q)? {
            stale.push(q);
        }
    }
    let mut added = 0;
    for q in target.iter() {
        let q = q.context("reading the new contents")?;
        if !tx.contains(&q)? {
            tx.insert(&q);
            added += 1;
        }
    }
    for q in &stale {
        tx.remove(q);
    }
    tx.commit().context("writing the store")?;
    let quads = target.len().context("counting the quads")?;
    Ok((added, stale.len(), quads))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_added_again_keeps_its_place_and_a_changed_one_is_replaced() {
        let mut articles = Articles::default();
        assert_eq!(articles.add(&Document::new("a", "One.")), Added::New);
        assert_eq!(articles.add(&Document::new("b", "Two.")), Added::New);
        assert_eq!(articles.add(&Document::new("a", "One.")), Added::Unchanged);
        assert_eq!(articles.add(&Document::new("a", "Uno.")), Added::Replaced);
        let ids: Vec<(&str, u64, &str)> = articles
            .iter()
            .map(|a| (a.id.as_str(), a.order, a.text.as_str()))
            .collect();
        assert_eq!(ids, vec![("a", 0, "Uno."), ("b", 1, "Two.")]);
    }
}
