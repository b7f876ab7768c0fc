#!/usr/bin/env bash
# Builds the precision corpus (issue 14, part 5): >= 600 MB of real third-party code,
# docs and tests that nobody on this project wrote, from registry packages only
# (crates.io, PyPI, npm; nothing from any other host). Every finding a scanner reports
# on it is a false-positive candidate to read; see scripts/precision.sh.
#
#   scripts/precision-corpus.sh
#   PRECISION_DIR=/data/kh-precision scripts/precision-corpus.sh
#
# Layout under ${PRECISION_DIR:-/tmp/keyhound-precision}:
#   corpus/crates/<crate>-<version>/     the crates of keyhound's own Cargo.lock at commit
#                                        $CRATES_REV (every target's crates, dev ones too),
#                                        unpacked from the .crate files `cargo fetch` keeps
#   corpus/pypi/<package>-<version>/     PyPI sdists (docs and tests included); a wheel
#                                        only where the version has no sdist
#   corpus/npm/<scope__name>-<version>/  npm tarballs (`npm pack`, no install scripts run)
#   cache/                               the downloaded archives, outside the scanned tree
#
# Versions are pinned below, so the corpus is the same on every run and every machine.
# They are ones pip serves to Python 3.11 (django 6, ansible-core 2.20+ and ansible 13+
# need Python >= 3.12, and pip filters sdists by the running interpreter).
# Idempotent: a package whose directory exists is skipped (each is unpacked to a
# temporary name and renamed when complete). `.git` directories are removed.
# Prints the corpus size per ecosystem and in total. Heavy parts run under `nice -n 19`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${PRECISION_DIR:-/tmp/keyhound-precision}
corpus=$root/corpus
cache=$root/cache
# The project commit whose Cargo.lock picks the crates (the commit this script was
# written against). Falls back to the working tree's Cargo.lock if the commit is absent.
CRATES_REV=${CRATES_REV:-a58c7db18b8599188f9ae05ffafb3b3715552ab6}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
mkdir -p "$corpus"/{crates,pypi,npm} "$cache"/{pypi,npm,cargo}

PYPI=(
  botocore==1.44.5 boto3==1.44.5 awscli==1.46.2
  google-cloud-storage==3.17.1 google-cloud-bigquery==3.47.0
  google-api-python-client==2.202.0 google-auth==2.62.2
  azure-storage-blob==12.31.1 azure-identity==1.27.0 azure-keyvault-secrets==4.12.0
  azure-mgmt-compute==39.0.0 azure-mgmt-network==33.1.0 azure-mgmt-storage==25.3.0
  azure-mgmt-resource==26.0.0
  kubernetes==37.0.2 ansible==12.3.0 ansible-core==2.19.14 openstacksdk==4.22.0
  requests==2.34.2 django==5.2.19 flask==3.1.3
  paramiko==5.1.0 oauthlib==4.0.1 pyjwt==2.15.1 hvac==2.4.0
  slack-sdk==3.47.0 twilio==9.13.0 stripe==16.1.0
)
NPM=(
  aws-sdk@2.1693.0 @aws-sdk/client-s3@3.1169.0 @aws-sdk/client-iam@3.1169.0
  firebase@12.19.0 firebase-admin@14.5.1
  stripe@23.1.0 twilio@6.2.0 @sendgrid/mail@8.1.6
  googleapis@188.0.0 @google-cloud/storage@8.4.0
  @azure/storage-blob@12.34.0 @azure/identity@4.14.1
  @azure/arm-compute@25.1.1 @azure/arm-network@39.0.0
  @octokit/rest@22.0.1 @octokit/openapi-types@29.0.1 @octokit/webhooks-types@7.6.1
  @slack/web-api@8.2.0 openai@7.55.0 jsonwebtoken@9.0.3 passport@0.7.0
)

log() { printf '[precision-corpus] %s\n' "$*" >&2; }
failed=()

# unpack ARCHIVE DEST: extracts into DEST.tmp, strips a single top-level directory,
# renames to DEST. Handles .tar.gz/.tgz/.tar.bz2/.crate and .zip/.whl.
unpack() {
  local archive=$1 dest=$2 tmp=$2.tmp
  rm -rf "$tmp" && mkdir -p "$tmp"
  case $archive in
    *.zip|*.whl) python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$tmp" ;;
    *) nice -n 19 tar -xf "$archive" -C "$tmp" --no-same-owner ;;
  esac
  local entries; entries=$(find "$tmp" -mindepth 1 -maxdepth 1 | head -n 2 | wc -l)
  local top; top=$(find "$tmp" -mindepth 1 -maxdepth 1)
  if [ "$entries" = 1 ] && [ -d "$top" ]; then
    mv "$top" "$dest" && rmdir "$tmp"
  else
    mv "$tmp" "$dest"
  fi
  find "$dest" -name .git -prune -exec rm -rf {} + 2>/dev/null || true
  chmod -R u+rwX "$dest"
}

# --- crates.io: the crates of keyhound's Cargo.lock at $CRATES_REV ---
src_tree=$(mktemp -d)
trap 'rm -rf "$src_tree"' EXIT
if git -C "$here" cat-file -e "$CRATES_REV^{commit}" 2>/dev/null; then
  git -C "$here" archive "$CRATES_REV" | tar -x -C "$src_tree"
else
  log "commit $CRATES_REV not in this clone: using the working tree's Cargo.lock"
  cp -r "$here/Cargo.toml" "$here/Cargo.lock" "$here/src" "$src_tree/"
  [ -f "$here/build.rs" ] && cp "$here/build.rs" "$src_tree/"
fi
cargo_home=${CARGO_HOME:-$HOME/.cargo}
log "cargo fetch --locked (crates of every target into $cargo_home/registry/cache)"
(cd "$src_tree" && nice -n 19 cargo fetch --locked -q)
crate_cache=$(find "$cargo_home/registry/cache" -mindepth 1 -maxdepth 1 -type d -name "index.crates.io-*" | head -n 1)
python3 - "$src_tree/Cargo.lock" <<'EOF' > "$cache/cargo/crates.txt"
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
for p in lock["package"]:
    if p.get("source", "").startswith("registry+"):
        print(f'{p["name"]}-{p["version"]}')
EOF
while read -r nv; do
  [ -d "$corpus/crates/$nv" ] && continue
  if [ -f "$crate_cache/$nv.crate" ]; then
    unpack "$crate_cache/$nv.crate" "$corpus/crates/$nv"
  else
    failed+=("crate $nv (not in the cargo cache after fetch)")
  fi
done < "$cache/cargo/crates.txt"
log "crates: $(wc -l < "$cache/cargo/crates.txt") in Cargo.lock"

# --- PyPI: sdists (docs and tests), a wheel where there is no sdist ---
for spec in "${PYPI[@]}"; do
  name=${spec%%==*} ver=${spec#*==}
  dest=$corpus/pypi/$name-$ver
  [ -d "$dest" ] && continue
  dl=$cache/pypi/$name-$ver
  if ! compgen -G "$dl/*" >/dev/null; then
    mkdir -p "$dl"
    log "pip download $spec"
    # Preparing an sdist's metadata builds it in an isolated environment (pip's normal way).
    if ! nice -n 19 python3 -m pip download -q --no-deps --no-binary=:all: -d "$dl" "$spec" >/dev/null 2>&1; then
      rm -rf "${dl:?}"/*
      log "  no sdist for $spec: taking the wheel"
      nice -n 19 python3 -m pip download -q --no-deps --only-binary=:all: -d "$dl" "$spec" >/dev/null 2>&1 \
        || { failed+=("pypi $spec"); rm -rf "$dl"; continue; }
    fi
  fi
  archive=$(find "$dl" -maxdepth 1 -type f | head -n 1)
  unpack "$archive" "$dest"
done

# --- npm: registry tarballs (npm pack downloads the tarball, runs no scripts) ---
for spec in "${NPM[@]}"; do
  name=${spec%@*} ver=${spec##*@}
  flat=${name#@}; flat=${flat//\//__}
  dest=$corpus/npm/$flat-$ver
  [ -d "$dest" ] && continue
  dl=$cache/npm/$flat-$ver
  if ! compgen -G "$dl/*.tgz" >/dev/null; then
    mkdir -p "$dl"
    log "npm pack $spec"
    (cd "$dl" && nice -n 19 npm pack -q --ignore-scripts "$spec" >/dev/null 2>&1) \
      || { failed+=("npm $spec"); rm -rf "$dl"; continue; }
  fi
  archive=$(find "$dl" -maxdepth 1 -name '*.tgz' | head -n 1)
  unpack "$archive" "$dest"
done

find "$corpus" -name .git -prune -exec rm -rf {} + 2>/dev/null || true

# --- size ---
echo "| ecosystem | packages | MB | files |"
echo "|---|---|---|---|"
total=0
for eco in crates pypi npm; do
  b=$(du -sb --apparent-size "$corpus/$eco" | cut -f1)
  total=$((total + b))
  printf '| %s | %d | %d | %d |\n' "$eco" "$(find "$corpus/$eco" -mindepth 1 -maxdepth 1 -type d | wc -l)" \
    "$((b / 1000000))" "$(find "$corpus/$eco" -type f | wc -l)"
done
printf '| total | | %d | %d |\n' "$((total / 1000000))" "$(find "$corpus" -type f | wc -l)"
echo "corpus: $corpus ($((total / 1000000)) MB)"
if ((${#failed[@]})); then
  log "not fetched: ${failed[*]}"
fi
[ "$total" -ge 600000000 ] || log "warning: corpus is under 600 MB"
