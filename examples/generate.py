#!/usr/bin/env python3
"""Regenerate the bundled example tables (deterministic; stdlib only).

    python3 examples/generate.py examples/

vmaf_features.jsonl: 200 encodes of 20 sources with VMAF-style pooled
features, PSNR/SSIM, CAMBI, a half-missing LPIPS column, a flat HDR flag,
encoder settings and a `vmaf` target.

ugc_mos.csv: 160 user-generated clips with no-reference scores, geometry and
category metadata, a sparse MUSIQ column, a flat bit depth and a `mos`
target from simulated ratings.

Both are driven by a hidden per-row quality so correlations look real.
"""
import json
import math
import random
import sys
from pathlib import Path


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def r6(v):
    return float(f"{v:.6g}")


def vmaf_rows(rng):
    rows = []
    codecs = ["libx264", "libx265", "libsvtav1", "h264_nvenc"]
    for i in range(200):
        src = i // 10
        codec = codecs[i % 4]
        crf = 18 + 3 * (i % 10)
        content = rng.random()  # texture/complexity of the source
        q = clamp(1.05 - crf / 60.0 - 0.25 * content + rng.gauss(0, 0.04), 0.05, 1.0)
        motion = 2.0 + 14.0 * content + rng.gauss(0, 0.8)
        adm2 = clamp(0.70 + 0.29 * q + rng.gauss(0, 0.012), 0.0, 1.0)
        row = {
            "src": f"clips/src_{src:03d}.y4m",
            "src_sha256": f"{(src * 2654435761) % (1 << 32):08x}",
            "split": "train" if src < 14 else ("val" if src < 17 else "test"),
            "codec": codec,
            "crf": crf,
            "bitrate_kbps": r6(9000.0 * math.exp(-crf / 11.0) * (0.6 + content)),
            "width": 1920,
            "height": 1080,
            "framerate": [24, 25, 30, 60][src % 4],
            "adm2_mean": r6(adm2),
            "adm2_p10": r6(adm2 - 0.02 - 0.03 * content),
            "adm2_p90": r6(min(1.0, adm2 + 0.01)),
            "adm2_std": r6(0.005 + 0.02 * content * (1.1 - q)),
        }
        for s in range(4):
            vif = clamp(0.25 + 0.15 * s + (0.55 - 0.1 * s) * q + rng.gauss(0, 0.02), 0.0, 1.0)
            row[f"vif_scale{s}_mean"] = r6(vif)
        row["motion2_mean"] = r6(motion)
        row["motion2_std"] = r6(0.5 + 0.3 * motion * rng.random())
        row["psnr_y"] = r6(24.0 + 22.0 * q + rng.gauss(0, 1.2))
        row["ssim"] = r6(clamp(0.80 + 0.19 * q + rng.gauss(0, 0.01), 0.0, 1.0))
        row["ms_ssim"] = r6(clamp(0.82 + 0.17 * q + rng.gauss(0, 0.008), 0.0, 1.0))
        row["cambi"] = r6(max(0.0, 3.0 * (1.0 - q) * (1.2 - content) + rng.gauss(0, 0.3)))
        row["lpips_partial"] = r6(0.5 * (1.0 - q) + rng.gauss(0, 0.05)) if i % 2 == 0 else None
        row["hdr_flag"] = 0
        row["vmaf"] = r6(clamp(100.0 * q + rng.gauss(0, 2.0), 0.0, 100.0))
        rows.append(row)
    return rows


def ugc_rows(rng):
    rows = []
    cats = ["gaming", "sports", "vlog", "music", "nature"]
    for i in range(160):
        q = rng.random()
        landscape = rng.random() < 0.7
        h = rng.choice([360, 480, 720, 1080])
        w = h * 16 // 9 if landscape else h * 9 // 16
        n = 20 + int(30 * rng.random())
        ratings = [clamp(1.0 + 4.0 * q + rng.gauss(0, 0.7), 1.0, 5.0) for _ in range(n)]
        mos = sum(ratings) / n
        sd = math.sqrt(sum((r - mos) ** 2 for r in ratings) / n)
        noise = max(0.0, 6.0 * (1.0 - q) + rng.gauss(0, 1.0))
        row = {
            "video_id": f"ugc{i:05d}",
            "category": cats[i % 5],
            "orientation": "landscape" if landscape else "portrait",
            "width": w,
            "height": h,
            "duration_s": r6(5.0 + 25.0 * rng.random()),
            "framerate": rng.choice([24, 30, 30, 60]),
            "bitrate_kbps": r6(300.0 + 2500.0 * q * h / 1080.0 + rng.gauss(0, 80.0)),
            "bitdepth": 8,
            "brisque": r6(60.0 - 40.0 * q + rng.gauss(0, 6.0)),
            "niqe": r6(7.5 - 3.5 * q + rng.gauss(0, 0.6)),
            "dover_technical": r6(0.2 + 0.7 * q + rng.gauss(0, 0.06)),
            "musiq": r6(30.0 + 45.0 * q + rng.gauss(0, 4.0)) if i % 4 == 0 else None,
            "noise_sigma": r6(noise),
            "blur_laplacian_var": r6(50.0 + 400.0 * q * rng.random() + rng.gauss(0, 20.0)),
            "n_ratings": n,
            "std_dev": r6(sd),
            "mos": r6(mos),
        }
        rows.append(row)
    return rows


def write_csv(path, rows):
    cols = list(rows[0].keys())
    with open(path, "w", newline="") as f:
        f.write(",".join(cols) + "\n")
        for row in rows:
            f.write(",".join("" if row[c] is None else str(row[c]) for c in cols) + "\n")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
    rng = random.Random(20261123)
    with open(out / "vmaf_features.jsonl", "w") as f:
        for row in vmaf_rows(rng):
            f.write(json.dumps(row) + "\n")
    write_csv(out / "ugc_mos.csv", ugc_rows(random.Random(7)))


if __name__ == "__main__":
    main()
