"""Draws icons/source.png, the Tandem logo (1024x1024, RGBA), with only the standard library.

A #2563eb rounded square holding two overlapping white rings ("in tandem").
Edges are anti-aliased from signed distances. Regenerate every size with:
    python3 icons/make_source.py && npx tauri icon icons/source.png -o icons
"""
import math
import os
import struct
import zlib

SIZE = 1024
BLUE = (0x25, 0x63, 0xEB)
WHITE = (0xFF, 0xFF, 0xFF)


def rounded_square_sd(x, y, half, radius):
    """Signed distance to a square of half-size `half` centred at 0 with rounded corners."""
    qx = abs(x) - (half - radius)
    qy = abs(y) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - radius


def ring_sd(x, y, cx, cy, radius, width):
    return abs(math.hypot(x - cx, y - cy) - radius) - width / 2


def coverage(sd):
    """Fraction of the pixel inside the shape, from the signed distance (one-pixel ramp)."""
    return min(max(0.5 - sd, 0.0), 1.0)


def pixel(px, py):
    x = px + 0.5 - SIZE / 2
    y = py + 0.5 - SIZE / 2
    square = coverage(rounded_square_sd(x, y, 448, 200))
    if square == 0.0:
        return (0, 0, 0, 0)
    rings = max(
        coverage(ring_sd(x, y, -118, 0, 196, 64)),
        coverage(ring_sd(x, y, 118, 0, 196, 64)),
    )
    r, g, b = (round(BLUE[i] * (1 - rings) + WHITE[i] * rings) for i in range(3))
    return (r, g, b, round(255 * square))


def write_png(path, width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def main():
    rows = []
    for py in range(SIZE):
        row = []
        for px in range(SIZE):
            row.extend(pixel(px, py))
        rows.append(row)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "source.png")
    write_png(out, SIZE, SIZE, rows)
    print(out)


if __name__ == "__main__":
    main()
