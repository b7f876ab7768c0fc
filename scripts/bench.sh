#!/usr/bin/env bash
# Whole-process throughput of keyhound and its peers on the same corpora, in one run.
#
#   scripts/bench.sh            # synthetic 1 GiB tree (generated once) + real code tree
#   CORPORA=/tmp/corpora REAL=~/.cargo/registry/src PEERS="gitleaks betterleaks kingfisher" scripts/bench.sh
#
# Peers come from ../shared/bench/install-peers.sh (registry packages into /tmp/peers).
# Prints a Markdown table: wall time, MB/s, peak RSS, findings; for keyhound on the
# synthetic corpus also planted secrets found and extra findings (from the manifest).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared}
corpora=${CORPORA:-/tmp/corpora}
real=${REAL:-$HOME/.cargo/registry/src}
peers=${PEERS:-gitleaks betterleaks kingfisher}
out=${OUT:-/tmp/keyhound-bench}
mkdir -p "$out"
export PATH="/tmp/peers/bin:$PATH"

[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
for p in $peers; do
  command -v "$p" >/dev/null || { echo "peer $p missing: run $shared/bench/install-peers.sh" >&2; exit 2; }
done
(cd "$here" && cargo build --release --locked -q)
kh="$here/target/release/keyhound"

if [ ! -d "$corpora/synthetic" ]; then
  python3 "$shared/bench/make-synthetic.py" --out "$corpora/synthetic" --size-mib 1024 --secrets 1000
fi

run() {  # name corpus-name corpus-dir report cmd...
  local name=$1 cname=$2 dir=$3 report=$4; shift 4
  cat "$dir" >/dev/null 2>&1 || true
  find "$dir" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true   # warm the page cache
  local t; t=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>&1 || true
  read -r secs rss < <(tail -n 1 "$t"); rm -f "$t"
  local bytes; bytes=$(du -sb --apparent-size "$dir" | cut -f1)
  local mbs; mbs=$(python3 -c "print(f'{$bytes/1e6/max($secs,0.001):.0f}')")
  local n="?"
  [ -f "$report" ] && n=$(python3 "$here/scripts/count_findings.py" "$report")
  printf '| %s | %s | %.2f s | %s MB/s | %d MB | %s |\n' "$cname" "$name" "$secs" "$mbs" "$((rss / 1024))" "$n"
}

echo "| corpus | tool | wall | throughput | peak RSS | findings |"
echo "|---|---|---|---|---|---|"
for corpus in synthetic real; do
  if [ "$corpus" = synthetic ]; then dir="$corpora/synthetic"; else dir="$real"; fi
  [ -d "$dir" ] || continue
  run keyhound "$corpus" "$dir" "$out/kh-$corpus.json" "$kh" scan "$dir" --format json --output "$out/kh-$corpus.json"
  for p in $peers; do
    case $p in
      gitleaks) run "$p" "$corpus" "$dir" "$out/$p-$corpus.json" gitleaks dir "$dir" --no-banner --report-format json --report-path "$out/$p-$corpus.json" ;;
      betterleaks) run "$p" "$corpus" "$dir" "$out/$p-$corpus.json" betterleaks "$dir" --no-banner --output "$out/$p-$corpus.json" ;;
      kingfisher) run "$p" "$corpus" "$dir" "$out/$p-$corpus.json" kingfisher scan "$dir" --no-validate --format json --output "$out/$p-$corpus.json" ;;
    esac
  done
done
if [ -f "$corpora/synthetic.manifest.jsonl" ]; then
  echo
  python3 "$here/scripts/check_planted.py" "$corpora/synthetic.manifest.jsonl" "$out/kh-synthetic.json"
fi
