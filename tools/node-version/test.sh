#!/usr/bin/env bash
# Runs the whole suite (npm test) on another Node.js major, default 22 (the image's), fetched once from the npm
# registry as the package node-<os>-<arch> into .tmp/node-<major>. Usage: npm run test:node -- [major]
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
export PATH="$PWD/$dir/package/bin:$PATH"
echo "npm test on Node $(node --version)"
npm test
