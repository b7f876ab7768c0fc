#!/usr/bin/env bash
# Pre-commit latency: `keyhound scan --staged` on a typical commit (3 files, < 50 KB) in a
# generated repository of 10,000 files with some history, whole process, start-up included;
# `gitleaks git --pre-commit --staged` side by side when gitleaks is on PATH.
#
#   scripts/bench-staged.sh [RUNS]        (default 30 runs each; prints median and p90)
#
# The repository is generated once under ${BENCH_DIR:-/tmp/keyhound-bench}/staged-repo.
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${BENCH_DIR:-/tmp/keyhound-bench}/staged-repo
kh=${KEYHOUND:-$here/target/release/keyhound}
[ -x "$kh" ] || (cd "$here" && cargo build --release --locked)

if [ ! -d "$dir/.git" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    python3 - "$dir" <<'EOF'
import os, random, sys
root = sys.argv[1]
r = random.Random(7)
words = "alpha beta gamma delta config token key value user session cache index".split()
for i in range(10_000):
    d = os.path.join(root, f"pkg{i % 100:02d}", f"mod{i % 7}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i}.py"), "w") as f:
        for j in range(r.randint(20, 80)):
            f.write(f"{r.choice(words)}_{j} = '{r.choice(words)}-{r.randint(0, 99999)}'\n")
EOF
    (
        cd "$dir"
        git init -q -b main
        git -c user.name=bench -c user.email=bench@example.com add -A
        git -c user.name=bench -c user.email=bench@example.com commit -q -m "10k files"
        for n in 1 2 3 4 5; do
            i=$((n + 700))
            echo "# change $n" >> "pkg$(printf %02d $((i % 100)))/mod$((i % 7))/file$i.py"
            git -c user.name=bench -c user.email=bench@example.com commit -qam "change $n"
        done
    )
fi

# The commit under test: three files, ~40 KB in all, one of them new.
(
    cd "$dir"
    git reset -q --hard HEAD
    git clean -qfd
    python3 - <<'EOF'
import random
r = random.Random(11)
def lines(n):
    return "".join(f"setting_{i} = 'value-{r.randint(0, 10**6)}'\n" for i in range(n))
def path(i):
    return f"pkg{i % 100:02d}/mod{i % 7}/file{i}.py"
open(path(101), "a").write(lines(400))
open(path(202), "a").write(lines(400))
open("pkg03/new_module.py", "w").write(lines(300))
EOF
    git add -A
    git diff --cached --shortstat
)

median() { python3 -c 'import sys,statistics as s; v=sorted(float(x) for x in sys.stdin); print(f"median {s.median(v)*1000:.1f} ms, p90 {v[int(len(v)*0.9)-1]*1000:.1f} ms, n={len(v)}")'; }
time_runs() {
    for _ in $(seq "$runs"); do
        python3 - "$@" <<'EOF'
import subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(time.perf_counter() - t)
EOF
    done
}

cd "$dir"
echo "keyhound scan --staged: $(time_runs "$kh" scan --staged --quiet | median)"
if command -v gitleaks >/dev/null; then
    echo "gitleaks git --pre-commit --staged: $(time_runs gitleaks git --pre-commit --staged --no-banner | median)"
fi
echo "(process spawn floor, /bin/true: $(time_runs /bin/true | median))"
