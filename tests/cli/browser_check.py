#!/usr/bin/env python3
"""Checks of the HTML report as Chromium renders it (audit_html_browser.sh).

browser_check.py REPORT.html PROBE_DOM.html SCREENSHOT.png
PROBE_DOM is --dump-dom of the report with a probe script that stores the
heatmap image's and the coverage chart's page rectangles on <html>.
Checks: the screenshot is not blank (many colours), and the heatmap cells
are where they should be: the screenshot's pixel at the centre of cell
(i, j) has the colour of that cell in the page's own PNG.
"""
import base64
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngcheck  # noqa: E402

fails = []
page = open(sys.argv[1], encoding='utf-8').read()
dom = open(sys.argv[2], encoding='utf-8').read()
m = re.search(r'data-heat="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', dom)
if not m:
    sys.exit('browser_check: the probe found no heatmap in the rendered page')
hx, hy, hw, hh = (float(v) for v in m.groups())
uri = re.search(r'href="data:image/png;base64,([A-Za-z0-9+/=]+)"', page).group(1)
with tempfile.NamedTemporaryFile(suffix='.png', delete=False) as f:
    f.write(base64.b64decode(uri))
pw, ph, pbpp, prow = pngcheck.read_png(f.name)
os.unlink(f.name)
sw, sh, sbpp, srow = pngcheck.read_png(sys.argv[3], ylimit=int(hy + hh) + 2)
if sh < int(hy + hh):
    sys.exit('browser_check: screenshot too short for the heatmap (%d < %d)' % (sh, hy + hh))

colours = set()
for y in range(0, sh, 3):
    r = srow[y]
    for x in range(0, sw * sbpp, 3 * sbpp):
        colours.add(r[x:x + 3])
if len(colours) < 50:
    fails.append('screenshot looks blank: %d colours' % len(colours))

checked = 0
for i in range(pw):
    for j in range(pw):
        if (i * 7 + j * 3) % 5:
            continue
        want = prow[i][j * pbpp:j * pbpp + 3]
        x = int(hx + (j + 0.5) * hw / pw)
        y = int(hy + (i + 0.5) * hh / ph)
        got = srow[y][x * sbpp:x * sbpp + 3]
        if max(abs(a - b) for a, b in zip(want, got)) > 8:
            fails.append('cell (%d,%d) at (%d,%d): screen %s, PNG %s'
                         % (i, j, x, y, tuple(got), tuple(want)))
        checked += 1
if fails:
    print('\n'.join('browser_check: ' + f for f in fails[:20]))
    sys.exit(1)
print('browser_check: ok (%d colours, %d heatmap cells in place)' % (len(colours), checked))
