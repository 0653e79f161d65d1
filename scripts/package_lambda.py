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
    ca-bundle.crt                the build machine's trusted CAs: the worker's last
                                 resort when the runtime has none where it looks
                                 (src/aws/http/ca_bundle.h)
    zoneinfo/                    the build machine's tz database (TZif files, without
                                 the posix/ and right/ copies, ~2 MB before zip):
                                 named time zones of TTL attributes (time_zone =
                                 "America/New_York") do not depend on the runtime
                                 having tzdata; bootstrap sets TZDIR to it

The binary must be built for the function's architecture (--arch, default
x86_64, as deploy/ configures the function): its ELF header is checked.

Usage: package_lambda.py [--arch x86_64|arm64] [--ca-bundle PEM] [--zoneinfo DIR]
                         BINARY MAPPING OUT.zip
"""
import argparse
import os
import struct
import subprocess
import sys
import zipfile

BOOTSTRAP = """#!/bin/sh
# Lambda custom runtime entry point: run csv2ddb with the libraries shipped beside it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
export CSV2DDB_MAPPING="${CSV2DDB_MAPPING:-$here/mapping.toml}"
export TZDIR="${TZDIR:-$here/zoneinfo}"
exec "$here/lib/%s" --library-path "$here/lib" "$here/bin/csv2ddb" lambda
"""

# ELF e_machine of each Lambda architecture.
ARCHITECTURES = {"x86_64": 62, "arm64": 183}
MACHINE_NAMES = {62: "x86_64", 183: "arm64 (aarch64)", 3: "x86 (i386)", 40: "arm (32-bit)"}

# Where the distributions keep their CA bundle (the same list as
# src/aws/http/ca_bundle.h): the first that exists is shipped.
SYSTEM_CA_BUNDLES = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/cacert.pem",
]


def elf_machine(binary):
    """The ELF e_machine of `binary`; exits with a message when it is not ELF."""
    with open(binary, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        sys.exit("package_lambda: %s is not an ELF executable" % binary)
    endian = "<" if head[5] == 1 else ">"
    return struct.unpack(endian + "H", head[18:20])[0]


def check_architecture(binary, arch):
    machine = elf_machine(binary)
    if machine != ARCHITECTURES[arch]:
        sys.exit("package_lambda: %s is built for %s, but the function's architecture is %s: "
                 "build csv2ddb for %s (or deploy with -c architecture=...)"
                 % (binary, MACHINE_NAMES.get(machine, "e_machine %d" % machine), arch, arch))


def find_ca_bundle():
    for path in SYSTEM_CA_BUNDLES:
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            return path
    sys.exit("package_lambda: no CA bundle found on this machine (looked at %s); "
             "pass --ca-bundle PEM" % ", ".join(SYSTEM_CA_BUNDLES))


SYSTEM_ZONEINFO = "/usr/share/zoneinfo"


def zoneinfo_files(root):
    """(relative path, real path) of every TZif file under `root`, without the
    posix/ and right/ trees (copies, and leap-second variants)."""
    if not os.path.isdir(root):
        sys.exit("package_lambda: no tz database at %s (install tzdata, or pass --zoneinfo DIR)"
                 % root)
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        if dirpath == root:
            dirnames[:] = [d for d in dirnames if d not in ("posix", "right")]
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            real = os.path.realpath(path)
            with open(real, "rb") as f:
                if f.read(4) != b"TZif":
                    continue
            out.append((os.path.relpath(path, root), real))
    if not any(rel == "UTC" or rel.startswith("America/") for rel, _ in out):
        sys.exit("package_lambda: %s holds no usable time zones" % root)
    return out


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="x86_64",
                        help="the Lambda function's architecture (default x86_64)")
    parser.add_argument("--ca-bundle", help="PEM bundle to ship (default: this machine's)")
    parser.add_argument("--zoneinfo", default=SYSTEM_ZONEINFO,
                        help="tz database to ship (default %s)" % SYSTEM_ZONEINFO)
    parser.add_argument("binary")
    parser.add_argument("mapping")
    parser.add_argument("out")
    args = parser.parse_args()
    check_architecture(args.binary, args.arch)
    ca_bundle = args.ca_bundle or find_ca_bundle()
    libs, (loader_name, loader_path) = shared_libraries(args.binary)
    zones = zoneinfo_files(args.zoneinfo)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        add(z, "bootstrap", data=(BOOTSTRAP % loader_name).encode(), mode=0o755)
        add(z, "bin/csv2ddb", args.binary, mode=0o755)
        for name, path in libs:
            add(z, "lib/" + name, os.path.realpath(path), mode=0o755)
        add(z, "lib/" + loader_name, os.path.realpath(loader_path), mode=0o755)
        add(z, "mapping.toml", args.mapping)
        add(z, "ca-bundle.crt", os.path.realpath(ca_bundle))
        for rel, real in zones:
            add(z, "zoneinfo/" + rel, real)
    os.replace(tmp, args.out)
    print("package_lambda: %s (%s, %d libraries + %s, CA bundle from %s, %d time zones)"
          % (args.out, args.arch, len(libs), loader_name, ca_bundle, len(zones)))


if __name__ == "__main__":
    main()
