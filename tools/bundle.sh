#!/usr/bin/env bash
# Build the offline installation bundle: every Python wheel the platform needs (pinned in
# requirements/base.txt) plus the project's own wheel, and an npm tarball of each front-end
# package in package-lock.json. docs/deploy.md explains how to install from it.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bundle fuyuan-bundle.tar.gz
mkdir -p bundle/wheels bundle/npm
.venv/bin/pip wheel --quiet --wheel-dir bundle/wheels -r requirements/base.txt
.venv/bin/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir bundle/wheels .
packages=$(node -e '
  const lock = require("./package-lock.json");
  console.log(Object.entries(lock.packages)
    .filter(([k]) => k)
    .map(([k, v]) => k.replace(/^.*node_modules\//, "") + "@" + v.version).join("\n"));')
(cd bundle/npm && for p in $packages; do npm pack --silent "$p" >/dev/null; done)
cp requirements/base.txt package.json package-lock.json .npmrc bundle/
tar -czf fuyuan-bundle.tar.gz bundle
echo "wrote fuyuan-bundle.tar.gz ($(du -h fuyuan-bundle.tar.gz | cut -f1))"
