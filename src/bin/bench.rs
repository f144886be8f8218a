//! Throughput benchmark: MB/s and words/s per stage and end to end, on one thread and on
//! all cores, with peak memory (VmHWM).
//!
//! ```sh
//! cargo run --release --bin bench -- --mb 10            # PolNeAR train+dev text (or seeds/), repeated
//! cargo run --release --bin bench -- --mb 100 --threads 1
//! cargo run --release --bin bench -- --synthetic --mb 100   # generated articles, many distinct names
//! cargo run --release --bin bench -- --synthetic --articles 100000 --threads 1   # resolution scale
//! cargo run --release --bin bench -- DIR... --formats ttl,nq,dot,json
//! ```
//!
//! Without `--threads` it runs itself twice (1 thread, then all cores) in child processes,
//! so each run reports its own peak memory. Articles stream in batches like `claimgraph
//! build`: the corpus is re-read from disk (or regenerated) for each repetition, never held
//! whole, and repeated articles get distinct ids.

/// The allocator `claimgraph` uses (see src/main.rs), so the figures are the tool's.
#[global_allocator]
static ALLOCATOR: claimgraph::allocator::Mimalloc = claimgraph::allocator::Mimalloc;

use claimgraph::export::{self, Format};
use claimgraph::ingest::metadata::{self, Boilerplate};
use claimgraph::ingest::{self, Input};
use claimgraph::{extract, text, Document, Findings, Lexicon, Pipeline};
use rayon::prelude::*;
use std::cell::{Cell, RefCell};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const STAGES: [&str; 7] = [
    "ingest+metadata",
    "text",
    "entities",
    "attribution",
    "relations",
    "findings",
    "resolve",
];

struct Opts {
    dirs: Vec<PathBuf>,
    mb: f64,
    /// Stop after this many articles instead of `mb`.
    articles: Option<usize>,
    threads: Option<usize>,
    synthetic: bool,
    formats: Vec<Format>,
}

fn usage() -> ! {
    eprintln!(
        "usage: bench [DIR...] [--mb N | --articles N] [--threads N] [--synthetic] [--formats LIST]\n\
         DIR: corpus folders (default: PolNeAR train+dev text when present, else seeds/)\n\
         --mb N: repeat the corpus (or generate articles) up to N MB [default: 10]\n\
         --articles N: repeat the corpus (or generate articles) up to N articles\n\
         --threads N: one run on N threads (default: a 1-thread and an all-cores run)\n\
         --synthetic: generated articles with many distinct names, agencies and quotes\n\
         --formats LIST: export formats [default: json]"
    );
    std::process::exit(2)
}

fn parse_args() -> Opts {
    let mut o = Opts {
        dirs: Vec::new(),
        mb: 10.0,
        articles: None,
        threads: None,
        synthetic: false,
        formats: vec![Format::Json],
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--mb" => o.mb = value().parse().unwrap_or_else(|_| usage()),
            "--articles" => o.articles = Some(value().parse().unwrap_or_else(|_| usage())),
            "--threads" | "-j" => o.threads = Some(value().parse().unwrap_or_else(|_| usage())),
            "--synthetic" => o.synthetic = true,
            "--formats" => {
                o.formats = value()
                    .split(',')
                    .map(|f| Format::parse(f).unwrap_or_else(|_| usage()))
                    .collect()
            }
            "-h" | "--help" => usage(),
            _ if a.starts_with('-') => usage(),
            _ => o.dirs.push(PathBuf::from(a)),
        }
    }
    if o.dirs.is_empty() && !o.synthetic {
        for split in ["train", "dev"] {
            for root in ["../shared", "/work/shared"] {
                let d = PathBuf::from(format!("{root}/data/polnear/data/{split}/text"));
                if d.is_dir() {
                    o.dirs.push(d);
                    break;
                }
            }
        }
        if o.dirs.is_empty() {
            o.dirs.push(PathBuf::from("seeds"));
        }
    }
    o
}

fn main() {
    let o = parse_args();
    match o.threads {
        Some(n) => run(&o, n.max(1)),
        None => {
            // One child process per thread count, so each reports its own peak memory.
            let exe = std::env::current_exe().expect("current exe");
            let all = std::thread::available_parallelism().map_or(1, |n| n.get());
            let mut counts = vec![1];
            if all > 1 {
                counts.push(all);
            }
            for n in counts {
                let mut args: Vec<String> = std::env::args().skip(1).collect();
                args.extend(["--threads".to_string(), n.to_string()]);
                let status = Command::new(&exe).args(&args).status().expect("run bench");
                if !status.success() {
                    std::process::exit(1);
                }
            }
        }
    }
}

/// Where the articles come from: corpus files read again for each repetition, or the
/// generator.
enum Source {
    Files(Vec<Input>),
    Synthetic,
}

thread_local! {
    /// Wall time per per-article stage on this worker since the batch began.
    static STAGE_WALL: RefCell<[Duration; 6]> = const { RefCell::new([Duration::ZERO; 6]) };
    /// This worker's CPU clock when the batch began.
    static BATCH_CPU: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// CPU time of the calling thread: unlike wall time, it does not count the time other
/// processes take on a shared machine.
fn thread_cpu() -> Duration {
    cpu_clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// A CPU-time clock (`CLOCK_THREAD_CPUTIME_ID`, `CLOCK_PROCESS_CPUTIME_ID`), to the
/// nanosecond (/proc/self/stat counts in hundredths of a second).
fn cpu_clock(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into; the clock ids are libc constants.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// The per-article stages (the same calls as `Pipeline::run`), timed by wall time
/// (`Instant`, read without a system call). A worker's CPU time is read once per batch
/// and shared among the stages by their wall time ([`batch_stage_cpu`]): reading the CPU
/// clock (a system call) around every article cost 1% of the run it measured.
fn analyze(p: &Pipeline, mut doc: Document) -> Findings {
    let mut marks = [Instant::now(); 7];
    metadata::detect(&mut doc, Boilerplate::builtin());
    marks[1] = Instant::now();
    text::analyze(&mut doc, &p.lexicon);
    marks[2] = Instant::now();
    extract::entities::extract(&mut doc, &p.lexicon);
    marks[3] = Instant::now();
    extract::attribution::extract(&mut doc, &p.lexicon);
    marks[4] = Instant::now();
    extract::relations::extract(&mut doc, &p.lexicon);
    marks[5] = Instant::now();
    let findings = Findings::take_from(&mut doc);
    marks[6] = Instant::now();
    STAGE_WALL.with(|s| {
        let mut s = s.borrow_mut();
        for (stage, wall) in s.iter_mut().enumerate() {
            *wall += marks[stage + 1].duration_since(marks[stage]);
        }
    });
    findings
}

/// On a worker at the end of a batch: the CPU time it spent on the batch, shared among
/// the stages by their wall time. (The worker's idle spinning while others finish counts
/// in, as it does in the end-to-end figure.)
fn batch_stage_cpu() -> [Duration; 6] {
    let cpu = thread_cpu().saturating_sub(BATCH_CPU.get());
    let wall = STAGE_WALL.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let total = wall.iter().sum::<Duration>().as_secs_f64();
    if total == 0.0 {
        return [Duration::ZERO; 6];
    }
    wall.map(|w| cpu.mul_f64(w.as_secs_f64() / total))
}

fn run(o: &Opts, threads: usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let lex = std::sync::Arc::new(Lexicon::builtin());
    let pipeline = Pipeline::new(lex.clone());
    let source = if o.synthetic {
        Source::Synthetic
    } else {
        let mut errors = Vec::new();
        let list = ingest::collect(&o.dirs, &mut errors);
        if list.is_empty() {
            eprintln!("bench: no articles in {:?}", o.dirs);
            std::process::exit(2);
        }
        Source::Files(list)
    };
    let target = (o.mb * 1e6) as usize;
    // Whether the corpus is complete after `bytes` and `articles`.
    let enough = |bytes: usize, articles: usize| match o.articles {
        Some(n) => articles >= n,
        None => bytes >= target,
    };
    let started = Instant::now();
    let cpu_at_start = cpu_seconds();
    let mut bytes = 0usize;
    let mut words = 0usize;
    let mut articles = 0usize;
    let mut ingest_time = Duration::ZERO;
    let mut findings: Vec<Findings> = Vec::new();
    let mut batch: Vec<Document> = Vec::new();
    let mut stage_total = [Duration::ZERO; 7];
    // The main thread's CPU clock when it last started reading: what it spends between
    // batches is reading articles (and the bench's counting), read once per batch.
    let mut reading_since = thread_cpu();
    let mut flush = |batch: &mut Vec<Document>, findings: &mut Vec<Findings>| {
        ingest_time += thread_cpu().saturating_sub(reading_since);
        let docs = std::mem::take(batch);
        let (done, times): (Vec<Findings>, Vec<[Duration; 6]>) = pool.install(|| {
            rayon::broadcast(|_| BATCH_CPU.set(thread_cpu()));
            let done: Vec<Findings> = docs
                .into_par_iter()
                .map(|d| analyze(&pipeline, d))
                .collect();
            // Collect every worker's stage times.
            (done, rayon::broadcast(|_| batch_stage_cpu()))
        });
        for t in times {
            for (acc, d) in stage_total.iter_mut().zip(t) {
                *acc += d;
            }
        }
        findings.extend(done);
        reading_since = thread_cpu();
    };
    let mut rep = 0usize;
    // Adds one article to the batch, counting its bytes and words.
    let mut take = |mut doc: Document, rep: usize, batch: &mut Vec<Document>| {
        if rep > 0 {
            doc.id = format!("r{rep}-{}", doc.id);
        }
        bytes += doc.text.len();
        words += count_words(doc.text.as_bytes());
        articles += 1;
        batch.push(doc);
        enough(bytes, articles)
    };
    let mut complete = false;
    let mut any_read = false;
    'outer: loop {
        match &source {
            Source::Files(list) => {
                for input in list {
                    let mut docs = Vec::new();
                    let mut errors = Vec::new();
                    ingest::read(input, &mut errors, &mut |d| docs.push(d));
                    let mut read_one = false;
                    for d in docs {
                        read_one = true;
                        complete = take(d, rep, &mut batch);
                        if complete {
                            break;
                        }
                    }
                    any_read |= read_one;
                    if batch.len() >= 256 {
                        flush(&mut batch, &mut findings);
                    }
                    if complete {
                        break 'outer;
                    }
                }
                if !any_read {
                    break; // every input failed
                }
                rep += 1;
            }
            Source::Synthetic => {
                let doc = synthetic_article(rep as u64);
                rep += 1;
                complete = take(doc, 0, &mut batch);
                if batch.len() >= 256 {
                    flush(&mut batch, &mut findings);
                }
                if complete {
                    break 'outer;
                }
            }
        }
    }
    flush(&mut batch, &mut findings);
    let analyzed = started.elapsed();
    let resident_after_extraction = memory("VmRSS");

    // On the pool's thread, which allocated the findings: an allocator with per-thread
    // heaps (mimalloc) frees them there at once instead of queueing cross-thread frees.
    let (graph, resolve_time) = pool.install(|| {
        let t = thread_cpu();
        let graph = claimgraph::resolve::build_from(findings, &lex);
        (graph, thread_cpu().saturating_sub(t))
    });
    stage_total[6] = resolve_time;
    let out = std::env::temp_dir().join(format!("claimgraph-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("output folder");
    let t = thread_cpu();
    for f in &o.formats {
        export::write(&graph, *f, &out, &export::Options::default()).expect("export");
    }
    let export_time = thread_cpu().saturating_sub(t);
    let total = started.elapsed();
    let cpu = cpu_seconds() - cpu_at_start;
    // Removing the bench's own output (unlinking a 75 MB file at 10 MB) is no part of
    // the run it measures.
    let _ = std::fs::remove_dir_all(&out);

    let mb = bytes as f64 / 1e6;
    println!(
        "== {} thread{}: {articles} articles, {mb:.1} MB, {words} words{}; graph: {} nodes, {} edges",
        threads,
        if threads == 1 { "" } else { "s" },
        if o.synthetic { " (synthetic)" } else { "" },
        graph.g.node_count(),
        graph.g.edge_count()
    );
    // CPU seconds per stage (summed over the workers), so figures are per core and hold
    // on a machine shared with other work.
    println!(
        "{:<18} {:>9} {:>14} {:>14}",
        "stage", "cpu s", "MB/s per core", "words/s"
    );
    let row = |name: &str, secs: f64| {
        println!(
            "{name:<18} {secs:>9.3} {:>14.1} {:>14.0}",
            mb / secs.max(1e-9),
            words as f64 / secs.max(1e-9)
        )
    };
    // Reading files happens on the main thread, the rest of stage 0 on the workers.
    row(STAGES[0], (ingest_time + stage_total[0]).as_secs_f64());
    for (name, d) in STAGES.iter().zip(stage_total).skip(1) {
        row(name, d.as_secs_f64());
    }
    row(
        &format!(
            "export ({})",
            o.formats
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(",")
        ),
        export_time.as_secs_f64(),
    );
    row("end to end", cpu);
    println!(
        "wall: read+extract {:.3} s, end to end {:.3} s ({:.1} MB/s on {threads} thread{}); \
         memory: {} resident after extraction (all findings), peak (VmHWM) {}",
        analyzed.as_secs_f64(),
        total.as_secs_f64(),
        mb / total.as_secs_f64(),
        if threads == 1 { "" } else { "s" },
        resident_after_extraction,
        memory("VmHWM")
    );
}

/// Words as `split_ascii_whitespace` counts them (runs of non-whitespace bytes): the
/// count is the benchmark's own bookkeeping, so it must cost next to nothing of the time it
/// reports. A word starts at each non-space byte after a space; the test is branch-free
/// arithmetic on pairs of adjacent bytes from two slices zipped together, which the
/// compiler turns into vector instructions. (A `windows(2)` iterator with `matches!` stayed
/// a byte loop: 2.7% of the end-to-end time under `perf`.)
fn count_words(text: &[u8]) -> usize {
    // ' ', or '\t' '\n' '\x0C' '\r' (9..=13 without the vertical tab, 11): 1, else 0.
    fn space(b: u8) -> u8 {
        u8::from(b == b' ') | (u8::from(b.wrapping_sub(9) < 5) & u8::from(b != 11))
    }
    let Some(&first) = text.first() else {
        return 0;
    };
    let starts: usize = text
        .chunks(1 << 16)
        .zip(text[1..].chunks(1 << 16))
        .map(|(before, at)| {
            before
                .iter()
                .zip(at)
                .map(|(&a, &b)| u32::from(space(a) & (space(b) ^ 1)))
                .sum::<u32>() as usize
        })
        .sum();
    starts + usize::from(space(first) == 0)
}

/// CPU time of this process so far (user + system, all threads): a steadier figure than
/// wall time on a busy machine.
fn cpu_seconds() -> f64 {
    cpu_clock(libc::CLOCK_PROCESS_CPUTIME_ID).as_secs_f64()
}

/// A memory figure of this process from /proc/self/status ("VmHWM": peak resident,
/// "VmRSS": resident now).
fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// A deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const ONSETS: [&str; 16] = [
    "Ka", "Mar", "Lo", "Ber", "Tan", "Vel", "Sor", "Hal", "Dri", "Pen", "Gar", "Rus", "Mil", "Fen",
    "Os", "Tre",
];
const CODAS: [&str; 12] = [
    "ton", "ski", "ova", "ner", "dez", "wick", "man", "ley", "ard", "ez", "ing", "stad",
];
const FIRST: [&str; 16] = [
    "Anna", "David", "Maria", "James", "Wei", "Fatima", "Carlos", "Olga", "Peter", "Aisha",
    "Robert", "Elena", "Samuel", "Grace", "Ivan", "Linda",
];
const TITLES: [&str; 6] = [
    "spokesman",
    "director",
    "deputy minister",
    "senator",
    "chief executive",
    "secretary",
];
const AGENCY_HEADS: [&str; 5] = [
    "Agency",
    "Bureau",
    "Commission",
    "Ministry",
    "Administration",
];
const TOPICS: [&str; 8] = [
    "Drug Control",
    "Public Health",
    "Energy",
    "Transport Safety",
    "Trade",
    "Water Resources",
    "Food Safety",
    "Border Security",
];
const COUNTRIES: [&str; 8] = [
    "China", "Mexico", "Canada", "France", "India", "Brazil", "Germany", "Japan",
];
const CUES: [&str; 5] = ["said", "told reporters", "argued", "warned", "insisted"];
const CLAIMS: [&str; 8] = [
    "the new rules will cut imports of fentanyl by half",
    "the agency has no evidence of wrongdoing",
    "the budget does not cover the cost of the program",
    "talks with the government will resume next month",
    "the report overstates the number of cases",
    "inspectors found traces of the substance in the shipment",
    "the committee never approved the contract",
    "prices would rise if the tariff took effect",
];

/// Surname number `n`: distinct for every n below 16 * 12 * 16 * 12.
fn surname(n: usize) -> String {
    let a = ONSETS[n % 16];
    let b = CODAS[(n / 16) % 12];
    let c = ONSETS[(n / 192) % 16].to_ascii_lowercase();
    let d = CODAS[(n / 3072) % 12];
    format!("{a}{b}{c}{d}")
}

/// A news-like article with distinct people, agencies, quotes and reported speech.
fn synthetic_article(i: u64) -> Document {
    let mut r = Rng(i.wrapping_mul(0x2545f4914f6cdd1d) ^ 0x5eed);
    let mut text = String::new();
    let country = r.pick(&COUNTRIES);
    let agency = format!(
        "{} {} of {}",
        r.pick(&TOPICS),
        r.pick(&AGENCY_HEADS),
        surname(r.below(30_000))
    );
    text.push_str(&format!(
        "{country} officials respond to {agency} report\n\n{}, {country} (Newswire) - ",
        surname(r.below(30_000))
    ));
    let people: Vec<(String, String)> = (0..4)
        .map(|_| {
            (
                format!("{} {}", r.pick(&FIRST), surname(r.below(36_864))),
                r.pick(&TITLES).to_string(),
            )
        })
        .collect();
    for (k, (name, title)) in people.iter().enumerate() {
        let last = name.split(' ').nth(1).unwrap_or(name);
        let claim = r.pick(&CLAIMS);
        let other = &people[(k + 1) % people.len()].0;
        match r.below(3) {
            0 => text.push_str(&format!(
                "\u{201c}We believe {claim},\u{201d} {name}, {title} of the {agency}, {} on {}.\n\n",
                r.pick(&CUES),
                ["Monday", "Tuesday", "Friday"][r.below(3)]
            )),
            1 => text.push_str(&format!(
                "{name}, a {title} in {country}, said {claim}. {last} met {other} in {} last week.\n\n",
                r.pick(&COUNTRIES)
            )),
            _ => text.push_str(&format!(
                "According to {name}, {claim}. \"It is not over,\" {last} said. The {agency} \
                 disputed {last}'s claim that {}.\n\n",
                r.pick(&CLAIMS)
            )),
        }
        text.push_str(&format!(
            "The {agency} and officials in {country} have discussed the matter for {} months, \
             and a report is expected before the end of the year.\n\n",
            2 + r.below(20)
        ));
    }
    Document::new(format!("synthetic-{i:07}.txt"), text)
}

#[cfg(test)]
mod tests {
    use super::count_words;

    #[test]
    fn count_words_agrees_with_split_ascii_whitespace() {
        for text in [
            "",
            " ",
            "one",
            "  two words  ",
            "a\tb\nc\r\nd\x0Ce",
            "lead\u{a0}non-ascii space stays inside a word",
            "\n\nStart. End.\n",
            "a vertical\x0Btab is no space",
        ] {
            assert_eq!(
                count_words(text.as_bytes()),
                text.split_ascii_whitespace().count(),
                "{text:?}"
            );
        }
        // Words across the boundaries of the 64 KiB chunks the count works in.
        for len in [(1 << 16) - 1, 1 << 16, (1 << 16) + 1, 3 << 16] {
            let text: String = "ab c\td ".chars().cycle().take(len).collect();
            assert_eq!(
                count_words(text.as_bytes()),
                text.split_ascii_whitespace().count(),
                "{len}"
            );
        }
    }
}
