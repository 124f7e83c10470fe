"""Shared helpers of the Python package tests (run through tests/python/run.sh)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

SIGMIX = os.environ.get("SIGMIX_BIN", "build/sigmix")
SRC = os.environ.get("SIGMIX_SRC", ".")
EXAMPLE = os.path.join(SRC, "examples", "vmaf_features.jsonl")


def cli(*args, check=True):
    """Run the sigmix CLI: (exit status, stdout bytes, stderr text)."""
    p = subprocess.run([SIGMIX, *args], capture_output=True)
    if check and p.returncode != 0:
        raise AssertionError(f"sigmix {' '.join(args)}: exit {p.returncode}: "
                             f"{p.stderr.decode()}")
    return p.returncode, p.stdout, p.stderr.decode()


def cli_error(*args):
    """The CLI's one error line without "sigmix: ", for a command that must fail."""
    rc, _, err = cli(*args, check=False)
    assert rc == 2, (rc, err)
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("sigmix: "), err
    return lines[-1][len("sigmix: "):]


def jsonl(data):
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


class ScratchCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sigmix-py-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p
