#!/usr/bin/env python3
"""The Debian package (issue 15, point 1): `cpack -G DEB` builds
csv2ddb_<version>_amd64.deb; dpkg installs it into a fresh, empty root; its
Depends cover every shared library the installed binary loads; and the
installed files work: `csv2ddb --version`, the EV demo from the installed
examples, the bash completion and the man page.

Why a fresh root with `dpkg --root` (and --force-depends) plus an ldd check,
rather than `dpkg -x` or a real `apt-get install`: dpkg itself unpacks and
configures the package, so the control file, the file list and the md5sums
are checked as an install would; the root starts empty, so nothing already
installed there can hide a missing file; and the one thing --force-depends
skips, whether Depends names everything the binary needs, is checked
directly: each library ldd resolves belongs to a package Depends names, at a
version it allows. A real apt-get install needs root, the network and a
clean system, which a test run cannot assume; apt's resolver is run instead,
simulated against an empty dpkg status, to show what it would pull in."""
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from project import BIN, SRC, TABLE  # noqa: E402

BUILD = os.path.abspath(os.environ.get("CSV2DDB_BUILD_DIR", os.path.dirname(BIN)))
SAMPLE_ROWS = 5305


def sh(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kw)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (args, p.returncode, p.stdout, p.stderr))
    return p.stdout


def project_version():
    with open(os.path.join(SRC, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(csv2ddb VERSION ([0-9.]+)", f.read()).group(1)


def owners(paths):
    """{path: the installed package that owns it}, merged /usr aware (one dpkg-query)."""
    variants = {}
    for path in paths:
        for v in {path, os.path.realpath(path)}:
            variants[v] = path
            if v.startswith("/usr/lib/"):
                variants[v[len("/usr"):]] = path
            elif v.startswith("/lib/"):
                variants["/usr" + v] = path
    r = subprocess.run(["dpkg-query", "-S", *variants], capture_output=True, text=True)
    found = {}
    for line in r.stdout.splitlines():  # "zlib1g:amd64: /lib/x86_64-linux-gnu/libz.so.1"
        pkgs, path = line.rsplit(": ", 1)
        if path in variants:
            found[variants[path]] = pkgs.split(",")[0].split(":")[0].strip()
    missing = set(paths) - set(found)
    assert not missing, "no package owns %s" % sorted(missing)
    return found


def depends(field):
    """{package: [(op, version)]} from a Depends field (alternatives included)."""
    out = {}
    for clause in field.split(","):
        for alt in clause.split("|"):
            if not alt.strip():
                continue
            m = re.match(r"\s*([a-z0-9][a-z0-9+.-]*)(?::\w+)?\s*(?:\(([<>=]+)\s*([^)]+)\))?", alt)
            out.setdefault(m.group(1), []).append((m.group(2), m.group(3)))
    return out


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="csv2ddb_pkg_")
        # The man page and the completions are built by the binary (the
        # default build target does it; a build of the binary alone does not).
        sh("cmake", "--build", BUILD, "--target", "csv2ddb_docs")
        out = os.path.join(cls.tmp, "out")
        sh("cpack", "-G", "DEB", "-B", out, "--config", os.path.join(BUILD, "CPackConfig.cmake"))
        arch = sh("dpkg", "--print-architecture").strip()
        cls.deb = os.path.join(out, "csv2ddb_%s_%s.deb" % (project_version(), arch))
        assert os.path.exists(cls.deb), os.listdir(out)
        # A fresh root: an empty dpkg database, nothing else.
        cls.root = os.path.join(cls.tmp, "root")
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
            os.makedirs(os.path.join(cls.root, d))
        for f in ("status", "available"):
            open(os.path.join(cls.root, "var/lib/dpkg", f), "w").close()
        env = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        sh("dpkg", "--root=" + cls.root, "--force-not-root", "--force-depends",
           "--log=" + os.path.join(cls.tmp, "dpkg.log"), "-i", cls.deb, env=env)
        cls.status = sh("dpkg", "--root=" + cls.root, "-s", "csv2ddb")
        cls.installed = os.path.join(cls.root, "usr/bin/csv2ddb")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_package_is_named_and_installed_by_dpkg(self):
        self.assertIn("Status: install ok installed", self.status)
        self.assertIn("Version: " + project_version(), self.status)
        files = sh("dpkg", "--root=" + self.root, "-L", "csv2ddb").split()
        for path in ("/usr/bin/csv2ddb", "/usr/share/man/man1/csv2ddb.1.gz",
                     "/usr/share/bash-completion/completions/csv2ddb",
                     "/usr/share/zsh/vendor-completions/_csv2ddb",
                     "/usr/share/doc/csv2ddb/copyright",
                     "/usr/share/doc/csv2ddb/examples/ev_population_sample.csv",
                     "/usr/share/doc/csv2ddb/examples/ev_population.toml"):
            self.assertIn(path, files)
            self.assertTrue(os.path.isfile(self.root + path), path)

    def test_depends_covers_every_library_the_binary_loads(self):
        deps = depends(sh("dpkg-deb", "-f", self.deb, "Depends"))
        ldd = sh("ldd", self.installed)
        path_of = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
        self.assertNotIn("not found", ldd)
        # The libraries the binary names (NEEDED): each one's package is in Depends,
        # at a version that admits the one it was built and tested with.
        needed = re.findall(r"NEEDED\s+(\S+)", sh("objdump", "-p", self.installed))
        owner = owners(list(path_of.values()))
        direct = {owner[path_of[soname]] for soname in needed}
        for lib_name in ("libcurl4", "libsqlite3-0", "zlib1g", "libzstd1", "libssl3", "libc6"):
            self.assertIn(lib_name, direct)
        # Not a library: the tz database named time zones are read from.
        self.assertIn("tzdata", deps)
        for pkg in sorted(direct):
            self.assertIn(pkg, deps, "Depends lacks %s: %s" % (pkg, sorted(deps)))
            installed = sh("dpkg-query", "-W", "-f=${Version}", pkg)
            for op, version in deps[pkg]:
                if op:
                    r = subprocess.run(["dpkg", "--compare-versions", installed,
                                        {">=": "ge", "<=": "le", "=": "eq", ">>": "gt",
                                         "<<": "lt"}[op], version])
                    self.assertEqual(r.returncode, 0, (pkg, installed, op, version))
        # Every library loaded at all (those the libraries load too, e.g.
        # libcurl's) comes with a package that Depends pulls in, directly or
        # through the dependencies' own Depends.
        installed_depends = {}
        for line in sh("dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\n").splitlines():
            name, field = line.split("\t", 1)
            installed_depends[name] = depends(field.strip(" ,")) if field.strip(" ,") else {}
        closure, todo = set(), list(deps)
        while todo:
            pkg = todo.pop()
            if pkg not in closure:
                closure.add(pkg)
                todo.extend(installed_depends.get(pkg, {}))  # virtual ones are not installed
        for path in path_of.values():
            self.assertIn(owner[path], closure, path)

    def test_apt_on_an_empty_system_resolves_it_and_pulls_in_the_libraries(self):
        # apt's own resolver against an empty dpkg status (nothing installed)
        # and the Debian 12 archive's package lists (`make test` installs its
        # deps with apt-get update first): what `apt-get install ./csv2ddb_*.deb`
        # installs on a clean system. Simulated: nothing is installed here.
        empty = os.path.join(self.tmp, "empty-status")
        open(empty, "w").close()
        out = sh("apt-get", "-s", "-o", "Dir::State::status=" + empty, "-o",
                 "Debug::NoLocking=1", "--no-install-recommends", "install", self.deb)
        installs = set(re.findall(r"^Inst (\S+)", out, re.M))
        self.assertIn("csv2ddb", installs, out)
        for pkg in ("libc6", "libcurl4", "libsqlite3-0", "zlib1g", "libzstd1", "libssl3",
                    "libsimdjson14", "libtomlplusplus3", "libstdc++6"):
            self.assertIn(pkg, installs, out)

    def test_installed_version_names_the_commit_and_libraries(self):
        out = sh(self.installed, "--version")
        self.assertTrue(out.startswith("csv2ddb %s\ncommit " % project_version()), out)
        self.assertEqual(out, sh(BIN, "--version"))  # the same build, stripped
        for lib in ("libcurl", "sqlite", "zlib", "zstd", "openssl", "toml++"):
            self.assertRegex(out, r"\n%s \d" % re.escape(lib))

    def test_ev_demo_runs_from_the_installed_examples(self):
        examples = os.path.join(self.root, "usr/share/doc/csv2ddb/examples")
        work = os.path.join(self.tmp, "demo")
        os.makedirs(work)
        out = sh(self.installed, "run", os.path.join(examples, "ev_population_sample.csv"),
                 "--mapping", os.path.join(examples, "ev_population.toml"),
                 "--target", "sqlite://csv2ddb.sqlite", "--name", "demo", cwd=work)
        summary = json.loads(out)
        self.assertEqual(summary["STATUS"], "SUCCEEDED")
        self.assertEqual(summary["TOTAL_NUMBER_OF_RECORDS_READ"], SAMPLE_ROWS)
        con = sqlite3.connect(os.path.join(work, "csv2ddb.sqlite"))
        count = con.execute("SELECT count(*) FROM " + TABLE).fetchone()[0]
        con.close()
        self.assertEqual(count, summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"])
        self.assertGreater(count, 5000)
        listed = json.loads(sh(self.installed, "list", cwd=work))["executions"]
        self.assertEqual([(e["name"], e["status"]) for e in listed], [("demo", "SUCCEEDED")])

    def test_installed_completions_and_man_page_work(self):
        script = ('source "$1" && COMP_WORDS=(csv2ddb run --no-pro) && COMP_CWORD=2 && _csv2ddb && '
                  'echo "${COMPREPLY[@]}"')
        out = sh("bash", "-c", script, "bash",
                 os.path.join(self.root, "usr/share/bash-completion/completions/csv2ddb"))
        self.assertEqual(out.strip(), "--no-progress")
        sh("zsh", "-n", os.path.join(self.root, "usr/share/zsh/vendor-completions/_csv2ddb"))
        page = sh("man", "-l", os.path.join(self.root, "usr/share/man/man1/csv2ddb.1.gz"),
                  env=dict(os.environ, MANWIDTH="120", PAGER="cat"))
        self.assertIn("CSV2DDB_STATE_DIR", re.sub(r".\x08", "", page))

    def test_copyright_carries_the_notices_of_the_bundled_libraries(self):
        with open(os.path.join(self.root, "usr/share/doc/csv2ddb/copyright")) as f:
            text = f.read()
        for lib in ("CLI11 (libcli11-dev)", "RapidJSON (rapidjson-dev)",
                    "toml++ (libtomlplusplus-dev)", "simdjson (libsimdjson-dev)"):
            self.assertIn("==== " + lib + " ====", text)
        self.assertIn("Redistribution and use in source and binary forms", text)  # BSD (CLI11)
        self.assertIn("Permission is hereby granted, free of charge", text)  # Expat (toml++)


if __name__ == "__main__":
    unittest.main()
