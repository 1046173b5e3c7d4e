#!/usr/bin/env python3
"""Runs verify.py's Verifier on re-hashed random mutations of an export; reports what it said.

Each run copies the export, changes one to three values inside one entry's data (replaces a value
with one from a list of awkward ones, drops an object member, or repeats an array element),
re-links and re-hashes every entry so the chain itself stays whole, and verifies the result in
this process. A verifier an inspector relies on must name a documented code for anything it is
given; an exception is a bug in it.

Usage: python3 fuzz-verify.py EXPORT.jsonl [RUNS] [SEED]
Prints one JSON object: {"runs", "crashes", "codes": {code: n}, "first_crash": {...} or null}.
"""

import copy
import io
import json
import os
import random
import sys
import traceback

sys.dont_write_bytecode = True  # leave no __pycache__ beside verify.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify  # noqa: E402

AWKWARD = [
    0, 1, -1, 2, 2 ** 53 - 1, -(2 ** 53 - 1), "", "0", "-0", "-1", "0.5", "-0.5", "1e3", "9" * 300,
    "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00.000Z", "2026-11-03T15:14:26.500Z", "2026-02-30",
    "C-0001", "C-0099", "D-0001", "D-0009", "L-0001", "L-0009", "SAFE-1", "LOCKBOX-2", "KET-50", "MDZ-1",
    "K2417A", "M88", "sealed", "open", "pkim", "nkim", "drlee", "+25:00", "america/chicago", "Foo/Bar",
    True, False, None, [], {}, [1], {"type": "sealed"}, {"type": "open"},
]


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


def mutate(data, rnd):
    path = rnd.choice([p for p in paths(data) if p])
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    roll = rnd.random()
    if roll < 0.15 and isinstance(parent, dict):
        del parent[path[-1]]
    elif roll < 0.25 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[path[-1]]))
    else:
        parent[path[-1]] = copy.deepcopy(rnd.choice(AWKWARD))


def main():
    export = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    with open(export, encoding="utf-8") as f:
        entries = [json.loads(line)["entry"] for line in f]
    codes, crashes, first_crash = {}, 0, None
    for _ in range(runs):
        es = copy.deepcopy(entries)
        seq = rnd.randrange(1, len(es) + 1)
        for _ in range(rnd.choice((1, 1, 2, 3))):
            mutate(es[seq - 1]["data"], rnd)
        out, prev = [], verify.GENESIS_PREV_HASH
        for e in es:
            e["prev_hash"] = prev
            text = verify.canonical(e)
            prev = verify.entry_hash(text)
            out.append(('{"entry":' + text + ',"hash":"' + prev + '"}\n').encode("utf-8"))
        try:
            failure = verify.Verifier().verify(io.BytesIO(b"".join(out)))
            code = failure.code if failure else "OK"
            codes[code] = codes.get(code, 0) + 1
        except Exception:  # a crash is what this script looks for
            crashes += 1
            if first_crash is None:
                first_crash = {"seq": seq, "data": es[seq - 1]["data"], "traceback": traceback.format_exc()}
    sys.stdout.write(json.dumps({"runs": runs, "crashes": crashes, "codes": codes, "first_crash": first_crash}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
