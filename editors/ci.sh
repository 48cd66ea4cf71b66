#!/usr/bin/env bash
# CI for the VS Code extension: build the .vsix, then the Node tests (server options, package
# contents, the grammar under vscode-textmate over the examples and the corpus).
set -euo pipefail
cd "$(dirname "$0")/vscode"
npm ci --no-audit --no-fund --loglevel=error
npm run package --silent >/dev/null
ls -l batch-autoscale-*.vsix
npm test --silent
