#!/usr/bin/env bash
# Fetches Node.js <version> (a major such as 24, or an exact release such as 22.23.3; default: the image's, see
# image.sh) once from the npm registry, as the package node-<os>-<arch>, into .tmp/node-<version>, and prints the
# directory of its `node` binary. Usage: bash tools/node-version/fetch.sh [version]
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:-$(bash tools/node-version/image.sh)}"
package="node-$(node -p process.platform)-$(node -p process.arch)"
dir=".tmp/node-$version"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "$package@$version")
  tar xzf "$dir/$tarball" -C "$dir"
fi
echo "$PWD/$dir/package/bin"
