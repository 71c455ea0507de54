#!/usr/bin/env python3
"""Checks the JSON Schemas in schemas/json/ and the samples and examples that must follow them.

Usage: python3 tests/schemas/json_schema_test.py <repo root>

1. Every schema is a valid Draft 2020-12 schema with the expected $id, and every property of an
   event schema is documented (has a description).
2. Every line of tests/fixtures/events/*.jsonl validates against its schema, and passes the checks
   JSON Schema cannot express, implemented here independently of the generator and of the C++
   validator: ICAO 9303 TD3 MRZ check digits and agreement with the document fields, ISO 6346,
   IMO, IBAN mod 97 and per-country length, BIC, UUIDv4, currency minor units, real ISO country
   and currency codes, airports in tests/fixtures/reference/airports.csv, date consistency, size.
3. The demo hits are present exactly as the quickstart expects, and no other name matches
   tests/fixtures/watchlists/demo.json.
4. The flag and dead-letter examples (tests/fixtures/records/*.json) and every ```json block in
   docs/events.md and docs/events/*.md validate against their schemas.
5. Structurally bad events and records are rejected; tolerated variations (unknown fields, null
   optional fields, schema 1.x) are accepted.

Needs python3-jsonschema (Debian 12: 4.10, Draft 2020-12 capable). Prints "N passed, M failed"
and exits non-zero on any failure.
"""
import base64
import copy
import csv
import glob
import json
import os
import re
import sys
import unicodedata
from datetime import date, datetime

from jsonschema import Draft202012Validator

KINDS = {"itinerary": "itineraries.jsonl", "manifest": "manifests.jsonl", "payment": "payments.jsonl"}
RECORDS = ("flag", "deadletter")
ID_BASE = "https://crosscheck.example/schemas"

# Real ISO 3166-1 codes (alpha-2 -> alpha-3) for the countries the samples may use.
COUNTRIES = {
    "AE": "ARE", "AR": "ARG", "AT": "AUT", "AU": "AUS", "AZ": "AZE", "BE": "BEL", "BG": "BGR", "BH": "BHR",
    "BR": "BRA", "BY": "BLR", "CA": "CAN", "CH": "CHE", "CL": "CHL", "CN": "CHN", "CO": "COL", "CY": "CYP",
    "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST", "EG": "EGY", "ES": "ESP", "ET": "ETH", "FI": "FIN",
    "FR": "FRA", "GB": "GBR", "GE": "GEO", "GR": "GRC", "HK": "HKG", "HR": "HRV", "HU": "HUN", "ID": "IDN",
    "IE": "IRL", "IL": "ISR", "IN": "IND", "IS": "ISL", "IT": "ITA", "JP": "JPN", "KE": "KEN", "KR": "KOR",
    "KZ": "KAZ", "LK": "LKA", "LR": "LBR", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MA": "MAR", "MH": "MHL",
    "MT": "MLT", "MX": "MEX", "MY": "MYS", "NG": "NGA", "NL": "NLD", "NO": "NOR", "NZ": "NZL", "PA": "PAN",
    "PH": "PHL", "PL": "POL", "PT": "PRT", "QA": "QAT", "RO": "ROU", "RS": "SRB", "SA": "SAU", "SE": "SWE",
    "SG": "SGP", "SI": "SVN", "SK": "SVK", "TH": "THA", "TR": "TUR", "UA": "UKR", "US": "USA", "VN": "VNM",
    "ZA": "ZAF",
}
ALPHA3 = set(COUNTRIES.values())
# ISO 4217 minor units of the currencies the samples may use.
MINOR_UNITS = {"AUD": 2, "BHD": 3, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2,
               "HUF": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "NOK": 2, "OMR": 3, "PLN": 2,
               "SEK": 2, "TND": 3, "USD": 2}
# IBAN length per country (ISO 13616 registry).
IBAN_LENGTHS = {"AD": 24, "AE": 23, "AL": 28, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "CH": 21, "CY": 28,
                "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23,
                "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
                "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SA": 24,
                "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26}


class Results:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)
            print(f"FAIL {what}")
        return ok


# ---- independent check-digit helpers ----------------------------------------------------------

def icao_check_digit(s):
    values = {**{str(d): d for d in range(10)}, **{chr(65 + i): 10 + i for i in range(26)}, "<": 0}
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10)


def td3_problems(mrz, pax):
    """Everything wrong with a TD3 MRZ, checked against the passenger's fields (ICAO 9303 part 4)."""
    if len(mrz) != 2 or any(len(line) != 44 or not re.fullmatch(r"[A-Z0-9<]+", line) for line in mrz):
        return ["not TD3"]
    l1, l2 = mrz
    doc, problems = pax["document"], []
    if l1[0] != doc["type"][0]:
        problems.append("document code")
    if l1[2:5] != doc["issuing_state"]:
        problems.append("issuing state")
    surname = l1[5:].split("<<")[0].replace("<", " ")
    if surname != re.sub(r"[^A-Z ]", "", pax["surname"].replace("-", " ")).strip():
        problems.append("surname")
    fields = [("document number", l2[0:9], l2[9]), ("date of birth", l2[13:19], l2[19]),
              ("expiry", l2[21:27], l2[27]), ("optional data", l2[28:42], l2[42])]
    for name, value, digit in fields:
        if icao_check_digit(value) != digit and not (name == "optional data" and digit == "<" and set(value) == {"<"}):
            problems.append(f"{name} check digit")
    if icao_check_digit(l2[0:10] + l2[13:20] + l2[21:43]) != l2[43]:
        problems.append("composite check digit")
    if l2[0:9].rstrip("<") != doc["number"]:
        problems.append("number mismatch")
    if l2[10:13] != pax["nationality"]:
        problems.append("nationality mismatch")
    if l2[13:19] != pax["date_of_birth"].replace("-", "")[2:]:
        problems.append("date of birth mismatch")
    if l2[21:27] != doc["expiry"].replace("-", "")[2:]:
        problems.append("expiry mismatch")
    if l2[20] != {"F": "F", "M": "M"}.get(pax.get("sex"), "<"):
        problems.append("sex mismatch")
    return problems


def iso6346_valid(c):
    if not re.fullmatch(r"[A-Z]{3}[UJZ][0-9]{7}", c):
        return False
    values, v = {}, 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if v % 11 == 0:
            v += 1
        values[letter] = v
        v += 1
    total = sum((values[ch] if ch.isalpha() else int(ch)) << i for i, ch in enumerate(c[:10]))
    return total % 11 % 10 == int(c[10])


def imo_valid(imo):
    return bool(re.fullmatch(r"[0-9]{7}", imo)) and sum(int(imo[i]) * (7 - i) for i in range(6)) % 10 == int(imo[6])


def iban_valid(iban):
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", iban) or IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    return int("".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])) % 97 == 1


def bic_valid(bic):
    return bool(re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", bic)) and bic[4:6] in COUNTRIES


def mod7_valid(number):
    return number[:-1].isdigit() and int(number[:-1]) % 7 == int(number[-1])


def normalize_name(name):
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    return " ".join(sorted("".join(ch if ch.isalnum() else " " for ch in s).split()))


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


# ---- semantic checks per kind -----------------------------------------------------------------

def itinerary_problems(ev, airports):
    out = []
    fl = ev["flight"]
    dep, arr = parse_ts(fl["scheduled_departure"]), parse_ts(fl["scheduled_arrival"])
    if not arr > dep:
        out.append("arrival not after departure")
    if not parse_ts(ev["event_time"]) < dep:
        out.append("event_time not before departure")
    for code in (fl["departure_airport"], fl["arrival_airport"]):
        if code not in airports:
            out.append(f"airport {code} not in airports.csv")
    pnr = ev.get("pnr")
    if pnr and pnr.get("booking_date") and not date.fromisoformat(pnr["booking_date"]) <= dep.date():
        out.append("booking after departure")
    if pnr and pnr.get("travel_agent", {}).get("iata_number") and not mod7_valid(pnr["travel_agent"]["iata_number"]):
        out.append("IATA agency check digit")
    for i, p in enumerate(ev["passengers"]):
        doc = p["document"]
        dob = date.fromisoformat(p["date_of_birth"])
        if not dob < dep.date():
            out.append(f"passengers[{i}] born after departure")
        if date.fromisoformat(doc["expiry"]) < dep.date():
            out.append(f"passengers[{i}] document expired at departure")
        for code in (p["nationality"], doc["issuing_state"]):
            if code not in ALPHA3:
                out.append(f"passengers[{i}] unknown country {code}")
        for key in ("embarkation", "debarkation"):
            if p.get(key) and p[key] not in airports:
                out.append(f"passengers[{i}].{key} not in airports.csv")
        if doc.get("mrz"):
            out += [f"passengers[{i}] MRZ {x}" for x in td3_problems(doc["mrz"], p)]
    return out


def manifest_problems(ev):
    out = []
    conv, mode = ev["conveyance"], ev["transport_mode"]
    if mode == "sea" and not imo_valid(conv.get("imo") or ""):
        out.append("sea manifest without a valid IMO number")
    if mode == "air" and (not conv.get("flight") or conv.get("imo")):
        out.append("air manifest must have a flight and no IMO number")
    if conv.get("imo") and not imo_valid(conv["imo"]):
        out.append("IMO check digit")
    for c in [conv.get("nationality")] + ev.get("routing_countries", []) + \
             [ev[k][:2] for k in ("place_of_loading", "place_of_unloading", "first_place_of_arrival")] + \
             [ev[r]["address"]["country"] for r in ("consignor", "consignee")]:
        if c and c not in COUNTRIES:
            out.append(f"unknown country {c}")
    for r in ("consignor", "consignee"):
        if ev[r].get("eori") and ev[r]["eori"][:2] not in COUNTRIES:
            out.append(f"{r}.eori prefix")
    if not parse_ts(ev["estimated_arrival"]) > parse_ts(ev["event_time"]):
        out.append("estimated_arrival not after event_time")
    if mode == "air" and not mod7_valid(ev["transport_document_number"].split("-")[-1]):
        out.append("air waybill check digit")
    for i, g in enumerate(ev["goods"]):
        if g.get("container") and not iso6346_valid(g["container"]):
            out.append(f"goods[{i}].container check digit")
        if mode == "air" and g.get("container"):
            out.append(f"goods[{i}] container on an air manifest")
        if not float(g["gross_mass_kg"]) > 0:
            out.append(f"goods[{i}].gross_mass_kg not positive")
    return out


def payment_problems(ev):
    out = []
    value, currency = ev["amount"]["value"], ev["amount"]["currency"]
    if currency not in MINOR_UNITS:
        out.append(f"unknown currency {currency}")
    else:
        fraction = value.split(".")[1] if "." in value else ""
        if len(fraction) != MINOR_UNITS[currency]:  # samples use exactly the currency's minor units
            out.append(f"amount {value} has {len(fraction)} fraction digits, {currency} has {MINOR_UNITS[currency]}")
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ev["uetr"]):
        out.append("uetr is not a lowercase UUIDv4")
    created = parse_ts(ev["creation_time"])
    if not created <= parse_ts(ev["event_time"]):
        out.append("creation_time after event_time")
    if date.fromisoformat(ev["settlement_date"]) < created.date():
        out.append("settlement before creation")
    for role in ("debtor", "creditor"):
        party = ev[role]
        acct = party["account"]
        if acct.get("iban") and not iban_valid(acct["iban"]):
            out.append(f"{role} IBAN invalid (mod 97 or length)")
        if not bic_valid(party["agent_bic"]):
            out.append(f"{role} BIC invalid")
        if acct.get("iban") and acct["iban"][:2] != party["agent_bic"][4:6]:
            out.append(f"{role} IBAN country differs from the agent's")
        if acct.get("iban", "")[:2] in ("GB", "NL", "IE") and acct["iban"][4:8] != party["agent_bic"][:4]:
            out.append(f"{role} IBAN bank code differs from the agent's BIC")  # these IBANs embed the BIC's bank code
        if party.get("postal_country") and party["postal_country"] not in COUNTRIES:
            out.append(f"{role} unknown country")
    for bic in ev.get("intermediary_agents", []):
        if not bic_valid(bic):
            out.append(f"intermediary BIC {bic}")
    return out


def names_in(kind, ev):
    if kind == "itinerary":
        for p in ev["passengers"]:
            yield " ".join(x for x in (p.get("given_names"), p["surname"]) if x)
        agent = (ev.get("pnr") or {}).get("travel_agent")
        if agent and agent.get("name"):
            yield agent["name"]
    elif kind == "manifest":
        yield ev["consignor"]["name"]
        yield ev["consignee"]["name"]
        if ev["conveyance"].get("name"):
            yield ev["conveyance"]["name"]
    else:
        yield ev["debtor"]["name"]
        yield ev["creditor"]["name"]


# ---- negative and tolerated variations ---------------------------------------------------------

def setp(path, value):
    def mutate(ev):
        obj = ev
        for k in path[:-1]:
            obj = obj[k]
        if value is DELETE:
            del obj[path[-1]]
        else:
            obj[path[-1]] = value
    return mutate


DELETE = object()


def first(events, pred):
    return next(ev for ev in events if pred(ev))


def variations(samples):
    itn = samples["itinerary"][0]
    itn_mrz = first(samples["itinerary"], lambda e: any("mrz" in p["document"] for p in e["passengers"]))
    mrz_index = next(i for i, p in enumerate(itn_mrz["passengers"]) if "mrz" in p["document"])
    sea = first(samples["manifest"], lambda e: e["transport_mode"] == "sea")
    air = first(samples["manifest"], lambda e: e["transport_mode"] == "air")
    pay = first(samples["payment"], lambda e: "iban" in e["debtor"]["account"])
    P = ["passengers", 0]
    bad = [
        ("itinerary", itn, "no passengers", setp(["passengers"], DELETE)),
        ("itinerary", itn, "passengers null (null counts as absent)", setp(["passengers"], None)),
        ("itinerary", itn, "empty passengers", setp(["passengers"], [])),
        ("itinerary", itn, "schema_version 2.0", setp(["schema_version"], "2.0")),
        ("itinerary", itn, "empty event_id", setp(["event_id"], "")),
        ("itinerary", itn, "event_time without zone", setp(["event_time"], "2026-11-21T08:00:00")),
        ("itinerary", itn, "no flight", setp(["flight"], DELETE)),
        ("itinerary", itn, "flight number with carrier", setp(["flight", "number"], "LH400")),
        ("itinerary", itn, "lower-case airport", setp(["flight", "departure_airport"], "fra")),
        ("itinerary", itn, "departure not UTC", setp(["flight", "scheduled_departure"], "2026-11-22T11:00:00+01:00")),
        ("itinerary", itn, "pnr without locator", setp(["pnr"], {"booking_date": "2026-10-01"})),
        ("itinerary", itn, "unknown form of payment", setp(["pnr"], {"locator": "ABC123", "form_of_payment": "crypto"})),
        ("itinerary", itn, "empty surname", setp(P + ["surname"], "")),
        ("itinerary", itn, "date of birth not ISO", setp(P + ["date_of_birth"], "12/04/1971")),
        ("itinerary", itn, "nationality as a name", setp(P + ["nationality"], "Norway")),
        ("itinerary", itn, "sex as a word", setp(P + ["sex"], "female")),
        ("itinerary", itn, "no document", setp(P + ["document"], DELETE)),
        ("itinerary", itn, "document without expiry", setp(P + ["document", "expiry"], DELETE)),
        ("itinerary", itn, "document number with a space", setp(P + ["document", "number"], "RX 4417208")),
        ("itinerary", itn, "document type as a word", setp(P + ["document", "type"], "passport")),
        ("itinerary", itn, "MRZ of 3 lines of 44", setp(P + ["document", "mrz"], ["P" + "<" * 43] * 3)),
        ("itinerary", itn, "MRZ lower case", setp(P + ["document", "mrz"], ["p" + "<" * 43, "<" * 44])),
        ("itinerary", itn, "MRZ as one string", setp(P + ["document", "mrz"], "P<" + "<" * 86)),
        ("itinerary", itn, "bags as a string", setp(P + ["bags"], "2")),
        ("itinerary", itn, "bags 100", setp(P + ["bags"], 100)),
        ("itinerary", itn, "seat letter Z", setp(P + ["seat"], "12Z")),
        ("manifest", sea, "sea without IMO", setp(["conveyance", "imo"], DELETE)),
        ("manifest", sea, "sea with null IMO", setp(["conveyance", "imo"], None)),
        ("manifest", air, "air without flight", setp(["conveyance", "flight"], DELETE)),
        ("manifest", sea, "IMO of 6 digits", setp(["conveyance", "imo"], "932148")),
        ("manifest", sea, "unknown transport mode", setp(["transport_mode"], "pipeline")),
        ("manifest", sea, "no lrn", setp(["lrn"], DELETE)),
        ("manifest", sea, "lrn with a dash", setp(["lrn"], "LRN-0001")),
        ("manifest", sea, "place of loading not a UN/LOCODE", setp(["place_of_loading"], "Shanghai")),
        ("manifest", sea, "empty routing", setp(["routing_countries"], [])),
        ("manifest", sea, "address without country", setp(["consignee", "address"], {"city": "Rotterdam"})),
        ("manifest", sea, "no consignor", setp(["consignor"], DELETE)),
        ("manifest", sea, "empty goods", setp(["goods"], [])),
        ("manifest", sea, "hs code of 4 digits", setp(["goods", 0, "hs_code"], "8504")),
        ("manifest", sea, "gross mass as a number", setp(["goods", 0, "gross_mass_kg"], 1250.5)),
        ("manifest", sea, "gross mass with 4 decimals", setp(["goods", 0, "gross_mass_kg"], "1250.5001")),
        ("manifest", sea, "zero packages", setp(["goods", 0, "packages", "count"], 0)),
        ("manifest", sea, "container too short", setp(["goods", 0, "container"], "CSQU305438")),
        ("manifest", sea, "description too long", setp(["goods", 0, "description"], "x" * 513)),
        ("payment", pay, "amount as a JSON number", setp(["amount", "value"], 12500.0)),
        ("payment", pay, "amount with a thousands separator", setp(["amount", "value"], "12,500.00")),
        ("payment", pay, "lower-case currency", setp(["amount", "currency"], "eur")),
        ("payment", pay, "upper-case UETR", setp(["uetr"], pay["uetr"].upper())),
        ("payment", pay, "UETR version 1", setp(["uetr"], "eb6305c9-1f7f-19de-aed0-16487c27b42d")),
        ("payment", pay, "no settlement date", setp(["settlement_date"], DELETE)),
        ("payment", pay, "message id of 36 characters", setp(["message_id"], "M" * 36)),
        ("payment", pay, "account with both iban and other",
         setp(["debtor", "account", "other"], {"id": "123", "scheme": "BBAN"})),
        ("payment", pay, "empty account", setp(["debtor", "account"], {})),
        ("payment", pay, "IBAN with spaces", setp(["debtor", "account", "iban"], "DE89 3704 0044 0532 0130 00")),
        ("payment", pay, "BIC of 9 characters", setp(["debtor", "agent_bic"], "COBADEFF1")),
        ("payment", pay, "four intermediary agents", setp(["intermediary_agents"], ["DEUTDEFF"] * 4)),
        ("payment", pay, "remittance of 141 characters", setp(["remittance_information"], "x" * 141)),
        ("payment", pay, "empty creditor name", setp(["creditor", "name"], "")),
    ]
    good = [
        ("itinerary", itn, "unknown top-level field", setp(["x_carrier_extension"], {"anything": [1, 2]})),
        ("itinerary", itn, "unknown nested field", setp(P + ["document", "x_issuer_note"], "n/a")),
        ("itinerary", itn, "schema_version 1.7", setp(["schema_version"], "1.7")),
        ("itinerary", itn, "optional pnr null", setp(["pnr"], None)),
        ("itinerary", itn, "optional given_names null", setp(P + ["given_names"], None)),
        ("itinerary", itn, "departure as +00:00", setp(["flight", "scheduled_departure"],
                                                        itn["flight"]["scheduled_departure"][:-1] + "+00:00")),
        ("itinerary", itn_mrz, "MRZ null", setp(["passengers", mrz_index, "document", "mrz"], None)),
        ("itinerary", itn, "TD1 MRZ shape", setp(P + ["document", "mrz"], ["I<" + "<" * 28] * 3)),
        ("manifest", air, "air with null IMO", setp(["conveyance", "imo"], None)),
        ("manifest", sea, "goods without container (bulk)", setp(["goods", 0, "container"], DELETE)),
        ("payment", pay, "account as other", setp(["debtor", "account"], {"other": {"id": "0004471208836"}})),
        ("payment", pay, "account iban null and other", setp(["debtor", "account"], {"iban": None, "other": {"id": "1"}})),
        ("payment", pay, "unknown field", setp(["x_bank_reference"], "abc")),
    ]
    return bad, good


def record_variations(flags, deadletters):
    f, d = flags[0], deadletters[0]
    bad = [
        ("flag", f, "extra subject field (more of the event)", setp(["subject", "seat"], "23A")),
        ("flag", f, "extra top-level field", setp(["event"], {})),
        ("flag", f, "empty matched_on", setp(["reason", "matched_on"], [])),
        ("flag", f, "review not required", setp(["review", "required"], False)),
        ("flag", f, "upper-case flag id", setp(["flag_id"], f["flag_id"].upper())),
        ("flag", f, "unknown kind", setp(["source", "kind"], "parcel")),
        ("flag", f, "warning with a reject code", setp(["warnings"], [{"code": "invalid_value", "path": "", "message": "x"}])),
        ("flag", f, "warning without message", setp(["warnings"], [{"code": "document_expired", "path": "x"}])),
        ("flag", f, "no times", setp(["times"], DELETE)),
        ("deadletter", d, "no reasons", setp(["reasons"], [])),
        ("deadletter", d, "unknown reason code", setp(["reasons", 0, "code"], "bad_vibes")),
        ("deadletter", d, "original not base64", setp(["original_base64"], "not base64!")),
        ("deadletter", d, "negative offset", setp(["source", "offset"], -1)),
        ("deadletter", d, "timestamp without milliseconds", setp(["source", "timestamp"], "2026-11-21T08:00:00Z")),
    ]
    good = [
        ("flag", f, "no warnings", setp(["warnings"], DELETE)),
        ("deadletter", d, "no kind (unknown topic)", setp(["kind"], DELETE)),
        ("deadletter", d, "with a warning", setp(["warnings"], [{"code": "document_expired", "path": "p", "message": "m"}])),
    ]
    return bad, good


# ---- main -------------------------------------------------------------------------------------

def doc_json_blocks(root):
    paths = [os.path.join(root, "docs", "events.md")] + sorted(glob.glob(os.path.join(root, "docs", "events", "*.md")))
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for n, block in enumerate(re.findall(r"```json\n(.*?)```", text, re.S)):
            yield f"{os.path.relpath(path, root)} json block {n + 1}", block


def classify(obj):
    if "flag_id" in obj:
        return "flag"
    if "original_base64" in obj:
        return "deadletter"
    if "passengers" in obj:
        return "itinerary"
    if "goods" in obj:
        return "manifest"
    if "amount" in obj:
        return "payment"
    return None


def main():
    if len(sys.argv) != 2:
        print("usage: json_schema_test.py <repo root>", file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    r = Results()

    validators = {}
    for name in list(KINDS) + list(RECORDS):
        path = os.path.join(root, "schemas", "json", f"{name}.schema.json")
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        try:
            Draft202012Validator.check_schema(schema)
            r.check(True, "")
        except Exception as e:  # noqa: BLE001 - report any schema error
            r.check(False, f"{name}.schema.json is not a valid Draft 2020-12 schema: {e}")
            continue
        r.check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", f"{name}: $schema")
        r.check(schema.get("$id") == f"{ID_BASE}/{name}/1.0", f"{name}: $id")
        if name in KINDS:
            undocumented = []

            def walk(s, where):
                for key, sub in (s.get("properties") or {}).items():
                    if "description" not in sub:
                        undocumented.append(f"{where}{key}")
                    walk(sub, f"{where}{key}.")
                if isinstance(s.get("items"), dict):
                    walk(s["items"], f"{where}[].")
            walk(schema, "")
            r.check(not undocumented, f"{name}: properties without a description: {undocumented}")
            r.check(schema.get("additionalProperties") is True, f"{name}: events must allow unknown fields")
        validators[name] = Draft202012Validator(schema)

    def valid(kind, obj, what):
        errors = sorted(validators[kind].iter_errors(obj), key=lambda e: list(e.absolute_path))
        for e in errors[:3]:
            print(f"  {what}: {'/'.join(map(str, e.absolute_path))}: {e.message[:160]}")
        return not errors

    with open(os.path.join(root, "tests", "fixtures", "reference", "airports.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    airports = {row["iata"] for row in rows}
    r.check(len(rows) >= 50 and all(re.fullmatch(r"[A-Z]{3}", a) for a in airports) and len(airports) == len(rows),
            "airports.csv: at least 50 distinct IATA codes")

    with open(os.path.join(root, "tests", "fixtures", "watchlists", "demo.json"), encoding="utf-8") as f:
        demo = json.load(f)["entries"]
    demo_names = {normalize_name(n) for e in demo for n in e["names"]}
    demo_documents = {re.sub(r"[^A-Z0-9]", "", d["number"].upper()) for e in demo for d in e.get("documents", [])}

    samples = {}
    for kind, file in KINDS.items():
        with open(os.path.join(root, "tests", "fixtures", "events", file), "rb") as f:
            lines = [line.rstrip(b"\n") for line in f if line.strip()]
        r.check(len(lines) >= 24, f"{file}: at least 24 events (has {len(lines)})")
        events = []
        for i, raw in enumerate(lines, 1):
            where = f"{file}:{i}"
            r.check(500 <= len(raw) <= 2048, f"{where}: size {len(raw)} bytes not within 0.5-2 KB")
            ev = json.loads(raw.decode("utf-8"))
            events.append(ev)
            r.check(valid(kind, ev, where), f"{where}: does not validate against {kind}.schema.json")
            problems = {"itinerary": lambda e: itinerary_problems(e, airports), "manifest": manifest_problems,
                        "payment": payment_problems}[kind](ev)
            r.check(not problems, f"{where}: {problems}")
        r.check(len({e['event_id'] for e in events}) == len(events), f"{file}: event ids unique")
        samples[kind] = events

    # Demo hits, exactly as the quickstart and the watchlist expect them; nothing else may match.
    pax = [p for e in samples["itinerary"] for p in e["passengers"]]
    dragan = [p for p in pax if p["surname"] == "DRAGAN"]
    kessler = [p for p in pax if p["surname"] == "KESSLER"]
    r.check(len(dragan) == 2 and all(p["given_names"] == "VIKTOR" and p["date_of_birth"] == "1971-04-12"
                                     and p["nationality"] == "ROU" and p["document"]["number"] == "RX4417208"
                                     for p in dragan), "demo hit: Viktor DRAGAN x2")
    r.check(len(kessler) == 2 and all(p["given_names"] == "AMINA" and p["date_of_birth"] == "1985-09-30"
                                      and p["nationality"] == "AUT" and p["document"]["number"] == "U88120456"
                                      for p in kessler), "demo hit: Amina KESSLER x2")
    mrz_share = sum("mrz" in p["document"] for p in pax) / len(pax)
    r.check(0.35 <= mrz_share <= 0.65, f"about half the passengers carry an MRZ ({mrz_share:.0%})")
    man = samples["manifest"]
    r.check(sum(e["consignee"]["name"] == "Black Tide Logistics" for e in man) == 2, "demo hit: Black Tide Logistics x2")
    grey = [e for e in man if e["conveyance"].get("imo") == "9321483"]
    r.check(len(grey) == 2 and all(e["conveyance"].get("name") == "MV GREY PETREL" and e["transport_mode"] == "sea"
                                   for e in grey), "demo hit: MV GREY PETREL 9321483 x2 (sea)")
    r.check(sum(e["consignor"]["name"] == "Meridian Shell Holdings" for e in man) == 1, "demo hit: Meridian consignor x1")
    r.check(sum(e["transport_mode"] == "air" for e in man) >= 2, "at least 2 air manifests")
    pay = samples["payment"]
    r.check(sum(e["creditor"]["name"] == "Orchid Bay Trading Ltd"
                and e["creditor"]["account"].get("iban") == "GB33BUKB20201555555555" for e in pay) == 2,
            "demo hit: Orchid Bay Trading Ltd GB33BUKB20201555555555 x2")
    r.check(sum(e["debtor"]["name"] == "Meridian Shell Holdings" for e in pay) == 2, "demo hit: Meridian debtor x2")
    r.check(any(e["amount"]["currency"] == "JPY" for e in pay) and any(MINOR_UNITS[e["amount"]["currency"]] == 3 for e in pay),
            "payments cover currencies with 0 and 3 minor units")
    expected_hits = {normalize_name(n) for n in ("Viktor DRAGAN", "Amina KESSLER", "Black Tide Logistics",
                                                  "MV GREY PETREL", "Orchid Bay Trading Ltd", "Meridian Shell Holdings")}
    stray = [(e["event_id"], n) for kind, events in samples.items() for e in events for n in names_in(kind, e)
             if normalize_name(n) in demo_names and normalize_name(n) not in expected_hits]
    r.check(not stray, f"names matching demo.json outside the planned hits: {stray}")
    stray_docs = [p["document"]["number"] for p in pax if p["document"]["number"] in demo_documents
                  and p["surname"] not in ("DRAGAN", "KESSLER")]
    r.check(not stray_docs, f"document numbers matching demo.json outside the planned hits: {stray_docs}")
    ibans = {e[role]["account"].get("iban") for e in pay for role in ("debtor", "creditor")}
    r.check("DE89370400440532013000" not in ibans, "no sample uses the listed Kestrel Row IBAN")
    r.check(not any(e["conveyance"].get("imo") == "9187623" for e in man), "no sample uses the listed SILENT HERON IMO")

    # Record examples and doc examples.
    records = {}
    for name in RECORDS:
        with open(os.path.join(root, "tests", "fixtures", "records", f"{name}.json"), encoding="utf-8") as f:
            records[name] = json.load(f)
        for i, rec in enumerate(records[name]):
            r.check(valid(name, rec, f"records/{name}.json[{i}]"), f"records/{name}.json[{i}] does not validate")
    for rec in records["deadletter"]:
        raw = base64.b64decode(rec["original_base64"])
        r.check(len(raw) == rec["original_size"], "deadletter example: original_size matches the decoded bytes")
    blocks = list(doc_json_blocks(root))
    r.check(len(blocks) >= 5, f"docs contain json examples ({len(blocks)})")
    seen_kinds = set()
    for where, block in blocks:
        try:
            obj = json.loads(block)
        except ValueError as e:
            r.check(False, f"{where}: not JSON: {e}")
            continue
        kind = classify(obj)
        if not r.check(kind is not None, f"{where}: cannot tell which schema applies"):
            continue
        seen_kinds.add(kind)
        r.check(valid(kind, obj, where), f"{where}: does not validate against {kind}.schema.json")
    r.check(seen_kinds == set(KINDS) | set(RECORDS), f"docs have an example of every kind and record ({sorted(seen_kinds)})")

    # Rejected and tolerated variations.
    bad, good = variations(samples)
    rbad, rgood = record_variations(records["flag"], records["deadletter"])
    for kind, base, what, mutate in bad + rbad:
        ev = copy.deepcopy(base)
        mutate(ev)
        r.check(not validators[kind].is_valid(ev), f"{kind}: '{what}' must be rejected by the schema")
    for kind, base, what, mutate in good + rgood:
        ev = copy.deepcopy(base)
        mutate(ev)
        r.check(valid(kind, ev, what), f"{kind}: '{what}' must be accepted by the schema")

    print(f"{r.passed} passed, {len(r.failures)} failed")
    return 1 if r.failures else 0


if __name__ == "__main__":
    sys.exit(main())
