// Bundle the page into dist/: boot.js (the wasm-bindgen glue and the first check), the editor
// chunk (CodeMirror), the .wasm, the
// HTML and the CSS. Everything the page needs, nothing fetched from elsewhere.
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(here, "dist");
const wasm = path.join(here, "src", "pkg", "batch_autoscale_wasm_bg.wasm");
if (!fs.existsSync(wasm)) {
  console.error(`${path.relative(process.cwd(), wasm)} is missing: run ./build.sh (it builds the core first)`);
  process.exit(2);
}
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
await esbuild.build({
  entryPoints: [path.join(here, "src", "boot.js")],
  bundle: true,
  splitting: true,
  chunkNames: "[name]-[hash]",
  format: "esm",
  minify: true,
  target: "es2022",
  outdir: dist,
  loader: { ".formula": "text" },
  logLevel: "warning",
});
for (const f of ["index.html", "style.css"]) fs.copyFileSync(path.join(here, f), path.join(dist, f));
fs.copyFileSync(wasm, path.join(dist, "batch_autoscale_wasm_bg.wasm"));
for (const f of fs.readdirSync(dist)) console.log(`dist/${f} ${fs.statSync(path.join(dist, f)).size} bytes`);
