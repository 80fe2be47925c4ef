#!/usr/bin/env bash
# The problem list (issue 17) at scale: `archive problems list --json` over 10,000 problems
# (target < 100 ms) and the 问题整改 page (target < 50 ms), timed from outside the program, as
# a user or a script sees them. Prints a Markdown table of medians for docs/performance.md.
#
# Usage: bench/problems.sh [N]
#   N             problems in the list (default 10000), spread over the eight prefectures and
#                 province-wide, each with a deadline, a category and an indicator; one in
#                 twenty is linked to evidence.
#   BENCH_RUNS    runs per measurement (default 21; the first, a warm-up, is not counted)
#   BENCH_DIR     work folder (default /tmp/archive-problems-bench; rebuilt each run)
#   ARCHIVE_BIN   binary to measure (default target/release/archive)
#   BENCH_PORT    the page's port (default 18417)
set -euo pipefail

cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${BENCH_RUNS:-21}
WORK=${BENCH_DIR:-/tmp/archive-problems-bench}
BIN=${ARCHIVE_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/archive}
PORT=${BENCH_PORT:-18417}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release, or set ARCHIVE_BIN" >&2; exit 2; }

rm -rf "$WORK"
mkdir -p "$WORK/evidence" "$WORK/archive"
A=(--archive "$WORK/archive")
export ARCHIVE_LANG=zh

# A little evidence to link (eight notes, one per prefecture).
for p in 西宁市 海东市 海北州 黄南州 海南州 果洛州 玉树州 海西州; do
    mkdir -p "$WORK/evidence/$p/整改"
    echo "$p 整改情况报告" >"$WORK/evidence/$p/整改/整改报告.txt"
done
"$BIN" "${A[@]}" index "$WORK/evidence" >/dev/null 2>&1

# The list, as the office keeps it: a title row, then the usual columns.
python3 - "$N" >"$WORK/list.csv" <<'EOF'
import sys
n = int(sys.argv[1])
places = ["西宁市", "海东市", "海北州", "黄南州", "海南州", "果洛州", "玉树州", "海西州", "各市州"]
cats = ["组织领导", "基础设施", "重点人群", "宣传活动", "经费保障", "监测评估", "台账资料"]
inds = ["A1", "A2", "B4.1", "C1", "D1"]
forms = ["2020-06-30", "2020/9/30", "2020.12.31", "2020年6月30日前", "6月底前", "长期坚持"]
print("2020年全民科学素质工作督查问题清单,,,,,,,,")
print("序号,市州,问题类别,存在问题,对应指标,整改措施,责任单位,整改时限,备注")
for i in range(1, n + 1):
    p = places[i % len(places)]
    print(f"{i},{p},{cats[i % len(cats)]},第{i}项：科普活动资料未按年度归档，照片缺少时间地点说明,"
          f"{inds[i % len(inds)]},建立台账并补充佐证材料,{p[:2]}科协,{forms[i % len(forms)]},")
EOF
"$BIN" "${A[@]}" problems import "$WORK/list.csv" --year 2020 >/dev/null

# One problem in twenty linked to its prefecture's report.
"$BIN" "${A[@]}" problems list --json | python3 -c '
import json, sys
for line in sys.stdin:
    p = json.loads(line)
    if p["id"] % 20 == 0 and p["prefecture"]:
        print(p["id"], p["prefecture"]["name"])
' | while read -r id place; do
    "$BIN" "${A[@]}" problems link "$id" "$WORK/evidence/$place/整改/整改报告.txt" >/dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }

# (1) problems list --json, a process start included (what a script pays).
list_times=()
for r in $(seq 0 "$RUNS"); do
    t0=$(date +%s%N)
    "$BIN" "${A[@]}" problems list --json >"$WORK/list.jsonl"
    t1=$(date +%s%N)
    [ "$r" -gt 0 ] && list_times+=("$(( (t1 - t0) / 1000 ))")
done
lines=$(wc -l <"$WORK/list.jsonl")
list_ms=$(printf '%s\n' "${list_times[@]}" | awk '{print $1/1000}' | median)
# The same process doing nothing with the catalog: what start-up alone costs.
start_times=()
for r in $(seq 0 "$RUNS"); do
    t0=$(date +%s%N)
    "$BIN" --version >/dev/null
    t1=$(date +%s%N)
    [ "$r" -gt 0 ] && start_times+=("$(( (t1 - t0) / 1000 ))")
done
start_ms=$(printf '%s\n' "${start_times[@]}" | awk '{print $1/1000}' | median)

# (2) the page, over HTTP on loopback, the server warm.
"$BIN" "${A[@]}" serve --addr "127.0.0.1:$PORT" --no-browser >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/problems" && break
    sleep 0.1
done
page() { # page PATH -> median ms, bytes
    local times=() size=0
    for r in $(seq 0 "$RUNS"); do
        out=$(curl -fs -o /dev/null -w '%{time_total} %{size_download}' "http://127.0.0.1:$PORT$1")
        size=${out#* }
        [ "$r" -gt 0 ] && times+=("${out% *}")
    done
    printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | awk '{print $1*1000}' | median)" "$size"
}
read -r page_ms page_bytes < <(page "/problems")
read -r pref_ms pref_bytes < <(page "/problems?prefecture=%E6%B5%B7%E4%B8%9C%E5%B8%82")
read -r overdue_ms overdue_bytes < <(page "/problems?overdue=1&as_of=2021-01-01")
read -r one_ms _ < <(page "/problems/20")
kill "$SERVER" 2>/dev/null || true

cat <<EOF
| measurement ($N problems, $(( N / 20 )) linked, median of $RUNS) | ms | target |
|---|---|---|
| \`problems list --json\` ($lines lines, process start included) | $list_ms | < 100 |
| of which process start (\`archive --version\`) | $start_ms | |
| page \`/problems\` (matrix and the list, $page_bytes bytes) | $page_ms | < 50 |
| page \`/problems?prefecture=海东市\` ($pref_bytes bytes) | $pref_ms | |
| page \`/problems?overdue=1&as_of=2021-01-01\` ($overdue_bytes bytes) | $overdue_ms | |
| page \`/problems/20\` (one problem, its evidence and history) | $one_ms | |
EOF
