#!/usr/bin/env python3
"""Checks that archive read the same capture times and GPS points as exiftool (and as the
generator wrote) for every photo of corpus (b). Prints "AGREE/TOTAL agree" and, when some
differ, the first few differences.

usage: compare_exif.py ARCHIVE_LIST.jsonl EXIFTOOL.json TRUTH.tsv
"""
import json
import sys
from datetime import datetime

listed, exif_json, truth_tsv = sys.argv[1:4]
archive = {}
for line in open(listed, encoding="utf-8"):
    if line.strip():
        r = json.loads(line)
        archive[r["path"]] = r
exif = {e["SourceFile"]: e for e in json.load(open(exif_json, encoding="utf-8"))}

def close(a, b):
    return a is not None and b is not None and abs(float(a) - float(b)) < 2e-5

total = agree = 0
problems = []
for line in open(truth_tsv, encoding="utf-8"):
    path, when, lat, lon = line.rstrip("\n").split("\t")
    total += 1
    a, e = archive.get(path), exif.get(path)
    if a is None or e is None:
        problems.append(f"{path}: {'not in archive' if a is None else 'not read by exiftool'}")
        continue
    want = datetime.fromisoformat(when)
    got = datetime.fromisoformat(a["captured_at"]) if a.get("captured_at") else None
    # exiftool reports the camera's local time and, when written, its zone; without one the
    # archive assumes China time (+08:00), as the generator's cameras were set.
    e_local = datetime.strptime(e["DateTimeOriginal"], "%Y:%m:%d %H:%M:%S") if "DateTimeOriginal" in e else None
    ok = got == want and e_local == want.replace(tzinfo=None)
    if lat:
        g = a.get("gps") or {}
        ok = ok and close(g.get("lat"), lat) and close(g.get("lon"), lon)
        ok = ok and close(e.get("GPSLatitude"), lat) and close(e.get("GPSLongitude"), lon)
    else:
        ok = ok and not a.get("gps") and "GPSLatitude" not in e
    if ok:
        agree += 1
    elif len(problems) < 5:
        problems.append(f"{path}: truth {when} {lat} {lon}; archive {a.get('captured_at')} {a.get('gps')}; "
                        f"exiftool {e.get('DateTimeOriginal')} {e.get('OffsetTimeOriginal')} {e.get('GPSLatitude')} {e.get('GPSLongitude')}")
print(f"{agree}/{total} agree")
for p in problems:
    print("  " + p, file=sys.stderr)
