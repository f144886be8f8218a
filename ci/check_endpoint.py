"""Queries `claimgraph serve` with a real SPARQL client: SPARQLWrapper (pinned in
ci/requirements.txt), as notebooks use it.

    python ci/check_endpoint.py [--claimgraph PATH] [--graph FILE | --store DIR]

Starts `claimgraph serve` on a free loopback port (default: exports/graph.nq), then checks
- SELECT answered in SPARQL JSON, XML, CSV and TSV, all with the same rows;
- ASK in JSON;
- CONSTRUCT answered in Turtle and N-Triples, parsed by rdflib into the same triples;
- an UPDATE (sent by SPARQLWrapper as `update=`, and as a query) refused with 403;
- a bad query answered 400.
Exits non-zero with a message on the first failure; stops the server in any case.
"""

import argparse
import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import rdflib
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CG = "https://w3id.org/claimgraph/ontology#"
PREFIXES = f"PREFIX cg: <{CG}>\n"
ROLES = PREFIXES + (
    "SELECT DISTINCT ?person ?title WHERE { ?person cg:role [ cg:roleTitle ?title ] } "
    "ORDER BY ?person ?title"
)
SPEECH = PREFIXES + "CONSTRUCT { ?who cg:says ?s } WHERE { ?who cg:says ?s }"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(claimgraph, source):
    port = free_port()
    cmd = [claimgraph, "serve", *source, "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit(f"check_endpoint: {' '.join(cmd)} exited: {server.stderr.read()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit(f"check_endpoint: {' '.join(cmd)} did not answer within 60 s")


def client(url, query, fmt=None):
    w = SPARQLWrapper(url)
    w.setQuery(query)
    if fmt:
        w.setReturnFormat(fmt)
    w.setTimeout(30)
    return w


def check_select(url):
    as_json = client(url, ROLES, JSON).query().convert()
    rows = [(b["person"]["value"], b["title"]["value"]) for b in as_json["results"]["bindings"]]
    assert rows, "the roles query found nothing"
    doc = client(url, ROLES, XML).query().convert()  # an xml.dom.minidom document
    xml_rows = []
    for result in doc.getElementsByTagName("result"):
        cells = {b.getAttribute("name"): b.firstChild.firstChild.data
                 for b in result.getElementsByTagName("binding")}
        xml_rows.append((cells["person"], cells["title"]))
    assert xml_rows == rows, f"XML rows differ from JSON: {xml_rows[:3]} vs {rows[:3]}"
    text = client(url, ROLES, CSV).query().convert().decode("utf-8")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["person", "title"], table[0]
    assert [tuple(r) for r in table[1:]] == rows, "CSV rows differ from JSON"
    text = client(url, ROLES, TSV).query().convert().decode("utf-8")
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "?person\t?title", lines[0]
    tsv_rows = [tuple(c.strip('"<>') for c in line.split("\t")) for line in lines[1:]]
    assert tsv_rows == rows, "TSV rows differ from JSON"
    ask = client(url, PREFIXES + "ASK { ?s a cg:Person }", JSON).query().convert()
    assert ask["boolean"] is True, ask
    return f"SELECT: {len(rows)} rows alike in JSON, XML, CSV, TSV; ASK true"


def check_construct(url):
    turtle = client(url, SPEECH, TURTLE).query().convert()
    g1 = rdflib.Graph().parse(data=turtle, format="turtle")
    # SPARQLWrapper has no N-Triples format: content negotiation only (no format= parameter).
    w = client(url, SPEECH)
    w.setOnlyConneg(True)
    w.addCustomHttpHeader("Accept", "application/n-triples")
    response = w.query().response
    assert response.headers.get("Content-Type", "").startswith("application/n-triples"), (
        response.headers.get("Content-Type"))
    g2 = rdflib.Graph().parse(data=response.read(), format="nt")
    assert len(g1) > 0, "CONSTRUCT returned no triples"
    assert set(g1) == set(g2), "Turtle and N-Triples answers differ"
    return f"CONSTRUCT: {len(g1)} triples alike in Turtle and N-Triples"


def check_refusals(url):
    update = PREFIXES + "INSERT DATA { <urn:x> cg:says <urn:y> }"
    w = client(url, update)
    w.setMethod(POST)
    try:
        w.query()
        raise AssertionError("an UPDATE was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403, f"an UPDATE answered {e.code}, not 403"
        reason = e.read().decode("utf-8", "replace")
    # The same update sent as a query.
    req = urllib.request.Request(url, data=update.encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-query"})
    try:
        urllib.request.urlopen(req, timeout=30)
        raise AssertionError("an UPDATE sent as a query was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403, f"an UPDATE sent as a query answered {e.code}, not 403"
    try:
        client(url, "SELECT WHERE {", JSON).query()
        raise AssertionError("a bad query was accepted")
    except QueryBadFormed:
        pass
    ask = client(url, "ASK { <urn:x> ?p ?o }", JSON).query().convert()
    assert ask["boolean"] is False, "the refused update changed the data"
    return f"UPDATE refused with 403 ({reason.strip()[:60]!r}); bad query 400"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claimgraph", default=os.path.join(ROOT, "target/debug/claimgraph"))
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--graph", default=None)
    src.add_argument("--store", default=None)
    args = ap.parse_args()
    source = ["--store", args.store] if args.store else ["--graph", args.graph or "exports/graph.nq"]
    server, url = start_server(args.claimgraph, source)
    try:
        for check in (check_select, check_construct, check_refusals):
            print(f"check_endpoint ({' '.join(source)}): {check(url)}")
    except AssertionError as e:
        sys.exit(f"check_endpoint: {e}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
