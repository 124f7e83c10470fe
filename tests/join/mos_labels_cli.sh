#!/bin/bash
# sigmix mos-labels: the join on small tables with hand-checked values,
# the MOS scale rule, copied label columns, regex keys, the match-rate
# gate (before anything is written), refusals and every error path.
set -u
. "$(dirname "$0")/lib.sh"

cat > feat.jsonl <<'X'
{"distorted_path":"/enc/a/clip_001.mp4","vmaf":91.25}
{"distorted_path":"/enc/b/clip_002.mp4","vmaf":80.0}
{"distorted_path":"/enc/c/clip_003.mp4","vmaf":70.5}
{"distorted_path":null,"vmaf":60.0}
{"distorted_path":"/enc/a/clip_001.mp4","vmaf":89.0}
X
# 4.5 is on the 1-5 scale: raw (4.5-1)*25 = 87.5. 62.5 > 5 is on the
# 0-100 scale: mos 1 + 4*0.625 = 3.5. 1 -> raw 0. stddev/n_ratings are
# copied as mos_std_dev/mos_n_ratings; an identical repeated label is
# fine; keys from path columns compare by basename (auto).
cat > labels.csv <<'X'
clip_name,mos,stddev,n_ratings,split
/src/clip_001.mp4,4.5,0.25,30,train
/src/clip_002.mp4,62.5,,25,test
/src/clip_001.mp4,4.5,0.25,30,train
X
printf '{"clip_name":"clip_003.mp4","mos":1,"corpus":"k150k"}\n' > more.jsonl
"$bin" mos-labels --features feat.jsonl --labels labels.csv --labels more.jsonl --out out.jsonl \
    --audit-json audit.json --min-match-rate 1 || fail "basic join failed"
cat > want.jsonl <<'X'
{"distorted_path":"/enc/a/clip_001.mp4","vmaf":91.25,"mos":4.5,"mos_raw_0_100":87.5,"mos_label_status":"ok","mos_label_source":"labels.csv","corpus":null,"mos_n_ratings":30,"mos_std_dev":0.25,"split":"train"}
{"distorted_path":"/enc/b/clip_002.mp4","vmaf":80.0,"mos":3.5,"mos_raw_0_100":62.5,"mos_label_status":"ok","mos_label_source":"labels.csv","corpus":null,"mos_n_ratings":25,"mos_std_dev":null,"split":"test"}
{"distorted_path":"/enc/c/clip_003.mp4","vmaf":70.5,"mos":1.0,"mos_raw_0_100":0.0,"mos_label_status":"ok","mos_label_source":"more.jsonl","corpus":"k150k","mos_n_ratings":null,"mos_std_dev":null,"split":null}
{"distorted_path":null,"vmaf":60.0,"mos":null,"mos_raw_0_100":null,"mos_label_status":"missing-label","mos_label_source":"","corpus":null,"mos_n_ratings":null,"mos_std_dev":null,"split":null}
{"distorted_path":"/enc/a/clip_001.mp4","vmaf":89.0,"mos":4.5,"mos_raw_0_100":87.5,"mos_label_status":"ok","mos_label_source":"labels.csv","corpus":null,"mos_n_ratings":30,"mos_std_dev":0.25,"split":"train"}
X
same out.jsonl want.jsonl
sha() { sha256sum "$1" | cut -c1-64; }
cat > want_audit.json <<X
{
  "feature_key_column": "distorted_path",
  "feature_key_regex": "",
  "feature_table": "feat.jsonl",
  "input_rows": 5,
  "key_normalize": "auto",
  "label_key_column": "clip_name",
  "label_key_regex": "",
  "label_mos_column": "mos",
  "label_sources": [
    "labels.csv",
    "more.jsonl"
  ],
  "labels_loaded": 3,
  "match_rate": 1.0,
  "matched_feature_keys": 3,
  "matched_rows": 4,
  "min_match_rate": 1.0,
  "missing_rows": 1,
  "output": "out.jsonl",
  "output_rows": 5,
  "run_provenance": {
    "args": {
      "audit_json": "audit.json",
      "feature_key_column": null,
      "feature_key_regex": null,
      "features": "feat.jsonl",
      "key_normalize": "auto",
      "label_key_column": null,
      "label_key_regex": null,
      "label_mos_column": null,
      "labels": [
        "labels.csv",
        "more.jsonl"
      ],
      "min_match_rate": 1.0,
      "out": "out.jsonl",
      "overwrite": false,
      "status_column": "mos_label_status",
      "threads": null
    },
    "argv": [
      "--features",
      "feat.jsonl",
      "--labels",
      "labels.csv",
      "--labels",
      "more.jsonl",
      "--out",
      "out.jsonl",
      "--audit-json",
      "audit.json",
      "--min-match-rate",
      "1"
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
      "labels": [
        {
          "exists": true,
          "kind": "file",
          "path": "labels.csv",
          "sha256": "$(sha labels.csv)"
        },
        {
          "exists": true,
          "kind": "file",
          "path": "more.jsonl",
          "sha256": "$(sha more.jsonl)"
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
        "labels": [
          {
            "path": "labels.csv",
            "rows": 3,
            "size": $(stat -c %s labels.csv)
          },
          {
            "path": "more.jsonl",
            "rows": 1,
            "size": $(stat -c %s more.jsonl)
          }
        ]
      },
      "started_utc": "X",
      "version": "$("$bin" --version | cut -d' ' -f2)"
    }
  },
  "total_feature_keys": 3
}
X
mask audit.json > audit.masked
same audit.masked want_audit.json

# Text keys: "001" is not 1 (pandas would have read both as 1). A
# label file's integer 1 renders as "1". Regex keys: group 1 wins; \d
# works. A mos_raw_0_100 column is on the 0-100 scale even below 5.
printf '{"key":"001","v":1}\n{"key":"1","v":2}\n{"key":"x-7-y","v":3}\n' > tk.jsonl
printf '{"key":1,"mos_raw_0_100":4}\n{"key":"id7","mos_raw_0_100":100}\n' > tl.jsonl
"$bin" mos-labels --features tk.jsonl --labels tl.jsonl --out tk_out.jsonl --min-match-rate 0 ||
    fail "text-key join failed"
cat > want_tk.jsonl <<'X'
{"key":"001","v":1,"mos":null,"mos_raw_0_100":null,"mos_label_status":"missing-label","mos_label_source":""}
{"key":"1","v":2,"mos":1.16,"mos_raw_0_100":4.0,"mos_label_status":"ok","mos_label_source":"tl.jsonl"}
{"key":"x-7-y","v":3,"mos":null,"mos_raw_0_100":null,"mos_label_status":"missing-label","mos_label_source":""}
X
same tk_out.jsonl want_tk.jsonl
"$bin" mos-labels --features tk.jsonl --labels tl.jsonl --out re_out.jsonl --min-match-rate 0 \
    --feature-key-regex '-(\d+)-' --label-key-regex 'id(\d)' --status-column st ||
    fail "regex join failed"
cat > want_re.jsonl <<'X'
{"key":"001","v":1,"mos":null,"mos_raw_0_100":null,"st":"missing-label","mos_label_source":""}
{"key":"1","v":2,"mos":null,"mos_raw_0_100":null,"st":"missing-label","mos_label_source":""}
{"key":"x-7-y","v":3,"mos":5.0,"mos_raw_0_100":100.0,"st":"ok","mos_label_source":"tl.jsonl"}
X
same re_out.jsonl want_re.jsonl

# The match-rate gate: 1 of 3 keys matched; nothing is written.
NOT_WRITTEN="g.jsonl g.json" expect_err 2 \
    "sigmix: tk.jsonl: MOS label match rate 0.333 below --min-match-rate 0.950 (1/3 keys)" -- \
    mos-labels --features tk.jsonl --labels tl.jsonl --out g.jsonl --audit-json g.json
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: tk.jsonl: --min-match-rate must be in [0, 1]" -- \
    mos-labels --features tk.jsonl --labels tl.jsonl --out g.jsonl --min-match-rate 1.5

# Refusals and --overwrite (the old values replaced in place).
NOT_WRITTEN="g.jsonl" expect_err 2 \
    "sigmix: out.jsonl: refusing to overwrite existing MOS columns: mos, mos_raw_0_100, mos_label_status, mos_label_source, mos_n_ratings, mos_std_dev, split (pass --overwrite)" -- \
    mos-labels --features out.jsonl --labels labels.csv --out g.jsonl --min-match-rate 0
"$bin" mos-labels --features out.jsonl --labels more.jsonl --out ow.jsonl --min-match-rate 0 \
    --overwrite || fail "--overwrite failed"
sed -n 3p ow.jsonl | grep -qF '"mos":1.0,"mos_raw_0_100":0.0,"mos_label_status":"ok","mos_label_source":"more.jsonl","corpus":"k150k"' ||
    { fail "--overwrite row 3"; sed -n 3p ow.jsonl; }
sed -n 1p ow.jsonl | grep -qF '"mos":null,"mos_raw_0_100":null,"mos_label_status":"missing-label","mos_label_source":"","corpus":null,"mos_n_ratings":30' ||
    { fail "--overwrite row 1"; sed -n 1p ow.jsonl; }

# Label errors name the label file and row.
printf 'key,mos\na,4\na,3\n' > conflict.csv
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: conflict.csv: conflicting MOS labels for key 'a' (row 2)" -- \
    mos-labels --features tk.jsonl --labels conflict.csv --out g.jsonl
printf 'key,mos\na,0.5\n' > low.csv
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: low.csv: mos must be in [1, 5] (row 1)" -- \
    mos-labels --features tk.jsonl --labels low.csv --out g.jsonl
printf 'key,mos\na,101\n' > high.csv
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: high.csv: mos must be in [0, 100] (row 1)" -- \
    mos-labels --features tk.jsonl --labels high.csv --out g.jsonl
printf '{"key":"a","mos":null}\n' > null.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: null.jsonl: mos must be numeric (row 1)" -- \
    mos-labels --features tk.jsonl --labels null.jsonl --out g.jsonl
printf '{"key":"a","rating":3}\n' > nomos.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: nomos.jsonl: could not infer --label-mos-column; tried: mos, MOS, mean_mos, mos_raw_0_100, raw_mos, score, quality" -- \
    mos-labels --features tk.jsonl --labels nomos.jsonl --out g.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: nomos.jsonl: --label-mos-column 'mosx' is not present" -- \
    mos-labels --features tk.jsonl --labels nomos.jsonl --out g.jsonl --label-mos-column mosx
printf '{"id":"a","mos":3}\n' > nokey.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: nokey.jsonl: could not infer --label-key-column; tried: key, clip_key, clip_id, video_id, chug_video_id, content_id, clip_name, file_name, filename, basename, name, src, source, src_path, distorted_path, dis_path, path" -- \
    mos-labels --features tk.jsonl --labels nokey.jsonl --out g.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: tk.jsonl: --feature-key-column 'id' is not present" -- \
    mos-labels --features tk.jsonl --labels tl.jsonl --out g.jsonl --feature-key-column id
printf '{"key":"","mos":3}\n' > blank.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: blank.jsonl: no MOS labels loaded" -- \
    mos-labels --features tk.jsonl --labels blank.jsonl --out g.jsonl
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: --feature-key-regex: invalid regular expression (Unmatched ( or \\()" -- \
    mos-labels --features tk.jsonl --labels tl.jsonl --out g.jsonl --feature-key-regex '(a'
NOT_WRITTEN="g.jsonl" expect_err 2 "sigmix: none.csv: cannot open: No such file or directory" -- \
    mos-labels --features tk.jsonl --labels none.csv --out g.jsonl
expect_err 2 "sigmix: mos-labels: --features, --labels and --out are required (try 'sigmix help mos-labels')" -- \
    mos-labels --labels tl.jsonl --out g.jsonl
expect_err 2 "sigmix: mos-labels: --min-match-rate needs a number, not 'most' (try 'sigmix help mos-labels')" -- \
    mos-labels --min-match-rate most
expect_err 2 "sigmix: mos-labels: bad --threads value 'x' (try 'sigmix help mos-labels')" -- \
    mos-labels --features tk.jsonl --labels tl.jsonl --out g.jsonl -j x
expect_err 2 "sigmix: mos-labels: unknown option '--bogus' (try 'sigmix help mos-labels')" -- \
    mos-labels --bogus
expect_err 2 "sigmix: mos-labels: option '--report-md' needs a value (try 'sigmix help mos-labels')" -- \
    mos-labels --manifest m.json --report-md
expect_err 2 "sigmix: mos-labels: unexpected argument 'extra' (try 'sigmix help mos-labels')" -- \
    mos-labels --features tk.jsonl extra
"$bin" mos-labels --help > help.txt || fail "--help status"
for opt in --features --labels --out --audit-json --feature-key-column --label-key-column \
           --label-mos-column --key-normalize --feature-key-regex --label-key-regex \
           --min-match-rate --status-column --overwrite --manifest --base-dir --fail-fast \
           --report-json --report-md; do
    grep -qF -- "$opt" help.txt || fail "--help lacks $opt"
done

finish "mos-labels cli"
