#!/usr/bin/env bash
# Run every fuzz target for SECONDS each and print CPU time, executions and findings.
#
# Usage: fuzz/run.sh SECONDS [TARGET...]
#   FUZZ_ENGINE=stable (default): examples/fuzz_stable, on the ordinary toolchain.
#   FUZZ_ENGINE=libfuzzer: cargo +nightly fuzz (installs cargo-fuzz if missing; the first
#     build compiles every dependency with sanitizers, which takes long on 2 cores).
#   FUZZ_PROFILE=release|debug: build of the stable driver (default release when a release
#     build exists, else debug; the crate's dependencies are optimised either way).
#   EVIDENCE_DEV_CORPUS=DIR: also seed from the dev corpus (photos, videos, documents, text).
# Findings go to fuzz/artifacts/TARGET/ (crash-*, slow-*, hang-*). Keep the ones you fix under
# fuzz/regressions/TARGET/: tests/it/fuzz.rs replays them on every `cargo test`.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
ENGINE=${FUZZ_ENGINE:-stable}
SEEDS=()
if [ -n "${EVIDENCE_DEV_CORPUS:-}" ]; then
    for d in photos videos documents text hostile; do [ -d "$EVIDENCE_DEV_CORPUS/$d" ] && SEEDS+=("$EVIDENCE_DEV_CORPUS/$d"); done
fi
mkdir -p fuzz/artifacts
SUMMARY=${FUZZ_SUMMARY:-fuzz/artifacts/summary.jsonl}
: >"$SUMMARY"
status=0

if [ "$ENGINE" = libfuzzer ]; then
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
    # No sanitizer by default: the targets are safe Rust over safe-Rust parsers, so what is
    # looked for is panics, hangs and memory blow-ups, and ASan would halve the executions.
    # FUZZ_SANITIZER=address for the C parts (SQLite is not reached by any target).
    SAN=${FUZZ_SANITIZER:-none}
    # All targets by default: the [[bin]]s of fuzz/Cargo.toml, kept equal to fuzz/targets.rs by a test.
    [ ${#TARGETS[@]} -eq 0 ] && mapfile -t TARGETS < <(cargo +nightly fuzz list)
    for t in "${TARGETS[@]}"; do
        mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
        for s in "${SEEDS[@]}"; do cp -n "$s"/* "fuzz/corpus/$t/" 2>/dev/null || true; done
        log=fuzz/artifacts/$t.log
        echo "== $t ($SECONDS_EACH s, libFuzzer, sanitizer $SAN)" >&2
        if ! cargo +nightly fuzz run -O -s "$SAN" "$t" "fuzz/corpus/$t" "fuzz/regressions/$t" -- \
            -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
            status=1
            echo "$t: finding, see $log and fuzz/artifacts/$t/" >&2
        fi
        # libFuzzer's final statistics: executions, time, the coverage it reached.
        execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
        secs=$(awk -F: '/stat::total_time_seconds|Done [0-9]+ runs in/ {print}' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' | tail -1)
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
        crashes=$(ls "fuzz/artifacts/$t" 2>/dev/null | grep -cE '^(crash|oom|timeout|leak)-' || true)
        echo "{\"target\":\"$t\",\"engine\":\"libfuzzer\",\"cpu_s\":${secs:-$SECONDS_EACH},\"execs\":${execs:-0},\"behaviours\":\"${cov:-?}\",\"crashes\":$crashes,\"slow\":0}" >>"$SUMMARY"
    done
else
    PROFILE=${FUZZ_PROFILE:-}
    if [ -z "$PROFILE" ]; then [ -x target/release/archive ] && PROFILE=release || PROFILE=debug; fi
    if [ "$PROFILE" = release ]; then cargo build --release --example fuzz_stable || exit 1; else cargo build --example fuzz_stable || exit 1; fi
    # All targets by default, as listed in fuzz/targets.rs.
    [ ${#TARGETS[@]} -eq 0 ] && mapfile -t TARGETS < <("target/$PROFILE/examples/fuzz_stable" --list)
    for t in "${TARGETS[@]}"; do
        echo "== $t ($SECONDS_EACH s)" >&2
        if ! "target/$PROFILE/examples/fuzz_stable" "$t" "$SECONDS_EACH" "${SEEDS[@]}" >>"$SUMMARY"; then
            status=1
        fi
    done
fi

echo
echo "| target | CPU minutes | executions | seeds | distinct behaviours | crashes | slow (>1 s) |"
echo "|---|---|---|---|---|---|---|"
python3 - "$SUMMARY" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    cpu = d.get("cpu_s")
    print(f"| {d['target']} | {cpu/60:.1f} | {d.get('execs','?')} | {d.get('seeds','?')} | {d.get('behaviours','?')} | {d.get('crashes','?')} | {d.get('slow','?')} |"
          if cpu is not None else f"| {d['target']} | {d['seconds']/60:.1f} (wall) | | | | see cargo fuzz output | |")
PY
exit $status
