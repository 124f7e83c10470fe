#!/bin/bash
# sigmix vmaf-logs end to end: logs of every layout and quirk from
# gen_logs.py -> tables checked against the logs (per frame) and numpy (per
# clip), the options, every error path with its exact message, the
# provenance file, and the audit of the result.
set -u
S=${SIGMIX_BIN:-build/sigmix}
SRC=${SIGMIX_SRC:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/vmaflog_cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
ok()   { echo "ok: $1"; }
bad()  { echo "FAIL: $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# A python3 with numpy if there is one (Debian's), else any python3.
PY=; NP=
for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null 2>&1; then
        [ -z "$PY" ] && PY=$cand
        if "$cand" -c 'import numpy' 2>/dev/null; then PY=$cand; NP=1; break; fi
    fi
done
if [ -z "$PY" ]; then echo "skip: no python3 for the log generator"; exit 77; fi

"$PY" "$SRC/tests/vmaflog/gen_logs.py" "$T/logs" || { echo "generator failed"; exit 1; }
TRUTH=$T/logs/truth.json.txt

# --- per clip, every layout, statistics against numpy ---------------------
"$S" vmaf-logs "$T/logs" -o "$T/clip.jsonl" 2>"$T/err"
check "per-clip exit 0" '[ $? -eq 0 ]'
check "per-clip summary line" 'grep -qx "sigmix vmaf-logs: logs=8 bad=0 rows=8 columns=68 wrote=$T/clip.jsonl" "$T/err"'
if [ -n "$NP" ]; then
    "$PY" "$SRC/tests/vmaflog/check.py" perclip "$TRUTH" "$T/clip.jsonl"
    check "per-clip statistics equal numpy's" '[ $? -eq 0 ]'
else
    echo "skip: numpy not installed, statistics checked by the unit tests only"
fi
# Pooled metrics in the logs are all -1: none may leak into the table.
check "pooled_metrics ignored" '! grep -q -- "-1.0[,}]" "$T/clip.jsonl"'
check "formats recorded" '[ "$(grep -o "\"vmaf_log_format\":\"[a-z0-9-]*\"" "$T/clip.jsonl" | sort -u | wc -l)" -eq 6 ]'
check "fps inf -> null, finite fps kept" 'grep -q "\"key\":\"a_json231\",\"frames\":12,\"vmaf_log_format\":\"json\",\"vmaf_version\":\"2.3.1\",\"fps\":null" "$T/clip.jsonl" && grep -q "\"key\":\"c_json300_sub3\",\"frames\":7,\"vmaf_log_format\":\"json\",\"vmaf_version\":\"3.0.0\",\"fps\":23.45" "$T/clip.jsonl"'

# Parquet (the default for .parquet) holds the same table.
"$S" vmaf-logs "$T/logs" -o "$T/clip.parquet" --jobs 2 2>/dev/null
check "parquet written" '[ $? -eq 0 ] && [ -s "$T/clip.parquet" ]'
"$S" cat "$T/clip.parquet" >"$T/clip_pq.jsonl"
check "parquet == jsonl" 'cmp -s "$T/clip_pq.jsonl" "$T/clip.jsonl"'
"$S" vmaf-logs "$T/logs" -o "$T/clip1.jsonl" --jobs 1 2>/dev/null
check "--jobs 1 == --jobs 2" 'cmp -s "$T/clip1.jsonl" "$T/clip.jsonl"'

# --- per frame -------------------------------------------------------------
"$S" vmaf-logs "$T/logs" --per-frame -o "$T/frames.parquet" 2>/dev/null
check "per-frame exit 0" '[ $? -eq 0 ]'
"$S" cat "$T/frames.parquet" >"$T/frames.jsonl"
"$PY" "$SRC/tests/vmaflog/check.py" perframe "$TRUTH" "$T/frames.jsonl"
check "per-frame table equals the logs" '[ $? -eq 0 ]'
check "per-frame columns" '[ "$(head -1 "$T/frames.jsonl" | grep -o "\"[a-z_0-9]*\":" | tr -d "\n")" = "\"key\":\"frame\":\"adm2\":\"motion2\":\"vif_scale0\":\"vif_scale1\":\"vif_scale2\":\"vif_scale3\":\"vmaf\":\"cambi\":\"float_ssim\":" ]'

# --- options ---------------------------------------------------------------
"$S" vmaf-logs "$T/logs/b_json200.json" --stats p90,mean -o "$T/s.csv" 2>/dev/null
check "--stats chooses and orders" '[ "$(head -1 "$T/s.csv" | cut -d, -f1-8)" = "key,frames,vmaf_log_format,vmaf_version,fps,adm2_p90,adm2_mean,motion2_p90" ]'
"$S" vmaf-logs "$T/logs/b_json200.json" --keep-names --stats mean -o "$T/k.csv" 2>/dev/null
check "--keep-names" '[ "$(head -1 "$T/k.csv" | cut -d, -f6-7)" = "integer_adm2_mean,integer_motion2_mean" ]'
"$S" vmaf-logs "$T/logs/b_json200.json" --key-normalize basename --stats mean -o "$T/kb.csv" 2>/dev/null
check "--key-normalize basename" '[ "$(sed -n 2p "$T/kb.csv" | cut -d, -f1)" = "b_json200.json" ]'
"$S" vmaf-logs "$T/logs/b_json200.json" --stats mean,median -o "$T/x.csv" 2>"$T/err"
check "bad --stats: exit 2" '[ $? -eq 2 ] && [ ! -e "$T/x.csv" ]'
check "bad --stats: message" 'grep -qx "sigmix: vmaf-logs: unknown statistic in --stats (mean,std,min,max,p10,p90,hmean): '"'"'mean,median'"'"' (try '"'"'sigmix help vmaf-logs'"'"')" "$T/err"'
# Usage errors: one line in the format every command uses, exit 2.
usage_is() {  # $1 message, then the arguments
    local msg=$1; shift
    "$S" vmaf-logs "$@" >/dev/null 2>"$T/err"
    local st=$?
    check "usage: $msg" '[ $st -eq 2 ] && [ "$(cat "$T/err")" = "sigmix: vmaf-logs: $msg (try '"'"'sigmix help vmaf-logs'"'"')" ]'
}
usage_is "statistic listed twice in --stats: 'mean,mean'" "$T/logs" --stats mean,mean -o "$T/x.csv"
usage_is "unknown option '--bogus'" --bogus
usage_is "option '--out' needs a value" "$T/logs" --out
usage_is "--out TABLE is required" "$T/logs"
usage_is "--label-key needs --labels" "$T/logs" -o "$T/x.csv" --label-key k
usage_is "--key-normalize must be stem, basename or raw, not 'lower'" "$T/logs" -o "$T/x.csv" --key-normalize lower
usage_is "--jobs must be an integer in 1..1024, not '0'" "$T/logs" -o "$T/x.csv" -j 0
usage_is "cannot tell the output format from the extension of '$T/x.txt'" "$T/logs" -o "$T/x.txt"
usage_is "no LOGS given" -o "$T/x.csv"
mkdir -p "$T/empty"
usage_is "no log files found in '$T/empty'" "$T/empty" -o "$T/x.csv"
check "usage errors wrote nothing" '[ ! -e "$T/x.csv" ] && [ ! -e "$T/x.txt" ]'
"$S" vmaf-logs "$T/logs/h_log.sub" "$T/logs/g_log.csv" -o "$T/glob.jsonl" 2>/dev/null
"$S" vmaf-logs "$T/logs/[gh]_log.*" -o "$T/glob2.jsonl" 2>/dev/null
check "glob input" '[ "$(cut -c1-20 "$T/glob2.jsonl" | tr -d "\n")" = "{\"key\":\"g_log\",\"fram{\"key\":\"h_log\",\"fram" ]'

# --- errors: one line naming the file and the position, exit 2, nothing written
mkdir -p "$T/bad"
head -c 700 "$T/logs/a_json231.json" >"$T/bad/trunc.json"
len=$(wc -c <"$T/bad/trunc.json")
line=$(($(tr -cd '\n' <"$T/bad/trunc.json" | wc -c) + 1))
echo previous >"$T/keep.jsonl"
"$S" vmaf-logs "$T/logs/b_json200.json" "$T/bad/trunc.json" -o "$T/keep.jsonl" 2>"$T/err"
check "truncated JSON: exit 2" '[ $? -eq 2 ]'
check "truncated JSON: message" 'grep -qx "sigmix: $T/bad/trunc.json: truncated JSON: object or array not closed (line $line, byte $len)" "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ]'
check "truncated JSON: previous output untouched" '[ "$(cat "$T/keep.jsonl")" = previous ] && [ -z "$(ls "$T" | grep -v "^[a-z0-9_.]*$")" ]'
head -n 3 "$T/logs/g_log.csv" >"$T/bad/short.csv"
printf '3,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,\n' >>"$T/bad/short.csv"
"$S" vmaf-logs "$T/bad/short.csv" -o "$T/o.jsonl" 2>"$T/err"
check "CSV too many values: exit 2 + message" '[ $? -eq 2 ] && grep -qx "sigmix: $T/bad/short.csv: more values than header names (line 4)" "$T/err" && [ ! -e "$T/o.jsonl" ]'
printf '{"frames":[{"frameNum":0,"metrics":{"integer_adm2":0.5,"adm2":0.6}}]}' >"$T/bad/clash.json"
"$S" vmaf-logs "$T/bad/clash.json" -o "$T/o.jsonl" 2>"$T/err"
check "two names -> one: exit 2 + both named" '[ $? -eq 2 ] && grep -qx "sigmix: $T/bad/clash.json: metrics '"'"'integer_adm2'"'"' and '"'"'adm2'"'"' both map to '"'"'adm2'"'"' (use --keep-names to keep both)" "$T/err"'
"$S" vmaf-logs "$T/bad/clash.json" --keep-names -o "$T/o.jsonl" 2>/dev/null
check "--keep-names resolves the clash" '[ $? -eq 0 ] && grep -q "\"integer_adm2_mean\":0.5,.*\"adm2_mean\":0.6" "$T/o.jsonl"'
rm -f "$T/o.jsonl"
mkdir -p "$T/dup"; cp "$T/logs/g_log.csv" "$T/dup/g_log.json"
"$S" vmaf-logs "$T/logs/g_log.csv" "$T/dup/g_log.json" -o "$T/o.jsonl" 2>"$T/err"
check "duplicate keys: exit 2 + message" '[ $? -eq 2 ] && grep -qx "sigmix: $T/dup/g_log.json: same key '"'"'g_log'"'"' as $T/logs/g_log.csv (try --key-normalize)" "$T/err"'
"$S" vmaf-logs "$T/nope.json" -o "$T/o.jsonl" 2>"$T/err"
check "missing input: exit 2" '[ $? -eq 2 ] && grep -qx "sigmix: $T/nope.json: cannot open: No such file or directory" "$T/err"'
"$S" vmaf-logs "$T/logs" -o "$T/o.txt" 2>/dev/null
check "unknown output format: exit 2" '[ $? -eq 2 ] && [ ! -e "$T/o.txt" ]'

# --- table and report are one output set ------------------------------------
# A report that is a folder is refused before any work.
echo previous >"$T/set.jsonl"
mkdir -p "$T/set_report.json"
"$S" vmaf-logs "$T/logs" -o "$T/set.jsonl" --audit-json "$T/set_report.json" 2>"$T/err"
check "report is a folder: exit 2 + message" '[ $? -eq 2 ] && [ "$(cat "$T/err")" = "sigmix: $T/set_report.json: is a folder, not a file" ]'
check "report is a folder: old table intact" '[ "$(cat "$T/set.jsonl")" = previous ]'
# A report that fails only when committed (a full device, after every
# check passed): the table must not be replaced (before: it was committed
# first, then the run failed with the new table in place).
# The full device is a scratch node (a copy of /dev/full), never the
# system's own.
if mknod "$T/full" c 1 7 2>/dev/null && [ -w "$T/full" ]; then
    "$S" vmaf-logs "$T/logs" -o "$T/set.jsonl" --audit-json "$T/full" 2>"$T/err"
    check "late report failure: exit 2 + message" '[ $? -eq 2 ] && [ "$(cat "$T/err")" = "sigmix: $T/full: cannot write output (No space left on device)" ]'
    check "late report failure: old table intact, no temporaries" '[ "$(cat "$T/set.jsonl")" = previous ] && [ -z "$(ls -A "$T" | grep sigmix-)" ]'
fi
# The same on a full file system: the report's temporary cannot be
# flushed at commit time.
mkdir -p "$T/mnt"
if mount -t tmpfs -o size=64k tmpfs "$T/mnt" 2>/dev/null; then
    echo '{"old": true}' >"$T/mnt/r.json"
    dd if=/dev/zero of="$T/mnt/filler" bs=4k count=100 2>/dev/null
    "$S" vmaf-logs "$T/logs" -o "$T/set.jsonl" --audit-json "$T/mnt/r.json" 2>"$T/err"
    check "full disk report: exit 2" '[ $? -eq 2 ] && grep -q "^sigmix: $T/mnt/r.json: " "$T/err"'
    check "full disk report: old table and report intact, no temporaries" '[ "$(cat "$T/set.jsonl")" = previous ] && [ "$(cat "$T/mnt/r.json")" = "{\"old\": true}" ] && [ -z "$(ls -A "$T" "$T/mnt" | grep sigmix-)" ]'
    umount "$T/mnt"
else
    echo "note: cannot mount a tmpfs here; the full-disk report case is not run"
fi
"$S" vmaf-logs "$T/logs" -o "$T/set.jsonl" --audit-json "$T/set_ok.json" 2>/dev/null
check "both committed on success" '[ $? -eq 0 ] && grep -q "^{\"key\":\"a_json231\"" "$T/set.jsonl" && [ -s "$T/set_ok.json" ]'

# --- --skip-bad: a status row, exit 1, provenance lists the error ----------
"$S" vmaf-logs "$T/logs/b_json200.json" "$T/bad/trunc.json" --skip-bad -o "$T/sb.jsonl" \
    --audit-json "$T/prov/sb.json" 2>"$T/err"
check "--skip-bad: exit 1" '[ $? -eq 1 ]'
check "--skip-bad: status row" 'grep -q "^{\"key\":\"trunc\",\"frames\":null,.*\"vmaf_log_error\":\"truncated JSON: object or array not closed (line $line, byte $len)\"}$" "$T/sb.jsonl"'
check "--skip-bad: good row kept" 'grep -q "^{\"key\":\"b_json200\",\"frames\":9," "$T/sb.jsonl"'
"$PY" - "$T/prov/sb.json" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
rp = p["run_provenance"]
assert rp["schema"] == "ai-run-provenance-v1", rp
assert rp["argv"][0].endswith("/logs/b_json200.json") and rp["argv"][2] == "--skip-bad", rp["argv"]
assert rp["args"]["logs"] == rp["argv"][:2], rp["args"]
assert rp["args"]["skip_bad"] is True and rp["args"]["jobs"] is None, rp["args"]
assert [e["kind"] for e in rp["inputs"]["logs"]] == ["file", "file"], rp["inputs"]
assert all(len(e["sha256"]) == 64 for e in rp["inputs"]["logs"]), rp["inputs"]
import hashlib, os
for e, s in zip(rp["inputs"]["logs"], rp["sigmix"]["inputs"]["logs"]):
    # taken from the bytes parsed, also for the log that failed to parse
    assert e["sha256"] == hashlib.sha256(open(e["path"], "rb").read()).hexdigest(), e
    assert s["size"] == os.path.getsize(e["path"]), s
assert rp["sigmix"]["inputs"]["logs"][0]["rows"] == 9, rp["sigmix"]
assert rp["outputs"] == {"output": sys.argv[1][:-len("prov/sb.json")] + "sb.jsonl", "audit_json": sys.argv[1]}, rp["outputs"]
assert open(sys.argv[1]).read() == json.dumps(p, indent=2, sort_keys=True) + "\n", "not sorted/indented"
assert [l["key"] for l in p["logs"]] == ["b_json200", "trunc"], p["logs"]
assert p["logs"][0]["format"] == "json" and p["logs"][0]["frames"] == 9
assert p["versions"] == {"2.0.0": 1}, p["versions"]
assert {"from": "integer_adm2", "to": "adm2", "logs": 1} in p["renames"], p["renames"]
assert len(p["errors"]) == 1 and p["errors"][0]["message"].startswith("truncated JSON"), p
PYEOF
check "--audit-json lists logs, versions, renames, errors" '[ $? -eq 0 ]'

# --- --labels: hash join on the normalized key ------------------------------
printf 'video,mos,split\nclips/a_json231.mp4,4.5,train\nclips/b_json200.mp4,3.25,test\nclips/zz.mp4,1.0,train\n' >"$T/labels.csv"
"$S" vmaf-logs "$T/logs" --labels "$T/labels.csv" --label-key video --stats mean -o "$T/lab.jsonl" \
    --audit-json "$T/lab_prov.json" 2>"$T/err"
check "labels: exit 0" '[ $? -eq 0 ]'
check "labels: joined by stem" 'grep -q "^{\"key\":\"a_json231\",.*\"mos\":4.5,\"split\":\"train\"}$" "$T/lab.jsonl" && grep -q "^{\"key\":\"b_json200\",.*\"mos\":3.25,\"split\":\"test\"}$" "$T/lab.jsonl"'
check "labels: a log without a label gets nulls" 'grep -q "^{\"key\":\"h_log\",.*\"mos\":null,\"split\":null}$" "$T/lab.jsonl"'
check "labels: a label without a log is reported" 'grep -qx "sigmix: $T/labels.csv: 1 label(s) without a log (first: '"'"'zz'"'"')" "$T/err"'
"$PY" - "$T/lab_prov.json" <<'PYEOF'
import hashlib, json, os, sys
rp = json.load(open(sys.argv[1]))["run_provenance"]
e, s = rp["inputs"]["labels"], rp["sigmix"]["inputs"]["labels"]
assert e["kind"] == "file" and e["sha256"] == hashlib.sha256(open(e["path"], "rb").read()).hexdigest(), e
assert s["size"] == os.path.getsize(e["path"]) and s["rows"] == 3, s
PYEOF
check "labels: provenance hash and size of the labels table" '[ $? -eq 0 ]'
check "labels: provenance counts" 'tr -d " \n" <"$T/lab_prov.json" | grep -q "\"labels\":{\"key_column\":\"video\",\"labels_without_log\":1,\"path\":\"$T/labels.csv\",\"rows\":3,\"rows_without_label\":6}"'
"$S" vmaf-logs "$T/logs" --labels "$T/labels.csv" -o "$T/o.jsonl" 2>"$T/err"
check "labels: missing key column: exit 2 + message" '[ $? -eq 2 ] && [ ! -e "$T/o.jsonl" ] && grep -qx "sigmix: $T/labels.csv: no column '"'"'key'"'"' (set --label-key)" "$T/err"'
printf 'key,mos\na_json231,1\nx/a_json231.y,2\n' >"$T/dup_labels.csv"
"$S" vmaf-logs "$T/logs" --labels "$T/dup_labels.csv" -o "$T/o.jsonl" 2>"$T/err"
check "labels: duplicate normalized key: exit 2 + message" '[ $? -eq 2 ] && [ ! -e "$T/o.jsonl" ] && grep -qx "sigmix: $T/dup_labels.csv: key '"'"'a_json231'"'"' on rows 1 and 2" "$T/err"'
printf 'key,frames\na_json231,1\n' >"$T/clash_labels.csv"
"$S" vmaf-logs "$T/logs" --labels "$T/clash_labels.csv" -o "$T/o.jsonl" 2>"$T/err"
check "labels: column clash: exit 2 + message" '[ $? -eq 2 ] && grep -qx "sigmix: $T/clash_labels.csv: label column '"'"'frames'"'"' is also a vmaf-logs column" "$T/err"'

# --- the audit reads the result as intended --------------------------------
audit_check() {  # $1 table, $2 expect: canonical|raw
    "$S" audit -i "$1" --out-json "$T/audit.json" --out-md "$T/audit.md" >/dev/null 2>&1 || return 1
    "$PY" - "$T/audit.json" "$2" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))["tables"][0]
fam = set(c for cols in t["family_columns"].values() for c in cols)
uncat = [c for c in t["signal_columns"] if c not in fam]
ints = [c for c in uncat if c.startswith("integer_")]
if sys.argv[2] == "canonical":
    assert t["family_health"]["canonical_fr"]["status"] == "covered", t["family_health"]["canonical_fr"]
    assert not ints, ints
    assert not any(c.startswith("integer_") for c in t["signal_columns"])
else:
    assert ints, "expected integer_* columns to be uncategorized without renaming"
PYEOF
}
audit_check "$T/clip.parquet" canonical
check "audit: FR baseline covered, no integer_* uncategorized" '[ $? -eq 0 ]'
"$S" vmaf-logs "$T/logs/a_json231.json" "$T/logs/b_json200.json" --keep-names -o "$T/raw.parquet" 2>/dev/null
audit_check "$T/raw.parquet" raw
check "audit: without renaming the integer_* columns are uncategorized" '[ $? -eq 0 ]'

echo "$fails failed"
[ "$fails" -eq 0 ]
