"""The reference Lambda's per-row logic, shared by the Python baselines:
attribute names lowercased with ' ' -> '_', the key prefixed with 'A_', all
values kept as strings; a row with a missing or blank key is an error."""

KEY_COLUMN = "DOL Vehicle ID"
KEY_ATTRIBUTE = "dol_vehicle_id"
KEY_PREFIX = "A_"


def transform(row):
    item = {}
    for name, value in row.items():
        attr = name.lower().replace(" ", "_")
        value = "" if value is None else str(value)
        if attr == KEY_ATTRIBUTE:
            value = KEY_PREFIX + value
        item[attr] = value
    return item
