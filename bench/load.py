#!/usr/bin/env python3
"""Load check of the SPARQL endpoint (issue 8): N concurrent clients for a bounded time.

Each client thread keeps one HTTP/1.1 connection (http.client, Python stdlib only) and sends
the queries below in turn, as GET /sparql?query=... with Accept: application/sparql-results+json.
Prints throughput, latency percentiles and errors (by status or exception).

  python3 bench/load.py                                  # starts target/release/claimgraph serve
  python3 bench/load.py --clients 16 --seconds 10
  python3 bench/load.py --url http://127.0.0.1:7878/sparql   # an already running server

Loopback only: the script refuses other hosts.
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

QUERIES = {
    "ask": "ASK { ?s a cg:Statement }",
    "speakers": "SELECT ?speaker (COUNT(DISTINCT ?s) AS ?statements) (COUNT(DISTINCT ?article) AS ?articles) "
    "WHERE { ?s a cg:Statement ; cg:speaker ?speaker ; prov:wasDerivedFrom ?article } "
    "GROUP BY ?speaker ORDER BY DESC(?statements)",
    "disputes": "SELECT DISTINCT ?who ?verb ?text WHERE { ?who ?verb ?s . ?s a cg:Statement ; cg:text ?text . "
    "FILTER(?verb IN (cg:disputes, cg:denies)) }",
    "roles": "SELECT DISTINCT ?person ?title ?org WHERE { ?person cg:role ?r . ?r cg:roleTitle ?title ; cg:organization ?org }",
}


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def client(host, port, path, deadline, queries, results, lock):
    latencies, errors, count = [], {}, 0
    conn = None
    i = 0
    while time.monotonic() < deadline:
        name = queries[i % len(queries)]
        i += 1
        target = path + "?query=" + urllib.parse.quote(QUERIES[name])
        start = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", target, headers={"Accept": "application/sparql-results+json"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                errors[str(resp.status)] = errors.get(str(resp.status), 0) + 1
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception as e:  # noqa: BLE001 - counted and reported
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
            if conn is not None:
                conn.close()
            conn = None
        latencies.append(time.monotonic() - start)
        count += 1
    if conn is not None:
        conn.close()
    with lock:
        results["latencies"].extend(latencies)
        results["count"] += count
        for k, v in errors.items():
            results["errors"][k] = results["errors"].get(k, 0) + v


def start_server(binary, graph):
    proc = subprocess.Popen(
        [binary, "serve", "--graph", graph, "--bind", "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"at (http://127\.0\.0\.1:\d+/sparql)", line)
        if m:
            return proc, m.group(1), line.strip()
    proc.kill()
    sys.exit("load.py: the server did not start")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="endpoint of a running server (default: start one)")
    ap.add_argument("--binary", default="target/release/claimgraph")
    ap.add_argument("--graph", default="exports/graph.nq")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--queries", default=",".join(QUERIES), help="comma-separated: " + ",".join(QUERIES))
    a = ap.parse_args()
    if not 0 < a.seconds <= 300 or not 0 < a.clients <= 256:
        sys.exit("load.py: --seconds must be in (0, 300] and --clients in (0, 256]")
    queries = [q for q in a.queries.split(",") if q]
    for q in queries:
        if q not in QUERIES:
            sys.exit(f"load.py: unknown query {q!r}")

    proc = None
    if a.url:
        url = a.url
    else:
        if not os.path.exists(a.binary):
            sys.exit(f"load.py: {a.binary} not found (cargo build --release, or give --url)")
        proc, url, banner = start_server(a.binary, a.graph)
        print(banner)
    u = urllib.parse.urlsplit(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("load.py: only loopback endpoints")
    try:
        results = {"latencies": [], "count": 0, "errors": {}}
        lock = threading.Lock()
        begin = time.monotonic()
        deadline = begin + a.seconds
        threads = [
            threading.Thread(target=client, args=(u.hostname, u.port or 80, u.path or "/sparql", deadline, queries[i % len(queries):] + queries[: i % len(queries)], results, lock))
            for i in range(a.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - begin
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)

    lat = sorted(results["latencies"])
    n = results["count"]
    errs = sum(results["errors"].values())
    print(f"{a.clients} clients, {elapsed:.1f} s, queries: {','.join(queries)}")
    print(f"requests {n}, throughput {n / elapsed:.0f} req/s, errors {errs}" + (f" {results['errors']}" if errs else ""))
    print("latency ms: p50 {:.1f}  p95 {:.1f}  p99 {:.1f}  max {:.1f}".format(
        *(1000 * percentile(lat, p) for p in (50, 95, 99)), 1000 * (lat[-1] if lat else float("nan"))))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
