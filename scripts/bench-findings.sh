#!/usr/bin/env bash
# Many findings in one file: time and peak memory (max RSS) of `keyhound scan` for
# 100,000 fake GitHub-shaped tokens on one line, one per line, and spread over 100 files,
# in each report format; and `git commit` time through the installed pre-commit hook for
# a 580 KB staged file full of tokens. Cost must grow linearly with the findings.
#
#   scripts/bench-findings.sh [N]        (default N = 100000 tokens)
#
# Files are generated under ${BENCH_DIR:-/tmp/keyhound-bench}/findings (the tokens are
# random and fake, generated here, never committed).
set -euo pipefail
n=${1:-100000}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${BENCH_DIR:-/tmp/keyhound-bench}/findings
kh=${KEYHOUND:-$here/target/release/keyhound}
[ -x "$kh" ] || (cd "$here" && cargo build --release --locked)
rm -rf "$dir" && mkdir -p "$dir/spread"
python3 - "$dir" "$n" <<'EOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(1)
b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
tok = lambda: "ghp_" + "".join(r.choice(b62) for _ in range(36))
toks = [tok() for _ in range(n)]
open(os.path.join(root, "one-line.txt"), "w").write(" ".join(toks) + "\n")
open(os.path.join(root, "per-line.txt"), "w").write("".join(f"t = {t}\n" for t in toks))
per = max(1, n // 100)
for i in range(100):
    chunk = toks[i * per:(i + 1) * per]
    open(os.path.join(root, "spread", f"f{i}.txt"), "w").write("".join(f"t = {t}\n" for t in chunk))
# What a 580 KB staged file looks like: 14,500 tokens, one per line.
open(os.path.join(root, "staged.txt"), "w").write("".join(f"t = {t}\n" for t in toks[:14500]))
EOF

measure() { # label, args...
    local label=$1; shift
    local out
    /usr/bin/time -o "$dir/time.txt" -f "%e %M" "$kh" "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$dir/time.txt")
    printf '%-28s %8s s %8s MB\n' "$label" "${out% *}" "$(( ${out#* } / 1024 ))"
}
echo "keyhound: $("$kh" --version)   tokens: $n"
for target in one-line.txt per-line.txt spread; do
    for fmt in text json sarif; do
        measure "$target $fmt" scan "$dir/$target" --quiet --format "$fmt" -o "$dir/report.$fmt"
    done
done

repo="$dir/repo"
mkdir -p "$repo" && cd "$repo"
git init -q -b main
git -c user.name=bench -c user.email=bench@example.com commit -q --allow-empty -m init
PATH="$(dirname "$kh"):$PATH" "$kh" hook install >/dev/null
cp "$dir/staged.txt" tokens.txt
git add tokens.txt
start=$(date +%s.%N)
PATH="$(dirname "$kh"):$PATH" git -c user.name=bench -c user.email=bench@example.com \
    commit -q -m leak >/dev/null 2>&1 && echo "error: the hook let the tokens through" >&2
end=$(date +%s.%N)
printf '%-28s %8.2f s (blocked)\n' "git commit, 580 KB staged" "$(echo "$end - $start" | bc)"
