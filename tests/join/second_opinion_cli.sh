#!/bin/bash
# sigmix second-opinion: the join on small tables whose expected values
# were worked out by hand, each missing policy, the refusals, and every
# error path (exit 2, exact message, nothing written).
set -u
. "$(dirname "$0")/lib.sh"

# Keys are text: "001" and "1" are different clips; a score file's
# integer 1 renders as "1"; unicode keys match byte for byte; a null key
# matches nothing. Doubles pass through exactly.
cat > feat.jsonl <<'X'
{"clip_id":"001","vmaf":0.30000000000000004,"note":"a"}
{"clip_id":"1","vmaf":1e-300,"note":null}
{"clip_id":"café_01","vmaf":50.0,"note":"ü"}
{"clip_id":null,"vmaf":60.5,"note":"nokey"}
{"clip_id":"004","vmaf":70.0,"note":"d"}
X
# dover: JSONL, competitor from LABEL=; a frames-only payload (mean of
# 0.25 and 0.5 = 0.375, runtime from the one frame that has it, status
# "oom" -> bad); "success" -> ok.
cat > dover.jsonl <<'X'
{"clip_id":"001","score":0.1,"runtime_ms":12.5}
{"clip_id":1,"score":0.7,"status":"success"}
{"clip_id":"café_01","frames":[{"score":0.25},{"score":0.5,"runtime_ms":4}],"status":"oom"}
X
# Q-Align: {"results": [...]}, competitor field, score and runtime from
# summary, a numeric string score.
cat > qalign.json <<'X'
{"results":[{"video_id":"001","competitor":"Q-Align","summary":{"mos":3.5,"runtime_total_ms":80}},
 {"video_id":"004","competitor":"Q-Align","mos":"2.25"}]}
X
"$bin" second-opinion --features feat.jsonl --scores dover=dover.jsonl --scores qalign.json \
    --out out.jsonl --audit-json audit.json || fail "basic join failed"
cat > want.jsonl <<'X'
{"clip_id":"001","vmaf":0.30000000000000004,"note":"a","second_opinion_q_align_score":3.5,"second_opinion_q_align_status":"ok","second_opinion_q_align_runtime_ms":80.0,"second_opinion_q_align_frames":0,"second_opinion_q_align_source":"qalign.json","second_opinion_dover_score":0.1,"second_opinion_dover_status":"ok","second_opinion_dover_runtime_ms":12.5,"second_opinion_dover_frames":0,"second_opinion_dover_source":"dover.jsonl"}
{"clip_id":"1","vmaf":1e-300,"note":null,"second_opinion_q_align_score":null,"second_opinion_q_align_status":"missing","second_opinion_q_align_runtime_ms":null,"second_opinion_q_align_frames":0,"second_opinion_q_align_source":"","second_opinion_dover_score":0.7,"second_opinion_dover_status":"ok","second_opinion_dover_runtime_ms":null,"second_opinion_dover_frames":0,"second_opinion_dover_source":"dover.jsonl"}
{"clip_id":"café_01","vmaf":50.0,"note":"ü","second_opinion_q_align_score":null,"second_opinion_q_align_status":"missing","second_opinion_q_align_runtime_ms":null,"second_opinion_q_align_frames":0,"second_opinion_q_align_source":"","second_opinion_dover_score":0.375,"second_opinion_dover_status":"bad","second_opinion_dover_runtime_ms":4.0,"second_opinion_dover_frames":2,"second_opinion_dover_source":"dover.jsonl"}
{"clip_id":null,"vmaf":60.5,"note":"nokey","second_opinion_q_align_score":null,"second_opinion_q_align_status":"missing","second_opinion_q_align_runtime_ms":null,"second_opinion_q_align_frames":0,"second_opinion_q_align_source":"","second_opinion_dover_score":null,"second_opinion_dover_status":"missing","second_opinion_dover_runtime_ms":null,"second_opinion_dover_frames":0,"second_opinion_dover_source":""}
{"clip_id":"004","vmaf":70.0,"note":"d","second_opinion_q_align_score":2.25,"second_opinion_q_align_status":"ok","second_opinion_q_align_runtime_ms":null,"second_opinion_q_align_frames":0,"second_opinion_q_align_source":"qalign.json","second_opinion_dover_score":null,"second_opinion_dover_status":"missing","second_opinion_dover_runtime_ms":null,"second_opinion_dover_frames":0,"second_opinion_dover_source":""}
X
same out.jsonl want.jsonl
# The new columns are not zeroed before the join writes them: with fresh
# memory filled with garbage (glibc MALLOC_PERTURB_), every unmatched
# cell must still read null / "missing" / 0 / "".
MALLOC_PERTURB_=165 "$bin" second-opinion --features feat.jsonl --scores dover=dover.jsonl \
    --scores qalign.json --out out_perturb.jsonl || fail "basic join (perturbed malloc) failed"
same out_perturb.jsonl want.jsonl
# The same on a table large enough for huge pages (20,000 rows, every
# other one unmatched, expected lines built independently by awk), read
# from JSON Lines and Parquet, kept whole and with the unmatched dropped.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"clip_id\":\"c%05d\",\"v\":%d}\n", i, i }' >big.jsonl
awk 'BEGIN { for (i = 0; i < 20000; i += 2) {
    printf "{\"clip_id\":\"c%05d\",\"score\":%d.5", i, i
    if (i % 4 == 0) printf ",\"runtime_ms\":3.25"
    print "}" } }' >bigs.jsonl
awk 'BEGIN { for (i = 0; i < 20000; i++) {
    printf "{\"clip_id\":\"c%05d\",\"v\":%d,", i, i
    if (i % 2) print "\"second_opinion_d_score\":null,\"second_opinion_d_status\":\"missing\",\"second_opinion_d_runtime_ms\":null,\"second_opinion_d_frames\":0,\"second_opinion_d_source\":\"\"}"
    else printf "\"second_opinion_d_score\":%d.5,\"second_opinion_d_status\":\"ok\",\"second_opinion_d_runtime_ms\":%s,\"second_opinion_d_frames\":0,\"second_opinion_d_source\":\"bigs.jsonl\"}\n", i, i % 4 ? "null" : "3.25" } }' >want_big.jsonl
awk 'NR % 2' want_big.jsonl >want_bigdrop.jsonl
"$bin" cat big.jsonl -o big.parquet || fail "cat big.jsonl to Parquet failed"
for f in big.jsonl big.parquet; do
    MALLOC_PERTURB_=90 "$bin" second-opinion --features $f --scores d=bigs.jsonl --out big_out.jsonl ||
        fail "$f: big join failed"
    same big_out.jsonl want_big.jsonl
    MALLOC_PERTURB_=90 "$bin" second-opinion --features $f --scores d=bigs.jsonl --out big_pq.parquet ||
        fail "$f: big join to Parquet failed"
    "$bin" cat big_pq.parquet -o big_back.jsonl || fail "$f: reading the big join back failed"
    same big_back.jsonl want_big.jsonl
    # Byte for byte what the general path (the columns already there,
    # --overwrite) writes: a null is not a NaN in Parquet.
    MALLOC_PERTURB_=90 "$bin" second-opinion --features want_big.jsonl --scores d=bigs.jsonl \
        --out big_ow.parquet --overwrite || fail "$f: big join (--overwrite) failed"
    same big_pq.parquet big_ow.parquet
    MALLOC_PERTURB_=90 "$bin" second-opinion --features $f --scores d=bigs.jsonl --out big_drop.jsonl \
        --missing-policy drop || fail "$f: big join (drop) failed"
    same big_drop.jsonl want_bigdrop.jsonl
done

# The audit JSON: upstream's fields, keys sorted, 2-space indent, final
# newline, and run_provenance in the ADR-0661 layout (golden; only the
# executable, host and times are masked).
sha() { sha256sum "$1" | cut -c1-64; }
cat > want_audit.json <<X
{
  "competitors": {
    "Q-Align": {
      "bad_rows": 0,
      "column_prefix": "second_opinion_q_align",
      "competitor": "Q-Align",
      "matched_rows": 2,
      "missing_rows": 3,
      "scores_loaded": 2
    },
    "dover": {
      "bad_rows": 1,
      "column_prefix": "second_opinion_dover",
      "competitor": "dover",
      "matched_rows": 2,
      "missing_rows": 2,
      "scores_loaded": 3
    }
  },
  "feature_table": "feat.jsonl",
  "input_rows": 5,
  "key_column": "clip_id",
  "key_normalize": "auto",
  "missing_policy": "mark",
  "output": "out.jsonl",
  "output_rows": 5,
  "run_provenance": {
    "args": {
      "audit_json": "audit.json",
      "features": "feat.jsonl",
      "key_column": null,
      "key_normalize": "auto",
      "missing_policy": "mark",
      "out": "out.jsonl",
      "overwrite": false,
      "prefix": "second_opinion",
      "score_field": null,
      "score_key_field": null,
      "scores": [
        "dover=dover.jsonl",
        "qalign.json"
      ],
      "threads": null
    },
    "argv": [
      "--features",
      "feat.jsonl",
      "--scores",
      "dover=dover.jsonl",
      "--scores",
      "qalign.json",
      "--out",
      "out.jsonl",
      "--audit-json",
      "audit.json"
    ],
    "entrypoint": {
      "exists": true,
      "kind": "file",
      "path": "SIGMIX",
      "sha256": "SIGMIX_SHA"
    },
    "inputs": {
      "features": {
        "exists": true,
        "kind": "file",
        "path": "feat.jsonl",
        "sha256": "$(sha feat.jsonl)"
      },
      "scores": [
        {
          "exists": true,
          "kind": "file",
          "path": "dover.jsonl",
          "sha256": "$(sha dover.jsonl)"
        },
        {
          "exists": true,
          "kind": "file",
          "path": "qalign.json",
          "sha256": "$(sha qalign.json)"
        }
      ]
    },
    "outputs": {
      "audit_json": "audit.json",
      "out": "out.jsonl"
    },
    "schema": "ai-run-provenance-v1",
    "sigmix": {
      "finished_utc": "X",
      "host": "X",
      "inputs": {
        "features": {
          "path": "feat.jsonl",
          "rows": 5,
          "size": $(stat -c %s feat.jsonl)
        },
        "scores": [
          {
            "path": "dover.jsonl",
            "rows": 3,
            "size": $(stat -c %s dover.jsonl)
          },
          {
            "path": "qalign.json",
            "rows": 2,
            "size": $(stat -c %s qalign.json)
          }
        ]
      },
      "started_utc": "X",
      "version": "$("$bin" --version | cut -d' ' -f2)"
    }
  }
}
X
mask audit.json > audit.masked
same audit.masked want_audit.json

# Parquet in and out: the columns the join does not compute
# come out exactly as they went in.
"$bin" cat feat.jsonl -o feat.parquet >/dev/null || fail "cannot write feat.parquet"
"$bin" second-opinion --features feat.parquet --scores dover=dover.jsonl --out out.parquet ||
    fail "parquet join failed"
"$bin" cat feat.parquet > in.txt
"$bin" cat out.parquet --columns clip_id,vmaf,note > pass.txt
same pass.txt in.txt
"$bin" cat out.parquet --columns second_opinion_dover_score,second_opinion_dover_frames > sc.txt
cat > want_sc.txt <<'X'
{"second_opinion_dover_score":0.1,"second_opinion_dover_frames":0}
{"second_opinion_dover_score":0.7,"second_opinion_dover_frames":0}
{"second_opinion_dover_score":0.375,"second_opinion_dover_frames":2}
{"second_opinion_dover_score":null,"second_opinion_dover_frames":0}
{"second_opinion_dover_score":null,"second_opinion_dover_frames":0}
X
same sc.txt want_sc.txt

# Missing policies. drop: rows lacking ANY competitor's score go (only
# "001" has both); a "bad" score is not missing.
"$bin" second-opinion --features feat.jsonl --scores dover=dover.jsonl --scores qalign.json \
    --out drop.csv --missing-policy drop || fail "drop failed"
cat > want_drop.csv <<'X'
clip_id,vmaf,note,second_opinion_q_align_score,second_opinion_q_align_status,second_opinion_q_align_runtime_ms,second_opinion_q_align_frames,second_opinion_q_align_source,second_opinion_dover_score,second_opinion_dover_status,second_opinion_dover_runtime_ms,second_opinion_dover_frames,second_opinion_dover_source
001,0.30000000000000004,a,3.5,ok,80.0,0,qalign.json,0.1,ok,12.5,0,dover.jsonl
X
same drop.csv want_drop.csv
"$bin" second-opinion --features feat.jsonl --scores dover=dover.jsonl --out drop1.jsonl \
    --missing-policy drop --audit-json drop1.json || fail "drop (dover) failed"
[ "$(wc -l < drop1.jsonl)" -eq 3 ] || fail "drop kept $(wc -l < drop1.jsonl) rows, want 3"
grep -q '"output_rows": 3' drop1.json || fail "drop audit: output_rows"
grep -q '"input_rows": 5' drop1.json || fail "drop audit: input_rows"
"$bin" second-opinion --features feat.jsonl --scores dover=dover.jsonl --out j1.jsonl -j 1 \
    --audit-json j1.json || fail "-j 1"
grep -q '"threads": 1$' j1.json || fail "provenance args.threads for -j 1"
same j1.jsonl <(sed 's/,"second_opinion_q_align[^,]*//g' out.jsonl)
NOT_WRITTEN="fail.jsonl fail.json" expect_err 2 \
    "sigmix: feat.jsonl: missing second-opinion scores: Q-Align=3, dover=2" -- \
    second-opinion --features feat.jsonl --scores dover=dover.jsonl --scores qalign.json \
    --out fail.jsonl --audit-json fail.json --missing-policy fail
# every row scored: fail passes
printf '{"clip_id":"001"}\n{"clip_id":"1"}\n' > two.jsonl
"$bin" second-opinion --features two.jsonl --scores dover=dover.jsonl --out two_out.jsonl \
    --missing-policy fail || fail "fail policy with every row scored"

# Duplicates, existing columns (competitors are checked in sorted order,
# so Q-Align's columns are named), slug collisions.
printf '{"clip_id":"a","score":1}\n{"clip_id":"b","score":2}\n{"clip_id":" a ","score":3}\n' > dup.jsonl
NOT_WRITTEN="o.jsonl a.json" expect_err 2 \
    "sigmix: dup.jsonl: duplicate score for competitor='dover' key='a' (line 3)" -- \
    second-opinion --features feat.jsonl --scores dover=dup.jsonl --out o.jsonl --audit-json a.json
# One competitor over two files: the first file's key map (built in its
# worker) takes the second file's keys; a key in both is a duplicate.
printf '{"clip_id":"001","score":1.5}\n' > p1.jsonl
printf '{"clip_id":"1","score":2.5,"runtime_ms":7}\n' > p2.jsonl
"$bin" second-opinion --features two.jsonl --scores dover=p1.jsonl --scores dover=p2.jsonl \
    --out split.jsonl || fail "one competitor over two files"
[ "$(cat split.jsonl)" = '{"clip_id":"001","second_opinion_dover_score":1.5,"second_opinion_dover_status":"ok","second_opinion_dover_runtime_ms":null,"second_opinion_dover_frames":0,"second_opinion_dover_source":"p1.jsonl"}
{"clip_id":"1","second_opinion_dover_score":2.5,"second_opinion_dover_status":"ok","second_opinion_dover_runtime_ms":7.0,"second_opinion_dover_frames":0,"second_opinion_dover_source":"p2.jsonl"}' ] \
    || fail "one competitor over two files: $(cat split.jsonl)"
printf '{"clip_id":"a","score":1}\n{"clip_id":"b","score":2}\n' > a1.jsonl
printf '{"clip_id":"c","score":5}\n{"clip_id":"a","score":6}\n' > dup2.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 \
    "sigmix: dup2.jsonl: duplicate score for competitor='dover' key='a' (line 2)" -- \
    second-opinion --features two.jsonl --scores dover=a1.jsonl --scores dover=dup2.jsonl --out o.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 \
    "sigmix: out.jsonl: refusing to overwrite existing second-opinion columns: second_opinion_q_align_score, second_opinion_q_align_status, second_opinion_q_align_runtime_ms, second_opinion_q_align_frames, second_opinion_q_align_source (pass --overwrite)" -- \
    second-opinion --features out.jsonl --scores dover=dover.jsonl --scores qalign.json --out o.jsonl \
    --key-column clip_id --prefix second_opinion
# --overwrite: the old values are replaced in place (column order kept),
# here with a different prefix set of scores
printf '{"clip_id":"001","score":9.5}\n' > dover2.jsonl
"$bin" second-opinion --features out.jsonl --scores dover=dover2.jsonl --out ow.jsonl --overwrite ||
    fail "--overwrite failed"
head -1 ow.jsonl | grep -q '"second_opinion_q_align_score":3.5,.*"second_opinion_dover_score":9.5,"second_opinion_dover_status":"ok","second_opinion_dover_runtime_ms":null,"second_opinion_dover_frames":0,"second_opinion_dover_source":"dover2.jsonl"}$' ||
    { fail "--overwrite did not replace in place"; head -1 ow.jsonl; }
# an existing column of another kind is rebuilt (moved to the end)
printf '{"clip_id":"001","second_opinion_dover_frames":"many","x":1}\n' > kinds.jsonl
"$bin" second-opinion --features kinds.jsonl --scores dover=dover.jsonl --out kinds_out.jsonl \
    --overwrite || fail "--overwrite with a text column failed"
cat > want_kinds.jsonl <<'X'
{"clip_id":"001","x":1,"second_opinion_dover_score":0.1,"second_opinion_dover_status":"ok","second_opinion_dover_runtime_ms":12.5,"second_opinion_dover_frames":0,"second_opinion_dover_source":"dover.jsonl"}
X
same kinds_out.jsonl want_kinds.jsonl
printf '{"clip_id":"001","competitor":"Fast VQA","score":1}\n' > s1.jsonl
printf '{"clip_id":"001","competitor":"fast-vqa","score":2}\n' > s2.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 \
    "sigmix: s2.jsonl: competitors 'Fast VQA' and 'fast-vqa' both map to columns second_opinion_fast_vqa_*" -- \
    second-opinion --features feat.jsonl --scores s1.jsonl --scores s2.jsonl --out o.jsonl
printf '{"clip_id":"001","competitor":"+++","score":1}\n' > s3.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: s3.jsonl: cannot derive column slug from '+++'" -- \
    second-opinion --features feat.jsonl --scores s3.jsonl --out o.jsonl

# Key options: basename/stem, an explicit key column and score fields.
printf '{"path":"/x/clip1.mp4"}\n{"path":"/y/clip2.mp4"}\n' > paths.jsonl
printf '{"file":"clip1","v":2}\n{"file":"a/clip2.mkv","v":3}\n' > stems.jsonl
"$bin" second-opinion --features paths.jsonl --scores m=stems.jsonl --out stems_out.jsonl \
    --key-normalize stem --score-key-field file --score-field v --prefix so || fail "stem join failed"
cat > want_stems.jsonl <<'X'
{"path":"/x/clip1.mp4","so_m_score":2.0,"so_m_status":"ok","so_m_runtime_ms":null,"so_m_frames":0,"so_m_source":"stems.jsonl"}
{"path":"/y/clip2.mp4","so_m_score":3.0,"so_m_status":"ok","so_m_runtime_ms":null,"so_m_frames":0,"so_m_source":"stems.jsonl"}
X
same stems_out.jsonl want_stems.jsonl

# A key column of mixed types (numbers and text) still joins by text; a
# score file literally named with '=' is a path, not LABEL=path.
printf '{"clip_id":1,"v":1}\n{"clip_id":"x\\u00e9","v":2}\n{"clip_id":2.5,"v":3}\n' > mixed.jsonl
printf '{"clip_id":"1","competitor":"c","score":1}\n{"clip_id":"x\xc3\xa9","competitor":"c","score":2}\n{"clip_id":"2.5","competitor":"c","score":3}\n' > 'a=b.jsonl'
"$bin" second-opinion --features mixed.jsonl --scores 'a=b.jsonl' --out mixed_out.jsonl \
    --missing-policy fail --prefix p || fail "mixed-type keys or a file named with '='"
cut -d, -f1,3 mixed_out.jsonl > mixed_cut.txt
cat > want_mixed.txt <<'X'
{"clip_id":1,"p_c_score":1.0
{"clip_id":"xé","p_c_score":2.0
{"clip_id":2.5,"p_c_score":3.0
X
same mixed_cut.txt want_mixed.txt

# Scores round-trip exactly (shortest text that reads back as the same double).
printf '{"clip_id":"001","score":0.1234567890123456789,"runtime_ms":2.2250738585072014e-308}\n' > rt.jsonl
"$bin" second-opinion --features feat.jsonl --scores r=rt.jsonl --out rt_out.parquet || fail "round trip"
"$bin" cat rt_out.parquet --columns second_opinion_r_score,second_opinion_r_runtime_ms --head 1 > rt.txt
echo '{"second_opinion_r_score":0.12345678901234568,"second_opinion_r_runtime_ms":2.2250738585072014e-308}' > want_rt.txt
same rt.txt want_rt.txt

# Usage errors.
expect_err 2 "sigmix: second-opinion: --features, --scores and --out are required (try 'sigmix help second-opinion')" -- \
    second-opinion --features feat.jsonl --out o.jsonl
expect_err 2 "sigmix: second-opinion: --key-normalize must be auto, raw, basename or stem, not 'lower' (try 'sigmix help second-opinion')" -- \
    second-opinion --features feat.jsonl --scores d=dover.jsonl --out o.jsonl --key-normalize lower
expect_err 2 "sigmix: second-opinion: --missing-policy must be mark, drop or fail, not 'skip' (try 'sigmix help second-opinion')" -- \
    second-opinion --features feat.jsonl --scores d=dover.jsonl --out o.jsonl --missing-policy skip
expect_err 2 "sigmix: second-opinion: unknown option '--bogus' (try 'sigmix help second-opinion')" -- \
    second-opinion --bogus
expect_err 2 "sigmix: second-opinion: option '--out' needs a value (try 'sigmix help second-opinion')" -- \
    second-opinion --features feat.jsonl --out
expect_err 2 "sigmix: second-opinion: --manifest runs the tables it lists; per-table options go in the manifest (try 'sigmix help second-opinion')" -- \
    second-opinion --manifest m.json --features feat.jsonl
expect_err 2 "sigmix: second-opinion: bad --threads value '300' (try 'sigmix help second-opinion')" -- \
    second-opinion --threads 300
"$bin" second-opinion --help > help.txt || fail "--help status"
for opt in --features --scores --out --audit-json --key-column --score-key-field --score-field \
           --key-normalize --missing-policy --prefix --overwrite --manifest --base-dir --fail-fast \
           --report-json --report-md; do
    grep -qF -- "$opt" help.txt || fail "--help lacks $opt"
done

# Input errors: one line naming the file, exit 2, nothing written.
NOT_WRITTEN="o.jsonl a.json" expect_err 2 "sigmix: nope.jsonl: cannot open: No such file or directory" -- \
    second-opinion --features nope.jsonl --scores d=dover.jsonl --out o.jsonl --audit-json a.json
NOT_WRITTEN="o.jsonl a.json" expect_err 2 "sigmix: nope.jsonl: cannot open: No such file or directory" -- \
    second-opinion --features feat.jsonl --scores d=nope.jsonl --out o.jsonl --audit-json a.json
printf 'clip_id,score\n' > s.csv
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: s.csv: unsupported score format; use .jsonl, .ndjson or .json" -- \
    second-opinion --features feat.jsonl --scores d=s.csv --out o.jsonl
printf '{"clip_id":"001","score":1}\n{"clip_id":"002","score":\n' > bad.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: bad.jsonl: truncated JSON: an object or list is not closed (line 2)" -- \
    second-opinion --features feat.jsonl --scores d=bad.jsonl --out o.jsonl
: > empty.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: empty.jsonl: no scores loaded" -- \
    second-opinion --features feat.jsonl --scores d=empty.jsonl --out o.jsonl
printf '{"clip_id":"001","score":1}\n' > nolabel.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: nolabel.jsonl: score row has no competitor field; use LABEL=path for --scores (line 1)" -- \
    second-opinion --features feat.jsonl --scores nolabel.jsonl --out o.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: feat.jsonl: --key-column 'id' is not present in feature table" -- \
    second-opinion --features feat.jsonl --scores d=dover.jsonl --out o.jsonl --key-column id
printf '{"vmaf":1}\n' > nokey.jsonl
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: nokey.jsonl: could not infer feature key column; pass --key-column. Tried: clip_id, video_id, chug_video_id, content_id, file_name, filename, basename, name, distorted_path, dis_path, path" -- \
    second-opinion --features nokey.jsonl --scores d=dover.jsonl --out o.jsonl
NOT_WRITTEN="o.txt" expect_err 2 "sigmix: o.txt: unknown output format (expected .jsonl, .ndjson, .json, .csv, .parquet or .pq)" -- \
    second-opinion --features feat.jsonl --scores d=dover.jsonl --out o.txt
# Score files parse while the table is read (any -j but 1): the errors
# still come in a serial run's order - the table's, then its key column's,
# then the first bad score file on the command line - with -j 1 and -j 4.
printf '{"clip_id":"001"\n' > badfeat.jsonl
for j in 1 4; do
    NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: nope.jsonl: cannot open: No such file or directory" -- \
        second-opinion --features nope.jsonl --scores d=bad.jsonl --scores d=nope.jsonl --out o.jsonl -j $j
    NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: badfeat.jsonl: truncated JSON: an object or list is not closed (line 1)" -- \
        second-opinion --features badfeat.jsonl --scores d=bad.jsonl --out o.jsonl -j $j
    NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: nokey.jsonl: could not infer feature key column; pass --key-column. Tried: clip_id, video_id, chug_video_id, content_id, file_name, filename, basename, name, distorted_path, dis_path, path" -- \
        second-opinion --features nokey.jsonl --scores d=bad.jsonl --out o.jsonl -j $j
    NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: feat.jsonl: --key-column 'id' is not present in feature table" -- \
        second-opinion --features feat.jsonl --scores d=nope.jsonl --out o.jsonl --key-column id -j $j
    NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: bad.jsonl: truncated JSON: an object or list is not closed (line 2)" -- \
        second-opinion --features feat.jsonl --scores e=empty.jsonl --scores d=bad.jsonl --scores d=nope.jsonl \
        --out o.jsonl -j $j
    NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: nope.jsonl: cannot open: No such file or directory" -- \
        second-opinion --features feat.jsonl --scores d=dover.jsonl --scores d=nope.jsonl --scores d=bad.jsonl \
        --out o.jsonl -j $j
    # and the same table and report as one thread
    "$bin" second-opinion --features feat.jsonl --scores dover=dover.jsonl --scores qalign.json \
        --out jj$j.jsonl -j $j || fail "-j $j join failed"
    same jj$j.jsonl want.jsonl
done
# an existing output is left as it was when the run fails
echo keep > keep.jsonl
expect_err 2 "sigmix: feat.jsonl: --key-column 'id' is not present in feature table" -- \
    second-opinion --features feat.jsonl --scores d=dover.jsonl --out keep.jsonl --key-column id
[ "$(cat keep.jsonl)" = keep ] || fail "a failed run changed the existing output"
# outputs are checked before any work: a folder as the report is refused,
# and the table is not written either
mkdir -p rep.d
NOT_WRITTEN="o.jsonl" expect_err 2 "sigmix: rep.d: is a folder, not a file" -- \
    second-opinion --features feat.jsonl --scores d=dover.jsonl --out o.jsonl --audit-json rep.d

finish "second-opinion cli"
