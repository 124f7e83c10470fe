"""sigmix.saliency against `sigmix saliency` on tiny generated clips."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import sigmix  # noqa: E402
from common import ScratchCase, cli, cli_error  # noqa: E402

GEN = os.environ.get("SIGMIX_GEN_CLIP")


class Saliency(ScratchCase):
    def setUp(self):
        super().setUp()
        if not GEN:
            self.skipTest("SIGMIX_GEN_CLIP not set")
        root = self.path("root")
        os.mkdir(root)
        subprocess.run([GEN, os.path.join(root, "a.yuv"), "64", "36", "6", "50", "210",
                        "8", "6", "10", "5", "2"], check=True)
        subprocess.run([GEN, os.path.join(root, "b.y4m"), "48", "32", "5", "100", "20",
                        "30", "10", "8", "-3", "1", "y4m"], check=True)
        self.root = root
        self.input = self.write("in.jsonl", "\n".join([
            '{"src": "a.yuv", "width": 64, "height": 36, "vmaf": 90.5}',
            '{"src": "b.y4m", "width": null, "height": null, "vmaf": 80.0}',
            '{"src": "missing.yuv", "width": 64, "height": 36, "vmaf": 70.0}',
            '{"src": "a.yuv", "width": 64, "height": 36, "vmaf": 40.0, '
            '"saliency_mean": 0.25, "saliency_var": 0.01}',
        ]) + "\n")

    def compare(self, ext, cli_args, **py_options):
        out_cli, out_py = self.path("cli." + ext), self.path("py." + ext)
        rep = self.path("cli.json")
        rc, _, _ = cli("saliency", "--input", self.input, "--output", out_cli,
                       "--audit-json", rep, "--root", self.root, "--quiet", *cli_args,
                       check=False)
        self.assertEqual(rc, 1)  # one row's clip is missing
        got = sigmix.saliency(self.input, out_py, root=self.root, **py_options)
        with open(rep) as f:
            want = json.load(f)
        # the report's upstream summary, and sigmix's own counters beside it
        self.assertEqual({k: got["counters"][k] for k in want["summary"]}, want["summary"])
        self.assertEqual(got["counters"]["by_status"], want["sigmix"]["by_status"])
        self.assertEqual(got["clips"], want["sigmix"]["clips"])
        self.assertEqual(got["model_id"], want["sigmix"]["model_id"])
        self.assertEqual(got["frame_samples"], want["sigmix"]["frame_samples"])
        self.assertEqual(got["counters"]["by_status"]["missing-source"], 1)
        self.assertEqual(got["counters"]["skipped_existing"],
                         0 if py_options.get("overwrite") else 1)
        self.assertEqual([f["status"] for f in got["failures"]], ["missing-source"])
        self.assertFalse(os.path.exists(out_py + ".partial.jsonl"))
        a, b = sigmix.read_table(out_cli), sigmix.read_table(out_py)
        self.assertEqual(a.columns, b.columns)
        self.assertIn("saliency_mean", b.columns)
        for name in a:
            x, y = a[name], b[name]
            self.assertEqual(np.ma.getmaskarray(x).tolist(), np.ma.getmaskarray(y).tolist())
            np.testing.assert_array_equal(np.ma.getdata(x), np.ma.getdata(y), name)
        return out_cli, out_py, got

    def test_matches_cli_jsonl(self):
        _, out_py, got = self.compare("jsonl", [])
        t = sigmix.read_table(out_py)
        self.assertEqual(np.ma.getdata(t["saliency_mean"])[3], 0.25)  # kept, not recomputed
        self.assertTrue(0 < float(t["saliency_mean"][0]) < 1)

    def test_matches_cli_options_parquet(self):
        # same bytes: the Python call writes the CLI's Parquet footer too
        out_cli, out_py, got = self.compare(
            "parquet",
            ["--max-frames", "4", "--frame-samples", "2", "--temporal-aggregator", "ema",
             "--ema-alpha", "0.3", "--overwrite", "--jobs", "1", "--model-id", "sr-test"],
            max_frames=4, frame_samples=2, temporal_aggregator="ema", ema_alpha=0.3,
            overwrite=True, jobs=1, model_id="sr-test")
        with open(out_cli, "rb") as f1, open(out_py, "rb") as f2:
            self.assertEqual(f1.read(), f2.read())

    def test_refuses_to_overwrite_input(self):
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.saliency(self.input, self.input, root=self.root)
        want = cli_error("saliency", "--input", self.input, "--output", self.input)
        self.assertEqual(str(cm.exception), want.replace("--in-place", "in_place=True"))

    def test_errors_match_cli(self):
        out = self.path("o.jsonl")
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.saliency(self.input, out, path_column="clip")
        self.assertEqual(str(cm.exception),
                         cli_error("saliency", "--input", self.input, "--output", out,
                                   "--path-column", "clip"))
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.saliency(self.input, out, model_path=self.path("none.onnx"))
        self.assertEqual(str(cm.exception),
                         cli_error("saliency", "--input", self.input, "--output", out,
                                   "--model-path", self.path("none.onnx")))
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.saliency(self.input, out, temporal_aggregator="median")
        self.assertEqual(cm.exception.code, -1)
        with self.assertRaises(TypeError):
            sigmix.saliency(self.input, out, frames=3)
        self.assertFalse(os.path.exists(out))


class Interrupt(ScratchCase):
    def test_ctrl_c_keeps_journal_and_resumes(self):
        if not GEN:
            self.skipTest("SIGMIX_GEN_CLIP not set")
        n = 40
        rows = []
        for i in range(n):
            clip = self.path("c%02d.yuv" % i)
            subprocess.run([GEN, clip, "320", "192", "40", str(40 + i), "200", "8", "6", "20",
                            "3", "2"], check=True)
            rows.append('{"src": "%s", "width": 320, "height": 192}' % clip)
        inp = self.write("many.jsonl", "\n".join(rows) + "\n")
        out = self.path("many.out.jsonl")
        journal = out + ".partial.jsonl"
        code = ("import sigmix; sigmix.saliency(%r, %r, max_frames=40, jobs=1)" % (inp, out))
        env = dict(os.environ, PYTHONPATH=os.path.join(os.environ.get("SIGMIX_SRC", "."),
                                                       "python"))
        p = subprocess.Popen([sys.executable, "-c", code], env=env,
                             stderr=subprocess.PIPE, text=True)
        # interrupt once the journal holds a finished clip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            if os.path.exists(journal) and os.path.getsize(journal) > 0:
                break
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=60)[1]
        if p.returncode == 0:
            self.skipTest("the run finished before the interrupt arrived")
        self.assertIn("KeyboardInterrupt", err)
        self.assertFalse(os.path.exists(out))
        with open(journal) as f:
            kept = sum(1 for line in f if line.strip())
        # the library saw the cancel flag: it reports what the journal holds
        self.assertIn("KeyboardInterrupt: saliency interrupted; %d of %d clips kept in %s; "
                      "rerun the same call to resume" % (kept, n, journal), err)
        got = sigmix.saliency(inp, out, max_frames=40, jobs=1)
        self.assertGreaterEqual(got["clips"]["from_journal"], 1)
        self.assertLess(got["clips"]["from_journal"], n)
        self.assertEqual(got["counters"]["ok"], n)
        self.assertFalse(os.path.exists(journal))


if __name__ == "__main__":
    unittest.main(verbosity=2)
