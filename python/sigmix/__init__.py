"""sigmix from Python: read feature tables into numpy, run the audit and saliency.

    >>> import sigmix
    >>> t = sigmix.read_table("examples/vmaf_features.jsonl")
    >>> len(t), t.columns[:3]
    >>> report = sigmix.audit(["examples/vmaf_features.jsonl"], target="mos")

A thin ctypes layer over libsigmix.so (found through SIGMIX_LIBRARY, the
build/ folder of the source tree this package sits in, or the installed
library). Importing never fails for a missing library or numpy: the library
is loaded on first use, and numpy is needed only for column arrays.
See docs/python.md.
"""
from ._version import __version__
from ._lib import Error
from ._table import Table, read_table
from ._audit import audit
from ._saliency import saliency

# Tracebacks and reprs name the public spelling.
Error.__module__ = Table.__module__ = __name__


def library_version():
    """Version string of the loaded libsigmix."""
    from . import _lib
    return _lib.lib().sigmix_version().decode()


def library_path():
    """File the library was loaded from."""
    from . import _lib
    return _lib.lib().sigmix_path


__all__ = ["Error", "Table", "read_table", "audit", "saliency", "library_version",
           "library_path", "__version__"]
