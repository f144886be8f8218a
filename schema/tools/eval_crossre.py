#!/usr/bin/env python3
"""Entity recognition of claimgraph scored on CrossRE news (span level, per type).

usage: python3 schema/tools/eval_crossre.py FILE.json [--bin target/release/claimgraph] [-v]

FILE is a CrossRE JSON-lines split (e.g. /work/shared/data/crossre-news/crossre_data/
news-dev.json; see its FORMAT.md). Each sentence's tokens are joined with single spaces and
built as one article; every entity mention of the graph (graph.json node mentions) is mapped
back to token spans and compared with the gold spans (exact start and end):
person <- Person; organisation <- Agency, Organization; place <- Country, Place (gold
country and location scored together). Gold `misc` spans are not scored, and a prediction
on exactly a misc span is ignored; demonym mentions ("Chinese") are not counted (CrossRE
labels them misc). The extension's `politician` counts as person, `politicalparty` as
organisation. Prints precision, recall and F1 per type and overall.
"""
import json, os, subprocess, sys, tempfile
from collections import Counter, defaultdict

GOLD = {"person": "person", "politician": "person", "organisation": "organisation",
        "politicalparty": "organisation", "country": "place", "location": "place"}
PRED = {"Person": "person", "Agency": "organisation", "Organization": "organisation",
        "Country": "place", "Place": "place"}


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    binary = "target/release/claimgraph"
    if "--bin" in args:
        i = args.index("--bin"); binary = args[i + 1]; del args[i:i + 2]
    sents = [json.loads(l) for l in open(args[0], encoding="utf-8") if l.strip()]
    tmp = tempfile.mkdtemp(prefix="crossre-")
    inp = os.path.join(tmp, "in.jsonl")
    offsets = {}
    with open(inp, "w", encoding="utf-8") as f:
        for n, s in enumerate(sents):
            aid = f"s{n:05d}"
            text, starts, ends = "", {}, {}
            for k, tok in enumerate(s["sentence"]):
                if text:
                    text += " "
                starts[len(text)] = k
                text += tok
                ends[len(text)] = k
            offsets[aid] = (text, starts, ends)
            f.write(json.dumps({"id": aid, "text": text}) + "\n")
    out = os.path.join(tmp, "out")
    subprocess.run([binary, "build", inp, "-o", out, "--format", "json"], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    g = json.load(open(os.path.join(out, "graph.json"), encoding="utf-8"))
    pred = defaultdict(set)
    for node in g["nodes"]:
        t = PRED.get(node.get("type"))
        if not t:
            continue
        for m in node.get("mentions", []):
            aid = m["article"].removesuffix(".txt") if m["article"].endswith(".txt") else m["article"]
            if aid not in offsets:
                continue
            text, starts, ends = offsets[aid]
            surface = text[m["start"]:m["end"]]
            if node["type"] == "Country" and surface not in node.get("aliases", []):
                continue  # a demonym
            a, b = starts.get(m["start"]), ends.get(m["end"])
            span = (a, b) if a is not None and b is not None else ("x", m["start"], m["end"])
            pred[aid].add((span, t, surface))
    tp, fp, fn = Counter(), Counter(), Counter()
    errors = []
    for n, s in enumerate(sents):
        aid = f"s{n:05d}"
        gold, misc = {}, set()
        for a, b, label in s["ner"]:
            if label in GOLD:
                gold[(a, b)] = GOLD[label]
            else:
                misc.add((a, b))
        seen = set()
        for span, t, surface in sorted(pred[aid], key=str):
            if span in misc:
                continue
            if gold.get(span) == t and (span, t) not in seen:
                tp[t] += 1; seen.add((span, t))
            else:
                fp[t] += 1; errors.append(("FP", t, surface, gold.get(span)))
        for span, t in gold.items():
            if (span, t) not in seen:
                fn[t] += 1
                errors.append(("FN", t, " ".join(s["sentence"][span[0]:span[1] + 1]), None))
    def prf(a, b, c):
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)
    print(f"CrossRE {args[0]}: {len(sents)} sentences")
    for t in ["person", "organisation", "place"]:
        p, r, f1 = prf(tp[t], fp[t], fn[t])
        print(f"{t:13s} P {100*p:5.1f} ({tp[t]}/{tp[t]+fp[t]})  R {100*r:5.1f} ({tp[t]}/{tp[t]+fn[t]})  F1 {100*f1:5.1f}")
    a, b, c = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p, r, f1 = prf(a, b, c)
    print(f"{'all':13s} P {100*p:5.1f} ({a}/{a+b})  R {100*r:5.1f} ({a}/{a+c})  F1 {100*f1:5.1f}")
    if verbose:
        for kind, t, surface, other in errors:
            print(kind, t, repr(surface), other or "")


if __name__ == "__main__":
    main()
