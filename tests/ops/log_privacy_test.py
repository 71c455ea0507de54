#!/usr/bin/env python3
"""Structured logs, and no personal data in them: a real screener and a real console at info level
handle a flag for a subject with a distinctive name, and neither process's log holds that name.

Usage: python3 tests/ops/log_privacy_test.py    (ctest: log_privacy_test, integration)

 1. A watchlist with one invented person (a name, date of birth and passport number that occur
    nowhere else) is published; a screener and a console start at log level info.
 2. Through Kafka (`crosscheck produce`):
      - an itinerary with that person: screened, flagged to the border queue, stored by the console;
      - the same person in an itinerary with an impossible date of birth: dead-lettered by the
        screener (the dead-letter record carries the original bytes, the log must not);
      - a record on the border flags topic that is JSON but not a flag and holds the name, and
        the real flag with the name in its severity: both refused and dead-lettered by the
        console (its warnings must not quote the records).
 3. The flag arrived: an officer of the border queue sees the alert with the subject's name
    (GET /api/alerts); both dead-letter topics hold their record.
 4. Both processes stop on SIGTERM (their shutdown lines are part of the logs), then every line of
    both logs must be a JSON object with ts, level (info, warn or error: nothing below the
    configured level), component and msg; every line about one record names it (a flag id, an
    event id, or topic, partition and offset); and no line holds any part of the person's name,
    date of birth or passport number, in any letter case.

Exit codes: 0 passed, 1 failed, 77 skipped (no Kafka/Redis given and CROSSCHECK_REQUIRE_SERVERS is
not 1).
"""
import base64
import json
import os
import re
import sys
import time
from datetime import datetime, timedelta, timezone

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_testlib import TestFailure, check, free_port, http, main, say, wait_for  # noqa: E402

TEST = "log_privacy_test"
SURNAME, GIVEN = "QUIRINDELLO", "PERPETUA ZENOBIA"
DOB, PASSPORT = "1967-03-14", "QZ7401953"
# Any of these in a log line is a leak (matched case-insensitively).
SECRETS = [SURNAME, "PERPETUA", "ZENOBIA", PASSPORT, DOB, "19670314", "670314"]
LEVELS = {"info", "warn", "error"}


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def itinerary(event_id, dob):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return json.dumps({
        "schema_version": "1.0", "event_id": event_id, "event_time": iso(now),
        "flight": {"carrier": "OS", "number": "193", "departure_airport": "VIE", "arrival_airport": "BKK",
                   "scheduled_departure": iso(now + timedelta(hours=6)),
                   "scheduled_arrival": iso(now + timedelta(hours=16))},
        "passengers": [
            {"surname": SURNAME, "given_names": GIVEN, "date_of_birth": dob, "sex": "F", "nationality": "AUT",
             "document": {"type": "P", "number": PASSPORT, "issuing_state": "AUT", "expiry": "2031-05-01"}},
            {"surname": "MEIER", "given_names": "JONAS", "date_of_birth": "1990-01-02", "sex": "M", "nationality": "DEU",
             "document": {"type": "P", "number": "C01X00T47", "issuing_state": "DEU", "expiry": "2030-07-31"}},
        ],
    }, separators=(",", ":"))


def original(deadletter_json):
    """The original bytes a dead-letter record carries (docs/events.md: original_base64)."""
    return base64.b64decode(json.loads(deadletter_json)["original_base64"]).decode("utf-8", "replace")


def body(run):
    screener_port, console_port = free_port(), free_port()
    run.write_screener_config(screener_port, log_level="info")
    run.write_console_config(console_port, log_level="info")

    say("STEP a watchlist with one invented person, a screener and a console at log level info")
    listfile = os.path.join(run.dir, "privacy-list.json")
    with open(listfile, "w") as f:
        json.dump({"list_id": "privacy-test", "name": "Log privacy test list (invented)", "source": "tests/ops",
                   "entries": [{"id": "PRIV-P-0001", "type": "person", "names": [f"{GIVEN.title()} {SURNAME}"],
                                "dates_of_birth": [DOB], "nationalities": ["AUT"],
                                "documents": [{"type": "passport", "number": PASSPORT, "country": "AUT"}],
                                "remarks": "Invented for the log privacy test."}]}, f)
    run.cli("watchlist", "load", listfile)
    screener = run.start_screener(screener_port)
    console = run.start_console(console_port)
    officer = run.issue_token("privacy-officer", "officer", ["border"])

    say("STEP a flag, a dead letter in the screener, a refused record in the console")
    t = run.topics
    good_id, bad_id = f"{run.stem}-itn-1", f"{run.stem}-itn-2"
    run.produce(t["itineraries"], [itinerary(good_id, DOB), itinerary(bad_id, "1967-02-30")])
    run.produce(run.flags_prefix + "border",
                [json.dumps({"note": "not a flag", "subject": {"name": f"{GIVEN} {SURNAME}", "document": PASSPORT}})])

    say("STEP the flag reached the officer; both dead-letter topics hold their record")

    def alert():
        status, text = http(f"http://127.0.0.1:{console_port}/api/alerts?queue=border", token=officer)
        if status != 200:
            return None
        found = [a for a in json.loads(text)["alerts"] if SURNAME in (a.get("subject_name") or "").upper()]
        return found[0] if found else None
    a = wait_for("the alert for the listed passenger is in the console", alert, 60, every=0.5)
    check(a["queue"] == "border" and a["list_id"] == "privacy-test",
          f"the officer sees the alert {a['flag_id']} naming the subject (the flag itself carries the name)",
          json.dumps(a))
    flag_ids = {a["flag_id"]}
    dead = [original(r) for r in run.read_topic(t["deadletter"], 1)]
    check(len(dead) == 1 and bad_id in dead[0], "the screener dead-lettered the itinerary with the impossible date")
    # A flag-shaped record whose fields hold the name where a value the console checks belongs: the
    # real flag from Kafka with its severity replaced by the name (the refusal must not quote it).
    real = [r for r in map(json.loads, run.read_topic(run.flags_prefix + "border", 2)) if "flag_id" in r][0]
    real["severity"] = f"{GIVEN} {SURNAME}"
    run.produce(run.flags_prefix + "border", [json.dumps(real, separators=(",", ":"))])
    refused = [original(r) for r in run.read_topic(t["console-deadletter"], 2)]
    check(len(refused) == 2 and any("not a flag" in r for r in refused)
          and any(real["flag_id"] in r and SURNAME in r for r in refused),
          "the console dead-lettered both records that are not storable flags")

    say("STEP both stop on SIGTERM; their logs are read in full")
    check(screener.stop() == 0, "the screener exited 0")
    check(console.stop() == 0, "the console exited 0")
    logs = {"screener": screener.text(), "console": console.text()}

    for name, text in logs.items():
        lines = [l for l in text.splitlines() if l.strip()]
        check(len(lines) >= 5, f"the {name} logged ({len(lines)} lines)")
        for n, line in enumerate(lines, 1):
            where = f"{name} log line {n}: {line}"
            try:
                rec = json.loads(line)
            except ValueError:
                raise TestFailure(f"not a JSON line: {where}")
            if not isinstance(rec, dict):
                raise TestFailure(f"not a JSON object: {where}")
            for key in ("ts", "level", "component", "msg"):
                if not isinstance(rec.get(key), str) or not rec[key]:
                    raise TestFailure(f"no '{key}': {where}")
            if rec["level"] not in LEVELS:
                raise TestFailure(f"level {rec['level']!r} at log level info: {where}")
            # A line about one record must say which: a flag id, an event id, or its position.
            about_record = any(k in rec for k in ("offset", "flag_id", "event_id")) or \
                re.search(r"\b(this|the) (record|event|flag|alert)\b", rec["msg"])
            if about_record and not ("flag_id" in rec or "event_id" in rec or
                                     all(k in rec for k in ("topic", "partition", "offset"))):
                raise TestFailure(f"a line about one record does not name it (flag_id, event_id or topic/partition/offset): {where}")
            for secret in SECRETS:
                if secret.lower() in line.lower():
                    raise TestFailure(f"personal data ({secret!r}) in a log line at level {rec['level']}: {where}")
        check(True, f"every {name} log line is a JSON object with ts, level, component and msg, at info or above")
        check(True, f"every {name} line about one record names it")
        check(True, f"no {name} log line holds the subject's name, date of birth or passport number")
        say(f"  components in the {name} log: {sorted({json.loads(l)['component'] for l in lines})}")
    # The scan above would have seen the name: it is in the flag on Kafka, verbatim.
    flags = run.read_topic(run.flags_prefix + "border", 3)
    check(any(SURNAME in f and fid in f for f in flags for fid in flag_ids),
          "control: the flag on Kafka holds the name the logs must not")
    # The refused record's position is logged (the console's warning), so an operator can find it.
    check(re.search(r'"msg":"[^"]*not a storable flag[^"]*".*"offset":', logs["console"]) is not None,
          "the console's warning names the refused record by topic, partition and offset")


if __name__ == "__main__":
    main(TEST, body)
