"""A test case with one dynalite server for the class and a scratch folder per test."""
import os
import shutil
import tempfile
import unittest

import servers


class DynaliteCase(unittest.TestCase):
    """self.ddb: the class's dynalite; self.dir: an empty folder per test (self.path(name))."""

    scratch_prefix = "csv2ddb_"

    @classmethod
    def setUpClass(cls):
        cls.ddb = servers.Dynalite()
        cls.ddb.start()

    @classmethod
    def tearDownClass(cls):
        cls.ddb.stop()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=self.scratch_prefix)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)
