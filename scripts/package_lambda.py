#!/usr/bin/env python3
"""Packages csv2ddb as an AWS Lambda custom runtime (provided.al2023) zip.

Lambda's Amazon Linux 2023 has glibc 2.34; this machine builds against 2.36. So
the zip carries the binary's shared libraries and the dynamic loader, and
`bootstrap` starts the binary through that loader (the approach of
aws-lambda-cpp's packager):

    bootstrap                    sh script: exec lib/ld-linux... --library-path lib bin/csv2ddb lambda
    bin/csv2ddb
    lib/*.so*                    everything ldd resolves, and the loader itself
    mapping.toml                 the mapping (CSV2DDB_MAPPING points here by default)

Usage: package_lambda.py BINARY MAPPING OUT.zip
"""
import os
import subprocess
import sys
import zipfile

BOOTSTRAP = """#!/bin/sh
# Lambda custom runtime entry point: run csv2ddb with the libraries shipped beside it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
export CSV2DDB_MAPPING="${CSV2DDB_MAPPING:-$here/mapping.toml}"
exec "$here/lib/%s" --library-path "$here/lib" "$here/bin/csv2ddb" lambda
"""


def shared_libraries(binary):
    """(name, path) of every library ldd resolves, and the dynamic loader."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libs, loader = [], None
    for line in out.splitlines():
        parts = line.split()
        if "=>" in parts:
            path = parts[parts.index("=>") + 1]
            if path.startswith("/"):
                libs.append((os.path.basename(path), path))
        elif parts and parts[0].startswith("/") and "ld-linux" in parts[0]:
            loader = (os.path.basename(parts[0]), parts[0])
    if loader is None:
        sys.exit("package_lambda: no dynamic loader found in ldd output")
    return libs, loader


def add(z, arcname, path=None, data=None, mode=0o644):
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    z.writestr(info, data)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, mapping, out = sys.argv[1:]
    libs, (loader_name, loader_path) = shared_libraries(binary)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        add(z, "bootstrap", data=(BOOTSTRAP % loader_name).encode(), mode=0o755)
        add(z, "bin/csv2ddb", binary, mode=0o755)
        for name, path in libs:
            add(z, "lib/" + name, os.path.realpath(path), mode=0o755)
        add(z, "lib/" + loader_name, os.path.realpath(loader_path), mode=0o755)
        add(z, "mapping.toml", mapping)
    os.replace(tmp, out)
    print("package_lambda: %s (%d libraries + %s)" % (out, len(libs), loader_name))


if __name__ == "__main__":
    main()
