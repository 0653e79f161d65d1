#!/usr/bin/env python3
"""deploy/: the CDK app offline (deploy/test.sh: synth in both modes, synth
without the package, the template assertions), with the Lambda package built
by `make lambda-zip`'s own command; and deploy/README.md's path from a fresh
clone to a finished execution: the ten steps in order, each marked as checked
offline or as needing an AWS account."""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(os.environ.get("CSV2DDB_BIN", os.path.join(ROOT, "build", "csv2ddb")))
STEPS = ["build the package", "bootstrap", "deploy", "upload", "start the execution",
         "describe the execution", "read the summary", "find the error records", "redrive",
         "destroy"]
COMMANDS = ["make lambda-zip", "npx cdk bootstrap", "npx cdk deploy", "aws s3 cp",
            "aws stepfunctions start-execution", "aws stepfunctions describe-execution",
            "--query output", "aws s3 ls", "aws stepfunctions redrive-execution",
            "npx cdk destroy"]
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAILED: ") + what)
    if not ok:
        failures.append(what)


def readme_walkthrough():
    with open(os.path.join(ROOT, "deploy", "README.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.find("## From a fresh clone to a finished execution")
    check(start >= 0, "README has the walkthrough section")
    section = text[start:text.find("\n## ", start + 3)]
    steps = re.split(r"\n### (\d+)\. ", section)[1:]
    titles = [steps[i + 1].split("\n", 1)[0].strip().lower() for i in range(0, len(steps), 2)]
    bodies = [steps[i + 1] for i in range(0, len(steps), 2)]
    check(len(titles) == len(STEPS) and all(t.startswith(s) for t, s in zip(titles, STEPS)),
          "README walkthrough steps in order: %s" % titles)
    for title, body, command in zip(titles, bodies, COMMANDS):
        marked = ("*Checked offline:*" in body) != ("*Needs an AWS account" in body)
        check(marked, "step '%s' is marked offline or needing an account" % title)
        check(command in body, "step '%s' shows `%s`" % (title, command))
    return bodies


def build_package(out_dir):
    """Runs `make lambda-zip`'s packaging command (as make prints it), into out_dir."""
    dry = subprocess.run(["make", "-n", "-C", ROOT, "lambda-zip",
                          "BUILD=" + os.path.dirname(BIN)],
                         capture_output=True, text=True)
    lines = [l for l in dry.stdout.splitlines() if "package_lambda.py" in l]
    check(dry.returncode == 0 and len(lines) == 1, "make -n lambda-zip names the packager")
    if len(lines) != 1:
        return None
    argv = shlex.split(lines[0])
    zip_path = os.path.join(out_dir, "csv2ddb-lambda.zip")
    argv[-1] = zip_path
    p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    check(p.returncode == 0, "the packaging command of `make lambda-zip` runs: " + p.stderr)
    if p.returncode != 0:
        return None
    names = zipfile.ZipFile(zip_path).namelist()
    for name in ("bootstrap", "bin/csv2ddb", "mapping.toml", "ca-bundle.crt"):
        check(name in names, "the package holds " + name)
    return zip_path


def main():
    readme_walkthrough()
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = build_package(tmp) if os.path.exists(BIN) else None
        check(zip_path is not None, "the Lambda package was built from " + BIN)
        env = dict(os.environ, CSV2DDB_LAMBDA_ZIP=zip_path or "")
        code = subprocess.call(["bash", os.path.join(ROOT, "deploy", "test.sh")], env=env)
        check(code == 0, "deploy/test.sh")
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
