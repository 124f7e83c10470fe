"""sigmix.read_table against `sigmix cat`, nulls, zero-copy and lifetime, errors."""
import gc
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import sigmix  # noqa: E402
from common import EXAMPLE, ScratchCase, cli, cli_error, jsonl  # noqa: E402

MIXED = "\n".join([
    '{"a": 1.5, "i": 3, "b": true, "s": "x", "j": {"k": 1}, "u": 1}',
    '{"a": null, "i": null, "b": null, "s": null, "j": [1, 2]}',
    '{"a": -2.25e-7, "i": -7, "b": false, "s": "\\u00e9\\t", "j": "str", '
    '"u": 9007199254740993}',
]) + "\n"


def python_value(table, name, r):
    """Row r of a column as `sigmix cat` prints it (null -> None)."""
    a = table[name]
    if np.ma.is_masked(a) and np.ma.getmaskarray(a)[r]:
        return None
    v = np.ma.getdata(a)[r]
    kind = table.kind(name)
    if kind == "json":
        return json.loads(v)
    if kind == "bool":
        return bool(v)
    if kind == "int64":
        return int(v)
    return float(v) if kind == "double" else v


class ReadTable(ScratchCase):
    def check_against_cat(self, path, columns=None):
        args = ["cat", path] + (["--columns", ",".join(columns)] if columns else [])
        rows = jsonl(cli(*args)[1])
        t = sigmix.read_table(path, columns)
        self.assertEqual(len(t), len(rows))
        self.assertEqual(t.columns, list(rows[0].keys()))
        for r, row in enumerate(rows):
            for name, want in row.items():
                got = python_value(t, name, r)
                if isinstance(want, float) and math.isnan(want):
                    self.assertTrue(math.isnan(got), (name, r))
                else:
                    self.assertEqual(got, want, (path, name, r))
                    self.assertEqual(type(got), type(want), (path, name, r))
        return t

    def test_example_matches_cat(self):
        t = self.check_against_cat(EXAMPLE)
        self.assertEqual(len(t), 200)
        self.assertEqual(t["vmaf"].dtype, np.float64)
        self.assertEqual(t["crf"].dtype, np.int64)

    def test_columns_in_requested_order(self):
        t = self.check_against_cat(EXAMPLE, ["vmaf", "src", "crf"])
        self.assertEqual(list(t), ["vmaf", "src", "crf"])
        self.assertEqual(sorted(dict(t)), ["crf", "src", "vmaf"])

    def test_mixed_kinds_and_nulls(self):
        p = self.write("mixed.jsonl", MIXED)
        t = self.check_against_cat(p)
        self.assertEqual([t.kind(n) for n in t], ["double", "int64", "bool", "string",
                                                  "json", "int64"])
        a = t["a"]
        self.assertIsInstance(a, np.ma.MaskedArray)
        self.assertEqual(np.ma.getmaskarray(a).tolist(), [False, True, False])
        self.assertEqual(t.valid("a").tolist(), [True, False, True])
        self.assertEqual(t["s"].tolist(), ["x", None, "\u00e9\t"])
        self.assertIsInstance(t["j"], np.ndarray)  # no nulls: a plain array
        self.assertNotIsInstance(t["j"], np.ma.MaskedArray)
        # the same table through Parquet: values kept exactly
        pq = self.path("mixed.parquet")
        cli("cat", p, "-o", pq)
        tq = self.check_against_cat(pq)
        self.assertEqual(np.ma.getdata(tq["u"])[2], 9007199254740993)

    def test_zero_copy_and_lifetime(self):
        t = sigmix.read_table(EXAMPLE)
        vmaf, crf = t["vmaf"], t["crf"]
        self.assertEqual(vmaf.__array_interface__["data"][0], t._column("vmaf").f64)
        self.assertEqual(crf.__array_interface__["data"][0], t._column("crf").i64)
        self.assertEqual(t.valid("vmaf").__array_interface__["data"][0],
                         t._column("vmaf").valid)
        self.assertFalse(vmaf.flags.writeable)
        with self.assertRaises(ValueError):
            vmaf[0] = 1.0
        want = [float(r["vmaf"]) for r in jsonl(cli("cat", EXAMPLE)[1])]
        # the array keeps the table alive after the Table object is gone
        del t
        gc.collect()
        self.assertEqual(vmaf.tolist(), want)
        self.assertEqual(vmaf.copy().tolist(), want)

    def test_to_pandas(self):
        import pandas as pd
        p = self.write("mixed.jsonl", MIXED)
        df = sigmix.read_table(p).to_pandas()
        self.assertEqual(df.shape, (3, 6))
        self.assertEqual(str(df["a"].dtype), "Float64")
        self.assertEqual(str(df["i"].dtype), "Int64")
        self.assertEqual(str(df["b"].dtype), "boolean")
        self.assertTrue(pd.isna(df["i"][1]))
        self.assertEqual(df["i"][2], -7)
        self.assertEqual(df["s"].tolist(), ["x", None, "\u00e9\t"])
        ex = sigmix.read_table(EXAMPLE).to_pandas()
        self.assertEqual(ex.shape, (200, 26))
        self.assertEqual(ex["vmaf"].dtype, np.float64)

    def test_empty_table(self):
        p = self.write("empty.csv", "a,b\n")
        t = sigmix.read_table(p)
        self.assertEqual(len(t), 0)
        self.assertEqual(t.columns, ["a", "b"])
        self.assertEqual(len(t["a"]), 0)

    def test_missing_file(self):
        p = self.path("nope.jsonl")
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.read_table(p)
        self.assertEqual(str(cm.exception), cli_error("cat", p))
        self.assertEqual(cm.exception.path, p)
        # the status the reader gives for a missing file, as the CLI sees it
        self.assertIn(cm.exception.code, (-3, -6))  # SIGMIX_EIO / SIGMIX_ENOTFOUND

    def test_malformed_file(self):
        p = self.write("bad.jsonl", '{"a": 1}\n{"a": \n')
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.read_table(p)
        self.assertEqual(str(cm.exception), cli_error("cat", p))
        self.assertEqual(cm.exception.code, -4)  # SIGMIX_EFORMAT

    def test_missing_column(self):
        with self.assertRaises(sigmix.Error) as cm:
            sigmix.read_table(EXAMPLE, ["vmaf", "nope"])
        self.assertEqual(cm.exception.message, "no column 'nope'")
        self.assertEqual(cm.exception.code, -6)  # SIGMIX_ENOTFOUND
        self.assertTrue(cli_error("cat", EXAMPLE, "--columns", "vmaf,nope")
                        .startswith(str(cm.exception)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
