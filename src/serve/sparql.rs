//! The SPARQL 1.1 Protocol (query operation only): request decoding, content negotiation,
//! evaluation under a time limit and a result-size limit.

use super::http::{parse_form, Request, Response};
use super::Shared;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator, Variable,
};
use oxigraph::store::Store;
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;
use std::time::Instant;

/// A response format: its media type and the oxigraph format.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Results(QueryResultsFormat),
    Rdf(RdfFormat),
}

/// Media types offered for SELECT / ASK results, in order of preference (the first is the
/// default), with the media type answered.
const RESULT_TYPES: &[(&str, QueryResultsFormat, &str)] = &[
    (
        "application/sparql-results+json",
        QueryResultsFormat::Json,
        "application/sparql-results+json",
    ),
    (
        "application/json",
        QueryResultsFormat::Json,
        "application/sparql-results+json",
    ),
    (
        "application/sparql-results+xml",
        QueryResultsFormat::Xml,
        "application/sparql-results+xml",
    ),
    (
        "application/xml",
        QueryResultsFormat::Xml,
        "application/sparql-results+xml",
    ),
    (
        "text/xml",
        QueryResultsFormat::Xml,
        "application/sparql-results+xml",
    ),
    ("text/csv", QueryResultsFormat::Csv, "text/csv"),
    (
        "text/tab-separated-values",
        QueryResultsFormat::Tsv,
        "text/tab-separated-values",
    ),
    ("text/plain", QueryResultsFormat::Tsv, "text/plain"),
];

/// Media types offered for CONSTRUCT / DESCRIBE results.
const GRAPH_TYPES: &[(&str, RdfFormat, &str)] = &[
    ("text/turtle", RdfFormat::Turtle, "text/turtle"),
    ("application/x-turtle", RdfFormat::Turtle, "text/turtle"),
    (
        "application/n-triples",
        RdfFormat::NTriples,
        "application/n-triples",
    ),
    ("text/plain", RdfFormat::NTriples, "application/n-triples"),
    (
        "application/rdf+xml",
        RdfFormat::RdfXml,
        "application/rdf+xml",
    ),
    ("application/xml", RdfFormat::RdfXml, "application/rdf+xml"),
    ("text/xml", RdfFormat::RdfXml, "application/rdf+xml"),
];

/// Short names accepted in the `format` (or `output`) parameter, overriding `Accept`.
fn short_format(name: &str) -> Option<&'static str> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "json" | "srj" => "application/sparql-results+json",
        "xml" | "srx" => "application/xml",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "ttl" | "turtle" => "text/turtle",
        "nt" | "ntriples" | "n-triples" => "application/n-triples",
        "rdf" | "rdfxml" | "rdf+xml" => "application/rdf+xml",
        _ => return None,
    })
}

/// Parsed `Accept` header: (type, subtype, q).
fn parse_accept(accept: &str) -> Vec<(String, String, f32)> {
    let mut out = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if media.is_empty() {
            continue;
        }
        let (t, s) = media.split_once('/').unwrap_or((media.as_str(), "*"));
        let mut q = 1.0f32;
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
        }
        out.push((t.trim().to_string(), s.trim().to_string(), q));
    }
    out
}

/// The quality the client gives to `media` (most specific matching range wins).
fn quality(accept: &[(String, String, f32)], media: &str) -> f32 {
    let (t, s) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for (at, as_, q) in accept {
        let spec = if at == t && as_ == s {
            2
        } else if at == t && as_ == "*" {
            1
        } else if at == "*" {
            0
        } else {
            continue;
        };
        if best.is_none_or(|(b, _)| spec > b) {
            best = Some((spec, *q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Picks the response format: `Ok((format, media type))` or the 406 message.
fn negotiate(accept: &str, graph: bool) -> Result<(Format, &'static str), String> {
    let accept = if accept.trim().is_empty() {
        "*/*"
    } else {
        accept
    };
    let ranges = parse_accept(accept);
    let offers: Vec<(&str, Format, &'static str)> = if graph {
        GRAPH_TYPES
            .iter()
            .map(|(m, f, a)| (*m, Format::Rdf(*f), *a))
            .collect()
    } else {
        RESULT_TYPES
            .iter()
            .map(|(m, f, a)| (*m, Format::Results(*f), *a))
            .collect()
    };
    let mut best: Option<(f32, Format, &'static str)> = None;
    for (media, format, answer) in &offers {
        let q = quality(&ranges, media);
        if q > 0.0 && best.is_none_or(|(b, _, _)| q > b) {
            best = Some((q, *format, answer));
        }
    }
    match best {
        Some((_, f, m)) => Ok((f, m)),
        None => {
            let mut names: Vec<&str> = offers.iter().map(|(m, _, _)| *m).collect();
            names.dedup();
            Err(format!(
                "no acceptable format for {} results in Accept: {accept:?}; available: {}",
                if graph {
                    "CONSTRUCT/DESCRIBE"
                } else {
                    "SELECT/ASK"
                },
                names.join(", ")
            ))
        }
    }
}

/// The prefixes predeclared for queries, as in `claimgraph query`.
fn prefixes() -> Vec<(&'static str, String)> {
    crate::query::prefixes()
}

fn evaluator(token: Option<CancellationToken>) -> SparqlEvaluator {
    let mut e = SparqlEvaluator::new();
    for (p, iri) in prefixes() {
        e = e
            .with_prefix(p, iri)
            .expect("predeclared prefixes are valid IRIs");
    }
    match token {
        Some(t) => e.with_cancellation_token(t),
        None => e,
    }
}

const UPDATE_REFUSED: &str = "SPARQL Update is not allowed: this endpoint is read-only. \
     Rebuild the graph with `claimgraph build` to change it.";

/// Answers a request to the SPARQL endpoint.
pub(super) fn handle(req: &Request, shared: &Shared) -> Response {
    let config = &shared.config;
    let mut params = match parse_form(&req.query) {
        Ok(p) => p,
        Err(e) => return Response::text(400, format!("bad query string: {e}")),
    };
    let mut query: Option<String> = None;
    match req.method.as_str() {
        "GET" | "HEAD" => {}
        "POST" => {
            let ct = req
                .header("content-type")
                .unwrap_or("")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let body = match String::from_utf8(req.body.clone()) {
                Ok(b) => b,
                Err(_) => return Response::text(400, "the request body is not UTF-8"),
            };
            match ct.as_str() {
                "application/sparql-query" => query = Some(body),
                "application/sparql-update" => return Response::text(403, UPDATE_REFUSED),
                "application/x-www-form-urlencoded" => match parse_form(&body) {
                    Ok(p) => params.extend(p),
                    Err(e) => return Response::text(400, format!("bad form body: {e}")),
                },
                "" => {
                    return Response::text(
                        415,
                        "missing Content-Type: POST the query as application/sparql-query or \
                         as query=... in application/x-www-form-urlencoded",
                    )
                }
                other => {
                    return Response::text(
                        415,
                        format!(
                            "unsupported Content-Type {other:?}: POST the query as \
                             application/sparql-query or as query=... in \
                             application/x-www-form-urlencoded"
                        ),
                    )
                }
            }
        }
        _ => {
            return Response::text(405, "use GET or POST on /sparql")
                .with_header("Allow", "GET, HEAD, POST, OPTIONS")
        }
    }
    if params.iter().any(|(n, _)| n == "update") {
        return Response::text(403, UPDATE_REFUSED);
    }
    let mut default_graphs = Vec::new();
    let mut named_graphs = Vec::new();
    let mut format_param = None;
    for (n, v) in params {
        match n.as_str() {
            "query" => {
                if query.is_some() {
                    return Response::text(400, "give exactly one query");
                }
                query = Some(v);
            }
            "default-graph-uri" | "named-graph-uri" => match NamedNode::new(v.clone()) {
                Ok(iri) if n == "default-graph-uri" => default_graphs.push(iri),
                Ok(iri) => named_graphs.push(iri),
                Err(e) => return Response::text(400, format!("invalid {n} {v:?}: {e}")),
            },
            "format" | "output" => format_param = Some(v),
            _ => {}
        }
    }
    let Some(query) = query else {
        return Response::text(
            400,
            "missing query: give it as ?query=... (GET), as an application/sparql-query body, \
             or as query=... in a form (POST). See / for an example.",
        );
    };
    let accept = match &format_param {
        Some(f) => match short_format(f) {
            Some(m) => m.to_string(),
            None if f.contains('/') => f.clone(),
            None => {
                return Response::text(
                    400,
                    format!("unknown format {f:?} (known: json, xml, csv, tsv, ttl, nt, rdfxml)"),
                )
            }
        },
        None => req.header("accept").unwrap_or("").to_string(),
    };

    // Parse first (cheap, on this thread) to answer syntax errors with 400.
    let token = CancellationToken::new();
    let mut prepared = match evaluator(Some(token.clone())).parse_query(&query) {
        Ok(q) => q,
        Err(e) => {
            if looks_like_update(&query) || evaluator(None).parse_update(&query).is_ok() {
                return Response::text(403, UPDATE_REFUSED);
            }
            return Response::text(400, format!("invalid SPARQL query: {e}"));
        }
    };
    if !default_graphs.is_empty() || !named_graphs.is_empty() {
        let ds = prepared.dataset_mut();
        ds.set_default_graph(default_graphs.into_iter().map(GraphName::from).collect());
        ds.set_available_named_graphs(
            named_graphs
                .into_iter()
                .map(NamedOrBlankNode::from)
                .collect(),
        );
    } else if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }

    // Evaluate and serialize on a worker thread, so that a slow query can be abandoned.
    let Some(guard) = Slots::acquire(&shared.running, config.max_queries, config.timeout) else {
        return Response::text(
            503,
            format!(
                "busy: {} queries have been running for longer than {:.1} s (some may be past \
                 their time limit); try again later",
                config.max_queries,
                config.timeout.as_secs_f64()
            ),
        );
    };
    let (tx, rx) = mpsc::channel();
    let store: Store = shared.store.clone();
    let max = config.max_results;
    let spawned = std::thread::Builder::new()
        .name("claimgraph sparql query".into())
        .spawn(move || {
            let _guard = guard;
            let result = match prepared.on_store(&store).execute() {
                Ok(results) => write_results(results, &accept, max),
                Err(e) => Err(Failure::Eval(e)),
            };
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Response::text(503, format!("cannot start a query thread: {e}"));
    }
    let outcome = match rx.recv_timeout(config.timeout) {
        Ok(r) => r,
        Err(_) => {
            token.cancel();
            return Response::text(503, timeout_message(config.timeout));
        }
    };
    match outcome {
        Ok(done) => {
            let mut resp = Response::new(200, done.media, done.body).with_header("Vary", "Accept");
            if done.truncated {
                resp = resp.with_header("X-SPARQL-MaxRows", max.to_string());
            }
            resp
        }
        Err(Failure::NotAcceptable(msg)) => Response::text(406, msg),
        Err(Failure::Eval(QueryEvaluationError::Cancelled)) => {
            Response::text(503, timeout_message(config.timeout))
        }
        Err(Failure::Eval(e)) => Response::text(500, format!("query evaluation failed: {e}")),
        Err(Failure::Io(e)) => Response::text(500, format!("writing the results failed: {e}")),
    }
}

/// Whether a text that is not a valid query starts, after its prologue, with an update
/// operation keyword (`INSERT`, `DELETE`, `LOAD`, ...).
fn looks_like_update(text: &str) -> bool {
    let mut words = Vec::new();
    for line in text.lines() {
        // Drop comments (a `#` inside an IRI of a prologue is rare enough to ignore here).
        let line = line.split('#').next().unwrap_or("");
        words.extend(line.split_whitespace().map(|w| w.to_ascii_uppercase()));
    }
    let mut i = 0;
    while i < words.len() {
        match words[i].as_str() {
            "PREFIX" => i += 3,
            "BASE" => i += 2,
            w => {
                return [
                    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                    "WITH",
                ]
                .iter()
                .any(|k| w == *k || w.starts_with(&format!("{k}{{")))
            }
        }
    }
    false
}

fn timeout_message(t: Duration) -> String {
    format!(
        "query timed out after {:.1} s and was cancelled (the server's --timeout); \
         narrow the query or add a LIMIT",
        t.as_secs_f64()
    )
}

/// The number of queries being evaluated, with a condition variable to wait for a free slot.
#[derive(Default)]
pub(super) struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    /// Takes one of `max` slots, waiting up to `wait` for one to free.
    fn acquire(slots: &Arc<Slots>, max: usize, wait: Duration) -> Option<Running> {
        let deadline = Instant::now() + wait;
        let mut used = slots.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= max {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            used = slots
                .freed
                .wait_timeout(used, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *used += 1;
        Some(Running(Arc::clone(slots)))
    }
}

/// A taken slot, given back on drop.
struct Running(Arc<Slots>);

impl Drop for Running {
    fn drop(&mut self) {
        let mut used = self.0.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= 1;
        self.0.freed.notify_one();
    }
}

struct Done {
    media: &'static str,
    body: Vec<u8>,
    truncated: bool,
}

enum Failure {
    NotAcceptable(String),
    Eval(QueryEvaluationError),
    Io(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e.to_string())
    }
}

/// Serializes at most `max` solutions or triples; `truncated` tells whether more existed.
fn write_results(results: QueryResults, accept: &str, max: usize) -> Result<Done, Failure> {
    let graph = matches!(results, QueryResults::Graph(_));
    let (format, media) = negotiate(accept, graph).map_err(Failure::NotAcceptable)?;
    let mut body = Vec::new();
    let mut truncated = false;
    match (results, format) {
        (QueryResults::Solutions(solutions), Format::Results(f)) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            let mut ser = QueryResultsSerializer::from_format(f)
                .serialize_solutions_to_writer(&mut body, variables)?;
            for (i, s) in solutions.enumerate() {
                let s = s.map_err(Failure::Eval)?;
                if i >= max {
                    truncated = true;
                    break;
                }
                ser.serialize(&s)?;
            }
            ser.finish()?;
        }
        (QueryResults::Boolean(b), Format::Results(f)) => {
            QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(&mut body, b)?;
            if !body.ends_with(b"\n") {
                body.push(b'\n');
            }
        }
        (QueryResults::Graph(triples), Format::Rdf(f)) => {
            let mut ser = RdfSerializer::from_format(f);
            if f == RdfFormat::Turtle {
                for (p, iri) in prefixes() {
                    ser = ser
                        .with_prefix(p, iri)
                        .expect("predeclared prefixes are valid IRIs");
                }
            }
            let mut ser = ser.for_writer(&mut body);
            for (i, t) in triples.enumerate() {
                let t = t.map_err(Failure::Eval)?;
                if i >= max {
                    truncated = true;
                    break;
                }
                ser.serialize_triple(&t)?;
            }
            ser.finish()?;
        }
        _ => unreachable!("negotiate picks a format of the result kind"),
    }
    Ok(Done {
        media: if media == "text/plain" {
            "text/plain; charset=utf-8"
        } else {
            media
        },
        body,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates() {
        let r = |a: &str| negotiate(a, false).map(|(_, m)| m);
        let g = |a: &str| negotiate(a, true).map(|(_, m)| m);
        assert_eq!(r(""), Ok("application/sparql-results+json"));
        assert_eq!(r("*/*"), Ok("application/sparql-results+json"));
        assert_eq!(r("text/csv"), Ok("text/csv"));
        assert_eq!(
            r("text/csv;q=0.5, application/sparql-results+xml"),
            Ok("application/sparql-results+xml")
        );
        assert_eq!(
            r("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Ok("application/sparql-results+xml")
        );
        assert_eq!(r("text/*"), Ok("application/sparql-results+xml"));
        assert!(r("image/png").is_err());
        assert!(r("application/json;q=0").is_err());
        assert_eq!(g(""), Ok("text/turtle"));
        assert_eq!(g("application/n-triples"), Ok("application/n-triples"));
        assert_eq!(g("application/rdf+xml"), Ok("application/rdf+xml"));
        assert!(g("application/sparql-results+json").is_err());
        assert!(looks_like_update(
            "PREFIX ex: <http://e/#x>\n# c\ninsert data { <a> <b> <c> }"
        ));
        assert!(looks_like_update("DELETE{?s ?p ?o} WHERE {?s ?p ?o}"));
        assert!(!looks_like_update("SELEC ?x"));
        assert!(!looks_like_update("PREFIX d: <http://e/> SELECT * {}"));
    }
}
