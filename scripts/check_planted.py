"""Planted secrets found by a keyhound JSON report, and the findings that are not planted.

usage: check_planted.py MANIFEST.jsonl KEYHOUND.json
"""
import collections
import json
import sys

manifest = [json.loads(l) for l in open(sys.argv[1])]
report = json.load(open(sys.argv[2]))
by_path = collections.defaultdict(list)
for f in report["findings"]:
    by_path[f["path"].split("synthetic/", 1)[-1]].append(f)
found, planted = 0, set()
for m in manifest:
    hits = [f for f in by_path.get(m["path"], []) if m["line"] <= f["line"] <= m["end_line"]]
    found += bool(hits)
    planted.update(id(f) for f in hits)
extra = [f for fs in by_path.values() for f in fs if id(f) not in planted]
print(f"planted secrets found: {found}/{len(manifest)}")
print(f"extra findings: {len(extra)} ({len({f['fingerprint'] for f in extra})} distinct secrets)")
for rule, n in collections.Counter(f["rule_id"] for f in extra).most_common(10):
    print(f"  {rule}: {n}")
