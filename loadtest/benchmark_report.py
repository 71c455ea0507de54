"""Google Benchmark's JSON report, and the host a figure came from, for loadtest's Python tools.

loadtest/spread and loadtest/paired-runs import this (it sits beside them). Neither reads the
report's aggregates: they aggregate the repetitions themselves, over their own protocol.
"""
import json
import os


class ReportError(Exception):
    """A benchmark binary's output was not a report the tools can read; the message says why."""


def parse_report(text, binary, benchmark_filter):
    """The report a binary printed, as a dict. Raises ReportError when there is none to read."""
    if not text.strip():  # Google Benchmark prints nothing when the filter matches no benchmark
        raise ReportError(f"{binary} ran no benchmark matching {benchmark_filter!r}")
    try:
        report = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReportError(f"{binary} printed no JSON report: {e}") from e
    if not isinstance(report, dict):
        raise ReportError(f"{binary} printed no JSON report: a {type(report).__name__}, not an object")
    return report


def iteration_values(report, counter):
    """Each repetition's `counter` (else real_time), per benchmark name, in run order.

    Aggregate entries (mean, median, stddev, cv) are skipped; a repetition with neither figure is
    left out rather than read as zero.
    """
    values = {}
    for b in report.get("benchmarks", []):
        if not isinstance(b, dict) or b.get("run_type") != "iteration":
            continue
        name = b.get("run_name") or b.get("name")
        value = b[counter] if counter in b else b.get("real_time")
        if name is None or value is None:
            continue
        values.setdefault(name, []).append(float(value))
    return values


def cpu_model(cpuinfo="/proc/cpuinfo"):
    """The first processor's model name, or "unknown CPU" where the file does not say."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    return "unknown CPU"


def load_average():
    """The 1-, 5- and 15-minute load averages as one string, or "unknown" where there are none."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def host_line(load_at_start, load_at_end=None):
    """One line naming the host of a run, so that its figures can be compared with other runs'.

    A figure that does not name its machine cannot be told apart from a slower machine's. The load
    averages count this machine's own processes only (a virtual machine does not see the host's
    other tenants): they show whether a build or a test run here ran beside the figures."""
    line = f"host: {cpu_model()}, {os.cpu_count()} CPUs, load average {load_at_start} at the start"
    if load_at_end is not None:
        line += f", {load_at_end} at the end"
    return line
