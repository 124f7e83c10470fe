#!/bin/bash
# `sigmix saliency --manifest`: several tables (ok, row failures, an input
# that is missing), per-table status and outputs, exit 1 when a table
# failed, --allow-row-failures, --fail-fast, --base-dir, the batch report
# (golden layout with run_provenance) and the Markdown report, manifest
# errors (exit 2, nothing run) and usage errors, each message exact.
# $1: the gen_clip helper.
set -u
GEN=$1
BIN=${SIGMIX_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-sal-batch.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() {
    local want=$1; shift
    "$BIN" saliency "$@" >out.txt 2>err.txt
    local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: sigmix saliency $* :: $(cat err.txt)"
}
err_is() { [ "$(cat err.txt)" = "$1" ] || fail "stderr is not '$1': $(cat err.txt)"; }
absent() { [ ! -e "$1" ] || fail "$1 should not exist"; }

mkdir -p m/root
"$GEN" m/root/a.yuv 32 24 3 50 210 8 6 10 5 2 || exit 1
printf 'not a video' > m/root/bad.mp4
printf '{"src": "a.yuv", "width": 32, "height": 24, "mos": 1}\n{"src": "a.yuv", "width": 32, "height": 24, "mos": 2}\n' > m/t1.jsonl
printf '{"src": "a.yuv", "width": 32, "height": 24}\n{"src": "bad.mp4"}\n' > m/t2.jsonl
cat > m/all.json <<'X'
{"defaults": {"root": "root", "max_frames": 3, "temporal_aggregator": "ema", "ema_alpha": 0.5},
 "tables": [
  {"id": "one", "input": "t1.jsonl", "output": "out/t1.jsonl", "audit_json": "out/t1.audit.json"},
  {"id": "two", "input": "t2.jsonl", "output": "out/t2.jsonl", "ema_alpha": 1},
  {"id": "three", "input": "missing.jsonl", "output": "out/t3.jsonl"}
 ]}
X

# --- every table runs; one has failed rows, one cannot run: exit 1 ---------
run 1 --manifest m/all.json --report-json rep.json --report-md rep.md
err_is "sigmix: m/missing.jsonl: cannot open (No such file or directory)
saliency batch materialize: tables=3 total=4 ok=3 skipped=0 failed=1"
# each table is what the single-table command writes with the same options
"$BIN" saliency --input m/t1.jsonl --output single1.jsonl --root m/root --max-frames 3 \
    --temporal-aggregator ema --ema-alpha 0.5 --quiet 2>/dev/null || fail "single run 1"
cmp -s m/out/t1.jsonl single1.jsonl || fail "table one differs from a single run"
"$BIN" saliency --input m/t2.jsonl --output single2.jsonl --root m/root --max-frames 3 \
    --temporal-aggregator ema --ema-alpha 1 --quiet 2>/dev/null
cmp -s m/out/t2.jsonl single2.jsonl || fail "table two differs from a single run"
grep -q '"saliency_status":"decode-failed"' m/out/t2.jsonl || fail "two: no decode-failed row"
absent m/out/t3.jsonl
grep -q '"schema": "ai-run-provenance-v1"' m/out/t1.audit.json || fail "one: audit provenance"
grep -q '"temporal_aggregator": "ema"' m/out/t1.audit.json || fail "one: audit config"

cat > want.md <<'X'
# Saliency Materializer Batch Report

Status: **failed**

| Table | Status | Total | OK | Skipped | Failed | Output |
| --- | --- | ---: | ---: | ---: | ---: | --- |
| one | ok | 2 | 2 | 0 | 0 | `m/out/t1.jsonl` |
| two | row-failures | 2 | 1 | 0 | 1 | `m/out/t2.jsonl` |
| three | error | - | - | - | - | `m/out/t3.jsonl` |
X
cmp -s rep.md want.md || { fail "Markdown report"; diff rep.md want.md; }

# The JSON report, with what changes from run to run masked: keys sorted,
# indent 2, as upstream's write_manifest_json.
mask() {
    python3 - "$1" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
def walk(v):
    if isinstance(v, dict):
        return {k: ("<sha256>" if k == "sha256" and v[k] else
                    "<time>" if k in ("started_utc", "finished_utc") else
                    "<host>" if k in ("host", "version") else
                    "<sigmix>" if k == "path" and str(v[k]).endswith("/sigmix") else
                    walk(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [walk(x) for x in v]
    return v
print(json.dumps(walk(r), indent=2, sort_keys=True))
PY
}
mask rep.json > got.json
cat > want.json <<'X'
{
  "manifest": "m/all.json",
  "run_provenance": {
    "args": {
      "allow_row_failures": false,
      "base_dir": null,
      "fail_fast": false,
      "jobs": null,
      "manifest": "m/all.json",
      "report_json": "rep.json",
      "report_md": "rep.md"
    },
    "argv": [
      "--manifest",
      "m/all.json",
      "--report-json",
      "rep.json",
      "--report-md",
      "rep.md"
    ],
    "entrypoint": {
      "exists": true,
      "kind": "file",
      "path": "<sigmix>",
      "sha256": "<sha256>"
    },
    "inputs": {
      "manifest": {
        "exists": true,
        "kind": "file",
        "path": "m/all.json",
        "sha256": "<sha256>"
      }
    },
    "outputs": {
      "report_json": "rep.json",
      "report_md": "rep.md"
    },
    "schema": "ai-run-provenance-v1",
    "sigmix": {
      "finished_utc": "<time>",
      "host": "<host>",
      "inputs": {
        "manifest": {
          "path": "m/all.json",
          "rows": null,
          "size": 362
        }
      },
      "started_utc": "<time>",
      "version": "<host>"
    }
  },
  "schema": "saliency-materializer-batch-v1",
  "status": "failed",
  "summary": {
    "failed": 1,
    "failed_tables": 2,
    "ok": 3,
    "skipped_existing": 0,
    "tables": 3,
    "total": 4
  },
  "tables": [
    {
      "audit_json": "m/out/t1.audit.json",
      "config": {
        "ema_alpha": 0.5,
        "max_frames": 3,
        "root": "m/root",
        "temporal_aggregator": "ema"
      },
      "id": "one",
      "input": "m/t1.jsonl",
      "output": "m/out/t1.jsonl",
      "status": "ok",
      "summary": {
        "failed": 0,
        "ok": 2,
        "skipped_existing": 0,
        "total": 2
      }
    },
    {
      "audit_json": null,
      "config": {
        "ema_alpha": 1,
        "max_frames": 3,
        "root": "m/root",
        "temporal_aggregator": "ema"
      },
      "id": "two",
      "input": "m/t2.jsonl",
      "output": "m/out/t2.jsonl",
      "status": "row-failures",
      "summary": {
        "failed": 1,
        "ok": 1,
        "skipped_existing": 0,
        "total": 2
      }
    },
    {
      "audit_json": null,
      "config": {
        "ema_alpha": 0.5,
        "max_frames": 3,
        "root": "m/root",
        "temporal_aggregator": "ema"
      },
      "error": "m/missing.jsonl: cannot open (No such file or directory)",
      "id": "three",
      "input": "m/missing.jsonl",
      "output": "m/out/t3.jsonl",
      "status": "error"
    }
  ]
}
X
cmp -s got.json want.json || { fail "JSON report layout"; diff got.json want.json; }
# the report itself is written as upstream writes it: sorted keys, final newline
[ "$(tail -c 1 rep.json | od -An -c | tr -d ' ')" = '\n' ] || fail "report lacks a final newline"

# --- --fail-fast stops at the first table that is not ok ----------------------
rm -rf m/out
run 1 --manifest m/all.json --fail-fast --report-json ff.json
err_is "saliency batch materialize: tables=2 total=4 ok=3 skipped=0 failed=1"
absent m/out/t3.jsonl
grep -q '"tables": 2,' ff.json || fail "fail-fast report: tables"

# --- --allow-row-failures: row failures alone exit 0, an error still 1 --------
cat > m/rows.json <<'X'
{"defaults": {"root": "root", "max_frames": 3},
 "tables": [{"id": "two", "input": "t2.jsonl", "output": "out/r2.jsonl"}]}
X
run 1 --manifest m/rows.json
run 0 --manifest m/rows.json --allow-row-failures --report-json rows.json
grep -q '"status": "row-failures",' rows.json || fail "row-failures batch status"
run 1 --manifest m/all.json --allow-row-failures --report-json allow.json
grep -q '"status": "failed",' allow.json || fail "an error table keeps the batch failed"

# --- --base-dir: relative paths resolve there, not beside the manifest ----------
cp m/rows.json based.json
run 1 --manifest based.json --base-dir m
[ -s m/out/r2.jsonl ] || fail "--base-dir: output not under the base folder"

# --- manifest errors: exit 2, one line, nothing run or written ----------------
rm -rf m/out
bad() {
    printf '%s' "$1" > m/bad.json
    run 2 --manifest m/bad.json --report-json badrep.json
    err_is "sigmix: m/bad.json: $2"
    absent badrep.json
    absent m/out
}
bad '{"tables": []}' "manifest tables must be a non-empty array"
bad '[1]' "manifest root must be a JSON object"
bad '{"tables": [{"id": "a", "input": "t1.jsonl"}]}' "table entry 0 is missing output"
bad '{"tables": [{"id": "", "input": "t1.jsonl", "output": "o.jsonl"}]}' "table entry 0 is missing non-empty id"
bad '{"defaults": {"threads": 2}, "tables": [{"id": "a", "input": "t1.jsonl", "output": "out/o.jsonl"}]}' "unknown default keys: ['threads']"
bad '{"tables": [{"id": "a", "input": "t1.jsonl", "output": "out/o.jsonl", "scores": [], "zeta": 1}]}' "unknown keys in table entry 0: ['scores', 'zeta']"
bad '{"tables": [{"id": "a", "input": "t1.jsonl", "output": "out/o.jsonl", "max_frames": "8"}]}' "config key max_frames must be an integer or null (table entry 0)"
bad '{"tables": [{"id": "a", "input": "t1.jsonl", "output": "out/o.jsonl", "overwrite": 1}]}' "config key overwrite must be true or false (table entry 0)"
bad '{"tables": [' "invalid JSON manifest: malformed JSON (byte 12)"
run 2 --manifest m/none.json
err_is "sigmix: m/none.json: cannot open: No such file or directory"
# a bad value inside a valid manifest fails that table only
cat > m/val.json <<'X'
{"tables": [{"id": "v", "input": "t1.jsonl", "output": "out/v.jsonl", "temporal_aggregator": "median"},
            {"id": "w", "input": "t1.jsonl", "output": "out/w.jsonl", "root": "root", "max_frames": 2}]}
X
run 1 --manifest m/val.json
err_is "sigmix: m/val.json: unknown temporal aggregator 'median' (mean, ema, max, motion-weighted)
saliency batch materialize: tables=2 total=2 ok=2 skipped=0 failed=0"
absent m/out/v.jsonl

# --- usage errors -------------------------------------------------------------
run 2 --manifest m/all.json --input m/t1.jsonl
err_is "sigmix: saliency: --manifest runs the tables it lists; per-table options go in the manifest (try 'sigmix help saliency')"
run 2 --input m/t1.jsonl --output o.jsonl --fail-fast
err_is "sigmix: saliency: --base-dir, --fail-fast and the reports need --manifest (try 'sigmix help saliency')"
run 2 --input m/t1.jsonl --output o.jsonl --allow-row-failures
err_is "sigmix: saliency: --base-dir, --fail-fast and the reports need --manifest (try 'sigmix help saliency')"
rm -rf m/out
run 2 --manifest m/all.json --report-json same.json --report-md same.json
err_has_same=$(cat err.txt)
case "$err_has_same" in "sigmix: same.json: "*) ;; *) fail "same report twice: $err_has_same" ;; esac
absent m/out

[ "$fails" -eq 0 ] && echo "saliency batch: all checks passed"
exit $((fails > 0))
