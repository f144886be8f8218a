//! RDF exports (every format) read back with oxigraph, and SPARQL through `query::run`.

use claimgraph::export::{self, Format, Options};
use claimgraph::graph::{ArticleInfo, Graph, MentionRef, Node, NodeType, Provenance};
use claimgraph::query;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const TEXT: &str = "Wei Xiaojun, deputy director-general of the Narcotics Control Bureau, said on Friday that China does not deny that some fentanyl comes from China.\n\n\u{201c}We have done a great deal,\u{201d} Wei said.\n";
const CONTENT: &str = "China does not deny that some fentanyl comes from China";
const CG: &str = "https://w3id.org/claimgraph/ontology#";
const ID: &str = "https://w3id.org/claimgraph/id/";
const PREFIXES: &str = "PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n\
    PREFIX id: <https://w3id.org/claimgraph/id/>\n\
    PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n\
    PREFIX prov: <http://www.w3.org/ns/prov#>\n\
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\
    PREFIX schema: <https://schema.org/>\n\
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n";
const RDF_FORMATS: [Format; 5] = [
    Format::Turtle,
    Format::NTriples,
    Format::NQuads,
    Format::TriG,
    Format::JsonLd,
];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "claimgraph-rdf-query-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn graph() -> Graph {
    claimgraph::build_graph(&[("a.txt", TEXT)], &claimgraph::Lexicon::builtin())
}

fn cp(s: &str, needle: &str) -> (usize, usize) {
    let b = s.find(needle).expect("needle in text");
    let start = s[..b].chars().count();
    (start, start + needle.chars().count())
}

fn oxi_format(f: Format) -> RdfFormat {
    claimgraph::export::rdf::rdf_format(f).unwrap()
}

fn parse(path: &Path, f: Format) -> Vec<Quad> {
    let file = std::fs::File::open(path).unwrap();
    RdfParser::from_format(oxi_format(f))
        .for_reader(file)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

fn store_of(quads: &[Quad]) -> Store {
    let store = Store::new().unwrap();
    store.extend(quads.iter().cloned()).unwrap();
    store
}

fn select(store: &Store, q: &str) -> Vec<Vec<Option<Term>>> {
    let mut prepared = SparqlEvaluator::new()
        .parse_query(&format!("{PREFIXES}{q}"))
        .unwrap();
    prepared.dataset_mut().set_default_graph_as_union();
    match prepared.on_store(store).execute().unwrap() {
        QueryResults::Solutions(s) => s.map(|s| s.unwrap().values().to_vec()).collect(),
        _ => panic!("not a SELECT"),
    }
}

fn ask(store: &Store, q: &str) -> bool {
    let mut prepared = SparqlEvaluator::new()
        .parse_query(&format!("{PREFIXES}{q}"))
        .unwrap();
    prepared.dataset_mut().set_default_graph_as_union();
    match prepared.on_store(store).execute().unwrap() {
        QueryResults::Boolean(b) => b,
        _ => panic!("not an ASK"),
    }
}

fn int(t: &Option<Term>) -> usize {
    match t {
        Some(Term::Literal(l)) => {
            // The oxigraph store normalizes derived integer types to xsd:integer; the
            // files themselves are checked for xsd:nonNegativeInteger below.
            assert!(
                matches!(l.datatype(), xsd::NON_NEGATIVE_INTEGER | xsd::INTEGER),
                "{l}"
            );
            l.value().parse().unwrap()
        }
        other => panic!("not an integer: {other:?}"),
    }
}

fn triples(quads: &[Quad]) -> BTreeSet<String> {
    quads
        .iter()
        .map(|q| format!("{} {} {}", q.subject, q.predicate, q.object))
        .collect()
}

#[test]
fn every_rdf_format_reads_back_with_the_facts() {
    let g = graph();
    let value = claimgraph::export::json::to_value(&g);
    let dir = temp_dir("formats");
    let opts = Options::default();
    let wei = NamedNode::new(format!("{ID}person-wei-xiaojun")).unwrap();
    let (cb, ce) = cp(TEXT, CONTENT);
    let mut all_triples = Vec::new();
    for f in RDF_FORMATS {
        let files =
            export::write(&g, f, &dir, &opts).unwrap_or_else(|e| panic!("{}: {e:#}", f.name()));
        let bytes = std::fs::read(&files[0]).unwrap();
        // Deterministic.
        let again = temp_dir(&format!("again-{}", f.name()));
        export::write(&g, f, &again, &opts).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(again.join(f.file_name())).unwrap(),
            "{} not deterministic",
            f.name()
        );
        let _ = std::fs::remove_dir_all(&again);

        let quads = parse(&files[0], f);
        assert!(!quads.is_empty(), "{} is empty", f.name());
        let store = store_of(&quads);
        let ctx = format!("{} (graph: {value:#})", f.name());

        // Wei says the statement, which has the expected text, kind, speaker and article.
        let rows = select(
            &store,
            "SELECT DISTINCT ?s ?text ?kind ?speaker ?article WHERE {
               id:person-wei-xiaojun a cg:Person ; rdfs:label \"Wei Xiaojun\" ; cg:says ?s .
               ?s a cg:Statement ; cg:text ?text ; cg:statementKind ?kind ; cg:speaker ?speaker ;
                  prov:wasAttributedTo ?speaker ; prov:wasDerivedFrom ?article .
               ?article a cg:Article ; a schema:NewsArticle ; cg:sourceFile \"a.txt\" .
             }",
        );
        let row = rows
            .iter()
            .find(|r| r[1] == Some(Literal::new_simple_literal(CONTENT).into()))
            .unwrap_or_else(|| panic!("no cg:says to the statement in {ctx}: {rows:?}"));
        assert_eq!(
            row[2],
            Some(
                NamedNode::new(format!("{CG}IndirectSpeech"))
                    .unwrap()
                    .into()
            ),
            "{ctx}"
        );
        assert_eq!(row[3], Some(wei.clone().into()), "{ctx}");
        let article = match &row[4] {
            Some(Term::NamedNode(a)) => a.clone(),
            other => panic!("article {other:?}"),
        };
        assert!(article.as_str().starts_with(ID), "{article}");

        // The occurrence of the says edge: offsets of the evidence and content spans.
        let rows = select(
            &store,
            "SELECT DISTINCT ?ob ?oe ?cb ?ce ?ev ?conf ?rule ?ctx WHERE {
               ?o a cg:EdgeOccurrence ; cg:subject id:person-wei-xiaojun ; cg:predicate cg:says ;
                  cg:object ?s ; cg:article ?ctx ; cg:evidence ?ev ; cg:rule ?rule ; cg:confidence ?conf ;
                  nif:beginIndex ?ob ; nif:endIndex ?oe ; cg:content ?c .
               ?s cg:text ?text .
               ?c a cg:Mention ; nif:beginIndex ?cb ; nif:endIndex ?ce ; nif:referenceContext ?ctx .
             }",
        );
        let occ = rows
            .iter()
            .find(|r| (int(&r[2]), int(&r[3])) == (cb, ce))
            .unwrap_or_else(|| panic!("no occurrence with content {cb}..{ce} in {ctx}: {rows:?}"));
        let (ob, oe) = (int(&occ[0]), int(&occ[1]));
        assert!(
            ob < oe && ob <= cb && ce <= oe,
            "evidence {ob}..{oe} around content {cb}..{ce}"
        );
        let evidence: String = TEXT.chars().skip(ob).take(oe - ob).collect();
        assert_eq!(
            occ[4],
            Some(Literal::new_simple_literal(evidence.trim_end()).into()),
            "{ctx}"
        );
        match &occ[5] {
            Some(Term::Literal(l)) => {
                assert_eq!(l.datatype(), xsd::DOUBLE);
                let c: f64 = l.value().parse().unwrap();
                assert!((0.0..=1.0).contains(&c));
            }
            other => panic!("confidence {other:?}"),
        }
        assert_eq!(occ[7], Some(article.clone().into()));
        let mention = NamedNode::new(format!("{}#char={cb},{ce}", article.as_str())).unwrap();
        assert!(
            ask(
                &store,
                &format!("ASK {{ {wei} cg:says ?s . ?s cg:mention {mention} }}")
            ),
            "{ctx}"
        );

        // Wei's mention at the start of the text, the role and the affiliation.
        let (wb, we) = cp(TEXT, "Wei Xiaojun");
        let wm = NamedNode::new(format!("{}#char={wb},{we}", article.as_str())).unwrap();
        assert!(ask(&store, &format!("ASK {{ {wei} cg:mention {wm} . {wm} nif:beginIndex \"{wb}\"^^xsd:nonNegativeInteger ; nif:endIndex \"{we}\"^^xsd:nonNegativeInteger }}")), "{ctx}");
        assert!(ask(&store, "ASK { id:person-wei-xiaojun cg:affiliatedWith ?org . ?org a cg:Agency ; rdfs:label \"Narcotics Control Bureau\" . id:person-wei-xiaojun cg:role ?r . ?r cg:roleTitle \"deputy director-general\" ; cg:organization ?org }"), "{ctx}");
        assert!(
            ask(
                &store,
                "ASK { ?a a cg:Article ; cg:mentions id:country-china }"
            ),
            "{ctx}"
        );

        // Shapes: typed offsets and confidences, speakers are IRIs, articles typed.
        for q in quads
            .iter()
            .filter(|q| q.predicate.as_str().ends_with("Index"))
        {
            match &q.object {
                Term::Literal(l) => {
                    assert_eq!(l.datatype(), xsd::NON_NEGATIVE_INTEGER, "{ctx}: {q}")
                }
                _ => panic!("{ctx}: {q}"),
            }
        }
        for q in quads
            .iter()
            .filter(|q| q.predicate.as_str().ends_with("#confidence"))
        {
            match &q.object {
                Term::Literal(l) => assert_eq!(l.datatype(), xsd::DOUBLE, "{ctx}: {q}"),
                _ => panic!("{ctx}: {q}"),
            }
        }
        assert!(
            !ask(
                &store,
                "ASK { ?x nif:beginIndex ?b ; nif:endIndex ?e FILTER(?b >= ?e) }"
            ),
            "{ctx}"
        );
        assert!(!ask(&store, "ASK { ?x cg:confidence ?c FILTER(datatype(?c) != xsd:double || ?c < 0 || ?c > 1) }"), "{ctx}");
        assert!(!ask(&store, "ASK { ?s a cg:Statement FILTER NOT EXISTS { ?s cg:speaker ?sp FILTER(isIRI(?sp)) } }"), "{ctx}");
        assert!(!ask(&store, "ASK { ?x cg:article|nif:referenceContext|prov:wasDerivedFrom ?a FILTER NOT EXISTS { ?a a cg:Article } }"), "{ctx}");
        assert!(
            !ask(
                &store,
                "ASK { ?x ?p ?o FILTER(isBlank(?x) || isBlank(?o)) }"
            ),
            "{ctx}"
        );

        // Dataset formats: the says triple and its occurrence are in the article's graph.
        let in_named = quads.iter().any(|q| {
            q.subject == wei.clone().into()
                && q.predicate.as_str() == format!("{CG}says")
                && q.graph_name == article.clone().into()
        });
        let in_default = quads.iter().any(|q| {
            q.predicate.as_str() == format!("{CG}says") && q.graph_name.is_default_graph()
        });
        match f {
            Format::NQuads | Format::TriG | Format::JsonLd => {
                assert!(
                    in_named && !in_default,
                    "{}: says triple not in the article graph",
                    f.name()
                );
                assert!(quads
                    .iter()
                    .any(|q| q.predicate.as_str() == format!("{CG}text")
                        && q.graph_name.is_default_graph()));
            }
            _ => assert!(
                in_default && quads.iter().all(|q| q.graph_name.is_default_graph()),
                "{}",
                f.name()
            ),
        }
        all_triples.push((f, triples(&quads)));
    }
    // Every format holds the same triples (dataset formats once graphs are merged).
    let (_, first) = &all_triples[0];
    for (f, t) in &all_triples[1..] {
        assert_eq!(first, t, "{} differs from Turtle", f.name());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ontology_defines_every_cg_term_the_export_uses() {
    let ttl = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/claimgraph.ttl"),
    )
    .unwrap();
    let onto: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&ttl)
        .collect::<Result<_, _>>()
        .expect("schema/claimgraph.ttl parses");
    let defined: BTreeSet<String> = onto
        .iter()
        .filter(|q| q.predicate.as_str().ends_with("#label"))
        .map(|q| q.subject.to_string())
        .collect();
    let quads =
        claimgraph::export::rdf::quads(&graph(), Format::NQuads, &Options::default()).unwrap();
    let mut used = BTreeSet::new();
    for q in &quads {
        used.insert(format!("{}", q.predicate));
        if let Term::NamedNode(n) = &q.object {
            used.insert(format!("{n}"));
        }
    }
    for term in used.iter().filter(|t| t.starts_with(&format!("<{CG}"))) {
        assert!(
            defined.contains(term),
            "{term} is used but not defined in schema/claimgraph.ttl"
        );
    }
}

fn write_graph(name: &str, format: Format) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let files = export::write(&graph(), format, &dir, &Options::default()).unwrap();
    (dir, files[0].clone())
}

fn run(graph: &Path, q: &str, output: &str) -> String {
    let mut out = Vec::new();
    query::run(graph, &format!("{PREFIXES}{q}"), output, &mut out)
        .unwrap_or_else(|e| panic!("{q}: {e:#}"));
    String::from_utf8(out).unwrap()
}

#[test]
fn sparql_select_ask_construct() {
    for format in [Format::NQuads, Format::Turtle, Format::TriG] {
        let (dir, file) = write_graph(&format!("query-{}", format.name()), format);
        let q = "SELECT DISTINCT ?who ?text WHERE { ?who cg:says ?s . ?s cg:text ?text } ORDER BY ?text";
        let csv = run(&file, q, "csv");
        assert!(csv.starts_with("who,text\r\n"), "{csv}");
        assert!(
            csv.contains(&format!("{ID}person-wei-xiaojun,{CONTENT}")),
            "{csv}"
        );
        let tsv = run(&file, q, "tsv");
        assert!(
            tsv.contains(&format!("<{ID}person-wei-xiaojun>\t\"{CONTENT}\"")),
            "{tsv}"
        );
        let json: serde_json::Value = serde_json::from_str(&run(&file, q, "json")).unwrap();
        assert_eq!(json["head"]["vars"], serde_json::json!(["who", "text"]));
        assert!(json["results"]["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["text"]["value"] == CONTENT));
        let table = run(&file, q, "table");
        let mut lines = table.lines();
        assert!(lines.next().unwrap().starts_with("who "), "{table}");
        assert!(lines.next().unwrap().starts_with("---"), "{table}");
        assert!(
            table.contains(&format!("id:person-wei-xiaojun | {CONTENT}")),
            "{table}"
        );

        assert_eq!(
            run(&file, "ASK { id:person-wei-xiaojun cg:says ?s }", "table"),
            "true\n"
        );
        assert_eq!(
            run(&file, "ASK { id:country-china cg:says ?s }", "table"),
            "false\n"
        );
        assert!(run(&file, "ASK { ?s a cg:Article }", "json").contains("\"boolean\":true"));
        // Prefixes are predeclared.
        let mut out = Vec::new();
        let q =
            "SELECT ?s WHERE { ?s prov:wasAttributedTo id:person-wei-xiaojun ; a cg:Statement }";
        query::run(&file, q, "csv", &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("id/statement-"));

        let ttl = run(&file, "CONSTRUCT { ?who cg:says ?s . ?s cg:text ?t } WHERE { ?who cg:says ?s . ?s cg:text ?t }", "table");
        let parsed: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(&ttl)
            .collect::<Result<_, _>>()
            .unwrap();
        let says = NamedNodeRef::new(&format!("{CG}says"))
            .unwrap()
            .into_owned();
        assert!(parsed.iter().any(|q| q.predicate == says), "{ttl}");
        assert!(ttl.contains("id:person-wei-xiaojun cg:says"), "{ttl}");
        let nt = run(&file, "DESCRIBE id:person-wei-xiaojun", "nt");
        assert!(
            nt.lines()
                .all(|l| l.starts_with(&format!("<{ID}person-wei-xiaojun> "))),
            "{nt}"
        );
        assert!(
            nt.contains(&format!("<{CG}label>")) || nt.contains("rdf-schema#label"),
            "{nt}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn query_errors_are_clear() {
    let (dir, file) = write_graph("errors", Format::NQuads);
    let err = |g: &Path, q: &str, o: &str| {
        format!("{:#}", query::run(g, q, o, &mut Vec::new()).unwrap_err())
    };
    assert!(err(&file, "SELECT WHERE {", "table").contains("invalid SPARQL query"));
    assert!(err(&file, "SELECT * WHERE { ?s ?p ?o }", "yaml").contains("unknown output"));
    assert!(err(&file, "SELECT * WHERE { ?s ?p ?o }", "nt").contains("does not apply"));
    let missing = dir.join("nope.nq");
    assert!(err(&missing, "ASK {}", "table").contains("nope.nq"));
    let odd = dir.join("graph.xyz");
    std::fs::write(&odd, "").unwrap();
    assert!(err(&odd, "ASK {}", "table").contains("graph.xyz"));
    let bad = dir.join("bad.ttl");
    std::fs::write(&bad, "<a> <b> .").unwrap();
    assert!(err(&bad, "ASK {}", "table").contains("bad.ttl"));
    assert!(query::load(&file).unwrap().len().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn special_characters_survive_turtle_and_nquads() {
    let name = "Odd <Name> \"quoted\" {x} | ^caret `tick` \\back\\ and\nnew line\ttab";
    let text = "He said: <b>\"a {b} | c ^ d ` e \\ f\"</b>\n\nsecond line\r\nend";
    let mut g = Graph::default();
    let art = g.upsert("article-x-txt", || {
        let mut n = Node::new("article-x-txt".into(), NodeType::Article, "x.txt".into());
        n.article = Some(Box::new(ArticleInfo {
            id: "x.txt".into(),
            file: "dir with space/x <1>.txt".into(),
            title: Some("Title \"with\" <odd> chars".into()),
            date: Some("2024-03-01".into()),
            ..Default::default()
        }));
        n
    });
    let p = g.upsert("person-odd-name", || {
        Node::new("person-odd-name".into(), NodeType::Person, name.into())
    });
    g.g[p].aliases.insert(name.into());
    g.g[p].add_mention(MentionRef {
        article: "x.txt".into(),
        start: 0,
        end: 2,
    });
    let s = g.upsert("statement-0000000000000001", || {
        let mut n = Node::new(
            "statement-0000000000000001".into(),
            NodeType::Statement,
            text.into(),
        );
        n.text = Some(text.into());
        n.kind = Some("direct");
        n.speaker = Some("person-odd-name".into());
        n
    });
    g.g[s].add_mention(MentionRef {
        article: "x.txt".into(),
        start: 10,
        end: 40,
    });
    g.add_edge(art, p, "mentions", None);
    g.add_edge(
        p,
        s,
        "says",
        Some(Provenance {
            article: "x.txt".into(),
            start: 0,
            end: 60,
            evidence: text.into(),
            rule: "rule <with> \"odd\" chars".into(),
            confidence: 0.7,
            content: Some(claimgraph::graph::CharSpan { start: 10, end: 40 }),
            cue: Some(claimgraph::graph::CharSpan { start: 3, end: 7 }),
            speaker: Some(claimgraph::graph::CharSpan { start: 0, end: 2 }),
            title: None,
        }),
    );
    g.normalize();
    let dir = temp_dir("special");
    for f in [
        Format::Turtle,
        Format::NQuads,
        Format::TriG,
        Format::NTriples,
        Format::JsonLd,
    ] {
        let files = export::write(&g, f, &dir, &Options::default()).unwrap();
        let quads = parse(&files[0], f);
        let has = |pred: &str, lit: &str| {
            quads.iter().any(|q| {
                q.predicate.as_str().ends_with(pred)
                    && q.object == Literal::new_simple_literal(lit).into()
            })
        };
        assert!(has("#label", name), "{}: label lost", f.name());
        assert!(has("#alias", name), "{}: alias lost", f.name());
        assert!(has("#text", text), "{}: text lost", f.name());
        assert!(has("#evidence", text), "{}: evidence lost", f.name());
        assert!(has("#rule", "rule <with> \"odd\" chars"), "{}", f.name());
        assert!(
            has("#sourceFile", "dir with space/x <1>.txt"),
            "{}",
            f.name()
        );
        assert!(
            has("headline", "Title \"with\" <odd> chars"),
            "{}",
            f.name()
        );
        let store = store_of(&quads);
        assert!(ask(&store, "ASK { ?s cg:statementKind cg:DirectQuote ; prov:wasQuotedFrom id:person-odd-name ; cg:speaker id:person-odd-name }"));
        assert!(ask(
            &store,
            "ASK { id:article-x-txt schema:datePublished \"2024-03-01\"^^xsd:date }"
        ));
        let article = NamedNodeRef::new(&format!("{ID}article-x-txt"))
            .unwrap()
            .into_owned();
        if matches!(f, Format::NQuads | Format::TriG | Format::JsonLd) {
            assert!(store
                .contains(QuadRef::new(
                    NamedNodeRef::new(&format!("{ID}article-x-txt#char=10,40")).unwrap(),
                    NamedNodeRef::new("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#referenceContext").unwrap(),
                    article.as_ref(),
                    article.as_ref(),
                ))
                .unwrap());
        } else {
            assert!(
                store
                    .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                    .count()
                    == quads.len()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
