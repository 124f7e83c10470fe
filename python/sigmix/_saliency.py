"""sigmix.saliency: the CLI's `sigmix saliency` as a function."""
import ctypes
import hashlib
import os
import stat
import threading

from . import _lib
from ._lib import Error
from ._table import read_table


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _sha256_file(path):
    """SHA-256 of a regular file (the CLI's input_sha256); "" otherwise."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ""
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return ""


_STR = ("path_column", "root", "width_column", "height_column", "raw_pix_fmt",
        "model_path", "model_id", "status_column", "model_id_column",
        "aggregator_column", "ema_alpha_column", "mean_column", "var_column")
_INT = ("default_width", "default_height", "max_frames", "frame_samples", "jobs",
        "max_pixels")


def saliency(input, output, *, in_place=False, allow_outside_root=False,
             overwrite=False, temporal_aggregator=None, ema_alpha=None,
             journal=True, **options):
    """Compute saliency for each row's clip and write the table to output.

    The keyword options are the CLI's, with '-' as '_': path_column, root,
    allow_outside_root, width_column, height_column, default_width,
    default_height, raw_pix_fmt, model_path, model_id, max_frames,
    frame_samples, temporal_aggregator ('mean', 'ema', 'max',
    'motion-weighted'), ema_alpha, overwrite, status_column,
    model_id_column, aggregator_column, ema_alpha_column, max_pixels, jobs
    (0: automatic), in_place. With journal=True (the CLI's behaviour)
    finished clips are kept in OUTPUT.partial.jsonl while the run lasts, so
    a rerun after a crash resumes.

    Returns the counters of the CLI's --audit-json report ("counters",
    "clips", "timings_s") plus "model_id", "model_sha256", "frame_samples",
    "jobs" and "failures" (source, status, message per failed row). Rows
    that fail are not errors; a run that cannot start or a table that
    cannot be read or written raises sigmix.Error and writes nothing.
    """
    lib = _lib.lib()
    unknown = set(options) - set(_STR) - set(_INT)
    if unknown:
        raise TypeError(f"saliency() got unexpected option(s): {', '.join(sorted(unknown))}")
    input, output = os.fspath(input), os.fspath(output)
    if not in_place and _same_file(input, output):
        raise Error("refusing to write over the input (use in_place=True)", -1, output)
    root = options.get("root")
    if root is not None and not os.access(root, os.X_OK):
        raise Error("root folder not found", -6, root)

    s = _lib.sigmix_saliency_settings()
    lib.sigmix_saliency_default_settings(ctypes.byref(s))
    for k in _STR:
        if options.get(k) is not None:
            setattr(s, k, _lib.enc(options[k]))
    for k in _INT:
        if options.get(k) is not None:
            v = options[k]
            if not isinstance(v, int) or isinstance(v, bool):
                raise Error(f"{k} must be an integer, not {v!r}", -1)
            setattr(s, k, v)
    s.allow_outside_root = bool(allow_outside_root)
    s.overwrite = bool(overwrite)
    if temporal_aggregator is not None:
        r = ctypes.c_int()
        if lib.sigmix_saliency_reducer_parse(temporal_aggregator.encode(), ctypes.byref(r)):
            raise Error("temporal_aggregator must be mean, ema, max or motion-weighted, "
                        f"not {temporal_aggregator!r}", -1)
        s.reducer = r.value
    if ema_alpha is not None:
        s.ema_alpha = float(ema_alpha)
    journal_path = output + ".partial.jsonl" if journal else None
    s.journal_path = _lib.enc(journal_path)
    failures = []

    def on_fail(cookie, source, status, message):
        failures.append({"source": os.fsdecode(source) if source else None,
                         "status": lib.sigmix_saliency_status_name(status).decode(),
                         "message": message.decode("utf-8", "replace") if message else None})

    fail_cb = _lib.FAIL_FN(on_fail)
    s.on_fail = fail_cb

    input_sha = _sha256_file(input)
    table = read_table(input)
    rep = _lib.sigmix_saliency_report()
    err = _lib.sigmix_error()
    # Python runs signal handlers only between bytecodes, never inside a
    # foreign call: the run goes to a thread so that Ctrl-C in this one can
    # set the library's cancel flag (sig_atomic_t is an int on every ABI
    # CPython supports) and the journal keeps the finished clips.
    cancel = ctypes.c_int(0)
    s.cancel = ctypes.addressof(cancel)
    result = []
    done = threading.Event()

    def run():
        try:
            result.append(lib.sigmix_saliency_run(table._h.ptr, ctypes.byref(s),
                                                  ctypes.byref(rep), ctypes.byref(err)))
        finally:
            done.set()

    # An Event, not Thread.join: a join interrupted by KeyboardInterrupt can
    # leave the thread looking finished while it still runs (CPython 3.11).
    threading.Thread(target=run, daemon=True).start()
    try:
        while not done.wait(0.2):
            pass
    except BaseException:
        cancel.value = 1
        done.wait()
        if result and not result[0] and rep.interrupted:
            raise KeyboardInterrupt(
                f"saliency interrupted; {rep.clips_journaled} of {rep.clips} clips kept "
                f"in {journal_path}; rerun the same call to resume") from None
        raise
    rc = result[0]
    if rc:
        _lib.fail(rc, err, os.fsdecode(rep.error_path) if rep.error_path else input)

    # The output, with the same Parquet footer key/values as the CLI's.
    alpha = "%.17g" % s.ema_alpha  # the configured alpha, as the CLI records it
    kv = ["sigmix.version", lib.sigmix_version().decode(),
          "sigmix.saliency.model_id", rep.model_id.decode(),
          "sigmix.saliency.aggregator", lib.sigmix_saliency_reducer_name(s.reducer).decode(),
          "sigmix.saliency.ema_alpha", alpha,
          "sigmix.saliency.model_sha256", rep.model_sha256.decode(),
          "sigmix.saliency.input_sha256", input_sha]
    o = _lib.sigmix_write_options()
    lib.sigmix_write_options_default(ctypes.byref(o))
    o.kv_metadata, keep = _lib.str_array(kv + [None])
    err = _lib.sigmix_error()
    rc = lib.sigmix_table_write(table._h.ptr, _lib.enc(output), ctypes.byref(o),
                                ctypes.byref(err))
    del keep
    if rc:
        _lib.fail(rc, err, output)  # the journal stays: a rerun resumes
    if journal_path and os.path.exists(journal_path):
        os.remove(journal_path)

    ok = rep.by_status[0]
    skipped = rep.by_status[1]
    names = [lib.sigmix_saliency_status_name(i).decode() for i in range(_lib.SAL_NSTATUS)]
    return {
        "counters": {"total": rep.total, "ok": ok, "skipped_existing": skipped,
                     "failed": rep.total - ok - skipped,
                     "by_status": dict(zip(names, rep.by_status))},
        "clips": {"distinct": rep.clips, "from_journal": rep.clips_from_journal},
        "timings_s": {"decode": rep.t_decode, "convert": rep.t_convert,
                      "model": rep.t_model, "reduce": rep.t_reduce, "wall": rep.t_wall},
        "model_id": rep.model_id.decode(),
        "model_sha256": rep.model_sha256.decode() or None,
        "frame_samples": rep.frame_samples,
        "jobs": rep.jobs,
        "skipped_other_model": rep.skipped_other_model,
        "failures": failures,
    }
