// Load the built playground (dist/) several times in headless Chromium and print, in ms after
// navigation start: DOMContentLoaded, core (wasm) ready, first diagnostics list, editor ready.
// Usage: node scripts/measure.mjs [runs]   (CHROMIUM overrides /usr/bin/chromium)
import { chromium } from "playwright-core";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dist = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), "dist");
const runs = Number(process.argv[2] || 8);
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://127.0.0.1").pathname;
  const file = path.join(dist, u === "/" ? "index.html" : u.slice(1));
  if (!file.startsWith(dist + path.sep) || !fs.existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ba-measure-"));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage();
const firsts = [];
for (let i = 0; i < runs; i++) {
  await page.goto(`http://127.0.0.1:${server.address().port}/?run=${i}`);
  await page.waitForSelector("body[data-ready=true]");
  const t = await page.evaluate(() => ({ ...window.__playground, dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd }));
  firsts.push(t.firstDiagnostics);
  console.log(
    `load ${i}: DOMContentLoaded ${t.dcl.toFixed(0)}, core ready ${t.wasmReady.toFixed(0)}, ` +
      `first diagnostics ${t.firstDiagnostics.toFixed(0)}, editor ready ${t.editorChecked.toFixed(0)} ms (check ${t.lastCheckMs.toFixed(1)} ms)`,
  );
}
firsts.sort((a, b) => a - b);
console.log(`first diagnostics: median ${firsts[Math.floor(firsts.length / 2)].toFixed(0)} ms after navigation start over ${runs} loads`);
await browser.close();
server.close();
fs.rmSync(userDataDir, { recursive: true, force: true });
