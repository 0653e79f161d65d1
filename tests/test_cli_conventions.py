#!/usr/bin/env python3
"""Command-line conventions (issue 15, point 2): --version with the linked
libraries, bash and zsh completion generated from the command-line
definition, the man page from the same source as --help, --output
json|table|text (json on a pipe, a table on a terminal), --no-progress, and
environment variables for the common flags (a flag beats its variable)."""
import json
import os
import pty
import re
import shutil
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from project import BIN, SAMPLE, EV_MAPPING, SRC  # noqa: E402

SAMPLE_ROWS = 5305


def project_version():
    with open(os.path.join(SRC, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(csv2ddb VERSION ([0-9.]+)", f.read()).group(1)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSV2DDB_")}
    env.update(extra)
    return env


def help_commands(help_text):
    """The commands listed under "Subcommands:" in --help."""
    section = help_text.split("Subcommands:\n", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^  (\S+)", section, re.M)]


def help_flags(help_text):
    """Every --long and -s name of the flags listed under Options: in --help."""
    section = help_text.split("Options:\n", 1)[1].split("\n\n", 1)[0]
    names = set()
    for m in re.finditer(r"^  (-[\w-]+(?:,-[\w-]+)*)", section, re.M):
        names.update(m.group(1).split(","))
    return names


class Conventions(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_conv_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args, env=None):
        p = subprocess.run([BIN, *args], capture_output=True, cwd=self.dir, timeout=120,
                           env=env or clean_env())
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def ok(self, *args, env=None):
        code, out, err = self.cli(*args, env=env)
        self.assertEqual(code, 0, (args, out, err))
        return out

    def run_sample(self, name, *extra, env=None):
        return self.ok("run", SAMPLE, "-m", EV_MAPPING, "-t", "sqlite://t.sqlite", "--name", name,
                       "--state-dir", "state", *extra, env=env)

    def on_terminal(self, *args, env=None):
        """Runs with stdout and stderr on a pseudo-terminal; returns (code, output)."""
        master, slave = pty.openpty()
        p = subprocess.Popen([BIN, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                             cwd=self.dir, env=env or clean_env())
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        return p.wait(timeout=120), b"".join(chunks).decode().replace("\r\n", "\n")

    # --- --version ---

    def test_version_names_the_version_commit_and_the_run_time_library_versions(self):
        out = self.ok("--version")
        lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
        self.assertEqual(lines["csv2ddb"], project_version())
        git = subprocess.run(["git", "-C", SRC, "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True)
        if git.returncode == 0:  # a build from a git checkout names its commit
            self.assertRegex(lines["commit"], "^" + git.stdout.strip() + "(-dirty)?$")
        # The libraries' own answers, read by other programs linking the same libraries.
        self.assertEqual(lines["sqlite"], sqlite3.sqlite_version)
        self.assertEqual(lines["zlib"], zlib.ZLIB_RUNTIME_VERSION)
        self.assertEqual(lines["openssl"], ssl.OPENSSL_VERSION.split()[1])  # "OpenSSL 3.0.x date"
        zstd = subprocess.run(["zstd", "--version"], capture_output=True, text=True).stdout
        self.assertIn("v" + lines["zstd"], zstd)
        curl = subprocess.run(["curl-config", "--version"], capture_output=True, text=True)
        self.assertTrue(lines["libcurl"].startswith(curl.stdout.split()[1] + " ("), lines)
        self.assertIn("OpenSSL/", lines["libcurl"])
        for lib in ("toml++", "simdjson", "fmt", "CLI11", "RapidJSON", "glibc"):
            self.assertRegex(lines[lib], r"^\d+\.\d+", lib)

    # --- completion ---

    def bash_complete(self, *words, cwd=None):
        """COMPREPLY of the generated bash completion for `words` (the last one is completed)."""
        script = ('source <("$CSV2DDB" completion bash) && COMP_WORDS=("$@") && '
                  'COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _csv2ddb && '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        # COMP_WORDS[0] is the command as typed (the execution names come from running it);
        # bash splits --flag=value at "=" (COMP_WORDBREAKS): so do the words here.
        p = subprocess.run(["bash", "-c", script, "bash", BIN, *words], capture_output=True,
                           text=True, cwd=cwd or self.dir, env=clean_env(CSV2DDB=BIN),
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return [w for w in p.stdout.split("\n") if w]

    def test_bash_completes_commands_flags_and_values(self):
        self.assertEqual(sorted(self.bash_complete("r")), ["report", "resume", "run"])
        self.assertEqual(self.bash_complete("run", "--no-pro"), ["--no-progress"])
        self.assertEqual(self.bash_complete("list", "--out"), ["--output"])
        self.assertEqual(self.bash_complete("status", "x", "--output", "t"), ["table", "text"])
        self.assertEqual(self.bash_complete("status", "x", "--output", "=", "t"), ["table", "text"])
        self.assertEqual(self.bash_complete("completion", ""), ["bash", "zsh"])
        self.assertEqual(self.bash_complete("help", "merge"), ["merge-reports"])
        # A value that is not a file name or a choice completes nothing.
        self.assertEqual(self.bash_complete("run", "--workers", ""), [])
        # Files for the input, folders for --state-dir.
        os.mkdir(os.path.join(self.dir, "exdir"))
        open(os.path.join(self.dir, "example.csv"), "w").close()
        self.assertEqual(sorted(self.bash_complete("run", "ex")), ["example.csv", "exdir"])
        self.assertEqual(self.bash_complete("run", "x.csv", "--state-dir", "ex"), ["exdir"])

    def test_bash_completes_the_journal_s_execution_names(self):
        self.run_sample("first-run")
        self.run_sample("second-run")
        self.assertEqual(self.bash_complete("status", "--state-dir", "state", "f"), ["first-run"])
        self.assertEqual(sorted(self.bash_complete("resume", "--state-dir", "state", "")),
                         ["first-run", "second-run"])

    def test_completion_covers_every_command_and_flag_of_help(self):
        main_help = self.ok("--help")
        commands = help_commands(main_help)
        self.assertIn("run", commands)
        self.assertEqual(sorted(self.bash_complete("")), sorted(commands))
        for cmd in commands:
            flags = help_flags(self.ok(cmd, "--help"))
            self.assertIn("--help", flags, cmd)
            completed = set(self.bash_complete(cmd, "-"))
            self.assertEqual(completed, flags, cmd)

    def test_zsh_completion_parses_and_registers(self):
        path = os.path.join(self.dir, "_csv2ddb")
        with open(path, "w") as f:
            f.write(self.ok("completion", "zsh"))
        p = subprocess.run(["zsh", "-n", path], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        # Sourced after compinit, it registers itself for csv2ddb.
        p = subprocess.run(["zsh", "-f", "-c", "autoload -U compinit && compinit -u -D && "
                            "source " + path + " && print -r -- ${_comps[csv2ddb]}"],
                           capture_output=True, text=True, env=clean_env(HOME=self.dir))
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "_csv2ddb"), p.stderr)
        with open(path) as f:
            text = f.read()
        for cmd in help_commands(self.ok("--help")):
            self.assertIn("'" + cmd + ":", text)
        self.assertIn("--output=[", text)

    # --- man page ---

    def test_man_page_renders_without_warnings_and_has_every_command_and_flag(self):
        page = self.ok("help", "--man")
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=page,
                           capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        path = os.path.join(self.dir, "csv2ddb.1")
        with open(path, "w") as f:
            f.write(page)
        p = subprocess.run(["man", "-l", path], capture_output=True, text=True,
                           env=clean_env(MANWIDTH="200", MAN_KEEP_FORMATTING="", PAGER="cat"))
        self.assertEqual(p.returncode, 0, p.stderr)
        text = re.sub(r".\x08", "", p.stdout)
        for section in ("NAME", "SYNOPSIS", "COMMANDS", "ENVIRONMENT", "EXIT STATUS"):
            self.assertIn("\n" + section + "\n", text)
        for cmd in help_commands(self.ok("--help")):
            self.assertRegex(text, r"\n   " + re.escape(cmd) + r"\n", cmd)
            for flag in help_flags(self.ok(cmd, "--help")):
                self.assertIn(flag, text, (cmd, flag))
        self.assertIn("CSV2DDB_STATE_DIR", text)
        self.assertIn(project_version(), text)

    def test_help_command_prints_the_help_of_a_command(self):
        self.assertEqual(self.ok("help", "status"), self.ok("status", "--help"))
        code, out, err = self.cli("help", "nope")
        self.assertEqual(code, 2)
        self.assertIn("no command 'nope'", err)

    # --- --output ---

    def test_output_formats_of_run_validate_status_list(self):
        default = json.loads(self.run_sample("e1"))  # on a pipe: JSON, as before
        written = default["TOTAL_NUMBER_OF_ITEMS_WRITTEN"]
        self.assertEqual(written + default["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], SAMPLE_ROWS)
        self.assertEqual(json.loads(self.run_sample("e2", "--output", "json"))["STATUS"],
                         "SUCCEEDED")
        text = self.run_sample("e3", "--output", "text")
        self.assertIn("TOTAL_NUMBER_OF_ITEMS_WRITTEN\t%d\n" % written, text)
        self.assertIn("STATUS\tSUCCEEDED\n", text)
        table = self.run_sample("e4", "--output", "table")
        self.assertRegex(table, r"\| TOTAL_NUMBER_OF_ITEMS_WRITTEN +\| %d +\|" % written)
        self.assertTrue(table.startswith("+"), table)

        out = self.ok("validate", SAMPLE, "-m", EV_MAPPING, "--output", "text")
        self.assertIn("VALIDATE_ONLY\tTrue\n", out)

        status = json.loads(self.ok("status", "e1", "--state-dir", "state"))
        self.assertEqual(status["progress"]["itemsWritten"], written)
        text = self.ok("status", "e1", "--state-dir", "state", "--output", "text")
        self.assertIn("progress.itemsWritten\t%d\n" % written, text)
        self.assertIn("status\tSUCCEEDED\n", text)
        table = self.ok("status", "e1", "--state-dir", "state", "--output", "table")
        self.assertRegex(table, r"\| status +\| SUCCEEDED +\|")

        names = [e["name"] for e in json.loads(self.ok("list", "--state-dir", "state"))["executions"]]
        self.assertEqual(sorted(names), ["e1", "e2", "e3", "e4"])
        text = self.ok("list", "--state-dir", "state", "--output", "text")
        self.assertEqual(sorted(line.split("\t")[:2] for line in text.splitlines()),
                         [[n, "SUCCEEDED"] for n in ("e1", "e2", "e3", "e4")])
        table = self.ok("list", "--state-dir", "state", "--output", "table")
        self.assertRegex(table, r"\| name +\| status +\| startDate +\| stopDate +\|")
        for n in ("e1", "e2", "e3", "e4"):
            self.assertRegex(table, r"\| %s +\| SUCCEEDED +\|" % n)

        code, out, err = self.cli("list", "--output", "yaml")
        self.assertEqual(code, 2)
        self.assertIn("--output", err)

    def test_output_defaults_to_a_table_on_a_terminal(self):
        self.run_sample("t1")
        code, out = self.on_terminal("list", "--state-dir", "state")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"\| name +\| status +\|")
        self.assertRegex(out, r"\| t1 +\| SUCCEEDED +\|")
        code, out = self.on_terminal("list", "--state-dir", "state", "--output", "json")
        self.assertEqual(json.loads(out)["executions"][0]["name"], "t1")

    def test_output_from_the_environment_and_the_flag_beats_it(self):
        self.run_sample("v1")
        env = clean_env(CSV2DDB_OUTPUT="text")
        self.assertEqual(self.ok("status", "v1", "--state-dir", "state", env=env).split("\n")[0],
                         "name\tv1")
        out = self.ok("status", "v1", "--state-dir", "state", "--output", "json", env=env)
        self.assertEqual(json.loads(out)["name"], "v1")

    # --- --no-progress ---

    def test_no_progress_draws_no_progress_line_on_a_terminal(self):
        args = ["run", SAMPLE, "-m", EV_MAPPING, "-t", "null://", "--state-dir", "state",
                "--output", "json"]
        # A progress line, drawn or not yet, always clears itself ("\r\033[K")
        # when the run ends; without one there is nothing to clear.
        code, out = self.on_terminal(*args, "--name", "p1")
        self.assertEqual(code, 0, out)
        self.assertIn("\r\x1b[K", out)
        code, out = self.on_terminal(*args, "--name", "p2", "--no-progress")
        self.assertEqual(code, 0, out)
        self.assertNotIn("\x1b[K", out)
        code, out = self.on_terminal(*args, "--name", "p3",
                                     env=clean_env(CSV2DDB_NO_PROGRESS="1"))
        self.assertEqual(code, 0, out)
        self.assertNotIn("\x1b[K", out)

    # --- environment variables ---

    def test_environment_variables_set_flags_and_flags_beat_them(self):
        env = clean_env(CSV2DDB_STATE_DIR=os.path.join(self.dir, "env_state"),
                        CSV2DDB_TARGET="sqlite://env.sqlite")
        out = self.ok("run", SAMPLE, "-m", EV_MAPPING, "--name", "from-env", env=env)
        written = json.loads(out)["TOTAL_NUMBER_OF_ITEMS_WRITTEN"]
        self.assertTrue(os.path.exists(os.path.join(self.dir, "env_state", "journal.sqlite")))
        con = sqlite3.connect(os.path.join(self.dir, "env.sqlite"))
        self.assertEqual(con.execute("SELECT count(*) FROM tb_ev_vehicle_data").fetchone()[0],
                         written)
        con.close()
        self.assertEqual(json.loads(self.ok("list", env=env))["executions"][0]["name"], "from-env")
        # The flags beat the variables.
        self.ok("run", SAMPLE, "-m", EV_MAPPING, "--name", "from-flag", "--state-dir", "flag_state",
                "-t", "sqlite://flag.sqlite", env=env)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "flag.sqlite")))
        names = [e["name"] for e in json.loads(self.ok("list", env=env))["executions"]]
        self.assertEqual(names, ["from-env"])
        names = [e["name"] for e in
                 json.loads(self.ok("list", "--state-dir", "flag_state", env=env))["executions"]]
        self.assertEqual(names, ["from-flag"])
        # A bad value from the environment is a usage error like a bad flag.
        code, out, err = self.cli("run", SAMPLE, "-m", EV_MAPPING, "--name", "bad",
                                  env=clean_env(CSV2DDB_WORKERS="lots"))
        self.assertEqual(code, 2, err)
        self.assertIn("--workers", err)

    def test_help_documents_the_environment_variables(self):
        main_help = self.ok("--help")
        for var in ("CSV2DDB_STATE_DIR", "CSV2DDB_TARGET", "CSV2DDB_ENDPOINT_URL",
                    "CSV2DDB_OUTPUT", "CSV2DDB_NO_PROGRESS"):
            self.assertIn(var, main_help)
        run_help = self.ok("run", "--help")
        self.assertRegex(run_help, r"--state-dir[^\n]*Env:CSV2DDB_STATE_DIR")
        self.assertRegex(run_help, r"--target[^\n]*Env:CSV2DDB_TARGET")
        self.assertRegex(self.ok("list", "--help"), r"--state-dir[^\n]*Env:CSV2DDB_STATE_DIR")


if __name__ == "__main__":
    unittest.main()
