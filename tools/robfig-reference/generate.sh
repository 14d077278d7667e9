#!/usr/bin/env bash
# Regenerates test/fixtures/robfig/ticks.json from tools/robfig-reference/expressions.json
# with the real robfig/cron: v3 from Debian's golang-github-robfig-cron-dev and v1.2.0 (the
# version TiDB Operator uses) from a git checkout named by ROBFIG_V1_SRC. GOPATH mode, no
# module downloads. Usage: ROBFIG_V1_SRC=/path/to/robfig-cron.git npm run robfig:tables
# ROBFIG_IN and ROBFIG_OUT (absolute paths) replace the input and the output, as the random search
# (fuzz.ts) does; by default the committed expressions.json and test/fixtures/robfig/ticks.json.
# GO names the go binary (default: `go` on PATH), e.g. GO=/usr/lib/go-1.23/bin/go for TiDB
# Operator's Go; GOTOOLCHAIN=local keeps Go >= 1.21 from switching to another toolchain.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
debian_src=/usr/share/gocode/src/github.com/robfig/cron

go=${GO:-go}
command -v "$go" >/dev/null && [ -d "$debian_src" ] || {
  echo "robfig:tables needs Go ($go) and robfig/cron v3: apt-get install -y golang-go golang-github-robfig-cron-dev, or set GO to a go binary" >&2
  exit 1
}
if [ -z "${ROBFIG_V1_SRC:-}" ] || ! git -C "$ROBFIG_V1_SRC" rev-parse -q --verify 'v1.2.0^{commit}' >/dev/null; then
  echo "robfig:tables needs robfig/cron v1.2.0: set ROBFIG_V1_SRC to a git clone of github.com/robfig/cron that has the tag v1.2.0" >&2
  exit 1
fi

gopath=$(mktemp -d)
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/robfigv1/cron"
git -C "$ROBFIG_V1_SRC" archive v1.2.0 | tar -x -C "$gopath/src/robfigv1/cron" --wildcards '*.go' --exclude '*_test.go'

v1_commit=$(git -C "$ROBFIG_V1_SRC" rev-parse 'v1.2.0^{commit}')
v3_version=$(dpkg-query -W -f='${Version}' golang-github-robfig-cron-dev)

in=${ROBFIG_IN:-$here/expressions.json}
out=${ROBFIG_OUT:-$root/test/fixtures/robfig/ticks.json}
cd "$here"
TZ=UTC GO111MODULE=off GOTOOLCHAIN=local GOPATH="$gopath:/usr/share/gocode" GOFLAGS= \
  "$go" run main.go \
  -in "$in" \
  -out "$out" \
  -v1 "robfig/cron v1.2.0 (commit $v1_commit)" \
  -v3 "robfig/cron v3 (Debian golang-github-robfig-cron-dev $v3_version)"
echo "wrote $out ($(wc -c <"$out") bytes) with $("$go" version)"
