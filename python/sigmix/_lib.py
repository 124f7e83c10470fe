"""Finding, loading and declaring libsigmix.so (ctypes).

Only the public API of include/sigmix/ is used; the structures below mirror
those headers field for field (tests/python/test_abi.py compares their sizes
and offsets with a C program compiled against the headers).
"""
import ctypes
import ctypes.util
import glob
import os

from ._version import __version__

c_char_p = ctypes.c_char_p
c_int = ctypes.c_int
c_size_t = ctypes.c_size_t
c_double = ctypes.c_double
c_void_p = ctypes.c_void_p
c_char_pp = ctypes.POINTER(ctypes.c_char_p)

ERROR_MSG = 512


class Error(Exception):
    """A sigmix library failure: what went wrong, where, and the status code.

    ``code`` is the negative SIGMIX_E* status (e.g. -3 for SIGMIX_EIO),
    ``message`` the library's text, ``path`` the file it concerns (or None).
    ``str(e)`` reads like the CLI's line without the "sigmix: " prefix.
    """

    def __init__(self, message, code=-1, path=None):
        self.message = message
        self.code = code
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class sigmix_error(ctypes.Structure):
    _fields_ = [("code", c_int), ("message", ctypes.c_char * ERROR_MSG)]


class sigmix_strref(ctypes.Structure):
    _fields_ = [("ptr", c_void_p), ("len", c_size_t)]


class sigmix_pq_type(ctypes.Structure):
    _fields_ = [("present", ctypes.c_int8), ("physical", ctypes.c_int8),
                ("converted", ctypes.c_int8), ("logical", ctypes.c_int8),
                ("unit", ctypes.c_int8), ("utc", ctypes.c_int8), ("bits", ctypes.c_int8),
                ("is_signed", ctypes.c_int8), ("type_length", ctypes.c_int32),
                ("scale", ctypes.c_int32), ("precision", ctypes.c_int32)]


class sigmix_column(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("kind", c_int), ("flags", ctypes.c_uint),
                ("f64", c_void_p), ("i64", c_void_p),
                ("str", ctypes.POINTER(sigmix_strref)), ("valid", c_void_p),
                ("pq", sigmix_pq_type)]


WARN_FN = ctypes.CFUNCTYPE(None, c_void_p, c_char_p)


class sigmix_read_options(ctypes.Structure):
    _fields_ = [("format", c_int), ("columns", c_char_pp), ("ncolumns", c_size_t),
                ("threads", c_int), ("warn", WARN_FN), ("warn_cookie", c_void_p),
                ("delimiter", ctypes.c_char), ("max_input_bytes", ctypes.c_uint64),
                ("digest", c_void_p)]


class sigmix_write_options(ctypes.Structure):
    _fields_ = [("format", c_int), ("compression", c_int), ("row_group_rows", c_size_t),
                ("kv_metadata", c_char_pp), ("threads", c_int)]


class sigmix_audit_settings(ctypes.Structure):
    _fields_ = [("target", c_char_p), ("redundancy_threshold", c_double),
                ("complement_threshold", c_double), ("min_finite_ratio", c_double),
                ("min_target_abs_r", c_double), ("top_k", c_int),
                ("families_path", c_char_p), ("argc", c_int), ("argv", c_char_pp),
                ("warn", WARN_FN), ("warn_cookie", c_void_p), ("threads", c_int),
                ("keep_matrix", c_int), ("blas_threads", c_int),
                ("reserved", ctypes.c_ubyte * 24)]


FAIL_FN = ctypes.CFUNCTYPE(None, c_void_p, c_char_p, c_int, c_char_p)
SAL_NSTATUS = 6


class sigmix_saliency_settings(ctypes.Structure):
    _fields_ = [("path_column", c_char_p), ("root", c_char_p),
                ("allow_outside_root", c_int), ("width_column", c_char_p),
                ("height_column", c_char_p), ("default_width", c_int),
                ("default_height", c_int), ("raw_pix_fmt", c_char_p),
                ("model_path", c_char_p), ("model_id", c_char_p),
                ("max_frames", c_int), ("frame_samples", c_int), ("reducer", c_int),
                ("ema_alpha", c_double), ("overwrite", c_int),
                ("mean_column", c_char_p), ("var_column", c_char_p),
                ("model_id_column", c_char_p), ("aggregator_column", c_char_p),
                ("ema_alpha_column", c_char_p), ("status_column", c_char_p),
                ("jobs", c_int), ("max_pixels", ctypes.c_longlong),
                ("journal_path", c_char_p), ("progress", c_void_p),
                ("progress_cookie", c_void_p), ("cancel", c_void_p),
                ("on_fail", FAIL_FN), ("on_fail_cookie", c_void_p),
                ("shard_index", c_int), ("shard_count", c_int),
                ("on_clip", c_void_p), ("on_clip_cookie", c_void_p), ("reuse", c_void_p)]


class sigmix_saliency_report(ctypes.Structure):
    _fields_ = [("total", c_size_t), ("by_status", c_size_t * SAL_NSTATUS),
                ("clips", c_size_t), ("clips_from_journal", c_size_t),
                ("frame_samples", c_int), ("jobs", c_int),
                ("model_id", ctypes.c_char * 256), ("model_sha256", ctypes.c_char * 65),
                ("skipped_other_model", c_size_t), ("interrupted", c_int),
                ("error_path", c_char_p), ("clips_journaled", c_size_t),
                ("t_decode", c_double), ("t_convert", c_double), ("t_model", c_double),
                ("t_reduce", c_double), ("t_wall", c_double),
                ("clips_from_shards", c_size_t), ("shard_clips", c_size_t)]


P = ctypes.POINTER
_PROTOTYPES = {
    "sigmix_version": (c_char_p, []),
    "sigmix_strerror": (c_char_p, [c_int]),
    "sigmix_table_free": (None, [P(c_void_p)]),
    "sigmix_table_rows": (c_size_t, [c_void_p]),
    "sigmix_table_cols": (c_size_t, [c_void_p]),
    "sigmix_table_col": (P(sigmix_column), [c_void_p, c_size_t]),
    "sigmix_table_find": (ctypes.c_long, [c_void_p, c_char_p]),
    "sigmix_read_options_default": (None, [P(sigmix_read_options)]),
    "sigmix_write_options_default": (None, [P(sigmix_write_options)]),
    "sigmix_format_from_path": (c_int, [c_char_p]),
    "sigmix_table_read": (c_int, [c_char_p, P(sigmix_read_options), P(c_void_p),
                                  P(sigmix_error)]),
    "sigmix_table_write": (c_int, [c_void_p, c_char_p, P(sigmix_write_options),
                                   P(sigmix_error)]),
    "sigmix_audit_default_settings": (None, [P(sigmix_audit_settings)]),
    "sigmix_audit_open": (c_int, [P(c_void_p), P(sigmix_audit_settings), P(sigmix_error)]),
    "sigmix_audit_close": (None, [P(c_void_p)]),
    "sigmix_audit_split_input": (None, [c_char_p, P(c_char_p), P(c_size_t), P(c_char_p)]),
    "sigmix_audit_add_input": (c_int, [c_void_p, c_char_p, P(sigmix_error)]),
    "sigmix_audit_add_file": (c_int, [c_void_p, c_char_p, c_char_p, P(sigmix_error)]),
    "sigmix_audit_add_table": (c_int, [c_void_p, c_char_p, c_char_p, c_void_p,
                                       P(sigmix_error)]),
    "sigmix_audit_write_json": (c_int, [c_void_p, c_void_p, c_char_p, c_char_p,
                                        P(sigmix_error)]),
    "sigmix_audit_write_reports": (c_int, [c_void_p, c_char_p, c_char_p, P(c_char_p),
                                           P(sigmix_error)]),
    "sigmix_saliency_default_settings": (None, [P(sigmix_saliency_settings)]),
    "sigmix_saliency_status_name": (c_char_p, [c_int]),
    "sigmix_saliency_reducer_name": (c_char_p, [c_int]),
    "sigmix_saliency_reducer_parse": (c_int, [c_char_p, P(c_int)]),
    "sigmix_saliency_run": (c_int, [c_void_p, P(sigmix_saliency_settings),
                                    P(sigmix_saliency_report), P(sigmix_error)]),
}


def _candidates():
    """Where libsigmix.so may be, in the documented order."""
    env = os.environ.get("SIGMIX_LIBRARY")
    if env:
        return [env]
    found = []
    # A source checkout: python/sigmix/ sits two levels below the tree's root.
    here = os.path.dirname(os.path.abspath(__file__))
    d = here
    for _ in range(3):
        d = os.path.dirname(d)
        names = [os.path.join(d, "build", "libsigmix.so")]
        names += sorted(glob.glob(os.path.join(d, "build", "libsigmix.so.*")))
        found += [n for n in names if os.path.isfile(n)]
        if found:
            break
    installed = ctypes.util.find_library("sigmix")
    if installed:
        found.append(installed)
    return found


def _version_tuple(v):
    return tuple(int(x) for x in v.split(".")[:2])


def _load():
    names = _candidates()
    if not names:
        raise Error("libsigmix.so not found: build it (make), install it, or set "
                    "SIGMIX_LIBRARY to its path", -6)
    try:
        lib = ctypes.CDLL(names[0])
    except OSError as e:
        raise Error(f"cannot load: {e}", -3, names[0]) from None
    for name, (res, args) in _PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise Error(f"library lacks {name}: it is not a sigmix {__version__} "
                        "build", -5, names[0]) from None
        fn.restype = res
        fn.argtypes = args
    # Struct layouts change between minor versions of a 0.x library: refuse
    # one whose major.minor differs from this package's.
    have = lib.sigmix_version().decode()
    if _version_tuple(have) != _version_tuple(__version__):
        raise Error(f"library version {have} does not match the Python package's "
                    f"{__version__}", -5, names[0])
    lib.sigmix_path = names[0]
    return lib


_lib = None


def lib():
    """The loaded library (loaded on first use, so `import sigmix` never fails)."""
    global _lib
    if _lib is None:
        _lib = _load()
    return _lib


def fail(rc, err, path=None):
    """Raise Error for a failed call's status and filled sigmix_error."""
    msg = err.message.decode("utf-8", "replace")
    if not msg:
        msg = lib().sigmix_strerror(rc).decode()
    raise Error(msg, rc, os.fspath(path) if path is not None else None)


def enc(s):
    """str/PathLike -> bytes for a char * argument (None stays None)."""
    if s is None:
        return None
    return os.fsencode(s)


def str_array(items):
    """A NULL-terminated char *[] (ctypes keeps the bytes alive through it)."""
    arr = (c_char_p * (len(items) + 1))(*[enc(x) for x in items], None)
    return ctypes.cast(arr, c_char_pp), arr
