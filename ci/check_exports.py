#!/usr/bin/env python3
"""Checks claimgraph's exports with the tools their users have (issue 11).

    python ci/check_exports.py [--claimgraph PATH] [--exports DIR] [--inputs PATH ...]

Builds the seeds (or --inputs) with `claimgraph build --format
csv,graphml,jsonld,ttl,nq,json,dot` into a temporary folder and a focused picture
(`--focus "Wei Xiaojun"`) into another (or reads an existing --exports folder), then:

- pyshacl validates graph.ttl against schema/shapes.ttl (must conform), and rejects
  copies of it broken on purpose (so the shapes do constrain something);
- rdflib parses graph.ttl, graph.nq and graph.jsonld; pyld expands graph.jsonld; all give
  the same triples (the JSON-LD the same quads as graph.nq);
- networkx reads graph.graphml and graph.json (node-link, edges="edges");
- pandas reads nodes.csv and edges.csv (neo4j-admin import headers);
- graph.dot renders with Graphviz `dot` when installed and keeps its legend;
- the same facts hold in every format: node and edge counts, a Person "Wei Xiaojun" with
  `says` edges to statements.

Ends with "N passed, N failed"; exits 1 when any check failed.
"""

import argparse
import collections
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

import networkx as nx
import pandas as pd
import pyshacl
import rdflib
from pyld import jsonld
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CG = Namespace("https://w3id.org/claimgraph/ontology#")
ID = Namespace("https://w3id.org/claimgraph/id/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
NODE_CLASSES = [CG[t] for t in
                "Person Agency Organization Country Place Substance Statement Article".split()]
EDGE_TYPES = ["says", "disputes", "denies", "accuses", "criticizes", "praises", "indicts",
              "regulates", "cooperates_with", "meets", "affiliated_with", "part_of",
              "located_in", "mentions", "authored_by"]
PERSON = "Wei Xiaojun"
PERSON_ID = "person-wei-xiaojun"

results = {"passed": 0, "failed": 0}
checks = []


def check(fn):
    checks.append(fn)
    return fn


def camel(etype):
    head, *rest = etype.split("_")
    return head + "".join(w.capitalize() for w in rest)


def quads_of(ds):
    out = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = None if g is None or g == DATASET_DEFAULT_GRAPH_ID else g
        out.add((s, p, o, gid))
    return out


class Exports:
    """The parsed exports, loaded once."""

    def __init__(self, d, focus_dir):
        self.dir = d
        self.focus_dir = focus_dir
        self.ttl = rdflib.Graph()
        self.ttl.parse(os.path.join(d, "graph.ttl"), format="turtle")
        self.nq = rdflib.Dataset()
        self.nq.parse(os.path.join(d, "graph.nq"), format="nquads")
        with open(os.path.join(d, "graph.json"), encoding="utf-8") as f:
            self.json = json.load(f)
        self.gml = nx.read_graphml(os.path.join(d, "graph.graphml"), force_multigraph=True)
        self.nodes = pd.read_csv(os.path.join(d, "nodes.csv"), keep_default_na=False)
        self.edges = pd.read_csv(os.path.join(d, "edges.csv"), keep_default_na=False)


E = None  # set in main()


# --- RDF -------------------------------------------------------------------------------

@check
def shacl_conforms():
    conforms, _, text = pyshacl.validate(
        os.path.join(E.dir, "graph.ttl"), shacl_graph=os.path.join(ROOT, "schema/shapes.ttl"),
        ont_graph=os.path.join(ROOT, "schema/claimgraph.ttl"), data_graph_format="turtle",
        shacl_graph_format="turtle", ont_graph_format="turtle", inference="none")
    assert conforms, "graph.ttl does not conform to schema/shapes.ttl:\n" + text
    return "pyshacl: graph.ttl conforms to schema/shapes.ttl"


@check
def shacl_rejects_broken_graphs():
    shapes = rdflib.Graph().parse(os.path.join(ROOT, "schema/shapes.ttl"))
    statement = next(E.ttl.subjects(RDF.type, CG.Statement))
    occurrence = next(E.ttl.subjects(RDF.type, CG.EdgeOccurrence))
    mention = next(E.ttl.subjects(RDF.type, CG.Mention))

    def without(s, p):
        return lambda g: g.remove((s, p, None))

    def set_value(s, p, v):
        return lambda g: (g.remove((s, p, None)), g.add((s, p, v)))

    begin = int(E.ttl.value(mention, NIF.endIndex))
    breaks = {
        "statement without text": without(statement, CG.text),
        "statement without speaker": without(statement, CG.speaker),
        "statement without kind": without(statement, CG.statementKind),
        "statement without source article": without(
            statement, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")),
        "occurrence without evidence": without(occurrence, CG.evidence),
        "occurrence without article": without(occurrence, CG.article),
        "confidence above 1": set_value(occurrence, CG.confidence,
                                        Literal("1.5", datatype=XSD.double)),
        "negative offset": set_value(occurrence, NIF.beginIndex,
                                     Literal("-3", datatype=XSD.integer)),
        "mention with begin >= end": set_value(mention, NIF.beginIndex,
                                               Literal(str(begin), datatype=XSD.nonNegativeInteger)),
    }
    for name, brk in breaks.items():
        g = rdflib.Graph()
        for t in E.ttl.triples((None, None, None)):
            g.add(t)
        brk(g)
        conforms, _, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none")
        assert not conforms, f"the shapes accept a graph with a {name}"
    return f"pyshacl rejects {len(breaks)} graphs broken on purpose"


@check
def rdflib_turtle_equals_nquads():
    ttl = set(E.ttl)
    nq = {(s, p, o) for s, p, o, _ in quads_of(E.nq)}
    assert ttl == nq, f"{len(ttl - nq)} triples only in graph.ttl, {len(nq - ttl)} only in graph.nq"
    graphs = {g for *_, g in quads_of(E.nq) if g is not None}
    assert len(graphs) == len(E.json["articles"]), (len(graphs), len(E.json["articles"]))
    return f"rdflib: graph.ttl and graph.nq hold the same {len(ttl)} triples ({len(graphs)} article graphs)"


@check
def jsonld_equals_nquads():
    path = os.path.join(E.dir, "graph.jsonld")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    with open(os.path.join(ROOT, "schema/context.jsonld"), encoding="utf-8") as f:
        published = json.load(f)["@context"]
    assert doc["@context"] == published, "graph.jsonld's @context is not schema/context.jsonld"
    nq = quads_of(E.nq)
    ds = rdflib.Dataset()
    ds.parse(path, format="json-ld")
    by_rdflib = quads_of(ds)
    assert by_rdflib == nq, (f"rdflib: {len(by_rdflib - nq)} quads only in graph.jsonld, "
                             f"{len(nq - by_rdflib)} only in graph.nq")
    text = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    by_pyld = quads_of(rdflib.Dataset().parse(data=text, format="nquads"))
    assert by_pyld == nq, (f"pyld: {len(by_pyld - nq)} quads only in graph.jsonld, "
                           f"{len(nq - by_pyld)} only in graph.nq")
    return f"rdflib and pyld read graph.jsonld as the same {len(nq)} quads as graph.nq"


# --- counts and facts across formats ---------------------------------------------------

def rdf_node_ids():
    out = set()
    for cls in NODE_CLASSES:
        for s in E.ttl.subjects(RDF.type, cls):
            out.add(str(s)[len(str(ID)):])
    return out


def rdf_edges():
    preds = {CG[camel(t)]: t for t in EDGE_TYPES}
    out = set()
    for s, p, o in E.ttl:
        if p in preds and str(o).startswith(str(ID)):
            out.add((str(s)[len(str(ID)):], preds[p], str(o)[len(str(ID)):]))
    return out


@check
def same_nodes_everywhere():
    json_ids = [n["id"] for n in E.json["nodes"]]
    csv_ids = list(E.nodes["id:ID"])
    gml_ids = list(E.gml.nodes)
    link = nx.node_link_graph(E.json, directed=True, multigraph=True, edges="edges")
    assert len(set(json_ids)) == len(json_ids), "duplicate node ids in graph.json"
    assert E.nodes["id:ID"].is_unique, "duplicate node ids in nodes.csv"
    for name, ids in [("nodes.csv", csv_ids), ("graph.graphml", gml_ids),
                      ("networkx node-link", list(link.nodes)), ("RDF", rdf_node_ids())]:
        assert set(ids) == set(json_ids), f"{name}: {len(set(ids) ^ set(json_ids))} ids differ"
    types = collections.Counter(n["type"] for n in E.json["nodes"])
    assert dict(collections.Counter(E.nodes[":LABEL"])) == dict(types), "csv node types differ"
    assert dict(collections.Counter(t for _, t in E.gml.nodes(data="type"))) == dict(types)
    return f"{len(json_ids)} nodes in graph.json, graph.graphml, nodes.csv and RDF ({dict(types)})"


@check
def same_edges_everywhere():
    js = collections.Counter((e["source"], e["type"], e["target"]) for e in E.json["edges"])
    csv = collections.Counter(zip(E.edges[":START_ID"], E.edges[":TYPE"], E.edges[":END_ID"]))
    gml = collections.Counter((u, d["type"], v) for u, v, d in E.gml.edges(data=True))
    link = nx.node_link_graph(E.json, directed=True, multigraph=True, edges="edges")
    assert js == csv, "edges.csv differs from graph.json"
    assert js == gml, "graph.graphml differs from graph.json"
    assert link.number_of_edges() == sum(js.values()), "networkx node-link lost edges"
    assert set(js) == rdf_edges(), "the RDF edge triples differ from graph.json"
    occ = {(e["source"], e["type"], e["target"]): max(1, len(e["provenance"]))
           for e in E.json["edges"]}
    for (u, t, v), n in zip(zip(E.edges[":START_ID"], E.edges[":TYPE"], E.edges[":END_ID"]),
                            E.edges["occurrences:int"]):
        assert occ[(u, t, v)] == n, f"occurrences of {u} {t} {v}: csv {n}, json {occ[(u, t, v)]}"
    return f"{sum(js.values())} edges in graph.json, graph.graphml, edges.csv and RDF"


@check
def person_says_statements():
    csv_person = E.nodes[(E.nodes[":LABEL"] == "Person") & (E.nodes["label"] == PERSON)]
    assert len(csv_person) == 1, f"nodes.csv: {len(csv_person)} Person rows labelled {PERSON}"
    pid = csv_person["id:ID"].iloc[0]
    assert pid == PERSON_ID, pid
    node = E.gml.nodes[pid]
    assert node["type"] == "Person" and node["label"] == PERSON, node
    says_csv = E.edges[(E.edges[":START_ID"] == pid) & (E.edges[":TYPE"] == "says")]
    says_gml = [v for _, v, d in E.gml.out_edges(pid, data=True) if d["type"] == "says"]
    says_rdf = set(E.ttl.objects(ID[pid], CG.says))
    says_json = [e for e in E.json["edges"] if e["source"] == pid and e["type"] == "says"]
    n = len(says_csv)
    assert n >= 5, f"{PERSON} says only {n} things"
    assert n == len(says_gml) == len(says_rdf) == len(says_json), \
        (n, len(says_gml), len(says_rdf), len(says_json))
    for v in says_gml:
        assert E.gml.nodes[v]["type"] == "Statement" and E.gml.nodes[v]["text"], v
        assert E.gml.nodes[v].get("speaker") == pid, v
    # A statement with its text, as SPARQL over the rdflib graph sees it.
    rows = list(E.ttl.query(
        "SELECT ?t WHERE { ?p cg:says ?s . ?s cg:text ?t ; cg:speaker ?p }",
        initNs={"cg": CG}, initBindings={"p": ID[pid]}))
    assert len(rows) == n, (len(rows), n)
    # Neo4j's array syntax: the articles of every says edge are ;-separated article ids.
    articles = {a["id"] for a in E.json["articles"]}
    for cell in says_csv["articles:string[]"]:
        assert cell and set(cell.split(";")) <= articles, cell
    assert says_csv["confidence:float"].astype(float).between(0, 1).all()
    return f'Person "{PERSON}" says {n} statements in csv, graphml, json and RDF'


@check
def csv_headers_are_neo4j_import_headers():
    assert list(E.nodes.columns) == ["id:ID", ":LABEL", "label", "aliases:string[]", "kind",
                                     "text", "mentions:int"], list(E.nodes.columns)
    assert list(E.edges.columns) == [":START_ID", ":END_ID", ":TYPE", "occurrences:int",
                                     "articles:string[]", "evidence", "rule",
                                     "confidence:float"], list(E.edges.columns)
    ids = set(E.nodes["id:ID"])
    assert set(E.edges[":START_ID"]) <= ids and set(E.edges[":END_ID"]) <= ids
    assert (E.nodes["mentions:int"].astype(int) >= 0).all()
    st = E.nodes[E.nodes[":LABEL"] == "Statement"]
    assert st["kind"].isin(["direct", "indirect", "claim"]).all()
    assert (st["text"].str.len() > 0).all()
    return f"pandas: nodes.csv {E.nodes.shape}, edges.csv {E.edges.shape}"


# --- Graphviz --------------------------------------------------------------------------

@check
def dot_renders_with_legend_and_focus():
    full = open(os.path.join(E.dir, "graph.dot"), encoding="utf-8").read()
    focused = open(os.path.join(E.focus_dir, "graph.dot"), encoding="utf-8").read()
    for name, text in [("graph.dot", full), ("focused graph.dot", focused)]:
        assert "subgraph cluster_legend" in text, f"{name} has no legend"
    assert f'id="{PERSON_ID}"' in focused
    # The focus keeps the person, its statements and affiliations, and leaves out the rest.
    full_nodes = full.count(" id=\"")
    focus_nodes = focused.count(" id=\"")
    assert 1 < focus_nodes < full_nodes, (focus_nodes, full_nodes)
    says = sum(1 for _ in E.gml.out_edges(PERSON_ID))
    assert focus_nodes >= says, (focus_nodes, says)
    if shutil.which("dot") is None:
        return "graph.dot has a legend (Graphviz not installed: rendering not checked)"
    for d in (E.dir, E.focus_dir):
        out = subprocess.run(["dot", "-Tsvg", os.path.join(d, "graph.dot")],
                             capture_output=True, timeout=300)
        assert out.returncode == 0, out.stderr.decode()
        assert b"<svg" in out.stdout and b"Legend" in out.stdout
    return f"dot -Tsvg renders graph.dot and the focused graph.dot ({focus_nodes} of {full_nodes} nodes)"


# --- main ------------------------------------------------------------------------------

def build(claimgraph, inputs, out, *extra):
    cmd = [claimgraph, "build", *inputs, "-o", out, "-q", *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    if r.returncode != 0:
        sys.exit(f"check_exports: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")


def main():
    global E
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claimgraph", default=os.path.join(ROOT, "target/debug/claimgraph"),
                    help="the claimgraph binary (default: target/debug/claimgraph)")
    ap.add_argument("--inputs", nargs="*", default=[os.path.join(ROOT, "seeds")])
    ap.add_argument("--keep", action="store_true", help="keep the temporary exports")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="claimgraph-exports-")
    try:
        full, focus = os.path.join(tmp, "all"), os.path.join(tmp, "focus")
        build(args.claimgraph, args.inputs, full, "--format", "csv,graphml,jsonld,ttl,nq,json,dot")
        build(args.claimgraph, args.inputs, focus, "--format", "dot", "--focus", PERSON)
        E = Exports(full, focus)
        for fn in checks:
            try:
                msg = fn()
                results["passed"] += 1
                print(f"ok: {fn.__name__}: {msg}")
            except Exception:  # noqa: BLE001 - every failure is reported, then counted
                results["failed"] += 1
                print(f"FAILED: {fn.__name__}")
                traceback.print_exc(file=sys.stdout)
    finally:
        if args.keep:
            print(f"exports kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
