#!/usr/bin/env python3
"""Peer for the audit benchmark: the numeric part of `sigmix audit` done the
way the reference Python tool does it, with pandas and numpy.

    pandas_audit.py TABLE.jsonl OUT.json
        pd.read_json(lines=True); target: the first of vmaf, vmaf_score,
        mos_raw_0_100, mos, dmos, score (any case); signal columns: numeric
        minus target candidates and metadata names; per signal column the
        finite ratio, mean, std, min, max over finite values; Pearson and
        Spearman (average ranks) with the target; Pearson of every pair of
        signal columns on their pairwise-finite rows (np.corrcoef, null under
        3 rows or a std <= 1e-12), the pairs with |r| >= 0.95 kept. Families,
        complement pairs and the report text are left out, so this is a lower
        bound of the Python tool's time.
    pandas_audit.py --compare OUT.json SIGMIX_REPORT.json
        checks that both found the same signal columns and redundant pairs
        (values within 1e-9), so the two timed the same work.
"""
import json
import re
import sys

CANDIDATES = ["vmaf", "vmaf_score", "mos_raw_0_100", "mos", "dmos", "score"]
METADATA = re.compile(r"(^src$|sha|basename|path|filename|uuid|id$|timestamp|ingested|manifest|"
                      r"license|url|bucket|split|fold|corpus_version)", re.I)


def pearson(np, a, b):
    mask = np.isfinite(a) & np.isfinite(b)
    if int(mask.sum()) < 3:
        return None
    x, y = a[mask], b[mask]
    if float(np.std(x)) <= 1e-12 or float(np.std(y)) <= 1e-12:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def audit(path, out):
    import numpy as np
    import pandas as pd

    df = pd.read_json(path, lines=True)
    lower = {c.lower(): c for c in df.columns}
    target = next((lower[c] for c in CANDIDATES if c in lower), None)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    signal = [c for c in numeric if c != target and not METADATA.search(c)
              and (target is None or c.lower() not in CANDIDATES)]
    cols = {c: df[c].to_numpy(dtype=float) for c in signal}
    stats = {}
    for c in signal:
        v = cols[c]
        fin = v[np.isfinite(v)]
        stats[c] = {"finite_ratio": fin.size / max(v.size, 1),
                    "mean": float(np.mean(fin)) if fin.size else None,
                    "std": float(np.std(fin)) if fin.size else None,
                    "min": float(np.min(fin)) if fin.size else None,
                    "max": float(np.max(fin)) if fin.size else None}
    corr = []
    if target is not None:
        t = df[target].to_numpy(dtype=float)
        tr = df[target].rank(method="average").to_numpy(dtype=float)
        for c in signal:
            corr.append({"column": c, "pearson": pearson(np, cols[c], t),
                         "spearman": pearson(np, df[c].rank(method="average").to_numpy(dtype=float), tr)})
    redundant = []
    for i, left in enumerate(signal):
        for right in signal[i + 1:]:
            r = pearson(np, cols[left], cols[right])
            if r is not None and abs(r) >= 0.95:
                redundant.append({"left": left, "right": right, "pearson": r})
    with open(out, "w") as f:
        json.dump({"target": target, "signal_columns": signal, "column_stats": stats,
                   "target_correlations": corr, "redundant_pairs": redundant}, f)


def compare(ours, theirs):
    a = json.load(open(ours))
    b = json.load(open(theirs))["tables"][0]
    if a["signal_columns"] != b["signal_columns"]:
        print("different signal columns: pandas %d, sigmix %d"
              % (len(a["signal_columns"]), len(b["signal_columns"])))
        return 1
    pa = {(p["left"], p["right"]): p["pearson"] for p in a["redundant_pairs"]}
    pb = {(p["left"], p["right"]): p["pearson"] for p in b["redundant_pairs"]}
    worst = max([abs(pa[k] - pb[k]) for k in pa if k in pb] or [0.0])
    if pa.keys() != pb.keys() or worst > 1e-9:
        print("different redundant pairs: pandas %d, sigmix %d, largest difference %.3g"
              % (len(pa), len(pb), worst))
        return 1
    print("same work: %d signal columns, %d redundant pairs (largest difference %.2g)"
          % (len(a["signal_columns"]), len(pa), worst))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    audit(sys.argv[1], sys.argv[2])
