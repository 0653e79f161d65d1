#!/usr/bin/env python3
"""Writes the CSV fixtures of tests/test_infer.py (run from anywhere; the
output is deterministic, so a rerun changes nothing). Each file has a shape
`csv2ddb infer` must read: a dialect, a header or none, a compression, types,
nulls, and the messes real exports have."""
import gzip
import json
import os
import random
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(12)


def write(name, text, encoding="utf-8"):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(text.encode(encoding) if isinstance(text, str) else text)


def q(v, d=",", quote='"'):
    return quote + v.replace(quote, quote * 2) + quote if (d in v or quote in v or "\n" in v) else v


# 1. Semicolon-separated (European export): decimal points, ';' inside quotes, commas in text.
rows = ["sku_id;product;price;stock;note"]
for i in range(40):
    note = rnd.choice(["ok", "fragile, handle with care", 'say "hi"; twice', "red, green"])
    rows.append(f"{1000 + i};Widget {i};{rnd.randint(1, 999)}.{rnd.randint(0, 99):02d};"
                f"{rnd.randint(0, 50)};{q(note, ';')}")
write("semicolon.csv", "\n".join(rows) + "\n")

# 2. Pipe-separated, no header row (a numeric column gives it away).
rows = []
for i in range(30):
    rows.append(f"{500 + i}|{rnd.choice(['north', 'south', 'east', 'west'])}|{rnd.randint(-40, 40)}")
write("pipe_no_header.psv", "\n".join(rows) + "\n")

# 3. Tab-separated with CRLF line ends (a Windows export).
rows = ["Employee ID\tFull Name\tDepartment\tSalary\tStart Year"]
for i in range(25):
    rows.append(f"E{i:04d}\t{rnd.choice(['Ann', 'Bob', 'Cy', 'Di'])} {chr(65 + i)}.\t"
                f"{rnd.choice(['Sales', 'R&D', 'Ops'])}\t{rnd.randint(30, 200) * 1000}\t{rnd.randint(1990, 2024)}")
write("tab_crlf.tsv", "\r\n".join(rows) + "\r\n")

# 4. UTF-8 byte-order mark (Excel "CSV UTF-8"), quoted newlines and quotes, non-ASCII text.
rows = ["id,name,comment,score"]
names = ["Zoë", "José", "Łukasz", "Søren", "渡辺", "O'Brien"]
for i in range(20):
    comment = rnd.choice(["plain", "two\nlines", 'quote "inside"', "comma, here", ""])
    rows.append(f"{i + 1},{q(names[i % len(names)])},{q(comment)},{rnd.randint(0, 100) / 4}")
write("bom_quoted.csv", "\ufeff" + "\n".join(rows) + "\n")

# 5. Gzip: ZIP codes with leading zeros, phone numbers, 16-digit card numbers, amounts.
rows = ["customer_id,zip,phone,card_number,balance"]
for i in range(50):
    rows.append(f"C{i:05d},{rnd.choice(['00501', '02134', '98101', '10001', '07030'])},"
                f"{rnd.randint(2000000000, 9999999999)},{rnd.randint(10**15, 10**16 - 1)},"
                f"{rnd.randint(-5000, 5000) / 100}")
write("customers.csv.gz", gzip.compress(("\n".join(rows) + "\n").encode(), mtime=0))

# 6. Zstd: no single unique column; (store, day) is unique together.
rows = ["store,day,revenue,visits"]
for store in ["north", "south", "east"]:
    for day in range(1, 11):
        rows.append(f"{store},2024-01-{day:02d},{rnd.choice(['100.5', '250', '99.9'])},{rnd.randint(10, 20)}")
plain = os.path.join(HERE, "daily_sales.csv")
write("daily_sales.csv", "\n".join(rows) + "\n")
subprocess.run(["zstd", "-q", "-f", "-19", plain, "-o", plain + ".zst"], check=True)
os.remove(plain)

# 7. Wide: 60 columns of measurements.
header = ["reading_id"] + [f"sensor_{i:02d}" for i in range(1, 60)]
rows = [",".join(header)]
for r in range(15):
    rows.append(",".join([str(r + 1)] + [f"{rnd.uniform(-100, 100):.3f}" for _ in range(59)]))
write("wide.csv", "\n".join(rows) + "\n")

# 8. Narrow: one column of UUID-like ids.
rows = ["uuid"] + ["%08x-%04x-%04x" % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16))
                   for _ in range(12)]
write("narrow.csv", "\n".join(rows) + "\n")

# 9. No key at all: every column repeats.
rows = ["color,size"] + [f"{c},{s}" for c in ["red", "blue"] for s in ["S", "M"]] * 2
write("no_key.csv", "\n".join(rows) + "\n")

# 10. Messy: blank lines, a repeated and an empty header name, a row with an extra field,
#     numbers with a stray "n/a", padded text, a header name that collides after normalizing.
write("messy.csv",
      "\n"
      "Ticket ID,Status,Status,,Amount,amount,Notes\n"
      "T-1,open,new,x,10.5,1,  padded  \n"
      "T-2,closed,old,y,n/a,2,\n"
      "\n"
      "T-3,open,new,z,7,3,\"multi\nline\"\n"
      "T-4,open,new,w,8,4,extra,field\n"
      "T-5,closed,old,v,9.25,5,last\n")

# 11. Single-quote quoting (some database exports).
rows = ["id,label,qty"]
for i in range(10):
    rows.append(f"{i + 1},'{rnd.choice(['a, b', 'c', 'd, e, f'])}',{rnd.randint(1, 9)}")
write("single_quote.csv", "\n".join(rows) + "\n")

# --- Typed fixtures: BOOL, M, L, NULL (need the typed mapping options) ---

# 12. Booleans in four vocabularies, and a 0/1 column that is a count.
rows = ["user_id,verified,newsletter,is_admin,children,vip"]
for i in range(20):
    rows.append(f"u{i},{rnd.choice(['true', 'false', 'TRUE', 'False'])},{rnd.choice(['yes', 'no', 'Yes'])},"
                f"{i % 2},{rnd.choice(['0', '1'])},{rnd.choice(['Y', 'N'])}")
write("booleans.csv", "\n".join(rows) + "\n")

# 13. JSON cells: objects and arrays, nested, numbers at DynamoDB's edges.
rows = ["event_id,payload,tags"]
for i in range(12):
    payload = {"n": i, "price": rnd.randint(1, 10**6) / 100, "ok": i % 2 == 0, "none": None,
               "nested": {"list": [1, "two", {"three": 3}], "big": int("9" * 38)}}
    if i == 3:
        payload["edge"] = 1e-130
    tags = rnd.sample(["a", "b", "c", "d"], k=rnd.randint(0, 3))
    rows.append(f"{i},{q(json.dumps(payload))},{q(json.dumps(tags))}")
write("json_cells.csv", "\n".join(rows) + "\n")

# 14. Null markers and empty cells: \N in a number column, NULL in a text column, empty cells.
rows = ["id,age,nickname,city"]
for i in range(16):
    age = rnd.choice(["\\N", str(rnd.randint(18, 90)), ""])
    nick = rnd.choice(["NULL", "ace", "bee", ""])
    rows.append(f"{i + 1},{age},{nick},{rnd.choice(['Oslo', 'Lima', ''])}")
write("nulls.csv", "\n".join(rows) + "\n")

# 15. A MySQL-style dump: tab-separated, no header, \N for NULL.
rows = []
NULL = "\\N"
for i in range(14):
    value = rnd.choice([NULL, str(rnd.randint(1, 99))])
    rows.append(f"{i + 1}\t{rnd.choice(['alpha', 'beta'])}\t{value}\t{rnd.choice(['0', '1'])}")
write("mysql_dump.tsv", "\n".join(rows) + "\n")

# 16. Sets, binary and "NA": JSON arrays of distinct strings (SS) and numbers (NS), base64 in a
# column whose name says so (B), numbers with "NA" for no value (N, null_marker "NA"), "NA" as a
# real value among words (S, no marker), and arrays with a duplicate (stay L).
import base64  # noqa: E402
rows = ["order_id,labels,sizes,thumbnail_base64,score,region,steps"]
for i in range(18):
    labels = rnd.sample(["red", "green", "blue", "gift", "fragile"], k=rnd.randint(1, 3))
    sizes = rnd.sample([1, 2.5, 10, 42, -3], k=rnd.randint(1, 3))
    thumb = base64.b64encode(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(6, 30)))).decode()
    score = "NA" if i % 4 == 1 else str(rnd.randint(0, 100))
    steps = ["pick", "pack", "pick"] if i % 5 == 0 else ["pick", "ship"]
    rows.append(f"{i + 1},{q(json.dumps(labels))},{q(json.dumps(sizes))},{thumb},{score},"
                f"{rnd.choice(['NA', 'EU', 'APAC'])},{q(json.dumps(steps))}")
write("sets_binary_na.csv", "\n".join(rows) + "\n")
