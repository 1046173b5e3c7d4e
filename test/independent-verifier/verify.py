#!/usr/bin/env python3
"""Independent verifier for csledger JSONL exports, ledger format v1.

Written from docs/ledger-format.md alone, with the Python 3 standard library only (3.8 or
newer), so that an inspector can check an export without running or trusting csledger's code.

It checks, line by line and stopping at the first failure:
  1. the line is strict JSON (UTF-8, no duplicate keys, no fractions or exponents, no NaN)
     holding exactly {"entry": <object>, "hash": <64 lowercase hex>}, and ends with LF;
  2. the line is in canonical form (RFC 8785), so the entry text is exactly the bytes hashed;
  3. hash = SHA-256("csledger:entry:v1" || 0x00 || UTF-8 entry bytes);
  4. seq is 1, 2, 3, ... with no gap, repeat or reordering;
  5. prev_hash is the previous line's hash (64 zeros for seq 1);
  6. every entry carries the ledger_id of the first;
  7. format is 1 and every field is as the document lists it for the entry's kind;
  8. replaying the entries (the fold) never does the impossible: stock or a container going
     below zero, a correction whose "before" is not the corrected entry as it stood, a
     reference to something that does not exist, or a write-time rule broken (actor role,
     witness, co-signer);
then, with --head SEQ:HASH, that the export still holds entry SEQ with hash HASH (a head given
out earlier: catches truncation and rewritten history).

With --balances it prints sealed stock and open-container remainders recomputed from the
entries (as of the last entry, or of --as-of SEQ).

Usage:
  python3 verify.py EXPORT.jsonl [--head SEQ:HASH] [--balances] [--as-of SEQ] [--json]
  python3 verify.py --canonicalize < values.jsonl   (one JSON value per line in, RFC 8785 out)

Exit status: 0 verified; 1 a failure was found (the verdict names the first); 2 usage error.
"""

import argparse
import datetime
import decimal
import hashlib
import json
import re
import sys
import unicodedata

FORMAT = 1
DOMAIN_PREFIX = b"csledger:entry:v1\x00"
GENESIS_PREV_HASH = "0" * 64
MAX_SAFE_INTEGER = 2 ** 53 - 1

HEX64 = re.compile(r"^[0-9a-f]{64}$")
DECIMAL_RE = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
LOT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
PATIENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
CONTAINER_RE = re.compile(r"^C-[0-9]{4,}$")
DEA_RE = re.compile(r"^([A-Z])([A-Z9])([0-9]{7})(-[A-Z0-9]{1,10})?$")
NDC_RE = re.compile(r"^([0-9]{4,6})-([0-9]{3,4})-([0-9]{1,2})$")

DRUGS = {
    "ketamine": {"substance": "Ketamine HCl", "schedule": "III", "dea_code": "7285"},
    "midazolam": {"substance": "Midazolam", "schedule": "IV", "dea_code": "2884"},
}
ROLES = ("pic", "physician", "nurse", "auditor")
CLINICAL = ("pic", "physician", "nurse")
WHO_MAY = {
    "user": ("pic",), "user_deactivation": ("pic",), "location": ("pic",), "product": ("pic",),
    "receipt": CLINICAL, "container_opening": CLINICAL, "administration": CLINICAL,
    "waste": CLINICAL, "transfer": CLINICAL, "correction": CLINICAL, "cosign": ("physician",),
}
CORRECTABLE = ("receipt", "container_opening", "administration", "waste", "transfer")
AMENDABLE_FIELDS = {
    "administration": ("given_ml", "given_mg", "drawn_ml", "drawn_mg", "patient", "prescriber"),
    "waste": ("amount_ml", "amount_mg"),
    "receipt": ("containers", "invoice"),
    "transfer": ("containers",),
}

# Exact decimal arithmetic: anything that would round raises instead.
decimal.getcontext().prec = 200
decimal.getcontext().traps[decimal.Inexact] = True
D = decimal.Decimal


class Failure(Exception):
    """The first thing found wrong: a stable code, the seq it concerns, and what was found."""

    def __init__(self, code, seq, message, line=None):
        super().__init__(message)
        self.code = code
        self.seq = seq
        self.message = message
        self.line = line

    def as_dict(self):
        return {"code": self.code, "seq": self.seq, "line": self.line, "message": self.message}


class JsonError(ValueError):
    pass


# ---------------------------------------------------------------------------------------------
# Strict JSON in, RFC 8785 out

def _no_float(text):
    raise JsonError("number %s is not an integer (format v1 has no fractions or exponents)" % text)


def _no_constant(text):
    raise JsonError("%s is not JSON" % text)


def _object(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise JsonError("duplicate key %s" % json.dumps(key))
        out[key] = value
    return out


def parse_json(text):
    """Parses strict JSON: no duplicate keys, no non-integer numbers, no NaN or Infinity."""
    try:
        return json.loads(text, parse_float=_no_float, parse_constant=_no_constant, object_pairs_hook=_object)
    except JsonError:
        raise
    except ValueError as err:
        raise JsonError(str(err))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def canonical_string(s):
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20:
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:
            raise JsonError("string holds a lone surrogate U+%04X, which RFC 8785 (I-JSON) forbids" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _utf16_key(s):
    # RFC 8785 sorts object keys by their UTF-16 code units, not by code points.
    return s.encode("utf-16-be", "surrogatepass")


def canonical(value):
    """RFC 8785 (JCS) for the JSON format v1 uses: null, booleans, integers, strings, arrays, objects."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise JsonError("integer %d is beyond 2^53-1 (I-JSON)" % value)
        return str(value)
    if isinstance(value, str):
        return canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_utf16_key)
        return "{" + ",".join(canonical_string(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise JsonError("%s values are not used in format v1" % type(value).__name__)


def entry_hash(canonical_text):
    return hashlib.sha256(DOMAIN_PREFIX + canonical_text.encode("utf-8")).hexdigest()


def dec(value):
    """The one spelling of a decimal: plain digits, no exponent, no trailing zeros, '0' not '-0'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------------------------------------
# Field rules (docs/ledger-format.md, "Entry kinds")

class Invalid(Exception):
    """A field breaks its rule. `full` once the message names the field's whole path."""

    def __init__(self, message, full=False):
        super().__init__(message)
        self.full = full


# ECMAScript String.prototype.trim() removes exactly these (WhiteSpace and LineTerminator).
JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _is_int(v):
    return type(v) is int


def _text(v, max_len):
    if not isinstance(v, str) or v == "" or v != v.strip(JS_SPACE):
        raise Invalid("must be a non-empty string without leading or trailing white space")
    if len(v.encode("utf-16-le", "surrogatepass")) // 2 > max_len:
        raise Invalid("is longer than %d UTF-16 code units" % max_len)
    if re.search("[\x00-\x08\x0b-\x1f\x7f\ufffd]", v):
        raise Invalid("contains control characters or U+FFFD")
    if not unicodedata.is_normalized("NFC", v):
        raise Invalid("is not in Unicode normalization form NFC")


def _any_string(v):
    if not isinstance(v, str):
        raise Invalid("must be a string")


def _bounded_decimal(v):
    _positive_decimal(v)
    if D(v) > 10000 or "." in v and len(v.split(".")[1]) > 4:
        raise Invalid("must be at most 10000 with at most 4 decimal places")


def _match(rx, what):
    def check(v):
        if not isinstance(v, str) or not rx.fullmatch(v):
            raise Invalid("is not %s" % what)
    return check


def _text_of(max_len):
    return lambda v: _text(v, max_len)


def _nonempty_string(v):
    if not isinstance(v, str) or v == "":
        raise Invalid("must be a non-empty string")


def _positive_int(v):
    if not _is_int(v) or v < 1:
        raise Invalid("must be an integer >= 1")


def _positive_decimal(v):
    if not isinstance(v, str) or not DECIMAL_RE.fullmatch(v):
        raise Invalid("is not a decimal string in its one spelling (e.g. \"0.7\", \"35\")")
    if D(v) == 0:
        raise Invalid("must be greater than zero")


def _date(v):
    if not isinstance(v, str) or not DATE_RE.fullmatch(v):
        raise Invalid("is not a date YYYY-MM-DD")
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        raise Invalid("is not a calendar date")


def _time(v):
    if not isinstance(v, str) or not TIME_RE.fullmatch(v):
        raise Invalid("is not a UTC time YYYY-MM-DDTHH:MM:SS.sssZ")
    try:
        datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        raise Invalid("is not a real time")


def _one_of(*values):
    def check(v):
        if v not in values or not isinstance(v, str):
            raise Invalid("must be one of %s" % ", ".join(values))
    return check


def _object_of(fields):
    """A nested object with its own field rules (check_fields recurses into it)."""
    return (fields,)


def _any_object(v):
    if not isinstance(v, dict):
        raise Invalid("must be an object")


def _schedules(v):
    if v != ["III", "IV"]:
        raise Invalid('must be ["III","IV"]')


username = _match(USERNAME_RE, "a username")
code = _match(CODE_RE, "a code")
lot = _match(LOT_RE, "a lot number")
dea = _match(DEA_RE, "a DEA number")

# name: (check, required)
PARTY = {"name": (_text_of(200), True), "address": (_text_of(300), True), "dea_number": (dea, True), "dea_override": (_text_of(300), False)}
DATA_FIELDS = {
    "registrant": {
        "name": (_text_of(200), True), "address": (_text_of(300), True), "dea_number": (dea, True),
        "schedules": (_schedules, True), "dea_override": (_text_of(300), False),
        "admin": (_object_of({"username": (username, True), "name": (_text_of(200), True)}), True),
    },
    "user": {"username": (username, True), "name": (_text_of(200), True), "role": (_one_of(*ROLES), True)},
    "user_deactivation": {"username": (username, True), "reason": (_text_of(500), False)},
    "location": {"code": (code, True), "name": (_text_of(200), True)},
    "product": {
        "code": (code, True), "drug": (_one_of(*DRUGS), True), "substance": (_one_of("Ketamine HCl", "Midazolam"), True),
        "schedule": (_one_of("III", "IV"), True), "dea_code": (_one_of("7285", "2884"), True),
        "ndc": (_match(NDC_RE, "an NDC with hyphens"), True), "ndc11": (_match(re.compile(r"^[0-9]{11,12}$"), "11 or 12 digits"), True),
        "concentration_mg_per_ml": (_bounded_decimal, True), "volume_ml": (_bounded_decimal, True),
        "dose_form": (_one_of("multi-dose", "single-dose"), True),
    },
    "receipt": {
        "product": (code, True), "lot": (lot, True), "expires": (_date, True), "containers": (_positive_int, True),
        "location": (code, True), "supplier": (_object_of(PARTY), True), "invoice": (_text_of(100), True),
    },
    "container_opening": {
        "container": (_match(CONTAINER_RE, "a container id C-0001"), True), "product": (code, True), "lot": (lot, True),
        "location": (code, True), "volume_ml": (_positive_decimal, True),
    },
    "administration": {
        "container": (_match(CONTAINER_RE, "a container id C-0001"), True), "product": (code, True), "lot": (lot, True),
        "location": (code, True), "patient": (_match(PATIENT_RE, "a patient reference"), True),
        "given_ml": (_positive_decimal, True), "given_mg": (_positive_decimal, True),
        "drawn_ml": (_positive_decimal, True), "drawn_mg": (_positive_decimal, True), "prescriber": (username, False),
    },
    "waste": {
        "container": (_match(CONTAINER_RE, "a container id C-0001"), True), "administration": (_positive_int, False),
        "product": (code, True), "lot": (lot, True), "location": (code, True),
        "amount_ml": (_positive_decimal, True), "amount_mg": (_positive_decimal, True), "reason": (_text_of(500), True),
    },
    "cosign": {"waste": (_positive_int, True)},
    "transfer": {"product": (code, True), "lot": (lot, True), "containers": (_positive_int, True), "from": (code, True), "to": (code, True)},
    "correction": {
        "corrects": (_positive_int, True), "corrects_kind": (_one_of(*CORRECTABLE), True), "action": (_one_of("void", "amend"), True),
        "reason": (_text_of(500), True), "before": (_any_object, True), "amended": (_any_object, False),
    },
}
ENVELOPE = {
    "format": (lambda v: None, True), "ledger_id": (_nonempty_string, True), "seq": (_positive_int, True),
    "prev_hash": (_match(HEX64, "64 lowercase hex digits"), True), "kind": (_one_of(*DATA_FIELDS), True),
    "recorded_at": (_time, True), "occurred_at": (_time, True), "actor": (username, True),
    "witness": (username, False), "request_id": (_any_string, False), "data": (_any_object, True),
}


def check_fields(obj, fields, path=""):
    """Every listed field present when required, no other field, each passing its check."""
    if not isinstance(obj, dict):
        raise Invalid("%s must be an object" % (path.rstrip(".") or "value"), True)
    for name in obj:
        if name not in fields:
            raise Invalid("%s%s is not a field of format v1" % (path, name), True)
    for name, (check, required) in fields.items():
        if name not in obj:
            if required:
                raise Invalid("%s%s is missing" % (path, name), True)
            continue
        try:
            if isinstance(check, tuple):  # a nested object
                check_fields(obj[name], check[0], path + name + ".")
            else:
                check(obj[name])
        except Invalid as err:
            if err.full:
                raise
            raise Invalid("%s%s %s" % (path, name, err), True)


def check_entry_fields(e):
    check_fields(e, ENVELOPE)
    kind = e["kind"]
    if (kind in ("waste", "correction")) != ("witness" in e):
        raise Invalid("witness must be present on waste and correction entries and absent on all others")
    check_fields(e["data"], DATA_FIELDS[kind], "data.")
    d = e["data"]
    if kind == "registrant":
        _dea_override_rule(d, "data.")
    if kind == "receipt":
        _dea_override_rule(d["supplier"], "data.supplier.")
    if kind == "product":
        derived = DRUGS[d["drug"]]
        for f in ("substance", "schedule", "dea_code"):
            if d[f] != derived[f]:
                raise Invalid("data.%s must be %s for %s" % (f, derived[f], d["drug"]))
        if d["ndc11"] != ndc11(d["ndc"]):
            raise Invalid("data.ndc11 must be %s for NDC %s" % (ndc11(d["ndc"]), d["ndc"]))
    if kind == "correction":
        if (d["action"] == "amend") != ("amended" in d):
            raise Invalid("data.amended must be present for an amend and absent for a void")
        check_fields(d["before"], DATA_FIELDS[d["corrects_kind"]], "data.before.")
        if "amended" in d:
            check_fields(d["amended"], DATA_FIELDS[d["corrects_kind"]], "data.amended.")


def _dea_override_rule(party, path):
    m = DEA_RE.fullmatch(party["dea_number"])
    digits = [int(c) for c in m.group(3)]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    suspicious = total % 10 != digits[6] or m.group(1) not in "ABFGMPRX"
    if suspicious and "dea_override" not in party:
        raise Invalid("%sdea_number %s fails its check digit or first-letter rule, so %sdea_override is required" % (path, party["dea_number"], path))
    if not suspicious and "dea_override" in party:
        raise Invalid("%sdea_override is present but %sdea_number passes its checks" % (path, path))


def ndc11(printed):
    a, b, c = NDC_RE.fullmatch(printed).groups()
    layout = "%d-%d-%d" % (len(a), len(b), len(c))
    if layout == "4-4-2":
        return "0" + a + b + c
    if layout == "5-3-2":
        return a + "0" + b + c
    if layout == "5-4-1":
        return a + b + "0" + c
    if layout in ("5-4-2", "6-4-2", "6-3-2", "6-4-1"):
        return a + b + c
    raise Invalid("data.ndc %s has segments %s" % (printed, layout))


# ---------------------------------------------------------------------------------------------
# The fold: state derived from the entries (docs/ledger-format.md, "Deriving balances")

class Impossible(Exception):
    """The entry cannot apply to the state before it (IMPOSSIBLE_ENTRY)."""


class RuleBroken(Exception):
    """The entry breaks a rule the library enforces when it writes (RULE_BROKEN)."""


class Fold:
    def __init__(self):
        self.users = {}        # username -> {"role", "active"}
        self.locations = set()
        self.products = {}     # code -> data
        self.lots = {}         # (product, lot) -> {"expires", "received"}
        self.stock = {}        # (location, product, lot) -> sealed containers
        self.containers = {}   # id -> {"product", "lot", "location", "remaining", "status"}
        self.opened = 0        # container_opening entries so far (container ids)
        self.doses = {}        # administration seq -> {"container", "drawn", "given", "wasted", "voided"}
        self.wastes = {}       # waste seq -> {"actor", "witness", "cosigned_by", "voided"}
        self.corrections = {}  # corrected seq -> {"voided", "current"}
        self.originals = {}    # seq -> (kind, data) of correctable entries
        self.request_ids = set()

    # -- one entry --------------------------------------------------------------------------
    def apply(self, e):
        kind, d, seq = e["kind"], e["data"], e["seq"]
        if (seq == 1) != (kind == "registrant"):
            raise Impossible("the first entry, and only the first, is the registrant")
        if "request_id" in e:
            if e["request_id"] in self.request_ids:
                raise RuleBroken("request_id %s was used before" % e["request_id"])
            self.request_ids.add(e["request_id"])
        if kind == "registrant":
            if e["actor"] != d["admin"]["username"]:
                raise RuleBroken("the registrant entry's actor must be its admin")
            self.users[d["admin"]["username"]] = {"role": "pic", "active": True}
            return
        self._actor(e["actor"], WHO_MAY[kind], kind)
        if kind in ("waste", "correction"):
            w = e["witness"]
            if w == e["actor"]:
                raise RuleBroken("%s cannot witness their own %s" % (w, kind))
            self._actor(w, CLINICAL, "witness a " + kind)
        getattr(self, "_" + kind)(e, d, seq)

    def _actor(self, name, roles, what):
        u = self.users.get(name)
        if u is None:
            raise RuleBroken("%s is not a user of this ledger" % name)
        if not u["active"]:
            raise RuleBroken("%s was deactivated before this entry" % name)
        if u["role"] not in roles:
            raise RuleBroken("%s is a %s and may not %s" % (name, u["role"], what))

    def _user(self, e, d, seq):
        if d["username"] in self.users:
            raise RuleBroken("user %s already exists" % d["username"])
        self.users[d["username"]] = {"role": d["role"], "active": True}

    def _user_deactivation(self, e, d, seq):
        u = self.users.get(d["username"])
        if u is None:
            raise Impossible("user %s does not exist" % d["username"])
        if not u["active"] or d["username"] == e["actor"]:
            raise RuleBroken("user %s is already deactivated, or is deactivating themselves" % d["username"])
        u["active"] = False

    def _location(self, e, d, seq):
        if d["code"] in self.locations:
            raise RuleBroken("location %s already exists" % d["code"])
        self.locations.add(d["code"])

    def _product(self, e, d, seq):
        if d["code"] in self.products:
            raise RuleBroken("product %s already exists" % d["code"])
        self.products[d["code"]] = d

    def _receipt(self, e, d, seq):
        self._known(product=d["product"], location=d["location"])
        known = self.lots.get((d["product"], d["lot"]))
        if known is not None and known["expires"] != d["expires"]:
            raise RuleBroken("lot %s was received before with expiry %s" % (d["lot"], known["expires"]))
        self.originals[seq] = ("receipt", d)
        self.apply_receipt(d, 1)

    def _container_opening(self, e, d, seq):
        self._known(product=d["product"], location=d["location"], lot=(d["product"], d["lot"]))
        expected = "C-%04d" % (self.opened + 1)
        if d["container"] != expected:
            raise Impossible("container ids are given in order: this opening should be %s, not %s" % (expected, d["container"]))
        if d["volume_ml"] != self.products[d["product"]]["volume_ml"]:
            raise Impossible("volume_ml %s is not product %s's volume" % (d["volume_ml"], d["product"]))
        self.originals[seq] = ("container_opening", d)
        self.apply_opening(d, seq, 1)
        self.opened += 1

    def _administration(self, e, d, seq):
        c = self.containers.get(d["container"])
        if c is None or c["status"] != "open":
            raise RuleBroken("container %s is not open" % d["container"])
        if "prescriber" in d:
            p = self.users.get(d["prescriber"])
            if p is None or not p["active"] or p["role"] != "physician":
                raise RuleBroken("prescriber %s is not an active physician" % d["prescriber"])
        self.originals[seq] = ("administration", d)
        self.apply_administration(d, seq, 1)

    def _waste(self, e, d, seq):
        if "administration" in d:
            dose = self.doses.get(d["administration"])
            if dose is None or dose["voided"]:
                raise Impossible("no administration at seq %d" % d["administration"])
            if dose["container"] != d["container"]:
                raise Impossible("administration %d drew from %s, not %s" % (d["administration"], dose["container"], d["container"]))
        self.originals[seq] = ("waste", d)
        self.apply_waste(d, 1)
        self.wastes[seq] = {"actor": e["actor"], "witness": e["witness"], "cosigned_by": None, "voided": False}

    def _cosign(self, e, d, seq):
        w = self.wastes.get(d["waste"])
        if w is None:
            raise Impossible("waste %d does not exist" % d["waste"])
        if w["voided"] or w["cosigned_by"] is not None:
            raise RuleBroken("waste %d is voided or already co-signed" % d["waste"])
        if e["actor"] in (w["actor"], w["witness"]):
            raise RuleBroken("%s wasted or witnessed waste %d and cannot co-sign it" % (e["actor"], d["waste"]))
        w["cosigned_by"] = e["actor"]

    def _transfer(self, e, d, seq):
        self._known(product=d["product"], location=d["from"], lot=(d["product"], d["lot"]))
        self._known(location=d["to"])
        if d["from"] == d["to"]:
            raise RuleBroken("a transfer needs two different locations")
        self.originals[seq] = ("transfer", d)
        self.apply_transfer(d, 1)

    def _correction(self, e, d, seq):
        target = d["corrects"]
        original = self.originals.get(target)
        if target >= seq or original is None or original[0] != d["corrects_kind"]:
            raise Impossible("corrects %d, which is not an earlier %s" % (target, d["corrects_kind"]))
        kind, data = original
        state = self.corrections.get(target)
        before = state["current"] if state else data
        if state and state["voided"]:
            raise Impossible("entry %d was already voided" % target)
        if canonical(before) != canonical(d["before"]):
            raise Impossible('its "before" is not entry %d as it stood' % target)
        if d["action"] == "amend":
            allowed = AMENDABLE_FIELDS.get(kind, ())
            if not allowed:
                raise RuleBroken("a %s can only be voided" % kind)
            for name in set(before) | set(d["amended"]):
                if name not in allowed and before.get(name) != d["amended"].get(name):
                    raise RuleBroken("an amendment of a %s cannot change %s" % (kind, name))
        self.apply_kind(kind, before, target, -1)
        if d["action"] == "void":
            self.corrections[target] = {"voided": True, "current": before}
            if kind == "waste":
                self.wastes[target]["voided"] = True
        else:
            self.apply_kind(kind, d["amended"], target, 1)
            self.corrections[target] = {"voided": False, "current": d["amended"]}

    def _known(self, product=None, location=None, lot=None):
        if product is not None and product not in self.products:
            raise Impossible("product %s is not defined by an earlier product entry" % product)
        if location is not None and location not in self.locations:
            raise Impossible("location %s is not defined by an earlier location entry" % location)
        if lot is not None and lot not in self.lots:
            raise Impossible("lot %s of %s has not been received" % (lot[1], lot[0]))

    # -- quantity changes, signed: +1 applies an entry's data, -1 takes it back ---------------
    def apply_kind(self, kind, data, seq, sign):
        if kind == "receipt":
            self.apply_receipt(data, sign)
        elif kind == "transfer":
            self.apply_transfer(data, sign)
        elif kind == "container_opening":
            self.apply_opening(data, seq, sign)
        elif kind == "administration":
            self.apply_administration(data, seq, sign)
        elif kind == "waste":
            self.apply_waste(data, sign)

    def apply_receipt(self, d, sign):
        key = (d["product"], d["lot"])
        lot_state = self.lots.get(key) or {"expires": d["expires"], "received": 0}
        received = lot_state["received"] + sign * d["containers"]
        if received < 0:
            raise Impossible("lot %s received would go below zero" % d["lot"])
        self.lots[key] = {"expires": lot_state["expires"], "received": received}
        self.add_sealed(d["location"], d["product"], d["lot"], sign * d["containers"])

    def apply_transfer(self, d, sign):
        self.add_sealed(d["from"], d["product"], d["lot"], -sign * d["containers"])
        self.add_sealed(d["to"], d["product"], d["lot"], sign * d["containers"])

    def apply_opening(self, d, seq, sign):
        self.add_sealed(d["location"], d["product"], d["lot"], -sign)
        if sign == 1:
            self.containers[d["container"]] = {
                "product": d["product"], "lot": d["lot"], "location": d["location"],
                "remaining": D(d["volume_ml"]), "status": "open",
            }
            return
        c = self.containers.get(d["container"])
        if c is None or c["status"] == "voided" or c["remaining"] != D(d["volume_ml"]):
            raise Impossible("container %s has been drawn from; its opening cannot be voided" % d["container"])
        c["status"] = "voided"

    def apply_administration(self, d, seq, sign):
        if sign == 1:
            self.check_same_container(d)
            self.check_mg(d, "given")
            self.check_mg(d, "drawn")
        self.add_remaining(d["container"], -sign * D(d["drawn_ml"]))
        dose = self.doses.get(seq)
        if sign == 1:
            wasted = dose["wasted"] if dose else D(0)
            if D(d["given_ml"]) + wasted > D(d["drawn_ml"]):
                raise Impossible("given %s mL plus wasted %s mL exceeds drawn %s mL" % (d["given_ml"], dec(wasted), d["drawn_ml"]))
            self.doses[seq] = {"container": d["container"], "drawn": D(d["drawn_ml"]), "given": D(d["given_ml"]), "wasted": wasted, "voided": False}
        elif dose is not None:
            dose.update({"drawn": D(0), "given": D(0), "voided": True})

    def apply_waste(self, d, sign):
        if sign == 1:
            self.check_same_container(d)
            self.check_mg(d, "amount")
        amount = D(d["amount_ml"])
        if "administration" not in d:
            self.add_remaining(d["container"], -sign * amount)
            return
        dose = self.doses.get(d["administration"])
        if dose is None:
            raise Impossible("no administration at seq %d" % d["administration"])
        wasted = dose["wasted"] + sign * amount
        if wasted < 0:
            raise Impossible("waste against dose %d would go below zero" % d["administration"])
        if sign == 1 and (dose["voided"] or wasted + dose["given"] > dose["drawn"]):
            raise Impossible("cannot waste %s mL from dose %d: more than was drawn and not given" % (d["amount_ml"], d["administration"]))
        dose["wasted"] = wasted

    def add_sealed(self, location, product, lot_no, delta):
        key = (location, product, lot_no)
        sealed = self.stock.get(key, 0) + delta
        if sealed < 0:
            raise Impossible("not enough sealed containers of %s lot %s at %s" % (product, lot_no, location))
        self.stock[key] = sealed

    def add_remaining(self, container, delta_ml):
        c = self.containers.get(container)
        if c is None or c["status"] == "voided":
            raise Impossible("no open container %s" % container)
        remaining = c["remaining"] + delta_ml
        if remaining < 0:
            raise Impossible("container %s holds %s mL; cannot take %s mL" % (container, dec(c["remaining"]), dec(-delta_ml)))
        c["remaining"] = remaining
        c["status"] = "empty" if remaining == 0 else "open"

    def check_same_container(self, d):
        c = self.containers.get(d["container"])
        if c is None:
            raise Impossible("no container %s" % d["container"])
        for f in ("product", "lot", "location"):
            if d[f] != c[f]:
                raise Impossible("%s %s is not container %s's (%s)" % (f, d[f], d["container"], c[f]))

    def check_mg(self, d, prefix):
        conc = D(self.products[d["product"]]["concentration_mg_per_ml"])
        ml, mg = D(d[prefix + "_ml"]), D(d[prefix + "_mg"])
        if ml * conc != mg:
            raise Impossible("%s_mg %s is not %s_ml %s x %s mg/mL" % (prefix, d[prefix + "_mg"], prefix, d[prefix + "_ml"], dec(conc)))

    # -- balances -----------------------------------------------------------------------------
    def balances(self):
        rows = {}

        def row(location, product, lot_no):
            key = (location, product, lot_no)
            if key not in rows:
                rows[key] = {"location": location, "product": product, "lot": lot_no, "sealed": 0, "open": []}
            return rows[key]

        for (location, product, lot_no), sealed in self.stock.items():
            if sealed > 0:
                row(location, product, lot_no)["sealed"] += sealed
        for cid, c in self.containers.items():
            if c["status"] == "open":
                row(c["location"], c["product"], c["lot"])["open"].append((cid, c["remaining"]))
        out = []
        for key in sorted(rows, key=lambda k: tuple(_utf16_key(p) for p in k)):
            r = rows[key]
            p = self.products[r["product"]]
            conc, volume = D(p["concentration_mg_per_ml"]), D(p["volume_ml"])
            sealed_ml = volume * r["sealed"]
            open_ml = sum((rem for _, rem in r["open"]), D(0))
            out.append({
                "location": r["location"], "product": r["product"], "lot": r["lot"], "sealed": r["sealed"],
                "open": [{"container": cid, "remaining_mL": dec(rem), "remaining_mg": dec(rem * conc)}
                         for cid, rem in sorted(r["open"], key=lambda o: _utf16_key(o[0]))],
                "total_mg": dec((sealed_ml + open_ml) * conc),
                "total_mL": dec(sealed_ml + open_ml),
            })
        return out


# ---------------------------------------------------------------------------------------------
# The chain

class Verifier:
    def __init__(self, head=None, as_of=None):
        self.head = head          # (seq, hash) given out earlier, or None
        self.as_of = as_of
        self.fold = Fold()
        self.count = 0
        self.last = None          # (seq, hash)
        self.ledger_id = None
        self.hash_at_head = None
        self.balances = None

    def verify(self, f):
        """Reads the export from binary file f; returns None when it verifies, else the first Failure."""
        line_no = 0
        for raw in f:
            line_no += 1
            expected = line_no
            try:
                self.check_line(raw, line_no, expected)
            except Failure as failure:
                failure.line = line_no
                if failure.code == "SEQ_GAP":
                    self.classify(failure, f, expected)
                return failure
        return self.finish()

    def check_line(self, raw, line_no, expected):
        def fail(code, message):
            raise Failure(code, expected, "line %d: %s" % (line_no, message))

        if not raw.endswith(b"\n"):
            fail("MALFORMED", "does not end with a line feed (the file was cut short or edited)")
        try:
            text = raw[:-1].decode("utf-8")
        except UnicodeDecodeError as err:
            fail("MALFORMED", "is not valid UTF-8 (%s)" % err)
        try:
            obj = parse_json(text)
        except JsonError as err:
            fail("MALFORMED", "is not strict JSON: %s" % err)
        if not isinstance(obj, dict) or set(obj) != {"entry", "hash"}:
            fail("MALFORMED", 'is not an object with exactly the keys "entry" and "hash"')
        e, h = obj["entry"], obj["hash"]
        if not isinstance(e, dict):
            fail("MALFORMED", '"entry" is not an object')
        if not isinstance(h, str) or not HEX64.fullmatch(h):
            fail("MALFORMED", '"hash" is not 64 lowercase hex digits')
        try:
            entry_text = canonical(e)
        except JsonError as err:
            fail("NOT_CANONICAL", "has no canonical form: %s" % err)
        if text != '{"entry":' + entry_text + ',"hash":"' + h + '"}':
            fail("NOT_CANONICAL", "is not in canonical form (RFC 8785): its bytes were edited or reformatted")
        computed = entry_hash(entry_text)
        if computed != h:
            fail("HASH_MISMATCH", "entry %s was edited: its bytes hash to %s but the line says %s" % (_seq_text(e), computed, h))

        seq = e.get("seq")
        if not _is_int(seq) or seq != expected:
            failure = Failure("SEQ_GAP", expected, "line %d: expected seq %d but found %s" % (line_no, expected, _seq_text(e)))
            failure.found = seq if _is_int(seq) else None
            raise failure
        prev = self.last[1] if self.last else GENESIS_PREV_HASH
        if e.get("prev_hash") != prev:
            if self.last:
                fail("PREV_MISMATCH", "entry %d does not follow entry %d: its prev_hash is %s but entry %d hashes to %s "
                     "(entry %d was edited and re-hashed, or replaced)" % (seq, seq - 1, e.get("prev_hash"), seq - 1, prev, seq - 1))
            fail("PREV_MISMATCH", "the first entry's prev_hash must be 64 zeros but is %s: the start of the chain is missing or forged" % e.get("prev_hash"))
        lid = e.get("ledger_id")
        if self.ledger_id is None:
            self.ledger_id = lid
        elif lid != self.ledger_id:
            fail("FOREIGN_ENTRY", "entry %d belongs to ledger %s, not %s" % (seq, lid, self.ledger_id))
        if e.get("format") != FORMAT or not _is_int(e.get("format")):
            fail("UNKNOWN_FORMAT", "entry %d has format %s; this verifier knows format %d" % (seq, json.dumps(e.get("format")), FORMAT))
        try:
            check_entry_fields(e)
        except Invalid as err:
            fail("INVALID_ENTRY", "entry %d (%s): %s" % (seq, e.get("kind"), err))
        try:
            self.fold.apply(e)
        except Impossible as err:
            fail("IMPOSSIBLE_ENTRY", "entry %d (%s) cannot apply: %s" % (seq, e["kind"], err))
        except RuleBroken as err:
            fail("RULE_BROKEN", "entry %d (%s) breaks a rule: %s" % (seq, e["kind"], err))

        self.count += 1
        self.last = (seq, h)
        if self.head and seq == self.head[0]:
            self.hash_at_head = h
        if self.as_of is not None and seq == self.as_of:
            self.balances = self.fold.balances()

    def classify(self, failure, f, expected):
        """A seq out of place: repeated, reordered (the expected entry is further down), or deleted."""
        found = getattr(failure, "found", None)
        if found is not None and self.last and found <= self.last[0]:
            failure.code = "DUPLICATE_SEQ"
            failure.message += ": seq %d appears again (an entry was inserted or repeated)" % found
            return
        for raw in f:
            try:
                e = json.loads(raw)["entry"]
            except (ValueError, KeyError, TypeError):
                continue
            if isinstance(e, dict) and _is_int(e.get("seq")) and e["seq"] == expected:
                failure.code = "REORDERED"
                failure.message += ": entry %d appears later in the file (lines were reordered)" % expected
                return
        if found is not None and found > expected + 1:
            failure.message += ": entries %d-%d are missing (deleted)" % (expected, found - 1)
        else:
            failure.message += ": entry %d is missing (deleted)" % expected

    def finish(self):
        tip = self.last[0] if self.last else 0
        if self.head:
            seq, h = self.head
            if tip < seq:
                return Failure("TRUNCATED", tip + 1, "the export ends at seq %d but a head given out earlier is at seq %d: "
                               "entries %d-%d were removed (truncated)" % (tip, seq, tip + 1, seq))
            if self.hash_at_head != h:
                return Failure("HEAD_MISMATCH", seq, "entry %d hashes to %s but the head given out earlier says %s: "
                               "history up to seq %d was rewritten" % (seq, self.hash_at_head, h, seq))
        if tip == 0:
            return Failure("EMPTY", 1, "the export holds no entries")
        if self.as_of is None:
            self.balances = self.fold.balances()
        elif self.as_of == 0:
            self.balances = []
        elif self.as_of > tip:
            return Failure("AS_OF_BEYOND_END", None, "--as-of %d is beyond the last entry (%d)" % (self.as_of, tip))
        return None


def _seq_text(e):
    s = e.get("seq") if isinstance(e, dict) else None
    return str(s) if _is_int(s) else json.dumps(s)


# ---------------------------------------------------------------------------------------------
# Command line

def _head(text):
    m = re.fullmatch(r"([0-9]+):([0-9a-fA-F]{64})", text)
    if not m or int(m.group(1)) < 1:
        raise argparse.ArgumentTypeError("expected SEQ:HASH, e.g. 120:ab12... (64 hex digits)")
    return int(m.group(1)), m.group(2).lower()


def _as_of(text):
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError("expected a seq number")
    return int(text)


def canonicalize_stream(inp, out):
    """--canonicalize: one strict JSON value per input line -> its RFC 8785 form, or ERROR <why>."""
    for line in inp:
        line = line.rstrip("\n")
        try:
            out.write(canonical(parse_json(line)) + "\n")
        except JsonError as err:
            out.write("ERROR %s\n" % err)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Verify a csledger JSONL export (ledger format v1) without csledger.")
    ap.add_argument("export", nargs="?", help="the JSONL export file")
    ap.add_argument("--head", type=_head, help="a head SEQ:HASH given out earlier; the export must still contain it")
    ap.add_argument("--balances", action="store_true", help="print sealed stock and open containers recomputed from the entries")
    ap.add_argument("--as-of", type=_as_of, help="balances as they stood right after entry SEQ (implies --balances)")
    ap.add_argument("--json", action="store_true", help="print one JSON report instead of text")
    ap.add_argument("--canonicalize", action="store_true", help="read JSON values (one a line) on stdin, print RFC 8785 forms")
    args = ap.parse_args(argv)
    sys.stdout.reconfigure(encoding="utf-8")

    if args.canonicalize:
        sys.stdin.reconfigure(encoding="utf-8")
        canonicalize_stream(sys.stdin, sys.stdout)
        return 0
    if not args.export:
        ap.error("the export file is required")
    want_balances = args.balances or args.as_of is not None
    v = Verifier(head=args.head, as_of=args.as_of)
    try:
        with open(args.export, "rb") as f:
            failure = v.verify(f)
    except OSError as err:
        sys.stderr.write("verify.py: cannot read %s: %s\n" % (args.export, err))
        return 2
    if failure is not None and failure.code == "AS_OF_BEYOND_END":
        sys.stderr.write("verify.py: %s\n" % failure.message)
        return 2

    head = {"seq": v.last[0], "hash": v.last[1]} if v.last and failure is None else None
    if args.json:
        report = {"ok": failure is None, "entries": v.count, "ledger_id": v.ledger_id, "head": head,
                  "failure": failure.as_dict() if failure else None}
        if want_balances and failure is None:
            report["balances"] = {"as_of_seq": args.as_of if args.as_of is not None else v.last[0], "rows": v.balances}
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    elif failure is None:
        sys.stdout.write("OK: %d entries verified, ledger %s, head %d:%s\n" % (v.count, v.ledger_id, head["seq"], head["hash"]))
        if want_balances:
            as_of = args.as_of if args.as_of is not None else head["seq"]
            sys.stdout.write("balances as of seq %d (sealed containers; open containers in mL):\n" % as_of)
            for r in v.balances:
                opened = ", ".join("%s %s mL" % (o["container"], o["remaining_mL"]) for o in r["open"]) or "none open"
                sys.stdout.write("  %s  %s  lot %s: %d sealed; %s; total %s mL = %s mg\n" % (
                    r["location"], r["product"], r["lot"], r["sealed"], opened, r["total_mL"], r["total_mg"]))
    else:
        where = "seq %d" % failure.seq if failure.seq is not None else "ledger"
        sys.stdout.write("FAIL at %s [%s]: %s\n" % (where, failure.code, failure.message))
        sys.stdout.write("(%d %s verified before it)\n" % (v.count, "entry" if v.count == 1 else "entries"))
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
