//! The exports other tools read (issue 11), checked from Rust: JSON-LD with the published
//! context reads back as the N-Quads, GraphML is escaped and complete, and `build --focus`
//! narrows the picture. ci/check_exports.py checks the same files with the real consumers
//! (pyshacl, rdflib, pyld, networkx, pandas, Graphviz).

use claimgraph::export::{self, graphml, jsonld, Format, Options};
use claimgraph::{Graph, Lexicon};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Quad;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;

const TEXT: &str = "Lance Ho, who heads the Drug Enforcement Administration's office in Beijing, said the cooperation had generated good momentum.\n\n“Once China controls a substance, it has a dramatic effect,” Ho said.\n\nChina's foreign ministry said \"it <never> & 'nowhere'\" produced\nthe drug, according to Wei Xiaojun.";

fn sample() -> Graph {
    claimgraph::build_graph(&[("a <&> b.txt", TEXT)], &Lexicon::builtin())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "claimgraph-consumers-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn parse(bytes: &[u8], format: RdfFormat) -> HashSet<Quad> {
    RdfParser::from_format(format)
        .for_reader(bytes)
        .collect::<Result<HashSet<_>, _>>()
        .unwrap_or_else(|e| panic!("does not parse: {e}\n{}", String::from_utf8_lossy(bytes)))
}

fn export(g: &Graph, f: Format, opts: &Options) -> Vec<u8> {
    let mut buf = Vec::new();
    match f {
        Format::GraphMl => graphml::write(g, &mut buf).unwrap(),
        _ => export::rdf::write(g, f, &mut buf, opts).unwrap(),
    }
    buf
}

#[test]
fn jsonld_uses_the_published_context_and_reads_back_as_the_nquads() {
    let g = sample();
    for base in [
        "https://w3id.org/claimgraph/id/",
        "https://example.org/kg/",
        "urn:x-claimgraph-",
    ] {
        let opts = Options {
            base: base.into(),
            ..Default::default()
        };
        let ld = export(&g, Format::JsonLd, &opts);
        let nq = export(&g, Format::NQuads, &opts);
        let from_ld = parse(
            &ld,
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        );
        let from_nq = parse(&nq, RdfFormat::NQuads);
        assert!(!from_nq.is_empty());
        assert_eq!(from_ld, from_nq, "base {base}");

        let doc: serde_json::Value = serde_json::from_slice(&ld).unwrap();
        let published: serde_json::Value = serde_json::from_str(jsonld::CONTEXT).unwrap();
        let mut context = published["@context"].clone();
        if base.ends_with('/') {
            context["id"] = base.into();
        } else {
            context.as_object_mut().unwrap().remove("id");
        }
        assert_eq!(doc["@context"], context, "base {base}");
        let text = String::from_utf8(ld).unwrap();
        if base.ends_with('/') {
            // Compact: terms and prefixed names, not full IRIs.
            assert!(text.contains("\"@id\": \"id:person-lance-ho\""), "{text}");
            assert!(text.contains("\"says\": "), "{text}");
            assert!(
                text.contains("\"@type\": [\"Person\",\"schema:Person\"]"),
                "{text}"
            );
            assert!(
                !text[text.find("\"@graph\"").unwrap()..]
                    .contains("\"https://w3id.org/claimgraph/ontology#"),
                "{text}"
            );
        }
    }
}

/// The text of `<data key="KEY">` elements, unescaped.
fn data_values(xml: &str, key: &str) -> Vec<String> {
    let open = format!("<data key=\"{key}\">");
    xml.match_indices(&open)
        .map(|(i, _)| {
            let rest = &xml[i + open.len()..];
            let end = rest.find("</data>").expect("closed");
            rest[..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&#10;", "\n")
                .replace("&#13;", "\r")
                .replace("&#9;", "\t")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn graphml_holds_every_node_and_edge_with_escaped_text() {
    let g = sample();
    let xml = String::from_utf8(export(&g, Format::GraphMl, &Options::default())).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml "));
    assert_eq!(xml.matches("<node id=").count(), g.g.node_count());
    assert_eq!(xml.matches("<edge id=").count(), g.g.edge_count());
    // Between tags there is no raw markup character from the text.
    for (i, _) in xml.match_indices("<data key=") {
        let inner = &xml[i..];
        let inner = &inner[inner.find('>').unwrap() + 1..inner.find("</data>").unwrap()];
        assert!(!inner.contains(['<', '>', '"']), "unescaped: {inner}");
        assert!(!inner.contains('&') || inner.contains(';'), "{inner}");
    }
    let json = export::json::to_value(&g);
    let texts: HashSet<String> = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["text"].as_str().map(String::from))
        .collect();
    assert_eq!(
        data_values(&xml, "text")
            .into_iter()
            .collect::<HashSet<_>>(),
        texts
    );
    assert!(
        texts.iter().any(|t| t.contains("<never> &")),
        "the sample lost its markup characters: {texts:?}"
    );
    let labels = data_values(&xml, "label");
    assert!(labels.iter().any(|l| l == "Lance Ho"), "{labels:?}");
    assert!(data_values(&xml, "file").iter().any(|f| f == "a <&> b.txt"));
    assert!(data_values(&xml, "etype").iter().any(|t| t == "says"));
    for c in data_values(&xml, "confidence") {
        let c: f64 = c.parse().unwrap();
        assert!((0.0..=1.0).contains(&c));
    }
    // Through `build`'s dispatch: graph.graphml, the same bytes.
    let dir = temp_dir("graphml");
    let files = export::write(&g, Format::GraphMl, &dir, &Options::default()).unwrap();
    assert_eq!(files, vec![dir.join("graph.graphml")]);
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), xml);
    assert_eq!(Format::parse("GraphML").unwrap(), Format::GraphMl);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn build_focus_draws_one_neighbourhood_with_its_legend() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = env!("CARGO_BIN_EXE_claimgraph");
    let dir = temp_dir("focus");
    let input = dir.join("a.txt");
    std::fs::write(&input, TEXT).unwrap();
    let out = dir.join("out");
    let run = |args: &[&str]| {
        Command::new(bin)
            .current_dir(root)
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(["--format", "dot,json", "-q"])
            .args(args)
            .output()
            .unwrap()
    };
    let full = run(&[]);
    assert!(full.status.success(), "{full:?}");
    let all = std::fs::read_to_string(out.join("graph.dot")).unwrap();

    let r = run(&["--focus", "lance ho", "--depth", "1"]);
    assert!(r.status.success(), "{r:?}");
    let near = std::fs::read_to_string(out.join("graph.dot")).unwrap();
    assert!(near.contains("around \\\"lance ho\\\" (depth 1)"), "{near}");
    assert!(
        near.contains("cluster_legend"),
        "the legend is gone: {near}"
    );
    assert!(near.contains("id=\"person-lance-ho\""));
    assert!(all.contains("id=\"country-china\"") && !near.contains("id=\"country-china\""));
    assert!(near.matches(" id=\"").count() < all.matches(" id=\"").count());
    // graph.json stays complete.
    let json = std::fs::read_to_string(out.join("graph.json")).unwrap();
    assert!(json.contains("\"country-china\""));

    let r = run(&["--focus", "Nobody Atall"]);
    assert_eq!(r.status.code(), Some(2), "{r:?}");
    assert!(String::from_utf8_lossy(&r.stderr).contains("no node is named \"Nobody Atall\""));
    std::fs::remove_dir_all(&dir).unwrap();
}
