#!/usr/bin/env python3
"""loadtest/paired-runs against stand-in benchmark binaries with known figures.

Usage: python3 tests/loadtest/paired_runs_test.py    (ctest: paired_runs_test, unit)

The stand-ins are small scripts that print a Google Benchmark JSON report: repetitions of one or
two benchmarks with a median_us counter (and aggregates, which the tool must ignore), the figures
chosen so that every median and ratio is known. Checked: the per-round lines and the summary
(medians over repetitions, not means; aggregates ignored; AFTER / BEFORE), that the two runs of a
round overlap in time, that the cores swap between rounds, and the failures: a binary that exits
non-zero or prints no benchmark (status 3), and bad arguments (status 2).
"""
import os
import unittest

from stand_in_case import StandInCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "loadtest", "paired-runs")

# A stand-in: prints a report with the given repetitions per benchmark (median_us values), plus
# aggregate entries whose figures would spoil the result if they were read. It records when it
# ran and its arguments in LOG, and sleeps so that two runs of one round overlap.
STAND_IN = r'''#!/usr/bin/env python3
import json, os, sys, time
reps = {reps!r}
start = time.time()
time.sleep(0.3)
with open({log!r}, "a") as f:
    f.write(json.dumps({{"argv": sys.argv[1:], "start": start, "end": time.time(),
                        "cpus": sorted(os.sched_getaffinity(0))}}) + "\n")
''' + StandInCase.REPORT


class PairedRunsTest(StandInCase):
    TOOL = TOOL
    STAND_IN = STAND_IN

    def test_medians_ratios_and_summary(self):
        # Medians: before A 10 (of 9, 10, 40), B 4; after A 5 (of 5, 5, 1), B 6.
        before, log_b = self.stand_in("before", {"BM_A": [9.0, 10.0, 40.0], "BM_B": [4.0, 4.0, 4.0]})
        after, log_a = self.stand_in("after", {"BM_A": [5.0, 5.0, 1.0], "BM_B": [6.0, 6.0, 6.0]})
        r = self.run_tool(before, after, "--rounds", "2", "--repetitions", "3", "--filter", "BM_")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertIn("round 1 BM_A: before 10.000 (core 0) after 5.000 (core 1) ratio 0.500", lines)
        self.assertIn("round 2 BM_A: before 10.000 (core 1) after 5.000 (core 0) ratio 0.500", lines)
        self.assertIn("round 1 BM_B: before 4.000 (core 0) after 6.000 (core 1) ratio 1.500", lines)
        self.assertIn("BM_A: 2 rounds, median ratio 0.500, pooled medians 10.000 -> 5.000", lines)
        self.assertIn("BM_B: 2 rounds, median ratio 1.500, pooled medians 4.000 -> 6.000", lines)
        # The host line comes before the summary, so a summary always names its machine.
        host = [i for i, line in enumerate(lines) if line.startswith("host: ")]
        self.assertEqual(len(host), 1, lines)
        self.assertRegex(lines[host[0]], r"^host: .+, \d+ CPUs, load average .+ at the start, .+ at the end$")
        self.assertLess(host[0], lines.index("BM_A: 2 rounds, median ratio 0.500, pooled medians 10.000 -> 5.000"))
        # The benchmark's own options reach both binaries.
        for entry in self.read_log(log_b) + self.read_log(log_a):
            self.assertIn("--benchmark_format=json", entry["argv"])
            self.assertIn("--benchmark_filter=BM_", entry["argv"])
            self.assertIn("--benchmark_repetitions=3", entry["argv"])
        # The two runs of each round overlap in time, and each is pinned to its core, swapped in
        # the second round.
        rb, ra = self.read_log(log_b), self.read_log(log_a)
        self.assertEqual(len(rb), 2)
        self.assertEqual(len(ra), 2)
        for b, a in zip(rb, ra):
            self.assertLess(max(b["start"], a["start"]), min(b["end"], a["end"]))
        if len(os.sched_getaffinity(0)) >= 2 and {0, 1} <= os.sched_getaffinity(0):
            self.assertEqual([e["cpus"] for e in rb], [[0], [1]])
            self.assertEqual([e["cpus"] for e in ra], [[1], [0]])

    def test_a_failing_binary_is_an_error(self):
        good, _ = self.stand_in("good", {"BM_A": [1.0]})
        bad, _ = self.stand_in("bad", {"BM_A": [1.0]}, fail=True)
        r = self.run_tool(good, bad, "--rounds", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("exited with status 1", r.stderr)

    def test_no_benchmark_is_an_error(self):
        empty, _ = self.stand_in("empty", {})
        good, _ = self.stand_in("good", {"BM_A": [1.0]})
        r = self.run_tool(empty, good, "--rounds", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("empty ran no benchmark matching 'Synthetic_Match/1000000$'", r.stderr)
        # Google Benchmark prints nothing at all when its filter matches no benchmark.
        silent, _ = self.stand_in("silent", None)
        r = self.run_tool(good, silent, "--rounds", "1", "--filter", "nothing")
        self.assertEqual(r.returncode, 3)
        self.assertIn("silent ran no benchmark matching 'nothing'", r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_a_report_that_is_not_json_is_an_error(self):
        good, _ = self.stand_in("good", {"BM_A": [1.0]})
        garbage = self.garbage_stand_in("garbage")
        r = self.run_tool(good, garbage, "--rounds", "1")
        self.assertEqual(r.returncode, 3)
        self.assertIn("printed no JSON report", r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_usage_errors(self):
        good, _ = self.stand_in("good", {"BM_A": [1.0]})
        for args, message in [((good, "/nonexistent/binary"), "not an executable file"),
                              ((good, good, "--cores", "0"), "--cores wants two different CPU numbers"),
                              ((good, good, "--cores", "1,1"), "--cores wants two different CPU numbers"),
                              ((good, good, "--rounds", "0"), "at least 1")]:
            r = self.run_tool(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)


if __name__ == "__main__":
    unittest.main()
