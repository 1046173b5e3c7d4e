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
     reference to something that does not exist; and no write-time rule the document states
     is broken (actor role, witness, co-signer, counts that match the book, reconciliations
     that match their discrepancy, losses, disposals and inventories as the document derives
     them);
then, with --head SEQ:HASH, that the export still holds entry SEQ with hash HASH (a head given
out earlier: catches truncation and rewritten history).

With --balances it prints sealed stock and open-container remainders recomputed from the
entries (as of the last entry, or of --as-of SEQ). With --no-replay it stops after step 7
(useful for entries that pin bytes but are not one clinic's real history, such as hash vectors).

Local dates and business days are reckoned in the registrant's time zone through the standard
zoneinfo module (Python 3.9+). If the zone cannot be resolved here, the checks that need it are
skipped and the report lists them under "unchecked".

Usage:
  python3 verify.py EXPORT.jsonl [--head SEQ:HASH] [--balances] [--as-of SEQ] [--no-replay] [--json]
  python3 verify.py --canonicalize < values.jsonl   (one JSON value per line in, RFC 8785 out)

Exit status: 0 verified; 1 a failure was found (the verdict names the first); 2 usage error.
"""

import argparse
import bisect
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
SIGNED_DECIMAL_RE = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
LOT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
PATIENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
CONTAINER_RE = re.compile(r"^C-[0-9]{4,}$")
DEA_RE = re.compile(r"^([A-Z])([A-Z9])([0-9]{7})(-[A-Z0-9]{1,10})?$")
NDC_RE = re.compile(r"^([0-9]{4,6})-([0-9]{3,4})-([0-9]{1,2})$")
DISCREPANCY_ID_RE = re.compile(r"^D-[0-9]{4,}$")
LOSS_ID_RE = re.compile(r"^L-[0-9]{4,}$")
TIMEZONE_RE = re.compile(r"^[A-Za-z0-9+-][A-Za-z0-9/_+:-]*$")

DRUGS = {
    "ketamine": {"substance": "Ketamine HCl", "schedule": "III", "dea_code": "7285"},
    "midazolam": {"substance": "Midazolam", "schedule": "IV", "dea_code": "2884"},
}
ROLES = ("pic", "physician", "nurse", "auditor")
CLINICAL = ("pic", "physician", "nurse")
PIC = ("pic",)
WHO_MAY = {
    "user": PIC, "user_deactivation": PIC, "location": PIC, "product": PIC,
    "receipt": CLINICAL, "container_opening": CLINICAL, "administration": CLINICAL,
    "waste": CLINICAL, "transfer": CLINICAL, "correction": CLINICAL, "cosign": ("physician",),
    "setting": PIC, "count": CLINICAL, "reconciliation": PIC, "loss": PIC, "loss_notice": PIC,
    "loss_filing": PIC, "disposal": CLINICAL, "inventory": PIC, "user_key": ROLES,
}
WITNESSED = ("waste", "correction", "count", "disposal", "inventory")
CORRECTABLE = ("receipt", "container_opening", "administration", "waste", "transfer")
AMENDABLE_FIELDS = {
    "administration": ("given_ml", "given_mg", "drawn_ml", "drawn_mg", "patient", "prescriber"),
    "waste": ("amount_ml", "amount_mg"),
    "receipt": ("containers", "invoice"),
    "transfer": ("containers",),
}

SETTINGS = {  # name: (kind of value, default)
    "count_tolerance_ml": ("decimal", "0.1"),
    "discrepancy_deadline_hours": ("integer", "24"),
    "mdv_beyond_use_days": ("integer", "28"),
    "cosign_window_hours": ("integer", "24"),
    "loss_pattern_count": ("integer", "3"),
    "loss_pattern_days": ("integer", "30"),
    "expiry_warning_days": ("integer", "30"),
    "witness_window_minutes": ("integer", "15"),
}
RECONCILE_REASONS = ("documentation-error", "breakage-spill", "unrecorded-waste", "theft", "loss", "unexplained")
LOSS_TYPES = ("theft", "loss", "in-transit", "breakage-spill")

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
    except RecursionError:
        raise JsonError("nested too deeply")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\ud800-\udfff]')


def canonical_string(s):
    if not _NEEDS_ESCAPE.search(s):  # the common case: every character is written as itself
        return '"' + s + '"'
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
# Times and time zones (docs/ledger-format.md, "How values are spelled" and "Regulatory clocks")

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
FUTURE_SKEW = datetime.timedelta(minutes=5)


def instant(text):
    """A stored time (YYYY-MM-DDTHH:MM:SS.sssZ) as an aware UTC datetime."""
    if not TIME_RE.fullmatch(text):
        raise ValueError("not a time YYYY-MM-DDTHH:MM:SS.sssZ: %s" % text)
    return datetime.datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                             int(text[17:19]), int(text[20:23]) * 1000, tzinfo=UTC)


def iso(moment):
    """The stored spelling of a time: UTC with milliseconds (ECMAScript toISOString)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def resolve_zone(name):
    """The tzinfo of a registrant time zone, or None when this Python cannot resolve it."""
    if name.upper() in ("UTC", "ETC/UTC", "GMT", "ETC/GMT"):
        return UTC
    m = re.fullmatch(r"([+-])([0-9]{2})(?::?([0-9]{2}))?", name)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours > 23 or minutes > 59:
            return None
        return datetime.timezone((-1 if m.group(1) == "-" else 1) * datetime.timedelta(hours=hours, minutes=minutes))
    try:
        import zoneinfo  # Python 3.9+
    except ImportError:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        pass
    # ECMAScript accepts IANA names in any letter case; the zone files are named in one case.
    for known in zoneinfo.available_timezones():
        if known.lower() == name.lower():
            return zoneinfo.ZoneInfo(known)
    return None


def local_date(moment, zone):
    return moment.astimezone(zone).date().isoformat()


def add_business_days(moment, days, zone):
    """Steps of exactly 24 hours; a step that lands on a local Saturday or Sunday does not count."""
    left = days
    while left > 0:
        moment = moment + DAY
        if moment.astimezone(zone).weekday() < 5:
            left -= 1
    return moment


def add_days_to_date(date_text, days):
    return (datetime.date.fromisoformat(date_text) + datetime.timedelta(days=days)).isoformat()


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


def _any(v):
    pass


def _any_string(v):
    if not isinstance(v, str):
        raise Invalid("must be a string")


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


def _nonnegative_int(v):
    if not _is_int(v) or v < 0:
        raise Invalid("must be an integer >= 0")


def _nonzero_int(v):
    if not _is_int(v) or v == 0:
        raise Invalid("must be a non-zero integer")


def _decimal(v):
    if not isinstance(v, str) or not DECIMAL_RE.fullmatch(v):
        raise Invalid("is not a decimal string in its one spelling (e.g. \"0.7\", \"35\", \"0\")")


def _positive_decimal(v):
    _decimal(v)
    if D(v) == 0:
        raise Invalid("must be greater than zero")


def _bounded_decimal(v):
    _positive_decimal(v)
    if D(v) > 10000 or "." in v and len(v.split(".")[1]) > 4:
        raise Invalid("must be at most 10000 with at most 4 decimal places")


def _signed_decimal(v):
    if not isinstance(v, str) or not SIGNED_DECIMAL_RE.fullmatch(v) or v == "-0":
        raise Invalid("is not a signed decimal string in its one spelling (e.g. \"-0.5\", \"2\", \"0\")")


def _nonzero_signed_decimal(v):
    _signed_decimal(v)
    if D(v) == 0:
        raise Invalid("must not be zero")


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
        instant(v)
    except ValueError:
        raise Invalid("is not a real time")


def _one_of(*values):
    def check(v):
        if not isinstance(v, str) or v not in values:
            raise Invalid("must be one of %s" % ", ".join(values))
    return check


def _true(v):
    if v is not True:
        raise Invalid("must be true")


def _false(v):
    if v is not False:
        raise Invalid("must be false")


def _boolean(v):
    if v is not True and v is not False:
        raise Invalid("must be true or false")


def _any_object(v):
    if not isinstance(v, dict):
        raise Invalid("must be an object")


def _schedules(v):
    if v != ["III", "IV"]:
        raise Invalid('must be ["III","IV"]')


class ArrayOf:
    """An array whose elements each follow `spec`, with at least `min_len` (and at most `max_len`)."""

    def __init__(self, spec, min_len=0, max_len=None):
        self.spec, self.min_len, self.max_len = spec, min_len, max_len


class Tagged:
    """An object whose field `key` picks which field list applies."""

    def __init__(self, key, variants):
        self.key, self.variants = key, variants


username = _match(USERNAME_RE, "a username")
code = _match(CODE_RE, "a code")
lot = _match(LOT_RE, "a lot number")
dea = _match(DEA_RE, "a DEA number")
ndc = _match(NDC_RE, "an NDC with hyphens")
container_id = _match(CONTAINER_RE, "a container id C-0001")
discrepancy_id = _match(DISCREPANCY_ID_RE, "a discrepancy id D-0001")
loss_id = _match(LOSS_ID_RE, "a loss id L-0001")


def public_key(v):
    """ed25519: and the padded standard base64 of 32 bytes (§8.21)."""
    if not isinstance(v, str) or not re.fullmatch(r"ed25519:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=", v):
        raise Invalid("must be a public key: ed25519: and the base64 of 32 bytes")


def timezone(v):
    if not isinstance(v, str) or not TIMEZONE_RE.fullmatch(v):
        raise Invalid("is not a time zone: an IANA name such as America/Chicago, or an offset such as -06:00")
    m = re.fullmatch(r"[+-]([0-9]{2})(?::?([0-9]{2}))?", v)
    if v[0] in "+-" and (m is None or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59):
        raise Invalid("is not a UTC offset: +HH, +HHMM or +HH:MM (or -), at most 23:59")


# name: (check, required). A check is a function, a dict (a nested object), an ArrayOf or a Tagged.
PARTY = {"name": (_text_of(200), True), "address": (_text_of(300), True), "dea_number": (dea, True), "dea_override": (_text_of(300), False)}
COUNT_ITEM = Tagged("type", {
    "sealed": {
        "type": (_any, True), "location": (code, True), "product": (code, True), "lot": (lot, True),
        "expected": (_nonnegative_int, True), "counted": (_nonnegative_int, True),
    },
    "open": {
        "type": (_any, True), "location": (code, True), "product": (code, True), "lot": (lot, True), "container": (container_id, True),
        "expected_ml": (_decimal, True), "counted_ml": (_decimal, True), "estimated": (_true, False),
    },
})
DISCREPANCY = {
    "id": (discrepancy_id, True), "item": (COUNT_ITEM, True), "difference": (_nonzero_signed_decimal, True),
    "unit": (_one_of("container", "mL"), True), "due": (_time, True),
}
ADJUSTMENT = Tagged("type", {
    "sealed": {"type": (_any, True), "location": (code, True), "product": (code, True), "lot": (lot, True), "delta": (_nonzero_int, True)},
    "open": {
        "type": (_any, True), "container": (container_id, True), "product": (code, True), "lot": (lot, True), "location": (code, True),
        "delta_ml": (_nonzero_signed_decimal, True), "delta_mg": (_nonzero_signed_decimal, True),
    },
})


def _stock_item(ndc_required):
    return {
        "location": (code, True), "product": (code, True), "lot": (lot, True), "ndc": (ndc, ndc_required),
        "containers": (_nonnegative_int, True), "container": (container_id, False),
        "amount_ml": (_positive_decimal, True), "amount_mg": (_positive_decimal, True),
    }


def _loss_fields(reconciled):
    fields = {
        "id": (loss_id, True), "type": (_one_of(*LOSS_TYPES), True), "discovered_at": (_time, True),
        "items": (ArrayOf(_stock_item(True), 1), True), "note": (_text_of(1000), True),
        "notice_due": (_time, True), "form106_due": (_time, True),
        "adjusts_stock": (_false if reconciled else _true, True),
    }
    if reconciled:
        fields["discrepancy"] = (discrepancy_id, True)
    return fields


DATA_FIELDS = {
    "registrant": {
        "name": (_text_of(200), True), "address": (_text_of(300), True), "dea_number": (dea, True),
        "schedules": (_schedules, True), "dea_override": (_text_of(300), False),
        "admin": ({"username": (username, True), "name": (_text_of(200), True), "public_key": (public_key, False)}, True),
        "timezone": (timezone, False),
    },
    "user": {"username": (username, True), "name": (_text_of(200), True), "role": (_one_of(*ROLES), True), "public_key": (public_key, False)},
    "user_key": {"username": (username, True), "public_key": (public_key, True)},
    "user_deactivation": {"username": (username, True), "reason": (_text_of(500), False)},
    "location": {"code": (code, True), "name": (_text_of(200), True)},
    "product": {
        "code": (code, True), "drug": (_one_of(*DRUGS), True), "substance": (_one_of("Ketamine HCl", "Midazolam"), True),
        "schedule": (_one_of("III", "IV"), True), "dea_code": (_one_of("7285", "2884"), True),
        "ndc": (ndc, True), "ndc11": (_match(re.compile(r"^[0-9]{11,12}$"), "11 or 12 digits"), True),
        "concentration_mg_per_ml": (_bounded_decimal, True), "volume_ml": (_bounded_decimal, True),
        "dose_form": (_one_of("multi-dose", "single-dose"), True),
    },
    "receipt": {
        "product": (code, True), "lot": (lot, True), "expires": (_date, True), "containers": (_positive_int, True),
        "location": (code, True), "supplier": (PARTY, True), "invoice": (_text_of(100), True),
    },
    "container_opening": {
        "container": (container_id, True), "product": (code, True), "lot": (lot, True),
        "location": (code, True), "volume_ml": (_positive_decimal, True), "beyond_use": (_date, False),
    },
    "administration": {
        "container": (container_id, True), "product": (code, True), "lot": (lot, True),
        "location": (code, True), "patient": (_match(PATIENT_RE, "a patient reference"), True),
        "given_ml": (_positive_decimal, True), "given_mg": (_positive_decimal, True),
        "drawn_ml": (_positive_decimal, True), "drawn_mg": (_positive_decimal, True), "prescriber": (username, False),
    },
    "waste": {
        "container": (container_id, True), "administration": (_positive_int, False),
        "product": (code, True), "lot": (lot, True), "location": (code, True),
        "amount_ml": (_positive_decimal, True), "amount_mg": (_positive_decimal, True), "reason": (_text_of(500), True),
    },
    "cosign": {"waste": (_positive_int, True)},
    "transfer": {"product": (code, True), "lot": (lot, True), "containers": (_positive_int, True), "from": (code, True), "to": (code, True)},
    "correction": {
        "corrects": (_positive_int, True), "corrects_kind": (_one_of(*CORRECTABLE), True), "action": (_one_of("void", "amend"), True),
        "reason": (_text_of(500), True), "before": (_any_object, True), "amended": (_any_object, False),
    },
    "setting": {"name": (_one_of(*SETTINGS), True), "value": (_any_string, True)},
    "count": {
        "location": (code, True), "based_on_seq": (_nonnegative_int, True), "blind": (_true, True),
        "tolerance_ml": (_decimal, True), "items": (ArrayOf(COUNT_ITEM), True), "discrepancies": (ArrayOf(DISCREPANCY), True),
    },
    "reconciliation": {
        "discrepancy": (discrepancy_id, True), "reason": (_one_of(*RECONCILE_REASONS), True), "note": (_text_of(1000), True),
        "linked": (ArrayOf(_positive_int), True), "explained": (_signed_decimal, True),
        "adjustment": (ADJUSTMENT, False), "loss": (_loss_fields(True), False),
    },
    "loss": _loss_fields(False),
    "loss_notice": {"loss": (loss_id, True), "method": (_text_of(100), True), "to": (_text_of(200), True)},
    "loss_filing": {"loss": (loss_id, True), "confirmation": (_text_of(100), True), "amended": (_true, False)},
    "disposal": {
        "method": (_one_of("reverse-distributor", "destruction"), True), "items": (ArrayOf(_stock_item(False), 1), True),
        "reason": (_text_of(500), True), "reverse_distributor": (PARTY, False),
        "destruction": ({"method": (_text_of(300), True), "place": (_text_of(300), True)}, False),
        "witnesses": (ArrayOf(username, 2, 2), True),
    },
    "inventory": {
        "type": (_one_of("initial", "biennial"), True), "at": (_one_of("opening", "close"), True), "taken_at": (_time, True),
        "registrant": ({"name": (_text_of(200), True), "address": (_text_of(300), True), "dea_number": (dea, True)}, True),
        "based_on_seq": (_nonnegative_int, True), "items": (ArrayOf(COUNT_ITEM), True),
        "discrepancies": (ArrayOf(DISCREPANCY), True), "zero": (_boolean, True),
    },
}
ENVELOPE = {
    "format": (_any, True), "ledger_id": (_nonempty_string, True), "seq": (_positive_int, True),
    "prev_hash": (_match(HEX64, "64 lowercase hex digits"), True), "kind": (_one_of(*DATA_FIELDS), True),
    "recorded_at": (_time, True), "occurred_at": (_time, True), "actor": (username, True),
    "witness": (username, False), "request_id": (_any_string, False), "data": (_any_object, True),
}


def _join(path, name):
    return "%s.%s" % (path, name) if path else name


def check_value(v, spec, path):
    """Checks one value against its spec; `path` names it in messages (data.items[2].counted)."""
    if isinstance(spec, dict):
        check_fields(v, spec, path)
    elif isinstance(spec, ArrayOf):
        if not isinstance(v, list):
            raise Invalid("%s must be an array" % path, True)
        if len(v) < spec.min_len or (spec.max_len is not None and len(v) > spec.max_len):
            size = "exactly %d" % spec.min_len if spec.max_len == spec.min_len else "at least %d" % spec.min_len
            raise Invalid("%s must hold %s elements" % (path, size), True)
        for i, item in enumerate(v):
            check_value(item, spec.spec, "%s[%d]" % (path, i))
    elif isinstance(spec, Tagged):
        if not isinstance(v, dict):
            raise Invalid("%s must be an object" % path, True)
        tag = v.get(spec.key)
        if not isinstance(tag, str) or tag not in spec.variants:
            raise Invalid("%s must be one of %s" % (_join(path, spec.key), ", ".join(spec.variants)), True)
        check_fields(v, spec.variants[tag], path)
    else:
        try:
            spec(v)
        except Invalid as err:
            if err.full:
                raise
            raise Invalid("%s %s" % (path, err), True)


def check_fields(obj, fields, path=""):
    """Every listed field present when required, no other field, each passing its check."""
    if not isinstance(obj, dict):
        raise Invalid("%s must be an object" % (path or "value"), True)
    for name in obj:
        if name not in fields:
            raise Invalid("%s is not a field of format v1" % _join(path, name), True)
    for name, (check, required) in fields.items():
        if name not in obj:
            if required:
                raise Invalid("%s is missing" % _join(path, name), True)
            continue
        check_value(obj[name], check, _join(path, name))


def check_entry_fields(e):
    check_fields(e, ENVELOPE)
    kind = e["kind"]
    if (kind in WITNESSED) != ("witness" in e):
        raise Invalid("witness must be present on %s entries and absent on all others" % ", ".join(WITNESSED))
    check_fields(e["data"], DATA_FIELDS[kind], "data")
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
        check_fields(d["before"], DATA_FIELDS[d["corrects_kind"]], "data.before")
        if "amended" in d:
            check_fields(d["amended"], DATA_FIELDS[d["corrects_kind"]], "data.amended")
    if kind == "setting":
        _setting_value_rule(d["name"], d["value"])
    if kind in ("count", "inventory"):
        for i, disc in enumerate(d["discrepancies"]):
            unit = "container" if disc["item"]["type"] == "sealed" else "mL"
            if disc["unit"] != unit:
                raise Invalid("data.discrepancies[%d].unit must be %s for a %s item" % (i, unit, disc["item"]["type"]))
            if unit == "container" and "." in disc["difference"]:
                raise Invalid("data.discrepancies[%d].difference must be a whole number of containers" % i)
    if kind == "reconciliation":
        if any(b <= a for a, b in zip(d["linked"], d["linked"][1:])):
            raise Invalid("data.linked must list seqs in increasing order, each once")
        if "loss" in d:
            _stock_items_rule(d["loss"]["items"], "data.loss.items")
    if kind == "loss":
        _stock_items_rule(d["items"], "data.items")
    if kind == "disposal":
        _stock_items_rule(d["items"], "data.items")
        if d["method"] == "reverse-distributor":
            if "reverse_distributor" not in d or "destruction" in d:
                raise Invalid("a reverse-distributor disposal has data.reverse_distributor and no data.destruction")
            _dea_override_rule(d["reverse_distributor"], "data.reverse_distributor.")
        elif "destruction" not in d or "reverse_distributor" in d:
            raise Invalid("a destruction has data.destruction and no data.reverse_distributor")


def _setting_value_rule(name, value):
    kind = SETTINGS[name][0]
    if kind == "integer":
        if not re.fullmatch(r"0|[1-9][0-9]{0,4}", value):
            raise Invalid("data.value of %s must be a whole number 0-99999 without leading zeros" % name)
        if value == "0" and name != "witness_window_minutes":
            raise Invalid("data.value of %s must be at least 1" % name)
    elif not DECIMAL_RE.fullmatch(value) or D(value) >= 10000 or "." in value and len(value.split(".")[1]) > 4:
        raise Invalid("data.value of %s must be a decimal in its one spelling (§7), below 10000, with at most 4 decimal places" % name)


def _stock_items_rule(items, path):
    for i, item in enumerate(items):
        if ("container" in item) != (item["containers"] == 0):
            raise Invalid("%s[%d] names either sealed containers (containers >= 1) or one open container (containers 0)" % (path, i))


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


def touched_locations(kind, d):
    """The location codes an entry names as location, from or to, at any depth (None: every location)."""
    if kind == "inventory":
        return None
    found = set()
    stack = [d]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("location", "from", "to") and isinstance(x, str):
                    found.add(x)
                else:
                    stack.append(x)
        elif isinstance(v, list):
            stack.extend(v)
    return found


# ---------------------------------------------------------------------------------------------
# The fold: state derived from the entries (docs/ledger-format.md, "Deriving balances")

class Impossible(Exception):
    """The entry cannot apply to the state before it (IMPOSSIBLE_ENTRY)."""


class RuleBroken(Exception):
    """The entry breaks a rule the library enforces when it writes (RULE_BROKEN)."""


def _shelf(*parts):
    return tuple(_utf16_key(p) for p in parts)


class Fold:
    def __init__(self):
        self.registrant = None
        self.zone = UTC        # the registrant's time zone, or None when it cannot be resolved here
        self.unchecked = []    # checks skipped because the zone could not be resolved
        self.users = {}        # username -> {"role", "active"}
        self.locations = set()
        self.products = {}     # code -> data
        self.lots = {}         # (product, lot) -> {"expires", "received"}
        self.stock = {}        # (location, product, lot) -> sealed containers
        self.containers = {}   # id -> {"product", "lot", "location", "remaining", "status", "volume"}
        self.opened = 0        # container_opening entries so far (container ids)
        self.doses = {}        # administration seq -> {"container", "drawn", "given", "wasted", "voided"}
        self.wastes = {}       # waste seq -> {"actor", "witness", "cosigned_by", "voided"}
        self.corrections = {}  # corrected seq -> {"voided", "current"}
        self.originals = {}    # seq -> (kind, data) of correctable entries
        self.request_ids = set()
        self.settings = {name: default for name, (_, default) in SETTINGS.items()}
        self.discrepancies = {}  # id -> {"count_seq", "item", "difference", "open", "resolved_by"}
        self.discrepancy_count = 0
        self.losses = {}       # id -> {"notice": bool, "filed": bool}
        self.loss_count = 0
        self.inventories = 0
        self.meta = {}         # seq -> (kind, occurred_at, locations it names or None for all)
        self.history = {}      # ("stock", key) or ("container", id) -> ([seq, ...], [value, ...])
        self.seq = 0
        self.touched = None    # during an amendment: what it changed

    # -- one entry --------------------------------------------------------------------------
    def apply(self, e):
        kind, d, seq = e["kind"], e["data"], e["seq"]
        self.seq = seq
        if (seq == 1) != (kind == "registrant"):
            raise Impossible("the first entry, and only the first, is the registrant")
        if instant(e["occurred_at"]) > instant(e["recorded_at"]) + FUTURE_SKEW:
            raise RuleBroken("occurred_at %s is more than 5 minutes after recorded_at %s (an event in the future)" % (e["occurred_at"], e["recorded_at"]))
        if "request_id" in e:
            if e["request_id"] in self.request_ids:
                raise RuleBroken("request_id %s was used before" % e["request_id"])
            self.request_ids.add(e["request_id"])
        if kind == "registrant":
            self._registrant(e, d, seq)
        else:
            self._actor(e["actor"], WHO_MAY[kind], kind)
            if kind in WITNESSED:
                w = e["witness"]
                if w == e["actor"]:
                    raise RuleBroken("%s cannot witness their own %s" % (w, kind))
                self._actor(w, CLINICAL, "witness a " + kind)
            getattr(self, "_" + kind)(e, d, seq)
        self.meta[seq] = (kind, e["occurred_at"], touched_locations(kind, d))

    def _actor(self, name, roles, what):
        u = self.users.get(name)
        if u is None:
            raise RuleBroken("%s is not a user of this ledger" % name)
        if not u["active"]:
            raise RuleBroken("%s was deactivated before this entry" % name)
        if u["role"] not in roles:
            raise RuleBroken("%s is a %s and may not %s" % (name, u["role"], what))

    def _registrant(self, e, d, seq):
        if e["actor"] != d["admin"]["username"]:
            raise RuleBroken("the registrant entry's actor must be its admin")
        self.registrant = d
        self.users[d["admin"]["username"]] = {"role": "pic", "active": True, "key": "public_key" in d["admin"]}
        name = d.get("timezone", "UTC")
        self.zone = resolve_zone(name)
        if self.zone is None:
            self.unchecked.append("time zone %s is unknown to this Python (zoneinfo): local dates and business days were not checked" % name)

    def _user(self, e, d, seq):
        if d["username"] in self.users:
            raise RuleBroken("user %s already exists" % d["username"])
        self.users[d["username"]] = {"role": d["role"], "active": True, "key": "public_key" in d}

    def _user_deactivation(self, e, d, seq):
        u = self.users.get(d["username"])
        if u is None:
            raise Impossible("user %s does not exist" % d["username"])
        if not u["active"] or d["username"] == e["actor"]:
            raise RuleBroken("user %s is already deactivated, or is deactivating themselves" % d["username"])
        u["active"] = False

    def _user_key(self, e, d, seq):
        if d["username"] != e["actor"]:
            raise RuleBroken("a user_key entry is written by the user it names")
        if self.users[d["username"]].get("key"):
            raise RuleBroken("user %s already has a public key" % d["username"])
        self.users[d["username"]]["key"] = True

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
        if self.inventories == 0:
            raise RuleBroken("a receipt before the initial inventory (21 CFR 1304.11(b)); a zero inventory is allowed")
        if d["expires"] < e["occurred_at"][:10]:
            raise RuleBroken("lot %s expired on %s, before it was received" % (d["lot"], d["expires"]))
        known = self.lots.get((d["product"], d["lot"]))
        if known is not None and known["received"] > 0 and known["expires"] != d["expires"]:
            raise RuleBroken("lot %s was received before with expiry %s" % (d["lot"], known["expires"]))
        self.originals[seq] = ("receipt", d)
        self.apply_receipt(d, 1)

    def _container_opening(self, e, d, seq):
        self._known(product=d["product"], location=d["location"], lot=(d["product"], d["lot"]))
        expected = "C-%04d" % (self.opened + 1)
        if d["container"] != expected:
            raise Impossible("container ids are given in order: this opening should be %s, not %s" % (expected, d["container"]))
        p = self.products[d["product"]]
        if d["volume_ml"] != p["volume_ml"]:
            raise Impossible("volume_ml %s is not product %s's volume" % (d["volume_ml"], d["product"]))
        multi = p["dose_form"] == "multi-dose"
        if multi != ("beyond_use" in d):
            raise RuleBroken("beyond_use is present exactly when the product is multi-dose (%s is %s)" % (p["code"], p["dose_form"]))
        if multi and self._zone_known():
            days = int(self.settings["mdv_beyond_use_days"])
            want = add_days_to_date(local_date(instant(e["occurred_at"]), self.zone), days)
            if d["beyond_use"] != want:
                raise RuleBroken("beyond_use is %s, but opened on %s local time + %d days is %s" % (
                    d["beyond_use"], local_date(instant(e["occurred_at"]), self.zone), days, want))
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
        c = self.containers.get(d["container"])
        if c is not None and c["status"] in ("voided", "disposed"):
            raise RuleBroken("container %s was %s" % (d["container"], c["status"]))
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
        if d["action"] == "void":
            dose = self.doses.get(target)
            if kind == "administration" and dose is not None and dose["wasted"] != 0:
                raise RuleBroken("dose %d has %s mL of waste recorded against it; that waste must be voided first" % (target, dec(dose["wasted"])))
            self.apply_kind(kind, before, target, -1)
            self.corrections[target] = {"voided": True, "current": before}
            if kind == "waste":
                self.wastes[target]["voided"] = True
            return
        allowed = AMENDABLE_FIELDS.get(kind, ())
        if not allowed:
            raise RuleBroken("a %s can only be voided" % kind)
        for name in set(before) | set(d["amended"]):
            if name not in allowed and before.get(name) != d["amended"].get(name):
                raise RuleBroken("an amendment of a %s cannot change %s" % (kind, name))
        prescriber = d["amended"].get("prescriber")
        if prescriber is not None and prescriber != before.get("prescriber"):
            u = self.users.get(prescriber)
            if u is None or u["role"] != "physician":
                raise RuleBroken("prescriber %s is not a physician" % prescriber)
        # Only the end state must be at or above zero: take the old effect back and apply the
        # new one without checking the step in between, then check everything they touched.
        self.touched = set()
        self.apply_kind(kind, before, target, -1, check=False)
        self.apply_kind(kind, d["amended"], target, 1, check=False)
        touched, self.touched = self.touched, None
        for what, key in sorted(touched, key=repr):
            if what == "stock":
                value = self.stock[key]
            elif what == "lot":
                value = self.lots[key]["received"]
            else:
                value = self.containers[key]["remaining"]
            if value < 0:
                raise Impossible("the amendment would leave %s %s below zero (%s)" % (what, "/".join(key) if isinstance(key, tuple) else key, value))
        self.corrections[target] = {"voided": False, "current": d["amended"]}

    # -- counts, inventories, discrepancies, losses, disposals, settings ----------------------
    def _setting(self, e, d, seq):
        self.settings[d["name"]] = d["value"]

    def _count(self, e, d, seq):
        loc = d["location"]
        self._known(location=loc)
        self._based_on(d["based_on_seq"], seq, lambda kind, locs: locs is None or loc in locs, "location %s" % loc)
        if d["tolerance_ml"] != self.settings["count_tolerance_ml"]:
            raise RuleBroken("tolerance_ml is %s but the count_tolerance_ml setting in force is %s" % (d["tolerance_ml"], self.settings["count_tolerance_ml"]))
        self._check_counted(d, loc)
        hours = int(self.settings["discrepancy_deadline_hours"])
        due = iso(instant(e["occurred_at"]) + datetime.timedelta(hours=hours))
        for disc in d["discrepancies"]:
            if disc["due"] != due:
                raise RuleBroken("discrepancy %s is due %s, but the count's time + %d hours is %s" % (disc["id"], disc["due"], hours, due))
        self._open_discrepancies(d["discrepancies"], seq)

    def _inventory(self, e, d, seq):
        if (d["type"] == "initial") != (self.inventories == 0):
            raise RuleBroken("the first inventory is the initial one, and every later one is biennial")
        if d["taken_at"] != e["occurred_at"]:
            raise RuleBroken("taken_at %s is not the entry's occurred_at %s" % (d["taken_at"], e["occurred_at"]))
        r = self.registrant
        if d["registrant"] != {"name": r["name"], "address": r["address"], "dea_number": r["dea_number"]}:
            raise RuleBroken("the inventory's registrant is not the ledger's registrant (seq 1)")
        self._based_on(d["based_on_seq"], seq, lambda kind, locs: kind not in ("setting", "user", "location", "product"), "stock")
        self._check_counted(d, None)
        zero = all(i["counted"] == 0 if i["type"] == "sealed" else i["counted_ml"] == "0" for i in d["items"])
        if d["zero"] != zero:
            raise RuleBroken("zero is %s but the items say %s" % (json.dumps(d["zero"]), json.dumps(zero)))
        self._open_discrepancies(d["discrepancies"], seq)
        self.inventories += 1

    def _reconciliation(self, e, d, seq):
        disc = self.discrepancies.get(d["discrepancy"])
        if disc is None:
            raise RuleBroken("no discrepancy %s was opened before" % d["discrepancy"])
        if disc["resolved_by"] is not None:
            raise RuleBroken("discrepancy %s was resolved by entry %d" % (d["discrepancy"], disc["resolved_by"]))
        item, reason = disc["item"], d["reason"]
        if reason == "documentation-error" and not d["linked"]:
            raise RuleBroken("a documentation error names the entry that corrects the record (linked is empty)")
        count_at = self.meta[disc["count_seq"]][1]
        explained = D(0)
        for s in d["linked"]:
            if s >= seq:
                raise RuleBroken("linked entry %d is not an earlier entry" % s)
            if s < disc["count_seq"]:
                raise RuleBroken("linked entry %d was recorded before the count (%d), so the count included it" % (s, disc["count_seq"]))
            if self.meta[s][1] > count_at:
                raise RuleBroken("linked entry %d happened (%s) after the count (%s), so it cannot explain what the count found" % (s, self.meta[s][1], count_at))
            explained += self.item_value(item, s) - self.item_value(item, s - 1)
        if d["explained"] != dec(explained):
            raise RuleBroken("explained is %s, but the linked entries changed the item by %s" % (d["explained"], dec(explained)))
        left = disc["difference"] - explained
        p = self.products.get(item["product"])
        if p is None:
            raise Impossible("product %s is not defined" % item["product"])
        conc = D(p["concentration_mg_per_ml"])
        want = None
        if left != 0 and item["type"] == "sealed":
            want = {"type": "sealed", "location": item["location"], "product": item["product"], "lot": item["lot"], "delta": int(left)}
        elif left != 0:
            want = {"type": "open", "container": item["container"], "product": item["product"], "lot": item["lot"],
                    "location": item["location"], "delta_ml": dec(left), "delta_mg": dec(left * conc)}
        if want is None and "adjustment" in d:
            raise RuleBroken("the linked entries explain the whole difference, so there is no adjustment")
        if want is not None and canonical(d.get("adjustment")) != canonical(want):
            raise RuleBroken("the adjustment must be %s: the discrepancy's difference %s less the %s the linked entries explain" % (
                canonical(want), dec(disc["difference"]), dec(explained)))
        if reason in ("theft", "loss"):
            if left >= 0:
                raise RuleBroken("discrepancy %s is not a shortage once the linked entries are counted (%s)" % (d["discrepancy"], dec(left)))
            if "loss" not in d:
                raise RuleBroken("a reconciliation as %s opens a loss" % reason)
            loss = d["loss"]
            if loss["type"] != reason or loss["note"] != d["note"] or loss["discrepancy"] != d["discrepancy"]:
                raise RuleBroken("the loss repeats the reconciliation's reason as type, its note and its discrepancy")
            ml = -left * D(p["volume_ml"]) if item["type"] == "sealed" else -left
            want_item = {"location": item["location"], "product": item["product"], "lot": item["lot"], "ndc": p["ndc"],
                         "containers": int(-left) if item["type"] == "sealed" else 0,
                         "amount_ml": dec(ml), "amount_mg": dec(ml * conc)}
            if item["type"] == "open":
                want_item["container"] = item["container"]
            if canonical(loss["items"]) != canonical([want_item]):
                raise RuleBroken("the loss's items must be %s" % canonical([want_item]))
            self._check_loss_clocks(loss)
        elif "loss" in d:
            raise RuleBroken("only a reconciliation as theft or loss opens a loss")
        # the fold
        disc["resolved_by"] = seq
        a = d.get("adjustment")
        if a is not None and a["type"] == "sealed":
            self.add_sealed(a["location"], a["product"], a["lot"], a["delta"])
        elif a is not None:
            self.add_remaining(a["container"], D(a["delta_ml"]))
        if "loss" in d:
            self._open_loss(d["loss"])

    def _loss(self, e, d, seq):
        if d["discovered_at"] != e["occurred_at"]:
            raise RuleBroken("discovered_at %s is not the entry's occurred_at %s" % (d["discovered_at"], e["occurred_at"]))
        self._check_stock_items(d["items"], disposal=False)
        self._check_loss_clocks(d)
        for item in d["items"]:
            if item["containers"] > 0:
                self.add_sealed(item["location"], item["product"], item["lot"], -item["containers"])
            if "container" in item:
                self.add_remaining(item["container"], -D(item["amount_ml"]))
        self._open_loss(d)

    def _loss_notice(self, e, d, seq):
        loss = self.losses.get(d["loss"])
        if loss is None:
            raise RuleBroken("no loss %s was opened before" % d["loss"])
        if loss["notice"]:
            raise RuleBroken("the notice for %s was recorded before" % d["loss"])
        loss["notice"] = True

    def _loss_filing(self, e, d, seq):
        loss = self.losses.get(d["loss"])
        if loss is None:
            raise RuleBroken("no loss %s was opened before" % d["loss"])
        if loss["filed"] != ("amended" in d):
            raise RuleBroken("amended is present exactly when %s was filed before" % d["loss"])
        loss["filed"] = True

    def _disposal(self, e, d, seq):
        if d["witnesses"] != [e["actor"], e["witness"]]:
            raise RuleBroken("witnesses must be [actor, witness]: %s" % json.dumps([e["actor"], e["witness"]]))
        self._check_stock_items(d["items"], disposal=True)
        for item in d["items"]:
            if item["containers"] > 0:
                self.add_sealed(item["location"], item["product"], item["lot"], -item["containers"])
            if "container" in item:
                self.add_remaining(item["container"], -D(item["amount_ml"]), dispose=True)

    # -- helpers for the accountability kinds ---------------------------------------------------
    def _zone_known(self):
        return self.zone is not None

    def _based_on(self, based_on, seq, touches, what):
        if based_on > seq - 1:
            raise RuleBroken("based_on_seq %d is beyond the entry before this one (%d)" % (based_on, seq - 1))
        for s in range(based_on + 1, seq):
            kind, _, locs = self.meta[s]
            if touches(kind, locs):
                raise RuleBroken("entry %d (%s) changed the %s after based_on_seq %d, so the count was taken against a moved ledger" % (s, kind, what, based_on))

    def _check_counted(self, d, loc):
        """Items are the book just before this entry, in shelf order, then anything counted beyond it."""
        here = (lambda l: True) if loc is None else (lambda l: l == loc)
        book_sealed = sorted(((k, n) for k, n in self.stock.items() if n > 0 and here(k[0])), key=lambda kn: _shelf(*kn[0]))
        book_open = sorted(((c["location"], c["product"], c["lot"], cid) for cid, c in self.containers.items() if c["status"] == "open" and here(c["location"])),
                           key=lambda k: _shelf(*k))
        items = d["items"]
        kinds = [i["type"] for i in items]
        if kinds != sorted(kinds, key=lambda t: t != "sealed"):
            raise RuleBroken("sealed items come before open ones")
        sealed = [i for i in items if i["type"] == "sealed"]
        opened = [i for i in items if i["type"] == "open"]
        for n, (key, on_hand) in enumerate(book_sealed):
            if n >= len(sealed) or (sealed[n]["location"], sealed[n]["product"], sealed[n]["lot"]) != key:
                raise RuleBroken("sealed item %d should be %s %s lot %s: every lot the book holds is counted, in shelf order" % (n, key[0], key[1], key[2]))
            if sealed[n]["expected"] != on_hand:
                raise RuleBroken("%s %s lot %s: expected %d, but the book held %d" % (key[0], key[1], key[2], sealed[n]["expected"], on_hand))
        seen = set(k for k, _ in book_sealed)
        for i in sealed[len(book_sealed):]:
            key = (i["location"], i["product"], i["lot"])
            if key in seen or i["expected"] != 0 or not here(i["location"]) or i["location"] not in self.locations or key[1:] not in self.lots:
                raise RuleBroken("sealed item %s %s lot %s beyond the book must be a received lot at a location counted, expected 0, listed once" % key)
            seen.add(key)
        for n, (l, p, t, cid) in enumerate(book_open):
            if n >= len(opened) or opened[n]["container"] != cid:
                raise RuleBroken("open item %d should be container %s: every open container the book holds is counted, in shelf order" % (n, cid))
            i, c = opened[n], self.containers[cid]
            if (i["location"], i["product"], i["lot"]) != (l, p, t) or i["expected_ml"] != dec(c["remaining"]):
                raise RuleBroken("container %s: the book held %s mL of %s lot %s at %s" % (cid, dec(c["remaining"]), p, t, l))
        seen = set(k[3] for k in book_open)
        for i in opened[len(book_open):]:
            c = self.containers.get(i["container"])
            if i["container"] in seen or c is None or c["status"] != "empty" or not here(c["location"]) or i["expected_ml"] != "0" \
                    or (i["location"], i["product"], i["lot"]) != (c["location"], c["product"], c["lot"]):
                raise RuleBroken("open item %s beyond the book must be an empty container at a location counted, expected 0, listed once" % i["container"])
            seen.add(i["container"])
        tolerance = D(self.settings["count_tolerance_ml"])
        differ = []
        for i in items:
            if i["type"] == "sealed" and i["counted"] != i["expected"]:
                differ.append((i, str(i["counted"] - i["expected"]), "container"))
            elif i["type"] == "open" and abs(D(i["counted_ml"]) - D(i["expected_ml"])) > tolerance:
                differ.append((i, dec(D(i["counted_ml"]) - D(i["expected_ml"])), "mL"))
        if len(differ) != len(d["discrepancies"]):
            raise RuleBroken("%d items differ from the book beyond tolerance %s mL, but %d discrepancies were opened" % (len(differ), dec(tolerance), len(d["discrepancies"])))
        for n, (disc, (item, difference, unit)) in enumerate(zip(d["discrepancies"], differ)):
            want_id = "D-%04d" % (self.discrepancy_count + 1 + n)
            if disc["id"] != want_id:
                raise Impossible("discrepancy ids are given in order: this one should be %s, not %s" % (want_id, disc["id"]))
            if canonical(disc["item"]) != canonical(item) or disc["difference"] != difference or disc["unit"] != unit:
                raise RuleBroken("discrepancy %s must be item %s with difference %s %s" % (disc["id"], canonical(item), difference, unit))

    def _open_discrepancies(self, discrepancies, seq):
        for disc in discrepancies:
            self.discrepancies[disc["id"]] = {"count_seq": seq, "item": disc["item"], "difference": D(disc["difference"]), "resolved_by": None}
        self.discrepancy_count += len(discrepancies)

    def _check_stock_items(self, items, disposal):
        for i in items:
            self._known(product=i["product"], location=i["location"])
            p = self.products[i["product"]]
            if "ndc" in i and i["ndc"] != p["ndc"]:
                raise RuleBroken("ndc %s is not product %s's NDC %s" % (i["ndc"], p["code"], p["ndc"]))
            self.check_mg(i, "amount")
            if "container" in i:
                c = self.containers.get(i["container"])
                if c is None or c["status"] != "open":
                    raise RuleBroken("container %s is not open" % i["container"])
                self.check_same_container(i)
                if disposal and D(i["amount_ml"]) != c["remaining"]:
                    raise RuleBroken("a disposal takes container %s whole: %s mL, not %s mL" % (i["container"], dec(c["remaining"]), i["amount_ml"]))
            elif D(i["amount_ml"]) != D(p["volume_ml"]) * i["containers"]:
                raise RuleBroken("%d sealed containers of %s hold %s mL, not %s mL" % (i["containers"], p["code"], dec(D(p["volume_ml"]) * i["containers"]), i["amount_ml"]))

    def _check_loss_clocks(self, loss):
        found = instant(loss["discovered_at"])
        want = iso(found + datetime.timedelta(days=45))
        if loss["form106_due"] != want:
            raise RuleBroken("form106_due is %s, but discovery + 45 days is %s" % (loss["form106_due"], want))
        if self._zone_known():
            want = iso(add_business_days(found, 1, self.zone))
            if loss["notice_due"] != want:
                raise RuleBroken("notice_due is %s, but one business day after discovery is %s" % (loss["notice_due"], want))

    def _open_loss(self, loss):
        want = "L-%04d" % (self.loss_count + 1)
        if loss["id"] != want:
            raise Impossible("loss ids are given in order: this one should be %s, not %s" % (want, loss["id"]))
        self.losses[loss["id"]] = {"notice": False, "filed": False}
        self.loss_count += 1

    def item_value(self, item, seq):
        """A count item's book value as of seq: sealed containers, or a container's remaining mL."""
        if item["type"] == "sealed":
            return D(self.value_at(("stock", (item["location"], item["product"], item["lot"])), seq))
        return D(self.value_at(("container", item["container"]), seq))

    def value_at(self, key, seq):
        seqs, values = self.history.get(key, ([], []))
        i = bisect.bisect_right(seqs, seq)
        return values[i - 1] if i > 0 else 0

    def _record(self, key, value):
        seqs, values = self.history.setdefault(key, ([], []))
        if seqs and seqs[-1] == self.seq:
            values[-1] = value
        else:
            seqs.append(self.seq)
            values.append(value)
        if self.touched is not None:
            self.touched.add(key)

    def _known(self, product=None, location=None, lot=None):
        if product is not None and product not in self.products:
            raise Impossible("product %s is not defined by an earlier product entry" % product)
        if location is not None and location not in self.locations:
            raise Impossible("location %s is not defined by an earlier location entry" % location)
        if lot is not None and lot not in self.lots:
            raise Impossible("lot %s of %s has not been received" % (lot[1], lot[0]))

    # -- quantity changes, signed: +1 applies an entry's data, -1 takes it back ---------------
    def apply_kind(self, kind, data, seq, sign, check=True):
        if kind == "receipt":
            self.apply_receipt(data, sign, check)
        elif kind == "transfer":
            self.apply_transfer(data, sign, check)
        elif kind == "container_opening":
            self.apply_opening(data, seq, sign)
        elif kind == "administration":
            self.apply_administration(data, seq, sign, check)
        elif kind == "waste":
            self.apply_waste(data, sign, check)

    def apply_receipt(self, d, sign, check=True):
        key = (d["product"], d["lot"])
        known = self.lots.get(key)
        received = (known["received"] if known else 0) + sign * d["containers"]
        if check and received < 0:
            raise Impossible("lot %s received would go below zero" % d["lot"])
        # A lot whose receipts were all voided takes the expiry of its next receipt.
        expires = known["expires"] if known and known["received"] > 0 else d["expires"]
        self.lots[key] = {"expires": expires, "received": received}
        if self.touched is not None:
            self.touched.add(("lot", key))
        self.add_sealed(d["location"], d["product"], d["lot"], sign * d["containers"], check)

    def apply_transfer(self, d, sign, check=True):
        self.add_sealed(d["from"], d["product"], d["lot"], -sign * d["containers"], check)
        self.add_sealed(d["to"], d["product"], d["lot"], sign * d["containers"], check)

    def apply_opening(self, d, seq, sign):
        self.add_sealed(d["location"], d["product"], d["lot"], -sign)
        if sign == 1:
            self.containers[d["container"]] = {
                "product": d["product"], "lot": d["lot"], "location": d["location"],
                "remaining": D(d["volume_ml"]), "status": "open",
            }
            self._record(("container", d["container"]), D(d["volume_ml"]))
            return
        c = self.containers.get(d["container"])
        if c is None or c["status"] == "voided" or c["remaining"] != D(d["volume_ml"]):
            raise Impossible("container %s has been drawn from; its opening cannot be voided" % d["container"])
        c["status"] = "voided"

    def apply_administration(self, d, seq, sign, check=True):
        if sign == 1:
            self.check_same_container(d)
            self.check_mg(d, "given")
            self.check_mg(d, "drawn")
        self.add_remaining(d["container"], -sign * D(d["drawn_ml"]), check=check)
        dose = self.doses.get(seq)
        if sign == 1:
            wasted = dose["wasted"] if dose else D(0)
            if D(d["given_ml"]) + wasted > D(d["drawn_ml"]):
                raise Impossible("given %s mL plus wasted %s mL exceeds drawn %s mL" % (d["given_ml"], dec(wasted), d["drawn_ml"]))
            self.doses[seq] = {"container": d["container"], "drawn": D(d["drawn_ml"]), "given": D(d["given_ml"]), "wasted": wasted, "voided": False}
        elif dose is not None:
            dose.update({"drawn": D(0), "given": D(0), "voided": True})

    def apply_waste(self, d, sign, check=True):
        if sign == 1:
            self.check_same_container(d)
            self.check_mg(d, "amount")
        amount = D(d["amount_ml"])
        if "administration" not in d:
            self.add_remaining(d["container"], -sign * amount, check=check)
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

    def add_sealed(self, location, product, lot_no, delta, check=True):
        key = (location, product, lot_no)
        sealed = self.stock.get(key, 0) + delta
        if check and sealed < 0:
            raise Impossible("not enough sealed containers of %s lot %s at %s" % (product, lot_no, location))
        self.stock[key] = sealed
        self._record(("stock", key), sealed)

    def add_remaining(self, container, delta_ml, check=True, dispose=False):
        c = self.containers.get(container)
        if c is None or c["status"] in ("voided", "disposed"):
            raise Impossible("no open container %s" % container)
        remaining = c["remaining"] + delta_ml
        if check and remaining < 0:
            raise Impossible("container %s holds %s mL; cannot take %s mL" % (container, dec(c["remaining"]), dec(-delta_ml)))
        c["remaining"] = remaining
        c["status"] = ("disposed" if dispose else "empty") if remaining == 0 else "open"
        self._record(("container", container), remaining)

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
        for key in sorted(rows, key=lambda k: _shelf(*k)):
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
    def __init__(self, head=None, as_of=None, replay=True):
        self.head = head          # (seq, hash) given out earlier, or None
        self.as_of = as_of
        self.replay = replay      # False: stop after the field checks (no fold, no balances)
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
            if self.replay:
                self.fold.apply(e)
        except Impossible as err:
            fail("IMPOSSIBLE_ENTRY", "entry %d (%s) cannot apply: %s" % (seq, e["kind"], err))
        except RuleBroken as err:
            fail("RULE_BROKEN", "entry %d (%s) breaks a rule: %s" % (seq, e["kind"], err))
        except decimal.DecimalException:
            fail("IMPOSSIBLE_ENTRY", "entry %d (%s) cannot apply: a quantity has too many digits to compute exactly" % (seq, e["kind"]))
        except OverflowError:
            fail("RULE_BROKEN", "entry %d (%s) breaks a rule: a time or date it implies falls outside the years 1-9999" % (seq, e["kind"]))

        self.count += 1
        self.last = (seq, h)
        if self.head and seq == self.head[0]:
            self.hash_at_head = h
        if self.replay and self.as_of is not None and seq == self.as_of:
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
        if not self.replay:
            return None
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
    ap.add_argument("--no-replay", action="store_true", help="stop after the field checks: no fold, no write-time rules, no balances")
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
    if want_balances and args.no_replay:
        ap.error("--balances and --as-of need the replay; leave out --no-replay")
    v = Verifier(head=args.head, as_of=args.as_of, replay=not args.no_replay)
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
                  "failure": failure.as_dict() if failure else None, "replayed": v.replay, "unchecked": v.fold.unchecked}
        if want_balances and failure is None:
            report["balances"] = {"as_of_seq": args.as_of if args.as_of is not None else v.last[0], "rows": v.balances}
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    elif failure is None:
        sys.stdout.write("OK: %d entries verified%s, ledger %s, head %d:%s\n" % (
            v.count, "" if v.replay else " (fields only, not replayed)", v.ledger_id, head["seq"], head["hash"]))
        for note in v.fold.unchecked:
            sys.stdout.write("note: %s\n" % note)
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
