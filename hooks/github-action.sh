#!/usr/bin/env bash
# keyhound's GitHub Action (action.yml runs this; crates/keyhound-cli/tests/it/action.rs runs it with a simulated
# GitHub environment). It chooses what to scan from the event, runs keyhound once — the
# annotations, the SARIF file and the job summary all come from that one scan — and writes
# the step's outputs.
#
# Inputs (environment, from action.yml):
#   INPUT_PATH        what to scan (default .; a subdirectory scans a monorepo slice)
#   INPUT_MODE        auto (the pull request's base..head, or the push's before..after; the
#                     whole history of a new branch), history, or tree
#   INPUT_CONFIG      a .keyhound.toml other than the repository's
#   INPUT_BASELINE    a baseline file (keyhound baseline create): report only new findings
#   INPUT_SARIF_FILE  where to write SARIF (default keyhound.sarif)
#   INPUT_FAIL_ON     any, confirmed, live-in-test or none (default any)
#   INPUT_REVOKE_URL  send confirmed leaks to this revocation webhook, signed with
#                     KEYHOUND_WEBHOOK_SECRET (skipped, with a note, when it is not set, as
#                     on pull requests from forks)
# A pull request's or push's range is scanned with the configuration, .keyhoundignore and
# baseline of its base commit (keyhound's default for ranges), so a pull request cannot
# silence its own findings; what it adds to them, and each inline allow marker it adds, is
# a notice ("suppression-added") in the annotations and the job summary.
# From GitHub: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
# GITHUB_WORKSPACE. KEYHOUND names the binary (default: keyhound on PATH). Needs git and jq
# (both on GitHub-hosted runners).
set -uo pipefail

kh=${KEYHOUND:-keyhound}
path=${INPUT_PATH:-.}
mode=${INPUT_MODE:-auto}
config=${INPUT_CONFIG:-}
baseline=${INPUT_BASELINE:-}
sarif=${INPUT_SARIF_FILE:-keyhound.sarif}
fail_on=${INPUT_FAIL_ON:-any}
revoke_url=${INPUT_REVOKE_URL:-}
output=${GITHUB_OUTPUT:-/dev/null}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

fail() {
    echo "::error title=keyhound::$*"
    printf 'exit-code=2\n' >>"$output"
    exit 2
}

cd "${GITHUB_WORKSPACE:-.}" || fail "cannot enter the workspace ${GITHUB_WORKSPACE:-.}"
command -v "$kh" >/dev/null 2>&1 || fail "keyhound is not installed ($kh not found)"
command -v jq >/dev/null 2>&1 || fail "jq is needed to read the event payload"
case $mode in auto | history | tree) ;; *) fail "mode must be auto, history or tree, not '$mode'" ;; esac
case $fail_on in
any | confirmed | live-in-test | none) ;;
*) fail "fail-on must be any, confirmed, live-in-test or none, not '$fail_on'" ;;
esac
[ -e "$path" ] || fail "path '$path' does not exist in the checkout"

notes=()
zero=0000000000000000000000000000000000000000
have_commit() { [ -n "$1" ] && git cat-file -e "$1^{commit}" 2>/dev/null; }
field() { jq -r "$1 // empty" "${GITHUB_EVENT_PATH:-/dev/null}" 2>/dev/null; }

args=(scan)
if [ "$mode" = tree ]; then
    scanned="the files under \`$path\`"
    args+=("$path")
else
    git rev-parse --git-dir >/dev/null 2>&1 || fail "mode $mode needs a git checkout (actions/checkout)"
    rev=HEAD
    scanned="the whole history of HEAD"
    if [ "$mode" = auto ]; then
        base= head=
        case ${GITHUB_EVENT_NAME:-} in
        pull_request | pull_request_target)
            base=$(field .pull_request.base.sha)
            head=$(field .pull_request.head.sha)
            what="pull request"
            ;;
        push)
            base=$(field .before)
            head=$(field .after)
            what="push"
            ;;
        esac
        if [ -n "$head" ] && ! have_commit "$head"; then
            notes+=("The $what's head commit \`${head:0:12}\` is not in this checkout; scanned the history of HEAD.")
        elif [ -n "$head" ] && { [ -z "$base" ] || [ "$base" = "$zero" ]; }; then
            rev=$head
            scanned="the whole history of \`${head:0:12}\` (a new branch)"
        elif [ -n "$head" ] && ! have_commit "$base"; then
            rev=$head
            scanned="the history of \`${head:0:12}\` present in this checkout"
            notes+=("The base commit \`${base:0:12}\` is not in this checkout, so the $what's range could not be cut out; every commit present was scanned. Check out with \`fetch-depth: 0\` for the exact range.")
        elif [ -n "$head" ]; then
            rev="$base..$head"
            scanned="the $what's commits \`${base:0:12}..${head:0:12}\`"
        fi
    fi
    if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
        notes+=("This is a shallow clone: only the commits it holds were scanned. Use \`actions/checkout\` with \`fetch-depth: 0\` to scan the full range.")
    fi
    args+=("--git=$rev" "$path")
fi
[ -n "$config" ] && args+=(--config "$config")
[ -n "$baseline" ] && args+=(--baseline "$baseline")
if [ -n "$revoke_url" ]; then
    if [ -n "${KEYHOUND_WEBHOOK_SECRET:-}" ]; then
        args+=(--revoke-url "$revoke_url")
    else
        notes+=("Revocation skipped: KEYHOUND_WEBHOOK_SECRET is not set (pull requests from forks get no secrets).")
    fi
fi
category=keyhound
[ "$path" != . ] && category="keyhound/${path#./}"
if [ "$fail_on" = none ]; then
    args+=(--fail-on any)
else
    args+=(--fail-on "$fail_on")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Annotations on standard output (GitHub reads the workflow commands there); the SARIF file,
# a JSON report for the counts and the Markdown summary from the same scan.
"$kh" "${args[@]}" --quiet --format github --sarif-category "$category" \
    --report "sarif=$sarif" --report "json=$tmp/report.json" --report "markdown=$tmp/summary.md"
code=$?

if [ "$code" -ge 2 ] || [ ! -s "$tmp/report.json" ]; then
    {
        echo "## keyhound"
        echo
        echo "The scan failed (exit code $code); see the step's log."
    } >>"$summary"
    printf 'findings=0\nconfirmed=0\nlive-in-test=0\nsuppressions-added=0\nsarif-file=%s\nexit-code=%s\n' "$sarif" "$code" >>"$output"
    exit 2
fi

count() { jq "[.findings[] | select($1)] | length" "$tmp/report.json"; }
findings=$(count '.kind != "suppression-added"')
suppressions=$(count '.kind == "suppression-added"')
confirmed=$(count '.confirmation == "checksum"')
live=$(count '.kind == "live-in-test"')
{
    echo "findings=$findings"
    echo "confirmed=$confirmed"
    echo "live-in-test=$live"
    echo "suppressions-added=$suppressions"
    echo "sarif-file=$sarif"
    echo "exit-code=$code"
} >>"$output"

{
    cat "$tmp/summary.md"
    echo
    echo "Scanned $scanned."
    for n in ${notes[@]+"${notes[@]}"}; do
        echo
        echo "> $n"
    done
    echo
} >>"$summary"
for n in ${notes[@]+"${notes[@]}"}; do echo "::notice title=keyhound::$n"; done

if [ "$fail_on" = none ]; then
    exit 0
fi
exit "$code"
