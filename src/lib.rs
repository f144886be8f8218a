//! claimgraph: English news articles in, a knowledge graph of who said what, about whom,
//! and who did what to whom out.
//!
//! The pipeline, one module per stage:
//! [`ingest`] (files, folders, JSONL, stdin; metadata and boilerplate) ->
//! [`text`] (paragraphs, tokens, sentences) ->
//! [`extract`] (entities, quotes and attributions, relations) ->
//! [`resolve`] (one node per real thing across articles) ->
//! [`graph`] (petgraph) -> [`export`] (RDF, DOT, JSON, CSV) / [`query`] (SPARQL).
//! [`eval`] scores the output against gold annotations; [`store`] keeps a graph on disk that
//! later builds add articles to.

pub mod allocator;
pub mod document;
pub mod eval;
pub mod export;
pub mod extract;
pub mod graph;
pub mod ingest;
pub mod lexicon;
pub mod pipeline;
pub mod query;
pub mod resolve;
pub mod serve;
pub mod span;
pub mod store;
pub mod text;

pub use document::Document;
pub use graph::Graph;
pub use lexicon::Lexicon;
pub use pipeline::{Findings, Pipeline};

/// Builds the graph of a set of in-memory articles `(id, text)`, one run (lowercased
/// articles know the names the cased ones found): the library entry point.
pub fn build_graph(articles: &[(&str, &str)], lex: &Lexicon) -> Graph {
    let docs = articles
        .iter()
        .map(|(id, text)| Document::new(*id, *text))
        .collect();
    let findings = pipeline::run_all(docs, lex);
    resolve::build(&findings, lex)
}
