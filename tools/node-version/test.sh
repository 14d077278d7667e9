#!/usr/bin/env bash
# Runs the whole suite (npm test) on another Node.js release, by default the image's exact one (see image.sh), fetched
# once from the npm registry (see fetch.sh). Usage: npm run test:node -- [major or x.y.z]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(bash tools/node-version/fetch.sh ${1:+"$1"})
export PATH="$bin:$PATH"
echo "npm test on Node $(node --version)"
npm test
