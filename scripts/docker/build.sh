#!/bin/sh
# Builds Chatalot from a clean checkout and assembles the tree the Docker image runs, with production
# dependencies only. The Dockerfile runs this script, and deploy/test/docker-image.test.ts runs it in a
# fresh copy of the repository and starts the result, so the image's steps are tested without Docker.
#
#   scripts/docker/build.sh OUT_DIR
set -eu

out="${1:?usage: scripts/docker/build.sh OUT_DIR}"
cd "$(dirname "$0")/../.."
npm_flags="--prefer-offline --no-audit --no-fund --ignore-scripts"

# shellcheck disable=SC2086 # npm_flags is a list of flags
npm ci $npm_flags
npm run build

rm -rf "$out"
mkdir -p "$out/scripts/docker"
cp package.json package-lock.json "$out/"
for workspace in protocol crypto server web; do
  mkdir -p "$out/packages/$workspace"
  cp "packages/$workspace/package.json" "$out/packages/$workspace/"
done
cp -R packages/protocol/dist "$out/packages/protocol/"
cp -R packages/server/dist packages/server/migrations "$out/packages/server/"
cp -R packages/web/build "$out/packages/web/"
cp scripts/docker/healthcheck.mjs "$out/scripts/docker/"

# The web client is bundled into packages/web/build: only the server's dependencies are installed.
cd "$out"
# shellcheck disable=SC2086
npm ci $npm_flags --omit=dev --workspace @chatalot/server
