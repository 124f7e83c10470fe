"""sigmix.audit: the audit report as a dict."""
import ctypes
import json
import os
import tempfile
import warnings

from . import _lib
from ._lib import Error
from ._table import Table


def _libc():
    # The process's global scope, not libc.so by name: with a preloaded
    # allocator (jemalloc, ASan) free must be the one open_memstream's
    # malloc resolved to, or the buffer is freed by the wrong heap.
    return ctypes.CDLL(None)


def _report_json(lib, a):
    """The JSON report text, written in memory when libc has open_memstream."""
    err = _lib.sigmix_error()
    libc = _libc()
    if hasattr(libc, "open_memstream"):
        buf, size = ctypes.c_void_p(), ctypes.c_size_t()
        libc.open_memstream.restype = ctypes.c_void_p
        libc.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_void_p),
                                        ctypes.POINTER(ctypes.c_size_t)]
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.free.argtypes = [ctypes.c_void_p]
        f = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
        if not f:
            raise Error("out of memory", -2)
        rc = lib.sigmix_audit_write_json(a, f, None, None, ctypes.byref(err))
        libc.fclose(f)  # sets buf and size
        try:
            text = ctypes.string_at(buf.value, size.value) if buf.value else b""
        finally:
            libc.free(buf)
        if rc:
            _lib.fail(rc, err)
        return text
    # No open_memstream: a private temporary file.
    with tempfile.TemporaryDirectory(prefix="sigmix-audit-") as d:
        p = os.path.join(d, "report.json")
        rc = lib.sigmix_audit_write_reports(a, p.encode(), None, None, ctypes.byref(err))
        if rc:
            _lib.fail(rc, err)
        with open(p, "rb") as fh:
            return fh.read()


def _warn(cookie, msg):
    warnings.warn("sigmix: audit: " + msg.decode("utf-8", "replace"), stacklevel=3)


_WARN_CB = _lib.WARN_FN(_warn)


def _items(inputs):
    """Normalise inputs to [(label or None, path or Table)] or CLI specs."""
    if isinstance(inputs, (str, bytes, os.PathLike, Table)):
        inputs = [inputs]
    if isinstance(inputs, dict):
        return list(inputs.items())
    out = []
    for x in inputs:
        if isinstance(x, tuple):
            if len(x) != 2:
                raise Error("an input tuple is (label, path or Table)", -1)
            out.append(x)
        else:
            out.append((None, x))
    return out


def audit(inputs, *, target=None, top_k=None, redundancy_threshold=None,
          complement_threshold=None, min_finite_ratio=None, min_target_abs_r=None,
          families=None, threads=0, out_json=None, out_md=None):
    """Audit one or more tables and return the JSON report as a dict.

    inputs: a path, a "[LABEL=]PATH" string as the CLI's --input takes, a
    Table from read_table, a (label, path-or-Table) tuple, a list of those,
    or a dict label -> path-or-Table. The options are the CLI's (--target,
    --top-k, --redundancy-threshold, --complement-threshold,
    --min-finite-ratio, --families). out_json / out_md also write the
    reports to files, atomically, as the CLI does.
    """
    lib = _lib.lib()
    s = _lib.sigmix_audit_settings()
    lib.sigmix_audit_default_settings(ctypes.byref(s))
    keep = []
    if target is not None:
        s.target = _lib.enc(target)
    for name, v in (("redundancy_threshold", redundancy_threshold),
                    ("complement_threshold", complement_threshold),
                    ("min_finite_ratio", min_finite_ratio),
                    ("min_target_abs_r", min_target_abs_r)):
        if v is not None:
            setattr(s, name, float(v))
    if top_k is not None:
        if not isinstance(top_k, int) or top_k < 0:
            raise Error(f"top_k must be a non-negative integer, not {top_k!r}", -1)
        s.top_k = top_k
    if families is not None:
        s.families_path = _lib.enc(families)
    s.threads = threads
    items = _items(inputs)
    # Provenance records the equivalent command line (after the subcommand,
    # as the Python tools record theirs).
    argv = []
    for label, x in items:
        src = x.path if isinstance(x, Table) else os.fspath(x)
        argv += ["--input", f"{label}={src}" if label is not None else src]
    if target is not None:
        argv += ["--target", str(target)]
    s.argv, arr = _lib.str_array(argv)
    keep.append(arr)
    s.argc = len(argv)
    s.warn = _WARN_CB
    a = ctypes.c_void_p()
    err = _lib.sigmix_error()
    rc = lib.sigmix_audit_open(ctypes.byref(a), ctypes.byref(s), ctypes.byref(err))
    if rc:
        _lib.fail(rc, err, families)
    try:
        for label, x in items:
            err = _lib.sigmix_error()
            lb = _lib.enc(label)
            if isinstance(x, Table):
                rc = lib.sigmix_audit_add_table(a, lb, _lib.enc(x.path), x._h.ptr,
                                                ctypes.byref(err))
                where = x.path
            elif label is None:
                spec = _lib.enc(x)
                rc = lib.sigmix_audit_add_input(a, spec, ctypes.byref(err))
                lab, ln, p = ctypes.c_char_p(), ctypes.c_size_t(), ctypes.c_char_p()
                lib.sigmix_audit_split_input(spec, ctypes.byref(lab), ctypes.byref(ln),
                                             ctypes.byref(p))
                where = os.fsdecode(p.value)
            else:
                rc = lib.sigmix_audit_add_file(a, lb, _lib.enc(x), ctypes.byref(err))
                where = os.fspath(x)
            if rc:
                _lib.fail(rc, err, where)
        text = _report_json(lib, a)
        if out_json is not None or out_md is not None:
            err = _lib.sigmix_error()
            failed = ctypes.c_char_p()
            rc = lib.sigmix_audit_write_reports(a, _lib.enc(out_json), _lib.enc(out_md),
                                                ctypes.byref(failed), ctypes.byref(err))
            if rc:
                _lib.fail(rc, err, os.fsdecode(failed.value) if failed.value else None)
    finally:
        lib.sigmix_audit_close(ctypes.byref(a))
    del keep
    return json.loads(text)
