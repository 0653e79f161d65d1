"""Paths the end-to-end suites share: the binary under test (CSV2DDB_BIN, set
by CTest), the source tree, the real EV sample and its mapping."""
import atexit
import os
import shutil
import tempfile

from servers import SOURCE_DIR as SRC  # noqa: F401

BIN = os.path.abspath(os.environ.get("CSV2DDB_BIN", "build/csv2ddb"))
SAMPLE = os.path.join(SRC, "examples", "ev_population_sample.csv")
EV_MAPPING = os.path.join(SRC, "examples", "ev_population.toml")
TABLE = "tb_ev_vehicle_data"

# A path that names no file: for AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
# when a suite must not read the machine's AWS configuration. It lies in a
# directory this process just made, so nothing on the machine (such as a
# stray "/nonexistent") can turn it into a file or a directory.
_NO_FILE_DIR = tempfile.mkdtemp(prefix="csv2ddb-nofile-")
atexit.register(shutil.rmtree, _NO_FILE_DIR, ignore_errors=True)
NO_FILE = os.path.join(_NO_FILE_DIR, "absent")
