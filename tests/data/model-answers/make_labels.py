#!/usr/bin/env python3
"""Builds labels.json, the labels tests/model_answers_test.cc checks the tool against.

    python3 tests/data/model-answers/make_labels.py

Runs the independent checker (check_answers.py, which shares no code with the tool) over the
corpus, applies the few reviewed decisions in label-overrides.json (each with its reason), and
writes labels.json: per answer its reply, verdict, written steps and checksum claims.
"""
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import check_answers  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    check_answers.main(["--out", tmp])
    raw = json.load(open(os.path.join(tmp, "labels.json")))
    summary = open(os.path.join(tmp, "summary.md")).read()
overrides = json.load(open(os.path.join(HERE, "label-overrides.json")))
requests = {}
for line in open(os.path.join(HERE, "corpus", "requests.tsv")):
    n, name, hexa = line.rstrip("\n").split("\t")
    requests[name] = hexa
labels = []
for lab in raw:
    ident = "%s--%s" % (lab["family"], lab["request"])
    entry = {
        "id": ident,
        "file": "corpus/%s/answers/task-%s.txt" % (lab["helper"], lab["task"]),
        "prompt": lab["family"],
        "request": lab["request"],
        "request_hex": requests[lab["request"]],
        "reply": lab["reply"],
        "verdict": lab["verdict"],
        "wrong_fields": lab["wrong_fields"],
        "steps": [{k: s[k] for k in ("line", "text", "result", "result_byte_offset",
                                     "result_length", "right")} for s in lab["steps"]],
        "claims": [{k: c.get(k) for k in ("line", "value", "subject", "kind", "right")}
                   for c in lab["claims"]],
    }
    if ident in overrides:
        entry.update(overrides[ident]["set"])
        entry["override"] = overrides[ident]["why"]
    labels.append(entry)
labels.sort(key=lambda e: e["id"])
with open(os.path.join(HERE, "labels.json"), "w") as f:
    json.dump(labels, f, indent=1, ensure_ascii=False)
    f.write("\n")
with open(os.path.join(HERE, "summary.md"), "w") as f:
    f.write(summary)
print("%d labels written" % len(labels))
