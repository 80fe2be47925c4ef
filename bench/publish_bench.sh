#!/usr/bin/env bash
# `archive publish` (issue 19): the dry run's rate over the bench's small-file tree, and what a
# rerun sends after 1 % of the files change. The cluster is a loopback HTTP server that takes
# every `_bulk` item (bench/publish_sink.py); no OpenSearch installs from the registries here.
#
# Usage: bench/publish_bench.sh ARCHIVE_BIN [N_FILES]   (default 100000; corpus from gen_corpus)
set -euo pipefail
BIN=${1:?usage: bench/publish_bench.sh ARCHIVE_BIN [N_FILES]}
N=${2:-100000}
WORK=${BENCH_DIR:-/tmp/archive-bench}/publish
GEN=${GEN_CORPUS:-$(dirname "$BIN")/examples/gen_corpus}
rm -rf "$WORK"; mkdir -p "$WORK"
"$GEN" small "$WORK/tree" "$N" >&2
"$BIN" --archive "$WORK/arc" index "$WORK/tree" --json >/dev/null 2>&1 || true
for i in 1 2 3; do
    "$BIN" --archive "$WORK/arc" publish --engine opensearch --dry-run --out "$WORK/dry.ndjson" --json \
        | python3 -c "import json,sys; d=json.load(sys.stdin); print('dry run: %d records in %.3f s = %.0f records/s, %.1f MB' % (d['records'], d['seconds'], d['records_per_s'], d['bytes']/1e6))"
done
python3 "$(dirname "$0")/publish_sink.py" "$WORK/port" &
SINK=$!
trap 'kill $SINK' EXIT
while [ ! -s "$WORK/port" ]; do sleep 0.1; done
URL=http://127.0.0.1:$(cat "$WORK/port")
show() { python3 -c "import json,sys; d=json.load(sys.stdin); print('$1: sent %d, deleted %d, unchanged %d, %d batches, %.2f s' % (d['sent'], d['deleted'], d['unchanged'], d['batches'], d['seconds']))"; }
"$BIN" --archive "$WORK/arc" publish --engine opensearch --to "$URL" --json | show "first run"
"$BIN" --archive "$WORK/arc" publish --engine opensearch --to "$URL" --json | show "rerun, nothing changed"
# 1 % of the files change (bytes appended), then the index and publish again.
find "$WORK/tree" -type f | awk -v n="$N" 'NR % 100 == 0' | while read -r f; do printf ' changed' >>"$f"; done
"$BIN" --archive "$WORK/arc" index "$WORK/tree" --json >/dev/null 2>&1 || true
"$BIN" --archive "$WORK/arc" publish --engine opensearch --to "$URL" --json | show "after 1 percent changed"
