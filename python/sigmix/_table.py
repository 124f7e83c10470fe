"""sigmix.read_table and the Table it returns."""
import ctypes
import os
import warnings

from . import _lib
from ._lib import Error

KINDS = {0: "double", 1: "int64", 2: "bool", 3: "string", 4: "json"}
_COLF_UNSIGNED = 1 << 1


def _numpy():
    try:
        import numpy
    except ImportError:
        raise ImportError("sigmix: column arrays need numpy (Debian: python3-numpy); "
                          "len(), columns and kinds work without it") from None
    return numpy


class _Handle:
    """Owns one sigmix_table *: freed when the last Table or array using it goes."""

    def __init__(self, ptr, lib):
        self.ptr = ptr
        self._lib = lib  # keep the library loaded for __del__

    def __del__(self):
        if self.ptr:
            p = ctypes.c_void_p(self.ptr)
            self._lib.sigmix_table_free(ctypes.byref(p))
            self.ptr = None


class _Buffer:
    """Exposes one column array of the table to numpy without copying it.

    numpy keeps this object as the array's ``base``; it holds the _Handle, so
    the table's memory lives as long as any array made from it.
    """

    def __init__(self, handle, address, typestr, n):
        self._handle = handle
        # read-only: the arrays alias the table (f64 and i64 of one column
        # must agree), so writing through them would corrupt it
        self.__array_interface__ = {"shape": (n,), "typestr": typestr,
                                    "data": (address, True), "version": 3}


class Table:
    """A feature table read by sigmix, columns as numpy arrays.

    Like a pandas DataFrame: ``len(t)`` is the row count, iterating gives
    the column names, ``t[name]`` the column, ``dict(t)`` a plain dict of
    arrays. See docs/python.md for types, nulls and lifetime.
    """

    def __init__(self, handle, indices, path):
        lib = _lib.lib()
        self._h = handle
        self.path = path
        self._rows = lib.sigmix_table_rows(handle.ptr)
        self._cols = {}
        for i in indices:
            c = lib.sigmix_table_col(handle.ptr, i).contents
            self._cols[c.name.decode("utf-8", "surrogateescape")] = i
        self._cache = {}

    # ---- shape ---------------------------------------------------------
    def __len__(self):
        return self._rows

    @property
    def columns(self):
        """Column names, in table order."""
        return list(self._cols)

    def __iter__(self):
        return iter(self._cols)

    def keys(self):
        return self._cols.keys()

    def __contains__(self, name):
        return name in self._cols

    def _column(self, name):
        """The sigmix_column struct (pointers into the table; internal)."""
        try:
            i = self._cols[name]
        except KeyError:
            raise KeyError(name) from None
        return _lib.lib().sigmix_table_col(self._h.ptr, i).contents

    def kind(self, name):
        """'double', 'int64', 'bool', 'string' or 'json'."""
        return KINDS[self._column(name).kind]

    def __repr__(self):
        return f"<sigmix.Table {self.path!r}: {self._rows} rows, {len(self._cols)} columns>"

    # ---- values ----------------------------------------------------------
    def _view(self, address, typestr):
        np = _numpy()
        if self._rows == 0 or not address:
            return np.empty(0, dtype=typestr)
        return np.asarray(_Buffer(self._h, address, typestr, self._rows))

    def valid(self, name):
        """Validity as a read-only bool array (True = value present), no copy."""
        return self._view(self._column(name).valid, "|b1")

    def __getitem__(self, name):
        if name in self._cache:
            return self._cache[name]
        np = _numpy()
        c = self._column(name)
        valid = self._view(c.valid, "|b1")
        if c.kind == 0:
            data = self._view(c.f64, "<f8")                       # no copy
        elif c.kind == 1:
            unsigned = c.flags & _COLF_UNSIGNED
            data = self._view(c.i64, "<u8" if unsigned else "<i8")  # no copy
        elif c.kind == 2:
            data = (self._view(c.f64, "<f8") != 0) & valid        # copy: bool
        else:
            data = np.empty(self._rows, dtype=object)             # copy: str
            refs = c.str
            for r in range(self._rows):
                s = refs[r]
                if s.ptr:
                    data[r] = ctypes.string_at(s.ptr, s.len).decode("utf-8", "surrogateescape")
        if not valid.all():
            data = np.ma.MaskedArray(data, mask=~valid, copy=False)
        self._cache[name] = data
        return data

    def items(self):
        return [(n, self[n]) for n in self._cols]

    def values(self):
        return [self[n] for n in self._cols]

    def to_dict(self):
        """name -> array, in column order."""
        return dict(self.items())

    def to_pandas(self):
        """A pandas DataFrame (a copy). Columns with nulls use pandas' nullable
        dtypes (Float64, Int64/UInt64, boolean); strings and JSON text are
        object columns with None for null."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("sigmix: to_pandas needs pandas (Debian: python3-pandas)") \
                from None
        np = _numpy()
        out = {}
        for name in self._cols:
            a = self[name]
            if isinstance(a, np.ma.MaskedArray):
                mask = np.ma.getmaskarray(a).copy()
                data = np.ma.getdata(a).copy()
                kind = self._column(name).kind
                if kind == 0:
                    a = pd.arrays.FloatingArray(data, mask)
                elif kind == 1:
                    a = pd.arrays.IntegerArray(data, mask)
                elif kind == 2:
                    a = pd.arrays.BooleanArray(data, mask)
                else:
                    a = data
            else:
                a = np.array(a)
            out[name] = a
        return pd.DataFrame(out, index=pd.RangeIndex(self._rows))


def _warn(cookie, msg):
    warnings.warn("sigmix: " + msg.decode("utf-8", "replace"), stacklevel=3)


_WARN_CB = _lib.WARN_FN(_warn)


def read_table(path, columns=None, *, format=None, delimiter=None, threads=0,
               max_input_bytes=0):
    """Read a table (JSON Lines, JSON, CSV, Parquet file or folder; .gz/.zst).

    columns: names to keep, in this order (each must exist; a missing one
    raises sigmix.Error with code SIGMIX_ENOTFOUND). format: 'jsonl',
    'json', 'csv' or 'parquet' (default: from the extension). Warnings the
    reader gives (e.g. a skipped nested column) become Python warnings.
    """
    lib = _lib.lib()
    o = _lib.sigmix_read_options()
    lib.sigmix_read_options_default(ctypes.byref(o))
    keep = None
    if columns is not None:
        if isinstance(columns, (str, bytes)):
            columns = [columns]
        columns = list(columns)
        if len(set(columns)) != len(columns):
            raise Error("a column is listed twice in columns", -1, path)
        o.columns, keep = _lib.str_array(columns)
        o.ncolumns = len(columns)
    if format is not None:
        fmts = {"jsonl": 1, "json": 2, "csv": 3, "parquet": 4}
        if format not in fmts:
            raise Error(f"format must be jsonl, json, csv or parquet, not {format!r}", -1)
        o.format = fmts[format]
    if delimiter is not None:
        o.delimiter = delimiter.encode() if isinstance(delimiter, str) else delimiter
    o.threads = threads
    o.max_input_bytes = max_input_bytes
    o.warn = _WARN_CB
    out = ctypes.c_void_p()
    err = _lib.sigmix_error()
    rc = lib.sigmix_table_read(_lib.enc(path), ctypes.byref(o), ctypes.byref(out),
                               ctypes.byref(err))
    del keep
    if rc:
        _lib.fail(rc, err, path)
    h = _Handle(out.value, lib)
    if columns is None:
        idx = range(lib.sigmix_table_cols(h.ptr))
    else:
        idx = []
        for name in columns:
            i = lib.sigmix_table_find(h.ptr, name.encode("utf-8", "surrogateescape"))
            if i < 0:
                raise Error(f"no column '{name}'", -6, os.fspath(path))
            idx.append(i)
    return Table(h, idx, os.fspath(path))
