"""An independent reader and loader of ImportTable's DYNAMODB_JSON files (boto3
only, no csv2ddb code): what the tests compare csv2ddb's import:// output with.

    items = read_import_file(data, "GZIP")        # [{"pk": {"S": ...}, ...}]
    typed = [deserialize(i) for i in items]       # boto3 TypeDeserializer
    load_items(client, "table", items)            # BatchWriteItem, retried
    scan_typed(client, "table", ["pk", "sk"])     # {(pk, sk): typed item}
"""
import gzip
import json

from boto3.dynamodb.types import TypeDeserializer

_DESERIALIZER = TypeDeserializer()


def decompress(data, compression):
    if compression == "GZIP":
        return gzip.decompress(data)
    if compression == "ZSTD":
        import subprocess
        return subprocess.run(["zstd", "-d", "-c", "-q"], input=data, capture_output=True,
                              check=True).stdout
    if compression == "NONE":
        return data
    raise ValueError("unknown compression " + compression)


def read_import_file(data, compression):
    """The items of one file: each line is {"Item": {...}} and nothing else."""
    items = []
    for line in decompress(data, compression).decode("utf-8").splitlines():
        doc = json.loads(line)
        if set(doc) != {"Item"}:
            raise ValueError("a line that is not {\"Item\": ...}: " + line[:200])
        items.append(doc["Item"])
    return items


def deserialize(item):
    return {k: _DESERIALIZER.deserialize(v) for k, v in item.items()}


def load_items(client, table, items):
    """BatchWriteItem in 25s, re-sending UnprocessedItems."""
    for i in range(0, len(items), 25):
        pending = [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]
        while pending:
            out = client.batch_write_item(RequestItems={table: pending})
            pending = out.get("UnprocessedItems", {}).get(table, [])


def key_of(typed, key_names):
    return tuple(typed[k] for k in key_names)


def scan_typed(client, table, key_names):
    got, kw = {}, {"TableName": table}
    while True:
        page = client.scan(**kw)
        for it in page["Items"]:
            typed = deserialize(it)
            got[key_of(typed, key_names)] = typed
        if "LastEvaluatedKey" not in page:
            return got
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def sqlite_typed(path, table, key_names):
    """The embedded target's table, typed the same way."""
    import sqlite3
    con = sqlite3.connect(path)
    try:
        out = {}
        for (item,) in con.execute('SELECT item FROM "%s"' % table):
            typed = deserialize(json.loads(item))
            out[key_of(typed, key_names)] = typed
        return out
    finally:
        con.close()
