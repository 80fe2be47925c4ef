#!/usr/bin/env python3
"""Rebuild archive-schema/ data files from the project's reference folder.

Usage: python3 build_from_reference.py REFERENCE_DIR ARCHIVE_SCHEMA_DIR

What it changes on the way (everything else is copied as is):
- divisions.csv gains a `successor` column (historical codes point at the division that replaced them);
- the GeoJSON files are written one feature per line (so that validation errors can name a line) and
  coordinates are rounded to 1e-5 degree (about 1 m; the source is quantised to about 100 m anyway);
- indicators.toml gains `aliases` (activity and short names used in folder names) and a longer generic
  keyword list; the provenance notes, sources and basis marks are kept.
"""
import csv, json, re, sys
from pathlib import Path

ref, out = Path(sys.argv[1]), Path(sys.argv[2])

# ---- divisions
rows = list(csv.DictReader(open(ref / "qinghai_divisions.csv", encoding="utf-8")))
fields = list(rows[0].keys())
fields.insert(fields.index("status") + 1, "successor")
for r in rows:
    m = re.search(r"replaced by \S+ (\d{6})", r["note"] or "")
    r["successor"] = m.group(1) if (r["status"] == "historical" and m) else ""
with open(out / "divisions.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)

# ---- towns: copied as is
(out / "towns.csv").write_text((ref / "qinghai_towns.csv").read_text(encoding="utf-8"), encoding="utf-8")

# ---- boundaries
def rnd(x):
    if isinstance(x, list):
        return [rnd(v) for v in x]
    return round(x, 5)

for src, dst in [("qinghai_prefectures.geojson", "prefectures.geojson"), ("qinghai_counties.geojson", "counties.geojson")]:
    d = json.load(open(ref / src, encoding="utf-8"))
    lines = ['{"type":"FeatureCollection","metadata":' + json.dumps(d.get("metadata", {}), ensure_ascii=False) + ',"features":[']
    feats = []
    for ft in d["features"]:
        g = ft["geometry"]
        g = {"type": g["type"], "coordinates": rnd(g["coordinates"])}
        feats.append(json.dumps({"type": "Feature", "id": ft.get("id"), "properties": ft["properties"], "geometry": g},
                                ensure_ascii=False, separators=(",", ":")))
    lines.append(",\n".join(feats))
    lines.append("]}")
    (out / dst).write_text("\n".join(lines) + "\n", encoding="utf-8")

# ---- indicators
aliases = {
    "A2": ["农民科学素质行动", "农牧民科学素质行动"],
    "A5": ["社区居民科学素质行动"],
    "B": ["科普重大工程", "重大工程", "基础工程"],
    "B4.1": ["大篷车"],
    "B4.2": ["流动科技馆", "流动科技馆巡展"],
    "C1": ["组织领导与工作机制", "组织领导"],
    "D1": ["科普日"],
    "D2": ["科技周"],
    "D3": ["科普之冬"],
    "D4": ["三区建设"],
    "D5": ["三下乡", "科技下乡"],
}
text = (ref / "indicators_draft.toml").read_text(encoding="utf-8")
out_lines, code = [], None
for line in text.splitlines():
    out_lines.append(line)
    m = re.match(r'code = "([^"]*)"', line)
    if m:
        code = m.group(1)
    if line.startswith("name = ") and code in aliases:
        out_lines.append("aliases = [" + ", ".join(f'"{a}"' for a in aliases[code]) + "]")
        code = None
text = "\n".join(out_lines) + "\n"
extra = ["科协", "规定", "制度", "检查", "考核", "家庭", "妇女", "农村", "乡村", "网站", "资金", "预算", "奖励", "获奖", "展品", "展厅"]
text = re.sub(r'ambiguous_keywords = \[(.*)\]',
              lambda m: "ambiguous_keywords = [" + m.group(1) + ", " + ", ".join(f'"{e}"' for e in extra) + "]", text)
(out / "indicators.toml").write_text(text, encoding="utf-8")
