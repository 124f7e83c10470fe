#!/usr/bin/env python3
"""Python baseline for the vmaf-logs benchmark: json + numpy pooling of the
same statistics, as hand-written pipelines do it (lusoris/vmaf's
extract_k150k_features.py style). Output is not written (no pyarrow in
Debian's minimal set), so this is a lower bound for the Python step.

usage: baseline.py FILE...   prints "files=N seconds=S"
"""
import json
import sys
import time

import numpy as np


def pool(path):
    with open(path) as f:
        doc = json.load(f)
    series = {}
    for fr in doc["frames"]:
        for k, v in fr["metrics"].items():
            series.setdefault(k, []).append(np.nan if v is None else v)
    row = {"key": path.rsplit("/", 1)[-1].rsplit(".", 1)[0], "frames": len(doc["frames"])}
    for k, vals in series.items():
        x = np.asarray(vals, dtype=float)
        fin = x[np.isfinite(x)]
        row[k + "_mean"] = np.nanmean(x)
        row[k + "_std"] = np.nanstd(x)
        row[k + "_min"] = np.nanmin(x)
        row[k + "_max"] = np.nanmax(x)
        row[k + "_p10"], row[k + "_p90"] = np.nanpercentile(x, [10, 90])
        row[k + "_hmean"] = 1.0 / np.mean(1.0 / (fin + 1.0)) - 1.0
    return row


t0 = time.time()
rows = [pool(p) for p in sys.argv[1:]]
print("files=%d seconds=%.2f" % (len(rows), time.time() - t0))
