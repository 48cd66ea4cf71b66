#!/usr/bin/env bash
# CI for the playground: the wasm crate's tests and lints, the page's Node tests, the build into
# dist/ (size reported), and the end-to-end test in headless Chromium. Installs what it needs;
# when the wasm target or the browser cannot be installed it says so in one line and skips only
# what needs it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target=${CARGO_TARGET_DIR:-$root/target}
cd "$root"
cargo clippy --locked -p batch-autoscale-wasm --all-targets -- -D warnings
cargo test --locked -p batch-autoscale-wasm
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
node --test test/history.test.mjs

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
fi
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "SKIPPED playground build and browser test: the wasm32-unknown-unknown target cannot be installed"
  exit 0
fi
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/Cargo.lock")
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$want" ]; then
  cargo install wasm-bindgen-cli --version "$want" >/dev/null 2>&1 || true
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$want" ]; then
  echo "SKIPPED playground build and browser test: wasm-bindgen-cli $want cannot be installed"
  exit 0
fi
./build.sh
wasm=dist/batch_autoscale_wasm_bg.wasm
echo "playground: $wasm $(wc -c <"$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) gzipped; JavaScript $(cat dist/*.js | wc -c) bytes, $(cat dist/*.js | gzip -9 | wc -c) gzipped"
if [ "$(wc -c <"$wasm")" -ge 1048576 ]; then
  echo "playground: $wasm is over the 1 MB budget" >&2
  exit 1
fi

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] && [ "$(id -u)" = 0 ]; then
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) >/dev/null 2>&1 || true
fi
if [ ! -x "$chromium" ]; then
  echo "SKIPPED browser test: $chromium is missing and Debian's chromium package cannot be installed"
  exit 0
fi
bin="$target/debug/batch-autoscale"
[ -x "$bin" ] || (cd "$root" && cargo build --locked --bin batch-autoscale)
BATCH_AUTOSCALE_BIN="$bin" CHROMIUM="$chromium" node --test test/e2e.test.mjs
