#!/usr/bin/env bash
# `archive similar FILE` for a photo outside the catalog, among N catalogued fingerprints
# (issue 16: < 50 ms with 1,000,000). Side by side in the same process image: the lookup reading
# the hash file (fingerprints.bin) and the lookup scanning the catalog table (the file set aside),
# alternating, ROUNDS each; medians of wall time.
#
#   bench/similar_lookup.sh BIN [N] [ROUNDS]
#
# The N synthetic fingerprints (random 192-bit hashes, a 1-byte thumbnail) are added to a real
# archive of the sample tree with Python's sqlite3; one real photo is then left unpaired so that
# `archive index` pairs it, which reads every hash and writes the hash file as it always does.
set -euo pipefail
BIN=$(realpath "$1")
N=${2:-1000000}
ROUNDS=${3:-7}
W=${BENCH_DIR:-/tmp/archive-bench}/similar-lookup
rm -rf "$W" && mkdir -p "$W"
"$BIN" sample "$W/evidence" >/dev/null
# Exit status 2 says the sample's deliberately broken files were reported: expected here.
index() { "$BIN" index "$W/evidence" --archive "$W/archive" --ocr off >/dev/null || [ $? -eq 2 ]; }
index
python3 - "$W/archive/catalog.sqlite" "$N" <<'EOF'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
version = db.execute("SELECT version FROM fingerprints LIMIT 1").fetchone()[0]
n = int(sys.argv[2])
rows = ((os.urandom(32).hex(), version, os.urandom(24), b"\0", 1) for _ in range(n))
db.executemany(
    "INSERT INTO fingerprints(blake3, version, hashes, thumb, paired) VALUES(?,?,?,?,?)", rows)
db.execute("UPDATE fingerprints SET paired = 0 WHERE rowid = (SELECT MIN(rowid) FROM fingerprints)")
db.execute("DELETE FROM meta WHERE key IN ('fingerprints_complete', 'fingerprint_file')")
db.commit()
EOF
index
ls -la "$W/archive/fingerprints.bin"
# A catalogued photo with bytes appended: another BLAKE3, the same picture.
PHOTO=$(find "$W/evidence" -name '*.jpg' | sort | head -1)
cp "$PHOTO" "$W/outside.jpg" && printf 'appended' >>"$W/outside.jpg"

run() { # prints seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" similar --archive "$W/archive" --json "$W/outside.jpg" >"$W/out.json"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
file=() table=()
for _ in $(seq "$ROUNDS"); do
  file+=("$(run)")
  mv "$W/archive/fingerprints.bin" "$W/archive/fingerprints.off"
  table+=("$(run)")
  mv "$W/archive/fingerprints.off" "$W/archive/fingerprints.bin"
done
matches=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['matches']))" "$W/out.json")
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "{\"fingerprints\": $N, \"rounds\": $ROUNDS, \"matches\": $matches," \
  "\"hash_file_s\": $(median "${file[@]}"), \"table_scan_s\": $(median "${table[@]}")}"
