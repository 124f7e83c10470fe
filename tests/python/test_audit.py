"""sigmix.audit against `sigmix audit --out-json`, options and errors."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigmix  # noqa: E402
from common import EXAMPLE, SRC, ScratchCase, cli, cli_error  # noqa: E402

UGC = os.path.join(SRC, "examples", "ugc_mos.csv")
# Provenance that differs between two runs, or between the CLI (which names
# its output files, was given argv and is the entry point) and the library
# call (whose entry point is the Python interpreter).
VOLATILE = ("sigmix", "argv", "outputs", "entrypoint")


def stable(report):
    report = json.loads(json.dumps(report))
    prov = report["run_provenance"]
    for k in VOLATILE:
        prov.pop(k, None)
    for k in ("out_json", "out_md", "out_html", "out_matrix"):
        prov["args"].pop(k, None)
    return report


class Audit(ScratchCase):
    def cli_report(self, *args):
        out = self.path("cli.json")
        cli("audit", *args, "--out-json", out, "--out-md", self.path("cli.md"))
        with open(out) as f:
            return json.load(f)

    def test_matches_cli_default(self):
        want = self.cli_report("--input", EXAMPLE)
        got = sigmix.audit([EXAMPLE])
        self.assertEqual(stable(got), stable(want))
        self.assertEqual(got["tables"][0]["rows"], 200)
        self.assertEqual(got["run_provenance"]["argv"], ["--input", EXAMPLE])

    def test_matches_cli_options(self):
        fam = self.write("fam.json", json.dumps({"mode": "extend", "families": [{
            "key": "bitrate", "label": "Bitrate", "question": "How many bits?",
            "patterns": ["bitrate"], "candidate_metrics": ["bitrate_kbps"],
            "recommendation": "log the bitrate"}]}))
        want = self.cli_report("--input", "vmaf=" + EXAMPLE, "--input", "ugc=" + UGC,
                               "--target", "VMAF", "--top-k", "3",
                               "--redundancy-threshold", "0.9",
                               "--complement-threshold", "0.5",
                               "--min-finite-ratio", "0.6", "--families", fam)
        # ugc has no VMAF column: the CLI's warning becomes a Python warning
        with self.assertWarnsRegex(UserWarning, "ugc: target column 'VMAF' not found"):
            got = sigmix.audit({"vmaf": EXAMPLE, "ugc": UGC}, target="VMAF", top_k=3,
                               redundancy_threshold=0.9, complement_threshold=0.5,
                               min_finite_ratio=0.6, families=fam)
        self.assertEqual(stable(got), stable(want))
        self.assertEqual([t["label"] for t in got["tables"]], ["vmaf", "ugc"])
        self.assertIn('"bitrate"', json.dumps(got["tables"][0]["family_health"]))
        # "[LABEL=]PATH" strings and (label, path) tuples mean the same
        with self.assertWarns(UserWarning):
            same = sigmix.audit(["vmaf=" + EXAMPLE, ("ugc", UGC)], target="VMAF", top_k=3,
                                redundancy_threshold=0.9, complement_threshold=0.5,
                                min_finite_ratio=0.6, families=fam)
        self.assertEqual(stable(same)["tables"], stable(got)["tables"])

    def test_table_input(self):
        t = sigmix.read_table(EXAMPLE)
        got = sigmix.audit([("ex", t)])
        want = sigmix.audit([("ex", EXAMPLE)])
        g, w = got["tables"][0], want["tables"][0]
        self.assertEqual(g, w)  # the file's size and hash sit in the provenance
        # an ADR-0661 entry describes the file at the path, whoever read it
        self.assertEqual(got["run_provenance"]["inputs"], want["run_provenance"]["inputs"])
        self.assertEqual(len(t), 200)  # the table stays usable

    def test_report_files(self):
        j, m = self.path("r/a.json"), self.path("r/a.md")
        got = sigmix.audit(EXAMPLE, out_json=j, out_md=m)
        with open(j) as f:
            self.assertEqual(stable(json.load(f))["tables"], stable(got)["tables"])
        with open(m) as f:
            self.assertIn("vmaf_features", f.read())

    def test_missing_input(self):
        p = self.path("nope.jsonl")
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.audit([p])
        self.assertEqual(str(cm.exception), cli_error("audit", "--input", p))
        self.assertEqual(cm.exception.path, p)

    def test_bad_families_file(self):
        fam = self.write("fam.json", '{"mode": "sideways", "families": []}')
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.audit([EXAMPLE], families=fam)
        self.assertEqual(str(cm.exception),
                         cli_error("audit", "--input", EXAMPLE, "--families", fam))

    def test_bad_threshold(self):
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.audit([EXAMPLE], redundancy_threshold=1.5)
        self.assertEqual(cm.exception.code, -1)  # SIGMIX_EINVAL
        self.assertEqual(cm.exception.message, "thresholds must lie between 0 and 1")

    def test_unknown_target_warns(self):
        with self.assertWarnsRegex(UserWarning, "nope"):
            r = sigmix.audit([EXAMPLE], target="nope")
        self.assertIsNone(r["tables"][0]["target"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
