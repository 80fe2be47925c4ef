#!/usr/bin/env bash
# Compare archive's PDF text extraction (pdf_oxide, through extract_bytes) with poppler's
# pdftotext on the corpus PDFs: wall time per file and whether each text probe is found.
# Usage: bench/pdf_vs_pdftotext.sh [CORPUS_DIR]   (default $EVIDENCE_DEV_CORPUS)
# Needs pdftotext (apt-get install poppler-utils). Not a test: it prints figures.
set -euo pipefail
corpus="${1:-${EVIDENCE_DEV_CORPUS:?set EVIDENCE_DEV_CORPUS or pass the corpus folder}}"
command -v pdftotext >/dev/null || { echo "pdftotext not installed (poppler-utils)"; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mapfile -t pdfs < <(cd "$corpus" && find documents hostile -name '*.pdf' | LC_ALL=C sort)
cargo build -q --example pdf_text
ours="target/debug/examples/pdf_text"
(cd "$corpus" && "$OLDPWD/$ours" "$work/ours" "${pdfs[@]}") > "$work/ours.tsv"
mkdir -p "$work/poppler"
: > "$work/poppler.tsv"
for i in "${!pdfs[@]}"; do
  f="${pdfs[$i]}"
  start=$(date +%s%N)
  timeout 20 pdftotext -enc UTF-8 "$corpus/$f" "$work/poppler/$i.txt" 2>/dev/null || echo "failed or timed out" > "$work/poppler/$i.err"
  end=$(date +%s%N)
  printf '%s\t%.1f\n' "$f" "$(echo "($end - $start)/1000000" | bc -l)" >> "$work/poppler.tsv"
done
python3 - "$corpus" "$work" "${pdfs[@]}" <<'PY'
import sys, os, collections
corpus, work, pdfs = sys.argv[1], sys.argv[2], sys.argv[3:]
probes = collections.defaultdict(list)
for line in open(os.path.join(corpus, "reference/text_probes.tsv"), encoding="utf-8").read().splitlines()[1:]:
    f, p = line.split("\t", 1)
    probes[f].append(p)
ours = [l.split("\t") for l in open(os.path.join(work, "ours.tsv"), encoding="utf-8").read().splitlines()]
pop = [l.split("\t") for l in open(os.path.join(work, "poppler.tsv"), encoding="utf-8").read().splitlines()]
def text(kind, i):
    p = os.path.join(work, kind, f"{i}.txt")
    return open(p, encoding="utf-8", errors="replace").read() if os.path.exists(p) else ""
tot = {"ours": 0.0, "poppler": 0.0}; found = {"ours": 0, "poppler": 0}; n = 0
print(f"{'file':60} {'ours ms':>8} {'pdftotext ms':>12}  probes ours/poppler")
for i, f in enumerate(pdfs):
    o_ms, p_ms = float(ours[i][1]), float(pop[i][1])
    tot["ours"] += o_ms; tot["poppler"] += p_ms
    ps = probes.get(f, [])
    fo = sum(p in text("ours", i) for p in ps); fp = sum(p in text("poppler", i) for p in ps)
    found["ours"] += fo; found["poppler"] += fp; n += len(ps)
    err = ours[i][3] if len(ours[i]) > 3 else ""
    print(f"{f[:60]:60} {o_ms:8.1f} {p_ms:12.1f}  {fo}/{fp} of {len(ps)} {err[:60]}")
print(f"total time: ours {tot['ours']:.0f} ms, pdftotext {tot['poppler']:.0f} ms (pdftotext includes process start)")
print(f"probes found: ours {found['ours']}/{n}, pdftotext {found['poppler']}/{n}")
PY
