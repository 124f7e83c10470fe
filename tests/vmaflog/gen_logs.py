#!/usr/bin/env python3
"""Write libvmaf-style logs in every layout sigmix vmaf-logs reads, plus a
truth file (JSON) with the per-frame values each log carries.

The writers follow the layout of libvmaf's output.c (and the 1.x and Python
run_vmaf JSON), including their quirks: null for NaN with the newline
dropped, "fps": inf (2.3.1), pooled_metrics as an array (2.0.0), %.16f
values, metrics absent on some frames, subsampling, trailing commas and
short CSV rows. Standard library only.

usage: gen_logs.py OUTDIR            the test set (fixed seed)
       gen_logs.py --bench OUTDIR N  N per-clip JSON logs, 300 frames x 20 metrics
"""
import json
import math
import os
import random
import sys

NAN = float("nan")

FEATURES = ["integer_adm2", "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2",
            "integer_adm_scale3", "integer_motion2", "integer_motion", "integer_vif_scale0",
            "integer_vif_scale1", "integer_vif_scale2", "integer_vif_scale3", "vmaf",
            "psnr_y", "psnr_cb", "psnr_cr", "float_ssim", "float_ms_ssim", "cambi",
            "integer_aim", "ciede2000"]


def fmt6(v):
    """%.6f as C prints it (nan, -nan, inf)."""
    if math.isnan(v):
        return "-nan" if math.copysign(1, v) < 0 else "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return "%.6f" % v


def frames_of(data):
    """data: {"frames": [(frameNum, [(name, value), ...]), ...]}"""
    return data["frames"]


def write_json2(path, data, version="2.3.1", fps="23.45", pooled_array=False, final_newline=True,
                sixteen=()):
    out = ["{\n", '  "version": "%s",\n' % version]
    if fps is not None:
        out.append('  "fps": %s,\n' % fps)
    out.append('  "frames": [')
    first = True
    for num, metrics in frames_of(data):
        out.append("\n" if first else ",\n")
        first = False
        out.append('    {\n      "frameNum": %d,\n      "metrics": {\n' % num)
        for k, (name, v) in enumerate(metrics):
            sep = "," if k < len(metrics) - 1 else ""
            if math.isnan(v) or math.isinf(v):
                out.append('        "%s": null%s' % (name, sep))  # libvmaf drops the newline
            elif name in sixteen:
                out.append('        "%s": %.16f%s\n' % (name, v, sep))
            else:
                out.append('        "%s": %.6f%s\n' % (name, v, sep))
        out.append("      }\n    }")
    out.append("\n  ],\n")
    names = data_names(data)
    # Deliberately wrong pooled values: a reader that uses them fails the tests.
    if pooled_array:
        out.append('  "pooled_metrics": [\n')
        out.append(",\n".join('    {"%s": {"min": -1.0, "max": -1.0, "mean": -1.0}}' % n
                              for n in names))
        out.append("\n  ],\n")
    else:
        out.append('  "pooled_metrics": {')
        out.append(",".join('\n    "%s": {\n      "min": -1.000000,\n      "mean": -1.000000\n    }'
                            % n for n in names))
        out.append("\n  },\n")
    out.append('  "aggregate_metrics": {\n  }\n}')
    if final_newline:
        out.append("\n")
    with open(path, "w") as f:
        f.write("".join(out))


def data_names(data):
    seen = []
    for _, metrics in frames_of(data):
        for name, _ in metrics:
            if name not in seen:
                seen.append(name)
    return seen


def write_json_v1(path, data):
    names = data_names(data)
    doc = {"version": "1.3.15",
           "params": {"model": "vmaf_v0.6.1.pkl", "scaledWidth": 1920, "scaledHeight": 1080,
                      "subsample": 1, "num_bootstrap_models": 0},
           "metrics": names,
           "frames": [{"frameNum": n, "metrics": {k: v for k, v in m}} for n, m in frames_of(data)],
           "VMAF score": 42.0, "ExecFps": 11.5}
    with open(path, "w") as f:
        json.dump(doc, f, indent=4)


def write_json_python(path, data):
    frames = []
    for n, m in frames_of(data):
        fr = {"frameNum": n}
        for k, v in m:
            fr[k] = v
        frames.append(fr)
    doc = {"executorId": "VMAF_V0.6.1", "asset": {"identifier": "x", "width": 1920},
           "frames": frames, "aggregate": {"VMAF_score": -1.0}}
    with open(path, "w") as f:
        json.dump(doc, f, indent=4)  # writes NaN for NaN, as Python does


def write_xml(path, data, version="2.3.1"):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', '<VMAF version="%s">\n' % version,
           '  <params qualityWidth="1920" qualityHeight="1080" />\n', '  <fyi fps="30.00" />\n',
           "  <frames>\n"]
    for n, m in frames_of(data):
        out.append('    <frame frameNum="%d" ' % n)
        out.append("".join('%s="%s" ' % (k, fmt6(v)) for k, v in m))
        out.append("/>\n")
    out.append("  </frames>\n  <pooled_metrics>\n")
    for n in data_names(data):
        out.append('    <metric name="%s" min="-1.000000" mean="-1.000000" />\n' % n)
    out.append("  </pooled_metrics>\n  <aggregate_metrics />\n</VMAF>\n")
    with open(path, "w") as f:
        f.write("".join(out))


def write_csv(path, data):
    names = data_names(data)
    out = ["Frame," + "".join(n + "," for n in names) + "\n"]
    for n, m in frames_of(data):
        # positional: a metric missing on a frame is skipped, so only a
        # missing *trailing* metric keeps the columns aligned (as in libvmaf)
        out.append("%d," % n + "".join(fmt6(v) + "," for _, v in m) + "\n")
    with open(path, "w") as f:
        f.write("".join(out))


def write_sub(path, data):
    out = []
    for n, m in frames_of(data):
        out.append("{%d}{%d}frame: %d|" % (n, n + 1, n) +
                   "".join("%s: %s|" % (k, fmt6(v)) for k, v in m) + "\n")
    with open(path, "w") as f:
        f.write("".join(out))


def make_data(rng, names, nframes, step=1, nan_every=0, drop=None):
    frames = []
    for i in range(0, nframes * step, step):
        metrics = []
        for j, name in enumerate(names):
            if drop and drop(i, name):
                continue
            v = round(rng.uniform(0.0, 1.0) * (100 if name in ("vmaf", "VMAF_score") else 1), 6)
            if nan_every and j == 0 and (i // step) % nan_every == 1:
                v = NAN
            metrics.append((name, v))
        frames.append((i, metrics))
    return {"frames": frames}


def truth_of(data, fmt):
    def enc(v):
        return None if math.isnan(v) else v
    return {"format": fmt,
            "frames": [[n, {k: enc(v) for k, v in m}] for n, m in frames_of(data)]}


def test_set(outdir):
    rng = random.Random(11)
    os.makedirs(outdir, exist_ok=True)
    truth = {}
    base = ["integer_adm2", "integer_motion2", "integer_vif_scale0", "integer_vif_scale1",
            "integer_vif_scale2", "integer_vif_scale3", "vmaf"]

    def put(name, fmt, data, writer, **kw):
        writer(os.path.join(outdir, name), data, **kw)
        truth[os.path.splitext(name)[0]] = truth_of(data, fmt)

    # 2.3.1: NaN frames (null without newline), a metric missing on some frames, fps inf
    d = make_data(rng, base + ["cambi"], 12, nan_every=4,
                  drop=lambda i, n: n == "cambi" and i % 3 == 0)
    put("a_json231.json", "json", d, write_json2, fps="inf")
    # 2.0.0: pooled_metrics as an array, no fps, no final newline
    d = make_data(rng, base, 9)
    put("b_json200.json", "json", d, write_json2, version="2.0.0", fps=None, pooled_array=True,
        final_newline=False)
    # 3.0.0 subsampled (every 3rd frameNum), %.16f tiny fractions
    d = make_data(rng, base + ["float_ssim"], 7, step=3)
    for _, m in d["frames"]:
        for k, (n, v) in enumerate(m):
            if n == "float_ssim":
                m[k] = (n, float("%.16f" % (v / 1e5)))
    put("c_json300_sub3.json", "json", d, write_json2, version="3.0.0", sixteen=("float_ssim",))
    # 1.x (FFmpeg 4.x) layout with plain names
    d = make_data(rng, ["adm2", "motion2", "vif_scale0", "vif_scale1", "vif_scale2",
                        "vif_scale3", "vmaf"], 8)
    put("d_v1.json", "json-v1", d, write_json_v1)
    # Python run_vmaf layout with a NaN
    pnames = ["VMAF_feature_adm2_score", "VMAF_feature_motion2_score",
              "VMAF_feature_vif_scale0_score", "VMAF_feature_vif_scale1_score",
              "VMAF_feature_vif_scale2_score", "VMAF_feature_vif_scale3_score", "VMAF_score"]
    d = make_data(rng, pnames, 6, nan_every=3)
    put("e_python.json", "json-python", d, write_json_python)
    # XML with nan and a missing metric
    d = make_data(rng, base, 10, nan_every=5, drop=lambda i, n: n == "vmaf" and i == 4)
    put("f_log.xml", "xml", d, write_xml)
    # CSV: trailing commas, a short row (last metric missing on frame 2)
    d = make_data(rng, base, 6, drop=lambda i, n: n == "vmaf" and i == 2)
    put("g_log.csv", "csv", d, write_csv)
    # SUB, subsampled by 2
    d = make_data(rng, base, 5, step=2)
    put("h_log.sub", "sub", d, write_sub)
    with open(os.path.join(outdir, "truth.json.txt"), "w") as f:
        json.dump(truth, f, indent=1)


def bench_set(outdir, n):
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(7)
    # Distinct value blocks, reused across files, keep generation quick; the
    # parser still reads every byte of every file.
    blocks = []
    for b in range(50):
        d = make_data(rng, FEATURES, 300)
        path = os.path.join(outdir, "tmpl.json.part")
        write_json2(path, d, version="3.0.0", fps="%.2f" % rng.uniform(10, 90))
        with open(path) as f:
            blocks.append(f.read())
        os.remove(path)
    for i in range(n):
        with open(os.path.join(outdir, "clip%05d.json" % i), "w") as f:
            f.write(blocks[i % len(blocks)])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bench":
        bench_set(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 2:
        test_set(sys.argv[1])
    else:
        sys.exit(__doc__)
