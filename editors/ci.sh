#!/usr/bin/env bash
# CI for the VS Code extension: build the .vsix, then the Node tests (server options against the
# real server, package contents, the grammar under vscode-textmate over the examples and corpus).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/batch-autoscale"
[ -x "$bin" ] || (cd "$root" && cargo build --locked --bin batch-autoscale)
cd "$root/editors/vscode"
npm ci --no-audit --no-fund --loglevel=error
npm run package --silent >/dev/null
ls -l batch-autoscale-*.vsix
BATCH_AUTOSCALE_BIN="$bin" npm test --silent
