"""Headless Chromium (Debian's `chromium`, installed by deps/apt.txt) for the
report tests: the rendered DOM of a page and a screenshot, with no network,
no sandbox (tests run as root in CI) and a fresh profile each time. Also a
stdlib PNG reader, to tell a screenshot with charts from a blank one."""
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def binary():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium is not installed: run `bash deps/install.sh` (deps/apt.txt)")


def _run(extra, url, timeout=120):
    profile = tempfile.mkdtemp(prefix="csv2ddb_chromium_")
    try:
        p = subprocess.run([binary(), *FLAGS, "--user-data-dir=" + profile, *extra, url],
                           capture_output=True, timeout=timeout)
        return p
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(path):
    """The DOM of file `path` after Chromium rendered it (serialized HTML)."""
    p = _run(["--dump-dom"], "file://" + os.path.abspath(path))
    if p.returncode != 0:
        raise RuntimeError("chromium --dump-dom failed: " + p.stderr.decode(errors="replace"))
    return p.stdout.decode()


def screenshot(path, png, width=1400, height=2600):
    """Renders file `path` into `png` (a width x height PNG)."""
    if os.path.exists(png):
        os.remove(png)
    p = _run(["--screenshot=" + os.path.abspath(png), "--window-size=%d,%d" % (width, height)],
             "file://" + os.path.abspath(path))
    if p.returncode != 0 or not os.path.exists(png):
        raise RuntimeError("chromium --screenshot failed: " + p.stderr.decode(errors="replace"))
    return png


def read_png(png):
    """(width, height, rows): rows of (r, g, b) tuples, for 8-bit RGB or RGBA PNGs."""
    with open(png, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            if depth != 8 or color not in (2, 6):
                raise ValueError("unsupported PNG: depth %d color %d" % (depth, color))
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return width, height, rows
