#!/usr/bin/env python3
"""Structure checks of `sigmix audit --out-html` against the JSON report and
the --out-matrix table of the same run.

html_check.py REPORT.html REPORT.json MATRIX.csv DATA.csv
Exit 0 when every check holds, else prints the failures and exits 1.
DATA.csv is the audited table (one input), used to recompute every r.
"""
import csv
import html.parser
import json
import math
import sys

fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems = []          # (tag, attrs dict)
        self.text = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.elems.append((tag, dict(attrs)))
        if tag == 'script':
            self.scripts += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def esc_name(s):
    """What sigmix_html_esc shows for a name (after entity decoding)."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif o < 0x20 or o == 0x7f:
            out.append('\\x%02x' % o)
        elif o in (0x061C, 0x200E, 0x200F) or 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            out.append('[U+%04X]' % o)
        else:
            out.append(ch)
    return ''.join(out)


def same(s, v):
    """An attribute number equals the JSON value exactly."""
    if v is None:
        return s == 'null'
    return s != 'null' and float(s) == v


def pearson(x, y):
    pts = [(a, b) for a, b in zip(x, y) if a is not None and b is not None]
    if len(pts) < 3:
        return None, len(pts)
    mx = sum(a for a, _ in pts) / len(pts)
    my = sum(b for _, b in pts) / len(pts)
    sxx = sum((a - mx) ** 2 for a, _ in pts)
    syy = sum((b - my) ** 2 for _, b in pts)
    sxy = sum((a - mx) * (b - my) for a, b in pts)
    if math.sqrt(sxx / len(pts)) <= 1e-12 or math.sqrt(syy / len(pts)) <= 1e-12:
        return None, len(pts)
    return sxy / math.sqrt(sxx * syy), len(pts)


def main():
    raw = open(sys.argv[1], encoding='utf-8').read()
    rep = json.load(open(sys.argv[2]))
    tables = rep['tables']
    opts = rep['run_provenance']['args']
    top_k = opts['top_k']
    page = Page()
    page.feed(raw)
    els = page.elems

    # Self-contained and safe.
    check('http://' not in raw and 'https://' not in raw, 'page holds an http(s) URL')
    check(page.scripts == 1, 'expected exactly one script element, got %d' % page.scripts)
    for tag, attrs in els:
        for k, v in attrs.items():
            check(not k.startswith('on'), 'event attribute %s on <%s>' % (k, tag))
            if k in ('href', 'src'):
                check(v.startswith('#') or v.startswith('data:image/png;base64,'),
                      'external reference %s=%r' % (k, v[:60]))
    for bad in ('\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067',
                '\u2068', '\u2069', '\u200e', '\u200f'):
        check(bad not in raw, 'raw direction mark U+%04X in the page' % ord(bad))
    text = ''.join(page.text)
    for t in tables:
        for name in t['columns']:
            if any(c in name for c in '<>&"\n'):
                check(esc_name(name) in text, 'name %r not shown as text' % name)

    def by_class(tag, cls):
        return [a for g, a in els if g == tag and cls in a.get('class', '').split()]

    # Coverage: one cell per family and table, counts as in the JSON.
    cov = by_class('g', 'cov')
    nfam = len(tables[0]['family_health'])
    check(len(cov) == nfam * len(tables), 'coverage cells %d != %d' % (len(cov), nfam * len(tables)))
    for a in cov:
        fh = tables[int(a['data-table'])]['family_health'][a['data-family']]
        check(a['data-status'] == fh['status'], 'coverage status of ' + a['data-family'])
        check(int(a['data-healthy']) == len(fh['healthy_columns']), 'healthy count')
        check(int(a['data-matched']) == len(fh['matched_columns']), 'matched count')

    # Target bars: top-k, same numbers as the JSON.
    bars = by_class('g', 'tbar')
    want = sum(min(top_k, len(t['target_correlations'])) for t in tables)
    check(len(bars) == want, 'target bars %d != %d' % (len(bars), want))
    tc = [c for t in tables for c in t['target_correlations'][:top_k]]
    for a, c in zip(bars, tc):
        check(a['data-column'] == esc_name(c['column']), 'bar order: %r' % a['data-column'])
        check(same(a['data-pearson'], c['pearson']), 'bar pearson of %r' % c['column'])
        check(same(a['data-spearman'], c['spearman']), 'bar spearman of %r' % c['column'])

    # Heatmaps and their cells.
    heats = by_class('svg', 'heat')
    check(len(heats) == sum(1 for t in tables if len(t['signal_columns']) >= 2),
          'heatmaps %d' % len(heats))
    images = [a for g, a in els if g == 'image']
    check(len(images) == len(heats), 'one PNG per heatmap')
    cells = by_class('rect', 'cell')
    t0 = tables[0]
    p = len(t0['signal_columns'])
    if heats:
        check(int(heats[0]['data-p']) == p, 'heatmap size')
        order = [int(v) for v in heats[0]['data-order'].split()]
        check(sorted(order) == list(range(p)), 'heatmap order is a permutation')
    if p <= 40 and len(tables) == 1:
        check(len(cells) == p * p, 'cells %d != %d' % (len(cells), p * p))
    pairs = {}
    for key in ('redundant_pairs', 'intersections'):
        for q in t0[key]:
            pairs[(q['left'], q['right'])] = q['pearson']
            pairs[(q['right'], q['left'])] = q['pearson']
    cellv = {}
    for a in cells:
        i, j = int(a['data-i']), int(a['data-j'])
        cellv[(i, j)] = a['data-r']
        k = (t0['signal_columns'][i], t0['signal_columns'][j])
        if k in pairs:
            check(same(a['data-r'], pairs[k]), 'heat cell %r' % (k,))

    # Matrix table: every pair once, report pairs exact, the rest close to a recomputation.
    data = list(csv.reader(open(sys.argv[4], newline='')))
    head, body = data[0], data[1:]
    col = {n: [None if v == '' else float(v) for v in (r[head.index(n)] for r in body)]
           for n in t0['signal_columns'] if n in head}
    mat = list(csv.DictReader(open(sys.argv[3], newline='')))
    check(len(mat) == p * (p - 1) // 2, 'matrix rows %d != %d' % (len(mat), p * (p - 1) // 2))
    seen = 0
    for row in mat:
        k = (row['left'], row['right'])
        r = None if row['pearson'] == '' else float(row['pearson'])
        if k in pairs:
            seen += 1
            check(r == pairs[k], 'matrix value of %r is not the report\'s' % (k,))
        if k[0] in col and k[1] in col:
            ref, n = pearson(col[k[0]], col[k[1]])
            check(int(row['n']) == n, 'matrix n of %r: %s != %d' % (k, row['n'], n))
            check((ref is None) == (r is None) and (r is None or abs(r - ref) < 1e-9),
                  'matrix r of %r: %r vs %r' % (k, r, ref))
            i, j = t0['signal_columns'].index(k[0]), t0['signal_columns'].index(k[1])
            if (i, j) in cellv:
                check(cellv[(i, j)] == 'null' if r is None else float(cellv[(i, j)]) == r,
                      'heat cell and matrix differ for %r' % (k,))
    check(seen == len(t0['redundant_pairs']) + len(t0['intersections']),
          'report pairs found in the matrix: %d' % seen)

    # Redundancy groups = connected components of the redundant pairs.
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x
    for q in t0['redundant_pairs']:
        parent[find(q['left'])] = find(q['right'])
    comps = {}
    for x in list(parent):
        comps.setdefault(find(x), []).append(x)
    sizes = sorted((len(v) for v in comps.values()), reverse=True)
    groups = by_class('div', 'group')
    check([int(g['data-size']) for g in groups] == sizes,
          'groups %r != %r' % ([g['data-size'] for g in groups], sizes))
    keeps = [a for g, a in els if g == 'tr' and a.get('class') == 'keep']
    check(len(keeps) == len(sizes), 'one proposed member per group')

    # Complementary scatters.
    figs = by_class('figure', 'pair')
    check(len(figs) == min(top_k, len(t0['intersections'])), 'scatters %d' % len(figs))
    for a, q in zip(figs, t0['intersections']):
        check(same(a['data-pearson'], q['pearson']), 'scatter r')
        check(0 < int(a['data-points']) <= 2000, 'scatter points %s' % a['data-points'])

    # Column health: every signal column, same finite ratio.
    health = [a for g, a in els if g == 'table' and 'health' in a.get('class', '')]
    check(len(health) == len(tables), 'health tables')
    tds = [a for g, a in els if g == 'td' and 'data-v' in a]
    check(len(tds) == 6 * sum(len(t['signal_columns']) for t in tables), 'health cells')
    ratios = sorted(a['data-v'] for a in tds[0::6][:p])
    want = sorted(repr(v) if v is not None else 'null'
                  for v in (s['finite_ratio'] for s in t0['column_stats'].values()))
    check([float(x) for x in ratios] == [float(x) for x in want], 'health finite ratios')

    if fails:
        print('\n'.join('html_check: ' + f for f in fails[:40]))
        sys.exit(1)
    print('html_check: ok (%d elements, %d bars, %d cells, %d groups, %d scatters)'
          % (len(els), len(bars), len(cells), len(groups), len(figs)))


if __name__ == '__main__':
    main()
