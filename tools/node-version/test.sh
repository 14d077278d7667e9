#!/usr/bin/env bash
# Runs the whole suite (npm test) on another Node.js major, default 22 (the image's), fetched once from the npm
# registry (see fetch.sh). Usage: npm run test:node -- [major]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(bash tools/node-version/fetch.sh "${1:-22}")
export PATH="$bin:$PATH"
echo "npm test on Node $(node --version)"
npm test
