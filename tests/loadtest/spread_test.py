#!/usr/bin/env python3
"""loadtest/spread against stand-in benchmark binaries with known figures.

Usage: python3 tests/loadtest/spread_test.py    (ctest: spread_test, unit)

The stand-in is a small script that prints a Google Benchmark JSON report: repetitions of one or
two benchmarks with a median_us counter (and aggregates, which the tool must ignore), chosen so
that every median, range and count above a limit is known. Checked: those figures, the options
that reach the benchmark (repetitions interleaved at random), the pinning, that the streaming
neighbour runs on its own core while the benchmark runs and is gone afterwards, and the failures:
a binary that exits non-zero, prints nothing or no benchmark, or a neighbour that stops early
(status 3), and bad arguments (status 2).
"""
import os
import unittest

from stand_in_case import StandInCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "loadtest", "spread")

# A stand-in: records its arguments, its CPUs and the dd processes running while it runs (their
# command lines and CPUs) in LOG, then prints a report with the given repetitions per benchmark,
# plus aggregate entries whose figures would spoil the result if they were read.
STAND_IN = r'''#!/usr/bin/env python3
import json, os, sys, time
reps = {reps!r}
time.sleep(0.3)  # time for a neighbour to start
neighbours = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open(f"/proc/{{pid}}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        if argv and os.path.basename(argv[0]) == b"dd":
            neighbours.append({{"pid": int(pid), "argv": [a.decode() for a in argv if a],
                                "cpus": sorted(os.sched_getaffinity(int(pid)))}})
    except OSError:
        pass
with open({log!r}, "a") as f:
    f.write(json.dumps({{"argv": sys.argv[1:], "cpus": sorted(os.sched_getaffinity(0)),
                        "neighbours": neighbours}}) + "\n")
''' + StandInCase.REPORT


# The host's CPU, CPUs and load averages (three figures each) before and after the run.
HOST_LINE = (r"^host: .+, \d+ CPUs, load average (\d+\.\d\d \d+\.\d\d \d+\.\d\d|unknown) at the start, "
             r"(\d+\.\d\d \d+\.\d\d \d+\.\d\d|unknown) at the end$")


def two_cores():
    return {0, 1} <= os.sched_getaffinity(0)


class SpreadTest(StandInCase):
    TOOL = TOOL
    STAND_IN = STAND_IN

    def test_medians_ranges_and_counts_above_the_limit(self):
        # BM_Match: median 28 of (25, 27, 28, 31, 35), two above 30; BM_Base: median 0.4.
        bench, log = self.stand_in("bench", {"BM_Match": [31.0, 25.0, 28.0, 35.0, 27.0], "BM_Base": [0.3, 0.5, 0.4]})
        r = self.run_tool(bench, "--filter", "BM_", "--repetitions", "5", "--min-time", "2", "--limit", "30")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertIn("BM_Match: median 28.000, range 25.000-35.000, 5 repetitions, 2 above 30", lines)
        self.assertIn("BM_Base: median 0.400, range 0.300-0.500, 3 repetitions, 0 above 30", lines)
        self.assertRegex(lines[0], r"^spread \d\d:\d\d:\d\d-\d\d:\d\d:\d\d UTC, core 1, neighbour none, "
                                   r"5 repetitions of 2 s, counter median_us$")
        self.assertRegex(lines[1], HOST_LINE)
        [entry] = self.read_log(log)
        for arg in ("--benchmark_format=json", "--benchmark_filter=BM_", "--benchmark_repetitions=5",
                    "--benchmark_enable_random_interleaving=true", "--benchmark_min_time=2"):
            self.assertIn(arg, entry["argv"])
        self.assertEqual(entry["neighbours"], [])
        if two_cores():
            self.assertEqual(entry["cpus"], [1])

    def test_without_a_limit_nothing_is_counted(self):
        bench, _ = self.stand_in("bench", {"BM_Match": [2.0, 1.0, 3.0]})
        r = self.run_tool(bench, "--repetitions", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("BM_Match: median 2.000, range 1.000-3.000, 3 repetitions", r.stdout.splitlines())

    @unittest.skipUnless(two_cores(), "the neighbour needs CPUs 0 and 1, and this process may not use both")
    def test_the_streaming_neighbour_runs_beside_the_benchmark_and_stops(self):
        bench, log = self.stand_in("bench", {"BM_Match": [1.0]})
        r = self.run_tool(bench, "--repetitions", "1", "--neighbour", "stream")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("neighbour stream on core 0", r.stdout.splitlines()[0])
        [entry] = self.read_log(log)
        self.assertEqual(entry["cpus"], [1])
        streams = [n for n in entry["neighbours"] if n["argv"][1:] == ["if=/dev/zero", "of=/dev/null", "bs=256M"]]
        self.assertEqual(len(streams), 1, entry["neighbours"])
        self.assertEqual(streams[0]["cpus"], [0])
        self.assertFalse(os.path.exists(f"/proc/{streams[0]['pid']}"), "the neighbour outlived the run")

    @unittest.skipUnless(two_cores(), "the neighbour needs CPUs 0 and 1, and this process may not use both")
    def test_a_neighbour_that_stops_early_voids_the_run(self):
        # A dd first on PATH that exits at once: the figures would be a quiet machine's.
        fake = os.path.join(self.dir.name, "bin")
        os.mkdir(fake)
        with open(os.path.join(fake, "dd"), "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(os.path.join(fake, "dd"), 0o755)
        bench, _ = self.stand_in("bench", {"BM_Match": [1.0]})
        env = dict(os.environ, PATH=fake + os.pathsep + os.environ.get("PATH", ""))
        r = self.run_tool(bench, "--repetitions", "1", "--neighbour", "stream", env=env)
        self.assertEqual(r.returncode, 3, r.stdout)
        self.assertIn("the neighbour stopped before the benchmark did", r.stderr)
        self.assertNotIn("BM_Match", r.stdout)

    def test_failures(self):
        bench, _ = self.stand_in("bench", {"BM_Match": [1.0]}, fail=True)
        r = self.run_tool(bench, "--repetitions", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("exited with status 1:\nthe stand-in was told to fail", r.stderr)
        silent, _ = self.stand_in("bench", None)
        r = self.run_tool(silent, "--filter", "nothing", "--repetitions", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("ran no benchmark matching 'nothing'", r.stderr)
        garbage = self.garbage_stand_in("garbage")
        r = self.run_tool(garbage, "--repetitions", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("printed no JSON report", r.stderr)
        self.assertNotIn("Traceback", r.stderr)
        empty, _ = self.stand_in("bench", {})
        r = self.run_tool(empty, "--repetitions", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("ran no benchmark matching", r.stderr)

    def test_usage_errors(self):
        bench, _ = self.stand_in("bench", {"BM_Match": [1.0]})
        for args, message in [(("/nonexistent/binary",), "not an executable file"),
                              ((bench, "--repetitions", "0"), "at least 1"),
                              ((bench, "--core", "x"), "want a CPU number"),
                              ((bench, "--neighbour", "stream", "--core", "0"), "a core of its own"),
                              ((bench, "--neighbour", "loud"), "invalid choice")]:
            r = self.run_tool(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)


if __name__ == "__main__":
    unittest.main()
