#!/bin/bash
# The HTML report in a real browser: headless Chromium renders the page;
# no console errors, no network request (the page names no URL and its
# Content-Security-Policy forbids loading anything), the screenshot is not
# blank and the heatmap cells are where the page's PNG says they are.
# Skips (77) with a message when Chromium is missing or cannot start.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
chrome=${SIGMIX_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chrome" ]; then
    echo "SKIP: chromium is not installed ('make test' installs it: apt-get install chromium)"
    exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

browse() { # browse OUT_LOG ARGS...: one headless run with its own profile
    local log=$1
    shift
    timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --force-device-scale-factor=1 --hide-scrollbars --enable-logging=stderr --v=0 \
        --user-data-dir="$(mktemp -d -p "$tmp")" "$@" 2>"$log"
}

python3 - "$tmp/t.csv" <<'PY'
import csv, random, sys
random.seed(11)
names = ['psnr_y', 'ssim', 'ms_ssim', 'psnr_hvs', 'niqe', 'brisque', 'bitrate_kbps',
         '<b>bold</b>', 'x"y&z', 'feat_a', 'feat_b', 'mos']
with open(sys.argv[1], 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(names)
    for i in range(400):
        q, z, g = random.gauss(0, 1), random.gauss(0, 1), random.gauss
        w.writerow([q + .1 * g(0, 1), .9 * q + .2 * g(0, 1), q + .12 * g(0, 1), q + .3 * g(0, 1),
                    z, z + .2 * g(0, 1), 100 + 10 * z, q + z, -q + g(0, 1), g(0, 1),
                    .5 * z + g(0, 1), 3 + q + .6 * z + .3 * g(0, 1)])
PY
"$bin" audit -i demo="$tmp/t.csv" -t mos --out-html "$tmp/r.html" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: audit: $(cat "$tmp/err")"; exit 1; }

# Probe copy: a script that stores layout rectangles on <html> for --dump-dom.
sed 's|</body>|<script>var r=document.querySelector("svg.heat image").getBoundingClientRect();document.documentElement.setAttribute("data-heat",[r.left+scrollX,r.top+scrollY,r.width,r.height].join(" "));</script></body>|' \
    "$tmp/r.html" >"$tmp/probe.html"
if ! browse "$tmp/log0" --window-size=1400,3000 --dump-dom "file://$tmp/probe.html" >"$tmp/probe_dom.html" ||
    ! grep -q 'data-heat=' "$tmp/probe_dom.html"; then
    if ! grep -q '<html' "$tmp/probe_dom.html"; then
        echo "SKIP: chromium cannot run here: $(grep -v dbus "$tmp/log0" | tail -2)"
        exit 77
    fi
    fail "probe did not run: $(tail -3 "$tmp/log0")"
fi

browse "$tmp/log1" --dump-dom "file://$tmp/r.html" >"$tmp/dom.html" || fail "dump-dom failed"
grep -q 'class="heat"' "$tmp/dom.html" || fail "rendered DOM has no heatmap"
[ "$(grep -o 'class="cov"' "$tmp/dom.html" | wc -l)" -gt 0 ] || fail "rendered DOM has no coverage"
grep -q '&lt;b&gt;bold&lt;/b&gt;' "$tmp/dom.html" || fail "escaped name not in the rendered DOM"
grep -q '<b>bold</b>' "$tmp/dom.html" && fail "a column name became markup"

browse "$tmp/log2" --window-size=1400,3000 --screenshot="$tmp/shot.png" "file://$tmp/r.html" \
    >/dev/null || fail "screenshot failed"
[ -s "$tmp/shot.png" ] || fail "no screenshot"

# No console errors, no refused or attempted loads.
for log in "$tmp/log1" "$tmp/log2"; do
    if grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' "$log" | grep -v 'dbus' >"$tmp/bad"; then
        fail "browser console: $(head -3 "$tmp/bad")"
    fi
done
grep -Eo 'https?://[^" )]+' "$tmp/r.html" >"$tmp/urls" && fail "page names URLs: $(head -3 "$tmp/urls")"

python3 "$src/tests/cli/browser_check.py" "$tmp/r.html" "$tmp/probe_dom.html" "$tmp/shot.png" ||
    fail "browser_check"
[ -n "${SIGMIX_KEEP_SHOT:-}" ] && cp "$tmp/shot.png" "$SIGMIX_KEEP_SHOT"
[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "audit_html_browser: ok"
