#!/bin/sh
# Build the playground into dist/: the core as WebAssembly (bindings/wasm, wasm-bindgen), then
# the page (esbuild). Needs the wasm32-unknown-unknown target and the wasm-bindgen CLI of the
# same version as the wasm-bindgen crate in Cargo.lock; npm dependencies from `npm ci`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target=${CARGO_TARGET_DIR:-$root/target}
cd "$root"
# A small, fast .wasm: optimise for size, one codegen unit, LTO, no debug info, abort on panic
# (the core never panics on any input; abort keeps the unwinding machinery out).
CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_PANIC=abort \
  cargo build --locked -p batch-autoscale-wasm --release --target wasm32-unknown-unknown
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }') || true
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen CLI ${have:-missing}, Cargo.lock has $want: cargo install wasm-bindgen-cli --version $want" >&2
  exit 2
fi
wasm-bindgen --target web --no-typescript --out-dir "$here/src/pkg" \
  "$target/wasm32-unknown-unknown/release/batch_autoscale_wasm.wasm"
cd "$here"
node scripts/bundle.mjs
