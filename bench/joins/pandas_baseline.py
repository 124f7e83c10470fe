"""Baseline for bench/joins.sh: the same join done the way the Python tool
does it (pandas table I/O, per-record Python loops over the score
payloads and the feature keys). Reads the JSONL copy of the features:
Debian ships no pyarrow, so pandas cannot read Parquet here."""
import json
import sys
import time

import pandas as pd

t0 = time.perf_counter()
features, out, scores = sys.argv[1], sys.argv[2], sys.argv[3:]
df = pd.read_json(features, lines=True)
by_comp = {}
for path in scores:
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            p = json.loads(line)
            comp = p["competitor"]
            key = str(p["clip_id"]).strip()
            rec = by_comp.setdefault(comp, {})
            if key in rec:
                raise SystemExit(f"duplicate {comp} {key}")
            st = str(p.get("status", "ok")).strip().lower()
            rec[key] = (float(p["score"]), "ok" if st in ("", "ok", "pass", "success") else "bad",
                        float(p["runtime_ms"]), path)
keys = [str(v).strip() for v in df["clip_id"].tolist()]
for comp, rec in sorted(by_comp.items()):
    cols = {"score": [], "status": [], "runtime_ms": [], "frames": [], "source": []}
    for k in keys:
        r = rec.get(k)
        if r is None:
            r = (float("nan"), "missing", float("nan"), "")
        cols["score"].append(r[0])
        cols["status"].append(r[1])
        cols["runtime_ms"].append(r[2])
        cols["frames"].append(0)
        cols["source"].append(r[3])
    for name, values in cols.items():
        df[f"second_opinion_{comp}_{name}"] = values
with open(out, "w", encoding="utf-8") as f:
    for row in df.to_dict(orient="records"):
        f.write(json.dumps(row, sort_keys=True) + "\n")
print(f"{time.perf_counter() - t0:.2f}")
