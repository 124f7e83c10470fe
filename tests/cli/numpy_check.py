#!/usr/bin/env python3
"""Cross-check a sigmix audit JSON report against numpy/pandas.

    numpy_check.py REPORT.json TABLE [TABLE_INDEX]

Recomputes, with the same numpy/pandas calls the reference Python tool makes
(np.mean/np.std over finite values, np.corrcoef on pairwise-finite rows with
the std <= 1e-12 rule, Series.rank(method="average") for Spearman), the
column stats, target correlations and redundant pairs of one table, and
fails if any figure differs by more than 1e-9 or a null differs.
Reads .jsonl and .csv (numbers as in the issue's typing rule).
"""
import csv
import json
import math
import sys

import numpy as np
import pandas as pd


def load(path):
    rows = []
    if path.endswith(".csv"):
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            for rec in reader:
                row = {}
                for k, v in zip(header, rec):
                    if v == "":
                        row[k] = None
                        continue
                    try:
                        row[k] = int(v)  # pandas keeps integer columns exact
                    except ValueError:
                        try:
                            row[k] = float(v)
                        except ValueError:
                            row[k] = v
                rows.append(row)
    else:
        with open(path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
    cols = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    data = {}
    for c in cols:
        vals = [r.get(c) for r in rows]
        if all(v is None or isinstance(v, (int, float)) for v in vals):
            data[c] = np.array([np.nan if v is None else float(v) for v in vals])
            if all(type(v) is int and -2**63 <= v < 2**63 for v in vals):
                EXACT[c] = np.array(vals, dtype=np.int64)
    return data


# Integer columns without nulls, as int64: pandas ranks their exact values.
EXACT = {}


def pearson(a, b):
    mask = np.isfinite(a) & np.isfinite(b)
    if int(mask.sum()) < 3:
        return float("nan")
    x, y = a[mask], b[mask]
    if float(np.std(x)) <= 1e-12 or float(np.std(y)) <= 1e-12:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def spearman(a, b):
    return pearson(pd.Series(a).rank(method="average").to_numpy(dtype=float),
                   pd.Series(b).rank(method="average").to_numpy(dtype=float))


def main():
    report, table = sys.argv[1], sys.argv[2]
    index = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    rep = json.load(open(report))["tables"][index]
    data = load(table)
    bad = []
    worst = 0.0

    def same(got, want, what):
        nonlocal worst
        if want is None or math.isnan(want):
            if got is not None:
                bad.append(f"{what}: sigmix {got}, numpy null")
            return
        if got is None:
            bad.append(f"{what}: sigmix null, numpy {want}")
            return
        worst = max(worst, abs(got - want))
        if abs(got - want) > 1e-9:
            bad.append(f"{what}: sigmix {got!r}, numpy {want!r}")

    sig = rep["signal_columns"]
    for c in sig:
        v = data[c]
        fin = v[np.isfinite(v)]
        st = rep["column_stats"][c]
        same(st["finite_ratio"], fin.size / max(v.size, 1), c + " finite_ratio")
        for k, fn in (("mean", np.mean), ("std", np.std), ("min", np.min), ("max", np.max)):
            same(st[k], float(fn(fin)) if fin.size else None, f"{c} {k}")
    target = rep["target"]
    got = {x["column"]: x for x in rep["target_correlations"]}
    if target is not None and target in data:
        for c in sig:
            p = pearson(data[c], data[target])
            s = spearman(EXACT.get(c, data[c]), EXACT.get(target, data[target]))
            if math.isnan(p) and math.isnan(s):
                if c in got:
                    bad.append(f"{c}: listed, numpy has both correlations null")
                continue
            if c not in got:
                bad.append(f"{c}: missing from target_correlations")
                continue
            same(got[c]["pearson"], p, c + " pearson")
            same(got[c]["spearman"], s, c + " spearman")
    red = {(x["left"], x["right"]): x["pearson"] for x in rep["redundant_pairs"]}
    want = 0
    for i, left in enumerate(sig):
        for right in sig[i + 1:]:
            r = pearson(data[left], data[right])
            if not math.isnan(r) and abs(r) >= 0.95:
                want += 1
                same(red.get((left, right)), r, f"{left} x {right}")
    if want != len(red):
        bad.append(f"redundant pairs: sigmix {len(red)}, numpy {want}")
    for line in bad[:20]:
        print("MISMATCH", line)
    print(f"{table}: {len(sig)} signal columns, {want} redundant pairs, "
          f"largest difference {worst:.3g}, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
