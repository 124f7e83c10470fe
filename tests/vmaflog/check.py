#!/usr/bin/env python3
"""Check sigmix vmaf-logs output against the generator's truth file.

usage: check.py perframe TRUTH TABLE.jsonl   per-frame table == the logs
       check.py perclip  TRUTH TABLE.jsonl   pooled statistics == numpy's
Exit 0 on success, 1 with a message on a mismatch, 77 (skip) for perclip
without numpy.
"""
import json
import math
import sys

# The renames sigmix must apply (canonical names), written out by hand.
RENAME = {
    "integer_adm2": "adm2", "integer_motion2": "motion2", "integer_motion": "motion",
    "integer_vif_scale0": "vif_scale0", "integer_vif_scale1": "vif_scale1",
    "integer_vif_scale2": "vif_scale2", "integer_vif_scale3": "vif_scale3",
    "VMAF_feature_adm2_score": "adm2", "VMAF_feature_motion2_score": "motion2",
    "VMAF_feature_vif_scale0_score": "vif_scale0", "VMAF_feature_vif_scale1_score": "vif_scale1",
    "VMAF_feature_vif_scale2_score": "vif_scale2", "VMAF_feature_vif_scale3_score": "vif_scale3",
    "VMAF_score": "vmaf",
}


def fail(msg):
    print("check.py: " + msg)
    sys.exit(1)


def load(truth_path, table_path):
    with open(truth_path) as f:
        truth = json.load(f)
    with open(table_path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return truth, rows


def perframe(truth, rows):
    by_key = {}
    for r in rows:
        by_key.setdefault(r["key"], []).append(r)
    if sorted(by_key) != sorted(truth):
        fail("keys differ: %s vs %s" % (sorted(by_key), sorted(truth)))
    n = 0
    for key, t in truth.items():
        got = by_key[key]
        if len(got) != len(t["frames"]):
            fail("%s: %d rows, log has %d frames" % (key, len(got), len(t["frames"])))
        names = set()
        for _, m in t["frames"]:
            names.update(RENAME.get(k, k) for k in m)
        for row, (num, m) in zip(got, t["frames"]):
            if row["frame"] != num:
                fail("%s: frame %s, log says %d" % (key, row["frame"], num))
            for name in names:
                src = [k for k in m if RENAME.get(k, k) == name]
                want = m[src[0]] if src else None
                if row.get(name) != want:
                    fail("%s frame %d %s: %r, log has %r" % (key, num, name, row.get(name), want))
                n += 1
            for col in row:
                if col.startswith("integer_") or col.startswith("VMAF_"):
                    fail("%s: column %s was not renamed" % (key, col))
    print("perframe: %d values match" % n)


def perclip(truth, rows):
    try:
        import numpy as np
    except ImportError:
        print("perclip: numpy not installed, skipping")
        sys.exit(77)
    by_key = {r["key"]: r for r in rows}
    n = 0
    for key, t in truth.items():
        row = by_key[key]
        if row["vmaf_log_format"] != t["format"]:
            fail("%s: format %s, expected %s" % (key, row["vmaf_log_format"], t["format"]))
        if row["frames"] != len(t["frames"]):
            fail("%s: frames %s" % (key, row["frames"]))
        series = {}
        for _, m in t["frames"]:
            for k, v in m.items():
                series.setdefault(RENAME.get(k, k), []).append(np.nan if v is None else v)
        for name, vals in series.items():
            x = np.array(vals, dtype=float)
            fin = x[np.isfinite(x)]
            want = {
                "mean": np.nanmean(x), "std": np.nanstd(x), "min": np.nanmin(x),
                "max": np.nanmax(x), "p10": np.nanpercentile(x, 10),
                "p90": np.nanpercentile(x, 90),
                "hmean": 1.0 / np.mean(1.0 / (fin + 1.0)) - 1.0,
            }
            for stat, w in want.items():
                col = "%s_%s" % (name, stat)
                got = row.get(col)
                if got is None or not math.isclose(got, float(w), rel_tol=1e-12, abs_tol=1e-12):
                    fail("%s %s: %r, numpy says %r" % (key, col, got, float(w)))
                n += 1
    print("perclip: %d statistics match numpy" % n)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("perframe", "perclip"):
        sys.exit(__doc__)
    truth, rows = load(sys.argv[2], sys.argv[3])
    (perframe if sys.argv[1] == "perframe" else perclip)(truth, rows)
