#!/usr/bin/env python3
"""End-to-end tests of `csv2ddb infer`: for CSV files of many shapes
(tests/data/infer/, made by make_fixtures.py, and the EV sample) the proposed
mapping is read with tomllib and checked (dialect, header, types, key), then
`csv2ddb run FILE --mapping <(csv2ddb infer FILE)` loads the file into the
embedded table, and every item is compared with the values Python's csv
module reads from the same file under the expected types."""
import atexit
import base64
import csv
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import tomllib
import unittest
from decimal import Decimal

BIN = os.path.abspath(os.environ.get("CSV2DDB_BIN", "build/csv2ddb"))
SRC = os.environ.get("CSV2DDB_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(SRC, "tests", "data", "infer")
EV_SAMPLE = os.path.join(SRC, "examples", "ev_population_sample.csv")

SCRATCH = tempfile.mkdtemp(prefix="csv2ddb_infer_")
atexit.register(shutil.rmtree, SCRATCH, True)


def infer(path, *extra, stdin=None):
    p = subprocess.run([BIN, "infer", path, *extra], input=stdin, capture_output=True,
                       cwd=SCRATCH, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_piped(path, workdir, name="t", sample_rows=None):
    """The documented one-liner: the mapping comes straight from infer through a pipe."""
    script = ('exec "$0" run "$1" --mapping <("$0" infer "$1" ${4:+--sample-rows "$4"}) '
              '--target "sqlite://$2/out.sqlite" '
              '--errors "$2/errors" --state-dir "$2/state" --name "$3" --quiet')
    p = subprocess.run(["bash", "-c", script, BIN, path, workdir, name, str(sample_rows or "")],
                       capture_output=True, cwd=SCRATCH, timeout=300)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def read_text(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    elif raw[:4] == b"\x28\xb5\x2f\xfd":
        raw = subprocess.run(["zstd", "-dc", path], capture_output=True, check=True).stdout
    return raw.decode("utf-8-sig")


def from_dynamo(v):
    """DynamoDB JSON to Python values (numbers as Decimal), like boto3's TypeDeserializer."""
    (t, x), = v.items()
    if t == "S":
        return x
    if t == "N":
        return Decimal(x)
    if t == "BOOL":
        return x
    if t == "NULL":
        return None
    if t == "M":
        return {k: from_dynamo(e) for k, e in x.items()}
    if t == "L":
        return [from_dynamo(e) for e in x]
    if t == "SS":
        return frozenset(x)
    if t == "NS":
        return frozenset(Decimal(e) for e in x)
    if t == "B":
        return base64.b64decode(x)
    raise AssertionError("unexpected type " + t)


def table_items(db, table):
    con = sqlite3.connect(db)
    try:
        return [{k: from_dynamo(v) for k, v in json.loads(item).items()}
                for (item,) in con.execute(f'SELECT item FROM "{table}"')]
    finally:
        con.close()


def normalize(name):
    return name.lower().replace(" ", "_")


class Fixture:
    """What a careful reader expects infer to propose for one file."""

    def __init__(self, file, types, key, delimiter=",", quote='"', header=True, names=None,
                 attributes=None, nulls=None, bools=None, errors=0):
        self.file, self.types, self.key = file, types, key
        self.delimiter, self.quote, self.header = delimiter, quote, header
        self.names = names or list(types)          # column names, in file order
        self.attributes = attributes or {}         # column -> attribute, when not normalized
        self.nulls = nulls or {}                   # column -> null marker
        self.bools = bools or {}                   # column -> (true word, false word)
        self.errors = errors                       # rows `run` rejects

    @property
    def path(self):
        return self.file if os.path.isabs(self.file) else os.path.join(DATA, self.file)

    def attribute(self, column):
        return self.attributes.get(column, normalize(column))

    def value(self, column, cell):
        """The attribute value for `cell`, or KeyError-free None-marker handling."""
        t = self.types[column]
        if column in self.nulls and cell == self.nulls[column]:
            return ("NULL", None)
        if cell == "":
            return ("S", "") if t == "S" else None
        if t == "S":
            return ("S", cell)
        if t == "N":
            return ("N", Decimal(cell))
        if t == "BOOL":
            yes, no = self.bools.get(column, ("true", "false"))
            assert cell.lower() in (yes, no), cell
            return ("BOOL", cell.lower() == yes)
        if t in ("M", "L"):
            return (t, json.loads(cell, parse_float=Decimal, parse_int=Decimal))
        if t == "SS":
            return (t, frozenset(json.loads(cell)))
        if t == "NS":
            return (t, frozenset(json.loads(cell, parse_float=Decimal, parse_int=Decimal)))
        if t == "B":
            return (t, base64.b64decode(cell, validate=True))
        raise AssertionError(t)

    def expected(self):
        """The items and the reject count, from Python's csv reader."""
        rows = [r for r in csv.reader(io.StringIO(read_text(self.path), newline=""),
                                      delimiter=self.delimiter, quotechar=self.quote) if r]
        if self.header:
            rows = rows[1:]
        items, errors = [], 0
        for r in rows:
            if len(r) != len(self.names):
                errors += 1
                continue
            item = {}
            for column, cell in zip(self.names, r):
                v = self.value(column, cell)
                if v is not None:
                    item[self.attribute(column)] = v[1]
            items.append(item)
        return items, errors


FIXTURES = [
    Fixture("semicolon.csv", {"sku_id": "S", "product": "S", "price": "N", "stock": "N", "note": "S"},
            key=("sku_id", None), delimiter=";"),
    Fixture("pipe_no_header.psv", {"col_1": "N", "col_2": "S", "col_3": "N"},
            key=("col_1", None), delimiter="|", header=False),
    Fixture("tab_crlf.tsv", {"Employee ID": "S", "Full Name": "S", "Department": "S", "Salary": "N",
                             "Start Year": "N"}, key=("Employee ID", None), delimiter="\t"),
    Fixture("bom_quoted.csv", {"id": "N", "name": "S", "comment": "S", "score": "N"}, key=("id", None)),
    Fixture("customers.csv.gz", {"customer_id": "S", "zip": "S", "phone": "S", "card_number": "S",
                                 "balance": "N"}, key=("customer_id", None)),
    Fixture("daily_sales.csv.zst", {"store": "S", "day": "S", "revenue": "N", "visits": "N"},
            key=("store", "day")),
    Fixture("wide.csv", dict([("reading_id", "N")] + [(f"sensor_{i:02d}", "N") for i in range(1, 60)]),
            key=("reading_id", None)),
    Fixture("narrow.csv", {"uuid": "S"}, key=("uuid", None)),
    Fixture("messy.csv", {"Ticket ID": "S", "Status": "S", "Status_2": "S", "col_4": "S", "Amount": "S",
                          "amount": "N", "Notes": "S"},
            key=("Ticket ID", None), attributes={"amount": "amount_2"}, errors=1),
    Fixture("single_quote.csv", {"id": "N", "label": "S", "qty": "N"}, key=("id", None), quote="'"),
    Fixture(EV_SAMPLE, {c: "S" for c in [
        "VIN (1-10)", "County", "City", "State", "Postal Code", "Model Year", "Make", "Model",
        "Electric Vehicle Type", "Clean Alternative Fuel Vehicle (CAFV) Eligibility", "Electric Range",
        "Base MSRP", "Legislative District", "DOL Vehicle ID", "Vehicle Location", "Electric Utility",
        "2020 Census Tract"]} | {"Model Year": "N", "Electric Range": "N", "Base MSRP": "N",
                                 "Legislative District": "N", "DOL Vehicle ID": "N"},
            key=("DOL Vehicle ID", None)),
]

# These need the typed mapping options (BOOL, M, L, null_marker, bool_true/bool_false).
TYPED_FIXTURES = [
    Fixture("booleans.csv", {"user_id": "S", "verified": "BOOL", "newsletter": "BOOL", "is_admin": "BOOL",
                             "children": "N", "vip": "BOOL"}, key=("user_id", None),
            bools={"newsletter": ("yes", "no"), "is_admin": ("1", "0"), "vip": ("y", "n")}),
    Fixture("json_cells.csv", {"event_id": "N", "payload": "M", "tags": "L"}, key=("event_id", None)),
    Fixture("nulls.csv", {"id": "N", "age": "N", "nickname": "S", "city": "S"}, key=("id", None),
            nulls={"age": "\\N", "nickname": "NULL"}),
    Fixture("mysql_dump.tsv", {"col_1": "N", "col_2": "S", "col_3": "N", "col_4": "N"},
            key=("col_1", None), delimiter="\t", header=False, nulls={"col_3": "\\N"}),
    # Sets, B and "NA": a set only for non-empty arrays of distinct strings or
    # numbers (steps repeats "pick": L); B only because the name says base64;
    # "NA" a null marker next to numbers, a value next to words.
    Fixture("sets_binary_na.csv", {"order_id": "N", "labels": "SS", "sizes": "NS",
                                   "thumbnail_base64": "B", "score": "N", "region": "S",
                                   "steps": "L"},
            key=("order_id", None), nulls={"score": "NA"}),
]


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="csv2ddb_infer_t_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def check_mapping(self, f, text):
        m = tomllib.loads(text)
        csv_ = m["csv"]
        self.assertEqual(csv_["delimiter"], f.delimiter)
        self.assertEqual(csv_["quote"], f.quote)
        if not f.header:
            self.assertEqual(csv_["header"], f.names)
            self.assertFalse(csv_["has_header_row"])
        elif "header" in csv_:  # the header row's names were unusable: given here, the row skipped
            self.assertEqual(csv_["header"], f.names)
            self.assertTrue(csv_["has_header_row"])
        cols = m["columns"]
        self.assertEqual(list(cols), f.names)
        self.assertEqual({c: cols[c]["type"] for c in cols}, f.types)
        for c in cols:
            self.assertEqual(cols[c].get("null_marker"), f.nulls.get(c), c)
            if c in f.bools:
                self.assertEqual((cols[c]["bool_true"], cols[c]["bool_false"]),
                                 ([f.bools[c][0]], [f.bools[c][1]]), c)
            else:
                self.assertNotIn("bool_true", cols[c], c)
            self.assertEqual(cols[c].get("name", normalize(c)), f.attribute(c))
        pk, sk = f.key
        self.assertEqual(m["table"]["partition_key"], {"name": f.attribute(pk), "type": f.types[pk]})
        if sk:
            self.assertEqual(m["table"]["sort_key"], {"name": f.attribute(sk), "type": f.types[sk]})
        else:
            self.assertNotIn("sort_key", m["table"])
        return m

    def check_fixture(self, f):
        code, text, err = infer(f.path)
        self.assertEqual(code, 0, err)
        self.assertIn("# ", text)  # explained
        m = self.check_mapping(f, text)
        code, out, err = run_piped(f.path, self.dir)
        self.assertEqual(code, 0, err)
        summary = json.loads(out)
        items, errors = f.expected()
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], len(items))
        self.assertEqual(summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"], errors)
        self.assertEqual(errors, f.errors)
        got = table_items(os.path.join(self.dir, "out.sqlite"), m["table"]["name"])
        pk, sk = (f.attribute(k) if k else None for k in f.key)

        def by_key(lst):
            return sorted(lst, key=lambda i: (str(i[pk]), str(i.get(sk)) if sk else ""))
        self.assertEqual(by_key(got), by_key(items))


class Fixtures(Base):
    """Files whose mapping needs only S and N."""

    def test_semicolon(self):
        self.check_fixture(FIXTURES[0])

    def test_pipe_without_header(self):
        self.check_fixture(FIXTURES[1])

    def test_tab_with_crlf(self):
        self.check_fixture(FIXTURES[2])

    def test_bom_quoted_newlines_unicode(self):
        self.check_fixture(FIXTURES[3])

    def test_gzip_zip_codes_phones_long_digits(self):
        self.check_fixture(FIXTURES[4])

    def test_zstd_composite_key(self):
        self.check_fixture(FIXTURES[5])

    def test_wide(self):
        self.check_fixture(FIXTURES[6])

    def test_narrow(self):
        self.check_fixture(FIXTURES[7])

    def test_messy_header_blank_lines_bad_row(self):
        self.check_fixture(FIXTURES[8])

    def test_single_quote(self):
        self.check_fixture(FIXTURES[9])

    def test_ev_sample(self):
        self.check_fixture(FIXTURES[10])


class TypedFixtures(Base):
    """Files whose mapping needs BOOL, M, L and null markers."""

    def test_booleans(self):
        self.check_fixture(TYPED_FIXTURES[0])

    def test_json_cells(self):
        self.check_fixture(TYPED_FIXTURES[1])

    def test_null_markers_and_empty_cells(self):
        self.check_fixture(TYPED_FIXTURES[2])

    def test_mysql_dump(self):
        self.check_fixture(TYPED_FIXTURES[3])

    def test_sets_binary_and_na(self):
        self.check_fixture(TYPED_FIXTURES[4])


class Behaviour(Base):
    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_no_key_is_a_todo_that_run_refuses_before_writing(self):
        path = os.path.join(DATA, "no_key.csv")
        code, text, err = infer(path)
        self.assertEqual(code, 0, err)
        self.assertIn("warning: no column is non-blank and unique", err)
        m = tomllib.loads(text)
        self.assertEqual(m["table"]["partition_key"]["name"], "TODO_choose_a_partition_key")
        self.assertIn("TODO: choose the key", text)
        code, out, err = run_piped(path, self.dir)
        self.assertEqual(code, 2, err)
        self.assertIn("no column produces the partition key 'TODO_choose_a_partition_key'", err)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out.sqlite")))

    def test_sample_rows_limits_the_sample_and_says_so(self):
        code, text, err = infer(EV_SAMPLE, "--sample-rows", "50")
        self.assertEqual(code, 0, err)
        self.assertIn("Sample: 50 data rows (the first ones; --sample-rows 50 reads more)", text)
        code, text, err = infer(EV_SAMPLE)
        self.assertIn("Sample: 5305 data rows (the whole input)", text)
        code, _, err = infer(EV_SAMPLE, "--sample-rows", "0")
        self.assertEqual(code, 2, err)

    def test_a_value_past_the_sample_is_a_reject_not_a_loss(self):
        """The types hold for the sample only: a later value that breaks one is rejected with
        its line and rule, and the accounting still adds up."""
        lines = ["id,amount"] + [f"{i},{i * 1.5}" for i in range(1, 100)] + ["100,n/a"]
        path = self.write("late.csv", ("\n".join(lines) + "\n").encode())
        code, text, err = infer(path, "--sample-rows", "50")
        self.assertEqual(tomllib.loads(text)["columns"]["amount"]["type"], "N")
        code, out, err = run_piped(path, self.dir, sample_rows=50)
        self.assertEqual(code, 0, err)
        summary = json.loads(out)
        self.assertEqual((summary["TOTAL_NUMBER_OF_ITEMS_WRITTEN"], summary["TOTAL_NUMBER_OF_ITEMS_IN_ERROR"]),
                         (99, 1))
        with open(os.path.join(summary["ERROR_DATA_LOCATION"], "rejects.ndjson")) as f:
            rejects = [json.loads(line) for line in f]
        self.assertEqual([(r["line"], r["rule"], r["column"]) for r in rejects], [(101, "number", "amount")])
        # The whole file as the sample: the column is text, and nothing is rejected.
        code, text, err = infer(path)
        self.assertEqual(tomllib.loads(text)["columns"]["amount"]["type"], "S")
        self.assertIn("99 of 100 values are numbers", text)

    def test_stdin(self):
        with open(os.path.join(DATA, "semicolon.csv"), "rb") as f:
            data = f.read()
        code, text, err = infer("-", stdin=data)
        self.assertEqual(code, 0, err)
        m = self.check_mapping(FIXTURES[0], text)
        self.assertEqual(m["table"]["name"], "csv_import")

    def test_comments_say_why(self):
        code, text, err = infer(os.path.join(DATA, "customers.csv.gz"))
        self.assertEqual(code, 0, err)
        self.assertIn("Input: gzip-compressed", text)
        self.assertIn("have leading zeros", text)
        self.assertIn("16 or more integer digits", text)
        self.assertIn("the name says it is a code", text)
        code, text, err = infer(os.path.join(DATA, "bom_quoted.csv"))
        self.assertIn("UTF-8 byte-order mark", text)
        code, text, err = infer(os.path.join(DATA, "tab_crlf.tsv"))
        self.assertIn("line ends CRLF", text)
        code, text, err = infer(os.path.join(DATA, "messy.csv"))
        self.assertIn("WARNING: 1 sampled row will be rejected", text)
        self.assertIn("line 8", text)
        self.assertIn("1 sampled row will be rejected", err)

    def test_cr_only_and_empty_inputs_fail_clearly(self):
        code, out, err = infer(self.write("cr.csv", b"a,b\r1,2\r3,4\r"))
        self.assertEqual(code, 2)
        self.assertEqual(out, "")
        self.assertIn("CR-only", err)
        code, out, err = infer(self.write("empty.csv", b""))
        self.assertEqual(code, 2)
        self.assertIn("empty", err)
        code, out, err = infer(os.path.join(self.dir, "missing.csv"))
        self.assertEqual(code, 2)
        self.assertIn("missing.csv", err)

    def test_odd_names_stay_valid_toml(self):
        path = self.write("odd names!.csv",
                          'id,"quote "" and \\ back","tab\there",caf\xc3\xa9\n1,a,b,c\n2,d,e,f\n'.encode("latin-1"))
        code, text, err = infer(path)
        self.assertEqual(code, 0, err)
        m = tomllib.loads(text)
        self.assertEqual(m["table"]["name"], "odd_names_")
        self.assertEqual(list(m["columns"]), ["id", 'quote " and \\ back', "tab\there", "café"])
        code, out, err = run_piped(path, self.dir)
        self.assertEqual(code, 0, err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
