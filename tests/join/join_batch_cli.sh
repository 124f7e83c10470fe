#!/bin/bash
# --manifest batch mode of second-opinion and mos-labels: per-table
# status, exit 1 when a table failed, 2 for a manifest error (nothing
# run), --fail-fast, --base-dir, and the JSON/Markdown reports.
set -u
. "$(dirname "$0")/lib.sh"

mkdir -p data m
printf '{"clip_id":"a","v":1}\n{"clip_id":"b","v":2}\n' > data/f1.jsonl
printf '{"clip_id":"a","v":3}\n' > data/f2.jsonl
printf '{"clip_id":"a","score":4.5}\n{"clip_id":"b","score":3}\n' > data/dover.jsonl
cat > m/ok.json <<'X'
{"defaults": {"missing_policy": "mark", "prefix": "so"},
 "tables": [
  {"id": "t1", "features": "../data/f1.jsonl", "scores": ["dover=../data/dover.jsonl"],
   "out": "../out/t1.jsonl", "audit_json": "../out/t1.audit.json"},
  {"id": "t2", "features": "../data/f2.jsonl", "scores": ["dover=../data/dover.jsonl"],
   "out": "../out/t2.jsonl", "missing_policy": "fail"}
 ]}
X
"$bin" second-opinion --manifest m/ok.json --report-json rep.json --report-md rep.md \
    2> err.txt || fail "ok manifest: status $?"
[ "$(cat err.txt)" = "second-opinion batch materialize: tables=2 input_rows=3 output_rows=3 failed_tables=0" ] ||
    { fail "summary line"; cat err.txt; }
cat > want_t1.jsonl <<'X'
{"clip_id":"a","v":1,"so_dover_score":4.5,"so_dover_status":"ok","so_dover_runtime_ms":null,"so_dover_frames":0,"so_dover_source":"m/../data/dover.jsonl"}
{"clip_id":"b","v":2,"so_dover_score":3.0,"so_dover_status":"ok","so_dover_runtime_ms":null,"so_dover_frames":0,"so_dover_source":"m/../data/dover.jsonl"}
X
same out/t1.jsonl want_t1.jsonl
# each table's audit JSON records the manifest and the batch options
grep -q '"manifest": "m/ok.json"' out/t1.audit.json || fail "t1 audit: args.manifest"
grep -q '"path": "m/../data/f1.jsonl"' out/t1.audit.json || fail "t1 audit: inputs.features"
cat > want_rep.md <<'X'
# Second-Opinion Materializer Batch Report

Status: **ok**

| Table | Status | Input rows | Output rows | Output |
| --- | --- | ---: | ---: | --- |
| t1 | ok | 2 | 2 | `m/../out/t1.jsonl` |
| t2 | ok | 1 | 1 | `m/../out/t2.jsonl` |
X
same rep.md want_rep.md
sed -n '/"run_provenance"/q;p' rep.json > rep_head.json
cat > want_rep_head.json <<'X'
{
  "manifest": "m/ok.json",
X
# (the report is sorted: run_provenance comes after manifest)
same rep_head.json want_rep_head.json
grep -q '"schema": "second-opinion-materializer-batch-v1"' rep.json || fail "report schema"
grep -q '"schema": "ai-run-provenance-v1"' rep.json || fail "report provenance schema"
mask rep.json | sed -n '/^  "summary": {/,/^  },$/p' > rep_sum.json
cat > want_rep_sum.json <<'X'
  "summary": {
    "failed_tables": 0,
    "input_rows": 3,
    "output_rows": 3,
    "tables": 2
  },
X
same rep_sum.json want_rep_sum.json

# A failing table: recorded, the next still runs, exit 1.
cat > m/bad.json <<'X'
{"tables": [
  {"id": "broken", "features": "../data/none.jsonl", "scores": ["d=../data/dover.jsonl"], "out": "../out/b1.jsonl"},
  {"id": "fine", "features": "../data/f2.jsonl", "scores": ["d=../data/dover.jsonl"], "out": "../out/b2.jsonl"}
]}
X
"$bin" second-opinion --manifest m/bad.json --report-json bad.json --report-md bad.md 2> err.txt
st=$?
[ "$st" -eq 1 ] || fail "failing table: status $st, want 1"
[ -s out/b2.jsonl ] || fail "the table after a failure did not run"
grep -qF '"error": "m/../data/none.jsonl: cannot open: No such file or directory"' bad.json ||
    fail "per-table error not recorded"
grep -qF '| broken | error | - | - | `m/../out/b1.jsonl` |' bad.md || fail "md error row"
grep -qF 'Status: **failed**' bad.md || fail "md status"
grep -qF 'sigmix: m/../data/none.jsonl: cannot open: No such file or directory' err.txt ||
    fail "per-table error on stderr"
rm -f out/b2.jsonl
"$bin" second-opinion --manifest m/bad.json --fail-fast --report-json ff.json 2> err.txt
[ $? -eq 1 ] || fail "--fail-fast status"
[ -e out/b2.jsonl ] && fail "--fail-fast ran the next table"
grep -q '"tables": 1' ff.json || fail "--fail-fast report counts one table"

# --base-dir replaces the manifest's folder for relative paths.
cat > m/based.json <<'X'
{"tables": [{"id": "x", "features": "data/f1.jsonl", "scores": ["d=data/dover.jsonl"], "out": "out/x.jsonl"}]}
X
"$bin" second-opinion --manifest m/based.json --base-dir . 2>/dev/null || fail "--base-dir"
[ -s out/x.jsonl ] || fail "--base-dir output"

# A manifest named without a folder: paths stay as written (no "./").
(cd data && printf '{"tables": [{"id": "y", "features": "f1.jsonl", "scores": ["d=dover.jsonl"], "out": "y.jsonl"}]}' > here.json &&
    "$bin" second-opinion --manifest here.json --report-json here_rep.json 2>/dev/null) ||
    fail "manifest in the working folder"
grep -qF '"out": "y.jsonl"' data/here_rep.json || { fail "paths under '.' gained a prefix"; grep '"out"' data/here_rep.json; }

# Manifest errors: exit 2, one line, no table run, no report.
me() {
    printf '%s' "$1" > m/e.json
    NOT_WRITTEN="e_rep.json out/e.jsonl" expect_err 2 "sigmix: m/e.json: $2" -- \
        second-opinion --manifest m/e.json --report-json e_rep.json
}
me '{"tables": [' "invalid JSON manifest: malformed JSON (byte 12)"
me '[1]' "manifest root must be a JSON object"
me '{"defaults": 3, "tables": []}' "manifest defaults must be an object"
me '{"defaults": {"colour": 1}, "tables": []}' "unknown default keys: ['colour']"
me '{"tables": []}' "manifest tables must be a non-empty array"
me '{"tables": [3]}' "table entry 0 must be an object"
me '{"tables": [{"id": "a", "features": "f", "scores": ["s"], "out": "../out/e.jsonl", "zz": 1, "aa": 2}]}' \
   "unknown keys in table entry 0: ['aa', 'zz']"
me '{"tables": [{"id": " ", "features": "f", "scores": ["s"], "out": "o"}]}' "table entry 0 is missing non-empty id"
me '{"tables": [{"id": "a", "features": "f", "scores": [], "out": "o"}]}' "table entry 0 needs a non-empty scores array"
me '{"tables": [{"id": "a", "scores": ["s"], "out": "o"}]}' "table entry 0 is missing features"
me '{"tables": [{"id": "a", "features": "../data/f1.jsonl", "scores": ["d=../data/dover.jsonl"], "out": "../out/e.jsonl"}, {"id": "b", "features": "f", "scores": ["s"], "out": "o", "missing_policy": "skip"}]}' \
   "config key missing_policy must be mark, drop or fail (table entry 1)"
me '{"tables": [{"id": "a", "features": "f", "scores": ["s"], "out": "o", "overwrite": "yes"}]}' \
   "config key overwrite must be true or false (table entry 0)"
NOT_WRITTEN="" expect_err 2 "sigmix: m/none.json: cannot open: No such file or directory" -- \
    second-opinion --manifest m/none.json
expect_err 2 "sigmix: second-opinion: --base-dir, --fail-fast and the reports need --manifest (try 'sigmix help second-opinion')" -- \
    second-opinion --fail-fast

# mos-labels batch: config defaults, labels resolved, its own report.
printf 'key,mos\na,4\nb,2\n' > data/l.csv
printf '{"key":"a"}\n{"key":"b"}\n{"key":"c"}\n' > data/k.jsonl
cat > m/mos.json <<'X'
{"defaults": {"min_match_rate": 0.5},
 "tables": [{"id": "k", "features": "../data/k.jsonl", "labels": ["../data/l.csv"], "out": "../out/k.jsonl",
             "audit_json": "../out/k.json"},
            {"id": "strict", "features": "../data/k.jsonl", "labels": ["../data/l.csv"], "out": "../out/s.jsonl",
             "min_match_rate": 1}]}
X
"$bin" mos-labels --manifest m/mos.json --report-json mrep.json --report-md mrep.md 2> err.txt
[ $? -eq 1 ] || fail "mos batch: status (want 1: the strict table fails)"
[ "$(tail -1 err.txt)" = "MOS-label batch materialize: tables=2 input_rows=3 matched_rows=2 failed_tables=1" ] ||
    { fail "mos summary line"; cat err.txt; }
cat > want_mrep.md <<'X'
# MOS Label Materializer Batch Report

Status: **failed**

| Table | Status | Match rate | Matched rows | Missing rows | Output |
| --- | --- | ---: | ---: | ---: | --- |
| k | ok | 0.667 | 2 | 1 | `m/../out/k.jsonl` |
| strict | error | - | - | - | `m/../out/s.jsonl` |
X
same mrep.md want_mrep.md
grep -q '"schema": "mos-label-materializer-batch-v1"' mrep.json || fail "mos report schema"
grep -qF '"error": "m/../data/k.jsonl: MOS label match rate 0.667 below --min-match-rate 1.000 (2/3 keys)"' mrep.json ||
    fail "mos per-table error"
[ -e out/s.jsonl ] && fail "the failed mos table wrote its output"
printf '{"tables": [{"id": "a", "features": "f", "labels": ["l"], "out": "o", "min_match_rate": 2}]}' > m/me.json
expect_err 2 "sigmix: m/me.json: config key min_match_rate must be a number in [0, 1] (table entry 0)" -- \
    mos-labels --manifest m/me.json

finish "join batch cli"
