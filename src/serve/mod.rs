//! A read-only SPARQL 1.1 Protocol endpoint over an in-memory store (`claimgraph serve`).
//!
//! - `GET /sparql?query=...`, `POST /sparql` with an `application/sparql-query` body or an
//!   `application/x-www-form-urlencoded` body holding `query=...`; `default-graph-uri` and
//!   `named-graph-uri` parameters are honoured.
//! - Content negotiation on `Accept` (or a `format=` parameter: `json`, `xml`, `csv`, `tsv`,
//!   `ttl`, `nt`, `rdfxml`): SPARQL JSON (default), XML, CSV and TSV results for SELECT and
//!   ASK; Turtle (default), N-Triples and RDF/XML for CONSTRUCT and DESCRIBE.
//! - As in `claimgraph query`, the default graph is the union of the article graphs and the
//!   `cg: id: schema: prov: nif: rdf: rdfs: xsd:` prefixes are predeclared.
//! - Read-only: SPARQL Update (an `application/sparql-update` body, an `update=` parameter, or
//!   an update sent as a query) answers 403.
//! - Limits: each query runs on a worker thread and is cancelled after [`Config::timeout`]
//!   (503); at most [`Config::max_results`] solutions or triples are returned, and a cut
//!   result carries the header `X-SPARQL-MaxRows: N`.
//! - `GET /` is a small HTML page with an example query and a form.
//!
//! The server is a small thread-per-connection HTTP/1.1 server on `std::net` (keep-alive,
//! bounded connections, bounded request sizes), see [`start`].

mod http;
mod sparql;

use anyhow::{Context, Result};
use http::{ReadError, Request, Response};
use oxigraph::store::Store;
use std::io::BufReader;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Server settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (see [`Handle::port`]).
    pub bind: SocketAddr,
    /// Time limit of one query (evaluation and serialization).
    pub timeout: Duration,
    /// Most solutions (SELECT) or triples (CONSTRUCT, DESCRIBE) in one response.
    pub max_results: usize,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Most connections served at once; beyond it new connections get a 503.
    pub max_connections: usize,
    /// How long an idle keep-alive connection (or a slow request) is waited for.
    pub idle_timeout: Duration,
    /// Most queries evaluated at once, counting queries still running after their timeout
    /// (see [`start`]); further queries wait for a slot, up to [`Config::timeout`], then
    /// get a 503.
    pub max_queries: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 7878)),
            timeout: Duration::from_secs(10),
            max_results: 10_000,
            max_body: 1 << 20,
            max_connections: 64,
            idle_timeout: Duration::from_secs(15),
            max_queries: std::thread::available_parallelism()
                .map_or(4, |n| 2 * n.get())
                .max(4),
        }
    }
}

/// A running server: its address, and [`Handle::shutdown`] (also done on drop).
pub struct Handle {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on (useful after binding port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The endpoint URL, e.g. `http://127.0.0.1:7878/sparql`.
    pub fn url(&self) -> String {
        format!("http://{}/sparql", self.addr)
    }

    /// Stops accepting connections and waits for the listener thread. Open connections
    /// finish their current request and close.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    /// Blocks while the server runs (until another thread shuts it down).
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn stop_now(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            // Wake the blocking accept() with a connection of our own.
            let mut wake = self.addr;
            if wake.ip().is_unspecified() {
                wake.set_ip(if wake.is_ipv4() {
                    std::net::Ipv4Addr::LOCALHOST.into()
                } else {
                    std::net::Ipv6Addr::LOCALHOST.into()
                });
            }
            let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
            let _ = t.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// What the connection threads share.
struct Shared {
    store: Store,
    config: Config,
    /// Queries being evaluated, including those abandoned after their timeout.
    running: Arc<sparql::Slots>,
}

/// Starts serving `store` in background threads; returns once the socket is bound.
///
/// A query that passes its time limit is answered with 503 and cancelled. Oxigraph checks
/// the cancellation when it reads the store, so most queries stop at once; a query stuck in
/// an in-memory join (a cross product of large patterns) keeps its thread busy until that
/// join ends. Such threads count against [`Config::max_queries`], which bounds the damage.
pub fn start(store: Store, config: Config) -> Result<Handle> {
    let listener =
        TcpListener::bind(config.bind).with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    let mut config = config;
    config.bind = addr;
    let stop = Arc::new(AtomicBool::new(false));
    let active = Arc::new(AtomicUsize::new(0));
    let shared = Arc::new(Shared {
        store,
        config,
        running: Arc::new(sparql::Slots::default()),
    });
    let thread = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("claimgraph serve: listener".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let config = &shared.config;
                    if active.load(Ordering::SeqCst) >= config.max_connections {
                        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                        let mut s = stream;
                        let _ = Response::text(
                            503,
                            format!(
                                "too many connections (the limit is {})",
                                config.max_connections
                            ),
                        )
                        .write_to(&mut s, false, false);
                        continue;
                    }
                    active.fetch_add(1, Ordering::SeqCst);
                    let active2 = Arc::clone(&active);
                    let shared = Arc::clone(&shared);
                    let stop = Arc::clone(&stop);
                    let spawned = std::thread::Builder::new()
                        .name("claimgraph serve: connection".into())
                        .spawn(move || {
                            connection(stream, &shared, &stop);
                            active2.fetch_sub(1, Ordering::SeqCst);
                        });
                    if spawned.is_err() {
                        active.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            })
            .context("starting the listener thread")?
    };
    Ok(Handle {
        addr,
        stop,
        thread: Some(thread),
    })
}

/// Serves the requests of one connection until it closes.
fn connection(stream: TcpStream, shared: &Shared, stop: &AtomicBool) {
    let config = &shared.config;
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(config.idle_timeout));
    let _ = stream.set_write_timeout(Some(config.idle_timeout.max(Duration::from_secs(5))));
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        let req = match http::read_request(&mut reader, config.max_body) {
            Ok(r) => r,
            Err(ReadError::Bad(status, msg)) => {
                let _ = cors(Response::text(status, msg)).write_to(&mut writer, false, false);
                return;
            }
            Err(ReadError::Closed | ReadError::Io) => return,
        };
        let keep_alive = req.keep_alive && !stop.load(Ordering::SeqCst);
        let resp = cors(route(&req, shared));
        let head_only = req.method == "HEAD";
        if resp.write_to(&mut writer, keep_alive, head_only).is_err() || !keep_alive {
            return;
        }
    }
}

fn cors(resp: Response) -> Response {
    // Read-only public data: browser tools such as YASGUI may query it from any origin.
    resp.with_header("Access-Control-Allow-Origin", "*")
}

fn route(req: &Request, shared: &Shared) -> Response {
    let config = &shared.config;
    if req.method == "OPTIONS" {
        return Response::new(204, "text/plain", Vec::new())
            .with_header("Allow", "GET, HEAD, POST, OPTIONS")
            .with_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
            .with_header("Access-Control-Allow-Headers", "Accept, Content-Type")
            .with_header("Access-Control-Max-Age", "86400");
    }
    match req.path.as_str() {
        "/sparql" | "/query" => sparql::handle(req, shared),
        "/" | "/index.html" => match req.method.as_str() {
            "GET" | "HEAD" => Response::new(200, "text/html; charset=utf-8", page(config)),
            _ => Response::text(405, "use GET on /").with_header("Allow", "GET, HEAD, OPTIONS"),
        },
        other => Response::text(
            404,
            format!("no such page {other:?}: the SPARQL endpoint is /sparql, the form is /"),
        ),
    }
}

/// The example query of the HTML page.
pub const EXAMPLE_QUERY: &str = "SELECT ?speaker (COUNT(DISTINCT ?s) AS ?statements) \
(COUNT(DISTINCT ?article) AS ?articles)\nWHERE { ?s a cg:Statement ; cg:speaker ?speaker ; \
prov:wasDerivedFrom ?article }\nGROUP BY ?speaker ORDER BY DESC(?statements) LIMIT 20";

fn page(config: &Config) -> String {
    let escaped = EXAMPLE_QUERY
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    include_str!("page.html")
        .replace("{{QUERY}}", &escaped)
        .replace("{{TIMEOUT}}", &format!("{}", config.timeout.as_secs_f64()))
        .replace("{{MAX}}", &config.max_results.to_string())
        .replace("{{HOST}}", &config.bind.to_string())
}
