"""Package plumbing: struct layouts, library lookup and version check,
importing without numpy, `pip install` without network."""
import ctypes
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigmix  # noqa: E402
from sigmix import _lib  # noqa: E402
from common import EXAMPLE, SRC, ScratchCase  # noqa: E402

PKG = os.path.join(SRC, "python")


def run_py(code, env_extra=None, cwd=None, pythonpath=PKG):
    env = dict(os.environ)
    env.pop("SIGMIX_LIBRARY", None)
    env["PYTHONPATH"] = pythonpath
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=cwd)


class Abi(unittest.TestCase):
    def test_struct_layouts_match_headers(self):
        exe = os.environ.get("SIGMIX_ABI_SIZES")
        if not exe:
            self.skipTest("SIGMIX_ABI_SIZES not set")
        lines = subprocess.run([exe], capture_output=True, text=True,
                               check=True).stdout.split("\n")
        checked = 0
        for line in filter(None, lines):
            name, value = line.split()
            struct, _, field = name.partition(".")
            cls = getattr(_lib, struct)
            got = getattr(cls, field).offset if field else ctypes.sizeof(cls)
            self.assertEqual(got, int(value), name)
            checked += 1
        self.assertGreater(checked, 50)


class Lookup(ScratchCase):
    def test_sigmix_library_env(self):
        lib = os.environ["SIGMIX_LIBRARY"]
        r = run_py("import sigmix; print(sigmix.library_path())",
                   {"SIGMIX_LIBRARY": lib})
        self.assertEqual(r.stdout.strip(), lib, r.stderr)
        r = run_py("import sigmix; sigmix.read_table('x.jsonl')",
                   {"SIGMIX_LIBRARY": self.path("none.so")})
        self.assertIn("sigmix.Error: " + self.path("none.so") + ": cannot load: ",
                      r.stderr)

    def test_build_tree(self):
        # a source checkout: <root>/python/sigmix and <root>/build/libsigmix.so
        root = self.path("tree")
        shutil.copytree(PKG, os.path.join(root, "python"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        os.mkdir(os.path.join(root, "build"))
        shutil.copy(os.environ["SIGMIX_LIBRARY"], os.path.join(root, "build", "libsigmix.so"))
        r = run_py("import sigmix; print(sigmix.library_path(), len(sigmix.read_table(%r)))"
                   % EXAMPLE, pythonpath=os.path.join(root, "python"))
        self.assertEqual(r.stdout.split(), [os.path.join(root, "build", "libsigmix.so"), "200"],
                         r.stderr)

    def test_versions_agree(self):
        # package, pyproject and the library built from this tree say the same
        with open(os.path.join(PKG, "pyproject.toml")) as f:
            self.assertIn('\nversion = "%s"\n' % sigmix.__version__, f.read())
        self.assertEqual(sigmix.library_version(), sigmix.__version__)

    def test_version_mismatch(self):
        r = run_py("import sigmix._version as v; v.__version__ = '9.9.0'\n"
                   "import sigmix._lib as l; l.__version__ = '9.9.0'\n"
                   "import sigmix\n"
                   "try:\n    sigmix.read_table('x')\n"
                   "except sigmix.Error as e:\n    print(e.message)",
                   {"SIGMIX_LIBRARY": os.environ["SIGMIX_LIBRARY"]})
        self.assertEqual(r.stdout.strip(), "library version %s does not match the Python "
                         "package's 9.9.0" % sigmix.library_version(), r.stderr)

    def test_without_numpy(self):
        # numpy hidden: import and len() work, arrays say what is missing
        r = run_py("import sys; sys.modules['numpy'] = None\n"
                   "import sigmix\n"
                   "t = sigmix.read_table(%r)\n"
                   "print(len(t), t.columns[0])\n"
                   "try:\n    t['vmaf']\n"
                   "except ImportError as e:\n    print(e)" % EXAMPLE,
                   {"SIGMIX_LIBRARY": os.environ["SIGMIX_LIBRARY"]})
        self.assertEqual(r.stdout.splitlines(), [
            "200 src",
            "sigmix: column arrays need numpy (Debian: python3-numpy); len(), columns and "
            "kinds work without it"], r.stderr)


class Allocator(unittest.TestCase):
    def test_audit_under_preloaded_allocator(self):
        # the audit's in-memory report is malloc'd inside libc and freed by
        # the package: both must be the process's allocator (here ASan's)
        cc = shutil.which("gcc") or shutil.which("cc")
        asan = cc and subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True,
                                     text=True).stdout.strip()
        if not asan or not os.path.isabs(asan):
            self.skipTest("no libasan.so to preload")
        r = run_py("import sigmix; print(sigmix.audit([%r])['tables'][0]['rows'])" % EXAMPLE,
                   {"SIGMIX_LIBRARY": os.environ["SIGMIX_LIBRARY"], "LD_PRELOAD": asan,
                    "ASAN_OPTIONS": "detect_leaks=0"})
        self.assertEqual(r.stdout.strip(), "200", r.stderr[-2000:])


class PipInstall(ScratchCase):
    def test_offline_install(self):
        import importlib.util
        if not all(importlib.util.find_spec(m) for m in ("pip", "setuptools")):
            self.skipTest("pip or setuptools missing (Debian: python3-pip python3-setuptools)")
        src = self.path("src")
        shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("__pycache__", "build",
                                                                  "*.egg-info"))
        target = self.path("site")
        p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                            "--no-index", "--no-deps", "--target", target, src],
                           capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        r = run_py("import sigmix; print(sigmix.__file__.startswith(%r), sigmix.__version__, "
                   "len(sigmix.read_table(%r)))" % (target, EXAMPLE),
                   {"SIGMIX_LIBRARY": os.environ["SIGMIX_LIBRARY"]}, pythonpath=target)
        self.assertEqual(r.stdout.split(), ["True", "0.1.0", "200"], r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
