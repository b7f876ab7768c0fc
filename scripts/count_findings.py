"""Counts findings in a keyhound, gitleaks/betterleaks or kingfisher JSON report."""
import json
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read().strip()
try:
    doc = json.loads(text) if text else []
except json.JSONDecodeError:  # JSON lines
    doc = [json.loads(l) for l in text.splitlines() if l.strip()]
if isinstance(doc, dict):
    doc = doc.get("findings", [])
print(len(doc))
