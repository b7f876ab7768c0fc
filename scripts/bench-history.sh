#!/usr/bin/env bash
# History scans side by side: keyhound scan --git and the peers' git modes on the same
# repository, one run each; wall time, peak RSS, and how many planted secrets each report
# contains.
#
#   scripts/bench-history.sh [REPO]
#
# Without REPO, generates one with ../shared/bench/make-history.py (20,000 commits, 2,000
# files, 300 planted secrets) under ${BENCH_DIR:-/tmp/keyhound-bench}. Peers come from
# ../shared/bench/install-peers.sh (PATH=/tmp/peers/bin:$PATH); PEERS overrides the list.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH_DIR:-/tmp/keyhound-bench}
kh=${KEYHOUND:-$here/target/release/keyhound}
peers=${PEERS:-gitleaks betterleaks kingfisher}
[ -x "$kh" ] || (cd "$here" && cargo build --release --locked)
mkdir -p "$bench"

repo=${1:-}
manifest=
if [ -z "$repo" ]; then
    repo=$bench/history
    manifest=$bench/history.manifest.jsonl
    if [ ! -d "$repo" ]; then
        python3 "$here/../shared/bench/make-history.py" --out "$repo" \
            --commits 20000 --files 2000 --secrets 300
    fi
fi
out=$bench/history-reports
mkdir -p "$out"

run() { # name report command...
    local name=$1 report=$2
    shift 2
    local t
    /usr/bin/time -o "$out/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
    t=$(tail -1 "$out/time")
    local found=-
    if [ -n "$manifest" ] && [ -f "$report" ]; then
        found=$(python3 - "$manifest" "$report" <<'EOF'
import json, sys
planted = [json.loads(l)["secret"] for l in open(sys.argv[1])]
text = open(sys.argv[2], errors="replace").read()
print(f"{sum(s in text for s in planted)}/{len(planted)}")
EOF
)
    fi
    printf '| %s | %s s | %d MB | %s |\n' "$name" "${t% *}" $(( ${t#* } / 1024 )) "$found"
}

echo "repository: $repo ($(git -C "$repo" rev-list --count HEAD) commits)"
echo "| scanner | wall | peak RSS | planted found |"
echo "|---|---|---|---|"
(cd "$repo" && run keyhound "$out/keyhound.json" \
    "$kh" scan --git --format json --show-secrets -q -o "$out/keyhound.json") || true
for p in $peers; do
    command -v "$p" >/dev/null || { echo "| $p | not installed | | |"; continue; }
    case $p in
        gitleaks) run gitleaks "$out/gitleaks.json" \
            gitleaks git "$repo" --no-banner -f json -r "$out/gitleaks.json" ;;
        betterleaks) run betterleaks "$out/betterleaks.json" \
            betterleaks git "$repo" --no-banner --output "$out/betterleaks.json" ;;
        kingfisher) run kingfisher "$out/kingfisher.json" \
            kingfisher scan "$repo" --git-history full --no-validate --format json \
            --output "$out/kingfisher.json" ;;
    esac
done
