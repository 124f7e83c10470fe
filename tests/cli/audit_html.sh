#!/bin/bash
# `sigmix audit --out-html / --out-matrix`: page structure against the JSON
# report (html_check.py), hostile column names, matrix formats, error paths
# (exit 2, one line, nothing written), a wide table's size bound.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the HTML checks"; exit 77; }

# A small table with hostile names: markup, quotes, &, a newline, an RTL
# override, a flat column and a sparse one; two redundancy groups.
python3 - "$tmp/t.csv" <<'PY'
import csv, random, sys
random.seed(7)
names = ['vmaf', 'psnr_y', 'ssim', 'ms_ssim', 'psnr_hvs', 'niqe', 'brisque', 'si', 'ti',
         'bitrate_kbps', '<script>alert(1)</script>', 'a"b&c\'d', 'new\nline', '\u202eevil',
         'flat_col', 'sparse_feat', 'mos']
with open(sys.argv[1], 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(names)
    for i in range(300):
        q, z, g = random.gauss(0, 1), random.gauss(0, 1), random.gauss
        w.writerow([q + .1 * g(0, 1), q + .15 * g(0, 1), .9 * q + .2 * g(0, 1),
                    q + .12 * g(0, 1), q + .3 * g(0, 1), z, z + .2 * g(0, 1), g(0, 1),
                    g(0, 1), 100 + 10 * z, q + z, g(0, 1), -q, .5 * z + g(0, 1), 1.0,
                    q if i % 3 == 0 else '', 3 + q + .6 * z + .3 * g(0, 1)])
PY
cd "$tmp" || exit 1

"$bin" audit -i demo=t.csv -t mos --out-html r.html --out-json r.json --out-matrix m.csv \
    >out 2>err || fail "audit with --out-html failed: $(cat err)"
[ -s err ] && fail "unexpected stderr: $(cat err)"
grep -q 'wrote=r.json r.html m.csv$' out || fail "summary line: $(cat out)"
python3 "$src/tests/cli/html_check.py" r.html r.json m.csv t.csv || fail "html_check"

# The checker must be able to fail: an unescaped name, a changed number.
sed 's/&lt;script&gt;alert/<script>alert/' r.html >bad1.html
python3 "$src/tests/cli/html_check.py" bad1.html r.json m.csv t.csv >/dev/null &&
    fail "html_check accepted an unescaped <script>"
sed '0,/data-pearson="0\./s//data-pearson="0.1/' r.html >bad2.html
python3 "$src/tests/cli/html_check.py" bad2.html r.json m.csv t.csv >/dev/null &&
    fail "html_check accepted a changed number"

# Escaping in the raw bytes: no live markup from names, no raw RTL override.
grep -q '<script>alert' r.html && fail "unescaped <script> in the page"
grep -q $'\u202e' r.html && fail "raw U+202E in the page"
grep -q '\[U+202E\]evil' r.html || fail "U+202E not shown as [U+202E]"
grep -q 'a&quot;b&amp;c&#39;d' r.html || fail "quotes and & not escaped"
grep -q 'new\\nline' r.html || fail "newline not shown as \\n"

# The matrix in every format sigmix writes; the same rows each time.
for ext in jsonl json parquet; do
    "$bin" audit -i demo=t.csv -t mos --out-matrix "m.$ext" >out 2>err ||
        fail "--out-matrix m.$ext: $(cat err)"
    "$bin" cat "m.$ext" -o "back_$ext.csv" 2>err || fail "cat m.$ext: $(cat err)"
    cmp -s m.csv "back_$ext.csv" || fail "m.$ext differs from m.csv"
done
[ "$(head -1 m.csv)" = "table,left,right,pearson,n" ] || fail "matrix header: $(head -1 m.csv)"
[ -e r.md ] && fail "a Markdown report appeared though only --out-matrix was asked"

# Errors: exit 2, one line naming the output, nothing written.
mkdir adir
rm -f r2.json
"$bin" audit -i demo=t.csv --out-json r2.json --out-html adir >out 2>err
[ $? = 2 ] || fail "--out-html to a folder: not exit 2"
[ "$(wc -l <err)" = 1 ] && grep -q '^sigmix: adir: ' err || fail "folder error line: $(cat err)"
[ -e r2.json ] && fail "JSON report written although the HTML report failed"
"$bin" audit -i demo=t.csv --out-json same.out --out-html same.out >out 2>err
[ $? = 2 ] || fail "same path twice: not exit 2"
[ "$(cat err)" = "sigmix: same.out: two outputs name the same path" ] || fail "same path: $(cat err)"
[ -e same.out ] && fail "same path: something was written"
"$bin" audit -i demo=t.csv --out-html r3.html --out-matrix m.unknownext >out 2>err
[ $? = 2 ] || fail "matrix with an unknown extension: not exit 2"
grep -q '^sigmix: m.unknownext: ' err || fail "matrix format error: $(cat err)"
[ -e r3.html ] && fail "HTML report written although the matrix failed"
"$bin" audit -i demo=t.csv --out-html >out 2>err
[ $? = 2 ] || fail "--out-html without a value: not exit 2"

# No target: the page still renders, with the hint instead of bars.
"$bin" audit -i demo=t.csv -t nosuch --out-html nt.html >out 2>err || fail "no target: $(cat err)"
grep -q 'No target column in this table' nt.html || fail "no-target hint missing"

# Values beyond float range and a column that is all null still render.
printf 'a,b,c,mos\n1e300,1,,1\n2,-1e300,,2\n3,3,,3\n4,1,,5\n' >huge.csv
"$bin" audit -i huge=huge.csv -t mos --out-html huge.html --out-matrix huge.csv.out.csv >out 2>err ||
    fail "huge values: $(cat err)"
grep -q 'class="heat"' huge.html || fail "huge values: no heatmap"

# Wide: 500 signal columns render (thinned labels, block summary) under 3 MB.
python3 - wide.csv <<'PY'
import random, sys
random.seed(3)
cols = ['mos'] + ['psnr_%d' % i for i in range(100)] + ['ssim_%d' % i for i in range(100)] + \
       ['niqe_%d' % i for i in range(100)] + ['feat_%d' % i for i in range(200)]
with open(sys.argv[1], 'w') as f:
    f.write(','.join(cols) + '\n')
    for r in range(120):
        base = [random.gauss(0, 1) for _ in range(5)]
        vals = [3 + base[0]] + [base[(i // 100) % 5] + random.gauss(0, .5 + (i % 7) / 5)
                                for i in range(500)]
        f.write(','.join('%.5g' % v for v in vals) + '\n')
PY
"$bin" audit -i wide=wide.csv -t mos --out-html wide.html --out-json wide.json >out 2>err ||
    fail "wide audit: $(cat err)"
size=$(stat -c %s wide.html)
[ "$size" -lt 3000000 ] || fail "wide page is $size bytes (>= 3 MB)"
grep -q 'class="blocks"' wide.html || fail "wide page lacks the family block summary"
grep -q 'data-p="500"' wide.html || fail "wide heatmap is not 500 x 500"
labels=$(grep -o 'rotate(-90)' wide.html | wc -l)
[ "$labels" -lt 500 ] && [ "$labels" -gt 20 ] || fail "wide labels not thinned: $labels"
echo "wide page: $size bytes, $labels column labels"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "audit_html: ok"
