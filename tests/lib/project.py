"""Paths the end-to-end suites share: the binary under test (CSV2DDB_BIN, set
by CTest), the source tree, the real EV sample and its mapping."""
import os

from servers import SOURCE_DIR as SRC  # noqa: F401

BIN = os.path.abspath(os.environ.get("CSV2DDB_BIN", "build/csv2ddb"))
SAMPLE = os.path.join(SRC, "examples", "ev_population_sample.csv")
EV_MAPPING = os.path.join(SRC, "examples", "ev_population.toml")
TABLE = "tb_ev_vehicle_data"
