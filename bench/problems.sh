#!/usr/bin/env bash
# The problem list (issue 17) at scale: `archive problems list --json` over 10,000 problems
# (target < 100 ms) and the 问题整改 page (target < 50 ms), timed from outside the program, as
# a user or a script sees them: wall time, and CPU time (what the command itself costs, which
# a busy machine does not inflate). Prints a Markdown table of medians for docs/performance.md.
#
# Usage: bench/problems.sh [N]
#   N             problems in the list (default 10000), spread over the eight prefectures and
#                 province-wide, each with a deadline, a category and an indicator; one in
#                 twenty is linked to evidence.
#   BENCH_RUNS    runs per measurement (default 21, after one warm-up run)
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

# A little evidence to link (one report per prefecture).
for p in 西宁市 海东市 海北州 黄南州 海南州 果洛州 玉树州 海西州; do
    mkdir -p "$WORK/evidence/$p/整改"
    echo "$p 整改情况报告" >"$WORK/evidence/$p/整改/整改报告.txt"
done
"$BIN" "${A[@]}" index "$WORK/evidence" >/dev/null 2>&1

# The list, as the office keeps it: a title row, then the usual columns.
python3 - "$N" >"$WORK/list.csv" <<'PY'
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
PY
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

# Runs a command RUNS times after a warm-up; prints the median wall time and the median CPU
# time (user + system, the kernel's accounting of the child) in ms.
timed() {
    python3 - "$RUNS" "$@" <<'PY'
import resource, statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
wall, cpu = [], []
for r in range(runs + 1):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    t = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r:
        wall.append(t * 1000)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
print(f"{statistics.median(wall):.1f} {statistics.median(cpu):.1f}")
PY
}

# (1) problems list --json, a process start included (what a script pays).
"$BIN" "${A[@]}" problems list --json >"$WORK/list.jsonl"
lines=$(wc -l <"$WORK/list.jsonl")
read -r list_ms list_cpu < <(timed "$BIN" "${A[@]}" problems list --json)
# A process that does nothing: what start-up alone costs.
read -r start_ms start_cpu < <(timed "$BIN" --version)

# (2) the pages, over HTTP on loopback, the server warm. The server's CPU time per request is
# read from /proc (utime + stime) around the RUNS requests.
"$BIN" "${A[@]}" serve --addr "127.0.0.1:$PORT" --no-browser >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/problems" && break
    sleep 0.1
done
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
page() { # page PATH -> median wall ms, server CPU ms per request, bytes
    local times=() size=0 t0 t1 out
    curl -fs -o /dev/null "http://127.0.0.1:$PORT$1"
    t0=$(ticks)
    for _ in $(seq 1 "$RUNS"); do
        out=$(curl -fs -o /dev/null -w '%{time_total} %{size_download}' "http://127.0.0.1:$PORT$1")
        size=${out#* }
        times+=("${out% *}")
    done
    t1=$(ticks)
    printf '%s %s %s\n' "$(printf '%s\n' "${times[@]}" | awk '{print $1*1000}' | median)" \
        "$(awk -v d=$((t1 - t0)) -v n="$RUNS" -v hz="$HZ" 'BEGIN {printf "%.1f", d * 1000 / hz / n}')" \
        "$size"
}
read -r page_ms page_cpu page_bytes < <(page "/problems")
read -r pref_ms pref_cpu pref_bytes < <(page "/problems?prefecture=%E6%B5%B7%E4%B8%9C%E5%B8%82")
read -r overdue_ms overdue_cpu overdue_bytes < <(page "/problems?overdue=1&as_of=2021-01-01")
read -r one_ms one_cpu _ < <(page "/problems/20")
kill "$SERVER" 2>/dev/null || true

cat <<MD
$(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).

| measurement ($N problems, $(( N / 20 )) linked, median of $RUNS) | wall ms | CPU ms | target |
|---|---|---|---|
| \`problems list --json\` ($lines lines, process start included) | $list_ms | $list_cpu | < 100 |
| of which process start (\`archive --version\`) | $start_ms | $start_cpu | |
| page \`/problems\` (matrix and the whole list, $page_bytes bytes) | $page_ms | $page_cpu | < 50 |
| page \`/problems?prefecture=海东市\` ($pref_bytes bytes) | $pref_ms | $pref_cpu | |
| page \`/problems?overdue=1&as_of=2021-01-01\` ($overdue_bytes bytes) | $overdue_ms | $overdue_cpu | |
| page \`/problems/20\` (one problem, its evidence and history) | $one_ms | $one_cpu | |
MD
