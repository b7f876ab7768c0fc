#!/usr/bin/env bash
# Precision benchmark (issue 14, part 5): scans the precision corpus (real third-party code
# from crates.io, PyPI and npm, built by scripts/precision-corpus.sh) with keyhound and each
# peer scanner, one run each, and prints findings per GB. The corpus has (as far as anyone
# knows) no live credentials, so nearly every finding is a false-positive candidate.
#
#   scripts/precision.sh
#   KEYHOUND_ARGS="--confidence medium" scripts/precision.sh
#   PEERS="gitleaks kingfisher" KEYHOUND=/path/to/keyhound scripts/precision.sh
#
#   PRECISION_DIR  corpus/ and reports/ live here (default /tmp/keyhound-precision); the
#                  corpus is built first if it is missing
#   KEYHOUND       binary to run (default target/release/keyhound, built if missing)
#   KEYHOUND_ARGS  extra flags for `keyhound scan` (word-split), e.g. "--confidence low"
#   PEERS          peers to run (default: all five below; each must be on PATH after
#                  ../shared/bench/install-peers.sh, which this script runs first);
#                  PEERS= (empty) runs keyhound alone. detect-secrets takes over 30
#                  minutes here: PEER_TIMEOUT=1800 bounds it
#   PEER_TIMEOUT   seconds after which one run is stopped (default 3600)
#
# Each tool is run with its default rules and confidence, from an empty working directory
# (so no configuration file is picked up), with every network feature off:
#   keyhound       scan DIR --format json --output FILE $KEYHOUND_ARGS  (nothing is sent)
#   gitleaks       dir DIR --report-format json (no network feature)
#   betterleaks    DIR --output FILE.json (validation is opt-in, -v; BETTERLEAKS_VALIDATE
#                  and BETTERLEAKS_ANALYZE are unset)
#   kingfisher     scan DIR --no-validate --no-update-check --format json
#   detect-secrets scan --all-files --no-verify .   (run from DIR: it skips paths outside the
#                  working directory, so `scan DIR` from elsewhere finds nothing)
#   ripsecrets     --only-matching DIR (text output; it has no JSON mode)
# gitleaks, Betterleaks and Kingfisher get their redaction flag (it changes no count).
#
# Findings are counted the same way for every tool: one per result the tool reports.
#   keyhound       entries of the JSON `findings` array
#   gitleaks       entries of the JSON report array (one per rule match)
#   betterleaks    entries of the JSON report array (one per rule match)
#   kingfisher     entries of the JSON `findings` array (Kingfisher dedups identical
#                  secrets by default; that is its default output, so it is what counts)
#   detect-secrets entries of every list in the JSON `results` object (one per file, line,
#                  plugin and secret)
#   ripsecrets     lines of its --only-matching output (`path:line:match`, one per match)
# Wall time and peak RSS are GNU time's (%e, %M), page cache warmed first; %M is the
# largest single process (for a tool that forks workers the total is higher). Reports
# (and each tool's stdout and stderr) go to ${PRECISION_DIR}/reports/; they hold what the
# tools matched, so they stay there and are never committed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared}
root=${PRECISION_DIR:-/tmp/keyhound-precision}
corpus=$root/corpus
reports=$root/reports
kh=${KEYHOUND:-$here/target/release/keyhound}
peers=${PEERS-gitleaks betterleaks kingfisher detect-secrets ripsecrets}
limit=${PEER_TIMEOUT:-3600}
read -r -a kh_args <<< "${KEYHOUND_ARGS:-}"
unset BETTERLEAKS_VALIDATE BETTERLEAKS_ANALYZE

[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
[ -d "$corpus" ] || PRECISION_DIR=$root bash "$here/scripts/precision-corpus.sh" >&2
if [ -n "$peers" ]; then
  PEERS_DIR=${PEERS_DIR:-/tmp/peers} bash "$shared/bench/install-peers.sh" > "$root/peer-versions.txt"
fi
export PATH="${PEERS_DIR:-/tmp/peers}/bin:$PATH"
if [ ! -x "$kh" ]; then (cd "$here" && nice -n 19 cargo build --release --locked -q); fi
mkdir -p "$reports"
work=$(mktemp -d)   # empty working directory for every run
trap 'rm -rf "$work"' EXIT

bytes=$(du -sb --apparent-size "$corpus" | cut -f1)
gb=$(python3 -c "print(f'{$bytes/1e9:.3f}')")

count() {  # tool report
  python3 - "$1" "$2" <<'EOF'
import json, sys
tool, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8", errors="replace").read()
if tool == "ripsecrets":
    print(sum(1 for l in text.splitlines() if l.strip()))
    sys.exit()
text = text.strip()
try:
    doc = json.loads(text) if text else []
except json.JSONDecodeError:  # JSON lines
    doc = [json.loads(l) for l in text.splitlines() if l.strip()]
if tool == "detect-secrets":
    print(sum(len(v) for v in doc.get("results", {}).values()))
elif isinstance(doc, dict):
    print(len(doc.get("findings", [])))
else:
    print(len(doc))
EOF
}

run() {  # tool report cmd...
  local tool=$1 report=$2; shift 2
  rm -f "$report"
  find "$corpus" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true   # warm the page cache
  local t="$reports/$tool.time" rc=0
  (cd "$work" && /usr/bin/time -f "%e %M" -o "$t" timeout "$limit" "$@" \
    >"$reports/$tool.stdout" 2>"$reports/$tool.stderr") || rc=$?
  local secs rss
  read -r secs rss < <(tail -n 1 "$t")
  local n="failed (exit $rc, see $tool.stderr)"
  if [ -s "$report" ] || { [ -f "$report" ] && [ "$rc" -le 1 ]; }; then n=$(count "$tool" "$report"); fi
  [ "$rc" = 124 ] && n="timed out after ${limit} s"
  local per="-"
  case $n in *[!0-9]*) ;; *) per=$(python3 -c "print(f'{$n/$gb:.1f}')") ;; esac
  printf '| %s | %s | %s | %s | %.1f s | %d MB |\n' "$tool" "$n" "$gb" "$per" "$secs" "$((rss / 1024))"
}

echo "corpus: $corpus, $((bytes / 1000000)) MB, $(find "$corpus" -type f | wc -l) files"
echo
echo "| tool | findings | corpus GB | findings per GB | wall time | peak RSS |"
echo "|---|---|---|---|---|---|"
run keyhound "$reports/keyhound.json" \
  "$kh" scan "$corpus" --format json --output "$reports/keyhound.json" "${kh_args[@]}"
for p in $peers; do
  if ! command -v "$p" >/dev/null; then echo "| $p | not installed | | | | |"; continue; fi
  # shellcheck disable=SC2016  # in `sh -c '…'`, $1 and $2 are the inner shell's arguments
  case $p in
    gitleaks) run "$p" "$reports/$p.json" \
      gitleaks dir "$corpus" --no-banner --redact --report-format json --report-path "$reports/$p.json" ;;
    betterleaks) run "$p" "$reports/$p.json" \
      betterleaks "$corpus" --no-banner --redact --output "$reports/$p.json" ;;
    kingfisher) run "$p" "$reports/$p.json" \
      kingfisher scan "$corpus" --no-validate --no-update-check --redact -q --format json --output "$reports/$p.json" ;;
    detect-secrets) run "$p" "$reports/$p.json" \
      sh -c 'cd "$1" && exec detect-secrets scan --all-files --no-verify . > "$2"' sh "$corpus" "$reports/$p.json" ;;
    ripsecrets) run "$p" "$reports/$p.txt" \
      sh -c 'exec ripsecrets --only-matching "$1" > "$2"' sh "$corpus" "$reports/$p.txt" ;;
    *) echo "| $p | unknown peer | | | | |" ;;
  esac
done
echo
echo "Reports: $reports/ (peer versions: $root/peer-versions.txt)"
