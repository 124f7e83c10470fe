#!/bin/bash
# OPTIONAL: read sigmix-written Parquet with pyarrow and/or the duckdb CLI
# when either happens to be installed; skipped (77) otherwise. The required
# tests never depend on them. Argument 1: pqw_tool.
set -u
tool=${1:?usage: optional_external.sh PQW_TOOL}
have_pa=0; have_duck=0
command -v python3 > /dev/null && python3 -c 'import pyarrow.parquet' 2> /dev/null && have_pa=1
command -v duckdb > /dev/null && have_duck=1
if [ "$have_pa" -eq 0 ] && [ "$have_duck" -eq 0 ]; then
    echo "SKIP: neither pyarrow nor the duckdb CLI is installed"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" emit "$tmp/m.parquet" 3000 || exit 1
"$tool" dump "$tmp/m.parquet" | grep -v -e '^rows ' -e '^column ' -e '^row_group ' > "$tmp/want.tsv"
fails=0
if [ "$have_pa" -eq 1 ]; then
    # Render pyarrow's values the way pqw_tool dump does and compare.
    python3 - "$tmp/m.parquet" "$tmp/want.tsv" <<'PY' || fails=$((fails + 1))
import sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
assert t.column_names == ["d", "i", "b", "s", "j", "u", "dr"], t.column_names
def fmt(v):
    if v is None: return "null"
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, float): return "%.17g" % v
    if isinstance(v, int): return str(v)
    if isinstance(v, bytes): v = v.decode("utf-8")
    return '"' + v + '"'
cols = [t.column(i).to_pylist() for i in range(t.num_columns)]
got = ["\t".join(fmt(c[r]) for c in cols) for r in range(t.num_rows)]
want = open(sys.argv[2], encoding="utf-8").read().splitlines()
bad = [r for r in range(max(len(got), len(want))) if r >= len(got) or r >= len(want) or got[r] != want[r]]
if bad:
    r = bad[0]
    print("pyarrow differs at row", r, repr(got[r] if r < len(got) else None), repr(want[r] if r < len(want) else None))
    sys.exit(1)
md = pq.ParquetFile(sys.argv[1]).metadata
assert md.created_by.startswith("sigmix version "), md.created_by
st = md.row_group(0).column(0).statistics
assert st.has_min_max and st.null_count == sum(v is None for v in cols[0]), st
print("pyarrow: %d rows equal" % t.num_rows)
PY
fi
if [ "$have_duck" -eq 1 ]; then
    got=$(duckdb -noheader -csv -c "select count(*), count(d), count(i), count(b), count(s), sum(i) from read_parquet('$tmp/m.parquet')")
    want=$(awk -F'\t' '{n++; for (c = 1; c <= 4; c++) if ($c != "null") k[c]++; if ($2 != "null") s += $2}
                       END {printf "%d,%d,%d,%d,%d\n", n, k[1], k[2], k[3], k[4]}' "$tmp/want.tsv")
    [ "${got%,*}" = "$want" ] || { echo "duckdb: got $got, want $want,..."; fails=$((fails + 1)); }
fi
[ "$fails" -eq 0 ]
