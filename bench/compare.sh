#!/usr/bin/env bash
# Two builds of archive side by side, for a change that must not slow the index or search down
# (issue 14's "within 10 %"): (b) cold index of the JPEG corpus, (c) unchanged re-index of the
# small-file corpus, and in-process search latency (search_bench). The runs alternate old, new,
# old, new… so that a noisy minute on a shared machine hits both, and each figure is the median.
#
# Usage: bench/compare.sh OLD_DIR NEW_DIR [ROUNDS]
#   OLD_DIR, NEW_DIR  folders each holding a release `archive`, `gen_corpus` and `search_bench`
#                     (cargo build --release --bin archive --example gen_corpus --example search_bench,
#                     then copy target/release/archive and target/release/examples/{gen_corpus,search_bench})
#   ROUNDS            alternations (default 7)
#   BENCH_DIR         where corpora and archives go (default /tmp/archive-bench); corpora made by
#                     bench/run.sh at the same scale are reused.
#   BENCH_SCALE       1 = 5,000 JPEGs and 100,000 small files (default); 0.1 for a quick try.
set -euo pipefail
OLD=${1:?usage: bench/compare.sh OLD_DIR NEW_DIR [ROUNDS]}
NEW=${2:?usage: bench/compare.sh OLD_DIR NEW_DIR [ROUNDS]}
ROUNDS=${3:-7}
WORK=${BENCH_DIR:-/tmp/archive-bench}
SCALE=${BENCH_SCALE:-1}
mkdir -p "$WORK"
N_JPEG=$(python3 -c "print(max(1, round(5000 * $SCALE)))")
N_SMALL=$(python3 -c "print(max(1, round(100000 * $SCALE)))")

# The corpora come from the NEW generator (either would do: both builds read the same bytes;
# the new one writes what real evidence looks like, see bench/gen_corpus.rs).
[ -f "$WORK/jpegs.gen2-$N_JPEG" ] || { rm -rf "$WORK/jpegs"; "$NEW/gen_corpus" jpegs "$WORK/jpegs" "$N_JPEG" >&2; touch "$WORK/jpegs.gen2-$N_JPEG"; }
[ -f "$WORK/small.compare-$N_SMALL" ] || { rm -rf "$WORK/small"; "$NEW/gen_corpus" small "$WORK/small" "$N_SMALL" >&2; touch "$WORK/small.compare-$N_SMALL"; }

# Bash's own clock: no process started around the command being timed.
timed() { # timed CMD... → seconds on stdout, the command's output discarded
    local t0=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    python3 -c "print($EPOCHREALTIME - $t0)"
}

for which in old new; do
    dir=$OLD; [ "$which" = new ] && dir=$NEW
    rm -rf "$WORK/cmp-c-$which"
    "$dir/archive" --archive "$WORK/cmp-c-$which" index "$WORK/small" --json >/dev/null 2>&1 || true
done

: >"$WORK/compare.tsv"
# Round 0 warms the page cache and is not counted.
for round in $(seq 0 "$ROUNDS"); do
    for which in old new; do
        dir=$OLD; [ "$which" = new ] && dir=$NEW
        rm -rf "$WORK/cmp-b-$which"
        t0=$EPOCHREALTIME
        "$dir/archive" --archive "$WORK/cmp-b-$which" index "$WORK/jpegs" --json >"$WORK/cmp-b-$which.json" 2>/dev/null || true
        b=$(python3 -c "print($EPOCHREALTIME - $t0)")
        # Until searchable: the summary's searchable_s (the commit that ends the fast path);
        # a build without later stages commits at its end (elapsed_s).
        bs=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('searchable_s') or d['elapsed_s'])" "$WORK/cmp-b-$which.json")
        c=$(timed "$dir/archive" --archive "$WORK/cmp-c-$which" index "$WORK/small" --json)
        read -r p50 p99 < <("$dir/search_bench" "$WORK/cmp-c-$which" 50 | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['p50_ms'], d['p99_ms'])")
        line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "$round" "$which" "$b" "$c" "$p50" "$p99" "$bs")
        echo "$line" >&2
        [ "$round" = 0 ] || echo "$line" >>"$WORK/compare.tsv"
    done
done

python3 - "$WORK/compare.tsv" "$N_JPEG" "$N_SMALL" <<'EOF'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().splitlines()]
cols = {'(b) cold index of %s JPEGs, s' % sys.argv[2]: 2,
        '(c) unchanged re-index of %s files, s' % sys.argv[3]: 3,
        'search in process p50, ms': 4, 'search in process p99, ms': 5,
        '(b) the same index until searchable (summary), s': 6}
print('| measure (median of %d alternating runs) | old | new | new/old |' % (len(rows) // 2))
print('|---|---|---|---|')
for name, i in cols.items():
    o = statistics.median(float(r[i]) for r in rows if r[1] == 'old')
    n = statistics.median(float(r[i]) for r in rows if r[1] == 'new')
    print(f'| {name} | {o:.3f} | {n:.3f} | {n / o:.2f} |')
EOF
