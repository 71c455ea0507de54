"""A unittest base for the tests of loadtest's Python tools against stand-in benchmark binaries.

The tests of loadtest/paired-runs and loadtest/spread write a small Python script in place of a
Google Benchmark binary (STAND_IN in each test, a format string given reps, log and fail), run the
tool on it, and read what the stand-in logged, one JSON object per run.
"""
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest


class StandInCase(unittest.TestCase):
    TOOL = None       # the tool under test: a path
    STAND_IN = None   # the stand-in's text, formatted with reps, log and fail

    # The end of every stand-in, after it has logged its run: exits 1 with a reason on stderr when
    # told to fail, prints nothing when reps is None (as Google Benchmark does when its filter
    # matches no benchmark), else a JSON report with each repetition's median_us and, per
    # benchmark, a median aggregate whose figure (999) would spoil any result it were read into.
    REPORT = r'''if {fail!r}:
    sys.exit("the stand-in was told to fail")  # status 1, the reason on stderr
if reps is None:
    sys.exit(0)
benchmarks = []
for name, values in reps.items():
    for v in values:
        benchmarks.append({{"name": name, "run_name": name, "run_type": "iteration", "median_us": v,
                            "real_time": 1000.0}})
    benchmarks.append({{"name": name + "_median", "run_name": name, "run_type": "aggregate",
                        "aggregate_name": "median", "median_us": 999.0}})
print(json.dumps({{"context": {{}}, "benchmarks": benchmarks}}))
'''

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def stand_in(self, name, reps, fail=False):
        """An executable stand-in at DIR/name that reports `reps`; returns it and its log's path."""
        path = os.path.join(self.dir.name, name)
        log = path + ".log"
        with open(path, "w") as f:
            f.write(self.STAND_IN.format(reps=reps, log=log, fail=fail))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path, log

    def garbage_stand_in(self, name):
        """An executable at DIR/name that exits 0 after printing something that is not JSON."""
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\necho 'Benchmark  Time  CPU  Iterations' \"{\"\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def run_tool(self, *args, env=None):
        return subprocess.run([sys.executable, self.TOOL, *args], capture_output=True, text=True, timeout=60, env=env)

    def read_log(self, log):
        with open(log) as f:
            return [json.loads(line) for line in f]
