//! The claimgraph command line. Every flag is documented here, in one place.

use anyhow::{Context, Result};
use claimgraph::export::{self, Format};
use claimgraph::ingest::{self, InputError};
use claimgraph::pipeline::RunNames;
use claimgraph::{Findings, Lexicon, Pipeline};
use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// mimalloc: the graph build makes and frees millions of small strings and vectors, and
/// glibc's malloc spent a quarter of the run on them (malloc, free and the page faults of a
/// heap that does not reuse what it freed; `bench --mb 10 --threads 1` end to end 0.80-0.85
/// -> 0.73-0.76 CPU s). Without transparent huge pages (feature `no_thp`): they halve the
/// page faults when the kernel has free huge pages, and cost 0.3 s of compaction when not
/// (measured again in stop 19: 0.08-0.40 s of system time per 10 MB run, by whether the
/// huge pages had to be backed anew). Called through its C API ([`claimgraph::allocator`]).
/// The library leaves the allocator to its users.
#[global_allocator]
static ALLOCATOR: claimgraph::allocator::Mimalloc = claimgraph::allocator::Mimalloc;

#[derive(Parser)]
#[command(
    name = "claimgraph",
    version,
    about = "Turn English news articles into a knowledge graph of who said what, about whom, and who did what to whom.",
    after_help = "Examples:\n  claimgraph build                       # seeds/ -> exports/\n  claimgraph build news/ more.jsonl -o out\n  claimgraph query 'SELECT ?s WHERE { ?s a <https://w3id.org/claimgraph/ontology#Person> }'\n  claimgraph eval --gold ../shared/gold/seeds.json seeds/"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the graph from articles and write the exports.
    #[command(
        after_help = "Examples:\n  claimgraph build                          # seeds/ into exports/\n  claimgraph build article.txt -o out --format ttl,json\n  cat article.txt | claimgraph build - -o out\n  claimgraph build corpus.jsonl --base https://example.org/kg/\n  claimgraph build --store kg today/         # add to the persistent store kg/ (feature store)\n\nInputs: .txt files, folders (searched recursively for .txt and .jsonl), .jsonl files with one\n{\"id\",\"text\",\"title\"?,\"date\"?,\"source\"?,\"url\"?} record per line, or - for stdin.\nExit status: 0 when every input was read, 1 when any input failed (the rest is still built),\n2 on a usage or output error."
    )]
    Build(BuildArgs),
    /// Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over a built graph.
    #[command(
        after_help = "Examples:\n  claimgraph query 'PREFIX cg: <https://w3id.org/claimgraph/ontology#>\n    SELECT ?who ?text WHERE { ?who cg:says ?s . ?s cg:text ?text }'\n  claimgraph query --file questions.rq --output csv\n  claimgraph query --graph out/graph.ttl 'ASK { ?s ?p ?o }'\n\nThe default graph is the union of all named graphs (one per article)."
    )]
    Query(QueryArgs),
    /// Show what the pipeline finds in one article: sentences, mentions, attributions,
    /// relations (for checking rules and lexicon edits).
    #[command(after_help = "Example:\n  claimgraph inspect seeds/001_da0d72e0fb9dfab8.txt")]
    Inspect(InspectArgs),
    /// Score extraction against gold annotations (seeds gold JSON or PolNeAR).
    #[command(
        after_help = "Examples:\n  claimgraph eval --gold ../shared/gold/seeds.json seeds/\n  claimgraph eval --polnear ../shared/data/polnear/data/dev"
    )]
    Eval(EvalArgs),
    /// Serve a built graph over HTTP as a read-only SPARQL 1.1 Protocol endpoint.
    #[command(
        after_help = "Examples:\n  claimgraph serve                                  # exports/graph.nq on http://127.0.0.1:7878/\n  claimgraph serve --graph out/graph.nq --bind 127.0.0.1:8000 --timeout 5\n  claimgraph serve --store kg                       # a store built with build --store\n  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?who ?text WHERE { ?who cg:says ?s . ?s cg:text ?text }' http://127.0.0.1:7878/sparql\n\nGET /sparql?query=..., or POST an application/sparql-query body or a query=... form.\nResults by Accept (or format=json|xml|csv|tsv|ttl|nt|rdfxml): SPARQL JSON, XML, CSV, TSV;\nTurtle, N-Triples or RDF/XML for CONSTRUCT/DESCRIBE. The default graph is the union of the\narticle graphs. Updates answer 403. A form with an example query is at /."
    )]
    Serve(ServeArgs),
}

#[derive(Args)]
struct BuildArgs {
    /// Articles: files, folders, *.jsonl, or - for stdin [default: seeds/]
    inputs: Vec<PathBuf>,
    /// Output folder [default: exports; with --store, exports are written only when -o or
    /// --format is given].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Comma-separated export formats: ttl, nt, nq, trig, jsonld, dot, json, csv, graphml
    /// [default: ttl,nq,dot,json].
    #[arg(long, value_delimiter = ',')]
    format: Vec<String>,
    /// Add the articles to the persistent store in this folder (created if needed) and
    /// resolve them with the articles stored before: a node keeps its IRI across builds.
    /// Without inputs, re-reads the stored articles with the current rules. Needs the
    /// cargo feature `store`.
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Base IRI of the graph's nodes.
    #[arg(long, default_value = "https://w3id.org/claimgraph/id/")]
    base: String,
    /// Folder of lexicon files to use instead of the built-in schema/ files.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Worker threads (default: all cores). Output is identical for any number.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    /// graph.dot/svg: draw only the neighbourhood of the node with this label, alias or id
    /// (ignoring case), e.g. --focus "Wei Xiaojun". Other formats stay complete.
    #[arg(long, value_name = "NAME")]
    focus: Option<String>,
    /// With --focus: how many edges away from the node to draw.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "focus")]
    depth: usize,
    /// graph.dot/svg: also draw Article nodes with their mentions and authored_by edges.
    #[arg(long)]
    mentions: bool,
}

#[derive(Args)]
struct QueryArgs {
    /// The SPARQL query text (or use --file).
    query: Option<String>,
    /// Read the query from a file.
    #[arg(long, conflicts_with = "query")]
    file: Option<PathBuf>,
    /// The graph to query: .nq, .trig, .ttl or .nt.
    #[arg(long, default_value = "exports/graph.nq")]
    graph: PathBuf,
    /// Query the persistent store in this folder instead (see `build --store`).
    #[arg(long, value_name = "DIR", conflicts_with = "graph")]
    store: Option<PathBuf>,
    /// Result format: table, csv, tsv, json (SELECT/ASK); CONSTRUCT/DESCRIBE print Turtle
    /// (or N-Triples with --output nt).
    #[arg(long, short = 'o', default_value = "table")]
    output: String,
}

#[derive(Args)]
struct InspectArgs {
    /// The article (a .txt file, or - for stdin).
    input: PathBuf,
    /// Folder of lexicon files to use instead of the built-in ones.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Also list every sentence.
    #[arg(long)]
    sentences: bool,
}

#[derive(Args)]
struct EvalArgs {
    /// Gold annotations of the seed articles (../shared/gold/seeds.json).
    #[arg(long)]
    gold: Option<PathBuf>,
    /// A PolNeAR split folder holding text/ and attributions/.
    #[arg(long)]
    polnear: Option<PathBuf>,
    /// A CrossRE news JSON-lines split: entity precision and recall per type.
    #[arg(long)]
    crossre: Option<PathBuf>,
    /// Articles to build for --gold [default: seeds/].
    inputs: Vec<PathBuf>,
    /// Print every missed and spurious item.
    #[arg(short, long)]
    verbose: bool,
    /// Folder of lexicon files to use instead of the built-in ones (to measure an edit).
    #[arg(long)]
    schema: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    /// The graph to serve: .nq, .trig, .ttl, .nt or .jsonld (loaded into memory).
    #[arg(long, default_value = "exports/graph.nq")]
    graph: PathBuf,
    /// Serve the persistent store in this folder instead, read-only, from disk (see
    /// `build --store`; restart the server after a build into it).
    #[arg(long, value_name = "DIR", conflicts_with = "graph")]
    store: Option<PathBuf>,
    /// Address and port to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: std::net::SocketAddr,
    /// Time limit of one query in seconds (503 beyond).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Most solutions or triples in one response (header X-SPARQL-MaxRows when cut).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_results: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("claimgraph: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(a) => build(a),
        Command::Query(a) => query(a),
        Command::Eval(a) => eval(a),
        Command::Inspect(a) => inspect(a),
        Command::Serve(a) => serve(a),
    }
}

fn lexicon(schema: Option<&Path>) -> Result<Lexicon> {
    match schema {
        Some(dir) => Lexicon::load(dir),
        None => Ok(Lexicon::builtin()),
    }
}

/// Reads and analyzes every input; returns findings in input order and the input errors.
/// Two passes give the lowercased articles the names of the run (see `RunNames`): the
/// cased articles first, then the lowercased ones, re-read from their files (held in
/// memory only from stdin, which cannot be read twice), with the names the cased ones found.
pub fn analyze_inputs(
    inputs: &[PathBuf],
    pipeline: &Pipeline,
    quiet: bool,
) -> (Vec<Findings>, Vec<InputError>) {
    let mut errors = Vec::new();
    let list = ingest::collect(inputs, &mut errors);
    let progress = !quiet && std::io::stderr().is_terminal() && list.len() > 50;
    let mut findings = Vec::new();
    let mut with_lowercased = Vec::new();
    let mut held_from_stdin = Vec::new();
    let mut batches = Batches::default();
    for (n, input) in list.iter().enumerate() {
        let mut lowercased = false;
        let mut seq = 0;
        ingest::read(input, &mut errors, &mut |d| {
            let at = (n, seq);
            seq += 1;
            if !claimgraph::text::is_lowercased(&d.text) {
                batches.0.push((at, d));
            } else if *input == ingest::Input::Stdin {
                held_from_stdin.push((at, d));
            } else {
                lowercased = true;
            }
        });
        if lowercased {
            with_lowercased.push(n);
        }
        batches.flush_when_full(pipeline, &mut findings, &mut errors);
        if progress && n % 50 == 0 {
            eprint!("\rclaimgraph: {n}/{} inputs", list.len());
        }
    }
    batches.flush(pipeline, &mut findings, &mut errors);
    if !with_lowercased.is_empty() || !held_from_stdin.is_empty() {
        let mut names = RunNames::default();
        findings.iter().for_each(|(_, f)| names.add(f));
        let pipeline = Pipeline::new(names.lexicon(&pipeline.lexicon));
        for n in with_lowercased {
            let mut seq = 0;
            // Reading problems were reported by the first pass.
            ingest::read(&list[n], &mut Vec::new(), &mut |d| {
                if claimgraph::text::is_lowercased(&d.text) {
                    batches.0.push(((n, seq), d));
                }
                seq += 1;
            });
            batches.flush_when_full(&pipeline, &mut findings, &mut errors);
        }
        batches.0.extend(held_from_stdin);
        batches.flush(&pipeline, &mut findings, &mut errors);
    }
    if progress {
        eprintln!("\rclaimgraph: {}/{} inputs", list.len(), list.len());
    }
    // Resolve reads the articles in input order (statement clusters depend on it).
    findings.sort_by_key(|(at, _)| *at);
    (findings.into_iter().map(|(_, f)| f).collect(), errors)
}

/// Where a document came from: (input index, document index within that input).
type InputPosition = (usize, usize);

/// Documents waiting to be analyzed in parallel: batches keep memory bounded by the graph,
/// not by the corpus text.
#[derive(Default)]
struct Batches(Vec<(InputPosition, claimgraph::Document)>);

impl Batches {
    const SIZE: usize = 256;

    fn flush_when_full(
        &mut self,
        pipeline: &Pipeline,
        findings: &mut Vec<(InputPosition, Findings)>,
        errors: &mut Vec<InputError>,
    ) {
        if self.0.len() >= Self::SIZE {
            self.flush(pipeline, findings, errors);
        }
    }

    fn flush(
        &mut self,
        pipeline: &Pipeline,
        findings: &mut Vec<(InputPosition, Findings)>,
        errors: &mut Vec<InputError>,
    ) {
        let done: Vec<_> = std::mem::take(&mut self.0)
            .into_par_iter()
            .map(|(at, d)| (at, pipeline.run_isolated(d)))
            .collect();
        for (at, r) in done {
            match r {
                Ok(f) => findings.push((at, f)),
                Err((path, message)) => errors.push(InputError {
                    path,
                    message,
                    fatal: true,
                }),
            }
        }
    }
}

/// Resolves on a worker of the thread pool that analyzed the articles, not on the main
/// thread: mimalloc's heaps are per thread, and a block freed by another thread waits in a
/// queue until its own thread allocates again (the workers are idle by then), so the
/// findings freed during resolve would not be reused and resolve would take fresh pages.
/// With one worker (`-j 1`) every free is local.
fn resolve_on_pool(findings: Vec<Findings>, lex: &Lexicon) -> claimgraph::Graph {
    rayon::scope(|_| claimgraph::resolve::build_from(findings, lex))
}

fn build(a: BuildArgs) -> Result<ExitCode> {
    let started = Instant::now();
    if let Some(n) = a.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .ok();
    }
    let mut formats = a
        .format
        .iter()
        .map(|f| Format::parse(f))
        .collect::<Result<Vec<_>>>()?;
    // A build into a store writes exports only when asked to.
    let exporting = a.store.is_none() || a.output.is_some() || !formats.is_empty();
    if formats.is_empty() && exporting {
        formats = Format::DEFAULT.to_vec();
    }
    let output = a.output.clone().unwrap_or_else(|| PathBuf::from("exports"));
    let lex = std::sync::Arc::new(lexicon(a.schema.as_deref())?);
    let pipeline = Pipeline::new(lex.clone());
    let (graph, articles, errors) = match &a.store {
        None => {
            let inputs = if a.inputs.is_empty() {
                vec![PathBuf::from("seeds")]
            } else {
                a.inputs.clone()
            };
            let (findings, errors) = analyze_inputs(&inputs, &pipeline, a.quiet);
            for e in &errors {
                eprintln!("claimgraph: {e}");
            }
            let count = findings.len();
            let graph = resolve_on_pool(findings, &lex);
            (graph, count, errors)
        }
        Some(dir) => build_into_store(dir, &a, &pipeline)?,
    };
    if exporting {
        std::fs::create_dir_all(&output)
            .with_context(|| format!("creating {}", output.display()))?;
    }
    let opts = export::Options {
        base: a.base.clone(),
        dot: export::dot::DotOptions {
            include_mentions: a.mentions,
            focus: a.focus.clone(),
            depth: a.depth,
        },
    };
    if let Some(name) = &a.focus {
        if formats.contains(&Format::Dot) {
            // An unknown name fails here, before any file is written.
            export::dot::focus(&graph, name, a.depth)?;
        } else {
            eprintln!("claimgraph: note: --focus only narrows graph.dot/svg (add --format dot)");
        }
    }
    let mut written = Vec::new();
    for f in formats {
        written.extend(export::write(&graph, f, &output, &opts)?);
    }
    if !a.quiet {
        let (nodes, edges) = graph.summary();
        println!("articles: {articles}");
        println!(
            "nodes: {} ({})",
            graph.g.node_count(),
            nodes
                .iter()
                .map(|(t, n)| format!("{} {n}", t.name()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "edges: {} ({})",
            graph.g.edge_count(),
            edges
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !written.is_empty() {
            println!(
                "wrote: {}",
                written
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        println!("time: {:.2?}", started.elapsed());
    }
    let failed = errors.iter().any(|e| e.fatal);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `build --store DIR`: reads the inputs, adds them to the store and brings it up to date
/// (see `claimgraph::store`). Returns the graph of every stored article, their number and
/// the input errors (printed).
fn build_into_store(
    dir: &Path,
    a: &BuildArgs,
    pipeline: &Pipeline,
) -> Result<(claimgraph::Graph, usize, Vec<InputError>)> {
    let store = claimgraph::store::open(dir)?;
    let mut errors = Vec::new();
    let mut docs = Vec::new();
    for input in ingest::collect(&a.inputs, &mut errors) {
        ingest::read(&input, &mut errors, &mut |d| docs.push(d));
    }
    let opts = export::Options {
        base: a.base.clone(),
        ..export::Options::default()
    };
    let update = claimgraph::store::update(&store, docs, pipeline, &opts)?;
    errors.extend(update.failed.iter().map(|(path, message)| InputError {
        path: path.clone(),
        message: message.clone(),
        fatal: true,
    }));
    for e in &errors {
        eprintln!("claimgraph: {e}");
    }
    if !a.quiet {
        println!(
            "store: {}: {} articles ({} new, {} replaced, {} unchanged); quads +{} -{}, {} in all",
            dir.display(),
            update.articles,
            update.new,
            update.replaced,
            update.unchanged,
            update.added,
            update.removed,
            update.quads
        );
    }
    Ok((update.graph, update.articles, errors))
}

fn query(a: QueryArgs) -> Result<ExitCode> {
    let text = match (&a.query, &a.file) {
        (Some(q), None) => q.clone(),
        (None, Some(f)) => {
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?
        }
        _ => anyhow::bail!("give the query as an argument or with --file"),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match &a.store {
        Some(dir) => {
            let store = claimgraph::store::open_read_only(dir)?;
            claimgraph::query::run_on(&store, &text, &a.output, &mut out)?;
        }
        None => claimgraph::query::run(&a.graph, &text, &a.output, &mut out)?,
    }
    std::io::Write::flush(&mut out)?;
    Ok(ExitCode::SUCCESS)
}

fn eval(a: EvalArgs) -> Result<ExitCode> {
    let lex = std::sync::Arc::new(lexicon(a.schema.as_deref())?);
    let pipeline = Pipeline::new(lex.clone());
    if let Some(dir) = &a.polnear {
        print!(
            "{}",
            claimgraph::eval::polnear::run(dir, &pipeline, a.verbose)?
        );
    }
    if let Some(file) = &a.crossre {
        print!(
            "{}",
            claimgraph::eval::crossre::run(file, &pipeline, a.verbose)?
        );
    }
    if let Some(gold) = &a.gold {
        let inputs = if a.inputs.is_empty() {
            vec![PathBuf::from("seeds")]
        } else {
            a.inputs.clone()
        };
        let (findings, errors) = analyze_inputs(&inputs, &pipeline, true);
        for e in &errors {
            eprintln!("claimgraph: {e}");
        }
        let graph = resolve_on_pool(findings, &lex);
        print!("{}", claimgraph::eval::gold::run(gold, &graph, a.verbose)?);
    }
    if a.polnear.is_none() && a.gold.is_none() && a.crossre.is_none() {
        anyhow::bail!("give --gold FILE, --polnear DIR and/or --crossre FILE");
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(a: InspectArgs) -> Result<ExitCode> {
    let lex = lexicon(a.schema.as_deref())?;
    let pipeline = Pipeline::new(lex);
    let mut errors = Vec::new();
    let inputs = ingest::collect(std::slice::from_ref(&a.input), &mut errors);
    let mut docs = Vec::new();
    for input in &inputs {
        ingest::read(input, &mut errors, &mut |d| docs.push(d));
    }
    for e in &errors {
        eprintln!("claimgraph: {e}");
    }
    for mut doc in docs {
        pipeline.analyze(&mut doc);
        print!("{}", claimgraph::document::describe(&doc, a.sentences));
    }
    Ok(if errors.iter().any(|e| e.fatal) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn serve(a: ServeArgs) -> Result<ExitCode> {
    use claimgraph::serve;
    if !(a.timeout > 0.0 && a.timeout.is_finite()) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let started = Instant::now();
    let (store, source) = match &a.store {
        Some(dir) => (
            claimgraph::store::open_read_only(dir)?,
            format!("the store {}", dir.display()),
        ),
        None => (
            claimgraph::query::load(&a.graph)?,
            a.graph.display().to_string(),
        ),
    };
    let quads = store.len().context("counting the quads")?;
    let config = serve::Config {
        bind: a.bind,
        timeout: std::time::Duration::from_secs_f64(a.timeout),
        max_results: a.max_results,
        ..serve::Config::default()
    };
    let handle = serve::start(store, config)?;
    if !handle.addr().ip().is_loopback() {
        eprintln!(
            "claimgraph: warning: listening on {}, reachable from other machines",
            handle.addr()
        );
    }
    eprintln!(
        "claimgraph: serving {quads} quads of {source} (opened in {:.1} s) at {} (form at http://{}/); Ctrl-C stops",
        started.elapsed().as_secs_f64(),
        handle.url(),
        handle.addr()
    );
    handle.join();
    Ok(ExitCode::SUCCESS)
}
