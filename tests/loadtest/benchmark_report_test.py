#!/usr/bin/env python3
"""loadtest/benchmark_report.py: reading Google Benchmark's report, and naming the host.

Usage: python3 tests/loadtest/benchmark_report_test.py    (ctest: benchmark_report_test, unit)

Checked: which entries of a report are read (repetitions, not aggregates; the counter, else
real_time; none read as zero), the errors for output that is no report (nothing, not JSON, JSON
that is not an object), and the host line from a /proc/cpuinfo of known content.
"""
import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "loadtest"))
import benchmark_report  # noqa: E402
from benchmark_report import ReportError, cpu_model, host_line, iteration_values, parse_report  # noqa: E402


def rep(name, **figures):
    return dict({"name": name, "run_name": name, "run_type": "iteration"}, **figures)


class IterationValuesTest(unittest.TestCase):
    def test_repetitions_in_run_order_and_no_aggregates(self):
        report = {"benchmarks": [
            rep("BM_A", median_us=3.0, real_time=100.0),
            rep("BM_B", median_us=0.5),
            rep("BM_A", median_us=1.0),
            {"name": "BM_A_median", "run_name": "BM_A", "run_type": "aggregate", "median_us": 999.0},
            rep("BM_A", median_us=2),
        ]}
        self.assertEqual(iteration_values(report, "median_us"), {"BM_A": [3.0, 1.0, 2.0], "BM_B": [0.5]})

    def test_real_time_where_the_counter_is_missing(self):
        report = {"benchmarks": [rep("BM_A", real_time=7.5), rep("BM_A", median_us=2.0, real_time=9.0)]}
        self.assertEqual(iteration_values(report, "median_us"), {"BM_A": [7.5, 2.0]})

    def test_an_entry_without_a_figure_or_a_name_is_left_out_not_read_as_zero(self):
        report = {"benchmarks": [rep("BM_A"), {"run_type": "iteration", "median_us": 4.0}, "junk",
                                 rep("BM_A", median_us=None, real_time=None), rep("BM_A", median_us=1.0)]}
        self.assertEqual(iteration_values(report, "median_us"), {"BM_A": [1.0]})

    def test_name_without_run_name(self):
        report = {"benchmarks": [{"name": "BM_Old", "run_type": "iteration", "real_time": 5.0}]}
        self.assertEqual(iteration_values(report, "median_us"), {"BM_Old": [5.0]})

    def test_a_report_without_benchmarks(self):
        self.assertEqual(iteration_values({"context": {}}, "median_us"), {})


class ParseReportTest(unittest.TestCase):
    def test_a_report(self):
        self.assertEqual(parse_report('{"benchmarks": []}\n', "bench", "BM_"), {"benchmarks": []})

    def test_nothing_printed_names_the_filter(self):
        with self.assertRaisesRegex(ReportError, r"^bench ran no benchmark matching 'BM_X\$'$"):
            parse_report(" \n", "bench", "BM_X$")

    def test_not_json(self):
        with self.assertRaisesRegex(ReportError, r"^bench printed no JSON report: "):
            parse_report("Benchmark  Time  CPU\n{", "bench", "BM_")

    def test_json_that_is_not_an_object(self):
        with self.assertRaisesRegex(ReportError, r"^bench printed no JSON report: a list, not an object$"):
            parse_report("[1, 2]", "bench", "BM_")


class HostTest(unittest.TestCase):
    def cpuinfo(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".cpuinfo", delete=False)
        self.addCleanup(os.unlink, f.name)
        f.write(text)
        f.close()
        return f.name

    def test_the_first_model_name(self):
        path = self.cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\n"
                            "processor\t: 1\nmodel name\t: Other\n")
        self.assertEqual(cpu_model(path), "AMD EPYC 7B13")

    def test_no_model_name_or_no_file(self):
        self.assertEqual(cpu_model(self.cpuinfo("processor\t: 0\nCPU part\t: 0xd0c\n")), "unknown CPU")
        self.assertEqual(cpu_model("/nonexistent/cpuinfo"), "unknown CPU")

    def test_host_line(self):
        model, cpus = cpu_model(), os.cpu_count()
        self.assertEqual(host_line("0.10 0.20 0.30"),
                         f"host: {model}, {cpus} CPUs, load average 0.10 0.20 0.30 at the start")
        self.assertEqual(host_line("0.10 0.20 0.30", "1.00 0.50 0.40"),
                         f"host: {model}, {cpus} CPUs, load average 0.10 0.20 0.30 at the start, "
                         "1.00 0.50 0.40 at the end")

    def test_load_average_has_three_figures(self):
        self.assertRegex(benchmark_report.load_average(), r"^(\d+\.\d\d \d+\.\d\d \d+\.\d\d|unknown)$")


if __name__ == "__main__":
    unittest.main()
