#!/usr/bin/env python3
"""Tiny PNG reader for the HTML report's browser test (no PIL needed).

pngcheck.py colours FILE            -> number of distinct colours
pngcheck.py pixel FILE X Y          -> "r g b" at (X, Y)
pngcheck.py crop FILE X Y W H OUT   -> writes the crop as a PNG
"""
import struct
import sys
import zlib


def read_png(path, ylimit=None):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit('not a PNG: ' + path)
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        n, typ = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise SystemExit('unsupported PNG kind')
            bpp = 3 if ctype == 2 else 4
        elif typ == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h if ylimit is None else min(h, ylimit)):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, len(rows), bpp, rows


def write_png(path, w, h, rows):
    def chunk(t, b):
        return struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))
    raw = b''.join(b'\x00' + r for r in rows)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    w, h, bpp, rows = read_png(path)
    if cmd == 'colours':
        seen = set()
        for r in rows:
            for x in range(0, w * bpp, bpp):
                seen.add(r[x:x + 3])
        print(len(seen))
    elif cmd == 'pixel':
        x, y = int(sys.argv[3]), int(sys.argv[4])
        print(*rows[y][x * bpp:x * bpp + 3])
    elif cmd == 'crop':
        x, y, cw, ch = (int(v) for v in sys.argv[3:7])
        out = [b''.join(rows[yy][xx * bpp:xx * bpp + 3] for xx in range(x, x + cw))
               for yy in range(y, y + ch)]
        write_png(sys.argv[7], cw, ch, out)
    else:
        raise SystemExit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
