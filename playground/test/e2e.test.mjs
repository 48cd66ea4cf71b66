// End to end in a real browser: Debian's Chromium, headless, driven by playwright-core, on the
// built page (dist/) served from 127.0.0.1. Type a formula with an error, see its diagnostic,
// fix it, evaluate, and get the results string the CLI gives for the same formula and context.
import { test, before, after } from "node:test";
import assert from "node:assert";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = path.dirname(here);
const dist = path.join(here, "dist");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const cli =
  process.env.BATCH_AUTOSCALE_BIN ||
  path.join(process.env.CARGO_TARGET_DIR || path.join(root, "target"), "debug", "batch-autoscale");
const contextFile = path.join(root, "examples", "task-based.context.json");

const haveBrowser = fs.existsSync(browserPath);
const skip = haveBrowser ? false : `${browserPath} not found (apt-get install chromium)`;

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
let server;
let base;
let browser;
let userDataDir;

before(async () => {
  if (skip) return;
  assert.ok(fs.existsSync(path.join(dist, "index.html")), "dist/ is not built: run npm run build");
  server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const rel = url.pathname === "/" ? "index.html" : decodeURIComponent(url.pathname.slice(1));
    const file = path.join(dist, rel);
    if (!file.startsWith(dist + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ba-chromium-"));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browserPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

/** `batch-autoscale eval FILE --context C --format json`, the AutoScaleRun it prints. */
function cliRun(formula) {
  assert.ok(fs.existsSync(cli), `${cli} not found: build it (cargo build) or set BATCH_AUTOSCALE_BIN`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ba-e2e-"));
  const file = path.join(dir, "typed.formula");
  fs.writeFileSync(file, formula);
  const r = spawnSync(cli, ["eval", file, "--context", contextFile, "--format", "json"], { encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 1, `eval exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function openPage(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  return { page, errors };
}

const editorText = (page) => page.evaluate(() => document.querySelector("#editor .cm-content").innerText.replace(/\n$/, ""));

test("type an error, see it, fix it, evaluate: the CLI's results", { skip }, async () => {
  const { page, errors } = await openPage(base);
  const timing = await page.evaluate(() => window.__playground);
  const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0].toJSON());
  console.log(
    `# first diagnostics ${timing.firstDiagnosticsMs.toFixed(1)} ms after navigation start ` +
      `(core ready ${timing.wasmReady.toFixed(1)} ms; DOMContentLoaded ${nav.domContentLoadedEventEnd.toFixed(1)} ms; ` +
      `${(timing.firstDiagnostics - nav.domContentLoadedEventEnd).toFixed(1)} ms after it)`,
  );
  // The shipped example loads first, and checks clean of errors.
  await page.waitForSelector("#diagnostics li");
  assert.strictEqual(await page.locator("#diagnostics li.error").count(), 0);

  const wrong =
    "$tasks = Max(0, avg($PendingTasks.GetSample(TimeInterval_Minute * 15))); " +
    "$TargetDedicatedNodes = min(20, $tasks); $NodeDeallocationOption = taskcompletion;";
  await page.click("#editor");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(wrong);
  await page.keyboard.press("Escape"); // close a completion popup, if any
  assert.strictEqual(await editorText(page), wrong);
  const entry = page.locator('#diagnostics li[data-code="E210"]');
  await entry.waitFor({ timeout: 5_000 });
  assert.match(await entry.innerText(), /^E210 case-mismatch 1:10 .*did you mean `max`\?/);
  // The squiggle is in the editor too.
  await page.waitForSelector("#editor .cm-lintRange-error");

  // Evaluating the broken formula gives the service's error, as the CLI does.
  await page.click("#evaluate");
  const broken = cliRun(wrong);
  assert.ok(broken.error, "the CLI reports an error");
  assert.strictEqual(await page.locator("#results").innerText(), broken.results);
  assert.deepStrictEqual(JSON.parse(await page.locator("#run").textContent()), broken);

  // The quick fix.
  await entry.locator("button.fix").click();
  const fixed = wrong.replace("Max(", "max(");
  await page.waitForFunction(() => !document.querySelector('#diagnostics li[data-code="E210"]'));
  assert.strictEqual(await editorText(page), fixed);
  assert.strictEqual(await page.locator("#diagnostics li.error").count(), 0);

  // The context editor, then Evaluate.
  await page.fill("#context", fs.readFileSync(contextFile, "utf8"));
  await page.click("#evaluate");
  const run = cliRun(fixed);
  assert.strictEqual(run.error, undefined);
  assert.strictEqual(
    run.results,
    "$TargetDedicatedNodes=20;$TargetLowPriorityNodes=0;$NodeDeallocationOption=taskcompletion;$tasks=39.1724",
  );
  assert.strictEqual(await page.locator("#results").innerText(), run.results);
  assert.match(await page.locator("#trace").innerText(), /\$PendingTasks window: 29 of 30 expected samples/);
  assert.strictEqual(await page.locator("#run-error").isHidden(), true);

  // Share: the address holds formula and context, and a fresh page opens with both.
  await page.click("#share");
  await page.waitForFunction(() => document.getElementById("share-status").textContent !== "");
  const shared = page.url();
  assert.match(shared, /#f=[A-Za-z0-9_-]+&c=[A-Za-z0-9_-]+$/);
  const second = await openPage(shared);
  const warm = await second.page.evaluate(() => ({
    first: window.__playground.firstDiagnosticsMs,
    dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
  }));
  console.log(`# warm page: first diagnostics ${warm.first.toFixed(1)} ms after navigation start, ${(warm.first - warm.dcl).toFixed(1)} ms after DOMContentLoaded`);
  assert.strictEqual(await editorText(second.page), fixed);
  await second.page.click("#evaluate");
  await second.page.waitForFunction(() => document.body.dataset.evaluated === "1");
  assert.strictEqual(await second.page.locator("#results").innerText(), run.results);
  assert.deepStrictEqual(errors.concat(second.errors), []);
});

test("replay a generated history and plot it", { skip }, async () => {
  const { page, errors } = await openPage(base);
  await page.click("#generate");
  await page.waitForSelector("#plot svg path.target");
  const summary = await page.locator("#replay-summary").innerText();
  // 12 hours at 15 minutes: 49 evaluations.
  assert.match(summary, /^49 evaluations, dedicated target up to \d+/);
  assert.ok(Number(/up to (\d+)/.exec(summary)[1]) > 0, summary);
  // A pasted history with a mistake names the line.
  await page.fill("#history", "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,3\n2026-11-23T12:00:30Z,x\n");
  await page.click("#replay");
  assert.match(await page.locator("#replay-error").innerText(), /line 3, column 2: "x" is not a number/);
  assert.deepStrictEqual(errors, []);
});

test("completion and hover come from the built-ins table", { skip }, async () => {
  const { page, errors } = await openPage(base);
  await page.click("#editor");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type("$x = $PendingTasks.GetS");
  const options = page.locator(".cm-tooltip-autocomplete li .cm-completionLabel");
  await options.first().waitFor({ timeout: 5_000 });
  const labels = await options.allInnerTexts();
  assert.deepStrictEqual(labels.sort(), ["GetSample", "GetSamplePercent", "GetSamplePeriod"]);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type("$TargetDedicatedNodes = max(1, $CurrentDedicatedNodes);");
  await page.keyboard.press("Escape");
  await page.hover("#editor .tok-ba-function");
  const tip = page.locator(".cm-tooltip .ba-hover");
  await tip.waitFor({ timeout: 5_000 });
  const text = await tip.innerText();
  assert.match(text, /^double max\(doubleVecList\) — function\n.*Largest value/s);
  assert.deepStrictEqual(errors, []);
});
