//! The persistent store (`build --store`, issue 8): a later build adds its articles to the
//! stored ones, links their mentions to the stored nodes (same IRI, new provenance), and
//! adding an article again duplicates nothing.
//!
//! The update logic runs on any oxigraph store, so most tests use an in-memory one and run
//! without the `store` feature; the on-disk RocksDB store and the `--store` flags of
//! `build`, `query` and `serve` are tested when the feature is on.

use claimgraph::export::{self, Format, Options};
use claimgraph::store::{self, Update};
use claimgraph::{Document, Graph, Lexicon, Pipeline};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::BTreeSet;

const A: &str = "Lance Ho, head of the Drug Enforcement Administration in Hong Kong, said the agency would keep working with China.\n\n\u{201c}We see real progress,\u{201d} Ho said.\n";
const B: &str = "Wei Xiaojun, deputy director-general of the Narcotics Control Bureau, said on Friday that China does not deny that some fentanyl comes from China.\n";
const C: &str = "The Drug Enforcement Administration said on Monday that fentanyl seizures rose.\n\n\u{201c}We see real progress,\u{201d} said Lance Ho, the agency's head in Hong Kong.\n";
const ID: &str = "https://w3id.org/claimgraph/id/";

fn add(store: &Store, articles: &[(&str, &str)]) -> Update {
    add_with(store, articles, &Options::default()).unwrap()
}

fn add_with(store: &Store, articles: &[(&str, &str)], opts: &Options) -> anyhow::Result<Update> {
    let docs = articles
        .iter()
        .map(|(id, text)| Document::new(*id, *text))
        .collect();
    store::update(store, docs, &Pipeline::new(Lexicon::builtin()), opts)
}

/// The articles a node is mentioned in.
fn articles_of(g: &Graph, id: &str) -> BTreeSet<String> {
    let node = g.node(id).unwrap_or_else(|| panic!("no node {id}"));
    node.mentions
        .iter()
        .map(|m| m.article.to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The values of the first variable of a SELECT query over the store (default graph =
/// union of the article graphs, as `claimgraph query` and `serve` use).
fn select(store: &Store, query: &str) -> Vec<String> {
    let mut q = SparqlEvaluator::new()
        .with_prefix("cg", "https://w3id.org/claimgraph/ontology#")
        .unwrap()
        .with_prefix("id", ID)
        .unwrap()
        .parse_query(query)
        .unwrap();
    q.dataset_mut().set_default_graph_as_union();
    let QueryResults::Solutions(solutions) = q.on_store(store).execute().unwrap() else {
        panic!("not a SELECT: {query}")
    };
    solutions
        .map(|s| s.unwrap().values()[0].as_ref().unwrap().to_string())
        .collect()
}

fn all_quads(store: &Store) -> BTreeSet<String> {
    store.iter().map(|q| q.unwrap().to_string()).collect()
}

#[test]
fn a_later_build_links_new_mentions_to_the_stored_nodes() {
    let store = Store::new().unwrap();
    let first = add(&store, &[("a.txt", A), ("b.txt", B)]);
    assert_eq!((first.articles, first.new), (2, 2));
    assert!(first.graph.node("person-lance-ho").is_some());
    let second = add(&store, &[("c.txt", C)]);
    assert_eq!(
        (second.articles, second.new, second.replaced),
        (3, 1, 0),
        "the stored articles are kept"
    );
    let g = &second.graph;
    // One node each, with the sources of both builds.
    let people: Vec<&str> =
        g.g.node_weights()
            .filter(|n| n.label == "Lance Ho")
            .map(|n| n.id.as_str())
            .collect();
    assert_eq!(people, vec!["person-lance-ho"]);
    assert_eq!(articles_of(g, "person-lance-ho"), set(&["a.txt", "c.txt"]));
    assert_eq!(
        articles_of(g, "agency-drug-enforcement-administration"),
        set(&["a.txt", "c.txt"])
    );
    let quote: Vec<&str> =
        g.g.node_weights()
            .filter(|n| n.text.as_deref() == Some("We see real progress,"))
            .map(|n| n.id.as_str())
            .collect();
    assert_eq!(quote.len(), 1, "the repeated quote is one statement");
    assert_eq!(articles_of(g, quote[0]), set(&["a.txt", "c.txt"]));
    // The store says the same.
    let graphs = select(
        &store,
        "SELECT DISTINCT ?a WHERE { GRAPH ?a { id:person-lance-ho cg:mention ?m } } ORDER BY ?a",
    );
    assert_eq!(
        graphs,
        vec![
            format!("<{ID}article-a-txt>"),
            format!("<{ID}article-c-txt>")
        ]
    );
    let sources = select(
        &store,
        &format!(
            "SELECT DISTINCT ?article WHERE {{ ?o cg:subject id:person-lance-ho ; cg:object <{ID}{}> ; cg:article ?article }}",
            quote[0]
        ),
    );
    assert_eq!(
        sources.len(),
        2,
        "the quote's says edge has an occurrence per article"
    );
    assert!(second.added > 0 && second.removed == 0, "{second:?}");
}

#[test]
fn the_store_holds_the_graph_of_all_its_articles() {
    let store = Store::new().unwrap();
    add(&store, &[("a.txt", A), ("b.txt", B)]);
    let update = add(&store, &[("c.txt", C)]);
    // What a build of the three articles at once exports, plus one key per entity node
    // and one record per article.
    let batch = claimgraph::build_graph(
        &[("a.txt", A), ("b.txt", B), ("c.txt", C)],
        &Lexicon::builtin(),
    );
    let quads = export::rdf::quads(&batch, Format::NQuads, &Options::default()).unwrap();
    for q in &quads {
        assert!(store.contains(q).unwrap(), "missing from the store: {q}");
    }
    for id in [
        "person-lance-ho",
        "person-wei-xiaojun",
        "agency-drug-enforcement-administration",
        "country-china",
    ] {
        assert!(batch.node(id).unwrap().key.is_some(), "{id} has no key");
    }
    let keys = batch.g.node_weights().filter(|n| n.key.is_some()).count();
    assert_eq!(store.len().unwrap(), quads.len() + keys + 3);
    assert_eq!(update.quads, store.len().unwrap());
    let stored_keys = select(
        &store,
        "SELECT ?k WHERE { id:person-lance-ho cg:resolutionKey ?k }",
    );
    assert_eq!(stored_keys, vec!["\"person:ho lance\"".to_string()]);
}

#[test]
fn adding_the_same_article_again_changes_nothing() {
    let store = Store::new().unwrap();
    add(&store, &[("a.txt", A), ("b.txt", B), ("c.txt", C)]);
    let before = all_quads(&store);
    let again = add(&store, &[("c.txt", C)]);
    assert_eq!(
        (
            again.articles,
            again.new,
            again.unchanged,
            again.added,
            again.removed
        ),
        (3, 0, 1, 0, 0)
    );
    assert_eq!(all_quads(&store), before);
    // Without inputs, a build re-reads the stored articles: still nothing to change.
    let reread = add(&store, &[]);
    assert_eq!((reread.added, reread.removed), (0, 0));
}

#[test]
fn a_changed_article_replaces_what_was_found_in_it() {
    let store = Store::new().unwrap();
    add(&store, &[("a.txt", A), ("b.txt", B)]);
    let has_quote = "SELECT ?s WHERE { ?s cg:text \"We see real progress,\" }";
    assert_eq!(select(&store, has_quote).len(), 1);
    let shorter = "Lance Ho, head of the Drug Enforcement Administration in Hong Kong, said the agency would keep working with China.\n";
    let update = add(&store, &[("a.txt", shorter)]);
    assert_eq!((update.articles, update.replaced), (2, 1));
    assert!(update.removed > 0);
    assert!(
        select(&store, has_quote).is_empty(),
        "the old quote is gone"
    );
    assert!(update.graph.node("person-lance-ho").is_some());
}

#[test]
fn a_stored_short_name_keeps_its_iri_when_the_full_name_arrives() {
    let store = Store::new().unwrap();
    let first = add(
        &store,
        &[("t1.txt", "President Trump said the tariffs would stay.\n")],
    );
    assert!(first.graph.node("person-trump").is_some());
    let second = add(
        &store,
        &[(
            "t2.txt",
            "Donald Trump said on Tuesday that the talks with China went well.\n",
        )],
    );
    let g = &second.graph;
    // A build of both at once would name the node person-donald-trump; the store keeps
    // the IRI it published, with the better label.
    assert!(g.node("person-donald-trump").is_none());
    let trump = g.node("person-trump").unwrap();
    assert_eq!(trump.label, "Donald Trump");
    assert_eq!(articles_of(g, "person-trump"), set(&["t1.txt", "t2.txt"]));
    let speakers = select(
        &store,
        "SELECT DISTINCT ?who WHERE { ?who cg:says ?s } ORDER BY ?who",
    );
    assert_eq!(speakers, vec![format!("<{ID}person-trump>")]);
}

#[test]
fn the_metadata_given_with_an_article_is_kept_for_later_builds() {
    let store = Store::new().unwrap();
    let mut doc = Document::new("r1", B);
    doc.meta.title = Some("China and fentanyl".to_string());
    doc.meta.source = Some("Reuters".to_string());
    doc.meta.url = Some("not a url".to_string());
    let pipeline = Pipeline::new(Lexicon::builtin());
    store::update(&store, vec![doc], &pipeline, &Options::default()).unwrap();
    let later = add(&store, &[("c.txt", C)]);
    let info = later
        .graph
        .node("article-r1")
        .unwrap()
        .article
        .clone()
        .unwrap();
    assert_eq!(info.title.as_deref(), Some("China and fentanyl"));
    assert_eq!(info.source.as_deref(), Some("Reuters"));
    assert_eq!(info.url.as_deref(), Some("not a url"));
}

#[test]
fn a_store_refuses_another_base_iri() {
    let store = Store::new().unwrap();
    add(&store, &[("a.txt", A)]);
    let other = Options {
        base: "https://example.org/kg/".to_string(),
        ..Options::default()
    };
    let err = add_with(&store, &[("c.txt", C)], &other).unwrap_err();
    assert!(format!("{err:#}").contains("--base"), "{err:#}");
}

#[cfg(not(feature = "store"))]
#[test]
fn without_the_feature_store_says_how_to_enable_it() {
    let dir = std::env::temp_dir().join(format!("claimgraph-nostore-{}", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimgraph"))
        .args(["build", "--store"])
        .arg(&dir)
        .arg("seeds/001_da0d72e0fb9dfab8.txt")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--features store"), "{stderr}");
    assert!(!dir.exists(), "nothing is created");
}

/// The on-disk store through the command line: two builds, then `query` and `serve`.
#[cfg(feature = "store")]
mod on_disk {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::Duration;

    fn claimgraph(args: &[&str], dir: &Path) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_claimgraph"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn workdir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("claimgraph-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in [("a.txt", A), ("b.txt", B), ("c.txt", C)] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    #[test]
    fn build_twice_then_query_and_serve_the_store() {
        let dir = workdir("cli");
        let (code, out, err) = claimgraph(&["build", "--store", "kg", "a.txt", "b.txt"], &dir);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("2 articles (2 new"), "{out}");
        assert!(!out.contains("wrote:"), "no exports unless asked: {out}");
        let (code, out, err) = claimgraph(
            &[
                "build", "--store", "kg", "c.txt", "-o", "out", "--format", "json",
            ],
            &dir,
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("3 articles (1 new"), "{out}");
        // The export is written from the merged contents.
        let json = std::fs::read_to_string(dir.join("out/graph.json")).unwrap();
        assert!(json.contains("\"article-c-txt\"") && json.contains("\"article-a-txt\""));
        let (_, out, _) = claimgraph(&["build", "--store", "kg", "c.txt"], &dir);
        assert!(out.contains("quads +0 -0"), "{out}");

        let who = "SELECT DISTINCT ?a WHERE { GRAPH ?a { id:person-lance-ho cg:mention ?m } } ORDER BY ?a";
        let (code, out, err) = claimgraph(&["query", "--store", "kg", who, "-o", "csv"], &dir);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out.lines().collect::<Vec<_>>(),
            vec![
                "a",
                &format!("{ID}article-a-txt"),
                &format!("{ID}article-c-txt")
            ]
        );

        let mut server = Command::new(env!("CARGO_BIN_EXE_claimgraph"))
            .args(["serve", "--store", "kg", "--bind", "127.0.0.1:0"])
            .current_dir(&dir)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut banner = String::new();
        BufReader::new(server.stderr.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {banner:?}"))
            .to_string();
        let body = format!("query={}", encode(who));
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            conn,
            "POST /sparql HTTP/1.1\r\nHost: {addr}\r\nAccept: text/csv\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        conn.read_to_string(&mut reply).unwrap();
        server.kill().unwrap();
        server.wait().unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        assert!(
            reply.ends_with(&format!("{ID}article-a-txt\r\n{ID}article-c-txt\r\n")),
            "{reply}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    #[test]
    fn serve_refuses_a_folder_that_is_no_store() {
        let dir = workdir("none");
        let (code, _, err) = claimgraph(&["serve", "--store", "nothing-here"], &dir);
        assert_eq!(code, 2);
        assert!(err.contains("is not a claimgraph store"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
