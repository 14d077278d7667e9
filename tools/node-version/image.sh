#!/usr/bin/env bash
# Prints the Node.js release the image runs: the exact version in the Dockerfile's `ARG NODE_IMAGE=node:<x.y.z>-...`,
# so that CI and `npm run test:node` test the Node the image ships. Fails, saying so, when there is none to read.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)-.*$/\1/p' Dockerfile)
if [ -z "$version" ] || [ "$(printf '%s\n' "$version" | wc -l)" -ne 1 ]; then
  echo "tools/node-version/image.sh: the Dockerfile has no single 'ARG NODE_IMAGE=node:<x.y.z>-<variant>' line to read the image's Node.js release from; pin one" >&2
  exit 1
fi
echo "$version"
