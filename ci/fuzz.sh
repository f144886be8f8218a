#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/fuzz_targets: `jsonl`, the JSONL reader, and `pipeline`,
# the whole extraction and every export on arbitrary bytes) for a short time from a corpus
# seeded with seeds/. A crash (panic, failed assertion, export that does not parse back) fails
# the run and leaves the input in fuzz/artifacts/TARGET/.
#
#   ci/fuzz.sh [SECONDS_PER_TARGET]      # default 30; .ci/run uses this
#
# Long local runs use nightly and AddressSanitizer: `cd fuzz && cargo +nightly fuzz run jsonl`.
# Here it runs on whatever toolchain is installed (CI has only stable): cargo-fuzz passes
# rustc flags that stable accepts only with RUSTC_BOOTSTRAP=1, and `-s none` builds without a
# sanitizer, which would need nightly's runtime. claimgraph has no unsafe code, so what the
# short run looks for is a panic; `-a` keeps debug assertions and overflow checks on.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked --quiet cargo-fuzz --version 0.13.2
fi
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

# Its own target folder: a stable build must not evict the nightly one in fuzz/target.
TARGET_DIR="$PWD/target/fuzz"
CORPUS="$TARGET_DIR/ci-corpus"
rm -rf "$CORPUS"
mkdir -p "$CORPUS/pipeline" "$CORPUS/jsonl"
cp seeds/*.txt "$CORPUS/pipeline/"
# The JSONL reader starts from the seeds as records, plus a few broken lines.
python3 - "$CORPUS/jsonl" seeds/*.txt <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for i, path in enumerate(sys.argv[2:]):
    text = pathlib.Path(path).read_text(encoding="utf-8")
    record = json.dumps({"id": pathlib.Path(path).stem, "text": text, "title": "t", "date": "2024-01-02"})
    out.joinpath(f"seed{i}.jsonl").write_text(record + "\n{\"id\": 1}\n{not json\n\n", encoding="utf-8")
EOF

cd fuzz
for target in jsonl pipeline; do
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  log="$TARGET_DIR/$target.log"
  if ! cargo fuzz run -s none -a --target-dir "$TARGET_DIR" "$target" "$CORPUS/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $target failed (full log $log; crashing input in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
done
