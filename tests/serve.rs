//! The SPARQL endpoint (`claimgraph serve`, issue 8) over real HTTP on loopback: result
//! formats, CONSTRUCT, form POSTs, refused updates, bad queries, limits, the HTML page.
//! The client is a minimal `std::net::TcpStream` one; every request is bounded by timeouts.

use claimgraph::export::{self, Format, Options};
use claimgraph::serve::{self, Config, Handle};
use oxigraph::io::{RdfFormat, RdfParser};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const TEXT: &str = "Wei Xiaojun, deputy director-general of the Narcotics Control Bureau, said on Friday that China does not deny that some fentanyl comes from China.\n\n\u{201c}We have done a great deal,\u{201d} Wei said.\n";
const SPEAKERS: &str = "SELECT DISTINCT ?who WHERE { ?who cg:says ?s } ORDER BY ?who";
const WEI: &str = "https://w3id.org/claimgraph/id/person-wei-xiaojun";

/// A graph file built from one hand-written article, as `claimgraph build` writes it.
fn graph_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimgraph-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let g = claimgraph::build_graph(&[("a.txt", TEXT)], &claimgraph::Lexicon::builtin());
    let files = export::write(&g, Format::NQuads, &dir, &Options::default()).unwrap();
    files.into_iter().next().unwrap()
}

fn server(name: &str, config: Config) -> Handle {
    let store = claimgraph::query::load(&graph_file(name)).unwrap();
    let config = Config {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..config
    };
    serve::start(store, config).unwrap()
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One request on a fresh connection (`Connection: close`), read to the end.
fn request(h: &Handle, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut s = TcpStream::connect_timeout(&h.addr(), Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", h.addr());
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse_reply(&raw).0
}

/// Parses one response from `raw`; returns it and the bytes after it.
fn parse_reply(raw: &[u8]) -> (Reply, &[u8]) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .expect("Content-Length");
    let body = &raw[end + 4..end + 4 + len];
    let reply = Reply {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    };
    (reply, &raw[end + 4 + len..])
}

fn get(h: &Handle, query: &str, accept: &str) -> Reply {
    let target = format!("/sparql?query={}", encode(query));
    request(h, "GET", &target, &[("Accept", accept)], "")
}

#[test]
fn select_in_every_results_format() {
    let h = server("formats", Config::default());
    let json = get(&h, SPEAKERS, "application/sparql-results+json");
    assert_eq!(json.status, 200, "{}", json.body);
    assert_eq!(
        json.header("Content-Type"),
        Some("application/sparql-results+json")
    );
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["head"]["vars"], serde_json::json!(["who"]));
    let who: Vec<&str> = v["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["who"]["value"].as_str().unwrap())
        .collect();
    assert!(who.contains(&WEI), "{who:?}");

    // No Accept header: JSON too.
    let plain = request(
        &h,
        "GET",
        &format!("/sparql?query={}", encode(SPEAKERS)),
        &[],
        "",
    );
    assert_eq!(plain.body, json.body);

    let csv = get(&h, SPEAKERS, "text/csv");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("Content-Type"), Some("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "who");
    assert!(lines.contains(&WEI), "{}", csv.body);
    assert_eq!(lines.len(), who.len() + 1);

    let tsv = get(&h, SPEAKERS, "text/tab-separated-values");
    assert_eq!(
        tsv.header("Content-Type"),
        Some("text/tab-separated-values")
    );
    assert!(tsv.body.starts_with("?who\n"), "{}", tsv.body);
    assert!(tsv.body.contains(&format!("<{WEI}>")), "{}", tsv.body);

    let xml = get(&h, SPEAKERS, "application/sparql-results+xml");
    assert_eq!(
        xml.header("Content-Type"),
        Some("application/sparql-results+xml")
    );
    assert!(
        xml.body.contains("<variable name=\"who\"/>"),
        "{}",
        xml.body
    );
    assert!(
        xml.body.contains(&format!("<uri>{WEI}</uri>")),
        "{}",
        xml.body
    );

    // q-values and the format= parameter.
    let pick = get(
        &h,
        SPEAKERS,
        "text/csv;q=0.4, application/sparql-results+xml;q=0.9",
    );
    assert_eq!(
        pick.header("Content-Type"),
        Some("application/sparql-results+xml")
    );
    let target = format!("/sparql?query={}&format=csv", encode(SPEAKERS));
    let f = request(&h, "GET", &target, &[("Accept", "application/json")], "");
    assert_eq!(f.body, csv.body);

    let none = get(&h, SPEAKERS, "image/png");
    assert_eq!(none.status, 406);
    assert!(none.body.contains("text/csv"), "{}", none.body);
    h.shutdown();
}

#[test]
fn ask_construct_describe_and_posts() {
    let h = server("kinds", Config::default());
    let ask = get(&h, "ASK { ?p a cg:Person }", "");
    assert_eq!(ask.status, 200);
    let v: serde_json::Value = serde_json::from_str(&ask.body).unwrap();
    assert_eq!(v["boolean"], serde_json::json!(true));
    let no = get(
        &h,
        "ASK { ?p a cg:Nothing }",
        "application/sparql-results+xml",
    );
    assert!(no.body.contains("<boolean>false</boolean>"), "{}", no.body);

    let construct = "CONSTRUCT { ?who cg:says ?s } WHERE { ?who cg:says ?s }";
    let ttl = get(&h, construct, "text/turtle");
    assert_eq!(ttl.status, 200, "{}", ttl.body);
    assert_eq!(ttl.header("Content-Type"), Some("text/turtle"));
    assert!(ttl.body.contains("@prefix cg:"), "{}", ttl.body);
    let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_reader(ttl.body.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!triples.is_empty());
    assert!(triples
        .iter()
        .all(|q| q.predicate.as_str() == "https://w3id.org/claimgraph/ontology#says"));
    assert!(triples
        .iter()
        .any(|q| q.subject.to_string() == format!("<{WEI}>")));

    let nt = get(&h, construct, "application/n-triples");
    assert_eq!(nt.header("Content-Type"), Some("application/n-triples"));
    assert_eq!(nt.body.lines().count(), triples.len());
    let describe = get(&h, &format!("DESCRIBE <{WEI}>"), "");
    assert_eq!(describe.header("Content-Type"), Some("text/turtle"));
    assert!(describe.body.contains("Wei Xiaojun"), "{}", describe.body);
    // A graph result cannot be SPARQL JSON.
    assert_eq!(
        get(&h, construct, "application/sparql-results+json").status,
        406
    );

    // POST forms: a URL-encoded form and a direct application/sparql-query body.
    let form = format!("query={}", encode(SPEAKERS));
    let ct = ("Content-Type", "application/x-www-form-urlencoded");
    let posted = request(&h, "POST", "/sparql", &[ct, ("Accept", "text/csv")], &form);
    assert_eq!(posted.status, 200, "{}", posted.body);
    assert_eq!(posted.body, get(&h, SPEAKERS, "text/csv").body);
    let direct = request(
        &h,
        "POST",
        "/sparql",
        &[
            ("Content-Type", "application/sparql-query; charset=utf-8"),
            ("Accept", "text/csv"),
        ],
        SPEAKERS,
    );
    assert_eq!(direct.body, posted.body);
    let other = request(
        &h,
        "POST",
        "/sparql",
        &[("Content-Type", "text/plain")],
        "x",
    );
    assert_eq!(other.status, 415);

    // default-graph-uri: the article graph alone holds the statements; another graph not.
    let ids = get(
        &h,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?who cg:says ?s } }",
        "text/csv",
    );
    let article = ids
        .body
        .lines()
        .nth(1)
        .expect("an article graph")
        .to_string();
    let in_graph = |g: &str| {
        let target = format!(
            "/sparql?query={}&default-graph-uri={}",
            encode("ASK { ?who cg:says ?s }"),
            encode(g)
        );
        request(&h, "GET", &target, &[("Accept", "text/csv")], "").body
    };
    assert_eq!(in_graph(&article).trim(), "true");
    assert_eq!(in_graph("http://example.org/none").trim(), "false");
    h.shutdown();
}

#[test]
fn updates_are_refused_and_bad_queries_explained() {
    let h = server("refuse", Config::default());
    let update = "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }";
    let direct = request(
        &h,
        "POST",
        "/sparql",
        &[("Content-Type", "application/sparql-update")],
        update,
    );
    assert_eq!(direct.status, 403);
    assert!(direct.body.contains("read-only"), "{}", direct.body);
    let form = request(
        &h,
        "POST",
        "/sparql",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("update={}", encode(update)),
    );
    assert_eq!(form.status, 403);
    // An update sent as a query, even with relative IRIs that would not parse.
    assert_eq!(get(&h, update, "").status, 403);
    assert_eq!(get(&h, "DELETE WHERE { ?s ?p <x> }", "").status, 403);
    // Nothing changed.
    assert_eq!(
        get(&h, "ASK { <http://e/a> ?p ?o }", "text/csv")
            .body
            .trim(),
        "false"
    );

    let bad = get(&h, "SELECT ?x WHERE { ?x cg:says }", "");
    assert_eq!(bad.status, 400);
    assert!(bad.body.starts_with("invalid SPARQL query"), "{}", bad.body);
    assert!(
        bad.body.contains("1:"),
        "the parser's position: {}",
        bad.body
    );
    let missing = request(&h, "GET", "/sparql", &[], "");
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("missing query"), "{}", missing.body);
    let two = request(&h, "GET", "/sparql?query=ASK{}&query=ASK{}", &[], "");
    assert_eq!(two.status, 400);
    assert_eq!(request(&h, "GET", "/nowhere", &[], "").status, 404);
    assert_eq!(request(&h, "PUT", "/sparql", &[], "").status, 405);
    h.shutdown();
}

#[test]
fn time_and_size_limits() {
    let h = server(
        "limits",
        Config {
            timeout: Duration::from_millis(300),
            max_results: 3,
            ..Config::default()
        },
    );
    // A 5-way cross product of the graph: far beyond 300 ms.
    let slow =
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }";
    let t = Instant::now();
    let r = get(&h, slow, "");
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("timed out"), "{}", r.body);
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    // The server still answers.
    assert_eq!(get(&h, "ASK {}", "").status, 200);

    let all = get(&h, "SELECT * WHERE { ?s ?p ?o }", "text/csv");
    assert_eq!(all.status, 200);
    assert_eq!(all.body.lines().count(), 1 + 3, "{}", all.body);
    assert_eq!(all.header("X-SPARQL-MaxRows"), Some("3"));
    let few = get(&h, "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "text/csv");
    assert_eq!(few.body.lines().count(), 1 + 2);
    assert_eq!(few.header("X-SPARQL-MaxRows"), None);
    let triples = get(&h, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples");
    assert_eq!(triples.body.lines().count(), 3);
    assert_eq!(triples.header("X-SPARQL-MaxRows"), Some("3"));
    h.shutdown();
}

#[test]
fn queries_past_their_time_limit_are_bounded() {
    let h = server(
        "busy",
        Config {
            timeout: Duration::from_millis(200),
            max_queries: 1,
            ..Config::default()
        },
    );
    // An in-memory cross product: oxigraph does not see the cancellation until it ends, so
    // its thread keeps the only query slot and the next query is turned away.
    let slow =
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }";
    assert_eq!(get(&h, slow, "").status, 503);
    let next = get(&h, "ASK {}", "");
    assert_eq!(next.status, 503);
    assert!(next.body.starts_with("busy"), "{}", next.body);
    // The page does not need a query slot.
    assert_eq!(request(&h, "GET", "/", &[], "").status, 200);
}

#[test]
fn html_page_keep_alive_and_shutdown() {
    let h = server("page", Config::default());
    let page = request(&h, "GET", "/", &[], "");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("<form"), "{}", page.body);
    assert!(page.body.contains("cg:Statement"), "the example query");
    assert!(
        page.body.contains(&h.addr().to_string()),
        "the curl example"
    );

    // Two requests on one kept-alive connection.
    let mut s = TcpStream::connect_timeout(&h.addr(), Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let one = format!(
        "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\n\r\n",
        encode("ASK {}")
    );
    s.write_all(format!("{one}{one}").as_bytes()).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(20);
    while raw.windows(7).filter(|w| w == b"boolean").count() < 2 && Instant::now() < deadline {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed early");
        raw.extend_from_slice(&buf[..n]);
    }
    let (first, rest) = parse_reply(&raw);
    let (second, _) = parse_reply(rest);
    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(first.header("Connection"), Some("keep-alive"));
    drop(s);

    let addr = h.addr();
    h.shutdown();
    // Nothing accepts on the port any more (a refused or an unanswered connection).
    if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = s.write_all(b"GET / HTTP/1.1\r\n\r\n");
        let mut b = Vec::new();
        let _ = s.read_to_end(&mut b);
        assert!(b.is_empty(), "answered after shutdown");
    }
}
