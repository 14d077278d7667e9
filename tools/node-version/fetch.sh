#!/usr/bin/env bash
# Fetches Node.js <major> (default 22) once from the npm registry, as the package node-<os>-<arch>, into
# .tmp/node-<major>, and prints the directory of its `node` binary. Usage: bash tools/node-version/fetch.sh [major]
set -euo pipefail
major="${1:-22}"
cd "$(dirname "$0")/../.."
package="node-$(node -p process.platform)-$(node -p process.arch)"
dir=".tmp/node-$major"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "$package@$major")
  tar xzf "$dir/$tarball" -C "$dir"
fi
echo "$PWD/$dir/package/bin"
