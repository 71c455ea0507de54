#!/usr/bin/env python3
"""A real Prometheus with Crosscheck's shipped configuration and rules, scraping a real screener
and a real console; the "screener down" alert fires after the screener stops.

Usage: python3 tests/ops/prometheus_alert_test.py    (ctest: prometheus_alert_test, integration)

 1. A screener and a console start against the run's Kafka and Redis (own topics, group, prefix);
    the demo watchlist is published, the sample events and some malformed ones are produced.
 2. As docs/operations.md tells an operator: `crosscheck users add prometheus --role ops`, then
    `crosscheck users token prometheus` into the credentials file.
 3. ops/prometheus/ is copied as it is shipped (configuration, rules, targets layout); only the
    global scrape and evaluation intervals become 1 s and the targets files name this run's ports.
    The rule files are byte-for-byte the shipped ones. Prometheus runs on 127.0.0.1 on a free
    port with its own storage directory.
 4. Both jobs are up (the console's /metrics accepted the token); every shipped alert and recording
    rule is loaded and evaluates without error; every query of the Grafana dashboard is accepted by
    Prometheus and returns series from the live screener; no alert fires while all is well.
 5. The screener is stopped (SIGTERM: it drains and exits 0). CrosscheckScreenerDown for its
    instance goes pending and then firing, not before its `for: 1m` has elapsed (GET /api/v1/alerts),
    with its severity and runbook, and the runbook anchor exists in docs/operations.md.

The shipped rules are used unmodified, so the wait for the alert is the rule's real 1 minute plus
a scrape and an evaluation (about 62 s); the whole test takes about 75 s.
Exit codes: 0 passed, 1 failed, 77 skipped (prometheus not installed, or no servers) unless
CROSSCHECK_REQUIRE_SERVERS=1, which turns the skip into a failure.
"""
import json
import os
import re
import shutil
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yaml  # noqa: E402
from ops_testlib import (ROOT, TestFailure, check, free_port, http, main, say, skip_or_fail,  # noqa: E402
                         wait_for)

TEST = "prometheus_alert_test"
PROMETHEUS = os.environ.get("CROSSCHECK_PROMETHEUS") or shutil.which("prometheus")
if not PROMETHEUS:
    skip_or_fail(TEST, "the prometheus binary is not installed", "install Debian's prometheus (ops/install-deps does)")

SHIPPED = os.path.join(ROOT, "ops/prometheus")
DASHBOARD = os.path.join(ROOT, "ops/grafana/dashboards/crosscheck-operations.json")
FIXTURES = os.path.join(ROOT, "tests/fixtures")
ALERT = "CrosscheckScreenerDown"


def prom_query(base, expr):
    status, body = http(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr}), timeout=10)
    if status != 200:
        raise TestFailure(f"Prometheus refused the query {expr!r}: HTTP {status} {body[:500]}")
    doc = json.loads(body)
    if doc.get("status") != "success":
        raise TestFailure(f"query {expr!r} failed: {body[:500]}")
    return doc["data"]["result"]


def alerts(base, name):
    status, body = http(f"{base}/api/v1/alerts", timeout=10)
    if status != 200:
        raise TestFailure(f"GET /api/v1/alerts: HTTP {status}")
    return [a for a in json.loads(body)["data"]["alerts"] if a["labels"].get("alertname") == name or name is None]


def grafana_exprs():
    """(panel title, PromQL) of every dashboard query, with the dashboard's variables filled in as
    Grafana would for job crosscheck-screener, all instances and a 1 s scrape interval."""
    with open(DASHBOARD, encoding="utf-8") as f:
        dash = json.load(f)
    out = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            expr = (t["expr"].replace("$__rate_interval", "1m").replace("$job", "crosscheck-screener")
                    .replace("$instance", ".*"))
            if "$" in expr:
                raise TestFailure(f"dashboard query of '{p['title']}' uses a variable this test does not fill: {expr}")
            out.append((p["title"], expr))
    return out


def body(run):
    screener_port, console_port, prom_port = free_port(), free_port(), free_port()
    run.write_screener_config(screener_port, extra="")
    # Statistics every second instead of 5: consumer lag and brokers up show sooner.
    with open(run.screener_config) as f:
        text = f.read()
    with open(run.screener_config, "w") as f:
        f.write(text.replace("  topic_partitions: 2\n", "  topic_partitions: 2\n  statistics_interval_ms: 1000\n"))
    run.write_console_config(console_port)

    say("STEP the demo watchlist, a screener and a console")
    run.cli("watchlist", "load", os.path.join(FIXTURES, "watchlists/demo.json"))
    screener = run.start_screener(screener_port)
    run.start_console(console_port)

    say("STEP the Prometheus account, as docs/operations.md tells an operator")
    prom_dir = os.path.join(run.dir, "prometheus")
    shutil.copytree(SHIPPED, prom_dir, ignore=shutil.ignore_patterns("tests", "*.token"))
    token = run.issue_token("prometheus", "ops")
    token_path = os.path.join(prom_dir, "secrets", "console-ops.token")
    with open(token_path, "w") as f:
        f.write(token + "\n")
    os.chmod(token_path, 0o600)

    say("STEP Prometheus with the shipped configuration and rules (1 s intervals, this run's targets)")
    cfg_path = os.path.join(prom_dir, "prometheus.yml")
    with open(cfg_path) as f:
        cfg = yaml.safe_load(f)
    cfg["global"].update({"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"})
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    for job, port in (("crosscheck-screener", screener_port), ("crosscheck-console", console_port)):
        for sd in jobs[job]["file_sd_configs"]:
            sd["refresh_interval"] = "1s"
            for fname in sd["files"]:
                with open(os.path.join(prom_dir, fname), "w") as f:
                    yaml.safe_dump([{"targets": [f"127.0.0.1:{port}"], "labels": {"site": "test"}}], f)
    with open(cfg_path, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    for rf in cfg["rule_files"]:
        with open(os.path.join(prom_dir, rf), "rb") as a, open(os.path.join(SHIPPED, rf), "rb") as b:
            check(a.read() == b.read(), f"{rf} is the shipped file, unmodified")
    base = f"http://127.0.0.1:{prom_port}"
    prom = run.start("prometheus", [PROMETHEUS, f"--config.file={cfg_path}",
                                    f"--storage.tsdb.path={os.path.join(prom_dir, 'data')}",
                                    f"--web.listen-address=127.0.0.1:{prom_port}",
                                    "--storage.tsdb.retention.time=2h", "--log.level=warn"])
    wait_for("Prometheus is ready", lambda: run._alive(prom) and http(f"{base}/-/ready")[0] == 200, 60)

    say("STEP both jobs are scraped: the screener, and the console with the ops token")
    for job in ("crosscheck-screener", "crosscheck-console"):
        wait_for(f"up{{job={job!r}}} is 1",
                 lambda: [r for r in prom_query(base, f'up{{job="{job}"}}') if r["value"][1] == "1"], 30)
        check(True, f"Prometheus scrapes {job}")
    console_series = prom_query(base, 'crosscheck_console_ws_clients{job="crosscheck-console"}')
    check(len(console_series) == 1, "the console's own metrics arrive through the authenticated scrape")

    say("STEP events, once Prometheus has samples from before them (counters must move between scrapes)")
    t = run.topics
    run.produce(t["itineraries"], open(os.path.join(FIXTURES, "events/itineraries.jsonl")).readlines())
    run.produce(t["manifests"], open(os.path.join(FIXTURES, "events/manifests.jsonl")).readlines())
    run.produce(t["payments"], open(os.path.join(FIXTURES, "events/payments.jsonl")).readlines())
    run.produce(t["itineraries"], open(os.path.join(FIXTURES, "malformed/itineraries.jsonl")).readlines())

    say("STEP every shipped rule is loaded and evaluates without error")
    shipped_alerts, shipped_records = set(), set()
    for rf in cfg["rule_files"]:
        for g in yaml.safe_load(open(os.path.join(SHIPPED, rf)))["groups"]:
            for r in g["rules"]:
                (shipped_alerts if "alert" in r else shipped_records).add(r.get("alert") or r.get("record"))

    def rules_evaluated():
        doc = json.loads(http(f"{base}/api/v1/rules", timeout=10)[1])
        rules = [r for g in doc["data"]["groups"] for r in g["rules"]]
        return rules if all(r.get("lastEvaluation", "").startswith("2") and not r["lastEvaluation"].startswith("0001")
                            for r in rules) and rules else None
    rules = wait_for("every rule has been evaluated", rules_evaluated, 30)
    loaded_alerts = {r["name"] for r in rules if r["type"] == "alerting"}
    loaded_records = {r["name"] for r in rules if r["type"] == "recording"}
    check(loaded_alerts == shipped_alerts, f"the {len(shipped_alerts)} shipped alert rules are loaded",
          f"{sorted(loaded_alerts)} vs {sorted(shipped_alerts)}")
    check(loaded_records == shipped_records, f"the {len(shipped_records)} shipped recording rules are loaded")
    bad = [(r["name"], r.get("lastError")) for r in rules if r.get("health") != "ok"]
    check(not bad, "every rule evaluates without error", str(bad))

    say("STEP the Grafana dashboard's queries against the live screener")
    # Every panel should show data for a screener that has screened events: wait until each does.
    for title, expr in grafana_exprs():
        series = wait_for(f"'{title}': {expr} returns series", lambda: prom_query(base, expr), 60, every=1)
        check(True, f"dashboard '{title}': {len(series)} series for {expr[:90]}")
    for rec in ("instance_topic:crosscheck_events_consumed:rate1m", "instance:crosscheck_end_to_end_latency_seconds:p99_1m",
                "job_topic_partition:crosscheck_consumer_lag:max", "job_list:crosscheck_watchlist_age_seconds:min"):
        wait_for(f"recording rule {rec} has series", lambda: prom_query(base, rec), 30, every=1)
        check(True, f"recording rule {rec} produces series")
    consumed = prom_query(base, 'sum(crosscheck_events_consumed_total{job="crosscheck-screener"})')
    check(consumed and float(consumed[0]["value"][1]) > 0, "the screener consumed events", str(consumed))

    firing = [a for a in alerts(base, None) if a["state"] == "firing"]
    check(not firing, "no alert fires while the screener, the console, Kafka and Redis are up",
          json.dumps([a["labels"] for a in firing]))
    check(not alerts(base, ALERT), f"{ALERT} is neither pending nor firing while the screener is up")

    say("STEP the screener stops (SIGTERM: drain, commit, exit 0); the alert must follow")
    instance = f"127.0.0.1:{screener_port}"
    code = screener.stop()
    stopped = time.monotonic()
    check(code == 0, "the screener drained and exited 0", str(code))
    seen = {}

    def state():
        for a in alerts(base, ALERT):
            if a["labels"].get("instance") == instance:
                seen.setdefault(a["state"], (time.monotonic() - stopped, a))
                if a["state"] == "firing":
                    return a
        return None
    fired = wait_for(f"{ALERT} for {instance} fires", state, 150, every=0.5)
    pending_at = seen.get("pending", (None,))[0]
    firing_at = seen["firing"][0]
    say(f"  {ALERT}: pending {pending_at:.1f} s and firing {firing_at:.1f} s after the screener stopped"
        if pending_at is not None else f"  {ALERT}: firing {firing_at:.1f} s after the screener stopped")
    check(pending_at is not None and pending_at < firing_at, f"{ALERT} went pending before it fired")
    check(firing_at >= 59, f"{ALERT} waited its `for: 1m` before firing ({firing_at:.1f} s)")
    check(fired["labels"].get("severity") == "critical" and fired["labels"].get("job") == "crosscheck-screener",
          "the alert carries severity critical and the job", json.dumps(fired["labels"]))
    runbook = fired["annotations"].get("runbook", "")
    anchor = runbook.split("#", 1)[1] if "#" in runbook else ""
    ops_doc = open(os.path.join(ROOT, "docs/operations.md"), encoding="utf-8").read()
    headings = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", ops_doc, re.M)}
    check(anchor in headings, f"the runbook {runbook} names a heading of docs/operations.md")
    others = [a for a in alerts(base, "CrosscheckNoScreenerUp")]
    check(others and others[0]["state"] == "pending",
          "CrosscheckNoScreenerUp (for: 2m) is pending: no screener of the job is up", json.dumps(others))


if __name__ == "__main__":
    main(TEST, body)
